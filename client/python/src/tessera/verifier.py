"""tessera.Verifier: verifies access tokens locally and follows tesserad's revocation
stream, so a logout is honoured within milliseconds without a call per token.

A daemon thread follows WatchRevocations: the key set (KeysChanged) and the
revocation state (SessionRevoked, ClaimsInvalidated, legacy SubjectRevoked).
verify() checks the signature, caches verified tokens (bounded, per key set), and
applies expiry and the revocation state on every call, cache hits included.

Fails closed with VerifierUnavailable (distinct from TokenInvalid): until the
first snapshot_end, and whenever nothing has been heard for longer than
max_staleness on the monotonic clock. The stream reconnects by itself (backoff
50 ms .. 2 s) and resumes after the last applied sequence in the incarnation it
was seen in; a reset snapshot replaces the state. Revocations that can no longer
matter are forgotten (at most every 2 s, on the stream thread).

Fork-safe: after os.fork() (gunicorn pre-fork workers) the child gets its own
channel and stream thread, started on its first call; it keeps the parent's
state until its own stream has resumed. Around the fork itself the parent's
stream stops and its channel closes (at most FORK_PAUSE seconds), so that no
gRPC call is in flight when the process forks: gRPC skips its own fork
handlers when one is, and the child's first call can then crash. The parent
resumes its stream right after; its state stays valid meanwhile.

Thread-safe: verify() takes no lock on the hit path; state changes happen on
the stream thread only and are published by swapping references.
"""

from __future__ import annotations

import collections
import os
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from typing import Protocol

import grpc

from tessera import token as tok
from tessera._channel import Credentials, check_target, make_channel
from tessera.errors import TokenInvalid, VerifierUnavailable
from tessera.revocation import RevocationState
from tessera.v1 import token_authority_pb2 as pb
from tessera.v1 import token_authority_pb2_grpc as pb_grpc

MIN_BACKOFF = 0.05
MAX_BACKOFF = 2.0
FORGET_INTERVAL = 2.0
FORK_PAUSE = 2.0


class Clock(Protocol):
    def now(self) -> float:
        """Wall time, Unix seconds."""

    def monotonic(self) -> float:
        """Monotonic seconds."""


class SystemClock:
    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()


# A cache entry: the claims, and what a hit checks, precomputed: expires_at +
# leeway, the earliest valid time (max of not_before and issued_at, each less
# leeway), issued_at, session id, subject, subject generation.
_Entry = tuple[tok.Claims, float, float, int, str, str, int]


class _Cache:
    """Bounded cache, oldest insert evicted first: token -> _Entry. Holds only
    tokens whose signature, issuer and audience passed: those cannot change for
    a token and a Verifier. Reads take no lock (one dict look-up on `entries`);
    inserts and clears do. clear() (new key set) replaces `entries` rather than
    emptying it, and a miss inserts into the dict it read before reading the key
    set, so a token verified under an old key set can land only in a dict that
    is already discarded."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self.entries: collections.OrderedDict[str, _Entry] = collections.OrderedDict()
        self._lock = threading.Lock()

    def insert(self, entries: collections.OrderedDict[str, _Entry], token: str,
               claims: tok.Claims, leeway: float) -> None:
        if self._capacity <= 0:
            return
        valid_from = claims.issued_at - leeway
        if claims.not_before is not None:
            valid_from = max(valid_from, claims.not_before - leeway)
        entry = (claims, claims.expires_at + leeway, valid_from, claims.issued_at,
                 claims.session_id, claims.subject, claims.subject_generation)
        with self._lock:
            entries[token] = entry
            while len(entries) > self._capacity:
                entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self.entries = collections.OrderedDict()

    def __len__(self) -> int:
        return len(self.entries)


_NEVER = None


class Verifier:
    """See the module docstring. Construct, then verify(token) -> tessera.Claims."""

    def __init__(
        self,
        target: str = "",
        *,
        audience: Sequence[str] = (),
        accept_any_audience: bool = False,
        issuer: str = "tessera",
        credentials: Credentials | None = None,
        allow_insecure: bool = False,
        leeway: float = 30.0,
        max_staleness: float = 30.0,
        horizon: float = 15 * 60 + 30,
        cache_capacity: int = 10_000,
        clock: Clock | None = None,
        channel_factory: Callable[[], grpc.Channel] | None = None,
        start: bool = True,
    ) -> None:
        """Starts following tesserad at `target` (returns at once; see
        wait_until_ready). ValueError, naming the option, if the options are
        unsound: no audience without accept_any_audience (or both), an empty
        audience entry, plaintext to a non-loopback target without allow_insecure,
        a non-positive horizon or max_staleness, a negative leeway.

        horizon must be at least tesserad's --access_ttl plus --leeway.
        start=False builds a Verifier whose stream is driven by the caller (tests
        and conformance replay: _open_stream / _handle).
        """
        audience = tuple(audience)
        if not audience and not accept_any_audience:
            raise ValueError(
                "audience is empty: name the audiences this service accepts, or set "
                "accept_any_audience=True to accept tokens meant for any service"
            )
        if audience and accept_any_audience:
            raise ValueError("audience and accept_any_audience are both set")
        if any(not a for a in audience):
            raise ValueError("an audience entry is empty")
        if horizon <= 0:
            raise ValueError("horizon must be positive")
        if max_staleness <= 0:
            raise ValueError("max_staleness must be positive")
        if leeway < 0:
            raise ValueError("leeway must not be negative")
        self._credentials = credentials or Credentials()
        if start and channel_factory is None:
            check_target(target, self._credentials, allow_insecure)
        self._target = target
        self._channel_factory = channel_factory
        self._policy = tok.ClaimPolicy(issuer=issuer, audience=audience, leeway=leeway)
        self._max_staleness = max_staleness
        self._horizon = horizon
        self._clock: Clock = clock or SystemClock()
        # Bound once: the hit path reads each clock once, without a method look-up.
        self._now: Callable[[], float] = time.time if clock is None else clock.now
        self._monotonic: Callable[[], float] = (
            time.monotonic if clock is None else clock.monotonic
        )
        self._leeway = leeway
        self._cache = _Cache(cache_capacity)

        self._keys: tok.KeySet | None = None
        self._revocations = RevocationState(horizon)
        self._pending: RevocationState | None = None
        self._resuming = False
        self._synced = False  # this stream reached its snapshot_end
        self._last_heard: float | None = _NEVER
        # verify() refuses once the monotonic clock passes this: -inf until the
        # first snapshot_end and after close(), else last heard + max_staleness.
        self._fresh_until = float("-inf")
        self._last_forget: float | None = None
        self._applied = 0
        self._incarnation = ""
        self._log_hash = b""  # log_hash of _applied (PostgreSQL store)
        self._ready = False
        self._events_applied = 0
        self._connections = 0
        self._closed = False
        self._init_sync()
        self._generation = _fork_generation
        self._start = start
        if start:
            self._start_thread()
            _register_fork_handler(self)

    # --- public API -----------------------------------------------------------

    def verify(self, token: str) -> tok.Claims:
        """The claims if `token` is valid now. Raises TokenInvalid (reason) or
        VerifierUnavailable (not in sync; fail closed, answer 503)."""
        # Also the fork check: a forked child's Verifiers start at -inf.
        if self._monotonic() > self._fresh_until:
            self._refuse_unless_fresh()
        now = self._now()
        try:
            entry = self._cache.entries.get(token)
        except TypeError:  # unhashable: not a string (refused below)
            entry = None
        if entry is not None:
            # A hit: signature, issuer and audience passed when it was cached.
            claims, expires, valid_from, issued_at, session_id, subject, generation = entry
            if now >= expires:
                raise TokenInvalid("EXPIRED", "token has expired")
            if now < valid_from:
                self._check_claims(claims, now)  # raises NOT_YET_VALID (nbf or iat)
        else:
            claims = self._verify_uncached(token, now)
            session_id, subject = claims.session_id, claims.subject
            issued_at, generation = claims.issued_at, claims.subject_generation
        # RevocationState.check, inlined: the hit path's largest remaining call.
        revocations = self._revocations
        if session_id in revocations.sessions:
            raise TokenInvalid("SESSION_REVOKED", "the session was revoked")
        if revocations.subjects:
            verdict = revocations.check_subject(subject, issued_at, generation)
            if verdict == "SESSION_REVOKED":
                raise TokenInvalid(verdict, "the session was revoked")
            if verdict == "STALE_CLAIMS":
                raise TokenInvalid(verdict, "the subject's claims changed; refresh the token")
        return claims

    def _verify_uncached(self, token: object, now: float) -> tok.Claims:
        """The miss path: every check but the revocation state; caches the claims."""
        if not isinstance(token, str):
            raise TokenInvalid("MALFORMED", "token is not a string")
        if len(token) > tok.MAX_TOKEN_BYTES:
            raise TokenInvalid("MALFORMED", "token too large")
        entries = self._cache.entries  # before the key set: see _Cache
        keys = self._keys
        if keys is None:
            raise VerifierUnavailable("tesserad has not sent a key set yet")
        try:
            claims = tok.decode_and_verify_signature(token, keys)
        except tok.TokenError as err:
            raise TokenInvalid(err.reason, err.detail) from None
        self._check_claims(claims, now)
        self._cache.insert(entries, token, claims, self._leeway)
        return claims

    def _check_claims(self, claims: tok.Claims, now: float) -> None:
        try:
            tok.check_claims(claims, self._policy, now)
        except tok.TokenError as err:
            raise TokenInvalid(err.reason, err.detail) from None

    def _refuse_unless_fresh(self) -> None:
        """verify()'s slow path: a fork child's first call (which may go on with
        the parent's state), else VerifierUnavailable with the reason."""
        if self._generation != _fork_generation:
            self._ensure_process()
            if self._monotonic() <= self._fresh_until:
                return
        if self._closed:
            raise VerifierUnavailable("the verifier is closed")
        if self._last_heard is None:
            raise VerifierUnavailable("the verifier has not received tesserad's state yet")
        raise VerifierUnavailable(
            f"no word from tesserad for more than {self._max_staleness:g} s; "
            "refusing to verify on revocation state that may be stale"
        )

    def wait_until_ready(self, timeout: float) -> bool:
        """True once the first snapshot has been applied (False on timeout)."""
        self._ensure_process()
        with self._cv:
            return self._cv.wait_for(lambda: self._ready, timeout)

    def wait_for_sequence(self, sequence: int, timeout: float) -> bool:
        """True once every event up to `sequence` (from RevokeSession, UpdateClaims,
        WithdrawSigningKey) has been applied locally (False on timeout)."""
        self._ensure_process()
        with self._cv:
            return self._cv.wait_for(lambda: self._ready and self._applied >= sequence, timeout)

    def wait_for_events_applied(self, count: int, timeout: float) -> bool:
        """True once events_applied >= count. For tests that play a stream."""
        with self._cv:
            return self._cv.wait_for(lambda: self._events_applied >= count, timeout)

    @property
    def applied_sequence(self) -> int:
        return self._applied

    @property
    def events_applied(self) -> int:
        return self._events_applied

    @property
    def connections(self) -> int:
        return self._connections

    @property
    def revocations_held(self) -> int:
        return len(self._revocations)

    @property
    def cache_size(self) -> int:
        return len(self._cache)

    def close(self) -> None:
        """Stops the stream thread and closes the channel. verify() then raises
        VerifierUnavailable. Idempotent."""
        with self._cv:
            if self._closed:
                return
            self._mark_closed()
            call = self._active_call
            self._cv.notify_all()
        self._stop_stream(call, timeout=5)

    def _stop_stream(self, call: grpc.Future[object] | None, timeout: float) -> None:
        """Ends a stream told to stop (closed or pausing, under _cv): cancels
        `call`, waits up to `timeout` for the thread, closes the channel."""
        if call is not None:
            call.cancel()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=timeout)
        if self._channel is not None:
            self._channel.close()

    def _mark_closed(self) -> None:
        """verify() refuses from now on. Caller holds _cv (or drives the stream
        itself, as AsyncVerifier does)."""
        self._closed = True
        self._fresh_until = float("-inf")

    def __enter__(self) -> Verifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- stream handling (stream thread; or driven by tests) ------------------

    def _open_stream(self) -> pb.WatchRevocationsRequest:
        """Begins a stream: the request to send. State for the stream is reset."""
        with self._cv:
            request = pb.WatchRevocationsRequest(
                after_sequence=self._applied,
                incarnation=self._incarnation,
                after_log_hash=self._log_hash,
            )
        self._pending = RevocationState(self._horizon)
        self._resuming = request.after_sequence > 0
        self._synced = False
        self._connections += 1
        return request

    def _handle(self, event: pb.RevocationEvent) -> None:
        """Applies one stream message."""
        kind = event.WhichOneof("event")
        if kind in ("session_revoked", "subject_revoked", "claims_invalidated"):
            if self._pending is not None:
                self._pending.apply(event)
            if self._pending is None or self._resuming:
                self._revocations.apply(event)
            self._advance_if_synced(event.sequence, event.log_hash)
        elif kind == "keys_changed":
            try:
                keys = tok.KeySet.from_jwks_json(event.keys_changed.jwks_json)
            except ValueError:
                keys = None  # a bad document is ignored: the old set stays
            if keys is not None:
                self._keys = keys  # before the clear: see _Cache
                self._cache.clear()
            self._advance_if_synced(event.sequence, event.log_hash)
        elif kind == "snapshot_end":
            self._synced = True
            self._end_snapshot(event)
        elif kind == "heartbeat":
            if self._synced:
                self._advance(event.heartbeat.current_sequence, event.log_hash)
        if self._synced:
            heard = self._clock.monotonic()
            self._last_heard = heard
            with self._cv:
                if not self._closed:
                    self._fresh_until = heard + self._max_staleness
            self._forget_if_due()
        with self._cv:
            self._events_applied += 1
            self._cv.notify_all()

    def _end_snapshot(self, event: pb.RevocationEvent) -> None:
        replace = event.snapshot_end.reset or not self._resuming
        if replace and self._pending is not None:
            self._revocations = self._pending
        self._pending = None
        with self._cv:
            if replace or event.sequence >= self._applied:
                self._applied = event.sequence
                self._log_hash = event.log_hash
            self._incarnation = event.snapshot_end.incarnation
            self._ready = True
            self._cv.notify_all()

    def _advance_if_synced(self, sequence: int, log_hash: bytes) -> None:
        if self._pending is None:
            self._advance(sequence, log_hash)

    def _advance(self, sequence: int, log_hash: bytes) -> None:
        """The position moves to `sequence`, seen with `log_hash` (PostgreSQL:
        a failover that lost an event shows as a mismatch on resume)."""
        with self._cv:
            if sequence > self._applied:
                self._applied = sequence
                self._log_hash = log_hash
            elif sequence == self._applied and log_hash:
                self._log_hash = log_hash
            self._cv.notify_all()

    def _forget_if_due(self) -> None:
        now = self._clock.monotonic()
        if self._last_forget is not None and now - self._last_forget < FORGET_INTERVAL:
            return
        self._last_forget = now
        self._revocations.forget(self._clock.now() - self._policy.leeway)

    # --- the thread -------------------------------------------------------------

    def _init_sync(self) -> None:
        self._cv = threading.Condition(threading.Lock())
        self._thread: threading.Thread | None = None
        self._channel: grpc.Channel | None = None
        self._active_call: grpc.Future[object] | None = None
        self._pausing = False  # stopped for a fork (see _before_fork)

    def _start_thread(self) -> None:
        self._channel = (
            self._channel_factory() if self._channel_factory else
            make_channel(self._target, self._credentials)
        )
        stub = pb_grpc.TokenAuthorityStub(self._channel)  # type: ignore[no-untyped-call]
        self._thread = threading.Thread(
            target=self._follow, args=(stub,), name="tessera-verifier", daemon=True
        )
        self._thread.start()

    def _follow(self, stub: pb_grpc.TokenAuthorityStub) -> None:
        backoff = MIN_BACKOFF
        metadata = self._credentials.metadata()
        while True:
            with self._cv:
                if self._closed or self._pausing:
                    return
            request = self._open_stream()
            call = stub.WatchRevocations(request, metadata=metadata or None)
            with self._cv:
                self._active_call = call
                if self._closed or self._pausing:
                    call.cancel()
            try:
                for event in call:
                    self._handle(event)
                    if self._synced:
                        backoff = MIN_BACKOFF
            except grpc.RpcError:
                pass  # any end is followed by a resume
            except Exception:  # noqa: S110  (never let the stream thread die)
                pass
            with self._cv:
                self._active_call = None
                if self._cv.wait_for(lambda: self._closed or self._pausing, backoff):
                    return
            backoff = min(backoff * 2, MAX_BACKOFF)

    def _ensure_process(self) -> None:
        """After a fork: this process's own channel and thread (see _after_fork),
        and the parent's freshness back until the child's stream has its own."""
        if self._generation == _fork_generation:
            return
        with _fork_lock:
            if self._generation == _fork_generation:
                return
            self._generation = _fork_generation
            if self._start and not self._closed:
                self._start_thread()
            with self._cv:
                if not self._closed and self._last_heard is not None:
                    self._fresh_until = max(
                        self._fresh_until, self._last_heard + self._max_staleness)

    def _before_fork(self) -> None:
        """Stops the stream thread and closes its channel (see the module doc)."""
        with self._cv:
            thread = self._thread
            if self._closed or thread is None or not thread.is_alive():
                return
            self._pausing = True
            call = self._active_call
            self._cv.notify_all()
        self._stop_stream(call, timeout=FORK_PAUSE)

    def _after_fork_in_parent(self) -> None:
        with self._cv:
            if not self._pausing:
                return
            self._pausing = False
            if self._closed:
                return
        self._start_thread()  # resumes after the last applied sequence

    def _after_fork_in_child(self) -> None:
        # The parent's thread does not exist here and its channel must not be
        # used: drop both (without closing: that would act on the parent's
        # sockets) and make fresh locks; _ensure_process starts anew.
        self._init_sync()
        self._cache = _Cache(self._cache._capacity)
        self._fresh_until = float("-inf")  # verify() then calls _ensure_process


_fork_lock = threading.Lock()
# Bumped in each child of os.fork(): a Verifier whose generation differs is in a
# new process (cheaper per call than comparing os.getpid()).
_fork_generation = 0
_verifiers: weakref.WeakSet[Verifier] = weakref.WeakSet()


def _register_fork_handler(verifier: Verifier) -> None:
    _verifiers.add(verifier)


def _before_fork() -> None:
    for verifier in list(_verifiers):
        verifier._before_fork()


def _after_fork_in_parent() -> None:
    for verifier in list(_verifiers):
        verifier._after_fork_in_parent()


def _after_fork_in_child() -> None:
    global _fork_lock, _fork_generation
    _fork_lock = threading.Lock()
    _fork_generation += 1
    for verifier in list(_verifiers):
        verifier._after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_before_fork,
        after_in_parent=_after_fork_in_parent,
        after_in_child=_after_fork_in_child,
    )
