/**
 * Typed errors. Every failure of a tesserad RPC becomes a {@link TesseraError}
 * subclass chosen by its gRPC code, carrying the `google.rpc.ErrorInfo`
 * reason (e.g. `REFRESH_TOKEN_REUSED`) that is part of Tessera's API
 * contract. The Verifier's own refusals are {@link TokenInvalidError} (the
 * token is bad) and {@link VerifierUnavailableError} (the Verifier cannot
 * judge: not yet in sync, or stale) — never confuse the two: the first means
 * "sign the user out", the second "try again later".
 * @packageDocumentation
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorInfoSchema, RetryInfoSchema } from "./gen/google/rpc/error_details_pb.js";
import type { InvalidReason } from "./token.js";

/** The gRPC status names this library reports. */
export type GrpcCode = keyof typeof Code;

/** A failed RPC. `reason` is the ErrorInfo reason, or "" when the server sent none. */
export class TesseraError extends Error {
  override readonly name: string = "TesseraError";
  /** The gRPC status code, named as connect names it: "Unauthenticated", "InvalidArgument", ... */
  readonly code: GrpcCode;
  /** The ErrorInfo reason, e.g. "SESSION_REVOKED"; "" if none was sent. */
  readonly reason: string;
  /** ErrorInfo metadata (free-form, may be empty). */
  readonly metadata: Readonly<Record<string, string>>;
  /** From RetryInfo, when the server asked the caller to wait (RATE_LIMITED). */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    code: GrpcCode,
    reason: string,
    metadata: Record<string, string> = {},
    retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.reason = reason;
    this.metadata = metadata;
    this.retryAfterMs = retryAfterMs;
  }
}

/** INVALID_ARGUMENT: the request is wrong; retrying it unchanged fails again. */
export class InvalidArgumentError extends TesseraError {
  override readonly name = "InvalidArgumentError";
}
/** UNAUTHENTICATED: bad/reused refresh token, revoked or expired session, unknown caller. */
export class UnauthenticatedError extends TesseraError {
  override readonly name = "UnauthenticatedError";
}
/** PERMISSION_DENIED: the caller lacks the role (ROLE_MISSING). */
export class PermissionDeniedError extends TesseraError {
  override readonly name = "PermissionDeniedError";
}
/** NOT_FOUND: SESSION_NOT_FOUND. */
export class NotFoundError extends TesseraError {
  override readonly name = "NotFoundError";
}
/** ALREADY_EXISTS: REQUEST_ID_REUSED. */
export class AlreadyExistsError extends TesseraError {
  override readonly name = "AlreadyExistsError";
}
/** FAILED_PRECONDITION: REQUEST_ID_SPENT. */
export class FailedPreconditionError extends TesseraError {
  override readonly name = "FailedPreconditionError";
}
/** RESOURCE_EXHAUSTED: RATE_LIMITED (see retryAfterMs), TOO_MANY_WATCHERS, CONSUMER_TOO_SLOW. */
export class ResourceExhaustedError extends TesseraError {
  override readonly name = "ResourceExhaustedError";
}
/** UNAVAILABLE: tesserad unreachable or STORE_UNAVAILABLE (nothing was changed). */
export class UnavailableError extends TesseraError {
  override readonly name = "UnavailableError";
}
/** DEADLINE_EXCEEDED: the call's deadline passed; the outcome is unknown. */
export class DeadlineExceededError extends TesseraError {
  override readonly name = "DeadlineExceededError";
}

const byCode: Partial<Record<Code, typeof TesseraError>> = {
  [Code.InvalidArgument]: InvalidArgumentError,
  [Code.Unauthenticated]: UnauthenticatedError,
  [Code.PermissionDenied]: PermissionDeniedError,
  [Code.NotFound]: NotFoundError,
  [Code.AlreadyExists]: AlreadyExistsError,
  [Code.FailedPrecondition]: FailedPreconditionError,
  [Code.ResourceExhausted]: ResourceExhaustedError,
  [Code.Unavailable]: UnavailableError,
  [Code.DeadlineExceeded]: DeadlineExceededError,
};

/** Converts anything a connect call threw into a {@link TesseraError}. */
export function toTesseraError(e: unknown): TesseraError {
  if (e instanceof TesseraError) return e;
  const ce = ConnectError.from(e);
  const info = ce.findDetails(ErrorInfoSchema)[0];
  const retry = ce.findDetails(RetryInfoSchema)[0]?.retryDelay;
  const retryAfterMs =
    retry === undefined ? undefined : Number(retry.seconds) * 1000 + Math.floor(retry.nanos / 1e6);
  const Cls = byCode[ce.code] ?? TesseraError;
  const code = Code[ce.code] as GrpcCode;
  return new Cls(ce.rawMessage, code, info?.reason ?? "", { ...(info?.metadata ?? {}) }, retryAfterMs, {
    cause: e,
  });
}

/** The Verifier refused the token: it is not valid (sign the user out or refresh). */
export class TokenInvalidError extends Error {
  override readonly name = "TokenInvalidError";
  /** Why, as a TokenInvalidReason name without prefix. */
  readonly reason: InvalidReason;
  constructor(reason: InvalidReason, detail: string) {
    super(`${reason}: ${detail}`);
    this.reason = reason;
  }
}

/**
 * The Verifier cannot judge any token: it has not completed its first
 * snapshot, or has heard nothing from tesserad for longer than
 * maxStaleness. Fail closed, but this is not the token's fault: answer 503.
 */
export class VerifierUnavailableError extends Error {
  override readonly name = "VerifierUnavailableError";
  readonly reason = "UNAVAILABLE" as const;
}
