// http.json through client/auth:http_bearer, read from the file as a
// middleware in another language reads it: each vector's Authorization
// fields, a stub Verifier answering its verdict, and the exact answer.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/auth/http_bearer.h"
#include "client/token/json.h"
#include "client/verifier/reasons.h"
#include "gtest/gtest.h"
#include "tests/conformance/vectors.h"

namespace tessera::conformance {
namespace {

using token::Json;

Json ReadVectors() {
  absl::StatusOr<Json> json =
      token::ParseJson(ReadRunfile(kHttpPath), kVectorFileLimits);
  EXPECT_TRUE(json.ok()) << json.status();
  return json.ok() ? *std::move(json) : Json::MakeObject();
}

void ExpectAnswer(const Json& expect, const HttpAnswer& answer) {
  EXPECT_EQ(answer.status, expect.Find("status")->integer_value());
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : expect.Find("headers")->object()) {
    headers.emplace_back(name, value.string_value());
  }
  EXPECT_EQ(answer.headers, headers);
  EXPECT_EQ(answer.body, expect.Find("body")->string_value());
  // The body is a small JSON object: error, then reason.
  absl::StatusOr<Json> body = token::ParseJson(answer.body);
  ASSERT_TRUE(body.ok()) << body.status();
  ASSERT_EQ(body->object().size(), 2u);
  EXPECT_EQ(body->object()[0].first, "error");
  EXPECT_EQ(body->object()[1].first, "reason");
}

TEST(HttpVectorsTest, EveryVectorGetsItsAnswer) {
  const Json vectors = ReadVectors();
  ASSERT_NE(vectors.Find("vectors"), nullptr);
  EXPECT_EQ(vectors.Find("realm")->string_value(), kBearerRealm);
  absl::flat_hash_set<int> statuses;
  absl::flat_hash_set<std::string> refused;
  int authenticated = 0;
  for (const Json& vector : vectors.Find("vectors")->array()) {
    const std::string& name = vector.Find("name")->string_value();
    SCOPED_TRACE(name);
    std::vector<absl::string_view> fields;
    for (const Json& field : vector.Find("authorization")->array()) {
      fields.push_back(field.string_value());
    }
    const std::string& verdict = vector.Find("verdict")->string_value();
    std::optional<absl::StatusOr<VerifiedClaims>> answer =
        VerdictAnswer(verdict);
    ASSERT_TRUE(answer.has_value()) << "unknown verdict " << verdict;
    std::optional<std::string> asked;
    const HttpAuthentication result =
        AuthenticateHttpBearer(fields, [&](absl::string_view token) {
          EXPECT_FALSE(asked.has_value()) << "asked twice";
          asked = std::string(token);
          return *answer;
        });
    const Json& expect = *vector.Find("expect");
    const Json& called_with = *expect.Find("verifier_called_with");
    if (called_with.is_null()) {
      EXPECT_FALSE(asked.has_value()) << "asked about " << *asked;
    } else {
      EXPECT_EQ(asked, called_with.string_value());
    }
    if (expect.Find("authenticated")->bool_value()) {
      ++authenticated;
      EXPECT_TRUE(std::holds_alternative<VerifiedClaims>(result));
      continue;
    }
    const auto* http = std::get_if<HttpAnswer>(&result);
    ASSERT_NE(http, nullptr) << "authenticated";
    ExpectAnswer(expect, *http);
    statuses.insert(http->status);
    if (absl::StartsWith(name, "refused/")) refused.insert(verdict);
  }
  EXPECT_GE(authenticated, 5);
  EXPECT_EQ(statuses, (absl::flat_hash_set<int>{400, 401, 503}));
  // A vector for every reason a token can be refused with.
  for (int value = 1; value < 64; ++value) {
    if (!v1::TokenInvalidReason_IsValid(value)) continue;
    EXPECT_TRUE(refused.contains(TokenInvalidReasonShortName(
        static_cast<v1::TokenInvalidReason>(value))))
        << value;
  }
}

}  // namespace
}  // namespace tessera::conformance
