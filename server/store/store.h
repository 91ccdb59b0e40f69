#ifndef TESSERA_SERVER_STORE_STORE_H_
#define TESSERA_SERVER_STORE_STORE_H_

// The RocksDB database under --data_dir (docs/architecture.md).
//
// One DB, one column family per record kind:
//   sessions        session id -> SessionRecord
//   subject_index   subject, session id -> empty (sessions of a subject)
//   subject_state   subject -> claims and the stale-claims cut-off
//   revocation_log  big-endian sequence -> RevocationRecord
//   keys            kid -> SigningKeyRecord (private part encrypted)
//   meta            "schema_version" and other single records
//
// Invariants:
//  - A Store owns its directory exclusively (DataDirLock) for its lifetime.
//  - The schema version is written when the directory is first created; a
//    directory written by a newer schema is refused, never modified.
//  - Every write that changes more than one record is one WriteBatch written
//    with `write_options()` (no per-write fsync); a writer answers its caller
//    only from AfterDurable, which under `sync_writes` fsyncs the WAL once for
//    every writer waiting (see wal_syncer.h).
//  - As a Kv (kv.h): a batch with expectations or log events is checked,
//    stamped and written under one mutex (one process owns the directory, so
//    that is commit order); a plain batch is not ordered against an
//    expectation check, so a key that is ever Expected must only be written
//    by conditional batches or under the caller's own lock (tesserad's
//    session stripes).

#include <array>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rocksdb/compaction_filter.h"
#include "rocksdb/db.h"
#include "server/store/data_dir_lock.h"
#include "server/store/kv.h"
#include "server/store/wal_syncer.h"

namespace tessera::store {

// The schema this build writes and reads.
inline constexpr int kSchemaVersion = 1;

class Store : public Kv {
 public:
  struct Options {
    std::string data_dir = "./tessera-data";
    // true: a write is acknowledged (AfterDurable) once the WAL holding it is
    // fsynced. false: once it is in the OS page cache; that survives a
    // process crash, not a power loss.
    bool sync_writes = true;
    // Optional compaction filters (they must outlive the Store), e.g. to
    // purge expired records. Files are also recompacted at least every
    // `periodic_compaction` so filters see every record.
    std::array<const rocksdb::CompactionFilter*, kColumnFamilyCount>
        compaction_filters{};
    absl::Duration periodic_compaction = absl::Hours(24);
  };

  // Creates the directory and database on first use. Fails with
  // FAILED_PRECONDITION if another process holds the directory or the schema
  // is newer than this build, DATA_LOSS if RocksDB reports corruption.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const Options& options);

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store() override;  // Closes the DB (flushing nothing the WAL lacks).

  // Kv.
  absl::StatusOr<std::optional<std::string>> Get(
      ColumnFamily family, absl::string_view key) override;
  absl::Status Scan(ColumnFamily family, absl::string_view start,
                    const Visitor& visit) override;
  absl::StatusOr<std::optional<std::string>> LastKey(
      ColumnFamily family) override;
  absl::Status Write(Batch& batch) override;
  absl::StatusOr<uint64_t> LastLogSequence() override;
  void AfterDurable(DurableCallback done) override {
    syncer_->AfterDurable(std::move(done));
  }
  absl::string_view backend() const override { return "rocksdb"; }
  std::string location() const override { return data_dir_; }

  // RocksDB itself, for what only it has (compaction, checkpoints, tests).

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* handle(ColumnFamily family) const {
    return handles_[static_cast<int>(family)];
  }
  const rocksdb::WriteOptions& write_options() const { return write_options_; }
  // Answers every writer still waiting; later AfterDurable calls fail.
  void StopSyncing() { syncer_->Stop(); }
  uint64_t wal_sync_count() const { return syncer_->sync_count(); }
  // A consistent copy of the whole database in a new directory `path`
  // (RocksDB checkpoint: memtables are flushed first, files hard-linked when
  // `path` is on the same file system, copied otherwise). Every write that
  // returned before the call is in it. Returns the bytes its files hold.
  // `path` must not exist; its parent must. Blocks for the flush.
  absl::StatusOr<uint64_t> CreateCheckpoint(const std::string& path) const;

  const std::string& data_dir() const { return data_dir_; }
  int schema_version() const { return schema_version_; }

 private:
  Store() = default;
  absl::Status InitSchemaVersion();
  absl::Status InitLogSequence();
  // Checks `batch`'s expectations against the DB (write_mu_ held).
  absl::Status CheckExpectations(const Batch& batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  absl::Status WriteOrdered(Batch& batch);
  // The values of `batch`'s Reads, read before it is written.
  absl::StatusOr<std::vector<std::optional<std::string>>> ReadFor(
      const Batch& batch);
  rocksdb::WriteBatch ToRocks(const Batch& batch) const;

  std::string data_dir_;
  std::unique_ptr<DataDirLock> lock_;
  std::unique_ptr<rocksdb::DB> db_;
  std::array<rocksdb::ColumnFamilyHandle*, kColumnFamilyCount> handles_{};
  rocksdb::ColumnFamilyHandle* default_handle_ = nullptr;
  rocksdb::WriteOptions write_options_;
  std::unique_ptr<WalSyncer> syncer_;  // Declared after db_: stops first.
  int schema_version_ = 0;
  absl::Mutex write_mu_;
  uint64_t last_log_sequence_ ABSL_GUARDED_BY(write_mu_) = 0;
};

}  // namespace tessera::store

#endif  // TESSERA_SERVER_STORE_STORE_H_
