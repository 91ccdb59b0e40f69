#ifndef TESSERA_CLIENT_VERIFIER_TESTING_MANUAL_CLOCK_H_
#define TESSERA_CLIENT_VERIFIER_TESTING_MANUAL_CLOCK_H_

// A Clock that moves only when the test says: the wall clock by any amount
// (backwards too, as a system-time step), the monotonic clock forwards only.
// The monotonic clock starts at its epoch (time_since_epoch() == 0).
// Thread-safe: the Verifier's stream thread reads it while the test steps it.

#include <chrono>
#include <mutex>

#include "absl/time/time.h"
#include "client/verifier/clock.h"

namespace tessera::testing {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(absl::Time wall) : wall_(wall) {}

  absl::Time Now() const override;
  std::chrono::steady_clock::time_point Monotonic() const override;

  // Moves the wall clock by `wall` and the monotonic clock by `monotonic`
  // (negative values are taken as zero: it never goes back).
  void Advance(absl::Duration wall, absl::Duration monotonic);

 private:
  mutable std::mutex mu_;
  absl::Time wall_;                                  // Guarded by mu_.
  std::chrono::steady_clock::time_point monotonic_;  // Guarded by mu_.
};

}  // namespace tessera::testing

#endif  // TESSERA_CLIENT_VERIFIER_TESTING_MANUAL_CLOCK_H_
