#include "server/store/postgres/combiner.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace tessera::store::postgres {
namespace {

struct Job {
  int id = 0;
  int runs = 0;            // Set by the leader.
  std::thread::id ran_on;  // The leader's thread.
  size_t group_size = 0;   // The size of the group it ran in.
  size_t position = 0;     // Its place in that group.
};

void RunAll(const std::vector<Job*>& group) {
  for (size_t i = 0; i < group.size(); ++i) {
    ++group[i]->runs;
    group[i]->ran_on = std::this_thread::get_id();
    group[i]->group_size = group.size();
    group[i]->position = i;
  }
}

// Waits until `holds` is true of the stats (the test's timeout ends a hang).
template <typename Predicate>
void WaitFor(const Combiner<Job>& combiner, Predicate holds) {
  while (!holds(combiner.stats())) absl::SleepFor(absl::Milliseconds(1));
}

TEST(CombinerTest, ALoneJobRunsAloneOnItsCallersThread) {
  Combiner<Job> combiner(1, 16);
  Job job{.id = 1};
  combiner.Run(job, RunAll);
  EXPECT_EQ(job.runs, 1);
  EXPECT_EQ(job.ran_on, std::this_thread::get_id());
  EXPECT_EQ(job.group_size, 1u);
  const CombinerStats stats = combiner.stats();
  EXPECT_EQ(stats.groups, 0u);
  EXPECT_EQ(stats.queued, 0);
  EXPECT_EQ(stats.in_flight, 0);
}

// While the only slot is busy, jobs queue; the next leader (the first of
// them) takes them in order, at most max_group at a time.
TEST(CombinerTest, QueuedJobsGoTogetherInOrderUpToTheGroupSize) {
  Combiner<Job> combiner(1, 3);
  absl::Notification release;
  Job first{.id = 0};
  std::vector<Job> jobs(5);
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    combiner.Run(first, [&](const std::vector<Job*>& group) {
      release.WaitForNotification();
      RunAll(group);
    });
  });
  WaitFor(combiner, [](const CombinerStats& s) { return s.in_flight == 1; });
  for (int i = 0; i < 5; ++i) {
    jobs[i].id = i + 1;
    threads.emplace_back([&, i] { combiner.Run(jobs[i], RunAll); });
    WaitFor(combiner,
            [i](const CombinerStats& s) { return s.queued == i + 1; });
  }
  release.Notify();
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(first.group_size, 1u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(jobs[i].runs, 1) << i;
    EXPECT_EQ(jobs[i].group_size, i < 3 ? 3u : 2u) << i;
    EXPECT_EQ(jobs[i].position, static_cast<size_t>(i % 3)) << i;
  }
  EXPECT_EQ(jobs[1].ran_on, jobs[0].ran_on);  // Job 1 led its group.
  EXPECT_EQ(jobs[4].ran_on, jobs[3].ran_on);  // Job 4 led its group.
  const CombinerStats stats = combiner.stats();
  EXPECT_EQ(stats.groups, 2u);
  EXPECT_EQ(stats.grouped, 5u);
  EXPECT_EQ(stats.queued, 0);
  EXPECT_EQ(stats.in_flight, 0);
}

TEST(CombinerTest, EveryJobRunsExactlyOnceUnderContention) {
  constexpr int kThreads = 16, kJobs = 500;
  Combiner<Job> combiner(2, 8);
  std::atomic<int> running{0}, most{0};
  std::vector<std::vector<Job>> jobs(kThreads, std::vector<Job>(kJobs));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (Job& job : jobs[t]) {
        combiner.Run(job, [&](const std::vector<Job*>& group) {
          const int now = ++running;
          int seen = most.load();
          while (now > seen && !most.compare_exchange_weak(seen, now)) {
          }
          RunAll(group);
          --running;
        });
        ASSERT_EQ(job.runs, 1);  // Done when Run returns, not before.
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const auto& mine : jobs) {
    for (const Job& job : mine) EXPECT_EQ(job.runs, 1);
  }
  EXPECT_LE(most.load(), 2);  // Never more groups at once than allowed.
  for (const auto& mine : jobs) {
    for (const Job& job : mine) EXPECT_LE(job.group_size, 8u);
  }
}

}  // namespace
}  // namespace tessera::store::postgres
