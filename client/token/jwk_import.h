#ifndef TESSERA_CLIENT_TOKEN_JWK_IMPORT_H_
#define TESSERA_CLIENT_TOKEN_JWK_IMPORT_H_

// Internal to //client/token: the public key a JWK's key members describe
// (RFC 7518 section 6), checked as libcrypto reads it: points on the curve,
// exact coordinate lengths, minimal RSA integers, a sane exponent. The other
// members (alg, use, kid, private ones) are PublicKey::FromJwk's.

#include "absl/status/statusor.h"
#include "client/token/algorithm.h"
#include "client/token/evp.h"
#include "client/token/json.h"

namespace tessera::token {

struct ImportedKey {
  Algorithm implied;  // By the key type: EC -> ES256, OKP -> EdDSA, RSA.
  UniquePkey pkey;
};

// UNIMPLEMENTED for a kty or curve the codec does not verify with,
// INVALID_ARGUMENT for a malformed or invalid key.
absl::StatusOr<ImportedKey> ImportPublicJwk(const Json& jwk);

}  // namespace tessera::token

#endif  // TESSERA_CLIENT_TOKEN_JWK_IMPORT_H_
