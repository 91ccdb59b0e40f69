"""Flask extension: protect routes with Tessera access tokens.

    app.config.update(TESSERA_TARGET="127.0.0.1:50051", TESSERA_AUDIENCE=["api"])
    tessera_ext = Tessera(app)            # or Tessera() + init_app(app)

    @app.get("/me")
    @require_session()
    def me():
        return {"user": current_session.subject}

Every refusal is the shared HTTP answer contract (docs/http-contract.md,
tests/conformance/http.json): 401 TOKEN_MISSING, 400 AUTHORIZATION_MALFORMED,
401 with Tessera-Reason, 503 + Retry-After while the Verifier is not in sync.
A route's own requirements: `audience=` (the token's `aud` must name one of
them, else 401 WRONG_AUDIENCE) and `claims=` (each custom claim must equal the
value, contain it when the claim is a list, or satisfy it when the value is a
callable; else 403 insufficient_scope, reason CLAIMS_MISSING).

Configuration (app.config): TESSERA_TARGET (required unless TESSERA_VERIFIER
is given), TESSERA_AUDIENCE (list) or TESSERA_ACCEPT_ANY_AUDIENCE,
TESSERA_ISSUER ("tessera"), TESSERA_LEEWAY (30), TESSERA_MAX_STALENESS (30),
TESSERA_HORIZON (930), TESSERA_READY_TIMEOUT (5: how long the first request
of a process waits for the Verifier's first snapshot), TESSERA_CA_FILE,
TESSERA_CERT_FILE and TESSERA_KEY_FILE (TLS, mTLS), TESSERA_API_KEY,
TESSERA_ALLOW_INSECURE, TESSERA_VERIFIER (a ready tessera.Verifier; the
extension then does not own it), and for the blueprint TESSERA_REFRESH_COOKIE
("tessera_refresh") and TESSERA_COOKIE_SECURE (True).

The Verifier is created on first use in each process, so each gunicorn worker
gets its own channel and stream thread (and a Verifier made before a fork
restarts itself in the child anyway).
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

import flask
from werkzeug.local import LocalProxy

from tessera import http
from tessera._channel import Credentials
from tessera.client import Client
from tessera.errors import TesseraError
from tessera.token import Claims
from tessera.verifier import Verifier

F = TypeVar("F", bound=Callable[..., Any])
_EXTENSION_KEY = "tessera"


def _answer_response(answer: http.Answer) -> flask.Response:
    response = flask.Response(answer.body, status=answer.status)
    response.headers.clear()
    for name, value in answer.headers:
        response.headers[name] = value
    return response


def _forbidden() -> flask.Response:
    return _answer_response(http.Answer(
        403,
        (("WWW-Authenticate", f'Bearer realm="{http.REALM}", error="insufficient_scope"'),
         ("Cache-Control", "no-store"), ("Content-Type", "application/json")),
        '{"error":"insufficient_scope","reason":"CLAIMS_MISSING"}',
    ))


class Tessera:
    def __init__(self, app: flask.Flask | None = None) -> None:
        self._lock = threading.Lock()
        self._verifiers: dict[tuple[int, int], Verifier] = {}
        self._clients: dict[tuple[int, int], Client] = {}
        if app is not None:
            self.init_app(app)

    def init_app(self, app: flask.Flask) -> None:
        cfg = app.config
        cfg.setdefault("TESSERA_ISSUER", "tessera")
        cfg.setdefault("TESSERA_AUDIENCE", [])
        cfg.setdefault("TESSERA_ACCEPT_ANY_AUDIENCE", False)
        cfg.setdefault("TESSERA_LEEWAY", 30.0)
        cfg.setdefault("TESSERA_MAX_STALENESS", 30.0)
        cfg.setdefault("TESSERA_HORIZON", 15 * 60 + 30.0)
        cfg.setdefault("TESSERA_ALLOW_INSECURE", False)
        cfg.setdefault("TESSERA_READY_TIMEOUT", 5.0)
        cfg.setdefault("TESSERA_REFRESH_COOKIE", "tessera_refresh")
        cfg.setdefault("TESSERA_COOKIE_SECURE", True)
        if not cfg.get("TESSERA_VERIFIER") and not cfg.get("TESSERA_TARGET"):
            raise ValueError("Tessera: set TESSERA_TARGET (tesserad's gRPC address)")
        if isinstance(cfg["TESSERA_AUDIENCE"], str):
            cfg["TESSERA_AUDIENCE"] = [cfg["TESSERA_AUDIENCE"]]
        app.extensions[_EXTENSION_KEY] = self

    # --- per-process objects --------------------------------------------------

    def _credentials(self, cfg: Mapping[str, Any]) -> Credentials:
        if cfg.get("TESSERA_CA_FILE") or cfg.get("TESSERA_CERT_FILE"):
            return Credentials.tls_from_files(
                cfg.get("TESSERA_CA_FILE"), cfg.get("TESSERA_CERT_FILE"),
                cfg.get("TESSERA_KEY_FILE"), cfg.get("TESSERA_API_KEY"))
        return Credentials(api_key=cfg.get("TESSERA_API_KEY"))

    def verifier(self, app: flask.Flask | None = None) -> Verifier:
        """This process's Verifier for `app` (the current app by default)."""
        app = app or flask.current_app._get_current_object()  # type: ignore[attr-defined]
        given = app.config.get("TESSERA_VERIFIER")
        if given is not None:
            return cast(Verifier, given)
        key = (id(app), os.getpid())
        verifier = self._verifiers.get(key)
        if verifier is None:
            with self._lock:
                verifier = self._verifiers.get(key)
                if verifier is None:
                    cfg = app.config
                    verifier = Verifier(
                        cfg["TESSERA_TARGET"], audience=cfg["TESSERA_AUDIENCE"],
                        accept_any_audience=cfg["TESSERA_ACCEPT_ANY_AUDIENCE"],
                        issuer=cfg["TESSERA_ISSUER"], credentials=self._credentials(cfg),
                        allow_insecure=cfg["TESSERA_ALLOW_INSECURE"],
                        leeway=cfg["TESSERA_LEEWAY"], max_staleness=cfg["TESSERA_MAX_STALENESS"],
                        horizon=cfg["TESSERA_HORIZON"],
                    )
                    self._verifiers[key] = verifier
                    # The first request of a process waits (bounded) for the first
                    # snapshot instead of answering 503 at once.
                    verifier.wait_until_ready(cfg["TESSERA_READY_TIMEOUT"])
        return verifier

    def client(self, app: flask.Flask | None = None) -> Client:
        """This process's Client for `app` (refresh/logout; issuing at login)."""
        app = app or flask.current_app._get_current_object()  # type: ignore[attr-defined]
        key = (id(app), os.getpid())
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                cfg = app.config
                client = Client(cfg["TESSERA_TARGET"], credentials=self._credentials(cfg),
                                allow_insecure=cfg["TESSERA_ALLOW_INSECURE"])
                self._clients[key] = client
        return client

    def close(self) -> None:
        with self._lock:
            for verifier in self._verifiers.values():
                verifier.close()
            for client in self._clients.values():
                client.close()
            self._verifiers.clear()
            self._clients.clear()

    # --- the request path -------------------------------------------------------

    def authenticate(self) -> Claims | flask.Response:
        """The current request's Claims, or the Response to send instead."""
        fields = wsgi_authorization_fields(flask.request.headers.getlist("Authorization"))
        verifier = self.verifier()
        result = http.authenticate(fields, verifier.verify)
        if isinstance(result, http.Answer):
            return _answer_response(result)
        return result


def _is_bearer_start(piece: str) -> bool:
    lowered = piece.strip(" \t").lower()
    return lowered == "bearer" or lowered.startswith(("bearer ", "bearer\t"))


def wsgi_authorization_fields(values: Sequence[str]) -> list[str]:
    """Undoes WSGI's joining of repeated Authorization fields into one value
    ("a, b"): a comma-separated piece that starts with the Bearer scheme can only
    be a second field (a b64token holds no comma), so the request is judged as
    sending several fields (400). Other commas (e.g. Digest parameters) stay."""
    out: list[str] = []
    for value in values:
        pieces = value.split(",")
        later_bearer = any(_is_bearer_start(p) for p in pieces[1:])
        out.extend(pieces if later_bearer else [value])
    return out


def _extension() -> Tessera:
    ext = flask.current_app.extensions.get(_EXTENSION_KEY)
    if ext is None:
        raise RuntimeError("Tessera(app) / init_app(app) was not called for this app")
    return cast(Tessera, ext)


def _claims_satisfied(claims: Claims, required: Mapping[str, Any]) -> bool:
    for name, want in required.items():
        if name not in claims.custom:
            return False
        have = claims.custom[name]
        if callable(want):
            try:
                if not want(have):
                    return False
            except Exception:  # noqa: BLE001  (a failing predicate denies)
                return False
        elif isinstance(have, list) and not isinstance(want, list):
            if want not in have:
                return False
        elif have != want:
            return False
    return True


def require_session(
    audience: str | Sequence[str] | None = None,
    claims: Mapping[str, Any] | None = None,
) -> Callable[[F], F]:
    """Decorator: the route runs only with a valid access token; the claims are in
    `current_session` (see the module docstring for `audience` and `claims`)."""
    audiences = (audience,) if isinstance(audience, str) else tuple(audience or ())
    required = dict(claims or {})

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = _extension().authenticate()
            if isinstance(result, flask.Response):
                return result
            if audiences and not any(a in result.audience for a in audiences):
                return _answer_response(http.refused("WRONG_AUDIENCE"))
            if required and not _claims_satisfied(result, required):
                return _forbidden()
            flask.g._tessera_session = result
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


def _current() -> Claims:
    session = flask.g.get("_tessera_session")
    if session is None:
        raise RuntimeError("current_session is only set inside a @require_session route")
    return cast(Claims, session)


current_session: Claims = cast(Claims, LocalProxy(_current))


# --- optional blueprint: refresh and logout with the refresh token in a cookie -----


def set_refresh_cookie(response: flask.Response, refresh_token: str, max_age: int | None = None,
                       path: str = "/") -> None:
    """Stores the refresh token as an HttpOnly, SameSite=Strict cookie (Secure
    unless TESSERA_COOKIE_SECURE is False, e.g. plain-http tests)."""
    cfg = flask.current_app.config
    response.set_cookie(cfg["TESSERA_REFRESH_COOKIE"], refresh_token, max_age=max_age,
                        httponly=True, secure=cfg["TESSERA_COOKIE_SECURE"],
                        samesite="Strict", path=path)


def _token_response(tokens: Any, path: str) -> flask.Response:
    response = flask.jsonify({
        "access_token": tokens.access_token,
        "token_type": "Bearer",
        "expires_at": tokens.access_expires_at.ToJsonString(),
    })
    response.headers["Cache-Control"] = "no-store"
    max_age = max(0, int(tokens.refresh_expires_at.seconds - time.time()))
    set_refresh_cookie(response, tokens.refresh_token, max_age=max_age, path=path)
    return response


def blueprint(name: str = "tessera_auth", url_prefix: str = "/auth") -> flask.Blueprint:
    """POST {prefix}/refresh: rotates the refresh-token cookie, answers
    {"access_token","token_type","expires_at"}; 401 {"error":"invalid_grant",
    "reason":R} (and the cookie cleared) when tesserad refuses. POST
    {prefix}/logout: revokes the cookie's session and clears it; 204."""
    bp = flask.Blueprint(name, __name__, url_prefix=url_prefix)

    def refused(reason: str, status: int = 401) -> flask.Response:
        response = flask.Response(
            f'{{"error":"invalid_grant","reason":"{reason}"}}', status=status,
            content_type="application/json")
        response.headers["Cache-Control"] = "no-store"
        response.delete_cookie(flask.current_app.config["TESSERA_REFRESH_COOKIE"],
                               path=url_prefix)
        return response

    @bp.post("/refresh")
    def refresh() -> flask.Response:
        token = flask.request.cookies.get(flask.current_app.config["TESSERA_REFRESH_COOKIE"])
        if not token:
            return refused("REFRESH_TOKEN_MISSING")
        if len(token) > 1024 or not token.isascii():
            return refused("REFRESH_TOKEN_INVALID")
        try:
            tokens = _extension().client().refresh_session(token)
        except TesseraError as err:
            if err.code.name in ("UNAUTHENTICATED", "INVALID_ARGUMENT") and err.reason:
                return refused(err.reason)  # the cookie is no good: sign in again
            return _answer_response(http.unavailable())
        return _token_response(tokens, url_prefix)

    @bp.post("/logout")
    def logout() -> flask.Response:
        cfg = flask.current_app.config
        token = flask.request.cookies.get(cfg["TESSERA_REFRESH_COOKIE"])
        if token and len(token) <= 1024 and token.isascii():
            try:
                _extension().client().revoke_session(refresh_token=token, reason="logout")
            except TesseraError:
                return _answer_response(http.unavailable())
        response = flask.Response(status=204)
        response.headers["Cache-Control"] = "no-store"
        response.delete_cookie(cfg["TESSERA_REFRESH_COOKIE"], path=url_prefix)
        return response

    return bp
