// What the Verifier refuses to start with (no server needed), which targets
// count as loopback, the token cache's key-set versions, and how it takes
// in a stream a test plays (FakeAuthority, ManualClock): events_applied,
// snapshots broken off, and how long revocations are held.

#include "client/verifier/verifier.h"

#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "client/token/access_token.h"
#include "client/token/key_set.h"
#include "client/token/keys.h"
#include "client/verifier/loopback.h"
#include "client/verifier/testing/fake_authority.h"
#include "client/verifier/testing/manual_clock.h"
#include "client/verifier/token_cache.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tessera {
namespace {

using ::testing::HasSubstr;

VerifierOptions Loopback() {
  VerifierOptions options;
  options.target = "127.0.0.1:1";  // Nothing listens; Start does not wait.
  options.audience = {"api"};
  return options;
}

absl::Status StartStatus(VerifierOptions options) {
  return Verifier::Start(std::move(options)).status();
}

TEST(VerifierOptionsTest, AnAudienceOrAnExplicitOptOutIsRequired) {
  VerifierOptions none = Loopback();
  none.audience.clear();
  const absl::Status refused = StartStatus(none);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(), HasSubstr("accept_any_audience"));

  VerifierOptions any = none;
  any.accept_any_audience = true;
  EXPECT_TRUE(StartStatus(any).ok());

  VerifierOptions both = Loopback();
  both.accept_any_audience = true;
  EXPECT_EQ(StartStatus(both).code(), absl::StatusCode::kInvalidArgument);

  VerifierOptions blank = Loopback();
  blank.audience = {"api", ""};
  EXPECT_EQ(StartStatus(blank).code(), absl::StatusCode::kInvalidArgument);

  EXPECT_TRUE(StartStatus(Loopback()).ok());
}

TEST(VerifierOptionsTest, PlaintextOnlyToLoopbackUnlessAllowed) {
  VerifierOptions remote = Loopback();
  remote.target = "tesserad.internal:50051";
  const absl::Status refused = StartStatus(remote);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(), HasSubstr("credentials"));

  VerifierOptions tls = remote;
  tls.credentials = grpc::SslCredentials(grpc::SslCredentialsOptions());
  EXPECT_TRUE(StartStatus(tls).ok());

  VerifierOptions insecure = remote;
  insecure.allow_insecure = true;
  EXPECT_TRUE(StartStatus(insecure).ok());

  VerifierOptions nothing = Loopback();
  nothing.target.clear();
  EXPECT_EQ(StartStatus(nothing).code(), absl::StatusCode::kInvalidArgument);
}

TEST(VerifierOptionsTest, DurationsMustBeSound) {
  VerifierOptions horizon = Loopback();
  horizon.horizon = absl::ZeroDuration();
  EXPECT_EQ(StartStatus(horizon).code(), absl::StatusCode::kInvalidArgument);
  VerifierOptions staleness = Loopback();
  staleness.max_staleness = absl::ZeroDuration();
  EXPECT_EQ(StartStatus(staleness).code(), absl::StatusCode::kInvalidArgument);
  VerifierOptions leeway = Loopback();
  leeway.leeway = absl::Seconds(-1);
  EXPECT_EQ(StartStatus(leeway).code(), absl::StatusCode::kInvalidArgument);
}

TEST(LoopbackTest, OnlyTargetsNamingThisHost) {
  for (const char* target :
       {"127.0.0.1:50051", "127.1.2.3:1", "localhost:50051", "LOCALHOST:1",
        "[::1]:50051", "dns:///localhost:50051", "ipv4:127.0.0.1:1",
        "ipv6:[::1]:1", "unix:/run/tesserad.sock", "unix-abstract:tessera"}) {
    EXPECT_TRUE(IsLoopbackTarget(target)) << target;
  }
  for (const char* target :
       {"10.0.0.1:50051", "128.0.0.1:1", "tesserad:50051",
        "localhost.evil.example:1", "[::2]:1", "dns://8.8.8.8/localhost:1",
        "ipv4:127.0.0.1:1,10.0.0.1:1", "", "[::1"}) {
    EXPECT_FALSE(IsLoopbackTarget(target)) << target;
  }
}

TEST(TokenCacheTest, AnEntryOfAnotherKeyVersionMisses) {
  TokenCache cache(64);
  auto claims = std::make_shared<const token::AccessTokenClaims>();
  cache.Insert("t", claims, absl::Now(), /*key_version=*/1);
  EXPECT_EQ(cache.Find("t", 1), claims);
  EXPECT_EQ(cache.Find("t", 2), nullptr);
  cache.Insert("t", claims, absl::Now(), 2);  // Re-verified: replaces.
  EXPECT_EQ(cache.Find("t", 2), claims);
  EXPECT_EQ(cache.Find("t", 1), nullptr);
}

constexpr absl::Duration kWait = absl::Seconds(30);  // Only on failure.
const absl::Time kStart = absl::FromUnixSeconds(1798761600);  // 2027-01-01.

google::protobuf::Timestamp At(absl::Time t) {
  google::protobuf::Timestamp stamp;
  stamp.set_seconds(absl::ToUnixSeconds(t));
  return stamp;
}

// A Verifier following a FakeAuthority on a ManualClock, and the events it
// is played.
class StreamTest : public ::testing::Test {
 protected:
  StreamTest()
      : clock_(kStart),
        key_(*token::PrivateKey::Generate(token::Algorithm::kEdDSA)) {}

  void StartVerifier(absl::Duration leeway = absl::Seconds(30)) {
    VerifierOptions options;
    options.channel = authority_.channel();
    options.audience = {"api"};
    options.leeway = leeway;
    options.clock = &clock_;
    absl::StatusOr<std::unique_ptr<Verifier>> started =
        Verifier::Start(std::move(options));
    ASSERT_TRUE(started.ok()) << started.status();
    verifier_ = *std::move(started);
    ASSERT_TRUE(authority_.WaitForStream(1, kWait).has_value());
  }

  // Sends `event` and waits until the Verifier has applied it.
  void Play(const tessera::v1::RevocationEvent& event) {
    ASSERT_TRUE(authority_.Send(event));
    ASSERT_TRUE(verifier_->WaitForEventsApplied(++sent_, kWait));
  }
  // Breaks the stream; the request the Verifier reconnects with.
  tessera::v1::WatchRevocationsRequest Break() {
    EXPECT_TRUE(authority_.End());
    auto request = authority_.WaitForStream(++streams_, kWait);
    EXPECT_TRUE(request.has_value());
    return request.value_or(tessera::v1::WatchRevocationsRequest());
  }

  tessera::v1::RevocationEvent Keys(uint64_t sequence) const {
    token::KeySet set;
    EXPECT_TRUE(set.Add(key_.public_key()).ok());
    tessera::v1::RevocationEvent event;
    event.set_sequence(sequence);
    event.mutable_keys_changed()->set_jwks_json(set.ToJwksJson());
    return event;
  }
  static tessera::v1::RevocationEvent Revoked(uint64_t sequence,
                                              const std::string& session_id,
                                              absl::Time forget_after) {
    tessera::v1::RevocationEvent event;
    event.set_sequence(sequence);
    *event.mutable_time() = At(kStart);
    event.mutable_session_revoked()->set_session_id(session_id);
    event.mutable_session_revoked()->set_subject("alice");
    *event.mutable_session_revoked()->mutable_forget_after() = At(forget_after);
    return event;
  }
  static tessera::v1::RevocationEvent End(uint64_t sequence,
                                          const std::string& incarnation) {
    tessera::v1::RevocationEvent event;
    event.set_sequence(sequence);
    event.mutable_snapshot_end()->set_incarnation(incarnation);
    return event;
  }
  static tessera::v1::RevocationEvent Heartbeat(
      uint64_t current, const std::string& incarnation) {
    tessera::v1::RevocationEvent event;
    event.mutable_heartbeat()->set_current_sequence(current);
    event.mutable_heartbeat()->set_incarnation(incarnation);
    return event;
  }
  // An access token of `session_id`, issued at kStart for 15 minutes.
  std::string Token(const std::string& session_id) const {
    token::AccessTokenClaims claims;
    claims.issuer = "tessera";
    claims.subject = "alice";
    claims.audience = {"api"};
    claims.issued_at = kStart;
    claims.expires_at = kStart + absl::Minutes(15);
    claims.token_id = "jti-" + session_id;
    claims.session_id = session_id;
    absl::StatusOr<std::string> token = token::SignAccessToken(key_, claims);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }
  tessera::v1::TokenInvalidReason ReasonFor(const std::string& token) const {
    return TokenInvalidReasonOf(verifier_->Verify(token).status());
  }

  testing::FakeAuthority authority_;
  testing::ManualClock clock_;
  token::PrivateKey key_;
  uint64_t sent_ = 0;
  int streams_ = 1;
  std::unique_ptr<Verifier> verifier_;  // Destroyed first.
};

TEST_F(StreamTest, EventsAppliedCountsEveryMessageOverEveryStream) {
  ASSERT_NO_FATAL_FAILURE(StartVerifier());
  EXPECT_EQ(verifier_->events_applied(), 0u);
  ASSERT_NO_FATAL_FAILURE(Play(Keys(1)));
  EXPECT_EQ(verifier_->events_applied(), 1u);
  ASSERT_NO_FATAL_FAILURE(Play(Revoked(2, "s-1", kStart + absl::Minutes(15))));
  EXPECT_EQ(verifier_->applied_sequence(), 0u);  // Inside the snapshot.
  EXPECT_FALSE(verifier_->WaitUntilReady(absl::ZeroDuration()));
  ASSERT_NO_FATAL_FAILURE(Play(End(2, "inc-a")));
  EXPECT_EQ(verifier_->applied_sequence(), 2u);
  EXPECT_TRUE(verifier_->WaitUntilReady(absl::ZeroDuration()));
  ASSERT_NO_FATAL_FAILURE(Play(Heartbeat(2, "inc-a")));
  EXPECT_EQ(verifier_->events_applied(), 4u);
  // Nothing else was sent, so nothing else is counted.
  EXPECT_FALSE(verifier_->WaitForEventsApplied(5, absl::Milliseconds(20)));

  const tessera::v1::WatchRevocationsRequest resume = Break();
  EXPECT_EQ(resume.after_sequence(), 2u);
  EXPECT_EQ(resume.incarnation(), "inc-a");
  EXPECT_EQ(verifier_->events_applied(), 4u);  // A break is no message.
  ASSERT_NO_FATAL_FAILURE(Play(End(2, "inc-a")));
  EXPECT_EQ(verifier_->events_applied(), 5u);
  EXPECT_EQ(verifier_->connections(), 2);
}

TEST_F(StreamTest, ASnapshotBrokenOffIsAskedForAgainAndReplacesWhatItSent) {
  ASSERT_NO_FATAL_FAILURE(StartVerifier());
  ASSERT_NO_FATAL_FAILURE(Play(Keys(1)));
  ASSERT_NO_FATAL_FAILURE(
      Play(Revoked(2, "s-lost", kStart + absl::Minutes(15))));
  // No snapshot_end yet: neither a position nor an incarnation to resume in.
  const tessera::v1::WatchRevocationsRequest again = Break();
  EXPECT_EQ(again.after_sequence(), 0u);
  EXPECT_EQ(again.incarnation(), "");
  // The server (restored meanwhile) no longer holds the revocation.
  ASSERT_NO_FATAL_FAILURE(Play(Keys(1)));
  ASSERT_NO_FATAL_FAILURE(Play(End(1, "inc-b")));
  EXPECT_EQ(verifier_->applied_sequence(), 1u);
  EXPECT_EQ(verifier_->revocations_held(), 0u);
  EXPECT_TRUE(verifier_->Verify(Token("s-lost")).ok());
}

TEST_F(StreamTest, ARevocationIsHeldForTheVerifiersLeewayPastForgetAfter) {
  // tesserad with --leeway=0s: forget_after is the tokens' exp itself.
  const absl::Time exp = kStart + absl::Minutes(15);
  ASSERT_NO_FATAL_FAILURE(StartVerifier(/*leeway=*/absl::Seconds(60)));
  ASSERT_NO_FATAL_FAILURE(Play(Keys(1)));
  ASSERT_NO_FATAL_FAILURE(Play(Revoked(2, "s-1", exp)));
  ASSERT_NO_FATAL_FAILURE(Play(End(2, "inc-a")));
  const std::string token = Token("s-1");
  EXPECT_EQ(ReasonFor(token),
            tessera::v1::TOKEN_INVALID_REASON_SESSION_REVOKED);

  // Past forget_after, but the token is within this verifier's leeway.
  clock_.Advance(absl::Minutes(15) + absl::Seconds(1),
                 2 * Verifier::kForgetInterval);
  ASSERT_NO_FATAL_FAILURE(Play(Heartbeat(2, "inc-a")));
  EXPECT_EQ(verifier_->revocations_held(), 1u);
  EXPECT_EQ(ReasonFor(token),
            tessera::v1::TOKEN_INVALID_REASON_SESSION_REVOKED);

  // Past the leeway too: forgotten, and the token has expired.
  clock_.Advance(absl::Seconds(60), 2 * Verifier::kForgetInterval);
  ASSERT_NO_FATAL_FAILURE(Play(Heartbeat(2, "inc-a")));
  EXPECT_EQ(verifier_->revocations_held(), 0u);
  EXPECT_EQ(ReasonFor(token), tessera::v1::TOKEN_INVALID_REASON_EXPIRED);
}

}  // namespace
}  // namespace tessera
