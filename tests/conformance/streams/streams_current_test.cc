// streams.json is exactly what the generator makes from the scenarios and
// today's Verifier: a change to either without regenerating fails here.

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/conformance/streams/replay.h"
#include "tests/conformance/streams/scenarios.h"

namespace tessera::conformance::streams {
namespace {

std::string Runfile(const std::string& path) {
  return std::string(std::getenv("TEST_SRCDIR")) + "/" +
         std::getenv("TEST_WORKSPACE") + "/" + path;
}

TEST(StreamsCurrentTest, StreamsJsonIsWhatTheGeneratorMakes) {
  absl::StatusOr<std::string> checked_in =
      ReadFile(Runfile("tests/conformance/streams/streams.json"));
  ASSERT_TRUE(checked_in.ok()) << checked_in.status();
  absl::StatusOr<StreamVectors> vectors = GenerateVectors();
  ASSERT_TRUE(vectors.ok()) << vectors.status();
  absl::StatusOr<std::string> generated = ToJson(*vectors);
  ASSERT_TRUE(generated.ok()) << generated.status();
  if (*generated == *checked_in) return;
  const std::vector<absl::string_view> want = absl::StrSplit(*generated, '\n');
  const std::vector<absl::string_view> have = absl::StrSplit(*checked_in, '\n');
  size_t line = 0;
  while (line < want.size() && line < have.size() && want[line] == have[line]) {
    ++line;
  }
  FAIL() << "streams.json is stale; run: bazel run "
            "//tests/conformance/streams:generate\nfirst difference, line "
         << line + 1
         << ":\n  file:      " << (line < have.size() ? have[line] : "(end)")
         << "\n  generated: " << (line < want.size() ? want[line] : "(end)");
}

// The scenarios are checks as well as input: each must state verdicts, and
// each break the request it expects.
TEST(StreamsCurrentTest, EveryScenarioStatesWhatItChecks) {
  absl::StatusOr<std::vector<Scenario>> scenarios = Scenarios();
  ASSERT_TRUE(scenarios.ok()) << scenarios.status();
  EXPECT_GE(scenarios->size(), 12u);
  for (const Scenario& scenario : *scenarios) {
    int verdicts = 0;
    for (const Step& step : scenario.steps()) {
      verdicts += step.expect().verdicts_size();
      if (step.has_break_stream()) {
        EXPECT_TRUE(step.break_stream().has_resume())
            << scenario.name() << ": " << step.note();
      }
    }
    EXPECT_GT(verdicts, 0) << scenario.name();
    EXPECT_FALSE(scenario.description().empty()) << scenario.name();
  }
}

}  // namespace
}  // namespace tessera::conformance::streams
