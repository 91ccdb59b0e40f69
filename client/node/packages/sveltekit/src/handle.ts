// The SvelteKit hooks: per request, read the session cookies, verify the
// access token locally, refresh before resolve() when it is near expiry or
// stale, and expose locals.session and locals.tessera. The openapi-fetch
// middleware (middleware.ts) and the push stream (events.ts) work on the
// same per-request state and the same refresh single flight.
import type { Cookies, Handle, HandleFetch, RequestEvent, RequestHandler } from "@sveltejs/kit";
import type { Middleware } from "openapi-fetch";
import {
  MAX_TOKEN_BYTES,
  TokenInvalidError,
  UnauthenticatedError,
  VerifierUnavailableError,
  pb,
  type Client,
  type JsonValue,
  type TokenClaims,
  type Verifier,
} from "@tessera-auth/node";
import { cookieNames, readSessionCookies, splitToken, type CookieNames } from "./cookies.js";
import { EventHub, type EventStreamOptions } from "./events.js";
import { createMiddleware, type ApiMiddlewareOptions } from "./middleware.js";

/** The signed-in user, as `locals.session`. */
export interface Session {
  readonly subject: string;
  readonly sessionId: string;
  readonly claims: Readonly<Record<string, JsonValue>>;
}

/** The Client calls this package makes (a `Client` has them all). */
export type SessionClient = Pick<Client, "issueSession" | "refreshSession" | "revokeSession" | "updateClaims">;

/** The Verifier calls this package makes (a `Verifier` has them all). */
export type SessionVerifier = Pick<Verifier, "verify" | "waitForSequence" | "on" | "off">;

export interface TesseraOptions {
  client: SessionClient;
  verifier: SessionVerifier;
  /** Cookie name prefix; must start with `__Host-`. Default `__Host-tessera`. */
  cookiePrefix?: string;
  /** Refresh when the access token expires within this many ms. Default 60 000. */
  refreshWindowMs?: number;
  /**
   * How long a refresh's answer is reused for requests that arrive late with
   * the same (now retired) refresh token — a page's parallel requests the
   * browser sent before it stored the new cookies — instead of another
   * RefreshSession. Keep it at most tesserad's --refresh_grace (default
   * 10 s), within which tesserad would answer the same. 0 turns it off.
   * Default 5 000.
   */
  recentRefreshMs?: number;
  /** Characters per access-token cookie. Default 3 800 (a cookie holds ~4 KiB). */
  chunkChars?: number;
  /** Origins (`https://api.example.com`) `handleFetch` and the API middleware send the Bearer token to. */
  apiOrigins?: readonly string[];
  /**
   * Called after every successful refresh, once per request that waited for
   * it (e.g. to reload fresh user data into `event.locals`).
   */
  onRefresh?: (session: Session, event: RequestEvent) => void | Promise<void>;
  /**
   * Where the API middleware redirects (303) a request whose session was
   * refused; a function gets the reason (e.g. "SESSION_REVOKED",
   * "REFRESH_TOKEN_REUSED"). Default "/login".
   */
  loginPath?: string | ((reason: string) => string);
  /** How long signOut() waits for this process's Verifier to see the revocation. Default 2 000. */
  signOutWaitMs?: number;
  /** The push stream (`events`). */
  events?: EventStreamOptions;
  /** Wall clock in ms (tests). */
  now?: () => number;
}

/** What a request's session state is. */
export type SessionStatus = "signed_in" | "signed_out" | "unavailable";

/** `locals.tessera`. */
export interface TesseraLocals {
  /** signed_in, signed_out, or unavailable (tesserad or the Verifier cannot tell: keep the session, answer 503). */
  readonly status: SessionStatus;
  /**
   * Why this request is signed out, when it was signed in or sent cookies:
   * the refusal's reason ("SESSION_REVOKED", "SESSION_EXPIRED",
   * "REFRESH_TOKEN_REUSED" — the session was stolen and tesserad revoked it;
   * every holder of the session is told so, since a revoked session's
   * cookies are checked with tesserad once before they are deleted —
   * "REFRESH_TOKEN_INVALID", a token reason such as "BAD_SIGNATURE"),
   * "COOKIES_MALFORMED", "SIGNED_OUT" (signOut), "CLEARED" (clear);
   * null when signed in or no cookies were sent.
   */
  readonly signedOutReason: string | null;
  /** Issues a session for `subject` and sets its cookies. */
  issue(request: {
    subject: string;
    claims?: Record<string, JsonValue>;
    client?: { userAgent?: string; ipAddress?: string; deviceName?: string };
  }): Promise<Session>;
  /** The current session, or null. */
  session(): Session | null;
  /**
   * Applies `patch` to the subject's claims as a JSON Merge Patch (RFC 7396:
   * objects merge recursively, `null` deletes a member), in every live
   * session of the subject. With `invalidate`, older access tokens become
   * STALE_CLAIMS everywhere (other tabs and devices refresh on their next
   * request; open tabs get `claims_changed`) and this request's session is
   * refreshed at once to carry the new claims.
   */
  updateClaims(patch: Record<string, JsonValue>, options?: { invalidate?: boolean }): Promise<void>;
  /** Deletes the session cookies (the session stays valid at tesserad). */
  clear(): void;
  /**
   * Revokes this session (`everywhere`: every session of the subject) at
   * tesserad, waits until this process's Verifier has seen the revocation
   * (up to `signOutWaitMs`), then clears the cookies.
   */
  signOut(options?: { everywhere?: boolean }): Promise<void>;
  /**
   * An openapi-fetch `Middleware` bound to this request: register it once
   * on the client you create for the request (see docs/sdk/sveltekit.md).
   */
  apiMiddleware(options?: ApiMiddlewareOptions): Middleware;
}

/** The locals this package sets. Add them to `App.Locals` in `app.d.ts`. */
export interface TesseraAppLocals {
  session: Session | null;
  tessera: TesseraLocals;
}

/** One request's view of the session; shared by handle, the middleware and the stream. */
export interface RequestState {
  readonly event: RequestEvent;
  accessToken: string | null;
  refreshToken: string | null;
  /** Access-token cookies the browser holds (to delete leftovers). */
  chunks: number;
  setCookies: boolean;
  session: Session | null;
  status: SessionStatus;
  signedOutReason: string | null;
  /** The verified claims of accessToken, when signed in. */
  claims: TokenClaims | null;
}

/** What the middleware and the stream need from createTessera. */
export interface TesseraCore {
  readonly apiOrigins: ReadonlySet<string>;
  loginPath(reason: string): string;
  readonly verifier: SessionVerifier;
  /** Refreshes through the process-wide single flight; updates state, cookies and locals. */
  refresh(state: RequestState): Promise<SessionStatus>;
  /** Deletes the cookies and signs the request out, for `reason`. */
  clear(state: RequestState, reason: string): void;
  now(): number;
}

export interface Tessera {
  handle: Handle;
  handleFetch: HandleFetch;
  /**
   * The push stream for open tabs: `export const GET = tessera.events` in
   * a `+server.ts` (e.g. `src/routes/tessera/events/+server.ts`).
   */
  events: RequestHandler;
  /** Open push streams in this process (for tests and metrics). */
  readonly openStreams: number;
}

const REFRESH_TOKEN_MAX_CHARS = 512;
/** Most answered refreshes remembered for recentRefreshMs. */
const MAX_RECENT_REFRESHES = 10_000;

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
  const recentMs = options.recentRefreshMs ?? 5_000;
  /** Answered refreshes, oldest first: retired refresh token → its answer. */
  const recent = new Map<string, { tokens: pb.SessionTokens; atMs: number }>();
  const states = new WeakMap<object, RequestState>();

  /**
   * One RefreshSession per refresh token per process at a time; for
   * recentRefreshMs after it, the same answer again.
   */
  function refreshOnce(refreshToken: string): Promise<pb.SessionTokens> {
    const pending = inFlight.get(refreshToken);
    if (pending !== undefined) return pending;
    const mono = performance.now();
    for (const [token, entry] of recent) {
      if (mono - entry.atMs < recentMs && recent.size <= MAX_RECENT_REFRESHES) break;
      recent.delete(token);
    }
    const done = recent.get(refreshToken);
    if (done !== undefined) return Promise.resolve(done.tokens);
    const p = client.refreshSession({ refreshToken }).finally(() => inFlight.delete(refreshToken));
    inFlight.set(refreshToken, p);
    if (recentMs > 0) {
      p.then(
        (tokens) => recent.set(refreshToken, { tokens, atMs: performance.now() }),
        () => undefined,
      );
    }
    return p;
  }

  const cookieOptions = { path: "/", httpOnly: true, secure: true, sameSite: "lax" as const };

  function setLocals(state: RequestState): void {
    (state.event.locals as unknown as TesseraAppLocals).session = state.session;
  }

  function writeCookies(state: RequestState, tokens: pb.SessionTokens): void {
    const cookies: Cookies = state.event.cookies;
    const expiresMs =
      tokens.refreshExpiresAt !== undefined ? Number(tokens.refreshExpiresAt.seconds) * 1000 : now() + 86_400_000;
    const maxAge = Math.max(1, Math.floor((expiresMs - now()) / 1000));
    const opts = { ...cookieOptions, maxAge, encode: (v: string) => v };
    const chunks = splitToken(tokens.accessToken, chunkChars);
    cookies.set(names.refresh, tokens.refreshToken, opts);
    chunks.forEach((c, i) => cookies.set(names.access(i), c, opts));
    for (let i = chunks.length; i < Math.max(state.chunks, 1); i++) cookies.delete(names.access(i), cookieOptions);
    state.accessToken = tokens.accessToken;
    state.refreshToken = tokens.refreshToken;
    state.chunks = chunks.length;
    state.setCookies = true;
  }

  function clear(state: RequestState, reason: string): void {
    const cookies = state.event.cookies;
    cookies.delete(names.refresh, cookieOptions);
    for (let i = 0; i < Math.max(state.chunks, 1); i++) cookies.delete(names.access(i), cookieOptions);
    state.accessToken = null;
    state.refreshToken = null;
    state.chunks = 0;
    state.setCookies = true;
    state.session = null;
    state.claims = null;
    state.status = "signed_out";
    state.signedOutReason = reason;
    setLocals(state);
  }

  function toSession(c: TokenClaims): Session {
    return { subject: c.subject, sessionId: c.sessionId, claims: c.custom };
  }

  function signIn(state: RequestState, claims: TokenClaims): void {
    state.signedOutReason = null;
    state.claims = claims;
    state.session = toSession(claims);
    state.status = "signed_in";
    setLocals(state);
  }

  /**
   * Refreshes with the request's refresh token through the single flight.
   * signed_in: new cookies written, session updated, onRefresh run.
   * signed_out: tesserad refused the refresh token; cookies deleted.
   * unavailable: tesserad or the Verifier could not answer; state untouched.
   */
  async function refresh(state: RequestState): Promise<SessionStatus> {
    if (state.refreshToken === null) return "signed_out";
    let tokens: pb.SessionTokens;
    try {
      tokens = await refreshOnce(state.refreshToken);
    } catch (e) {
      if (e instanceof UnauthenticatedError) {
        clear(state, e.reason || "REFRESH_REFUSED");
        return "signed_out";
      }
      return "unavailable";
    }
    writeCookies(state, tokens);
    let claims: TokenClaims;
    try {
      claims = await verifier.verify(tokens.accessToken);
    } catch (e) {
      if (e instanceof TokenInvalidError) {
        clear(state, e.reason);
        return "signed_out";
      }
      return "unavailable";
    }
    signIn(state, claims);
    await options.onRefresh?.(state.session!, state.event);
    return "signed_in";
  }

  /** Works out the request's session from its cookies. */
  async function establish(state: RequestState): Promise<void> {
    const { event } = state;
    const read = readSessionCookies(event.request.headers.get("cookie"), prefix, names, {
      chunkChars,
      maxChunks,
      maxRefreshChars: REFRESH_TOKEN_MAX_CHARS,
    });
    if (read.kind === "none") return;
    if (read.kind === "malformed") {
      // Delete what was sent (ours or a planted copy), and nothing more.
      for (const name of read.present) event.cookies.delete(name, cookieOptions);
      state.setCookies = true;
      state.signedOutReason = "COOKIES_MALFORMED";
      return;
    }
    state.chunks = read.accessChunks;
    state.refreshToken = read.refreshToken;
    let claims: TokenClaims;
    try {
      claims = await verifier.verify(read.accessToken);
    } catch (e) {
      if (e instanceof VerifierUnavailableError) {
        state.status = "unavailable";
        return;
      }
      if (e instanceof TokenInvalidError && (e.reason === "EXPIRED" || e.reason === "STALE_CLAIMS")) {
        state.status = await refresh(state);
        return;
      }
      if (e instanceof TokenInvalidError && e.reason === "SESSION_REVOKED") {
        // tesserad tells the session's refresh-token holders why: REFRESH_TOKEN_REUSED if it was stolen.
        state.status = await refresh(state);
        if (state.status !== "signed_in" && state.signedOutReason === null) clear(state, "SESSION_REVOKED");
        return;
      }
      clear(state, e instanceof TokenInvalidError ? e.reason : "TOKEN_REFUSED");
      return;
    }
    state.accessToken = read.accessToken;
    signIn(state, claims);
    if (claims.expiresAtMs - now() <= refreshWindowMs) {
      // tesserad unreachable: the token is still good for now, keep using it.
      await refresh(state);
    }
  }

  const login = options.loginPath ?? "/login";
  const loginPath = typeof login === "function" ? login : () => login;
  const core: TesseraCore = { apiOrigins, loginPath, verifier, refresh, clear, now };
  const hub = new EventHub(core, options.events ?? {});

  function locals(state: RequestState): TesseraLocals {
    const tessera: TesseraLocals = {
      get status() {
        return state.status;
      },
      get signedOutReason() {
        return state.signedOutReason;
      },
      async issue(request) {
        const tokens = await client.issueSession({
          subject: request.subject,
          ...(request.claims !== undefined ? { claims: request.claims } : {}),
          ...(request.client !== undefined ? { client: request.client } : {}),
        });
        writeCookies(state, tokens);
        signIn(state, await verifier.verify(tokens.accessToken));
        return state.session!;
      },
      session: () => state.session,
      async updateClaims(patch, opts) {
        if (state.session === null) throw new Error("updateClaims: not signed in");
        await client.updateClaims({
          subject: state.session.subject,
          claims: patch,
          mode: pb.ClaimsMode.MERGE_PATCH,
          invalidateAccessTokens: opts?.invalidate === true,
        });
        if (opts?.invalidate === true) await refresh(state);
      },
      clear() {
        clear(state, "CLEARED");
      },
      async signOut(opts) {
        // Signed out by expiry or an outage, the refresh token still names the session.
        const target =
          opts?.everywhere === true && state.session !== null
            ? { case: "subject" as const, value: state.session.subject }
            : state.session !== null
              ? { case: "sessionId" as const, value: state.session.sessionId }
              : state.refreshToken !== null
                ? { case: "refreshToken" as const, value: state.refreshToken }
                : null;
        if (target !== null) {
          const { sequence } = await client.revokeSession({ target, reason: "sign-out" });
          if (sequence > 0n) {
            try {
              await verifier.waitForSequence(sequence, { timeoutMs: options.signOutWaitMs ?? 2_000 });
            } catch {
              // The revocation is committed; this process will see it shortly.
            }
          }
        }
        clear(state, "SIGNED_OUT");
      },
      apiMiddleware(opts) {
        return createMiddleware(core, state, opts ?? {});
      },
    };
    return tessera;
  }

  const handle: Handle = async ({ event, resolve }) => {
    const state: RequestState = {
      event,
      accessToken: null,
      refreshToken: null,
      chunks: 0,
      setCookies: false,
      session: null,
      status: "signed_out",
      signedOutReason: null,
      claims: null,
    };
    states.set(event.locals, state);
    await establish(state);
    const appLocals = event.locals as unknown as TesseraAppLocals;
    appLocals.session = state.session;
    appLocals.tessera = locals(state);
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

  const events: RequestHandler = (event) =>
    hub.open(states.get(event.locals) ?? null, event.request.headers.get("last-event-id"));

  return {
    handle,
    handleFetch,
    events,
    get openStreams() {
      return hub.size;
    },
  };
}

/**
 * The openapi-fetch middleware of the request `event` (the same as
 * `event.locals.tessera.apiMiddleware(options)`); `handle` must have run.
 */
export function apiMiddleware(event: RequestEvent, options?: ApiMiddlewareOptions): Middleware {
  const tessera = (event.locals as unknown as Partial<TesseraAppLocals>).tessera;
  if (tessera === undefined) throw new Error("apiMiddleware: the Tessera handle has not run for this request");
  return tessera.apiMiddleware(options);
}

export type { CookieNames };
