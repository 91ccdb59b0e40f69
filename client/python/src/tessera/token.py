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
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise JsonError("duplicate member")
        out[key] = value
    return out


def _depth(value: Any, limit: int, level: int = 0) -> None:
    """Counts nested containers (objects and arrays) only."""
    if isinstance(value, (dict, list)):
        level += 1
        if level > limit:
            raise JsonError("nested too deep")
        for v in value.values() if isinstance(value, dict) else value:
            _depth(v, limit, level)


def parse_json(data: bytes, *, max_bytes: int, max_depth: int) -> Any:
    """Strict JSON: UTF-8 only, no duplicate members, no NaN/Infinity, bounded."""
    if len(data) > max_bytes:
        raise JsonError("too large")
    try:
        text = data.decode("utf-8")
        # Lone surrogates are not UTF-8 either.
        value = json.loads(
            text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant
        )
        _check_strings(value)
    except (UnicodeError, ValueError, RecursionError) as err:
        raise JsonError(str(err) or "invalid JSON") from None
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


_B64URL = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def b64url_decode(text: str) -> bytes | None:
    """Canonical unpadded base64url, or None (padding, other alphabets, non-zero
    spare bits and a 1-char remainder are all refused)."""
    try:
        raw = text.encode("ascii")
    except UnicodeError:
        return None
    if len(raw) % 4 == 1 or any(c not in _B64URL for c in raw):
        return None
    try:
        out = base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4))
    except (binascii.Error, ValueError):
        return None
    if base64.urlsafe_b64encode(out).rstrip(b"=") != raw:
        return None  # non-zero spare bits: not the canonical spelling
    return out


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


def read_claims(payload: Any) -> Claims:
    if not isinstance(payload, dict):
        raise TokenError("MALFORMED", "claims are not a JSON object")
    fields: dict[str, Any] = {"issuer": "", "session_id": "", "token_id": "", "client_id": ""}
    audience: list[str] = []
    custom: dict[str, Any] = {}
    for name, value in payload.items():
        if name == "sgen":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise TokenError("MALFORMED", 'claim "sgen" is not a non-negative integer')
            fields["subject_generation"] = value
        elif name in ("iss", "sub", "jti", "sid", "client_id"):
            key = {"iss": "issuer", "sub": "subject", "jti": "token_id", "sid": "session_id",
                   "client_id": "client_id"}[name]
            fields[key] = _string(name, value)
        elif name in ("exp", "iat", "nbf"):
            key = {"exp": "expires_at", "iat": "issued_at", "nbf": "not_before"}[name]
            fields[key] = _numeric_date(name, value)
        elif name == "aud":
            if isinstance(value, str):
                audience.append(value)
            elif isinstance(value, list):
                for element in value:
                    if not isinstance(element, str):
                        raise TokenError("MALFORMED", 'claim "aud" holds a non-string')
                    audience.append(element)
            else:
                raise TokenError("MALFORMED", 'claim "aud" is neither a string nor an array')
        else:
            custom[name] = value
    if "expires_at" not in fields:
        raise TokenError("MALFORMED", 'claim "exp" missing')
    if "issued_at" not in fields:
        raise TokenError("MALFORMED", 'claim "iat" missing')
    if not fields.get("subject"):
        raise TokenError("MALFORMED", 'claim "sub" missing or empty')
    # Read-only: verified claims are cached and shared between requests.
    return Claims(audience=tuple(audience), custom=types.MappingProxyType(custom), **fields)


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
    return dataclasses.replace(read_claims(payload), algorithm=key.algorithm, kid=key.kid)


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
    if claims.issued_at > now + policy.leeway:
        raise TokenError("NOT_YET_VALID", "iat is in the future")
    if claims.issuer != policy.issuer:
        raise TokenError("WRONG_ISSUER", "iss is not the expected issuer")
    if policy.audience and not any(a in claims.audience for a in policy.audience):
        raise TokenError("WRONG_AUDIENCE", "no expected audience in aud")
