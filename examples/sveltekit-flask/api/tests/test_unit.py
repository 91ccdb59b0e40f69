"""The routes over fakes: each route's answers, each error, hostile input."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import grpc
import pytest
from tessera import errors as terr
from werkzeug.test import EnvironBuilder, run_wsgi_app

from example_api.jsonio import MAX_BODY_BYTES
from tests.conftest import Harness

PROTECTED = [
    ("GET", "/api/profile"),
    ("PATCH", "/api/profile"),
    ("GET", "/api/devices"),
    ("DELETE", "/api/devices/sAlice0"),
    ("POST", "/api/devices/revoke-all"),
    ("GET", "/api/items/1"),
]


def body_of(response: Any) -> Any:
    return json.loads(response.get_data())


def expect_error(
    h: Harness, method: str, path: str, token: str, body: str | bytes | None, status: int, code: str
) -> None:
    r = h.call(method, path, token, body)
    assert r.status_code == status, (method, path, body, r.get_data())
    assert body_of(r)["error"] == code
    assert r.headers["Content-Type"] == "application/json"
    assert r.headers["Cache-Control"] == "no-store"


def test_healthz(harness: Harness) -> None:
    assert body_of(harness.call("GET", "/healthz")) == {"ok": True, "verifier_ready": True}
    harness.verifier.ready = False
    assert body_of(harness.call("GET", "/healthz")) == {"ok": True, "verifier_ready": False}


def test_credentials(harness: Harness) -> None:
    r = harness.call(
        "POST", "/api/credentials/check", "", '{"username":"alice","password":"alice-password"}'
    )
    assert r.status_code == 200
    assert body_of(r) == {"subject": "user-alice", "name": "Alice Liddell", "role": "admin"}
    r = harness.call(
        "POST", "/api/credentials/check", "", '{"username":"bob","password":"bob-password"}'
    )
    assert body_of(r) == {"subject": "user-bob", "name": "Bob Stone", "role": "member"}


@pytest.mark.parametrize(
    "body",
    [
        '{"username":"alice","password":"bob-password"}',
        '{"username":"alice","password":""}',
        '{"username":"alice","password":"alice-password "}',
        '{"username":"nobody","password":"alice-password"}',
        '{"username":"","password":""}',
    ],
)
def test_bad_credentials(harness: Harness, body: str) -> None:
    expect_error(harness, "POST", "/api/credentials/check", "", body, 401, "bad_credentials")


@pytest.mark.parametrize(
    "body",
    [
        "",
        "{",
        "[]",
        '"alice"',
        "null",
        '{"username":"alice"}',
        '{"password":"x"}',
        '{"username":1,"password":"x"}',
        '{"username":"alice","password":"alice-password","admin":1}',
        '{"username":"alice","password":"alice-password"} {}',
        '{"username":"' + "a" * 300 + '","password":"x"}',
        b'{"username":"al\xffice","password":"x"}',
        '{"username":"\\ud800","password":"x"}',
        '{"username":"a","password":NaN}',
        "[" * 5000,
        '{"a":' * 3000,
    ],
)
def test_malformed_credentials(harness: Harness, body: str | bytes) -> None:
    expect_error(harness, "POST", "/api/credentials/check", "", body, 400, "invalid_request")


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_protected_routes_refuse_without_a_valid_token(
    harness: Harness, method: str, path: str
) -> None:
    r = harness.call(method, path)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == 'Bearer realm="tessera"'
    r = harness.call(method, path, "tok-revoked")
    assert r.status_code == 401 and r.headers["Tessera-Reason"] == "SESSION_REVOKED"
    r = harness.call(method, path, headers={"Authorization": "Bearer a b"})
    assert r.status_code == 400
    harness.verifier.unavailable = True
    r = harness.call(method, path, "tok-alice")
    assert r.status_code == 503 and r.headers["Retry-After"]
    assert harness.authority.calls == []


def test_get_profile(harness: Harness) -> None:
    r = harness.call("GET", "/api/profile", "tok-alice")
    assert r.status_code == 200
    assert body_of(r) == {
        "subject": "user-alice",
        "session_id": "sAlice1",
        "name": "Alice Liddell",
        "role": "admin",
    }
    expect_error(harness, "GET", "/api/profile", "tok-ghost", None, 404, "not_found")


def test_patch_profile_updates_table_then_claims_then_waits(harness: Harness) -> None:
    r = harness.call("PATCH", "/api/profile", "tok-alice", '{"name":"Alice L.","role":"member"}')
    assert r.status_code == 200
    assert body_of(r) == {
        "subject": "user-alice",
        "session_id": "sAlice1",
        "name": "Alice L.",
        "role": "member",
    }
    assert harness.authority.updates == [
        ("user-alice", {"name": "Alice L.", "role": "member"}, "merge_patch", True)
    ]
    assert harness.verifier.waited == [1]
    harness.call("PATCH", "/api/profile", "tok-alice", '{"name":"Alice"}')
    assert harness.authority.updates[1][1] == {"name": "Alice", "role": "member"}
    assert body_of(harness.call("GET", "/api/profile", "tok-alice"))["name"] == "Alice"
    assert body_of(harness.call("GET", "/api/profile", "tok-bob"))["name"] == "Bob Stone"


@pytest.mark.parametrize(
    "body",
    [
        "{}",
        '{"name":""}',
        '{"name":"   "}',
        '{"name":"' + "é" * 65 + '"}',
        '{"name":"a\\nb"}',
        '{"name":"a\\u0000b"}',
        '{"role":"owner"}',
        '{"role":"Admin"}',
        '{"role":""}',
        '{"name":42}',
        '{"role":["admin"]}',
        '{"name":"x","email":"x@example.com"}',
        '{"name":"x"',
        '[{"name":"x"}]',
        "not json",
        '{"name":"x"}{"name":"y"}',
        b'{"name":"\xc3\x28"}',
        '{"name":"\\udc00x"}',
    ],
)
def test_patch_profile_rejects_bad_input(harness: Harness, body: str | bytes) -> None:
    expect_error(harness, "PATCH", "/api/profile", "tok-alice", body, 400, "invalid_request")
    assert harness.authority.calls == []


def test_patch_profile_limit_is_characters(harness: Harness) -> None:
    r = harness.call("PATCH", "/api/profile", "tok-alice", '{"name":"' + "é" * 64 + '"}')
    assert r.status_code == 200


@pytest.mark.parametrize(
    ("err", "status", "code"),
    [
        (
            terr.StoreUnavailable(
                "x", code=grpc.StatusCode.UNAVAILABLE, reason="STORE_UNAVAILABLE"
            ),
            503,
            "tessera_unavailable",
        ),
        (
            terr.ClaimsTooLarge(
                "x", code=grpc.StatusCode.INVALID_ARGUMENT, reason="CLAIMS_TOO_LARGE"
            ),
            502,
            "upstream_error",
        ),
        (
            terr.DeadlineExceeded("x", code=grpc.StatusCode.DEADLINE_EXCEEDED),
            503,
            "tessera_unavailable",
        ),
    ],
)
def test_patch_profile_rolls_back_when_tesserad_refuses(
    harness: Harness, err: Exception, status: int, code: str
) -> None:
    harness.authority.fail_with["UpdateClaims"] = err
    expect_error(harness, "PATCH", "/api/profile", "tok-alice", '{"name":"Mallory"}', status, code)
    assert body_of(harness.call("GET", "/api/profile", "tok-alice"))["name"] == "Alice Liddell"
    assert harness.verifier.waited == []


def test_patch_profile_verifier_lagging(harness: Harness) -> None:
    harness.verifier.wait_fails = True
    r = harness.call("PATCH", "/api/profile", "tok-alice", '{"name":"Alice L."}')
    assert r.status_code == 503 and r.headers["Retry-After"] == "2"
    assert body_of(r)["error"] == "verifier_lagging"


def test_list_devices(harness: Harness) -> None:
    r = harness.call("GET", "/api/devices", "tok-alice")
    assert r.status_code == 200
    devices = body_of(r)["devices"]
    assert [(d["session_id"], d["current"], d["client"]) for d in devices] == [
        ("sAlice1", True, "laptop"),
        ("sAlice0", False, "old phone"),
    ]
    for d in devices:
        parsed = datetime.datetime.strptime(d["created_at"], "%Y-%m-%dT%H:%M:%SZ")
        assert parsed.year >= 2026
    old = harness.authority.sessions["sAlice0"]
    old.idle_expires_at.CopyFrom(old.created_at)
    devices = body_of(harness.call("GET", "/api/devices", "tok-alice"))["devices"]
    assert [d["session_id"] for d in devices] == ["sAlice1"]
    harness.authority.fail_with["ListSessions"] = terr.DeadlineExceeded(
        "x", code=grpc.StatusCode.DEADLINE_EXCEEDED
    )
    expect_error(harness, "GET", "/api/devices", "tok-alice", None, 503, "tessera_unavailable")


def test_revoke_device(harness: Harness) -> None:
    r = harness.call("DELETE", "/api/devices/sAlice0", "tok-alice")
    assert r.status_code == 204 and r.get_data() == b""
    assert harness.authority.sessions["sAlice0"].HasField("revoked_at")
    assert harness.verifier.waited == [1]
    assert harness.call("DELETE", "/api/devices/sAlice0", "tok-alice").status_code == 204


@pytest.mark.parametrize(
    "session_id", ["sBob1", "sNobody", "a" * 65, "a.b", "%00", "a%2Fb", "%E2%80%AE"]
)
def test_revoke_device_404_for_anything_not_the_callers(harness: Harness, session_id: str) -> None:
    expect_error(
        harness, "DELETE", "/api/devices/" + session_id, "tok-alice", None, 404, "not_found"
    )
    assert not harness.authority.sessions["sBob1"].HasField("revoked_at")
    assert "RevokeSession" not in harness.authority.calls


def test_revoke_device_upstream_errors(harness: Harness) -> None:
    harness.authority.fail_with["GetSession"] = terr.SessionIdInvalid(
        "x", code=grpc.StatusCode.INVALID_ARGUMENT, reason="SESSION_ID_INVALID"
    )
    expect_error(harness, "DELETE", "/api/devices/sAlice0", "tok-alice", None, 404, "not_found")
    harness.authority.fail_with["GetSession"] = terr.Unavailable(
        "x", code=grpc.StatusCode.UNAVAILABLE
    )
    expect_error(
        harness, "DELETE", "/api/devices/sAlice0", "tok-alice", None, 503, "tessera_unavailable"
    )


def test_revoke_all(harness: Harness) -> None:
    r = harness.call("POST", "/api/devices/revoke-all", "tok-alice")
    assert r.status_code == 200 and body_of(r) == {"revoked": 2, "sequence": 1}
    assert not harness.authority.sessions["sBob1"].HasField("revoked_at")
    assert harness.authority.sessions["sAlice1"].HasField("revoked_at")
    assert harness.verifier.waited == [1]
    harness.authority.fail_with["RevokeSession"] = terr.StoreUnavailable(
        "x", code=grpc.StatusCode.UNAVAILABLE, reason="STORE_UNAVAILABLE"
    )
    expect_error(
        harness, "POST", "/api/devices/revoke-all", "tok-bob", None, 503, "tessera_unavailable"
    )


def test_items(harness: Harness) -> None:
    for n in (0, 7, 99):
        r = harness.call("GET", f"/api/items/{n}", "tok-bob")
        assert r.status_code == 200 and body_of(r) == {"n": n, "subject": "user-bob"}
    for bad in ("100", "-1", "+1", "01", "00", "abc", "1.5", "1e1", "%20", "٣", "9" * 30):
        expect_error(harness, "GET", "/api/items/" + bad, "tok-bob", None, 404, "not_found")


@pytest.mark.parametrize(
    "path",
    ["/", "/api", "/api/profile/", "/api/nope", "/api/devices/a/b", "/api/items/", "/static/x"],
)
def test_unknown_routes(harness: Harness, path: str) -> None:
    expect_error(harness, "GET", path, "tok-alice", None, 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("POST", "/api/profile", "GET, PATCH"),
        ("PUT", "/api/items/1", "GET"),
        # Go's mux names only the most specific pattern's methods (POST); Werkzeug
        # also the {session_id} rule's, which matches "revoke-all" too.
        ("GET", "/api/devices/revoke-all", "DELETE, POST"),
        ("GET", "/api/credentials/check", "POST"),
        ("DELETE", "/healthz", "GET"),
        ("POST", "/api/devices/sAlice0", "DELETE"),
        ("HEAD", "/api/profile", "GET, PATCH"),
        ("OPTIONS", "/healthz", "GET"),
    ],
)
def test_wrong_methods(harness: Harness, method: str, path: str, allow: str) -> None:
    r = harness.call(method, path, "tok-alice")
    assert r.status_code == 405 and r.headers["Allow"] == allow
    if method != "HEAD":
        assert body_of(r)["error"] == "method_not_allowed"


def test_oversized_bodies(harness: Harness) -> None:
    big = '{"name":"' + "a" * MAX_BODY_BYTES + '"}'
    expect_error(harness, "PATCH", "/api/profile", "tok-alice", big, 413, "too_large")
    expect_error(harness, "POST", "/api/credentials/check", "", big, 413, "too_large")
    expect_error(harness, "GET", "/api/profile", "", big, 413, "too_large")  # before auth
    at_limit = '{"name":"' + " " * (MAX_BODY_BYTES - len('{"name":"x"}')) + 'x"}'
    assert len(at_limit) == MAX_BODY_BYTES
    expect_error(harness, "PATCH", "/api/profile", "tok-alice", at_limit, 400, "invalid_request")


def test_chunked_oversized_body(harness: Harness) -> None:
    big = b'{"name":"' + b"a" * MAX_BODY_BYTES + b'"}'

    environ = EnvironBuilder(
        path="/api/profile", method="PATCH", headers=[("Authorization", "Bearer tok-alice")]
    ).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ.update(
        {
            "wsgi.input": io.BytesIO(big),
            "wsgi.input_terminated": True,
            "HTTP_TRANSFER_ENCODING": "chunked",
        }
    )
    _, status, _ = run_wsgi_app(harness.app.wsgi_app, environ, buffered=True)
    assert status.startswith("413 ")


def test_logs_hold_no_tokens(harness: Harness) -> None:
    harness.call("GET", "/api/profile?access_token=tok-bob", "tok-alice")
    harness.call("PATCH", "/api/profile", "tok-alice", '{"name":"Alice"}')
    harness.call(
        "POST", "/api/credentials/check", "", '{"username":"alice","password":"alice-password"}'
    )
    logs = harness.logs.getvalue()
    assert "path=/api/profile status=200" in logs
    for secret in ("tok-alice", "tok-bob", "alice-password"):
        assert secret not in logs
