#ifndef TESSERA_CLIENT_TOKEN_KEY_SET_H_
#define TESSERA_CLIENT_TOKEN_KEY_SET_H_

// A set of public keys by kid, and its JWK Set form (RFC 7517 §5).
//
// Parsing a JWKS skips (does not fail on) keys of types this library does not
// verify with, so a published set can grow new kinds of keys without
// breaking old verifiers; a malformed member of a supported type, a
// duplicate kid, or private key material fails the whole set.

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/token/keys.h"

namespace tessera::token {

class KeySet {
 public:
  // Largest JWKS document accepted.
  static constexpr size_t kMaxJwksBytes = 64 * 1024;

  KeySet() = default;

  static absl::StatusOr<KeySet> FromJwksJson(absl::string_view json);

  // Fails with ALREADY_EXISTS on a duplicate kid.
  absl::Status Add(PublicKey key);

  // nullptr if no key has this kid.
  const PublicKey* Find(absl::string_view kid) const;

  size_t size() const { return keys_.size(); }
  const std::vector<PublicKey>& keys() const { return keys_; }

  // {"keys":[...]} in insertion order.
  std::string ToJwksJson() const;

 private:
  std::vector<PublicKey> keys_;
  absl::flat_hash_map<std::string, size_t> by_kid_;
};

}  // namespace tessera::token

#endif  // TESSERA_CLIENT_TOKEN_KEY_SET_H_
