#include "tests/conformance/streams/replay.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "client/verifier/testing/fake_authority.h"
#include "client/verifier/testing/manual_clock.h"
#include "client/verifier/verifier.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"

namespace tessera::conformance::streams {
namespace {

using google::protobuf::util::MessageDifferencer;
using TokensByName = absl::flat_hash_map<std::string, std::string>;

absl::Time FromTimestamp(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp stamp;
  const int64_t seconds = absl::ToUnixSeconds(t);  // Rounds down.
  stamp.set_seconds(seconds);
  stamp.set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) /
                                       absl::Nanoseconds(1)));
  return stamp;
}

tessera::VerifierOptions OptionsOf(const Scenario& scenario) {
  tessera::VerifierOptions options;
  options.issuer = scenario.options().issuer();
  options.audience.assign(scenario.options().audience().begin(),
                          scenario.options().audience().end());
  options.leeway = absl::Milliseconds(scenario.options().leeway_ms());
  options.max_staleness =
      absl::Milliseconds(scenario.options().max_staleness_ms());
  options.horizon = absl::Milliseconds(scenario.options().horizon_ms());
  return options;
}

Claims ClaimsOf(const token::AccessTokenClaims& token) {
  Claims claims;
  claims.set_subject(token.subject);
  claims.set_session_id(token.session_id);
  for (const std::string& audience : token.audience) {
    claims.add_audience(audience);
  }
  *claims.mutable_issued_at() = ToTimestamp(token.issued_at);
  *claims.mutable_expires_at() = ToTimestamp(token.expires_at);
  claims.set_token_id(token.token_id);
  claims.set_client_id(token.client_id);
  claims.set_subject_generation(token.subject_generation);
  return claims;
}

// Every token a verdict names must be one of the scenario's.
absl::StatusOr<TokensByName> TokensOf(const Scenario& scenario) {
  TokensByName tokens;
  for (const Token& token : scenario.tokens()) {
    if (!tokens.emplace(token.name(), token.token()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(scenario.name(), ": two tokens named ", token.name()));
    }
  }
  for (const Step& step : scenario.steps()) {
    for (const Verdict& verdict : step.expect().verdicts()) {
      if (!tokens.contains(verdict.token())) {
        return absl::InvalidArgumentError(
            absl::StrCat(scenario.name(), ": a step names token \"",
                         verdict.token(), "\", which it does not define"));
      }
    }
  }
  return tokens;
}

// What the Verifier answers now, written over `expect`.
void Answer(const Verifier& verifier, const TokensByName& tokens,
            Expect* expect) {
  for (Verdict& verdict : *expect->mutable_verdicts()) {
    absl::StatusOr<VerifiedClaims> verified =
        verifier.Verify(tokens.at(verdict.token()));
    verdict.set_verdict(VerdictOf(verified.status()));
    if (verified.ok()) {
      *verdict.mutable_claims() = ClaimsOf(**verified);
    } else {
      verdict.clear_claims();
    }
  }
  expect->set_applied_sequence(verifier.applied_sequence());
  if (expect->has_revocations_held()) {
    expect->set_revocations_held(verifier.revocations_held());
  }
}

// One Verifier following one scripted server.
class Player {
 public:
  explicit Player(const Scenario& scenario)
      : clock_(FromTimestamp(scenario.start_time())) {}

  absl::Status Start(tessera::VerifierOptions options) {
    options.channel = authority_.channel();
    options.clock = &clock_;
    absl::StatusOr<std::unique_ptr<Verifier>> started =
        Verifier::Start(std::move(options));
    if (!started.ok()) return started.status();
    verifier_ = *std::move(started);
    return absl::OkStatus();
  }

  // The request of stream `n` (1-based) once the Verifier has opened it.
  absl::StatusOr<tessera::v1::WatchRevocationsRequest> Stream(int n) {
    auto request = authority_.WaitForStream(n, kStepTimeout);
    if (!request.has_value()) {
      return absl::DeadlineExceededError(
          absl::StrCat("the Verifier did not open stream ", n));
    }
    return *request;
  }

  // Does `step`'s action and waits until the Verifier has taken it in;
  // records what a break observed.
  absl::Status Take(Step& step) {
    switch (step.action_case()) {
      case Step::kMessage:
        if (!authority_.Send(step.message())) {
          return absl::FailedPreconditionError("no stream is open");
        }
        if (!verifier_->WaitForEventsApplied(++sent_, kStepTimeout)) {
          return absl::DeadlineExceededError(
              "the Verifier did not apply the message");
        }
        return absl::OkStatus();
      case Step::kBreakStream: {
        if (!authority_.End()) {
          return absl::FailedPreconditionError("no stream is open");
        }
        absl::StatusOr<tessera::v1::WatchRevocationsRequest> resumed =
            Stream(++streams_);
        if (!resumed.ok()) return resumed.status();
        *step.mutable_break_stream()->mutable_resume() = *std::move(resumed);
        return absl::OkStatus();
      }
      case Step::kAdvance:
        clock_.Advance(absl::Milliseconds(step.advance().wall_ms()),
                       absl::Milliseconds(step.advance().monotonic_ms()));
        return absl::OkStatus();
      case Step::ACTION_NOT_SET:
        break;
    }
    return absl::InvalidArgumentError("a step without an action");
  }

  const Verifier& verifier() const { return *verifier_; }

 private:
  testing::FakeAuthority authority_;
  testing::ManualClock clock_;
  uint64_t sent_ = 0;
  int streams_ = 1;
  std::unique_ptr<Verifier> verifier_;  // Destroyed before authority_.
};

std::string Where(const Scenario& scenario, int step) {
  return absl::StrCat(scenario.name(), ": step ", step, " (",
                      scenario.steps(step).note(), ")");
}

void CompareMessages(const google::protobuf::Message& expected,
                     const google::protobuf::Message& observed,
                     const std::string& what, std::vector<std::string>* out) {
  if (!MessageDifferencer::Equals(expected, observed)) {
    out->push_back(absl::StrCat(what, ": expected {",
                                expected.ShortDebugString(), "}, got {",
                                observed.ShortDebugString(), "}"));
  }
}

void CompareExpect(const Expect& expected, const Expect& observed, bool all,
                   const std::string& where, std::vector<std::string>* out) {
  if (expected.verdicts_size() != observed.verdicts_size()) {
    out->push_back(absl::StrCat(where, ": ", expected.verdicts_size(),
                                " verdicts expected, ",
                                observed.verdicts_size(), " observed"));
    return;
  }
  for (int i = 0; i < expected.verdicts_size(); ++i) {
    const Verdict& e = expected.verdicts(i);
    const Verdict& o = observed.verdicts(i);
    const std::string what = absl::StrCat(where, ": ", e.token());
    if (e.token() != o.token() || e.verdict() != o.verdict()) {
      out->push_back(absl::StrCat(what, ": expected ", e.verdict(), ", got ",
                                  o.verdict(), " (", o.token(), ")"));
    } else if (all || e.has_claims()) {
      CompareMessages(e.claims(), o.claims(), what + " claims", out);
    }
  }
  if ((all || expected.has_applied_sequence()) &&
      (expected.has_applied_sequence() != observed.has_applied_sequence() ||
       expected.applied_sequence() != observed.applied_sequence())) {
    out->push_back(absl::StrCat(where, ": applied_sequence expected ",
                                expected.applied_sequence(), ", got ",
                                observed.applied_sequence()));
  }
  if ((all || expected.has_revocations_held()) &&
      (expected.has_revocations_held() != observed.has_revocations_held() ||
       expected.revocations_held() != observed.revocations_held())) {
    out->push_back(absl::StrCat(where, ": revocations_held expected ",
                                expected.revocations_held(), ", got ",
                                observed.revocations_held()));
  }
}

}  // namespace

std::string VerdictOf(const absl::Status& status) {
  if (status.ok()) return "VALID";
  if (status.code() == absl::StatusCode::kUnavailable) return "UNAVAILABLE";
  const tessera::v1::TokenInvalidReason reason = TokenInvalidReasonOf(status);
  if (reason == tessera::v1::TOKEN_INVALID_REASON_UNSPECIFIED) {
    return status.ToString();
  }
  return std::string(absl::StripPrefix(
      tessera::v1::TokenInvalidReason_Name(reason), "TOKEN_INVALID_REASON_"));
}

absl::StatusOr<Scenario> Observe(const Scenario& scenario) {
  absl::StatusOr<TokensByName> tokens = TokensOf(scenario);
  if (!tokens.ok()) return tokens.status();
  Player player(scenario);
  if (absl::Status started = player.Start(OptionsOf(scenario)); !started.ok()) {
    return started;
  }
  Scenario observed = scenario;
  absl::StatusOr<tessera::v1::WatchRevocationsRequest> first = player.Stream(1);
  if (!first.ok()) return first.status();
  *observed.mutable_first_request() = *std::move(first);
  for (int i = 0; i < observed.steps_size(); ++i) {
    Step& step = *observed.mutable_steps(i);
    if (absl::Status taken = player.Take(step); !taken.ok()) {
      return absl::Status(taken.code(), absl::StrCat(Where(observed, i), ": ",
                                                     taken.message()));
    }
    Answer(player.verifier(), *tokens, step.mutable_expect());
  }
  return observed;
}

std::vector<std::string> Differences(const Scenario& expected,
                                     const Scenario& observed, Match match) {
  const bool all = match == Match::kAll;
  std::vector<std::string> out;
  if (expected.steps_size() != observed.steps_size()) {
    out.push_back(absl::StrCat(expected.name(), ": ", expected.steps_size(),
                               " steps expected, ", observed.steps_size(),
                               " observed"));
    return out;
  }
  CompareMessages(expected.first_request(), observed.first_request(),
                  expected.name() + ": first request", &out);
  for (int i = 0; i < expected.steps_size(); ++i) {
    const Step& e = expected.steps(i);
    const Step& o = observed.steps(i);
    const std::string where = Where(expected, i);
    if (e.has_break_stream() && (all || e.break_stream().has_resume())) {
      CompareMessages(e.break_stream().resume(), o.break_stream().resume(),
                      where + ": resumed with", &out);
    }
    CompareExpect(e.expect(), o.expect(), all, where, &out);
  }
  return out;
}

absl::StatusOr<std::string> ToJson(const StreamVectors& vectors) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  std::string json;
  const auto printed =
      google::protobuf::util::MessageToJsonString(vectors, &json, options);
  if (!printed.ok()) return absl::InternalError(printed.ToString());
  if (!absl::EndsWith(json, "\n")) json += "\n";
  return json;
}

absl::StatusOr<StreamVectors> FromJson(absl::string_view json) {
  StreamVectors vectors;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto parsed = google::protobuf::util::JsonStringToMessage(
      std::string(json), &vectors, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("streams.json: ", parsed.ToString()));
  }
  return vectors;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace tessera::conformance::streams
