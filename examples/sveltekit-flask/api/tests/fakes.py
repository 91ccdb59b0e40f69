"""Fakes for the unit tests: a Verifier with fixed verdicts and tesserad's session
table in memory."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

import tessera
from google.protobuf import timestamp_pb2
from tessera import errors as terr
from tessera.v1 import token_authority_pb2 as pb


def claims(subject: str, session_id: str) -> tessera.Claims:
    now = int(time.time())
    return tessera.Claims(
        subject=subject,
        session_id=session_id,
        audience=("api",),
        issued_at=now,
        expires_at=now + 600,
        token_id="jti",
        client_id="local",
        issuer="tessera",
    )


class FakeVerifier:
    def __init__(self) -> None:
        self.tokens = {
            "tok-alice": claims("user-alice", "sAlice1"),
            "tok-bob": claims("user-bob", "sBob1"),
            "tok-ghost": claims("user-ghost", "sGhost"),
        }
        self.refused = {"tok-revoked": "SESSION_REVOKED"}
        self.unavailable = False
        self.ready = True
        self.wait_fails = False
        self.waited: list[int] = []

    def verify(self, token: str) -> tessera.Claims:
        if self.unavailable:
            raise tessera.VerifierUnavailable("test")
        if token in self.refused:
            raise tessera.TokenInvalid(self.refused[token], "test")
        if token in self.tokens:
            return self.tokens[token]
        raise tessera.TokenInvalid("MALFORMED", "test")

    def wait_for_sequence(self, sequence: int, timeout: float) -> bool:
        if sequence > 0:
            self.waited.append(sequence)
        return self.ready and not self.wait_fails

    def wait_until_ready(self, timeout: float) -> bool:
        return self.ready


def _ts(seconds: float) -> timestamp_pb2.Timestamp:
    out = timestamp_pb2.Timestamp()
    out.FromNanoseconds(int(seconds * 1e9))
    return out


def session(session_id: str, subject: str, user_agent: str, age: float) -> pb.Session:
    now = time.time()
    return pb.Session(
        session_id=session_id,
        subject=subject,
        client=pb.ClientInfo(user_agent=user_agent),
        created_at=_ts(now - age),
        expires_at=_ts(now + 3600),
        idle_expires_at=_ts(now + 3600),
    )


class FakeAuthority:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sessions = {
            "sAlice0": session("sAlice0", "user-alice", "old phone", 7200),
            "sAlice1": session("sAlice1", "user-alice", "laptop", 60),
            "sBob1": session("sBob1", "user-bob", "bob's phone", 60),
        }
        self.seq = 0
        self.calls: list[str] = []
        self.updates: list[tuple[str, dict[str, Any], str | None, bool]] = []
        self.fail_with: dict[str, Exception] = {}

    def _record(self, rpc: str) -> None:
        self.calls.append(rpc)
        if rpc in self.fail_with:
            raise self.fail_with[rpc]

    def get_session(self, session_id: str) -> pb.Session:
        self._record("GetSession")
        if session_id not in self.sessions:
            raise terr.SessionNotFound("test", reason="SESSION_NOT_FOUND")
        return self.sessions[session_id]

    def list_sessions(
        self, subject: str, *, page_size: int = 0, page_token: str = ""
    ) -> pb.ListSessionsResponse:
        self._record("ListSessions")
        return pb.ListSessionsResponse(
            sessions=[
                s
                for s in self.sessions.values()
                if s.subject == subject and not s.HasField("revoked_at")
            ]
        )

    def revoke_session(
        self, *, session_id: str | None = None, subject: str | None = None, reason: str = ""
    ) -> pb.RevokeSessionResponse:
        self._record("RevokeSession")
        n = 0
        for sid, s in self.sessions.items():
            if not s.HasField("revoked_at") and (sid == session_id or s.subject == subject):
                s.revoked_at.GetCurrentTime()
                n += 1
        if n == 0:
            return pb.RevokeSessionResponse()
        self.seq += 1
        return pb.RevokeSessionResponse(revoked_count=n, sequence=self.seq)

    def update_claims(
        self,
        subject: str,
        claims: Mapping[str, Any],
        *,
        mode: str | None = None,
        invalidate_access_tokens: bool = False,
    ) -> pb.UpdateClaimsResponse:
        self._record("UpdateClaims")
        self.updates.append((subject, dict(claims), mode, invalidate_access_tokens))
        self.seq += 1
        return pb.UpdateClaimsResponse(sequence=self.seq)
