"""Tessera for Python: a gRPC Client, a local Verifier that follows the revocation
stream, a Flask extension (tessera.flask) and asyncio variants (tessera.aio)."""

from tessera._channel import Credentials
from tessera.client import Client
from tessera.errors import *  # noqa: F403  (the exception per reason is the API)
from tessera.errors import TesseraError, TokenInvalid, VerifierUnavailable
from tessera.token import Claims
from tessera.verifier import Verifier

__all__ = [
    "Claims",
    "Client",
    "Credentials",
    "TesseraError",
    "TokenInvalid",
    "Verifier",
    "VerifierUnavailable",
]
__version__ = "0.1.0"
