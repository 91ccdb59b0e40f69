#include "server/store/store.h"

#include <filesystem>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/options.h"
#include "rocksdb/utilities/checkpoint.h"

namespace tessera::store {
namespace {

constexpr char kSchemaVersionKey[] = "schema_version";

absl::Status FromRocks(const rocksdb::Status& status,
                       absl::string_view context) {
  if (status.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(context, ": ", status.ToString());
  if (status.IsCorruption()) return absl::DataLossError(message);
  if (status.IsIOError()) return absl::UnavailableError(message);
  return absl::InternalError(message);
}

}  // namespace

const char* ColumnFamilyName(ColumnFamily family) {
  switch (family) {
    case ColumnFamily::kSessions:
      return "sessions";
    case ColumnFamily::kSubjectIndex:
      return "subject_index";
    case ColumnFamily::kSubjectState:
      return "subject_state";
    case ColumnFamily::kRevocationLog:
      return "revocation_log";
    case ColumnFamily::kKeys:
      return "keys";
    case ColumnFamily::kMeta:
      return "meta";
    case ColumnFamily::kRetiredGenerations:
      return "retired_generations";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const Options& options) {
  absl::StatusOr<std::unique_ptr<DataDirLock>> lock =
      DataDirLock::Acquire(options.data_dir);
  if (!lock.ok()) return lock.status();

  std::unique_ptr<Store> store(new Store());
  store->data_dir_ = options.data_dir;
  store->lock_ = std::move(*lock);
  // Durability comes from the WalSyncer's group fsync, not from each write.
  store->write_options_.sync = false;

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  // Concurrent writers share one fsync (group commit); pipelining lets the
  // next group start its WAL write while the previous one applies.
  db_options.enable_pipelined_write = true;
  db_options.paranoid_checks = true;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName,
                           rocksdb::ColumnFamilyOptions());
  for (int i = 0; i < kColumnFamilyCount; ++i) {
    rocksdb::ColumnFamilyOptions family;
    family.compaction_filter = options.compaction_filters[i];
    if (family.compaction_filter != nullptr) {
      family.periodic_compaction_seconds = static_cast<uint64_t>(
          absl::ToInt64Seconds(options.periodic_compaction));
    }
    descriptors.emplace_back(ColumnFamilyName(static_cast<ColumnFamily>(i)),
                             family);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw_db = nullptr;
  const std::string db_path = absl::StrCat(options.data_dir, "/db");
  absl::Status opened = FromRocks(
      rocksdb::DB::Open(db_options, db_path, descriptors, &handles, &raw_db),
      absl::StrCat("cannot open RocksDB at ", db_path));
  if (!opened.ok()) return opened;
  store->db_.reset(raw_db);
  store->default_handle_ = handles[0];
  for (int i = 0; i < kColumnFamilyCount; ++i) {
    store->handles_[i] = handles[i + 1];
  }
  if (absl::Status schema = store->InitSchemaVersion(); !schema.ok()) {
    return schema;
  }
  store->syncer_ =
      std::make_unique<WalSyncer>(store->db_.get(), options.sync_writes);
  return store;
}

absl::Status Store::InitSchemaVersion() {
  std::string value;
  rocksdb::Status got =
      db_->Get(rocksdb::ReadOptions(), handle(ColumnFamily::kMeta),
               kSchemaVersionKey, &value);
  if (got.IsNotFound()) {
    rocksdb::WriteOptions sync;
    sync.sync = true;  // The version record is written once; always durable.
    absl::Status put =
        FromRocks(db_->Put(sync, handle(ColumnFamily::kMeta), kSchemaVersionKey,
                           absl::StrCat(kSchemaVersion)),
                  "cannot write the schema version");
    if (!put.ok()) return put;
    schema_version_ = kSchemaVersion;
    return absl::OkStatus();
  }
  if (absl::Status read = FromRocks(got, "cannot read the schema version");
      !read.ok()) {
    return read;
  }
  if (!absl::SimpleAtoi(value, &schema_version_) || schema_version_ <= 0) {
    return absl::DataLossError(absl::StrCat(
        "data dir ", data_dir_, " has an unreadable schema version record"));
  }
  if (schema_version_ > kSchemaVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("data dir ", data_dir_, " was written by schema version ",
                     schema_version_, " but this tesserad reads up to version ",
                     kSchemaVersion, "; run a newer tesserad"));
  }
  return absl::OkStatus();
}

Store::~Store() {
  if (syncer_ != nullptr) syncer_->Stop();  // Answers every waiting writer.
  if (db_ == nullptr) return;
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    if (handle != nullptr) db_->DestroyColumnFamilyHandle(handle);
  }
  if (default_handle_ != nullptr) {
    db_->DestroyColumnFamilyHandle(default_handle_);
  }
  db_->Close();
  db_.reset();
  // lock_ is released last, after the DB is closed.
}

absl::StatusOr<uint64_t> Store::CreateCheckpoint(
    const std::string& path) const {
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status status = rocksdb::Checkpoint::Create(db_.get(), &raw);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  if (status.ok()) status = checkpoint->CreateCheckpoint(path);
  if (!status.ok()) {
    return absl::UnavailableError(absl::StrCat("cannot write a checkpoint to ",
                                               path, ": ", status.ToString()));
  }
  uint64_t bytes = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
    if (entry.is_regular_file(error)) bytes += entry.file_size(error);
  }
  return bytes;
}

}  // namespace tessera::store
