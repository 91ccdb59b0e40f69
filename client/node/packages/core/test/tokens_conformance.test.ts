// Replays tests/conformance/tokens.json: every vector through the Verifier
// (key set fed as tesserad does: KeysChanged then snapshot_end), at the
// vector's `now`, with the freshness clock kept still. One Verifier for all
// vectors, so its token cache is exercised too (the same token appears under
// several `now` values and must get the same answers as uncached); then all
// again with no cache, so every vector takes the full token check.
import { create } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenInvalidError } from "../src/errors.js";
import { RevocationEventSchema } from "../src/gen/tessera/v1/token_authority_pb.js";
import type { JsonValue } from "../src/token.js";
import { Verifier } from "../src/verifier.js";
import { FakeSource, ManualClock } from "./support/fake_source.js";
import { readConformance } from "./support/paths.js";

interface Vector {
  name: string;
  description: string;
  now: number;
  token: string;
  expect: {
    valid: boolean;
    reason?: string;
    alg?: string;
    kid?: string;
    claims?: Record<string, JsonValue>;
  };
}
interface Tokens {
  policy: { issuer: string; audience: string[]; leeway_seconds: number; algorithms: string[]; max_token_bytes: number };
  jwks: JsonValue;
  vectors: Vector[];
}

const file = readConformance("tokens.json") as Tokens;

const modes = [
  { name: "cached", cacheSize: 10_000 },
  { name: "uncached", cacheSize: 0 },
];

for (const mode of modes) {
  describe(`tokens.json (${mode.name})`, () => {
    const clock = new ManualClock(0);
    const source = new FakeSource();
    let verifier: Verifier;
    beforeAll(async () => {
      verifier = new Verifier({
        source,
        issuer: file.policy.issuer,
        audience: file.policy.audience,
        leewayMs: file.policy.leeway_seconds * 1000,
        cacheSize: mode.cacheSize,
        clock,
      });
      await source.waitForStreams(1);
      source.send(
        create(RevocationEventSchema, {
          sequence: 1n,
          event: { case: "keysChanged", value: { jwksJson: JSON.stringify(file.jwks) } },
        }),
      );
      source.send(create(RevocationEventSchema, { sequence: 1n, event: { case: "snapshotEnd", value: {} } }));
      await verifier.waitForEventsApplied(2);
    });
    afterAll(async () => {
      await verifier?.close();
    });

    it("uses the policy this Verifier implements", () => {
      expect(file.policy.algorithms).toEqual(["ES256", "EdDSA", "RS256"]);
      expect(file.policy.max_token_bytes).toBe(8192);
    });

    for (const v of file.vectors) {
      it(v.name, async () => {
        clock.wall = v.now * 1000;
        let got: Record<string, unknown>;
        try {
          const c = await verifier.verify(v.token);
          got = {
            valid: true,
            alg: c.alg,
            kid: c.kid,
            claims: {
              iss: c.issuer,
              sub: c.subject,
              aud: [...c.audience],
              exp: c.expiresAtMs / 1000,
              iat: c.issuedAtMs / 1000,
              nbf: c.notBeforeMs === undefined ? null : c.notBeforeMs / 1000,
              jti: c.tokenId,
              sid: c.sessionId,
              client_id: c.clientId,
              sgen: Number(c.subjectGeneration),
              custom: c.custom,
            },
          };
        } catch (e) {
          if (!(e instanceof TokenInvalidError)) throw e;
          got = { valid: false, reason: e.reason };
        }
        expect(got, v.description).toEqual(v.expect);
      });
    }
  });
}
