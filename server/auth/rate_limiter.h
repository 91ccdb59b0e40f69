#ifndef TESSERA_SERVER_AUTH_RATE_LIMITER_H_
#define TESSERA_SERVER_AUTH_RATE_LIMITER_H_

// Per-caller token buckets for IssueSession and RefreshSession
// (docs/security.md): `per_second` tokens a second, up to `burst` banked. One
// caller's bucket never affects another's. Thread-safe.

#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace tessera::auth {

class RateLimiter {
 public:
  // per_second <= 0: no limit.
  RateLimiter(double per_second, int burst);

  // nullopt if `caller` may proceed now (a token is taken), else how long
  // until the next token.
  std::optional<absl::Duration> Take(absl::string_view caller, absl::Time now);

 private:
  struct Bucket {
    double tokens;
    absl::Time updated;
  };
  const double per_second_;
  const double burst_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tessera::auth

#endif  // TESSERA_SERVER_AUTH_RATE_LIMITER_H_
