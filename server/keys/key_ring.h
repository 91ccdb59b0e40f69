#ifndef TESSERA_SERVER_KEYS_KEY_RING_H_
#define TESSERA_SERVER_KEYS_KEY_RING_H_

// The signing keys (DESIGN §7). This first version holds one active key,
// generated with --signing_alg on first start and persisted, so tokens
// survive a restart.
//
// NOT YET (the signing-keys issue): next/retired states, rotation, and
// encryption at rest; until then the private key is stored unencrypted
// (SigningKeyRecord.unsealed_private_key) and start-up says so.
//
// Thread-safe: keys are immutable after Load.

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/token/key_set.h"
#include "client/token/keys.h"
#include "server/store/store.h"

namespace tessera::keys {

class KeyRing {
 public:
  // Loads the active key, or creates one with `algorithm` if there is none.
  static absl::StatusOr<std::unique_ptr<KeyRing>> LoadOrCreate(
      store::Store* store, token::Algorithm algorithm, absl::Time now);

  const token::PrivateKey& active() const { return active_; }
  // Every key a token may be verified with.
  const token::KeySet& published() const { return published_; }

  KeyRing(token::PrivateKey active, token::KeySet published)
      : active_(std::move(active)), published_(std::move(published)) {}

 private:
  token::PrivateKey active_;
  token::KeySet published_;
};

}  // namespace tessera::keys

#endif  // TESSERA_SERVER_KEYS_KEY_RING_H_
