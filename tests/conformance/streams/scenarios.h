#ifndef TESSERA_TESTS_CONFORMANCE_STREAMS_SCENARIOS_H_
#define TESSERA_TESTS_CONFORMANCE_STREAMS_SCENARIOS_H_

// The revocation-stream scenarios, written by hand, and streams.json made
// from them.
//
// Each scenario states the rule it encodes: the verdicts (and, where they
// matter, applied sequences, resume requests and revocations held) a
// correct Verifier gives. Those statements are checks, not the output:
// GenerateVectors() plays every scenario to the real C++ Verifier (replay.h)
// and writes down what it answered, after checking it agrees with every
// statement. Keys are Ed25519 from fixed seeds, tokens are signed with them
// and times are fixed, so the output is the same byte for byte on every run.

#include <vector>

#include "absl/status/statusor.h"
#include "stream_vectors.pb.h"

namespace tessera::conformance::streams {

// The scenarios with their stated expectations (see Differences,
// Match::kStated).
absl::StatusOr<std::vector<Scenario>> Scenarios();

// streams.json's content: every scenario as the Verifier played it.
// FAILED_PRECONDITION listing each disagreement if the Verifier departs from
// what a scenario states.
absl::StatusOr<StreamVectors> GenerateVectors();

}  // namespace tessera::conformance::streams

#endif  // TESSERA_TESTS_CONFORMANCE_STREAMS_SCENARIOS_H_
