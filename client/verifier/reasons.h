#ifndef TESSERA_CLIENT_VERIFIER_REASONS_H_
#define TESSERA_CLIENT_VERIFIER_REASONS_H_

// The one mapping from the codec's refusals to the API's
// TokenInvalidReason, shared by tesserad's ValidateToken and the Verifier.

#include "client/token/access_token.h"
#include "tessera/v1/token_authority.pb.h"

namespace tessera {

tessera::v1::TokenInvalidReason ToTokenInvalidReason(token::TokenError error);

}  // namespace tessera

#endif  // TESSERA_CLIENT_VERIFIER_REASONS_H_
