// An in-process RevocationSource the tests drive: each watch() is a new
// stream; send() writes a message on the open one; breakStream() ends it with
// UNAVAILABLE, as a gRPC server would.
import { Code, ConnectError } from "@connectrpc/connect";
import type { RevocationEvent } from "../../src/gen/tessera/v1/token_authority_pb.js";
import type { RevocationSource, WatchRequest } from "../../src/verifier.js";

type Item = { event: RevocationEvent } | { error: Error };

class Channel {
  private readonly items: Item[] = [];
  private wake: (() => void) | undefined;
  push(item: Item): void {
    this.items.push(item);
    this.wake?.();
  }
  async *drain(signal: AbortSignal): AsyncGenerator<RevocationEvent> {
    const onAbort = () => this.wake?.();
    signal.addEventListener("abort", onAbort);
    try {
      for (;;) {
        if (signal.aborted) throw new ConnectError("aborted", Code.Canceled);
        const item = this.items.shift();
        if (item === undefined) {
          await new Promise<void>((r) => (this.wake = r));
          this.wake = undefined;
          continue;
        }
        if ("error" in item) throw item.error;
        yield item.event;
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }
}

export class FakeSource implements RevocationSource {
  readonly requests: WatchRequest[] = [];
  private current: Channel | undefined;

  watch(request: WatchRequest, signal: AbortSignal): AsyncIterable<RevocationEvent> {
    this.requests.push({ ...request });
    const channel = new Channel();
    this.current = channel;
    return channel.drain(signal);
  }

  send(event: RevocationEvent): void {
    if (this.current === undefined) throw new Error("no open stream");
    this.current.push({ event });
  }

  breakStream(): void {
    this.current?.push({ error: new ConnectError("stream broken by the test", Code.Unavailable) });
    this.current = undefined;
  }

  /** Resolves when the n-th stream (1-based) has been opened. */
  async waitForStreams(n: number, timeoutMs = 10_000): Promise<WatchRequest> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < n) {
      if (Date.now() > deadline) throw new Error(`stream ${n} was never opened`);
      await new Promise((r) => setTimeout(r, 2));
    }
    return this.requests[n - 1]!;
  }
}

export class ManualClock {
  constructor(public wall: number, public mono = 0) {}
  wallMs(): number {
    return this.wall;
  }
  monotonicMs(): number {
    return this.mono;
  }
}
