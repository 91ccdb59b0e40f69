"""The API's user table: the source of truth for a user's name and role, with
stub credentials (the seed's OAuth is out of scope)."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import threading


@dataclasses.dataclass(frozen=True)
class User:
    subject: str
    name: str
    role: str

    def as_json(self) -> dict[str, str]:
        return {"subject": self.subject, "name": self.name, "role": self.role}


def _digest(password: str) -> bytes:
    return hashlib.sha256(password.encode("utf-8")).digest()


_DUMMY = _digest("no such user")


class Users:
    """Thread-safe. Usernames and subjects are fixed; names and roles change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_subject: dict[str, User] = {}
        self._credentials: dict[str, tuple[bytes, str]] = {}  # username -> (digest, subject)
        self._add("alice", "alice-password", User("user-alice", "Alice Liddell", "admin"))
        self._add("bob", "bob-password", User("user-bob", "Bob Stone", "member"))

    def _add(self, username: str, password: str, user: User) -> None:
        self._credentials[username] = (_digest(password), user.subject)
        self._by_subject[user.subject] = user

    def check(self, username: str, password: str) -> User | None:
        """The user these credentials belong to. Compares SHA-256 digests in
        constant time, against a dummy for an unknown username, so the timing
        shows neither the password nor whether the user exists."""
        want, subject = self._credentials.get(username, (_DUMMY, ""))
        match = hmac.compare_digest(_digest(password), want)
        if not match or not subject:
            return None
        return self.get(subject)

    def get(self, subject: str) -> User | None:
        with self._lock:
            return self._by_subject.get(subject)

    def set(self, user: User) -> None:
        with self._lock:
            if user.subject in self._by_subject:
                self._by_subject[user.subject] = user
