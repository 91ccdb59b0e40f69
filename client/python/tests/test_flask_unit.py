"""tessera.flask without a server: configuration, route claim rules, current_session,
and the blueprint's refusal paths."""

from __future__ import annotations

import flask
import pytest

from tessera import TokenInvalid
from tessera.flask import Tessera, blueprint, current_session, require_session
from tessera.token import Claims


class Stub:
    def __init__(self, custom=None, audience=("api",)) -> None:
        self.claims = Claims(subject="u", session_id="s", audience=audience, issued_at=0,
                             expires_at=1, token_id="t", client_id="c", issuer="tessera",
                             custom=custom or {})

    def verify(self, token: str) -> Claims:
        if token == "bad":
            raise TokenInvalid("BAD_SIGNATURE", "x")
        if token == "boom":
            raise RuntimeError("a verifier bug")
        return self.claims


def app_with(stub: Stub, **routes) -> flask.Flask:
    app = flask.Flask("unit")
    app.config.update(TESSERA_VERIFIER=stub, TESSERA_TARGET="127.0.0.1:1",
                      TESSERA_COOKIE_SECURE=False)
    Tessera(app)
    app.register_blueprint(blueprint())
    for name, decorator in routes.items():
        def view(name=name):
            return {"route": name, "sub": current_session.subject}
        app.add_url_rule(f"/{name}", name, decorator(view))
    return app


def get(app, path, token="good"):
    return app.test_client().get(path, headers={"Authorization": f"Bearer {token}"})


def test_init_app_needs_a_target():
    with pytest.raises(ValueError, match="TESSERA_TARGET"):
        Tessera(flask.Flask("x"))


def test_init_app_later_and_string_audience():
    ext = Tessera()
    app = flask.Flask("later")
    app.config.update(TESSERA_TARGET="127.0.0.1:1", TESSERA_AUDIENCE="api")
    ext.init_app(app)
    assert app.config["TESSERA_AUDIENCE"] == ["api"]


def test_route_without_extension_is_an_error():
    app = flask.Flask("none")

    @app.get("/x")
    @require_session()
    def x():
        return "x"

    app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(RuntimeError, match="init_app"):
        app.test_client().get("/x", headers={"Authorization": "Bearer t"})


def test_claim_rules():
    stub = Stub(custom={"roles": ["user", "editor"], "plan": "pro", "age": 30})
    app = app_with(
        stub,
        editor=require_session(claims={"roles": "editor"}),
        admin=require_session(claims={"roles": "admin"}),
        pro=require_session(claims={"plan": "pro"}),
        adult=require_session(claims={"age": lambda a: a >= 18}),
        crash=require_session(claims={"age": lambda a: a.nope}),
        missing=require_session(claims={"team": "x"}),
    )
    assert get(app, "/editor").status_code == 200
    assert get(app, "/pro").status_code == 200
    assert get(app, "/adult").status_code == 200
    for path in ("/admin", "/crash", "/missing"):
        answer = get(app, path)
        assert answer.status_code == 403, path
        assert answer.json == {"error": "insufficient_scope", "reason": "CLAIMS_MISSING"}
        assert answer.headers["Cache-Control"] == "no-store"


def test_verifier_errors_never_500():
    app = app_with(Stub(), me=require_session())
    assert get(app, "/me", "bad").headers["Tessera-Reason"] == "BAD_SIGNATURE"
    crashed = get(app, "/me", "boom")
    assert crashed.status_code == 503  # fail closed


def test_current_session_outside_a_route():
    app = app_with(Stub())
    with app.test_request_context("/"), pytest.raises(RuntimeError, match="require_session"):
        _ = current_session.subject


def test_blueprint_refusals_without_calling_tesserad():
    app = app_with(Stub())
    web = app.test_client()
    none = web.post("/auth/refresh")
    assert none.status_code == 401 and none.json["reason"] == "REFRESH_TOKEN_MISSING"
    web.set_cookie("tessera_refresh", "x" * 2000, path="/auth")
    long = web.post("/auth/refresh")
    assert long.status_code == 401 and long.json["reason"] == "REFRESH_TOKEN_INVALID"
    assert "tessera_refresh=;" in long.headers["Set-Cookie"]  # cleared


def test_blueprint_when_tesserad_is_down_is_503():
    app = app_with(Stub())
    web = app.test_client()
    web.set_cookie("tessera_refresh", "tsr_abc", path="/auth")
    assert web.post("/auth/refresh").status_code == 503
    assert web.post("/auth/logout").status_code == 503
