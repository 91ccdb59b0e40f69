from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import flask
import pytest
from werkzeug.test import TestResponse

from example_api import create_app
from example_api.config import Config
from tests import contract
from tests.fakes import FakeAuthority, FakeVerifier


@dataclass
class Harness:
    app: flask.Flask
    client: flask.testing.FlaskClient
    verifier: FakeVerifier
    authority: FakeAuthority
    logs: io.StringIO

    def call(
        self,
        method: str,
        path: str,
        token: str = "",
        body: str | bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> TestResponse:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        response = self.client.open(path, method=method, data=body, headers=all_headers)
        wrong = contract.check(
            method,
            path,
            response.status_code,
            response.headers.get("Content-Type", ""),
            response.get_data(),
        )
        assert not wrong, wrong
        return response


@pytest.fixture
def harness() -> Iterator[Harness]:
    verifier, authority = FakeVerifier(), FakeAuthority()
    app = create_app(Config(tessera_address="127.0.0.1:1"), authority=authority, verifier=verifier)
    logs = io.StringIO()
    handler = logging.StreamHandler(logs)
    logger = logging.getLogger("example_api")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield Harness(app, app.test_client(), verifier, authority, logs)
    logger.removeHandler(handler)
