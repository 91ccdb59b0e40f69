#ifndef TESSERA_CLIENT_VERIFIER_REASONS_H_
#define TESSERA_CLIENT_VERIFIER_REASONS_H_

// The one mapping from the codec's refusals to the API's
// TokenInvalidReason, shared by tesserad's ValidateToken and the Verifier,
// and the one form of a refusal as an absl::Status (what Verifier::Verify
// answers; client/auth turns it into gRPC and HTTP answers).

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "client/token/access_token.h"
#include "tessera/v1/token_authority.pb.h"

namespace tessera {

tessera::v1::TokenInvalidReason ToTokenInvalidReason(token::TokenError error);

// A refused token: UNAUTHENTICATED, message "<TokenInvalidReason_Name>:
// <detail>", and the reason as a payload that TokenInvalidReasonOf reads.
absl::Status TokenRefusal(tessera::v1::TokenInvalidReason reason,
                          absl::string_view detail);

// The reason of a TokenRefusal status (TOKEN_INVALID_REASON_UNSPECIFIED for
// any other status).
tessera::v1::TokenInvalidReason TokenInvalidReasonOf(const absl::Status& s);

// The enum value's name without its "TOKEN_INVALID_REASON_" prefix:
// "EXPIRED", "SESSION_REVOKED", ..., "UNSPECIFIED". The spelling of the
// conformance vectors and of the HTTP `Tessera-Reason` header; equal to
// token::TokenErrorName for the codec's reasons.
absl::string_view TokenInvalidReasonShortName(
    tessera::v1::TokenInvalidReason reason);

}  // namespace tessera

#endif  // TESSERA_CLIENT_VERIFIER_REASONS_H_
