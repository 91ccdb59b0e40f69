#include "server/session/record_hints.h"

#include <utility>

namespace tessera::session {

std::optional<std::string> RecordHints::Get(
    absl::string_view session_id) const {
  absl::MutexLock lock(&mu_);
  auto it = raw_.find(session_id);
  if (it == raw_.end()) return std::nullopt;
  return it->second;
}

void RecordHints::Put(absl::string_view session_id, std::string raw) {
  if (capacity_ == 0) return;
  absl::MutexLock lock(&mu_);
  auto it = raw_.find(session_id);
  if (it != raw_.end()) {
    it->second = std::move(raw);
    return;
  }
  if (raw_.size() >= capacity_) raw_.erase(raw_.begin());
  raw_.emplace(session_id, std::move(raw));
}

void RecordHints::Erase(absl::string_view session_id) {
  absl::MutexLock lock(&mu_);
  raw_.erase(session_id);
}

size_t RecordHints::size() const {
  absl::MutexLock lock(&mu_);
  return raw_.size();
}

}  // namespace tessera::session
