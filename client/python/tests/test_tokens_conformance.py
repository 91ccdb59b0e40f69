"""Runs every vector of tests/conformance/tokens.json through tessera.Verifier, fed
the key set the way tesserad does (KeysChanged, then snapshot_end), with its
freshness clock held still. Verdicts, reasons, alg, kid and claims must match."""

from __future__ import annotations

import json

import pytest

from tessera import TokenInvalid, Verifier
from tessera.v1 import token_authority_pb2 as pb

from conftest import CONFORMANCE

VECTORS = json.loads((CONFORMANCE / "tokens.json").read_text(encoding="utf-8"))
POLICY = VECTORS["policy"]


class Clock:
    wall = 0.0

    def now(self) -> float:
        return self.wall

    def monotonic(self) -> float:
        return 0.0


CLOCK = Clock()
VERIFIER = Verifier(
    issuer=POLICY["issuer"], audience=POLICY["audience"],
    leeway=POLICY["leeway_seconds"], clock=CLOCK, start=False,
)
VERIFIER._open_stream()
VERIFIER._handle(pb.RevocationEvent(
    sequence=1, keys_changed=pb.KeysChanged(jwks_json=json.dumps(VECTORS["jwks"]))))
VERIFIER._handle(pb.RevocationEvent(sequence=1, snapshot_end=pb.SnapshotEnd()))


def test_policy_is_what_the_verifier_implements():
    assert set(POLICY["algorithms"]) == {"ES256", "EdDSA", "RS256"}
    assert POLICY["max_token_bytes"] == 8192
    assert len(VECTORS["vectors"]) > 100


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda v: v["name"])
def test_token_vector(vector):
    CLOCK.wall = float(vector["now"])
    expect = vector["expect"]
    try:
        claims = VERIFIER.verify(vector["token"])
    except TokenInvalid as err:
        assert not expect["valid"], f"refused {err.reason}: {vector['description']}"
        assert err.reason == expect["reason"], vector["description"]
        return
    assert expect["valid"], f"accepted, want {expect.get('reason')}: {vector['description']}"
    assert claims.algorithm == expect["alg"]
    assert claims.kid == expect["kid"]
    want = expect["claims"]
    got = {
        "iss": claims.issuer, "sub": claims.subject, "jti": claims.token_id,
        "sid": claims.session_id, "client_id": claims.client_id,
        "aud": list(claims.audience), "exp": claims.expires_at, "iat": claims.issued_at,
        "nbf": claims.not_before, "sgen": claims.subject_generation,
        "custom": dict(claims.custom),
    }
    assert got == want


def _verifier(capacity: int, clock: Clock) -> Verifier:
    v = Verifier(issuer=POLICY["issuer"], audience=POLICY["audience"],
                 leeway=POLICY["leeway_seconds"], clock=clock, start=False,
                 cache_capacity=capacity)
    v._open_stream()
    v._handle(pb.RevocationEvent(
        sequence=1, keys_changed=pb.KeysChanged(jwks_json=json.dumps(VECTORS["jwks"]))))
    v._handle(pb.RevocationEvent(sequence=1, snapshot_end=pb.SnapshotEnd()))
    return v


def _verdict(v: Verifier, token: str) -> str:
    try:
        v.verify(token)
    except TokenInvalid as err:
        return f"{err.reason}: {err.detail}"
    return "valid"


def test_cache_hits_give_the_verdicts_of_a_full_check():
    """Each token a vector accepts, cached at its `now`, then asked again at times
    around its nbf, iat and exp: the cached Verifier answers as an uncached one."""
    clock = Clock()
    cached, uncached = _verifier(10_000, clock), _verifier(0, clock)
    leeway = POLICY["leeway_seconds"]
    checked = 0
    for vector in VECTORS["vectors"]:
        if not vector["expect"]["valid"]:
            continue
        clock.wall = float(vector["now"])
        cached.verify(vector["token"])
        claims = vector["expect"]["claims"]
        edges = [claims["exp"] + leeway, claims["iat"] - leeway]
        if claims["nbf"] is not None:
            edges.append(claims["nbf"] - leeway)
        for edge in edges:
            for wall in (edge - 1, edge - 0.5, edge, edge + 0.5, edge + 1):
                clock.wall = float(wall)
                want = _verdict(uncached, vector["token"])
                assert _verdict(cached, vector["token"]) == want, (vector["name"], wall)
                checked += 1
    assert uncached.cache_size == 0
    assert checked > 100


def test_refused_tokens_are_never_cached():
    clock = Clock()
    v = _verifier(10_000, clock)
    for vector in VECTORS["vectors"]:
        if vector["expect"]["valid"]:
            continue
        clock.wall = float(vector["now"])
        for _ in range(2):  # the second call is not a cache hit either
            with pytest.raises(TokenInvalid) as info:
                v.verify(vector["token"])
            assert info.value.reason == vector["expect"]["reason"]
    assert v.cache_size == 0
