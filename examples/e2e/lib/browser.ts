// Debian's Chromium through playwright-core (never a downloaded browser).
import { chromium, type Browser, type BrowserContext, type Page, type Response } from "playwright-core";

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
}

export const USERS = {
  alice: { password: "alice-password", subject: "user-alice", name: "Alice Liddell", role: "admin" },
  bob: { password: "bob-password", subject: "user-bob", name: "Bob Stone", role: "member" },
} as const;

/** Signs `user` in through the login form; returns the page, on `/`. */
export async function login(ctx: BrowserContext, web: string, user: keyof typeof USERS = "alice"): Promise<Page> {
  const page = await ctx.newPage();
  const log: string[] = [];
  const note = (line: string) => log.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
  page.on("request", (r) => note(`> ${r.method()} ${r.url()}`));
  page.on("response", (r) => note(`< ${r.status()} ${r.url()}`));
  page.on("requestfailed", (r) => note(`! ${r.url()} ${r.failure()?.errorText}`));
  await page.goto(`${web}/login`);
  await page.fill("input[name=username]", user);
  await page.fill("input[name=password]", USERS[user].password);
  await page.click("[data-testid=login-submit]");
  try {
    await page.getByTestId("user-name").waitFor({ timeout: 20_000 });
  } catch (e) {
    throw new Error(`login as ${user} did not reach the home page: at ${page.url()}: ${(await page.textContent("body").catch(() => ""))?.slice(0, 300)}\n${log.join("\n")}`, { cause: e });
  }
  return page;
}

/** Signs `user` in by posting the login form from the context (no page): the context gets the cookies. */
export async function loginByRequest(ctx: BrowserContext, web: string, user: keyof typeof USERS = "alice"): Promise<void> {
  const r = await ctx.request.post(`${web}/login`, {
    form: { username: user, password: USERS[user].password },
    headers: { origin: web, accept: "text/html" },
    maxRedirects: 0,
  });
  if (r.status() !== 303) throw new Error(`login as ${user}: ${r.status()} ${await r.text()}`);
  if (!(await ctx.cookies()).some((c) => c.name === "__Host-tessera-rt")) throw new Error("login set no cookie");
}

/** Every response the page's documents and data requests got, in order. */
export function recordResponses(page: Page): Response[] {
  const seen: Response[] = [];
  page.on("response", (r) => seen.push(r));
  return seen;
}

/** The access token's `exp` (ms) from the context's cookie jar. */
export async function accessExpiryMs(ctx: BrowserContext): Promise<number> {
  const jar = await ctx.cookies();
  const token = jar.filter((c) => /^__Host-tessera-at\d+$/.test(c.name)).sort((a, b) => a.name.localeCompare(b.name)).map((c) => c.value).join("");
  if (token === "") throw new Error("no access-token cookie");
  const payload = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as { exp: number };
  return payload.exp * 1000;
}

/** Waits until the context's access token has expired (plus `marginMs`). */
export async function waitForExpiry(ctx: BrowserContext, marginMs = 500): Promise<void> {
  const wait = (await accessExpiryMs(ctx)) + marginMs - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

export function refreshCookie(jar: Awaited<ReturnType<BrowserContext["cookies"]>>) {
  return jar.find((c) => c.name === "__Host-tessera-rt");
}
