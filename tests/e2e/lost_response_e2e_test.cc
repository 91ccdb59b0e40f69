// Refresh answers that never arrive, on the real binary with a 1 s grace
// window: a client retrying with the token it still holds gets the same
// successor back however late, as long as that successor was never used;
// once it was, the old token is reuse and the session ends (audited, and
// watching Verifiers hear of it). A thief holding the same parent ends on
// the same successor, so whoever uses it second is caught.

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/verifier/verifier.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "tessera/v1/admin.grpc.pb.h"
#include "tessera/v1/token_authority.grpc.pb.h"
#include "tests/testing/grpc_calls.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/tesserad_process.h"

namespace tessera {
namespace {

using ::tessera::testing::NewTempDir;
using ::tessera::testing::ReadFileOrEmpty;
using ::tessera::testing::ReasonOf;
using ::tessera::testing::TesseradProcess;
using ::tessera::v1::SessionTokens;
using ::tessera::v1::TokenAuthority;
using ::testing::HasSubstr;

// Past the 1 s grace window.
constexpr absl::Duration kAfterGrace = absl::Seconds(3);

class LostResponseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    audit_file_ = NewTempDir("audit") + ".jsonl";
    auto server = TesseradProcess::Start(
        {.flags = {"--refresh_grace=1s", "--audit_log_file=" + audit_file_}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(server_->grpc_address(),
                                   grpc::InsecureChannelCredentials());
    stub_ = TokenAuthority::NewStub(channel_);
  }

  template <typename Method, typename Request, typename Response>
  grpc::Status Call(Method method, const Request& request, Response* out) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(20));
    return ((*stub_).*method)(&context, request, out);
  }
  SessionTokens Issue(const std::string& subject) {
    v1::IssueSessionRequest request;
    request.set_subject(subject);
    SessionTokens tokens;
    EXPECT_TRUE(
        Call(&TokenAuthority::Stub::IssueSession, request, &tokens).ok());
    return tokens;
  }
  grpc::Status Refresh(const std::string& token, SessionTokens* out) {
    v1::RefreshSessionRequest request;
    request.set_refresh_token(token);
    return Call(&TokenAuthority::Stub::RefreshSession, request, out);
  }
  v1::TokenInvalidReason Validate(const std::string& access_token) {
    v1::ValidateTokenRequest request;
    request.set_access_token(access_token);
    v1::ValidateTokenResponse response;
    EXPECT_TRUE(
        Call(&TokenAuthority::Stub::ValidateToken, request, &response).ok());
    return response.valid() ? v1::TOKEN_INVALID_REASON_UNSPECIFIED
                            : response.reason();
  }
  uint64_t Generation(const std::string& session_id) {
    v1::GetSessionRequest request;
    request.set_session_id(session_id);
    v1::Session session;
    EXPECT_TRUE(
        Call(&TokenAuthority::Stub::GetSession, request, &session).ok());
    return session.generation();
  }
  uint64_t LastSequence() {
    auto admin = v1::Admin::NewStub(channel_);
    grpc::ClientContext context;
    v1::GetStatsResponse stats;
    EXPECT_TRUE(admin->GetStats(&context, {}, &stats).ok());
    return stats.last_sequence();
  }

  std::string audit_file_;
  std::unique_ptr<TesseradProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<TokenAuthority::Stub> stub_;
};

TEST_F(LostResponseTest, ARetryGetsTheUnusedSuccessorThenIsReuseOnceItIsUsed) {
  VerifierOptions options;
  options.target = server_->grpc_address();
  options.audience = {"api"};
  auto verifier = Verifier::Start(options);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  ASSERT_TRUE((*verifier)->WaitUntilReady(absl::Seconds(20)));

  SessionTokens a = Issue("alice");
  SessionTokens b;
  ASSERT_TRUE(Refresh(a.refresh_token(), &b).ok());  // The answer is lost.
  absl::SleepFor(kAfterGrace);
  SessionTokens b_again;
  grpc::Status retried = Refresh(a.refresh_token(), &b_again);
  ASSERT_TRUE(retried.ok()) << retried.error_message();
  EXPECT_EQ(b_again.refresh_token(), b.refresh_token());
  EXPECT_EQ(Validate(b_again.access_token()),
            v1::TOKEN_INVALID_REASON_UNSPECIFIED);
  EXPECT_EQ(Generation(a.session_id()), 1u);

  SessionTokens c;
  ASSERT_TRUE(Refresh(b_again.refresh_token(), &c).ok());
  SessionTokens none;
  grpc::Status reused = Refresh(a.refresh_token(), &none);
  EXPECT_EQ(reused.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ReasonOf(reused), "REFRESH_TOKEN_REUSED");
  // The other holder learns why too.
  EXPECT_EQ(ReasonOf(Refresh(c.refresh_token(), &none)),
            "REFRESH_TOKEN_REUSED");
  EXPECT_EQ(Validate(c.access_token()),
            v1::TOKEN_INVALID_REASON_SESSION_REVOKED);
  // The revocation reached the watching Verifier ...
  ASSERT_TRUE((*verifier)->WaitForSequence(LastSequence(), absl::Seconds(20)));
  absl::StatusOr<VerifiedClaims> seen = (*verifier)->Verify(c.access_token());
  EXPECT_EQ(TokenInvalidReasonOf(seen.status()),
            v1::TOKEN_INVALID_REASON_SESSION_REVOKED);
  // ... and the audit log.
  ASSERT_TRUE(server_->Terminate().ok());
  EXPECT_THAT(ReadFileOrEmpty(audit_file_),
              HasSubstr(absl::StrCat("\"audit\":\"RefreshSession\",\"caller\":"
                                     "\"local\",\"target\":\"",
                                     a.session_id(),
                                     "\",\"result\":\"UNAUTHENTICATED\","
                                     "\"reason\":\"REFRESH_TOKEN_REUSED\"")));
}

TEST_F(LostResponseTest, AThiefHoldingTheSameParentIsCaughtBySecondUse) {
  SessionTokens a = Issue("bob");  // Both the user and a thief hold A.
  SessionTokens user_b;
  ASSERT_TRUE(Refresh(a.refresh_token(), &user_b).ok());  // Answer lost.
  absl::SleepFor(kAfterGrace);
  SessionTokens thief_b;
  ASSERT_TRUE(Refresh(a.refresh_token(), &thief_b).ok());
  EXPECT_EQ(thief_b.refresh_token(), user_b.refresh_token());  // One B.
  SessionTokens thief_c;
  ASSERT_TRUE(Refresh(thief_b.refresh_token(), &thief_c).ok());
  absl::SleepFor(kAfterGrace);
  // The user retries with B (its answer was lost): B was handed out twice,
  // so its second use is reuse although C is unused.
  SessionTokens user_c;
  EXPECT_EQ(ReasonOf(Refresh(user_b.refresh_token(), &user_c)),
            "REFRESH_TOKEN_REUSED");
  EXPECT_EQ(Validate(thief_c.access_token()),
            v1::TOKEN_INVALID_REASON_SESSION_REVOKED);
  SessionTokens none;
  EXPECT_EQ(ReasonOf(Refresh(thief_c.refresh_token(), &none)),
            "REFRESH_TOKEN_REUSED");
}

TEST_F(LostResponseTest, ConcurrentRetriesAfterTheWindowShareOneSuccessor) {
  SessionTokens a = Issue("carol");
  SessionTokens b;
  ASSERT_TRUE(Refresh(a.refresh_token(), &b).ok());  // Answer lost.
  absl::SleepFor(kAfterGrace);
  std::vector<std::string> results(32);
  std::vector<std::thread> threads;
  for (int i = 0; i < 32; ++i) {
    threads.emplace_back([&, i] {
      SessionTokens out;
      grpc::Status status = Refresh(a.refresh_token(), &out);
      results[i] = status.ok() ? out.refresh_token() : status.error_message();
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& result : results) {
    EXPECT_EQ(result, b.refresh_token());
  }
  EXPECT_EQ(Generation(a.session_id()), 1u);
  SessionTokens c;
  EXPECT_TRUE(Refresh(b.refresh_token(), &c).ok());
}

}  // namespace
}  // namespace tessera
