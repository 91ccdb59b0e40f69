#include "client/verifier/testing/manual_clock.h"

#include <algorithm>

namespace tessera::testing {

absl::Time ManualClock::Now() const {
  std::lock_guard<std::mutex> lock(mu_);
  return wall_;
}

std::chrono::steady_clock::time_point ManualClock::Monotonic() const {
  std::lock_guard<std::mutex> lock(mu_);
  return monotonic_;
}

void ManualClock::Advance(absl::Duration wall, absl::Duration monotonic) {
  std::lock_guard<std::mutex> lock(mu_);
  wall_ += wall;
  monotonic_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      absl::ToChronoNanoseconds(std::max(monotonic, absl::ZeroDuration())));
}

}  // namespace tessera::testing
