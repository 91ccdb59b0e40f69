// The push stream for open tabs: server-sent events, from this process's
// Verifier, about the session of the request that opened the stream only.
//
//   event: ready           the stream is following the session
//   event: claims_changed  the subject's claims changed with invalidate
//                          (data: {"generation":"N"}); reload data
//   event: signed_out      the session was revoked or refused
//                          (data: {"reason":"..."}); the stream ends
//   : heartbeat            a comment every heartbeatMs
//
// A stream ends by itself when the access token it was opened with expires;
// EventSource reconnects (retry), and that request goes through `handle`,
// which refreshes the session or finds it over. Each `ready` and
// `claims_changed` carries the claims generation as its SSE id, so a
// reconnect (Last-Event-ID) after a change it missed gets `claims_changed`
// at once. Nothing secret is sent.
// The number of open streams is bounded per session and per process; a
// request without a session gets one `signed_out` and no stream.
import type { TesseraCore, RequestState } from "./handle.js";

export interface EventStreamOptions {
  /** Most open streams in this process. Default 1 000. */
  maxStreams?: number;
  /** Most open streams per session (tabs of one browser share one; see the client helper). Default 8. */
  maxStreamsPerSession?: number;
  /** A comment line this often. Default 15 000. */
  heartbeatMs?: number;
  /** The `retry:` EventSource waits before reconnecting. Default 2 000. */
  retryMs?: number;
}

interface Stream {
  readonly sessionId: string;
  readonly subject: string;
  /** The claims generation of the token the stream was opened with. */
  generation: bigint;
  send(event: string, data: Record<string, string>, id?: bigint): void;
  close(): void;
}

const encoder = new TextEncoder();

export class EventHub {
  private readonly bySession = new Map<string, Set<Stream>>();
  private readonly bySubject = new Map<string, Set<Stream>>();
  private count = 0;
  private listening = false;
  private readonly maxStreams: number;
  private readonly maxPerSession: number;
  private readonly heartbeatMs: number;
  private readonly retryMs: number;

  constructor(
    private readonly core: TesseraCore,
    options: EventStreamOptions,
  ) {
    this.maxStreams = options.maxStreams ?? 1_000;
    this.maxPerSession = options.maxStreamsPerSession ?? 8;
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.retryMs = options.retryMs ?? 2_000;
  }

  get size(): number {
    return this.count;
  }

  private readonly onRevoked = (e: { sessionId?: string; subject: string }): void => {
    const targets = e.sessionId !== undefined && e.sessionId !== "" ? this.bySession.get(e.sessionId) : this.bySubject.get(e.subject);
    for (const s of [...(targets ?? [])]) {
      s.send("signed_out", { reason: "revoked" });
      s.close();
    }
  };

  private readonly onClaimsChanged = (e: { subject: string; generation: bigint }): void => {
    for (const s of [...(this.bySubject.get(e.subject) ?? [])]) {
      if (e.generation <= s.generation) continue;
      s.generation = e.generation;
      s.send("claims_changed", { generation: e.generation.toString() }, e.generation);
    }
  };

  /** The response to a stream request whose handle state is `state`. */
  open(state: RequestState | null, lastEventId: string | null): Response {
    const headers = {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "private, no-store",
      "x-accel-buffering": "no",
    };
    const claims = state?.claims ?? null;
    if (state === null || state.status === "unavailable") {
      return new Response("auth unavailable\n", {
        status: 503,
        headers: { "content-type": "text/plain", "retry-after": "5", "cache-control": "no-store" },
      });
    }
    if (state.session === null || claims === null) {
      const body = `retry: ${this.retryMs}\nevent: signed_out\ndata: {"reason":"no_session"}\n\n`;
      return new Response(body, { headers });
    }
    const perSession = this.bySession.get(claims.sessionId)?.size ?? 0;
    if (this.count >= this.maxStreams || perSession >= this.maxPerSession) {
      return new Response("too many event streams\n", {
        status: 503,
        headers: { "content-type": "text/plain", "retry-after": "10", "cache-control": "no-store" },
      });
    }
    this.listen();
    let stream: Stream | undefined;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        let open = true;
        const write = (text: string) => {
          if (!open) return;
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            close();
          }
        };
        const heartbeat = setInterval(() => write(": heartbeat\n\n"), this.heartbeatMs);
        // Ends when the token expires, so the reconnect refreshes (or signs out).
        const untilExpiry = Math.max(1_000, claims.expiresAtMs - this.core.now() + 500);
        const expiry = setTimeout(() => close(), Math.min(untilExpiry, 2 ** 31 - 1));
        const close = () => {
          if (!open) return;
          open = false;
          clearInterval(heartbeat);
          clearTimeout(expiry);
          this.remove(stream!);
          try {
            controller.close();
          } catch {
            // already closed or cancelled
          }
        };
        stream = {
          sessionId: claims.sessionId,
          subject: claims.subject,
          generation: claims.subjectGeneration,
          send: (event, data, id) =>
            write(`${id !== undefined ? `id: ${id}\n` : ""}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
          close,
        };
        this.add(stream);
        write(`retry: ${this.retryMs}\n`);
        stream.send("ready", {}, claims.subjectGeneration);
        // A reconnect that missed a change: the browser's last id is older.
        const last = lastEventId !== null && /^[0-9]{1,19}$/.test(lastEventId) ? BigInt(lastEventId) : null;
        if (last !== null && last < claims.subjectGeneration) {
          stream.send("claims_changed", { generation: claims.subjectGeneration.toString() }, claims.subjectGeneration);
        }
      },
      cancel: () => stream?.close(),
    });
    return new Response(body, { headers });
  }

  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    this.core.verifier.on("revoked", this.onRevoked);
    this.core.verifier.on("claimsChanged", this.onClaimsChanged);
  }

  private add(s: Stream): void {
    this.count++;
    addTo(this.bySession, s.sessionId, s);
    addTo(this.bySubject, s.subject, s);
  }

  private remove(s: Stream): void {
    if (!removeFrom(this.bySession, s.sessionId, s)) return;
    removeFrom(this.bySubject, s.subject, s);
    this.count--;
  }
}

function addTo(map: Map<string, Set<Stream>>, key: string, s: Stream): void {
  const set = map.get(key);
  if (set === undefined) map.set(key, new Set([s]));
  else set.add(s);
}

function removeFrom(map: Map<string, Set<Stream>>, key: string, s: Stream): boolean {
  const set = map.get(key);
  if (set === undefined || !set.delete(s)) return false;
  if (set.size === 0) map.delete(key);
  return true;
}
