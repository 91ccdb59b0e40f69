#ifndef TESSERA_SERVER_CRYPTO_DIGEST_H_
#define TESSERA_SERVER_CRYPTO_DIGEST_H_

// SHA-256 and HMAC-SHA256, the server's one implementation of each (refresh
// secret hashes, successor and request-id sealing keys, the KEK id). Both
// return 32 raw bytes. Thread-safe; abort only if libcrypto is broken.

#include <string>

#include "absl/strings/string_view.h"

namespace tessera::crypto {

std::string Sha256(absl::string_view bytes);
std::string HmacSha256(absl::string_view key, absl::string_view data);

}  // namespace tessera::crypto

#endif  // TESSERA_SERVER_CRYPTO_DIGEST_H_
