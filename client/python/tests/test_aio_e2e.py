"""tessera.aio against the real tesserad: AsyncClient RPCs and errors, AsyncVerifier
following the stream (revocation, claims invalidation, close)."""

from __future__ import annotations

import asyncio

import pytest

from tessera import TokenInvalid, VerifierUnavailable, errors
from tessera.aio import AsyncClient, AsyncVerifier

WAIT = 30.0


def run(coro):
    return asyncio.run(coro)


def test_async_client_and_verifier(tesserad):
    async def scenario():
        async with AsyncClient(tesserad.grpc_address) as client, \
                AsyncVerifier(tesserad.grpc_address, audience=["api"]) as verifier:
            assert await verifier.wait_until_ready(WAIT)
            tokens = await client.issue_session("ivy", claims={"plan": "free"})
            assert verifier.verify(tokens.access_token).subject == "ivy"
            revoked = await client.revoke_session(session_id=tokens.session_id)
            assert await verifier.wait_for_sequence(revoked.sequence, WAIT)
            with pytest.raises(TokenInvalid) as info:
                verifier.verify(tokens.access_token)
            assert info.value.reason == "SESSION_REVOKED"

            other = await client.issue_session("jay")
            update = await client.update_claims("jay", {"plan": "pro"},
                                                invalidate_access_tokens=True)
            assert await verifier.wait_for_sequence(update.sequence, WAIT)
            with pytest.raises(TokenInvalid) as info:
                verifier.verify(other.access_token)
            assert info.value.reason == "STALE_CLAIMS"
            fresh = await client.refresh_session(other.refresh_token)
            assert verifier.verify(fresh.access_token).get("plan") == "pro"

            with pytest.raises(errors.SessionRevoked):
                await client.refresh_session(tokens.refresh_token)
            with pytest.raises(errors.SubjectInvalid):
                await client.issue_session("")
            assert (await client.get_stats()).version
            assert not await verifier.wait_for_sequence(10**9, 0.05)
        with pytest.raises(VerifierUnavailable):
            verifier.verify(fresh.access_token)

    run(scenario())


def test_async_verifier_refuses_plaintext_remote():
    async def scenario():
        with pytest.raises(ValueError, match="not loopback"):
            AsyncVerifier("tessera.example.com:443", audience=["api"])
    run(scenario())
