import type { Handle, HandleFetch } from "@sveltejs/kit";
import { sequence } from "@sveltejs/kit/hooks";
import createClient from "openapi-fetch";
import type { paths } from "$lib/api/schema";
import { apiOrigin, getAuth } from "$lib/server/tessera";
import { theftNotice } from "$lib/server/guard";

const tessera: Handle = (input) => getAuth().tessera.handle(input);

/**
 * One typed API client per request, with the Tessera middleware: it sends
 * the access token, refreshes once on EXPIRED/STALE_CLAIMS, signs out on
 * other refusals and turns a 503 into "auth unavailable". No call site
 * handles authentication.
 */
const api: Handle = ({ event, resolve }) => {
  event.locals.api = createClient<paths>({ baseUrl: apiOrigin(), fetch: event.fetch });
  event.locals.api.use(event.locals.tessera.apiMiddleware());
  return resolve(event);
};

/** Pages show a user's data: no cache keeps them (nor the back button). */
const noStore: Handle = async ({ event, resolve }) => {
  const response = await resolve(event);
  if (!response.headers.has("cache-control")) {
    try {
      response.headers.set("cache-control", "private, no-store");
    } catch {
      // Immutable headers: leave that response as it is.
    }
  }
  return response;
};

export const handle = sequence(tessera, theftNotice, api, noStore);

export const handleFetch: HandleFetch = (input) => getAuth().tessera.handleFetch(input);
