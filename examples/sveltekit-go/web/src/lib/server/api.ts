// The API client: openapi-fetch typed from the Go API's /openapi.json
// (src/lib/api/schema.d.ts, generated). It calls through event.fetch, so
// the Tessera handleFetch adds the access token; no call site handles auth.
import { env } from "$env/dynamic/private";
import { error, redirect, type RequestEvent } from "@sveltejs/kit";
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "$lib/api/schema";
import { requireSession } from "./guard";

/** The message of the 503 page shown while tokens cannot be checked. */
export const UNAVAILABLE = "authentication unavailable, retrying";

/** Auth failures the same way for every call: 401 → login, 503 → "unavailable". */
const authAnswers: Middleware = {
  onResponse({ response }) {
    if (response.status === 401) redirect(303, "/login");
    if (response.status === 503) error(503, UNAVAILABLE);
    return undefined;
  },
};

type Event = Pick<RequestEvent, "fetch" | "locals" | "request" | "url">;

/** The signed-in session of a protected page (redirects or 503s otherwise). */
export async function session(event: Event) {
  await requireSession(event);
  const s = event.locals.session;
  if (event.locals.tessera.status === "unavailable" || s === null) error(503, UNAVAILABLE);
  return s;
}

/** A typed API client for this request's routes that need no session. */
export function publicApi(event: Pick<RequestEvent, "fetch">) {
  return createClient<paths>({ baseUrl: env.API_ORIGIN ?? "http://127.0.0.1:8081", fetch: event.fetch });
}

/** A typed API client for a protected page (redirects or 503s when there is no usable session). */
export async function api(event: Event) {
  await session(event);
  const client = publicApi(event);
  client.use(authAnswers);
  return client;
}
