#ifndef TESSERA_SERVER_REVOCATION_REVOCATION_LOG_H_
#define TESSERA_SERVER_REVOCATION_REVOCATION_LOG_H_

// The durable revocation log (DESIGN §8): every revocation and cut-off is an
// event with a strictly increasing sequence, written in the same WriteBatch
// as the change it describes, so the two land together or not at all.
//
// Invariants:
//  - Sequences are assigned and committed in one critical section, so the
//    log's key order is commit order and has no gaps.
//  - last_sequence() is the newest committed event; it is read from the
//    log's last key at start-up (no scan).

#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rocksdb/write_batch.h"
#include "server/store/store.h"
#include "tessera/v1/token_authority.pb.h"

namespace tessera::revocation {

class RevocationLog {
 public:
  static absl::StatusOr<std::unique_ptr<RevocationLog>> Open(
      store::Store* store);

  // Stamps `event` with the next sequence and `now`, adds it to `batch` and
  // writes the batch (callers answer from Store::AfterDurable). On failure
  // nothing is written and the sequence is not consumed.
  absl::StatusOr<tessera::v1::RevocationEvent> Commit(
      rocksdb::WriteBatch* batch, tessera::v1::RevocationEvent event,
      absl::Time now);

  uint64_t last_sequence() const;

  // Called after every successful Commit, outside the log's lock, with the
  // new sequence (from the committing thread; calls may arrive out of
  // order). The event is written but not yet known durable. Set once,
  // before the first Commit.
  void SetCommitListener(std::function<void(uint64_t sequence)> listener) {
    listener_ = std::move(listener);
  }

  // Calls `visit` for each event with sequence > `after`, in order.
  absl::Status ForEachAfter(
      uint64_t after,
      const std::function<void(const tessera::v1::RevocationEvent&)>& visit)
      const;

 private:
  explicit RevocationLog(store::Store* store) : store_(store) {}
  absl::StatusOr<tessera::v1::RevocationEvent> CommitLocked(
      rocksdb::WriteBatch* batch, tessera::v1::RevocationEvent event,
      absl::Time now);

  store::Store* store_;
  mutable absl::Mutex mu_;
  uint64_t last_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  std::function<void(uint64_t)> listener_;
};

}  // namespace tessera::revocation

#endif  // TESSERA_SERVER_REVOCATION_REVOCATION_LOG_H_
