// Replays tests/conformance/http.json through authenticateBearer with a stub
// verifier answering each vector's verdict, then a few of them through the
// Node middleware over a real HTTP connection (duplicate fields included).
import { createServer, request, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenInvalidError, VerifierUnavailableError } from "../src/errors.js";
import { authenticateBearer, tesseraAuth, type AuthenticatedRequest } from "../src/http.js";
import type { InvalidReason, TokenClaims } from "../src/token.js";
import { readConformance } from "./support/paths.js";

interface Vector {
  name: string;
  description: string;
  authorization: string[];
  verdict: string;
  expect: {
    verifier_called_with: string | null;
    authenticated: boolean;
    status?: number;
    headers?: Record<string, string>;
    body?: string;
  };
}
const file = readConformance("http.json") as { realm: string; vectors: Vector[] };

const claims = { subject: "user-42", sessionId: "sid-1" } as unknown as TokenClaims;

function stub(verdict: string, calls: string[]) {
  return async (token: string): Promise<TokenClaims> => {
    calls.push(token);
    if (verdict === "VALID") return claims;
    if (verdict === "UNAVAILABLE") throw new VerifierUnavailableError("stub: stale");
    throw new TokenInvalidError(verdict as InvalidReason, "stub");
  };
}

describe("http.json", () => {
  it("uses the realm this middleware sends", () => expect(file.realm).toBe("tessera"));

  for (const v of file.vectors) {
    it(v.name, async () => {
      const calls: string[] = [];
      const auth = await authenticateBearer(v.authorization, stub(v.verdict, calls));
      const got: Vector["expect"] = {
        verifier_called_with: calls.length === 0 ? null : calls[0]!,
        authenticated: auth.authenticated,
      };
      expect(calls.length).toBeLessThanOrEqual(1);
      if (!auth.authenticated) {
        got.status = auth.answer.status;
        got.headers = Object.fromEntries(auth.answer.headers);
        got.body = auth.answer.body;
        // Order matters too: compare the header names as sent.
        expect(auth.answer.headers.map(([n]) => n)).toEqual(Object.keys(v.expect.headers ?? {}));
      } else {
        expect(auth.claims).toBe(claims);
      }
      expect(got, v.description).toEqual(v.expect);
    });
  }
});

describe("tesseraAuth middleware over HTTP", () => {
  const server = createServer((req, res) => {
    const verdict = String(req.headers["x-test-verdict"] ?? "VALID");
    tesseraAuth({ verify: stub(verdict, []) })(req, res, () => {
      res.end(`hello ${(req as AuthenticatedRequest).tessera?.subject}`);
    });
  });
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const get = (headers: Record<string, string | string[]>) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path: "/", headers }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on("error", reject);
      req.end();
    });

  for (const name of ["token/valid", "malformed/two_fields", "refused/EXPIRED", "unavailable/verifier_stale", "missing/no_field"]) {
    it(name, async () => {
      const v = file.vectors.find((x) => x.name === name)!;
      const r = await get({ authorization: v.authorization, "x-test-verdict": v.verdict });
      if (v.expect.authenticated) {
        expect(r.status).toBe(200);
        expect(r.body).toBe("hello user-42");
        return;
      }
      expect(r.status).toBe(v.expect.status);
      expect(r.body).toBe(v.expect.body);
      for (const [h, value] of Object.entries(v.expect.headers ?? {})) expect(r.headers[h.toLowerCase()]).toBe(value);
    });
  }
});
