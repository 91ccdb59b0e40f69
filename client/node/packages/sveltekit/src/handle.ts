// The SvelteKit hooks: per request, read the session cookies, verify the
// access token locally, refresh before resolve() when it is near expiry or
// stale, and expose locals.session and locals.tessera.
import type { Cookies, Handle, HandleFetch, RequestEvent } from "@sveltejs/kit";
import {
  MAX_TOKEN_BYTES,
  TokenInvalidError,
  UnauthenticatedError,
  VerifierUnavailableError,
  type Client,
  type JsonValue,
  type TokenClaims,
  type Verifier,
  type pb,
} from "@tessera-auth/node";
import { cookieNames, readSessionCookies, splitToken, type CookieNames } from "./cookies.js";

/** The signed-in user, as `locals.session`. */
export interface Session {
  readonly subject: string;
  readonly sessionId: string;
  readonly claims: Readonly<Record<string, JsonValue>>;
}

/** The Client calls this package makes (a `Client` has them all). */
export type SessionClient = Pick<Client, "issueSession" | "refreshSession" | "revokeSession" | "updateClaims">;

/** The Verifier calls this package makes. */
export type SessionVerifier = Pick<Verifier, "verify" | "waitForSequence">;

export interface TesseraOptions {
  client: SessionClient;
  verifier: SessionVerifier;
  /** Cookie name prefix; must start with `__Host-`. Default `__Host-tessera`. */
  cookiePrefix?: string;
  /** Refresh when the access token expires within this many ms. Default 60 000. */
  refreshWindowMs?: number;
  /** Characters per access-token cookie. Default 3 800 (a cookie holds ~4 KiB). */
  chunkChars?: number;
  /** Origins (`https://api.example.com`) `handleFetch` sends the Bearer token to. */
  apiOrigins?: readonly string[];
  /** Called after every successful refresh, e.g. to reload fresh user data. */
  onRefresh?: (session: Session, event: RequestEvent) => void | Promise<void>;
  /** How long logout() waits for this process's Verifier to see the revocation. Default 2 000. */
  logoutWaitMs?: number;
  /** Wall clock in ms (tests). */
  now?: () => number;
}

/** What a request's session state is. */
export type SessionStatus = "signed_in" | "signed_out" | "unavailable";

/** `locals.tessera`. */
export interface TesseraLocals {
  /** signed_in, signed_out, or unavailable (tesserad or the Verifier cannot tell: keep the session, answer 503). */
  readonly status: SessionStatus;
  /** Issues a session for `subject` and sets its cookies. */
  issue(request: {
    subject: string;
    claims?: Record<string, JsonValue>;
    client?: { userAgent?: string; ipAddress?: string; deviceName?: string };
  }): Promise<Session>;
  /** The current session, or null. */
  session(): Session | null;
  /**
   * Merge-patches the subject's claims (RFC 7396: `null` deletes a member).
   * With `invalidate`, older access tokens become STALE_CLAIMS everywhere and
   * this request's session is refreshed at once to carry the new claims.
   */
  updateClaims(patch: Record<string, JsonValue>, options?: { invalidate?: boolean }): Promise<void>;
  /** Deletes the session cookies (the session stays valid at tesserad). */
  clear(): void;
  /** Revokes the session at tesserad, waits for the local Verifier to see it, then clears the cookies. */
  logout(): Promise<void>;
}

/** The locals this package sets. Add them to `App.Locals` in `app.d.ts`. */
export interface TesseraAppLocals {
  session: Session | null;
  tessera: TesseraLocals;
}

interface RequestState {
  accessToken: string | null;
  setCookies: boolean;
}

export interface Tessera {
  handle: Handle;
  handleFetch: HandleFetch;
}

const REFRESH_TOKEN_MAX_CHARS = 512;

export function createTessera(options: TesseraOptions): Tessera {
  const prefix = options.cookiePrefix ?? "__Host-tessera";
  if (!prefix.startsWith("__Host-")) throw new Error("cookiePrefix must start with __Host-");
  const names = cookieNames(prefix);
  const chunkChars = options.chunkChars ?? 3_800;
  const maxChunks = Math.ceil(MAX_TOKEN_BYTES / chunkChars);
  const refreshWindowMs = options.refreshWindowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const apiOrigins = new Set((options.apiOrigins ?? []).map((o) => new URL(o).origin));
  const { client, verifier } = options;
  const inFlight = new Map<string, Promise<pb.SessionTokens>>();
  const states = new WeakMap<object, RequestState>();

  /** One RefreshSession per refresh token per process at a time. */
  function refreshOnce(refreshToken: string): Promise<pb.SessionTokens> {
    const pending = inFlight.get(refreshToken);
    if (pending !== undefined) return pending;
    const p = client.refreshSession({ refreshToken }).finally(() => inFlight.delete(refreshToken));
    inFlight.set(refreshToken, p);
    return p;
  }

  const cookieOptions = { path: "/", httpOnly: true, secure: true, sameSite: "lax" as const };

  function writeCookies(cookies: Cookies, tokens: pb.SessionTokens, previousChunks: number, state: RequestState): void {
    const expiresMs = tokens.refreshExpiresAt !== undefined ? Number(tokens.refreshExpiresAt.seconds) * 1000 : now() + 86_400_000;
    const maxAge = Math.max(1, Math.floor((expiresMs - now()) / 1000));
    const opts = { ...cookieOptions, maxAge, encode: (v: string) => v };
    const chunks = splitToken(tokens.accessToken, chunkChars);
    cookies.set(names.refresh, tokens.refreshToken, opts);
    chunks.forEach((c, i) => cookies.set(names.access(i), c, opts));
    for (let i = chunks.length; i < Math.max(previousChunks, 1); i++) cookies.delete(names.access(i), cookieOptions);
    state.accessToken = tokens.accessToken;
    state.setCookies = true;
  }

  function clearCookies(cookies: Cookies, chunks: number, state: RequestState): void {
    cookies.delete(names.refresh, cookieOptions);
    for (let i = 0; i < Math.max(chunks, 1); i++) cookies.delete(names.access(i), cookieOptions);
    state.accessToken = null;
    state.setCookies = true;
  }

  function toSession(c: TokenClaims): Session {
    return { subject: c.subject, sessionId: c.sessionId, claims: c.custom };
  }

  /** Refreshes; on success writes the cookies and returns the new session. */
  async function refresh(
    event: RequestEvent,
    refreshToken: string,
    chunks: number,
    state: RequestState,
  ): Promise<{ session: Session | null; status: SessionStatus }> {
    let tokens: pb.SessionTokens;
    try {
      tokens = await refreshOnce(refreshToken);
    } catch (e) {
      if (e instanceof UnauthenticatedError) {
        clearCookies(event.cookies, chunks, state);
        return { session: null, status: "signed_out" };
      }
      return { session: null, status: "unavailable" };
    }
    writeCookies(event.cookies, tokens, chunks, state);
    try {
      const session = toSession(await verifier.verify(tokens.accessToken));
      await options.onRefresh?.(session, event);
      return { session, status: "signed_in" };
    } catch (e) {
      if (e instanceof TokenInvalidError) return { session: null, status: "signed_out" };
      return { session: null, status: "unavailable" };
    }
  }

  /** Works out the request's session from its cookies. */
  async function establish(
    event: RequestEvent,
    state: RequestState,
  ): Promise<{ session: Session | null; status: SessionStatus; chunks: number; refreshToken: string | null }> {
    const read = readSessionCookies(event.request.headers.get("cookie"), prefix, names, {
      chunkChars,
      maxChunks,
      maxRefreshChars: REFRESH_TOKEN_MAX_CHARS,
    });
    if (read.kind === "none") return { session: null, status: "signed_out", chunks: 0, refreshToken: null };
    if (read.kind === "malformed") {
      // Delete what was sent (ours or a planted copy), and nothing more.
      for (const name of read.present) event.cookies.delete(name, cookieOptions);
      state.setCookies = true;
      return { session: null, status: "signed_out", chunks: 0, refreshToken: null };
    }
    const base = { chunks: read.accessChunks, refreshToken: read.refreshToken };
    let claims: TokenClaims;
    try {
      claims = await verifier.verify(read.accessToken);
    } catch (e) {
      if (e instanceof VerifierUnavailableError) return { ...base, session: null, status: "unavailable" };
      if (e instanceof TokenInvalidError && (e.reason === "EXPIRED" || e.reason === "STALE_CLAIMS")) {
        return { ...base, ...(await refresh(event, read.refreshToken, read.accessChunks, state)) };
      }
      clearCookies(event.cookies, read.accessChunks, state);
      return { session: null, status: "signed_out", chunks: 0, refreshToken: null };
    }
    state.accessToken = read.accessToken;
    if (claims.expiresAtMs - now() <= refreshWindowMs) {
      const next = await refresh(event, read.refreshToken, read.accessChunks, state);
      // tesserad unreachable: the token is still good for now, keep using it.
      if (next.status === "unavailable") return { ...base, session: toSession(claims), status: "signed_in" };
      return { ...base, ...next };
    }
    return { ...base, session: toSession(claims), status: "signed_in" };
  }

  const handle: Handle = async ({ event, resolve }) => {
    const state: RequestState = { accessToken: null, setCookies: false };
    const locals = event.locals as unknown as TesseraAppLocals;
    states.set(event.locals, state);
    const current = await establish(event, state);
    let { session, status, chunks, refreshToken } = current;
    const setSession = (s: Session | null, st: SessionStatus) => {
      session = s;
      status = st;
      locals.session = s;
    };
    const tessera: TesseraLocals = {
      get status() {
        return status;
      },
      async issue(request) {
        const tokens = await client.issueSession({
          subject: request.subject,
          ...(request.claims !== undefined ? { claims: request.claims } : {}),
          ...(request.client !== undefined ? { client: request.client } : {}),
        });
        writeCookies(event.cookies, tokens, chunks, state);
        chunks = Math.ceil(tokens.accessToken.length / chunkChars);
        refreshToken = tokens.refreshToken;
        const s = toSession(await verifier.verify(tokens.accessToken));
        setSession(s, "signed_in");
        return s;
      },
      session: () => session,
      async updateClaims(patch, opts) {
        if (session === null) throw new Error("updateClaims: not signed in");
        await client.updateClaims({
          subject: session.subject,
          claims: patch,
          merge: true,
          invalidateAccessTokens: opts?.invalidate === true,
        });
        if (opts?.invalidate === true && refreshToken !== null) {
          const next = await refresh(event, refreshToken, chunks, state);
          setSession(next.session, next.status);
        }
      },
      clear() {
        clearCookies(event.cookies, chunks, state);
        setSession(null, "signed_out");
      },
      async logout() {
        // Signed out by expiry or an outage, the refresh token still names the session.
        const target =
          session !== null
            ? { case: "sessionId" as const, value: session.sessionId }
            : refreshToken !== null
              ? { case: "refreshToken" as const, value: refreshToken }
              : null;
        if (target !== null) {
          const { sequence } = await client.revokeSession({ target });
          try {
            await verifier.waitForSequence(sequence, { timeoutMs: options.logoutWaitMs ?? 2_000 });
          } catch {
            // The revocation is committed; this process will see it shortly.
          }
        }
        tessera.clear();
      },
    };
    locals.session = session;
    locals.tessera = tessera;
    const response = await resolve(event);
    if (!state.setCookies) return response;
    try {
      response.headers.set("cache-control", "private, no-store");
      return response;
    } catch {
      // Immutable headers (a proxied fetch response): copy it.
      const copy = new Response(response.body, response);
      copy.headers.set("cache-control", "private, no-store");
      return copy;
    }
  };

  const handleFetch: HandleFetch = async ({ event, request, fetch }) => {
    const state = states.get(event.locals);
    const token = state?.accessToken ?? null;
    if (token === null || !apiOrigins.has(new URL(request.url).origin) || request.headers.has("authorization")) {
      return fetch(request);
    }
    const withToken = new Request(request);
    withToken.headers.set("authorization", `Bearer ${token}`);
    return fetch(withToken);
  };

  return { handle, handleFetch };
}

export type { CookieNames };
