#include "client/token/testing/vector_claims.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace tessera::token::testing {

std::string ClaimsMismatch(const Json& expected,
                           const AccessTokenClaims& actual) {
  if (!expected.is_object()) return "claims is not an object";
  std::vector<std::string> problems;
  auto differs = [&](absl::string_view name, const Json* want,
                     const Json& got) {
    if (want == nullptr) {
      problems.push_back(absl::StrCat(name, ": missing"));
    } else if (!(*want == got)) {
      problems.push_back(absl::StrCat(name, ": expected ", want->Serialize(),
                                      ", got ", got.Serialize()));
    }
  };
  auto string = [&](absl::string_view name, const std::string& value) {
    differs(name, expected.Find(name), Json::String(value));
  };
  auto seconds = [&](absl::string_view name, absl::Time value) {
    differs(name, expected.Find(name),
            Json::Integer(absl::ToUnixSeconds(value)));
  };
  string("iss", actual.issuer);
  string("sub", actual.subject);
  Json::Array audience;
  for (const std::string& aud : actual.audience) {
    audience.push_back(Json::String(aud));
  }
  differs("aud", expected.Find("aud"), Json::MakeArray(std::move(audience)));
  seconds("exp", actual.expires_at);
  seconds("iat", actual.issued_at);
  differs("nbf", expected.Find("nbf"),
          actual.not_before.has_value()
              ? Json::Integer(absl::ToUnixSeconds(*actual.not_before))
              : Json());
  string("jti", actual.token_id);
  string("sid", actual.session_id);
  string("client_id", actual.client_id);
  differs("sgen", expected.Find("sgen"),
          Json::Integer(static_cast<int64_t>(actual.subject_generation)));
  differs("custom", expected.Find("custom"), actual.custom);
  constexpr absl::string_view kKnown[] = {"iss",       "sub",  "aud",   "exp",
                                          "iat",       "nbf",  "jti",   "sid",
                                          "client_id", "sgen", "custom"};
  for (const auto& [name, value] : expected.object()) {
    bool known = false;
    for (absl::string_view k : kKnown) known = known || name == k;
    if (!known) problems.push_back(absl::StrCat(name, ": unknown member"));
  }
  return absl::StrJoin(problems, "; ");
}

}  // namespace tessera::token::testing
