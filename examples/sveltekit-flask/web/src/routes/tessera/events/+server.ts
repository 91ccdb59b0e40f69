import type { RequestHandler } from "./$types";
import { getAuth } from "$lib/server/tessera";

// The push stream of this session (server-sent events): signed_out, claims_changed.
export const GET: RequestHandler = (event) => getAuth().tessera.events(event);
