#include "server/stream/watcher.h"

#include <algorithm>

#include "client/base/tsan_annotations.h"
#include "server/errors/errors.h"
#include "server/errors/reasons.h"
#include "server/stream/revocation_hub.h"

namespace tessera::stream {

Watcher::Watcher(RevocationHub* hub, size_t max_queued, std::string caller)
    : hub_(hub), max_queued_(max_queued), caller_(std::move(caller)) {}

void Watcher::EnqueueBacklog(SharedEvents shared,
                             std::vector<tessera::v1::RevocationEvent> own) {
  absl::MutexLock lock(&mu_);
  if (shared != nullptr && !shared->empty()) shared_ = std::move(shared);
  shared_next_ = 0;
  backlog_ = own.size();
  for (auto& event : own) queue_.push_back(std::move(event));
}

bool Watcher::Enqueue(tessera::v1::RevocationEvent event) {
  absl::MutexLock lock(&mu_);
  if (end_.has_value()) return false;
  if (queue_.size() - std::min(backlog_, queue_.size()) >= max_queued_) {
    queue_.clear();
    shared_.reset();
    backlog_ = 0;
    end_ = errors::ToGrpcStatus(errors::Error(
        absl::StatusCode::kResourceExhausted, errors::kConsumerTooSlow,
        "this stream fell too far behind; resume from the last sequence "
        "applied"));
    return false;
  }
  queue_.push_back(std::move(event));
  return true;
}

void Watcher::EndWith(grpc::Status status) {
  absl::MutexLock lock(&mu_);
  queue_.clear();
  shared_.reset();
  backlog_ = 0;
  if (!end_.has_value()) end_ = std::move(status);
}

bool Watcher::Idle() {
  absl::MutexLock lock(&mu_);
  return shared_ == nullptr && queue_.empty() && !writing_;
}

void Watcher::Pump() {
  bool write = false;
  std::optional<grpc::Status> finish;
  {
    absl::MutexLock lock(&mu_);
    if (writing_ || finished_) return;
    if (end_.has_value()) {
      finished_ = true;
      finish = *end_;
    } else if (shared_ != nullptr) {
      writing_event_ = (*shared_)[shared_next_++];  // One event's copy.
      if (shared_next_ == shared_->size()) shared_.reset();
      writing_ = true;
      write = true;
    } else if (!queue_.empty()) {
      writing_event_ = std::move(queue_.front());
      queue_.pop_front();
      if (backlog_ > 0) --backlog_;
      writing_ = true;
      write = true;
    }
  }
  // Outside the lock: gRPC may call OnWriteDone / OnDone inline.
  if (write) {
    // StartWrite serializes writing_event_ before it returns or calls
    // OnWriteDone, after which the next Pump may overwrite it; gRPC orders
    // the two through its completion queue, out of TSan's sight.
    TESSERA_IGNORE_READS_BEGIN();
    StartWrite(&writing_event_);
    TESSERA_IGNORE_READS_END();
  }
  if (finish.has_value()) Finish(*finish);
}

void Watcher::Unref() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

void Watcher::OnWriteDone(bool ok) {
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok && !end_.has_value()) {  // The client went away.
      queue_.clear();
      shared_.reset();
      backlog_ = 0;
      end_ = grpc::Status(grpc::StatusCode::CANCELLED, "stream broken");
    }
  }
  Pump();
  // gRPC runs OnDone only after every other reaction has returned, possibly
  // on another thread, through a hand-off inside libgrpc++.
  TESSERA_HANDOFF_RELEASE(this);
}

void Watcher::OnCancel() {
  EndWith(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
  Pump();
  TESSERA_HANDOFF_RELEASE(this);  // As in OnWriteDone.
}

void Watcher::OnDone() {
  TESSERA_HANDOFF_ACQUIRE(this);
  if (hub_ != nullptr) hub_->Remove(this);
  Unref();
}

}  // namespace tessera::stream
