#ifndef TESSERA_SERVER_REVOCATION_REVOCATION_LOG_H_
#define TESSERA_SERVER_REVOCATION_REVOCATION_LOG_H_

// The durable revocation log (docs/architecture.md): every revocation and
// cut-off is an event with a strictly increasing sequence, written in the same
// store::Batch as the change it describes, so the two land together or not at
// all.
//
// Invariants:
//  - Sequences are assigned by the store at commit (kv.h), so the log's key
//    order is commit order and commits leave no gaps, also across replicas
//    sharing a PostgreSQL store.
//  - Trimming deletes a prefix, except the newest key-set event in it: the
//    log is at most that one event, then an unbroken tail from
//    resumable_after() + 1 to the newest event, which is never deleted.
//  - last_sequence() is the newest committed event (the store's);
//    resumable_after() is read from the log's start at start-up (no scan).
//  - On a shared store (PostgreSQL) every replica trims, each by what it
//    knows; resumable_after() is then only this replica's view. Nothing
//    depends on it being exact: a resume over events another replica
//    trimmed is a reset (the hub checks what it reads), and a tailer that
//    finds its next events gone rebuilds (stream/log_tailer.h).

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/store/kv.h"
#include "tessera/v1/token_authority.pb.h"

namespace tessera::revocation {

class RevocationLog {
 public:
  static absl::StatusOr<std::unique_ptr<RevocationLog>> Open(store::Kv* store);

  // Stamps `event` with `now`, appends it to `batch` and writes the batch,
  // which gives it the next sequence (callers answer from
  // Kv::AfterDurable). On failure nothing is written and the sequence is
  // not consumed; a failed expectation is the store's WRITE_CONFLICT.
  absl::StatusOr<tessera::v1::RevocationEvent> Commit(
      store::Batch* batch, tessera::v1::RevocationEvent event, absl::Time now);
  // The same for several events (at least one), with consecutive sequences
  // in their order, in one write.
  absl::StatusOr<std::vector<tessera::v1::RevocationEvent>> CommitAll(
      store::Batch* batch, std::vector<tessera::v1::RevocationEvent> events,
      absl::Time now);

  // 0 if the store cannot be read.
  uint64_t last_sequence() const;

  // Resuming after a sequence below this cannot be served from the log: the
  // events after it were trimmed. 0 until the first trim.
  uint64_t resumable_after() const;

  // Deletes every event with sequence <= `through` except `keep` (the newest
  // key-set event, which a snapshot still needs; 0 for none), so the log
  // holds what can still matter rather than every revocation ever made.
  // The newest event is never deleted (`through` is capped below it).
  // Unsynced: a trim a crash loses only leaves more log behind.
  absl::Status TrimThrough(uint64_t through, uint64_t keep);

  // Called after every successful Commit, outside the log's lock, with the
  // new sequence (from the committing thread; calls may arrive out of
  // order). The event is written but not yet known durable. Set once,
  // before the first Commit.
  // The log's hash chain through `sequence` (PostgreSQL store); empty when
  // the store keeps none (RocksDB) or the event is not in the log.
  absl::StatusOr<std::string> HashAt(uint64_t sequence) const;

  void SetCommitListener(std::function<void(uint64_t sequence)> listener) {
    listener_ = std::move(listener);
  }

  // Calls `visit` for each event with sequence > `after`, in order; on a
  // PostgreSQL store each carries its log_hash.
  absl::Status ForEachAfter(
      uint64_t after,
      const std::function<void(const tessera::v1::RevocationEvent&)>& visit)
      const;
  // Like ForEachAfter, but only the unbroken run after + 1, after + 2, ...:
  // stops before an event whose sequence is not the next one. `last` is the
  // last sequence visited (`after` if none); `gap` says a later event exists
  // past a missing one (trimmed or deleted: sequences become visible in
  // order, so a gap never fills).
  struct Run {
    uint64_t last = 0;
    bool gap = false;
  };
  absl::StatusOr<Run> ForEachInOrderAfter(
      uint64_t after,
      const std::function<void(const tessera::v1::RevocationEvent&)>& visit)
      const;

 private:
  explicit RevocationLog(store::Kv* store) : store_(store) {}
  // The events after `after` in order, until `visit` returns false.
  absl::Status Read(
      uint64_t after,
      const std::function<bool(const tessera::v1::RevocationEvent&)>& visit)
      const;

  store::Kv* store_;
  mutable absl::Mutex mu_;  // Orders trims.
  uint64_t resumable_after_ ABSL_GUARDED_BY(mu_) = 0;
  std::function<void(uint64_t)> listener_;
};

}  // namespace tessera::revocation

#endif  // TESSERA_SERVER_REVOCATION_REVOCATION_LOG_H_
