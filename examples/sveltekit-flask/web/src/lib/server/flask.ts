// The Flask API, called from the SvelteKit server with the session's access
// token. The token is added by the Tessera handleFetch (hooks.server.ts) to
// every event.fetch call to API_ORIGIN; the browser never sees it. Seed 001
// proxied everything through the SvelteKit server the same way.
import { error, redirect, type RequestEvent } from "@sveltejs/kit";
import { apiOrigin } from "./tessera";
import { UNAVAILABLE } from "./guard";

export interface Profile { subject: string; session_id: string; name: string; role: "admin" | "member" }
export interface Device { session_id: string; client: string; created_at: string; current: boolean }
export interface ApiError { error: string; detail?: string }

type Answer<T> = { ok: true; status: number; data: T } | { ok: false; status: number; data: ApiError };

type Event = Pick<RequestEvent, "fetch" | "locals">;

/**
 * One JSON call. The API's Tessera answers are handled here once for every
 * call: 401 with a Tessera-Reason (revoked, refused token) deletes the
 * cookies and goes to /login; 503 shows "authentication unavailable,
 * retrying" with the session kept. Other answers go to the caller.
 */
export async function flask<T>(event: Event, method: string, path: string, body?: unknown): Promise<Answer<T>> {
  const send = () =>
    event.fetch(`${apiOrigin()}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  let response: Response;
  try {
    response = await send();
  } catch (e) {
    // A kept-alive connection the API closed just as it was reused (its
    // server drops idle connections sooner than Node's fetch does): a GET
    // is safe to send once more.
    if (method !== "GET") throw e;
    response = await send();
  }
  if (response.status === 503) error(503, UNAVAILABLE);
  if (response.status === 401 && response.headers.has("tessera-reason")) {
    event.locals.tessera.clear();
    redirect(303, "/login");
  }
  const text = await response.text();
  const data = text === "" ? null : (JSON.parse(text) as unknown);
  return response.ok ? { ok: true, status: response.status, data: data as T } : { ok: false, status: response.status, data: data as ApiError };
}
