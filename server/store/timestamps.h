#ifndef TESSERA_SERVER_STORE_TIMESTAMPS_H_
#define TESSERA_SERVER_STORE_TIMESTAMPS_H_

// The store's names for client/base/timestamps.h (one implementation):
// absl::Time <-> google.protobuf.Timestamp / Duration. An unset Timestamp
// reads as the Unix epoch.

#include "client/base/timestamps.h"

namespace tessera::store {

using ::tessera::FromDuration;
using ::tessera::FromTimestamp;
using ::tessera::ToDuration;
using ::tessera::ToTimestamp;

}  // namespace tessera::store

#endif  // TESSERA_SERVER_STORE_TIMESTAMPS_H_
