"""`python -m example_api`: serve the API with gunicorn (one worker process, so
that the Verifier a request waits on is the one every later request asks;
threads for concurrency), configured from the environment."""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from example_api import create_app
from example_api.config import Config, from_env


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, config: Config) -> None:
        self._config = config
        super().__init__()

    def load_config(self) -> None:
        settings = {
            "bind": [self._config.listen_address],
            "workers": 1,
            "threads": 16,
            "worker_class": "gthread",
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "graceful_timeout": 10,
            "when_ready": _when_ready,
        }
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        app = create_app(self._config)
        from tessera.flask import Tessera

        ext: Tessera = app.extensions["tessera"]
        ext.verifier(app)  # start following tesserad now (waits at most 5 s)
        return app


def _when_ready(server: Any) -> None:
    for listener in server.LISTENERS:
        host, port = listener.sock.getsockname()[:2]
        print(
            json.dumps({"msg": "api serving", "address": f"{host}:{port}"}),
            file=sys.stderr,
            flush=True,
        )


class _JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps({"level": record.levelname.lower(), "msg": record.getMessage()})


def main() -> int:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonLines())
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    try:
        config = from_env(os.environ)
    except ValueError as err:
        print(json.dumps({"msg": "api stopped", "error": str(err)}), file=sys.stderr)
        return 2
    _Server(config).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
