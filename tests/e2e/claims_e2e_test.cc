// UpdateClaims against the real tesserad: the three claims modes (RFC 7396
// merge patch included), claims written into each session, the size check
// that changes nothing when it fails, CLAIMS_MODE_INVALID, and the
// stale-claims cut-off seen by ValidateToken.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
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
using ::tessera::v1::UpdateClaimsRequest;

google::protobuf::Struct Claims(const std::string& json) {
  google::protobuf::Struct claims;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &claims).ok())
      << json;
  return claims;
}

std::string Json(const google::protobuf::Struct& claims) {
  std::string json;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(claims, &json).ok());
  return json;
}

::testing::AssertionResult ClaimsAre(const google::protobuf::Struct& claims,
                                     const std::string& json) {
  if (google::protobuf::util::MessageDifferencer::Equals(claims,
                                                         Claims(json))) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "claims are " << Json(claims) << ", expected " << json;
}

UpdateClaimsRequest Update(const std::string& subject, const std::string& json,
                           v1::ClaimsMode mode) {
  UpdateClaimsRequest request;
  request.set_subject(subject);
  *request.mutable_claims() = Claims(json);
  request.set_mode(mode);
  return request;
}

class ClaimsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<TesseradProcess>> server =
        TesseradProcess::Start({});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = TokenAuthority::NewStub(grpc::CreateChannel(
        server_->grpc_address(), grpc::InsecureChannelCredentials()));
  }

  SessionTokens Issue(const std::string& subject, const std::string& json) {
    v1::IssueSessionRequest request;
    request.set_subject(subject);
    *request.mutable_claims() = Claims(json);
    SessionTokens tokens;
    grpc::Status status =
        Call(&TokenAuthority::Stub::IssueSession, request, &tokens);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return tokens;
  }
  grpc::Status UpdateClaims(const UpdateClaimsRequest& request,
                            v1::UpdateClaimsResponse* out = nullptr) {
    v1::UpdateClaimsResponse ignored;
    return Call(&TokenAuthority::Stub::UpdateClaims, request,
                out != nullptr ? out : &ignored);
  }
  // The refreshed tokens; fails the test if the refresh fails.
  SessionTokens Refresh(const SessionTokens& tokens) {
    v1::RefreshSessionRequest request;
    request.set_refresh_token(tokens.refresh_token());
    SessionTokens out;
    grpc::Status status =
        Call(&TokenAuthority::Stub::RefreshSession, request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
  v1::ValidateTokenResponse Validate(const std::string& access_token) {
    v1::ValidateTokenRequest request;
    request.set_access_token(access_token);
    v1::ValidateTokenResponse response;
    grpc::Status status =
        Call(&TokenAuthority::Stub::ValidateToken, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }
  // The custom claims of a valid access token (empty if it is not valid).
  google::protobuf::Struct TokenClaims(const std::string& access_token) {
    v1::ValidateTokenResponse validated = Validate(access_token);
    EXPECT_TRUE(validated.valid())
        << v1::TokenInvalidReason_Name(validated.reason());
    return validated.claims().custom();
  }
  // The claims GetSession shows for the session.
  google::protobuf::Struct SessionClaims(const SessionTokens& tokens) {
    v1::GetSessionRequest request;
    request.set_session_id(tokens.session_id());
    v1::Session session;
    grpc::Status status =
        Call(&TokenAuthority::Stub::GetSession, request, &session);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return session.claims();
  }

 private:
  template <typename Method, typename Request, typename Response>
  grpc::Status Call(Method method, const Request& request, Response* out) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(20));
    return ((*stub_).*method)(&context, request, out);
  }

  std::unique_ptr<TesseradProcess> server_;
  std::unique_ptr<TokenAuthority::Stub> stub_;
};

TEST_F(ClaimsTest, MergePatchReachesTheNextAccessToken) {
  const SessionTokens issued =
      Issue("ada", R"({"role":"member","profile":{"name":"Ada","tz":"UTC"},
                 "beta":true})");
  ASSERT_TRUE(UpdateClaims(Update("ada", R"({"profile":{"tz":"CET",
                                    "lang":"en"},"beta":null})",
                                  v1::CLAIMS_MODE_MERGE_PATCH))
                  .ok());
  const std::string patched =
      R"({"role":"member","profile":{"name":"Ada","tz":"CET","lang":"en"}})";
  // Written into the session at once ...
  EXPECT_TRUE(ClaimsAre(SessionClaims(issued), patched));
  // ... and carried by the next access token; the old one still has the
  // old claims (no invalidation asked for).
  EXPECT_TRUE(ClaimsAre(TokenClaims(Refresh(issued).access_token()), patched));
  EXPECT_TRUE(TokenClaims(issued.access_token()).fields().contains("beta"));
}

TEST_F(ClaimsTest, PatchThatMakesClaimsTooLargeChangesNothing) {
  const std::string bio(3000, 'b');
  const SessionTokens issued =
      Issue("bea", absl::StrCat(R"({"bio":")", bio, R"("})"));
  // The patch alone is within the limit; the result (about 4.5 KB) is not.
  UpdateClaimsRequest patch = Update(
      "bea", absl::StrCat(R"({"more":")", std::string(1500, 'm'), R"("})"),
      v1::CLAIMS_MODE_MERGE_PATCH);
  patch.set_invalidate_access_tokens(true);
  grpc::Status status = UpdateClaims(patch);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(status), "CLAIMS_TOO_LARGE") << status.error_message();

  // Nothing changed: not the session, not the generation (the old access
  // token is still valid), and a refresh shows the old claims.
  const std::string old_claims = absl::StrCat(R"({"bio":")", bio, R"("})");
  EXPECT_TRUE(ClaimsAre(SessionClaims(issued), old_claims));
  EXPECT_TRUE(Validate(issued.access_token()).valid());
  EXPECT_TRUE(
      ClaimsAre(TokenClaims(Refresh(issued).access_token()), old_claims));
}

TEST_F(ClaimsTest, ContradictoryOrUnknownModeIsRefused) {
  const SessionTokens issued = Issue("cy", R"({"role":"member"})");
  UpdateClaimsRequest replace =
      Update("cy", R"({"role":"admin"})", v1::CLAIMS_MODE_REPLACE);
  replace.set_merge(true);
  UpdateClaimsRequest patch =
      Update("cy", R"({"role":"admin"})", v1::CLAIMS_MODE_MERGE_PATCH);
  patch.set_merge(true);
  UpdateClaimsRequest unknown =
      Update("cy", R"({"role":"admin"})", static_cast<v1::ClaimsMode>(99));
  for (const UpdateClaimsRequest& request : {replace, patch, unknown}) {
    grpc::Status status = UpdateClaims(request);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << request.ShortDebugString();
    EXPECT_EQ(ReasonOf(status), "CLAIMS_MODE_INVALID")
        << request.ShortDebugString();
  }
  EXPECT_TRUE(ClaimsAre(SessionClaims(issued), R"({"role":"member"})"));

  // merge = true agrees with MERGE_TOP_LEVEL, and alone still means it.
  UpdateClaimsRequest top_level =
      Update("cy", R"({"team":"red"})", v1::CLAIMS_MODE_MERGE_TOP_LEVEL);
  top_level.set_merge(true);
  ASSERT_TRUE(UpdateClaims(top_level).ok());
  UpdateClaimsRequest legacy =
      Update("cy", R"({"desk":4})", v1::CLAIMS_MODE_UNSPECIFIED);
  legacy.set_merge(true);
  ASSERT_TRUE(UpdateClaims(legacy).ok());
  EXPECT_TRUE(ClaimsAre(SessionClaims(issued),
                        R"({"role":"member","team":"red","desk":4})"));
}

TEST_F(ClaimsTest, InvalidatingPatchMakesOldAccessTokensStale) {
  const SessionTokens issued = Issue("dee", R"({"roles":["reader"]})");
  UpdateClaimsRequest patch = Update("dee", R"({"roles":["reader","writer"]})",
                                     v1::CLAIMS_MODE_MERGE_PATCH);
  patch.set_invalidate_access_tokens(true);
  v1::UpdateClaimsResponse response;
  ASSERT_TRUE(UpdateClaims(patch, &response).ok());
  EXPECT_GT(response.sequence(), 0u);

  const v1::ValidateTokenResponse stale = Validate(issued.access_token());
  EXPECT_FALSE(stale.valid());
  EXPECT_EQ(stale.reason(), v1::TOKEN_INVALID_REASON_STALE_CLAIMS);
  EXPECT_TRUE(ClaimsAre(TokenClaims(Refresh(issued).access_token()),
                        R"({"roles":["reader","writer"]})"));
}

TEST_F(ClaimsTest, PatchMayDeleteButNeverSetAReservedClaim) {
  const SessionTokens issued = Issue("eve", R"({"role":"member"})");
  for (const char* json :
       {R"({"sub":"admin"})", R"({"sub":null})", R"({"sgen":null})"}) {
    grpc::Status status =
        UpdateClaims(Update("eve", json, v1::CLAIMS_MODE_MERGE_PATCH));
    EXPECT_EQ(ReasonOf(status), "RESERVED_CLAIM") << json;
  }
  // Nested names are the caller's own, and null deletes any claim.
  ASSERT_TRUE(UpdateClaims(Update("eve", R"({"role":null,"org":{"sub":"x"}})",
                                  v1::CLAIMS_MODE_MERGE_PATCH))
                  .ok());
  EXPECT_TRUE(ClaimsAre(SessionClaims(issued), R"({"org":{"sub":"x"}})"));

  // A patch nested deeper than the claims limit is refused as it is sent.
  std::string deep = "1";
  for (int i = 0; i < 17; ++i) deep = absl::StrCat(R"({"n":)", deep, "}");
  grpc::Status status =
      UpdateClaims(Update("eve", deep, v1::CLAIMS_MODE_MERGE_PATCH));
  EXPECT_EQ(ReasonOf(status), "CLAIMS_INVALID") << status.error_message();
}

// A session issued between two updates keeps the claims it was issued with
// and gets only the later update.
TEST_F(ClaimsTest, SessionIssuedBetweenUpdatesKeepsItsOwnClaims) {
  const SessionTokens before = Issue("fay", R"({"z":"old"})");
  ASSERT_TRUE(UpdateClaims(
                  Update("fay", R"({"r":"replaced"})", v1::CLAIMS_MODE_REPLACE))
                  .ok());
  const SessionTokens between = Issue("fay", R"({"a":"own"})");
  ASSERT_TRUE(UpdateClaims(Update("fay", R"({"b":"later"})",
                                  v1::CLAIMS_MODE_MERGE_TOP_LEVEL))
                  .ok());
  EXPECT_TRUE(ClaimsAre(TokenClaims(Refresh(between).access_token()),
                        R"({"a":"own","b":"later"})"));
  EXPECT_TRUE(ClaimsAre(TokenClaims(Refresh(before).access_token()),
                        R"({"r":"replaced","b":"later"})"));
}

}  // namespace
}  // namespace tessera
