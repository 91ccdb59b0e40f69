"""Channel construction shared by Client, Verifier and their asyncio variants."""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Sequence

import grpc


@dataclasses.dataclass(frozen=True)
class Credentials:
    """How to reach tesserad.

    tls: use TLS (root_certificates PEM, None = the system roots).
    certificate_chain / private_key: PEM, for mutual TLS (tesserad --client_ca_file).
    api_key: sent as `authorization: Bearer <key>` on every call (needs TLS unless
    the target is loopback, since it is a secret).
    """

    tls: bool = False
    root_certificates: bytes | None = None
    certificate_chain: bytes | None = None
    private_key: bytes | None = None
    api_key: str | None = None

    @classmethod
    def tls_from_files(
        cls, ca: str | None = None, cert: str | None = None, key: str | None = None,
        api_key: str | None = None,
    ) -> Credentials:
        def read(path: str | None) -> bytes | None:
            if path is None:
                return None
            with open(path, "rb") as f:
                return f.read()

        return cls(tls=True, root_certificates=read(ca), certificate_chain=read(cert),
                   private_key=read(key), api_key=api_key)

    def metadata(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.api_key}"),) if self.api_key else ()


def is_loopback_target(target: str) -> bool:
    """127.0.0.0/8, localhost, [::1] or a unix: socket."""
    t = target
    for prefix in ("dns:///", "ipv4:", "ipv6:"):
        if t.startswith(prefix):
            t = t[len(prefix):]
    if t.startswith(("unix:", "unix-abstract:")):
        return True
    if t.startswith("["):
        host = t[1:t.find("]")] if "]" in t else t
    else:
        host = t.rsplit(":", 1)[0] if ":" in t else t
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_target(target: str, credentials: Credentials, allow_insecure: bool) -> None:
    if not target:
        raise ValueError("target is needed (tesserad's gRPC address)")
    if not credentials.tls and not allow_insecure and not is_loopback_target(target):
        raise ValueError(
            f"target {target!r} is not loopback: use TLS (Credentials(tls=True)) or set "
            "allow_insecure=True to talk to tesserad in plaintext"
        )
    if (credentials.certificate_chain is None) != (credentials.private_key is None):
        raise ValueError("mutual TLS needs both certificate_chain and private_key")


_OPTIONS: Sequence[tuple[str, int]] = (
    ("grpc.max_receive_message_length", 16 * 1024 * 1024),
    ("grpc.keepalive_time_ms", 20_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    ("grpc.initial_reconnect_backoff_ms", 50),
    ("grpc.max_reconnect_backoff_ms", 2_000),
    # Each channel its own connections: otherwise a Client made while a
    # Verifier's channel sits in reconnect backoff fails at once with its error.
    ("grpc.use_local_subchannel_pool", 1),
)


def _channel_credentials(credentials: Credentials) -> grpc.ChannelCredentials:
    return grpc.ssl_channel_credentials(
        root_certificates=credentials.root_certificates,
        private_key=credentials.private_key,
        certificate_chain=credentials.certificate_chain,
    )


def make_channel(target: str, credentials: Credentials) -> grpc.Channel:
    if credentials.tls:
        return grpc.secure_channel(target, _channel_credentials(credentials), options=_OPTIONS)
    return grpc.insecure_channel(target, options=_OPTIONS)


def make_aio_channel(target: str, credentials: Credentials) -> grpc.aio.Channel:
    if credentials.tls:
        return grpc.aio.secure_channel(target, _channel_credentials(credentials), options=_OPTIONS)
    return grpc.aio.insecure_channel(target, options=_OPTIONS)
