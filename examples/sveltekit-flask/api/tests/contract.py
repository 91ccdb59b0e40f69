"""Checks answers against openapi.json: the operation must document the status,
and a JSON body must match the documented schema. A small validator for the
JSON Schema the document uses (type, const, enum, required, properties,
additionalProperties, items, minimum/maximum, min/maxLength, $ref, oneOf)."""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any

DOCUMENT = json.loads(
    (pathlib.Path(__file__).resolve().parent.parent / "example_api" / "openapi.json").read_text()
)
_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
    "null": (type(None),),
}


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = DOCUMENT
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _scalar_problems(schema: dict[str, Any], value: Any, where: str) -> list[str]:
    out: list[str] = []
    if "const" in schema and value != schema["const"]:
        out.append(f"{where}: {value!r} != const {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{where}: {value!r} not in {schema['enum']}")
    if isinstance(value, str) and not (
        schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", 10**9)
    ):
        out.append(f"{where}: length {len(value)} out of bounds")
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and not (schema.get("minimum", -(10**18)) <= value <= schema.get("maximum", 10**18))
    ):
        out.append(f"{where}: {value} out of bounds")
    return out


def _object_problems(schema: dict[str, Any], value: dict[str, Any], where: str) -> list[str]:
    out = [f"{where}: missing {name!r}" for name in schema.get("required", []) if name not in value]
    properties = schema.get("properties", {})
    for name, member in value.items():
        if name in properties:
            out += problems(properties[name], member, f"{where}.{name}")
        elif schema.get("additionalProperties") is False:
            out.append(f"{where}: unexpected {name!r}")
    return out


def problems(schema: dict[str, Any], value: Any, where: str = "$") -> list[str]:
    """What is wrong with value under schema (empty if it conforms)."""
    schema = _resolve(schema)
    if "oneOf" in schema:
        matches = [s for s in schema["oneOf"] if not problems(s, value, where)]
        return [] if len(matches) == 1 else [f"{where}: matches {len(matches)} of oneOf"]
    kind = schema.get("type")
    if kind is not None and (
        not isinstance(value, _TYPES[kind])
        or (kind in ("integer", "number") and isinstance(value, bool))
    ):
        return [f"{where}: {value!r} is not {kind}"]
    out = _scalar_problems(schema, value, where)
    if isinstance(value, dict):
        out += _object_problems(schema, value, where)
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            out += problems(schema["items"], item, f"{where}[{i}]")
    return out


def _operation(method: str, path: str) -> dict[str, Any] | None:
    paths: dict[str, Any] = DOCUMENT["paths"]
    if method.lower() in paths.get(path, {}):  # a literal path wins (revoke-all)
        return paths[path][method.lower()]  # type: ignore[no-any-return]
    for template, item in paths.items():
        pattern = "^" + re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return item[method.lower()]  # type: ignore[no-any-return]
    return None


def check(method: str, path: str, status: int, content_type: str, body: bytes) -> list[str]:
    """What the answer gets wrong about the document (empty if nothing). An
    undocumented route or method is not checked here (the 404/405 tests are)."""
    operation = _operation(method, path.split("?", 1)[0])
    if operation is None:
        return []
    responses = operation["responses"]
    if str(status) not in responses:
        return [f"{method} {path}: status {status} is not documented"]
    response = _resolve(responses[str(status)])
    content = response.get("content")
    if content is None:
        return [] if not body else [f"{method} {path}: {status} documented without a body"]
    if not content_type.startswith("application/json"):
        return [f"{method} {path}: content type {content_type!r}"]
    return problems(content["application/json"]["schema"], json.loads(body))
