/**
 * Access-token decoding and checking, in the order tesserad's own codec
 * uses, so that every implementation gives the same reason for the same
 * token: size, shape, header (alg, typ, crit, kid), key, canonical base64url,
 * signature, claims JSON, then time, issuer and audience.
 *
 * Each segment is decoded once. The signature is checked synchronously with
 * node:crypto's `verify` on the KeyObject imported when the key set arrived
 * (ES256 as IEEE P1363 r||s, Ed25519, RS256 PKCS#1 v1.5 with a modulus of at
 * least 2048 bits): no per-call key import and no thread-pool round trip.
 *
 * Pure functions: no clock, no I/O. The key set is immutable once built.
 * @packageDocumentation
 */
import { createPublicKey, verify as cryptoVerify, type KeyObject } from "node:crypto";

/** Largest access token accepted, in bytes (as tesserad). */
export const MAX_TOKEN_BYTES = 8192;
const MAX_HEADER_BYTES = 1024;
const MAX_HEADER_DEPTH = 4;
const MAX_CLAIMS_DEPTH = 16;
/** 9999-12-31T23:59:59Z: the largest NumericDate accepted. */
const MAX_NUMERIC_DATE = 253402300799;

/** Why a token was refused: the names of `TokenInvalidReason` without prefix. */
export type InvalidReason =
  | "MALFORMED"
  | "BAD_SIGNATURE"
  | "UNKNOWN_KEY"
  | "UNSUPPORTED_ALGORITHM"
  | "EXPIRED"
  | "NOT_YET_VALID"
  | "WRONG_AUDIENCE"
  | "WRONG_ISSUER"
  | "WRONG_TYPE"
  | "SESSION_REVOKED"
  | "STALE_CLAIMS";

/** A JSON value as found in custom claims. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [name: string]: JsonValue };

/** The claims of an access token whose signature verified. */
export interface TokenClaims {
  /** `iss`. */
  readonly issuer: string;
  /** `sub`: the user. */
  readonly subject: string;
  /** `sid`: the session. */
  readonly sessionId: string;
  /** `aud`. */
  readonly audience: readonly string[];
  /** `iat`, in milliseconds since the epoch. */
  readonly issuedAtMs: number;
  /** `exp`, in milliseconds since the epoch. */
  readonly expiresAtMs: number;
  /** `nbf`, when present. */
  readonly notBeforeMs?: number;
  /** `jti`. */
  readonly tokenId: string;
  /** `client_id`: the caller that issued the session. */
  readonly clientId: string;
  /** `sgen`: the subject's claims generation (0 when absent). */
  readonly subjectGeneration: bigint;
  /** Every other claim. */
  readonly custom: Readonly<Record<string, JsonValue>>;
  /** The `kid` of the key that verified the token. */
  readonly kid: string;
  /** The algorithm that verified it ("EdDSA" also for an "Ed25519" header). */
  readonly alg: "EdDSA" | "ES256" | "RS256";
}

/** A refusal: the reason and a human detail (never the token itself). */
export interface TokenFailure {
  readonly reason: InvalidReason;
  readonly detail: string;
}

type Family = "Ed25519" | "ES256" | "RS256";

/** One public key of a key set. */
export interface PublicKeyEntry {
  readonly kid: string;
  readonly family: Family;
  readonly key: KeyObject;
}

/**
 * Checks a signature over the signing input; false for any signature that
 * does not verify (wrong length or encoding included). Never throws.
 */
type SignatureCheck = (signingInput: Buffer, signature: Buffer) => boolean;

/**
 * The signature check of each entry a KeySet holds, made when the set is
 * built; undefined when the key cannot serve its algorithm.
 */
const signatureChecks = new WeakMap<PublicKeyEntry, SignatureCheck | undefined>();

/** An immutable set of public keys, indexed by `kid`. */
export class KeySet {
  private readonly byKid: ReadonlyMap<string, PublicKeyEntry>;

  private constructor(entries: PublicKeyEntry[]) {
    this.byKid = new Map(entries.map((e) => [e.kid, e]));
    for (const e of entries) signatureChecks.set(e, signatureCheck(e.family, e.key));
  }

  /** The key ids in the set. */
  get kids(): string[] {
    return [...this.byKid.keys()];
  }

  /** The key with this id, if any. */
  find(kid: string): PublicKeyEntry | undefined {
    return this.byKid.get(kid);
  }

  /** An empty key set. */
  static empty(): KeySet {
    return new KeySet([]);
  }

  /**
   * Parses a JWK Set document ({"keys":[...]}). Returns a failure string when
   * it does not parse, a key is unusable, or any key carries private
   * material: the caller then keeps its previous set.
   */
  static parse(jwksJson: string): KeySet | string {
    let doc: unknown;
    try {
      doc = JSON.parse(jwksJson);
    } catch {
      return "JWKS is not JSON";
    }
    if (!isObject(doc) || !Array.isArray(doc["keys"])) {
      return "JWKS has no keys array";
    }
    const entries: PublicKeyEntry[] = [];
    for (const jwk of doc["keys"] as unknown[]) {
      if (!isObject(jwk)) return "a JWK is not an object";
      for (const secret of ["d", "p", "q", "dp", "dq", "qi", "k", "oth"]) {
        if (secret in jwk) return "a JWK carries private key material";
      }
      const kid = jwk["kid"];
      if (typeof kid !== "string" || kid === "") return "a JWK has no kid";
      const family = keyFamily(jwk);
      if (family === undefined) return `JWK ${kid} has an unsupported type`;
      try {
        const key = createPublicKey({ key: jwk as never, format: "jwk" });
        entries.push({ kid, family, key });
      } catch {
        return `JWK ${kid} does not import`;
      }
    }
    return new KeySet(entries);
  }
}

const ES256_KEY = { dsaEncoding: "ieee-p1363" } as const;

/**
 * The signature check for a key of `family`, or undefined when the key is
 * not one that algorithm can use (an ES256 key off P-256, an RS256 modulus
 * under 2048 bits, a key of another type): its tokens are then MALFORMED.
 */
function signatureCheck(family: Family, key: KeyObject): SignatureCheck | undefined {
  const guard = (f: SignatureCheck): SignatureCheck => (data, sig) => {
    try {
      return f(data, sig);
    } catch {
      return false;
    }
  };
  switch (family) {
    case "ES256": {
      if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
        return undefined;
      }
      const k = { ...ES256_KEY, key };
      return guard((data, sig) => sig.length === 64 && cryptoVerify("sha256", data, k, sig));
    }
    case "Ed25519":
      if (key.asymmetricKeyType !== "ed25519") return undefined;
      return guard((data, sig) => sig.length === 64 && cryptoVerify(null, data, key, sig));
    case "RS256": {
      const bits = key.asymmetricKeyDetails?.modulusLength;
      if (key.asymmetricKeyType !== "rsa" || bits === undefined || bits < 2048) return undefined;
      return guard((data, sig) => sig.length === Math.ceil(bits / 8) && cryptoVerify("sha256", data, key, sig));
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function keyFamily(jwk: Record<string, unknown>): Family | undefined {
  const alg = jwk["alg"];
  if (alg !== undefined) return algFamily(alg);
  if (jwk["kty"] === "OKP" && jwk["crv"] === "Ed25519") return "Ed25519";
  if (jwk["kty"] === "EC" && jwk["crv"] === "P-256") return "ES256";
  if (jwk["kty"] === "RSA") return "RS256";
  return undefined;
}

/** "EdDSA" and "Ed25519" name the same algorithm here (RFC 8037, RFC 9864). */
function algFamily(alg: unknown): Family | undefined {
  switch (alg) {
    case "EdDSA":
    case "Ed25519":
      return "Ed25519";
    case "ES256":
      return "ES256";
    case "RS256":
      return "RS256";
    default:
      return undefined;
  }
}

const fail = (reason: InvalidReason, detail: string): TokenFailure => ({
  reason,
  detail,
});

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const BASE64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * Strict base64url: alphabet only, no padding, canonical trailing bits (the
 * bits of the last character that encode no byte are zero, so the text is
 * the one encoding of its bytes).
 */
export function base64UrlDecode(s: string): Buffer | undefined {
  const rest = s.length % 4;
  if (rest === 1 || !BASE64URL.test(s)) return undefined;
  if (rest !== 0) {
    const last = BASE64URL_ALPHABET.indexOf(s[s.length - 1]!);
    if ((last & (rest === 2 ? 0x0f : 0x03)) !== 0) return undefined;
  }
  return Buffer.from(s, "base64url");
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses JSON and refuses duplicate member names (RFC 7493 I-JSON), which
 * JSON.parse would silently resolve to the last one, containers nested
 * deeper than `maxDepth`, and lone surrogates, which are not UTF-8.
 */
export function parseStrictJson(text: string, maxDepth = 16): unknown {
  const value: unknown = JSON.parse(text);
  const stack: { keys: Set<string> | null; expectKey: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === "{" || c === "[") {
      stack.push({ keys: c === "{" ? new Set() : null, expectKey: c === "{" });
      if (stack.length > maxDepth) throw new SyntaxError(`nested deeper than ${maxDepth}`);
    }
    else if (c === "}" || c === "]") stack.pop();
    else if (c === "," && top?.keys) top.expectKey = true;
    else if (c === '"') {
      let j = i + 1;
      let escaped = false;
      while (text[j] !== '"') {
        if (text[j] === "\\") escaped = true;
        j += text[j] === "\\" ? 2 : 1;
      }
      const s = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
      if (!s.isWellFormed()) throw new SyntaxError("lone surrogate");
      if (top?.keys && top.expectKey) {
        if (top.keys.has(s)) throw new SyntaxError(`duplicate member ${s}`);
        top.keys.add(s);
        top.expectKey = false;
      }
      i = j;
    }
  }
  return value;
}

/** A token whose header, key and signature checked out. */
export interface VerifiedToken {
  readonly kid: string;
  readonly claims: TokenClaims;
}

/**
 * Checks shape, header, key and signature, and reads the claims. Does not
 * look at time, issuer or audience (see {@link checkClaims}). Synchronous:
 * the signature check runs on the calling thread.
 */
export function decodeAndVerify(token: string, keys: KeySet): VerifiedToken | TokenFailure {
  if (Buffer.byteLength(token) > MAX_TOKEN_BYTES) {
    return fail("MALFORMED", `token longer than ${MAX_TOKEN_BYTES} bytes`);
  }
  const parts = token.split(".");
  if (parts.length !== 3) return fail("MALFORMED", "token is not three segments");
  const [h, p, s] = parts as [string, string, string];
  const header = readHeader(h);
  if ("reason" in header) return header;
  const entry = keys.find(header.kid);
  if (entry === undefined) return fail("UNKNOWN_KEY", "kid is not in the key set");
  if (entry.family !== header.family) {
    return fail("UNSUPPORTED_ALGORITHM", "alg differs from the algorithm of the key");
  }
  const payload = base64UrlDecode(p);
  if (payload === undefined) return fail("MALFORMED", "payload is not base64url");
  const signature = base64UrlDecode(s);
  if (signature === undefined) return fail("MALFORMED", "signature is not base64url");
  const check = signatureChecks.get(entry);
  if (check === undefined) return fail("MALFORMED", "the key cannot verify its algorithm");
  // All three segments are base64url now, so the signing input is ASCII.
  const signingInput = Buffer.from(token.slice(0, h.length + 1 + p.length), "latin1");
  if (!check(signingInput, signature)) return fail("BAD_SIGNATURE", "signature does not verify");
  let json: unknown;
  try {
    json = parseStrictJson(utf8.decode(payload), MAX_CLAIMS_DEPTH);
  } catch {
    return fail("MALFORMED", "claims are not strict JSON");
  }
  const claims = readClaims(json, header.kid, header.family === "Ed25519" ? "EdDSA" : header.family);
  if ("reason" in claims) return claims;
  return { kid: header.kid, claims };
}

interface Header {
  alg: string;
  family: Family;
  kid: string;
}

function readHeader(encoded: string): Header | TokenFailure {
  const bytes = base64UrlDecode(encoded);
  if (bytes === undefined) return fail("MALFORMED", "header is not base64url");
  if (bytes.length > MAX_HEADER_BYTES) return fail("MALFORMED", "header too long");
  let header: unknown;
  try {
    header = parseStrictJson(utf8.decode(bytes), MAX_HEADER_DEPTH);
  } catch {
    return fail("MALFORMED", "header is not strict JSON");
  }
  if (!isObject(header)) return fail("MALFORMED", "header is not a JSON object");
  const alg = header["alg"];
  if (typeof alg !== "string") return fail("UNSUPPORTED_ALGORITHM", "header has no alg");
  const family = algFamily(alg);
  if (family === undefined) {
    return fail("UNSUPPORTED_ALGORITHM", "alg is not on the allow-list");
  }
  const typ = header["typ"];
  if (typeof typ !== "string" || !isAccessTokenType(typ)) {
    return fail("WRONG_TYPE", "typ is not at+jwt");
  }
  if ("crit" in header) {
    return fail("MALFORMED", "crit names an extension this verifier does not understand");
  }
  const kid = header["kid"];
  if (typeof kid !== "string" || kid === "") return fail("UNKNOWN_KEY", "header has no kid");
  return { alg, family, kid };
}

/** RFC 9068 §2.1: "at+jwt", or the full media type, case-insensitively. */
function isAccessTokenType(typ: string): boolean {
  const t = typ.toLowerCase();
  return t === "at+jwt" || t === "application/at+jwt";
}

function numericDateMs(v: unknown): number | undefined {
  if (typeof v !== "number" || !(v >= 0 && v <= MAX_NUMERIC_DATE)) return undefined;
  return Math.floor(v) * 1000;
}

const REGISTERED_CLAIMS: ReadonlySet<string> = new Set([
  "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "sid", "client_id", "sgen",
]);

function readClaims(json: unknown, kid: string, alg: TokenClaims["alg"]): TokenClaims | TokenFailure {
  if (!isObject(json)) return fail("MALFORMED", "claims are not a JSON object");
  const strings: Record<string, string> = {};
  for (const name of ["iss", "sub", "jti", "sid", "client_id"]) {
    const v = json[name];
    if (v === undefined) continue;
    if (typeof v !== "string") return fail("MALFORMED", `claim "${name}" is not a string`);
    strings[name] = v;
  }
  const dates: Record<string, number> = {};
  for (const name of ["exp", "iat", "nbf"]) {
    if (json[name] === undefined) continue;
    const ms = numericDateMs(json[name]);
    if (ms === undefined) return fail("MALFORMED", `claim "${name}" is not a NumericDate`);
    dates[name] = ms;
  }
  let audience: string[] = [];
  const aud = json["aud"];
  if (typeof aud === "string") audience = [aud];
  else if (Array.isArray(aud)) {
    if (!aud.every((a): a is string => typeof a === "string")) {
      return fail("MALFORMED", 'claim "aud" holds a non-string');
    }
    audience = aud;
  } else if (aud !== undefined) {
    return fail("MALFORMED", 'claim "aud" is neither a string nor an array');
  }
  let subjectGeneration = 0n;
  const sgen = json["sgen"];
  if (sgen !== undefined) {
    if (typeof sgen !== "number" || !Number.isSafeInteger(sgen) || sgen < 0) {
      return fail("MALFORMED", 'claim "sgen" is not a non-negative integer');
    }
    subjectGeneration = BigInt(sgen);
  }
  if (dates["exp"] === undefined) return fail("MALFORMED", 'claim "exp" missing');
  if (dates["iat"] === undefined) return fail("MALFORMED", 'claim "iat" missing');
  if (!strings["sub"]) return fail("MALFORMED", 'claim "sub" missing or empty');
  const custom: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(json)) {
    if (!REGISTERED_CLAIMS.has(name)) custom[name] = value as JsonValue;
  }
  return {
    issuer: strings["iss"] ?? "",
    subject: strings["sub"],
    sessionId: strings["sid"] ?? "",
    audience,
    issuedAtMs: dates["iat"],
    expiresAtMs: dates["exp"],
    ...(dates["nbf"] !== undefined ? { notBeforeMs: dates["nbf"] } : {}),
    tokenId: strings["jti"] ?? "",
    clientId: strings["client_id"] ?? "",
    subjectGeneration,
    custom,
    kid,
    alg,
  };
}

/** What {@link checkClaims} checks against. */
export interface ClaimPolicy {
  readonly issuer: string;
  /** The token's `aud` must hold one of these (none: not checked). */
  readonly audience: readonly string[];
  readonly leewayMs: number;
}

/** Time, issuer and audience, at wall time `nowMs`. */
export function checkClaims(
  claims: TokenClaims,
  policy: ClaimPolicy,
  nowMs: number,
): TokenFailure | undefined {
  if (nowMs >= claims.expiresAtMs + policy.leewayMs) {
    return fail("EXPIRED", "token has expired");
  }
  if (claims.notBeforeMs !== undefined && nowMs < claims.notBeforeMs - policy.leewayMs) {
    return fail("NOT_YET_VALID", "nbf is in the future");
  }
  if (claims.issuedAtMs > nowMs + policy.leewayMs) {
    return fail("NOT_YET_VALID", "iat is in the future");
  }
  if (claims.issuer !== policy.issuer) {
    return fail("WRONG_ISSUER", "iss is not the expected issuer");
  }
  if (policy.audience.length > 0 && !claims.audience.some((a) => policy.audience.includes(a))) {
    return fail("WRONG_AUDIENCE", "no expected audience in aud");
  }
  return undefined;
}
