// The Verifier following the real tesserad's WatchRevocations stream.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, TokenInvalidError, Verifier, VerifierUnavailableError } from "../src/index.js";
import { Tesserad } from "./support/tesserad.js";

/** Polls `ok` until it holds; the bound only matters when something failed. */
async function until(ok: () => boolean, what: string, boundMs = 20_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function reasonOf(v: Verifier, token: string): Promise<string> {
  try {
    await v.verify(token);
    return "VALID";
  } catch (e) {
    if (e instanceof TokenInvalidError) return e.reason;
    if (e instanceof VerifierUnavailableError) return "UNAVAILABLE";
    throw e;
  }
}

describe.each([["ES256"], ["EdDSA"]])("Verifier against tesserad signing with %s", (alg) => {
  let server: Tesserad;
  let client: Client;
  let verifier: Verifier;
  beforeAll(async () => {
    server = await Tesserad.start([`--signing_alg=${alg}`]);
    client = new Client({ address: server.grpcAddress });
    verifier = new Verifier({ source: client, issuer: "tessera" });
    await until(() => verifier.available, "the first snapshot");
  });
  afterAll(async () => {
    await verifier?.close();
    await server?.stop();
  });

  it("accepts a fresh token, then sees its revocation after waitForSequence", async () => {
    const t = await client.issueSession({ subject: "alice" });
    const claims = await verifier.verify(t.accessToken);
    expect(claims).toMatchObject({ subject: "alice", sessionId: t.sessionId, clientId: expect.any(String) });
    const revokedEvents: string[] = [];
    verifier.on("revoked", (e) => revokedEvents.push(e.sessionId ?? ""));
    const r = await client.revokeSession({ target: { case: "sessionId", value: t.sessionId } });
    await verifier.waitForSequence(r.sequence);
    expect(await reasonOf(verifier, t.accessToken)).toBe("SESSION_REVOKED");
    expect(revokedEvents).toContain(t.sessionId);
  });

  it("rejects tokens minted before a claims change as STALE_CLAIMS, fresh ones pass", async () => {
    const t = await client.issueSession({ subject: "bob", claims: { plan: "free" } });
    expect(await reasonOf(verifier, t.accessToken)).toBe("VALID");
    const changed: bigint[] = [];
    verifier.on("claimsChanged", (e) => e.subject === "bob" && changed.push(e.generation));
    const u = await client.updateClaims({ subject: "bob", claims: { plan: "pro" }, invalidateAccessTokens: true });
    await verifier.waitForSequence(u.sequence);
    expect(await reasonOf(verifier, t.accessToken)).toBe("STALE_CLAIMS");
    expect(changed.length).toBe(1);
    const fresh = await client.refreshSession({ refreshToken: t.refreshToken });
    expect((await verifier.verify(fresh.accessToken)).custom).toEqual({ plan: "pro" });
  });

  it("rotates keys with zero failed verifications, and refuses a withdrawn key's tokens", async () => {
    const failures: string[] = [];
    const old = await client.issueSession({ subject: "erin" });
    for (let i = 0; i < 3; i++) {
      await client.rotateSigningKey();
      // No wait: the new ACTIVE key was published as NEXT beforehand.
      const t = await client.issueSession({ subject: "erin" });
      for (const token of [t.accessToken, old.accessToken]) {
        const r = await reasonOf(verifier, token);
        if (r !== "VALID") failures.push(`rotation ${i}: ${r}`);
      }
    }
    expect(failures).toEqual([]);
    const kid = JSON.parse(Buffer.from(old.accessToken.split(".")[0]!, "base64url").toString()).kid as string;
    const w = await client.withdrawSigningKey({ kid, reason: "test" });
    await verifier.waitForSequence(w.sequence);
    expect(await reasonOf(verifier, old.accessToken)).toBe("UNKNOWN_KEY");
  });
});

describe("Verifier when tesserad goes away", () => {
  let server: Tesserad;
  afterAll(async () => {
    await server?.stop();
  });

  it("fails closed beyond maxStaleness and recovers by resuming when it returns", async () => {
    server = await Tesserad.start();
    const client = new Client({ address: server.grpcAddress });
    const verifier = new Verifier({ source: client, issuer: "tessera", maxStalenessMs: 1_500, maxBackoffMs: 200 });
    try {
      await until(() => verifier.available, "the first snapshot");
      const t = await client.issueSession({ subject: "frank" });
      expect(await reasonOf(verifier, t.accessToken)).toBe("VALID");
      const stale: number[] = [];
      verifier.on("stale", (e) => stale.push(e.silentForMs));
      const synced: boolean[] = [];
      verifier.on("synced", (e) => synced.push(e.reset));
      const before = verifier.appliedSequence;

      await server.stop();
      await until(() => !verifier.available, "the Verifier to go stale");
      expect(await reasonOf(verifier, t.accessToken)).toBe("UNAVAILABLE");
      await until(() => stale.length > 0, "the stale event");

      await server.restart();
      await until(() => verifier.available, "the Verifier to resync");
      expect(synced).toEqual([false]); // a resume, not a reset
      expect(verifier.appliedSequence).toBeGreaterThanOrEqual(before);
      expect(await reasonOf(verifier, t.accessToken)).toBe("VALID");
      const r = await client.revokeSession({ target: { case: "sessionId", value: t.sessionId } });
      await verifier.waitForSequence(r.sequence);
      expect(await reasonOf(verifier, t.accessToken)).toBe("SESSION_REVOKED");
    } finally {
      await verifier.close();
    }
  });
});

describe("100 concurrent Verifiers", () => {
  let server: Tesserad;
  afterAll(async () => {
    await server?.stop();
  });

  it("all see one revocation", async () => {
    server = await Tesserad.start();
    const client = new Client({ address: server.grpcAddress });
    const verifiers = Array.from({ length: 100 }, () => new Verifier({ source: client, issuer: "tessera" }));
    try {
      await until(() => verifiers.every((v) => v.available), "100 snapshots", 60_000);
      const t = await client.issueSession({ subject: "grace" });
      const before = await Promise.all(verifiers.map((v) => reasonOf(v, t.accessToken)));
      expect(new Set(before)).toEqual(new Set(["VALID"]));
      const r = await client.revokeSession({ target: { case: "subject", value: "grace" } });
      await Promise.all(verifiers.map((v) => v.waitForSequence(r.sequence, { timeoutMs: 30_000 })));
      const after = await Promise.all(verifiers.map((v) => reasonOf(v, t.accessToken)));
      expect(new Set(after)).toEqual(new Set(["SESSION_REVOKED"]));
    } finally {
      await Promise.all(verifiers.map((v) => v.close()));
    }
  });
});
