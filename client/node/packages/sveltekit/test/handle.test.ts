// createTessera's handle and handleFetch, driven with fake events against a
// real tesserad (started on a free loopback port) and a real Verifier.
import { Client, Verifier } from "@tessera-auth/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Tesserad } from "../../core/test/support/tesserad.js";
import { createTessera } from "../src/index.js";
import { Jar } from "./support/fake_event.js";
import { counting, deleted, login, run, SESSION_COOKIES, untilSynced } from "./support/harness.js";

describe("handle against tesserad", () => {
  let server: Tesserad;
  let client: Client;
  let verifier: Verifier;
  beforeAll(async () => {
    server = await Tesserad.start(["--access_ttl=2s", "--leeway=0s"]);
    client = new Client({ address: server.grpcAddress });
    verifier = new Verifier({ source: client, issuer: "tessera", leewayMs: 0 });
    await untilSynced(verifier);
  });
  afterAll(async () => {
    await verifier?.close();
    await server?.stop();
  });

  it("login sets __Host- cookies with HttpOnly, Secure, SameSite=Lax, Path=/ and no-store", async () => {
    const counted = counting(client);
    const { handle } = createTessera({ client: counted, verifier, refreshWindowMs: 0 });
    const jar = new Jar();
    const r = await login(handle, "alice", jar);
    expect(r.locals.session?.subject).toBe("alice");
    expect(r.locals.session?.claims).toEqual({ plan: "free" });
    expect(r.response.headers.get("cache-control")).toBe("private, no-store");
    const names = r.writes.filter((w) => w.value !== "").map((w) => w.name).sort();
    expect(names).toEqual(["__Host-tessera-at0", "__Host-tessera-rt"]);
    for (const w of r.writes.filter((w) => w.value !== "")) {
      expect(w.options).toMatchObject({ path: "/", httpOnly: true, secure: true, sameSite: "lax" });
      expect(w.options["maxAge"]).toBeGreaterThan(0);
    }
    // The next request is signed in without any RPC and sets nothing.
    const next = await run(handle, jar.header());
    expect(next.locals.session?.sessionId).toBe(r.locals.session?.sessionId);
    expect(next.locals.tessera.status).toBe("signed_in");
    expect(next.writes).toEqual([]);
    expect(next.response.headers.get("cache-control")).toBeNull();
    expect(counted.refreshes).toBe(0);
  });

  it("splits a large access token over numbered cookies and reads it back", async () => {
    const { handle } = createTessera({ client, verifier, refreshWindowMs: 0, chunkChars: 100 });
    const jar = new Jar();
    const r = await run(handle, "", async (l) => {
      await l.tessera.issue({ subject: "bob", claims: { blob: "x".repeat(600) } });
    });
    jar.apply(r.writes);
    const chunks = [...jar.values.keys()].filter((n) => n.includes("-at"));
    expect(chunks.length).toBeGreaterThan(5);
    const next = await run(handle, jar.header());
    expect(next.locals.session?.subject).toBe("bob");
    expect(next.locals.session?.claims["blob"]).toBe("x".repeat(600));
  });

  it("after expiry, 8 concurrent requests with the same cookies cause exactly one refresh", async () => {
    const counted = counting(client);
    let refreshedCallbacks = 0;
    const { handle } = createTessera({
      client: counted,
      verifier,
      refreshWindowMs: 0,
      onRefresh: () => {
        refreshedCallbacks++;
      },
    });
    const jar = new Jar();
    await login(handle, "carol", jar);
    await new Promise((r) => setTimeout(r, 2_500)); // --access_ttl=2s, leeway 0
    // An expired token with a tampered signature is BAD_SIGNATURE: no refresh.
    const at = jar.values.get("__Host-tessera-at0")!;
    const tampered = `${at.slice(0, -2)}${at.endsWith("AA") ? "BB" : "AA"}; __Host-tessera-rt=${jar.values.get("__Host-tessera-rt")}`;
    const bad = await run(handle, `__Host-tessera-at0=${tampered}`);
    expect(bad.locals.session).toBeNull();
    expect(counted.refreshes).toBe(0);
    const cookie = jar.header();
    const runs = await Promise.all(Array.from({ length: 8 }, () => run(handle, cookie)));
    expect(counted.refreshes).toBe(1);
    expect(refreshedCallbacks).toBe(8);
    const refreshTokens = new Set<string>();
    for (const r of runs) {
      expect(r.locals.session?.subject).toBe("carol");
      expect(r.response.headers.get("cache-control")).toBe("private, no-store");
      refreshTokens.add(r.writes.find((w) => w.name === "__Host-tessera-rt")!.value);
    }
    expect(refreshTokens.size).toBe(1);
    expect(refreshTokens.has(jar.values.get("__Host-tessera-rt")!)).toBe(false);
    // A request sent with the old cookies just after the refresh gets the same answer, no RPC.
    const late = await run(handle, cookie);
    expect(late.writes.find((w) => w.name === "__Host-tessera-rt")!.value).toBe([...refreshTokens][0]);
    expect(late.locals.session?.subject).toBe("carol");
    expect(counted.refreshes).toBe(1);
    jar.apply(runs[0]!.writes);
    const after = await run(handle, jar.header());
    expect(after.locals.session?.subject).toBe("carol");
    expect(counted.refreshes).toBe(1);
  });

  it("refreshes a token near expiry before resolve()", async () => {
    const counted = counting(client);
    const { handle } = createTessera({ client: counted, verifier, refreshWindowMs: 60_000 });
    const jar = new Jar();
    await login(handle, "dora", jar);
    const r = await run(handle, jar.header(), async (l) => {
      // resolve() already sees the refreshed session.
      expect(l.session?.subject).toBe("dora");
      expect(counted.refreshes).toBe(1);
    });
    expect(r.writes.some((w) => w.name === "__Host-tessera-rt" && w.value !== jar.values.get("__Host-tessera-rt"))).toBe(
      true,
    );
  });

  it("a revoked session is signed out and its cookies cleared, after one refresh that says why", async () => {
    const counted = counting(client);
    const { handle } = createTessera({ client: counted, verifier, refreshWindowMs: 0 });
    const jar = new Jar();
    const r = await login(handle, "erin", jar);
    const { sequence } = await client.revokeSession({
      target: { case: "sessionId", value: r.locals.session!.sessionId },
    });
    await verifier.waitForSequence(sequence);
    const after = await run(handle, jar.header());
    expect(after.locals.session).toBeNull();
    expect(after.locals.tessera.status).toBe("signed_out");
    expect(after.locals.tessera.signedOutReason).toBe("SESSION_REVOKED");
    expect(deleted(after)).toEqual(SESSION_COOKIES);
    expect(after.response.headers.get("cache-control")).toBe("private, no-store");
    expect(counted.refreshes).toBe(1);
    // The cookies are gone: the next request asks nothing.
    const next = await run(handle, "");
    expect(next.locals.tessera.signedOutReason).toBeNull();
    expect(counted.refreshes).toBe(1);
  });

  it("a revoked session while tesserad cannot answer is still signed out, as SESSION_REVOKED", async () => {
    const down = new Client({ address: "127.0.0.1:1", timeoutMs: 500 });
    const jar = new Jar();
    const r = await login(createTessera({ client, verifier, refreshWindowMs: 0 }).handle, "ezra", jar);
    const { sequence } = await client.revokeSession({
      target: { case: "sessionId", value: r.locals.session!.sessionId },
    });
    await verifier.waitForSequence(sequence);
    const { handle } = createTessera({ client: down, verifier, refreshWindowMs: 0 });
    const after = await run(handle, jar.header());
    expect(after.locals.tessera.status).toBe("signed_out");
    expect(after.locals.tessera.signedOutReason).toBe("SESSION_REVOKED");
    expect(deleted(after)).toEqual(SESSION_COOKIES);
  });

  it("signOut() revokes at tesserad, waits for the Verifier, and clears the cookies", async () => {
    const { handle } = createTessera({ client, verifier, refreshWindowMs: 0 });
    const jar = new Jar();
    await login(handle, "fay", jar);
    const other = new Jar();
    await login(handle, "fay", other); // a second device
    const cookie = jar.header();
    const out = await run(handle, cookie, async (l) => {
      await l.tessera.signOut();
      expect(l.session).toBeNull();
      expect(l.tessera.status).toBe("signed_out");
      expect(l.tessera.signedOutReason).toBe("SIGNED_OUT");
    });
    expect(deleted(out)).toEqual(SESSION_COOKIES);
    // The Verifier saw it before signOut() returned: the replay is refused at once.
    await expect(verifier.verify(jar.values.get("__Host-tessera-at0")!)).rejects.toMatchObject({
      reason: "SESSION_REVOKED",
    });
    const replay = await run(handle, cookie);
    expect(replay.locals.session).toBeNull();
    expect(deleted(replay)).toEqual(SESSION_COOKIES);
    // The other device is still signed in.
    expect((await run(handle, other.header())).locals.session?.subject).toBe("fay");
  });

  it("signOut({ everywhere: true }) revokes every session of the subject", async () => {
    const { handle } = createTessera({ client, verifier, refreshWindowMs: 0 });
    const a = new Jar();
    const b = new Jar();
    await login(handle, "gil", a);
    await login(handle, "gil", b);
    await login(handle, "gilbert", new Jar());
    await run(handle, a.header(), async (l) => {
      await l.tessera.signOut({ everywhere: true });
    });
    // Seen by this process's Verifier before signOut() returned.
    await expect(verifier.verify(b.values.get("__Host-tessera-at0")!)).rejects.toMatchObject({ reason: "SESSION_REVOKED" });
    const other = await run(handle, b.header());
    expect(other.locals.session).toBeNull();
  });

  it("STALE_CLAIMS refreshes before resolve() and yields the new claims", async () => {
    const counted = counting(client);
    const { handle } = createTessera({ client: counted, verifier, refreshWindowMs: 0 });
    const jar = new Jar();
    await login(handle, "gus", jar);
    const { sequence } = await client.updateClaims({
      subject: "gus",
      claims: { plan: "pro" },
      merge: true,
      invalidateAccessTokens: true,
    });
    await verifier.waitForSequence(sequence);
    const r = await run(handle, jar.header());
    expect(counted.refreshes).toBe(1);
    expect(r.locals.session?.claims).toEqual({ plan: "pro" });
  });

  it("locals.tessera.updateClaims is a JSON Merge Patch and, with invalidate, refreshes this session", async () => {
    const { handle } = createTessera({ client, verifier, refreshWindowMs: 0 });
    const jar = new Jar();
    const r0 = await run(handle, "", async (l) => {
      await l.tessera.issue({ subject: "hal", claims: { plan: "free", prefs: { theme: "light", lang: "en" }, tmp: 1 } });
    });
    jar.apply(r0.writes);
    const r = await run(handle, jar.header(), async (l) => {
      await l.tessera.updateClaims({ prefs: { theme: "dark" }, tmp: null }, { invalidate: true });
      // Nested objects merge; null deletes (RFC 7396), not stored as null.
      expect(l.session?.claims).toEqual({ plan: "free", prefs: { theme: "dark", lang: "en" } });
    });
    expect(r.response.headers.get("cache-control")).toBe("private, no-store");
    jar.apply(r.writes);
    const next = await run(handle, jar.header());
    expect(next.locals.session?.claims).toEqual({ plan: "free", prefs: { theme: "dark", lang: "en" } });
  });

  it("hostile cookies mean signed out, no refresh, never a throw", async () => {
    const counted = counting(client);
    const { handle } = createTessera({ client: counted, verifier, refreshWindowMs: 0 });
    const jar = new Jar();
    await login(handle, "ivy", jar);
    const at = jar.values.get("__Host-tessera-at0")!;
    const rt = jar.values.get("__Host-tessera-rt")!;
    const [h, p, s] = at.split(".");
    const flipped = s!.startsWith("A") ? `B${s!.slice(1)}` : `A${s!.slice(1)}`;
    const hostile = [
      `__Host-tessera-at0=${h}.${p}.${flipped}; __Host-tessera-rt=${rt}`, // tampered signature
      `__Host-tessera-at0=${h}.${Buffer.from('{"sub":"root"}').toString("base64url")}.${s}; __Host-tessera-rt=${rt}`,
      `__Host-tessera-at0=not-a-jwt; __Host-tessera-rt=${rt}`, // malformed
      `__Host-tessera-at0=${at}; __Host-tessera-at0=${at}; __Host-tessera-rt=${rt}`, // duplicated
      `__Host-tessera-at0=${at}; __Host-tessera-rt=${rt}; __Host-tessera-rt=${rt}`,
      `__Host-tessera-at0=${"a".repeat(100_000)}; __Host-tessera-rt=${rt}`, // oversized
      `__Host-tessera-at0=${at}; __Host-tessera-at2=${at}; __Host-tessera-rt=${rt}`, // gap
      `__Host-tessera-at0=${at}`, // no refresh cookie
      `__Host-tessera-rt=${rt}`, // no access cookie
      `__Host-tessera-at0=${at}%00; __Host-tessera-rt=${rt}`, // bad characters
      `__Host-tessera-at0=${at}; __Host-tessera-rt=${rt}\u00ff`,
      `__Host-tessera-at0="${"x".repeat(10)}; __Host-tessera-rt==`,
    ];
    for (const cookie of hostile) {
      const r = await run(handle, cookie);
      expect(r.locals.session, cookie.slice(0, 80)).toBeNull();
      expect(r.locals.tessera.status).toBe("signed_out");
      expect(["COOKIES_MALFORMED", "MALFORMED", "BAD_SIGNATURE"]).toContain(r.locals.tessera.signedOutReason);
      expect(r.response.status).toBe(200);
    }
    expect(counted.refreshes).toBe(0);
    // What is deleted is our names that were sent, nothing else.
    const dup = await run(handle, `__Host-tessera-at0=${at}; __Host-tessera-at0=x; __Host-tessera-rt=${rt}; __Host-tessera-a b=1`);
    expect(dup.writes.map((w) => [w.name, w.value]).sort()).toEqual([
      ["__Host-tessera-at0", ""],
      ["__Host-tessera-rt", ""],
    ]);
    expect(dup.response.headers.get("cache-control")).toBe("private, no-store");
    // Other apps' cookies, and ours under another prefix, are ignored.
    const others = await run(handle, `${jar.header()}; session=abc; __Host-tesserax-rt=1`);
    expect(others.locals.session?.subject).toBe("ivy");
    // The genuine cookies still work.
    expect((await run(handle, jar.header())).locals.session?.subject).toBe("ivy");
  });

  it("a Verifier out of sync means unavailable: cookies kept, no refresh", async () => {
    const jar = new Jar();
    await login(createTessera({ client, verifier, refreshWindowMs: 0 }).handle, "kim", jar);
    const unreachable = new Client({ address: "127.0.0.1:1", timeoutMs: 200 });
    const blind = new Verifier({ source: unreachable, issuer: "tessera" });
    try {
      const counted = counting(client);
      const { handle } = createTessera({ client: counted, verifier: blind, refreshWindowMs: 0 });
      const r = await run(handle, jar.header());
      expect(r.locals.session).toBeNull();
      expect(r.locals.tessera.status).toBe("unavailable");
      expect(r.writes).toEqual([]);
      expect(counted.refreshes).toBe(0);
    } finally {
      await blind.close();
    }
  });

  it("handleFetch adds the Bearer token for configured API origins only", async () => {
    const { handle, handleFetch } = createTessera({
      client,
      verifier,
      refreshWindowMs: 0,
      apiOrigins: ["https://api.example"],
    });
    const jar = new Jar();
    await login(handle, "jo", jar);
    const r = await run(handle, jar.header());
    const seen: (string | null)[] = [];
    const fetch = async (req: Request | URL | string) => {
      seen.push((req as Request).headers.get("authorization"));
      return new Response("ok");
    };
    const call = (url: string) =>
      handleFetch({ event: r.event, request: new Request(url), fetch: fetch as typeof globalThis.fetch });
    await call("https://api.example/v1/notes");
    await call("https://evil.example/v1/notes");
    await call("https://api.example.evil.example/");
    expect(seen).toEqual([`Bearer ${jar.values.get("__Host-tessera-at0")}`, null, null]);
    // Signed out: nothing added.
    const out = await run(handle, "");
    seen.length = 0;
    await handleFetch({ event: out.event, request: new Request("https://api.example/x"), fetch: fetch as typeof globalThis.fetch });
    expect(seen).toEqual([null]);
  });

  it("a reused refresh token (theft) signs out with REFRESH_TOKEN_REUSED and deletes the cookies", async () => {
    const strict = await Tesserad.start(["--access_ttl=2s", "--leeway=0s", "--refresh_grace=0s"]);
    const c = new Client({ address: strict.grpcAddress });
    const v = new Verifier({ source: c, issuer: "tessera", leewayMs: 0 });
    try {
      await untilSynced(v);
      const { handle } = createTessera({ client: c, verifier: v, refreshWindowMs: 60_000, recentRefreshMs: 0 });
      const stolen = new Jar();
      await login(handle, "max", stolen);
      const user = new Jar();
      for (const [n, val] of stolen.values) user.values.set(n, val);
      // The user's browser rotates twice (each request is within the refresh window).
      for (let i = 0; i < 2; i++) user.apply((await run(handle, user.header())).writes);
      const thief = await run(handle, stolen.header());
      expect(thief.locals.session).toBeNull();
      expect(thief.locals.tessera.signedOutReason).toBe("REFRESH_TOKEN_REUSED");
      expect(deleted(thief)).toEqual(SESSION_COOKIES);
      // The owner's access token is still unexpired, but the Verifier has the
      // revocation: the owner is told the same.
      const ownerToken = user.values.get("__Host-tessera-at0")!;
      for (let i = 0; i < 200 && (await v.verify(ownerToken).then(() => true, () => false)); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const owner = await run(createTessera({ client: c, verifier: v, refreshWindowMs: 0 }).handle, user.header());
      expect(owner.locals.session).toBeNull();
      expect(owner.locals.tessera.signedOutReason).toBe("REFRESH_TOKEN_REUSED");
      expect(deleted(owner)).toEqual(SESSION_COOKIES);
    } finally {
      await v.close();
      await strict.stop();
    }
  });
});
