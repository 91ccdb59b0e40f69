"""The process configuration, from the environment (the examples' contract)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping


@dataclasses.dataclass(frozen=True)
class Config:
    tessera_address: str  # TESSERA_ADDRESS, tesserad's gRPC host:port (required)
    listen_address: str = "127.0.0.1:8081"  # API_ADDRESS; port 0 picks a free port
    api_key: str | None = None  # TESSERA_API_KEY
    max_staleness: float | None = None  # TESSERA_MAX_STALENESS, seconds (None: the library's)
    issuer: str = "tessera"  # TESSERA_ISSUER
    audience: tuple[str, ...] = ("api",)  # TESSERA_AUDIENCE, comma-separated

    def flask_config(self) -> dict[str, object]:
        """The app.config keys of tessera.flask."""
        out: dict[str, object] = {
            "TESSERA_TARGET": self.tessera_address,
            "TESSERA_ISSUER": self.issuer,
            "TESSERA_AUDIENCE": list(self.audience),
        }
        if self.api_key:
            out["TESSERA_API_KEY"] = self.api_key
        if self.max_staleness is not None:
            out["TESSERA_MAX_STALENESS"] = self.max_staleness
        return out


def _host_port(value: str) -> bool:
    host, sep, port = value.rpartition(":")
    return bool(sep and host and port.isdigit() and int(port) < 65536)


def from_env(env: Mapping[str, str]) -> Config:
    """Raises ValueError naming the variable that is wrong."""
    address = env.get("TESSERA_ADDRESS", "")
    if not address:
        raise ValueError("TESSERA_ADDRESS is required (tesserad's gRPC host:port)")
    if not _host_port(address):
        raise ValueError(f"TESSERA_ADDRESS={address!r} is not host:port")
    listen = env.get("API_ADDRESS") or "127.0.0.1:8081"
    if not _host_port(listen):
        raise ValueError(f"API_ADDRESS={listen!r} is not host:port")
    staleness: float | None = None
    if env.get("TESSERA_MAX_STALENESS"):
        raw = env["TESSERA_MAX_STALENESS"]
        try:
            staleness = float(raw)
        except ValueError:
            staleness = math.nan
        if math.isnan(staleness) or not 0 < staleness <= 86400:
            raise ValueError(
                f"TESSERA_MAX_STALENESS={raw!r}: want seconds, more than 0 and at most 86400"
            )
    audience = (
        tuple(env["TESSERA_AUDIENCE"].split(",")) if env.get("TESSERA_AUDIENCE") else ("api",)
    )
    return Config(
        tessera_address=address,
        listen_address=listen,
        api_key=env.get("TESSERA_API_KEY") or None,
        max_staleness=staleness,
        issuer=env.get("TESSERA_ISSUER") or "tessera",
        audience=audience,
    )
