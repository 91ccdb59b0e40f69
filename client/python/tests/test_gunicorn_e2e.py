"""The Flask app under `gunicorn -w 2`: both workers verify, both see a revocation;
with --preload (Verifier made before the fork) too."""

from __future__ import annotations

import concurrent.futures
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

import tessera

HERE = pathlib.Path(__file__).resolve().parent
WAIT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(url: str, *, token: str | None = None, data: bytes | None = None,
            ) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")  # noqa: S310
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=WAIT) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


@pytest.fixture(params=["lazy", "preload"])
def gunicorn(request, tesserad, tmp_path):
    mode = request.param
    port = free_port()
    env = dict(os.environ, TESSERA_TARGET=tesserad.grpc_address, PYTHONPATH=str(HERE))
    argv = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
            "--graceful-timeout", "5", "--no-control-socket", "gunicorn_app:app"]
    if mode == "preload":
        env["EAGER_VERIFIER"] = "1"
        argv.insert(3, "--preload")
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=HERE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/me", timeout=5)  # noqa: S310
        except urllib.error.HTTPError:
            break  # 401/503: it is serving
        except OSError:
            time.sleep(0.05)
    yield base
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


def per_worker(call, want_pids: int = 2, attempts: int = 200) -> dict[int, dict]:
    """Calls `call` concurrently until `want_pids` workers answered (bounded)."""
    seen: dict[int, dict] = {}
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        for _ in range(attempts // 4):
            for status, body in pool.map(lambda _: call(), range(4)):
                seen.setdefault(body["pid"], {"status": status, **body})
            if len(seen) >= want_pids:
                break
    return seen


def test_both_workers_verify_and_see_a_revocation(gunicorn, tesserad):
    with tessera.Client(tesserad.grpc_address) as client:
        tokens = client.issue_session("worker-user")
        valid = per_worker(lambda: request(
            f"{gunicorn}/check/0?hold=1", data=tokens.access_token.encode()))
        assert len(valid) == 2, valid
        assert all(v["verdict"] == "VALID" for v in valid.values()), valid
        revoked = client.revoke_session(session_id=tokens.session_id)
        after = per_worker(lambda: request(
            f"{gunicorn}/check/{revoked.sequence}?hold=1", data=tokens.access_token.encode()))
        assert len(after) == 2, after
        for body in after.values():
            assert body["reached"] and body["verdict"] == "SESSION_REVOKED", after
        status, body = request(f"{gunicorn}/me", token=tokens.access_token)
        assert status == 401 and body["reason"] == "SESSION_REVOKED"


def test_first_request_of_each_worker_is_served(gunicorn, tesserad):
    """No 503 while a fresh worker's Verifier connects (TESSERA_READY_TIMEOUT)."""
    with tessera.Client(tesserad.grpc_address) as client:
        tokens = client.issue_session("first-request")
        seen = per_worker(lambda: request(f"{gunicorn}/me?hold=1", token=tokens.access_token))
        assert len(seen) == 2, seen
        assert all(body["status"] == 200 for body in seen.values()), seen
