#ifndef TESSERA_SERVER_STREAM_REVOCATION_HUB_H_
#define TESSERA_SERVER_STREAM_REVOCATION_HUB_H_

// WatchRevocations (docs/architecture.md): fans the revocation log out to every
// open stream, so in-process Verifiers learn of a revocation within
// milliseconds.
//
// Invariants:
//  - An event reaches streams only once it is durable (the hub publishes
//    from Store::AfterDurable), in sequence order, exactly once per stream,
//    with no gaps. A stream whose queue would exceed max_queued_events is
//    ended with RESOURCE_EXHAUSTED (CONSUMER_TOO_SLOW) instead: its client
//    resumes from the last sequence it applied, so nothing is silently lost.
//  - after_sequence = 0, or a resume the hub cannot serve (ahead of the log,
//    more than max_resume_events behind, or over events the log no longer
//    holds), starts with a snapshot: every
//    revocation that can still reject an unexpired token and the latest key
//    set, each with the sequence of the event that created it, then
//    snapshot_end (reset = true when a resume was refused). snapshot_end's
//    own `sequence` is the sequence the snapshot is complete up to.
//  - The snapshot's events are built once into an immutable copy that every
//    new stream shares (a reference and a position each), and rebuilt only
//    after the set changed; so N streams starting together cost one copy,
//    not N. (A resume's events, at most max_resume_events, are the stream's
//    own.)
//  - A resume sends the logged events after `after_sequence`, every one up
//    to the newest published (checked as read), then snapshot_end
//    (reset = false): "caught up".
//  - A heartbeat, queued only behind everything published before it, carries
//    the newest published sequence: a client that receives it has applied
//    every event up to that sequence.
//  - Positions are (incarnation, sequence) (incarnation.h): snapshot_end and
//    heartbeats carry the store's incarnation, and a resume naming another
//    one is answered with a reset snapshot, so a store restored from a
//    backup (which reuses sequences) never lets a client skip events.
//
// Thread-safety: all methods are thread-safe. Streams are gRPC callback
// reactors; the hub never calls into gRPC while holding its own lock.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "client/revocation/revocation_state.h"
#include "grpcpp/grpcpp.h"
#include "server/revocation/revocation_log.h"
#include "server/store/kv.h"
#include "tessera/v1/token_authority.pb.h"

namespace tessera::stream {

class Watcher;

struct HubOptions {
  // The longest an access token can live plus leeway: how long a cut-off
  // can still reject something.
  absl::Duration horizon = absl::Minutes(15) + absl::Seconds(30);
  absl::Duration heartbeat_interval = absl::Seconds(1);
  size_t max_queued_events = 10000;
  size_t max_resume_events = 10000;
  size_t max_watchers = 10000;
  size_t max_watchers_per_caller = 1000;
  // How often the log is trimmed to what a snapshot or a servable resume
  // still needs (TrimLog).
  absl::Duration log_trim_interval = absl::Minutes(1);
  // The RocksDB data dir (where a restored backup leaves its marker); empty
  // for a shared store.
  std::string data_dir;
};

class RevocationHub {
 public:
  // `store`, `log` and `state` must outlive the hub.
  RevocationHub(store::Kv* store, revocation::RevocationLog* log,
                revocation::RevocationState* state, HubOptions options);
  ~RevocationHub();  // Close().

  RevocationHub(const RevocationHub&) = delete;
  RevocationHub& operator=(const RevocationHub&) = delete;

  // Start-up replay: every logged event, in order, before Start.
  void Load(const tessera::v1::RevocationEvent& event);
  // Loads the store's incarnation (LoadIncarnation; if that fails, an
  // unpersisted random one, so clients reset rather than trust a position),
  // marks everything loaded as published and starts heartbeats.
  void Start();

  // The log's commit listener: publishes `sequence` once it is durable.
  void OnCommit(uint64_t sequence);

  // The WatchRevocations handler for `caller` (at most
  // max_watchers_per_caller streams each: RESOURCE_EXHAUSTED
  // TOO_MANY_WATCHERS beyond).
  grpc::ServerWriteReactor<tessera::v1::RevocationEvent>* Watch(
      grpc::CallbackServerContext* context,
      const tessera::v1::WatchRevocationsRequest* request,
      const std::string& caller);

  // A stream that ends at once with `status` (e.g. not authorized).
  static grpc::ServerWriteReactor<tessera::v1::RevocationEvent>* Refuse(
      grpc::Status status);

  // Ends every stream with UNAVAILABLE and refuses new ones; stops the
  // heartbeat thread. Idempotent.
  // The shared log was replaced under this replica (a database failover
  // lost events it had published, and others took their sequences):
  // forgets what it held, reloads it from the log, and ends every stream
  // with UNAVAILABLE so that each client resumes, finds its position no
  // longer matching, and gets a reset snapshot. Returns the log's last
  // sequence now.
  uint64_t Reset();
  void Close();

  // Deletes logged events that no snapshot needs (no longer relevant, not
  // the newest key set) and that no resume the hub would serve asks for
  // (more than max_resume_events behind). Runs every log_trim_interval;
  // public for tests.
  void TrimLog();

  size_t watchers() const;
  uint64_t published_sequence() const;
  // The store incarnation streams are told (empty before Start).
  std::string incarnation() const;
  // Snapshot copies built so far (one per change of the snapshot set that a
  // new stream then asked for); for tests and metrics.
  uint64_t snapshots_built() const;

 private:
  friend class Watcher;

  void PublishUpTo(uint64_t sequence);
  // Adds `event` to the snapshot set if it can still matter.
  void Remember(const tessera::v1::RevocationEvent& event)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Time RelevantUntil(const tessera::v1::RevocationEvent& event) const;
  // What a new stream starts with (snapshot or resume), then snapshot_end.
  struct Backlog {
    std::shared_ptr<const std::vector<tessera::v1::RevocationEvent>> shared;
    std::vector<tessera::v1::RevocationEvent> own;
  };
  Backlog BacklogFor(const tessera::v1::WatchRevocationsRequest& request)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Backlog Snapshot(bool reset) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  tessera::v1::RevocationEvent SnapshotEnd(bool reset) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Remove(Watcher* watcher);
  void HeartbeatLoop();
  // Pumps and releases watchers collected under mu_ (outside it).
  static void PumpAll(const std::vector<Watcher*>& watchers);

  store::Kv* const store_;
  revocation::RevocationLog* const log_;
  revocation::RevocationState* const state_;
  const HubOptions options_;

  mutable absl::Mutex mu_;
  uint64_t published_ ABSL_GUARDED_BY(mu_) = 0;
  // The log's hash through published_ (PostgreSQL; empty on RocksDB).
  std::string published_hash_ ABSL_GUARDED_BY(mu_);
  std::string incarnation_ ABSL_GUARDED_BY(mu_);
  // Events a snapshot must hold, by sequence.
  std::map<uint64_t, tessera::v1::RevocationEvent> relevant_
      ABSL_GUARDED_BY(mu_);
  std::optional<tessera::v1::RevocationEvent> keys_ ABSL_GUARDED_BY(mu_);
  // relevant_ and keys_ in sequence order, shared by new streams; null
  // once either changed (rebuilt by the next snapshot).
  std::shared_ptr<const std::vector<tessera::v1::RevocationEvent>>
      snapshot_events_ ABSL_GUARDED_BY(mu_);
  uint64_t snapshots_built_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_set<Watcher*> watchers_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, size_t> per_caller_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  std::thread heartbeat_thread_;
};

}  // namespace tessera::stream

#endif  // TESSERA_SERVER_STREAM_REVOCATION_HUB_H_
