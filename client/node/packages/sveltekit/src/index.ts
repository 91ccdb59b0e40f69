/**
 * @tessera-auth/sveltekit: Tessera sessions for SvelteKit 2.
 *
 * {@link createTessera} returns, for `hooks.server.ts`, a `handle` that keeps
 * the session in HttpOnly cookies, verifies the access token locally with a
 * {@link Verifier} (no RPC per request), refreshes it before `resolve()` when
 * it is near expiry or carries stale claims, and sets `locals.session` and
 * `locals.tessera`; a `handleFetch` that adds the Bearer token for the
 * configured API origins only; and `events`, the push stream for open tabs
 * (its browser half is `@tessera-auth/sveltekit/client`).
 * `locals.tessera.apiMiddleware()` is the openapi-fetch `Middleware`.
 * @packageDocumentation
 */
export * from "./handle.js";
export { AUTH_UNAVAILABLE, isAuthUnavailable, type ApiMiddlewareOptions } from "./middleware.js";
export type { EventStreamOptions } from "./events.js";
export { parseCookieHeader, type CookieNames } from "./cookies.js";
