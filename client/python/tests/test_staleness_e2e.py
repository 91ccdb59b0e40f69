"""tesserad stopped beyond max_staleness -> 503 from a Flask route; restarted ->
the Verifier resumes by itself (and sees what happened meanwhile)."""

from __future__ import annotations

import time

import flask

import tessera
from tessera.flask import Tessera, current_session, require_session

WAIT = 60.0


def poll_status(web, token: str, want: int) -> flask.Response:
    """The first answer with status `want` (bounded; never a timing assertion)."""
    deadline = time.monotonic() + WAIT
    while True:
        answer = web.get("/me", headers={"Authorization": f"Bearer {token}"})
        if answer.status_code == want or time.monotonic() > deadline:
            return answer
        time.sleep(0.05)


def test_stopped_beyond_max_staleness_is_503_then_resumes(tesserad):
    app = flask.Flask("stale")
    app.config.update(TESSERA_TARGET=tesserad.grpc_address, TESSERA_AUDIENCE=["api"],
                      TESSERA_MAX_STALENESS=1.5)
    ext = Tessera(app)

    @app.get("/me")
    @require_session()
    def me():
        return {"sub": current_session.subject}

    client = tessera.Client(tesserad.grpc_address)
    verifier = ext.verifier(app)
    assert verifier.wait_until_ready(WAIT)
    first = client.issue_session("hal")
    second = client.issue_session("hal")
    web = app.test_client()
    auth = {"Authorization": f"Bearer {first.access_token}"}
    assert web.get("/me", headers=auth).status_code == 200
    connections = verifier.connections

    tesserad.stop()
    stale = poll_status(web, first.access_token, 503)
    assert stale.status_code == 503
    assert stale.headers["Retry-After"] == "2"
    assert stale.json == {"error": "temporarily_unavailable", "reason": "VERIFIER_UNAVAILABLE"}
    # Fail closed for every token, however valid.
    assert web.get("/me", headers={"Authorization": f"Bearer {second.access_token}"}
                   ).status_code == 503

    tesserad.start()  # the same store and ports
    with tessera.Client(tesserad.grpc_address) as again:
        revoked = again.revoke_session(session_id=first.session_id)
    assert verifier.wait_for_sequence(revoked.sequence, WAIT)
    assert verifier.connections > connections
    assert poll_status(web, second.access_token, 200).status_code == 200
    refused = web.get("/me", headers={"Authorization": f"Bearer {first.access_token}"})
    assert refused.status_code == 401 and refused.headers["Tessera-Reason"] == "SESSION_REVOKED"
    ext.close()
    client.close()
