#include "server/revocation/revocation_log.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/store/timestamps.h"
#include "tessera/v1/storage.pb.h"

namespace tessera::revocation {

using store::ColumnFamily;
using store::SequenceFromKey;
using store::SequenceKey;

absl::StatusOr<std::unique_ptr<RevocationLog>> RevocationLog::Open(
    store::Kv* store) {
  std::unique_ptr<RevocationLog> log(new RevocationLog(store));
  // A trimmed log is at most one kept key-set event, a gap, then an unbroken
  // tail: resumes are served from the first event of that tail.
  std::vector<uint64_t> first;
  absl::Status read =
      store->Scan(ColumnFamily::kRevocationLog, "",
                  [&](absl::string_view key, absl::string_view) {
                    first.push_back(SequenceFromKey(key));
                    return first.size() < 2;
                  });
  if (!read.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot read the revocation log: ", read.message()));
  }
  absl::MutexLock lock(&log->mu_);
  if (!first.empty()) {
    uint64_t tail = first[0];
    if (first.size() == 2 && first[1] != tail + 1) tail = first[1];
    log->resumable_after_ = tail - 1;
  }
  return log;
}

absl::StatusOr<tessera::v1::RevocationEvent> RevocationLog::Commit(
    store::Batch* batch, tessera::v1::RevocationEvent event, absl::Time now) {
  std::vector<tessera::v1::RevocationEvent> events;
  events.push_back(std::move(event));
  absl::StatusOr<std::vector<tessera::v1::RevocationEvent>> committed =
      CommitAll(batch, std::move(events), now);
  if (!committed.ok()) return committed.status();
  return std::move(committed->front());
}

absl::StatusOr<std::vector<tessera::v1::RevocationEvent>>
RevocationLog::CommitAll(store::Batch* batch,
                         std::vector<tessera::v1::RevocationEvent> events,
                         absl::Time now) {
  if (events.empty()) {
    return absl::InternalError("a commit needs at least one event");
  }
  for (tessera::v1::RevocationEvent& event : events) {
    *event.mutable_time() = store::ToTimestamp(now);
    batch->AppendLog(std::move(event));
  }
  if (absl::Status written = store_->Write(*batch); !written.ok()) {
    if (store::IsWriteConflict(written)) return written;
    return absl::UnavailableError(
        absl::StrCat("cannot write to the store: ", written.message()));
  }
  std::vector<tessera::v1::RevocationEvent> committed =
      std::move(batch->log_events());
  batch->log_events().clear();
  if (listener_) listener_(committed.back().sequence());
  return committed;
}

uint64_t RevocationLog::last_sequence() const {
  absl::StatusOr<uint64_t> last = store_->LastLogSequence();
  return last.ok() ? *last : 0;
}

uint64_t RevocationLog::resumable_after() const {
  absl::MutexLock lock(&mu_);
  return resumable_after_;
}

absl::Status RevocationLog::TrimThrough(uint64_t through, uint64_t keep) {
  absl::MutexLock lock(&mu_);
  const uint64_t last = last_sequence();
  if (last == 0) return absl::OkStatus();
  through = std::min(through, last - 1);
  if (through <= resumable_after_) return absl::OkStatus();
  store::Batch batch;
  auto remove = [&](uint64_t from, uint64_t to) {  // [from, to)
    if (from < to) {
      batch.DeleteRange(ColumnFamily::kRevocationLog, SequenceKey(from),
                        SequenceKey(to));
    }
  };
  if (keep != 0 && keep <= through) {
    remove(0, keep);
    remove(keep + 1, through + 1);
  } else {
    remove(0, through + 1);
  }
  if (absl::Status deleted = store_->Write(batch); !deleted.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot trim the revocation log: ", deleted.message()));
  }
  resumable_after_ = through;
  return absl::OkStatus();
}

absl::StatusOr<std::string> RevocationLog::HashAt(uint64_t sequence) const {
  absl::StatusOr<std::optional<std::string>> raw =
      store_->Get(ColumnFamily::kRevocationLog, SequenceKey(sequence));
  if (!raw.ok()) return absl::UnavailableError(raw.status().message());
  if (!raw->has_value()) return std::string();
  tessera::v1::RevocationRecord record;
  if (!record.ParseFromString(**raw)) {
    return absl::DataLossError(
        absl::StrCat("unreadable revocation event ", sequence));
  }
  return record.chain_hash();
}

absl::Status RevocationLog::Read(
    uint64_t after,
    const std::function<bool(const tessera::v1::RevocationEvent&)>& visit)
    const {
  absl::Status bad;
  absl::Status read = store_->Scan(
      ColumnFamily::kRevocationLog, SequenceKey(after + 1),
      [&](absl::string_view key, absl::string_view value) {
        tessera::v1::RevocationRecord record;
        if (!record.ParseFromArray(value.data(),
                                   static_cast<int>(value.size()))) {
          bad = absl::DataLossError(absl::StrCat("unreadable revocation event ",
                                                 SequenceFromKey(key)));
          return false;
        }
        if (!record.chain_hash().empty()) {
          record.mutable_event()->set_log_hash(record.chain_hash());
        }
        return visit(record.event());
      });
  if (!bad.ok()) return bad;
  if (!read.ok()) return absl::UnavailableError(read.message());
  return absl::OkStatus();
}

absl::Status RevocationLog::ForEachAfter(
    uint64_t after,
    const std::function<void(const tessera::v1::RevocationEvent&)>& visit)
    const {
  return Read(after, [&](const tessera::v1::RevocationEvent& event) {
    visit(event);
    return true;
  });
}

absl::StatusOr<RevocationLog::Run> RevocationLog::ForEachInOrderAfter(
    uint64_t after,
    const std::function<void(const tessera::v1::RevocationEvent&)>& visit)
    const {
  Run run{.last = after};
  absl::Status read =
      Read(after, [&](const tessera::v1::RevocationEvent& event) {
        if (event.sequence() != run.last + 1) {
          run.gap = true;
          return false;
        }
        visit(event);
        run.last = event.sequence();
        return true;
      });
  if (!read.ok()) return read;
  return run;
}

}  // namespace tessera::revocation
