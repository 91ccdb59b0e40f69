"""Reading request bodies and writing answers, with the API's limits."""

from __future__ import annotations

import json
from typing import Any

import flask

MAX_BODY_BYTES = 16 * 1024


class BodyError(Exception):
    """A request body the API refuses: 413 (too_large) or 400 (invalid_request)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def answer(status: int, body: Any) -> flask.Response:
    """A JSON answer. Every answer is per-user data or an error: never cached."""
    response = flask.Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n",
        status=status,
        content_type="application/json",
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def error(status: int, code: str, detail: str = "") -> flask.Response:
    body = {"error": code}
    if detail:
        body["detail"] = detail
    return answer(status, body)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _has_surrogate(value: Any) -> bool:
    """A lone surrogate (from a \\ud800 escape) is not a character: it cannot be
    encoded as UTF-8, so it must not get into the table or tesserad's claims."""
    if isinstance(value, str):
        return any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


def read_object(allowed: frozenset[str]) -> dict[str, Any]:
    """The request body: exactly one JSON object of valid UTF-8, at most
    MAX_BODY_BYTES, whose members are all in `allowed`. Raises BodyError."""
    length = flask.request.content_length
    if length is not None and length > MAX_BODY_BYTES:
        raise BodyError(413, "request body larger than 16 KiB")
    raw = flask.request.stream.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        raise BodyError(413, "request body larger than 16 KiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyError(400, "the request body is not valid UTF-8") from None
    if not text.lstrip(" \t\r\n").startswith("{"):
        raise BodyError(400, "the request body must be a JSON object")
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise BodyError(400, "the request body is nested too deeply") from None
    except ValueError as err:
        position = getattr(err, "pos", None)
        where = f" (at byte {position})" if isinstance(position, int) else ""
        raise BodyError(400, f"the request body is not valid JSON{where}") from None
    if not isinstance(value, dict):
        raise BodyError(400, "the request body must be a JSON object")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise BodyError(
            400,
            f"the request body does not match the schema: unknown field {json.dumps(unknown[0])}",
        )
    if _has_surrogate(value):
        raise BodyError(400, "the request body holds an unpaired surrogate escape")
    return value


def optional_string(body: dict[str, Any], name: str) -> str | None:
    """body[name] if it is a string, None if absent or null; BodyError otherwise."""
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise BodyError(400, f"field {json.dumps(name)} must be a string")
    return value
