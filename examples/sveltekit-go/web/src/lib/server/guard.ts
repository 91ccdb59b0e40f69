import { redirect, type RequestEvent } from "@sveltejs/kit";
import { getAuth, sessionIdOf } from "./tessera";

/** Pages anyone may open; everything else needs a session. */
export const PUBLIC_PATHS = new Set(["/login", "/signed-out"]);

/**
 * Sends a signed-out request for a protected page to /login, or to the
 * "signed out for your security" notice when tesserad revoked its session
 * because its refresh token was used twice.
 */
export function requireSession(event: Pick<RequestEvent, "locals" | "request" | "url">): void {
  if (PUBLIC_PATHS.has(event.url.pathname) || event.locals.tessera.status !== "signed_out") return;
  const rt = /(?:^|;\s*)__Host-tessera-rt=([^;]*)/.exec(event.request.headers.get("cookie") ?? "")?.[1];
  const sid = rt === undefined ? null : sessionIdOf(rt);
  if (sid !== null && getAuth().theft.has(sid)) redirect(303, "/signed-out?reason=security");
  redirect(303, "/login");
}
