"""The Flask app tests/test_gunicorn_e2e.py runs under `gunicorn -w 2`.

TESSERA_TARGET names tesserad; with EAGER_VERIFIER=1 the Verifier is made at
import (so under --preload it exists before the fork: fork safety)."""

import os
import time

import flask

from tessera import TokenInvalid, VerifierUnavailable
from tessera.flask import Tessera, current_session, require_session

app = flask.Flask(__name__)
app.config.update(TESSERA_TARGET=os.environ["TESSERA_TARGET"], TESSERA_AUDIENCE=["api"])
ext = Tessera(app)
if os.environ.get("EAGER_VERIFIER") == "1":
    assert ext.verifier(app).wait_until_ready(30)


@app.get("/me")
@require_session()
def me():
    _hold()
    return {"pid": os.getpid(), "sub": current_session.subject}


def _hold():
    """?hold=1 keeps this (sync) worker busy a moment, so that concurrent requests
    reach the other worker too: tests need answers from both."""
    if flask.request.args.get("hold"):
        time.sleep(0.2)


@app.post("/check/<int:sequence>")
def check(sequence):
    """Waits until this worker's Verifier reached `sequence`, then judges the token."""
    _hold()
    verifier = ext.verifier()
    reached = verifier.wait_for_sequence(sequence, 30)
    try:
        verifier.verify(flask.request.get_data(as_text=True))
        verdict = "VALID"
    except TokenInvalid as err:
        verdict = err.reason
    except VerifierUnavailable:
        verdict = "UNAVAILABLE"
    return {"pid": os.getpid(), "reached": reached, "verdict": verdict}
