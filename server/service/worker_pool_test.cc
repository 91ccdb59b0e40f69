#include "server/service/worker_pool.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace tessera::service {
namespace {

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

}  // namespace
}  // namespace tessera::service
