#include "server/store/postgres/postgres_store.h"

#include <postgresql/libpq-fe.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/store/postgres/schema.h"
#include "tessera/v1/storage.pb.h"

namespace tessera::store::postgres {
namespace {

using Params = std::vector<std::optional<std::string>>;

const Statement kGet{"tessera_get",
                     "SELECT value FROM tessera_kv WHERE family = $1 AND "
                     "key = $2",
                     {kInt2Oid, kByteaOid}};
const Statement kScanFrom{"tessera_scan_from",
                          "SELECT key, value FROM tessera_kv WHERE family = $1 "
                          "AND key >= $2 ORDER BY key LIMIT $3",
                          {kInt2Oid, kByteaOid, kInt8Oid}};
const Statement kScanAfter{"tessera_scan_after",
                           "SELECT key, value FROM tessera_kv WHERE family = "
                           "$1 AND key > $2 ORDER BY key LIMIT $3",
                           {kInt2Oid, kByteaOid, kInt8Oid}};
const Statement kLastKey{"tessera_last_key",
                         "SELECT key FROM tessera_kv WHERE family = $1 ORDER "
                         "BY key DESC LIMIT 1",
                         {kInt2Oid}};
const Statement kLogGet{
    "tessera_log_get",
    "SELECT record, hash FROM tessera_log WHERE sequence = $1",
    {kInt8Oid}};
const Statement kLogScan{"tessera_log_scan",
                         "SELECT sequence, record, hash FROM tessera_log WHERE "
                         "sequence >= $1 ORDER BY sequence LIMIT $2",
                         {kInt8Oid, kInt8Oid}};
const Statement kLogLast{
    "tessera_log_last", "SELECT max(sequence) FROM tessera_log", {}};
const Statement kHead{
    "tessera_head", "SELECT sequence FROM tessera_log_head WHERE id = 1", {}};

const Statement kWrite{"tessera_write",
                       "SELECT tessera_write($1, $2, $3, $4, $5)",
                       {kInt2ArrayOid, kInt2ArrayOid, kByteaArrayOid,
                        kByteaArrayOid, kByteaArrayOid}};
// A trim: every [begin, end) range of sequences, in one statement.
const Statement kLogTrim{
    "tessera_log_trim",
    "DELETE FROM tessera_log USING unnest($1::int8[], $2::int8[]) AS r(b, e) "
    "WHERE sequence >= r.b AND sequence < r.e",
    {kInt8ArrayOid, kInt8ArrayOid}};
// A row per read: the first sequence, the value read (migration 3).
const Statement kWriteRead{
    "tessera_write_read",
    "SELECT first_sequence, read_value FROM tessera_write_read($1, $2, $3, "
    "$4, $5, $6, $7)",
    {kInt2ArrayOid, kInt2ArrayOid, kByteaArrayOid, kByteaArrayOid,
     kByteaArrayOid, kInt2ArrayOid, kByteaArrayOid}};

// Concurrent batches in one statement (migration 4): a row per read (or
// per batch that reads nothing) of (batch, first sequence, failure, value).
const Statement kWriteGroup{
    "tessera_write_group",
    "SELECT batch, first_sequence, failure, read_value FROM "
    "tessera_write_group($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    {kInt4ArrayOid, kInt2ArrayOid, kInt2ArrayOid, kByteaArrayOid,
     kByteaArrayOid, kInt4ArrayOid, kByteaArrayOid, kInt4ArrayOid,
     kInt2ArrayOid, kByteaArrayOid}};
// At most kMaxWriteGroup batches share a statement (each is a
// subtransaction; PostgreSQL caches 64 per transaction before it spills).
constexpr size_t kMaxWriteGroup = 16;

// tessera_write's op codes (schema.cc, migration 2).
enum WriteOp : int16_t {
  kOpPut = 0,
  kOpDelete = 1,
  kOpDeleteRange = 2,
  kOpExpectValue = 3,
  kOpExpectAbsent = 4,
  kOpDropPlaceholder = 5,
};
// The server ended the backend on request (FATAL).
constexpr char kAdminShutdown[] = "57P01";
// Raised by tessera_write for a failed expectation.
constexpr char kExpectationFailed[] = "TS409";

// Scans read growing pages: prefix scans usually stop within the first.
constexpr int64_t kFirstPage = 128;
constexpr int64_t kMaxPage = 1024;

std::string Family(ColumnFamily family) {
  return Int2Param(static_cast<int16_t>(family));
}

int64_t SequenceOf(absl::string_view key) {
  return static_cast<int64_t>(SequenceFromKey(key));
}

// SQLSTATEs that mean "someone else changed it": re-read and decide again.
bool IsRace(absl::string_view sqlstate) {
  return sqlstate == kSerializationFailure || sqlstate == kDeadlockDetected ||
         sqlstate == kUniqueViolation || sqlstate == kExpectationFailed;
}

// What a failed statement means for the caller (kv.h's error contract).
absl::Status Classify(const Connection& connection, absl::Status failed) {
  if (failed.ok() || IsWriteConflict(failed)) return failed;
  if (IsRace(connection.sqlstate())) return WriteConflict("a racing writer");
  if (failed.code() == absl::StatusCode::kUnavailable) return failed;
  return absl::UnavailableError(failed.message());
}

void Rollback(Connection& connection, absl::Time deadline) {
  if (!connection.broken()) (void)connection.RunSql("ROLLBACK", deadline);
}

// A log row as the Kv contract returns it: the stored record followed by
// RevocationRecord.chain_hash (field 2, bytes), which protobuf parsing
// merges into the record.
// The stored record is written without its sequence (tessera_write assigns
// it); the event's sequence is merged in the same way.
std::string WithChainHash(absl::string_view record, uint64_t sequence,
                          absl::string_view hash) {
  tessera::v1::RevocationRecord chain;
  chain.set_chain_hash(std::string(hash));
  chain.mutable_event()->set_sequence(sequence);
  return absl::StrCat(record, chain.SerializeAsString());
}

// A connection of the store's own, outside the pool (the pinger, the
// listener): `held` while it works, else a new one to `url` on which
// `setup` (SQL; empty for none) has run. On failure `held` is empty.
absl::Status Hold(std::unique_ptr<Connection>& held, const std::string& url,
                  absl::string_view setup, absl::Time deadline) {
  if (held != nullptr && !held->broken()) return absl::OkStatus();
  held.reset();
  absl::StatusOr<std::unique_ptr<Connection>> connected =
      Connection::Connect(url, deadline);
  if (!connected.ok()) return connected.status();
  if (!setup.empty()) {
    absl::StatusOr<Result> ran = (*connected)->RunSql(setup, deadline);
    if (!ran.ok()) return ran.status();
  }
  held = std::move(*connected);
  return absl::OkStatus();
}

// Batches flattened into tessera_write's arrays; Add appends one batch,
// and the *_ends say where each batch's ops, records and reads end
// (tessera_write_group's parameters).
struct Flattened {
  std::vector<int16_t> families, ops;
  std::vector<std::optional<std::string>> keys, values, records;
  std::vector<int16_t> read_families;
  std::vector<std::optional<std::string>> read_keys;
  std::vector<int32_t> op_ends, record_ends, read_ends;

  void Add(Batch& batch);
  void AddOp(WriteOp op, ColumnFamily family, const std::string& key,
             std::optional<std::string> value) {
    families.push_back(static_cast<int16_t>(family));
    ops.push_back(op);
    keys.push_back(key);
    values.push_back(std::move(value));
  }
  // tessera_write's parameters (with the reads: tessera_write_read's), for
  // one batch.
  Params SingleParams() const {
    Params params = {Int2ArrayParam(families), Int2ArrayParam(ops),
                     ByteaArrayParam(keys), ByteaArrayParam(values),
                     ByteaArrayParam(records)};
    if (!read_keys.empty()) {
      params.push_back(Int2ArrayParam(read_families));
      params.push_back(ByteaArrayParam(read_keys));
    }
    return params;
  }
  // tessera_write_group's parameters.
  Params GroupParams() const {
    return {Int4ArrayParam(op_ends),       Int2ArrayParam(families),
            Int2ArrayParam(ops),           ByteaArrayParam(keys),
            ByteaArrayParam(values),       Int4ArrayParam(record_ends),
            ByteaArrayParam(records),      Int4ArrayParam(read_ends),
            Int2ArrayParam(read_families), ByteaArrayParam(read_keys)};
  }
};

void Flattened::Add(Batch& batch) {
  // Keys claimed by Expect(absent) that the batch does not write itself:
  // their placeholders go again before commit.
  std::vector<std::pair<ColumnFamily, std::string>> claimed;
  auto unclaim = [&](ColumnFamily family, const std::string& key) {
    claimed.erase(std::remove(claimed.begin(), claimed.end(),
                              std::make_pair(family, key)),
                  claimed.end());
  };
  for (const Batch::Op& op : batch.ops()) {
    switch (op.kind) {
      case Batch::Kind::kPut:
        AddOp(kOpPut, op.family, op.key, op.value);
        unclaim(op.family, op.key);
        break;
      case Batch::Kind::kDelete:
        AddOp(kOpDelete, op.family, op.key, std::nullopt);
        unclaim(op.family, op.key);
        break;
      case Batch::Kind::kDeleteRange:
        AddOp(kOpDeleteRange, op.family, op.key, op.value);
        break;
      case Batch::Kind::kExpect:
        if (op.value.has_value()) {
          AddOp(kOpExpectValue, op.family, op.key, op.value);
        } else {
          AddOp(kOpExpectAbsent, op.family, op.key, std::nullopt);
          claimed.emplace_back(op.family, op.key);
        }
        break;
    }
  }
  for (const auto& [family, key] : claimed) {
    AddOp(kOpDropPlaceholder, family, key, std::nullopt);
  }
  for (tessera::v1::RevocationEvent& event : batch.log_events()) {
    event.clear_sequence();  // Assigned by the database.
    tessera::v1::RevocationRecord record;
    *record.mutable_event() = event;
    records.push_back(record.SerializeAsString());
  }
  for (const Batch::ReadOp& read : batch.reads()) {
    read_families.push_back(static_cast<int16_t>(read.family));
    read_keys.push_back(read.key);
  }
  op_ends.push_back(static_cast<int32_t>(ops.size()));
  record_ends.push_back(static_cast<int32_t>(records.size()));
  read_ends.push_back(static_cast<int32_t>(read_keys.size()));
}

// What a Write learns from its statement: its events' sequences (from
// `first`) and its reads, one per row of `result` from `row` on (column
// `column` holds the value read).
void Deliver(Batch& batch, uint64_t first, const Result& result, int row,
             int column) {
  for (tessera::v1::RevocationEvent& event : batch.log_events()) {
    event.set_sequence(first++);
  }
  for (size_t i = 0; i < batch.reads().size(); ++i, ++row) {
    batch.read_values().push_back(
        result.IsNull(row, column)
            ? std::nullopt
            : std::optional<std::string>(result.Bytes(row, column)));
  }
}

// Rows tessera_write_read and tessera_write_group give a batch.
int RowsOf(const Batch& batch) {
  return static_cast<int>(std::max<size_t>(batch.reads().size(), 1));
}

}  // namespace

std::string DescribeConninfo(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (error != nullptr) PQfreemem(error);
  if (options == nullptr) return "postgresql (unparsable URL)";
  std::string host, port, dbname;
  for (PQconninfoOption* option = options; option->keyword != nullptr;
       ++option) {
    if (option->val == nullptr) continue;
    const std::string keyword = option->keyword;
    if (keyword == "host" || keyword == "hostaddr") {
      if (host.empty()) host = option->val;
    } else if (keyword == "port") {
      port = option->val;
    } else if (keyword == "dbname") {
      dbname = option->val;
    }
  }
  PQconninfoFree(options);
  std::vector<std::string> hosts = absl::StrSplit(host, ',');
  std::vector<std::string> ports = absl::StrSplit(port, ',');
  std::string out = "postgresql://";
  for (size_t i = 0; i < hosts.size(); ++i) {
    if (i > 0) out += ",";
    out += hosts[i].empty() ? "localhost" : hosts[i];
    const std::string& p = ports.size() == 1  ? ports[0]
                           : i < ports.size() ? ports[i]
                                              : std::string();
    if (!p.empty()) absl::StrAppend(&out, ":", p);
  }
  absl::StrAppend(&out, "/", dbname);
  return out;
}

namespace {

PostgresStore::Options WithDefaults(PostgresStore::Options options) {
  if (options.write_statements < 1) options.write_statements = 1;
  return options;
}

}  // namespace

PostgresStore::PostgresStore(const Options& options)
    : options_(WithDefaults(options)),
      location_(DescribeConninfo(options.url)),
      pool_(options.url, options.pool_size),
      writers_(options_.write_statements, kMaxWriteGroup) {}

absl::StatusOr<std::unique_ptr<PostgresStore>> PostgresStore::Open(
    const Options& options) {
  if (options.pool_size < 1) {
    return absl::InvalidArgumentError("the PostgreSQL pool needs a connection");
  }
  std::unique_ptr<PostgresStore> store(new PostgresStore(options));
  // Migrations may wait for another replica's: a longer bound.
  const absl::Time deadline = absl::Now() + 4 * options.timeout;
  absl::StatusOr<Pool::Lease> lease = store->pool_.Acquire(deadline);
  if (!lease.ok()) return lease.status();
  absl::StatusOr<int> found = Migrate(**lease, deadline);
  if (!found.ok()) {
    return absl::Status(
        found.status().code(),
        absl::StrCat(store->location_, ": ", found.status().message()));
  }
  return store;
}

absl::Status PostgresStore::MeasureClock(Connection& connection,
                                         absl::Time deadline) {
  const absl::Time sent = absl::Now();
  absl::StatusOr<Result> now = connection.RunSql(
      "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint",
      deadline);
  const absl::Time received = absl::Now();
  if (!now.ok()) return Classify(connection, now.status());
  int64_t micros = 0;
  if (now->rows() != 1 || !absl::SimpleAtoi(now->Bytes(0, 0), &micros)) {
    return absl::InternalError("unreadable clock_timestamp()");
  }
  const absl::Time midpoint = sent + (received - sent) / 2;
  clock_offset_ns_.store(
      absl::ToInt64Nanoseconds(absl::FromUnixMicros(micros) - midpoint),
      std::memory_order_relaxed);
  return absl::OkStatus();
}

absl::Status PostgresStore::Ping(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::MutexLock lock(&ping_mu_);
  if (absl::Status held = Hold(pinger_, options_.url, "", deadline);
      !held.ok()) {
    return held;
  }
  absl::StatusOr<Result> standby =
      pinger_->RunSql("SELECT pg_is_in_recovery()", deadline);
  if (!standby.ok()) {
    pinger_.reset();
    return absl::UnavailableError(standby.status().message());
  }
  if (standby->rows() != 1 || standby->Bytes(0, 0) != "f") {
    pinger_.reset();  // Promoted elsewhere: the URL's read-write host moved.
    return absl::UnavailableError("the database is a standby now");
  }
  return absl::OkStatus();
}

absl::StatusOr<int> PostgresStore::SchemaVersion() {
  const absl::Time deadline = Deadline();
  absl::StatusOr<Pool::Lease> lease = pool_.Acquire(deadline);
  if (!lease.ok()) return lease.status();
  return CurrentSchemaVersion(**lease, deadline);
}

absl::StatusOr<std::optional<std::string>> PostgresStore::Get(
    ColumnFamily family, absl::string_view key) {
  const absl::Time deadline = Deadline();
  absl::StatusOr<Pool::Lease> lease = pool_.Acquire(deadline);
  if (!lease.ok()) return lease.status();
  absl::StatusOr<Result> got =
      family == ColumnFamily::kRevocationLog
          ? (*lease)->Run(kLogGet, {Int8Param(SequenceOf(key))}, deadline)
          : (*lease)->Run(kGet, {Family(family), std::string(key)}, deadline);
  if (!got.ok()) return Classify(**lease, got.status());
  if (got->rows() == 0) return std::optional<std::string>();
  if (family == ColumnFamily::kRevocationLog) {
    return std::optional<std::string>(WithChainHash(
        got->Bytes(0, 0), SequenceFromKey(key), got->Bytes(0, 1)));
  }
  return std::optional<std::string>(std::string(got->Bytes(0, 0)));
}

absl::Status PostgresStore::ScanLog(absl::string_view start,
                                    const Visitor& visit) {
  // One statement is one snapshot; a log row never changes once written,
  // so later pages only add rows committed after it, in order.
  int64_t from = SequenceOf(start);
  int64_t page = kFirstPage;
  for (;;) {
    const absl::Time deadline = Deadline();
    absl::StatusOr<Pool::Lease> lease = pool_.Acquire(deadline);
    if (!lease.ok()) return lease.status();
    absl::StatusOr<Result> rows =
        (*lease)->Run(kLogScan, {Int8Param(from), Int8Param(page)}, deadline);
    if (!rows.ok()) return Classify(**lease, rows.status());
    for (int i = 0; i < rows->rows(); ++i) {
      const uint64_t sequence = static_cast<uint64_t>(rows->Int8(i, 0));
      if (!visit(
              SequenceKey(sequence),
              WithChainHash(rows->Bytes(i, 1), sequence, rows->Bytes(i, 2)))) {
        return absl::OkStatus();
      }
      from = static_cast<int64_t>(sequence) + 1;
    }
    if (rows->rows() < page) return absl::OkStatus();
    page = std::min(page * 4, kMaxPage);
  }
}

absl::Status PostgresStore::Scan(ColumnFamily family, absl::string_view start,
                                 const Visitor& visit) {
  if (family == ColumnFamily::kRevocationLog) return ScanLog(start, visit);
  const absl::Time deadline = Deadline();
  absl::StatusOr<Pool::Lease> lease = pool_.Acquire(deadline);
  if (!lease.ok()) return lease.status();
  Connection& connection = **lease;
  // The first page is one statement (one snapshot, one round trip): most
  // scans end in it. Later pages share a REPEATABLE READ snapshot of their
  // own (kv.h).
  std::string after(start);
  bool first = true;
  bool in_transaction = false;
  int64_t page = kFirstPage;
  absl::Status failed;
  for (;;) {
    absl::StatusOr<Result> rows =
        connection.Run(first ? kScanFrom : kScanAfter,
                       {Family(family), after, Int8Param(page)}, deadline);
    if (!rows.ok()) {
      failed = rows.status();
      break;
    }
    const int n = rows->rows();
    bool stopped = false;
    for (int i = 0; i < n && !stopped; ++i) {
      stopped = !visit(rows->Bytes(i, 0), rows->Bytes(i, 1));
    }
    if (stopped || n < page) break;
    after = std::string(rows->Bytes(n - 1, 0));
    first = false;
    page = std::min(page * 4, kMaxPage);
    if (!in_transaction) {
      absl::StatusOr<Result> begun = connection.RunSql(
          "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", deadline);
      if (!begun.ok()) {
        failed = begun.status();
        break;
      }
      in_transaction = true;
    }
  }
  if (in_transaction) Rollback(connection, deadline);  // Read only.
  return failed.ok() ? failed : Classify(connection, failed);
}

absl::StatusOr<std::optional<std::string>> PostgresStore::LastKey(
    ColumnFamily family) {
  const absl::Time deadline = Deadline();
  absl::StatusOr<Pool::Lease> lease = pool_.Acquire(deadline);
  if (!lease.ok()) return lease.status();
  if (family == ColumnFamily::kRevocationLog) {
    absl::StatusOr<Result> last = (*lease)->Run(kLogLast, {}, deadline);
    if (!last.ok()) return Classify(**lease, last.status());
    if (last->rows() == 0 || last->IsNull(0, 0)) {
      return std::optional<std::string>();
    }
    return std::optional<std::string>(
        SequenceKey(static_cast<uint64_t>(last->Int8(0, 0))));
  }
  absl::StatusOr<Result> last =
      (*lease)->Run(kLastKey, {Family(family)}, deadline);
  if (!last.ok()) return Classify(**lease, last.status());
  if (last->rows() == 0) return std::optional<std::string>();
  return std::optional<std::string>(std::string(last->Bytes(0, 0)));
}

absl::StatusOr<uint64_t> PostgresStore::LastLogSequence() {
  const absl::Time deadline = Deadline();
  absl::StatusOr<Pool::Lease> lease = pool_.Acquire(deadline);
  if (!lease.ok()) return lease.status();
  absl::StatusOr<Result> head = (*lease)->Run(kHead, {}, deadline);
  if (!head.ok()) return Classify(**lease, head.status());
  if (head->rows() != 1) return absl::DataLossError("tessera_log_head is gone");
  return static_cast<uint64_t>(head->Int8(0, 0));
}

void PostgresStore::AfterDurable(DurableCallback done) {
  // Every Write returned after its COMMIT, which is durable as the
  // database's synchronous replication says.
  done(absl::OkStatus());
}

namespace {

// Whether the last statement's request reached the server. An
// administrator's termination (a restart, pg_terminate_backend, a
// switchover) ends the backend's transaction uncommitted unless it was
// already waiting for the standbys, which PostgreSQL warns of.
bool Sent(const Connection& connection) {
  return connection.delivered() &&
         !(connection.sqlstate() == kAdminShutdown && !connection.warned());
}

// A write statement that failed after reaching the server.
absl::Status NotConfirmed(const absl::Status& failed) {
  return absl::UnavailableError(absl::StrCat(
      "the commit was not confirmed (it may still apply): ", failed.message()));
}

// The wait for the synchronous standbys was cancelled: committed on the
// primary alone, which a failover can lose. Not acknowledged.
absl::Status StandbysDidNotConfirm() {
  return absl::UnavailableError("the synchronous standbys did not confirm it");
}

// `attempt(&sent)`, and once more if it failed UNAVAILABLE without reaching
// the server (nothing can have applied; the retry takes a new connection,
// since a failover leaves every idle one pointing at the old primary).
template <typename Attempt>
absl::Status OnceMoreIfUnsent(Attempt attempt) {
  bool sent = false;
  absl::Status status = attempt(&sent);
  if (status.code() == absl::StatusCode::kUnavailable && !sent) {
    status = attempt(&sent);
  }
  return status;
}

}  // namespace

absl::Status PostgresStore::WriteOneStatement(Batch& batch, bool* sent) {
  const absl::Time deadline = Deadline();
  absl::StatusOr<Pool::Lease> lease = pool_.Acquire(deadline);
  if (!lease.ok()) return lease.status();
  Connection& connection = **lease;
  Flattened flat;
  flat.Add(batch);
  absl::StatusOr<Result> written =
      connection.Run(batch.reads().empty() ? kWrite : kWriteRead,
                     flat.SingleParams(), deadline);
  *sent = Sent(connection);
  if (!written.ok()) {
    if (IsRace(connection.sqlstate())) return WriteConflict("a racing writer");
    if (*sent) return NotConfirmed(written.status());
    return Classify(connection, written.status());
  }
  if (connection.warned()) return StandbysDidNotConfirm();
  if (written->rows() != RowsOf(batch)) {
    return absl::InternalError("tessera_write: unexpected rows");
  }
  Deliver(batch, static_cast<uint64_t>(written->Int8(0, 0)), *written, 0, 1);
  return absl::OkStatus();
}

absl::Status PostgresStore::WriteGroupStatement(
    const std::vector<Writer*>& group, bool* sent, bool* rolled_back) {
  const absl::Time deadline = Deadline();
  absl::StatusOr<Pool::Lease> lease = pool_.Acquire(deadline);
  if (!lease.ok()) return lease.status();
  Connection& connection = **lease;
  Flattened flat;
  int rows = 0;
  for (Writer* writer : group) {
    flat.Add(*writer->batch);
    rows += RowsOf(*writer->batch);
  }
  absl::StatusOr<Result> written =
      connection.Run(kWriteGroup, flat.GroupParams(), deadline);
  *sent = Sent(connection);
  if (!written.ok()) {
    // The server refused the statement (its transaction rolled back, so
    // nothing of it applied) rather than the connection failing under it.
    *rolled_back = !connection.broken() && !connection.sqlstate().empty();
    if (*sent && !*rolled_back) return NotConfirmed(written.status());
    return Classify(connection, written.status());
  }
  if (connection.warned()) return StandbysDidNotConfirm();
  if (written->rows() != rows) {
    return absl::InternalError("tessera_write_group: unexpected rows");
  }
  int row = 0;
  for (Writer* writer : group) {
    if (!written->IsNull(row, 2)) {
      writer->status = WriteConflict("a racing writer");
    } else {
      Deliver(*writer->batch, static_cast<uint64_t>(written->Int8(row, 1)),
              *written, row, 3);
      writer->status = absl::OkStatus();
    }
    row += RowsOf(*writer->batch);
  }
  return absl::OkStatus();
}

absl::Status PostgresStore::WriteAlone(Batch& batch) {
  return OnceMoreIfUnsent(
      [&](bool* sent) { return WriteOneStatement(batch, sent); });
}

void PostgresStore::WriteGroup(const std::vector<Writer*>& group) {
  if (group.size() == 1) {
    group[0]->status = WriteAlone(*group[0]->batch);
    return;
  }
  bool rolled_back = false;
  const absl::Status statement = OnceMoreIfUnsent([&](bool* sent) {
    absl::Status status = WriteGroupStatement(group, sent, &rolled_back);
    *sent = *sent || rolled_back;  // A refused group goes batch by batch.
    return status;
  });
  if (statement.ok()) return;
  group_failures_.fetch_add(1, std::memory_order_relaxed);
  for (Writer* writer : group) {
    // A refused statement applied nothing: each batch again on its own, so
    // that one bad batch fails alone.
    writer->status = rolled_back ? WriteAlone(*writer->batch) : statement;
  }
}

absl::Status PostgresStore::TrimLog(Batch& batch) {
  std::vector<int64_t> begins, ends;
  for (const Batch::Op& op : batch.ops()) {
    if (op.family != ColumnFamily::kRevocationLog ||
        op.kind != Batch::Kind::kDeleteRange || !batch.log_events().empty() ||
        !batch.reads().empty()) {
      // tessera_write alone appends the log; a trim is a batch of its own.
      return absl::InvalidArgumentError(
          "the revocation log on PostgreSQL takes appends and trims only, "
          "each a batch of its own");
    }
    begins.push_back(SequenceOf(op.key));
    ends.push_back(SequenceOf(*op.value));
  }
  const absl::Time deadline = Deadline();
  absl::StatusOr<Pool::Lease> lease = pool_.Acquire(deadline);
  if (!lease.ok()) return lease.status();
  absl::StatusOr<Result> trimmed = (*lease)->Run(
      kLogTrim, {Int8ArrayParam(begins), Int8ArrayParam(ends)}, deadline);
  return trimmed.ok() ? absl::OkStatus() : Classify(**lease, trimmed.status());
}

absl::Status PostgresStore::Write(Batch& batch) {
  const absl::Time start = absl::Now();
  bool trims = false;
  for (const Batch::Op& op : batch.ops()) {
    trims = trims || op.family == ColumnFamily::kRevocationLog;
  }
  if (trims) return TrimLog(batch);
  Writer self{&batch, absl::OkStatus()};
  writers_.Run(
      self, [this](const std::vector<Writer*>& group) { WriteGroup(group); });
  const absl::Status& written = self.status;
  if (!written.ok()) {
    for (auto& event : batch.log_events()) event.clear_sequence();
  }
  if (written.ok()) {
    writes_.fetch_add(1, std::memory_order_relaxed);
    write_nanos_.fetch_add(absl::ToInt64Nanoseconds(absl::Now() - start),
                           std::memory_order_relaxed);
  } else if (IsWriteConflict(written)) {
    conflicts_.fetch_add(1, std::memory_order_relaxed);
  } else {
    failures_.fetch_add(1, std::memory_order_relaxed);
  }
  return written;
}

void PostgresStore::WaitForLogEvent(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::MutexLock lock(&listen_mu_);
  if (!Hold(listener_, options_.url, "LISTEN tessera_log", deadline).ok()) {
    // The tailer polls anyway: wait out the interval.
    absl::SleepFor(deadline - absl::Now());
    return;
  }
  if (absl::Now() - clock_measured_ >= absl::Seconds(10)) {
    clock_measured_ = absl::Now();
    (void)MeasureClock(*listener_, deadline);  // Kept as it was on failure.
  }
  (void)listener_->WaitForNotification(deadline);
}

PostgresStore::Stats PostgresStore::stats() const {
  Stats stats;
  stats.pool = pool_.stats();
  stats.writes = writes_.load(std::memory_order_relaxed);
  stats.conflicts = conflicts_.load(std::memory_order_relaxed);
  stats.failures = failures_.load(std::memory_order_relaxed);
  stats.writes_combined = writers_.stats();
  stats.group_failures = group_failures_.load(std::memory_order_relaxed);
  stats.write_time =
      absl::Nanoseconds(write_nanos_.load(std::memory_order_relaxed));
  stats.clock_offset =
      absl::Nanoseconds(clock_offset_ns_.load(std::memory_order_relaxed));
  return stats;
}

}  // namespace tessera::store::postgres
