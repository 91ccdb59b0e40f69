import type { Handle, HandleFetch, HandleServerError } from "@sveltejs/kit";
import { sequence } from "@sveltejs/kit/hooks";
import createClient from "openapi-fetch";
import type { paths } from "$lib/api";
import { tessera } from "$lib/server/tessera";

/** One API client per request, with the Tessera middleware: no per-call auth code. */
const api: Handle = ({ event, resolve }) => {
  event.locals.api = createClient<paths>({ baseUrl: process.env["API_ORIGIN"], fetch: event.fetch });
  event.locals.api.use(event.locals.tessera.apiMiddleware());
  return resolve(event);
};

/** A log line per request (method, path, status) — what an app typically logs. */
const log: Handle = async ({ event, resolve }) => {
  const response = await resolve(event);
  console.log(`${event.request.method} ${event.url.pathname} ${response.status} ${event.locals.tessera.status}`);
  return response;
};

// (Wrapped: `tessera` does not exist while Kit analyses the build.)
const auth: Handle = (input) => tessera.handle(input);
export const handle = sequence(auth, log, api);
export const handleFetch: HandleFetch = (input) => tessera.handleFetch(input);

export const handleError: HandleServerError = ({ error, status }) => {
  console.error("unexpected error", status, error);
  return { message: "internal error" };
};
