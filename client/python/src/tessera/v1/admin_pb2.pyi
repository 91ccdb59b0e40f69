import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from tessera.v1 import keys_pb2 as _keys_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RotateSigningKeyRequest(_message.Message):
    __slots__ = ("algorithm",)
    ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    algorithm: _keys_pb2.SigningAlgorithm
    def __init__(self, algorithm: _Optional[_Union[_keys_pb2.SigningAlgorithm, str]] = ...) -> None: ...

class RotateSigningKeyResponse(_message.Message):
    __slots__ = ("active", "next", "retired")
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    NEXT_FIELD_NUMBER: _ClassVar[int]
    RETIRED_FIELD_NUMBER: _ClassVar[int]
    active: _keys_pb2.SigningKey
    next: _keys_pb2.SigningKey
    retired: _keys_pb2.SigningKey
    def __init__(self, active: _Optional[_Union[_keys_pb2.SigningKey, _Mapping]] = ..., next: _Optional[_Union[_keys_pb2.SigningKey, _Mapping]] = ..., retired: _Optional[_Union[_keys_pb2.SigningKey, _Mapping]] = ...) -> None: ...

class WithdrawSigningKeyRequest(_message.Message):
    __slots__ = ("kid", "reason")
    KID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    kid: str
    reason: str
    def __init__(self, kid: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class WithdrawSigningKeyResponse(_message.Message):
    __slots__ = ("withdrawn", "active", "next", "sequence")
    WITHDRAWN_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    NEXT_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    withdrawn: _keys_pb2.SigningKey
    active: _keys_pb2.SigningKey
    next: _keys_pb2.SigningKey
    sequence: int
    def __init__(self, withdrawn: _Optional[_Union[_keys_pb2.SigningKey, _Mapping]] = ..., active: _Optional[_Union[_keys_pb2.SigningKey, _Mapping]] = ..., next: _Optional[_Union[_keys_pb2.SigningKey, _Mapping]] = ..., sequence: _Optional[int] = ...) -> None: ...

class ListSigningKeysRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListSigningKeysResponse(_message.Message):
    __slots__ = ("keys",)
    KEYS_FIELD_NUMBER: _ClassVar[int]
    keys: _containers.RepeatedCompositeFieldContainer[_keys_pb2.SigningKey]
    def __init__(self, keys: _Optional[_Iterable[_Union[_keys_pb2.SigningKey, _Mapping]]] = ...) -> None: ...

class GetStatsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetStatsResponse(_message.Message):
    __slots__ = ("version", "uptime", "active_sessions", "stored_sessions", "last_sequence", "revocations_in_memory", "watchers", "next_keys", "active_keys", "retired_keys", "store_bytes", "active_sessions_counted_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    UPTIME_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_SESSIONS_FIELD_NUMBER: _ClassVar[int]
    STORED_SESSIONS_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    REVOCATIONS_IN_MEMORY_FIELD_NUMBER: _ClassVar[int]
    WATCHERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_KEYS_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_KEYS_FIELD_NUMBER: _ClassVar[int]
    RETIRED_KEYS_FIELD_NUMBER: _ClassVar[int]
    STORE_BYTES_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_SESSIONS_COUNTED_AT_FIELD_NUMBER: _ClassVar[int]
    version: str
    uptime: _duration_pb2.Duration
    active_sessions: int
    stored_sessions: int
    last_sequence: int
    revocations_in_memory: int
    watchers: int
    next_keys: int
    active_keys: int
    retired_keys: int
    store_bytes: int
    active_sessions_counted_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[str] = ..., uptime: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., active_sessions: _Optional[int] = ..., stored_sessions: _Optional[int] = ..., last_sequence: _Optional[int] = ..., revocations_in_memory: _Optional[int] = ..., watchers: _Optional[int] = ..., next_keys: _Optional[int] = ..., active_keys: _Optional[int] = ..., retired_keys: _Optional[int] = ..., store_bytes: _Optional[int] = ..., active_sessions_counted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateBackupRequest(_message.Message):
    __slots__ = ("path",)
    PATH_FIELD_NUMBER: _ClassVar[int]
    path: str
    def __init__(self, path: _Optional[str] = ...) -> None: ...

class CreateBackupResponse(_message.Message):
    __slots__ = ("path", "sequence", "bytes", "created_at")
    PATH_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    BYTES_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    path: str
    sequence: int
    bytes: int
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, path: _Optional[str] = ..., sequence: _Optional[int] = ..., bytes: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
