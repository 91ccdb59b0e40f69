// Driving createTessera's handle with fake events against a real tesserad.
import type { RequestEvent } from "@sveltejs/kit";
import type { Client, pb } from "@tessera-auth/node";
import type { createTessera, TesseraAppLocals, TesseraOptions } from "../../src/index.js";
import { fakeEvent, type CookieWrite, type Jar } from "./fake_event.js";

/** A Client that counts RefreshSession calls. */
export function counting(client: Client): TesseraOptions["client"] & { refreshes: number } {
  const c = {
    refreshes: 0,
    issueSession: client.issueSession.bind(client),
    revokeSession: client.revokeSession.bind(client),
    updateClaims: client.updateClaims.bind(client),
    refreshSession: (req: Parameters<Client["refreshSession"]>[0]): Promise<pb.SessionTokens> => {
      c.refreshes++;
      return client.refreshSession(req);
    },
  };
  return c;
}

export type Run = { locals: TesseraAppLocals; writes: CookieWrite[]; response: Response; event: RequestEvent };
type Handle = ReturnType<typeof createTessera>["handle"];

/** One request through `handle`; `body` runs as the route (inside resolve). */
export async function run(
  handle: Handle,
  cookie: string,
  body?: (locals: TesseraAppLocals, event: RequestEvent) => Promise<Response | void>,
  headers: Record<string, string> = {},
): Promise<Run> {
  const { event, writes } = fakeEvent(cookie, undefined, headers);
  const locals = event.locals as unknown as TesseraAppLocals;
  const response = await handle({
    event,
    resolve: async () => (await body?.(locals, event)) ?? new Response("ok"),
  });
  return { locals, writes, response, event };
}

/** The session cookies a response deletes when it signs out (one access-token piece). */
export const SESSION_COOKIES = ["__Host-tessera-at0", "__Host-tessera-rt"];

/** The names of the cookies `r` deleted, sorted. */
export function deleted(r: Pick<Run, "writes">): string[] {
  return r.writes
    .filter((w) => w.value === "")
    .map((w) => w.name)
    .sort();
}

export async function login(handle: Handle, subject: string, jar: Jar): Promise<Run> {
  const r = await run(handle, "", async (l) => {
    await l.tessera.issue({ subject, claims: { plan: "free" } });
  });
  jar.apply(r.writes);
  return r;
}

/** Resolves once the Verifier has its first snapshot (it fails closed before). */
export async function untilSynced(verifier: { readonly available: boolean }, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!verifier.available) {
    if (Date.now() > deadline) throw new Error("the Verifier never synced");
    await new Promise((r) => setTimeout(r, 10));
  }
}
