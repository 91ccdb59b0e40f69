// Session scenarios against the real tesserad binary (docs/sessions.md):
// rotation and reuse detection, concurrent refresh, sign-out-everywhere,
// expiry, restart, and hostile input. Every error is checked by gRPC code and
// google.rpc.ErrorInfo reason.

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "tessera/v1/token_authority.grpc.pb.h"
#include "tests/testing/grpc_calls.h"
#include "tests/testing/tesserad_process.h"

namespace tessera {
namespace {

using ::tessera::testing::ReasonOf;
using ::tessera::testing::TesseradProcess;
using ::tessera::v1::SessionTokens;
using ::tessera::v1::TokenAuthority;

class Client {
 public:
  explicit Client(const std::string& address)
      : stub_(TokenAuthority::NewStub(grpc::CreateChannel(
            address, grpc::InsecureChannelCredentials()))) {}

  grpc::Status Issue(const std::string& subject, SessionTokens* out,
                     const std::string& claims_json_key = "") {
    tessera::v1::IssueSessionRequest request;
    request.set_subject(subject);
    request.add_audience("api");
    if (!claims_json_key.empty()) {
      (*request.mutable_claims()->mutable_fields())[claims_json_key]
          .set_string_value("x");
    }
    return Call(&TokenAuthority::Stub::IssueSession, request, out);
  }
  grpc::Status Issue(const tessera::v1::IssueSessionRequest& request,
                     SessionTokens* out) {
    return Call(&TokenAuthority::Stub::IssueSession, request, out);
  }
  grpc::Status Refresh(const std::string& token, SessionTokens* out) {
    tessera::v1::RefreshSessionRequest request;
    request.set_refresh_token(token);
    return Call(&TokenAuthority::Stub::RefreshSession, request, out);
  }
  tessera::v1::ValidateTokenResponse Validate(
      const std::string& token, const std::string& audience = "") {
    tessera::v1::ValidateTokenRequest request;
    request.set_access_token(token);
    if (!audience.empty()) request.add_audience(audience);
    tessera::v1::ValidateTokenResponse response;
    grpc::Status status =
        Call(&TokenAuthority::Stub::ValidateToken, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }
  grpc::Status UpdateClaims(const tessera::v1::UpdateClaimsRequest& request,
                            tessera::v1::UpdateClaimsResponse* out) {
    return Call(&TokenAuthority::Stub::UpdateClaims, request, out);
  }
  grpc::Status Revoke(const tessera::v1::RevokeSessionRequest& request,
                      tessera::v1::RevokeSessionResponse* out) {
    return Call(&TokenAuthority::Stub::RevokeSession, request, out);
  }

 private:
  template <typename Method, typename Request, typename Response>
  grpc::Status Call(Method method, const Request& request, Response* out) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(20));
    return ((*stub_).*method)(&context, request, out);
  }

  std::unique_ptr<TokenAuthority::Stub> stub_;
};

class SessionsTest : public ::testing::Test {
 protected:
  void StartServer(std::vector<std::string> flags = {}) {
    absl::StatusOr<std::unique_ptr<TesseradProcess>> server =
        TesseradProcess::Start({.data_dir = data_dir_, .flags = flags});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    data_dir_ = server_->data_dir();
    client_ = std::make_unique<Client>(server_->grpc_address());
  }
  void SetUp() override { StartServer(); }

  std::string data_dir_;
  std::unique_ptr<TesseradProcess> server_;
  std::unique_ptr<Client> client_;
};

TEST_F(SessionsTest, RotationThenReuseRevokesTheSession) {
  // No grace window: racing tabs are not what this test is about.
  server_.reset();
  data_dir_.clear();
  StartServer({"--refresh_grace=0s"});
  SessionTokens a, b, c;
  ASSERT_TRUE(client_->Issue("alice", &a).ok());
  EXPECT_EQ(a.token_type(), "Bearer");
  EXPECT_THAT(a.refresh_token(), ::testing::StartsWith("tsr_"));
  auto valid = client_->Validate(a.access_token());
  ASSERT_TRUE(valid.valid());
  EXPECT_EQ(valid.claims().subject(), "alice");
  EXPECT_EQ(valid.claims().session_id(), a.session_id());

  ASSERT_TRUE(client_->Refresh(a.refresh_token(), &b).ok());
  ASSERT_TRUE(client_->Refresh(b.refresh_token(), &c).ok());
  EXPECT_EQ(c.session_id(), a.session_id());
  EXPECT_TRUE(client_->Validate(c.access_token()).valid());

  // A's successor (B) was used: presenting A is reuse. (Within a grace
  // window A would reach C, as a racing tab; after a lost answer only an
  // unused successor comes back.)
  SessionTokens reused;
  grpc::Status status = client_->Refresh(a.refresh_token(), &reused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ReasonOf(status), "REFRESH_TOKEN_REUSED");

  // The current token's holder is told why as well.
  status = client_->Refresh(c.refresh_token(), &reused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ReasonOf(status), "REFRESH_TOKEN_REUSED");
  auto revoked = client_->Validate(c.access_token());
  EXPECT_FALSE(revoked.valid());
  EXPECT_EQ(revoked.reason(),
            tessera::v1::TOKEN_INVALID_REASON_SESSION_REVOKED);
}

TEST_F(SessionsTest, ConcurrentRefreshesGetTheSameSuccessor) {
  SessionTokens a;
  ASSERT_TRUE(client_->Issue("bob", &a).ok());
  std::vector<SessionTokens> results(32);
  std::vector<grpc::Status> statuses(32);
  std::vector<std::thread> threads;
  for (int i = 0; i < 32; ++i) {
    threads.emplace_back([&, i] {
      Client client(server_->grpc_address());
      statuses[i] = client.Refresh(a.refresh_token(), &results[i]);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int i = 0; i < 32; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << i << ": " << statuses[i].error_message();
    EXPECT_EQ(results[i].refresh_token(), results[0].refresh_token());
    EXPECT_TRUE(client_->Validate(results[i].access_token()).valid());
  }
  SessionTokens next;
  ASSERT_TRUE(client_->Refresh(results[0].refresh_token(), &next).ok());
  EXPECT_TRUE(client_->Validate(next.access_token()).valid());
}

TEST_F(SessionsTest, SignOutEverywhereRevokesEverySessionAtOnce) {
  std::vector<SessionTokens> sessions(5);
  for (SessionTokens& s : sessions)
    ASSERT_TRUE(client_->Issue("carol", &s).ok());
  SessionTokens other;
  ASSERT_TRUE(client_->Issue("dave", &other).ok());

  tessera::v1::RevokeSessionRequest request;
  request.set_subject("carol");
  tessera::v1::RevokeSessionResponse response;
  ASSERT_TRUE(client_->Revoke(request, &response).ok());
  EXPECT_EQ(response.revoked_count(), 5);
  EXPECT_GT(response.sequence(), 0u);
  for (const SessionTokens& s : sessions) {
    auto result = client_->Validate(s.access_token());
    EXPECT_FALSE(result.valid());
    EXPECT_EQ(result.reason(),
              tessera::v1::TOKEN_INVALID_REASON_SESSION_REVOKED);
    SessionTokens refreshed;
    grpc::Status status = client_->Refresh(s.refresh_token(), &refreshed);
    EXPECT_EQ(ReasonOf(status), "SESSION_REVOKED");
  }
  EXPECT_TRUE(client_->Validate(other.access_token()).valid());

  // Twice, or unknown targets: not errors, nothing revoked.
  ASSERT_TRUE(client_->Revoke(request, &response).ok());
  EXPECT_EQ(response.revoked_count(), 0);
  request.set_session_id(sessions[0].session_id());
  ASSERT_TRUE(client_->Revoke(request, &response).ok());
  EXPECT_EQ(response.revoked_count(), 0);
  request.set_refresh_token("tsr_not-a-token");
  ASSERT_TRUE(client_->Revoke(request, &response).ok());
  EXPECT_EQ(response.revoked_count(), 0);

  // Revoking by access token revokes that token's session.
  request.set_access_token(other.access_token());
  ASSERT_TRUE(client_->Revoke(request, &response).ok());
  EXPECT_EQ(response.revoked_count(), 1);
  EXPECT_EQ(client_->Validate(other.access_token()).reason(),
            tessera::v1::TOKEN_INVALID_REASON_SESSION_REVOKED);
}

TEST_F(SessionsTest, SessionsAndRevocationsSurviveARestart) {
  SessionTokens live, dead;
  ASSERT_TRUE(client_->Issue("erin", &live).ok());
  ASSERT_TRUE(client_->Issue("frank", &dead).ok());
  tessera::v1::RevokeSessionRequest request;
  request.set_session_id(dead.session_id());
  tessera::v1::RevokeSessionResponse response;
  ASSERT_TRUE(client_->Revoke(request, &response).ok());
  ASSERT_EQ(*server_->Terminate(), 0);

  StartServer();
  // The signing key persisted: the old access token still verifies.
  EXPECT_TRUE(client_->Validate(live.access_token()).valid());
  EXPECT_EQ(client_->Validate(dead.access_token()).reason(),
            tessera::v1::TOKEN_INVALID_REASON_SESSION_REVOKED);
  SessionTokens refreshed;
  EXPECT_TRUE(client_->Refresh(live.refresh_token(), &refreshed).ok());
  EXPECT_EQ(ReasonOf(client_->Refresh(dead.refresh_token(), &refreshed)),
            "SESSION_REVOKED");
}

TEST_F(SessionsTest, UpdateClaimsMakesOldTokensStaleAndRefreshFresh) {
  tessera::v1::IssueSessionRequest issue;
  issue.set_subject("ivy");
  (*issue.mutable_claims()->mutable_fields())["role"].set_string_value("user");
  SessionTokens a;
  ASSERT_TRUE(client_->Issue(issue, &a).ok());
  auto before = client_->Validate(a.access_token());
  ASSERT_TRUE(before.valid());
  EXPECT_EQ(before.claims().custom().fields().at("role").string_value(),
            "user");

  tessera::v1::UpdateClaimsRequest update;
  update.set_subject("ivy");
  (*update.mutable_claims()->mutable_fields())["role"].set_string_value(
      "admin");
  update.set_invalidate_access_tokens(true);
  tessera::v1::UpdateClaimsResponse response;
  ASSERT_TRUE(client_->UpdateClaims(update, &response).ok());
  EXPECT_GT(response.sequence(), 0u);

  auto stale = client_->Validate(a.access_token());
  EXPECT_FALSE(stale.valid());
  EXPECT_EQ(stale.reason(), tessera::v1::TOKEN_INVALID_REASON_STALE_CLAIMS);
  // The session survives; a refresh at once carries the new claims.
  SessionTokens b;
  ASSERT_TRUE(client_->Refresh(a.refresh_token(), &b).ok());
  auto fresh = client_->Validate(b.access_token());
  ASSERT_TRUE(fresh.valid());
  EXPECT_EQ(fresh.claims().custom().fields().at("role").string_value(),
            "admin");

  update.clear_claims();
  (*update.mutable_claims()->mutable_fields())["iss"].set_string_value("x");
  EXPECT_EQ(ReasonOf(client_->UpdateClaims(update, &response)),
            "RESERVED_CLAIM");
}

TEST_F(SessionsTest, YourDevicesPage) {
  tessera::v1::IssueSessionRequest issue;
  issue.set_subject("mia");
  issue.mutable_client()->set_device_name("Mia's phone");
  issue.mutable_client()->set_user_agent("TesseraTest/1.0");
  SessionTokens phone, laptop;
  ASSERT_TRUE(client_->Issue(issue, &phone).ok());
  issue.mutable_client()->set_device_name("Mia's laptop");
  ASSERT_TRUE(client_->Issue(issue, &laptop).ok());

  auto stub = TokenAuthority::NewStub(grpc::CreateChannel(
      server_->grpc_address(), grpc::InsecureChannelCredentials()));
  tessera::v1::ListSessionsRequest list;
  list.set_subject("mia");
  tessera::v1::ListSessionsResponse sessions;
  grpc::ClientContext list_context;
  ASSERT_TRUE(stub->ListSessions(&list_context, list, &sessions).ok());
  ASSERT_EQ(sessions.sessions_size(), 2);
  EXPECT_TRUE(sessions.next_page_token().empty());
  for (const auto& session : sessions.sessions()) {
    EXPECT_EQ(session.subject(), "mia");
    EXPECT_THAT(session.client().device_name(), ::testing::StartsWith("Mia"));
  }

  tessera::v1::GetSessionRequest get;
  get.set_session_id(phone.session_id());
  tessera::v1::Session session;
  grpc::ClientContext get_context;
  ASSERT_TRUE(stub->GetSession(&get_context, get, &session).ok());
  EXPECT_EQ(session.client().device_name(), "Mia's phone");
  EXPECT_EQ(session.generation(), 0u);
  // Never a secret: no field of Session carries the refresh token.
  EXPECT_EQ(session.SerializeAsString().find(phone.refresh_token().substr(28)),
            std::string::npos);

  get.set_session_id("not-an-id");
  grpc::ClientContext bad_context;
  grpc::Status status = stub->GetSession(&bad_context, get, &session);
  EXPECT_EQ(ReasonOf(status), "SESSION_ID_INVALID");
}

TEST(SessionExpiryTest, IdleAndAbsoluteExpiryStopRefresh) {
  absl::StatusOr<std::unique_ptr<TesseradProcess>> server =
      TesseradProcess::Start(
          {.flags = {"--idle_ttl=2s", "--session_ttl=4s", "--access_ttl=1s",
                     "--refresh_grace=0s"}});
  ASSERT_TRUE(server.ok()) << server.status();
  Client client((*server)->grpc_address());
  SessionTokens idle, kept;
  ASSERT_TRUE(client.Issue("gina", &idle).ok());
  ASSERT_TRUE(client.Issue("gina", &kept).ok());
  // Keep one session busy past the idle limit; let the other go idle.
  for (int i = 0; i < 3; ++i) {
    absl::SleepFor(absl::Milliseconds(1100));
    ASSERT_TRUE(client.Refresh(kept.refresh_token(), &kept).ok()) << i;
  }
  SessionTokens out;
  grpc::Status status = client.Refresh(idle.refresh_token(), &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ReasonOf(status), "SESSION_EXPIRED");
  // The busy one reaches its absolute limit (4 s) however often it refreshes.
  absl::SleepFor(absl::Milliseconds(1200));
  status = client.Refresh(kept.refresh_token(), &out);
  EXPECT_EQ(ReasonOf(status), "SESSION_EXPIRED");
}

// ValidateToken keeps tokens whose signature it has checked; a token seen
// before must still be refused for every other reason, every time.
TEST(ValidateTokenTest, ATokenSeenBeforeIsStillCheckedOnEveryCall) {
  absl::StatusOr<std::unique_ptr<TesseradProcess>> server =
      TesseradProcess::Start({.flags = {"--access_ttl=3s", "--leeway=0s"}});
  ASSERT_TRUE(server.ok()) << server.status();
  Client client((*server)->grpc_address());
  SessionTokens tokens;
  ASSERT_TRUE(client.Issue("hana", &tokens).ok());  // Audience "api".
  const std::string& token = tokens.access_token();

  EXPECT_TRUE(client.Validate(token, "api").valid());
  EXPECT_EQ(client.Validate(token, "billing").reason(),
            tessera::v1::TOKEN_INVALID_REASON_WRONG_AUDIENCE);
  EXPECT_TRUE(client.Validate(token, "api").valid());
  // Another text is another token: a changed signature is checked afresh.
  std::string tampered = token;
  char& inside_signature = tampered[tampered.size() - 10];
  inside_signature = inside_signature == 'A' ? 'B' : 'A';
  EXPECT_EQ(client.Validate(tampered, "api").reason(),
            tessera::v1::TOKEN_INVALID_REASON_BAD_SIGNATURE);

  // exp = iat + 3 s, iat in whole seconds, no leeway: expired within 4 s.
  // (A token issued next is then valid for at least 2 s: long enough for
  // the revocation below to be what refuses it, not its expiry.)
  absl::SleepFor(absl::Milliseconds(4100));
  EXPECT_EQ(client.Validate(token, "api").reason(),
            tessera::v1::TOKEN_INVALID_REASON_EXPIRED);

  // Revocation applies to a token seen before, too.
  ASSERT_TRUE(client.Issue("hana", &tokens).ok());
  EXPECT_TRUE(client.Validate(tokens.access_token()).valid());
  tessera::v1::RevokeSessionRequest revoke;
  revoke.set_session_id(tokens.session_id());
  tessera::v1::RevokeSessionResponse revoked;
  ASSERT_TRUE(client.Revoke(revoke, &revoked).ok());
  EXPECT_EQ(client.Validate(tokens.access_token()).reason(),
            tessera::v1::TOKEN_INVALID_REASON_SESSION_REVOKED);
}

TEST_F(SessionsTest, HostileInputGetsItsDocumentedStatus) {
  auto expect_invalid = [&](const tessera::v1::IssueSessionRequest& request,
                            const std::string& reason) {
    SessionTokens out;
    grpc::Status status = client_->Issue(request, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << reason;
    EXPECT_EQ(ReasonOf(status), reason);
    EXPECT_FALSE(status.error_message().empty());
  };
  tessera::v1::IssueSessionRequest request;
  expect_invalid(request, "SUBJECT_INVALID");  // empty
  request.set_subject(std::string(257, 'x'));
  expect_invalid(request, "SUBJECT_INVALID");
  {
    // Invalid UTF-8 never reaches a handler: proto3 refuses to parse it.
    request.set_subject("\xff\xfe");
    SessionTokens out;
    EXPECT_FALSE(client_->Issue(request, &out).ok());
  }
  request.set_subject("henry");
  (*request.mutable_claims()->mutable_fields())["sid"].set_string_value("x");
  expect_invalid(request, "RESERVED_CLAIM");
  request.mutable_claims()->clear_fields();
  (*request.mutable_claims()->mutable_fields())["blob"].set_string_value(
      std::string(5000, 'x'));
  expect_invalid(request, "CLAIMS_TOO_LARGE");
  request.mutable_claims()->clear_fields();
  for (int i = 0; i < 17; ++i) request.add_audience("aud");
  expect_invalid(request, "AUDIENCE_INVALID");
  request.clear_audience();
  request.mutable_access_ttl()->set_seconds(-5);
  expect_invalid(request, "TTL_INVALID");

  SessionTokens a;
  ASSERT_TRUE(client_->Issue("henry", &a).ok());
  SessionTokens out;
  for (const std::string& garbage :
       {std::string(""), std::string("garbage"), a.access_token(),
        a.refresh_token().substr(0, a.refresh_token().size() - 1),
        std::string("tsr_") + std::string(60, 'A')}) {
    grpc::Status status = client_->Refresh(garbage, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(ReasonOf(status), "REFRESH_TOKEN_INVALID") << garbage;
  }
  // Another session's id with this secret: invalid, and harmless.
  SessionTokens b;
  ASSERT_TRUE(client_->Issue("henry", &b).ok());
  std::string mixed = a.refresh_token();
  mixed.replace(4, b.session_id().size(), b.session_id());
  EXPECT_EQ(ReasonOf(client_->Refresh(mixed, &out)), "REFRESH_TOKEN_INVALID");
  EXPECT_TRUE(client_->Refresh(b.refresh_token(), &out).ok());
  // A refresh token is not an access token.
  auto as_access = client_->Validate(a.refresh_token());
  EXPECT_FALSE(as_access.valid());
  EXPECT_EQ(as_access.reason(), tessera::v1::TOKEN_INVALID_REASON_MALFORMED);
  // Oversize tokens are refused before any work.
  EXPECT_EQ(ReasonOf(client_->Refresh(std::string(9000, 'a'), &out)),
            "TOKEN_TOO_LARGE");
  // Nothing above hurt the server or the first session.
  EXPECT_TRUE(client_->Refresh(a.refresh_token(), &out).ok());
}

}  // namespace
}  // namespace tessera
