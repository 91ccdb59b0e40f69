#include "client/verifier/token_cache.h"

#include <algorithm>

#include "absl/hash/hash.h"

namespace tessera {

TokenCache::TokenCache(size_t capacity)
    : per_shard_(std::max<size_t>(1, capacity / kShards)) {}

TokenCache::Shard& TokenCache::ShardFor(absl::string_view token) const {
  return shards_[absl::HashOf(token) % kShards];
}

TokenCache::Claims TokenCache::Find(absl::string_view token,
                                    uint64_t key_version) const {
  Shard& shard = ShardFor(token);
  ReaderLock lock(&shard.mu);
  auto it = shard.entries.find(token);
  if (it == shard.entries.end() || it->second.key_version != key_version) {
    return nullptr;
  }
  return it->second.claims;
}

void TokenCache::Insert(absl::string_view token, Claims claims, absl::Time now,
                        uint64_t key_version) {
  Shard& shard = ShardFor(token);
  WriterLock lock(&shard.mu);
  if (shard.entries.size() >= per_shard_) {
    absl::erase_if(shard.entries, [now](const auto& entry) {
      return entry.second.claims->expires_at <= now;
    });
    if (shard.entries.size() >= per_shard_) shard.entries.clear();
  }
  shard.entries.insert_or_assign(std::string(token),
                                 Entry{std::move(claims), key_version});
}

void TokenCache::ForgetOtherVersions(uint64_t key_version) {
  if (seen_version_.load(std::memory_order_acquire) != key_version &&
      seen_version_.exchange(key_version, std::memory_order_acq_rel) !=
          key_version) {
    Clear();
  }
}

void TokenCache::Clear() {
  for (Shard& shard : shards_) {
    WriterLock lock(&shard.mu);
    shard.entries.clear();
  }
}

}  // namespace tessera
