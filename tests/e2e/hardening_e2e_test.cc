// Defects a security review reproduced against tesserad, each checked on the
// real binary: a refresh or issue that cannot be answered changes nothing,
// sign-outs and claims cut-offs in one second, revocation by a forged
// refresh token, sessions owned by their issuing caller, audience always
// enforced, the revocation horizon across a restart that lowers the TTL,
// the JWKS key list, and what the audit log names.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/verifier/verifier.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "tessera/v1/token_authority.grpc.pb.h"
#include "tests/testing/api_key.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/grpc_calls.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/tesserad_process.h"

namespace tessera {
namespace {

using ::tessera::testing::ApiKeySha256;
using ::tessera::testing::NewTempDir;
using ::tessera::testing::ReadFileOrEmpty;
using ::tessera::testing::ReasonOf;
using ::tessera::testing::TesseradProcess;
using ::tessera::testing::WriteTempFile;
using ::tessera::v1::SessionTokens;
using ::tessera::v1::TokenAuthority;
using ::testing::HasSubstr;

// One caller of TokenAuthority: an API key (or none, zero-config).
class Caller {
 public:
  Caller(const std::string& address, std::string api_key = "")
      : stub_(TokenAuthority::NewStub(
            grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))),
        api_key_(std::move(api_key)) {}

  grpc::Status Issue(const v1::IssueSessionRequest& request,
                     SessionTokens* out) {
    return Call(&TokenAuthority::Stub::IssueSession, request, out);
  }
  SessionTokens Issue(const std::string& subject) {
    v1::IssueSessionRequest request;
    request.set_subject(subject);
    SessionTokens tokens;
    grpc::Status status = Issue(request, &tokens);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return tokens;
  }
  grpc::Status Refresh(const std::string& token, SessionTokens* out) {
    v1::RefreshSessionRequest request;
    request.set_refresh_token(token);
    return Call(&TokenAuthority::Stub::RefreshSession, request, out);
  }
  v1::ValidateTokenResponse Validate(const std::string& token,
                                     const std::string& audience = "") {
    v1::ValidateTokenRequest request;
    request.set_access_token(token);
    if (!audience.empty()) request.add_audience(audience);
    v1::ValidateTokenResponse response;
    grpc::Status status =
        Call(&TokenAuthority::Stub::ValidateToken, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }
  grpc::Status Revoke(const v1::RevokeSessionRequest& request,
                      v1::RevokeSessionResponse* out) {
    return Call(&TokenAuthority::Stub::RevokeSession, request, out);
  }
  v1::RevokeSessionResponse RevokeSubject(const std::string& subject) {
    v1::RevokeSessionRequest request;
    request.set_subject(subject);
    v1::RevokeSessionResponse response;
    EXPECT_TRUE(Revoke(request, &response).ok());
    return response;
  }
  grpc::Status UpdateClaims(const v1::UpdateClaimsRequest& request,
                            v1::UpdateClaimsResponse* out) {
    return Call(&TokenAuthority::Stub::UpdateClaims, request, out);
  }
  grpc::Status GetSession(const std::string& id, v1::Session* out) {
    v1::GetSessionRequest request;
    request.set_session_id(id);
    return Call(&TokenAuthority::Stub::GetSession, request, out);
  }
  int Listed(const std::string& subject) {
    v1::ListSessionsRequest request;
    request.set_subject(subject);
    request.set_include_revoked(true);
    v1::ListSessionsResponse response;
    EXPECT_TRUE(
        Call(&TokenAuthority::Stub::ListSessions, request, &response).ok());
    return response.sessions_size();
  }
  grpc::Status GetJwks(v1::GetJwksResponse* out) {
    return Call(&TokenAuthority::Stub::GetJwks, v1::GetJwksRequest(), out);
  }

 private:
  template <typename Method, typename Request, typename Response>
  grpc::Status Call(Method method, const Request& request, Response* out) {
    grpc::ClientContext context;
    if (!api_key_.empty()) {
      context.AddMetadata("authorization", "Bearer " + api_key_);
    }
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(20));
    return ((*stub_).*method)(&context, request, out);
  }

  std::unique_ptr<TokenAuthority::Stub> stub_;
  std::string api_key_;
};

std::unique_ptr<TesseradProcess> Start(std::vector<std::string> flags = {},
                                       std::string data_dir = "") {
  auto server = TesseradProcess::Start(
      {.data_dir = std::move(data_dir), .flags = std::move(flags)});
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

google::protobuf::Struct BigClaim(const std::string& name, size_t bytes) {
  google::protobuf::Struct claims;
  (*claims.mutable_fields())[name].set_string_value(std::string(bytes, 'x'));
  return claims;
}

// A watching Verifier, so each cut-off is checked where relying services
// check it too.
std::unique_ptr<Verifier> Watch(const std::string& address) {
  VerifierOptions options;
  options.target = address;
  options.audience = {"api"};
  absl::StatusOr<std::unique_ptr<Verifier>> verifier = Verifier::Start(options);
  EXPECT_TRUE(verifier.ok()) << verifier.status();
  if (!verifier.ok()) return nullptr;
  EXPECT_TRUE((*verifier)->WaitUntilReady(absl::Seconds(20)));
  return *std::move(verifier);
}

v1::TokenInvalidReason VerifierReason(const Verifier& verifier,
                                      const std::string& token) {
  absl::StatusOr<VerifiedClaims> claims = verifier.Verify(token);
  return claims.ok() ? v1::TOKEN_INVALID_REASON_UNSPECIFIED
                     : TokenInvalidReasonOf(claims.status());
}

// Reproduced: UpdateClaims{merge} accepted claims whose merged result was
// never size-checked; the next refresh then failed after it had rotated.
TEST(HardeningE2eTest, ClaimsThatCouldNotBeMintedAreRefusedAtTheDoor) {
  auto server = Start();
  ASSERT_NE(server, nullptr);
  Caller client(server->grpc_address());
  v1::IssueSessionRequest issue;
  issue.set_subject("alice");
  *issue.mutable_claims() = BigClaim("a", 4000);
  SessionTokens first;
  ASSERT_TRUE(client.Issue(issue, &first).ok());

  v1::UpdateClaimsRequest merge;
  merge.set_subject("alice");
  merge.set_merge(true);
  *merge.mutable_claims() = BigClaim("b", 4000);
  v1::UpdateClaimsResponse updated;
  grpc::Status status = client.UpdateClaims(merge, &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(status), "CLAIMS_TOO_LARGE");

  // Nothing changed: the refresh works and carries the old claims.
  SessionTokens second;
  ASSERT_TRUE(client.Refresh(first.refresh_token(), &second).ok());
  v1::Session session;
  ASSERT_TRUE(client.GetSession(first.session_id(), &session).ok());
  EXPECT_EQ(session.generation(), 1u);
  auto valid = client.Validate(second.access_token());
  ASSERT_TRUE(valid.valid());
  EXPECT_FALSE(valid.claims().custom().fields().contains("b"));
}

// Within the claims limit, but the access token would pass 8 KiB (long
// audiences): refused before anything is written, and the session still
// refreshes.
TEST(HardeningE2eTest, ClaimsThatWouldMakeTheTokenTooLargeAreRefused) {
  auto server = Start();
  ASSERT_NE(server, nullptr);
  Caller client(server->grpc_address());
  v1::IssueSessionRequest issue;
  issue.set_subject("bob");
  for (int i = 0; i < 16; ++i) {
    issue.add_audience(absl::StrCat("aud-", i, std::string(140, 'a')));
  }
  *issue.mutable_claims() = BigClaim("a", 1000);
  SessionTokens first;
  ASSERT_TRUE(client.Issue(issue, &first).ok());

  v1::UpdateClaimsRequest merge;
  merge.set_subject("bob");
  merge.set_merge(true);
  *merge.mutable_claims() = BigClaim("b", 2900);
  v1::UpdateClaimsResponse updated;
  grpc::Status status = client.UpdateClaims(merge, &updated);
  EXPECT_EQ(ReasonOf(status), "CLAIMS_TOO_LARGE") << status.error_message();

  SessionTokens second;
  status = client.Refresh(first.refresh_token(), &second);
  ASSERT_TRUE(status.ok()) << status.error_message();
  SessionTokens third;
  EXPECT_TRUE(client.Refresh(second.refresh_token(), &third).ok());
}

// An IssueSession whose token cannot be minted leaves no session behind.
TEST(HardeningE2eTest, FailedIssueLeavesNoSession) {
  auto server = Start();
  ASSERT_NE(server, nullptr);
  Caller client(server->grpc_address());
  v1::IssueSessionRequest issue;
  issue.set_subject("carol");
  for (int i = 0; i < 16; ++i) issue.add_audience(std::string(256, 'a' + i));
  *issue.mutable_claims() = BigClaim("a", 4000);
  SessionTokens tokens;
  grpc::Status status = client.Issue(issue, &tokens);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(client.Listed("carol"), 0);
}

// Reproduced 5 of 5: issue, sign out everywhere, issue again, sign out
// everywhere again, all in one second: the second session's token stayed
// valid.
TEST(HardeningE2eTest, SignOutEverywhereCoversASessionStartedInTheSameSecond) {
  auto server = Start();
  ASSERT_NE(server, nullptr);
  Caller client(server->grpc_address());
  std::unique_ptr<Verifier> verifier = Watch(server->grpc_address());
  for (int round = 0; round < 5; ++round) {
    const std::string subject = absl::StrCat("dave-", round);
    SessionTokens first = client.Issue(subject);
    ASSERT_EQ(client.RevokeSubject(subject).revoked_count(), 1);
    SessionTokens second = client.Issue(subject);
    auto revoked = client.RevokeSubject(subject);
    ASSERT_EQ(revoked.revoked_count(), 1);
    for (const SessionTokens* tokens : {&first, &second}) {
      auto answer = client.Validate(tokens->access_token());
      EXPECT_FALSE(answer.valid()) << "round " << round;
      EXPECT_EQ(answer.reason(), v1::TOKEN_INVALID_REASON_SESSION_REVOKED);
    }
    ASSERT_TRUE(
        verifier->WaitForSequence(revoked.sequence(), absl::Seconds(20)));
    EXPECT_EQ(VerifierReason(*verifier, second.access_token()),
              v1::TOKEN_INVALID_REASON_SESSION_REVOKED);
    // A session started after the sign-out is untouched.
    EXPECT_TRUE(client.Validate(client.Issue(subject).access_token()).valid());
  }
}

// The same for two invalidating claims updates in one second: a token
// minted between them carried the second cut-off's whole-second iat and
// passed it.
TEST(HardeningE2eTest, TwoClaimsCutOffsInOneSecondAreOrdered) {
  auto server = Start();
  ASSERT_NE(server, nullptr);
  Caller client(server->grpc_address());
  std::unique_ptr<Verifier> verifier = Watch(server->grpc_address());
  for (int round = 0; round < 5; ++round) {
    const std::string subject = absl::StrCat("erin-", round);
    SessionTokens first = client.Issue(subject);
    v1::UpdateClaimsRequest update;
    update.set_subject(subject);
    update.set_invalidate_access_tokens(true);
    v1::UpdateClaimsResponse cut;
    ASSERT_TRUE(client.UpdateClaims(update, &cut).ok());
    SessionTokens between;
    ASSERT_TRUE(client.Refresh(first.refresh_token(), &between).ok());
    EXPECT_TRUE(client.Validate(between.access_token()).valid());
    ASSERT_TRUE(client.UpdateClaims(update, &cut).ok());
    auto stale = client.Validate(between.access_token());
    EXPECT_FALSE(stale.valid()) << "round " << round;
    EXPECT_EQ(stale.reason(), v1::TOKEN_INVALID_REASON_STALE_CLAIMS);
    ASSERT_TRUE(verifier->WaitForSequence(cut.sequence(), absl::Seconds(20)));
    EXPECT_EQ(VerifierReason(*verifier, between.access_token()),
              v1::TOKEN_INVALID_REASON_STALE_CLAIMS);
    // Every token minted after the cut-off passes, at once.
    SessionTokens after;
    ASSERT_TRUE(client.Refresh(between.refresh_token(), &after).ok());
    EXPECT_TRUE(client.Validate(after.access_token()).valid());
    EXPECT_EQ(VerifierReason(*verifier, after.access_token()),
              v1::TOKEN_INVALID_REASON_UNSPECIFIED);
  }
}

// Reproduced: "tsr_<sid>.<any 43 characters>" revoked the session, and the
// session id is public (the sid claim).
TEST(HardeningE2eTest, RevokingByRefreshTokenNeedsItsSecret) {
  auto server = Start();
  ASSERT_NE(server, nullptr);
  Caller client(server->grpc_address());
  SessionTokens tokens = client.Issue("frank");
  v1::RevokeSessionRequest forged;
  forged.set_refresh_token(
      absl::StrCat("tsr_", tokens.session_id(), ".", std::string(43, 'A')));
  v1::RevokeSessionResponse response;
  ASSERT_TRUE(client.Revoke(forged, &response).ok());
  EXPECT_EQ(response.revoked_count(), 0);
  EXPECT_EQ(response.sequence(), 0u);
  EXPECT_TRUE(client.Validate(tokens.access_token()).valid());

  v1::RevokeSessionRequest real;
  real.set_refresh_token(tokens.refresh_token());
  ASSERT_TRUE(client.Revoke(real, &response).ok());
  EXPECT_EQ(response.revoked_count(), 1);
  EXPECT_FALSE(client.Validate(tokens.access_token()).valid());
}

struct Keys {
  std::string web = "web-key-" + std::string(24, 'w');
  std::string web_admin_panel = "panel-key-" + std::string(24, 'p');
  std::string mobile = "mobile-key-" + std::string(24, 'm');
  std::string ops = "ops-key-" + std::string(24, 'o');
  std::string Config() const {
    return absl::StrCat(
        "callers { name: \"web\" api_key_sha256: \"", ApiKeySha256(web),
        "\" roles: ROLE_ISSUER roles: ROLE_VERIFIER }\n",
        "callers { name: \"panel\" session_group: \"web\" api_key_sha256: \"",
        ApiKeySha256(web_admin_panel), "\" roles: ROLE_ISSUER }\n",
        "callers { name: \"mobile\" api_key_sha256: \"", ApiKeySha256(mobile),
        "\" roles: ROLE_ISSUER }\n",
        "callers { name: \"ops\" api_key_sha256: \"", ApiKeySha256(ops),
        "\" roles: ROLE_ADMIN }\n");
  }
};

// Reproduced by reading: any issuer could refresh, read or revoke another
// issuer's sessions.
TEST(HardeningE2eTest, SessionsBelongToTheCallerThatIssuedThem) {
  const Keys keys;
  auto server =
      Start({"--config=" + WriteTempFile("callers.cfg", keys.Config())});
  ASSERT_NE(server, nullptr);
  Caller web(server->grpc_address(), keys.web);
  Caller panel(server->grpc_address(), keys.web_admin_panel);
  Caller mobile(server->grpc_address(), keys.mobile);
  Caller ops(server->grpc_address(), keys.ops);
  SessionTokens tokens = web.Issue("grace");

  // To another group the session does not exist.
  SessionTokens stolen;
  EXPECT_EQ(ReasonOf(mobile.Refresh(tokens.refresh_token(), &stolen)),
            "REFRESH_TOKEN_INVALID");
  v1::Session session;
  EXPECT_EQ(mobile.GetSession(tokens.session_id(), &session).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(mobile.Listed("grace"), 0);
  v1::RevokeSessionRequest by_id;
  by_id.set_session_id(tokens.session_id());
  v1::RevokeSessionResponse revoked;
  ASSERT_TRUE(mobile.Revoke(by_id, &revoked).ok());
  EXPECT_EQ(revoked.revoked_count(), 0);
  EXPECT_EQ(mobile.RevokeSubject("grace").revoked_count(), 0);
  v1::UpdateClaimsRequest update;
  update.set_subject("grace");
  (*update.mutable_claims()->mutable_fields())["role"].set_string_value(
      "admin");
  v1::UpdateClaimsResponse updated;
  ASSERT_TRUE(mobile.UpdateClaims(update, &updated).ok());
  EXPECT_TRUE(web.Validate(tokens.access_token()).valid());

  // A caller configured into the same group shares it.
  ASSERT_TRUE(panel.GetSession(tokens.session_id(), &session).ok());
  EXPECT_EQ(session.subject(), "grace");
  SessionTokens next;
  ASSERT_TRUE(panel.Refresh(tokens.refresh_token(), &next).ok());
  auto valid = web.Validate(next.access_token());
  ASSERT_TRUE(valid.valid());
  EXPECT_FALSE(valid.claims().custom().fields().contains("role"));

  // Admins see every group.
  EXPECT_EQ(ops.Listed("grace"), 1);
  EXPECT_EQ(ops.RevokeSubject("grace").revoked_count(), 1);
  EXPECT_FALSE(web.Validate(next.access_token()).valid());
}

// Reproduced by reading: tokens could carry no aud, and ValidateToken
// without an audience accepted any.
TEST(HardeningE2eTest, TokensAlwaysCarryAnAudienceAndItIsAlwaysChecked) {
  auto server = Start({"--default_audience=notes"});
  ASSERT_NE(server, nullptr);
  Caller client(server->grpc_address());
  SessionTokens plain = client.Issue("heidi");
  auto valid = client.Validate(plain.access_token());
  ASSERT_TRUE(valid.valid());
  EXPECT_THAT(valid.claims().audience(), ::testing::ElementsAre("notes"));

  v1::IssueSessionRequest issue;
  issue.set_subject("heidi");
  issue.add_audience("billing");
  SessionTokens billing;
  ASSERT_TRUE(client.Issue(issue, &billing).ok());
  auto unasked = client.Validate(billing.access_token());
  EXPECT_FALSE(unasked.valid());
  EXPECT_EQ(unasked.reason(), v1::TOKEN_INVALID_REASON_WRONG_AUDIENCE);
  EXPECT_TRUE(client.Validate(billing.access_token(), "billing").valid());
}

// Reproduced by reading: after a restart with a shorter --access_ttl, a
// revocation was forgotten after the new horizon while tokens minted under
// the old one were still unexpired.
TEST(HardeningE2eTest, LoweringAccessTtlKeepsRevocationsRemembered) {
  auto server = Start({"--access_ttl=1h"});
  ASSERT_NE(server, nullptr);
  const std::string data_dir = server->data_dir();
  SessionTokens old = Caller(server->grpc_address()).Issue("ivan");
  ASSERT_TRUE(server->Terminate().ok());

  server = Start({"--access_ttl=2s", "--leeway=0s"}, data_dir);
  ASSERT_NE(server, nullptr);
  Caller client(server->grpc_address());
  // Sessions issued under the old limit mint under the new one.
  SessionTokens refreshed;
  ASSERT_TRUE(client.Refresh(old.refresh_token(), &refreshed).ok());
  EXPECT_LE(refreshed.access_expires_at().seconds(),
            absl::ToUnixSeconds(absl::Now()) + 3);
  v1::RevokeSessionRequest revoke;
  revoke.set_session_id(old.session_id());
  v1::RevokeSessionResponse revoked;
  ASSERT_TRUE(client.Revoke(revoke, &revoked).ok());
  ASSERT_EQ(revoked.revoked_count(), 1);
  // Well past the new horizon (2 s), the old token (valid for an hour)
  // stays revoked.
  absl::SleepFor(absl::Seconds(5));
  auto answer = client.Validate(old.access_token());
  EXPECT_FALSE(answer.valid());
  EXPECT_EQ(answer.reason(), v1::TOKEN_INVALID_REASON_SESSION_REVOKED);
  // The same across another restart.
  ASSERT_TRUE(server->Terminate().ok());
  server = Start({"--access_ttl=2s", "--leeway=0s"}, data_dir);
  ASSERT_NE(server, nullptr);
  absl::SleepFor(absl::Seconds(3));
  EXPECT_FALSE(
      Caller(server->grpc_address()).Validate(old.access_token()).valid());
}

TEST(HardeningE2eTest, GetJwksListsThePublishedKeys) {
  auto server = Start();
  ASSERT_NE(server, nullptr);
  v1::GetJwksResponse jwks;
  ASSERT_TRUE(Caller(server->grpc_address()).GetJwks(&jwks).ok());
  ASSERT_EQ(jwks.keys_size(), 2);  // ACTIVE and NEXT.
  for (const v1::SigningKey& key : jwks.keys()) {
    EXPECT_THAT(jwks.jwks_json(), HasSubstr(key.kid()));
  }
  EXPECT_NE(jwks.keys(0).state(), jwks.keys(1).state());
}

// Reproduced by reading: revoking by access token was audited as
// "access_token", not as the session it revoked.
TEST(HardeningE2eTest, AuditNamesTheSessionAnAccessTokenRevoked) {
  const std::string audit_file = NewTempDir("audit") + ".jsonl";
  auto server = Start({"--audit_log_file=" + audit_file});
  ASSERT_NE(server, nullptr);
  Caller client(server->grpc_address());
  SessionTokens tokens = client.Issue("judy");
  v1::RevokeSessionRequest revoke;
  revoke.set_access_token(tokens.access_token());
  v1::RevokeSessionResponse revoked;
  ASSERT_TRUE(client.Revoke(revoke, &revoked).ok());
  ASSERT_EQ(revoked.revoked_count(), 1);
  ASSERT_TRUE(server->Terminate().ok());
  const std::string audit = ReadFileOrEmpty(audit_file);
  EXPECT_THAT(audit, HasSubstr(absl::StrCat(
                         "\"target\":\"session_id=", tokens.session_id(),
                         "\",\"result\":\"OK\"")));
  EXPECT_THAT(audit, ::testing::Not(HasSubstr(tokens.access_token())));
}

}  // namespace
}  // namespace tessera
