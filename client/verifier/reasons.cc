#include "client/verifier/reasons.h"

#include <string>

#include "absl/strings/strip.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace tessera {
namespace {

constexpr char kReasonPayload[] = "type.tessera.dev/TokenInvalidReason";
constexpr absl::string_view kReasonPrefix = "TOKEN_INVALID_REASON_";

}  // namespace

tessera::v1::TokenInvalidReason ToTokenInvalidReason(token::TokenError error) {
  using R = tessera::v1::TokenInvalidReason;
  switch (error) {
    case token::TokenError::kMalformed:
      return R::TOKEN_INVALID_REASON_MALFORMED;
    case token::TokenError::kBadSignature:
      return R::TOKEN_INVALID_REASON_BAD_SIGNATURE;
    case token::TokenError::kUnknownKey:
      return R::TOKEN_INVALID_REASON_UNKNOWN_KEY;
    case token::TokenError::kUnsupportedAlgorithm:
      return R::TOKEN_INVALID_REASON_UNSUPPORTED_ALGORITHM;
    case token::TokenError::kExpired:
      return R::TOKEN_INVALID_REASON_EXPIRED;
    case token::TokenError::kNotYetValid:
      return R::TOKEN_INVALID_REASON_NOT_YET_VALID;
    case token::TokenError::kWrongAudience:
      return R::TOKEN_INVALID_REASON_WRONG_AUDIENCE;
    case token::TokenError::kWrongIssuer:
      return R::TOKEN_INVALID_REASON_WRONG_ISSUER;
    case token::TokenError::kWrongType:
      return R::TOKEN_INVALID_REASON_WRONG_TYPE;
  }
  return R::TOKEN_INVALID_REASON_MALFORMED;
}

absl::Status TokenRefusal(tessera::v1::TokenInvalidReason reason,
                          absl::string_view detail) {
  absl::Status status = absl::UnauthenticatedError(
      absl::StrCat(tessera::v1::TokenInvalidReason_Name(reason), ": ", detail));
  status.SetPayload(kReasonPayload, absl::Cord(absl::StrCat(int{reason})));
  return status;
}

tessera::v1::TokenInvalidReason TokenInvalidReasonOf(
    const absl::Status& status) {
  const auto payload = status.GetPayload(kReasonPayload);
  int value = 0;
  if (status.code() != absl::StatusCode::kUnauthenticated ||
      !payload.has_value() ||
      !absl::SimpleAtoi(std::string(*payload), &value) ||
      !tessera::v1::TokenInvalidReason_IsValid(value)) {
    return tessera::v1::TOKEN_INVALID_REASON_UNSPECIFIED;
  }
  return static_cast<tessera::v1::TokenInvalidReason>(value);
}

absl::string_view TokenInvalidReasonShortName(
    tessera::v1::TokenInvalidReason reason) {
  // A reference to the descriptor's own string: it outlives every caller.
  absl::string_view name = tessera::v1::TokenInvalidReason_Name(reason);
  if (!absl::ConsumePrefix(&name, kReasonPrefix)) return "UNSPECIFIED";
  return name;
}

}  // namespace tessera
