// Access tokens, honest and hostile: every case of the shared table
// (client/token/testing/token_cases.h, also the source of the conformance
// vectors) gets its verdict, with freshly generated keys and with the fixed
// ones; then what the table cannot say: the signing side, the algorithm
// allow-list, an unchecked audience, sub-second clock edges.

#include <string>
#include <variant>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "client/token/access_token.h"
#include "client/token/key_set.h"
#include "client/token/keys.h"
#include "client/token/testing/fixed_keys.h"
#include "client/token/testing/token_cases.h"
#include "gtest/gtest.h"

namespace tessera::token {
namespace {

using testing::CaseOptions;
using testing::ClaimsToJson;
using testing::kCaseNow;
using testing::TokenCase;

enum class Keys { kGenerated, kFixed };

class TokenCasesTest
    : public ::testing::TestWithParam<std::tuple<Algorithm, Keys>> {
 protected:
  void SetUp() override {
    const auto [algorithm, keys] = GetParam();
    if (keys == Keys::kFixed) {
      key_ = std::make_unique<PrivateKey>(testing::FixedKey(algorithm));
      stranger_ = std::make_unique<PrivateKey>(testing::StrangerKey(algorithm));
    } else {
      key_ = std::make_unique<PrivateKey>(*PrivateKey::Generate(algorithm));
      stranger_ =
          std::make_unique<PrivateKey>(*PrivateKey::Generate(algorithm));
    }
    ASSERT_EQ(key_->algorithm(), algorithm);
    ASSERT_EQ(stranger_->algorithm(), algorithm);
    ASSERT_NE(key_->kid(), stranger_->kid());
    ASSERT_TRUE(keys_.Add(key_->public_key()).ok());
  }

  std::vector<TokenCase> Cases() const {
    return testing::TokenCases(testing::Signer(), *key_, *stranger_);
  }

  std::unique_ptr<PrivateKey> key_;
  std::unique_ptr<PrivateKey> stranger_;
  KeySet keys_;
};

TEST_P(TokenCasesTest, EveryCaseGetsItsVerdict) {
  const std::vector<TokenCase> cases = Cases();
  ASSERT_GT(cases.size(), 100u);
  for (const TokenCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto result = VerifyAccessToken(c.token, keys_, CaseOptions(), c.now);
    if (c.error.has_value()) {
      const auto* failure = std::get_if<TokenFailure>(&result);
      ASSERT_NE(failure, nullptr) << "accepted: " << c.description;
      EXPECT_EQ(std::string(TokenErrorName(failure->error)),
                std::string(TokenErrorName(*c.error)))
          << c.description << " (" << failure->detail << ")";
      continue;
    }
    const auto* verified = std::get_if<VerifiedToken>(&result);
    ASSERT_NE(verified, nullptr)
        << c.description << ": "
        << TokenErrorName(std::get<TokenFailure>(result).error) << " ("
        << std::get<TokenFailure>(result).detail << ")";
    EXPECT_EQ(verified->algorithm, c.algorithm);
    EXPECT_EQ(verified->kid, c.kid);
    EXPECT_EQ(ClaimsToJson(verified->claims).Serialize(),
              ClaimsToJson(c.claims).Serialize());
  }
}

// The table names every reason, and each name once.
TEST_P(TokenCasesTest, CasesCoverEveryReasonUnderUniqueNames) {
  absl::flat_hash_set<std::string> names;
  absl::flat_hash_set<std::string> reasons;
  int accepted = 0;
  for (const TokenCase& c : Cases()) {
    EXPECT_TRUE(names.insert(c.name).second) << "twice: " << c.name;
    if (c.error.has_value()) {
      reasons.insert(std::string(TokenErrorName(*c.error)));
    } else {
      ++accepted;
    }
  }
  EXPECT_GT(accepted, 10);
  for (TokenError error :
       {TokenError::kMalformed, TokenError::kBadSignature,
        TokenError::kUnknownKey, TokenError::kUnsupportedAlgorithm,
        TokenError::kExpired, TokenError::kNotYetValid,
        TokenError::kWrongAudience, TokenError::kWrongIssuer,
        TokenError::kWrongType}) {
    EXPECT_TRUE(reasons.contains(TokenErrorName(error)))
        << TokenErrorName(error);
  }
}

// Signing with the same key twice yields the same cases except for ECDSA
// signatures (a fresh nonce each time): what the vector generator relies on.
TEST_P(TokenCasesTest, CasesAreReproducibleUpToEcdsaSignatures) {
  const std::vector<TokenCase> first = Cases();
  const std::vector<TokenCase> second = Cases();
  ASSERT_EQ(first.size(), second.size());
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].name, second[i].name);
    if (key_->algorithm() != Algorithm::kES256) {
      EXPECT_EQ(first[i].token, second[i].token) << first[i].name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllAlgorithms, TokenCasesTest,
    ::testing::Combine(::testing::Values(Algorithm::kES256, Algorithm::kEdDSA,
                                         Algorithm::kRS256),
                       ::testing::Values(Keys::kGenerated, Keys::kFixed)),
    [](const auto& info) {
      return absl::StrCat(AlgorithmName(std::get<0>(info.param)),
                          std::get<1>(info.param) == Keys::kFixed
                              ? "FixedKeys"
                              : "GeneratedKeys");
    });

class AccessTokenTest : public ::testing::TestWithParam<Algorithm> {
 protected:
  void SetUp() override {
    absl::StatusOr<PrivateKey> key = PrivateKey::Generate(GetParam());
    ASSERT_TRUE(key.ok()) << key.status();
    key_ = std::make_unique<PrivateKey>(*key);
    ASSERT_TRUE(keys_.Add(key_->public_key()).ok());
  }

  AccessTokenClaims Claims() const {
    AccessTokenClaims claims;
    claims.issuer = testing::kCaseIssuer;
    claims.subject = "user-42";
    claims.audience = {"api"};
    claims.issued_at = kCaseNow - absl::Minutes(1);
    claims.expires_at = kCaseNow + absl::Minutes(14);
    return claims;
  }

  std::variant<VerifiedToken, TokenFailure> Verify(
      const std::string& token, absl::Time now = kCaseNow) const {
    return VerifyAccessToken(token, keys_, options_, now);
  }

  bool Accepted(const std::string& token, absl::Time now = kCaseNow) const {
    auto result = Verify(token, now);
    if (auto* failure = std::get_if<TokenFailure>(&result)) {
      ADD_FAILURE() << TokenErrorName(failure->error) << ": "
                    << failure->detail;
      return false;
    }
    return true;
  }

  // The reason a token is refused; fails the test if it is accepted.
  TokenError Refusal(const std::string& token,
                     absl::Time now = kCaseNow) const {
    auto result = Verify(token, now);
    if (auto* failure = std::get_if<TokenFailure>(&result)) {
      return failure->error;
    }
    ADD_FAILURE() << "accepted: " << token;
    return TokenError::kMalformed;
  }

  std::unique_ptr<PrivateKey> key_;
  KeySet keys_;
  VerifyOptions options_ = CaseOptions();
};

TEST_P(AccessTokenTest, AlgorithmOffTheAllowListIsUnsupported) {
  const std::string token = *SignAccessToken(*key_, Claims());
  EXPECT_TRUE(Accepted(token));
  options_.allowed_algorithms.erase(GetParam());
  EXPECT_EQ(Refusal(token), TokenError::kUnsupportedAlgorithm);
}

TEST_P(AccessTokenTest, AnEmptyExpectedAudienceIsNotChecked) {
  AccessTokenClaims claims = Claims();
  claims.audience = {"web"};
  const std::string token = *SignAccessToken(*key_, claims);
  EXPECT_EQ(Refusal(token), TokenError::kWrongAudience);
  options_.policy.audience = {};
  EXPECT_TRUE(Accepted(token));
  claims.audience = {};
  EXPECT_TRUE(Accepted(*SignAccessToken(*key_, claims)));
}

// Times inside the codec are absl::Time, finer than the vectors' seconds.
TEST_P(AccessTokenTest, LeewayEdgesToTheNanosecond) {
  AccessTokenClaims claims = Claims();
  const std::string token = *SignAccessToken(*key_, claims);
  const absl::Duration leeway = options_.policy.leeway;
  EXPECT_TRUE(
      Accepted(token, claims.expires_at + leeway - absl::Nanoseconds(1)));
  EXPECT_EQ(Refusal(token, claims.expires_at + leeway), TokenError::kExpired);

  claims.not_before = kCaseNow + absl::Minutes(2);
  const std::string later = *SignAccessToken(*key_, claims);
  EXPECT_TRUE(Accepted(later, *claims.not_before - leeway));
  EXPECT_EQ(Refusal(later, *claims.not_before - leeway - absl::Nanoseconds(1)),
            TokenError::kNotYetValid);
}

TEST_P(AccessTokenTest, OversizeClaimsAreNotSigned) {
  AccessTokenClaims claims = Claims();
  claims.custom.Set("pad", Json::String(std::string(kMaxTokenBytes, 'x')));
  EXPECT_EQ(SignAccessToken(*key_, claims).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// The size an unsigned token announces is the size of the token it signs,
// for every length the base64url remainder can take; a token one byte over
// the limit is refused before it is signed.
TEST_P(AccessTokenTest, PreparedTokensKnowTheirSignedSize) {
  for (int pad = 0; pad < 6; ++pad) {
    AccessTokenClaims claims = Claims();
    claims.custom.Set("pad", Json::String(std::string(pad, 'p')));
    absl::StatusOr<UnsignedAccessToken> prepared =
        UnsignedAccessToken::Prepare(*key_, claims);
    ASSERT_TRUE(prepared.ok()) << prepared.status();
    absl::StatusOr<std::string> token = prepared->Sign();
    ASSERT_TRUE(token.ok());
    EXPECT_EQ(prepared->size(), token->size());
    EXPECT_TRUE(Accepted(*token));
  }
  // Grow the claim until the token just fits, then by one byte more.
  AccessTokenClaims claims = Claims();
  size_t pad = 0;
  for (;; ++pad) {
    claims.custom.Set("pad", Json::String(std::string(pad + 1, 'p')));
    if (!UnsignedAccessToken::Prepare(*key_, claims).ok()) break;
  }
  claims.custom.Set("pad", Json::String(std::string(pad, 'p')));
  absl::StatusOr<std::string> largest = SignAccessToken(*key_, claims);
  ASSERT_TRUE(largest.ok()) << largest.status();
  EXPECT_GT(largest->size(), kMaxTokenBytes - 4);
  EXPECT_LE(largest->size(), kMaxTokenBytes);
}

TEST_P(AccessTokenTest, RegisteredNamesAreNotCustomClaims) {
  for (const char* name : kRegisteredClaims) {
    AccessTokenClaims claims = Claims();
    claims.custom.Set(name, Json::String("x"));
    absl::StatusOr<std::string> token = SignAccessToken(*key_, claims);
    EXPECT_EQ(token.status().code(), absl::StatusCode::kInvalidArgument)
        << name;
  }
}

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, AccessTokenTest,
                         ::testing::Values(Algorithm::kES256, Algorithm::kEdDSA,
                                           Algorithm::kRS256),
                         [](const auto& info) {
                           return std::string(AlgorithmName(info.param));
                         });

}  // namespace
}  // namespace tessera::token
