#ifndef TESSERA_CLIENT_VERIFIER_CLOCK_H_
#define TESSERA_CLIENT_VERIFIER_CLOCK_H_

// The two clocks the Verifier reads, behind one interface so tests can step
// one of them.
//
//  - Now(): wall time, for what tokens and revocations say (exp, nbf, iat,
//    forget_after are wall-clock instants).
//  - Monotonic(): for durations measured inside the process (how long since
//    tesserad was last heard, pacing): never steps when the system time is
//    set, so a backwards step cannot postpone failing closed and a forward
//    step cannot fail a healthy verifier.
//
// Implementations must be thread-safe. Clock::Real() is the process's clocks
// (absl::Now, std::chrono::steady_clock), a static that is never destroyed.

#include <chrono>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace tessera {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  virtual std::chrono::steady_clock::time_point Monotonic() const = 0;

  static const Clock& Real();
};

}  // namespace tessera

#endif  // TESSERA_CLIENT_VERIFIER_CLOCK_H_
