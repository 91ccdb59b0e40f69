#ifndef TESSERA_TOOLS_BENCH_RAW_VERIFY_H_
#define TESSERA_TOOLS_BENCH_RAW_VERIFY_H_

// The baseline every verification benchmark is measured against: one plain
// libcrypto EVP_DigestVerify of a token's signing input (context initialized
// per call, as a hand-rolled verifier would do).

#include <openssl/evp.h>

#include <string>

#include "client/token/algorithm.h"

namespace tessera::bench {

// JWS raw r||s (64 bytes) -> the DER ECDSA-Sig-Value libcrypto takes.
std::string RawToDer(const std::string& raw);

// The token's signing input and its signature as EVP_DigestVerify takes it.
struct RawCase {
  std::string signing_input;
  std::string signature;  // DER for ES256.
};
RawCase RawCaseOf(const std::string& token, token::Algorithm algorithm);

bool RawVerify(EVP_PKEY* key, token::Algorithm algorithm, const RawCase& c);

}  // namespace tessera::bench

#endif  // TESSERA_TOOLS_BENCH_RAW_VERIFY_H_
