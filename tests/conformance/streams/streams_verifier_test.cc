// Replays streams.json, read from the file, against the real Verifier and
// checks every expectation in it: what a client library in any language
// does with the file. Also shows the replay can fail: changed expectations
// and malformed scenarios are caught.

#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/conformance/streams/replay.h"

namespace tessera::conformance::streams {
namespace {

using ::testing::HasSubstr;
using ::testing::IsSupersetOf;

std::string Runfile(const std::string& path) {
  return std::string(std::getenv("TEST_SRCDIR")) + "/" +
         std::getenv("TEST_WORKSPACE") + "/" + path;
}

class StreamsVerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::string> json =
        ReadFile(Runfile("tests/conformance/streams/streams.json"));
    ASSERT_TRUE(json.ok()) << json.status();
    absl::StatusOr<StreamVectors> parsed = FromJson(*json);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    vectors_ = new StreamVectors(*std::move(parsed));
  }
  static void TearDownTestSuite() {
    delete vectors_;
    vectors_ = nullptr;
  }

  static const Scenario* Find(const std::string& name) {
    for (const Scenario& scenario : vectors_->scenarios()) {
      if (scenario.name() == name) return &scenario;
    }
    return nullptr;
  }

  static StreamVectors* vectors_;
};

StreamVectors* StreamsVerifierTest::vectors_ = nullptr;

TEST_F(StreamsVerifierTest, EveryScenarioReplaysAsRecorded) {
  ASSERT_NE(vectors_, nullptr);
  EXPECT_EQ(vectors_->format_version(), 1u);
  for (const Scenario& scenario : vectors_->scenarios()) {
    absl::StatusOr<Scenario> observed = Observe(scenario);
    ASSERT_TRUE(observed.ok()) << scenario.name() << ": " << observed.status();
    const std::vector<std::string> differences =
        Differences(scenario, *observed, Match::kAll);
    EXPECT_TRUE(differences.empty()) << absl::StrJoin(differences, "\n");
  }
}

TEST_F(StreamsVerifierTest, TheFileCoversEveryVerdictAndEveryKindOfStep) {
  ASSERT_NE(vectors_, nullptr);
  std::set<std::string> verdicts, steps;
  for (const Scenario& scenario : vectors_->scenarios()) {
    for (const Step& step : scenario.steps()) {
      for (const Verdict& verdict : step.expect().verdicts()) {
        verdicts.insert(verdict.verdict());
      }
      if (step.has_break_stream()) steps.insert("break");
      if (step.has_advance() && step.advance().wall_ms() < 0) {
        steps.insert("wall step back");
      }
      if (step.expect().has_revocations_held()) steps.insert("held");
      if (!step.has_message()) continue;
      const tessera::v1::RevocationEvent& event = step.message();
      const google::protobuf::FieldDescriptor* kind =
          tessera::v1::RevocationEvent::descriptor()->FindFieldByNumber(
              event.event_case());
      steps.insert(kind != nullptr ? kind->name() : "no event");
      if (event.has_snapshot_end() && event.snapshot_end().reset()) {
        steps.insert("reset");
      }
    }
  }
  EXPECT_THAT(verdicts, IsSupersetOf({"VALID", "UNAVAILABLE", "SESSION_REVOKED",
                                      "STALE_CLAIMS", "UNKNOWN_KEY", "EXPIRED",
                                      "NOT_YET_VALID"}));
  EXPECT_THAT(
      steps,
      IsSupersetOf({"session_revoked", "subject_revoked", "claims_invalidated",
                    "keys_changed", "snapshot_end", "heartbeat", "reset",
                    "no event", "break", "wall step back", "held"}));
}

TEST_F(StreamsVerifierTest, AChangedExpectationIsCaught) {
  const Scenario* recorded = Find("resume_after_break");
  ASSERT_NE(recorded, nullptr);
  Scenario changed = *recorded;
  Step* first_break = nullptr;
  for (Step& step : *changed.mutable_steps()) {
    if (step.has_break_stream() && first_break == nullptr) first_break = &step;
  }
  ASSERT_NE(first_break, nullptr);
  ASSERT_GT(first_break->expect().verdicts_size(), 0);
  Verdict& verdict = *first_break->mutable_expect()->mutable_verdicts(0);
  verdict.set_verdict(verdict.verdict() == "VALID" ? "SESSION_REVOKED"
                                                   : "VALID");
  first_break->mutable_expect()->set_applied_sequence(
      first_break->expect().applied_sequence() + 1);
  first_break->mutable_break_stream()->mutable_resume()->set_incarnation(
      "another");

  absl::StatusOr<Scenario> observed = Observe(changed);
  ASSERT_TRUE(observed.ok()) << observed.status();
  const std::vector<std::string> differences =
      Differences(changed, *observed, Match::kAll);
  EXPECT_EQ(differences.size(), 3u) << absl::StrJoin(differences, "\n");
  const std::string all = absl::StrJoin(differences, "\n");
  EXPECT_THAT(all, HasSubstr("resumed with"));
  EXPECT_THAT(all, HasSubstr("applied_sequence"));
  EXPECT_THAT(all, HasSubstr(verdict.token()));
}

TEST_F(StreamsVerifierTest, AMalformedFileOrScenarioIsRefused) {
  EXPECT_FALSE(FromJson(R"({"formatVersion": 1, "surprise": true})").ok());
  EXPECT_FALSE(FromJson("[").ok());

  const Scenario* recorded = Find("live_session_revoked");
  ASSERT_NE(recorded, nullptr);
  Scenario unknown_token = *recorded;
  unknown_token.mutable_steps(0)->mutable_expect()->add_verdicts()->set_token(
      "nobody");
  absl::StatusOr<Scenario> refused = Observe(unknown_token);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("nobody"));

  Scenario no_action = *recorded;
  no_action.add_steps()->set_note("does nothing");
  EXPECT_EQ(Observe(no_action).status().code(),
            absl::StatusCode::kInvalidArgument);

  Scenario no_audience = *recorded;
  no_audience.mutable_options()->clear_audience();
  EXPECT_EQ(Observe(no_audience).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tessera::conformance::streams
