// Unit tests of the token check (src/token.ts) for what the conformance
// files do not pin down: the canonical-base64url rule against its
// definition, and keys in a JWKS that cannot serve their algorithm (the
// conformance key set holds only good keys).
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { KeySet, base64UrlDecode, decodeAndVerify } from "../src/token.js";

/** The definition: alphabet only, no padding, and re-encoding gives the text back. */
function canonicalByDefinition(s: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return undefined;
  const bytes = Buffer.from(s, "base64url");
  return bytes.toString("base64url") === s ? bytes : undefined;
}

describe("base64UrlDecode", () => {
  it("agrees with decode-and-re-encode on all short strings and on random longer ones", () => {
    const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= .\u00e9";
    const strings = [""];
    for (const a of chars) {
      strings.push(a);
      for (const b of chars) {
        strings.push(a + b);
        // Every last character after a few two-character prefixes.
        if ("Az9_+ ".includes(a) && "Az9_+ ".includes(b)) {
          for (const c of chars) strings.push(a + b + c, `QUJD${a}${b}${c}`);
        }
      }
    }
    for (let i = 0; i < 5000; i++) {
      const n = 4 + (i % 40);
      strings.push(Array.from({ length: n }, () => chars[Math.floor(Math.random() * chars.length)]).join(""));
    }
    let accepted = 0;
    for (const s of strings) {
      const want = canonicalByDefinition(s);
      const got = base64UrlDecode(s);
      if (want === undefined) expect(got, JSON.stringify(s)).toBeUndefined();
      else {
        accepted++;
        expect(got?.equals(want), JSON.stringify(s)).toBe(true);
      }
    }
    expect(accepted).toBeGreaterThan(64 * 4 + 2 * 16 * 16); // the canonical ones above, at least
  });

  it("refuses set unused bits in the last character", () => {
    expect(base64UrlDecode("QQ")?.toString()).toBe("A");
    expect(base64UrlDecode("QR")).toBeUndefined();
    expect(base64UrlDecode("QUE")?.toString()).toBe("AA");
    expect(base64UrlDecode("QUF")).toBeUndefined();
  });
});

const NOW_S = 1_800_000_000;
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

/** A token with this header alg, signed by `key` the way `how` says (no JOSE library: it would refuse the mismatches). */
function handSigned(alg: string, kid: string, key: KeyObject, how: "ecdsa" | "eddsa" | "rsa"): string {
  const input = `${b64({ alg, kid, typ: "at+jwt" })}.${b64({ iss: "tessera", aud: "api", sub: "alice", iat: NOW_S, exp: NOW_S + 900 })}`;
  const data = Buffer.from(input);
  const sig =
    how === "ecdsa"
      ? sign("sha256", data, { key, dsaEncoding: "ieee-p1363" })
      : how === "eddsa"
        ? sign(null, data, key)
        : sign("sha256", data, key);
  return `${input}.${sig.toString("base64url")}`;
}

function keySet(...jwks: object[]): KeySet {
  const keys = KeySet.parse(JSON.stringify({ keys: jwks }));
  if (typeof keys === "string") throw new Error(keys);
  return keys;
}

const verdict = (token: string, keys: KeySet) => {
  const r = decodeAndVerify(token, keys);
  return "reason" in r ? r.reason : `VALID ${r.claims.alg} ${r.claims.subject}`;
};

describe("keys that cannot serve their algorithm", () => {
  const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
  const ed = generateKeyPairSync("ed25519");
  const rsa2048 = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const rsa1024 = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const jwk = (k: KeyObject, kid: string, alg: string) => ({ ...k.export({ format: "jwk" }), kid, alg });

  it("accepts tokens of well-matched keys (the control)", () => {
    const keys = keySet(jwk(p256.publicKey, "p256", "ES256"), jwk(ed.publicKey, "ed", "EdDSA"), jwk(rsa2048.publicKey, "rsa", "RS256"));
    expect(verdict(handSigned("ES256", "p256", p256.privateKey, "ecdsa"), keys)).toBe("VALID ES256 alice");
    expect(verdict(handSigned("EdDSA", "ed", ed.privateKey, "eddsa"), keys)).toBe("VALID EdDSA alice");
    expect(verdict(handSigned("Ed25519", "ed", ed.privateKey, "eddsa"), keys)).toBe("VALID EdDSA alice");
    expect(verdict(handSigned("RS256", "rsa", rsa2048.privateKey, "rsa"), keys)).toBe("VALID RS256 alice");
  });

  it("refuses, as MALFORMED, a token whose key is off P-256, under 2048 bits or of another type than its alg", () => {
    const keys = keySet(
      jwk(p384.publicKey, "p384", "ES256"),
      jwk(rsa1024.publicKey, "rsa1024", "RS256"),
      jwk(p256.publicKey, "ec-says-eddsa", "EdDSA"),
      jwk(ed.publicKey, "ed-says-es256", "ES256"),
    );
    // Each is signed correctly by its own private key: only the key's fitness is wrong.
    expect(verdict(handSigned("ES256", "p384", p384.privateKey, "ecdsa"), keys)).toBe("MALFORMED");
    expect(verdict(handSigned("RS256", "rsa1024", rsa1024.privateKey, "rsa"), keys)).toBe("MALFORMED");
    expect(verdict(handSigned("EdDSA", "ec-says-eddsa", p256.privateKey, "ecdsa"), keys)).toBe("MALFORMED");
    expect(verdict(handSigned("ES256", "ed-says-es256", ed.privateKey, "eddsa"), keys)).toBe("MALFORMED");
  });

  it("checks the signature against the key of the token's kid only", () => {
    const keys = keySet(jwk(p256.publicKey, "a", "ES256"), jwk(generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey, "b", "ES256"));
    expect(verdict(handSigned("ES256", "a", p256.privateKey, "ecdsa"), keys)).toBe("VALID ES256 alice");
    expect(verdict(handSigned("ES256", "b", p256.privateKey, "ecdsa"), keys)).toBe("BAD_SIGNATURE");
  });
});
