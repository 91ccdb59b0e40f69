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

#include <array>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "rocksdb/compaction_filter.h"
#include "rocksdb/db.h"
#include "server/store/data_dir_lock.h"
#include "server/store/wal_syncer.h"

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

// Names on disk; changing one is a schema change.
const char* ColumnFamilyName(ColumnFamily family);

// The schema this build writes and reads.
inline constexpr int kSchemaVersion = 1;

class Store {
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
  ~Store();  // Closes the DB (flushing nothing that the WAL does not hold).

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* handle(ColumnFamily family) const {
    return handles_[static_cast<int>(family)];
  }
  const rocksdb::WriteOptions& write_options() const { return write_options_; }
  // Runs `done` once every write that returned before this call is as
  // durable as `sync_writes` asks (WalSyncer::AfterDurable).
  void AfterDurable(WalSyncer::Callback done) {
    syncer_->AfterDurable(std::move(done));
  }
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

  std::string data_dir_;
  std::unique_ptr<DataDirLock> lock_;
  std::unique_ptr<rocksdb::DB> db_;
  std::array<rocksdb::ColumnFamilyHandle*, kColumnFamilyCount> handles_{};
  rocksdb::ColumnFamilyHandle* default_handle_ = nullptr;
  rocksdb::WriteOptions write_options_;
  std::unique_ptr<WalSyncer> syncer_;  // Declared after db_: stops first.
  int schema_version_ = 0;
};

}  // namespace tessera::store

#endif  // TESSERA_SERVER_STORE_STORE_H_
