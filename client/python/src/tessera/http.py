"""The shared HTTP answer contract (docs/http-contract.md), framework-neutral.

authenticate(fields, verify) reads the request's Authorization field values
and either returns the verified Claims or an Answer (status, headers in
order, body) to send as it is. Framework adapters (tessera.flask) only
translate. Nothing the client sent is ever echoed back; detail messages stay
on the server.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence

from tessera.errors import TokenInvalid, VerifierUnavailable
from tessera.token import Claims

REALM = "tessera"
RETRY_AFTER_SECONDS = 2
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
_KNOWN_REASONS = frozenset({
    "MALFORMED", "BAD_SIGNATURE", "UNKNOWN_KEY", "UNSUPPORTED_ALGORITHM", "EXPIRED",
    "NOT_YET_VALID", "WRONG_AUDIENCE", "WRONG_ISSUER", "WRONG_TYPE", "SESSION_REVOKED",
    "STALE_CLAIMS",
})


@dataclasses.dataclass(frozen=True)
class Answer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: str


def _answer(status: int, first: tuple[str, str], error: str, reason: str,
            tessera_reason: bool = False) -> Answer:
    headers = [first]
    if tessera_reason:
        headers.append(("Tessera-Reason", reason))
    headers += [("Cache-Control", "no-store"), ("Content-Type", "application/json")]
    body = f'{{"error":"{error}","reason":"{reason}"}}'
    return Answer(status, tuple(headers), body)


def missing() -> Answer:
    return _answer(401, ("WWW-Authenticate", f'Bearer realm="{REALM}"'),
                   "unauthorized", "TOKEN_MISSING")


def malformed() -> Answer:
    return _answer(400, ("WWW-Authenticate", f'Bearer realm="{REALM}", error="invalid_request"'),
                   "invalid_request", "AUTHORIZATION_MALFORMED")


def refused(reason: str) -> Answer:
    if reason not in _KNOWN_REASONS:
        reason = "UNSPECIFIED"
    return _answer(401, ("WWW-Authenticate", f'Bearer realm="{REALM}", error="invalid_token"'),
                   "invalid_token", reason, tessera_reason=True)


def unavailable() -> Answer:
    return _answer(503, ("Retry-After", str(RETRY_AFTER_SECONDS)),
                   "temporarily_unavailable", "VERIFIER_UNAVAILABLE")


class _Malformed(Exception):
    pass


def extract_token(fields: Sequence[str]) -> str | None:
    """The bearer token, None for "no credentials"; raises _Malformed."""
    if not fields:
        return None
    if len(fields) > 1:
        raise _Malformed
    value = fields[0].strip(" \t")
    if not value:
        return None
    cut = len(value)
    for i, ch in enumerate(value):
        if ch in " \t":
            cut = i
            break
    if value[:cut].lower() != "bearer":
        return None
    rest = value[cut:]
    if not rest.startswith(" "):
        raise _Malformed  # "Bearer" alone, or a tab after the scheme
    token = rest.lstrip(" ")
    if not _B64TOKEN.fullmatch(token) or not token.isascii():
        raise _Malformed
    return token


def authenticate(fields: Sequence[str], verify: Callable[[str], Claims]) -> Claims | Answer:
    """The Claims, or the Answer to send. `verify` raises TokenInvalid or
    VerifierUnavailable (tessera.Verifier.verify does); any other exception from
    it is answered like an unavailable verifier (fail closed)."""
    try:
        token = extract_token(fields)
    except _Malformed:
        return malformed()
    if token is None:
        return missing()
    try:
        return verify(token)
    except TokenInvalid as err:
        return refused(err.reason)
    except VerifierUnavailable:
        return unavailable()
    except Exception:  # noqa: BLE001  (fail closed, never a 500)
        return unavailable()
