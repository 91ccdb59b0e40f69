"""Regenerates src/tessera/v1/*_pb2*.py(i) from proto/tessera/v1 with grpcio-tools.

The generated modules are checked in (so `pip install` needs no protoc).
`--check` regenerates into a temporary directory and fails, listing the files,
when the checked-in output differs: test.sh runs it so stale stubs fail CI.
"""

from __future__ import annotations

import filecmp
import pathlib
import sys
import tempfile

from grpc_tools import protoc

HERE = pathlib.Path(__file__).resolve().parent.parent
REPO = HERE.parent.parent
PROTO_ROOT = REPO / "proto"
PUBLIC = ["tessera/v1/keys.proto", "tessera/v1/token_authority.proto", "tessera/v1/admin.proto"]
OUT = HERE / "src" / "tessera" / "v1"


def generate(out_root: pathlib.Path) -> None:
    import grpc_tools

    include = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    args = [
        "protoc",
        f"-I{PROTO_ROOT}",
        f"-I{include}",
        f"--python_out={out_root}",
        f"--pyi_out={out_root}",
        f"--grpc_python_out={out_root}",
        *PUBLIC,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")


def generated_files(root: pathlib.Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.endswith((".py", ".pyi")))


def main() -> int:
    check = "--check" in sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        generate(pathlib.Path(tmp))
        fresh = pathlib.Path(tmp) / "tessera" / "v1"
        (fresh / "__init__.py").write_text('"""Generated from proto/tessera/v1; do not edit."""\n')
        names = generated_files(fresh)
        if check:
            current = generated_files(OUT) if OUT.exists() else []
            stale = [n for n in sorted(set(names) | set(current))
                     if n not in names or n not in current
                     or not filecmp.cmp(fresh / n, OUT / n, shallow=False)]
            if stale:
                print("stale generated code (run scripts/gen_protos.py):", ", ".join(stale))
                return 1
            print("generated code is current")
            return 0
        OUT.mkdir(parents=True, exist_ok=True)
        for old in generated_files(OUT):
            (OUT / old).unlink()
        for n in names:
            (OUT / n).write_bytes((fresh / n).read_bytes())
        print("wrote", ", ".join(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
