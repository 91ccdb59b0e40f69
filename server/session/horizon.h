#ifndef TESSERA_SERVER_SESSION_HORIZON_H_
#define TESSERA_SERVER_SESSION_HORIZON_H_

// The revocation horizon across restarts.
//
// A revocation must be remembered until every token it rejects has expired
// (plus leeway). Within one run that is the horizon, --access_ttl +
// --leeway. A restart with smaller values does not shorten the life of
// tokens the previous run minted, so the store records each run's horizon
// (meta "token_horizon") and start-up derives when the tokens of every
// earlier run are past their expiry: revocations made in this run are
// remembered at least until then.
//
// Invariant: the returned time only grows across runs of one store, except
// by the passage of time making it irrelevant.

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/store/kv.h"

namespace tessera::session {

// Reads the previous run's record, writes this run's (`horizon` at `now`,
// synced), and returns when every token minted by earlier runs has expired
// (InfinitePast for a new store).
absl::StatusOr<absl::Time> RecordHorizon(store::Kv* store,
                                         absl::Duration horizon,
                                         absl::Time now);

}  // namespace tessera::session

#endif  // TESSERA_SERVER_SESSION_HORIZON_H_
