#include "server/store/postgres/pool.h"

#include <utility>

namespace tessera::store::postgres {

Pool::Pool(std::string conninfo, int size)
    : conninfo_(std::move(conninfo)), size_(size), free_slots_(size) {
  stats_.size = size;
}

Pool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), connection_(std::move(other.connection_)) {}

Pool::Lease::~Lease() {
  if (pool_ != nullptr && connection_ != nullptr) {
    pool_->Release(std::move(connection_));
  }
}

absl::StatusOr<Pool::Lease> Pool::Acquire(absl::Time deadline) {
  {
    absl::MutexLock lock(&mu_);
    auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || free_slots_ > 0;
    };
    if (!available()) {
      ++stats_.waits;
      if (!mu_.AwaitWithDeadline(absl::Condition(&available), deadline)) {
        ++stats_.timeouts;
        return absl::UnavailableError(
            "every PostgreSQL connection stayed busy until the deadline");
      }
    }
    ++stats_.in_use;
    if (!idle_.empty()) {
      std::unique_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
    --free_slots_;
    ++stats_.connects;
  }
  // Connecting can take seconds: not under the lock.
  absl::StatusOr<std::unique_ptr<Connection>> connected =
      Connection::Connect(conninfo_, deadline);
  if (!connected.ok()) {
    absl::MutexLock lock(&mu_);
    ++free_slots_;
    --stats_.in_use;
    return connected.status();
  }
  return Lease(this, std::move(*connected));
}

void Pool::Release(std::unique_ptr<Connection> connection) {
  // A broken connection is closed after the lock is released; its slot
  // reconnects on next use.
  std::unique_ptr<Connection> closing;
  absl::MutexLock lock(&mu_);
  --stats_.in_use;
  if (connection->broken()) {
    ++free_slots_;
    closing = std::move(connection);
    return;
  }
  idle_.push_back(std::move(connection));
}

Pool::Stats Pool::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace tessera::store::postgres
