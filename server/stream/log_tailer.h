#ifndef TESSERA_SERVER_STREAM_LOG_TAILER_H_
#define TESSERA_SERVER_STREAM_LOG_TAILER_H_

// Follows a shared store's revocation log (docs/operations/
// high-availability.md): with several tesserad replicas on one PostgreSQL
// store, a replica learns the events the others commit only by reading the
// log. The tailer reads every event after the last one it handled, in
// sequence order, hands each to `apply` (the replica's revocation state, its
// key ring), then publishes up to it on the replica's WatchRevocations hub.
//
// Invariants:
//  - Events are handled in sequence order, each once, with no gap: the store
//    makes sequence order commit order (kv.h), so once N is visible every
//    event below it is too.
//  - A local commit wakes the tailer at once (Poke); other replicas' commits
//    are seen within `poll_interval`, or sooner when `wait` returns early
//    (PostgreSQL LISTEN/NOTIFY).
//  - A read that fails is retried at the next wake-up; nothing is skipped.
//  - Before reading on, it checks that the log still holds, at the last
//    sequence it applied, the event it applied (the hash chain, PostgreSQL):
//    a failover can lose an event the old primary had made visible but no
//    standby had confirmed, and a later event takes its sequence. Then
//    `reset` rebuilds the replica from the log and the tailer goes on from
//    what it returns. Likewise when the events right after the last one it
//    applied are gone while later ones exist (rows deleted by hand).
//
// Thread-safe. The log, and whatever the hooks touch, must outlive it.

#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/revocation/revocation_log.h"
#include "tessera/v1/token_authority.pb.h"

namespace tessera::stream {

struct TailerHooks {
  // Each new event, in order.
  std::function<void(const tessera::v1::RevocationEvent&)> apply;
  // After a run of events: everything up to `sequence` was applied.
  std::function<void(uint64_t sequence)> publish;
  // Blocks up to the given time or until the store signals a new event
  // (optional; without it the tailer sleeps until poked or polled).
  std::function<void(absl::Duration)> wait;
  // The log no longer holds what was applied: rebuild from the whole log;
  // returns the sequence rebuilt through (optional; RocksDB keeps no hash
  // chain).
  std::function<uint64_t()> reset;
};

class LogTailer {
 public:
  // Starts after `applied` (the events the replica loaded at start-up),
  // whose log_hash was `applied_hash` (empty: the store keeps none).
  LogTailer(revocation::RevocationLog* log, uint64_t applied,
            std::string applied_hash, TailerHooks hooks,
            absl::Duration poll_interval);
  ~LogTailer();  // Stop().

  void Start();
  void Stop();
  // A local commit: read the log now.
  void Poke();
  // Reads and applies what is new, once (the loop's step; tests call it).
  void CatchUp();

  uint64_t applied() const;
  // How often the log was found replaced (reset called).
  uint64_t resets() const;

 private:
  void Loop();
  // Whether the log still holds the applied event (false: reset it).
  bool StillMatches(uint64_t applied, const std::string& hash);
  // Has `reset` rebuild the replica from the log (catch_up_mu_ held), and
  // goes on from what it returns; logs `why` with `at`.
  void Rebuild(absl::string_view why, uint64_t at);

  revocation::RevocationLog* const log_;
  const TailerHooks hooks_;
  const absl::Duration poll_interval_;

  mutable absl::Mutex mu_;
  uint64_t applied_ ABSL_GUARDED_BY(mu_);
  std::string applied_hash_ ABSL_GUARDED_BY(mu_);
  uint64_t resets_ ABSL_GUARDED_BY(mu_) = 0;
  bool poked_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Mutex catch_up_mu_;  // One CatchUp at a time.
  std::thread thread_;
};

}  // namespace tessera::stream

#endif  // TESSERA_SERVER_STREAM_LOG_TAILER_H_
