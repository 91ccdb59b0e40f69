#ifndef TESSERA_CLIENT_VERIFIER_TOKEN_CHECK_H_
#define TESSERA_CLIENT_VERIFIER_TOKEN_CHECK_H_

// The one token check, shared by tesserad's ValidateToken and the
// Verifier: whatever asks, a token gets the same verdict for the same keys,
// revocation state and time.
//
// In order:
//   1. size: more than token::kMaxTokenBytes is MALFORMED;
//   2. the verified-token cache under the current key-set version: a hit
//      skips the signature check, never the claim checks (expiry, issuer,
//      audience), which run again with `now`; a miss runs the codec's
//      whole verification against that key set and caches a success under
//      the version it was checked with;
//   3. the revocation state (revoked session, stale claims).
// The cache policy lives here too: entries of another key-set version are
// never found, and the first check under a new version empties the cache
// (the old entries could never be found again; this frees them).
//
// Thread-safe if `keys` and `revocations` are: both are called once at most.

#include <cstdint>
#include <memory>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/revocation/revocation_state.h"
#include "client/token/access_token.h"
#include "client/token/key_set.h"
#include "client/verifier/token_cache.h"

namespace tessera {

// A key set and the version that names it (it grows with every change).
struct VersionedKeys {
  std::shared_ptr<const token::KeySet> set;  // nullptr: no keys yet.
  uint64_t version = 0;
};

struct TokenCheckInputs {
  TokenCache* cache;  // Not owned.
  // The version the caller last saw: a cache hit must carry it.
  uint64_t key_version;
  // Read only on a miss (a hit needs no keys).
  absl::FunctionRef<VersionedKeys()> keys;
  const token::VerifyOptions* options;  // Not owned.
  absl::FunctionRef<revocation::Verdict(const token::AccessTokenClaims&)>
      revocations;
  absl::Time now;
};

// The verified claims, a TokenRefusal (UNAUTHENTICATED with its reason; see
// reasons.h), or UNAVAILABLE when there are no keys yet.
absl::StatusOr<std::shared_ptr<const token::AccessTokenClaims>> CheckToken(
    absl::string_view token, const TokenCheckInputs& in);

}  // namespace tessera

#endif  // TESSERA_CLIENT_VERIFIER_TOKEN_CHECK_H_
