"""Python client benchmarks, as ratios in one run (see docs/performance.md).

    TESSERA_TESSERAD=/path/to/tesserad client/python/.venv/bin/python client/python/bench/bench.py

1. Cache hit: Verifier.verify of a token already verified (µs per call).
2. Miss: Verifier.verify with the cache off vs PyJWT's own jwt.decode of the
   same ES256 token with the same key (alternating rounds; ratio of throughput).
3. Propagation: 100 Verifiers follow one tesserad; time from RevokeSession
   returning to each Verifier's wait_for_sequence (p50, p99).
Bounded in count and time; talks to a tesserad it starts on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import statistics
import threading
import time

import jwt

import tessera
from tessera.testing import TesseradProcess


def per_call(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def main() -> None:
    with TesseradProcess() as server:
        client = tessera.Client(server.grpc_address)
        token = client.issue_session("bench", claims={"plan": "pro"}).access_token
        jwks = json.loads(client.get_jwks().jwks_json)
        hit = tessera.Verifier(server.grpc_address, audience=["api"])
        miss = tessera.Verifier(server.grpc_address, audience=["api"], cache_capacity=0)
        assert hit.wait_until_ready(30) and miss.wait_until_ready(30)
        hit.verify(token)
        hit_s = min(per_call(lambda: hit.verify(token), 100_000) for _ in range(3))

        kid = jwt.get_unverified_header(token)["kid"]
        key = jwt.PyJWK(next(k for k in jwks["keys"] if k["kid"] == kid)).key
        def pyjwt_decode() -> None:
            jwt.decode(token, key, algorithms=["ES256"], audience="api", issuer="tessera")
        rounds = []
        for _ in range(5):
            ours = per_call(lambda: miss.verify(token), 2000)
            theirs = per_call(pyjwt_decode, 2000)
            rounds.append(theirs / ours)

        verifiers = [tessera.Verifier(server.grpc_address, audience=["api"]) for _ in range(100)]
        for v in verifiers:
            assert v.wait_until_ready(60)
        latencies: list[float] = []
        for _ in range(5):
            session = client.issue_session("victim")
            revoked = client.revoke_session(session_id=session.session_id)
            t0 = time.perf_counter()
            done: list[float] = []
            lock = threading.Lock()
            def wait(v: tessera.Verifier, seq: int = revoked.sequence, t0: float = t0,
                     done: list[float] = done, lock: threading.Lock = lock) -> None:
                v.wait_for_sequence(seq, 30)
                with lock:
                    done.append(time.perf_counter() - t0)
            threads = [threading.Thread(target=wait, args=(v,)) for v in verifiers]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            latencies += done
        latencies.sort()
        p99 = latencies[int(len(latencies) * 0.99) - 1]
        print(f"cache hit: {hit_s * 1e6:.2f} µs per verify")
        print(f"miss vs PyJWT decode (throughput ratio, median of 5): "
              f"{statistics.median(rounds):.2f} (range {min(rounds):.2f}-{max(rounds):.2f})")
        print(f"propagation to 100 Verifiers: p50 {statistics.median(latencies) * 1e3:.1f} ms, "
              f"p99 {p99 * 1e3:.1f} ms")
        for v in [hit, miss, *verifiers]:
            v.close()
        client.close()


if __name__ == "__main__":
    main()
