"""Exceptions raised by tessera.Client, one class per google.rpc.ErrorInfo reason.

Every failed RPC raises a subclass of TesseraError. The class is chosen by the
ErrorInfo `reason` tesserad attaches (domain "tessera"); the reason list is the
contract in proto/tessera/v1/token_authority.proto and admin.proto. A status
without a known reason (a transport failure, a deadline) raises the class of its
gRPC code: Unavailable, DeadlineExceeded, ... so callers can always catch by
category (e.g. `except tessera.Unauthenticated`) or by reason
(`except tessera.RefreshTokenReused`).

The Verifier raises TokenInvalid (with `reason`, a TokenInvalidReason name) and
VerifierUnavailable: "this token is bad" and "I cannot judge any token now" are
deliberately different exceptions; the second must become a 503, never a 401.
"""

from __future__ import annotations

import datetime

import grpc
from google.protobuf import duration_pb2  # noqa: F401  (registers Duration)
from google.rpc import error_details_pb2, status_pb2

ERROR_DOMAIN = "tessera"


class TesseraError(Exception):
    """A failed Tessera call. `code` is the grpc.StatusCode, `reason` the ErrorInfo
    reason ("" when the server sent none), `retry_after` a RetryInfo delay if any."""

    code: grpc.StatusCode = grpc.StatusCode.UNKNOWN

    def __init__(
        self,
        message: str,
        *,
        code: grpc.StatusCode | None = None,
        reason: str = "",
        retry_after: datetime.timedelta | None = None,
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.reason = reason
        self.message = message
        self.retry_after = retry_after

    def __str__(self) -> str:
        prefix = f"{self.code.name}"
        if self.reason:
            prefix += f" {self.reason}"
        return f"{prefix}: {self.message}"


# Categories, one per gRPC code tesserad uses.
class InvalidArgument(TesseraError):
    code = grpc.StatusCode.INVALID_ARGUMENT


class Unauthenticated(TesseraError):
    code = grpc.StatusCode.UNAUTHENTICATED


class PermissionDenied(TesseraError):
    code = grpc.StatusCode.PERMISSION_DENIED


class NotFound(TesseraError):
    code = grpc.StatusCode.NOT_FOUND


class AlreadyExists(TesseraError):
    code = grpc.StatusCode.ALREADY_EXISTS


class FailedPrecondition(TesseraError):
    code = grpc.StatusCode.FAILED_PRECONDITION


class ResourceExhausted(TesseraError):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class Unavailable(TesseraError):
    code = grpc.StatusCode.UNAVAILABLE


class DeadlineExceeded(TesseraError):
    code = grpc.StatusCode.DEADLINE_EXCEEDED


# INVALID_ARGUMENT reasons.
class SubjectInvalid(InvalidArgument): ...
class AudienceInvalid(InvalidArgument): ...
class ClaimsTooLarge(InvalidArgument): ...
class ReservedClaim(InvalidArgument): ...
class ClaimsInvalid(InvalidArgument): ...
class ClaimsModeInvalid(InvalidArgument): ...
class TtlInvalid(InvalidArgument): ...
class SessionIdInvalid(InvalidArgument): ...
class PageTokenInvalid(InvalidArgument): ...
class PageSizeInvalid(InvalidArgument): ...
class ClientInfoInvalid(InvalidArgument): ...
class ReasonInvalid(InvalidArgument): ...
class TokenTooLarge(InvalidArgument): ...
class TargetMissing(InvalidArgument): ...
class RequestIdInvalid(InvalidArgument): ...
class IncarnationInvalid(InvalidArgument): ...
class BackupPathInvalid(InvalidArgument): ...
class AlgorithmInvalid(InvalidArgument): ...
class KidInvalid(InvalidArgument): ...
class ReasonTooLong(InvalidArgument): ...


# UNAUTHENTICATED reasons.
class RefreshTokenInvalid(Unauthenticated): ...
class RefreshTokenReused(Unauthenticated): ...
class SessionRevoked(Unauthenticated): ...
class SessionExpired(Unauthenticated): ...
class CallerUnknown(Unauthenticated): ...


class RoleMissing(PermissionDenied): ...
class SessionNotFound(NotFound): ...
class KeyNotFound(NotFound): ...
class RequestIdReused(AlreadyExists): ...
class RequestIdSpent(FailedPrecondition): ...
class TooManyKeys(FailedPrecondition): ...
class RateLimited(ResourceExhausted): ...
class TooManyWatchers(ResourceExhausted): ...
class ConsumerTooSlow(ResourceExhausted): ...
class StoreUnavailable(Unavailable): ...


def _reason_name(cls: type[TesseraError]) -> str:
    out = []
    for i, ch in enumerate(cls.__name__):
        if ch.isupper() and i:
            out.append("_")
        out.append(ch.upper())
    return "".join(out)


_CATEGORIES: tuple[type[TesseraError], ...] = (
    InvalidArgument, Unauthenticated, PermissionDenied, NotFound, AlreadyExists,
    FailedPrecondition, ResourceExhausted, Unavailable, DeadlineExceeded,
)
BY_CODE: dict[grpc.StatusCode, type[TesseraError]] = {c.code: c for c in _CATEGORIES}
# "SESSION_REVOKED" -> SessionRevoked, for every reason class defined above.
BY_REASON: dict[str, type[TesseraError]] = {
    _reason_name(cls): cls
    for cat in _CATEGORIES
    for cls in cat.__subclasses__()
}


def from_rpc_error(err: grpc.RpcError) -> TesseraError:
    """The TesseraError for a failed call (a grpc.Call, sync or aio)."""
    code = err.code() if hasattr(err, "code") else grpc.StatusCode.UNKNOWN
    details = (err.details() if hasattr(err, "details") else "") or ""
    metadata = err.trailing_metadata() if hasattr(err, "trailing_metadata") else None
    return from_status(code, details, metadata or ())


def from_status(code: grpc.StatusCode, details: str, trailing: object) -> TesseraError:
    reason = ""
    retry_after: datetime.timedelta | None = None
    for key, value in trailing:  # type: ignore[attr-defined]
        if key != "grpc-status-details-bin":
            continue
        status = status_pb2.Status()
        try:
            status.ParseFromString(value)
        except Exception:  # noqa: S112  (a garbled detail carries no reason)
            continue
        for any_detail in status.details:
            if any_detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                any_detail.Unpack(info)
                if info.domain == ERROR_DOMAIN:
                    reason = info.reason
            elif any_detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
                retry = error_details_pb2.RetryInfo()
                any_detail.Unpack(retry)
                retry_after = retry.retry_delay.ToTimedelta()
    cls = BY_REASON.get(reason)
    if cls is None or cls.code != code:
        cls = BY_CODE.get(code, TesseraError)
    return cls(details, code=code, reason=reason, retry_after=retry_after)


# --- Verifier outcomes -------------------------------------------------------


class TokenInvalid(Exception):
    """The token is not valid now. `reason` is a TokenInvalidReason name without its
    prefix: MALFORMED, BAD_SIGNATURE, UNKNOWN_KEY, UNSUPPORTED_ALGORITHM, EXPIRED,
    NOT_YET_VALID, WRONG_AUDIENCE, WRONG_ISSUER, WRONG_TYPE, SESSION_REVOKED,
    STALE_CLAIMS. Answer 401."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class VerifierUnavailable(Exception):
    """The Verifier cannot judge any token: not yet in sync with tesserad, or nothing
    heard for longer than max_staleness, or closed. Fail closed: answer 503."""
