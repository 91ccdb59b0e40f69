import type { Handle, HandleFetch } from "@sveltejs/kit";
import { sequence } from "@sveltejs/kit/hooks";
import { getAuth } from "$lib/server/tessera";

const tessera: Handle = (input) => getAuth().tessera.handle(input);

/** Pages show a user's data: no cache, shared or private, keeps them (nor the back button). */
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

export const handle = sequence(tessera, noStore);

// Adds the access token to calls to API_ORIGIN made with event.fetch: no per-call auth code.
export const handleFetch: HandleFetch = (input) => getAuth().tessera.handleFetch(input);
