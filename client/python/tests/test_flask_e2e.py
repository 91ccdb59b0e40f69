"""The Flask extension against the real tesserad (the issue's end-to-end list)."""

from __future__ import annotations

import base64
import json

import flask
import pytest

import tessera
from tessera.flask import Tessera, blueprint, current_session, require_session, set_refresh_cookie

WAIT = 30.0  # generous bounds that only matter when something has failed


def make_app(target: str, **config) -> tuple[flask.Flask, Tessera]:
    app = flask.Flask("protected")
    app.config.update(TESSERA_TARGET=target, TESSERA_AUDIENCE=["api"],
                      TESSERA_COOKIE_SECURE=False, **config)
    ext = Tessera(app)
    app.register_blueprint(blueprint())

    @app.get("/me")
    @require_session()
    def me():
        return {"sub": current_session.subject, "plan": current_session.get("plan")}

    @app.get("/admin")
    @require_session(claims={"roles": "admin"})
    def admin():
        return {"ok": True}

    @app.get("/billing")
    @require_session(audience="billing")
    def billing():
        return {"ok": True}

    @app.post("/login/<user>")
    def login(user):
        tokens = ext.client().issue_session(user, claims={"plan": "free", "roles": ["user"]})
        response = flask.jsonify(access_token=tokens.access_token)
        set_refresh_cookie(response, tokens.refresh_token, path="/auth")
        return response

    return app, ext


@pytest.fixture
def env(tesserad):
    app, ext = make_app(tesserad.grpc_address)
    client = tessera.Client(tesserad.grpc_address)
    verifier = ext.verifier(app)
    assert verifier.wait_until_ready(WAIT)
    yield app, ext, client, verifier
    ext.close()
    client.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_protected_route_and_missing_header(env):
    app, _, client, _ = env
    tokens = client.issue_session("alice", claims={"plan": "pro"})
    web = app.test_client()
    ok = web.get("/me", headers=bearer(tokens.access_token))
    assert ok.status_code == 200 and ok.json == {"sub": "alice", "plan": "pro"}
    missing = web.get("/me")
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="tessera"'
    assert missing.headers["Cache-Control"] == "no-store"
    bad = web.get("/me", headers={"Authorization": "Bearer"})
    assert bad.status_code == 400


def test_revoke_wait_for_sequence_then_401_session_revoked(env):
    app, _, client, verifier = env
    tokens = client.issue_session("bob")
    web = app.test_client()
    assert web.get("/me", headers=bearer(tokens.access_token)).status_code == 200
    revoked = client.revoke_session(session_id=tokens.session_id)
    assert verifier.wait_for_sequence(revoked.sequence, WAIT)
    answer = web.get("/me", headers=bearer(tokens.access_token))
    assert answer.status_code == 401
    assert answer.headers["Tessera-Reason"] == "SESSION_REVOKED"
    assert answer.json == {"error": "invalid_token", "reason": "SESSION_REVOKED"}


def test_claims_update_stale_then_fresh_after_refresh(env):
    app, _, client, verifier = env
    tokens = client.issue_session("carol", claims={"plan": "free"})
    web = app.test_client()
    assert web.get("/me", headers=bearer(tokens.access_token)).json["plan"] == "free"
    update = client.update_claims("carol", {"plan": "pro"}, mode="merge_top_level",
                                  invalidate_access_tokens=True)
    assert verifier.wait_for_sequence(update.sequence, WAIT)
    stale = web.get("/me", headers=bearer(tokens.access_token))
    assert stale.status_code == 401 and stale.headers["Tessera-Reason"] == "STALE_CLAIMS"
    fresh = client.refresh_session(tokens.refresh_token)
    answer = web.get("/me", headers=bearer(fresh.access_token))
    assert answer.status_code == 200 and answer.json["plan"] == "pro"


def test_route_claims_and_audience(env):
    app, _, client, _ = env
    user = client.issue_session("dan", claims={"roles": ["user"]})
    admin = client.issue_session("eve", claims={"roles": ["user", "admin"]})
    web = app.test_client()
    denied = web.get("/admin", headers=bearer(user.access_token))
    assert denied.status_code == 403 and denied.json["reason"] == "CLAIMS_MISSING"
    assert web.get("/admin", headers=bearer(admin.access_token)).status_code == 200
    wrong = web.get("/billing", headers=bearer(user.access_token))
    assert wrong.status_code == 401 and wrong.headers["Tessera-Reason"] == "WRONG_AUDIENCE"
    both = client.issue_session("fay", audience=["api", "billing"])
    assert web.get("/billing", headers=bearer(both.access_token)).status_code == 200


def test_blueprint_refresh_and_logout(env):
    app, _, client, verifier = env
    web = app.test_client()
    login = web.post("/login/gus")
    access = login.json["access_token"]
    refreshed = web.post("/auth/refresh")
    assert refreshed.status_code == 200, refreshed.data
    assert refreshed.json["access_token"] != access
    assert "HttpOnly" in refreshed.headers["Set-Cookie"]
    out = web.post("/auth/logout")
    assert out.status_code == 204
    stats = client.get_stats()
    assert verifier.wait_for_sequence(stats.last_sequence, WAIT)
    again = web.get("/me", headers=bearer(refreshed.json["access_token"]))
    assert again.status_code == 401 and again.headers["Tessera-Reason"] == "SESSION_REVOKED"
    assert web.post("/auth/refresh").status_code == 401  # the cookie is gone


def test_key_rotation_zero_failed_verifications(env):
    app, _, client, verifier = env
    web = app.test_client()
    tokens = [client.issue_session(f"rot{i}").access_token for i in range(3)]
    failures = 0
    for _ in range(3):
        rotated = client.rotate_signing_key()
        # Tokens signed by the new ACTIVE key must verify at once: its JWK was
        # published as NEXT before it signed.
        tokens.append(client.issue_session("rot-new").access_token)
        for token in tokens:
            if web.get("/me", headers=bearer(token)).status_code != 200:
                failures += 1
        assert rotated.active.kid
    assert failures == 0
    withdrawn = client.withdraw_signing_key(rotated.active.kid, reason="test")
    assert verifier.wait_for_sequence(withdrawn.sequence, WAIT)
    gone = web.get("/me", headers=bearer(tokens[-1]))
    assert gone.status_code == 401 and gone.headers["Tessera-Reason"] == "UNKNOWN_KEY"


HOSTILE_HEADERS = [
    "Bearer " + "A" * 9000,
    "Bearer a.b.c",
    "Bearer ..",
    "Bearer e30.e30.",
    "Bearer " + base64.urlsafe_b64encode(b'{"alg":"none"}').decode().rstrip("=") + ".e30.",
    "Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln",
    "Bearer \x00\x01",
    "Bearer é",
    "bearer\ttoken",
    "Bearer a,Bearer b",
    "Basic Zm9vOmJhcg==",
    "B" * 5000,
]


def _forged(header: dict, payload: dict) -> str:
    def enc(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")
    return f"{enc(header)}.{enc(payload)}.{'A' * 86}"


def test_hostile_tokens_and_headers_never_500(env):
    app, _, client, _ = env
    web = app.test_client()
    kid = json.loads(client.get_jwks().jwks_json)["keys"][0]["kid"]
    forged = [
        _forged({"alg": "ES256", "kid": kid, "typ": "at+jwt"}, {"sub": "x", "exp": 1, "iat": 1}),
        _forged({"alg": "HS256", "kid": kid, "typ": "at+jwt"}, {}),
        _forged({"alg": "ES256", "kid": kid, "typ": "at+jwt", "crit": ["x"]}, {}),
        _forged({"alg": "ES256", "kid": [1], "typ": "at+jwt"}, {}),
        _forged({"alg": ["ES256"], "typ": 5}, {}),
    ]
    headers = HOSTILE_HEADERS + [f"Bearer {f}" for f in forged]
    for value in headers:
        answer = web.get("/me", headers={"Authorization": value})
        assert answer.status_code in (400, 401), (value[:40], answer.status_code)
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.is_json
    two = web.get("/me", headers=[("Authorization", "Bearer a"), ("Authorization", "Bearer b")])
    assert two.status_code == 400
