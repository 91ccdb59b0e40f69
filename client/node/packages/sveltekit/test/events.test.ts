// tessera.events (the push stream) through handle with fake events, against a
// real tesserad whose revocations reach the real Verifier.
import { Client, Verifier } from "@tessera-auth/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Tesserad } from "../../core/test/support/tesserad.js";
import { createTessera, type EventStreamOptions } from "../src/index.js";
import { Jar } from "./support/fake_event.js";
import { login, run, untilSynced } from "./support/harness.js";

/** Reads server-sent events from a Response, one parsed message at a time. */
class SseReader {
  private buffer = "";
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  /** Blocks without an event (comments: heartbeats; the retry line), as read. */
  readonly skipped: string[] = [];
  /** The last `id:` seen, as EventSource keeps it for Last-Event-ID. */
  lastId: string | null = null;
  constructor(response: Response) {
    this.reader = response.body!.getReader();
  }
  /** The next message with an `event:` (comments and retry lines are skipped); null at the end. */
  async next(): Promise<{ event: string; data: unknown } | null> {
    for (;;) {
      const cut = this.buffer.indexOf("\n\n");
      if (cut >= 0) {
        const block = this.buffer.slice(0, cut);
        this.buffer = this.buffer.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        const id = /^id: (.*)$/m.exec(block)?.[1];
        if (id !== undefined) this.lastId = id;
        if (event !== undefined) return { event, data: data === undefined ? null : JSON.parse(data) };
        this.skipped.push(block);
        continue;
      }
      const { done, value } = await this.reader.read();
      if (done) return null;
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }
  async cancel(): Promise<void> {
    await this.reader.cancel();
  }
}

describe("tessera.events", () => {
  let server: Tesserad;
  let client: Client;
  let verifier: Verifier;
  beforeAll(async () => {
    server = await Tesserad.start(["--leeway=0s"]);
    client = new Client({ address: server.grpcAddress });
    verifier = new Verifier({ source: client, issuer: "tessera", leewayMs: 0 });
    await untilSynced(verifier);
  });
  afterAll(async () => {
    await verifier?.close();
    await server?.stop();
  });

  function app(events: EventStreamOptions = {}) {
    const tessera = createTessera({ client, verifier, refreshWindowMs: 0, events });
    /** Opens a stream with the jar's cookies (and the cookies it sets go into the jar). */
    const open = async (jar: Jar, headers: Record<string, string> = {}) => {
      const r = await run(tessera.handle, jar.header(), async (_l, event) => tessera.events(event as never) as Response, headers);
      jar.apply(r.writes);
      return { response: r.response, sse: new SseReader(r.response) };
    };
    return { tessera, open };
  }

  it("signed_out when this session is revoked, and only this session's stream hears it", async () => {
    const { tessera, open } = app();
    const mine = new Jar();
    const other = new Jar();
    const me = await login(tessera.handle, "ana", mine);
    await login(tessera.handle, "ana", other);
    const a = await open(mine);
    const b = await open(other);
    expect(a.response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(a.response.headers.get("cache-control")).toBe("private, no-store");
    expect(await a.sse.next()).toEqual({ event: "ready", data: {} });
    expect(await b.sse.next()).toEqual({ event: "ready", data: {} });
    expect(tessera.openStreams).toBe(2);
    await client.revokeSession({ target: { case: "sessionId", value: me.locals.session!.sessionId } });
    expect(await a.sse.next()).toEqual({ event: "signed_out", data: { reason: "revoked" } });
    expect(await a.sse.next()).toBeNull(); // and the stream ends
    expect(tessera.openStreams).toBe(1);
    // Nothing for the other session: it is signed out only by "everywhere".
    await client.revokeSession({ target: { case: "subject", value: "ana" } });
    expect(await b.sse.next()).toEqual({ event: "signed_out", data: { reason: "revoked" } });
    expect(tessera.openStreams).toBe(0);
  });

  it("claims_changed when the subject's claims change with invalidate; not for other subjects", async () => {
    const { tessera, open } = app();
    const jar = new Jar();
    const bystander = new Jar();
    await login(tessera.handle, "ben", jar);
    await login(tessera.handle, "bent", bystander);
    const s = await open(jar);
    const quiet = await open(bystander);
    expect((await s.sse.next())?.event).toBe("ready");
    expect((await quiet.sse.next())?.event).toBe("ready");
    await client.updateClaims({ subject: "ben", claims: { plan: "pro" }, merge: true, invalidateAccessTokens: true });
    const got = await s.sse.next();
    expect(got?.event).toBe("claims_changed");
    expect(got?.data).toEqual({ generation: expect.stringMatching(/^[1-9][0-9]*$/) });
    // A change without invalidate sends nothing (no cut-off); the next one with it does.
    await client.updateClaims({ subject: "ben", claims: { plan: "team" }, merge: true });
    const { sequence } = await client.updateClaims({
      subject: "ben",
      claims: { plan: "max" },
      merge: true,
      invalidateAccessTokens: true,
    });
    expect((await s.sse.next())?.event).toBe("claims_changed");
    // The bystander's stream got nothing: its next event is its own sign-out.
    await verifier.waitForSequence(sequence);
    await client.revokeSession({ target: { case: "subject", value: "bent" } });
    expect(await quiet.sse.next()).toEqual({ event: "signed_out", data: { reason: "revoked" } });
    await s.sse.cancel();
    await waitFor(() => tessera.openStreams === 0);
  });

  it("a reconnect that missed a claims change (Last-Event-ID older) gets claims_changed at once", async () => {
    const { tessera, open } = app();
    const jar = new Jar();
    await login(tessera.handle, "bo", jar);
    const first = await open(jar);
    const ready = await first.sse.next();
    expect(ready?.event).toBe("ready");
    await first.sse.cancel(); // the tab's connection dropped
    const { sequence } = await client.updateClaims({
      subject: "bo",
      claims: { plan: "pro" },
      merge: true,
      invalidateAccessTokens: true,
    });
    await verifier.waitForSequence(sequence);
    // EventSource sends the last id it saw; handle refreshes the stale token first.
    expect(first.sse.lastId).toMatch(/^\d+$/);
    const again = await open(jar, { "last-event-id": first.sse.lastId! });
    expect((await again.sse.next())?.event).toBe("ready");
    const missed = await again.sse.next();
    expect(missed?.event).toBe("claims_changed");
    // Up to date: nothing more than ready.
    const current = (missed!.data as { generation: string }).generation;
    expect(again.sse.lastId).toBe(current);
    expect(BigInt(current)).toBeGreaterThan(BigInt(first.sse.lastId!));
    const third = await open(jar, { "last-event-id": current });
    expect((await third.sse.next())?.event).toBe("ready");
    await client.revokeSession({ target: { case: "subject", value: "bo" } });
    expect((await third.sse.next())?.event).toBe("signed_out");
    // Hostile ids are ignored.
    const fourth = await open(new Jar(), { "last-event-id": "x".repeat(5000) });
    expect((await fourth.sse.next())?.event).toBe("signed_out");
    await again.sse.cancel();
  });

  it("a request without a session gets one signed_out and no stream", async () => {
    const { tessera, open } = app();
    const r = await open(new Jar());
    expect(r.response.status).toBe(200);
    expect(await r.sse.next()).toEqual({ event: "signed_out", data: { reason: "no_session" } });
    expect(await r.sse.next()).toBeNull();
    expect(tessera.openStreams).toBe(0);
    // Tampered cookies are no session either.
    const jar = new Jar();
    await login(tessera.handle, "cat", jar);
    jar.values.set("__Host-tessera-at0", `${jar.values.get("__Host-tessera-at0")!.slice(0, -4)}AAAA`);
    const t = await open(jar);
    expect(await t.sse.next()).toEqual({ event: "signed_out", data: { reason: "no_session" } });
    expect(tessera.openStreams).toBe(0);
  });

  it("bounded: per session and per process; a closed stream frees its place", async () => {
    const { tessera, open } = app({ maxStreams: 3, maxStreamsPerSession: 2 });
    const a = new Jar();
    const b = new Jar();
    await login(tessera.handle, "dee", a);
    await login(tessera.handle, "dee", b);
    const a1 = await open(a);
    const a2 = await open(a);
    const a3 = await open(a);
    expect(a3.response.status).toBe(503);
    expect(a3.response.headers.get("retry-after")).toBe("10");
    const b1 = await open(b);
    const b2 = await open(b);
    expect(b2.response.status).toBe(503); // the process limit
    expect(tessera.openStreams).toBe(3);
    await a1.sse.next();
    await a1.sse.cancel(); // the tab went away
    await waitFor(() => tessera.openStreams === 2);
    const b3 = await open(b);
    expect(b3.response.status).toBe(200);
    for (const s of [a2, b1, b3]) await s.sse.cancel();
    await waitFor(() => tessera.openStreams === 0);
  });

  it("heartbeats, and the stream ends when its access token expires", async () => {
    const short = await Tesserad.start(["--access_ttl=2s", "--leeway=0s"]);
    const c = new Client({ address: short.grpcAddress });
    const v = new Verifier({ source: c, issuer: "tessera", leewayMs: 0 });
    try {
      await untilSynced(v);
      const tessera = createTessera({ client: c, verifier: v, refreshWindowMs: 0, events: { heartbeatMs: 200 } });
      const jar = new Jar();
      await login(tessera.handle, "eli", jar);
      const r = await run(tessera.handle, jar.header(), async (_l, event) => tessera.events(event as never) as Response);
      const sse = new SseReader(r.response);
      expect((await sse.next())?.event).toBe("ready");
      expect(await sse.next()).toBeNull(); // ended (at expiry), heartbeats on the way
      expect(sse.skipped).toContain(": heartbeat");
      expect(tessera.openStreams).toBe(0);
    } finally {
      await v.close();
      await short.stop();
    }
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
}
