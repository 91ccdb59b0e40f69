#include "client/verifier/token_check.h"

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "client/token/access_token.h"
#include "client/token/keys.h"
#include "client/verifier/reasons.h"
#include "gtest/gtest.h"

namespace tessera {
namespace {

using tessera::v1::TokenInvalidReason;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

class TokenCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<token::PrivateKey> key =
        token::PrivateKey::Generate(token::Algorithm::kES256);
    ASSERT_TRUE(key.ok());
    key_ = std::make_unique<token::PrivateKey>(*key);
    auto set = std::make_shared<token::KeySet>();
    ASSERT_TRUE(set->Add(key_->public_key()).ok());
    keys_ = {set, 1};
    options_.policy.issuer = "tessera";
    options_.policy.audience = {"api"};
  }

  std::string Token(absl::string_view sid, absl::Duration ttl) {
    token::AccessTokenClaims claims;
    claims.issuer = "tessera";
    claims.subject = "alice";
    claims.audience = {"api"};
    claims.issued_at = kNow;
    claims.expires_at = kNow + ttl;
    claims.token_id = "j1";
    claims.session_id = std::string(sid);
    absl::StatusOr<std::string> signed_token =
        token::SignAccessToken(*key_, claims);
    EXPECT_TRUE(signed_token.ok()) << signed_token.status();
    return *signed_token;
  }

  // The check with the fixture's keys; counts key reads (one per miss).
  absl::StatusOr<std::shared_ptr<const token::AccessTokenClaims>> Check(
      absl::string_view token, absl::Time now) {
    return CheckToken(token, {.cache = &cache_,
                              .key_version = keys_.version,
                              .keys =
                                  [&] {
                                    ++key_reads_;
                                    return keys_;
                                  },
                              .options = &options_,
                              .revocations =
                                  [&](const token::AccessTokenClaims& claims) {
                                    return revocations_.Check(
                                        claims.session_id, claims.subject,
                                        claims.issued_at,
                                        claims.subject_generation);
                                  },
                              .now = now});
  }

  static TokenInvalidReason Reason(
      const absl::StatusOr<std::shared_ptr<const token::AccessTokenClaims>>&
          r) {
    return TokenInvalidReasonOf(r.status());
  }

  std::unique_ptr<token::PrivateKey> key_;
  VersionedKeys keys_;
  token::VerifyOptions options_;
  TokenCache cache_{100};
  revocation::RevocationState revocations_{absl::Minutes(16)};
  int key_reads_ = 0;
};

TEST_F(TokenCheckTest, AHitSkipsTheSignatureButNeverTheClaimChecks) {
  const std::string token = Token("s1", absl::Minutes(5));
  auto first = Check(token, kNow);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ((*first)->subject, "alice");
  EXPECT_TRUE(Check(token, kNow + absl::Minutes(1)).ok());
  EXPECT_EQ(key_reads_, 1);  // The second was a cache hit.
  // Expired now (past exp + leeway), cached or not.
  EXPECT_EQ(Reason(Check(token, kNow + absl::Minutes(6))),
            tessera::v1::TOKEN_INVALID_REASON_EXPIRED);
  // Another audience policy refuses the cached token too.
  options_.policy.audience = {"billing"};
  EXPECT_EQ(Reason(Check(token, kNow)),
            tessera::v1::TOKEN_INVALID_REASON_WRONG_AUDIENCE);
}

TEST_F(TokenCheckTest, RevocationIsCheckedOnEveryCallCacheHitsIncluded) {
  const std::string token = Token("s2", absl::Minutes(5));
  ASSERT_TRUE(Check(token, kNow).ok());
  tessera::v1::RevocationEvent event;
  event.set_sequence(1);
  event.mutable_session_revoked()->set_session_id("s2");
  event.mutable_session_revoked()->set_subject("alice");
  event.mutable_session_revoked()->mutable_forget_after()->set_seconds(
      absl::ToUnixSeconds(kNow + absl::Hours(1)));
  revocations_.Apply(event);
  EXPECT_EQ(Reason(Check(token, kNow)),
            tessera::v1::TOKEN_INVALID_REASON_SESSION_REVOKED);
}

TEST_F(TokenCheckTest, ANewKeyVersionChecksAgainAndEmptiesTheCache) {
  const std::string token = Token("s3", absl::Minutes(5));
  ASSERT_TRUE(Check(token, kNow).ok());
  // The key is withdrawn: version 2 has no keys that sign this token.
  keys_ = {std::make_shared<token::KeySet>(), 2};
  EXPECT_EQ(Reason(Check(token, kNow)),
            tessera::v1::TOKEN_INVALID_REASON_UNKNOWN_KEY);
  EXPECT_EQ(cache_.Find(token, 1), nullptr);  // Freed, not just hidden.
}

TEST_F(TokenCheckTest, NoKeysYetIsUnavailableAndHostileInputMalformed) {
  EXPECT_EQ(Reason(Check("not.a.token", kNow)),
            tessera::v1::TOKEN_INVALID_REASON_MALFORMED);
  keys_ = {nullptr, 0};
  auto none = Check(Token("s4", absl::Minutes(5)), kNow);
  EXPECT_EQ(none.status().code(), absl::StatusCode::kUnavailable);
  // Size is checked before anything else, keys or not.
  EXPECT_EQ(Reason(Check(std::string(token::kMaxTokenBytes + 1, 'a'), kNow)),
            tessera::v1::TOKEN_INVALID_REASON_MALFORMED);
}

}  // namespace
}  // namespace tessera
