#ifndef TESSERA_CLIENT_TOKEN_TESTING_FIXED_KEYS_H_
#define TESSERA_CLIENT_TOKEN_TESTING_FIXED_KEYS_H_

// Fixed signing keys, one pair per algorithm, for output that must be the
// same on every run (the conformance vectors in tests/conformance). They are
// published in this repository: test keys, never to sign anything real.
//
//   FixedKey(alg)     the key whose public half the vectors' JWKS holds
//   StrangerKey(alg)  a second key of the same algorithm, in no key set:
//                     it signs tokens that name FixedKey's kid
//
// EdDSA keys come from fixed 32-byte seeds; ES256 (P-256) and RS256 (2048
// bits) keys are PKCS#8 PEM texts made once with `openssl genpkey`. Ed25519
// and RSASSA-PKCS1-v1_5 signatures are deterministic; ECDSA ones are not
// (see token_cases.h, Signer).
//
// Thread-safe: the keys are built once, on first use, and never destroyed.

#include "client/token/algorithm.h"
#include "client/token/keys.h"

namespace tessera::token::testing {

const PrivateKey& FixedKey(Algorithm algorithm);
const PrivateKey& StrangerKey(Algorithm algorithm);

}  // namespace tessera::token::testing

#endif  // TESSERA_CLIENT_TOKEN_TESTING_FIXED_KEYS_H_
