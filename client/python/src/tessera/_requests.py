"""Request builders shared by Client and AsyncClient (pure, no I/O)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from google.protobuf import duration_pb2, struct_pb2

from tessera.v1 import admin_pb2 as admin_pb
from tessera.v1 import keys_pb2
from tessera.v1 import token_authority_pb2 as pb

Seconds = float | datetime.timedelta

CLAIMS_MODES = {
    None: pb.CLAIMS_MODE_UNSPECIFIED,
    "replace": pb.CLAIMS_MODE_REPLACE,
    "merge_top_level": pb.CLAIMS_MODE_MERGE_TOP_LEVEL,
    "merge_patch": pb.CLAIMS_MODE_MERGE_PATCH,
}
ALGORITHMS = {
    None: keys_pb2.SIGNING_ALGORITHM_UNSPECIFIED,
    "ES256": keys_pb2.SIGNING_ALGORITHM_ES256,
    "EdDSA": keys_pb2.SIGNING_ALGORITHM_EDDSA,
    "RS256": keys_pb2.SIGNING_ALGORITHM_RS256,
}


def duration(value: Seconds | None) -> duration_pb2.Duration | None:
    if value is None:
        return None
    d = duration_pb2.Duration()
    if isinstance(value, datetime.timedelta):
        d.FromTimedelta(value)
    else:
        d.FromNanoseconds(int(value * 1e9))
    return d


def struct(claims: Mapping[str, Any] | None) -> struct_pb2.Struct | None:
    if claims is None:
        return None
    s = struct_pb2.Struct()
    s.update(dict(claims))
    return s


def issue(
    subject: str, audience: Sequence[str], claims: Mapping[str, Any] | None,
    access_ttl: Seconds | None, session_ttl: Seconds | None,
    client: Mapping[str, str] | None, request_id: str,
) -> pb.IssueSessionRequest:
    return pb.IssueSessionRequest(
        subject=subject, audience=list(audience), claims=struct(claims),
        access_ttl=duration(access_ttl), session_ttl=duration(session_ttl),
        client=pb.ClientInfo(**dict(client)) if client else None, request_id=request_id,
    )


def revoke(
    session_id: str | None, subject: str | None, refresh_token: str | None,
    access_token: str | None, reason: str,
) -> pb.RevokeSessionRequest:
    targets = {k: v for k, v in (("session_id", session_id), ("subject", subject),
               ("refresh_token", refresh_token), ("access_token", access_token))
               if v is not None}
    if len(targets) > 1:
        raise ValueError("revoke_session takes exactly one of session_id, subject, "
                         "refresh_token, access_token")
    return pb.RevokeSessionRequest(reason=reason, **targets)


def update_claims(
    subject: str, claims: Mapping[str, Any], mode: str | None, invalidate: bool,
) -> pb.UpdateClaimsRequest:
    if mode not in CLAIMS_MODES:
        raise ValueError(f"mode must be one of {sorted(m for m in CLAIMS_MODES if m)}")
    return pb.UpdateClaimsRequest(
        subject=subject, claims=struct(claims), mode=CLAIMS_MODES[mode],
        invalidate_access_tokens=invalidate,
    )


def rotate(algorithm: str | None) -> admin_pb.RotateSigningKeyRequest:
    if algorithm not in ALGORITHMS:
        raise ValueError("algorithm must be ES256, EdDSA or RS256")
    return admin_pb.RotateSigningKeyRequest(algorithm=ALGORITHMS[algorithm])
