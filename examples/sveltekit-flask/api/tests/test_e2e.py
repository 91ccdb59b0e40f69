"""The API as `python -m example_api` runs it (gunicorn), against a real tesserad."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import tessera
from tessera.testing import TesseradProcess

from tests import contract

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
START_TIMEOUT = 60.0


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any


@dataclass
class Api:
    base: str
    process: subprocess.Popen[bytes]
    tesserad: TesseradProcess
    client: tessera.Client  # plays the web app: issues and refreshes sessions
    log: list[str] = field(default_factory=list)

    def call(self, method: str, path: str, token: str = "", body: str | None = None) -> Reply:
        data = body.encode() if body is not None else None
        request = urllib.request.Request(self.base + path, method=method, data=data)  # noqa: S310
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        if body is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                status, headers, raw = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as err:
            status, headers, raw = err.code, dict(err.headers), err.read()
        wrong = contract.check(method, path, status, headers.get("Content-Type", ""), raw)
        assert not wrong, wrong
        return Reply(status, headers, json.loads(raw) if raw else None)

    def login(self, username: str, password: str, device: str = "") -> Any:
        user = self.call(
            "POST",
            "/api/credentials/check",
            body=json.dumps({"username": username, "password": password}),
        )
        assert user.status == 200, user
        return self.client.issue_session(
            user.body["subject"],
            claims={"name": user.body["name"], "role": user.body["role"]},
            client={"device_name": device} if device else None,
        )

    def refused_with(self, token: str, reason: str) -> None:
        r = self.call("GET", "/api/profile", token)
        assert r.status == 401 and r.headers["Tessera-Reason"] == reason, r
        assert r.headers["WWW-Authenticate"].startswith('Bearer realm="tessera"')


def wait_for(what: str, condition: Callable[[], bool], timeout: float = 60.0) -> None:
    """Polls until condition() holds; `timeout` only bounds a hung test."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.02)


@contextlib.contextmanager
def start_api(tesserad: TesseradProcess, extra_env: dict[str, str]) -> Iterator[Api]:
    env = {
        **os.environ,
        "TESSERA_ADDRESS": tesserad.grpc_address,
        "API_ADDRESS": "127.0.0.1:0",
        **extra_env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "example_api"],
        cwd=HERE,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    lines: list[str] = []
    address: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stderr is not None
        for raw in process.stderr:
            line = raw.decode(errors="replace").rstrip("\n")
            lines.append(line)
            if '"msg": "api serving"' in line and not address:
                address.append(json.loads(line)["address"])
                ready.set()
        ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    client = tessera.Client(tesserad.grpc_address)
    try:
        if not ready.wait(START_TIMEOUT) or not address:
            pytest.fail("the API did not start:\n" + "\n".join(lines))
        api = Api(f"http://{address[0]}", process, tesserad, client, lines)
        wait_for(
            "the Verifier to be ready",
            lambda: api.call("GET", "/healthz").body == {"ok": True, "verifier_ready": True},
        )
        yield api
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=5)
    assert process.returncode == 0, "the API did not stop cleanly on SIGTERM:\n" + "\n".join(lines)


@pytest.fixture
def api(tesserad: TesseradProcess) -> Iterator[Api]:
    with start_api(tesserad, {}) as started:
        yield started


def test_profile(api: Api) -> None:
    alice = api.login("alice", "alice-password", "laptop")
    r = api.call("GET", "/api/profile", alice.access_token)
    assert r.status == 200 and r.body == {
        "subject": "user-alice",
        "session_id": alice.session_id,
        "name": "Alice Liddell",
        "role": "admin",
    }
    assert r.headers["Cache-Control"] == "no-store"
    r = api.call("POST", "/api/credentials/check", body='{"username":"alice","password":"x"}')
    assert r.status == 401 and r.body == {"error": "bad_credentials"}
    assert api.call("POST", "/api/credentials/check", body='{"username":').status == 400
    api.refused_with("not-a-token", "MALFORMED")
    r = api.call("GET", "/api/profile")
    assert r.status == 401 and "Tessera-Reason" not in r.headers
    r = api.call("GET", "/api/profile", alice.access_token + " extra")  # "Bearer <t> extra"
    assert r.status == 400 and 'error="invalid_request"' in r.headers["WWW-Authenticate"]


def test_patch_profile_invalidates_old_tokens(api: Api) -> None:
    """The answer comes once the API's Verifier refuses the old access tokens
    (STALE_CLAIMS); a refresh carries the new claims."""
    alice = api.login("alice", "alice-password", "laptop")
    other = api.login("alice", "alice-password", "phone")
    r = api.call("PATCH", "/api/profile", alice.access_token, '{"name":"Alice L.","role":"member"}')
    assert r.status == 200 and (r.body["name"], r.body["role"]) == ("Alice L.", "member")
    api.refused_with(alice.access_token, "STALE_CLAIMS")
    api.refused_with(other.access_token, "STALE_CLAIMS")
    fresh = api.client.refresh_session(alice.refresh_token)
    checked = api.client.validate_token(fresh.access_token)
    assert checked.valid
    assert checked.claims.custom["name"] == "Alice L." and checked.claims.custom["role"] == "member"
    assert api.call("GET", "/api/profile", fresh.access_token).body["name"] == "Alice L."
    for body in (
        '{"role":"owner"}',
        '{"name":""}',
        '{"name":"' + "x" * 65 + '"}',
        '{"nick":"x"}',
        "nope",
    ):
        r = api.call("PATCH", "/api/profile", fresh.access_token, body)
        assert r.status == 400 and r.body["error"] == "invalid_request", body
    big = '{"name":"' + "x" * (17 * 1024) + '"}'
    assert api.call("PATCH", "/api/profile", fresh.access_token, big).status == 413


def test_devices(api: Api) -> None:
    older = api.login("alice", "alice-password", "old phone")
    alice = api.login("alice", "alice-password", "laptop")
    bob = api.login("bob", "bob-password", "bob's phone")
    r = api.call("GET", "/api/devices", alice.access_token)
    assert r.status == 200
    assert [(d["session_id"], d["current"], d["client"]) for d in r.body["devices"]] == [
        (alice.session_id, True, "laptop"),
        (older.session_id, False, "old phone"),
    ]
    time.strptime(r.body["devices"][0]["created_at"], "%Y-%m-%dT%H:%M:%SZ")

    for session_id in (bob.session_id, "AAAAAAAAAAAAAAAAAAAAAA", "revoke-me", "x%2Fy", "A" * 100):
        r = api.call("DELETE", "/api/devices/" + session_id, alice.access_token)
        assert r.status == 404 and r.body["error"] == "not_found", session_id
    assert api.call("GET", "/api/profile", bob.access_token).status == 200

    assert api.call("DELETE", "/api/devices/" + older.session_id, alice.access_token).status == 204
    api.refused_with(older.access_token, "SESSION_REVOKED")  # at once: the API waited
    r = api.call("GET", "/api/devices", alice.access_token)
    assert [d["session_id"] for d in r.body["devices"]] == [alice.session_id]

    r = api.call("POST", "/api/devices/revoke-all", alice.access_token)
    assert r.status == 200 and r.body["revoked"] == 1 and r.body["sequence"] > 0
    api.refused_with(alice.access_token, "SESSION_REVOKED")
    with pytest.raises(tessera.TesseraError):
        api.client.refresh_session(alice.refresh_token)
    assert api.call("GET", "/api/profile", bob.access_token).status == 200


def test_items_routes_and_openapi(api: Api) -> None:
    bob = api.login("bob", "bob-password")
    r = api.call("GET", "/api/items/7", bob.access_token)
    assert r.status == 200 and r.body == {"n": 7, "subject": "user-bob"}
    for path in ("/api/items/100", "/api/items/x", "/nope"):
        r = api.call("GET", path, bob.access_token)
        assert r.status == 404 and r.body["error"] == "not_found", path
    assert api.call("PUT", "/api/profile", bob.access_token).status == 405
    assert api.call("GET", "/openapi.json").body["openapi"] == "3.1.0"


def test_logs_hold_no_tokens(api: Api) -> None:
    alice = api.login("alice", "alice-password")
    api.call("GET", "/api/profile", alice.access_token)
    api.call("PATCH", "/api/profile", alice.access_token, '{"name":"Alice"}')
    wait_for("the request log", lambda: any("path=/api/profile" in line for line in api.log))
    logs = "\n".join(api.log)
    assert alice.access_token not in logs and alice.refresh_token not in logs
    assert "alice-password" not in logs


def test_tesserad_down_then_back(tesserad: TesseradProcess) -> None:
    """tesserad gone for longer than TESSERA_MAX_STALENESS: protected routes answer
    503 + Retry-After (nobody is told their token is bad); after a restart the same
    token works again."""
    with start_api(tesserad, {"TESSERA_MAX_STALENESS": "2"}) as api:
        alice = api.login("alice", "alice-password")
        tesserad.stop()

        def unavailable() -> bool:
            r = api.call("GET", "/api/items/1", alice.access_token)
            if r.status == 200:
                return False
            assert r.status == 503 and r.headers["Retry-After"], r
            return True

        wait_for("503 while tesserad is down", unavailable)
        tesserad.start()
        wait_for(
            "200 after tesserad is back",
            lambda: api.call("GET", "/api/items/1", alice.access_token).status == 200,
        )


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({}, "TESSERA_ADDRESS is required"),
        (
            {"TESSERA_ADDRESS": "127.0.0.1:1", "TESSERA_MAX_STALENESS": "soon"},
            "TESSERA_MAX_STALENESS",
        ),
    ],
)
def test_main_refuses_a_bad_environment(env: dict[str, str], names: str) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TESSERA_", "API_"))}
    run = subprocess.run(
        [sys.executable, "-m", "example_api"],
        cwd=HERE,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2 and names in run.stderr and '"api stopped"' in run.stderr
