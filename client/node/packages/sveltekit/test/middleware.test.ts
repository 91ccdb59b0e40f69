// locals.tessera.apiMiddleware() on a real openapi-fetch client whose fetch is
// a fake API answering per the HTTP answer contract; tesserad and the
// Verifier are real.
import { isHttpError, isRedirect } from "@sveltejs/kit";
import { Client, Verifier } from "@tessera-auth/node";
import createClient from "openapi-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Tesserad } from "../../core/test/support/tesserad.js";
import { createTessera, isAuthUnavailable, type TesseraAppLocals } from "../src/index.js";
import { Jar } from "./support/fake_event.js";
import { counting, deleted, login, run, SESSION_COOKIES, untilSynced } from "./support/harness.js";

/** The API's paths, as openapi-typescript would write them. */
interface paths {
  "/notes": {
    get: { responses: { 200: { content: { "application/json": { owner: string } } } } };
    post: {
      requestBody: { content: { "application/json": { text: string } } };
      responses: { 200: { content: { "application/json": { owner: string; text: string } } } };
    };
  };
}

interface Seen {
  url: string;
  authorization: string | null;
  body: string;
}

/**
 * A fake API: `answer` decides each response from the Bearer token; every
 * request is recorded.
 */
function fakeApi(answer: (token: string | null, seen: Seen) => Response | Promise<Response>) {
  const seen: Seen[] = [];
  const fetch = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const req = input instanceof Request ? input : new Request(input, init);
    const s = { url: req.url, authorization: req.headers.get("authorization"), body: await req.text() };
    seen.push(s);
    const token = s.authorization?.startsWith("Bearer ") ? s.authorization.slice(7) : null;
    return answer(token, s);
  };
  return { seen, fetch };
}

const refusal = (reason: string) =>
  new Response(JSON.stringify({ error: "invalid_token", reason }), {
    status: 401,
    headers: { "tessera-reason": reason, "content-type": "application/json" },
  });
const json = (v: unknown) => new Response(JSON.stringify(v), { headers: { "content-type": "application/json" } });

describe("the openapi-fetch middleware", () => {
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

  /** The app: a handle, and a route that calls the API through the middleware. */
  function app(opts: { maxReplayBytes?: number } = {}) {
    const counted = counting(client);
    const tessera = createTessera({
      client: counted,
      verifier,
      refreshWindowMs: 0,
      apiOrigins: ["https://api.example"],
      loginPath: (reason: string) => `/signin?reason=${reason}`,
    });
    const api = (locals: TesseraAppLocals, fetch: typeof globalThis.fetch, baseUrl = "https://api.example") => {
      const c = createClient<paths>({ baseUrl, fetch });
      c.use(locals.tessera.apiMiddleware(opts));
      return c;
    };
    return { counted, handle: tessera.handle, api };
  }

  it("adds the Bearer token to API origins only, and nothing when signed out", async () => {
    const { handle, api } = app();
    const jar = new Jar();
    await login(handle, "amy", jar);
    const fake = fakeApi(() => json({ owner: "amy" }));
    await run(handle, jar.header(), async (l) => {
      await api(l, fake.fetch).GET("/notes");
      await api(l, fake.fetch, "https://api.example.evil.test").GET("/notes");
    });
    await run(handle, "", async (l) => {
      await api(l, fake.fetch).GET("/notes");
    });
    expect(fake.seen.map((s) => s.authorization)).toEqual([`Bearer ${jar.values.get("__Host-tessera-at0")}`, null, null]);
  });

  it("401 EXPIRED: one refresh, one retry with the new token and the same body; new cookies on the response", async () => {
    const { handle, api, counted } = app();
    const jar = new Jar();
    await login(handle, "bea", jar);
    const old = jar.values.get("__Host-tessera-at0")!;
    const fake = fakeApi((token, s) => (token === old ? refusal("EXPIRED") : json({ owner: "bea", text: JSON.parse(s.body).text })));
    const r = await run(handle, jar.header(), async (l) => {
      const { data, error } = await api(l, fake.fetch).POST("/notes", { body: { text: "hello" } });
      expect(error).toBeUndefined();
      expect(data).toEqual({ owner: "bea", text: "hello" });
      expect(l.session?.subject).toBe("bea");
    });
    expect(counted.refreshes).toBe(1);
    expect(fake.seen.length).toBe(2);
    expect(fake.seen.map((s) => s.body)).toEqual(['{"text":"hello"}', '{"text":"hello"}']);
    const renewed = r.writes.find((w) => w.name === "__Host-tessera-at0")!.value;
    expect(renewed).not.toBe(old);
    expect(fake.seen[1]!.authorization).toBe(`Bearer ${renewed}`);
    expect(r.response.headers.get("cache-control")).toBe("private, no-store");
  });

  it("STALE_CLAIMS is retried like EXPIRED, and the retry carries the new claims", async () => {
    const { handle, api, counted } = app();
    const jar = new Jar();
    await login(handle, "cid", jar);
    const old = jar.values.get("__Host-tessera-at0")!;
    const fake = fakeApi(async (token) => {
      if (token === old) return refusal("STALE_CLAIMS");
      return json({ owner: (await verifier.verify(token!)).custom["plan"] });
    });
    await client.updateClaims({ subject: "cid", claims: { plan: "pro" }, merge: true });
    await run(handle, jar.header(), async (l) => {
      const { data } = await api(l, fake.fetch).GET("/notes");
      expect(data).toEqual({ owner: "pro" });
      expect(l.session?.claims["plan"]).toBe("pro");
    });
    expect(counted.refreshes).toBe(1);
  });

  it("an API that always answers 401 EXPIRED gets one refresh and one retry, then the 401 goes to the caller", async () => {
    const { handle, api, counted } = app();
    const jar = new Jar();
    await login(handle, "dan", jar);
    const fake = fakeApi(() => refusal("EXPIRED"));
    const r = await run(handle, jar.header(), async (l) => {
      const { error, response } = await api(l, fake.fetch).GET("/notes");
      expect(response.status).toBe(401);
      expect(error).toEqual({ error: "invalid_token", reason: "EXPIRED" });
      expect(l.session?.subject).toBe("dan"); // not signed out for it
    });
    expect(counted.refreshes).toBe(1);
    expect(fake.seen.length).toBe(2);
    expect(r.response.status).toBe(200);
  });

  it("8 parallel calls refused as EXPIRED in one request: one refresh, each retried once", async () => {
    const { handle, api, counted } = app();
    const jar = new Jar();
    await login(handle, "eve", jar);
    const old = jar.values.get("__Host-tessera-at0")!;
    const fake = fakeApi((token) => (token === old ? refusal("EXPIRED") : json({ owner: "eve" })));
    await run(handle, jar.header(), async (l) => {
      const c = api(l, fake.fetch);
      const results = await Promise.all(Array.from({ length: 8 }, () => c.GET("/notes")));
      for (const res of results) expect(res.data).toEqual({ owner: "eve" });
    });
    expect(counted.refreshes).toBe(1);
    expect(fake.seen.length).toBe(16);
  });

  for (const reason of ["BAD_SIGNATURE", "WRONG_AUDIENCE"]) {
    it(`401 ${reason}: the cookies are cleared and the caller is redirected to the login path, no refresh`, async () => {
      const { handle, api, counted } = app();
      const jar = new Jar();
      await login(handle, "fin", jar);
      const fake = fakeApi(() => refusal(reason));
      let thrown: unknown;
      const r = await run(handle, jar.header(), async (l) => {
        try {
          await api(l, fake.fetch).GET("/notes");
        } catch (e) {
          thrown = e;
        }
        expect(l.session).toBeNull();
        expect(l.tessera.status).toBe("signed_out");
        expect(l.tessera.signedOutReason).toBe(reason);
      });
      expect(isRedirect(thrown)).toBe(true);
      expect(thrown).toMatchObject({ status: 303, location: `/signin?reason=${reason}` });
      expect(deleted(r)).toEqual(SESSION_COOKIES);
      expect(counted.refreshes).toBe(0);
      expect(fake.seen.length).toBe(1);
    });
  }

  it("401 SESSION_REVOKED: one refresh asks tesserad why, then sign-out and redirect with its reason; no retry", async () => {
    const { handle, api, counted } = app();
    const jar = new Jar();
    const first = await login(handle, "fia", jar);
    const fake = fakeApi(() => refusal("SESSION_REVOKED"));
    let thrown: unknown;
    const r = await run(handle, jar.header(), async (l) => {
      // The API's Verifier saw the revocation before this process's did.
      await client.revokeSession({ target: { case: "sessionId", value: first.locals.session!.sessionId } });
      try {
        await api(l, fake.fetch).GET("/notes");
      } catch (e) {
        thrown = e;
      }
      expect(l.session).toBeNull();
      expect(l.tessera.signedOutReason).toBe("SESSION_REVOKED");
    });
    expect(thrown).toMatchObject({ status: 303, location: "/signin?reason=SESSION_REVOKED" });
    expect(deleted(r)).toEqual(SESSION_COOKIES);
    expect(counted.refreshes).toBe(1);
    expect(fake.seen.length).toBe(1);
  });

  it("401 SESSION_REVOKED for a session tesserad still has: refreshed, retried once, and the retry's answer decides", async () => {
    const { handle, api, counted } = app();
    const jar = new Jar();
    await login(handle, "fox", jar);
    const old = jar.values.get("__Host-tessera-at0")!;
    const fake = fakeApi((token) => (token === old ? refusal("SESSION_REVOKED") : json({ owner: "fox" })));
    await run(handle, jar.header(), async (l) => {
      const res = await api(l, fake.fetch).GET("/notes");
      expect(res.data).toEqual({ owner: "fox" });
      expect(l.session?.subject).toBe("fox");
    });
    expect(counted.refreshes).toBe(1);
    expect(fake.seen.length).toBe(2);
  });

  it("a refresh tesserad refuses (session revoked meanwhile) signs out and redirects; no retry", async () => {
    const { handle, api, counted } = app();
    const jar = new Jar();
    const login1 = await login(handle, "gia", jar);
    const fake = fakeApi(() => refusal("EXPIRED"));
    let thrown: unknown;
    await run(handle, jar.header(), async (l) => {
      // Revoked at tesserad after this request's token was verified.
      await client.revokeSession({ target: { case: "sessionId", value: login1.locals.session!.sessionId } });
      try {
        await api(l, fake.fetch).GET("/notes");
      } catch (e) {
        thrown = e;
      }
    });
    expect(isRedirect(thrown)).toBe(true);
    expect(thrown).toMatchObject({ location: "/signin?reason=SESSION_REVOKED" });
    expect(counted.refreshes).toBe(1);
    expect(fake.seen.length).toBe(1);
  });

  it("503 throws 'auth unavailable' (an HttpError 503) and keeps the session and its cookies", async () => {
    const { handle, api, counted } = app();
    const jar = new Jar();
    await login(handle, "hu", jar);
    const fake = fakeApi(
      () =>
        new Response('{"error":"temporarily_unavailable","reason":"VERIFIER_UNAVAILABLE"}', {
          status: 503,
          headers: { "retry-after": "2" },
        }),
    );
    let thrown: unknown;
    const r = await run(handle, jar.header(), async (l) => {
      try {
        await api(l, fake.fetch).GET("/notes");
      } catch (e) {
        thrown = e;
      }
      expect(l.session?.subject).toBe("hu");
    });
    expect(isHttpError(thrown, 503)).toBe(true);
    expect(isAuthUnavailable(thrown)).toBe(true);
    expect(r.writes).toEqual([]);
    expect(counted.refreshes).toBe(0);
  });

  it("a body larger than maxReplayBytes is not sent twice: the 401 goes to the caller", async () => {
    const { handle, api, counted } = app({ maxReplayBytes: 64 });
    const jar = new Jar();
    await login(handle, "ida", jar);
    const old = jar.values.get("__Host-tessera-at0")!;
    const fake = fakeApi((token) => (token === old ? refusal("EXPIRED") : json({ owner: "ida", text: "" })));
    const text = "y".repeat(200);
    await run(handle, jar.header(), async (l) => {
      const c = api(l, fake.fetch);
      const first = await c.POST("/notes", { body: { text } });
      expect(first.response.status).toBe(401);
      // The refresh did happen: the next call goes out with the new token.
      const second = await c.POST("/notes", { body: { text } });
      expect(second.data).toEqual({ owner: "ida", text: "" });
    });
    expect(counted.refreshes).toBe(1);
    expect(fake.seen.map((s) => s.body.length)).toEqual([202 + 9, 202 + 9]);
  });

  it("a 401 without Tessera-Reason is the API's own answer: returned as is, no refresh, no sign-out", async () => {
    const { handle, api, counted } = app();
    const jar = new Jar();
    await login(handle, "jon", jar);
    const fake = fakeApi(() => new Response("{}", { status: 401 }));
    await run(handle, jar.header(), async (l) => {
      const { response } = await api(l, fake.fetch).GET("/notes");
      expect(response.status).toBe(401);
      expect(l.session?.subject).toBe("jon");
    });
    expect(counted.refreshes).toBe(0);
    expect(fake.seen.length).toBe(1);
  });
});
