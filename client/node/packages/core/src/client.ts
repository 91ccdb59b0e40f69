/**
 * Client: every TokenAuthority and Admin RPC of tesserad over gRPC
 * (HTTP/2, via @connectrpc/connect-node's gRPC transport).
 *
 * Contract:
 *  - Every failure rejects with a {@link TesseraError} subclass carrying the
 *    ErrorInfo reason (see errors.ts).
 *  - `timeoutMs` is the deadline of the whole call, retries included.
 *  - Retries happen only where repeating the request cannot change the
 *    outcome: read-only RPCs, RefreshSession (tesserad answers a retried
 *    rotation with the same successor), and IssueSession when it carries a
 *    `requestId`. Only UNAVAILABLE is retried, with capped jittered backoff.
 *    RevokeSession, UpdateClaims and the Admin writes are never retried.
 *  - The API key is sent as `authorization: Bearer <key>`; plaintext is
 *    refused for anything but loopback unless `insecure` is set.
 *
 * One Client holds one HTTP/2 connection (re-established on demand); share it.
 * @packageDocumentation
 */
import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client as ConnectClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Admin } from "./gen/tessera/v1/admin_pb.js";
import type * as admin from "./gen/tessera/v1/admin_pb.js";
import { TokenAuthority } from "./gen/tessera/v1/token_authority_pb.js";
import type * as ta from "./gen/tessera/v1/token_authority_pb.js";
import { TesseraError, UnavailableError, toTesseraError } from "./errors.js";
import type { RevocationSource, WatchRequest } from "./verifier.js";

/** TLS settings; PEM text or bytes. */
export interface TlsOptions {
  /** CA bundle the server certificate must chain to (default: Node's roots). */
  readonly ca?: string | Buffer;
  /** Client certificate chain, for mTLS callers. */
  readonly cert?: string | Buffer;
  /** Client private key, for mTLS callers. */
  readonly key?: string | Buffer;
  /** Name to check the server certificate against (default: the host). */
  readonly servername?: string;
}

/** Client configuration. */
export interface ClientOptions {
  /** tesserad's gRPC address, "host:port" (default "127.0.0.1:50051"). */
  readonly address?: string;
  /** Use TLS (required for non-loopback unless `insecure`). */
  readonly tls?: TlsOptions | boolean;
  /** Allow plaintext to a non-loopback address (testing only). */
  readonly insecure?: boolean;
  /** The caller's API key (callers configured with api_key). */
  readonly apiKey?: string;
  /** Default deadline of each call, ms (default 10 000). */
  readonly timeoutMs?: number;
  /** Most attempts of a retryable call (default 3; 1 disables retries). */
  readonly maxAttempts?: number;
  /** First retry delay, ms (default 100). */
  readonly retryBackoffMs?: number;
}

/** Per-call options. */
export interface CallOptions {
  /** Deadline of this call, ms, retries included. */
  readonly timeoutMs?: number;
  /** Cancels the call. */
  readonly signal?: AbortSignal;
}

type Init<S extends DescMessage> = MessageInitShape<S>;

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "[::1]" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * connect-node reports a connection the server dropped (e.g. tesserad
 * restarting) as CANCELED, the code of an HTTP/2 RST_STREAM CANCEL; unless
 * the caller aborted, that is gRPC's UNAVAILABLE.
 */
function connectionLost(err: TesseraError, signal: AbortSignal | undefined): TesseraError {
  if (err.code !== "Canceled" || signal?.aborted) return err;
  return new UnavailableError(`connection lost: ${err.message}`, "Unavailable", "", {}, undefined, { cause: err });
}

/** A tesserad client. */
export class Client implements RevocationSource {
  private readonly ta: ConnectClient<typeof TokenAuthority>;
  private readonly admin: ConnectClient<typeof Admin>;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;

  constructor(options: ClientOptions = {}) {
    const address = options.address ?? "127.0.0.1:50051";
    const host = address.replace(/:\d+$/, "");
    const tls = options.tls === true ? {} : options.tls || undefined;
    if (tls === undefined && !options.insecure && !isLoopback(host)) {
      throw new RangeError(`refusing plaintext gRPC to non-loopback ${address}: set tls (or insecure for tests)`);
    }
    if (options.apiKey !== undefined && !/^[\x21-\x7e]+$/.test(options.apiKey)) {
      throw new RangeError("apiKey must be printable ASCII without spaces");
    }
    const interceptors: Interceptor[] = [];
    if (options.apiKey !== undefined) {
      const header = `Bearer ${options.apiKey}`;
      interceptors.push((next) => (req) => {
        req.header.set("authorization", header);
        return next(req);
      });
    }
    const transport = createGrpcTransport({
      baseUrl: `${tls ? "https" : "http"}://${address}`,
      interceptors,
      pingIntervalMs: 10_000,
      pingIdleConnection: true,
      nodeOptions: tls
        ? {
            ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
            ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
            ...(tls.key !== undefined ? { key: tls.key } : {}),
            ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
          }
        : {},
    });
    this.ta = createClient(TokenAuthority, transport);
    this.admin = createClient(Admin, transport);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.backoffMs = options.retryBackoffMs ?? 100;
  }

  private async call<Res>(
    retryable: boolean,
    options: CallOptions | undefined,
    fn: (opts: { timeoutMs: number; signal?: AbortSignal }) => Promise<Res>,
  ): Promise<Res> {
    const deadline = Date.now() + (options?.timeoutMs ?? this.timeoutMs);
    let backoff = this.backoffMs;
    for (let attempt = 1; ; attempt++) {
      const remaining = deadline - Date.now();
      try {
        if (remaining <= 0) throw new ConnectError("deadline exceeded before the call", Code.DeadlineExceeded);
        return await fn({ timeoutMs: remaining, ...(options?.signal ? { signal: options.signal } : {}) });
      } catch (e) {
        const err = connectionLost(toTesseraError(e), options?.signal);
        const again =
          retryable &&
          err.code === "Unavailable" &&
          attempt < this.maxAttempts &&
          !options?.signal?.aborted &&
          Date.now() + backoff < deadline;
        if (!again) throw err;
        await new Promise((r) => setTimeout(r, backoff * (0.5 + Math.random() / 2)));
        backoff *= 2;
      }
    }
  }

  /** Starts a session (role issuer). Retried only with a `requestId`. */
  issueSession(req: Init<typeof ta.IssueSessionRequestSchema>, options?: CallOptions): Promise<ta.SessionTokens> {
    return this.call(!!req.requestId, options, (o) => this.ta.issueSession(req, o));
  }

  /** Rotates the refresh token (role issuer). Safe to retry: a lost answer gets the same successor. */
  refreshSession(req: Init<typeof ta.RefreshSessionRequestSchema>, options?: CallOptions): Promise<ta.SessionTokens> {
    return this.call(true, options, (o) => this.ta.refreshSession(req, o));
  }

  /** Authoritative check of an access token (role verifier). */
  validateToken(
    req: Init<typeof ta.ValidateTokenRequestSchema>,
    options?: CallOptions,
  ): Promise<ta.ValidateTokenResponse> {
    return this.call(true, options, (o) => this.ta.validateToken(req, o));
  }

  /** Revokes a session, a subject's sessions, or a token's session (role issuer). Not retried. */
  revokeSession(
    req: Init<typeof ta.RevokeSessionRequestSchema>,
    options?: CallOptions,
  ): Promise<ta.RevokeSessionResponse> {
    return this.call(false, options, (o) => this.ta.revokeSession(req, o));
  }

  /** One session, never a secret (role issuer). */
  getSession(req: Init<typeof ta.GetSessionRequestSchema>, options?: CallOptions): Promise<ta.Session> {
    return this.call(true, options, (o) => this.ta.getSession(req, o));
  }

  /** A subject's sessions, newest first, paginated (role issuer). */
  listSessions(
    req: Init<typeof ta.ListSessionsRequestSchema>,
    options?: CallOptions,
  ): Promise<ta.ListSessionsResponse> {
    return this.call(true, options, (o) => this.ta.listSessions(req, o));
  }

  /** Changes a subject's custom claims (role issuer). Not retried. */
  updateClaims(
    req: Init<typeof ta.UpdateClaimsRequestSchema>,
    options?: CallOptions,
  ): Promise<ta.UpdateClaimsResponse> {
    return this.call(false, options, (o) => this.ta.updateClaims(req, o));
  }

  /** The public signing keys as a JWK Set (role verifier). */
  getJwks(req: Init<typeof ta.GetJwksRequestSchema> = {}, options?: CallOptions): Promise<ta.GetJwksResponse> {
    return this.call(true, options, (o) => this.ta.getJwks(req, o));
  }

  /**
   * Opens one WatchRevocations stream (role verifier). No deadline; ends
   * when `signal` aborts or the server ends it (then throws a TesseraError).
   * Most callers want a {@link Verifier} instead.
   */
  async *watchRevocations(
    req: Init<typeof ta.WatchRevocationsRequestSchema>,
    options?: { signal?: AbortSignal },
  ): AsyncGenerator<ta.RevocationEvent> {
    try {
      yield* this.ta.watchRevocations(req, options?.signal ? { signal: options.signal } : {});
    } catch (e) {
      throw toTesseraError(e);
    }
  }

  /** {@link RevocationSource} for a Verifier. */
  watch(request: WatchRequest, signal: AbortSignal): AsyncIterable<ta.RevocationEvent> {
    return this.watchRevocations(request, { signal });
  }

  /** Admin: rotates the signing keys. Not retried. */
  rotateSigningKey(
    req: Init<typeof admin.RotateSigningKeyRequestSchema> = {},
    options?: CallOptions,
  ): Promise<admin.RotateSigningKeyResponse> {
    return this.call(false, options, (o) => this.admin.rotateSigningKey(req, o));
  }

  /** Admin: withdraws a compromised key at once. Not retried. */
  withdrawSigningKey(
    req: Init<typeof admin.WithdrawSigningKeyRequestSchema>,
    options?: CallOptions,
  ): Promise<admin.WithdrawSigningKeyResponse> {
    return this.call(false, options, (o) => this.admin.withdrawSigningKey(req, o));
  }

  /** Admin: every published key, newest first. */
  listSigningKeys(
    req: Init<typeof admin.ListSigningKeysRequestSchema> = {},
    options?: CallOptions,
  ): Promise<admin.ListSigningKeysResponse> {
    return this.call(true, options, (o) => this.admin.listSigningKeys(req, o));
  }

  /** Admin: counters and sizes. */
  getStats(req: Init<typeof admin.GetStatsRequestSchema> = {}, options?: CallOptions): Promise<admin.GetStatsResponse> {
    return this.call(true, options, (o) => this.admin.getStats(req, o));
  }

  /** Admin: writes a checkpoint of the store on the server. Not retried. */
  createBackup(
    req: Init<typeof admin.CreateBackupRequestSchema>,
    options?: CallOptions,
  ): Promise<admin.CreateBackupResponse> {
    return this.call(false, options, (o) => this.admin.createBackup(req, o));
  }
}

/** A message type's plain shape (re-exported for callers' signatures). */
export type Shape<S extends DescMessage> = MessageShape<S>;
