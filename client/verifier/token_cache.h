#ifndef TESSERA_CLIENT_VERIFIER_TOKEN_CACHE_H_
#define TESSERA_CLIENT_VERIFIER_TOKEN_CACHE_H_

// Tokens whose signature and claims have been verified, by their exact
// text, so a token seen before costs a hash lookup instead of a signature
// check. Only the signature work is cached: callers still check expiry and
// revocation on every hit.
//
// Entries carry the version of the key set they were verified against
// (`key_version`, chosen by the caller; 0 if it has none): a lookup under
// another version misses, so a token whose key has left the set is checked
// again, even when an insert raced the key change.
//
// Bounded: each of kShards shards holds at most capacity / kShards entries;
// a full shard first drops expired entries and, if still full, empties
// itself (cheap, and a miss costs only one signature check).
// Thread-safe; lookups take one shard's shared lock.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/base/shared_mutex.h"
#include "client/token/access_token.h"

namespace tessera {

class TokenCache {
 public:
  using Claims = std::shared_ptr<const token::AccessTokenClaims>;

  explicit TokenCache(size_t capacity);

  // nullptr if absent or inserted under another key_version.
  Claims Find(absl::string_view token, uint64_t key_version) const;
  void Insert(absl::string_view token, Claims claims, absl::Time now,
              uint64_t key_version);
  // Forgets every token, e.g. when the keys they were checked with change.
  void Clear();
  // Clears the cache the first time it is called with a version other than
  // the last one seen (entries of other versions are never found again, so
  // this only frees them). A plain load while the version is unchanged: the
  // hit path shares no written cache line.
  void ForgetOtherVersions(uint64_t key_version);

 private:
  static constexpr size_t kShards = 16;
  struct Entry {
    Claims claims;
    uint64_t key_version;
  };
  struct Shard {
    mutable SharedMutex mu;
    absl::flat_hash_map<std::string, Entry> entries ABSL_GUARDED_BY(mu);
  };
  Shard& ShardFor(absl::string_view token) const;

  std::atomic<uint64_t> seen_version_{0};
  const size_t per_shard_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace tessera

#endif  // TESSERA_CLIENT_VERIFIER_TOKEN_CACHE_H_
