#include "server/service/worker_pool.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace tessera::service {
namespace {

constexpr int kOccupied = 8;

TEST(WorkerPoolTest, RunsEveryTaskOffTheCallersThread) {
  WorkerPool pool(4, 100);
  std::atomic<int> ran{0};
  std::atomic<int> on_caller{0};
  const std::thread::id caller = std::this_thread::get_id();
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(pool.Submit([&] {
      if (std::this_thread::get_id() == caller) ++on_caller;
      ++ran;
    }));
  }
  pool.Stop();  // Runs what was queued, then joins.
  EXPECT_EQ(ran.load(), 100);
  EXPECT_EQ(on_caller.load(), 0);
}

TEST(WorkerPoolTest, AFullQueueRefusesInsteadOfGrowing) {
  WorkerPool pool(1, 2);
  absl::Notification release;
  absl::Notification started;
  ASSERT_TRUE(pool.Submit([&] {
    started.Notify();
    release.WaitForNotification();
  }));
  started.WaitForNotification();  // The one thread is busy.
  EXPECT_EQ(pool.busy(), 1);
  EXPECT_TRUE(pool.Submit([] {}));
  EXPECT_TRUE(pool.Submit([] {}));
  EXPECT_FALSE(pool.Submit([] {}));  // Two queued: the bound.
  EXPECT_EQ(pool.queued(), 2u);
  release.Notify();
  pool.Stop();
  EXPECT_EQ(pool.queued(), 0u);
  EXPECT_FALSE(pool.Submit([] {}));  // Stopped.
}

// Runs one task on each of `threads` threads at once, then waits until all
// are idle again (busy() drops in the same critical section that puts a
// thread back on the idle stack).
void OccupyEveryThread(WorkerPool& pool, int threads) {
  absl::Mutex mu;
  int started = 0;
  for (int i = 0; i < threads; ++i) {
    ASSERT_TRUE(pool.Submit([&] {
      absl::MutexLock lock(&mu);
      ++started;
      mu.Await(absl::Condition(
          +[](int* n) { return *n == kOccupied; }, &started));
    }));
  }
  while (pool.busy() != 0 || pool.queued() != 0) std::this_thread::yield();
}

TEST(WorkerPoolTest, OneCallAtATimeKeepsToTheThreadThatWentIdleLast) {
  WorkerPool pool(kOccupied, 100);
  OccupyEveryThread(pool, kOccupied);  // Every thread is on the stack.
  std::vector<std::thread::id> ran_on;
  for (int i = 0; i < 20; ++i) {
    absl::Notification done;
    std::thread::id id;
    ASSERT_TRUE(pool.Submit([&] {
      id = std::this_thread::get_id();
      done.Notify();
    }));
    done.WaitForNotification();
    while (pool.busy() != 0) std::this_thread::yield();
    ran_on.push_back(id);
  }
  for (const std::thread::id& id : ran_on) EXPECT_EQ(id, ran_on.front());
}

TEST(WorkerPoolTest, EveryThreadTakesACallWhenAllAreNeeded) {
  constexpr int kThreads = 6;
  WorkerPool pool(kThreads, 100);
  absl::Mutex mu;
  int started = 0;
  absl::flat_hash_set<std::thread::id> threads;
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_TRUE(pool.Submit([&] {
      absl::MutexLock lock(&mu);
      threads.insert(std::this_thread::get_id());
      ++started;
      // Each holds its thread until all have started: only possible if
      // every thread took one.
      mu.Await(absl::Condition(
          +[](int* n) { return *n == kThreads; }, &started));
    }));
  }
  pool.Stop();
  EXPECT_EQ(threads.size(), static_cast<size_t>(kThreads));
}

TEST(WorkerPoolTest, StopWithIdleThreadsReturnsAndRefuses) {
  WorkerPool pool(4, 10);
  absl::Notification done;
  ASSERT_TRUE(pool.Submit([&] { done.Notify(); }));
  done.WaitForNotification();
  pool.Stop();
  EXPECT_FALSE(pool.Submit([] {}));
  EXPECT_EQ(pool.busy(), 0);
}

}  // namespace
}  // namespace tessera::service
