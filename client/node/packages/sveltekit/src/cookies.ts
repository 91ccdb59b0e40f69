// Reading Tessera's cookies from the raw Cookie header. SvelteKit's
// cookies.get() keeps only the first of two same-named cookies; a duplicate
// must mean "signed out" (it is how a sibling subdomain or an injected
// cookie would try to shadow ours), so the header is read here directly.

/** The cookie names for one prefix. */
export interface CookieNames {
  /** The refresh token. */
  readonly refresh: string;
  /** Access-token chunk i (0-based): `${prefix}-at${i}`. */
  access(i: number): string;
}

export function cookieNames(prefix: string): CookieNames {
  return { refresh: `${prefix}-rt`, access: (i: number) => `${prefix}-at${i}` };
}

/** What a cookie value may hold: JWT and refresh-token characters only. */
const VALUE = /^[A-Za-z0-9._~-]+$/;

/**
 * Parses a Cookie header into name → every value sent under that name, for
 * names starting with `prefix` only. At most `maxBytes` of header are read.
 */
export function parseCookieHeader(header: string | null, prefix: string, maxBytes = 65_536): Map<string, string[]> {
  const found = new Map<string, string[]>();
  if (header === null) return found;
  for (const part of header.slice(0, maxBytes).split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name.startsWith(prefix)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    const list = found.get(name);
    if (list === undefined) found.set(name, [value]);
    else list.push(value);
  }
  return found;
}

/** The session cookies as sent, or why they cannot be used. */
export type ReadCookies =
  | { kind: "none" }
  | { kind: "malformed"; why: string; /** Our cookie names that were sent. */ present: string[] }
  | { kind: "present"; refreshToken: string; accessToken: string; accessChunks: number };

/**
 * Reads the refresh cookie and the access-token chunks. Anything unexpected
 * — a duplicated name, a character no token has, an oversized value, a gap
 * or too many chunks, one cookie without the other — is "malformed".
 */
export function readSessionCookies(
  header: string | null,
  prefix: string,
  names: CookieNames,
  limits: { chunkChars: number; maxChunks: number; maxRefreshChars: number },
): ReadCookies {
  const jar = parseCookieHeader(header, `${prefix}-`);
  if (jar.size === 0) return { kind: "none" };
  const known = new Set<string>([names.refresh]);
  for (let i = 0; i < limits.maxChunks; i++) known.add(names.access(i));
  // Only our own names are reported for deletion: an arbitrary name from the
  // header could be one a cookie serializer refuses (a throw, i.e. a 500).
  const present = [...jar.keys()].filter((n) => known.has(n));
  const malformed = (why: string): ReadCookies => ({ kind: "malformed", why, present });
  for (const [name, values] of jar) {
    if (!known.has(name)) return malformed("unexpected cookie name");
    if (values.length !== 1) return malformed("duplicated cookie");
  }
  const refresh = jar.get(names.refresh)?.[0];
  if (refresh === undefined) return malformed("no refresh cookie");
  if (refresh.length > limits.maxRefreshChars || !VALUE.test(refresh)) {
    return malformed("bad refresh cookie");
  }
  let access = "";
  let chunks = 0;
  for (; chunks < limits.maxChunks; chunks++) {
    const v = jar.get(names.access(chunks))?.[0];
    if (v === undefined) break;
    if (v.length > limits.chunkChars || !VALUE.test(v)) return malformed("bad access cookie");
    access += v;
  }
  if (chunks === 0) return malformed("no access cookie");
  if (jar.size !== chunks + 1) return malformed("access cookies with a gap");
  return { kind: "present", refreshToken: refresh, accessToken: access, accessChunks: chunks };
}

/** Splits a token into chunks of at most `size` characters. */
export function splitToken(token: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < token.length; i += size) out.push(token.slice(i, i + size));
  return out;
}
