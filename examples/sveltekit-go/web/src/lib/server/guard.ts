import { redirect, type RequestEvent } from "@sveltejs/kit";
import { parseCookieHeader } from "@tessera-auth/sveltekit";
import { TokenInvalidError } from "@tessera-auth/node";
import { getAuth, revokedAsTheft, sessionIdOf } from "./tessera";

/** Pages anyone may open; everything else needs a session. */
export const PUBLIC_PATHS = new Set(["/login", "/signed-out"]);

type Event = Pick<RequestEvent, "locals" | "request" | "url">;

/**
 * Whether this signed-out request's session was ended by tesserad because
 * its refresh token was used twice (a stolen cookie): the refresh that saw
 * it noted it, or the access token the request still carries is genuine
 * and revoked with that reason.
 */
export async function endedByTheft(event: Event): Promise<boolean> {
  const jar = parseCookieHeader(event.request.headers.get("cookie"), "__Host-tessera-");
  const rt = jar.get("__Host-tessera-rt")?.[0];
  const sid = rt === undefined ? null : sessionIdOf(rt);
  if (sid === null) return false;
  const { theft, verifier, client } = getAuth();
  if (theft.has(sid)) return true;
  let access = "";
  for (let i = 0; i < 3; i++) access += jar.get(`__Host-tessera-at${i}`)?.[0] ?? "";
  try {
    await verifier.verify(access);
    return false;
  } catch (e) {
    // Only a token tesserad signed gets as far as SESSION_REVOKED.
    if (!(e instanceof TokenInvalidError) || e.reason !== "SESSION_REVOKED") return false;
  }
  if (!(await revokedAsTheft(client, sid))) return false;
  theft.note(sid);
  return true;
}

/**
 * Sends a signed-out request for a protected page to /login, or to the
 * "signed out for your security" notice when its session was ended as stolen.
 */
export async function requireSession(event: Event): Promise<void> {
  if (PUBLIC_PATHS.has(event.url.pathname) || event.locals.tessera.status !== "signed_out") return;
  if (await endedByTheft(event)) redirect(303, "/signed-out?reason=security");
  redirect(303, "/login");
}
