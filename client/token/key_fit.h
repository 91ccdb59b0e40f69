#ifndef TESSERA_CLIENT_TOKEN_KEY_FIT_H_
#define TESSERA_CLIENT_TOKEN_KEY_FIT_H_

// Internal to //client/token: which libcrypto key type and digest each
// Algorithm uses, and whether a key fits one.

#include <openssl/evp.h>

#include "absl/status/status.h"
#include "client/token/algorithm.h"

namespace tessera::token {

// EVP_PKEY_EC, EVP_PKEY_ED25519 or EVP_PKEY_RSA.
int KeyTypeFor(Algorithm algorithm);

// The digest for EVP_DigestSign/Verify; Ed25519 hashes internally (nullptr).
const EVP_MD* DigestFor(Algorithm algorithm);

// INVALID_ARGUMENT unless `pkey` is a key `algorithm` can use: its type,
// for ES256 the P-256 curve, for RS256 kMinRsaBits-kMaxRsaBits bits.
absl::Status CheckKeyFits(Algorithm algorithm, EVP_PKEY* pkey);

}  // namespace tessera::token

#endif  // TESSERA_CLIENT_TOKEN_KEY_FIT_H_
