/**
 * The HTTP answer contract (docs/http-contract.md) for Node: reads the
 * `Authorization` fields of a request, asks a verifier, and either lets the
 * request through with the token's claims or answers it — byte for byte as
 * every Tessera middleware does (tests/conformance/http.json).
 *
 * {@link authenticateBearer} is the framework-free core (fields in, claims
 * or answer out); {@link tesseraAuth} wraps it as Node/Express-style
 * middleware. Nothing the client sent is echoed in an answer.
 * @packageDocumentation
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { TokenInvalidError } from "./errors.js";
import type { TokenClaims } from "./token.js";

/** An answer to send instead of handling the request. */
export interface HttpAnswer {
  readonly status: number;
  /** In the order to send them. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

/** What {@link authenticateBearer} decided. */
export type HttpAuthentication =
  | { readonly authenticated: true; readonly claims: TokenClaims }
  | { readonly authenticated: false; readonly answer: HttpAnswer };

/** What the Authorization fields hold, judged before any verifier is asked. */
export type ParsedAuthorization =
  | { readonly kind: "missing" }
  | { readonly kind: "malformed" }
  | { readonly kind: "token"; readonly token: string };

const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** RFC 6750 §2.1 over every Authorization field value, in order. */
export function parseAuthorization(fields: readonly string[]): ParsedAuthorization {
  if (fields.length === 0) return { kind: "missing" };
  if (fields.length > 1) return { kind: "malformed" };
  const value = fields[0]!.replace(/^[ \t]+|[ \t]+$/g, "");
  if (value === "") return { kind: "missing" };
  const schemeEnd = value.search(/[ \t]/);
  const scheme = schemeEnd < 0 ? value : value.slice(0, schemeEnd);
  if (scheme.toLowerCase() !== "bearer") return { kind: "missing" };
  if (schemeEnd < 0 || value[schemeEnd] !== " ") return { kind: "malformed" };
  const token = value.slice(schemeEnd).replace(/^ +/, "");
  if (!B64TOKEN.test(token)) return { kind: "malformed" };
  return { kind: "token", token };
}

const REALM = "tessera";

function answer(status: number, first: [string, string] | undefined, reason: string | undefined, body: object): HttpAnswer {
  const headers: [string, string][] = [];
  if (first) headers.push(first);
  if (reason !== undefined) headers.push(["Tessera-Reason", reason]);
  headers.push(["Cache-Control", "no-store"], ["Content-Type", "application/json"]);
  return { status, headers, body: JSON.stringify(body) };
}

/** 401 for a request without Bearer credentials. */
export const missingAnswer = (): HttpAnswer =>
  answer(401, ["WWW-Authenticate", `Bearer realm="${REALM}"`], undefined, {
    error: "unauthorized",
    reason: "TOKEN_MISSING",
  });

/** 400 for an Authorization header that cannot be read. */
export const malformedAnswer = (): HttpAnswer =>
  answer(400, ["WWW-Authenticate", `Bearer realm="${REALM}", error="invalid_request"`], undefined, {
    error: "invalid_request",
    reason: "AUTHORIZATION_MALFORMED",
  });

/**
 * The answer for an error a verifier threw: 401 with `Tessera-Reason` for a
 * {@link TokenInvalidError}; anything else (VerifierUnavailableError, or an
 * unexpected failure) fails closed as 503 with `Retry-After: 2`.
 */
export function answerForError(error: unknown): HttpAnswer {
  if (error instanceof TokenInvalidError) {
    return answer(401, ["WWW-Authenticate", `Bearer realm="${REALM}", error="invalid_token"`], error.reason, {
      error: "invalid_token",
      reason: error.reason,
    });
  }
  return answer(503, ["Retry-After", "2"], undefined, {
    error: "temporarily_unavailable",
    reason: "VERIFIER_UNAVAILABLE",
  });
}

/** Anything that verifies a token the way {@link Verifier.verify} does. */
export type VerifyFn = (token: string) => Promise<TokenClaims>;

/** The contract's core: Authorization fields in, claims or answer out. */
export async function authenticateBearer(fields: readonly string[], verify: VerifyFn): Promise<HttpAuthentication> {
  const parsed = parseAuthorization(fields);
  if (parsed.kind === "missing") return { authenticated: false, answer: missingAnswer() };
  if (parsed.kind === "malformed") return { authenticated: false, answer: malformedAnswer() };
  try {
    return { authenticated: true, claims: await verify(parsed.token) };
  } catch (e) {
    return { authenticated: false, answer: answerForError(e) };
  }
}

/** Every Authorization field of a request, unjoined, in order. */
export function authorizationFields(req: IncomingMessage): string[] {
  const fields: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === "authorization") fields.push(raw[i + 1]!);
  }
  return fields;
}

/** Sends an answer on a Node response. */
export function sendAnswer(res: ServerResponse, a: HttpAnswer): void {
  res.statusCode = a.status;
  for (const [name, value] of a.headers) res.setHeader(name, value);
  res.end(a.body);
}

/** A request once {@link tesseraAuth} let it through. */
export interface AuthenticatedRequest extends IncomingMessage {
  /** The verified claims of the request's access token. */
  tessera?: TokenClaims;
}

/** Options of {@link tesseraAuth}. */
export interface TesseraAuthOptions {
  /** Overrides the audience for this route (else the Verifier's). */
  readonly audience?: readonly string[];
}

/**
 * Node/Express-style middleware: `(req, res, next)`. Sets `req.tessera` to
 * the claims and calls `next()`, or answers per the contract. Works with
 * Express, Connect, and plain `node:http` handlers.
 */
export function tesseraAuth(
  verifier: { verify(token: string, options?: { audience?: readonly string[] }): Promise<TokenClaims> },
  options: TesseraAuthOptions = {},
): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void {
  const verify: VerifyFn = options.audience
    ? (t) => verifier.verify(t, { audience: options.audience! })
    : (t) => verifier.verify(t);
  return (req, res, next) => {
    authenticateBearer(authorizationFields(req), verify).then(
      (auth) => {
        if (auth.authenticated) {
          (req as AuthenticatedRequest).tessera = auth.claims;
          next();
        } else {
          sendAnswer(res, auth.answer);
        }
      },
      (e: unknown) => next(e),
    );
  };
}
