#ifndef TESSERA_SERVER_STREAM_WATCHER_H_
#define TESSERA_SERVER_STREAM_WATCHER_H_

// One WatchRevocations stream: a gRPC write reactor with a bounded queue.
// It first sends its backlog — a shared, immutable run of events (the
// snapshot; one copy for every stream that starts from it) and a few events
// of its own — then the live events queued behind it.
//
// The hub enqueues under its own lock (which fixes the order) and pumps
// afterwards without it, because gRPC may run OnWriteDone and OnDone inline
// inside StartWrite and Finish. A reference count keeps the watcher alive
// while the hub pumps it: one reference belongs to gRPC until OnDone, one to
// each pump in progress.

#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "tessera/v1/token_authority.pb.h"

namespace tessera::stream {

class RevocationHub;

class Watcher final
    : public grpc::ServerWriteReactor<tessera::v1::RevocationEvent> {
 public:
  // `hub` may be null for a stream refused at once (Finish(status) only).
  Watcher(RevocationHub* hub, size_t max_queued, std::string caller = "");
  const std::string& caller() const { return caller_; }

  // Events shared, read-only, by every stream that starts with them (the
  // hub's snapshot): a stream holds a reference and a position, not a copy.
  using SharedEvents =
      std::shared_ptr<const std::vector<tessera::v1::RevocationEvent>>;

  // The snapshot or resume a new stream starts with: `shared` (may be
  // null), then `own`; not counted against the bound. Call once, before any
  // Enqueue.
  void EnqueueBacklog(SharedEvents shared,
                      std::vector<tessera::v1::RevocationEvent> own);
  // False (and the stream is set to end with CONSUMER_TOO_SLOW) if more than
  // max_queued live events would wait. Call Pump() afterwards.
  bool Enqueue(tessera::v1::RevocationEvent event);
  // Ends the stream with `status` once the write in flight is done; queued
  // events are dropped (the client resumes from what it applied).
  void EndWith(grpc::Status status);
  bool Idle();

  // Starts the next write or the finish, if due. Never under the hub lock.
  void Pump();

  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Unref();

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  ~Watcher() override = default;

  RevocationHub* const hub_;
  const size_t max_queued_;
  const std::string caller_;
  std::atomic<int> refs_{1};

  absl::Mutex mu_;
  SharedEvents shared_ ABSL_GUARDED_BY(mu_);     // Sent before queue_.
  size_t shared_next_ ABSL_GUARDED_BY(mu_) = 0;  // Next to send from it.
  std::deque<tessera::v1::RevocationEvent> queue_ ABSL_GUARDED_BY(mu_);
  size_t backlog_ ABSL_GUARDED_BY(mu_) = 0;     // Backlog events still queued.
  tessera::v1::RevocationEvent writing_event_;  // Owned by the write.
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> end_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tessera::stream

#endif  // TESSERA_SERVER_STREAM_WATCHER_H_
