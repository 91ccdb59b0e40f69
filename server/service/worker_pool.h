#ifndef TESSERA_SERVER_SERVICE_WORKER_POOL_H_
#define TESSERA_SERVER_SERVICE_WORKER_POOL_H_

// Threads that run handlers which block on durable writes.
//
// gRPC's callback API runs handlers on a few event-engine threads; a handler
// that waits for an fsync there holds one of them, so concurrent calls queue
// behind it and RocksDB never sees concurrent writers to group-commit.
// Handlers that write hand their work to this pool instead: as many writes
// can wait on the WAL at once as there are workers, and RocksDB commits them
// with one fsync.

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace tessera::service {

class WorkerPool {
 public:
  explicit WorkerPool(int threads);
  // Stop() if not yet stopped.
  ~WorkerPool();

  // Runs every task already scheduled, then joins the workers. Idempotent;
  // nothing may be scheduled afterwards.
  void Stop();

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Schedule(std::function<void()> task);

 private:
  void Work();

  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace tessera::service

#endif  // TESSERA_SERVER_SERVICE_WORKER_POOL_H_
