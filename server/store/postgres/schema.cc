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
    {2, "tessera_write: a batch in one statement",
     // op: 0 put, 1 delete, 2 delete [key, value), 3 expect value,
     // 4 expect absent (claims the key with a placeholder), 5 drop a
     // placeholder. A failed expectation raises SQLSTATE TS409; the
     // statement (its own transaction) then changes nothing. Returns the
     // first sequence given to `records` (0: none); each log row's hash is
     // SHA-256(previous hash || big-endian sequence || record).
     R"sql(
CREATE FUNCTION tessera_write(families smallint[], ops smallint[],
                              keys bytea[], vals bytea[], records bytea[])
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  i integer;
  current bytea;
  changed integer;
  seq bigint;
  chain bytea;
  first bigint := 0;
BEGIN
  FOR i IN 1 .. coalesce(array_length(ops, 1), 0) LOOP
    IF ops[i] = 0 THEN
      INSERT INTO tessera_kv (family, key, value)
        VALUES (families[i], keys[i], vals[i])
        ON CONFLICT (family, key) DO UPDATE SET value = EXCLUDED.value;
    ELSIF ops[i] = 1 OR ops[i] = 5 THEN
      DELETE FROM tessera_kv WHERE family = families[i] AND key = keys[i];
    ELSIF ops[i] = 2 THEN
      DELETE FROM tessera_kv
        WHERE family = families[i] AND key >= keys[i] AND key < vals[i];
    ELSIF ops[i] = 3 THEN
      SELECT value INTO current FROM tessera_kv
        WHERE family = families[i] AND key = keys[i] FOR UPDATE;
      IF NOT FOUND OR current IS DISTINCT FROM vals[i] THEN
        RAISE EXCEPTION 'the value changed meanwhile' USING ERRCODE = 'TS409';
      END IF;
    ELSIF ops[i] = 4 THEN
      INSERT INTO tessera_kv (family, key, value)
        VALUES (families[i], keys[i], '') ON CONFLICT DO NOTHING;
      GET DIAGNOSTICS changed = ROW_COUNT;
      IF changed = 0 THEN
        RAISE EXCEPTION 'the key exists' USING ERRCODE = 'TS409';
      END IF;
    ELSE
      RAISE EXCEPTION 'unknown op %', ops[i];
    END IF;
  END LOOP;
  IF coalesce(array_length(records, 1), 0) > 0 THEN
    SELECT sequence, hash INTO seq, chain FROM tessera_log_head
      WHERE id = 1 FOR UPDATE;
    first := seq + 1;
    FOR i IN 1 .. array_length(records, 1) LOOP
      seq := seq + 1;
      chain := sha256(chain || int8send(seq) || records[i]);
      INSERT INTO tessera_log (sequence, record, hash)
        VALUES (seq, records[i], chain);
    END LOOP;
    UPDATE tessera_log_head SET sequence = seq, hash = chain WHERE id = 1;
    PERFORM pg_notify('tessera_log', '');
  END IF;
  RETURN first;
END
$$;
)sql"},
    {3, "tessera_write_read: a batch and the reads it needs in one statement",
     // Reads each (read_families[i], read_keys[i]) before the batch writes,
     // then runs tessera_write; a row per read: tessera_write's result and
     // the value (NULL: absent). Replicas of schema 2 keep calling
     // tessera_write, unchanged.
     R"sql(
CREATE FUNCTION tessera_write_read(families smallint[], ops smallint[],
                                   keys bytea[], vals bytea[],
                                   records bytea[], read_families smallint[],
                                   read_keys bytea[])
RETURNS TABLE (first_sequence bigint, read_value bytea)
LANGUAGE plpgsql AS $$
DECLARE
  i integer;
  got bytea[] := '{}';
  one bytea;
BEGIN
  FOR i IN 1 .. coalesce(array_length(read_keys, 1), 0) LOOP
    one := NULL;
    SELECT value INTO one FROM tessera_kv
      WHERE family = read_families[i] AND key = read_keys[i];
    got := array_append(got, one);
  END LOOP;
  first_sequence := tessera_write(families, ops, keys, vals, records);
  FOR i IN 1 .. coalesce(array_length(got, 1), 0) LOOP
    read_value := got[i];
    RETURN NEXT;
  END LOOP;
END
$$;
)sql"},
    {4, "tessera_write_group: concurrent batches in one statement",
     // Runs batch b (1-based) as tessera_write_read (or, reading nothing,
     // tessera_write) would: its ops are families/ops/keys/vals[previous
     // op_ends + 1 .. op_ends[b]], its log records records[..
     // record_ends[b]], its reads read_*[.. read_ends[b]]. Each batch runs
     // in a subtransaction of its own: a failed expectation or a race
     // (TS409, serialization failure, deadlock, unique violation) undoes
     // that batch alone and is its `failure` (the SQLSTATE; NULL: it
     // applied), and a later batch sees what the earlier ones wrote. Rows:
     // per batch in order, one per read (the value read; NULL: absent or the
     // batch failed), or one if it reads nothing.
     R"sql(
CREATE FUNCTION tessera_write_group(op_ends integer[], families smallint[],
                                    ops smallint[], keys bytea[],
                                    vals bytea[], record_ends integer[],
                                    records bytea[], read_ends integer[],
                                    read_families smallint[],
                                    read_keys bytea[])
RETURNS TABLE (batch integer, first_sequence bigint, failure text,
               read_value bytea)
LANGUAGE plpgsql AS $$
DECLARE
  b integer;
  i integer;
  op_from integer := 1;
  record_from integer := 1;
  read_from integer := 1;
  got bytea[];
BEGIN
  FOR b IN 1 .. coalesce(array_length(op_ends, 1), 0) LOOP
    got := '{}';
    failure := NULL;
    BEGIN
      IF read_ends[b] < read_from THEN
        first_sequence := tessera_write(
          families[op_from:op_ends[b]], ops[op_from:op_ends[b]],
          keys[op_from:op_ends[b]], vals[op_from:op_ends[b]],
          records[record_from:record_ends[b]]);
      ELSE
        SELECT min(w.first_sequence), array_agg(w.read_value ORDER BY w.n)
          INTO first_sequence, got
          FROM tessera_write_read(
            families[op_from:op_ends[b]], ops[op_from:op_ends[b]],
            keys[op_from:op_ends[b]], vals[op_from:op_ends[b]],
            records[record_from:record_ends[b]],
            read_families[read_from:read_ends[b]],
            read_keys[read_from:read_ends[b]]) WITH ORDINALITY AS w(
              first_sequence, read_value, n);
      END IF;
    EXCEPTION
      WHEN SQLSTATE 'TS409' OR serialization_failure OR deadlock_detected
           OR unique_violation THEN
        failure := SQLSTATE;
        first_sequence := 0;
        got := '{}';
    END;
    batch := b;
    read_value := NULL;
    IF read_ends[b] < read_from THEN
      RETURN NEXT;
    END IF;
    FOR i IN 1 .. read_ends[b] - read_from + 1 LOOP
      read_value := got[i];
      RETURN NEXT;
    END LOOP;
    op_from := op_ends[b] + 1;
    record_from := record_ends[b] + 1;
    read_from := read_ends[b] + 1;
  END LOOP;
END
$$;
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
