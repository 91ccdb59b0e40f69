import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from tessera.v1 import keys_pb2 as _keys_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TokenInvalidReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TOKEN_INVALID_REASON_UNSPECIFIED: _ClassVar[TokenInvalidReason]
    TOKEN_INVALID_REASON_MALFORMED: _ClassVar[TokenInvalidReason]
    TOKEN_INVALID_REASON_BAD_SIGNATURE: _ClassVar[TokenInvalidReason]
    TOKEN_INVALID_REASON_UNKNOWN_KEY: _ClassVar[TokenInvalidReason]
    TOKEN_INVALID_REASON_UNSUPPORTED_ALGORITHM: _ClassVar[TokenInvalidReason]
    TOKEN_INVALID_REASON_EXPIRED: _ClassVar[TokenInvalidReason]
    TOKEN_INVALID_REASON_NOT_YET_VALID: _ClassVar[TokenInvalidReason]
    TOKEN_INVALID_REASON_WRONG_AUDIENCE: _ClassVar[TokenInvalidReason]
    TOKEN_INVALID_REASON_WRONG_ISSUER: _ClassVar[TokenInvalidReason]
    TOKEN_INVALID_REASON_WRONG_TYPE: _ClassVar[TokenInvalidReason]
    TOKEN_INVALID_REASON_SESSION_REVOKED: _ClassVar[TokenInvalidReason]
    TOKEN_INVALID_REASON_STALE_CLAIMS: _ClassVar[TokenInvalidReason]

class ClaimsMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CLAIMS_MODE_UNSPECIFIED: _ClassVar[ClaimsMode]
    CLAIMS_MODE_REPLACE: _ClassVar[ClaimsMode]
    CLAIMS_MODE_MERGE_TOP_LEVEL: _ClassVar[ClaimsMode]
    CLAIMS_MODE_MERGE_PATCH: _ClassVar[ClaimsMode]
TOKEN_INVALID_REASON_UNSPECIFIED: TokenInvalidReason
TOKEN_INVALID_REASON_MALFORMED: TokenInvalidReason
TOKEN_INVALID_REASON_BAD_SIGNATURE: TokenInvalidReason
TOKEN_INVALID_REASON_UNKNOWN_KEY: TokenInvalidReason
TOKEN_INVALID_REASON_UNSUPPORTED_ALGORITHM: TokenInvalidReason
TOKEN_INVALID_REASON_EXPIRED: TokenInvalidReason
TOKEN_INVALID_REASON_NOT_YET_VALID: TokenInvalidReason
TOKEN_INVALID_REASON_WRONG_AUDIENCE: TokenInvalidReason
TOKEN_INVALID_REASON_WRONG_ISSUER: TokenInvalidReason
TOKEN_INVALID_REASON_WRONG_TYPE: TokenInvalidReason
TOKEN_INVALID_REASON_SESSION_REVOKED: TokenInvalidReason
TOKEN_INVALID_REASON_STALE_CLAIMS: TokenInvalidReason
CLAIMS_MODE_UNSPECIFIED: ClaimsMode
CLAIMS_MODE_REPLACE: ClaimsMode
CLAIMS_MODE_MERGE_TOP_LEVEL: ClaimsMode
CLAIMS_MODE_MERGE_PATCH: ClaimsMode

class ClientInfo(_message.Message):
    __slots__ = ("user_agent", "ip_address", "device_name")
    USER_AGENT_FIELD_NUMBER: _ClassVar[int]
    IP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    DEVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    user_agent: str
    ip_address: str
    device_name: str
    def __init__(self, user_agent: _Optional[str] = ..., ip_address: _Optional[str] = ..., device_name: _Optional[str] = ...) -> None: ...

class IssueSessionRequest(_message.Message):
    __slots__ = ("subject", "audience", "claims", "access_ttl", "session_ttl", "client", "request_id")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    AUDIENCE_FIELD_NUMBER: _ClassVar[int]
    CLAIMS_FIELD_NUMBER: _ClassVar[int]
    ACCESS_TTL_FIELD_NUMBER: _ClassVar[int]
    SESSION_TTL_FIELD_NUMBER: _ClassVar[int]
    CLIENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    subject: str
    audience: _containers.RepeatedScalarFieldContainer[str]
    claims: _struct_pb2.Struct
    access_ttl: _duration_pb2.Duration
    session_ttl: _duration_pb2.Duration
    client: ClientInfo
    request_id: str
    def __init__(self, subject: _Optional[str] = ..., audience: _Optional[_Iterable[str]] = ..., claims: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., access_ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., session_ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., client: _Optional[_Union[ClientInfo, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class SessionTokens(_message.Message):
    __slots__ = ("access_token", "access_expires_at", "refresh_token", "refresh_expires_at", "session_id", "token_type")
    ACCESS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ACCESS_EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    REFRESH_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REFRESH_EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_TYPE_FIELD_NUMBER: _ClassVar[int]
    access_token: str
    access_expires_at: _timestamp_pb2.Timestamp
    refresh_token: str
    refresh_expires_at: _timestamp_pb2.Timestamp
    session_id: str
    token_type: str
    def __init__(self, access_token: _Optional[str] = ..., access_expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., refresh_token: _Optional[str] = ..., refresh_expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., session_id: _Optional[str] = ..., token_type: _Optional[str] = ...) -> None: ...

class RefreshSessionRequest(_message.Message):
    __slots__ = ("refresh_token",)
    REFRESH_TOKEN_FIELD_NUMBER: _ClassVar[int]
    refresh_token: str
    def __init__(self, refresh_token: _Optional[str] = ...) -> None: ...

class ValidateTokenRequest(_message.Message):
    __slots__ = ("access_token", "audience")
    ACCESS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    AUDIENCE_FIELD_NUMBER: _ClassVar[int]
    access_token: str
    audience: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, access_token: _Optional[str] = ..., audience: _Optional[_Iterable[str]] = ...) -> None: ...

class TokenClaims(_message.Message):
    __slots__ = ("subject", "session_id", "audience", "issued_at", "expires_at", "token_id", "custom", "client_id")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    AUDIENCE_FIELD_NUMBER: _ClassVar[int]
    ISSUED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ID_FIELD_NUMBER: _ClassVar[int]
    subject: str
    session_id: str
    audience: _containers.RepeatedScalarFieldContainer[str]
    issued_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    token_id: str
    custom: _struct_pb2.Struct
    client_id: str
    def __init__(self, subject: _Optional[str] = ..., session_id: _Optional[str] = ..., audience: _Optional[_Iterable[str]] = ..., issued_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., token_id: _Optional[str] = ..., custom: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., client_id: _Optional[str] = ...) -> None: ...

class ValidateTokenResponse(_message.Message):
    __slots__ = ("valid", "reason", "claims")
    VALID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CLAIMS_FIELD_NUMBER: _ClassVar[int]
    valid: bool
    reason: TokenInvalidReason
    claims: TokenClaims
    def __init__(self, valid: _Optional[bool] = ..., reason: _Optional[_Union[TokenInvalidReason, str]] = ..., claims: _Optional[_Union[TokenClaims, _Mapping]] = ...) -> None: ...

class RevokeSessionRequest(_message.Message):
    __slots__ = ("session_id", "subject", "refresh_token", "access_token", "reason")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    REFRESH_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ACCESS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    subject: str
    refresh_token: str
    access_token: str
    reason: str
    def __init__(self, session_id: _Optional[str] = ..., subject: _Optional[str] = ..., refresh_token: _Optional[str] = ..., access_token: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RevokeSessionResponse(_message.Message):
    __slots__ = ("revoked_count", "sequence")
    REVOKED_COUNT_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    revoked_count: int
    sequence: int
    def __init__(self, revoked_count: _Optional[int] = ..., sequence: _Optional[int] = ...) -> None: ...

class GetSessionRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class Session(_message.Message):
    __slots__ = ("session_id", "subject", "audience", "claims", "client", "created_at", "last_refreshed_at", "expires_at", "idle_expires_at", "generation", "revoked_at", "revoke_reason")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    AUDIENCE_FIELD_NUMBER: _ClassVar[int]
    CLAIMS_FIELD_NUMBER: _ClassVar[int]
    CLIENT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_REFRESHED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    IDLE_EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    REVOKED_AT_FIELD_NUMBER: _ClassVar[int]
    REVOKE_REASON_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    subject: str
    audience: _containers.RepeatedScalarFieldContainer[str]
    claims: _struct_pb2.Struct
    client: ClientInfo
    created_at: _timestamp_pb2.Timestamp
    last_refreshed_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    idle_expires_at: _timestamp_pb2.Timestamp
    generation: int
    revoked_at: _timestamp_pb2.Timestamp
    revoke_reason: str
    def __init__(self, session_id: _Optional[str] = ..., subject: _Optional[str] = ..., audience: _Optional[_Iterable[str]] = ..., claims: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., client: _Optional[_Union[ClientInfo, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_refreshed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., idle_expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., generation: _Optional[int] = ..., revoked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., revoke_reason: _Optional[str] = ...) -> None: ...

class ListSessionsRequest(_message.Message):
    __slots__ = ("subject", "page_size", "page_token", "include_revoked")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_REVOKED_FIELD_NUMBER: _ClassVar[int]
    subject: str
    page_size: int
    page_token: str
    include_revoked: bool
    def __init__(self, subject: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., include_revoked: _Optional[bool] = ...) -> None: ...

class ListSessionsResponse(_message.Message):
    __slots__ = ("sessions", "next_page_token")
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    sessions: _containers.RepeatedCompositeFieldContainer[Session]
    next_page_token: str
    def __init__(self, sessions: _Optional[_Iterable[_Union[Session, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateClaimsRequest(_message.Message):
    __slots__ = ("subject", "claims", "merge", "invalidate_access_tokens", "mode")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    CLAIMS_FIELD_NUMBER: _ClassVar[int]
    MERGE_FIELD_NUMBER: _ClassVar[int]
    INVALIDATE_ACCESS_TOKENS_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    subject: str
    claims: _struct_pb2.Struct
    merge: bool
    invalidate_access_tokens: bool
    mode: ClaimsMode
    def __init__(self, subject: _Optional[str] = ..., claims: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., merge: _Optional[bool] = ..., invalidate_access_tokens: _Optional[bool] = ..., mode: _Optional[_Union[ClaimsMode, str]] = ...) -> None: ...

class UpdateClaimsResponse(_message.Message):
    __slots__ = ("sequence",)
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    def __init__(self, sequence: _Optional[int] = ...) -> None: ...

class GetJwksRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetJwksResponse(_message.Message):
    __slots__ = ("jwks_json", "keys")
    JWKS_JSON_FIELD_NUMBER: _ClassVar[int]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    jwks_json: str
    keys: _containers.RepeatedCompositeFieldContainer[_keys_pb2.SigningKey]
    def __init__(self, jwks_json: _Optional[str] = ..., keys: _Optional[_Iterable[_Union[_keys_pb2.SigningKey, _Mapping]]] = ...) -> None: ...

class WatchRevocationsRequest(_message.Message):
    __slots__ = ("after_sequence", "incarnation", "after_log_hash")
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    INCARNATION_FIELD_NUMBER: _ClassVar[int]
    AFTER_LOG_HASH_FIELD_NUMBER: _ClassVar[int]
    after_sequence: int
    incarnation: str
    after_log_hash: bytes
    def __init__(self, after_sequence: _Optional[int] = ..., incarnation: _Optional[str] = ..., after_log_hash: _Optional[bytes] = ...) -> None: ...

class RevocationEvent(_message.Message):
    __slots__ = ("sequence", "time", "session_revoked", "subject_revoked", "claims_invalidated", "keys_changed", "snapshot_end", "heartbeat", "log_hash")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    SESSION_REVOKED_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_REVOKED_FIELD_NUMBER: _ClassVar[int]
    CLAIMS_INVALIDATED_FIELD_NUMBER: _ClassVar[int]
    KEYS_CHANGED_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_END_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    LOG_HASH_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    time: _timestamp_pb2.Timestamp
    session_revoked: SessionRevoked
    subject_revoked: SubjectRevoked
    claims_invalidated: ClaimsInvalidated
    keys_changed: KeysChanged
    snapshot_end: SnapshotEnd
    heartbeat: Heartbeat
    log_hash: bytes
    def __init__(self, sequence: _Optional[int] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., session_revoked: _Optional[_Union[SessionRevoked, _Mapping]] = ..., subject_revoked: _Optional[_Union[SubjectRevoked, _Mapping]] = ..., claims_invalidated: _Optional[_Union[ClaimsInvalidated, _Mapping]] = ..., keys_changed: _Optional[_Union[KeysChanged, _Mapping]] = ..., snapshot_end: _Optional[_Union[SnapshotEnd, _Mapping]] = ..., heartbeat: _Optional[_Union[Heartbeat, _Mapping]] = ..., log_hash: _Optional[bytes] = ...) -> None: ...

class SessionRevoked(_message.Message):
    __slots__ = ("session_id", "subject", "forget_after")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    FORGET_AFTER_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    subject: str
    forget_after: _timestamp_pb2.Timestamp
    def __init__(self, session_id: _Optional[str] = ..., subject: _Optional[str] = ..., forget_after: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SubjectRevoked(_message.Message):
    __slots__ = ("subject", "not_before")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    NOT_BEFORE_FIELD_NUMBER: _ClassVar[int]
    subject: str
    not_before: _timestamp_pb2.Timestamp
    def __init__(self, subject: _Optional[str] = ..., not_before: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ClaimsInvalidated(_message.Message):
    __slots__ = ("subject", "not_before", "generation", "forget_after")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    NOT_BEFORE_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    FORGET_AFTER_FIELD_NUMBER: _ClassVar[int]
    subject: str
    not_before: _timestamp_pb2.Timestamp
    generation: int
    forget_after: _timestamp_pb2.Timestamp
    def __init__(self, subject: _Optional[str] = ..., not_before: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., generation: _Optional[int] = ..., forget_after: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class KeysChanged(_message.Message):
    __slots__ = ("jwks_json",)
    JWKS_JSON_FIELD_NUMBER: _ClassVar[int]
    jwks_json: str
    def __init__(self, jwks_json: _Optional[str] = ...) -> None: ...

class SnapshotEnd(_message.Message):
    __slots__ = ("reset", "incarnation")
    RESET_FIELD_NUMBER: _ClassVar[int]
    INCARNATION_FIELD_NUMBER: _ClassVar[int]
    reset: bool
    incarnation: str
    def __init__(self, reset: _Optional[bool] = ..., incarnation: _Optional[str] = ...) -> None: ...

class Heartbeat(_message.Message):
    __slots__ = ("current_sequence", "incarnation")
    CURRENT_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    INCARNATION_FIELD_NUMBER: _ClassVar[int]
    current_sequence: int
    incarnation: str
    def __init__(self, current_sequence: _Optional[int] = ..., incarnation: _Optional[str] = ...) -> None: ...
