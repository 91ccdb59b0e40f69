// The openapi-fetch Middleware: Bearer token on API requests, one refresh and
// one retry on EXPIRED / STALE_CLAIMS / SESSION_REVOKED, sign-out and redirect on the other
// refusals, "auth unavailable" on 503. Bound to one request's state, so the
// refresh is the same single flight `handle` uses and its new cookies go on
// this request's response.
import { error, isHttpError, redirect } from "@sveltejs/kit";
import type { Middleware } from "openapi-fetch";
import type { RequestState, TesseraCore } from "./handle.js";

export interface ApiMiddlewareOptions {
  /**
   * Largest request body kept so the request can be sent again after a
   * refresh. A larger body is sent once and a 401 for it is returned to the
   * caller as is. Default 1 MiB.
   */
  maxReplayBytes?: number;
}

/** The message of the 503 HttpError the middleware throws. */
export const AUTH_UNAVAILABLE = "auth unavailable";

/** True for the error the middleware throws when authentication cannot be checked now. */
export function isAuthUnavailable(e: unknown): boolean {
  return isHttpError(e, 503) && (e.body as { message?: unknown }).message === AUTH_UNAVAILABLE;
}

/**
 * The refusals after which a refresh may help or tell more: EXPIRED and
 * STALE_CLAIMS need a fresh token; for SESSION_REVOKED tesserad says whether
 * the session was stolen (REFRESH_TOKEN_REUSED).
 */
const RETRY_REASONS = new Set(["EXPIRED", "STALE_CLAIMS", "SESSION_REVOKED"]);

interface Call {
  /** The access token the request went out with (null: none). */
  sentToken: string | null;
  /** A copy to send again, or null when the body could not be kept. */
  replay: Request | null;
}

export function createMiddleware(core: TesseraCore, state: RequestState, options: ApiMiddlewareOptions): Middleware {
  const maxReplayBytes = options.maxReplayBytes ?? 1 << 20;
  const calls = new Map<string, Call>();

  const unavailable = (): never => error(503, AUTH_UNAVAILABLE);
  const refused = (reason: string): never => {
    // A refresh that was refused has already deleted the cookies.
    if (state.accessToken !== null || state.refreshToken !== null) core.clear(state, reason);
    else state.signedOutReason ??= reason;
    redirect(303, core.loginPath(reason));
  };
  /** What to do with an answer that will not be retried. */
  const judge = (response: Response): void => {
    if (response.status === 503) unavailable();
    const reason = response.headers.get("tessera-reason");
    if (response.status === 401 && reason !== null && !RETRY_REASONS.has(reason)) refused(reason);
  };

  return {
    async onRequest({ request, id }) {
      if (!core.apiOrigins.has(new URL(request.url).origin)) return undefined;
      const token = state.accessToken;
      calls.set(id, { sentToken: token, replay: await keepForReplay(request, maxReplayBytes) });
      if (token === null) return undefined;
      const withToken = new Request(request);
      withToken.headers.set("authorization", `Bearer ${token}`);
      return withToken;
    },

    async onResponse({ response, id, options: clientOptions }) {
      const call = calls.get(id);
      if (call === undefined) return undefined; // not an API origin
      calls.delete(id);
      const reason = response.headers.get("tessera-reason");
      if (response.status !== 401 || reason === null || !RETRY_REASONS.has(reason) || call.sentToken === null) {
        judge(response);
        return undefined;
      }
      // Refresh once, unless another call of this request already did.
      if (state.accessToken === call.sentToken) {
        const status = await core.refresh(state);
        if (status === "unavailable") unavailable();
      }
      if (state.accessToken === null) refused(state.signedOutReason ?? reason);
      if (call.replay === null) return undefined;
      await response.body?.cancel().catch(() => undefined);
      const retry = call.replay;
      retry.headers.set("authorization", `Bearer ${state.accessToken}`);
      const second = await clientOptions.fetch(retry);
      judge(second);
      return second; // at most one retry, whatever it answers
    },

    onError({ id }) {
      calls.delete(id);
      return undefined;
    },
  };
}

/** A copy of `request` that can be sent again, or null if its body is larger than `limit`. */
async function keepForReplay(request: Request, limit: number): Promise<Request | null> {
  if (request.body === null) return new Request(request);
  const reader = request.clone().body!.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Not awaited: a tee branch's cancel settles only when the other
      // branch (the request being sent) is done too.
      reader.cancel().catch(() => undefined);
      return null;
    }
    parts.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    body.set(p, at);
    at += p.byteLength;
  }
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body,
    redirect: request.redirect,
    signal: request.signal,
  });
}
