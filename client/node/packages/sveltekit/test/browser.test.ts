// The test SvelteKit app (test/app, built with adapter-node) driven by
// Debian's Chromium, against the real tesserad (--access_ttl=2s) and a test
// API behind @tessera-auth/node's middleware. Refreshes are counted from
// tesserad's /metrics, reuse from its audit log.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { pb } from "@tessera-auth/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../core/test/support/paths.js";
import { launchChromium } from "./support/browser.js";
import { Stack } from "./support/stack.js";

const run = promisify(execFile);

function cliPath(): string {
  const fromEnv = process.env["TESSERA_CLI"];
  const path = fromEnv !== undefined && fromEnv !== "" ? fromEnv : join(repoRoot, "bazel-bin/tools/cli/tessera");
  if (!existsSync(path)) {
    throw new Error(`the tessera CLI is not at ${path}: set TESSERA_CLI, or run 'bazel build //tools/cli:tessera'`);
  }
  return path;
}

async function signIn(page: Page, origin: string, subject: string, name: string): Promise<void> {
  await page.goto(`${origin}/login`);
  await page.fill('[data-testid="subject-input"]', subject);
  await page.fill('[data-testid="name-input"]', name);
  await Promise.all([page.waitForURL(`${origin}/`), page.click('[data-testid="login"]')]);
  await page.waitForSelector(`[data-testid="subject"]:text("${subject}")`);
}

/** The access token's `exp` (ms), read from the cookies the browser holds. */
async function accessExpiryMs(context: BrowserContext): Promise<number> {
  const cookies = await context.cookies();
  const chunks = cookies
    .filter((c) => /^__Host-tessera-at\d+$/.test(c.name))
    .sort((a, b) => Number(a.name.slice(17)) - Number(b.name.slice(17)));
  const token = chunks.map((c) => c.value).join("");
  const payload = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { exp: number };
  return payload.exp * 1000;
}

/** Waits (for the condition, not a fixed time) until the browser's access token has expired. */
async function untilExpired(context: BrowserContext): Promise<void> {
  const exp = await accessExpiryMs(context);
  while (Date.now() < exp + 50) await new Promise((r) => setTimeout(r, Math.min(200, exp + 50 - Date.now() + 1)));
}

describe("the SvelteKit test app in Chromium", () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await Stack.start("2s");
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** A fresh browser profile for one test. */
  async function withContext<T>(fn: (context: BrowserContext) => Promise<T>): Promise<T> {
    const context = await browser.newContext();
    try {
      return await fn(context);
    } finally {
      await context.close();
    }
  }

  it("login sets __Host- cookies: HttpOnly, Secure, SameSite=Lax, Path=/, host-only; no-store; invisible to JS", async () => {
    await withContext(async (context) => {
      const page = await context.newPage();
      const setCookies: { header: string; cacheControl: string | null }[] = [];
      page.on("response", async (r) => {
        const headers = await r.headersArray();
        for (const h of headers.filter((x) => x.name.toLowerCase() === "set-cookie")) {
          setCookies.push({ header: h.value, cacheControl: r.headers()["cache-control"] ?? null });
        }
      });
      await signIn(page, stack.app.origin, "alice", "Alice");
      expect(await page.textContent('[data-testid="api-status"]')).toBe("200");
      expect(await page.textContent('[data-testid="api-name"]')).toBe("Alice");
      const cookies = (await context.cookies()).filter((c) => c.name.startsWith("__Host-tessera-"));
      expect(cookies.map((c) => c.name).sort()).toEqual(["__Host-tessera-at0", "__Host-tessera-rt"]);
      for (const c of cookies) {
        expect(c).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax", path: "/", domain: "127.0.0.1" });
        expect(c.expires).toBeGreaterThan(Date.now() / 1000);
      }
      const ours = setCookies.filter((s) => s.header.startsWith("__Host-tessera-"));
      expect(ours.length).toBeGreaterThanOrEqual(2);
      for (const s of ours) {
        expect(s.header).toMatch(/; HttpOnly/i);
        expect(s.header).toMatch(/; Secure/i);
        expect(s.header).toMatch(/; SameSite=Lax/i);
        expect(s.header).toMatch(/; Path=\//i);
        expect(s.header).not.toMatch(/; Domain=/i);
        expect(s.cacheControl).toBe("private, no-store");
      }
      // No token reaches browser JavaScript.
      expect(await page.evaluate(() => document.cookie)).toBe("");
    });
  });

  it("after the access token expires, a navigation refreshes exactly once and no 401 is seen", async () => {
    await withContext(async (context) => {
      const page = await context.newPage();
      await signIn(page, stack.app.origin, "bob", "Bob");
      const statuses: number[] = [];
      page.on("response", (r) => statuses.push(r.status()));
      await untilExpired(context);
      const before = await stack.refreshCalls();
      await page.goto(`${stack.app.origin}/`);
      expect(await page.textContent('[data-testid="subject"]')).toBe("bob");
      expect(await page.textContent('[data-testid="api-status"]')).toBe("200");
      expect(await stack.refreshCalls()).toBe(before + 1);
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s === 401)).toEqual([]);
      expect(await accessExpiryMs(context)).toBeGreaterThan(Date.now() - 1_000);
    });
  });

  it("two tabs navigating at the same instant after expiry both stay signed in (20 times, no reuse)", async () => {
    // Its own stack with 1 s access tokens: 20 expiries.
    const fast = await Stack.start("1s");
    const context = await browser.newContext();
    try {
      const a = await context.newPage();
      const b = await context.newPage();
      await signIn(a, fast.app.origin, "carol", "Carol");
      await b.goto(`${fast.app.origin}/`);
      const refreshesBefore = await fast.refreshCalls();
      for (let i = 0; i < 20; i++) {
        await untilExpired(context);
        await Promise.all([a.goto(`${fast.app.origin}/`), b.goto(`${fast.app.origin}/`)]);
        for (const p of [a, b]) {
          expect(p.url(), `repetition ${i}`).toBe(`${fast.app.origin}/`);
          expect(await p.textContent('[data-testid="subject"]')).toBe("carol");
          expect(await p.textContent('[data-testid="api-status"]')).toBe("200");
        }
      }
      expect(fast.reuseDetected()).toBe(0);
      // One per repetition: the two requests share the single flight.
      expect(await fast.refreshCalls()).toBe(refreshesBefore + 20);
    } finally {
      await context.close();
      await fast.stop();
    }
  }, 240_000);

  it("eight parallel API calls from one page after expiry cause one refresh", async () => {
    await withContext(async (context) => {
      const page = await context.newPage();
      await signIn(page, stack.app.origin, "dave", "Dave");
      await page.goto(`${stack.app.origin}/items`);
      await untilExpired(context);
      const before = await stack.refreshCalls();
      const itemsBefore = stack.api.hitsOf("/items");
      await page.click('[data-testid="load"]');
      await page.waitForSelector('[data-testid="statuses"]:text-matches("^\\\\d")');
      expect(await page.textContent('[data-testid="statuses"]')).toBe(Array(8).fill("200").join(","));
      expect(await page.textContent('[data-testid="results"]')).toBe(Array(8).fill("dave").join(","));
      expect(await stack.refreshCalls()).toBe(before + 1);
      expect(stack.api.hitsOf("/items") - itemsBefore).toBe(8); // refreshed before the API was called: no retries
    });
  });

  it("revoke from the CLI: both open tabs show 'signed out' within a second, without a reload", async () => {
    await withContext(async (context) => {
      const leader = await context.newPage();
      await signIn(leader, stack.app.origin, "erin", "Erin");
      const sessionId = (await leader.textContent('[data-testid="session-id"]'))!;
      await leader.goto(`${stack.app.origin}/live`);
      await leader.waitForSelector('[data-testid="stream"]:text("following")');
      const follower = await context.newPage(); // hears it over BroadcastChannel
      await follower.goto(`${stack.app.origin}/live`);
      await follower.waitForSelector('[data-testid="mounted"]:text("true")');
      // A reload or a navigation would lose this.
      for (const p of [leader, follower]) await p.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
      await run(cliPath(), [`--address=${stack.tesserad.grpcAddress}`, "revoke", `--session_id=${sessionId}`]);
      const revokedAt = Date.now();
      await Promise.all(
        [leader, follower].map((p) => p.waitForSelector('[data-testid="signed-out"]', { timeout: 10_000 })),
      );
      const elapsed = Date.now() - revokedAt;
      expect(elapsed).toBeLessThan(1_000);
      for (const p of [leader, follower]) {
        expect(await p.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
        expect(p.url()).toBe(`${stack.app.origin}/live`);
      }
      // "revoked", or "no_session" if it fell in a reconnect (the stream renews at each token expiry).
      expect(await leader.textContent('[data-testid="signed-out"]')).toMatch(/revoked|no_session/);
      // And the server agrees: the next navigation is signed out.
      await leader.goto(`${stack.app.origin}/`);
      expect(leader.url()).toMatch(/\/login/);
    });
  });

  it("a claims change shows the new value in the open tab without a new login", async () => {
    await withContext(async (context) => {
      const page = await context.newPage();
      await signIn(page, stack.app.origin, "fred", "Fred");
      await page.goto(`${stack.app.origin}/live`);
      await page.waitForSelector('[data-testid="stream"]:text("following")');
      await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
      await stack.client.updateClaims({
        subject: "fred",
        claims: { name: "Frederick" },
        mode: pb.ClaimsMode.MERGE_PATCH,
        invalidateAccessTokens: true,
      });
      await page.waitForSelector('[data-testid="name"]:text("Frederick")', { timeout: 15_000 });
      expect(await page.textContent('[data-testid="claims-changes"]')).toBe("1");
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
      expect(page.url()).toBe(`${stack.app.origin}/live`);
    });
  });

  it("an always-401 API route causes at most one refresh and one retry", async () => {
    await withContext(async (context) => {
      const page = await context.newPage();
      await signIn(page, stack.app.origin, "gina", "Gina");
      const before = await stack.refreshCalls();
      const hitsBefore = stack.api.hitsOf("/always401");
      await page.goto(`${stack.app.origin}/always401`);
      expect(await page.textContent('[data-testid="status"]')).toBe("401");
      expect(await page.textContent('[data-testid="signed-in"]')).toBe("true");
      const refreshes = (await stack.refreshCalls()) - before;
      const hits = stack.api.hitsOf("/always401") - hitsBefore;
      expect(refreshes).toBeLessThanOrEqual(1);
      expect(hits).toBeLessThanOrEqual(2);
      expect([refreshes, hits]).toEqual([1, 2]); // it did try: one refresh, one retry
    });
  });

  it("the app's log holds no token", async () => {
    await withContext(async (context) => {
      const page = await context.newPage();
      await signIn(page, stack.app.origin, "hank", "Hank");
      const cookies = await context.cookies();
      const log = stack.app.log;
      expect(log).toContain("GET / 200 signed_in");
      for (const c of cookies) expect(log).not.toContain(c.value);
    });
  });
});
