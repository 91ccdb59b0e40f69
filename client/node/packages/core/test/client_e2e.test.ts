// The Client against the real tesserad: every RPC's happy path, typed errors
// with their ErrorInfo reasons (unary and trailers-only on a stream), API
// keys, and TLS.
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Client,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  TesseraError,
  UnauthenticatedError,
  UnavailableError,
  pb,
} from "../src/index.js";
import { Tesserad } from "./support/tesserad.js";

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected the call to fail");
}

describe("Client against tesserad (zero-config)", () => {
  let server: Tesserad;
  let client: Client;
  beforeAll(async () => {
    server = await Tesserad.start();
    client = new Client({ address: server.grpcAddress });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("issues, validates, refreshes, lists, updates and revokes a session", async () => {
    const tokens = await client.issueSession({
      subject: "alice",
      claims: { role: "admin" },
      client: { deviceName: "laptop" },
    });
    expect(tokens.tokenType).toBe("Bearer");
    expect(tokens.refreshToken.startsWith("tsr_")).toBe(true);

    const valid = await client.validateToken({ accessToken: tokens.accessToken });
    expect(valid.valid).toBe(true);
    expect(valid.claims?.subject).toBe("alice");
    expect(valid.claims?.custom).toEqual({ role: "admin" });

    const refreshed = await client.refreshSession({ refreshToken: tokens.refreshToken });
    expect(refreshed.sessionId).toBe(tokens.sessionId);
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);

    const session = await client.getSession({ sessionId: tokens.sessionId });
    expect(session.generation).toBe(1n);
    expect(session.client?.deviceName).toBe("laptop");
    const list = await client.listSessions({ subject: "alice" });
    expect(list.sessions.map((s) => s.sessionId)).toContain(tokens.sessionId);

    const update = await client.updateClaims({
      subject: "alice",
      claims: { role: null, plan: "pro" },
      mode: pb.ClaimsMode.MERGE_PATCH,
      invalidateAccessTokens: true,
    });
    expect(update.sequence).toBeGreaterThan(0n);
    const stale = await client.validateToken({ accessToken: refreshed.accessToken });
    expect(stale.reason).toBe(pb.TokenInvalidReason.STALE_CLAIMS);
    expect((await client.getSession({ sessionId: tokens.sessionId })).claims).toEqual({ plan: "pro" });

    const revoked = await client.revokeSession({ target: { case: "sessionId", value: tokens.sessionId } });
    expect(revoked.revokedCount).toBe(1n);
    expect(revoked.sequence).toBeGreaterThan(update.sequence);
    const again = await client.revokeSession({ target: { case: "sessionId", value: tokens.sessionId } });
    expect(again.revokedCount).toBe(0n);
  });

  it("serves the JWKS and the Admin RPCs", async () => {
    const jwks = await client.getJwks();
    expect(JSON.parse(jwks.jwksJson).keys.length).toBe(jwks.keys.length);
    const before = await client.listSigningKeys();
    const rotated = await client.rotateSigningKey();
    expect(rotated.active?.kid).toBe(before.keys.find((k) => k.kid === rotated.active?.kid)?.kid);
    expect((await client.listSigningKeys()).keys.map((k) => k.kid)).toContain(rotated.next?.kid);
    const stats = await client.getStats();
    expect(stats.version).not.toBe("");
    expect(stats.lastSequence).toBeGreaterThan(0n);
    const path = join(mkdtempSync(join(tmpdir(), "tessera-backup-")), "b1");
    const backup = await client.createBackup({ path });
    expect(backup.path).toBe(path);
    expect(backup.bytes).toBeGreaterThan(0n);
  });

  it("turns failures into typed errors carrying the ErrorInfo reason", async () => {
    const e1 = await rejection(client.issueSession({ subject: "" }));
    expect(e1).toBeInstanceOf(InvalidArgumentError);
    expect(e1).toMatchObject({ code: "InvalidArgument", reason: "SUBJECT_INVALID" });

    const e2 = await rejection(client.refreshSession({ refreshToken: "tsr_nonsense" }));
    expect(e2).toBeInstanceOf(UnauthenticatedError);
    expect(e2).toMatchObject({ reason: "REFRESH_TOKEN_INVALID" });

    const e3 = await rejection(client.getSession({ sessionId: "not a session id" }));
    expect(e3).toMatchObject({ reason: "SESSION_ID_INVALID" });

    const e4 = await rejection(client.withdrawSigningKey({ kid: "no-such-kid" }));
    expect(e4).toHaveProperty("reason");

    const e5 = await rejection(client.revokeSession({}));
    expect(e5).toMatchObject({ reason: "TARGET_MISSING" });
  });

  it("reports NOT_FOUND for a well-formed unknown session", async () => {
    const t = await client.issueSession({ subject: "carol" });
    const other = t.sessionId.slice(0, -2) + (t.sessionId.endsWith("AA") ? "AB" : "AA");
    const e = await rejection(client.getSession({ sessionId: other }));
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e).toMatchObject({ reason: "SESSION_NOT_FOUND" });
  });

  it("reports a trailers-only error on the revocation stream", async () => {
    const e = await rejection(
      (async () => {
        for await (const _ of client.watchRevocations({ incarnation: "x".repeat(65) })) {
          /* must not get here */
        }
      })(),
    );
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e).toMatchObject({ reason: "INCARNATION_INVALID" });
  });

  it("retries only safe calls, within the deadline, when tesserad is unreachable", async () => {
    const dead = new Client({ address: "127.0.0.1:1", timeoutMs: 2_000, retryBackoffMs: 10 });
    expect(await rejection(dead.getStats())).toBeInstanceOf(UnavailableError);
    expect(await rejection(dead.revokeSession({ target: { case: "subject", value: "a" } }))).toBeInstanceOf(
      UnavailableError,
    );
  });

  it("refuses plaintext to a non-loopback address and bad API keys", () => {
    expect(() => new Client({ address: "tessera.example:50051" })).toThrow(/plaintext/);
    expect(() => new Client({ apiKey: "two words" })).toThrow(/apiKey/);
  });
});

describe("Client with callers configured", () => {
  const issuerKey = randomBytes(24).toString("hex");
  const verifierKey = randomBytes(24).toString("hex");
  let server: Tesserad;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "tessera-tls-"));
    const sha = (k: string) => createHash("sha256").update(k).digest("hex");
    writeFileSync(
      join(dir, "tessera.cfg"),
      `callers { name: "web" api_key_sha256: "${sha(issuerKey)}" roles: ROLE_ISSUER }\n` +
        `callers { name: "api" api_key_sha256: "${sha(verifierKey)}" roles: ROLE_VERIFIER }\n`,
    );
    const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
    ssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
      "-subj", "/CN=tessera-test-ca", "-keyout", "ca.key", "-out", "ca.crt");
    ssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=127.0.0.1",
      "-keyout", "server.key", "-out", "server.csr");
    writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
    ssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
      "-days", "1", "-extfile", "san.ext", "-out", "server.crt");
    server = await Tesserad.start([
      `--config=${join(dir, "tessera.cfg")}`,
      `--tls_cert_file=${join(dir, "server.crt")}`,
      `--tls_key_file=${join(dir, "server.key")}`,
    ]);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const tls = () => ({ ca: readFileSync(join(dir, "ca.crt")) });

  it("calls over TLS with an API key, and enforces roles", async () => {
    const web = new Client({ address: server.grpcAddress, tls: tls(), apiKey: issuerKey });
    const t = await web.issueSession({ subject: "dave" });
    expect(t.sessionId).not.toBe("");
    const api = new Client({ address: server.grpcAddress, tls: tls(), apiKey: verifierKey });
    expect((await api.validateToken({ accessToken: t.accessToken })).valid).toBe(true);
    const denied = await rejection(api.issueSession({ subject: "dave" }));
    expect(denied).toBeInstanceOf(PermissionDeniedError);
    expect(denied).toMatchObject({ reason: "ROLE_MISSING" });
  });

  it("fails with CALLER_UNKNOWN for a wrong API key", async () => {
    const nobody = new Client({ address: server.grpcAddress, tls: tls(), apiKey: "wrong-key" });
    const e = await rejection(nobody.getJwks());
    expect(e).toBeInstanceOf(UnauthenticatedError);
    expect(e).toMatchObject({ reason: "CALLER_UNKNOWN" });
  });

  it("does not trust a server certificate outside the configured CA", async () => {
    const untrusting = new Client({ address: server.grpcAddress, tls: true, apiKey: issuerKey, maxAttempts: 1 });
    const e = await rejection(untrusting.getJwks());
    expect(e).toBeInstanceOf(TesseraError);
    expect((e as Error).message).toMatch(/certificate/);
  });
});

describe("Client with mTLS callers", () => {
  let server: Tesserad;
  let dir: string;
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  const leaf = (name: string, subject: string, san: string) => {
    ssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", subject,
      "-keyout", `${name}.key`, "-out", `${name}.csr`);
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
    ssl("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
      "-days", "1", "-extfile", `${name}.ext`, "-out", `${name}.crt`);
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "tessera-mtls-"));
    ssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
      "-subj", "/CN=tessera-test-ca", "-keyout", "ca.key", "-out", "ca.crt");
    leaf("server", "/CN=127.0.0.1", "IP:127.0.0.1");
    leaf("worker", "/CN=worker", "DNS:worker.internal");
    leaf("stranger", "/CN=stranger", "DNS:stranger.internal");
    writeFileSync(
      join(dir, "tessera.cfg"),
      'callers { name: "worker" client_cert_san: "worker.internal" roles: ROLE_ISSUER roles: ROLE_VERIFIER }\n',
    );
    server = await Tesserad.start([
      `--config=${join(dir, "tessera.cfg")}`,
      `--tls_cert_file=${join(dir, "server.crt")}`,
      `--tls_key_file=${join(dir, "server.key")}`,
      `--client_ca_file=${join(dir, "ca.crt")}`,
    ]);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const mtls = (name: string) =>
    new Client({
      address: server.grpcAddress,
      maxAttempts: 1,
      tls: {
        ca: readFileSync(join(dir, "ca.crt")),
        cert: readFileSync(join(dir, `${name}.crt`)),
        key: readFileSync(join(dir, `${name}.key`)),
      },
    });

  it("authenticates a caller by its client certificate", async () => {
    const t = await mtls("worker").issueSession({ subject: "heidi" });
    expect((await mtls("worker").validateToken({ accessToken: t.accessToken })).valid).toBe(true);
  });

  it("refuses a certificate that names no configured caller", async () => {
    const e = await rejection(mtls("stranger").getJwks());
    expect(e).toBeInstanceOf(UnauthenticatedError);
    expect(e).toMatchObject({ reason: "CALLER_UNKNOWN" });
  });
});
