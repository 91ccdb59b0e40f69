import type { RequestHandler } from "./$types";
import { tessera } from "$lib/server/tessera";

export const GET: RequestHandler = (event) => tessera.events(event);
