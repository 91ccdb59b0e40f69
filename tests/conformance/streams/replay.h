#ifndef TESSERA_TESTS_CONFORMANCE_STREAMS_REPLAY_H_
#define TESSERA_TESTS_CONFORMANCE_STREAMS_REPLAY_H_

// Replays revocation-stream scenarios (stream_vectors.proto) against the
// real tessera::Verifier, and reads and writes streams.json.
//
// Observe() plays one scenario to a fresh Verifier through a FakeAuthority
// (gRPC on a loopback port) on a ManualClock, and returns the scenario with
// every expectation replaced by what the Verifier answered: each listed
// token's verdict (and claims when VALID), applied_sequence after every
// step, revocations_held where the scenario asks for it, and the request of
// every stream it opened. Nothing is inferred: each answer is the
// Verifier's.
// Each step is awaited, never slept on: a message until events_applied()
// counts it, a break until the next stream is opened.
//
// Needs only what the scenario holds, so it serves both the generator
// (scenarios written in C++) and the replay of streams.json.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "stream_vectors.pb.h"

namespace tessera::conformance::streams {

// The verdict name of a Verify status: "VALID", the TokenInvalidReason name
// without "TOKEN_INVALID_REASON_", or "UNAVAILABLE". Any other status is
// named by its code ("INTERNAL: ..."), which no vector expects.
std::string VerdictOf(const absl::Status& status);

// How long a step may take before Observe gives up (a failure, not a
// measurement).
inline constexpr absl::Duration kStepTimeout = absl::Seconds(30);

// The scenario as the Verifier played it (see above). Fails if the Verifier
// refuses the options, opens no stream, or a step is not taken in within
// kStepTimeout.
absl::StatusOr<Scenario> Observe(const Scenario& scenario);

enum class Match {
  // Every expectation field as in `observed`, present or absent alike: the
  // replay of a recorded file.
  kAll,
  // Only what `expected` states: verdicts always; claims, applied_sequence,
  // revocations_held and resume requests where set. For scenarios written
  // by hand.
  kStated,
};

// One line per difference ("scenario: step 3 (note): token: expected X, got
// Y"); empty if they agree.
std::vector<std::string> Differences(const Scenario& expected,
                                     const Scenario& observed, Match match);

// streams.json text: proto3 JSON as MessageToJsonString prints it with
// add_whitespace (one space per level), and a final newline.
absl::StatusOr<std::string> ToJson(const StreamVectors& vectors);
// Strict: unknown fields are refused.
absl::StatusOr<StreamVectors> FromJson(absl::string_view json);
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace tessera::conformance::streams

#endif  // TESSERA_TESTS_CONFORMANCE_STREAMS_REPLAY_H_
