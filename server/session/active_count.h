#ifndef TESSERA_SERVER_SESSION_ACTIVE_COUNT_H_
#define TESSERA_SERVER_SESSION_ACTIVE_COUNT_H_

// How many stored sessions are live (neither revoked nor past their idle or
// absolute expiry), for Admin.GetStats and /metrics, without a scan per call.
//
// A count is one sequential read of the sessions column family, in pages of
// a few thousand keys (store::ScanInPages: each page one RocksDB iterator,
// or a statement or two on PostgreSQL), so no snapshot, connection or
// deadline spans the count. Every stored record is parsed, revoked and
// expired ones not yet purged included: its cost follows stored_sessions,
// once per interval.
//
// ActiveSessionCounter runs that count on its own thread (periodic.h): once
// soon after Start(), then every `interval`. Readers get the newest finished
// count and when it was taken; a failed count keeps the previous one (and is
// logged).
//
// Thread-safety: latest() may be called from any thread; Start() and Stop()
// from the owner's. The Store must outlive the counter (Stop() first).

#include <atomic>
#include <cstdint>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/session/periodic.h"
#include "server/store/kv.h"
#include "tessera/v1/storage.pb.h"

namespace tessera::session {

// The live sessions at `now`. CANCELLED if `stop` becomes true during the
// scan (checked every few thousand records); UNAVAILABLE if the store
// fails. Unreadable records are
// not counted.
// `stored` (optional) gets every record seen, live or not.
absl::StatusOr<int64_t> CountActiveSessions(
    store::Kv& store, absl::Time now, const std::atomic<bool>* stop = nullptr,
    int64_t* stored = nullptr);

struct ActiveCount {
  int64_t sessions = 0;
  int64_t stored = 0;     // Every session record, revoked and expired included.
  absl::Time counted_at;  // The `now` of the count: when its snapshot began.
};

class ActiveSessionCounter {
 public:
  ActiveSessionCounter(store::Kv* store, absl::Duration interval);
  ActiveSessionCounter(const ActiveSessionCounter&) = delete;
  ActiveSessionCounter& operator=(const ActiveSessionCounter&) = delete;
  ~ActiveSessionCounter();  // Stop().

  // Starts the thread; the first count begins at once. Call at most once.
  void Start();
  // Ends a count in progress early and joins the thread. Idempotent.
  void Stop();

  // The newest finished count; nullopt before the first.
  std::optional<ActiveCount> latest() const;

 private:
  void CountOnce(const std::atomic<bool>& stopping);

  store::Kv* const store_;
  mutable absl::Mutex mu_;
  std::optional<ActiveCount> latest_ ABSL_GUARDED_BY(mu_);
  PeriodicThread thread_;  // Last: stopped before the rest goes.
};

}  // namespace tessera::session

#endif  // TESSERA_SERVER_SESSION_ACTIVE_COUNT_H_
