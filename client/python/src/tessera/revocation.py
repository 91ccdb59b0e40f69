"""The revocation state a Verifier applies on every call.

Mirrors tesserad's client RevocationState: revoked sessions (until their
forget_after), and per-subject cut-offs (legacy SubjectRevoked by `iat`,
ClaimsInvalidated by `sgen` generation). Mutated only by the Verifier's stream
thread; read lock-free by verify() (single dict look-ups are atomic in CPython,
and forget() swaps in new dicts rather than deleting in place).
"""

from __future__ import annotations

import dataclasses

from tessera.v1 import token_authority_pb2 as pb


def _seconds(ts: object) -> float:
    return ts.seconds + ts.nanos / 1e9  # type: ignore[attr-defined, no-any-return]


@dataclasses.dataclass
class _Cutoffs:
    revoked_before: float = float("-inf")  # tokens with iat before this: revoked
    stale_below: int = 0  # tokens with sgen below this: stale claims
    forget_after: float = float("-inf")


class RevocationState:
    def __init__(self, horizon: float) -> None:
        self._horizon = horizon
        self.sessions: dict[str, float] = {}  # session id -> forget after
        self.subjects: dict[str, _Cutoffs] = {}

    def apply(self, event: pb.RevocationEvent) -> None:
        at = _seconds(event.time)
        kind = event.WhichOneof("event")
        if kind == "session_revoked":
            r = event.session_revoked
            self.sessions[r.session_id] = (
                _seconds(r.forget_after) if r.HasField("forget_after") else at + self._horizon
            )
        elif kind == "subject_revoked":
            s = event.subject_revoked
            before = _seconds(s.not_before)
            cut = self.subjects.setdefault(s.subject, _Cutoffs())
            cut.revoked_before = max(cut.revoked_before, before)
            cut.forget_after = max(cut.forget_after, before + self._horizon)
        elif kind == "claims_invalidated":
            c = event.claims_invalidated
            cut = self.subjects.setdefault(c.subject, _Cutoffs())
            cut.stale_below = max(cut.stale_below, c.generation)
            forget = (
                _seconds(c.forget_after)
                if c.HasField("forget_after")
                else _seconds(c.not_before) + self._horizon
            )
            cut.forget_after = max(cut.forget_after, forget)

    def check(self, session_id: str, subject: str, issued_at: float, generation: int) -> str:
        """"" if valid, else "SESSION_REVOKED" or "STALE_CLAIMS". (Verifier.verify
        inlines the session look-up and calls check_subject only when `subjects`
        is not empty.)"""
        if session_id in self.sessions:
            return "SESSION_REVOKED"
        return self.check_subject(subject, issued_at, generation)

    def check_subject(self, subject: str, issued_at: float, generation: int) -> str:
        """The per-subject part of check."""
        cut = self.subjects.get(subject)
        if cut is not None:
            if issued_at < cut.revoked_before:
                return "SESSION_REVOKED"
            if generation < cut.stale_below:
                return "STALE_CLAIMS"
        return ""

    def forget(self, now: float) -> None:
        """Drops entries whose forget_after is before `now`."""
        self.sessions = {k: v for k, v in self.sessions.items() if not v < now}
        self.subjects = {k: v for k, v in self.subjects.items() if not v.forget_after < now}

    def __len__(self) -> int:
        return len(self.sessions) + len(self.subjects)
