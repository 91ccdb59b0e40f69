#include "server/store/kv.h"

#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace tessera::store {

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

namespace {
constexpr char kConflictPayload[] = "tessera.store/write_conflict";
}  // namespace

absl::Status WriteConflict(absl::string_view what) {
  absl::Status status = absl::AbortedError(
      absl::StrCat(kWriteConflict, ": ", what, " changed meanwhile"));
  status.SetPayload(kConflictPayload, absl::Cord("1"));
  return status;
}

bool IsWriteConflict(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAborted &&
         status.GetPayload(kConflictPayload).has_value();
}

std::string SequenceKey(uint64_t sequence) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i) {
    key[i] = static_cast<char>(sequence & 0xff);
    sequence >>= 8;
  }
  return key;
}

uint64_t SequenceFromKey(absl::string_view key) {
  uint64_t sequence = 0;
  for (size_t i = 0; i < key.size() && i < 8; ++i) {
    sequence = (sequence << 8) | static_cast<uint8_t>(key[i]);
  }
  return sequence;
}

void Batch::Put(ColumnFamily family, absl::string_view key,
                absl::string_view value) {
  ops_.push_back({Kind::kPut, family, std::string(key), std::string(value)});
}

void Batch::Delete(ColumnFamily family, absl::string_view key) {
  ops_.push_back({Kind::kDelete, family, std::string(key), std::nullopt});
}

void Batch::DeleteRange(ColumnFamily family, absl::string_view begin,
                        absl::string_view end) {
  ops_.push_back(
      {Kind::kDeleteRange, family, std::string(begin), std::string(end)});
}

void Batch::Expect(ColumnFamily family, absl::string_view key,
                   std::optional<std::string> value) {
  ops_.push_back({Kind::kExpect, family, std::string(key), std::move(value)});
  ++expectations_;
}

void Batch::Read(ColumnFamily family, absl::string_view key) {
  reads_.push_back({family, std::string(key)});
}

void Batch::AppendLog(tessera::v1::RevocationEvent event) {
  log_events_.push_back(std::move(event));
}

size_t Batch::Count() const {
  return ops_.size() - expectations_ + log_events_.size();
}

absl::StatusOr<std::optional<std::string>> ScanPage(Kv& kv, ColumnFamily family,
                                                    absl::string_view start,
                                                    size_t limit,
                                                    const Kv::Visitor& visit) {
  size_t seen = 0;
  bool stopped = false;
  std::string last;
  absl::Status read = kv.Scan(
      family, start, [&](absl::string_view key, absl::string_view value) {
        if (!visit(key, value)) {
          stopped = true;
          return false;
        }
        last.assign(key.data(), key.size());
        return ++seen < limit;
      });
  if (!read.ok()) return read;
  if (stopped || seen < limit) return std::nullopt;
  last.push_back('\0');  // The least key after the page's last.
  return last;
}

absl::Status ScanInPages(Kv& kv, ColumnFamily family, absl::string_view start,
                         size_t page, const Kv::Visitor& visit) {
  std::optional<std::string> from(start);
  while (from.has_value()) {
    absl::StatusOr<std::optional<std::string>> next =
        ScanPage(kv, family, *from, page, visit);
    if (!next.ok()) return next.status();
    from = std::move(*next);
  }
  return absl::OkStatus();
}

}  // namespace tessera::store
