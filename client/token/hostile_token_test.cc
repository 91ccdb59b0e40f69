// Access tokens, honest and hostile: each hostile token is refused with the
// one reason DESIGN §4 assigns to it. Hostile tokens that need a valid
// signature are signed here with the test key, so the check under test is
// the one that refuses them, not the signature.

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/hmac.h>
#if defined(OPENSSL_IS_BORINGSSL)
#include <openssl/mem.h>
#endif

#include <string>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "client/token/access_token.h"
#include "client/token/base64url.h"
#include "client/token/key_set.h"
#include "client/token/keys.h"
#include "gtest/gtest.h"

namespace tessera::token {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);
constexpr char kIssuer[] = "https://auth.example.com";

class AccessTokenTest : public ::testing::TestWithParam<Algorithm> {
 protected:
  void SetUp() override {
    absl::StatusOr<PrivateKey> key = PrivateKey::Generate(GetParam());
    ASSERT_TRUE(key.ok()) << key.status();
    key_ = std::make_unique<PrivateKey>(*key);
    ASSERT_TRUE(keys_.Add(key_->public_key()).ok());
    options_.policy.issuer = kIssuer;
  }

  AccessTokenClaims Claims() const {
    AccessTokenClaims claims;
    claims.issuer = kIssuer;
    claims.subject = "user-42";
    claims.audience = {"api"};
    claims.issued_at = kNow - absl::Minutes(1);
    claims.expires_at = kNow + absl::Minutes(14);
    claims.token_id = "jti-1";
    claims.session_id = "sid-1";
    claims.client_id = "web";
    return claims;
  }

  std::string Alg() const { return std::string(AlgorithmName(GetParam())); }

  std::string Header() const {
    return absl::StrCat(R"({"alg":")", Alg(), R"(","kid":")", key_->kid(),
                        R"(","typ":"at+jwt"})");
  }

  std::string Payload() const {
    return absl::StrCat(R"({"iss":")", kIssuer,
                        R"(","sub":"user-42","aud":"api","exp":)",
                        absl::ToUnixSeconds(kNow) + 600, R"(,"iat":)",
                        absl::ToUnixSeconds(kNow) - 60, "}");
  }

  // header.payload.signature with a real signature over the exact bytes.
  std::string SignRaw(const std::string& header_json,
                      const std::string& payload_json) const {
    std::string input = absl::StrCat(Base64UrlEncode(header_json), ".",
                                     Base64UrlEncode(payload_json));
    absl::StatusOr<std::string> signature = key_->Sign(input);
    EXPECT_TRUE(signature.ok());
    return absl::StrCat(input, ".", Base64UrlEncode(*signature));
  }

  std::variant<VerifiedToken, TokenFailure> Verify(
      const std::string& token, absl::Time now = kNow) const {
    return VerifyAccessToken(token, keys_, options_, now);
  }

  // The reason a token is refused; fails the test if it is accepted.
  TokenError Refusal(const std::string& token, absl::Time now = kNow) const {
    auto result = Verify(token, now);
    if (auto* failure = std::get_if<TokenFailure>(&result)) {
      return failure->error;
    }
    ADD_FAILURE() << "accepted: " << token;
    return TokenError::kMalformed;
  }

  bool Accepted(const std::string& token, absl::Time now = kNow) const {
    auto result = Verify(token, now);
    if (auto* failure = std::get_if<TokenFailure>(&result)) {
      ADD_FAILURE() << TokenErrorName(failure->error) << ": "
                    << failure->detail;
      return false;
    }
    return true;
  }

  std::unique_ptr<PrivateKey> key_;
  KeySet keys_;
  VerifyOptions options_;
};

TEST_P(AccessTokenTest, SignedTokenVerifiesWithEveryClaim) {
  AccessTokenClaims claims = Claims();
  claims.audience = {"api", "web"};
  claims.custom.Set("roles", Json::MakeArray({Json::String("admin")}));
  Json profile = Json::MakeObject();
  profile.Set("name", Json::String("Ada"));
  profile.Set("age", Json::Integer(36));
  claims.custom.Set("profile", profile);
  absl::StatusOr<std::string> token = SignAccessToken(*key_, claims);
  ASSERT_TRUE(token.ok()) << token.status();

  auto result = Verify(*token);
  ASSERT_TRUE(std::holds_alternative<VerifiedToken>(result))
      << std::get<TokenFailure>(result).detail;
  const VerifiedToken& verified = std::get<VerifiedToken>(result);
  EXPECT_EQ(verified.algorithm, GetParam());
  EXPECT_EQ(verified.kid, key_->kid());
  EXPECT_EQ(verified.claims.issuer, kIssuer);
  EXPECT_EQ(verified.claims.subject, "user-42");
  EXPECT_EQ(verified.claims.audience, claims.audience);
  EXPECT_EQ(verified.claims.session_id, "sid-1");
  EXPECT_EQ(verified.claims.token_id, "jti-1");
  EXPECT_EQ(verified.claims.client_id, "web");
  EXPECT_EQ(verified.claims.expires_at, claims.expires_at);
  EXPECT_EQ(verified.claims.issued_at, claims.issued_at);
  EXPECT_EQ(verified.claims.custom, claims.custom);
}

TEST_P(AccessTokenTest, HandSignedBaselineIsAccepted) {
  // Guards the helpers below: the unmodified hand-made token passes.
  EXPECT_TRUE(Accepted(SignRaw(Header(), Payload())));
}

TEST_P(AccessTokenTest, AlgNoneInAnyCaseIsUnsupported) {
  for (const char* none : {"none", "None", "NONE", "nOnE"}) {
    const std::string header =
        absl::StrCat(R"({"alg":")", none, R"(","kid":")", key_->kid(),
                     R"(","typ":"at+jwt"})");
    const std::string token = absl::StrCat(Base64UrlEncode(header), ".",
                                           Base64UrlEncode(Payload()), ".");
    EXPECT_EQ(Refusal(token), TokenError::kUnsupportedAlgorithm) << none;
  }
}

TEST_P(AccessTokenTest, Hs256WithThePublicKeyAsSecretIsUnsupported) {
  const std::string secret = key_->public_key().ToJwk().Serialize();
  const std::string header = absl::StrCat(R"({"alg":"HS256","kid":")",
                                          key_->kid(), R"(","typ":"at+jwt"})");
  const std::string input =
      absl::StrCat(Base64UrlEncode(header), ".", Base64UrlEncode(Payload()));
  unsigned char mac[32];
  unsigned int mac_len = sizeof(mac);
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
       &mac_len);
  const std::string token =
      absl::StrCat(input, ".",
                   Base64UrlEncode(absl::string_view(
                       reinterpret_cast<char*>(mac), mac_len)));
  EXPECT_EQ(Refusal(token), TokenError::kUnsupportedAlgorithm);
}

TEST_P(AccessTokenTest, AlgorithmTheKeyIsNotBoundToIsUnsupported) {
  for (Algorithm other :
       {Algorithm::kES256, Algorithm::kEdDSA, Algorithm::kRS256}) {
    if (other == GetParam()) continue;
    const std::string header =
        absl::StrCat(R"({"alg":")", AlgorithmName(other), R"(","kid":")",
                     key_->kid(), R"(","typ":"at+jwt"})");
    EXPECT_EQ(Refusal(SignRaw(header, Payload())),
              TokenError::kUnsupportedAlgorithm);
  }
}

TEST_P(AccessTokenTest, AlgorithmOffTheAllowListIsUnsupported) {
  options_.allowed_algorithms.erase(GetParam());
  EXPECT_EQ(Refusal(SignRaw(Header(), Payload())),
            TokenError::kUnsupportedAlgorithm);
}

TEST_P(AccessTokenTest, UnknownOrMissingKidIsUnknownKey) {
  const std::string unknown =
      absl::StrCat(R"({"alg":")", Alg(), R"(","kid":"nope","typ":"at+jwt"})");
  EXPECT_EQ(Refusal(SignRaw(unknown, Payload())), TokenError::kUnknownKey);
  const std::string missing =
      absl::StrCat(R"({"alg":")", Alg(), R"(","typ":"at+jwt"})");
  EXPECT_EQ(Refusal(SignRaw(missing, Payload())), TokenError::kUnknownKey);
}

TEST_P(AccessTokenTest, TypMustBeAtJwt) {
  const std::string base =
      absl::StrCat(R"({"alg":")", Alg(), R"(","kid":")", key_->kid(), "\"");
  EXPECT_EQ(Refusal(SignRaw(base + "}", Payload())), TokenError::kWrongType);
  EXPECT_EQ(Refusal(SignRaw(base + R"(,"typ":"JWT"})", Payload())),
            TokenError::kWrongType);
  EXPECT_EQ(Refusal(SignRaw(base + R"(,"typ":7})", Payload())),
            TokenError::kWrongType);
  // Media types are case-insensitive and may carry "application/".
  EXPECT_TRUE(Accepted(SignRaw(base + R"(,"typ":"AT+JWT"})", Payload())));
  EXPECT_TRUE(
      Accepted(SignRaw(base + R"(,"typ":"application/at+jwt"})", Payload())));
}

TEST_P(AccessTokenTest, CritIsMalformed) {
  const std::string header =
      absl::StrCat(R"({"alg":")", Alg(), R"(","kid":")", key_->kid(),
                   R"(","typ":"at+jwt","crit":["exp"],"exp":1})");
  EXPECT_EQ(Refusal(SignRaw(header, Payload())), TokenError::kMalformed);
}

TEST_P(AccessTokenTest, NonCanonicalSegmentsAreMalformed) {
  const std::string token = SignRaw(Header(), Payload());
  const size_t dot1 = token.find('.');
  const size_t dot2 = token.find('.', dot1 + 1);
  for (size_t at : {size_t{0}, dot1 + 1, dot2 + 1, token.size()}) {
    for (const char* junk : {"=", "+", "/", " ", "\n"}) {
      std::string bad = token;
      bad.insert(at, junk);
      EXPECT_EQ(Refusal(bad), TokenError::kMalformed)
          << "'" << junk << "' at " << at;
    }
  }
}

TEST_P(AccessTokenTest, WrongSegmentCountsAreMalformed) {
  const std::string token = SignRaw(Header(), Payload());
  EXPECT_EQ(Refusal(token.substr(0, token.rfind('.'))), TokenError::kMalformed);
  EXPECT_EQ(Refusal(token + ".e30"), TokenError::kMalformed);
  EXPECT_EQ(Refusal(""), TokenError::kMalformed);
  EXPECT_EQ(Refusal(".."), TokenError::kMalformed);
}

TEST_P(AccessTokenTest, SignedButBrokenPayloadsAreMalformed) {
  const std::string exp = absl::StrCat(absl::ToUnixSeconds(kNow) + 600);
  const std::string iat = absl::StrCat(absl::ToUnixSeconds(kNow) - 60);
  for (const std::string& payload : {
           absl::StrCat(R"({"iss":"x","sub":"a","sub":"b","exp":)", exp,
                        R"(,"iat":)", iat, "}"),
           absl::StrCat(R"({"iss":")", kIssuer, "\",\"sub\":\"\xff\",\"exp\":",
                        exp, R"(,"iat":)", iat, "}"),
           absl::StrCat(R"({"iss":")", kIssuer, R"(","sub":"u","iat":)", iat,
                        "}"),  // no exp
           absl::StrCat(R"({"iss":")", kIssuer, R"(","sub":7,"exp":)", exp,
                        R"(,"iat":)", iat, "}"),
           absl::StrCat(R"({"iss":")", kIssuer, R"(","sub":"u","exp":"soon",)",
                        R"("iat":)", iat, "}"),
           absl::StrCat(R"({"iss":")", kIssuer, R"(","sub":"u","exp":-5,)",
                        R"("iat":)", iat, "}"),
           absl::StrCat(R"({"iss":")", kIssuer, R"(","sub":"u","aud":[1],)",
                        R"("exp":)", exp, R"(,"iat":)", iat, "}"),
           std::string("[]"),
           std::string("not json"),
       }) {
    EXPECT_EQ(Refusal(SignRaw(Header(), payload)), TokenError::kMalformed)
        << payload;
  }
}

TEST_P(AccessTokenTest, OversizeTokenIsMalformed) {
  const std::string big_claim(kMaxTokenBytes, 'x');
  const std::string payload =
      absl::StrCat(Payload().substr(0, Payload().size() - 1), R"(,"pad":")",
                   big_claim, "\"}");
  EXPECT_EQ(Refusal(SignRaw(Header(), payload)), TokenError::kMalformed);
  AccessTokenClaims claims = Claims();
  claims.custom.Set("pad", Json::String(big_claim));
  EXPECT_FALSE(SignAccessToken(*key_, claims).ok());
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

TEST_P(AccessTokenTest, TamperedSignaturesAreBad) {
  const std::string token = SignRaw(Header(), Payload());
  const std::string input = token.substr(0, token.rfind('.'));
  const std::string signature =
      *Base64UrlDecode(token.substr(token.rfind('.') + 1));
  auto with = [&](const std::string& sig) {
    return absl::StrCat(input, ".", Base64UrlEncode(sig));
  };
  EXPECT_EQ(Refusal(with(signature.substr(0, signature.size() - 1))),
            TokenError::kBadSignature);
  EXPECT_EQ(Refusal(with(signature + "\x01")), TokenError::kBadSignature);
  EXPECT_EQ(Refusal(with("")), TokenError::kBadSignature);
  std::string flipped = signature;
  flipped[flipped.size() / 2] ^= 0x01;
  EXPECT_EQ(Refusal(with(flipped)), TokenError::kBadSignature);
  // A flipped payload byte, re-encoded canonically.
  std::string payload = Payload();
  payload[payload.find("user-42")] = 'v';
  EXPECT_EQ(Refusal(absl::StrCat(Base64UrlEncode(Header()), ".",
                                 Base64UrlEncode(payload), ".",
                                 token.substr(token.rfind('.') + 1))),
            TokenError::kBadSignature);
}

TEST(Es256Test, DerEncodedSignatureIsBad) {
  PrivateKey key = *PrivateKey::Generate(Algorithm::kES256);
  KeySet keys;
  ASSERT_TRUE(keys.Add(key.public_key()).ok());
  AccessTokenClaims claims;
  claims.issuer = kIssuer;
  claims.subject = "u";
  claims.issued_at = kNow;
  claims.expires_at = kNow + absl::Minutes(5);
  const std::string token = *SignAccessToken(key, claims);
  const std::string raw = *Base64UrlDecode(token.substr(token.rfind('.') + 1));
  ASSERT_EQ(raw.size(), 64u);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(
      sig, BN_bin2bn(reinterpret_cast<const uint8_t*>(raw.data()), 32, nullptr),
      BN_bin2bn(reinterpret_cast<const uint8_t*>(raw.data()) + 32, 32,
                nullptr));
  uint8_t* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  const std::string der_token =
      absl::StrCat(token.substr(0, token.rfind('.') + 1),
                   Base64UrlEncode(absl::string_view(
                       reinterpret_cast<char*>(der), der_len)));
  OPENSSL_free(der);
  VerifyOptions options;
  options.policy.issuer = kIssuer;
  auto result = VerifyAccessToken(der_token, keys, options, kNow);
  ASSERT_TRUE(std::holds_alternative<TokenFailure>(result));
  EXPECT_EQ(std::get<TokenFailure>(result).error, TokenError::kBadSignature);
  // The r||s original passes, so the refusal is about the encoding.
  EXPECT_TRUE(std::holds_alternative<VerifiedToken>(
      VerifyAccessToken(token, keys, options, kNow)));
}

TEST_P(AccessTokenTest, ExpiryAtAndAroundTheLeeway) {
  AccessTokenClaims claims = Claims();
  const std::string token = *SignAccessToken(*key_, claims);
  const absl::Time exp = claims.expires_at;
  ASSERT_EQ(options_.policy.leeway, absl::Seconds(30));
  EXPECT_TRUE(Accepted(token, exp - absl::Seconds(1)));
  EXPECT_TRUE(Accepted(token, exp + absl::Seconds(29)));
  EXPECT_TRUE(Accepted(token, exp + absl::Seconds(30) - absl::Nanoseconds(1)));
  EXPECT_EQ(Refusal(token, exp + absl::Seconds(30)), TokenError::kExpired);
  EXPECT_EQ(Refusal(token, exp + absl::Seconds(31)), TokenError::kExpired);
}

TEST_P(AccessTokenTest, NotBeforeAtAndAroundTheLeeway) {
  AccessTokenClaims claims = Claims();
  claims.issued_at = kNow;
  claims.not_before = kNow + absl::Minutes(2);
  const std::string token = *SignAccessToken(*key_, claims);
  const absl::Time nbf = *claims.not_before;
  EXPECT_TRUE(Accepted(token, nbf - absl::Seconds(30)));
  EXPECT_EQ(Refusal(token, nbf - absl::Seconds(30) - absl::Nanoseconds(1)),
            TokenError::kNotYetValid);
  EXPECT_EQ(Refusal(token, nbf - absl::Seconds(31)), TokenError::kNotYetValid);
}

TEST_P(AccessTokenTest, IssuedInTheFutureIsNotYetValid) {
  AccessTokenClaims claims = Claims();
  claims.issued_at = kNow + absl::Seconds(31);
  EXPECT_EQ(Refusal(*SignAccessToken(*key_, claims)), TokenError::kNotYetValid);
  claims.issued_at = kNow + absl::Seconds(30);
  EXPECT_TRUE(Accepted(*SignAccessToken(*key_, claims)));
}

TEST_P(AccessTokenTest, IssuerAndAudience) {
  AccessTokenClaims claims = Claims();
  claims.audience = {"api", "billing"};
  const std::string token = *SignAccessToken(*key_, claims);
  options_.policy.audience = {"other", "billing"};  // Any of them matches.
  EXPECT_TRUE(Accepted(token));
  options_.policy.audience = {"other"};
  EXPECT_EQ(Refusal(token), TokenError::kWrongAudience);
  options_.policy.audience = {};  // Not checked.
  EXPECT_TRUE(Accepted(token));
  options_.policy.issuer = "https://evil.example.com";
  EXPECT_EQ(Refusal(token), TokenError::kWrongIssuer);
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
