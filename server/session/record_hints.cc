#include "server/session/record_hints.h"

#include <utility>

namespace tessera::session {

std::optional<std::string> RecordHints::Get(
    absl::string_view session_id) const {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(session_id);
  if (it == entries_.end()) return std::nullopt;
  return it->second.raw;
}

void RecordHints::Put(absl::string_view session_id, std::string raw) {
  if (capacity_ == 0) return;
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(session_id);
  if (it != entries_.end()) {
    it->second.raw = std::move(raw);
    return;
  }
  if (order_.size() >= capacity_) {
    auto& [oldest, inserted] = order_.front();
    auto entry = entries_.find(oldest);
    if (entry != entries_.end() && entry->second.inserted == inserted) {
      entries_.erase(entry);
    }
    order_.pop_front();
  }
  const uint64_t inserted = inserts_++;
  entries_.emplace(session_id, Entry{std::move(raw), inserted});
  order_.emplace_back(std::string(session_id), inserted);
}

void RecordHints::Erase(absl::string_view session_id) {
  absl::MutexLock lock(&mu_);
  entries_.erase(session_id);
}

size_t RecordHints::size() const {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace tessera::session
