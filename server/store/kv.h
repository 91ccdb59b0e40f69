#ifndef TESSERA_SERVER_STORE_KV_H_
#define TESSERA_SERVER_STORE_KV_H_

// The store interface every record keeper in tesserad writes through
// (docs/architecture.md, docs/operations/high-availability.md): ordered
// key/value families, atomic conditional batches, and the revocation log's
// sequence. Two implementations: RocksDB under --data_dir (store.h, one
// process) and PostgreSQL (server/store/postgres, any number of replicas).
//
// Contract (tests/store/kv_contract_test.cc runs it against both):
//  - Keys order bytewise within a family; Scan visits keys >= start in that
//    order, each once. RocksDB reads one snapshot; PostgreSQL reads its
//    first 128 keys in one snapshot and any later ones in another, taken
//    after (no scan that needs more is used to decide a write: writes that
//    decide Expect what they read).
//  - Write applies a Batch atomically: every Put and Delete, and every log
//    event, or none; its Reads come back with it (Batch::Read). If an
//    Expect does not hold when the batch commits, nothing is written and
//    the result is ABORTED with reason kWriteConflict; the caller re-reads
//    and decides again. An expectation is checked against what is
//    committed, by any process, at commit time.
//  - Log events appended by one Write get consecutive sequences in their
//    order, after every event of every Write committed before; sequences
//    are gap-free in commit order across all processes sharing the store,
//    so a reader that has seen N has seen every event <= N once N+1 is
//    visible.
//  - A Write returns once the batch is committed; AfterDurable(done) runs
//    `done` once every Write that returned before the call is durable
//    (RocksDB: WAL fsync, group-committed; PostgreSQL: at commit, on the
//    synchronous standbys as configured).
//  - Errors: UNAVAILABLE when the store cannot be reached or written,
//    DATA_LOSS on corruption, ABORTED only for a failed Expect.
//
// Thread-safe; implementations own their connections/handles.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tessera/v1/token_authority.pb.h"

namespace tessera::store {

enum class ColumnFamily {
  kSessions = 0,
  kSubjectIndex,
  kSubjectState,
  kRevocationLog,
  kKeys,
  kMeta,
  kRetiredGenerations,
};
inline constexpr int kColumnFamilyCount = 7;

// Names on disk and in SQL; changing one is a schema change.
const char* ColumnFamilyName(ColumnFamily family);

// The ErrorInfo-style reason of a failed Expect (status code ABORTED).
inline constexpr char kWriteConflict[] = "WRITE_CONFLICT";
bool IsWriteConflict(const absl::Status& status);
absl::Status WriteConflict(absl::string_view what);

// Big-endian, so bytewise key order is sequence order (the revocation log's
// keys).
std::string SequenceKey(uint64_t sequence);
uint64_t SequenceFromKey(absl::string_view key);

// Writes applied together by Kv::Write.
class Batch {
 public:
  enum class Kind { kPut, kDelete, kDeleteRange, kExpect };
  struct Op {
    Kind kind;
    ColumnFamily family;
    std::string key;
    // kPut: the value; kDeleteRange: the end key (exclusive); kExpect: the
    // expected value, or nullopt for "absent".
    std::optional<std::string> value;
  };

  void Put(ColumnFamily family, absl::string_view key, absl::string_view value);
  void Delete(ColumnFamily family, absl::string_view key);
  // Keys in [begin, end).
  void DeleteRange(ColumnFamily family, absl::string_view begin,
                   absl::string_view end);
  // The batch applies only if `key` holds exactly `value` (nullopt: is
  // absent) at commit.
  void Expect(ColumnFamily family, absl::string_view key,
              std::optional<std::string> value);

  // Events to append to the revocation log with this batch; Write stamps
  // each with its sequence (event.time is the caller's).
  void AppendLog(tessera::v1::RevocationEvent event);
  std::vector<tessera::v1::RevocationEvent>& log_events() {
    return log_events_;
  }

  // Reads `key` with the write, saving a round trip before it (PostgreSQL:
  // in the write's own statement). A successful Write sets read_values(),
  // one per Read in order (nullopt: absent): each the value committed at
  // some moment between the Write call and its commit, never this batch's
  // own write of the key. A failed Write sets nothing.
  struct ReadOp {
    ColumnFamily family;
    std::string key;
  };
  void Read(ColumnFamily family, absl::string_view key);
  const std::vector<ReadOp>& reads() const { return reads_; }
  std::vector<std::optional<std::string>>& read_values() {
    return read_values_;
  }

  // Also fsync before Write returns (records read at start-up: keys,
  // horizon, incarnation), instead of through AfterDurable.
  void set_sync(bool sync) { sync_ = sync; }
  bool sync() const { return sync_; }

  const std::vector<Op>& ops() const { return ops_; }
  // Puts, deletes and log events (expectations do not count).
  size_t Count() const;
  bool has_expectations() const { return expectations_ > 0; }

 private:
  std::vector<Op> ops_;
  std::vector<tessera::v1::RevocationEvent> log_events_;
  std::vector<ReadOp> reads_;
  std::vector<std::optional<std::string>> read_values_;
  size_t expectations_ = 0;
  bool sync_ = false;
};

class Kv {
 public:
  using Visitor =
      std::function<bool(absl::string_view key, absl::string_view value)>;
  using DurableCallback = std::function<void(const absl::Status&)>;

  virtual ~Kv() = default;

  // The value under `key`, or nullopt.
  virtual absl::StatusOr<std::optional<std::string>> Get(
      ColumnFamily family, absl::string_view key) = 0;
  // Calls `visit` for each key >= `start` in order (snapshots: see the
  // contract above), until it returns false.
  virtual absl::Status Scan(ColumnFamily family, absl::string_view start,
                            const Visitor& visit) = 0;
  // The last key of `family`, or nullopt when it is empty.
  virtual absl::StatusOr<std::optional<std::string>> LastKey(
      ColumnFamily family) = 0;
  // Applies `batch` as the contract says; on success its log events carry
  // their sequences.
  virtual absl::Status Write(Batch& batch) = 0;
  // The newest committed log sequence (0 if none), as of this call.
  virtual absl::StatusOr<uint64_t> LastLogSequence() = 0;
  virtual void AfterDurable(DurableCallback done) = 0;

  // "rocksdb" or "postgres" (health, metrics, logs).
  virtual absl::string_view backend() const = 0;
  // Where the records are, for messages: a data dir, a database (never a
  // password).
  virtual std::string location() const { return std::string(backend()); }
  // Whether other processes may write this store (PostgreSQL): every
  // replica then tails the log for events it did not write itself.
  virtual bool shared() const { return false; }
  // The clock every expiry decision over this store's records uses: this
  // machine's for RocksDB; the database's for PostgreSQL, so that replicas
  // whose clocks drift still agree on what has expired. Cheap (no I/O).
  virtual absl::Time Now() const { return absl::Now(); }
};

// One page of a walk: Kv::Scan of at most `limit` keys >= `start`. Returns
// where the next page starts, or nullopt when the family (or `visit`)
// ended.
absl::StatusOr<std::optional<std::string>> ScanPage(Kv& kv, ColumnFamily family,
                                                    absl::string_view start,
                                                    size_t limit,
                                                    const Kv::Visitor& visit);
// Kv::Scan over keys >= `start`, `page` keys per Scan call: each page is its
// own snapshot, connection and deadline. For walks over a whole family
// (counts, purges) that must hold no snapshot for long; a key written or
// deleted during the walk may or may not be visited.
absl::Status ScanInPages(Kv& kv, ColumnFamily family, absl::string_view start,
                         size_t page, const Kv::Visitor& visit);

}  // namespace tessera::store

#endif  // TESSERA_SERVER_STORE_KV_H_
