#include "server/session/periodic.h"

#include <utility>

#include "absl/time/clock.h"

namespace tessera::session {

PeriodicThread::PeriodicThread(absl::Duration interval, Run run)
    : interval_(interval), run_(std::move(run)) {}

PeriodicThread::~PeriodicThread() { Stop(); }

void PeriodicThread::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void PeriodicThread::Stop() {
  stopping_ = true;
  {
    absl::MutexLock lock(&mu_);
    stop_requested_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void PeriodicThread::Loop() {
  while (true) {
    const absl::Time started = absl::Now();
    run_(stopping_);
    absl::MutexLock lock(&mu_);
    if (mu_.AwaitWithDeadline(absl::Condition(&stop_requested_),
                              started + interval_)) {
      return;
    }
  }
}

}  // namespace tessera::session
