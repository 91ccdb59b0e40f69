"""The Flask API of the SvelteKit + Flask example: a profile resource and a "your
devices" list, protected by tessera.flask, described by the OpenAPI document it
serves at /openapi.json. create_app() builds it; `python -m example_api` serves it
with the configuration from the environment (example_api.config)."""

from __future__ import annotations

import importlib.resources
import logging
import time
from collections.abc import Callable
from typing import Any

import flask
from tessera.flask import Tessera
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from example_api.config import Config
from example_api.jsonio import MAX_BODY_BYTES, error
from example_api.routes import Api, Authority, Waiter, register
from example_api.users import Users

__all__ = ["create_app"]

log = logging.getLogger("example_api")
_IMPLICIT_METHODS = frozenset({"HEAD", "OPTIONS"})


def create_app(
    config: Config,
    *,
    authority: Authority | None = None,
    verifier: Waiter | None = None,
    users: Users | None = None,
) -> flask.Flask:
    """The API. By default it talks to tesserad at config.tessera_address with the
    extension's per-process Client and Verifier; tests pass fakes instead."""
    app = flask.Flask(__name__, static_folder=None)
    app.config.update(config.flask_config())
    if verifier is not None:
        app.config["TESSERA_VERIFIER"] = verifier
    ext = Tessera(app)
    app.extensions["example_openapi"] = (
        importlib.resources.files("example_api").joinpath("openapi.json").read_bytes()
    )
    get_authority: Callable[[], Authority] = (
        (lambda: authority) if authority is not None else (lambda: ext.client(app))
    )
    get_verifier: Callable[[], Waiter] = (
        (lambda: verifier) if verifier is not None else (lambda: ext.verifier(app))
    )
    register(app, Api(users or Users(), get_authority, get_verifier))
    _install_guards(app)
    return app


def _allow(methods: Any) -> str:
    return ", ".join(sorted(set(methods or ()) - _IMPLICIT_METHODS))


def _install_guards(app: flask.Flask) -> None:
    """Limits and the JSON answers for what no route handles. Never a 500 page:
    an unexpected error is logged and answered 500 JSON without details."""

    @app.before_request
    def bounded() -> flask.Response | None:
        flask.g.started = time.monotonic()
        length = flask.request.content_length
        if length is not None and length > MAX_BODY_BYTES:
            return error(413, "too_large", "request body larger than 16 KiB")
        if flask.request.method in _IMPLICIT_METHODS and flask.request.url_rule is not None:
            adapter = app.url_map.bind_to_environ(flask.request.environ)
            allow = _allow(adapter.allowed_methods())
            response = error(405, "method_not_allowed", "allowed: " + allow)
            response.headers["Allow"] = allow
            return response
        return None

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> flask.Response:
        if isinstance(err, MethodNotAllowed):
            allow = _allow(err.valid_methods)
            response = error(405, "method_not_allowed", "allowed: " + allow)
            response.headers["Allow"] = allow
            return response
        status = err.code or 500
        code = {404: "not_found", 413: "too_large"}.get(status, "invalid_request")
        return error(status, code, "no such route" if status == 404 else "")

    @app.errorhandler(Exception)
    def unexpected(err: Exception) -> flask.Response:
        log.exception("unexpected error: %s", type(err).__name__)
        return error(500, "internal")

    @app.after_request
    def logged(response: flask.Response) -> flask.Response:
        """Method, path, status, duration. Never headers, bodies or query strings
        (tokens must not reach the logs)."""
        started = flask.g.get("started", time.monotonic())
        log.info(
            "request method=%s path=%s status=%d duration_ms=%d",
            flask.request.method,
            flask.request.path,
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return response
