// The example relying service end to end: tesserad issues a session; the
// Notes service, holding a Verifier, authenticates Bearer tokens locally;
// a revocation or a claims change reaches it by sequence; missing or
// garbage credentials are UNAUTHENTICATED.

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "client/api/client.h"
#include "client/verifier/verifier.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/example/notes_service.h"
#include "tests/testing/tesserad_process.h"

namespace example {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class NotesExampleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tesserad = tessera::testing::TesseradProcess::Start({});
    ASSERT_TRUE(tesserad.ok()) << tesserad.status();
    tesserad_ = std::move(*tesserad);
    tessera_ = std::make_unique<tessera::Client>(
        tessera::ClientOptions{.target = tesserad_->grpc_address()});
    tessera::VerifierOptions options;
    options.target = tesserad_->grpc_address();
    options.audience = {"notes"};
    auto verifier = tessera::Verifier::Start(options);
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = *std::move(verifier);
    ASSERT_TRUE(verifier_->WaitUntilReady(absl::Seconds(15)));

    service_ = std::make_unique<NotesService>(verifier_.get());
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    notes_ = example::v1::Notes::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  grpc::Status WhoAmI(const std::string& authorization,
                      example::v1::WhoAmIResponse* response) {
    grpc::ClientContext context;
    if (!authorization.empty()) {
      context.AddMetadata("authorization", authorization);
    }
    return notes_->WhoAmI(&context, {}, response);
  }

  std::unique_ptr<tessera::testing::TesseradProcess> tesserad_;
  std::unique_ptr<tessera::Client> tessera_;
  std::unique_ptr<tessera::Verifier> verifier_;
  std::unique_ptr<NotesService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<example::v1::Notes::Stub> notes_;
};

TEST_F(NotesExampleTest, AuthenticatesFollowsRevocationAndClaims) {
  tessera::v1::IssueSessionRequest issue;
  issue.set_subject("ada");
  issue.add_audience("notes");
  (*issue.mutable_claims()->mutable_fields())["plan"].set_string_value("pro");
  absl::StatusOr<tessera::v1::SessionTokens> session =
      tessera_->IssueSession(issue);
  ASSERT_TRUE(session.ok()) << session.status();

  example::v1::WhoAmIResponse me;
  ASSERT_TRUE(WhoAmI("Bearer " + session->access_token(), &me).ok());
  EXPECT_EQ(me.subject(), "ada");
  EXPECT_EQ(me.plan(), "pro");

  // The user changes plan: old tokens are STALE_CLAIMS at once; a refresh
  // brings the new claims.
  tessera::v1::UpdateClaimsRequest update;
  update.set_subject("ada");
  (*update.mutable_claims()->mutable_fields())["plan"].set_string_value("free");
  update.set_invalidate_access_tokens(true);
  auto updated = tessera_->UpdateClaims(update);
  ASSERT_TRUE(updated.ok()) << updated.status();
  ASSERT_TRUE(
      verifier_->WaitForSequence(updated->sequence(), absl::Seconds(15)));
  grpc::Status stale = WhoAmI("Bearer " + session->access_token(), &me);
  EXPECT_EQ(stale.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(stale.error_message(),
              StartsWith("TOKEN_INVALID_REASON_STALE_CLAIMS"));
  tessera::v1::RefreshSessionRequest refresh;
  refresh.set_refresh_token(session->refresh_token());
  auto refreshed = tessera_->RefreshSession(refresh);
  ASSERT_TRUE(refreshed.ok()) << refreshed.status();
  ASSERT_TRUE(WhoAmI("bearer " + refreshed->access_token(), &me).ok());
  EXPECT_EQ(me.plan(), "free");

  // Sign out: the next request is refused, without a call to tesserad.
  tessera::v1::RevokeSessionRequest revoke;
  revoke.set_session_id(session->session_id());
  auto revoked = tessera_->RevokeSession(revoke);
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  ASSERT_TRUE(
      verifier_->WaitForSequence(revoked->sequence(), absl::Seconds(15)));
  grpc::Status out = WhoAmI("Bearer " + refreshed->access_token(), &me);
  EXPECT_EQ(out.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(out.error_message(),
              StartsWith("TOKEN_INVALID_REASON_SESSION_REVOKED"));

  // And the client library reports typed reasons from tesserad.
  auto reused = tessera_->RefreshSession(refresh);
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(tessera::ErrorReason(reused.status()), "SESSION_REVOKED");
}

// The gRPC metadata is read exactly as an HTTP Authorization field
// (client/auth/http_bearer.h ParseAuthorization, docs/http-contract.md): the
// scheme in any case, 1*SP, one b64token, surrounding spaces ignored.
TEST_F(NotesExampleTest, AuthorizationIsParsedAsTheHttpContractSays) {
  tessera::v1::IssueSessionRequest issue;
  issue.set_subject("ada");
  issue.add_audience("notes");
  absl::StatusOr<tessera::v1::SessionTokens> session =
      tessera_->IssueSession(issue);
  ASSERT_TRUE(session.ok()) << session.status();
  const std::string token = session->access_token();
  example::v1::WhoAmIResponse me;
  for (const std::string& accepted :
       {"Bearer " + token, "bearer " + token, "BEARER " + token,
        "Bearer   " + token, "Bearer " + token + " ", " Bearer " + token}) {
    grpc::Status status = WhoAmI(accepted, &me);
    EXPECT_TRUE(status.ok())
        << "[" << accepted.substr(0, 12) << "...]: " << status.error_message();
  }
  for (const std::string& refused :
       {std::string("Bearer"), std::string("Bearer "), "Bearer" + token,
        "Bearer " + token + " x", "Bearer " + token + ",", "Bearer x " + token,
        "Token " + token}) {
    grpc::Status status = WhoAmI(refused, &me);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << "[" << refused.substr(0, 12) << "...]";
  }
}

TEST_F(NotesExampleTest, MissingOrHostileCredentialsAreUnauthenticated) {
  example::v1::WhoAmIResponse me;
  for (const std::string& header :
       {std::string(""), std::string("Basic YWxhZGRpbjpvcGVu"),
        std::string("Bearer"), std::string("Bearer not.a.token"),
        std::string("Bearer ") + std::string(4000, 'a')}) {
    grpc::Status status = WhoAmI(header, &me);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << header.substr(0, 30);
  }
  grpc::ClientContext twice;
  twice.AddMetadata("authorization", "Bearer a.b.c");
  twice.AddMetadata("authorization", "Bearer d.e.f");
  EXPECT_THAT(notes_->WhoAmI(&twice, {}, &me).error_message(),
              HasSubstr("more than one"));

  // A token for another audience is refused by the Verifier's policy.
  tessera::v1::IssueSessionRequest issue;
  issue.set_subject("mallory");
  issue.add_audience("billing");
  auto other = tessera_->IssueSession(issue);
  ASSERT_TRUE(other.ok());
  grpc::Status wrong = WhoAmI("Bearer " + other->access_token(), &me);
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(wrong.error_message(),
              StartsWith("TOKEN_INVALID_REASON_WRONG_AUDIENCE"));
}

}  // namespace
}  // namespace example
