#include "client/revocation/revocation_state.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "client/base/timestamps.h"

namespace tessera::revocation {

void RevocationState::Apply(const tessera::v1::RevocationEvent& event) {
  WriterLock lock(&mu_);
  const absl::Time at = FromTimestamp(event.time());
  switch (event.event_case()) {
    case tessera::v1::RevocationEvent::kSessionRevoked: {
      const auto& revoked = event.session_revoked();
      revoked_sessions_[revoked.session_id()] =
          revoked.has_forget_after() ? FromTimestamp(revoked.forget_after())
                                     : at + horizon_;
      break;
    }
    case tessera::v1::RevocationEvent::kSubjectRevoked: {
      Cutoffs& cut = subjects_[event.subject_revoked().subject()];
      const absl::Time before =
          FromTimestamp(event.subject_revoked().not_before());
      cut.revoked_before = std::max(cut.revoked_before, before);
      cut.forget_after = std::max(cut.forget_after, before + horizon_);
      break;
    }
    case tessera::v1::RevocationEvent::kClaimsInvalidated: {
      const auto& invalidated = event.claims_invalidated();
      Cutoffs& cut = subjects_[invalidated.subject()];
      cut.stale_below = std::max(cut.stale_below, invalidated.generation());
      cut.forget_after =
          std::max(cut.forget_after,
                   invalidated.has_forget_after()
                       ? FromTimestamp(invalidated.forget_after())
                       : FromTimestamp(invalidated.not_before()) + horizon_);
      break;
    }
    default:
      break;  // Key changes, markers and heartbeats revoke nothing.
  }
}

Verdict RevocationState::Check(absl::string_view session_id,
                               absl::string_view subject, absl::Time issued_at,
                               uint64_t subject_generation) const {
  ReaderLock lock(&mu_);
  if (revoked_sessions_.contains(session_id)) return Verdict::kSessionRevoked;
  auto it = subjects_.find(subject);
  if (it != subjects_.end()) {
    if (issued_at < it->second.revoked_before) return Verdict::kSessionRevoked;
    if (subject_generation < it->second.stale_below) {
      return Verdict::kStaleClaims;
    }
  }
  return Verdict::kValid;
}

void RevocationState::Forget(absl::Time now) {
  WriterLock lock(&mu_);
  absl::erase_if(revoked_sessions_,
                 [now](const auto& entry) { return entry.second < now; });
  absl::erase_if(subjects_, [now](const auto& entry) {
    return entry.second.forget_after < now;
  });
}

size_t RevocationState::size() const {
  ReaderLock lock(&mu_);
  return revoked_sessions_.size() + subjects_.size();
}

void RevocationState::Clear() {
  WriterLock lock(&mu_);
  revoked_sessions_.clear();
  subjects_.clear();
}

}  // namespace tessera::revocation
