#include "server/service/worker_pool.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace tessera::service {
namespace {

TEST(WorkerPoolTest, RunsEveryTaskBeforeDestruction) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool(4);
    for (int i = 0; i < 1000; ++i) pool.Schedule([&] { ++ran; });
  }
  EXPECT_EQ(ran.load(), 1000);
}

TEST(WorkerPoolTest, StopRunsQueuedTasksAndIsIdempotent) {
  std::atomic<int> ran{0};
  WorkerPool pool(2);
  for (int i = 0; i < 100; ++i) pool.Schedule([&] { ++ran; });
  pool.Stop();
  EXPECT_EQ(ran.load(), 100);
  pool.Stop();
}

TEST(WorkerPoolTest, TasksRunConcurrently) {
  // Four tasks that each wait for all four to have started: they can only
  // finish if four workers run them at once.
  WorkerPool pool(4);
  std::atomic<int> started{0};
  absl::Notification all_started, done[4];
  for (int i = 0; i < 4; ++i) {
    pool.Schedule([&, i] {
      if (++started == 4) all_started.Notify();
      all_started.WaitForNotificationWithTimeout(absl::Seconds(30));
      done[i].Notify();
    });
  }
  for (auto& d : done) {
    EXPECT_TRUE(d.WaitForNotificationWithTimeout(absl::Seconds(30)));
  }
  EXPECT_TRUE(all_started.HasBeenNotified());
}

}  // namespace
}  // namespace tessera::service
