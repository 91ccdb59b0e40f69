#ifndef TESSERA_SERVER_SERVICE_WORKER_POOL_H_
#define TESSERA_SERVER_SERVICE_WORKER_POOL_H_

// A fixed set of threads for RPC work that blocks on a remote store
// (PostgreSQL): gRPC's callback threads hand the call over and return at
// once, so a slow or unreachable database never stalls the reactors that
// also serve ValidateToken, health checks and streams.
//
// Invariants:
//  - At most `threads` tasks run at once; at most `max_queued` wait. Submit
//    refuses beyond that (the caller answers UNAVAILABLE): nothing a client
//    sends can grow the queue without bound.
//  - A task goes to the thread that went idle last (a stack of idle
//    threads), so under light load the same few threads, with warm caches
//    and stacks, do the work; the rest sleep. Tasks queue only while every
//    thread is busy, and then run in the order they came.
//  - Stop() runs every task already queued, then joins the threads; Submit
//    refuses from then on.
//
// Thread-safe.

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace tessera::service {

class WorkerPool {
 public:
  WorkerPool(int threads, size_t max_queued);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool();  // Stop().

  // Queues `task`; false if the queue is full or the pool stopped.
  bool Submit(std::function<void()> task);
  void Stop();

  size_t queued() const;
  int busy() const;

 private:
  // One per thread: where Submit hands it a task while it is idle.
  struct Slot {
    absl::CondVar wake;
    std::function<void()> task;  // Under mu_; set only while idle.
  };

  void Run(Slot& slot);
  // Under mu_: the next task for `slot`'s thread, waiting (idle, on the
  // stack) until there is one; empty once stopping with nothing queued.
  std::function<void()> Next(Slot& slot) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t max_queued_;
  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  std::vector<Slot*> idle_ ABSL_GUARDED_BY(mu_);  // Last idle at the back.
  int busy_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<std::thread> threads_;
};

}  // namespace tessera::service

#endif  // TESSERA_SERVER_SERVICE_WORKER_POOL_H_
