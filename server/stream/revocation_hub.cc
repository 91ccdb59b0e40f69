#include "server/stream/revocation_hub.h"

#include <algorithm>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/crypto/aead.h"
#include "server/errors/errors.h"
#include "server/errors/reasons.h"
#include "server/log/log.h"
#include "server/store/timestamps.h"
#include "server/stream/incarnation.h"
#include "server/stream/watcher.h"

namespace tessera::stream {

using store::FromTimestamp;
using tessera::v1::RevocationEvent;

RevocationHub::RevocationHub(store::Kv* store, revocation::RevocationLog* log,
                             revocation::RevocationState* state,
                             HubOptions options)
    : store_(store), log_(log), state_(state), options_(options) {}

RevocationHub::~RevocationHub() { Close(); }

absl::Time RevocationHub::RelevantUntil(const RevocationEvent& event) const {
  switch (event.event_case()) {
    case RevocationEvent::kSessionRevoked:
      return FromTimestamp(event.session_revoked().forget_after());
    case RevocationEvent::kSubjectRevoked:
      return FromTimestamp(event.subject_revoked().not_before()) +
             options_.horizon;
    case RevocationEvent::kClaimsInvalidated:
      return event.claims_invalidated().has_forget_after()
                 ? FromTimestamp(event.claims_invalidated().forget_after())
                 : FromTimestamp(event.claims_invalidated().not_before()) +
                       options_.horizon;
    default:
      return absl::InfinitePast();
  }
}

void RevocationHub::Remember(const RevocationEvent& event) {
  if (event.has_keys_changed()) {
    keys_ = event;
    snapshot_events_.reset();
  } else if (RelevantUntil(event) > absl::Now()) {
    relevant_[event.sequence()] = event;
    snapshot_events_.reset();
  }
}

void RevocationHub::Load(const RevocationEvent& event) {
  absl::MutexLock lock(&mu_);
  Remember(event);
  if (event.sequence() >= published_) {
    published_ = event.sequence();
    published_hash_ = event.log_hash();
  }
}

void RevocationHub::Start() {
  absl::StatusOr<std::string> incarnation =
      LoadIncarnation(store_, options_.data_dir);
  if (!incarnation.ok()) {
    log::Error(
        "cannot keep the store incarnation; resuming streams will "
        "reset after every restart",
        {{"error", std::string(incarnation.status().message())}});
    incarnation = absl::StrCat("unpersisted-",
                               absl::BytesToHexString(crypto::RandomBytes(16)));
  }
  {
    absl::MutexLock lock(&mu_);
    incarnation_ = *std::move(incarnation);
    // Events committed between Load and Start (the key ring's, fsynced).
    (void)log_->ForEachAfter(
        published_, [&](const RevocationEvent& event) { Remember(event); });
    const uint64_t last = log_->last_sequence();
    if (last > published_) {
      published_ = last;
      published_hash_ = log_->HashAt(last).value_or("");
    }
    started_ = true;
  }
  heartbeat_thread_ = std::thread([this] { HeartbeatLoop(); });
}

void RevocationHub::OnCommit(uint64_t sequence) {
  store_->AfterDurable([this, sequence](const absl::Status& synced) {
    // A failed sync publishes nothing; the next good one covers it.
    if (synced.ok()) PublishUpTo(sequence);
  });
}

void RevocationHub::PublishUpTo(uint64_t sequence) {
  std::vector<Watcher*> pump;
  {
    absl::MutexLock lock(&mu_);
    if (!started_ || sequence <= published_) return;
    std::vector<RevocationEvent> events;
    absl::Status read =
        log_->ForEachAfter(published_, [&](const RevocationEvent& event) {
          if (event.sequence() <= sequence) events.push_back(event);
        });
    if (!read.ok()) {
      log::Error("cannot read the revocation log to publish it",
                 {{"error", std::string(read.message())}});
      return;  // Retried by the next commit.
    }
    for (const RevocationEvent& event : events) {
      Remember(event);
      for (Watcher* watcher : watchers_) watcher->Enqueue(event);
    }
    published_ = sequence;
    if (!events.empty()) published_hash_ = events.back().log_hash();
    for (Watcher* watcher : watchers_) {
      watcher->Ref();
      pump.push_back(watcher);
    }
  }
  PumpAll(pump);
}

void RevocationHub::PumpAll(const std::vector<Watcher*>& watchers) {
  for (Watcher* watcher : watchers) {
    watcher->Pump();
    watcher->Unref();
  }
}

RevocationEvent RevocationHub::SnapshotEnd(bool reset) const {
  RevocationEvent end;
  end.set_sequence(published_);
  end.set_log_hash(published_hash_);
  end.mutable_snapshot_end()->set_reset(reset);
  end.mutable_snapshot_end()->set_incarnation(incarnation_);
  return end;
}

RevocationHub::Backlog RevocationHub::Snapshot(bool reset) {
  if (snapshot_events_ == nullptr) {
    // relevant_ is in sequence order; the key set goes in its place.
    auto events = std::make_shared<std::vector<RevocationEvent>>();
    events->reserve(relevant_.size() + 1);
    const absl::Time now = absl::Now();
    bool keys_placed = !keys_.has_value();
    for (const auto& [sequence, event] : relevant_) {
      if (!keys_placed && keys_->sequence() < sequence) {
        events->push_back(*keys_);
        keys_placed = true;
      }
      if (RelevantUntil(event) > now) events->push_back(event);
    }
    if (!keys_placed) events->push_back(*keys_);
    snapshot_events_ = std::move(events);
    ++snapshots_built_;
  }
  Backlog backlog{snapshot_events_, {}};
  backlog.own.push_back(SnapshotEnd(reset));
  return backlog;
}

RevocationHub::Backlog RevocationHub::BacklogFor(
    const tessera::v1::WatchRevocationsRequest& request) {
  const uint64_t after = request.after_sequence();
  if (after == 0) return Snapshot(/*reset=*/false);
  const bool other_incarnation =
      !request.incarnation().empty() && request.incarnation() != incarnation_;
  if (other_incarnation || after > published_ ||
      published_ - after > options_.max_resume_events ||
      after < log_->resumable_after()) {
    return Snapshot(/*reset=*/true);
  }
  if (!request.after_log_hash().empty()) {
    // The event the client saw at `after` may not be the log's any more (a
    // failover lost it and another took its sequence).
    absl::StatusOr<std::string> hash = log_->HashAt(after);
    if (!hash.ok() || (!hash->empty() && *hash != request.after_log_hash())) {
      return Snapshot(/*reset=*/true);
    }
  }
  Backlog backlog;
  absl::StatusOr<revocation::RevocationLog::Run> run =
      log_->ForEachInOrderAfter(after, [&](const RevocationEvent& e) {
        if (e.sequence() <= published_) backlog.own.push_back(e);
      });
  // Every event after..published_, or a reset: the log can be missing some
  // that resumable_after() does not know of (rows an operator deleted, or
  // another replica trimmed, on a shared store).
  if (!run.ok() || run->last < published_) return Snapshot(/*reset=*/true);
  backlog.own.push_back(SnapshotEnd(/*reset=*/false));
  return backlog;
}

grpc::ServerWriteReactor<RevocationEvent>* RevocationHub::Refuse(
    grpc::Status status) {
  auto* refused = new Watcher(nullptr, 0);
  refused->EndWith(std::move(status));
  refused->Pump();
  return refused;
}

grpc::ServerWriteReactor<RevocationEvent>* RevocationHub::Watch(
    grpc::CallbackServerContext*,
    const tessera::v1::WatchRevocationsRequest* request,
    const std::string& caller) {
  std::optional<grpc::Status> refuse;
  Watcher* watcher = nullptr;
  {
    absl::MutexLock lock(&mu_);
    if (closed_ || !started_) {
      refuse = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                            "tesserad is shutting down");
    } else if (request->after_log_hash().size() > kMaxLogHashBytes) {
      refuse = errors::ToGrpcStatus(errors::Error(
          absl::StatusCode::kInvalidArgument, errors::kLogHashInvalid,
          absl::StrCat("after_log_hash must be at most ", kMaxLogHashBytes,
                       " bytes (as the stream sent it in log_hash)")));
    } else if (request->incarnation().size() > kMaxIncarnationBytes) {
      refuse = errors::ToGrpcStatus(errors::Error(
          absl::StatusCode::kInvalidArgument, errors::kIncarnationInvalid,
          absl::StrCat("incarnation must be at most ", kMaxIncarnationBytes,
                       " bytes (as SnapshotEnd.incarnation sent it)")));
    } else if (watchers_.size() >= options_.max_watchers) {
      refuse = errors::ToGrpcStatus(errors::Error(
          absl::StatusCode::kResourceExhausted, errors::kTooManyWatchers,
          "this server holds its maximum of WatchRevocations streams"));
    } else if (per_caller_[caller] >= options_.max_watchers_per_caller) {
      refuse = errors::ToGrpcStatus(errors::Error(
          absl::StatusCode::kResourceExhausted, errors::kTooManyWatchers,
          absl::StrCat("caller \"", caller, "\" holds its maximum of ",
                       options_.max_watchers_per_caller,
                       " WatchRevocations streams")));
    } else {
      ++per_caller_[caller];
      watcher = new Watcher(this, options_.max_queued_events, caller);
      Backlog backlog = BacklogFor(*request);
      watcher->EnqueueBacklog(std::move(backlog.shared),
                              std::move(backlog.own));
      watchers_.insert(watcher);
      watcher->Ref();  // For the pump below.
    }
  }
  if (refuse.has_value()) return Refuse(*std::move(refuse));
  PumpAll({watcher});
  return watcher;
}

void RevocationHub::Remove(Watcher* watcher) {
  absl::MutexLock lock(&mu_);
  if (watchers_.erase(watcher) > 0) {
    auto it = per_caller_.find(watcher->caller());
    if (it != per_caller_.end() && --it->second == 0) per_caller_.erase(it);
  }
}

void RevocationHub::TrimLog() {
  absl::MutexLock lock(&mu_);
  if (!started_) return;
  // Resumes within max_resume_events are served from the log: keep those.
  const uint64_t window = std::max<uint64_t>(1, options_.max_resume_events);
  uint64_t keep_from = published_ >= window ? published_ - window + 1 : 1;
  // And every event from the oldest one a snapshot still holds on.
  if (!relevant_.empty()) {
    keep_from = std::min(keep_from, relevant_.begin()->first);
  }
  if (keep_from <= 1) return;
  // Under mu_, so no resume is checked against the log mid-trim.
  absl::Status trimmed = log_->TrimThrough(
      keep_from - 1, keys_.has_value() ? keys_->sequence() : 0);
  if (!trimmed.ok()) {
    log::Error("cannot trim the revocation log",
               {{"error", std::string(trimmed.message())}});
  }
}

void RevocationHub::HeartbeatLoop() {
  absl::Time next_trim = absl::Now() + options_.log_trim_interval;
  while (true) {
    if (absl::Now() >= next_trim) {
      TrimLog();
      next_trim = absl::Now() + options_.log_trim_interval;
    }
    std::vector<Watcher*> pump;
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&closed_),
                               options_.heartbeat_interval)) {
        return;
      }
      const absl::Time now = absl::Now();
      for (auto it = relevant_.begin(); it != relevant_.end();) {
        if (RelevantUntil(it->second) <= now) {
          it = relevant_.erase(it);
          snapshot_events_.reset();
        } else {
          ++it;
        }
      }
      RevocationEvent heartbeat;
      heartbeat.mutable_heartbeat()->set_current_sequence(published_);
      heartbeat.set_log_hash(published_hash_);
      heartbeat.mutable_heartbeat()->set_incarnation(incarnation_);
      *heartbeat.mutable_time() = store::ToTimestamp(now);
      for (Watcher* watcher : watchers_) {
        if (!watcher->Idle()) continue;  // Busy streams prove liveness.
        watcher->Enqueue(heartbeat);
        watcher->Ref();
        pump.push_back(watcher);
      }
    }
    state_->Forget(absl::Now());  // Keeps ValidateToken's state bounded.
    PumpAll(pump);
  }
}

void RevocationHub::Close() {
  std::vector<Watcher*> pump;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return;
    closed_ = true;
    for (Watcher* watcher : watchers_) {
      watcher->EndWith(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                    "tesserad is shutting down"));
      watcher->Ref();
      pump.push_back(watcher);
    }
  }
  PumpAll(pump);
  if (heartbeat_thread_.joinable()) heartbeat_thread_.join();
}

uint64_t RevocationHub::Reset() {
  std::vector<Watcher*> pump;
  uint64_t last = 0;
  {
    absl::MutexLock lock(&mu_);
    relevant_.clear();
    keys_.reset();
    snapshot_events_.reset();
    published_ = 0;
    published_hash_.clear();
    absl::Status read =
        log_->ForEachAfter(0, [&](const RevocationEvent& event) {
          Remember(event);
          published_ = event.sequence();
          published_hash_ = event.log_hash();
        });
    if (!read.ok()) {
      log::Error("cannot reload the revocation log after it changed",
                 {{"error", std::string(read.message())}});
    }
    last = published_;
    for (Watcher* watcher : watchers_) {
      watcher->EndWith(grpc::Status(
          grpc::StatusCode::UNAVAILABLE,
          "the revocation log changed (a database failover); resume"));
      watcher->Ref();
      pump.push_back(watcher);
    }
  }
  PumpAll(pump);
  return last;
}

size_t RevocationHub::watchers() const {
  absl::MutexLock lock(&mu_);
  return watchers_.size();
}

std::string RevocationHub::incarnation() const {
  absl::MutexLock lock(&mu_);
  return incarnation_;
}

uint64_t RevocationHub::snapshots_built() const {
  absl::MutexLock lock(&mu_);
  return snapshots_built_;
}

uint64_t RevocationHub::published_sequence() const {
  absl::MutexLock lock(&mu_);
  return published_;
}

}  // namespace tessera::stream
