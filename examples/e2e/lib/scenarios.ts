// The eleven browser scenarios of issue #18, defined once and run against
// each example (one test file per example, so the two run side by side).
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { accessExpiryMs, launch, login, loginByRequest, recordResponses, refreshCookie, USERS, waitForExpiry } from "./browser.js";
import { REPO, startStack, type Example, type Stack } from "./stack.js";

const run = promisify(execFile);
const SHOTS = path.join(REPO, "docs/images/examples");

/** The OK / refused RefreshSession counts. */
async function refreshes(stack: Stack): Promise<{ ok: number; refused: number }> {
  const calls = await stack.refreshCalls();
  const ok = calls.OK ?? 0;
  return { ok, refused: Object.values(calls).reduce((a, b) => a + b, 0) - ok };
}

function reuseLines(stack: Stack) {
  return stack.audit().filter((l) => JSON.stringify(l).includes("REFRESH_TOKEN_REUSED"));
}

async function accessToken(ctx: BrowserContext): Promise<string> {
  const jar = await ctx.cookies();
  return jar.filter((c) => /^__Host-tessera-at\d+$/.test(c.name)).sort((a, b) => a.name.localeCompare(b.name)).map((c) => c.value).join("");
}

async function apiProfile(stack: Stack, token: string): Promise<{ status: number; reason: string | null }> {
  const r = await fetch(`${stack.api}/api/profile`, { headers: { authorization: `Bearer ${token}` } });
  await r.arrayBuffer();
  return { status: r.status, reason: r.headers.get("tessera-reason") };
}

async function shot(page: Page, example: Example, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${example}-${name}.png`) });
}

async function signedIn(page: Page, name: string = USERS.alice.name): Promise<void> {
  await expect.poll(() => page.getByTestId("user-name").textContent({ timeout: 10_000 })).toBe(name);
}

export function defineScenarios(example: Example, opts: { typedClient: boolean }): void {
  describe(example, () => {
    let stack: Stack;
    let browser: Browser;
    const contexts: BrowserContext[] = [];
    const context = async () => {
      const ctx = await browser.newContext();
      contexts.push(ctx);
      return ctx;
    };

    beforeAll(async () => {
      stack = await startStack(example);
      browser = await launch();
    }, 180_000);

    // Each test's tabs close with it: an open tab's push stream reconnects
    // (and so refreshes) in the background, which would blur the next
    // test's refresh counts.
    afterEach(async () => {
      for (const c of contexts.splice(0)) await c.close().catch(() => {});
    });

    afterAll(async () => {
      for (const c of contexts) await c.close().catch(() => {});
      await browser?.close().catch(() => {});
      await stack?.stop();
    }, 60_000);

    if (opts.typedClient) {
      it("the checked-in API types are generated from the API's current /openapi.json", async () => {
        const web = path.join(REPO, "examples", example, "web");
        const dir = await mkdtemp(path.join(tmpdir(), "openapi-"));
        try {
          const out = path.join(dir, "schema.d.ts");
          await run(path.join(web, "node_modules/.bin/openapi-typescript"), [`${stack.api}/openapi.json`, "-o", out], { cwd: web });
          const fresh = await readFile(out, "utf8");
          const checkedIn = readFileSync(path.join(web, "src/lib/api/schema.d.ts"), "utf8");
          expect(checkedIn, "src/lib/api/schema.d.ts is stale: run `npm run gen:api` in examples/sveltekit-go/web").toBe(fresh);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });
    }

    it("1: login → the SSR page shows the claims; HttpOnly Secure SameSite=Lax __Host- cookies; no-store where they are set", async () => {
      const ctx = await context();
      const page = await ctx.newPage();
      const seen = recordResponses(page);
      await page.goto(`${stack.web}/login`);
      await page.fill("input[name=username]", "alice");
      await page.fill("input[name=password]", "wrong");
      await page.click("[data-testid=login-submit]");
      await expect.poll(() => page.getByTestId("login-error").isVisible()).toBe(true);
      expect(await ctx.cookies()).toEqual([]);
      await page.fill("input[name=password]", USERS.alice.password);
      await Promise.all([page.waitForURL(`${stack.web}/`), page.click("[data-testid=login-submit]")]);
      await signedIn(page);
      expect(await page.getByTestId("user-role").textContent()).toBe("admin");
      expect(await page.getByTestId("session-id").textContent()).toMatch(/^[A-Za-z0-9_-]{8,}$/);
      // Server-rendered: the document itself carries the claims.
      const doc = seen.find((r) => r.url() === `${stack.web}/` && r.request().resourceType() === "document");
      expect(await doc?.text()).toContain(USERS.alice.name);
      const jar = await ctx.cookies();
      expect(jar.map((c) => c.name).sort()).toEqual(["__Host-tessera-at0", "__Host-tessera-rt"]);
      for (const c of jar) {
        expect(c).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax", path: "/", domain: "127.0.0.1" });
      }
      // Every response that set a cookie said no-store.
      let setting = 0;
      for (const r of seen) {
        const headers = await r.headersArray();
        if (!headers.some((h) => h.name.toLowerCase() === "set-cookie")) continue;
        setting++;
        expect(r.headers()["cache-control"] ?? "", r.url()).toMatch(/no-store/);
      }
      expect(setting).toBeGreaterThan(0);
      // No token reaches browser JavaScript.
      expect(await page.evaluate(() => document.cookie)).toBe("");
      await shot(page, example, "signed-in");
    });

    it("2: after the access token expired, a navigation refreshes exactly once and no 401 is seen", async () => {
      const ctx = await context();
      const page = await login(ctx, stack.web);
      await waitForExpiry(ctx);
      const before = await refreshes(stack);
      const seen = recordResponses(page);
      await page.click('a[href="/profile"]');
      await page.waitForURL(`${stack.web}/profile`);
      await expect.poll(() => page.getByTestId("profile-name").inputValue()).toBe(USERS.alice.name);
      const after = await refreshes(stack);
      expect(after.ok - before.ok).toBe(1);
      expect(after.refused - before.refused).toBe(0);
      expect(seen.filter((r) => r.status() >= 400).map((r) => `${r.status()} ${r.url()}`)).toEqual([]);
      expect(await accessExpiryMs(ctx)).toBeGreaterThan(Date.now());
    });

    it("3: two tabs navigating at the same instant after expiry both stay signed in (20 times, no REFRESH_TOKEN_REUSED)", async () => {
      const before = await refreshes(stack);
      // Twenty sessions signed in up front (one expiry wait for all), then raced one by one.
      const sessions: BrowserContext[] = [];
      for (let i = 0; i < 20; i++) {
        const ctx = await context();
        await loginByRequest(ctx, stack.web);
        sessions.push(ctx);
      }
      await waitForExpiry(sessions[sessions.length - 1]!);
      const race = async (ctx: BrowserContext) => {
        const tabs = [await ctx.newPage(), await ctx.newPage()];
        await Promise.all(tabs.map((t) => t.goto(`${stack.web}/items`)));
        for (const t of tabs) {
          expect(t.url()).toBe(`${stack.web}/items`);
          expect(await t.getByTestId("item").count()).toBe(8);
        }
        await ctx.close();
      };
      // One session's pair of tabs at a time (racing four sessions at once, 64
      // concurrent API calls, sometimes got an error page from the Flask
      // example under load, and saved no time on two cores).
      for (const ctx of sessions) await race(ctx);
      expect(reuseLines(stack)).toEqual([]);
      const after = await refreshes(stack);
      expect(after.refused - before.refused).toBe(0);
      expect(after.ok - before.ok).toBeGreaterThanOrEqual(20);
    }, 300_000);

    it("4: a page making 8 parallel API calls after expiry causes one refresh", async () => {
      const ctx = await context();
      const page = await login(ctx, stack.web);
      await waitForExpiry(ctx);
      const before = await refreshes(stack);
      const seen = recordResponses(page);
      await page.goto(`${stack.web}/items`);
      expect(await page.getByTestId("item").count()).toBe(8);
      const after = await refreshes(stack);
      expect(after.ok - before.ok, seen.map((r) => `${r.status()} ${r.url()} ${r.headers()["set-cookie"] ? "sets-cookie" : ""}`).join("\n")).toBe(1);
      expect(seen.filter((r) => r.status() >= 400).map((r) => `${r.status()} ${r.url()}`)).toEqual([]);
    });

    it("5: a refresh answer lost after the server rotated, retried 30 s later → still signed in", async () => {
      const ctx = await context();
      const page = await login(ctx, stack.web);
      const oldRefresh = refreshCookie(await ctx.cookies())?.value;
      await waitForExpiry(ctx);
      const before = await refreshes(stack);
      // The request reaches the web app (which rotates), but its answer never reaches the browser.
      await page.route(`${stack.web}/items`, async (route) => {
        const r = await fetch(route.request().url(), { headers: await route.request().allHeaders(), redirect: "manual" });
        await r.arrayBuffer();
        await route.abort("connectionreset");
      });
      await page.goto(`${stack.web}/items`).catch(() => {});
      const rotated = await refreshes(stack);
      expect(rotated.ok - before.ok).toBe(1);
      expect(refreshCookie(await ctx.cookies())?.value).toBe(oldRefresh);
      await page.close();
      await new Promise((r) => setTimeout(r, 30_000));
      const again = await ctx.newPage();
      await again.goto(`${stack.web}/items`);
      expect(again.url()).toBe(`${stack.web}/items`);
      expect(await again.getByTestId("item").count()).toBe(8);
      expect(refreshCookie(await ctx.cookies())?.value).not.toBe(oldRefresh);
      expect(reuseLines(stack)).toEqual([]);
      expect((await refreshes(stack)).refused - before.refused).toBe(0);
    }, 120_000);

    it("6: revoking the session from the CLI shows 'signed out' in the open tab within 1 s, no reload; the API then answers 401 SESSION_REVOKED", async () => {
      const ctx = await context();
      const page = await login(ctx, stack.web);
      const sid = (await page.getByTestId("session-id").textContent())!;
      const token = await accessToken(ctx);
      expect((await apiProfile(stack, token)).status).toBe(200);
      await stack.cli("revoke", `--session_id=${sid}`);
      const revokedAt = Date.now();
      await page.getByTestId("signed-out").waitFor({ timeout: 10_000 });
      expect(Date.now() - revokedAt).toBeLessThanOrEqual(1_000);
      expect(await apiProfile(stack, token)).toEqual({ status: 401, reason: "SESSION_REVOKED" });
    });

    it("7: changing the user's name through the API shows the new name in every open tab without a new login", async () => {
      const ctx = await context();
      const tab1 = await login(ctx, stack.web, "bob");
      const tab2 = await ctx.newPage();
      await tab2.goto(`${stack.web}/`);
      await signedIn(tab2, USERS.bob.name);
      const editor = await ctx.newPage();
      await editor.goto(`${stack.web}/profile`);
      const fresh = `Bob Renamed ${example}`;
      try {
        await editor.fill("[data-testid=profile-name]", fresh);
        await Promise.all([editor.waitForURL(`${stack.web}/`), editor.click("[data-testid=profile-save]")]);
        await signedIn(editor, fresh);
        await signedIn(tab1, fresh);
        await signedIn(tab2, fresh);
        expect(tab1.url()).toBe(`${stack.web}/`);
      } finally {
        await editor.goto(`${stack.web}/profile`);
        await editor.fill("[data-testid=profile-name]", USERS.bob.name);
        await editor.click("[data-testid=profile-save]");
        await editor.waitForURL(`${stack.web}/`);
      }
    });

    it("8: 'sign out everywhere' on one device: the API refuses the other's token as soon as it returns; the other lands on /login next", async () => {
      const phone = await context();
      const laptop = await context();
      // Bob: his devices page is short enough for the docs' screenshot.
      const laptopPage = await login(laptop, stack.web, "bob");
      const laptopToken = await accessToken(laptop);
      const page = await login(phone, stack.web, "bob");
      await page.goto(`${stack.web}/devices`);
      expect(await page.getByTestId("device").count()).toBeGreaterThanOrEqual(2);
      await shot(page, example, "devices");
      await Promise.all([page.waitForURL(`${stack.web}/signed-out`), page.click("[data-testid=signout-everywhere]")]);
      // The endpoint returned after the API's Verifier applied it: no wait here.
      expect(await apiProfile(stack, laptopToken)).toEqual({ status: 401, reason: "SESSION_REVOKED" });
      await page.getByTestId("signed-out").waitFor();
      await laptopPage.goto(`${stack.web}/devices`);
      await laptopPage.waitForURL(/\/(login|signed-out)/);
      if (laptopPage.url().endsWith("/signed-out")) await laptopPage.goto(`${stack.web}/devices`);
      expect(laptopPage.url()).toBe(`${stack.web}/login`);
    });

    it("9: a stolen refresh cookie used after the owner rotated signs both out; the owner sees 'signed out for your security'", async () => {
      const owner = await context();
      const thief = await context();
      const page = await login(owner, stack.web);
      await thief.addCookies(await owner.cookies());
      // The owner rotates twice (so the stolen token is neither the current one nor its unused parent) ...
      await waitForExpiry(owner);
      await page.goto(`${stack.web}/`);
      const firstRotation = Date.now();
      await waitForExpiry(owner);
      await page.goto(`${stack.web}/`);
      await signedIn(page);
      // ... and the grace window for concurrent tabs (--refresh_grace, 10 s) has passed.
      const wait = firstRotation + 11_000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const thiefPage = await thief.newPage();
      await thiefPage.goto(`${stack.web}/`);
      await thiefPage.waitForURL(/\/(login|signed-out)/);
      expect(reuseLines(stack).length).toBeGreaterThanOrEqual(1);
      // The owner's open tab is told by the push stream, without a click.
      await page.getByTestId("signed-out-security").waitFor({ timeout: 10_000 });
      await page.goto(`${stack.web}/`);
      expect(page.url()).toMatch(/\/(login|signed-out)/);
      await thiefPage.goto(`${stack.web}/`);
      expect(thiefPage.url()).toMatch(/\/(login|signed-out)/);
    }, 120_000);

    it("10: tesserad down for longer than maxStaleness → 'authentication unavailable, retrying', nobody signed out; restarted → pages work without a login", async () => {
      const ctx = await context();
      const page = await login(ctx, stack.web);
      await stack.stopTesserad();
      try {
        await expect
          .poll(async () => {
            await page.goto(`${stack.web}/`);
            return page.getByTestId("auth-banner").isVisible();
          }, { timeout: 60_000, interval: 500 })
          .toBe(true);
        expect(await page.getByTestId("auth-banner").textContent()).toContain("authentication unavailable, retrying");
        expect(refreshCookie(await ctx.cookies())).toBeDefined();
        await page.goto(`${stack.web}/items`);
        await page.getByTestId("auth-banner").waitFor();
        expect(page.url()).toBe(`${stack.web}/items`);
      } finally {
        await stack.startTesserad();
      }
      // The banner page retries by itself.
      await page.getByTestId("item").first().waitFor({ timeout: 60_000 });
      expect(page.url()).toBe(`${stack.web}/items`);
      await page.goto(`${stack.web}/`);
      await signedIn(page);
    }, 180_000);

    it("11: the back button after logout shows no signed-in content", async () => {
      const ctx = await context();
      const page = await login(ctx, stack.web);
      await page.goto(`${stack.web}/devices`);
      await page.getByTestId("device").first().waitFor();
      await Promise.all([page.waitForURL(`${stack.web}/signed-out`), page.click("[data-testid=logout]")]);
      await page.getByTestId("signed-out").waitFor();
      await shot(page, example, "signed-out");
      await page.goBack();
      await page.waitForLoadState("load");
      await expect.poll(() => page.url()).toMatch(/\/(login|signed-out)$/);
      expect(await page.getByTestId("device").count()).toBe(0);
      expect(await page.content()).not.toContain(USERS.alice.name);
      expect(await ctx.cookies()).toEqual([]);
    });
  });
}
