"""Runs tests/conformance/http.json through tessera.http.authenticate with a stub
verifier; and the same vectors through the Flask extension (status, headers, body)."""

from __future__ import annotations

import json

import pytest

from tessera import TokenInvalid, VerifierUnavailable, http
from tessera.token import Claims

from conftest import CONFORMANCE

VECTORS = json.loads((CONFORMANCE / "http.json").read_text(encoding="utf-8"))
CLAIMS = Claims(subject="user-42", session_id="s", audience=("api",), issued_at=0,
                expires_at=1, token_id="t", client_id="c", issuer="tessera")


class StubVerifier:
    def __init__(self, verdict: str) -> None:
        self.verdict = verdict
        self.calls: list[str] = []

    def verify(self, token: str) -> Claims:
        self.calls.append(token)
        if self.verdict == "VALID":
            return CLAIMS
        if self.verdict == "UNAVAILABLE":
            raise VerifierUnavailable("stale")
        raise TokenInvalid(self.verdict, "stub")


def test_realm():
    assert VECTORS["realm"] == http.REALM


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda v: v["name"])
def test_http_vector(vector):
    stub = StubVerifier(vector["verdict"])
    result = http.authenticate(vector["authorization"], stub.verify)
    expect = vector["expect"]
    called = expect["verifier_called_with"]
    assert stub.calls == ([] if called is None else [called])
    if expect["authenticated"]:
        assert result is CLAIMS
        return
    assert isinstance(result, http.Answer)
    assert result.status == expect["status"]
    assert list(result.headers) == list(expect["headers"].items())
    assert result.body == expect["body"]


def _flask_app(verdict: str):
    import flask

    from tessera.flask import Tessera, current_session, require_session

    app = flask.Flask("conformance")
    stub = StubVerifier(verdict)
    app.config.update(TESSERA_VERIFIER=stub)
    Tessera(app)

    @app.get("/r")
    @require_session()
    def route():
        return {"sub": current_session.subject}

    return app, stub


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda v: v["name"])
def test_http_vector_through_flask(vector):
    app, stub = _flask_app(vector["verdict"])
    headers = [("Authorization", value) for value in vector["authorization"]]
    answer = app.test_client().get("/r", headers=headers)
    expect = vector["expect"]
    called = expect["verifier_called_with"]
    assert stub.calls == ([] if called is None else [called])
    if expect["authenticated"]:
        assert answer.status_code == 200 and answer.json == {"sub": "user-42"}
        return
    assert answer.status_code == expect["status"]
    assert answer.get_data(as_text=True) == expect["body"]
    for name, value in expect["headers"].items():
        assert answer.headers.get(name) == value, name
    for name in ("WWW-Authenticate", "Tessera-Reason", "Retry-After"):
        if name not in expect["headers"]:
            assert name not in answer.headers
