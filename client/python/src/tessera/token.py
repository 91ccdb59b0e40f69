"""Strict decoding and signature checks of Tessera access tokens (JWS compact).

Signatures are checked by PyJWT's algorithm objects over `cryptography` keys;
the parsing around them is this module's own, because tesserad's verdicts must
be reproduced exactly (see tests/conformance): PyJWT's `decode` accepts
duplicate JSON members and non-canonical base64url, and reports failures in an
order and taxonomy that do not map onto TokenInvalidReason. Here the checks run
in tesserad's order: size, segments, header (alg allow-list, typ, crit, kid),
key lookup, alg bound to the key, canonical base64url, signature, claims.

The allow-list is bound to each key: a key verifies only with the one
algorithm its JWK implies (ES256 for EC P-256, EdDSA/"Ed25519" for OKP
Ed25519, RS256 for RSA), so `alg` in a token header can never pick a weaker
algorithm. `none` and HS* are never accepted.

Pure functions and immutable values; thread-safe.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
import math
import re
import types
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import get_default_algorithms

MAX_TOKEN_BYTES = 8192
MAX_JWKS_BYTES = 64 * 1024
_MAX_NUMERIC_DATE = 253402300799  # 9999-12-31T23:59:59Z
_REGISTERED = ("iss", "sub", "aud", "exp", "nbf", "iat", "jti", "sid", "client_id", "sgen")
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")

_ALGORITHMS = get_default_algorithms()
# Token `alg` name -> the canonical algorithm a key is bound to.
_ALG_NAMES = {"ES256": "ES256", "EdDSA": "EdDSA", "Ed25519": "EdDSA", "RS256": "RS256"}


class TokenError(Exception):
    """A token failed a check: `reason` is a TokenInvalidReason name (no prefix)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class JsonError(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise JsonError(f"non-standard JSON constant {name}")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise JsonError("duplicate member")
    return out


def _depth(value: Any, limit: int, level: int = 0) -> None:
    """Counts nested containers (objects and arrays) only."""
    if isinstance(value, (dict, list)):
        level += 1
        if level > limit:
            raise JsonError("nested too deep")
        for v in value.values() if isinstance(value, dict) else value:
            _depth(v, limit, level)


# Built once: json.loads with keyword arguments builds a decoder on every call.
_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)


def parse_json(data: bytes, *, max_bytes: int, max_depth: int) -> Any:
    """Strict JSON: UTF-8 only, no duplicate members, no NaN/Infinity, bounded."""
    if len(data) > max_bytes:
        raise JsonError("too large")
    try:
        text = data.decode("utf-8")
        value = _DECODER.decode(text)
        # UTF-8 input holds no surrogates, so a lone one can only come from a
        # \u escape: walk the strings only when the text has one.
        if b"\\u" in data:
            _check_strings(value)
    except (UnicodeError, ValueError, RecursionError) as err:
        raise JsonError(str(err) or "invalid JSON") from None
    # Nesting can only exceed max_depth with more brackets than that.
    if data.count(b"{") + data.count(b"[") > max_depth:
        _depth(value, max_depth)
    return value


def _check_strings(value: Any) -> None:
    if isinstance(value, str):
        value.encode("utf-8")
    elif isinstance(value, dict):
        for k, v in value.items():
            k.encode("utf-8")
            _check_strings(v)
    elif isinstance(value, list):
        for v in value:
            _check_strings(v)


_B64URL = re.compile(r"[A-Za-z0-9_-]*")
# The last character of a canonical spelling leaves its spare bits zero: with 2
# characters in the last group 4 spare bits (values 0, 16, 32, 48), with 3 of them
# 2 spare bits (values divisible by 4).
_LAST_OF_2 = frozenset("AQgw")
_LAST_OF_3 = frozenset("AEIMQUYcgkosw048")
_URL_TO_STD = bytes.maketrans(b"-_", b"+/")
_PADDING = (b"", b"", b"==", b"=")


def b64url_decode(text: str) -> bytes | None:
    """Canonical unpadded base64url, or None (padding, other alphabets, non-zero
    spare bits and a 1-char remainder are all refused)."""
    remainder = len(text) % 4
    if remainder == 1 or _B64URL.fullmatch(text) is None:
        return None
    if remainder == 2 and text[-1] not in _LAST_OF_2:
        return None  # non-zero spare bits: not the canonical spelling
    if remainder == 3 and text[-1] not in _LAST_OF_3:
        return None
    raw = text.encode("ascii").translate(_URL_TO_STD) + _PADDING[remainder]
    try:
        return binascii.a2b_base64(raw)  # the alphabet was checked above
    except (binascii.Error, ValueError):
        return None


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclasses.dataclass(frozen=True)
class PublicKey:
    """A verification key bound to exactly one algorithm."""

    kid: str
    algorithm: str  # "ES256", "EdDSA" or "RS256"
    key: Any  # a cryptography public key


class JwkUnsupported(ValueError):
    """A JWK of a type or curve this verifier skips (the rest of the set is kept)."""


def _b64_member(jwk: Mapping[str, Any], name: str) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise ValueError(f"JWK has no string {name!r}")
    out = b64url_decode(value)
    if out is None:
        raise ValueError(f"JWK {name!r} is not base64url")
    return out


def public_key_from_jwk(jwk: Any) -> PublicKey:
    """A public key from a JWK object. ValueError if it is unsound or holds private
    members; JwkUnsupported for a key type this verifier does not know."""
    if not isinstance(jwk, dict):
        raise ValueError("JWK is not a JSON object")
    for secret in _PRIVATE_MEMBERS:
        if secret in jwk:
            raise ValueError(f"JWK holds private member {secret!r}")
    kty = jwk.get("kty")
    if not isinstance(kty, str):
        raise ValueError('JWK has no string "kty"')
    key: Any
    if kty == "EC":
        implied = "ES256"
        if jwk.get("crv") != "P-256":
            raise JwkUnsupported("EC JWK: only crv P-256 is supported")
        x, y = _b64_member(jwk, "x"), _b64_member(jwk, "y")
        if len(x) != 32 or len(y) != 32:
            raise ValueError("EC JWK: x and y must be 32 bytes")
        key = ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
        ).public_key()  # raises ValueError off the curve
    elif kty == "OKP":
        implied = "EdDSA"
        if jwk.get("crv") != "Ed25519":
            raise JwkUnsupported("OKP JWK: only crv Ed25519 is supported")
        x = _b64_member(jwk, "x")
        if len(x) != 32:
            raise ValueError("OKP JWK: x must be 32 bytes")
        key = ed25519.Ed25519PublicKey.from_public_bytes(x)
    elif kty == "RSA":
        implied = "RS256"
        n, e = _b64_member(jwk, "n"), _b64_member(jwk, "e")
        if len(e) > 8:
            raise ValueError("RSA JWK: exponent too large")
        if len(n) * 8 < 2048:
            raise ValueError("RSA JWK: modulus shorter than 2048 bits")
        key = rsa.RSAPublicNumbers(int.from_bytes(e, "big"), int.from_bytes(n, "big")).public_key()
    else:
        raise JwkUnsupported("JWK kty not supported")
    if "alg" in jwk:
        alg = jwk["alg"]
        if not isinstance(alg, str):
            raise ValueError('JWK "alg" is not a string')
        if alg not in _ALG_NAMES:
            raise JwkUnsupported("JWK alg not supported")
        if _ALG_NAMES[alg] != implied:
            raise ValueError('JWK "alg" does not fit its key type')
    if "use" in jwk and jwk["use"] != "sig":
        raise ValueError('JWK "use" must be "sig"')
    if "kid" not in jwk:
        return PublicKey(kid=thumbprint(jwk), algorithm=implied, key=key)
    kid = jwk["kid"]
    if not isinstance(kid, str) or not 1 <= len(kid.encode("utf-8")) <= 256:
        raise ValueError('JWK "kid" must be a string of 1-256 bytes')
    return PublicKey(kid=kid, algorithm=implied, key=key)


_THUMBPRINT_MEMBERS = {"EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x"),
                       "RSA": ("e", "kty", "n")}


def thumbprint(jwk: Mapping[str, Any]) -> str:
    """The RFC 7638 JWK thumbprint (base64url SHA-256 of the required members)."""
    members = _THUMBPRINT_MEMBERS[jwk["kty"]]
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"),
                           sort_keys=True, ensure_ascii=False)
    return b64url_encode(hashlib.sha256(canonical.encode("utf-8")).digest())


class KeySet:
    """An immutable set of public keys by kid."""

    def __init__(self, keys: Mapping[str, PublicKey]) -> None:
        self._keys = dict(keys)

    @classmethod
    def from_jwks_json(cls, text: str | bytes) -> KeySet:
        """Parses {"keys":[...]}; ValueError if any key is unsound (the caller keeps
        its previous set), keys of unknown types are skipped."""
        data = text.encode("utf-8") if isinstance(text, str) else text
        try:
            doc = parse_json(data, max_bytes=MAX_JWKS_BYTES, max_depth=4)
        except JsonError as err:
            raise ValueError(f"JWKS: {err}") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("keys"), list):
            raise ValueError('JWKS has no "keys" array')
        keys: dict[str, PublicKey] = {}
        for jwk in doc["keys"]:
            try:
                key = public_key_from_jwk(jwk)
            except JwkUnsupported:
                continue
            if key.kid in keys:
                raise ValueError("JWKS: duplicate kid")
            keys[key.kid] = key
        return cls(keys)

    def find(self, kid: str) -> PublicKey | None:
        return self._keys.get(kid)

    def __len__(self) -> int:
        return len(self._keys)


@dataclasses.dataclass(frozen=True)
class Claims:
    """The claims of a verified access token. Times are Unix seconds."""

    subject: str
    session_id: str
    audience: tuple[str, ...]
    issued_at: int
    expires_at: int
    token_id: str
    client_id: str
    issuer: str
    subject_generation: int = 0
    not_before: int | None = None
    custom: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    algorithm: str = ""  # of the key that verified it: "ES256", "EdDSA" or "RS256"
    kid: str = ""

    def get(self, name: str, default: Any = None) -> Any:
        """A custom claim by name."""
        return self.custom.get(name, default)

    @classmethod
    def _from_fields(cls, fields: dict[str, Any]) -> Claims:
        """Every field, already checked by read_claims: fills the instance in one
        step instead of the frozen __init__'s one object.__setattr__ per field."""
        claims = object.__new__(cls)
        claims.__dict__.update(fields)
        return claims


def _numeric_date(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TokenError("MALFORMED", f'claim "{name}" is not a NumericDate')
    if isinstance(value, float) and not math.isfinite(value):
        raise TokenError("MALFORMED", f'claim "{name}" is not a NumericDate')
    if value < 0 or value > _MAX_NUMERIC_DATE:
        raise TokenError("MALFORMED", f'claim "{name}" is not a NumericDate')
    return int(value)


def _string(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise TokenError("MALFORMED", f'claim "{name}" is not a string')
    return value


_STRING_CLAIMS = {"iss": "issuer", "sub": "subject", "jti": "token_id", "sid": "session_id",
                  "client_id": "client_id"}
_DATE_CLAIMS = {"exp": "expires_at", "iat": "issued_at", "nbf": "not_before"}


def read_claims(payload: Any, algorithm: str = "", kid: str = "") -> Claims:
    if not isinstance(payload, dict):
        raise TokenError("MALFORMED", "claims are not a JSON object")
    fields: dict[str, Any] = {
        "subject": "", "session_id": "", "audience": (), "issued_at": None,
        "expires_at": None, "token_id": "", "client_id": "", "issuer": "",
        "subject_generation": 0, "not_before": None, "custom": None,
        "algorithm": algorithm, "kid": kid,
    }
    custom: dict[str, Any] = {}
    for name, value in payload.items():
        if name in _STRING_CLAIMS:
            fields[_STRING_CLAIMS[name]] = _string(name, value)
        elif name in _DATE_CLAIMS:
            fields[_DATE_CLAIMS[name]] = _numeric_date(name, value)
        elif name == "aud":
            if isinstance(value, str):
                fields["audience"] = (value,)
            elif isinstance(value, list):
                for element in value:
                    if not isinstance(element, str):
                        raise TokenError("MALFORMED", 'claim "aud" holds a non-string')
                fields["audience"] = tuple(value)
            else:
                raise TokenError("MALFORMED", 'claim "aud" is neither a string nor an array')
        elif name == "sgen":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise TokenError("MALFORMED", 'claim "sgen" is not a non-negative integer')
            fields["subject_generation"] = value
        else:
            custom[name] = value
    if fields["expires_at"] is None:
        raise TokenError("MALFORMED", 'claim "exp" missing')
    if fields["issued_at"] is None:
        raise TokenError("MALFORMED", 'claim "iat" missing')
    if not fields["subject"]:
        raise TokenError("MALFORMED", 'claim "sub" missing or empty')
    # Read-only: verified claims are cached and shared between requests.
    fields["custom"] = types.MappingProxyType(custom)
    return Claims._from_fields(fields)


def _is_access_token_type(typ: str) -> bool:
    lowered = typ.lower()
    if lowered.startswith("application/"):
        lowered = lowered[len("application/"):]
    return lowered == "at+jwt"


def decode_and_verify_signature(token: str, keys: KeySet) -> Claims:
    """Checks form, header and signature; raises TokenError. Does not check times,
    issuer or audience (see check_claims)."""
    size = len(token.encode("utf-8", "surrogatepass"))
    if len(token) > MAX_TOKEN_BYTES or size > MAX_TOKEN_BYTES:
        raise TokenError("MALFORMED", f"token longer than {MAX_TOKEN_BYTES} bytes")
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("MALFORMED", "token is not three segments")
    encoded_header, encoded_payload, encoded_signature = parts
    header_bytes = b64url_decode(encoded_header)
    if header_bytes is None:
        raise TokenError("MALFORMED", "header is not base64url")
    try:
        header = parse_json(header_bytes, max_bytes=1024, max_depth=4)
    except JsonError as err:
        raise TokenError("MALFORMED", f"header: {err}") from None
    if not isinstance(header, dict):
        raise TokenError("MALFORMED", "header is not a JSON object")
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise TokenError("UNSUPPORTED_ALGORITHM", "header has no alg")
    algorithm = _ALG_NAMES.get(alg)
    if algorithm is None:
        raise TokenError("UNSUPPORTED_ALGORITHM", "alg is not on the allow-list")
    typ = header.get("typ")
    if not isinstance(typ, str) or not _is_access_token_type(typ):
        raise TokenError("WRONG_TYPE", "typ is not at+jwt")
    if "crit" in header:
        raise TokenError("MALFORMED", "crit names an extension this verifier does not understand")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TokenError("UNKNOWN_KEY", "header has no kid")
    key = keys.find(kid)
    if key is None:
        raise TokenError("UNKNOWN_KEY", "kid is not in the key set")
    if key.algorithm != algorithm:
        raise TokenError("UNSUPPORTED_ALGORITHM", "alg differs from the algorithm of the key")
    payload_bytes = b64url_decode(encoded_payload)
    if payload_bytes is None:
        raise TokenError("MALFORMED", "payload is not base64url")
    signature = b64url_decode(encoded_signature)
    if signature is None:
        raise TokenError("MALFORMED", "signature is not base64url")
    signing_input = f"{encoded_header}.{encoded_payload}".encode("ascii")
    try:
        ok = _ALGORITHMS[key.algorithm].verify(signing_input, key.key, signature)
    except Exception:  # noqa: BLE001  (any failure of the math is a bad signature)
        ok = False
    if not ok:
        raise TokenError("BAD_SIGNATURE", "signature does not verify")
    try:
        payload = parse_json(payload_bytes, max_bytes=MAX_TOKEN_BYTES, max_depth=16)
    except JsonError as err:
        raise TokenError("MALFORMED", f"claims: {err}") from None
    return read_claims(payload, key.algorithm, key.kid)


@dataclasses.dataclass(frozen=True)
class ClaimPolicy:
    issuer: str
    audience: tuple[str, ...]  # empty: any audience (explicitly allowed by the caller)
    leeway: float  # seconds


def check_claims(claims: Claims, policy: ClaimPolicy, now: float) -> None:
    """Time, issuer and audience checks, in tesserad's order; raises TokenError."""
    if now >= claims.expires_at + policy.leeway:
        raise TokenError("EXPIRED", "token has expired")
    if claims.not_before is not None and now < claims.not_before - policy.leeway:
        raise TokenError("NOT_YET_VALID", "nbf is in the future")
    if now < claims.issued_at - policy.leeway:
        raise TokenError("NOT_YET_VALID", "iat is in the future")
    if claims.issuer != policy.issuer:
        raise TokenError("WRONG_ISSUER", "iss is not the expected issuer")
    if policy.audience and not any(a in claims.audience for a in policy.audience):
        raise TokenError("WRONG_AUDIENCE", "no expected audience in aud")
