/**
 * @tessera-auth/sveltekit/client: the browser half of the push stream.
 *
 * {@link followSession} follows the server's event stream (`tessera.events`)
 * with an EventSource and re-broadcasts what it hears to the other tabs of
 * the same origin over a BroadcastChannel. Where the Web Locks API exists,
 * only one tab holds the stream (the lock holder); the others listen on the
 * channel and take over when that tab closes. No token is ever handled here:
 * the stream is authenticated by the HttpOnly cookies the browser sends.
 *
 * Browser-only, framework-free: pass SvelteKit's `invalidateAll` and `goto`
 * from `$app/navigation`.
 * @packageDocumentation
 */

/** What the server pushes. */
export type SessionEvent =
  | { type: "signed_out"; reason: string }
  | { type: "claims_changed"; generation: string };

export interface FollowSessionOptions {
  /** The stream's path. Default "/tessera/events". */
  url?: string;
  /** BroadcastChannel (and lock) name. Default "tessera-session". */
  channel?: string;
  /** Called once when the session is over (revoked, signed out in another tab, refused). */
  onSignedOut?: (reason: string) => void | Promise<void>;
  /** Where the default onSignedOut navigates. Default "/login". */
  signedOutPath?: string;
  /** SvelteKit's `goto`: the default onSignedOut uses it instead of a full page load. */
  goto?: (url: string, opts?: { invalidateAll?: boolean; replaceState?: boolean }) => Promise<void>;
  /** SvelteKit's `invalidateAll`, run on `claims_changed` (in every tab). */
  invalidateAll?: () => Promise<void>;
  /** Also called on `claims_changed`, after invalidateAll. */
  onClaimsChanged?: (generation: string) => void | Promise<void>;
  /** Called when this tab's stream is open and following the session. */
  onReady?: () => void;
}

/** Starts following; returns a function that stops (closes the stream, leaves the channel). */
export function followSession(options: FollowSessionOptions = {}): () => void {
  const url = options.url ?? "/tessera/events";
  const name = options.channel ?? "tessera-session";
  const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(name) : null;
  let stopped = false;
  let signedOut = false;
  let source: EventSource | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let releaseLock: (() => void) | undefined;
  const lockAbort = typeof AbortController === "function" ? new AbortController() : undefined;
  const seenGenerations = new Set<string>();

  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(retryTimer);
    source?.close();
    source = null;
    channel?.close();
    lockAbort?.abort();
    releaseLock?.();
  };

  /** Handles an event in this tab, whichever way it came. */
  const handle = async (e: SessionEvent): Promise<void> => {
    if (e.type === "signed_out") {
      if (signedOut) return;
      signedOut = true;
      source?.close();
      source = null;
      releaseLock?.();
      if (options.onSignedOut) await options.onSignedOut(e.reason);
      else {
        const path = options.signedOutPath ?? "/login";
        if (options.goto) await options.goto(path, { invalidateAll: true, replaceState: true });
        else location.assign(path);
      }
      return;
    }
    if (seenGenerations.has(e.generation)) return;
    seenGenerations.add(e.generation);
    await options.invalidateAll?.();
    await options.onClaimsChanged?.(e.generation);
  };

  if (channel !== null) {
    channel.onmessage = (m: MessageEvent) => {
      const e = parse(m.data);
      if (e !== null && !stopped) void handle(e);
    };
  }

  /** Opens the stream (this tab is the one that follows); resolves when it is given up. */
  const follow = (): Promise<void> =>
    new Promise<void>((resolve) => {
      releaseLock = resolve;
      let backoff = 2_000;
      const open = () => {
        if (stopped || signedOut) return resolve();
        const es = new EventSource(url, { withCredentials: true });
        source = es;
        es.addEventListener("ready", () => {
          backoff = 2_000;
          options.onReady?.();
        });
        const relay = (type: SessionEvent["type"]) => (m: MessageEvent) => {
          const e = parse({ type, ...safeJson(m.data) });
          if (e === null) return;
          channel?.postMessage(e);
          void handle(e);
        };
        es.addEventListener("signed_out", relay("signed_out"));
        es.addEventListener("claims_changed", relay("claims_changed"));
        es.onerror = () => {
          // CONNECTING: EventSource retries by itself. CLOSED: it gave up
          // (e.g. a 503 over the stream limit); try again later.
          if (es.readyState !== EventSource.CLOSED || stopped || signedOut) return;
          source = null;
          retryTimer = setTimeout(open, backoff);
          backoff = Math.min(backoff * 2, 30_000);
        };
      };
      open();
    });

  const locks = typeof navigator !== "undefined" ? (navigator as Navigator & { locks?: LockManager }).locks : undefined;
  if (locks !== undefined && channel !== null) {
    locks
      .request(`${name}-leader`, lockAbort ? { signal: lockAbort.signal } : {}, () => follow())
      .catch(() => undefined); // aborted by stop()
  } else {
    void follow();
  }
  return stop;
}

function safeJson(text: unknown): Record<string, unknown> {
  if (typeof text !== "string" || text.length > 1_024) return {};
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function parse(v: unknown): SessionEvent | null {
  if (typeof v !== "object" || v === null) return null;
  const o = v as Record<string, unknown>;
  if (o["type"] === "signed_out") return { type: "signed_out", reason: typeof o["reason"] === "string" ? o["reason"] : "" };
  if (o["type"] === "claims_changed" && typeof o["generation"] === "string") {
    return { type: "claims_changed", generation: o["generation"] };
  }
  return null;
}
