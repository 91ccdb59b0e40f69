#ifndef TESSERA_SERVER_STORE_POSTGRES_COMBINER_H_
#define TESSERA_SERVER_STORE_POSTGRES_COMBINER_H_

// Combining of concurrent blocking calls into shared statements (the
// PostgreSQL store's writes and reads; postgres_store.h).
//
// A caller queues its job and waits. The job at the front of the queue,
// while fewer than `max_in_flight` groups are running, leads: it takes the
// queue's first `max_group` jobs (itself first), runs them together on its
// own thread, and marks them done; the others wake with their results. So
// under light load every job runs alone and at once; only when every slot
// is busy do jobs queue, and then the next group carries them all.
//
// Thread-safe. A job belongs to its caller; the leader reads and writes it
// only between taking it and marking it done, while its caller waits.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace tessera::store::postgres {

struct CombinerStats {
  uint64_t groups = 0;   // Groups of two or more jobs.
  uint64_t grouped = 0;  // Jobs those groups carried.
  int queued = 0;        // Now: jobs waiting for a slot.
  int in_flight = 0;     // Now: groups running.
};

template <typename Job>
class Combiner {
 public:
  using RunGroup = std::function<void(const std::vector<Job*>& group)>;
  using Stats = CombinerStats;

  Combiner(int max_in_flight, size_t max_group)
      : max_in_flight_(max_in_flight < 1 ? 1 : max_in_flight),
        max_group_(max_group < 1 ? 1 : max_group) {}
  Combiner(const Combiner&) = delete;
  Combiner& operator=(const Combiner&) = delete;

  // Returns once `job` has run, in a group `run` was called with (by this
  // thread or another caller's).
  void Run(Job& job, const RunGroup& run) {
    Entry self{&job};
    std::vector<Entry*> group = Join(self);
    if (group.empty()) return;  // Another leader ran it.
    std::vector<Job*> jobs;
    jobs.reserve(group.size());
    for (Entry* entry : group) jobs.push_back(entry->job);
    run(jobs);
    absl::MutexLock lock(&mu_);
    --in_flight_;
    for (Entry* entry : group) entry->done = true;
  }

  Stats stats() const {
    absl::MutexLock lock(&mu_);
    Stats stats = stats_;
    stats.queued = static_cast<int>(queue_.size());
    stats.in_flight = in_flight_;
    return stats;
  }

 private:
  struct Entry {
    Job* job;
    bool done = false;  // Under mu_.
  };

  // Queues `self` and waits: empty if another leader took it (and has run
  // it), else the group `self` leads.
  std::vector<Entry*> Join(Entry& self) {
    absl::MutexLock lock(&mu_);
    queue_.push_back(&self);
    // An entry a leader took is no longer queued: it waits for `done`.
    auto turn = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return self.done || (!queue_.empty() && queue_.front() == &self &&
                           in_flight_ < max_in_flight_);
    };
    mu_.Await(absl::Condition(&turn));
    std::vector<Entry*> group;
    if (self.done) return group;
    while (!queue_.empty() && group.size() < max_group_) {
      group.push_back(queue_.front());
      queue_.pop_front();
    }
    ++in_flight_;
    if (group.size() > 1) {
      ++stats_.groups;
      stats_.grouped += group.size();
    }
    return group;
  }

  const int max_in_flight_;
  const size_t max_group_;
  mutable absl::Mutex mu_;
  std::deque<Entry*> queue_ ABSL_GUARDED_BY(mu_);
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  Stats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tessera::store::postgres

#endif  // TESSERA_SERVER_STORE_POSTGRES_COMBINER_H_
