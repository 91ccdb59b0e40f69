from __future__ import annotations

import pytest

from example_api.config import Config, from_env


def test_defaults() -> None:
    assert from_env({"TESSERA_ADDRESS": "127.0.0.1:50051"}) == Config(
        tessera_address="127.0.0.1:50051",
        listen_address="127.0.0.1:8081",
        api_key=None,
        max_staleness=None,
        issuer="tessera",
        audience=("api",),
    )


def test_from_env() -> None:
    config = from_env(
        {
            "TESSERA_ADDRESS": "[::1]:9",
            "API_ADDRESS": "127.0.0.1:0",
            "TESSERA_API_KEY": "k",
            "TESSERA_MAX_STALENESS": "2.5",
            "TESSERA_ISSUER": "iss",
            "TESSERA_AUDIENCE": "a,b",
        }
    )
    assert config == Config("[::1]:9", "127.0.0.1:0", "k", 2.5, "iss", ("a", "b"))
    assert config.flask_config() == {
        "TESSERA_TARGET": "[::1]:9",
        "TESSERA_ISSUER": "iss",
        "TESSERA_AUDIENCE": ["a", "b"],
        "TESSERA_API_KEY": "k",
        "TESSERA_MAX_STALENESS": 2.5,
    }


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({}, "TESSERA_ADDRESS is required"),
        ({"TESSERA_ADDRESS": "localhost"}, "TESSERA_ADDRESS"),
        ({"TESSERA_ADDRESS": "h:1", "API_ADDRESS": "8081"}, "API_ADDRESS"),
        ({"TESSERA_ADDRESS": "h:1", "TESSERA_MAX_STALENESS": "0"}, "TESSERA_MAX_STALENESS"),
        ({"TESSERA_ADDRESS": "h:1", "TESSERA_MAX_STALENESS": "-3"}, "TESSERA_MAX_STALENESS"),
        ({"TESSERA_ADDRESS": "h:1", "TESSERA_MAX_STALENESS": "nan"}, "TESSERA_MAX_STALENESS"),
        ({"TESSERA_ADDRESS": "h:1", "TESSERA_MAX_STALENESS": "30s"}, "TESSERA_MAX_STALENESS"),
    ],
)
def test_errors(env: dict[str, str], names: str) -> None:
    with pytest.raises(ValueError, match=names):
        from_env(env)
