// tokens.json through the real Verifier (what a relying C++ service links):
// a scripted TokenAuthority sends the vectors' JWKS and a snapshot end,
// the Verifier's wall clock is set to each vector's `now`, and every vector
// must get its verdict, as the codec gives it (client/token:
// token_vectors_test) and through the HTTP helper's answer.

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/auth/http_bearer.h"
#include "client/token/json.h"
#include "client/token/testing/vector_claims.h"
#include "client/verifier/reasons.h"
#include "client/verifier/testing/fake_authority.h"
#include "client/verifier/testing/manual_clock.h"
#include "client/verifier/verifier.h"
#include "gtest/gtest.h"
#include "tessera/v1/token_authority.pb.h"
#include "tests/conformance/vectors.h"

namespace tessera::conformance {
namespace {

using token::Json;

class TokensVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Json> vectors =
        token::ParseJson(ReadRunfile(kTokensPath), kVectorFileLimits);
    ASSERT_TRUE(vectors.ok()) << vectors.status();
    vectors_ = *std::move(vectors);

    const Json& policy = *vectors_.Find("policy");
    VerifierOptions options;
    options.channel = authority_.channel();
    options.issuer = policy.Find("issuer")->string_value();
    for (const Json& audience : policy.Find("audience")->array()) {
      options.audience.push_back(audience.string_value());
    }
    options.leeway =
        absl::Seconds(policy.Find("leeway_seconds")->integer_value());
    options.clock = &clock_;
    absl::StatusOr<std::unique_ptr<Verifier>> verifier =
        Verifier::Start(std::move(options));
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = *std::move(verifier);

    // The key set, then "in sync"; nothing more. The monotonic clock never
    // moves, so the Verifier never goes stale.
    ASSERT_TRUE(authority_.WaitForStream(1, absl::Seconds(30)).has_value());
    v1::RevocationEvent keys;
    keys.set_sequence(1);
    keys.mutable_keys_changed()->set_jwks_json(
        vectors_.Find("jwks")->Serialize());
    v1::RevocationEvent end;
    end.set_sequence(1);
    end.mutable_snapshot_end()->set_incarnation("conformance");
    ASSERT_TRUE(authority_.Send(keys));
    ASSERT_TRUE(authority_.Send(end));
    ASSERT_TRUE(verifier_->WaitUntilReady(absl::Seconds(30)));
  }

  void TearDown() override { verifier_.reset(); }  // Before the authority.

  // Sets the Verifier's wall clock to `unix_seconds`.
  void SetNow(int64_t unix_seconds) {
    clock_.Advance(absl::FromUnixSeconds(unix_seconds) - clock_.Now(),
                   absl::ZeroDuration());
  }

  Json vectors_;
  testing::FakeAuthority authority_;
  testing::ManualClock clock_{absl::UnixEpoch()};
  std::unique_ptr<Verifier> verifier_;
};

TEST_F(TokensVerifierTest, EveryVectorGetsItsVerdict) {
  int checked = 0;
  for (const Json& vector : vectors_.Find("vectors")->array()) {
    SCOPED_TRACE(vector.Find("name")->string_value());
    const std::string& token = vector.Find("token")->string_value();
    const Json& expect = *vector.Find("expect");
    SetNow(vector.Find("now")->integer_value());
    const absl::StatusOr<VerifiedClaims> claims = verifier_->Verify(token);
    const std::string field = absl::StrCat("Bearer ", token);
    const std::vector<absl::string_view> fields = {field};
    // The HTTP helper must reach the same verdict when the field carries
    // exactly this token (spaces before a token merge into the field's
    // separator; other junk makes the field malformed, a 400).
    const BearerCredentials parsed = ParseAuthorization(fields);
    const bool well_formed_field =
        parsed.kind == BearerCredentials::Kind::kToken && parsed.token == token;
    const HttpAuthentication http = AuthenticateHttpBearer(fields, *verifier_);
    ++checked;
    if (!expect.Find("valid")->bool_value()) {
      const std::string& reason = expect.Find("reason")->string_value();
      ASSERT_FALSE(claims.ok()) << "accepted, expected " << reason;
      EXPECT_EQ(claims.status().code(), absl::StatusCode::kUnauthenticated);
      EXPECT_EQ(std::string(TokenInvalidReasonShortName(
                    TokenInvalidReasonOf(claims.status()))),
                reason)
          << claims.status();
      if (!well_formed_field) continue;  // A 400: the token never gets there.
      const auto* answer = std::get_if<HttpAnswer>(&http);
      ASSERT_NE(answer, nullptr);
      EXPECT_EQ(answer->status, 401);
      EXPECT_EQ(answer->headers[1], (std::pair<std::string, std::string>{
                                        "Tessera-Reason", reason}));
      continue;
    }
    ASSERT_TRUE(claims.ok()) << claims.status();
    EXPECT_EQ(token::testing::ClaimsMismatch(*expect.Find("claims"), **claims),
              "");
    ASSERT_TRUE(well_formed_field);
    EXPECT_TRUE(std::holds_alternative<VerifiedClaims>(http));
  }
  EXPECT_GT(checked, 300);
}

}  // namespace
}  // namespace tessera::conformance
