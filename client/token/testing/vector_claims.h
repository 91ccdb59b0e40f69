#ifndef TESSERA_CLIENT_TOKEN_TESTING_VECTOR_CLAIMS_H_
#define TESSERA_CLIENT_TOKEN_TESTING_VECTOR_CLAIMS_H_

// Reads the "claims" of a tokens.json vector (tests/conformance/README.md)
// independently of the generator that wrote it (token_cases' ClaimsToJson):
// each field is compared on its own, so a generator that mislabels a field
// is caught by the tests that run the vectors.

#include <string>

#include "client/token/access_token.h"
#include "client/token/json.h"

namespace tessera::token::testing {

// "" if `actual` is what `expected` states; else what differs (for a test
// failure message). Unknown or missing members of `expected` differ too.
std::string ClaimsMismatch(const Json& expected,
                           const AccessTokenClaims& actual);

}  // namespace tessera::token::testing

#endif  // TESSERA_CLIENT_TOKEN_TESTING_VECTOR_CLAIMS_H_
