#include "server/revocation/revocation_log.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "server/store/timestamps.h"
#include "tessera/v1/storage.pb.h"

namespace tessera::revocation {
namespace {

using store::ColumnFamily;

// Big-endian, so RocksDB's byte order is sequence order.
std::string SequenceKey(uint64_t sequence) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i) {
    key[i] = static_cast<char>(sequence & 0xff);
    sequence >>= 8;
  }
  return key;
}

uint64_t SequenceFromKey(const rocksdb::Slice& key) {
  uint64_t sequence = 0;
  for (size_t i = 0; i < key.size() && i < 8; ++i) {
    sequence = (sequence << 8) | static_cast<uint8_t>(key[i]);
  }
  return sequence;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RevocationLog>> RevocationLog::Open(
    store::Store* store) {
  std::unique_ptr<RevocationLog> log(new RevocationLog(store));
  std::unique_ptr<rocksdb::Iterator> it(store->db()->NewIterator(
      rocksdb::ReadOptions(), store->handle(ColumnFamily::kRevocationLog)));
  it->SeekToLast();
  if (!it->status().ok()) {
    return absl::UnavailableError(absl::StrCat(
        "cannot read the revocation log: ", it->status().ToString()));
  }
  absl::MutexLock lock(&log->mu_);
  if (it->Valid()) log->last_sequence_ = SequenceFromKey(it->key());
  // A trimmed log is at most one kept key-set event, a gap, then an unbroken
  // tail: resumes are served from the first event of that tail.
  it->SeekToFirst();
  if (it->Valid()) {
    uint64_t tail = SequenceFromKey(it->key());
    it->Next();
    if (it->Valid() && SequenceFromKey(it->key()) != tail + 1) {
      tail = SequenceFromKey(it->key());
    }
    log->resumable_after_ = tail - 1;
  }
  if (!it->status().ok()) {
    return absl::UnavailableError(absl::StrCat(
        "cannot read the revocation log: ", it->status().ToString()));
  }
  return log;
}

absl::StatusOr<tessera::v1::RevocationEvent> RevocationLog::Commit(
    rocksdb::WriteBatch* batch, tessera::v1::RevocationEvent event,
    absl::Time now) {
  std::vector<tessera::v1::RevocationEvent> events;
  events.push_back(std::move(event));
  absl::StatusOr<std::vector<tessera::v1::RevocationEvent>> committed =
      CommitAll(batch, std::move(events), now);
  if (!committed.ok()) return committed.status();
  return std::move(committed->front());
}

absl::StatusOr<std::vector<tessera::v1::RevocationEvent>>
RevocationLog::CommitAll(rocksdb::WriteBatch* batch,
                         std::vector<tessera::v1::RevocationEvent> events,
                         absl::Time now) {
  if (events.empty()) {
    return absl::InternalError("a commit needs at least one event");
  }
  absl::StatusOr<std::vector<tessera::v1::RevocationEvent>> committed =
      CommitLocked(batch, std::move(events), now);
  if (committed.ok() && listener_) listener_(committed->back().sequence());
  return committed;
}

absl::StatusOr<std::vector<tessera::v1::RevocationEvent>>
RevocationLog::CommitLocked(rocksdb::WriteBatch* batch,
                            std::vector<tessera::v1::RevocationEvent> events,
                            absl::Time now) {
  absl::MutexLock lock(&mu_);
  uint64_t sequence = last_sequence_;
  rocksdb::Status put;
  for (tessera::v1::RevocationEvent& event : events) {
    event.set_sequence(++sequence);
    *event.mutable_time() = store::ToTimestamp(now);
    tessera::v1::RevocationRecord record;
    *record.mutable_event() = event;
    put = batch->Put(store_->handle(ColumnFamily::kRevocationLog),
                     SequenceKey(sequence), record.SerializeAsString());
    if (!put.ok()) break;
  }
  if (put.ok()) put = store_->db()->Write(store_->write_options(), batch);
  if (!put.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot write to the store: ", put.ToString()));
  }
  last_sequence_ = sequence;
  return events;
}

uint64_t RevocationLog::last_sequence() const {
  absl::MutexLock lock(&mu_);
  return last_sequence_;
}

uint64_t RevocationLog::resumable_after() const {
  absl::MutexLock lock(&mu_);
  return resumable_after_;
}

absl::Status RevocationLog::TrimThrough(uint64_t through, uint64_t keep) {
  absl::MutexLock lock(&mu_);
  if (last_sequence_ == 0) return absl::OkStatus();
  through = std::min(through, last_sequence_ - 1);
  if (through <= resumable_after_) return absl::OkStatus();
  rocksdb::ColumnFamilyHandle* family =
      store_->handle(ColumnFamily::kRevocationLog);
  rocksdb::WriteBatch batch;
  rocksdb::Status deleted;
  auto remove = [&](uint64_t from, uint64_t to) {  // [from, to)
    if (deleted.ok() && from < to) {
      deleted = batch.DeleteRange(family, SequenceKey(from), SequenceKey(to));
    }
  };
  if (keep != 0 && keep <= through) {
    remove(0, keep);
    remove(keep + 1, through + 1);
  } else {
    remove(0, through + 1);
  }
  if (deleted.ok()) {
    deleted = store_->db()->Write(store_->write_options(), &batch);
  }
  if (!deleted.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot trim the revocation log: ", deleted.ToString()));
  }
  resumable_after_ = through;
  return absl::OkStatus();
}

absl::Status RevocationLog::ForEachAfter(
    uint64_t after,
    const std::function<void(const tessera::v1::RevocationEvent&)>& visit)
    const {
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(
      rocksdb::ReadOptions(), store_->handle(ColumnFamily::kRevocationLog)));
  for (it->Seek(SequenceKey(after + 1)); it->Valid(); it->Next()) {
    tessera::v1::RevocationRecord record;
    if (!record.ParseFromArray(it->value().data(),
                               static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat("unreadable revocation event ",
                                              SequenceFromKey(it->key())));
    }
    visit(record.event());
  }
  if (!it->status().ok()) {
    return absl::UnavailableError(it->status().ToString());
  }
  return absl::OkStatus();
}

}  // namespace tessera::revocation
