#ifndef TESSERA_CLIENT_AUTH_HTTP_BEARER_H_
#define TESSERA_CLIENT_AUTH_HTTP_BEARER_H_

// For a relying C++ HTTP service: authenticate a request from its
// Authorization header (RFC 6750 §2.1) with a Verifier, and when that
// fails, answer exactly as every Tessera HTTP middleware answers (the
// contract in docs/http-contract.md; checked against the language-neutral
// vectors in tests/conformance/http.json).
//
//   std::vector<absl::string_view> fields = ...;  // every Authorization
//                                                 // field of the request
//   tessera::HttpAuthentication auth =
//       tessera::AuthenticateHttpBearer(fields, *verifier);
//   if (const auto* answer = std::get_if<tessera::HttpAnswer>(&auth)) {
//     // Send answer->status, answer->headers and answer->body; stop.
//   }
//   const tessera::VerifiedClaims& caller =
//       std::get<tessera::VerifiedClaims>(auth);  // caller->subject, ...
//
// The contract, in the order it is decided:
//
//   Authorization fields           Verifier says   answer
//   none; one that is empty or     (not asked)     401, WWW-Authenticate:
//   names another scheme                           Bearer realm="tessera"
//   more than one; "Bearer" with   (not asked)     400, WWW-Authenticate:
//   no token, or not exactly one                   Bearer realm="tessera",
//   b64token after it                              error="invalid_request"
//   Bearer <token>                 refused, R      401, WWW-Authenticate:
//                                                  Bearer realm="tessera",
//                                                  error="invalid_token";
//                                                  Tessera-Reason: R
//   Bearer <token>                 UNAVAILABLE     503, Retry-After: 2
//   Bearer <token>                 valid           the claims
//
// Every answer also has Cache-Control: no-store and Content-Type:
// application/json, and its body is {"error":E,"reason":R} (compact, in that
// order): E is "unauthorized", "invalid_request", "invalid_token" or
// "temporarily_unavailable"; R is "TOKEN_MISSING",
// "AUTHORIZATION_MALFORMED", the TokenInvalidReason name (as
// Tessera-Reason), or "VERIFIER_UNAVAILABLE".
//
// Everything here is a pure function (thread-safe, no I/O) apart from the
// one call of `verify`, so it can be tested without a server.

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "client/verifier/verifier.h"

namespace tessera {

// The realm of every challenge.
inline constexpr char kBearerRealm[] = "tessera";
// Retry-After of the 503: the Verifier's longest reconnect backoff (2 s),
// so a retry comes once a tesserad that is back has been reached.
inline constexpr int kRetryAfterSeconds = 2;

struct HttpAnswer {
  int status = 0;
  // In the order given above; names spelled as there (HTTP field names are
  // case-insensitive).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // JSON.
};

// What a request's Authorization fields hold.
struct BearerCredentials {
  enum class Kind {
    kMissing,    // No field, an empty one, or another scheme ("Basic ...").
    kMalformed,  // More than one field, or a Bearer field without exactly
                 // one b64token after 1*SP.
    kToken,
  };
  Kind kind = Kind::kMissing;
  absl::string_view token;  // kToken only: a view into the field.
};

// Leading and trailing spaces and tabs of the field are ignored; the scheme
// is matched case-insensitively; nothing else is tolerated (RFC 6750 §2.1,
// RFC 9110 §11).
BearerCredentials ParseAuthorization(
    absl::Span<const absl::string_view> fields);

// The 401 for missing credentials and the 400 for a malformed field.
HttpAnswer MissingTokenAnswer();
HttpAnswer MalformedAuthorizationAnswer();

// The answer to a Verify status that is not OK: UNAUTHENTICATED is the 401
// naming TokenInvalidReasonName(status); every other code is the 503 (fails
// closed; an OK status, a caller's mistake, too).
HttpAnswer HttpAnswerFor(const absl::Status& verify_status);

// The Tessera-Reason of an UNAUTHENTICATED Verify status: "EXPIRED",
// "SESSION_REVOKED", ... ("UNSPECIFIED" if it carries no reason); "" for
// any other status.
absl::string_view TokenInvalidReasonName(const absl::Status& verify_status);

using HttpAuthentication = std::variant<VerifiedClaims, HttpAnswer>;

// The claims of the request's bearer token, or the answer to send. `verify`
// is called at most once, with the token, only for a well-formed field.
HttpAuthentication AuthenticateHttpBearer(
    absl::Span<const absl::string_view> authorization,
    absl::FunctionRef<absl::StatusOr<VerifiedClaims>(absl::string_view)>
        verify);
// The same with verifier.Verify.
HttpAuthentication AuthenticateHttpBearer(
    absl::Span<const absl::string_view> authorization,
    const Verifier& verifier);

}  // namespace tessera

#endif  // TESSERA_CLIENT_AUTH_HTTP_BEARER_H_
