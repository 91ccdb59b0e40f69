/**
 * Verifier: verifies access tokens locally (no RPC per token) against the
 * keys, revocations and claims cut-offs that tesserad streams on
 * WatchRevocations.
 *
 * Contract:
 *  - {@link Verifier.verify} fails closed with {@link VerifierUnavailableError}
 *    until the first snapshot is complete and whenever nothing has been heard
 *    on a synced stream for longer than `maxStalenessMs` (monotonic clock).
 *    A bad token is {@link TokenInvalidError}; the two are never confused.
 *  - Revocations and stale-claims cut-offs apply on every call, cache hits
 *    included. A key-set change invalidates every cached token.
 *  - Memory is bounded: `cacheSize` tokens, and revocations only until they
 *    can no longer matter (forget_after + leeway, or horizon + leeway).
 *  - The stream reconnects by itself with capped exponential backoff and
 *    resumes after the applied sequence and incarnation.
 *
 * Runs on Node's event loop; no method waits on I/O. A cache miss checks
 * the signature synchronously on the loop (node:crypto, a fraction of a
 * millisecond); a hit only looks up the token. Call {@link Verifier.close}
 * to stop following the stream.
 * @packageDocumentation
 */
import { EventEmitter } from "node:events";
import type { RevocationEvent } from "./gen/tessera/v1/token_authority_pb.js";
import { TokenInvalidError, VerifierUnavailableError } from "./errors.js";
import { RevocationState } from "./revocation_state.js";
import {
  KeySet,
  MAX_TOKEN_BYTES,
  checkClaims,
  decodeAndVerify,
  type ClaimPolicy,
  type TokenClaims,
} from "./token.js";

/** The request a Verifier opens a stream with. */
export interface WatchRequest {
  readonly afterSequence: bigint;
  readonly incarnation: string;
  /**
   * The log hash `afterSequence` was seen with (PostgreSQL store; empty
   * otherwise): a failover that lost an event shows as a mismatch, answered
   * with a reset snapshot.
   */
  readonly afterLogHash?: Uint8Array;
}

/** Where the revocation stream comes from ({@link Client} is one). */
export interface RevocationSource {
  /** Opens one WatchRevocations stream; ends or throws when it breaks. */
  watch(request: WatchRequest, signal: AbortSignal): AsyncIterable<RevocationEvent>;
}

/** Wall and monotonic clocks, in milliseconds. Injected by tests. */
export interface Clock {
  /** Wall time, ms since the epoch. */
  wallMs(): number;
  /** Monotonic time, ms from any origin; never goes back. */
  monotonicMs(): number;
}

/** The system clocks. */
export const systemClock: Clock = {
  wallMs: () => Date.now(),
  monotonicMs: () => performance.now(),
};

/** Verifier configuration. */
export interface VerifierOptions {
  /** The stream source, usually a {@link Client}. */
  readonly source: RevocationSource;
  /** Expected `iss` (tesserad's --issuer). */
  readonly issuer: string;
  /** A token's `aud` must hold one of these. Default ["api"]. Empty only with acceptAnyAudience. */
  readonly audience?: readonly string[];
  /** Skip the audience check (only for a service that takes every audience). */
  readonly acceptAnyAudience?: boolean;
  /** Clock skew allowed for exp/nbf/iat. Default 30 000. */
  readonly leewayMs?: number;
  /** Fail closed after this long without word from tesserad. Default 30 000. */
  readonly maxStalenessMs?: number;
  /** Keep events without forget_after this long; at least --access_ttl + --leeway. Default 930 000. */
  readonly horizonMs?: number;
  /** Most tokens cached. Default 10 000. */
  readonly cacheSize?: number;
  /** Default {@link systemClock}. */
  readonly clock?: Clock;
  /** First reconnect delay. Default 50. */
  readonly minBackoffMs?: number;
  /** Longest reconnect delay. Default 2 000. */
  readonly maxBackoffMs?: number;
  /** Abandon a stream silent for this long (heartbeats come every second). Default 5 000. */
  readonly streamIdleTimeoutMs?: number;
}

/** Per-call options of {@link Verifier.verify}. */
export interface VerifyOptions {
  /** Overrides the Verifier's audience for this call. */
  readonly audience?: readonly string[];
}

/** Events a Verifier emits. */
export interface VerifierEvents {
  /** A session, or (legacy) every token of a subject before a time, was revoked. */
  revoked: [{ sessionId?: string; subject: string; sequence: bigint }];
  /** A subject's claims changed; tokens below `generation` are stale. */
  claimsChanged: [{ subject: string; generation: bigint; sequence: bigint }];
  /** The key set was replaced. */
  keysChanged: [{ kids: string[]; sequence: bigint }];
  /** The Verifier went stale (fails closed until it hears from tesserad again). */
  stale: [{ silentForMs: number }];
  /** A snapshot or resume completed: the Verifier is in sync. */
  synced: [{ sequence: bigint; reset: boolean }];
}

interface CacheEntry {
  claims: TokenClaims;
  keysVersion: number;
}

/** A local, stream-following access-token verifier. */
export class Verifier extends EventEmitter<VerifierEvents> {
  private readonly source: RevocationSource;
  private readonly policy: ClaimPolicy;
  private readonly maxStalenessMs: number;
  private readonly horizonMs: number;
  private readonly cacheSize: number;
  private readonly clock: Clock;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly idleTimeoutMs: number;

  private keys = KeySet.empty();
  private keysVersion = 0;
  private revocations: RevocationState;
  private readonly cache = new Map<string, CacheEntry>();

  private applied = 0n;
  private incarnation = "";
  private logHash: Uint8Array = new Uint8Array(0);
  private synced = false;
  private lastHeardMono = 0;
  private lastForgetMono = -Infinity;
  private wasStale = false;
  private eventsAppliedCount = 0;

  // The open stream.
  private streamRequest: WatchRequest = { afterSequence: 0n, incarnation: "", afterLogHash: new Uint8Array(0) };
  private streamAtEnd = false;
  private pending: RevocationState;

  private closed = false;
  private readonly closer = new AbortController();
  private streamAbort: AbortController | undefined;
  private readonly waiters = new Set<{ seq: bigint; resolve: () => void }>();
  private staleTimer: NodeJS.Timeout | undefined;
  private readonly loop: Promise<void>;

  /** Starts following the stream at once. */
  constructor(options: VerifierOptions) {
    super();
    const leewayMs = options.leewayMs ?? 30_000;
    this.maxStalenessMs = options.maxStalenessMs ?? 30_000;
    this.horizonMs = options.horizonMs ?? 930_000;
    if (leewayMs < 0) throw new RangeError("leewayMs must not be negative");
    if (this.maxStalenessMs <= 0) throw new RangeError("maxStalenessMs must be positive");
    if (this.horizonMs <= 0) throw new RangeError("horizonMs must be positive");
    const audience = options.acceptAnyAudience ? [] : (options.audience ?? ["api"]);
    if (audience.length === 0 && !options.acceptAnyAudience) {
      throw new RangeError("audience must name at least one audience (or set acceptAnyAudience)");
    }
    this.source = options.source;
    this.policy = { issuer: options.issuer, audience, leewayMs };
    this.cacheSize = Math.max(0, options.cacheSize ?? 10_000);
    this.clock = options.clock ?? systemClock;
    this.minBackoffMs = options.minBackoffMs ?? 50;
    this.maxBackoffMs = options.maxBackoffMs ?? 2_000;
    this.idleTimeoutMs = options.streamIdleTimeoutMs ?? 5_000;
    this.revocations = new RevocationState(this.horizonMs);
    this.pending = new RevocationState(this.horizonMs);
    this.staleTimer = setInterval(() => this.checkStale(), 1_000);
    this.staleTimer.unref();
    this.loop = this.follow();
  }

  /**
   * Verifies an access token. Resolves to its claims, or rejects with
   * {@link TokenInvalidError} (the token is not valid) or
   * {@link VerifierUnavailableError} (cannot judge now: answer 503).
   */
  async verify(token: string, options?: VerifyOptions): Promise<TokenClaims> {
    this.assertAvailable();
    if (Buffer.byteLength(token) > MAX_TOKEN_BYTES) {
      throw new TokenInvalidError("MALFORMED", "token too large");
    }
    const policy = options?.audience?.length ? { ...this.policy, audience: options.audience } : this.policy;
    let claims: TokenClaims;
    const hit = this.cache.get(token);
    if (hit !== undefined && hit.keysVersion === this.keysVersion) {
      claims = hit.claims;
    } else {
      // Synchronous: the key set cannot change between the check and caching.
      const result = decodeAndVerify(token, this.keys);
      if ("reason" in result) throw new TokenInvalidError(result.reason, result.detail);
      claims = result.claims;
      this.remember(token, claims);
    }
    const failure = checkClaims(claims, policy, this.clock.wallMs());
    if (failure !== undefined) throw new TokenInvalidError(failure.reason, failure.detail);
    const verdict = this.revocations.check(
      claims.sessionId,
      claims.subject,
      claims.issuedAtMs,
      claims.subjectGeneration,
    );
    if (verdict === "SESSION_REVOKED") {
      throw new TokenInvalidError(verdict, "the session was revoked");
    }
    if (verdict === "STALE_CLAIMS") {
      throw new TokenInvalidError(verdict, "the subject's claims changed; refresh the token");
    }
    return claims;
  }

  /** The sequence everything is applied up to (what a resume sends). */
  get appliedSequence(): bigint {
    return this.applied;
  }

  /** Revoked sessions plus subjects with a cut-off, held in memory. */
  get revocationsHeld(): number {
    return this.revocations.size;
  }

  /** Tokens in the cache now (at most `cacheSize`). */
  get cachedTokens(): number {
    return this.cache.size;
  }

  /** Stream messages handled so far (snapshot entries, markers, heartbeats). */
  get eventsApplied(): number {
    return this.eventsAppliedCount;
  }

  /** True when {@link verify} would judge tokens now. */
  get available(): boolean {
    return this.synced && this.silentForMs() <= this.maxStalenessMs;
  }

  /**
   * Resolves once the applied sequence reaches `sequence` (e.g. the one
   * RevokeSession returned); rejects with {@link VerifierUnavailableError}
   * after `timeoutMs` (default 10 000) or when the Verifier is closed.
   */
  waitForSequence(sequence: bigint, options?: { timeoutMs?: number }): Promise<void> {
    if (this.applied >= sequence) return Promise.resolve();
    const timeoutMs = options?.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const waiter = {
        seq: sequence,
        resolve: () => {
          clearTimeout(timer);
          this.closer.signal.removeEventListener("abort", onClose);
          resolve();
        },
      };
      const fail = (why: string) => {
        this.waiters.delete(waiter);
        this.closer.signal.removeEventListener("abort", onClose);
        reject(new VerifierUnavailableError(why));
      };
      const onClose = () => fail("the Verifier was closed");
      const timer = setTimeout(
        () => fail(`sequence ${sequence} not reached within ${timeoutMs} ms (at ${this.applied})`),
        timeoutMs,
      );
      this.closer.signal.addEventListener("abort", onClose);
      this.waiters.add(waiter);
    });
  }

  /** Resolves once at least `n` stream messages have been handled (for tests). */
  async waitForEventsApplied(n: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.eventsAppliedCount < n) {
      if (Date.now() > deadline) throw new Error(`only ${this.eventsAppliedCount} of ${n} events applied`);
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  /** Stops following the stream; pending waits reject. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.staleTimer);
    this.closer.abort();
    this.streamAbort?.abort();
    await this.loop;
  }

  private assertAvailable(): void {
    if (!this.synced) {
      throw new VerifierUnavailableError("not yet in sync with tesserad (no snapshot yet)");
    }
    const silent = this.silentForMs();
    if (silent > this.maxStalenessMs) {
      this.checkStale();
      throw new VerifierUnavailableError(
        `no word from tesserad for ${Math.round(silent)} ms (> ${this.maxStalenessMs} ms); ` +
          "refusing to verify on revocation state that may be stale",
      );
    }
  }

  private silentForMs(): number {
    return this.clock.monotonicMs() - this.lastHeardMono;
  }

  private checkStale(): void {
    if (!this.synced) return;
    const silent = this.silentForMs();
    if (silent > this.maxStalenessMs && !this.wasStale) {
      this.wasStale = true;
      this.emit("stale", { silentForMs: silent });
    }
  }

  private remember(token: string, claims: TokenClaims): void {
    if (this.cacheSize === 0) return;
    this.cache.delete(token);
    this.cache.set(token, { claims, keysVersion: this.keysVersion });
    if (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  private heard(): void {
    this.lastHeardMono = this.clock.monotonicMs();
    this.wasStale = false;
  }

  private setApplied(sequence: bigint, logHash: Uint8Array): void {
    if (sequence !== this.applied || logHash.length > 0) this.logHash = logHash;
    this.applied = sequence;
    for (const w of this.waiters) {
      if (sequence >= w.seq) {
        this.waiters.delete(w);
        w.resolve();
      }
    }
  }

  /** Handles one stream message exactly as if it came over gRPC. */
  private handle(event: RevocationEvent): void {
    this.eventsAppliedCount++;
    const e = event.event;
    const live = this.streamAtEnd;
    const resume = this.streamRequest.afterSequence > 0n;
    if (live) this.heard();
    switch (e.case) {
      case "snapshotEnd":
        if (live) break;
        if (!resume || e.value.reset) {
          this.revocations = this.pending;
        }
        this.pending = new RevocationState(this.horizonMs);
        this.streamAtEnd = true;
        this.synced = true;
        this.incarnation = e.value.incarnation;
        this.heard();
        this.setApplied(event.sequence, event.logHash);
        this.emit("synced", { sequence: event.sequence, reset: e.value.reset });
        break;
      case "heartbeat":
        if (!live) break;
        if (e.value.incarnation !== "") this.incarnation = e.value.incarnation;
        this.setApplied(e.value.currentSequence, event.logHash);
        break;
      case "keysChanged": {
        const parsed = KeySet.parse(e.value.jwksJson);
        if (typeof parsed !== "string") {
          this.keys = parsed;
          this.keysVersion++;
          this.cache.clear();
          this.emit("keysChanged", { kids: parsed.kids, sequence: event.sequence });
        }
        if (live) this.setApplied(event.sequence, event.logHash);
        break;
      }
      case "sessionRevoked":
      case "subjectRevoked":
      case "claimsInvalidated":
        if (!live) this.pending.apply(event);
        if (live || resume) {
          this.revocations.apply(event);
          this.announce(event);
        }
        if (live) this.setApplied(event.sequence, event.logHash);
        break;
      default:
        break;
    }
    this.maybeForget();
  }

  private announce(event: RevocationEvent): void {
    const e = event.event;
    if (e.case === "sessionRevoked") {
      this.emit("revoked", { sessionId: e.value.sessionId, subject: e.value.subject, sequence: event.sequence });
    } else if (e.case === "subjectRevoked") {
      this.emit("revoked", { subject: e.value.subject, sequence: event.sequence });
    } else if (e.case === "claimsInvalidated") {
      this.emit("claimsChanged", { subject: e.value.subject, generation: e.value.generation, sequence: event.sequence });
    }
  }

  private maybeForget(): void {
    const mono = this.clock.monotonicMs();
    if (mono - this.lastForgetMono < 2_000) return;
    this.lastForgetMono = mono;
    const horizon = this.clock.wallMs() - this.policy.leewayMs;
    this.revocations.forget(horizon);
    for (const [token, entry] of this.cache) {
      if (entry.claims.expiresAtMs + this.policy.leewayMs <= this.clock.wallMs()) this.cache.delete(token);
    }
  }

  private async follow(): Promise<void> {
    let backoff = this.minBackoffMs;
    while (!this.closed) {
      this.streamRequest = {
        afterSequence: this.applied,
        incarnation: this.incarnation,
        afterLogHash: this.logHash,
      };
      this.streamAtEnd = false;
      this.pending = new RevocationState(this.horizonMs);
      const abort = new AbortController();
      this.streamAbort = abort;
      let idle: NodeJS.Timeout | undefined;
      const armIdle = () => {
        clearTimeout(idle);
        idle = setTimeout(() => abort.abort(), this.idleTimeoutMs);
        idle.unref();
      };
      try {
        armIdle();
        for await (const event of this.source.watch(this.streamRequest, abort.signal)) {
          armIdle();
          this.handle(event);
          if (this.streamAtEnd) backoff = this.minBackoffMs;
        }
      } catch {
        // Any end of stream is handled the same way: reconnect and resume.
      } finally {
        clearTimeout(idle);
      }
      if (this.closed) break;
      await sleep(backoff * (0.5 + Math.random() / 2), this.closer.signal);
      backoff = Math.min(backoff * 2, this.maxBackoffMs);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}
