import type { Handle, HandleFetch } from "@sveltejs/kit";
import { sequence } from "@sveltejs/kit/hooks";
import { getAuth } from "$lib/server/tessera";
import { theftNotice } from "$lib/server/guard";

// Reads the session cookies, verifies the access token locally, refreshes
// it before the page's loads run when it is about to expire.
const tessera: Handle = (input) => getAuth().tessera.handle(input);

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

export const handle = sequence(tessera, theftNotice, noStore);

// Adds `Authorization: Bearer <access token>` to event.fetch calls to API_ORIGIN only.
export const handleFetch: HandleFetch = (input) => getAuth().tessera.handleFetch(input);
