#include "server/session/active_count.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/log/log.h"
#include "server/session/purge.h"

namespace tessera::session {
namespace {

// Records between two looks at the stop flag.
constexpr int64_t kStopCheckEvery = 4096;
// Keys per Scan call: no snapshot, connection or deadline lasts the count.
constexpr size_t kPage = 4096;

}  // namespace

absl::StatusOr<int64_t> CountActiveSessions(store::Kv& store, absl::Time now,
                                            const std::atomic<bool>* stop,
                                            int64_t* stored) {
  int64_t live = 0;
  int64_t seen = 0;
  bool stopped = false;
  tessera::v1::SessionRecord record;
  absl::Status read = store::ScanInPages(
      store, store::ColumnFamily::kSessions, "", kPage,
      [&](absl::string_view, absl::string_view value) {
        if (++seen % kStopCheckEvery == 0 && stop != nullptr && stop->load()) {
          stopped = true;
          return false;
        }
        if (record.ParseFromArray(value.data(),
                                  static_cast<int>(value.size())) &&
            IsLive(record, now)) {
          ++live;
        }
        return true;
      });
  if (stopped) return absl::CancelledError("the count was stopped");
  if (stored != nullptr) *stored = seen;
  if (!read.ok()) {
    return absl::UnavailableError(
        absl::StrCat("counting sessions failed: ", read.message()));
  }
  return live;
}

ActiveSessionCounter::ActiveSessionCounter(store::Kv* store,
                                           absl::Duration interval)
    : store_(store),
      thread_(interval, [this](const std::atomic<bool>& stopping) {
        CountOnce(stopping);
      }) {}

ActiveSessionCounter::~ActiveSessionCounter() { Stop(); }

void ActiveSessionCounter::Start() { thread_.Start(); }

void ActiveSessionCounter::Stop() { thread_.Stop(); }

std::optional<ActiveCount> ActiveSessionCounter::latest() const {
  absl::MutexLock lock(&mu_);
  return latest_;
}

void ActiveSessionCounter::CountOnce(const std::atomic<bool>& stopping) {
  const absl::Time started = store_->Now();
  int64_t stored = 0;
  absl::StatusOr<int64_t> counted =
      CountActiveSessions(*store_, started, &stopping, &stored);
  if (!counted.ok()) {
    if (!stopping.load()) {
      log::Error("counting active sessions failed; keeping the last count",
                 {{"error", std::string(counted.status().message())}});
    }
    return;
  }
  absl::MutexLock lock(&mu_);
  latest_ = ActiveCount{
      .sessions = *counted, .stored = stored, .counted_at = started};
}

}  // namespace tessera::session
