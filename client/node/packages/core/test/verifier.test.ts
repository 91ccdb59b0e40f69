// Verifier unit tests with the in-process source and manual clocks: what the
// conformance files do not pin down (cache bound, waits, hostile input,
// events, option checks).
import { create } from "@bufbuild/protobuf";
import { generateKeyPairSync } from "node:crypto";
import { SignJWT, exportJWK } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { TokenInvalidError, VerifierUnavailableError } from "../src/errors.js";
import { RevocationEventSchema, type RevocationEvent } from "../src/gen/tessera/v1/token_authority_pb.js";
import { Verifier } from "../src/verifier.js";
import { FakeSource, ManualClock } from "./support/fake_source.js";

const NOW = Date.parse("2027-01-01T00:00:00Z");
const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "EdDSA" };

async function mint(claims: Record<string, unknown>, alg = "EdDSA"): Promise<string> {
  return new SignJWT({ iss: "tessera", aud: "api", sub: "alice", sid: "s1", jti: "j", ...claims })
    .setProtectedHeader({ alg, kid: "k1", typ: "at+jwt" })
    .setIssuedAt(NOW / 1000 - 10)
    .setExpirationTime(NOW / 1000 + 900)
    .sign(privateKey);
}

const ev = (init: Parameters<typeof create<typeof RevocationEventSchema>>[1]): RevocationEvent =>
  create(RevocationEventSchema, init);

let open: Verifier[] = [];
afterEach(async () => {
  await Promise.all(open.map((v) => v.close()));
  open = [];
});

async function synced(options: { cacheSize?: number } = {}) {
  const clock = new ManualClock(NOW);
  const source = new FakeSource();
  const v = new Verifier({ source, issuer: "tessera", clock, minBackoffMs: 1, ...options });
  open.push(v);
  await source.waitForStreams(1);
  source.send(ev({ sequence: 1n, event: { case: "keysChanged", value: { jwksJson: JSON.stringify({ keys: [jwk] }) } } }));
  source.send(ev({ sequence: 1n, event: { case: "snapshotEnd", value: { incarnation: "inc" } } }));
  await v.waitForEventsApplied(2);
  return { v, source, clock, sent: 2 };
}

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "VALID";
  } catch (e) {
    if (e instanceof TokenInvalidError) return e.reason;
    if (e instanceof VerifierUnavailableError) return "UNAVAILABLE";
    throw e;
  }
}

describe("Verifier", () => {
  it("accepts both EdDSA and Ed25519 as the header alg of an Ed25519 key", async () => {
    const { v } = await synced();
    expect((await v.verify(await mint({}, "EdDSA"))).alg).toBe("EdDSA");
    expect((await v.verify(await mint({}, "Ed25519"))).alg).toBe("EdDSA");
  });

  it("checks the audience: the Verifier's, a per-call one, or none with acceptAnyAudience", async () => {
    const { v } = await synced();
    const billing = await mint({ aud: ["billing"] });
    expect(await reason(v.verify(billing))).toBe("WRONG_AUDIENCE");
    expect(await reason(v.verify(billing, { audience: ["billing"] }))).toBe("VALID");
    const clock = new ManualClock(NOW);
    const source = new FakeSource();
    const any = new Verifier({ source, issuer: "tessera", clock, acceptAnyAudience: true });
    open.push(any);
    await source.waitForStreams(1);
    source.send(ev({ sequence: 1n, event: { case: "keysChanged", value: { jwksJson: JSON.stringify({ keys: [jwk] }) } } }));
    source.send(ev({ sequence: 1n, event: { case: "snapshotEnd", value: {} } }));
    await any.waitForEventsApplied(2);
    expect(await reason(any.verify(billing))).toBe("VALID");
  });

  it("keeps at most cacheSize tokens, and a cache hit still sees a later revocation", async () => {
    const { v, source } = await synced({ cacheSize: 2 });
    const tokens = await Promise.all([1, 2, 3].map((i) => mint({ jti: `j${i}` })));
    for (const t of tokens) await v.verify(t);
    expect(v.cachedTokens).toBe(2);
    source.send(ev({ sequence: 2n, event: { case: "sessionRevoked", value: { sessionId: "s1", subject: "alice" } } }));
    await v.waitForSequence(2n);
    for (const t of tokens) expect(await reason(v.verify(t))).toBe("SESSION_REVOKED");
  });

  it("emits revoked, claimsChanged and keysChanged for live events", async () => {
    const { v, source } = await synced();
    const seen: string[] = [];
    v.on("revoked", (e) => seen.push(`revoked ${e.sessionId}`));
    v.on("claimsChanged", (e) => seen.push(`claims ${e.subject} ${e.generation}`));
    v.on("keysChanged", (e) => seen.push(`keys ${e.kids.join(",")}`));
    source.send(ev({ sequence: 2n, event: { case: "sessionRevoked", value: { sessionId: "s9", subject: "bob" } } }));
    source.send(ev({ sequence: 3n, event: { case: "claimsInvalidated", value: { subject: "alice", generation: 4n } } }));
    source.send(ev({ sequence: 4n, event: { case: "keysChanged", value: { jwksJson: JSON.stringify({ keys: [jwk] }) } } }));
    await v.waitForSequence(4n);
    expect(seen).toEqual(["revoked s9", "claims alice 4", "keys k1"]);
    expect(await reason(v.verify(await mint({ sgen: 3 })))).toBe("STALE_CLAIMS");
    expect(await reason(v.verify(await mint({ sgen: 4 })))).toBe("VALID");
  });

  it("refuses oversized and garbage tokens as MALFORMED without throwing anything else", async () => {
    const { v } = await synced();
    for (const t of ["x".repeat(1 << 20), "", "a.b.c", "....", "\u0000.\u0000.\u0000", "e30.e30.e30"]) {
      expect(["MALFORMED", "UNSUPPORTED_ALGORITHM"]).toContain(await reason(v.verify(t)));
    }
  });

  it("rejects a tampered token as BAD_SIGNATURE", async () => {
    const { v } = await synced();
    const [h, p, s] = (await mint({})).split(".");
    const other = Buffer.from(JSON.stringify({ iss: "tessera", aud: "api", sub: "mallory", iat: 1, exp: 9e9 })).toString("base64url");
    expect(await reason(v.verify(`${h}.${other}.${s}`))).toBe("BAD_SIGNATURE");
    expect(p).toBeDefined();
  });

  it("waitForSequence resolves at once when reached, rejects on timeout and on close", async () => {
    const { v } = await synced();
    await v.waitForSequence(1n);
    await expect(v.waitForSequence(99n, { timeoutMs: 10 })).rejects.toBeInstanceOf(VerifierUnavailableError);
    const pending = v.waitForSequence(100n, { timeoutMs: 60_000 });
    await v.close();
    await expect(pending).rejects.toBeInstanceOf(VerifierUnavailableError);
  });

  it("fails closed before the first snapshot and after maxStaleness of silence, then emits stale", async () => {
    const clock = new ManualClock(NOW);
    const source = new FakeSource();
    const v = new Verifier({ source, issuer: "tessera", clock, maxStalenessMs: 1_000 });
    open.push(v);
    const token = await mint({});
    expect(await reason(v.verify(token))).toBe("UNAVAILABLE");
    await source.waitForStreams(1);
    source.send(ev({ sequence: 1n, event: { case: "keysChanged", value: { jwksJson: JSON.stringify({ keys: [jwk] }) } } }));
    source.send(ev({ sequence: 1n, event: { case: "snapshotEnd", value: {} } }));
    await v.waitForEventsApplied(2);
    expect(await reason(v.verify(token))).toBe("VALID");
    const stale: number[] = [];
    v.on("stale", (e) => stale.push(e.silentForMs));
    clock.mono += 1_000;
    expect(await reason(v.verify(token))).toBe("VALID");
    clock.mono += 1;
    expect(await reason(v.verify(token))).toBe("UNAVAILABLE");
    expect(stale).toEqual([1_001]);
    source.send(ev({ event: { case: "heartbeat", value: { currentSequence: 1n } } }));
    await v.waitForEventsApplied(3);
    expect(await reason(v.verify(token))).toBe("VALID");
  });

  it("refuses nonsensical options", () => {
    const source = new FakeSource();
    expect(() => new Verifier({ source, issuer: "t", leewayMs: -1 })).toThrow(RangeError);
    expect(() => new Verifier({ source, issuer: "t", maxStalenessMs: 0 })).toThrow(RangeError);
    expect(() => new Verifier({ source, issuer: "t", horizonMs: 0 })).toThrow(RangeError);
    expect(() => new Verifier({ source, issuer: "t", audience: [] })).toThrow(/audience/);
  });
});
