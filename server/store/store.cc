#include "server/store/store.h"

#include <filesystem>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/options.h"
#include "rocksdb/utilities/checkpoint.h"
#include "tessera/v1/storage.pb.h"

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
  if (absl::Status log = store->InitLogSequence(); !log.ok()) return log;
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

absl::Status Store::InitLogSequence() {
  absl::StatusOr<std::optional<std::string>> last =
      LastKey(ColumnFamily::kRevocationLog);
  if (!last.ok()) return last.status();
  absl::MutexLock lock(&write_mu_);
  last_log_sequence_ = last->has_value() ? SequenceFromKey(**last) : 0;
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> Store::Get(ColumnFamily family,
                                                      absl::string_view key) {
  std::string value;
  rocksdb::Status got =
      db_->Get(rocksdb::ReadOptions(), handle(family),
               rocksdb::Slice(key.data(), key.size()), &value);
  if (got.IsNotFound()) return std::optional<std::string>();
  if (absl::Status read = FromRocks(got, "cannot read the store"); !read.ok()) {
    return read;
  }
  return std::optional<std::string>(std::move(value));
}

absl::Status Store::Scan(ColumnFamily family, absl::string_view start,
                         const Visitor& visit) {
  // An iterator reads one implicit snapshot.
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handle(family)));
  for (it->Seek(rocksdb::Slice(start.data(), start.size())); it->Valid();
       it->Next()) {
    const rocksdb::Slice key = it->key();
    const rocksdb::Slice value = it->value();
    if (!visit(absl::string_view(key.data(), key.size()),
               absl::string_view(value.data(), value.size()))) {
      break;
    }
  }
  return FromRocks(it->status(), "cannot read the store");
}

absl::StatusOr<std::optional<std::string>> Store::LastKey(ColumnFamily family) {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handle(family)));
  it->SeekToLast();
  if (absl::Status read = FromRocks(it->status(), "cannot read the store");
      !read.ok()) {
    return read;
  }
  if (!it->Valid()) return std::optional<std::string>();
  return std::optional<std::string>(it->key().ToString());
}

absl::StatusOr<uint64_t> Store::LastLogSequence() {
  absl::MutexLock lock(&write_mu_);
  return last_log_sequence_;
}

rocksdb::WriteBatch Store::ToRocks(const Batch& batch) const {
  rocksdb::WriteBatch rocks;
  for (const Batch::Op& op : batch.ops()) {
    rocksdb::ColumnFamilyHandle* family = handle(op.family);
    switch (op.kind) {
      case Batch::Kind::kPut:
        rocks.Put(family, op.key, *op.value);
        break;
      case Batch::Kind::kDelete:
        rocks.Delete(family, op.key);
        break;
      case Batch::Kind::kDeleteRange:
        rocks.DeleteRange(family, op.key, *op.value);
        break;
      case Batch::Kind::kExpect:
        break;
    }
  }
  return rocks;
}

absl::Status Store::CheckExpectations(const Batch& batch) {
  for (const Batch::Op& op : batch.ops()) {
    if (op.kind != Batch::Kind::kExpect) continue;
    absl::StatusOr<std::optional<std::string>> now = Get(op.family, op.key);
    if (!now.ok()) return now.status();
    if (*now != op.value) {
      return WriteConflict(ColumnFamilyName(op.family));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::optional<std::string>>> Store::ReadFor(
    const Batch& batch) {
  std::vector<std::optional<std::string>> values;
  for (const Batch::ReadOp& read : batch.reads()) {
    absl::StatusOr<std::optional<std::string>> value =
        Get(read.family, read.key);
    if (!value.ok()) return value.status();
    values.push_back(*std::move(value));
  }
  return values;
}

absl::Status Store::Write(Batch& batch) {
  if (batch.has_expectations() || !batch.log_events().empty()) {
    return WriteOrdered(batch);
  }
  absl::StatusOr<std::vector<std::optional<std::string>>> read = ReadFor(batch);
  if (!read.ok()) return read.status();
  rocksdb::WriteBatch rocks = ToRocks(batch);
  rocksdb::WriteOptions options = write_options_;
  options.sync = batch.sync();
  absl::Status written =
      FromRocks(db_->Write(options, &rocks), "cannot write to the store");
  if (written.ok()) batch.read_values() = *std::move(read);
  return written;
}

absl::Status Store::WriteOrdered(Batch& batch) {
  absl::MutexLock lock(&write_mu_);
  if (absl::Status holds = CheckExpectations(batch); !holds.ok()) {
    return holds;
  }
  absl::StatusOr<std::vector<std::optional<std::string>>> read = ReadFor(batch);
  if (!read.ok()) return read.status();
  rocksdb::WriteBatch rocks = ToRocks(batch);
  uint64_t sequence = last_log_sequence_;
  std::vector<tessera::v1::RevocationEvent>& events = batch.log_events();
  for (tessera::v1::RevocationEvent& event : events) {
    event.set_sequence(++sequence);
    tessera::v1::RevocationRecord record;
    *record.mutable_event() = event;
    rocks.Put(handle(ColumnFamily::kRevocationLog), SequenceKey(sequence),
              record.SerializeAsString());
  }
  rocksdb::WriteOptions options = write_options_;
  options.sync = batch.sync();
  absl::Status written =
      FromRocks(db_->Write(options, &rocks), "cannot write to the store");
  if (!written.ok()) {
    for (tessera::v1::RevocationEvent& event : events) event.clear_sequence();
    return written;
  }
  last_log_sequence_ = sequence;
  batch.read_values() = *std::move(read);
  return absl::OkStatus();
}

}  // namespace tessera::store
