// Emergency key withdrawal against the real tesserad (Admin.WithdrawSigningKey,
// `tessera withdraw-key`): the key's tokens are refused at once by
// ValidateToken and by a following Verifier (even a token it had cached),
// the JWKS (gRPC and HTTP) no longer lists it, tokens are signed by the
// promoted key, and the audit log has the call.

#include <httplib.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "client/token/base64url.h"
#include "client/token/json.h"
#include "client/verifier/verifier.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tessera/v1/admin.grpc.pb.h"
#include "tessera/v1/token_authority.grpc.pb.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/tesserad_process.h"

namespace tessera {
namespace {

using ::tessera::testing::ExitResult;
using ::tessera::testing::KidOf;
using ::tessera::testing::NewTempDir;
using ::tessera::testing::ReadFileOrEmpty;
using ::tessera::testing::RunToExit;
using ::tessera::testing::ShellQuote;
using ::tessera::testing::TesseradProcess;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::Duration kWait = absl::Seconds(15);

class WithdrawKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    audit_file_ = NewTempDir("withdraw-audit") + ".jsonl";
    auto server =
        TesseradProcess::Start({.flags = {"--audit_log_file=" + audit_file_}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto channel = grpc::CreateChannel(server_->grpc_address(),
                                       grpc::InsecureChannelCredentials());
    tokens_ = v1::TokenAuthority::NewStub(channel);
  }

  std::string Issue() {
    v1::IssueSessionRequest request;
    request.set_subject("mallory-target");
    request.add_audience("api");
    v1::SessionTokens tokens;
    grpc::ClientContext context;
    EXPECT_TRUE(tokens_->IssueSession(&context, request, &tokens).ok());
    return tokens.access_token();
  }
  v1::ValidateTokenResponse Validate(const std::string& token) {
    v1::ValidateTokenRequest request;
    request.set_access_token(token);
    v1::ValidateTokenResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(tokens_->ValidateToken(&context, request, &response).ok());
    return response;
  }
  std::string HttpJwks() {
    httplib::Client client(absl::StrCat("http://", server_->http_address()));
    httplib::Result result = client.Get("/.well-known/jwks.json");
    return result ? result->body : "";
  }
  std::string GrpcJwks() {
    v1::GetJwksResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(tokens_->GetJwks(&context, {}, &response).ok());
    return response.jwks_json();
  }
  // `tessera --address=<server> args...`.
  ExitResult Tessera(const std::vector<std::string>& args) {
    std::string command = absl::StrCat(
        ShellQuote(::tessera::testing::RunfilePath("tools/cli/tessera")),
        " --address=", ShellQuote(server_->grpc_address()));
    for (const std::string& arg : args)
      absl::StrAppend(&command, " ", ShellQuote(arg));
    auto run = RunToExit({"bash", "-c", command}, absl::Seconds(60));
    EXPECT_TRUE(run.ok()) << run.status();
    return run.ok() ? *run : ExitResult{};
  }

  std::string audit_file_;
  std::unique_ptr<TesseradProcess> server_;
  std::unique_ptr<v1::TokenAuthority::Stub> tokens_;
};

TEST_F(WithdrawKeyTest, WithdrawnKeysTokensAreRefusedEverywhereAtOnce) {
  VerifierOptions options;
  options.target = server_->grpc_address();
  options.audience = {"api"};
  absl::StatusOr<std::unique_ptr<Verifier>> started = Verifier::Start(options);
  ASSERT_TRUE(started.ok()) << started.status();
  std::unique_ptr<Verifier> verifier = *std::move(started);
  ASSERT_TRUE(verifier->WaitUntilReady(kWait));

  const std::string token = Issue();
  const std::string kid = KidOf(token);
  ASSERT_FALSE(kid.empty());
  ASSERT_TRUE(Validate(token).valid());       // Now in ValidateToken's cache.
  ASSERT_TRUE(verifier->Verify(token).ok());  // Now in the Verifier's cache.
  ASSERT_THAT(HttpJwks(), HasSubstr(kid));

  const ExitResult run = Tessera(
      {"--json", "withdraw-key", "--kid=" + kid, "--reason=key file leaked"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  v1::WithdrawSigningKeyResponse withdrawn;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(run.output, &withdrawn).ok())
      << run.output;
  EXPECT_EQ(withdrawn.withdrawn().kid(), kid);
  EXPECT_EQ(withdrawn.withdrawn().state(), v1::KEY_STATE_ACTIVE);
  EXPECT_NE(withdrawn.active().kid(), kid);
  EXPECT_FALSE(withdrawn.next().kid().empty());
  ASSERT_GT(withdrawn.sequence(), 0u);

  const v1::ValidateTokenResponse validated = Validate(token);
  EXPECT_FALSE(validated.valid());
  EXPECT_EQ(validated.reason(), v1::TOKEN_INVALID_REASON_UNKNOWN_KEY);

  ASSERT_TRUE(verifier->WaitForSequence(withdrawn.sequence(), kWait));
  absl::StatusOr<VerifiedClaims> verified = verifier->Verify(token);
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(TokenInvalidReasonOf(verified.status()),
            v1::TOKEN_INVALID_REASON_UNKNOWN_KEY);

  EXPECT_THAT(HttpJwks(), Not(HasSubstr(kid)));
  EXPECT_THAT(GrpcJwks(), Not(HasSubstr(kid)));

  // New tokens are signed by the promoted key and verify everywhere.
  const std::string fresh = Issue();
  EXPECT_EQ(KidOf(fresh), withdrawn.active().kid());
  EXPECT_TRUE(Validate(fresh).valid());
  EXPECT_TRUE(verifier->Verify(fresh).ok());

  EXPECT_THAT(ReadFileOrEmpty(audit_file_),
              HasSubstr(absl::StrCat("\"audit\":\"WithdrawSigningKey\"")));
  EXPECT_THAT(ReadFileOrEmpty(audit_file_),
              HasSubstr(absl::StrCat("kid=", kid, " reason=key file leaked")));
}

TEST_F(WithdrawKeyTest, UnknownOrMissingKidIsRefusedAndAudited) {
  const ExitResult unknown = Tessera({"withdraw-key", "--kid=no-such-kid"});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.output;
  EXPECT_THAT(unknown.output, HasSubstr("KEY_NOT_FOUND"));
  const ExitResult missing = Tessera({"withdraw-key"});
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  const ExitResult long_reason =
      Tessera({"withdraw-key", "--kid=x", "--reason=" + std::string(300, 'r')});
  EXPECT_EQ(long_reason.exit_code, 1) << long_reason.output;
  EXPECT_THAT(long_reason.output, HasSubstr("REASON_TOO_LONG"));
  EXPECT_THAT(ReadFileOrEmpty(audit_file_),
              HasSubstr("\"audit\":\"WithdrawSigningKey\""));
  EXPECT_THAT(ReadFileOrEmpty(audit_file_),
              HasSubstr("\"result\":\"NOT_FOUND\""));
}

}  // namespace
}  // namespace tessera
