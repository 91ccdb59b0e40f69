// Client retry policy against a listener that accepts and drops every
// connection (UNAVAILABLE each attempt): safe calls are attempted up to
// maxAttempts, the others exactly once.
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, UnavailableError } from "../src/index.js";

describe("Client retries", () => {
  let server: Server;
  let connections = 0;
  let address = "";
  beforeAll(async () => {
    server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const attempts = async (call: (c: Client) => Promise<unknown>): Promise<number> => {
    const client = new Client({ address, maxAttempts: 3, retryBackoffMs: 1, timeoutMs: 30_000 });
    const before = connections;
    const e = await call(client).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UnavailableError);
    return connections - before;
  };

  it("retries read-only calls and RefreshSession", async () => {
    expect(await attempts((c) => c.getStats())).toBe(3);
    expect(await attempts((c) => c.validateToken({ accessToken: "x" }))).toBe(3);
    expect(await attempts((c) => c.refreshSession({ refreshToken: "tsr_x" }))).toBe(3);
  });

  it("retries IssueSession only with a request id", async () => {
    expect(await attempts((c) => c.issueSession({ subject: "a" }))).toBe(1);
    expect(await attempts((c) => c.issueSession({ subject: "a", requestId: "0123456789abcdef" }))).toBe(3);
  });

  it("never retries RevokeSession, UpdateClaims or Admin writes", async () => {
    expect(await attempts((c) => c.revokeSession({ target: { case: "subject", value: "a" } }))).toBe(1);
    expect(await attempts((c) => c.updateClaims({ subject: "a", invalidateAccessTokens: true }))).toBe(1);
    expect(await attempts((c) => c.rotateSigningKey())).toBe(1);
  });

  it("gives up at the deadline", async () => {
    const client = new Client({ address, maxAttempts: 1000, retryBackoffMs: 50, timeoutMs: 300 });
    await expect(client.getStats()).rejects.toBeInstanceOf(UnavailableError);
  });
});
