import { error, redirect, type Handle, type RequestEvent } from "@sveltejs/kit";
import { parseCookieHeader } from "@tessera-auth/sveltekit";
import { getAuth, loginPath, SECURITY_PATH } from "./tessera";

/** Pages anyone may open; everything else needs a session. */
export const PUBLIC_PATHS = new Set(["/login", "/signed-out"]);

/** The message of the 503 page shown while tokens cannot be checked. */
export const UNAVAILABLE = "authentication unavailable, retrying";

/** tesserad's revoke_reason when it ended a session because a retired refresh token came back. */
const THEFT_REASON = "refresh token reused";

type Event = Pick<RequestEvent, "locals" | "request" | "url">;

/**
 * Whether this signed-out request's session was ended as stolen. The
 * request that presented the reused refresh token is told so by the
 * package (REFRESH_TOKEN_REUSED); every other holder of that session only
 * sees SESSION_REVOKED, so for those tesserad's record of the session says
 * why. SESSION_REVOKED is only ever the verdict on a token tesserad
 * signed, so this costs at most one GetSession per genuine revoked cookie
 * (which the package deletes on the same answer).
 */
export async function endedByTheft(event: Event): Promise<boolean> {
  const reason = event.locals.tessera.signedOutReason;
  if (reason === "REFRESH_TOKEN_REUSED") return true;
  if (reason !== "SESSION_REVOKED") return false;
  const rt = parseCookieHeader(event.request.headers.get("cookie"), "__Host-tessera-rt").get("__Host-tessera-rt")?.[0];
  const sessionId = /^tsr_([A-Za-z0-9_-]{1,128})\./.exec(rt ?? "")?.[1];
  if (sessionId === undefined) return false;
  try {
    return (await getAuth().client.getSession({ sessionId })).revokeReason === THEFT_REASON;
  } catch {
    return false;
  }
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
  event.locals.endedByTheft = event.locals.tessera.status === "signed_out" && (await endedByTheft(event));
  if (event.locals.endedByTheft) {
    event.cookies.set(NOTICE_COOKIE, "security", { path: "/", httpOnly: true, secure: true, sameSite: "lax", maxAge: 600 });
  }
  return resolve(event);
};

/** Redirects a signed-out request for a protected page: to /login, or to the theft notice. */
export async function requireSession(event: Event): Promise<void> {
  if (PUBLIC_PATHS.has(event.url.pathname) || event.locals.tessera.status !== "signed_out") return;
  redirect(303, event.locals.endedByTheft ? SECURITY_PATH : loginPath(event.locals.tessera.signedOutReason));
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
