#include "server/store/postgres/schema.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace tessera::store::postgres {
namespace {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

// Append only: a released migration never changes.
constexpr Migration kMigrations[] = {
    {1, "key/value families, the revocation log and its head",
     R"sql(
CREATE TABLE tessera_kv (
  family smallint NOT NULL,
  key bytea NOT NULL,
  value bytea NOT NULL,
  PRIMARY KEY (family, key)
);
CREATE TABLE tessera_log (
  sequence bigint PRIMARY KEY,
  record bytea NOT NULL,
  hash bytea NOT NULL,
  committed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE tessera_log_head (
  id integer PRIMARY KEY CHECK (id = 1),
  sequence bigint NOT NULL,
  hash bytea NOT NULL
);
INSERT INTO tessera_log_head (id, sequence, hash) VALUES (1, 0, '');
)sql"},
};

// pg_advisory_xact_lock's key: "tessera\0" as an int8.
constexpr char kMigrationLock[] = "8387236820507844864";

absl::StatusOr<int> ParseVersion(const Result& result) {
  int version = 0;
  if (result.rows() != 1 || result.IsNull(0, 0) ||
      !absl::SimpleAtoi(result.Bytes(0, 0), &version)) {
    return absl::InternalError("unreadable tessera_schema_migrations");
  }
  return version;
}

absl::Status Rollback(Connection& connection, absl::Status why,
                      absl::Time deadline) {
  if (!connection.broken()) (void)connection.RunSql("ROLLBACK", deadline);
  return why;
}

}  // namespace

int LatestSchemaVersion() {
  return kMigrations[sizeof(kMigrations) / sizeof(kMigrations[0]) - 1].version;
}

absl::StatusOr<int> CurrentSchemaVersion(Connection& connection,
                                         absl::Time deadline) {
  absl::StatusOr<Result> exists = connection.RunSql(
      "SELECT to_regclass('tessera_schema_migrations') IS NOT NULL", deadline);
  if (!exists.ok()) return exists.status();
  if (exists->rows() != 1 || exists->Bytes(0, 0) != "t") return 0;
  absl::StatusOr<Result> version = connection.RunSql(
      "SELECT coalesce(max(version), 0) FROM tessera_schema_migrations",
      deadline);
  if (!version.ok()) return version.status();
  return ParseVersion(*version);
}

absl::StatusOr<int> Migrate(Connection& connection, absl::Time deadline) {
  if (absl::StatusOr<Result> begun = connection.RunSql(
          absl::StrCat("BEGIN; SELECT pg_advisory_xact_lock(", kMigrationLock,
                       "); CREATE TABLE IF NOT EXISTS tessera_schema_migrations"
                       " (version integer PRIMARY KEY, description text NOT "
                       "NULL, applied_at timestamptz NOT NULL DEFAULT now())"),
          deadline);
      !begun.ok()) {
    return Rollback(connection, begun.status(), deadline);
  }
  absl::StatusOr<int> found = CurrentSchemaVersion(connection, deadline);
  if (!found.ok()) return Rollback(connection, found.status(), deadline);
  if (*found > LatestSchemaVersion()) {
    return Rollback(connection,
                    absl::FailedPreconditionError(absl::StrCat(
                        "the PostgreSQL database holds Tessera schema ", *found,
                        ", newer than this tesserad's ", LatestSchemaVersion(),
                        ": upgrade tesserad")),
                    deadline);
  }
  for (const Migration& migration : kMigrations) {
    if (migration.version <= *found) continue;
    absl::StatusOr<Result> applied = connection.RunSql(
        absl::StrCat(migration.sql,
                     "INSERT INTO tessera_schema_migrations (version, "
                     "description) VALUES (",
                     migration.version, ", '", migration.description, "');"),
        deadline);
    if (!applied.ok()) {
      return Rollback(
          connection,
          absl::Status(applied.status().code(),
                       absl::StrCat("schema migration ", migration.version,
                                    ": ", applied.status().message())),
          deadline);
    }
  }
  if (absl::StatusOr<Result> committed = connection.RunSql("COMMIT", deadline);
      !committed.ok()) {
    return committed.status();
  }
  return *found;
}

}  // namespace tessera::store::postgres
