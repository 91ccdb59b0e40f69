#ifndef TESSERA_SERVER_STORE_POSTGRES_POOL_H_
#define TESSERA_SERVER_STORE_POSTGRES_POOL_H_

// A fixed pool of PostgreSQL connections. At most `size` connections exist;
// a caller waits (until its deadline) for a free one. A slot whose
// connection broke is reconnected by the next caller that takes it, through
// the same multi-host URL, so after a failover new connections reach the
// new primary (target_session_attrs=read-write).
//
// Thread-safe. Leases must end before the pool does.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/store/postgres/connection.h"

namespace tessera::store::postgres {

class Pool {
 public:
  struct Stats {
    int size = 0;
    int in_use = 0;
    uint64_t waits = 0;     // Acquires that found no free slot at first.
    uint64_t connects = 0;  // Connections opened (first and re-).
    uint64_t timeouts = 0;  // Acquires that gave up at their deadline.
  };

  Pool(std::string conninfo, int size);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();  // Returns the connection (dropped if broken()).
    Connection* operator->() const { return connection_.get(); }
    Connection& operator*() const { return *connection_; }

   private:
    friend class Pool;
    Lease(Pool* pool, std::unique_ptr<Connection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Pool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  // A connected connection, or UNAVAILABLE (none free, or none could be
  // opened, before `deadline`).
  absl::StatusOr<Lease> Acquire(absl::Time deadline);

  Stats stats() const;

 private:
  void Release(std::unique_ptr<Connection> connection);

  const std::string conninfo_;
  const int size_;
  mutable absl::Mutex mu_;
  // Idle connections; `free_slots_` counts slots with none (to open).
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
  int free_slots_ ABSL_GUARDED_BY(mu_);
  Stats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tessera::store::postgres

#endif  // TESSERA_SERVER_STORE_POSTGRES_POOL_H_
