import { error, redirect, type Handle, type RequestEvent } from "@sveltejs/kit";
import { loginPath } from "./tessera";

/** Pages anyone may open; everything else needs a session. */
export const PUBLIC_PATHS = new Set(["/login", "/signed-out"]);

/** The message of the 503 page shown while tokens cannot be checked. */
export const UNAVAILABLE = "authentication unavailable, retrying";

type Event = Pick<RequestEvent, "locals" | "request" | "url">;

/**
 * Whether this signed-out request's session was ended as stolen. The
 * package reports REFRESH_TOKEN_REUSED to every holder of such a session:
 * the one that presented the reused refresh token, and the other, whose
 * revoked cookies the package checks with tesserad once before deleting
 * them.
 */
export function endedByTheft(event: Event): boolean {
  return event.locals.tessera.signedOutReason === "REFRESH_TOKEN_REUSED";
}

/** A short-lived note, set with the answer that ended a stolen session, that /signed-out reads. */
export const NOTICE_COOKIE = "__Host-signed-out";

/**
 * Runs after the Tessera handle on every request. Whichever request of the
 * tab first finds the session ended as stolen — often the push stream's
 * reconnect, whose answer nobody sees — leaves the note for the
 * /signed-out page the tab goes to next.
 */
export const theftNotice: Handle = async ({ event, resolve }) => {
  event.locals.endedByTheft = event.locals.tessera.status === "signed_out" && endedByTheft(event);
  if (event.locals.endedByTheft) {
    event.cookies.set(NOTICE_COOKIE, "security", { path: "/", httpOnly: true, secure: true, sameSite: "lax", maxAge: 600 });
  }
  return resolve(event);
};

/** Redirects a signed-out request for a protected page: to /login, or to the theft notice. */
export async function requireSession(event: Event): Promise<void> {
  if (PUBLIC_PATHS.has(event.url.pathname) || event.locals.tessera.status !== "signed_out") return;
  redirect(303, loginPath(event.locals.tessera.signedOutReason));
}

/**
 * The session of a protected page's load: redirects when signed out; a
 * 503 ("authentication unavailable, retrying", session and cookies kept)
 * when tesserad or the Verifier cannot tell.
 */
export async function session(event: Event) {
  await requireSession(event);
  const s = event.locals.session;
  if (event.locals.tessera.status === "unavailable" || s === null) error(503, UNAVAILABLE);
  return s;
}
