// One tesserad Client and one Verifier per process, created on first use
// (not while `vite build` analyses the app), and the Tessera hooks on them.
import { env } from "$env/dynamic/private";
import { Client, UnauthenticatedError, Verifier } from "@tessera-auth/node";
import { createTessera, type SessionClient, type Tessera } from "@tessera-auth/sveltekit";

export interface Auth {
  client: Client;
  verifier: Verifier;
  tessera: Tessera;
  /** Session ids whose refresh was refused as REFRESH_TOKEN_REUSED (theft). */
  theft: TheftLog;
}

/**
 * Remembers, for a while, the sessions tesserad revoked because a retired
 * refresh token came back. A request signed out with one of them is shown
 * "signed out for your security" instead of the plain login page. Bounded:
 * only a real, retired refresh token can add an entry.
 */
export class TheftLog {
  private readonly seen = new Map<string, number>();
  constructor(private readonly keepMs = 3_600_000, private readonly max = 10_000) {}
  note(sessionId: string): void {
    this.seen.delete(sessionId);
    this.seen.set(sessionId, Date.now());
    while (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value as string);
  }
  has(sessionId: string): boolean {
    const at = this.seen.get(sessionId);
    return at !== undefined && Date.now() - at < this.keepMs;
  }
}

/** The session id a refresh token names (`tsr_<session id>.<secret>`), or null. */
export function sessionIdOf(refreshToken: string): string | null {
  const m = /^tsr_([A-Za-z0-9_-]{1,128})\./.exec(refreshToken);
  return m === null ? null : (m[1] ?? null);
}

/** tesserad's revoke_reason when it ends a session because a retired refresh token came back. */
export const THEFT_REASON = "refresh token reused";

/** Whether tesserad revoked the session because a refresh token was used twice. */
export async function revokedAsTheft(client: Client, sessionId: string): Promise<boolean> {
  try {
    return (await client.getSession({ sessionId })).revokeReason === THEFT_REASON;
  } catch {
    return false;
  }
}

let auth: Auth | undefined;

export function getAuth(): Auth {
  if (auth !== undefined) return auth;
  const address = env.TESSERA_ADDRESS;
  if (!address) throw new Error("TESSERA_ADDRESS (tesserad's gRPC host:port) is not set");
  const apiOrigin = env.API_ORIGIN ?? "http://127.0.0.1:8081";
  const client = new Client({ address, ...(env.TESSERA_API_KEY ? { apiKey: env.TESSERA_API_KEY } : {}) });
  const staleness = Number(env.TESSERA_MAX_STALENESS ?? "");
  const verifier = new Verifier({
    source: client,
    issuer: env.TESSERA_ISSUER ?? "tessera",
    audience: ["api"],
    ...(staleness > 0 ? { maxStalenessMs: staleness * 1000 } : {}),
  });
  const theft = new TheftLog();
  /** The package refreshes only for a token tesserad signed, so this costs at most one GetSession per such token. */
  async function noteTheft(reason: string, sid: string): Promise<void> {
    if (reason === "REFRESH_TOKEN_REUSED") theft.note(sid);
    else if (reason === "SESSION_REVOKED" && (await revokedAsTheft(client, sid))) theft.note(sid);
  }
  // The package's Client, except that a refresh refused as theft is noted.
  const sessionClient: SessionClient = new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === "refreshSession") {
        return async (...args: Parameters<Client["refreshSession"]>) => {
          try {
            return await target.refreshSession(...args);
          } catch (e) {
            const sid = sessionIdOf(String(args[0].refreshToken ?? ""));
            if (e instanceof UnauthenticatedError && sid !== null) await noteTheft(e.reason, sid);
            throw e;
          }
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const windowMs = Number(env.TESSERA_REFRESH_WINDOW_MS ?? "");
  const tessera = createTessera({
    client: sessionClient,
    verifier,
    apiOrigins: [apiOrigin],
    // Refresh this long before expiry (the package's default is 60 s; the
    // browser tests run tesserad with 5 s access tokens).
    ...(windowMs > 0 ? { refreshWindowMs: windowMs } : {}),
  });
  auth = { client, verifier, tessera, theft };
  return auth;
}
