#ifndef TESSERA_SERVER_CRYPTO_AEAD_H_
#define TESSERA_SERVER_CRYPTO_AEAD_H_

// AES-256-GCM sealing of secrets the server stores: grace-window refresh
// successors (sessions) and private signing keys (key ring).
//
// A sealed box is nonce (12 random bytes) || ciphertext || tag (16 bytes).
// The additional data is bound, not stored: opening with other additional
// data, another key, or a box altered in any bit yields nullopt. Nonces come
// from the CSPRNG; a key seals far fewer than 2^32 boxes in Tessera's use
// (one per rotation or per refresh secret), within GCM's random-nonce bound.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace tessera::crypto {

inline constexpr size_t kAeadKeyBytes = 32;

// `key` must be kAeadKeyBytes long. Aborts only if libcrypto cannot
// allocate or is broken: sealing has no input-dependent failure.
std::string Seal(absl::string_view key, absl::string_view plaintext,
                 absl::string_view additional_data);

// The plaintext, or nullopt if the key, additional data or box is wrong.
std::optional<std::string> Open(absl::string_view key, absl::string_view box,
                                absl::string_view additional_data);

// `n` bytes from the CSPRNG (aborts if it fails: never weaker randomness).
std::string RandomBytes(size_t n);

}  // namespace tessera::crypto

#endif  // TESSERA_SERVER_CRYPTO_AEAD_H_
