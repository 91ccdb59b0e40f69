// http.json: Authorization fields and a Verifier verdict in, the answer of
// client/auth:http_bearer out.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/auth/http_bearer.h"
#include "client/verifier/reasons.h"
#include "tests/conformance/vectors.h"

namespace tessera::conformance {
namespace {

using token::Json;

// Any well-formed token: the verdict, not the token, decides.
constexpr char kToken[] =
    "eyJhbGciOiJFZERTQSIsImtpZCI6ImsiLCJ0eXAiOiJhdCtqd3QifQ."
    "eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJl";

struct HttpCase {
  std::string name;
  std::string description;
  std::vector<std::string> authorization;
  std::string verdict = "VALID";
};

std::vector<HttpCase> Cases() {
  const std::string bearer = absl::StrCat("Bearer ", kToken);
  std::vector<HttpCase> cases = {
      {"missing/no_field", "no Authorization field", {}},
      {"missing/empty", "an empty field", {""}},
      {"missing/whitespace", "spaces and tabs only", {" \t "}},
      {"missing/basic",
       "another scheme (RFC 6750 §3.1: no error code)",
       {"Basic dXNlcjpwYXNz"}},
      {"missing/dpop", "another scheme", {absl::StrCat("DPoP ", kToken)}},
      {"missing/scheme_run_on",
       "\"Bearer\" run into the token is a scheme",
       {absl::StrCat("Bearer", kToken)}},
      {"malformed/bearer_alone", "the scheme and no token", {"Bearer"}},
      {"malformed/bearer_space", "the scheme, a space, no token", {"Bearer "}},
      {"malformed/two_tokens",
       "two tokens in one field",
       {absl::StrCat(bearer, " ", kToken)}},
      {"malformed/comma_list",
       "two credentials joined by a comma",
       {absl::StrCat(bearer, ", ", bearer)}},
      {"malformed/two_fields", "two Authorization fields", {bearer, bearer}},
      {"malformed/two_fields_one_basic",
       "two fields, one of another scheme",
       {"Basic dXNlcjpwYXNz", bearer}},
      {"malformed/tab_separator",
       "a tab, not a space, after the scheme",
       {absl::StrCat("Bearer\t", kToken)}},
      {"malformed/quoted",
       "the token in quotes",
       {absl::StrCat("Bearer \"", kToken, "\"")}},
      {"malformed/non_ascii",
       "a character outside b64token",
       {absl::StrCat(bearer, "\xc3\xa9")}},
      {"malformed/padding_only",
       "\"=\" alone is not a b64token",
       {"Bearer =="}},
      {"malformed/before_a_stale_verifier",
       "the field is judged before the Verifier is asked",
       {"Bearer"},
       "UNAVAILABLE"},
      {"token/valid", "one token, valid", {bearer}},
      {"token/lower_case_scheme",
       "the scheme is case-insensitive",
       {absl::StrCat("bearer ", kToken)}},
      {"token/upper_case_scheme",
       "the scheme is case-insensitive",
       {absl::StrCat("BEARER ", kToken)}},
      {"token/several_spaces",
       "1*SP after the scheme",
       {absl::StrCat("Bearer   ", kToken)}},
      {"token/surrounding_whitespace",
       "leading and trailing OWS is not part "
       "of the field value",
       {absl::StrCat(" \t", bearer, " \t")}},
      {"token/every_b64token_character",
       "b64token's whole alphabet",
       {"Bearer AZaz09-._~+/=="}},
  };
  for (int value = 1; value < 64; ++value) {
    if (!v1::TokenInvalidReason_IsValid(value)) continue;
    const std::string reason(TokenInvalidReasonShortName(
        static_cast<v1::TokenInvalidReason>(value)));
    cases.push_back({absl::StrCat("refused/", reason),
                     absl::StrCat("the Verifier refuses the token: ", reason),
                     {bearer},
                     reason});
  }
  cases.push_back({"unavailable/verifier_stale",
                   "the Verifier fails closed (not ready, or stale)",
                   {bearer},
                   "UNAVAILABLE"});
  return cases;
}

Json HeadersJson(const HttpAnswer& answer) {
  Json headers = Json::MakeObject();
  for (const auto& [name, value] : answer.headers) {
    headers.Set(name, Json::String(value));
  }
  return headers;
}

Json ExpectJson(const HttpAuthentication& result,
                const std::optional<std::string>& asked) {
  Json expect = Json::MakeObject();
  expect.Set("verifier_called_with",
             asked.has_value() ? Json::String(*asked) : Json());
  const auto* answer = std::get_if<HttpAnswer>(&result);
  expect.Set("authenticated", Json::Bool(answer == nullptr));
  if (answer != nullptr) {
    expect.Set("status", Json::Integer(answer->status));
    expect.Set("headers", HeadersJson(*answer));
    expect.Set("body", Json::String(answer->body));
  }
  return expect;
}

Json CaseJson(const HttpCase& c) {
  const std::vector<absl::string_view> fields(c.authorization.begin(),
                                              c.authorization.end());
  std::optional<std::string> asked;
  const HttpAuthentication result =
      AuthenticateHttpBearer(fields, [&](absl::string_view token) {
        asked = std::string(token);
        return *VerdictAnswer(c.verdict);
      });
  Json::Array authorization;
  for (const std::string& field : c.authorization) {
    authorization.push_back(Json::String(field));
  }
  return Json::MakeObject(
      {{"name", Json::String(c.name)},
       {"description", Json::String(c.description)},
       {"authorization", Json::MakeArray(std::move(authorization))},
       {"verdict", Json::String(c.verdict)},
       {"expect", ExpectJson(result, asked)}});
}

}  // namespace

std::optional<absl::StatusOr<VerifiedClaims>> VerdictAnswer(
    absl::string_view verdict) {
  if (verdict == "VALID") {
    auto claims = std::make_shared<token::AccessTokenClaims>();
    claims->subject = "user-42";
    return VerifiedClaims(std::move(claims));
  }
  if (verdict == "UNAVAILABLE") {
    return absl::UnavailableError("the verifier fails closed");
  }
  v1::TokenInvalidReason reason;
  if (v1::TokenInvalidReason_Parse(
          absl::StrCat("TOKEN_INVALID_REASON_", verdict), &reason) &&
      reason != v1::TOKEN_INVALID_REASON_UNSPECIFIED) {
    return TokenRefusal(reason, "refused");
  }
  return std::nullopt;
}

std::string HttpVectorsJson() {
  Json::Array vectors;
  for (const HttpCase& c : Cases()) vectors.push_back(CaseJson(c));
  const Json document = Json::MakeObject(
      {{"about",
        Json::String("Tessera HTTP bearer-authentication conformance "
                     "vectors: the answer to each Authorization field list "
                     "and Verifier verdict; see tests/conformance/README.md")},
       {"generator", Json::String("bazel run //tests/conformance:generate")},
       {"realm", Json::String(kBearerRealm)},
       {"vectors", Json::MakeArray(std::move(vectors))}});
  return PrettyJson(document);
}

}  // namespace tessera::conformance
