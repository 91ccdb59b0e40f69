#ifndef TESSERA_SERVER_STORE_WAL_SYNCER_H_
#define TESSERA_SERVER_STORE_WAL_SYNCER_H_

// Group commit without a blocked thread per writer.
//
// Writers write to RocksDB without `sync` (the batch reaches the WAL file in
// the OS page cache and becomes visible), then hand AfterDurable a callback
// that sends their answer. One thread fsyncs the WAL for every callback
// waiting at that moment and then runs them all: a caller hears "done" only
// once its write is on disk, and N concurrent writes cost one fsync and one
// thread wake-up instead of N blocked threads.
//
// Invariants:
//  - A callback runs after an fsync of the WAL that began after the callback
//    was handed in, so every write that returned before AfterDurable is
//    covered. Callbacks run in hand-in order, on the syncer's thread (or
//    inline when `sync` is off: the page cache is all `async` promises).
//  - A failed fsync is reported to every callback it covered; nothing is
//    acknowledged as durable that was not synced.
//  - Visibility precedes durability by at most one fsync: a reader may see a
//    write whose writer has not been answered yet. A power loss in that window
//    loses only unanswered writes; a process crash loses nothing.
//
// Thread-safe.

#include <functional>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/db.h"

namespace tessera::store {

class WalSyncer {
 public:
  using Callback = std::function<void(const absl::Status&)>;

  // `db` must outlive the syncer. With `sync` false no thread is started.
  WalSyncer(rocksdb::DB* db, bool sync);
  ~WalSyncer();  // Stop().

  WalSyncer(const WalSyncer&) = delete;
  WalSyncer& operator=(const WalSyncer&) = delete;

  // Runs `done` once every write that returned before this call is durable,
  // with the fsync's status. After Stop, `done` runs at once with UNAVAILABLE.
  void AfterDurable(Callback done);

  // Syncs and answers every waiting callback, then joins the thread.
  // Idempotent.
  void Stop();

  // Number of WAL fsyncs so far (for tests and metrics).
  uint64_t sync_count() const;

 private:
  void Loop();

  rocksdb::DB* const db_;
  const bool sync_;
  mutable absl::Mutex mu_;
  std::vector<Callback> waiting_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t sync_count_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace tessera::store

#endif  // TESSERA_SERVER_STORE_WAL_SYNCER_H_
