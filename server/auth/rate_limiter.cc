#include "server/auth/rate_limiter.h"

#include <algorithm>

namespace tessera::auth {

RateLimiter::RateLimiter(double per_second, int burst)
    : per_second_(per_second),
      burst_(std::max(1.0, static_cast<double>(burst))) {}

std::optional<absl::Duration> RateLimiter::Take(absl::string_view caller,
                                                absl::Time now) {
  if (per_second_ <= 0) return std::nullopt;
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = buckets_.try_emplace(caller, Bucket{burst_, now});
  Bucket& bucket = it->second;
  bucket.tokens = std::min(
      burst_, bucket.tokens +
                  absl::ToDoubleSeconds(now - bucket.updated) * per_second_);
  bucket.updated = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return std::nullopt;
  }
  return absl::Seconds((1 - bucket.tokens) / per_second_);
}

}  // namespace tessera::auth
