// Replays tests/conformance/streams/streams.json against the Verifier, fed
// through an in-process stream source (the "direct feeding" of the file's
// README, through the Verifier's real reconnect loop), with manual clocks.
import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { TokenInvalidError, VerifierUnavailableError } from "../src/errors.js";
import { RevocationEventSchema } from "../src/gen/tessera/v1/token_authority_pb.js";
import { Verifier } from "../src/verifier.js";
import { FakeSource, ManualClock } from "./support/fake_source.js";
import { readConformance } from "./support/paths.js";

interface Claims {
  subject?: string;
  sessionId?: string;
  audience?: string[];
  issuedAt?: string;
  expiresAt?: string;
  tokenId?: string;
  clientId?: string;
  subjectGeneration?: string;
}
interface Step {
  note: string;
  message?: JsonValue;
  breakStream?: { resume?: { afterSequence?: string; incarnation?: string; afterLogHash?: string } };
  advance?: { wallMs?: number; monotonicMs?: number };
  expect: {
    verdicts?: { token: string; verdict: string; claims?: Claims }[];
    appliedSequence?: string;
    revocationsHeld?: string;
  };
}
interface Scenario {
  name: string;
  options: { issuer?: string; audience?: string[]; leewayMs?: number; maxStalenessMs?: number; horizonMs?: number };
  startTime: string;
  tokens: { name: string; token: string }[];
  firstRequest: { afterSequence?: string; incarnation?: string; afterLogHash?: string };
  steps: Step[];
}

const vectors = readConformance("streams/streams.json") as { formatVersion: number; scenarios: Scenario[] };

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

async function verdictOf(verifier: Verifier, token: string): Promise<{ verdict: string; claims?: Claims }> {
  try {
    const c = await verifier.verify(token);
    const claims: Claims = {
      subject: c.subject,
      sessionId: c.sessionId,
      audience: [...c.audience],
      issuedAt: rfc3339(c.issuedAtMs),
      expiresAt: rfc3339(c.expiresAtMs),
      tokenId: c.tokenId,
      clientId: c.clientId,
    };
    if (c.subjectGeneration !== 0n) claims.subjectGeneration = c.subjectGeneration.toString();
    return { verdict: "VALID", claims };
  } catch (e) {
    if (e instanceof VerifierUnavailableError) return { verdict: "UNAVAILABLE" };
    if (e instanceof TokenInvalidError) return { verdict: e.reason };
    throw e;
  }
}

const request = (r: { afterSequence?: string; incarnation?: string; afterLogHash?: string } | undefined) => ({
  afterSequence: BigInt(r?.afterSequence ?? "0"),
  incarnation: r?.incarnation ?? "",
  afterLogHash: new Uint8Array(Buffer.from(r?.afterLogHash ?? "", "base64")),
});

describe("streams.json", () => {
  it("is a format this replayer reads", () => {
    expect(vectors.formatVersion).toBe(1);
    expect(vectors.scenarios.length).toBeGreaterThan(0);
  });

  for (const scenario of vectors.scenarios) {
    it(scenario.name, async () => {
      const clock = new ManualClock(Date.parse(scenario.startTime));
      const source = new FakeSource();
      const verifier = new Verifier({
        source,
        issuer: scenario.options.issuer ?? "",
        audience: scenario.options.audience ?? [],
        leewayMs: scenario.options.leewayMs ?? 0,
        maxStalenessMs: scenario.options.maxStalenessMs ?? 0,
        horizonMs: scenario.options.horizonMs ?? 0,
        clock,
        minBackoffMs: 1,
        maxBackoffMs: 5,
      });
      const tokens = new Map(scenario.tokens.map((t) => [t.name, t.token]));
      try {
        expect(await source.waitForStreams(1)).toEqual(request(scenario.firstRequest));
        let sent = 0;
        for (const [i, step] of scenario.steps.entries()) {
          const where = `step ${i} (${step.note})`;
          if (step.message !== undefined) {
            source.send(fromJson(RevocationEventSchema, step.message));
            await verifier.waitForEventsApplied(++sent);
          } else if (step.breakStream !== undefined) {
            const streams = source.requests.length;
            source.breakStream();
            const next = await source.waitForStreams(streams + 1);
            expect(next, where).toEqual(request(step.breakStream.resume));
          } else if (step.advance !== undefined) {
            clock.wall += step.advance.wallMs ?? 0;
            clock.mono += step.advance.monotonicMs ?? 0;
          }
          for (const v of step.expect.verdicts ?? []) {
            const token = tokens.get(v.token);
            expect(token, `${where}: token ${v.token}`).toBeDefined();
            const got = await verdictOf(verifier, token!);
            const want = v.claims ? { verdict: v.verdict, claims: v.claims } : { verdict: v.verdict };
            expect({ token: v.token, ...got }, where).toEqual({ token: v.token, ...want });
          }
          if (step.expect.appliedSequence !== undefined) {
            expect(verifier.appliedSequence, `${where}: appliedSequence`).toBe(BigInt(step.expect.appliedSequence));
          }
          if (step.expect.revocationsHeld !== undefined) {
            expect(verifier.revocationsHeld, `${where}: revocationsHeld`).toBe(Number(step.expect.revocationsHeld));
          }
        }
      } finally {
        await verifier.close();
      }
    });
  }
});
