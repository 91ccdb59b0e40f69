"""The API's routes (the examples' contract), registered by register()."""

from __future__ import annotations

import datetime
import logging
import threading
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import flask
from tessera import errors as terr
from tessera.flask import current_session, require_session

from example_api.jsonio import BodyError, answer, error, optional_string, read_object
from example_api.users import User, Users

log = logging.getLogger("example_api")

MAX_NAME_CHARS = 64
MAX_USERNAME_CHARS = 256
MAX_PASSWORD_CHARS = 1024
MAX_SESSION_ID_CHARS = 64
ITEM_COUNT = 100
MAX_DEVICE_PAGES = 4  # ListSessions pages one request reads
WAIT_TIMEOUT = 5.0  # seconds to wait for the Verifier to apply a change
ROLES = ("admin", "member")
_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class Authority(Protocol):
    """What the API asks tesserad; tessera.Client is one. The API never issues
    sessions: the web app does."""

    def get_session(self, session_id: str) -> Any: ...
    def list_sessions(
        self, subject: str, *, page_size: int = ..., page_token: str = ...
    ) -> Any: ...
    def revoke_session(
        self, *, session_id: str | None = ..., subject: str | None = ..., reason: str = ...
    ) -> Any: ...
    def update_claims(
        self,
        subject: str,
        claims: Mapping[str, Any],
        *,
        mode: str | None = ...,
        invalidate_access_tokens: bool = ...,
    ) -> Any: ...


class Waiter(Protocol):
    """The API's own Verifier, as the routes use it; tessera.Verifier is one."""

    def wait_for_sequence(self, sequence: int, timeout: float) -> bool: ...
    def wait_until_ready(self, timeout: float) -> bool: ...


class Api:
    """The routes' state: the user table, tesserad and the Verifier (found lazily,
    so each process makes its own)."""

    def __init__(
        self, users: Users, authority: Callable[[], Authority], verifier: Callable[[], Waiter]
    ) -> None:
        self.users = users
        self.authority = authority
        self.verifier = verifier
        self.edit_lock = threading.Lock()  # profile edits: claims end in table order
        self.wait_timeout = WAIT_TIMEOUT


def _upstream(rpc: str, err: terr.TesseraError) -> flask.Response:
    """Unavailable, overloaded or timed out: 503 (retry). Anything else: 502."""
    log.warning("tesserad call failed: rpc=%s code=%s reason=%s", rpc, err.code.name, err.reason)
    if isinstance(err, (terr.Unavailable, terr.DeadlineExceeded, terr.ResourceExhausted)):
        response = error(503, "tessera_unavailable", "the token authority is unavailable")
        response.headers["Retry-After"] = "2"
        return response
    return error(502, "upstream_error", "the token authority refused the request")


def _await(api: Api, sequence: int) -> flask.Response | None:
    """None once this API's Verifier has applied `sequence`; else the 503 to send
    (the change is made, but this API might still accept what it revoked)."""
    if api.verifier().wait_for_sequence(sequence, api.wait_timeout):
        return None
    log.warning("verifier did not reach sequence %d", sequence)
    response = error(
        503, "verifier_lagging", "the change is made, but this API has not applied it yet"
    )
    response.headers["Retry-After"] = "2"
    return response


def _name_problem(name: str) -> str:
    if not name or not name.strip():
        return '"name" must not be empty'
    if len(name) > MAX_NAME_CHARS:
        return '"name" must be at most 64 characters'
    if any(unicodedata.category(c) == "Cc" or c in "\u2028\u2029" for c in name):
        return '"name" must not contain control characters'
    return ""


def _rfc3339(timestamp: Any) -> str:
    moment = datetime.datetime.fromtimestamp(timestamp.seconds, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _live(session: Any, now: float) -> bool:
    if session.HasField("revoked_at"):
        return False
    for end in ("expires_at", "idle_expires_at"):
        if session.HasField(end):
            t = getattr(session, end)
            if now >= t.seconds + t.nanos / 1e9:
                return False
    return True


def _client_label(info: Any) -> str:
    return str(info.device_name or info.user_agent)


def _plausible_session_id(session_id: str) -> bool:
    return 0 < len(session_id) <= MAX_SESSION_ID_CHARS and set(session_id) <= _B64URL


def _item_number(text: str) -> int | None:
    """{n}: a canonical decimal 0..99."""
    if not text or len(text) > 2 or not text.isascii() or not text.isdigit():
        return None
    if len(text) > 1 and text[0] == "0":
        return None
    return int(text)


def _body_error(err: BodyError) -> flask.Response:
    return error(err.status, "too_large" if err.status == 413 else "invalid_request", err.detail)


def _profile(user: User) -> dict[str, str]:
    return {
        "subject": user.subject,
        "session_id": current_session.session_id,
        "name": user.name,
        "role": user.role,
    }


def register(app: flask.Flask, api: Api) -> None:  # noqa: C901  (one function per route)
    def route(rule: str, methods: Sequence[str]) -> Callable[[Any], Any]:
        return app.route(rule, methods=list(methods), provide_automatic_options=False)

    @route("/healthz", ["GET"])
    def healthz() -> flask.Response:
        return answer(200, {"ok": True, "verifier_ready": api.verifier().wait_until_ready(0)})

    @route("/openapi.json", ["GET"])
    def openapi() -> flask.Response:
        response = flask.Response(
            app.extensions["example_openapi"], content_type="application/json"
        )
        response.headers["Cache-Control"] = "no-cache"
        return response

    @route("/api/credentials/check", ["POST"])
    def check_credentials() -> flask.Response:
        try:
            body = read_object(frozenset({"username", "password"}))
            username, password = (
                optional_string(body, "username"),
                optional_string(body, "password"),
            )
        except BodyError as err:
            return _body_error(err)
        if username is None or password is None:
            return error(400, "invalid_request", '"username" and "password" are required')
        if len(username) > MAX_USERNAME_CHARS or len(password) > MAX_PASSWORD_CHARS:
            return error(400, "invalid_request", "username or password too long")
        user = api.users.check(username, password)
        if user is None:
            return error(401, "bad_credentials")
        return answer(200, user.as_json())

    def current_user() -> User | flask.Response:
        user = api.users.get(current_session.subject)
        if user is None:
            return error(404, "not_found", "the token's subject is not a user of this API")
        return user

    @route("/api/profile", ["GET"])
    @require_session()
    def get_profile() -> flask.Response:
        user = current_user()
        return user if isinstance(user, flask.Response) else answer(200, _profile(user))

    @route("/api/profile", ["PATCH"])
    @require_session()
    def patch_profile() -> flask.Response:
        """Table, then tesserad's claims (older access tokens become STALE_CLAIMS),
        then wait until this API's Verifier refuses them. If tesserad refuses the
        change, the table is put back."""
        try:
            body = read_object(frozenset({"name", "role"}))
            name, role = optional_string(body, "name"), optional_string(body, "role")
        except BodyError as err:
            return _body_error(err)
        if name is None and role is None:
            return error(400, "invalid_request", 'give "name" or "role"')
        if name is not None and (problem := _name_problem(name)):
            return error(400, "invalid_request", problem)
        if role is not None and role not in ROLES:
            return error(400, "invalid_request", '"role" must be "admin" or "member"')
        with api.edit_lock:
            before = current_user()
            if isinstance(before, flask.Response):
                return before
            after = User(
                before.subject,
                name if name is not None else before.name,
                role if role is not None else before.role,
            )
            api.users.set(after)
            try:
                result = api.authority().update_claims(
                    after.subject,
                    {"name": after.name, "role": after.role},
                    mode="merge_patch",
                    invalidate_access_tokens=True,
                )
            except terr.TesseraError as err:
                api.users.set(before)
                return _upstream("UpdateClaims", err)
            lagging = _await(api, result.sequence)
            return lagging or answer(200, _profile(after))

    @route("/api/devices", ["GET"])
    @require_session()
    def list_devices() -> flask.Response:
        sessions: list[Any] = []
        token = ""
        try:
            for _ in range(MAX_DEVICE_PAGES):
                page = api.authority().list_sessions(
                    current_session.subject, page_size=500, page_token=token
                )
                sessions.extend(page.sessions)
                token = page.next_page_token
                if not token:
                    break
        except terr.TesseraError as err:
            return _upstream("ListSessions", err)
        now = datetime.datetime.now(datetime.timezone.utc).timestamp()
        alive = [s for s in sessions if _live(s, now)]
        alive.sort(key=lambda s: (s.created_at.seconds, s.created_at.nanos), reverse=True)
        return answer(
            200,
            {
                "devices": [
                    {
                        "session_id": s.session_id,
                        "client": _client_label(s.client),
                        "created_at": _rfc3339(s.created_at),
                        "current": s.session_id == current_session.session_id,
                    }
                    for s in alive
                ]
            },
        )

    @route("/api/devices/<session_id>", ["DELETE"])
    @require_session()
    def revoke_device(session_id: str) -> flask.Response:
        """Another user's session, an unknown one and a malformed id all get the
        same 404: the answer says nothing about sessions the caller does not own."""
        not_found = error(404, "not_found", "no such device")
        if not _plausible_session_id(session_id):
            return not_found
        try:
            session = api.authority().get_session(session_id)
        except (terr.NotFound, terr.SessionIdInvalid):
            return not_found
        except terr.TesseraError as err:
            return _upstream("GetSession", err)
        if session.subject != current_session.subject:
            return not_found
        try:
            result = api.authority().revoke_session(
                session_id=session_id, reason="revoked from the devices page"
            )
        except terr.TesseraError as err:
            return _upstream("RevokeSession", err)
        lagging = _await(api, result.sequence)
        if lagging:
            return lagging
        response = flask.Response(status=204)
        response.headers["Cache-Control"] = "no-store"
        return response

    @route("/api/devices/revoke-all", ["POST"])
    @require_session()
    def revoke_all() -> flask.Response:
        try:
            result = api.authority().revoke_session(
                subject=current_session.subject, reason="signed out everywhere"
            )
        except terr.TesseraError as err:
            return _upstream("RevokeSession", err)
        lagging = _await(api, result.sequence)
        return lagging or answer(
            200, {"revoked": max(result.revoked_count, 0), "sequence": result.sequence}
        )

    @route("/api/items/<n>", ["GET"])
    @require_session()
    def item(n: str) -> flask.Response:
        number = _item_number(n)
        if number is None:
            return error(404, "not_found", "items are numbered 0 to 99")
        return answer(200, {"n": number, "subject": current_session.subject})
