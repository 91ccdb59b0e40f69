import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SigningAlgorithm(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SIGNING_ALGORITHM_UNSPECIFIED: _ClassVar[SigningAlgorithm]
    SIGNING_ALGORITHM_ES256: _ClassVar[SigningAlgorithm]
    SIGNING_ALGORITHM_EDDSA: _ClassVar[SigningAlgorithm]
    SIGNING_ALGORITHM_RS256: _ClassVar[SigningAlgorithm]

class KeyState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KEY_STATE_UNSPECIFIED: _ClassVar[KeyState]
    KEY_STATE_NEXT: _ClassVar[KeyState]
    KEY_STATE_ACTIVE: _ClassVar[KeyState]
    KEY_STATE_RETIRED: _ClassVar[KeyState]
SIGNING_ALGORITHM_UNSPECIFIED: SigningAlgorithm
SIGNING_ALGORITHM_ES256: SigningAlgorithm
SIGNING_ALGORITHM_EDDSA: SigningAlgorithm
SIGNING_ALGORITHM_RS256: SigningAlgorithm
KEY_STATE_UNSPECIFIED: KeyState
KEY_STATE_NEXT: KeyState
KEY_STATE_ACTIVE: KeyState
KEY_STATE_RETIRED: KeyState

class SigningKey(_message.Message):
    __slots__ = ("kid", "algorithm", "state", "created_at", "activated_at", "retired_at", "public_jwk")
    KID_FIELD_NUMBER: _ClassVar[int]
    ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    ACTIVATED_AT_FIELD_NUMBER: _ClassVar[int]
    RETIRED_AT_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_JWK_FIELD_NUMBER: _ClassVar[int]
    kid: str
    algorithm: SigningAlgorithm
    state: KeyState
    created_at: _timestamp_pb2.Timestamp
    activated_at: _timestamp_pb2.Timestamp
    retired_at: _timestamp_pb2.Timestamp
    public_jwk: str
    def __init__(self, kid: _Optional[str] = ..., algorithm: _Optional[_Union[SigningAlgorithm, str]] = ..., state: _Optional[_Union[KeyState, str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., activated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., retired_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., public_jwk: _Optional[str] = ...) -> None: ...
