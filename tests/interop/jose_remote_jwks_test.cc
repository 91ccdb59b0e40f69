// A relying service's view: Node's `jose` with createRemoteJWKSet fetches
// tesserad's HTTP JWKS (/.well-known/jwks.json) and verifies a token the real
// tesserad issued, for each signing algorithm; a tampered token is refused.
// Needs `npm ci --prefix tests/interop` first (tools/test.sh runs it).

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tessera/v1/token_authority.grpc.pb.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/tesserad_process.h"

namespace tessera {
namespace {

using ::tessera::testing::NewTempPath;
using ::tessera::testing::RunToExit;
using ::tessera::testing::TesseradProcess;
using ::testing::HasSubstr;

constexpr char kIssuer[] = "https://tessera.test";
constexpr char kAudience[] = "api.test";

std::string InteropDir() {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/",
                      std::getenv("TEST_WORKSPACE"), "/tests/interop");
}

// `node jose_tool.mjs verify-remote URL TOKEN_FILE ISSUER AUDIENCE`.
tessera::testing::ExitResult VerifyRemote(const std::string& url,
                                          const std::string& token) {
  const std::string token_file = NewTempPath("token");
  std::ofstream(token_file) << token;
  absl::StatusOr<tessera::testing::ExitResult> result =
      RunToExit({"node", InteropDir() + "/jose_tool.mjs", "verify-remote", url,
                 token_file, kIssuer, kAudience},
                absl::Seconds(60));
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : tessera::testing::ExitResult{};
}

class JoseRemoteJwksTest : public ::testing::TestWithParam<const char*> {};

TEST_P(JoseRemoteJwksTest, JoseVerifiesTesseradTokensFromTheHttpJwks) {
  std::ifstream jose_package(InteropDir() + "/node_modules/jose/package.json");
  ASSERT_TRUE(jose_package.good())
      << "npm's jose is not installed: run `npm ci --prefix tests/interop`";
  auto server = TesseradProcess::Start(
      {.flags = {absl::StrCat("--signing_alg=", GetParam()),
                 absl::StrCat("--issuer=", kIssuer)}});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = tessera::v1::TokenAuthority::NewStub(grpc::CreateChannel(
      (*server)->grpc_address(), grpc::InsecureChannelCredentials()));
  tessera::v1::IssueSessionRequest request;
  request.set_subject("alice");
  request.add_audience(kAudience);
  (*request.mutable_claims()->mutable_fields())["plan"].set_string_value("pro");
  tessera::v1::SessionTokens tokens;
  grpc::ClientContext context;
  ASSERT_TRUE(stub->IssueSession(&context, request, &tokens).ok());

  const std::string url = absl::StrCat("http://", (*server)->http_address(),
                                       "/.well-known/jwks.json");
  tessera::testing::ExitResult accepted =
      VerifyRemote(url, tokens.access_token());
  EXPECT_EQ(accepted.exit_code, 0) << accepted.output;
  EXPECT_THAT(accepted.output,
              HasSubstr(absl::StrCat("\"alg\":\"", GetParam(), "\"")));
  EXPECT_THAT(accepted.output, HasSubstr("\"sub\":\"alice\""));
  EXPECT_THAT(accepted.output, HasSubstr("\"plan\":\"pro\""));

  std::string tampered = tokens.access_token();
  const size_t at = tampered.find('.') + 5;
  tampered[at] = tampered[at] == 'A' ? 'B' : 'A';
  tessera::testing::ExitResult refused = VerifyRemote(url, tampered);
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
}

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, JoseRemoteJwksTest,
                         ::testing::Values("ES256", "EdDSA", "RS256"));

}  // namespace
}  // namespace tessera
