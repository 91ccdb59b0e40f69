#ifndef TESSERA_CLIENT_TOKEN_ALGORITHM_H_
#define TESSERA_CLIENT_TOKEN_ALGORITHM_H_

// The JWS algorithms Tessera signs and verifies (RFC 7518, RFC 8037).
// There is deliberately no `none` and no HMAC: a verifier holding only public
// keys must never be talked into treating one as a shared secret.

#include <optional>

#include "absl/strings/string_view.h"

namespace tessera::token {

enum class Algorithm {
  kES256,  // ECDSA P-256 SHA-256; signature is raw r||s, 64 bytes.
  kEdDSA,  // Ed25519 (RFC 8037); 64-byte signature.
  kRS256,  // RSASSA-PKCS1-v1_5 SHA-256; keys of at least 2048 bits.
};

// "ES256", "EdDSA", "RS256": the `alg` value written into headers and JWKs.
absl::string_view AlgorithmName(Algorithm algorithm);

// Exact, case-sensitive match (RFC 7515 §4.1.1). Also accepts "Ed25519",
// the fully-specified name of RFC 9864, as kEdDSA. nullopt otherwise.
std::optional<Algorithm> AlgorithmFromName(absl::string_view name);

}  // namespace tessera::token

#endif  // TESSERA_CLIENT_TOKEN_ALGORITHM_H_
