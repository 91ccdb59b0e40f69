#ifndef TESSERA_CLIENT_REVOCATION_REVOCATION_STATE_H_
#define TESSERA_CLIENT_REVOCATION_REVOCATION_STATE_H_

// What a token check must reject beyond signature and expiry: revoked
// sessions and per-subject cut-offs, held in memory (DESIGN §8). The one
// implementation shared by tesserad's ValidateToken (fed from its log) and
// the client Verifier (fed from WatchRevocations).
//
// Bounded: an entry is dropped once no token it could reject is still
// unexpired (its forget_after). Applying events is idempotent and
// order-insensitive (cut-offs only move forward), so replaying a snapshot
// over existing state is safe.
// Thread-safe; checks take a shared lock (SharedMutex: TSan-visible).

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/base/shared_mutex.h"
#include "tessera/v1/token_authority.pb.h"

namespace tessera::revocation {

enum class Verdict { kValid, kSessionRevoked, kStaleClaims };

class RevocationState {
 public:
  // `horizon`: the longest an access token can live plus leeway; cut-offs
  // older than that can reject nothing.
  explicit RevocationState(absl::Duration horizon) : horizon_(horizon) {}

  void Apply(const tessera::v1::RevocationEvent& event);

  // The verdict for a token of `session_id` and `subject` issued at
  // `issued_at` (whole seconds, as in the token).
  Verdict Check(absl::string_view session_id, absl::string_view subject,
                absl::Time issued_at) const;

  // Drops entries that can no longer reject anything at `now`.
  void Forget(absl::Time now);

  size_t size() const;

 private:
  struct Cutoffs {
    absl::Time revoked_before = absl::InfinitePast();
    absl::Time stale_before = absl::InfinitePast();
    absl::Time forget_after = absl::InfinitePast();
  };

  const absl::Duration horizon_;
  mutable SharedMutex mu_;
  // session id -> when it can be forgotten.
  absl::flat_hash_map<std::string, absl::Time> revoked_sessions_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Cutoffs> subjects_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tessera::revocation

#endif  // TESSERA_CLIENT_REVOCATION_REVOCATION_STATE_H_
