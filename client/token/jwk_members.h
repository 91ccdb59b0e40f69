#ifndef TESSERA_CLIENT_TOKEN_JWK_MEMBERS_H_
#define TESSERA_CLIENT_TOKEN_JWK_MEMBERS_H_

// Internal to //client/token: a public key as the required members of its
// JWK (RFC 7517/7518), and its RFC 7638 thumbprint.

#include <openssl/evp.h>

#include <string>

#include "client/token/algorithm.h"
#include "client/token/json.h"

namespace tessera::token {

// The required members of `pkey`'s JWK in the order RFC 7638 sorts them:
// EC {crv,kty,x,y}, OKP {crv,kty,x}, RSA {e,kty,n}. `pkey` fits `algorithm`
// (CheckKeyFits).
Json RequiredMembers(Algorithm algorithm, EVP_PKEY* pkey);

// base64url(SHA-256(RequiredMembers serialized)).
std::string ThumbprintOf(Algorithm algorithm, EVP_PKEY* pkey);

}  // namespace tessera::token

#endif  // TESSERA_CLIENT_TOKEN_JWK_MEMBERS_H_
