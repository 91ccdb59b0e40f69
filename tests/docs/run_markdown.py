#!/usr/bin/env python3
"""Runs every command of a markdown page against real tesserad processes, and
fails when a documented command stops working. It is the one runner for the
commands in README.md and docs/ (tests/docs/test.sh, tests/grpcurl/test.sh).

What it reads: every fenced block whose info string is `sh`. In a block, a
command is a run of lines that bash accepts as complete (quotes, `\\`
continuations and here-documents may span lines). Comment lines are prose,
except two markers that apply to the next command:
    # prints: TEXT        the command must exit 0 and its output contain TEXT
    # fails with: TEXT    the command must exit non-zero and its output contain TEXT
Any other command must exit 0. A block that a test cannot run says why on the
last non-blank line before its fence:
    <!-- not run: REASON -->
It is reported as skipped, with its reason; a marker without a reason, or one
not followed by an `sh` block, is a failure, and so is a ```bash, ```shell or
```console block (commands go in ```sh blocks, so that they are run).

How it runs them: all commands in document order, in ONE bash session (so
variables set by one command are seen by the next), in a fresh temporary
directory, with `tesserad` (and, if given, `tessera` and `grpcurl`) on PATH.
Before a command runs, each --alias FROM=TO replaces the text FROM by TO (how
the page's `bazel-bin/tools/cli/tessera` or `bash tools/run_server.sh` map to
the binaries under test), and each --sandbox DIR replaces the absolute
directory DIR by an empty directory of that name under the temporary one (for
host paths such as /var/backups; --sandbox DIR=TO uses the prepared directory
TO instead). `bazel` on PATH only fails. A command that starts with a --prebuilt
prefix (e.g. `bazel build`) is not run: the binaries under test are its
output; it is reported as skipped.

A command whose first word is `tesserad` and that has no marker is not run by
bash: the runner starts it itself, in the same directory (a trailing `&` is
dropped), with --grpc_address/--http_address replaced by 127.0.0.1:0 (free
ports) and a --data_dir outside the temporary directory by a fresh one, waits
for its "tesserad serving" log line, and from then on replaces the addresses
the document used for it (by default 127.0.0.1:50051 and 127.0.0.1:8080) with
the real ones in every later command. `tessera` without --address talks to the
server started on the default address, as it would on the documented host.
--server ARGS starts `tesserad ARGS` this way before the first block, for a
page that assumes a running server. At the end, the shell's background jobs
are stopped, then every server, on every path.

Each command is one test; a last check asserts every server stopped. The last
line of output is "N passed, N failed"; the exit status is non-zero on any
failure.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import select
import shlex
import signal
import subprocess
import sys
import tempfile
import time

DEFAULT_GRPC = "127.0.0.1:50051"
DEFAULT_HTTP = "127.0.0.1:8080"
COMMAND_TIMEOUT = 90.0  # seconds; only bounds a hung command
START_TIMEOUT = 30.0
MARKERS = (("# prints:", True), ("# fails with:", False))
NOT_RUN = re.compile(r"^<!--\s*not run:(.*?)-->$")
NOT_RUN_LIKE = re.compile(r"^<!--\s*not[ -]run\b")
UNRUN_FENCES = ("bash", "shell", "console", "shell-session", "sh-session")


@dataclasses.dataclass
class Command:
    line: int  # 1-based line in the document where the command starts
    text: str
    expect_success: bool = True
    expect_text: str | None = None
    marked: bool = False  # has a `# prints:` / `# fails with:` marker

    def title(self) -> str:
        first = self.text.splitlines()[0]
        return first if len(first) <= 90 else first[:87] + "..."


@dataclasses.dataclass
class Skipped:
    line: int  # the block's fence
    reason: str


def complete(text: str) -> bool:
    """Whether bash parses `text` as complete commands (no open quote, no
    trailing continuation, no unterminated here-document)."""
    if text.rstrip("\n").endswith("\\"):
        return False
    check = subprocess.run(["bash", "-n"], input=text + "\n", capture_output=True, text=True,
                           check=False)
    return check.returncode == 0 and not check.stderr.strip()


def parse_block(lines: list[str], i: int, commands: list[Command],
                problems: list[str]) -> int:
    """Reads the ```sh block whose first line is lines[i]; returns the index
    of its closing fence."""
    expect: tuple[bool, str | None] = (True, None)
    pending: list[str] = []
    start = 0
    while i < len(lines) and lines[i].strip() != "```":
        line = lines[i]
        if not pending:
            stripped = line.strip()
            marker = next((m for m in MARKERS if stripped.startswith(m[0])), None)
            if marker is not None:
                expect = (marker[1], stripped[len(marker[0]):].strip())
            elif stripped and not stripped.startswith("#"):
                pending, start = [line], i + 1
        else:
            pending.append(line)
        if pending and complete("\n".join(pending)):
            commands.append(Command(start, "\n".join(pending), expect[0], expect[1],
                                    expect[1] is not None))
            pending, expect = [], (True, None)
        i += 1
    if pending:
        problems.append(f"line {start}: the command never ends (open quote, continuation "
                        "or here-document) before the end of its block")
    if expect[1] is not None and not pending:
        problems.append(f"line {i}: a '# prints:'/'# fails with:' marker with no command "
                        "after it")
    return i


def parse(markdown: str) -> tuple[list[Command | Skipped], list[str]]:
    """The commands of every ```sh block (a Skipped for each not-run block),
    and the problems found."""
    items: list[Command | Skipped] = []
    problems: list[str] = []
    lines = markdown.splitlines()
    reason: str | None = None  # from a not-run marker waiting for its block
    marker_line = 0
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if stripped.startswith("```") and stripped != "```sh":
            info = stripped[3:].strip()
            if info in UNRUN_FENCES:
                problems.append(f"line {i + 1}: a ```{info} block: commands go in ```sh "
                                "blocks (run, or marked <!-- not run: REASON -->)")
            if reason is not None:
                problems.append(f"line {marker_line}: a not-run marker before a block that "
                                "is not ```sh")
                reason = None
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                i += 1
            i += 1
            continue
        if stripped == "```sh":
            if reason is not None:
                items.append(Skipped(i + 1, reason))
                reason = None
                i += 1
                while i < len(lines) and lines[i].strip() != "```":
                    i += 1
            else:
                block: list[Command] = []
                i = parse_block(lines, i + 1, block, problems)
                items += block
            i += 1
            continue
        if stripped:
            if reason is not None:
                problems.append(f"line {marker_line}: a not-run marker not followed by its "
                                "```sh block")
                reason = None
            match = NOT_RUN.match(stripped)
            if match:
                reason, marker_line = match.group(1).strip(), i + 1
                if not reason:
                    problems.append(f"line {i + 1}: a not-run marker without a reason")
            elif NOT_RUN_LIKE.match(stripped):
                problems.append(f"line {i + 1}: not a not-run marker: write "
                                "<!-- not run: REASON --> on one line")
        i += 1
    if reason is not None:
        problems.append(f"line {marker_line}: a not-run marker at the end of the page")
    return items, problems


class Servers:
    """The tesserad processes the document starts, and the address map."""

    def __init__(self, binary: str, workdir: str, env: dict[str, str]) -> None:
        self.binary = binary
        self.workdir = workdir
        self.env = env
        self.procs: list[subprocess.Popen[bytes]] = []
        self.addresses: dict[str, str] = {}  # as documented -> as started
        # Where the `tessera` wrapper reads the address it talks to by default.
        self.default_file = os.path.join(workdir, ".bin", "default-address")

    def start(self, text: str) -> tuple[bool, str]:
        text = text.strip()
        if text.endswith("&") and not text.endswith("&&"):
            text = text[:-1]
        argv = shlex.split(text.replace("\\\n", " "))
        index = len(self.procs)
        doc_grpc, doc_http = DEFAULT_GRPC, DEFAULT_HTTP
        args = [self.binary]
        for arg in argv[1:]:
            name, _, value = arg.partition("=")
            if name == "--grpc_address":
                doc_grpc = value
            elif name == "--http_address":
                doc_http = value
            elif name == "--data_dir" and os.path.isabs(value) and not value.startswith(
                    self.workdir + os.sep):
                args.append(f"--data_dir={os.path.join(self.workdir, f'.tesserad-{index}')}")
            else:
                args.append(arg)
        args += ["--grpc_address=127.0.0.1:0",
                 "--http_address=" + ("127.0.0.1:0" if doc_http else "")]
        log_path = os.path.join(self.workdir, f".tesserad-{index}.log")
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(args, cwd=self.workdir, env=self.env, stdout=log,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.procs.append(proc)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            with open(log_path, encoding="utf-8", errors="replace") as log:
                for line in log:
                    if '"tesserad serving"' in line:
                        serving = json.loads(line)
                        self.addresses[doc_grpc] = serving["grpc_address"]
                        if doc_http:
                            self.addresses[doc_http] = serving["http_address"]
                        if doc_grpc == DEFAULT_GRPC:
                            with open(self.default_file, "w", encoding="utf-8") as f:
                                f.write(serving["grpc_address"])
                        return True, f"serving on {serving['grpc_address']}"
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        with open(log_path, encoding="utf-8", errors="replace") as log:
            return False, "tesserad did not start:\n" + log.read()

    def substitute(self, text: str) -> str:
        for documented in sorted(self.addresses, key=len, reverse=True):
            text = text.replace(documented, self.addresses[documented])
        return text

    def stop_all(self) -> bool:
        """SIGTERM each, then SIGKILL what is still running; True if all stopped."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        stopped = True
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                stopped = False
                proc.kill()
                proc.wait()
        return stopped


class Shell:
    """One bash process that runs the commands; each command's output goes to
    its own file, its exit status comes back on stdout."""

    def __init__(self, workdir: str, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.proc = subprocess.Popen(["bash", "--noprofile", "--norc"], cwd=workdir, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.count = 0

    def run(self, text: str) -> tuple[int | None, str]:
        """(exit status, output); status None if the command hung."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.count += 1
        out = os.path.join(self.workdir, f".out-{self.count}")
        script = f"{{\n{text}\n}} >{shlex.quote(out)} 2>&1 </dev/null\necho \"__rc__ $?\"\n"
        self.proc.stdin.write(script.encode())
        self.proc.stdin.flush()
        status: int | None = None
        deadline = time.monotonic() + COMMAND_TIMEOUT
        buffer = b""
        while status is None and time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if not ready:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                break  # bash exited (e.g. the command ran `exit`)
            buffer += chunk
            match = re.search(rb"__rc__ (\d+)\n", buffer)
            if match:
                status = int(match.group(1))
        output = ""
        if os.path.exists(out):
            with open(out, encoding="utf-8", errors="replace") as f:
                output = f.read()
        return status, output

    def stop_jobs(self) -> tuple[int | None, str]:
        """Stops the session's background jobs (e.g. a documented `watch &`)
        and waits for them; (exit status, output) of doing so."""
        return self.run("jobs=$(jobs -p); [ -z \"$jobs\" ] || kill $jobs; wait; "
                        "echo \"$(wc -w <<<\"$jobs\") background job(s)\"; true")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def judge(command: Command, status: int | None, output: str) -> str | None:
    """None if the command behaved as documented, else what went wrong."""
    if status is None:
        return f"no answer within {COMMAND_TIMEOUT:.0f} s (or the shell died)"
    if command.expect_success and status != 0:
        return f"exit status {status}"
    if not command.expect_success and status == 0:
        return "exit status 0, but the document says it fails"
    if command.expect_text is not None and command.expect_text not in output:
        return f"output does not contain {command.expect_text!r}"
    return None


def indent(text: str, limit: int = 2000) -> str:
    text = text if len(text) <= limit else text[:limit] + "\n[...]"
    return "\n".join("      " + line for line in text.splitlines())


def rewrite(text: str, aliases: list[tuple[str, str]], sandboxes: dict[str, str]) -> str:
    """The command as the runner runs it: aliases, then sandboxed paths."""
    for source, target in aliases:
        text = text.replace(source, target)
    for host_dir in sorted(sandboxes, key=len, reverse=True):
        text = re.sub(re.escape(host_dir) + r"(?=/|\b|$)", sandboxes[host_dir], text)
    return text


def pair(value: str) -> tuple[str, str]:
    source, sep, target = value.partition("=")
    if not sep or not source:
        raise argparse.ArgumentTypeError(f"expected FROM=TO, got {value!r}")
    return source, target


def make_path(workdir: str, args: argparse.Namespace) -> str:
    """The directory put first on PATH: tesserad, grpcurl and a `tessera`
    that talks to the page's default server unless told --address."""
    bindir = os.path.join(workdir, ".bin")
    os.mkdir(bindir)
    os.symlink(os.path.abspath(args.tesserad), os.path.join(bindir, "tesserad"))
    if args.grpcurl:
        os.symlink(os.path.abspath(args.grpcurl), os.path.join(bindir, "grpcurl"))
    # Tests never run Bazel (a shared, slow build): a page's `bazel` command
    # that is neither --prebuilt nor in a not-run block fails here.
    stub = os.path.join(bindir, "bazel")
    with open(stub, "w", encoding="utf-8") as f:
        f.write("#!/bin/sh\necho 'bazel is not run by the docs tests: mark the block "
                "<!-- not run: REASON -->' >&2\nexit 1\n")
    os.chmod(stub, 0o755)
    if args.cli:
        wrapper = os.path.join(bindir, "tessera")
        default = shlex.quote(os.path.join(bindir, "default-address"))
        cli = shlex.quote(os.path.abspath(args.cli))
        with open(wrapper, "w", encoding="utf-8") as f:
            f.write("#!/bin/sh\n# The CLI under test, pointed at the page's default server;\n"
                    "# a later --address wins.\n"
                    f"if [ -s {default} ]; then\n"
                    f"  exec {cli} --address=\"$(cat {default})\" \"$@\"\nfi\n"
                    f"exec {cli} \"$@\"\n")
        os.chmod(wrapper, 0o755)
    return bindir


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("document")
    parser.add_argument("--tesserad", required=True)
    parser.add_argument("--cli", help="the tessera CLI, on PATH as `tessera`")
    parser.add_argument("--grpcurl", help="grpcurl, on PATH as `grpcurl`")
    parser.add_argument("--alias", type=pair, action="append", default=[],
                        metavar="FROM=TO", help="replace FROM by TO in every command")
    parser.add_argument("--sandbox", action="append", default=[], metavar="DIR[=TO]",
                        help="a host directory the page uses, replaced by an empty one "
                        "(or by the prepared directory TO)")
    parser.add_argument("--prebuilt", action="append", default=[], metavar="PREFIX",
                        help="commands starting with PREFIX are not run (skipped)")
    parser.add_argument("--server", metavar="ARGS",
                        help="start `tesserad ARGS` before the first block")
    args = parser.parse_args()
    for path in [args.tesserad, args.cli, args.grpcurl]:
        if path and not os.access(path, os.X_OK):
            print(f"FAIL no executable at {path}\n0 passed, 1 failed")
            return 1
    with open(args.document, encoding="utf-8") as f:
        items, problems = parse(f.read())
    passed = failed = skipped = 0
    for problem in problems:
        print(f"FAIL {args.document}: {problem}")
        failed += 1
    if not items:
        print(f"FAIL {args.document}: no ```sh blocks")
        failed += 1

    workdir = os.path.realpath(tempfile.mkdtemp(prefix="tessera-docs-"))
    bindir = make_path(workdir, args)
    sandboxes = {}
    for spec in args.sandbox:
        host_dir, _, given = spec.partition("=")
        host_dir = host_dir.rstrip("/")
        sandboxes[host_dir] = given or os.path.join(workdir, ".root" + host_dir)
        os.makedirs(sandboxes[host_dir], exist_ok=bool(given))
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", ""),
           "HOME": workdir}
    env.pop("TESSERA_API_KEY", None)
    # SIGTERM (e.g. a CI timeout) unwinds like Ctrl-C, so `finally` stops the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    servers = Servers(os.path.abspath(args.tesserad), workdir, env)
    shell = Shell(workdir, env)
    try:
        if args.server is not None:
            ok, detail = servers.start(rewrite("tesserad " + args.server, [], sandboxes))
            print(f"{'ok  ' if ok else 'FAIL'} --server: tesserad {args.server}"
                  + ("" if ok else f"\n{indent(detail)}"))
            passed, failed = passed + ok, failed + (not ok)
        for item in items:
            where = f"{args.document}:{item.line}"
            if isinstance(item, Skipped):
                print(f"skip {where}  block not run: {item.reason}")
                skipped += 1
                continue
            text = rewrite(item.text, args.alias, sandboxes)
            if any(text.startswith(prefix) for prefix in args.prebuilt):
                print(f"skip {where}  {item.title()}  (built: the binaries under test)")
                skipped += 1
                continue
            words = text.split(None, 1)
            if words and words[0] == "tesserad" and not item.marked:
                ok, detail = servers.start(servers.substitute(text))
                problem = None if ok else detail
            else:
                status, output = shell.run(servers.substitute(text))
                problem = judge(item, status, output)
                detail = output
            if problem is None:
                print(f"ok   {where}  {item.title()}")
                passed += 1
            else:
                print(f"FAIL {where}  {item.title()}\n    {problem}\n{indent(detail)}")
                failed += 1
    finally:
        status, output = shell.stop_jobs()
        shell.close()
        stopped = servers.stop_all()
    if status == 0:
        print(f"ok   the shell's background jobs stopped ({output.strip()})")
        passed += 1
    else:
        print(f"FAIL the shell's background jobs did not stop\n{indent(output)}")
        failed += 1
    if stopped:
        print(f"ok   every tesserad the document started ({len(servers.procs)}) stopped")
        passed += 1
    else:
        print("FAIL a tesserad did not stop within 20 s of SIGTERM (killed)")
        failed += 1
    subprocess.run(["rm", "-rf", workdir], check=False)
    print(f"{args.document}: {skipped} skipped (not run, with the reason above)")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
