"""tessera.Verifier: options, cache bounds, close(), fork safety, and against the
real tesserad: ready, wait_for_sequence, resume after a break."""

from __future__ import annotations

import base64
import json
import os

import pytest

import tessera
from tessera import TokenInvalid, Verifier, VerifierUnavailable
from tessera.v1 import token_authority_pb2 as pb

WAIT = 30.0


@pytest.mark.parametrize("kwargs, message", [
    ({}, "audience is empty"),
    ({"audience": ["api"], "accept_any_audience": True}, "both set"),
    ({"audience": [""]}, "entry is empty"),
    ({"audience": ["api"], "horizon": 0}, "horizon"),
    ({"audience": ["api"], "max_staleness": -1}, "max_staleness"),
    ({"audience": ["api"], "leeway": -1}, "leeway"),
])
def test_unsound_options_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Verifier("127.0.0.1:1", **kwargs)


def test_plaintext_to_remote_refused_unless_allowed():
    with pytest.raises(ValueError, match="not loopback"):
        Verifier("10.0.0.1:50051", audience=["api"])
    Verifier("10.0.0.1:50051", audience=["api"], allow_insecure=True, start=False)
    Verifier("[::1]:50051", audience=["api"], start=False)


def test_not_ready_is_unavailable_not_invalid():
    v = Verifier(audience=["api"], start=False)
    with pytest.raises(VerifierUnavailable):
        v.verify("a.b.c")
    assert not v.wait_until_ready(0.01)


def ready_verifier(jwks: str, capacity: int = 2) -> Verifier:
    v = Verifier(audience=["api"], cache_capacity=capacity, start=False)
    v._open_stream()
    v._handle(pb.RevocationEvent(sequence=1, keys_changed=pb.KeysChanged(jwks_json=jwks)))
    v._handle(pb.RevocationEvent(sequence=1, snapshot_end=pb.SnapshotEnd()))
    return v


def test_hostile_input_is_token_invalid(tesserad):
    jwks = tessera.Client(tesserad.grpc_address).get_jwks().jwks_json
    v = ready_verifier(jwks)
    for hostile in ["", ".", "..", "a" * 10000, "\udcff.\udcff.\udcff", "é.é.é",
                    "eyJ9.eyJ9.eyJ9", None, 5]:
        with pytest.raises(TokenInvalid):
            v.verify(hostile)  # type: ignore[arg-type]


def test_cache_is_bounded(tesserad):
    client = tessera.Client(tesserad.grpc_address)
    v = ready_verifier(client.get_jwks().jwks_json, capacity=2)
    tokens = [client.issue_session(f"c{i}").access_token for i in range(5)]
    for token in tokens:
        v.verify(token)
    assert v.cache_size == 2
    for token in tokens:  # evicted ones verify again
        assert v.verify(token).subject.startswith("c")


def test_bad_jwks_is_ignored_and_sequence_counts(tesserad):
    client = tessera.Client(tesserad.grpc_address)
    v = ready_verifier(client.get_jwks().jwks_json)
    token = client.issue_session("k").access_token
    private = json.dumps({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "A" * 43,
                                    "d": "A" * 43, "kid": "x"}]})
    v._handle(pb.RevocationEvent(sequence=7, keys_changed=pb.KeysChanged(jwks_json=private)))
    assert v.applied_sequence == 7
    assert v.verify(token).subject == "k"


def test_live_verifier_follows_and_closes(tesserad):
    client = tessera.Client(tesserad.grpc_address)
    with Verifier(tesserad.grpc_address, audience=["api"]) as v:
        assert v.wait_until_ready(WAIT)
        tokens = client.issue_session("live")
        assert v.verify(tokens.access_token).session_id == tokens.session_id
        revoked = client.revoke_session(subject="live")
        assert revoked.revoked_count == 1
        assert v.wait_for_sequence(revoked.sequence, WAIT)
        with pytest.raises(TokenInvalid, match="SESSION_REVOKED"):
            v.verify(tokens.access_token)
        assert not v.wait_for_sequence(revoked.sequence + 10**6, 0.05)
    with pytest.raises(VerifierUnavailable, match="closed"):
        v.verify(tokens.access_token)
    v.close()  # idempotent


def test_fork_child_gets_its_own_stream(tesserad, capfd):
    client = tessera.Client(tesserad.grpc_address)
    v = Verifier(tesserad.grpc_address, audience=["api"])
    assert v.wait_until_ready(WAIT)
    tokens = client.issue_session("forky")
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: revoke seen through the child's own stream
        code = 1
        try:
            with tessera.Client(tesserad.grpc_address) as child_client:
                seq = child_client.revoke_session(session_id=tokens.session_id).sequence
            if v.wait_for_sequence(seq, WAIT):
                try:
                    v.verify(tokens.access_token)
                except TokenInvalid as err:
                    code = 0 if err.reason == "SESSION_REVOKED" else 2
            os.write(write_fd, str(v.connections).encode())
        finally:
            os._exit(code)
    os.close(write_fd)
    _, status = os.waitpid(pid, 0)
    child_connections = os.read(read_fd, 32)
    os.close(read_fd)
    assert os.waitstatus_to_exitcode(status) == 0
    assert int(child_connections) >= 2  # the parent's stream plus the child's own
    # The parent's stream was stopped for the fork, so gRPC ran its handlers.
    assert "skipping fork() handlers" not in capfd.readouterr().err
    stats = client.get_stats()
    assert v.wait_for_sequence(stats.last_sequence, WAIT)  # the parent still follows
    with pytest.raises(TokenInvalid):
        v.verify(tokens.access_token)
    v.close()


def test_jwk_without_kid_gets_its_thumbprint():
    from tessera.token import KeySet

    vectors = json.loads((__import__("conftest").CONFORMANCE / "tokens.json").read_text())
    for jwk in vectors["jwks"]["keys"]:
        stripped = {k: v for k, v in jwk.items() if k != "kid"}
        keys = KeySet.from_jwks_json(json.dumps({"keys": [stripped]}))
        assert keys.find(jwk["kid"]) is not None  # the vectors' kids are thumbprints


def test_rotation_under_concurrent_verification_has_zero_failures(tesserad):
    """Threads verify every token continuously while keys rotate and new tokens
    (signed by each newly ACTIVE key) join: not one verification may fail."""
    import threading

    client = tessera.Client(tesserad.grpc_address)
    v = Verifier(tesserad.grpc_address, audience=["api"])
    assert v.wait_until_ready(WAIT)
    tokens = [client.issue_session("spin").access_token]
    lock = threading.Lock()
    failures: list[str] = []
    checks = [0]
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            with lock:
                current = list(tokens)
            for token in current:
                try:
                    v.verify(token)
                except Exception as err:  # noqa: BLE001
                    failures.append(repr(err))
                checks[0] += 1

    threads = [threading.Thread(target=spin) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for _ in range(4):
            rotated = client.rotate_signing_key()
            fresh = client.issue_session("spin").access_token
            with lock:
                tokens.append(fresh)
            header = fresh.split(".")[0]
            header_json = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
            assert header_json["kid"] == rotated.active.kid  # signed by the new key
            stats = client.get_stats()
            assert v.wait_for_sequence(stats.last_sequence, WAIT)
    finally:
        stop.set()
        for t in threads:
            t.join()
    v.close()
    assert checks[0] > len(tokens)
    assert failures == []
