#include "client/auth/http_bearer.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/token/json.h"
#include "client/verifier/reasons.h"

namespace tessera {
namespace {

bool IsSpaceOrTab(char c) { return c == ' ' || c == '\t'; }

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" /
// "+" / "/" ) *"="
bool IsB64Token(absl::string_view text) {
  size_t end = text.size();
  while (end > 0 && text[end - 1] == '=') --end;
  if (end == 0) return false;
  for (size_t i = 0; i < end; ++i) {
    const char c = text[i];
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' &&
        c != '.' && c != '_' && c != '~' && c != '+' && c != '/') {
      return false;
    }
  }
  return true;
}

std::string Body(absl::string_view error, absl::string_view reason) {
  return token::Json::MakeObject(
             {{"error", token::Json::String(std::string(error))},
              {"reason", token::Json::String(std::string(reason))}})
      .Serialize();
}

void AddCommonHeaders(HttpAnswer& answer) {
  answer.headers.emplace_back("Cache-Control", "no-store");
  answer.headers.emplace_back("Content-Type", "application/json");
}

std::string Challenge(absl::string_view error) {
  std::string challenge = absl::StrCat("Bearer realm=\"", kBearerRealm, "\"");
  if (!error.empty()) absl::StrAppend(&challenge, ", error=\"", error, "\"");
  return challenge;
}

}  // namespace

BearerCredentials ParseAuthorization(
    absl::Span<const absl::string_view> fields) {
  using Kind = BearerCredentials::Kind;
  if (fields.empty()) return {Kind::kMissing, {}};
  if (fields.size() > 1) return {Kind::kMalformed, {}};
  absl::string_view value = fields[0];
  while (!value.empty() && IsSpaceOrTab(value.front())) value.remove_prefix(1);
  while (!value.empty() && IsSpaceOrTab(value.back())) value.remove_suffix(1);
  if (value.empty()) return {Kind::kMissing, {}};
  size_t scheme_end = 0;
  while (scheme_end < value.size() && !IsSpaceOrTab(value[scheme_end])) {
    ++scheme_end;
  }
  if (!absl::EqualsIgnoreCase(value.substr(0, scheme_end), "Bearer")) {
    return {Kind::kMissing, {}};  // Another scheme: RFC 6750 §3.1.
  }
  absl::string_view rest = value.substr(scheme_end);
  // 1*SP, then the token (a tab, or nothing, after the scheme is malformed).
  const size_t spaces = rest.find_first_not_of(' ');
  if (spaces == 0 || spaces == absl::string_view::npos) {
    return {Kind::kMalformed, {}};
  }
  rest.remove_prefix(spaces);
  if (!IsB64Token(rest)) return {Kind::kMalformed, {}};
  return {Kind::kToken, rest};
}

HttpAnswer MissingTokenAnswer() {
  HttpAnswer answer{401,
                    {{"WWW-Authenticate", Challenge("")}},
                    Body("unauthorized", "TOKEN_MISSING")};
  AddCommonHeaders(answer);
  return answer;
}

HttpAnswer MalformedAuthorizationAnswer() {
  HttpAnswer answer{400,
                    {{"WWW-Authenticate", Challenge("invalid_request")}},
                    Body("invalid_request", "AUTHORIZATION_MALFORMED")};
  AddCommonHeaders(answer);
  return answer;
}

HttpAnswer HttpAnswerFor(const absl::Status& verify_status) {
  const absl::string_view reason = TokenInvalidReasonName(verify_status);
  if (reason.empty()) {
    HttpAnswer answer{503,
                      {{"Retry-After", absl::StrCat(kRetryAfterSeconds)}},
                      Body("temporarily_unavailable", "VERIFIER_UNAVAILABLE")};
    AddCommonHeaders(answer);
    return answer;
  }
  HttpAnswer answer{401,
                    {{"WWW-Authenticate", Challenge("invalid_token")},
                     {"Tessera-Reason", std::string(reason)}},
                    Body("invalid_token", reason)};
  AddCommonHeaders(answer);
  return answer;
}

absl::string_view TokenInvalidReasonName(const absl::Status& verify_status) {
  if (verify_status.code() != absl::StatusCode::kUnauthenticated) return "";
  return TokenInvalidReasonShortName(TokenInvalidReasonOf(verify_status));
}

HttpAuthentication AuthenticateHttpBearer(
    absl::Span<const absl::string_view> authorization,
    absl::FunctionRef<absl::StatusOr<VerifiedClaims>(absl::string_view)>
        verify) {
  const BearerCredentials credentials = ParseAuthorization(authorization);
  switch (credentials.kind) {
    case BearerCredentials::Kind::kMissing:
      return MissingTokenAnswer();
    case BearerCredentials::Kind::kMalformed:
      return MalformedAuthorizationAnswer();
    case BearerCredentials::Kind::kToken:
      break;
  }
  absl::StatusOr<VerifiedClaims> claims = verify(credentials.token);
  if (!claims.ok()) return HttpAnswerFor(claims.status());
  return *std::move(claims);
}

HttpAuthentication AuthenticateHttpBearer(
    absl::Span<const absl::string_view> authorization,
    const Verifier& verifier) {
  return AuthenticateHttpBearer(
      authorization,
      [&verifier](absl::string_view token) { return verifier.Verify(token); });
}

}  // namespace tessera
