#ifndef TESSERA_SERVER_STORE_POSTGRES_POSTGRES_STORE_H_
#define TESSERA_SERVER_STORE_POSTGRES_POSTGRES_STORE_H_

// The PostgreSQL store (docs/operations/high-availability.md): the Kv
// contract (kv.h) over one database that any number of tesserad replicas
// share, on a primary with synchronous standbys.
//
// Tables (schema.cc, migrated forward-only under an advisory lock):
//   tessera_kv        (family smallint, key bytea, value bytea), primary key
//                     (family, key): every family but the revocation log
//   tessera_log       (sequence bigint primary key, record bytea, hash bytea)
//   tessera_log_head  one row (id = 1): the last sequence and its hash
//
// How the contract holds:
//  - A Write is one statement, SELECT tessera_write(...) (a PL/pgSQL
//    function, schema.cc), so one round trip and its own READ COMMITTED
//    transaction; under load, Writes that queue behind busy statements
//    share one, tessera_write_group, each batch a subtransaction of its
//    own (write combining, below). Expect(key, value) is SELECT ... FOR UPDATE
//    (it waits for a racing writer of the row, then reads what that writer
//    committed); Expect(key, absent) inserts a placeholder ON CONFLICT DO
//    NOTHING, so of two racing creators one inserts and the other finds the
//    row. A mismatch raises SQLSTATE TS409 and nothing is written: ABORTED
//    WRITE_CONFLICT, as is a deadlock or serialization failure. Never a
//    partial batch.
//  - Log events: the head row is locked FOR UPDATE, so log-appending
//    transactions commit one after another in sequence order (a reader that
//    sees N sees every event before it); each row's hash is SHA-256(previous
//    hash || big-endian sequence || record), a chain a reader can check. The
//    stored record leaves the sequence out (the database assigns it);
//    NOTIFY tessera_log wakes every replica's tailer at commit. Reading the
//    log (Get, Scan) returns each record with its sequence and with its hash
//    as RevocationRecord.chain_hash. Besides appends, the log takes trims
//    (DeleteRange of sequences, revocation_log.h), each a batch of its own
//    and one statement; any other op on its family is INVALID_ARGUMENT.
//  - Scan: the first 128 keys are one statement (one snapshot); a longer
//    scan reads its later pages from one REPEATABLE READ snapshot taken
//    after the first page.
//  - A Write returns when COMMIT does: durable on the primary and, with
//    synchronous_standby_names set, on the standbys it names. AfterDurable
//    therefore answers at once.
//  - Every call has a deadline (Options::timeout): a server that stops
//    answering (paused, or waiting for standbys that are gone) gives
//    UNAVAILABLE, never a hang. A COMMIT that misses its deadline may still
//    have committed; the caller is told UNAVAILABLE (not acknowledged).
//  - A connection that fails is replaced; a Write whose statement never
//    reached the server is retried once on a new connection (after a
//    failover the pool's idle connections all point at the old primary).
//
// Thread-safe: each call takes a pooled connection for its duration. A
// Scan visitor must not call the store.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/store/kv.h"
#include "server/store/postgres/combiner.h"
#include "server/store/postgres/pool.h"

namespace tessera::store::postgres {

// The schema this build writes (schema.cc).
int LatestSchemaVersion();

class PostgresStore : public Kv {
 public:
  struct Options {
    // libpq URL or key=value conninfo; may name several hosts with
    // target_session_attrs=read-write.
    std::string url;
    int pool_size = 8;
    // Bound on each call, from taking a connection to the last result.
    absl::Duration timeout = absl::Seconds(5);
    // Write statements in flight at once; Writes beyond them queue and the
    // next statement carries up to 16 of them (0: 1, which measured best,
    // docs/performance.md).
    int write_statements = 0;
  };

  struct Stats {
    Pool::Stats pool;
    uint64_t writes = 0;
    uint64_t conflicts = 0;
    uint64_t failures = 0;  // UNAVAILABLE answers.
    // Write combining (below): statements that carried several Writes, how
    // many they carried, and what waits and runs now.
    CombinerStats writes_combined;
    // Grouped write statements that failed as a whole (their Writes were
    // then retried one by one, or all failed).
    uint64_t group_failures = 0;
    absl::Duration write_time;    // Summed over `writes`.
    absl::Duration clock_offset;  // The database's clock minus ours.
  };

  // Connects and migrates the schema (at most one replica migrates; the
  // others wait for it). FAILED_PRECONDITION if the database holds a newer
  // schema, UNAVAILABLE if it cannot be reached.
  static absl::StatusOr<std::unique_ptr<PostgresStore>> Open(
      const Options& options);

  // Kv.
  absl::StatusOr<std::optional<std::string>> Get(
      ColumnFamily family, absl::string_view key) override;
  absl::Status Scan(ColumnFamily family, absl::string_view start,
                    const Visitor& visit) override;
  absl::StatusOr<std::optional<std::string>> LastKey(
      ColumnFamily family) override;
  absl::Status Write(Batch& batch) override;
  absl::StatusOr<uint64_t> LastLogSequence() override;
  void AfterDurable(DurableCallback done) override;
  absl::string_view backend() const override { return "postgres"; }
  std::string location() const override { return location_; }
  bool shared() const override { return true; }
  // The database's clock: this machine's plus the offset last measured
  // (at Open, then every 10 s on the tailer's connection), so replicas
  // agree on expiry however their own clocks drift.
  absl::Time Now() const override {
    return absl::Now() +
           absl::Nanoseconds(clock_offset_ns_.load(std::memory_order_relaxed));
  }

  // Blocks until a NOTIFY for a new log event or `timeout` (the tailer's
  // wait). Uses its own connection, outside the pool.
  void WaitForLogEvent(absl::Duration timeout);

  // A round trip to the primary (health, readiness): OK, or UNAVAILABLE and
  // why not. On a connection of its own, outside the pool, so a busy pool
  // does not read as a database that is down; a connection that finds a
  // standby (the primary moved) is dropped and the next Ping reconnects.
  absl::Status Ping(absl::Duration timeout);

  // The schema version the database holds.
  absl::StatusOr<int> SchemaVersion();
  Stats stats() const;

 private:
  explicit PostgresStore(const Options& options);
  absl::Time Deadline() const { return absl::Now() + options_.timeout; }

  // Write combining (combiner.h): at most options_.write_statements
  // statements in flight; Writes that queue behind them go together in the
  // next one, up to 16. A lone Write is written by tessera_write(_read);
  // several by tessera_write_group, each batch in a subtransaction of its
  // own, so a batch that fails its expectations fails alone: one round
  // trip, one commit and one WAL flush for all of them. Under light load
  // every Write is its own statement, at once. (Gets are not combined:
  // that measured no gain, docs/performance.md.)
  struct Writer {
    Batch* batch;
    absl::Status status;
  };
  void WriteGroup(const std::vector<Writer*>& group);
  // The batch as one call of tessera_write (its own transaction). `sent`:
  // whether the call reached the server (if not, nothing can have applied).
  absl::Status WriteOneStatement(Batch& batch, bool* sent);
  // WriteOneStatement, once more if it never reached the server.
  absl::Status WriteAlone(Batch& batch);
  // `group` as one call of tessera_write_group; on success each Writer's
  // status is set. `rolled_back`: the server refused the statement, so
  // none of it applied.
  absl::Status WriteGroupStatement(const std::vector<Writer*>& group,
                                   bool* sent, bool* rolled_back);
  // A batch of log DeleteRanges (a trim), as one DELETE.
  absl::Status TrimLog(Batch& batch);
  absl::Status ScanLog(absl::string_view start, const Visitor& visit);
  // Sets the clock offset from one round trip (its midpoint).
  absl::Status MeasureClock(Connection& connection, absl::Time deadline);

  const Options options_;
  const std::string location_;
  Pool pool_;
  absl::Mutex ping_mu_;
  std::unique_ptr<Connection> pinger_ ABSL_GUARDED_BY(ping_mu_);
  absl::Mutex listen_mu_;
  std::unique_ptr<Connection> listener_ ABSL_GUARDED_BY(listen_mu_);
  absl::Time clock_measured_ ABSL_GUARDED_BY(listen_mu_);
  std::atomic<int64_t> clock_offset_ns_{0};
  std::atomic<uint64_t> writes_{0};
  std::atomic<uint64_t> conflicts_{0};
  std::atomic<uint64_t> failures_{0};
  std::atomic<int64_t> write_nanos_{0};
  std::atomic<uint64_t> group_failures_{0};
  Combiner<Writer> writers_;
};

// "postgresql://host:port,.../dbname" of a URL or conninfo: where the
// records are, for messages, without user or password.
std::string DescribeConninfo(const std::string& conninfo);

}  // namespace tessera::store::postgres

#endif  // TESSERA_SERVER_STORE_POSTGRES_POSTGRES_STORE_H_
