"""openapi.json lists exactly the routes the app serves."""

from __future__ import annotations

import json
import pathlib
import re

from example_api import create_app
from example_api.config import Config
from tests.conftest import Harness

HERE = pathlib.Path(__file__).resolve().parent.parent
DOCUMENT = HERE / "example_api" / "openapi.json"
OPERATIONS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def documented() -> tuple[set[str], dict[str, bool]]:
    doc = json.loads(DOCUMENT.read_text())
    assert doc["openapi"].startswith("3.1.")
    routes, bearer = set(), {}
    for path, item in doc["paths"].items():
        for key, op in item.items():
            if key in OPERATIONS:
                routes.add(f"{key.upper()} {path}")
                bearer[f"{key.upper()} {path}"] = any("bearer" in r for r in op.get("security", []))
    return routes, bearer


def served() -> set[str]:
    app = create_app(Config(tessera_address="127.0.0.1:1"))
    out = set()
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            out.add(f"{method} {path}")
    return out


def test_openapi_lists_exactly_the_served_routes() -> None:
    routes, _ = documented()
    assert routes == served()


def test_openapi_security_matches_the_extension(harness: Harness) -> None:
    _, bearer = documented()
    for route, protected in bearer.items():
        method, path = route.split(" ", 1)
        concrete = path.replace("{session_id}", "sAlice0").replace("{n}", "1")
        r = harness.call(method, concrete)  # no token
        assert (r.status_code == 401) == protected, route


def test_openapi_is_served(harness: Harness) -> None:
    r = harness.call("GET", "/openapi.json")
    assert r.status_code == 200 and r.get_data() == DOCUMENT.read_bytes()
    assert r.headers["Content-Type"] == "application/json"


def test_same_document_as_the_go_api() -> None:
    """Both examples implement one contract, so they publish one document (the
    web apps' typed clients are generated from it)."""
    go = HERE.parent.parent / "sveltekit-go" / "api" / "openapi.json"
    assert DOCUMENT.read_bytes() == go.read_bytes()
