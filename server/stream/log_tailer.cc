#include "server/stream/log_tailer.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/log/log.h"

namespace tessera::stream {

LogTailer::LogTailer(revocation::RevocationLog* log, uint64_t applied,
                     std::string applied_hash, TailerHooks hooks,
                     absl::Duration poll_interval)
    : log_(log),
      hooks_(std::move(hooks)),
      poll_interval_(poll_interval),
      applied_(applied),
      applied_hash_(std::move(applied_hash)) {}

LogTailer::~LogTailer() { Stop(); }

void LogTailer::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void LogTailer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void LogTailer::Poke() {
  absl::MutexLock lock(&mu_);
  poked_ = true;
}

uint64_t LogTailer::applied() const {
  absl::MutexLock lock(&mu_);
  return applied_;
}

uint64_t LogTailer::resets() const {
  absl::MutexLock lock(&mu_);
  return resets_;
}

bool LogTailer::StillMatches(uint64_t applied, const std::string& hash) {
  if (hash.empty() || applied == 0) return true;  // No chain to check.
  absl::StatusOr<std::string> now = log_->HashAt(applied);
  if (!now.ok()) return true;  // Unreadable now: checked again next time.
  return *now == hash;
}

void LogTailer::Rebuild(absl::string_view why, uint64_t at) {
  log::Warning(absl::StrCat("the shared revocation log ", why,
                            ": rebuilding from the log"),
               {{"sequence", static_cast<long long>(at)}});
  const uint64_t rebuilt = hooks_.reset();
  absl::MutexLock lock(&mu_);
  applied_ = rebuilt;
  applied_hash_ = log_->HashAt(rebuilt).value_or("");
  ++resets_;
}

void LogTailer::CatchUp() {
  absl::MutexLock one(&catch_up_mu_);
  uint64_t from;
  std::string from_hash;
  {
    absl::MutexLock lock(&mu_);
    from = applied_;
    from_hash = applied_hash_;
  }
  if (!StillMatches(from, from_hash) && hooks_.reset) {
    return Rebuild(
        "no longer holds an event this replica applied (a database failover "
        "lost it)",
        from);
  }
  if (log_->last_sequence() <= from) return;
  uint64_t next = from;
  std::string next_hash = from_hash;
  absl::StatusOr<revocation::RevocationLog::Run> run =
      log_->ForEachInOrderAfter(from,
                                [&](const tessera::v1::RevocationEvent& event) {
                                  if (hooks_.apply) hooks_.apply(event);
                                  next = event.sequence();
                                  next_hash = event.log_hash();
                                });
  if (!run.ok()) {
    log::Error("cannot read the shared revocation log",
               {{"error", std::string(run.status().message())}});
  } else if (run->gap && next == from && hooks_.reset) {
    // A gap right after what was applied never fills: its events were
    // deleted (a trim by hand, or another replica's).
    return Rebuild("lacks events after the last one this replica applied",
                   from);
  }
  if (next == from) return;
  {
    absl::MutexLock lock(&mu_);
    applied_ = next;
    applied_hash_ = next_hash;
  }
  if (hooks_.publish) hooks_.publish(next);
}

void LogTailer::Loop() {
  while (true) {
    bool poked = false;
    {
      absl::MutexLock lock(&mu_);
      if (!hooks_.wait && !poked_ && !stopping_) {
        auto wake = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
          return poked_ || stopping_;
        };
        mu_.AwaitWithTimeout(absl::Condition(&wake), poll_interval_);
      }
      if (stopping_) return;
      poked = poked_;
      poked_ = false;
    }
    // The store's wait returns on any replica's commit (ours included), or
    // after a slice short enough to see a stop soon.
    if (hooks_.wait && !poked) {
      hooks_.wait(std::min(poll_interval_, absl::Milliseconds(100)));
    }
    CatchUp();
  }
}

}  // namespace tessera::stream
