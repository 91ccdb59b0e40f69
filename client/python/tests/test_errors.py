"""ErrorInfo reason -> exception class mapping (tessera.errors)."""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2

from tessera import errors


def trailer(reason: str, domain: str = "tessera", retry_seconds: int | None = None):
    status = status_pb2.Status(code=16, message="m")
    detail = any_pb2.Any()
    detail.Pack(error_details_pb2.ErrorInfo(reason=reason, domain=domain))
    status.details.append(detail)
    if retry_seconds is not None:
        retry = any_pb2.Any()
        info = error_details_pb2.RetryInfo()
        info.retry_delay.seconds = retry_seconds
        retry.Pack(info)
        status.details.append(retry)
    return (("grpc-status-details-bin", status.SerializeToString()),)


def test_every_documented_reason_has_a_class():
    for reason in ["REFRESH_TOKEN_REUSED", "SESSION_REVOKED", "RATE_LIMITED",
                   "STORE_UNAVAILABLE", "REQUEST_ID_SPENT", "TOO_MANY_KEYS", "KEY_NOT_FOUND"]:
        assert reason in errors.BY_REASON


def test_reason_picks_class():
    err = errors.from_status(grpc.StatusCode.UNAUTHENTICATED, "reused",
                             trailer("REFRESH_TOKEN_REUSED"))
    assert type(err) is errors.RefreshTokenReused
    assert isinstance(err, errors.Unauthenticated) and err.reason == "REFRESH_TOKEN_REUSED"


def test_retry_info_is_read():
    err = errors.from_status(grpc.StatusCode.RESOURCE_EXHAUSTED, "slow down",
                             trailer("RATE_LIMITED", retry_seconds=3))
    assert type(err) is errors.RateLimited and err.retry_after.total_seconds() == 3


def test_foreign_domain_garbage_and_mismatched_code_fall_back_to_category():
    assert type(errors.from_status(grpc.StatusCode.UNAUTHENTICATED, "",
                                   trailer("SESSION_REVOKED", domain="other"))) \
        is errors.Unauthenticated
    assert type(errors.from_status(grpc.StatusCode.UNAVAILABLE, "",
                                   (("grpc-status-details-bin", b"\xff\x00garbage"),))) \
        is errors.Unavailable
    assert type(errors.from_status(grpc.StatusCode.NOT_FOUND, "",
                                   trailer("SESSION_REVOKED"))) is errors.NotFound
    assert type(errors.from_status(grpc.StatusCode.INTERNAL, "", ())) is errors.TesseraError
