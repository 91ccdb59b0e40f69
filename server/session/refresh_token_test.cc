#include "server/session/refresh_token.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "server/crypto/aead.h"

namespace tessera::session {
namespace {

TEST(RefreshTokenTest, FormatParseRoundTrip) {
  RefreshToken token{NewSessionId(), NewSecret()};
  const std::string text = FormatRefreshToken(token);
  EXPECT_TRUE(absl::StartsWith(text, "tsr_s"));
  EXPECT_EQ(text.size(), 4u + 23u + 1u + 43u);
  std::optional<RefreshToken> parsed = ParseRefreshToken(text);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->session_id, token.session_id);
  EXPECT_EQ(parsed->secret, token.secret);
}

TEST(RefreshTokenTest, RejectsEverythingElse) {
  const std::string good = FormatRefreshToken({NewSessionId(), NewSecret()});
  EXPECT_FALSE(ParseRefreshToken("").has_value());
  EXPECT_FALSE(ParseRefreshToken("tsr_").has_value());
  EXPECT_FALSE(ParseRefreshToken(good.substr(0, good.size() - 1)));
  EXPECT_FALSE(ParseRefreshToken(good + "A"));
  EXPECT_FALSE(ParseRefreshToken("TSR_" + good.substr(4)));
  EXPECT_FALSE(ParseRefreshToken(good.substr(4)));  // no prefix
  std::string padded = good;
  padded.back() = '=';
  EXPECT_FALSE(ParseRefreshToken(padded));
  std::string no_dot = good;
  no_dot[4 + 23] = '_';
  EXPECT_FALSE(ParseRefreshToken(no_dot));
  EXPECT_FALSE(ParseRefreshToken(std::string(1000, 'a')));
  // An access token (JWT) is not a refresh token.
  EXPECT_FALSE(ParseRefreshToken("eyJhbGciOiJFUzI1NiJ9.e30.sig"));
}

TEST(RefreshTokenTest, IdsAndSecretsAreFresh) {
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(seen.insert(NewSessionId()).second);
    EXPECT_TRUE(seen.insert(NewSecret()).second);
  }
  EXPECT_EQ(NewSecret().size(), kSecretBytes);
  EXPECT_TRUE(IsValidSessionId(NewSessionId()));
  EXPECT_FALSE(IsValidSessionId("s123"));
  EXPECT_FALSE(IsValidSessionId("x" + NewSessionId().substr(1)));
}

TEST(RefreshTokenTest, HashesCompareInConstantTimeAndExactly) {
  const std::string secret = NewSecret();
  EXPECT_EQ(SecretHash(secret).size(), 32u);
  EXPECT_TRUE(HashEquals(SecretHash(secret), SecretHash(secret)));
  EXPECT_FALSE(HashEquals(SecretHash(secret), SecretHash(NewSecret())));
  EXPECT_FALSE(HashEquals(SecretHash(secret), ""));
  EXPECT_FALSE(HashEquals("", ""));
}

TEST(RefreshTokenTest, SuccessorOpensOnlyWithTheRetiredSecretAndContext) {
  const std::string retired = NewSecret();
  const std::string successor = NewSecret();
  const std::string sealed = SealSuccessor(retired, successor, "s1/3");
  EXPECT_EQ(sealed.find(successor), std::string::npos);
  EXPECT_EQ(OpenSuccessor(retired, sealed, "s1/3"), successor);
  EXPECT_FALSE(OpenSuccessor(NewSecret(), sealed, "s1/3").has_value());
  EXPECT_FALSE(OpenSuccessor(retired, sealed, "s1/4").has_value());
  std::string tampered = sealed;
  tampered[20] ^= 1;
  EXPECT_FALSE(OpenSuccessor(retired, tampered, "s1/3").has_value());
  EXPECT_FALSE(OpenSuccessor(retired, "short", "s1/3").has_value());
}

// Successors sealed by earlier releases (and stored in sessions) must still
// open: the sealing key is HMAC-SHA256(retired secret, fixed label), here
// computed with OpenSSL's one-shot HMAC().
TEST(RefreshTokenTest, TheSealingKeyIsHmacSha256OfTheRetiredSecret) {
  const std::string retired = NewSecret();
  const std::string successor = NewSecret();
  const std::string sealed = SealSuccessor(retired, successor, "s1/3");
  static constexpr char kLabel[] = "tessera refresh successor v1";
  unsigned char key[32];
  unsigned int len = sizeof(key);
  ASSERT_NE(HMAC(EVP_sha256(), retired.data(), static_cast<int>(retired.size()),
                 reinterpret_cast<const unsigned char*>(kLabel),
                 sizeof(kLabel) - 1, key, &len),
            nullptr);
  EXPECT_EQ(crypto::Open(std::string(reinterpret_cast<char*>(key), len), sealed,
                         "s1/3"),
            successor);
}

}  // namespace
}  // namespace tessera::session
