// What the Verifier refuses to start with (no server needed), which targets
// count as loopback, and the token cache's key-set versions.

#include "client/verifier/verifier.h"

#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "client/verifier/loopback.h"
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

}  // namespace
}  // namespace tessera
