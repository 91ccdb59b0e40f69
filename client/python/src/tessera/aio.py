"""asyncio variants for ASGI frameworks: AsyncClient and AsyncVerifier (grpc.aio).

AsyncClient has the methods of tessera.Client as coroutines. AsyncVerifier
follows WatchRevocations in an asyncio task on the running loop instead of a
thread; its state machine is tessera.Verifier's own (the same conformance
vectors hold), verify() stays synchronous (it does no I/O), and the waits are
coroutines. Create both inside the event loop they will serve; neither
survives a fork (make them in each worker, e.g. in an ASGI lifespan handler).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

import grpc
import grpc.aio

from tessera import _requests as rq
from tessera._channel import Credentials, check_target, make_aio_channel
from tessera.client import DEFAULT_TIMEOUT
from tessera.errors import from_rpc_error
from tessera.token import Claims
from tessera.v1 import admin_pb2 as admin_pb
from tessera.v1 import admin_pb2_grpc as admin_grpc
from tessera.v1 import token_authority_pb2 as pb
from tessera.v1 import token_authority_pb2_grpc as pb_grpc
from tessera.verifier import MAX_BACKOFF, MIN_BACKOFF, Clock, Verifier


class AsyncClient:
    def __init__(self, target: str, *, credentials: Credentials | None = None,
                 allow_insecure: bool = False, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._credentials = credentials or Credentials()
        check_target(target, self._credentials, allow_insecure)
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self._timeout = timeout
        self._metadata = self._credentials.metadata()
        self._channel = make_aio_channel(target, self._credentials)
        self._ta = pb_grpc.TokenAuthorityStub(self._channel)  # type: ignore[no-untyped-call]
        self._admin = admin_grpc.AdminStub(self._channel)  # type: ignore[no-untyped-call]

    async def _call(self, method: Any, request: Any, timeout: float | None) -> Any:
        try:
            return await method(request, timeout=timeout or self._timeout,
                                metadata=self._metadata or None)
        except grpc.RpcError as err:
            raise from_rpc_error(err) from None

    async def issue_session(
        self, subject: str, *, audience: Sequence[str] = (),
        claims: Mapping[str, Any] | None = None, access_ttl: rq.Seconds | None = None,
        session_ttl: rq.Seconds | None = None, client: Mapping[str, str] | None = None,
        request_id: str = "", timeout: float | None = None,
    ) -> pb.SessionTokens:
        request = rq.issue(subject, audience, claims, access_ttl, session_ttl, client, request_id)
        return await self._call(self._ta.IssueSession, request, timeout)  # type: ignore[no-any-return]

    async def refresh_session(self, refresh_token: str, *, timeout: float | None = None
                              ) -> pb.SessionTokens:
        request = pb.RefreshSessionRequest(refresh_token=refresh_token)
        return await self._call(self._ta.RefreshSession, request, timeout)  # type: ignore[no-any-return]

    async def validate_token(self, access_token: str, *, audience: Sequence[str] = (),
                             timeout: float | None = None) -> pb.ValidateTokenResponse:
        request = pb.ValidateTokenRequest(access_token=access_token, audience=list(audience))
        return await self._call(self._ta.ValidateToken, request, timeout)  # type: ignore[no-any-return]

    async def revoke_session(
        self, *, session_id: str | None = None, subject: str | None = None,
        refresh_token: str | None = None, access_token: str | None = None,
        reason: str = "", timeout: float | None = None,
    ) -> pb.RevokeSessionResponse:
        request = rq.revoke(session_id, subject, refresh_token, access_token, reason)
        return await self._call(self._ta.RevokeSession, request, timeout)  # type: ignore[no-any-return]

    async def get_session(self, session_id: str, *, timeout: float | None = None) -> pb.Session:
        request = pb.GetSessionRequest(session_id=session_id)
        return await self._call(self._ta.GetSession, request, timeout)  # type: ignore[no-any-return]

    async def list_sessions(
        self, subject: str, *, page_size: int = 0, page_token: str = "",
        include_revoked: bool = False, timeout: float | None = None,
    ) -> pb.ListSessionsResponse:
        request = pb.ListSessionsRequest(subject=subject, page_size=page_size,
                                         page_token=page_token, include_revoked=include_revoked)
        return await self._call(self._ta.ListSessions, request, timeout)  # type: ignore[no-any-return]

    async def update_claims(
        self, subject: str, claims: Mapping[str, Any], *, mode: str | None = None,
        invalidate_access_tokens: bool = False, timeout: float | None = None,
    ) -> pb.UpdateClaimsResponse:
        request = rq.update_claims(subject, claims, mode, invalidate_access_tokens)
        return await self._call(self._ta.UpdateClaims, request, timeout)  # type: ignore[no-any-return]

    async def get_jwks(self, *, timeout: float | None = None) -> pb.GetJwksResponse:
        return await self._call(self._ta.GetJwks, pb.GetJwksRequest(), timeout)  # type: ignore[no-any-return]

    async def watch_revocations(self, after_sequence: int = 0, incarnation: str = ""
                                ) -> AsyncIterator[pb.RevocationEvent]:
        request = pb.WatchRevocationsRequest(after_sequence=after_sequence,
                                             incarnation=incarnation)
        call = self._ta.WatchRevocations(request, metadata=self._metadata or None)
        try:
            async for event in call:
                yield event
        except grpc.RpcError as err:
            raise from_rpc_error(err) from None
        finally:
            call.cancel()

    async def rotate_signing_key(self, *, algorithm: str | None = None,
                                 timeout: float | None = None
                                 ) -> admin_pb.RotateSigningKeyResponse:
        return await self._call(self._admin.RotateSigningKey, rq.rotate(algorithm), timeout)  # type: ignore[no-any-return]

    async def withdraw_signing_key(self, kid: str, *, reason: str = "",
                                   timeout: float | None = None
                                   ) -> admin_pb.WithdrawSigningKeyResponse:
        request = admin_pb.WithdrawSigningKeyRequest(kid=kid, reason=reason)
        return await self._call(self._admin.WithdrawSigningKey, request, timeout)  # type: ignore[no-any-return]

    async def list_signing_keys(self, *, timeout: float | None = None
                                ) -> admin_pb.ListSigningKeysResponse:
        return await self._call(self._admin.ListSigningKeys,  # type: ignore[no-any-return]
                                admin_pb.ListSigningKeysRequest(), timeout)

    async def get_stats(self, *, timeout: float | None = None) -> admin_pb.GetStatsResponse:
        return await self._call(self._admin.GetStats, admin_pb.GetStatsRequest(), timeout)  # type: ignore[no-any-return]

    async def create_backup(self, path: str, *, timeout: float | None = None
                            ) -> admin_pb.CreateBackupResponse:
        request = admin_pb.CreateBackupRequest(path=path)
        return await self._call(self._admin.CreateBackup, request, timeout)  # type: ignore[no-any-return]

    async def close(self) -> None:
        await self._channel.close(None)

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class AsyncVerifier:
    """tessera.Verifier's rules, following the stream in an asyncio task. Options as
    for tessera.Verifier. Must be created while the event loop runs."""

    def __init__(self, target: str, *, audience: Sequence[str] = (),
                 accept_any_audience: bool = False, issuer: str = "tessera",
                 credentials: Credentials | None = None, allow_insecure: bool = False,
                 leeway: float = 30.0, max_staleness: float = 30.0,
                 horizon: float = 15 * 60 + 30, cache_capacity: int = 10_000,
                 clock: Clock | None = None) -> None:
        self._credentials = credentials or Credentials()
        check_target(target, self._credentials, allow_insecure)
        self._core = Verifier(
            audience=audience, accept_any_audience=accept_any_audience, issuer=issuer,
            leeway=leeway, max_staleness=max_staleness, horizon=horizon,
            cache_capacity=cache_capacity, clock=clock, start=False,
        )
        self._channel = make_aio_channel(target, self._credentials)
        self._stub = pb_grpc.TokenAuthorityStub(self._channel)  # type: ignore[no-untyped-call]
        self._changed = asyncio.Event()
        self._closed = False
        self._task = asyncio.get_running_loop().create_task(self._follow())

    def verify(self, token: str) -> Claims:
        """As tessera.Verifier.verify (no I/O; safe to call from the loop)."""
        return self._core.verify(token)

    @property
    def applied_sequence(self) -> int:
        return self._core.applied_sequence

    @property
    def revocations_held(self) -> int:
        return self._core.revocations_held

    async def _wait(self, predicate: Any, timeout: float) -> bool:
        async def until() -> None:
            while not predicate():
                self._changed.clear()
                if predicate():
                    return
                await self._changed.wait()

        with contextlib.suppress(asyncio.TimeoutError, TimeoutError):
            await asyncio.wait_for(until(), timeout)
        return bool(predicate())

    async def wait_until_ready(self, timeout: float) -> bool:
        return await self._wait(lambda: self._core._ready, timeout)

    async def wait_for_sequence(self, sequence: int, timeout: float) -> bool:
        return await self._wait(
            lambda: self._core._ready and self._core.applied_sequence >= sequence, timeout)

    async def _follow(self) -> None:
        backoff = MIN_BACKOFF
        metadata = self._credentials.metadata() or None
        while not self._closed:
            request = self._core._open_stream()
            call = self._stub.WatchRevocations(request, metadata=metadata)
            try:
                async for event in call:
                    self._core._handle(event)
                    self._changed.set()
                    if self._core._synced:
                        backoff = MIN_BACKOFF
            except grpc.RpcError:
                pass  # any end is followed by a resume
            except asyncio.CancelledError:
                call.cancel()
                raise
            if self._closed:
                return
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)

    async def close(self) -> None:
        self._closed = True
        self._core._mark_closed()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        await self._channel.close(None)

    async def __aenter__(self) -> AsyncVerifier:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
