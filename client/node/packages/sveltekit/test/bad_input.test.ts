// Hostile cookies sent to the real app over HTTP (raw sockets, so any byte
// can be sent): always "signed out", never a 500, never a refresh for a
// token tesserad did not sign, and nothing secret in the app's log.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "./support/stack.js";

interface RawResponse {
  status: number;
  headers: [string, string][];
  body: string;
}

/** One HTTP/1.1 request over a fresh socket, written byte for byte. */
function rawGet(origin: string, path: string, cookie: Buffer | string | null, extra = ""): Promise<RawResponse> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on("data", (d: Buffer) => chunks.push(d));
    // A server that refuses a request mid-upload may reset the connection
    // before its answer is read: reported as status 0.
    socket.on("error", (e: NodeJS.ErrnoException) => (e.code === "ECONNRESET" ? undefined : reject(e)));
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const [head, ...rest] = text.split("\r\n\r\n");
      const lines = (head ?? "").split("\r\n");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? "")?.[1] ?? 0);
      const headers = lines.slice(1).map((l): [string, string] => {
        const i = l.indexOf(":");
        return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()];
      });
      resolve({ status, headers, body: rest.join("\r\n\r\n") });
    });
    const parts: Buffer[] = [Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n${extra}`)];
    if (cookie !== null) parts.push(Buffer.from("Cookie: "), Buffer.from(cookie), Buffer.from("\r\n"));
    parts.push(Buffer.from("\r\n"));
    // Not end(): a half-closed socket may be dropped before it is answered.
    socket.write(Buffer.concat(parts));
  });
}

const setCookies = (r: RawResponse) => r.headers.filter(([n]) => n === "set-cookie").map(([, v]) => v);

describe("bad cookies through the real app", () => {
  let stack: Stack;
  let at = "";
  let rt = "";
  let expiredAt = "";
  beforeAll(async () => {
    stack = await Stack.start("2s");
    // A genuine session, signed in through the app's login form.
    const login = await fetch(`${stack.app.origin}/login`, {
      method: "POST",
      headers: { origin: stack.app.origin, "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: "subject=mallory&name=M",
      redirect: "manual",
    });
    expect(login.status).toBe(303);
    for (const c of login.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const [name, value] = pair!.split("=");
      if (name === "__Host-tessera-at0") at = value!;
      if (name === "__Host-tessera-rt") rt = value!;
    }
    expect(at).not.toBe("");
    expect(rt).not.toBe("");
    const exp = JSON.parse(Buffer.from(at.split(".")[1]!, "base64url").toString()).exp as number;
    while (Date.now() < exp * 1000 + 50) await new Promise((r) => setTimeout(r, 100));
    expiredAt = at; // now expired: a genuine token that would be refreshed
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it("every kind of hostile cookie is signed out (303 to /login), never 5xx, and never refreshes", async () => {
    const [h, p, s] = expiredAt.split(".") as [string, string, string];
    const flipped = `${s.startsWith("A") ? "B" : "A"}${s.slice(1)}`;
    const forgedPayload = Buffer.from(JSON.stringify({ sub: "admin", exp: 9999999999 })).toString("base64url");
    const cases: [string, Buffer | string][] = [
      ["tampered signature", `__Host-tessera-at0=${h}.${p}.${flipped}; __Host-tessera-rt=${rt}`],
      ["forged payload", `__Host-tessera-at0=${h}.${forgedPayload}.${s}; __Host-tessera-rt=${rt}`],
      ["alg none", `__Host-tessera-at0=${Buffer.from('{"alg":"none"}').toString("base64url")}.${p}.; __Host-tessera-rt=${rt}`],
      ["not a JWT", `__Host-tessera-at0=not-a-jwt; __Host-tessera-rt=${rt}`],
      ["empty values", `__Host-tessera-at0=; __Host-tessera-rt=`],
      ["duplicated access cookie", `__Host-tessera-at0=${expiredAt}; __Host-tessera-at0=${expiredAt}; __Host-tessera-rt=${rt}`],
      ["duplicated refresh cookie", `__Host-tessera-at0=${expiredAt}; __Host-tessera-rt=${rt}; __Host-tessera-rt=${rt}`],
      ["chunk gap", `__Host-tessera-at0=${expiredAt}; __Host-tessera-at2=${expiredAt}; __Host-tessera-rt=${rt}`],
      ["oversized chunk", `__Host-tessera-at0=${"a".repeat(7_000)}; __Host-tessera-rt=${rt}`],
      ["oversized refresh", `__Host-tessera-at0=${expiredAt}; __Host-tessera-rt=${"r".repeat(5_000)}`],
      ["refresh only", `__Host-tessera-rt=${rt}`],
      ["access only", `__Host-tessera-at0=${expiredAt}`],
      ["unknown name", `__Host-tessera-at0=${expiredAt}; __Host-tessera-rt=${rt}; __Host-tessera-zz=1`],
      ["percent-encoding", `__Host-tessera-at0=${expiredAt}%00; __Host-tessera-rt=${rt}`],
      ["quotes", `__Host-tessera-at0="${expiredAt}; __Host-tessera-rt=${rt}"`],
      ["latin-1 bytes", Buffer.concat([Buffer.from(`__Host-tessera-at0=${expiredAt}\xff; __Host-tessera-rt=`), Buffer.from([0xfe, 0x80])])],
      ["control character", `__Host-tessera-at0=${expiredAt}\x01; __Host-tessera-rt=${rt}`],
      ["no equals sign", `__Host-tessera-at0; __Host-tessera-rt`],
    ];
    const before = await stack.refreshCalls();
    const refusedByNode: string[] = [];
    for (const [what, cookie] of cases) {
      const r = await rawGet(stack.app.origin, "/", cookie);
      // 400 is Node's own answer to a header it cannot parse; anything else must be the app's sign-out.
      if (r.status === 400) {
        refusedByNode.push(what);
        continue;
      }
      expect(r.status, what).toBe(303);
      expect(r.headers.find(([n]) => n === "location")?.[1], what).toBe("/login");
      // What was ours and was sent is deleted; no token is set.
      for (const c of setCookies(r)) expect(c, what).toMatch(/^__Host-tessera-[a-z0-9]+=;/);
    }
    expect(["latin-1 bytes", "control character"]).toEqual(expect.arrayContaining(refusedByNode));
    // The push stream and an endpoint too.
    for (const path of ["/tessera/events", "/items/data/1"]) {
      const r = await rawGet(stack.app.origin, path, `__Host-tessera-at0=${h}.${p}.${flipped}; __Host-tessera-rt=${rt}`);
      expect(r.status, path).toBeLessThan(500);
    }
    expect(await stack.refreshCalls()).toBe(before);
  });

  it("a header too large for Node is refused by Node (431 or a reset), not by a crash", async () => {
    const r = await rawGet(stack.app.origin, "/", `__Host-tessera-at0=${"a".repeat(100_000)}`);
    expect([431, 0]).toContain(r.status);
    expect((await fetch(`${stack.app.origin}/login`)).status).toBe(200); // still serving
  });

  it("200 concurrent hostile requests: no refresh storm, no 5xx", async () => {
    const [h, p, s] = expiredAt.split(".") as [string, string, string];
    const before = await stack.refreshCalls();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        rawGet(stack.app.origin, "/", `__Host-tessera-at0=${h}.${p}.${s.slice(0, -3)}${String(i % 10).repeat(3)}; __Host-tessera-rt=${rt}`),
      ),
    );
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([303]));
    expect(await stack.refreshCalls()).toBe(before);
  });

  it("the genuine expired token refreshes once; the retired refresh token afterwards is signed out", async () => {
    const before = await stack.refreshCalls();
    const ok = await rawGet(stack.app.origin, "/", `__Host-tessera-at0=${expiredAt}; __Host-tessera-rt=${rt}`);
    expect(ok.status).toBe(200);
    expect(setCookies(ok).some((c) => c.startsWith("__Host-tessera-rt=") && !c.startsWith(`__Host-tessera-rt=${rt};`))).toBe(true);
    expect(await stack.refreshCalls()).toBe(before + 1);
    // A made-up refresh secret with the genuine expired token: one refusal, cookies deleted.
    const forged = `${rt.slice(0, -4)}${rt.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
    const bad = await rawGet(stack.app.origin, "/", `__Host-tessera-at0=${expiredAt}; __Host-tessera-rt=${forged}`);
    expect(bad.status).toBe(303);
    expect(bad.headers.find(([n]) => n === "location")?.[1]).toBe("/login");
  });

  it("nothing secret in the app's log, and no unexpected error", () => {
    const log = stack.app.log;
    expect(log).toContain("GET / 303 signed_out");
    expect(log).not.toContain(rt);
    expect(log).not.toContain(at);
    expect(log).not.toContain(expiredAt.split(".")[2]!);
    expect(log).not.toContain("unexpected error");
  });
});
