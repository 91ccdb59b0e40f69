#ifndef TESSERA_CLIENT_REVOCATION_REVOCATION_STATE_H_
#define TESSERA_CLIENT_REVOCATION_REVOCATION_STATE_H_

// What a token check must reject beyond signature and expiry: revoked
// sessions and per-subject cut-offs, held in memory (docs/architecture.md). The
// one implementation shared by tesserad's ValidateToken (fed from its log) and
// the client Verifier (fed from WatchRevocations).
//
// What each event rejects:
//   SessionRevoked     every token whose `sid` is the session
//   ClaimsInvalidated  every token of the subject whose `sgen` (subject
//                      generation, 0 if absent) is below the event's
//                      generation: STALE_CLAIMS
//   SubjectRevoked     (written by releases before 0.2 only) every token of
//                      the subject with `iat` before not_before
//
// Bounded: an entry is dropped once no token it could reject is still
// unexpired (the event's forget_after, which the server computes from the
// longest access-token lifetime it may have minted with; `horizon` is used
// only for events without one). Applying events is idempotent and
// order-insensitive (cut-offs only move forward), so replaying a snapshot
// over existing state is safe.
// Thread-safe; checks take a shared lock (SharedMutex: TSan-visible).

#include <cstdint>
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
  // `issued_at` (whole seconds, as in the token) with subject generation
  // `subject_generation` (its `sgen` claim).
  Verdict Check(absl::string_view session_id, absl::string_view subject,
                absl::Time issued_at, uint64_t subject_generation) const;

  // Drops entries that can no longer reject anything at `now`.
  void Forget(absl::Time now);
  // Drops every entry (before the state is rebuilt from a log that
  // replaced the one it was built from).
  void Clear();

  size_t size() const;

 private:
  struct Cutoffs {
    absl::Time revoked_before = absl::InfinitePast();  // Legacy, by iat.
    uint64_t stale_below = 0;                          // By sgen.
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
