/**
 * What a Verifier knows is revoked: sessions, and per-subject cut-offs
 * (legacy SubjectRevoked `not_before`, ClaimsInvalidated `generation`).
 * Each entry carries the wall time after which it can no longer matter.
 * Plain data, single-threaded (Node's event loop); not shared.
 * @packageDocumentation
 */
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import type { RevocationEvent } from "./gen/tessera/v1/token_authority_pb.js";

/** What {@link RevocationState.check} answers. */
export type RevocationVerdict = "VALID" | "SESSION_REVOKED" | "STALE_CLAIMS";

interface Cutoffs {
  revokedBeforeMs: number;
  staleBelow: bigint;
  forgetAfterMs: number;
}

/** Milliseconds since the epoch of a protobuf Timestamp (0 when unset). */
export function timestampMs(t: Timestamp | undefined): number {
  if (t === undefined) return 0;
  return Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6);
}

export class RevocationState {
  private readonly sessions = new Map<string, number>();
  private readonly subjects = new Map<string, Cutoffs>();

  /** @param horizonMs how long an event without forget_after is kept. */
  constructor(private readonly horizonMs: number) {}

  /** Applies a revocation event; other events change nothing. */
  apply(event: RevocationEvent): void {
    const e = event.event;
    switch (e.case) {
      case "sessionRevoked":
        this.sessions.set(
          e.value.sessionId,
          e.value.forgetAfter !== undefined
            ? timestampMs(e.value.forgetAfter)
            : timestampMs(event.time) + this.horizonMs,
        );
        break;
      case "subjectRevoked": {
        const cut = this.cutoffs(e.value.subject);
        const before = timestampMs(e.value.notBefore);
        cut.revokedBeforeMs = Math.max(cut.revokedBeforeMs, before);
        cut.forgetAfterMs = Math.max(cut.forgetAfterMs, before + this.horizonMs);
        break;
      }
      case "claimsInvalidated": {
        const cut = this.cutoffs(e.value.subject);
        if (e.value.generation > cut.staleBelow) cut.staleBelow = e.value.generation;
        cut.forgetAfterMs = Math.max(
          cut.forgetAfterMs,
          e.value.forgetAfter !== undefined
            ? timestampMs(e.value.forgetAfter)
            : timestampMs(e.value.notBefore) + this.horizonMs,
        );
        break;
      }
      default:
        break;
    }
  }

  private cutoffs(subject: string): Cutoffs {
    let cut = this.subjects.get(subject);
    if (cut === undefined) {
      cut = { revokedBeforeMs: -Infinity, staleBelow: 0n, forgetAfterMs: -Infinity };
      this.subjects.set(subject, cut);
    }
    return cut;
  }

  /** The verdict for a token of this session and subject. */
  check(
    sessionId: string,
    subject: string,
    issuedAtMs: number,
    subjectGeneration: bigint,
  ): RevocationVerdict {
    if (this.sessions.has(sessionId)) return "SESSION_REVOKED";
    const cut = this.subjects.get(subject);
    if (cut !== undefined) {
      if (issuedAtMs < cut.revokedBeforeMs) return "SESSION_REVOKED";
      if (subjectGeneration < cut.staleBelow) return "STALE_CLAIMS";
    }
    return "VALID";
  }

  /** Drops every entry whose forget-after time is before `nowMs`. */
  forget(nowMs: number): void {
    for (const [id, at] of this.sessions) if (at < nowMs) this.sessions.delete(id);
    for (const [s, cut] of this.subjects) if (cut.forgetAfterMs < nowMs) this.subjects.delete(s);
  }

  /** Revoked sessions plus subjects with a cut-off. */
  get size(): number {
    return this.sessions.size + this.subjects.size;
  }
}
