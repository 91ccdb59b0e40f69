"""Runs a real tesserad for tests: TesseradProcess (also behind the pytest fixture
`tesserad` in tessera.pytest_plugin).

The binary is $TESSERA_TESSERAD, else bazel-bin/server/tesserad under the
repository root (found from the current directory upwards); a clear error if
neither exists. tesserad listens on 127.0.0.1 with ports it picks itself
(--grpc_address=127.0.0.1:0) and a fresh temporary --data_dir; the addresses are
read from its "tesserad serving" log line.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence


def tesserad_path() -> str:
    env = os.environ.get("TESSERA_TESSERAD")
    if env:
        if not os.access(env, os.X_OK):
            raise FileNotFoundError(f"TESSERA_TESSERAD={env!r} is not an executable file")
        return env
    here = pathlib.Path.cwd().resolve()
    for root in (here, *here.parents):
        candidate = root / "bazel-bin" / "server" / "tesserad"
        if candidate.exists():
            return str(candidate)
        if (root / "WORKSPACE").exists():
            break
    raise FileNotFoundError(
        "no tesserad binary: set TESSERA_TESSERAD=/path/to/tesserad or run "
        "`bazel build //server:tesserad` in the repository"
    )


class TesseradProcess:
    """A tesserad child process. start() waits until it serves; stop() ends it.
    The data directory survives stop() so that start() resumes the same store
    (on the same ports) until cleanup()."""

    def __init__(self, flags: Sequence[str] = (), binary: str | None = None) -> None:
        self.binary = binary or tesserad_path()
        self.flags = list(flags)
        self._tmp = tempfile.mkdtemp(prefix="tesserad-py-")
        self.data_dir = os.path.join(self._tmp, "data")
        self.log_path = os.path.join(self._tmp, "tesserad.log")
        self.grpc_address = ""
        self.http_address = ""
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> TesseradProcess:
        if self._proc is not None:
            raise RuntimeError("tesserad is already running")
        grpc_address = self.grpc_address or "127.0.0.1:0"
        http_address = self.http_address or "127.0.0.1:0"
        argv = [self.binary, f"--grpc_address={grpc_address}",
                f"--http_address={http_address}", f"--data_dir={self.data_dir}", *self.flags]
        offset = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            serving = self._serving_line(offset)
            if serving is not None:
                self.grpc_address = serving["grpc_address"]
                self.http_address = serving.get("http_address", "")
                return self
            if self._proc.poll() is not None:
                self._proc = None
                raise RuntimeError(f"tesserad exited during start-up; log:\n{self.log()}")
            time.sleep(0.01)
        self.kill()
        raise TimeoutError(f"tesserad did not report serving in time; log:\n{self.log()}")

    def _serving_line(self, offset: int) -> dict[str, str] | None:
        with open(self.log_path, "rb") as f:
            f.seek(offset)
            for line in f:
                if b'"msg":"tesserad serving"' in line:
                    parsed: dict[str, str] = json.loads(line)
                    return parsed
        return None

    def log(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM, then SIGKILL if it does not exit in time."""
        if self._proc is None:
            return
        self._proc.send_signal(signal.SIGTERM)
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc = None

    def kill(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None

    def cleanup(self) -> None:
        self.kill()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> TesseradProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.cleanup()
