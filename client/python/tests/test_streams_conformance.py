"""Replays tests/conformance/streams/streams.json by direct feeding (see its README):
every verdict, applied sequence, resume request and revocation count must match."""

from __future__ import annotations

import datetime
import json

import pytest
from google.protobuf import json_format

from tessera import TokenInvalid, Verifier, VerifierUnavailable
from tessera.v1 import token_authority_pb2 as pb

from conftest import CONFORMANCE

VECTORS = json.loads((CONFORMANCE / "streams" / "streams.json").read_text())
assert VECTORS["formatVersion"] == 1


class ManualClock:
    def __init__(self, start: str) -> None:
        self.wall = datetime.datetime.fromisoformat(start.replace("Z", "+00:00")).timestamp()
        self.mono = 0.0

    def now(self) -> float:
        return self.wall

    def monotonic(self) -> float:
        return self.mono


def verdict_of(verifier: Verifier, token: str) -> tuple[str, dict[str, object]]:
    try:
        claims = verifier.verify(token)
    except VerifierUnavailable:
        return "UNAVAILABLE", {}
    except TokenInvalid as err:
        return err.reason, {}
    out: dict[str, object] = {
        "subject": claims.subject,
        "sessionId": claims.session_id,
        "audience": list(claims.audience),
        "issuedAt": _rfc3339(claims.issued_at),
        "expiresAt": _rfc3339(claims.expires_at),
        "tokenId": claims.token_id,
        "clientId": claims.client_id,
        "subjectGeneration": str(claims.subject_generation),
    }
    return "VALID", out


def _rfc3339(seconds: int) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def _request_json(request: pb.WatchRevocationsRequest) -> dict[str, object]:
    return json_format.MessageToDict(request)


def _normalize_claims(expected: dict[str, object]) -> dict[str, object]:
    out = dict(expected)
    out.setdefault("subjectGeneration", "0")
    out["subjectGeneration"] = str(out["subjectGeneration"])
    for key in ("subject", "sessionId", "tokenId", "clientId"):
        out.setdefault(key, "")
    out.setdefault("audience", [])
    return out


@pytest.mark.parametrize("scenario", VECTORS["scenarios"], ids=lambda s: s["name"])
def test_stream_scenario(scenario: dict) -> None:  # type: ignore[type-arg]
    options = scenario["options"]
    clock = ManualClock(scenario["startTime"])
    verifier = Verifier(
        issuer=options.get("issuer", ""),
        audience=options.get("audience", []),
        accept_any_audience=not options.get("audience"),
        leeway=options.get("leewayMs", 0) / 1000,
        max_staleness=options["maxStalenessMs"] / 1000,
        horizon=options["horizonMs"] / 1000,
        clock=clock,
        start=False,
    )
    tokens = {t["name"]: t["token"] for t in scenario["tokens"]}
    request = verifier._open_stream()
    assert _request_json(request) == scenario.get("firstRequest", {})
    for index, step in enumerate(scenario["steps"]):
        where = f"step {index} ({step.get('note', '')})"
        if "message" in step:
            event = json_format.ParseDict(step["message"], pb.RevocationEvent())
            verifier._handle(event)
        elif "breakStream" in step:
            request = verifier._open_stream()
            assert _request_json(request) == step["breakStream"].get("resume", {}), where
        elif "advance" in step:
            clock.wall += step["advance"].get("wallMs", 0) / 1000
            clock.mono += step["advance"].get("monotonicMs", 0) / 1000
        expect = step["expect"]
        for v in expect.get("verdicts", []):
            verdict, claims = verdict_of(verifier, tokens[v["token"]])
            assert verdict == v["verdict"], f"{where}: token {v['token']}"
            if verdict == "VALID" and "claims" in v:
                assert claims == _normalize_claims(v["claims"]), f"{where}: {v['token']}"
        if "appliedSequence" in expect:
            assert verifier.applied_sequence == int(expect["appliedSequence"]), where
        if "revocationsHeld" in expect:
            assert verifier.revocations_held == int(expect["revocationsHeld"]), where
