#include "client/verifier/reasons.h"

namespace tessera {

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

}  // namespace tessera
