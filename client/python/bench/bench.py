"""Python client benchmarks: ratios against baselines measured in the same run.

    TESSERA_TESSERAD=/path/to/tesserad client/python/.venv/bin/python client/python/bench/bench.py

(client/python/test.sh creates the venv.) Each comparison alternates the two
sides in rounds, swapping which goes first every other round, and reports the
median round with the range of rounds; absolute times on a shared VM drift.

1. Cache hit: Verifier.verify of a token it has verified before, against the
   floor of any Python-level cache (a function doing one dict look-up). Also
   the hit path's parts, to show where the time goes.
2. Miss: Verifier.verify with the cache off against PyJWT's own jwt.decode of
   the same token with the same key and the same claim checks (ES256 and
   EdDSA, a tesserad each); ratio of throughput, ours / PyJWT's. Also the
   parts where the two differ.
3. Propagation: 100 Verifiers (each its own channel, connection and stream
   thread, all in this process) follow one tesserad; each has accepted a token;
   from RevokeSession returning until each Verifier rejects that token with
   SESSION_REVOKED (polled in a loop); p50, p99, max over all rounds.

Bounded in count and time (~1 minute); talks only to tesserads it starts on
127.0.0.1.
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import sys
import time
import timeit
from collections.abc import Callable

import cryptography
import jwt

import tessera
from tessera import token as tok
from tessera.testing import TesseradProcess

ROUNDS = 7
HIT_CALLS = 200_000
MISS_CALLS = 1_500
VERIFIERS = 100
PROPAGATION_ROUNDS = 20


def per_call_ns(fn: Callable[[], object], calls: int) -> float:
    return timeit.Timer(fn).timeit(calls) / calls * 1e9


def alternate(a: Callable[[], object], b: Callable[[], object], calls: int,
              rounds: int = ROUNDS) -> tuple[list[float], list[float]]:
    """ns per call of a and b, one measurement of each per round."""
    times_a: list[float] = []
    times_b: list[float] = []
    for r in range(rounds):
        if r % 2 == 0:
            times_a.append(per_call_ns(a, calls))
            times_b.append(per_call_ns(b, calls))
        else:
            times_b.append(per_call_ns(b, calls))
            times_a.append(per_call_ns(a, calls))
    return times_a, times_b


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    return (f"{fmt.format(statistics.median(values))} "
            f"({fmt.format(min(values))}-{fmt.format(max(values))})")


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest rank."""
    return sorted_values[max(0, math.ceil(p * len(sorted_values)) - 1)]


def ready(server: TesseradProcess, cache_capacity: int = 10_000) -> tessera.Verifier:
    v = tessera.Verifier(server.grpc_address, audience=["api"], cache_capacity=cache_capacity)
    if not v.wait_until_ready(60):
        raise SystemExit("a Verifier did not reach tesserad's snapshot in 60 s")
    return v


def bench_hit(server: TesseradProcess, client: tessera.Client) -> None:
    token = client.issue_session("bench-hit", claims={"plan": "pro"}).access_token
    v = ready(server)
    claims = v.verify(token)
    table = {token: claims}

    def floor() -> object:
        return table.get(token)

    hit, base = alternate(lambda: v.verify(token), floor, HIT_CALLS)
    ratio = [h / b for h, b in zip(hit, base, strict=True)]
    print(f"cache hit: {spread(hit, '{:.0f}')} ns per verify (target <= 1000 ns)")
    print(f"  floor (a Python function doing one dict look-up): {spread(base, '{:.0f}')} ns")
    print(f"  hit / floor: {spread(ratio)}")

    # The hit path's parts, each called as it is in verify() (one round).
    cache, revs = v._cache, v._revocations
    entry = cache.entries[token]
    now = time.time()
    parts: dict[str, Callable[[], object]] = {
        "time.monotonic (staleness; also the fork check)": time.monotonic,
        "time.time (now)": time.time,
        "cache look-up": lambda: cache.entries.get(token),
        "time checks on the entry": lambda: now >= entry[1] or now < entry[2],
        "revocation check (session look-up)": lambda: entry[4] in revs.sessions,
        "empty lambda (call overhead)": lambda: None,
    }
    print("  parts, ns per call (each includes one Python call):")
    for name, fn in parts.items():
        print(f"    {name}: {per_call_ns(fn, HIT_CALLS):.0f}")
    v.close()


def bench_miss(server: TesseradProcess, client: tessera.Client, alg: str) -> None:
    token = client.issue_session("bench-miss", claims={"plan": "pro"}).access_token
    header = jwt.get_unverified_header(token)
    assert header["alg"] == alg, header
    jwks = json.loads(client.get_jwks().jwks_json)
    key = jwt.PyJWK(next(k for k in jwks["keys"] if k["kid"] == header["kid"])).key
    v = ready(server, cache_capacity=0)
    v.verify(token)

    def pyjwt_decode() -> object:
        return jwt.decode(token, key, algorithms=[alg], audience="api", issuer="tessera")

    pyjwt_decode()
    ours, theirs = alternate(lambda: v.verify(token), pyjwt_decode, MISS_CALLS)
    ratio = [t / o for o, t in zip(ours, theirs, strict=True)]
    print(f"miss, {alg}: ours {spread([o / 1e3 for o in ours], '{:.1f}')} µs, "
          f"PyJWT jwt.decode {spread([t / 1e3 for t in theirs], '{:.1f}')} µs; "
          f"throughput ours / PyJWT {spread(ratio)} (target >= 0.90)")
    if alg == "ES256":
        miss_parts(token, key)
    v.close()


def miss_parts(token: str, key: object) -> None:
    """Where a miss differs from PyJWT's decode (one round each)."""
    header, payload, signature = token.split(".")
    raw_payload, raw_signature = tok.b64url_decode(payload), tok.b64url_decode(signature)
    assert raw_payload is not None and raw_signature is not None
    signing_input = f"{header}.{payload}".encode("ascii")
    es256 = jwt.algorithms.get_default_algorithms()["ES256"]
    parts: dict[str, Callable[[], object]] = {
        "signature alone (PyJWT's ES256 verify, both use it)":
            lambda: es256.verify(signing_input, key, raw_signature),
        "3 segments, ours (regex alphabet + last-character check)":
            lambda: [tok.b64url_decode(x) for x in (header, payload, signature)],
        "3 segments, PyJWT base64url_decode":
            lambda: [jwt.utils.base64url_decode(x) for x in (header, payload, signature)],
        "claims JSON, ours (no duplicates; walks only when needed)":
            lambda: tok.parse_json(raw_payload, max_bytes=tok.MAX_TOKEN_BYTES, max_depth=16),
        "claims JSON, json.loads": lambda: json.loads(raw_payload),
        "read_claims (the Claims object)": lambda: tok.read_claims(json.loads(raw_payload)),
    }
    print("  parts, µs per call:")
    for name, fn in parts.items():
        print(f"    {name}: {per_call_ns(fn, MISS_CALLS) / 1e3:.1f}")


def bench_propagation(server: TesseradProcess, client: tessera.Client) -> None:
    verifiers = [tessera.Verifier(server.grpc_address, audience=["api"])
                 for _ in range(VERIFIERS)]
    for v in verifiers:
        if not v.wait_until_ready(60):
            raise SystemExit("a Verifier did not reach tesserad's snapshot in 60 s")
    latencies: list[float] = []
    round_p99: list[float] = []
    rpc: list[float] = []
    for _ in range(PROPAGATION_ROUNDS):
        session = client.issue_session("victim")
        token = session.access_token
        for v in verifiers:
            v.verify(token)  # accepted (and cached) before the revocation
        start = time.perf_counter()
        client.revoke_session(session_id=session.session_id)
        t0 = time.perf_counter()
        rpc.append(t0 - start)
        done: list[float] = []
        pending = verifiers
        while pending:
            still = []
            for v in pending:
                try:
                    v.verify(token)
                except tessera.TokenInvalid as err:
                    if err.reason != "SESSION_REVOKED":
                        raise
                    done.append(time.perf_counter() - t0)
                else:
                    still.append(v)
            pending = still
            if pending:
                if time.perf_counter() - t0 > 10:
                    raise SystemExit(f"{len(pending)} Verifiers still accept after 10 s")
                time.sleep(0.0001)  # let the stream threads have the GIL
        done.sort()
        round_p99.append(percentile(done, 0.99))
        latencies += done
        time.sleep(0.05)
    latencies.sort()
    ms = [x * 1e3 for x in latencies]
    print(f"propagation to {VERIFIERS} Verifiers, {PROPAGATION_ROUNDS} rounds: "
          f"p50 {percentile(ms, 0.50):.2f} ms, p99 {percentile(ms, 0.99):.2f} ms, "
          f"max {ms[-1]:.2f} ms (target p99 <= 50 ms)")
    print(f"  p99 of each round: {spread([x * 1e3 for x in round_p99])} ms; "
          f"RevokeSession round trip: {spread([x * 1e3 for x in rpc])} ms")
    for v in verifiers:
        v.close()


def main() -> None:
    began = time.monotonic()
    print(f"Python {platform.python_version()}, PyJWT {jwt.__version__}, "
          f"cryptography {cryptography.__version__}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    with TesseradProcess() as server, TesseradProcess(["--signing_alg=EdDSA"]) as ed_server:
        client = tessera.Client(server.grpc_address)
        ed_client = tessera.Client(ed_server.grpc_address)
        bench_hit(server, client)
        bench_miss(server, client, "ES256")
        bench_miss(ed_server, ed_client, "EdDSA")
        ed_client.close()
        bench_propagation(server, client)
        client.close()
    print(f"total {time.monotonic() - began:.0f} s, load average {os.getloadavg()[0]:.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
