/**
 * @tessera-auth/sveltekit: Tessera sessions for SvelteKit 2.
 *
 * {@link createTessera} returns a `handle` for `hooks.server.ts` that keeps
 * the session in HttpOnly cookies, verifies the access token locally with a
 * {@link Verifier} (no RPC per request), refreshes it before `resolve()` when
 * it is near expiry or carries stale claims, and sets `locals.session` and
 * `locals.tessera`; and a `handleFetch` that adds the Bearer token for the
 * configured API origins only.
 * @packageDocumentation
 */
export * from "./handle.js";
export { parseCookieHeader, type CookieNames } from "./cookies.js";
