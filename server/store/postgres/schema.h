#ifndef TESSERA_SERVER_STORE_POSTGRES_SCHEMA_H_
#define TESSERA_SERVER_STORE_POSTGRES_SCHEMA_H_

// The PostgreSQL schema's migrations: versioned, forward-only, each applied
// once in its own transaction under a transaction-level advisory lock, so
// replicas starting together on an empty database migrate it once (the
// others wait for the lock, then find nothing to do). Applied versions are
// rows of tessera_schema_migrations.

#include "absl/status/statusor.h"
#include "server/store/postgres/connection.h"

namespace tessera::store::postgres {

int LatestSchemaVersion();

// Brings the database to LatestSchemaVersion(); returns the version it
// found. FAILED_PRECONDITION if the database is newer than this build.
absl::StatusOr<int> Migrate(Connection& connection, absl::Time deadline);

// The version the database holds (0: none).
absl::StatusOr<int> CurrentSchemaVersion(Connection& connection,
                                         absl::Time deadline);

}  // namespace tessera::store::postgres

#endif  // TESSERA_SERVER_STORE_POSTGRES_SCHEMA_H_
