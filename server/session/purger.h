#ifndef TESSERA_SERVER_SESSION_PURGER_H_
#define TESSERA_SERVER_SESSION_PURGER_H_

// The purge for stores without compaction filters (PostgreSQL): what
// Purgeable (purge.h) says may go is deleted in batches, on every replica.
//
// A pass walks each purged family in pages (store::ScanInPages) and deletes
// a page's purgeable records in one Write that Expects each to still hold
// the value read. So a batch is idempotent and safe beside anything else: a
// record rewritten since it was read, or already deleted by another
// replica's pass, fails the batch with WRITE_CONFLICT, nothing of it is
// written, and the next pass decides again. Replicas purging at once just
// race for the same batches. Expiry is judged by the store's clock
// (Kv::Now), so replicas whose clocks drift agree.
//
// Purger runs a pass on its own thread (periodic.h) soon after Start(), then
// every `interval`, and keeps running totals for /metrics.
//
// Thread-safety: totals() from any thread; Start() and Stop() from the
// owner's. The store must outlive the Purger (Stop() first).

#include <atomic>
#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/session/periodic.h"
#include "server/store/kv.h"

namespace tessera::session {

struct PurgeCounts {
  int64_t examined = 0;   // Records read.
  int64_t purged = 0;     // Records deleted.
  int64_t conflicts = 0;  // Batches left for a later pass (WRITE_CONFLICT).
  int64_t passes = 0;     // Passes that ran to the end (Purger only).
  int64_t failures = 0;   // Passes that failed (Purger only).

  PurgeCounts& operator+=(const PurgeCounts& other);
};

// Records per read and at most per delete batch.
inline constexpr size_t kPurgeBatch = 128;

// One pass at `now` over every family in kPurgedFamilies, adding what it did
// to `counts`. CANCELLED if `stop` becomes true (checked between batches);
// the store's error (UNAVAILABLE) if a read or a delete fails for another
// reason than a conflict.
absl::Status PurgeExpired(store::Kv& kv, absl::Time now,
                          const std::atomic<bool>* stop, PurgeCounts& counts);

class Purger {
 public:
  Purger(store::Kv* store, absl::Duration interval);
  Purger(const Purger&) = delete;
  Purger& operator=(const Purger&) = delete;
  ~Purger();  // Stop().

  void Start();  // The first pass begins at once. Call at most once.
  void Stop();   // Ends a pass in progress early; idempotent.

  PurgeCounts totals() const;

 private:
  void PassOnce(const std::atomic<bool>& stopping);

  store::Kv* const store_;
  mutable absl::Mutex mu_;
  PurgeCounts totals_ ABSL_GUARDED_BY(mu_);
  PeriodicThread thread_;  // Last: stopped before the rest goes.
};

}  // namespace tessera::session

#endif  // TESSERA_SERVER_SESSION_PURGER_H_
