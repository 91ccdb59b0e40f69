// The Node Verifier's benchmarks, one run (npm run bench -w @tessera-auth/node):
//  - cache hit: Verifier.verify on a cached token (goal <= 1 us);
//  - miss: Verifier.verify with no cache vs jose.jwtVerify on the same token
//    and key with the same checks, in alternating rounds (goal >= 0.90 of
//    jose's rate), for ES256 and EdDSA;
//  - revocation reaching 100 Verifiers (own Client and stream each): from
//    RevokeSession returning until each rejects the token (goal p99 <= 50 ms).
// Medians of rounds with their range. Needs TESSERA_TESSERAD (or bazel-bin).
import { createPublicKey } from "node:crypto";
import { jwtVerify } from "jose";
import { Client, Verifier, TokenInvalidError } from "../src/index.js";
import { Tesserad } from "../test/support/tesserad.js";

const ROUNDS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
const range = (xs: number[]) => `${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)}`;

async function synced(v: Verifier): Promise<void> {
  while (!v.available) await new Promise((r) => setTimeout(r, 5));
}

/** µs per call of `fn`, run for about `ms`. */
async function perCall(fn: () => Promise<unknown>, ms: number): Promise<number> {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 200; i++) await fn();
    n += 200;
    now = performance.now();
  }
  return ((now - start) * 1000) / n;
}

async function hitAndMiss(alg: "ES256" | "EdDSA"): Promise<string[]> {
  const server = await Tesserad.start([`--signing_alg=${alg}`, "--leeway=0s"]);
  const client = new Client({ address: server.grpcAddress });
  const cached = new Verifier({ source: client, issuer: "tessera", leewayMs: 0 });
  const uncached = new Verifier({ source: client, issuer: "tessera", leewayMs: 0, cacheSize: 0 });
  const rows: string[] = [];
  try {
    await synced(cached);
    await synced(uncached);
    // A key of this algorithm: rotate until the active key is one (the first key is ES256).
    let tokens = await client.issueSession({ subject: "bench", claims: { name: "Bench" } });
    for (let i = 0; i < 3 && JSON.parse(Buffer.from(tokens.accessToken.split(".")[0]!, "base64url").toString()).alg !== alg; i++) {
      await client.rotateSigningKey({});
      await new Promise((r) => setTimeout(r, 200));
      tokens = await client.issueSession({ subject: "bench", claims: { name: "Bench" } });
    }
    const token = tokens.accessToken;
    const header = JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()) as { alg: string; kid: string };
    const jwks = JSON.parse((await client.getJwks({})).jwksJson) as { keys: { kid: string }[] };
    const jwk = jwks.keys.find((k) => k.kid === header.kid)!;
    const key = createPublicKey({ key: jwk as never, format: "jwk" });
    await new Promise((r) => setTimeout(r, 300)); // the Verifiers have the rotated keys
    await cached.verify(token);
    await uncached.verify(token);
    const joseOptions = { issuer: "tessera", audience: "api", algorithms: [header.alg], clockTolerance: 0 };
    await jwtVerify(token, key, joseOptions);

    if (alg === "ES256") {
      const hits: number[] = [];
      for (let r = 0; r < ROUNDS; r++) hits.push(await perCall(() => cached.verify(token), 300));
      rows.push(`| \`Verifier.verify\`, cache hit (${alg}) | ${median(hits).toFixed(3)} µs (${range(hits)}) | ≤ 1 µs |`);
    }
    const ours: number[] = [];
    const theirs: number[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const first = r % 2 === 0;
      let a = 0;
      let b = 0;
      if (first) a = await perCall(() => uncached.verify(token), 400);
      b = await perCall(() => jwtVerify(token, key, joseOptions), 400);
      if (!first) a = await perCall(() => uncached.verify(token), 400);
      ours.push(a);
      theirs.push(b);
      ratios.push(b / a); // our rate / jose's rate
    }
    rows.push(
      `| \`verify\`, miss, ${alg} | ${median(ours).toFixed(1)} µs (${range(ours)}) | jose \`jwtVerify\`: ${median(theirs).toFixed(1)} µs (${range(theirs)}) | ${median(ratios).toFixed(2)} (${range(ratios)}) of jose's rate | ≥ 0.90 |`,
    );
  } finally {
    await cached.close();
    await uncached.close();
    await server.stop();
  }
  return rows;
}

async function propagation(): Promise<string> {
  const server = await Tesserad.start(["--leeway=0s"]);
  const admin = new Client({ address: server.grpcAddress });
  const verifiers = Array.from(
    { length: 100 },
    () => new Verifier({ source: new Client({ address: server.grpcAddress }), issuer: "tessera", leewayMs: 0 }),
  );
  const samples: number[] = [];
  const rpc: number[] = [];
  try {
    for (const v of verifiers) await synced(v);
    for (let round = 0; round < 20; round++) {
      const { accessToken } = await admin.issueSession({ subject: `prop-${round}` });
      const sid = JSON.parse(Buffer.from(accessToken.split(".")[1]!, "base64url").toString()).sid as string;
      for (const v of verifiers) await v.verify(accessToken);
      const seenAt = new Array<number>(verifiers.length).fill(NaN);
      const offs = verifiers.map((v, i) => {
        const on = (e: { sessionId?: string }) => {
          if (e.sessionId === sid) seenAt[i] = performance.now();
        };
        v.on("revoked", on);
        return () => v.off("revoked", on);
      });
      const sent = performance.now();
      await admin.revokeSession({ target: { case: "sessionId", value: sid } });
      const returned = performance.now();
      rpc.push(returned - sent);
      while (seenAt.some((t) => Number.isNaN(t))) await new Promise((r) => setImmediate(r));
      for (const off of offs) off();
      // Each now rejects it (checked, not assumed from the event).
      for (const v of verifiers) {
        const refused = await v.verify(accessToken).then(
          () => false,
          (e: unknown) => e instanceof TokenInvalidError && e.reason === "SESSION_REVOKED",
        );
        if (!refused) throw new Error("a Verifier still accepts a revoked token");
      }
      for (const t of seenAt) samples.push(Math.max(0, t - returned));
    }
  } finally {
    await Promise.all(verifiers.map((v) => v.close()));
    await server.stop();
  }
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `| revocation reaching 100 Verifiers (20 rounds, ${s.length} samples) | p50 ${q(0.5).toFixed(2)} ms, p99 ${q(0.99).toFixed(2)} ms, max ${s[s.length - 1]!.toFixed(2)} ms | RevokeSession round trip: ${median(rpc).toFixed(1)} ms (${Math.min(...rpc).toFixed(1)}–${Math.max(...rpc).toFixed(1)}) | p99 ≤ 50 ms |`;
}

const rows: string[] = [];
rows.push(...(await hitAndMiss("ES256")));
rows.push(...(await hitAndMiss("EdDSA")));
rows.push(await propagation());
console.log(`node ${process.version}, ${new Date().toISOString()}`);
for (const r of rows) console.log(r);
process.exit(0);
