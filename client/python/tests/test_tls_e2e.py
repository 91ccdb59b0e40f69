"""TLS and mutual TLS against the real tesserad (certificates made for the test)."""

from __future__ import annotations

import datetime
import ipaddress

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import tessera
from tessera import errors

WAIT = 30.0


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject: str, key, issuer_name, issuer_key, *, ca: bool, sans=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(hours=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(obj) -> bytes:
    if isinstance(obj, x509.Certificate):
        return obj.public_bytes(serialization.Encoding.PEM)
    return obj.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@pytest.fixture
def pki(tmp_path):
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("test-ca", ca_key, _name("test-ca"), ca_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _cert("localhost", server_key, ca.subject, ca_key, ca=False,
                   sans=[x509.DNSName("localhost"),
                         x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = _cert("web", client_key, ca.subject, ca_key, ca=False,
                   sans=[x509.DNSName("web.internal")])
    files = {}
    for name, obj in {"ca": ca, "server": server, "server_key": server_key,
                      "client": client, "client_key": client_key}.items():
        path = tmp_path / f"{name}.pem"
        path.write_bytes(_pem(obj))
        files[name] = str(path)
    return files


def test_tls_and_mutual_tls(tesserad_factory, pki, tmp_path):
    config = tmp_path / "config.textproto"
    config.write_text('callers { name: "web" client_cert_san: "dns:web.internal" '
                      "roles: ROLE_ISSUER roles: ROLE_VERIFIER }\n")
    server = tesserad_factory(flags=[
        f"--tls_cert_file={pki['server']}", f"--tls_key_file={pki['server_key']}",
        f"--client_ca_file={pki['ca']}", f"--config={config}"])
    mtls = tessera.Credentials.tls_from_files(ca=pki["ca"], cert=pki["client"],
                                              key=pki["client_key"])
    with tessera.Client(server.grpc_address, credentials=mtls) as client:
        tokens = client.issue_session("tls-user")
        with tessera.Verifier(server.grpc_address, audience=["api"], credentials=mtls) as v:
            assert v.wait_until_ready(WAIT)
            assert v.verify(tokens.access_token).client_id == "web"
    # TLS without a client certificate: the server refuses the handshake or the caller.
    tls_only = tessera.Credentials.tls_from_files(ca=pki["ca"])
    with tessera.Client(server.grpc_address, credentials=tls_only, timeout=5) as anonymous:
        with pytest.raises((errors.Unavailable, errors.CallerUnknown)):
            anonymous.issue_session("nobody")
    # Plaintext to a TLS port fails; it never silently downgrades.
    with tessera.Client(server.grpc_address, timeout=5) as plain:
        with pytest.raises(errors.TesseraError):
            plain.issue_session("nobody")
