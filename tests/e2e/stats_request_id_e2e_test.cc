// On the real binary: Admin.GetStats counts the live sessions in the
// background (active_sessions, active_sessions_counted_at, and the same on
// /metrics), and IssueSession's request_id makes a retried issue return the
// session its first attempt started.

#include <httplib.h>

#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "tessera/v1/admin.grpc.pb.h"
#include "tessera/v1/token_authority.grpc.pb.h"
#include "tests/testing/grpc_calls.h"
#include "tests/testing/tesserad_process.h"

namespace tessera {
namespace {

using ::tessera::testing::NewTempDir;
using ::tessera::testing::ReasonOf;
using ::tessera::testing::TesseradProcess;
using ::tessera::v1::SessionTokens;
using ::tessera::v1::TokenAuthority;
using ::testing::HasSubstr;

constexpr char kId[] = "5f0c3f4e-8a0d-4f5e-b1a2-6c7d8e9f0a1b";

// Generous: polls end as soon as the condition holds.
constexpr absl::Duration kPatience = absl::Seconds(60);

class StatsRequestIdTest : public ::testing::Test {
 protected:
  void SetUp() override { Start({}); }

  void Start(TesseradProcess::Options options) {
    server_.reset();
    auto server = TesseradProcess::Start(std::move(options));
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
  static v1::IssueSessionRequest Request(const std::string& subject,
                                         const std::string& id = kId) {
    v1::IssueSessionRequest request;
    request.set_subject(subject);
    request.set_request_id(id);
    request.mutable_client()->set_device_name("laptop");
    return request;
  }
  grpc::Status Issue(const v1::IssueSessionRequest& request,
                     SessionTokens* out) {
    return Call(&TokenAuthority::Stub::IssueSession, request, out);
  }
  grpc::Status Refresh(const std::string& token, SessionTokens* out) {
    v1::RefreshSessionRequest request;
    request.set_refresh_token(token);
    return Call(&TokenAuthority::Stub::RefreshSession, request, out);
  }
  bool Valid(const std::string& access_token) {
    v1::ValidateTokenRequest request;
    request.set_access_token(access_token);
    v1::ValidateTokenResponse response;
    EXPECT_TRUE(
        Call(&TokenAuthority::Stub::ValidateToken, request, &response).ok());
    return response.valid();
  }
  int SessionsOf(const std::string& subject) {
    v1::ListSessionsRequest request;
    request.set_subject(subject);
    request.set_include_revoked(true);
    v1::ListSessionsResponse response;
    EXPECT_TRUE(
        Call(&TokenAuthority::Stub::ListSessions, request, &response).ok());
    return response.sessions_size();
  }
  v1::GetStatsResponse Stats() {
    auto admin = v1::Admin::NewStub(channel_);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(20));
    v1::GetStatsResponse stats;
    EXPECT_TRUE(admin->GetStats(&context, {}, &stats).ok());
    return stats;
  }
  // Polls GetStats (bounded) until a count taken after `after` is there.
  v1::GetStatsResponse StatsCountedAfter(absl::Time after) {
    const absl::Time deadline = absl::Now() + kPatience;
    v1::GetStatsResponse stats;
    while (absl::Now() < deadline) {
      stats = Stats();
      if (stats.has_active_sessions_counted_at() &&
          absl::FromUnixSeconds(stats.active_sessions_counted_at().seconds()) +
                  absl::Nanoseconds(
                      stats.active_sessions_counted_at().nanos()) >
              after) {
        return stats;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    ADD_FAILURE() << "no count after " << after << ": "
                  << stats.ShortDebugString();
    return stats;
  }
  std::string Metrics() {
    httplib::Client client(absl::StrCat("http://", server_->http_address()));
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(10, 0);
    httplib::Result result = client.Get("/metrics");
    EXPECT_TRUE(result && result->status == 200);
    return result ? result->body : "";
  }

  std::unique_ptr<TesseradProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<TokenAuthority::Stub> stub_;
};

TEST_F(StatsRequestIdTest, ActiveSessionsCountsLiveSessionsAtTheNextCount) {
  // The interval from the config file: every second.
  const std::string config = NewTempDir("stats") + ".cfg";
  std::ofstream(config) << "active_sessions_interval { seconds: 1 }\n";
  Start({.flags = {"--config=" + config}});
  const v1::GetStatsResponse empty = StatsCountedAfter(absl::InfinitePast());
  EXPECT_EQ(empty.active_sessions(), 0);

  std::vector<std::string> sessions;
  for (int i = 0; i < 3; ++i) {
    v1::IssueSessionRequest request;
    request.set_subject(absl::StrCat("user-", i));
    SessionTokens tokens;
    ASSERT_TRUE(Issue(request, &tokens).ok());
    sessions.push_back(tokens.session_id());
  }
  v1::RevokeSessionRequest revoke;
  revoke.set_session_id(sessions[1]);
  v1::RevokeSessionResponse revoked;
  ASSERT_TRUE(
      Call(&TokenAuthority::Stub::RevokeSession, revoke, &revoked).ok());
  ASSERT_EQ(revoked.revoked_count(), 1);
  const absl::Time written = absl::Now();

  const v1::GetStatsResponse stats = StatsCountedAfter(written);
  EXPECT_EQ(stats.active_sessions(), 2);
  EXPECT_GE(stats.stored_sessions(), 3);
  const std::string metrics = Metrics();
  EXPECT_THAT(metrics, HasSubstr("\n# TYPE tessera_sessions_active gauge\n"));
  EXPECT_THAT(metrics, HasSubstr("\ntessera_sessions_active 2\n"));
  EXPECT_THAT(metrics,
              HasSubstr("\ntessera_sessions_active_timestamp_seconds "));
}

TEST_F(StatsRequestIdTest, TheSameIdTwiceGetsTheSameSessionAndRefreshToken) {
  SessionTokens first, second;
  ASSERT_TRUE(Issue(Request("alice"), &first).ok());
  const grpc::Status retried = Issue(Request("alice"), &second);
  ASSERT_TRUE(retried.ok()) << retried.error_message();
  EXPECT_EQ(second.session_id(), first.session_id());
  EXPECT_EQ(second.refresh_token(), first.refresh_token());
  EXPECT_NE(second.access_token(), first.access_token());  // Freshly minted.
  EXPECT_TRUE(Valid(second.access_token()));
  EXPECT_EQ(SessionsOf("alice"), 1);

  SessionTokens rotated;
  const grpc::Status refreshed = Refresh(second.refresh_token(), &rotated);
  ASSERT_TRUE(refreshed.ok()) << refreshed.error_message();
  EXPECT_EQ(rotated.session_id(), first.session_id());
  EXPECT_TRUE(Valid(rotated.access_token()));
}

TEST_F(StatsRequestIdTest, AnotherRequestUnderTheSameIdIsReused) {
  SessionTokens first, other;
  ASSERT_TRUE(Issue(Request("bob"), &first).ok());
  v1::IssueSessionRequest changed = Request("bob");
  changed.mutable_client()->set_device_name("phone");
  const grpc::Status reused = Issue(changed, &other);
  EXPECT_EQ(reused.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOf(reused), "REQUEST_ID_REUSED");
  EXPECT_EQ(ReasonOf(Issue(Request("carol"), &other)), "REQUEST_ID_REUSED");
  EXPECT_EQ(SessionsOf("bob"), 1);
  EXPECT_EQ(SessionsOf("carol"), 0);
}

TEST_F(StatsRequestIdTest, AfterARefreshTheIdIsSpent) {
  SessionTokens first, rotated, again;
  ASSERT_TRUE(Issue(Request("dave"), &first).ok());
  ASSERT_TRUE(Refresh(first.refresh_token(), &rotated).ok());
  const grpc::Status spent = Issue(Request("dave"), &again);
  EXPECT_EQ(spent.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(spent), "REQUEST_ID_SPENT");
  EXPECT_EQ(SessionsOf("dave"), 1);
  // The session itself goes on.
  SessionTokens next;
  EXPECT_TRUE(Refresh(rotated.refresh_token(), &next).ok());
}

TEST_F(StatsRequestIdTest, InvalidIdsAreRefused) {
  for (const std::string& id :
       {std::string(15, 'a'), std::string(129, 'a'),
        absl::StrCat(std::string(20, 'a'), "\t"),
        absl::StrCat(std::string(20, 'a'), "\x7f"),
        absl::StrCat(std::string(20, 'a'), "\xc3\xa9")}) {
    SessionTokens tokens;
    const grpc::Status refused = Issue(Request("erin", id), &tokens);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << id;
    EXPECT_EQ(ReasonOf(refused), "REQUEST_ID_INVALID") << id;
  }
  EXPECT_EQ(SessionsOf("erin"), 0);
}

TEST_F(StatsRequestIdTest, EightConcurrentIssuesWithOneIdMakeOneSession) {
  std::vector<std::string> answers(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      SessionTokens tokens;
      const grpc::Status status = Issue(Request("frank"), &tokens);
      answers[i] = status.ok() ? absl::StrCat(tokens.session_id(), " ",
                                              tokens.refresh_token())
                               : status.error_message();
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& answer : answers) EXPECT_EQ(answer, answers[0]);
  EXPECT_EQ(SessionsOf("frank"), 1);
}

TEST_F(StatsRequestIdTest, TheIdSurvivesARestart) {
  SessionTokens first, again;
  ASSERT_TRUE(Issue(Request("gina"), &first).ok());
  const std::string data_dir = server_->data_dir();
  ASSERT_TRUE(server_->Terminate().ok());
  Start({.data_dir = data_dir});
  const grpc::Status retried = Issue(Request("gina"), &again);
  ASSERT_TRUE(retried.ok()) << retried.error_message();
  EXPECT_EQ(again.session_id(), first.session_id());
  EXPECT_EQ(again.refresh_token(), first.refresh_token());
  EXPECT_TRUE(Valid(again.access_token()));
  EXPECT_EQ(SessionsOf("gina"), 1);
}

}  // namespace
}  // namespace tessera
