"""tessera.Client against the real tesserad: every RPC, and errors by reason."""

from __future__ import annotations

import json
import os

import grpc
import pytest

import tessera
from tessera import errors


@pytest.fixture
def client(tesserad):
    with tessera.Client(tesserad.grpc_address) as c:
        yield c


def test_issue_refresh_validate(client):
    tokens = client.issue_session("alice", claims={"role": "admin"},
                                  client={"device_name": "laptop"})
    assert tokens.token_type == "Bearer" and tokens.refresh_token.startswith("tsr_")
    valid = client.validate_token(tokens.access_token)
    assert valid.valid and valid.claims.subject == "alice"
    assert valid.claims.custom["role"] == "admin"
    refreshed = client.refresh_session(tokens.refresh_token)
    assert refreshed.session_id == tokens.session_id
    assert refreshed.refresh_token != tokens.refresh_token


def test_refresh_reuse_raises_reason_class(client):
    tokens = client.issue_session("bob")
    client.refresh_session(tokens.refresh_token)
    client.refresh_session(tokens.refresh_token)  # parent of an unused token: allowed
    newer = client.refresh_session(tokens.refresh_token)
    client.refresh_session(newer.refresh_token)
    # Only reuse after the grace window is theft; a forged secret is always invalid.
    with pytest.raises(errors.RefreshTokenInvalid) as info:
        client.refresh_session(tokens.refresh_token[:-4] + "AAAA")
    assert info.value.reason == "REFRESH_TOKEN_INVALID"
    assert info.value.code == grpc.StatusCode.UNAUTHENTICATED
    assert isinstance(info.value, tessera.errors.Unauthenticated)


def test_revoked_session_refresh_raises_session_revoked(client):
    tokens = client.issue_session("carol")
    revoked = client.revoke_session(session_id=tokens.session_id, reason="logout")
    assert revoked.revoked_count == 1 and revoked.sequence > 0
    with pytest.raises(errors.SessionRevoked):
        client.refresh_session(tokens.refresh_token)
    assert not client.validate_token(tokens.access_token).valid


def test_get_and_list_sessions(client):
    tokens = client.issue_session("dave")
    client.issue_session("dave")
    session = client.get_session(tokens.session_id)
    assert session.subject == "dave"
    listed = client.list_sessions("dave", page_size=1)
    assert len(listed.sessions) == 1 and listed.next_page_token
    with pytest.raises(errors.SessionIdInvalid):
        client.get_session("not-a-session-id")
    with pytest.raises(errors.PageTokenInvalid):
        client.list_sessions("dave", page_token="garbage")


def test_update_claims_and_modes(client):
    client.issue_session("erin", claims={"a": 1, "b": {"c": 2}})
    response = client.update_claims("erin", {"b": {"c": None}}, mode="merge_patch",
                                    invalidate_access_tokens=True)
    assert response.sequence > 0
    with pytest.raises(ValueError):
        client.update_claims("erin", {}, mode="bogus")
    with pytest.raises(errors.ReservedClaim):
        client.update_claims("erin", {"sub": "x"})


def test_invalid_arguments_map_to_reasons(client):
    with pytest.raises(errors.SubjectInvalid):
        client.issue_session("")
    with pytest.raises(errors.ClaimsTooLarge):
        client.issue_session("x", claims={"big": "y" * 5000})
    with pytest.raises(errors.TtlInvalid):
        client.issue_session("x", access_ttl=-1)
    with pytest.raises(errors.TargetMissing):
        client.revoke_session()
    with pytest.raises(errors.RequestIdInvalid):
        client.issue_session("x", request_id="short")
    with pytest.raises(ValueError):
        client.revoke_session(session_id="a", subject="b")


def test_request_id_retry_returns_same_session(client):
    rid = "0123456789abcdef-retry"
    first = client.issue_session("frank", request_id=rid)
    again = client.issue_session("frank", request_id=rid)
    assert again.session_id == first.session_id
    with pytest.raises(errors.RequestIdReused):
        client.issue_session("someone-else", request_id=rid)


def test_jwks_and_admin(client, tmp_path):
    jwks = json.loads(client.get_jwks().jwks_json)
    assert jwks["keys"]
    keys = client.list_signing_keys().keys
    rotated = client.rotate_signing_key(algorithm="EdDSA")
    assert rotated.active.kid
    stats = client.get_stats()
    assert stats.version
    backup = client.create_backup(os.path.join(tmp_path, "backup"))
    assert backup.bytes > 0
    with pytest.raises(errors.BackupPathInvalid):
        client.create_backup("relative/path")
    withdrawn = client.withdraw_signing_key(rotated.active.kid, reason="test")
    assert withdrawn.sequence > 0 and keys
    with pytest.raises(errors.KeyNotFound):
        client.withdraw_signing_key("no-such-kid")


def test_watch_revocations_raw_stream(client):
    stream = client.watch_revocations()
    kinds = []
    for event in stream:
        kinds.append(event.WhichOneof("event"))
        if kinds[-1] == "snapshot_end":
            break
    stream.close()
    assert "keys_changed" in kinds and kinds[-1] == "snapshot_end"


def test_deadline_and_unreachable_server():
    with tessera.Client("127.0.0.1:1", timeout=0.5) as c:
        with pytest.raises((errors.Unavailable, errors.DeadlineExceeded)):
            c.get_jwks()


def test_plaintext_to_remote_refused():
    with pytest.raises(ValueError, match="not loopback"):
        tessera.Client("tessera.example.com:443")
    with pytest.raises(ValueError, match="both"):
        tessera.Client("h:1", credentials=tessera.Credentials(tls=True, private_key=b"k"))


def test_api_key_sent(tesserad_factory, tmp_path):
    import hashlib
    key = "test-api-key-0123456789"
    digest = hashlib.sha256(key.encode()).hexdigest()
    config = tmp_path / "config.textproto"
    config.write_text(
        f'callers {{ name: "web" api_key_sha256: "{digest}" '
        "roles: ROLE_ISSUER roles: ROLE_VERIFIER }\n"
    )
    server = tesserad_factory(flags=[f"--config={config}"])
    with tessera.Client(server.grpc_address,
                        credentials=tessera.Credentials(api_key=key)) as good:
        assert good.issue_session("gina").access_token
        with pytest.raises(errors.RoleMissing):
            good.get_stats()
    with tessera.Client(server.grpc_address) as anonymous:
        with pytest.raises(errors.CallerUnknown):
            anonymous.issue_session("gina")
