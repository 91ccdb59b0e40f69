"""tessera.Client: every TokenAuthority and Admin RPC, synchronously.

Each method returns the response message (tessera.v1 protobuf) and raises a
TesseraError subclass chosen by the ErrorInfo reason (tessera.errors). Every
call has a deadline: `timeout` per call, else the client's default (10 s).

Credentials: plaintext only to a loopback target unless allow_insecure=True;
TLS and mutual TLS via tessera.Credentials; an API key is sent as
`authorization: Bearer <key>` on every call.

Thread-safe (one channel, shared). Not fork-safe: make a Client after forking,
or call close() before and a new one after (gRPC channels do not survive fork).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import grpc

from tessera import _requests as rq
from tessera._channel import Credentials, check_target, make_channel
from tessera.errors import from_rpc_error
from tessera.v1 import admin_pb2 as admin_pb
from tessera.v1 import admin_pb2_grpc as admin_grpc
from tessera.v1 import token_authority_pb2 as pb
from tessera.v1 import token_authority_pb2_grpc as pb_grpc

DEFAULT_TIMEOUT = 10.0


class Client:
    def __init__(
        self,
        target: str,
        *,
        credentials: Credentials | None = None,
        allow_insecure: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._credentials = credentials or Credentials()
        check_target(target, self._credentials, allow_insecure)
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.target = target
        self._timeout = timeout
        self._metadata = self._credentials.metadata()
        self._channel = make_channel(target, self._credentials)
        self._ta = pb_grpc.TokenAuthorityStub(self._channel)  # type: ignore[no-untyped-call]
        self._admin = admin_grpc.AdminStub(self._channel)  # type: ignore[no-untyped-call]

    def _call(self, method: Any, request: Any, timeout: float | None) -> Any:
        try:
            return method(request, timeout=timeout or self._timeout,
                          metadata=self._metadata or None)
        except grpc.RpcError as err:
            raise from_rpc_error(err) from None

    # --- TokenAuthority ---------------------------------------------------------

    def issue_session(
        self, subject: str, *, audience: Sequence[str] = (),
        claims: Mapping[str, Any] | None = None, access_ttl: rq.Seconds | None = None,
        session_ttl: rq.Seconds | None = None, client: Mapping[str, str] | None = None,
        request_id: str = "", timeout: float | None = None,
    ) -> pb.SessionTokens:
        request = rq.issue(subject, audience, claims, access_ttl, session_ttl, client, request_id)
        return self._call(self._ta.IssueSession, request, timeout)  # type: ignore[no-any-return]

    def refresh_session(self, refresh_token: str, *, timeout: float | None = None
                        ) -> pb.SessionTokens:
        request = pb.RefreshSessionRequest(refresh_token=refresh_token)
        return self._call(self._ta.RefreshSession, request, timeout)  # type: ignore[no-any-return]

    def validate_token(self, access_token: str, *, audience: Sequence[str] = (),
                       timeout: float | None = None) -> pb.ValidateTokenResponse:
        request = pb.ValidateTokenRequest(access_token=access_token, audience=list(audience))
        return self._call(self._ta.ValidateToken, request, timeout)  # type: ignore[no-any-return]

    def revoke_session(
        self, *, session_id: str | None = None, subject: str | None = None,
        refresh_token: str | None = None, access_token: str | None = None,
        reason: str = "", timeout: float | None = None,
    ) -> pb.RevokeSessionResponse:
        request = rq.revoke(session_id, subject, refresh_token, access_token, reason)
        return self._call(self._ta.RevokeSession, request, timeout)  # type: ignore[no-any-return]

    def get_session(self, session_id: str, *, timeout: float | None = None) -> pb.Session:
        request = pb.GetSessionRequest(session_id=session_id)
        return self._call(self._ta.GetSession, request, timeout)  # type: ignore[no-any-return]

    def list_sessions(
        self, subject: str, *, page_size: int = 0, page_token: str = "",
        include_revoked: bool = False, timeout: float | None = None,
    ) -> pb.ListSessionsResponse:
        request = pb.ListSessionsRequest(subject=subject, page_size=page_size,
                                         page_token=page_token, include_revoked=include_revoked)
        return self._call(self._ta.ListSessions, request, timeout)  # type: ignore[no-any-return]

    def update_claims(
        self, subject: str, claims: Mapping[str, Any], *, mode: str | None = None,
        invalidate_access_tokens: bool = False, timeout: float | None = None,
    ) -> pb.UpdateClaimsResponse:
        """mode: None (replace), "replace", "merge_top_level" or "merge_patch"."""
        request = rq.update_claims(subject, claims, mode, invalidate_access_tokens)
        return self._call(self._ta.UpdateClaims, request, timeout)  # type: ignore[no-any-return]

    def get_jwks(self, *, timeout: float | None = None) -> pb.GetJwksResponse:
        return self._call(self._ta.GetJwks, pb.GetJwksRequest(), timeout)  # type: ignore[no-any-return]

    def watch_revocations(
        self, after_sequence: int = 0, incarnation: str = "", *, timeout: float | None = None,
    ) -> Iterator[pb.RevocationEvent]:
        """The raw stream (tessera.Verifier follows it for you). No deadline unless
        `timeout` is given. Raises TesseraError when the stream fails."""
        request = pb.WatchRevocationsRequest(after_sequence=after_sequence,
                                             incarnation=incarnation)
        call = self._ta.WatchRevocations(request, timeout=timeout,
                                         metadata=self._metadata or None)
        try:
            yield from call
        except grpc.RpcError as err:
            raise from_rpc_error(err) from None
        finally:
            call.cancel()

    # --- Admin ------------------------------------------------------------------

    def rotate_signing_key(self, *, algorithm: str | None = None,
                           timeout: float | None = None) -> admin_pb.RotateSigningKeyResponse:
        """algorithm: "ES256", "EdDSA", "RS256", or None for --signing_alg."""
        return self._call(self._admin.RotateSigningKey, rq.rotate(algorithm), timeout)  # type: ignore[no-any-return]

    def withdraw_signing_key(self, kid: str, *, reason: str = "",
                             timeout: float | None = None
                             ) -> admin_pb.WithdrawSigningKeyResponse:
        request = admin_pb.WithdrawSigningKeyRequest(kid=kid, reason=reason)
        return self._call(self._admin.WithdrawSigningKey, request, timeout)  # type: ignore[no-any-return]

    def list_signing_keys(self, *, timeout: float | None = None
                          ) -> admin_pb.ListSigningKeysResponse:
        return self._call(self._admin.ListSigningKeys, admin_pb.ListSigningKeysRequest(), timeout)  # type: ignore[no-any-return]

    def get_stats(self, *, timeout: float | None = None) -> admin_pb.GetStatsResponse:
        return self._call(self._admin.GetStats, admin_pb.GetStatsRequest(), timeout)  # type: ignore[no-any-return]

    def create_backup(self, path: str, *, timeout: float | None = None
                      ) -> admin_pb.CreateBackupResponse:
        request = admin_pb.CreateBackupRequest(path=path)
        return self._call(self._admin.CreateBackup, request, timeout)  # type: ignore[no-any-return]

    # ---------------------------------------------------------------------------

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
