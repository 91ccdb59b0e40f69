#!/usr/bin/env python3
"""Runs every command of a markdown cookbook (docs/grpcurl.md) against real
tesserad processes, and fails when a documented command stops working.

What it reads: every fenced block whose info string is `sh`. In a block, a
command is a run of lines that bash accepts as complete (quotes, `\\`
continuations and here-documents may span lines). Comment lines are prose,
except two markers that apply to the next command:
    # prints: TEXT        the command must exit 0 and its output contain TEXT
    # fails with: TEXT    the command must exit non-zero and its output contain TEXT
Any other command must exit 0.

How it runs them: all commands in document order, in ONE bash session (so
variables set by one command are seen by the next), in a fresh temporary
directory, with `tesserad` and `grpcurl` on PATH. A command whose first word
is `tesserad` is not run by bash: the runner starts it itself, in the same
directory, with --grpc_address/--http_address replaced by 127.0.0.1:0 (free
ports) and --data_dir by a fresh directory, waits for its "tesserad serving"
log line, and from then on replaces the addresses the document used for it
(by default 127.0.0.1:50051 and 127.0.0.1:8080) with the real ones in every
later command. Every server is stopped at the end, on every path.

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


@dataclasses.dataclass
class Command:
    line: int  # 1-based line in the document where the command starts
    text: str
    expect_success: bool = True
    expect_text: str | None = None

    @property
    def is_server(self) -> bool:
        words = self.text.split(None, 1)
        return bool(words) and words[0] == "tesserad"

    def title(self) -> str:
        first = self.text.splitlines()[0]
        return first if len(first) <= 90 else first[:87] + "..."


def complete(text: str) -> bool:
    """Whether bash parses `text` as complete commands (no open quote, no
    trailing continuation, no unterminated here-document)."""
    if text.rstrip("\n").endswith("\\"):
        return False
    check = subprocess.run(["bash", "-n"], input=text + "\n", capture_output=True, text=True,
                           check=False)
    return check.returncode == 0 and not check.stderr.strip()


def parse(markdown: str) -> tuple[list[Command], list[str]]:
    """The commands of every ```sh block, and the problems found."""
    commands: list[Command] = []
    problems: list[str] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```sh":
            i += 1
            continue
        i += 1
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
                commands.append(Command(start, "\n".join(pending), *expect))
                pending, expect = [], (True, None)
            i += 1
        if pending:
            problems.append(f"line {start}: the command never ends (open quote, continuation "
                            "or here-document) before the end of its block")
        if expect[1] is not None and not pending:
            problems.append(f"line {i}: a '# prints:'/'# fails with:' marker with no command "
                            "after it")
        i += 1
    return commands, problems


class Servers:
    """The tesserad processes the document starts, and the address map."""

    def __init__(self, binary: str, workdir: str, env: dict[str, str]) -> None:
        self.binary = binary
        self.workdir = workdir
        self.env = env
        self.procs: list[subprocess.Popen[bytes]] = []
        self.addresses: dict[str, str] = {}  # as documented -> as started

    def start(self, command: Command) -> tuple[bool, str]:
        argv = shlex.split(command.text.replace("\\\n", " "))
        index = len(self.procs)
        doc_grpc, doc_http = DEFAULT_GRPC, DEFAULT_HTTP
        args = [self.binary]
        for arg in argv[1:]:
            name, _, value = arg.partition("=")
            if name == "--grpc_address":
                doc_grpc = value
            elif name == "--http_address":
                doc_http = value
            elif name == "--data_dir":
                continue
            else:
                args.append(arg)
        args += [f"--data_dir={os.path.join(self.workdir, f'.tesserad-{index}')}",
                 "--grpc_address=127.0.0.1:0",
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("document")
    parser.add_argument("--tesserad", required=True)
    parser.add_argument("--grpcurl", required=True)
    args = parser.parse_args()
    with open(args.document, encoding="utf-8") as f:
        commands, problems = parse(f.read())
    passed = failed = 0
    for problem in problems:
        print(f"FAIL {args.document}: {problem}")
        failed += 1
    if not commands:
        print(f"FAIL {args.document}: no commands found in ```sh blocks")
        failed += 1

    workdir = tempfile.mkdtemp(prefix="grpcurl-cookbook-")
    bindir = os.path.join(workdir, ".bin")
    os.mkdir(bindir)
    os.symlink(os.path.abspath(args.tesserad), os.path.join(bindir, "tesserad"))
    os.symlink(os.path.abspath(args.grpcurl), os.path.join(bindir, "grpcurl"))
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", ""),
           "HOME": workdir}
    # SIGTERM (e.g. a CI timeout) unwinds like Ctrl-C, so `finally` stops the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    servers = Servers(os.path.abspath(args.tesserad), workdir, env)
    shell = Shell(workdir, env)
    try:
        for command in commands:
            where = f"{args.document}:{command.line}"
            if command.is_server:
                ok, detail = servers.start(command)
                problem = None if ok else detail
            else:
                status, output = shell.run(servers.substitute(command.text))
                problem = judge(command, status, output)
                detail = output
            if problem is None:
                print(f"ok   {where}  {command.title()}")
                passed += 1
            else:
                print(f"FAIL {where}  {command.title()}\n    {problem}\n{indent(detail)}")
                failed += 1
    finally:
        shell.close()
        stopped = servers.stop_all()
    if stopped:
        print(f"ok   every tesserad the document started ({len(servers.procs)}) stopped")
        passed += 1
    else:
        print("FAIL a tesserad did not stop within 20 s of SIGTERM (killed)")
        failed += 1
    subprocess.run(["rm", "-rf", workdir], check=False)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
