// Interoperability of the token codec with npm's `jose`, an independent JOSE
// implementation, for each algorithm:
//  - tokens the codec signs verify in jose, given the JWKS the codec
//    renders, and a tampered one does not;
//  - tokens jose signs (with a JWKS jose renders) verify in the codec, and a
//    tampered one does not.
// Needs `npm ci --prefix tests/interop` first (tools/test.sh runs it).

#include <sys/stat.h>

#include <fstream>
#include <string>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/token/access_token.h"
#include "client/token/json.h"
#include "client/token/key_set.h"
#include "client/token/keys.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/subprocess.h"

namespace tessera::token {
namespace {

using ::tessera::testing::NewTempPath;
using ::tessera::testing::RunToExit;
using ::testing::HasSubstr;

constexpr char kIssuer[] = "https://tessera.test";
constexpr char kAudience[] = "api.test";

std::string InteropDir() {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/",
                      std::getenv("TEST_WORKSPACE"), "/tests/interop");
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string ReadFile(const std::string& path) {
  return tessera::testing::ReadFileOrEmpty(path);
}

// Runs `node jose_tool.mjs args...` (bounded).
tessera::testing::ExitResult Jose(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"node", InteropDir() + "/jose_tool.mjs"};
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<tessera::testing::ExitResult> result =
      RunToExit(argv, absl::Seconds(60));
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : tessera::testing::ExitResult{};
}

// Flips one character in the middle of the payload segment.
std::string Tamper(std::string token) {
  const size_t at = token.find('.') + 5;
  token[at] = token[at] == 'A' ? 'B' : 'A';
  return token;
}

class JoseInteropTest : public ::testing::TestWithParam<Algorithm> {
 protected:
  void SetUp() override {
    std::ifstream jose_package(InteropDir() +
                               "/node_modules/jose/package.json");
    ASSERT_TRUE(jose_package.good())
        << "npm's jose is not installed: run `npm ci --prefix tests/interop` "
           "(tools/test.sh does)";
    dir_ = NewTempPath("jose");
    ASSERT_EQ(::mkdir(dir_.c_str(), 0700), 0);
  }

  std::string dir_;
};

TEST_P(JoseInteropTest, JoseVerifiesWhatTheCodecSigns) {
  PrivateKey key = *PrivateKey::Generate(GetParam());
  KeySet keys;
  ASSERT_TRUE(keys.Add(key.public_key()).ok());
  AccessTokenClaims claims;
  claims.issuer = kIssuer;
  claims.subject = "user-from-tessera";
  claims.audience = {kAudience};
  claims.issued_at = absl::Now();
  claims.expires_at = claims.issued_at + absl::Minutes(10);
  claims.session_id = "session-from-tessera";
  claims.token_id = "jti-1";
  claims.custom.Set("roles", Json::MakeArray({Json::String("admin")}));
  const std::string token = *SignAccessToken(key, claims);
  WriteFile(dir_ + "/jwks.json", keys.ToJwksJson());
  WriteFile(dir_ + "/token", token);
  WriteFile(dir_ + "/tampered", Tamper(token));

  tessera::testing::ExitResult ok = Jose(
      {"verify", dir_ + "/jwks.json", dir_ + "/token", kIssuer, kAudience});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  absl::StatusOr<Json> printed = ParseJson(ok.output, {.max_bytes = 65536});
  ASSERT_TRUE(printed.ok()) << ok.output;
  const Json* payload = printed->Find("payload");
  ASSERT_NE(payload, nullptr);
  EXPECT_EQ(payload->Find("sub")->string_value(), "user-from-tessera");
  EXPECT_EQ(payload->Find("sid")->string_value(), "session-from-tessera");
  EXPECT_EQ(*payload->Find("roles"), *claims.custom.Find("roles"));
  EXPECT_EQ(printed->Find("header")->Find("kid")->string_value(), key.kid());

  tessera::testing::ExitResult tampered = Jose(
      {"verify", dir_ + "/jwks.json", dir_ + "/tampered", kIssuer, kAudience});
  EXPECT_NE(tampered.exit_code, 0) << tampered.output;
  tessera::testing::ExitResult wrong_audience =
      Jose({"verify", dir_ + "/jwks.json", dir_ + "/token", kIssuer, "other"});
  EXPECT_NE(wrong_audience.exit_code, 0) << wrong_audience.output;
}

TEST_P(JoseInteropTest, CodecVerifiesWhatJoseSigns) {
  tessera::testing::ExitResult signed_by_jose =
      Jose({"sign", std::string(AlgorithmName(GetParam())), dir_, kIssuer,
            kAudience});
  ASSERT_EQ(signed_by_jose.exit_code, 0) << signed_by_jose.output;
  absl::StatusOr<KeySet> keys =
      KeySet::FromJwksJson(ReadFile(dir_ + "/jwks.json"));
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), 1u);
  // jose's kid is its RFC 7638 thumbprint: ours must agree.
  EXPECT_EQ(keys->keys()[0].kid(), keys->keys()[0].Thumbprint());

  VerifyOptions options;
  options.policy.issuer = kIssuer;
  options.policy.audience = {kAudience};
  const std::string token = ReadFile(dir_ + "/token");
  auto result = VerifyAccessToken(token, *keys, options, absl::Now());
  ASSERT_TRUE(std::holds_alternative<VerifiedToken>(result))
      << TokenErrorName(std::get<TokenFailure>(result).error) << ": "
      << std::get<TokenFailure>(result).detail;
  const VerifiedToken& verified = std::get<VerifiedToken>(result);
  EXPECT_EQ(verified.algorithm, GetParam());
  EXPECT_EQ(verified.claims.subject, "user-from-jose");
  EXPECT_EQ(verified.claims.session_id, "session-from-jose");
  EXPECT_EQ(verified.claims.token_id, "jti-from-jose");
  EXPECT_EQ(verified.claims.audience, std::vector<std::string>{kAudience});
  EXPECT_EQ(verified.claims.custom.Serialize(),
            R"({"roles":["admin","billing"],"n":{"x":1.5}})");

  auto tampered = VerifyAccessToken(Tamper(token), *keys, options, absl::Now());
  ASSERT_TRUE(std::holds_alternative<TokenFailure>(tampered));
  EXPECT_EQ(std::get<TokenFailure>(tampered).error, TokenError::kBadSignature);
}

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, JoseInteropTest,
                         ::testing::Values(Algorithm::kES256, Algorithm::kEdDSA,
                                           Algorithm::kRS256),
                         [](const auto& info) {
                           return std::string(AlgorithmName(info.param));
                         });

}  // namespace
}  // namespace tessera::token
