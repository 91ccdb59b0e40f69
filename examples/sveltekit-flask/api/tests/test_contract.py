"""The answer checker (tests/contract.py) refuses what the document does not
allow; every other test relies on it."""

from __future__ import annotations

from tests import contract

JSON = "application/json"


def test_accepts_documented_answers() -> None:
    assert contract.check("GET", "/api/items/3", 200, JSON, b'{"n":3,"subject":"u"}') == []
    assert contract.check("DELETE", "/api/devices/abc", 204, "", b"") == []
    assert (
        contract.check("POST", "/api/devices/revoke-all", 200, JSON, b'{"revoked":1,"sequence":9}')
        == []
    )
    assert (
        contract.check(
            "GET", "/api/profile", 401, JSON, b'{"error":"invalid_token","reason":"EXPIRED"}'
        )
        == []
    )
    assert contract.check("GET", "/nope", 404, JSON, b"{}") == []  # no such operation


def test_refuses_what_the_document_does_not_allow() -> None:
    assert contract.check("GET", "/api/items/3", 418, JSON, b"{}")  # undocumented status
    assert contract.check("GET", "/api/items/3", 200, JSON, b'{"n":3}')  # missing member
    assert contract.check("GET", "/api/items/3", 200, JSON, b'{"n":"3","subject":"u"}')
    assert contract.check("GET", "/api/items/3", 200, JSON, b'{"n":100,"subject":"u"}')
    assert contract.check("GET", "/api/items/3", 200, "text/plain", b'{"n":3,"subject":"u"}')
    assert contract.check(
        "GET",
        "/api/profile",
        200,
        JSON,
        b'{"subject":"s","session_id":"x","name":"n","role":"owner"}',
    )
    assert contract.check("GET", "/healthz", 200, JSON, b'{"ok":false,"verifier_ready":true}')
    assert contract.check("DELETE", "/api/devices/abc", 204, JSON, b"{}")  # 204 has no body
    assert contract.check(
        "POST", "/api/devices/revoke-all", 200, JSON, b'{"revoked":true,"sequence":1}'
    )
    # An error body that is neither Error nor AuthError, and one with extra members.
    assert contract.check("GET", "/api/profile", 401, JSON, b'{"error":"x"}')
    assert contract.check("PATCH", "/api/profile", 400, JSON, b'{"error":"x","extra":1}')
