#include "server/service/request_validation.h"

#include <cmath>
#include <string>

#include "client/token/access_token.h"
#include "gtest/gtest.h"
#include "server/errors/errors.h"

namespace tessera::service {
namespace {

using ::tessera::v1::ClaimsMode;

// The reason of a refusal, "OK" for OK; every refusal must be
// INVALID_ARGUMENT.
std::string Verdict(const absl::Status& status) {
  if (status.ok()) return "OK";
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_FALSE(status.message().empty());
  return errors::ReasonOf(status);
}

constexpr char kBadUtf8[] = "\xc3\x28";
constexpr char kSessionId[] = "sAAAAAAAAAAAAAAAAAAAAAA";  // "s" + 22 base64url.

google::protobuf::Struct Claims(const std::string& name,
                                const std::string& value) {
  google::protobuf::Struct claims;
  (*claims.mutable_fields())[name].set_string_value(value);
  return claims;
}

TEST(RequestValidationTest, Subject) {
  EXPECT_EQ(Verdict(CheckSubject("lara")), "OK");
  EXPECT_EQ(Verdict(CheckSubject(std::string(kMaxSubjectBytes, 's'))), "OK");
  EXPECT_EQ(Verdict(CheckSubject("")), "SUBJECT_INVALID");
  EXPECT_EQ(Verdict(CheckSubject(std::string(kMaxSubjectBytes + 1, 's'))),
            "SUBJECT_INVALID");
  EXPECT_EQ(Verdict(CheckSubject(kBadUtf8)), "SUBJECT_INVALID");
}

TEST(RequestValidationTest, Audiences) {
  google::protobuf::RepeatedPtrField<std::string> audiences;
  EXPECT_EQ(Verdict(CheckAudiences(audiences)), "OK");
  for (int i = 0; i < kMaxAudiences; ++i) *audiences.Add() = "api";
  EXPECT_EQ(Verdict(CheckAudiences(audiences)), "OK");
  *audiences.Add() = "one-too-many";
  EXPECT_EQ(Verdict(CheckAudiences(audiences)), "AUDIENCE_INVALID");
  for (const std::string& bad :
       {std::string(), std::string(kMaxAudienceBytes + 1, 'a'),
        std::string(kBadUtf8)}) {
    google::protobuf::RepeatedPtrField<std::string> one;
    *one.Add() = bad;
    EXPECT_EQ(Verdict(CheckAudiences(one)), "AUDIENCE_INVALID") << bad;
  }
  google::protobuf::RepeatedPtrField<std::string> longest;
  *longest.Add() = std::string(kMaxAudienceBytes, 'a');
  EXPECT_EQ(Verdict(CheckAudiences(longest)), "OK");
}

TEST(RequestValidationTest, Claims) {
  EXPECT_EQ(Verdict(CheckClaims({})), "OK");
  EXPECT_EQ(Verdict(CheckClaims(Claims("role", "admin"))), "OK");
  for (const char* reserved : {"iss", "sub", "aud", "exp", "jti", "sid"}) {
    EXPECT_EQ(Verdict(CheckClaims(Claims(reserved, "x"))), "RESERVED_CLAIM")
        << reserved;
  }
  google::protobuf::Struct nan;
  (*nan.mutable_fields())["n"].set_number_value(std::nan(""));
  EXPECT_EQ(Verdict(CheckClaims(nan)), "CLAIMS_INVALID");
  google::protobuf::Struct deep;
  google::protobuf::Struct* level = &deep;
  for (int i = 0; i < 20; ++i) {
    level = (*level->mutable_fields())["d"].mutable_struct_value();
  }
  EXPECT_EQ(Verdict(CheckClaims(deep)), "CLAIMS_INVALID");
  // {"k":"<v>"} is 8 bytes of JSON around the value.
  EXPECT_EQ(Verdict(CheckClaims(
                Claims("k", std::string(kMaxClaimsJsonBytes - 8, 'v')))),
            "OK");
  EXPECT_EQ(Verdict(CheckClaims(
                Claims("k", std::string(kMaxClaimsJsonBytes - 7, 'v')))),
            "CLAIMS_TOO_LARGE");
}

TEST(RequestValidationTest, ClientInfo) {
  tessera::v1::ClientInfo client;
  client.set_user_agent(std::string(kMaxClientFieldBytes, 'u'));
  client.set_ip_address("127.0.0.1");
  client.set_device_name("phone");
  EXPECT_EQ(Verdict(CheckClientInfo(client)), "OK");
  using Setter = void (tessera::v1::ClientInfo::*)(const std::string&);
  for (Setter set :
       {static_cast<Setter>(&tessera::v1::ClientInfo::set_user_agent),
        static_cast<Setter>(&tessera::v1::ClientInfo::set_ip_address),
        static_cast<Setter>(&tessera::v1::ClientInfo::set_device_name)}) {
    for (const std::string& bad :
         {std::string(kMaxClientFieldBytes + 1, 'x'), std::string(kBadUtf8)}) {
      tessera::v1::ClientInfo hostile;
      (hostile.*set)(bad);
      EXPECT_EQ(Verdict(CheckClientInfo(hostile)), "CLIENT_INFO_INVALID");
    }
  }
}

TEST(RequestValidationTest, TokenSize) {
  EXPECT_EQ(Verdict(CheckTokenSize("access_token",
                                   std::string(token::kMaxTokenBytes, 't'))),
            "OK");
  const absl::Status large = CheckTokenSize(
      "access_token", std::string(token::kMaxTokenBytes + 1, 't'));
  EXPECT_EQ(Verdict(large), "TOKEN_TOO_LARGE");
  EXPECT_NE(large.message().find("access_token"), absl::string_view::npos);
}

TEST(RequestValidationTest, RequestedTtl) {
  const absl::Duration max = absl::Hours(1);
  google::protobuf::Duration requested;
  EXPECT_EQ(*RequestedTtl(false, requested, max, "access_ttl"), max);
  requested.set_seconds(60);
  EXPECT_EQ(*RequestedTtl(true, requested, max, "access_ttl"),
            absl::Minutes(1));
  requested.set_seconds(7200);
  EXPECT_EQ(*RequestedTtl(true, requested, max, "access_ttl"), max);
  for (int64_t seconds : {0, -5}) {
    requested.set_seconds(seconds);
    absl::StatusOr<absl::Duration> ttl =
        RequestedTtl(true, requested, max, "session_ttl");
    EXPECT_EQ(Verdict(ttl.status()), "TTL_INVALID") << seconds;
    EXPECT_NE(ttl.status().message().find("session_ttl"),
              absl::string_view::npos);
  }
}

TEST(RequestValidationTest, SessionId) {
  EXPECT_EQ(Verdict(CheckSessionId(kSessionId)), "OK");
  for (const std::string& bad :
       {std::string(), std::string("s"), std::string(kSessionId) + "A",
        std::string("x") + (kSessionId + 1), std::string(kBadUtf8)}) {
    EXPECT_EQ(Verdict(CheckSessionId(bad)), "SESSION_ID_INVALID") << bad;
  }
}

tessera::v1::IssueSessionRequest GoodIssue() {
  tessera::v1::IssueSessionRequest request;
  request.set_subject("lara");
  request.add_audience("api");
  *request.mutable_claims() = Claims("role", "reader");
  request.mutable_client()->set_user_agent("curl");
  return request;
}

TEST(RequestValidationTest, IssueChecksEachFieldInOrder) {
  EXPECT_EQ(Verdict(CheckIssue(GoodIssue())), "OK");
  tessera::v1::IssueSessionRequest request = GoodIssue();
  request.set_request_id("0123456789abcdef");
  EXPECT_EQ(Verdict(CheckIssue(request)), "OK");
  request.set_request_id("short");
  EXPECT_EQ(Verdict(CheckIssue(request)), "REQUEST_ID_INVALID");
  request.mutable_client()->set_device_name(kBadUtf8);
  EXPECT_EQ(Verdict(CheckIssue(request)), "CLIENT_INFO_INVALID");
  (*request.mutable_claims()->mutable_fields())["exp"].set_number_value(1);
  EXPECT_EQ(Verdict(CheckIssue(request)), "RESERVED_CLAIM");
  request.add_audience("");
  EXPECT_EQ(Verdict(CheckIssue(request)), "AUDIENCE_INVALID");
  request.clear_subject();
  EXPECT_EQ(Verdict(CheckIssue(request)), "SUBJECT_INVALID");
}

TEST(RequestValidationTest, RefreshAndValidate) {
  tessera::v1::RefreshSessionRequest refresh;
  refresh.set_refresh_token("tsr_anything");
  EXPECT_EQ(Verdict(CheckRefresh(refresh)), "OK");
  refresh.set_refresh_token(std::string(token::kMaxTokenBytes + 1, 'r'));
  EXPECT_EQ(Verdict(CheckRefresh(refresh)), "TOKEN_TOO_LARGE");

  tessera::v1::ValidateTokenRequest validate;
  validate.set_access_token("a.b.c");
  EXPECT_EQ(Verdict(CheckValidate(validate)), "OK");
  validate.add_audience(std::string(kMaxAudienceBytes + 1, 'a'));
  EXPECT_EQ(Verdict(CheckValidate(validate)), "AUDIENCE_INVALID");
  validate.set_access_token(std::string(token::kMaxTokenBytes + 1, 'a'));
  EXPECT_EQ(Verdict(CheckValidate(validate)), "TOKEN_TOO_LARGE");
}

TEST(RequestValidationTest, RevokeReason) {
  EXPECT_EQ(Verdict(CheckRevokeReason("")), "OK");
  EXPECT_EQ(Verdict(CheckRevokeReason(std::string(kMaxReasonBytes, 'r'))),
            "OK");
  EXPECT_EQ(Verdict(CheckRevokeReason(std::string(kMaxReasonBytes + 1, 'r'))),
            "REASON_INVALID");
}

TEST(RequestValidationTest, ListPageSizeAndToken) {
  tessera::v1::ListSessionsRequest request;
  request.set_subject("lara");
  EXPECT_EQ(*CheckList(request), kDefaultPageSize);
  request.set_page_size(7);
  EXPECT_EQ(*CheckList(request), 7);
  request.set_page_size(kMaxPageSize + 1);
  EXPECT_EQ(*CheckList(request), kMaxPageSize);
  request.set_page_token(std::string(kMaxPageTokenBytes, 'p'));
  EXPECT_TRUE(CheckList(request).ok());
  request.set_page_token(std::string(kMaxPageTokenBytes + 1, 'p'));
  EXPECT_EQ(Verdict(CheckList(request).status()), "PAGE_TOKEN_INVALID");
  request.set_page_size(-1);
  EXPECT_EQ(Verdict(CheckList(request).status()), "PAGE_SIZE_INVALID");
  request.clear_subject();
  EXPECT_EQ(Verdict(CheckList(request).status()), "SUBJECT_INVALID");
}

TEST(RequestValidationTest, ClaimsMode) {
  tessera::v1::UpdateClaimsRequest request;
  EXPECT_EQ(*ClaimsModeOf(request), tessera::v1::CLAIMS_MODE_REPLACE);
  request.set_merge(true);
  EXPECT_EQ(*ClaimsModeOf(request), tessera::v1::CLAIMS_MODE_MERGE_TOP_LEVEL);
  request.set_mode(tessera::v1::CLAIMS_MODE_MERGE_TOP_LEVEL);
  EXPECT_EQ(*ClaimsModeOf(request), tessera::v1::CLAIMS_MODE_MERGE_TOP_LEVEL);
  for (ClaimsMode mode : {tessera::v1::CLAIMS_MODE_REPLACE,
                          tessera::v1::CLAIMS_MODE_MERGE_PATCH}) {
    request.set_mode(mode);
    request.set_merge(false);
    EXPECT_EQ(*ClaimsModeOf(request), mode);
    request.set_merge(true);
    EXPECT_EQ(Verdict(ClaimsModeOf(request).status()), "CLAIMS_MODE_INVALID");
  }
  request.set_merge(false);
  request.set_mode(static_cast<ClaimsMode>(99));
  EXPECT_EQ(Verdict(ClaimsModeOf(request).status()), "CLAIMS_MODE_INVALID");
}

TEST(RequestValidationTest, UpdateClaimsChecksSubjectModeThenClaims) {
  tessera::v1::UpdateClaimsRequest request;
  request.set_subject("lara");
  request.set_mode(tessera::v1::CLAIMS_MODE_MERGE_PATCH);
  // A patch may delete a claim with a null, never set a reserved one.
  (*request.mutable_claims()->mutable_fields())["role"].set_null_value(
      google::protobuf::NULL_VALUE);
  EXPECT_EQ(*CheckUpdateClaims(request), tessera::v1::CLAIMS_MODE_MERGE_PATCH);
  (*request.mutable_claims()->mutable_fields())["iss"].set_null_value(
      google::protobuf::NULL_VALUE);
  EXPECT_EQ(Verdict(CheckUpdateClaims(request).status()), "RESERVED_CLAIM");
  request.set_merge(true);
  EXPECT_EQ(Verdict(CheckUpdateClaims(request).status()),
            "CLAIMS_MODE_INVALID");
  request.set_subject(kBadUtf8);
  EXPECT_EQ(Verdict(CheckUpdateClaims(request).status()), "SUBJECT_INVALID");
}

TEST(RequestValidationTest, Withdrawal) {
  tessera::v1::WithdrawSigningKeyRequest request;
  request.set_kid(std::string(43, 'k'));
  EXPECT_EQ(Verdict(CheckWithdrawal(request)), "OK");
  request.set_reason(std::string(kMaxReasonBytes, 'r'));
  EXPECT_EQ(Verdict(CheckWithdrawal(request)), "OK");
  request.set_reason(std::string(kMaxReasonBytes + 1, 'r'));
  EXPECT_EQ(Verdict(CheckWithdrawal(request)), "REASON_TOO_LONG");
  request.set_kid(std::string(kMaxKidBytes + 1, 'k'));
  EXPECT_EQ(Verdict(CheckWithdrawal(request)), "KID_INVALID");
  request.clear_kid();
  EXPECT_EQ(Verdict(CheckWithdrawal(request)), "KID_INVALID");
}

}  // namespace
}  // namespace tessera::service
