// The HTTP side of bearer authentication, without a server: parsing the
// Authorization fields, the answer to each Verify status, and that the
// verifier is asked only about well-formed tokens. The language-neutral
// form of the same contract is tests/conformance/http.json
// (tests/conformance:http_vectors_test runs it against this code).

#include "client/auth/http_bearer.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/verifier/reasons.h"
#include "gtest/gtest.h"

namespace tessera {
namespace {

using Kind = BearerCredentials::Kind;
using Headers = std::vector<std::pair<std::string, std::string>>;

BearerCredentials Parse(std::vector<absl::string_view> fields) {
  return ParseAuthorization(fields);
}

TEST(ParseAuthorizationTest, OneBearerTokenIsAToken) {
  for (absl::string_view field :
       {"Bearer abc.DEF-_~+/xyz==", "bearer abc.DEF-_~+/xyz==",
        "BEARER abc.DEF-_~+/xyz==", "Bearer    abc.DEF-_~+/xyz==",
        " \tBearer abc.DEF-_~+/xyz== \t"}) {
    const BearerCredentials parsed = Parse({field});
    EXPECT_EQ(parsed.kind, Kind::kToken) << field;
    EXPECT_EQ(parsed.token, "abc.DEF-_~+/xyz==") << field;
  }
}

TEST(ParseAuthorizationTest, NothingOrAnotherSchemeIsMissing) {
  EXPECT_EQ(Parse({}).kind, Kind::kMissing);
  for (absl::string_view field :
       {"", "   ", "\t", "Basic dXNlcjpwYXNz", "Token abc", "Bearerabc",
        "Bearer,abc", "Negotiate", "DPoP abc.def.ghi"}) {
    EXPECT_EQ(Parse({field}).kind, Kind::kMissing) << "\"" << field << "\"";
  }
}

TEST(ParseAuthorizationTest, ABearerFieldWithoutExactlyOneTokenIsMalformed) {
  for (absl::string_view field :
       {"Bearer", "Bearer ", "Bearer   ", "Bearer\tabc", "Bearer \tabc",
        "Bearer abc def", "Bearer abc, Bearer def", "Bearer abc,def",
        "Bearer \"abc\"", "Bearer ==", "Bearer a=b", "Bearer ab\xc3\xa9",
        "Bearer abc;", "Bearer a\nb"}) {
    EXPECT_EQ(Parse({field}).kind, Kind::kMalformed) << "\"" << field << "\"";
  }
  const std::string with_nul("Bearer ab\0cd", 12);
  EXPECT_EQ(Parse({with_nul}).kind, Kind::kMalformed);
}

TEST(ParseAuthorizationTest, MoreThanOneFieldIsMalformed) {
  EXPECT_EQ(Parse({"Bearer abc", "Bearer abc"}).kind, Kind::kMalformed);
  EXPECT_EQ(Parse({"Bearer abc", ""}).kind, Kind::kMalformed);
  EXPECT_EQ(Parse({"Basic x", "Bearer abc"}).kind, Kind::kMalformed);
}

TEST(ParseAuthorizationTest, HugeFieldsAreParsedWithoutCopies) {
  const std::string token(1 << 20, 'a');
  const std::string field =
      absl::StrCat("Bearer", std::string(1 << 16, ' '), token);
  const BearerCredentials parsed = Parse({field});
  ASSERT_EQ(parsed.kind, Kind::kToken);
  EXPECT_EQ(parsed.token.data(), field.data() + field.size() - token.size());
  EXPECT_EQ(parsed.token.size(), token.size());
}

TEST(HttpAnswerTest, MissingToken) {
  const HttpAnswer answer = MissingTokenAnswer();
  EXPECT_EQ(answer.status, 401);
  EXPECT_EQ(answer.headers,
            (Headers{{"WWW-Authenticate", "Bearer realm=\"tessera\""},
                     {"Cache-Control", "no-store"},
                     {"Content-Type", "application/json"}}));
  EXPECT_EQ(answer.body,
            R"({"error":"unauthorized","reason":"TOKEN_MISSING"})");
}

TEST(HttpAnswerTest, MalformedAuthorization) {
  const HttpAnswer answer = MalformedAuthorizationAnswer();
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(answer.headers,
            (Headers{{"WWW-Authenticate",
                      "Bearer realm=\"tessera\", error=\"invalid_request\""},
                     {"Cache-Control", "no-store"},
                     {"Content-Type", "application/json"}}));
  EXPECT_EQ(
      answer.body,
      R"({"error":"invalid_request","reason":"AUTHORIZATION_MALFORMED"})");
}

TEST(HttpAnswerTest, EveryRefusalNamesItsReason) {
  int reasons = 0;
  for (int value = 1; value < 64; ++value) {
    if (!v1::TokenInvalidReason_IsValid(value)) continue;
    const auto reason = static_cast<v1::TokenInvalidReason>(value);
    const std::string name(TokenInvalidReasonShortName(reason));
    SCOPED_TRACE(name);
    ++reasons;
    const absl::Status refusal = TokenRefusal(reason, "detail");
    EXPECT_EQ(TokenInvalidReasonName(refusal), name);
    const HttpAnswer answer = HttpAnswerFor(refusal);
    EXPECT_EQ(answer.status, 401);
    EXPECT_EQ(answer.headers,
              (Headers{{"WWW-Authenticate",
                        "Bearer realm=\"tessera\", error=\"invalid_token\""},
                       {"Tessera-Reason", name},
                       {"Cache-Control", "no-store"},
                       {"Content-Type", "application/json"}}));
    EXPECT_EQ(
        answer.body,
        absl::StrCat(R"({"error":"invalid_token","reason":")", name, "\"}"));
    EXPECT_EQ(answer.body.find("detail"), std::string::npos);
  }
  EXPECT_EQ(reasons, 11);
}

TEST(HttpAnswerTest, UnauthenticatedWithoutAReasonIsUnspecified) {
  const absl::Status bare = absl::UnauthenticatedError("no payload");
  EXPECT_EQ(TokenInvalidReasonName(bare), "UNSPECIFIED");
  const HttpAnswer answer = HttpAnswerFor(bare);
  EXPECT_EQ(answer.status, 401);
  EXPECT_EQ(answer.headers[1], (std::pair<std::string, std::string>{
                                   "Tessera-Reason", "UNSPECIFIED"}));
}

TEST(HttpAnswerTest, AnyOtherStatusFailsClosedWith503) {
  for (const absl::Status& status :
       {absl::UnavailableError("stale"), absl::InternalError("x"),
        absl::DeadlineExceededError("x"), absl::OkStatus()}) {
    SCOPED_TRACE(status.ToString());
    EXPECT_EQ(TokenInvalidReasonName(status), "");
    const HttpAnswer answer = HttpAnswerFor(status);
    EXPECT_EQ(answer.status, 503);
    EXPECT_EQ(answer.headers, (Headers{{"Retry-After", "2"},
                                       {"Cache-Control", "no-store"},
                                       {"Content-Type", "application/json"}}));
    EXPECT_EQ(
        answer.body,
        R"({"error":"temporarily_unavailable","reason":"VERIFIER_UNAVAILABLE"})");
  }
}

class AuthenticateHttpBearerTest : public ::testing::Test {
 protected:
  HttpAuthentication Authenticate(std::vector<absl::string_view> fields) {
    return AuthenticateHttpBearer(fields, [this](absl::string_view token) {
      asked_.emplace_back(token);
      return answer_;
    });
  }

  absl::StatusOr<VerifiedClaims> answer_ = absl::InternalError("unset");
  std::vector<std::string> asked_;
};

TEST_F(AuthenticateHttpBearerTest, AValidTokenYieldsItsClaims) {
  auto claims = std::make_shared<token::AccessTokenClaims>();
  claims->subject = "user-42";
  answer_ = VerifiedClaims(claims);
  HttpAuthentication auth = Authenticate({"Bearer a.b.c"});
  ASSERT_TRUE(std::holds_alternative<VerifiedClaims>(auth));
  EXPECT_EQ(std::get<VerifiedClaims>(auth)->subject, "user-42");
  EXPECT_EQ(asked_, std::vector<std::string>{"a.b.c"});
}

TEST_F(AuthenticateHttpBearerTest, ARefusalIsAnsweredWithItsReason) {
  answer_ = TokenRefusal(v1::TOKEN_INVALID_REASON_SESSION_REVOKED, "x");
  HttpAuthentication auth = Authenticate({"Bearer a.b.c"});
  ASSERT_TRUE(std::holds_alternative<HttpAnswer>(auth));
  EXPECT_EQ(std::get<HttpAnswer>(auth).status, 401);
  EXPECT_EQ(std::get<HttpAnswer>(auth).headers[1].second, "SESSION_REVOKED");
  EXPECT_EQ(asked_.size(), 1u);
}

TEST_F(AuthenticateHttpBearerTest, AStaleVerifierIs503) {
  answer_ = absl::UnavailableError("stale");
  HttpAuthentication auth = Authenticate({"Bearer a.b.c"});
  ASSERT_TRUE(std::holds_alternative<HttpAnswer>(auth));
  EXPECT_EQ(std::get<HttpAnswer>(auth).status, 503);
}

TEST_F(AuthenticateHttpBearerTest, TheVerifierIsNotAskedAboutBadFields) {
  answer_ = absl::UnavailableError("would be 503");
  HttpAuthentication missing = Authenticate({});
  ASSERT_TRUE(std::holds_alternative<HttpAnswer>(missing));
  EXPECT_EQ(std::get<HttpAnswer>(missing).status, 401);
  HttpAuthentication other_scheme = Authenticate({"Basic dXNlcjpwYXNz"});
  ASSERT_TRUE(std::holds_alternative<HttpAnswer>(other_scheme));
  EXPECT_EQ(std::get<HttpAnswer>(other_scheme).status, 401);
  HttpAuthentication two = Authenticate({"Bearer a", "Bearer b"});
  ASSERT_TRUE(std::holds_alternative<HttpAnswer>(two));
  EXPECT_EQ(std::get<HttpAnswer>(two).status, 400);
  HttpAuthentication empty = Authenticate({"Bearer"});
  ASSERT_TRUE(std::holds_alternative<HttpAnswer>(empty));
  EXPECT_EQ(std::get<HttpAnswer>(empty).status, 400);
  EXPECT_TRUE(asked_.empty());
}

}  // namespace
}  // namespace tessera
