"""The fast paths of token parsing agree with the plain definitions they replace."""

from __future__ import annotations

import base64
import dataclasses
import itertools
import json

import pytest

from tessera import token as tok

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def reference_b64url_decode(text: str) -> bytes | None:
    """Decode, then refuse any spelling that is not the canonical re-encoding."""
    if len(text) % 4 == 1 or any(c not in ALPHABET for c in text):
        return None
    out = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if base64.urlsafe_b64encode(out).rstrip(b"=").decode() != text:
        return None
    return out


@pytest.mark.parametrize("prefix", ["", "QUJD", "eyJh"])
def test_b64url_every_last_group_agrees_with_reencoding(prefix):
    for n in (1, 2):
        for group in itertools.product(ALPHABET, repeat=n):
            text = prefix + "".join(group)
            assert tok.b64url_decode(text) == reference_b64url_decode(text), text
    for last in ALPHABET:  # every last character of a 3-character group
        text = prefix + "QU" + last
        assert tok.b64url_decode(text) == reference_b64url_decode(text), text


@pytest.mark.parametrize("text", ["QUJD=", "QQ==", "QU+D", "QU/D", "QU JD", "QUJ\n", "QUé",
                                  "Q\u0660", "QUJDRB", "QUJDRE"])
def test_b64url_hostile_spellings_refused(text):
    assert tok.b64url_decode(text) is None


def test_b64url_canonical_spellings():
    assert tok.b64url_decode("") == b""
    assert tok.b64url_decode("QUJDRA") == b"ABCD"
    assert tok.b64url_decode("QUJDREU") == b"ABCDE"
    assert tok.b64url_decode("-_-_") == b"\xfb\xff\xbf"


def test_json_depth_checked_when_brackets_could_exceed_it():
    deep = b"[" * 5 + b"]" * 5
    assert tok.parse_json(deep, max_bytes=100, max_depth=5) == [[[[[]]]]]
    with pytest.raises(tok.JsonError):
        tok.parse_json(b"[" + deep + b"]", max_bytes=100, max_depth=5)
    # Brackets inside strings only make the walk run; the verdict is the same.
    assert tok.parse_json(b'{"a":"[[[[[[[["}', max_bytes=100, max_depth=1) == {"a": "[[[[[[[["}


@pytest.mark.parametrize("doc", [b'{"a":"\\ud800"}', b'{"\\udfff":1}', b'["x\\udc00y"]'])
def test_json_lone_surrogate_escapes_refused(doc):
    with pytest.raises(tok.JsonError):
        tok.parse_json(doc, max_bytes=100, max_depth=4)


def test_json_escaped_pair_and_duplicates():
    assert tok.parse_json(b'{"a":"\\ud83d\\ude00"}', max_bytes=100, max_depth=4) == {
        "a": "\U0001f600"}
    with pytest.raises(tok.JsonError):
        tok.parse_json(b'{"a":1,"b":{"c":1,"c":2}}', max_bytes=100, max_depth=4)
    with pytest.raises(tok.JsonError):
        tok.parse_json(b'{"a":NaN}', max_bytes=100, max_depth=4)
    with pytest.raises(tok.JsonError):
        tok.parse_json("\ufeff{}".encode(), max_bytes=100, max_depth=4)


def test_read_claims_builds_frozen_claims_equal_to_the_constructor():
    payload = json.loads('{"iss":"tessera","sub":"u","aud":["a","b"],"exp":20,"iat":10,'
                         '"nbf":9,"jti":"j","sid":"s","client_id":"c","sgen":3,"plan":"pro"}')
    claims = tok.read_claims(payload, "ES256", "k1")
    want = tok.Claims(subject="u", session_id="s", audience=("a", "b"), issued_at=10,
                      expires_at=20, token_id="j", client_id="c", issuer="tessera",
                      subject_generation=3, not_before=9, custom={"plan": "pro"},
                      algorithm="ES256", kid="k1")
    assert claims == want
    assert claims.get("plan") == "pro"
    with pytest.raises(dataclasses.FrozenInstanceError):
        claims.subject = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        claims.custom["plan"] = "free"  # type: ignore[index]
    minimal = tok.read_claims({"sub": "u", "exp": 2, "iat": 1})
    assert (minimal.audience, minimal.not_before, minimal.subject_generation,
            minimal.issuer) == ((), None, 0, "")
