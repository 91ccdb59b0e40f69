#include "server/session/purge.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "server/store/timestamps.h"
#include "tessera/v1/storage.pb.h"

namespace tessera::session {
namespace {

using store::ColumnFamily;
using store::FromTimestamp;

// When the session ended: revoked, idle-expired or expired, whichever first.
absl::Time EndOf(const tessera::v1::SessionRecord& record) {
  absl::Time end = std::min(FromTimestamp(record.expires_at()),
                            FromTimestamp(record.idle_expires_at()));
  if (record.has_revoked_at()) {
    end = std::min(end, FromTimestamp(record.revoked_at()));
  }
  return end;
}

template <typename Message>
bool Parse(absl::string_view value, Message& message) {
  return message.ParseFromArray(value.data(), static_cast<int>(value.size()));
}

// When the record may go; nullopt: never (unreadable, or not ours to drop).
std::optional<absl::Time> DroppableAfter(ColumnFamily family,
                                         absl::string_view key,
                                         absl::string_view value) {
  switch (family) {
    case ColumnFamily::kSessions: {
      tessera::v1::SessionRecord record;
      if (!Parse(value, record)) return std::nullopt;
      return EndOf(record) + kEndedSessionRetention;
    }
    case ColumnFamily::kSubjectIndex: {
      std::optional<absl::Time> expires = DecodeIndexValue(value);
      if (!expires.has_value()) return std::nullopt;
      return *expires + kEndedSessionRetention;
    }
    case ColumnFamily::kRetiredGenerations: {
      tessera::v1::RetiredGeneration retired;
      if (!Parse(value, retired)) return std::nullopt;
      return FromTimestamp(retired.session_expires_at()) +
             kEndedSessionRetention;
    }
    case ColumnFamily::kMeta: {
      tessera::v1::IssueRequestRecord entry;
      if (!absl::StartsWith(key, kRequestIdKeyPrefix) || !Parse(value, entry)) {
        return std::nullopt;
      }
      return FromTimestamp(entry.expires_at());
    }
    default:
      return std::nullopt;
  }
}

// Purgeable at the time of compaction, for one family.
class PurgeFilter : public rocksdb::CompactionFilter {
 public:
  PurgeFilter(ColumnFamily family, const char* name)
      : family_(family), name_(name) {}

  bool Filter(int, const rocksdb::Slice& key, const rocksdb::Slice& value,
              std::string*, bool*) const override {
    return Purgeable(family_, absl::string_view(key.data(), key.size()),
                     absl::string_view(value.data(), value.size()),
                     absl::Now());
  }
  const char* Name() const override { return name_; }

 private:
  const ColumnFamily family_;
  const char* const name_;
};

}  // namespace

bool HasExpired(const tessera::v1::SessionRecord& record, absl::Time now) {
  return now >= FromTimestamp(record.expires_at()) ||
         now >= FromTimestamp(record.idle_expires_at());
}

bool IsLive(const tessera::v1::SessionRecord& record, absl::Time now) {
  return !record.has_revoked_at() && !HasExpired(record, now);
}

bool Purgeable(ColumnFamily family, absl::string_view key,
               absl::string_view value, absl::Time now) {
  std::optional<absl::Time> after = DroppableAfter(family, key, value);
  return after.has_value() && *after < now;
}

// The names are on disk (RocksDB's OPTIONS file); changing one is harmless
// but pointless.
const rocksdb::CompactionFilter* ExpiredSessionFilter() {
  static const PurgeFilter* filter =
      new PurgeFilter(ColumnFamily::kSessions, "tessera.ExpiredSessions");
  return filter;
}

const rocksdb::CompactionFilter* ExpiredSubjectIndexFilter() {
  static const PurgeFilter* filter = new PurgeFilter(
      ColumnFamily::kSubjectIndex, "tessera.ExpiredSubjectIndex");
  return filter;
}

const rocksdb::CompactionFilter* ExpiredRetiredGenerationFilter() {
  static const PurgeFilter* filter = new PurgeFilter(
      ColumnFamily::kRetiredGenerations, "tessera.ExpiredRetiredGenerations");
  return filter;
}

const rocksdb::CompactionFilter* ExpiredRequestIdFilter() {
  static const PurgeFilter* filter =
      new PurgeFilter(ColumnFamily::kMeta, "tessera.ExpiredRequestIds");
  return filter;
}

std::string EncodeIndexValue(absl::Time expires_at) {
  uint64_t seconds = static_cast<uint64_t>(absl::ToUnixSeconds(expires_at));
  std::string value(8, '\0');
  for (int i = 7; i >= 0; --i) {
    value[i] = static_cast<char>(seconds & 0xff);
    seconds >>= 8;
  }
  return value;
}

std::optional<absl::Time> DecodeIndexValue(absl::string_view value) {
  if (value.size() != 8) return std::nullopt;
  uint64_t seconds = 0;
  for (size_t i = 0; i < 8; ++i) {
    seconds = (seconds << 8) | static_cast<uint8_t>(value[i]);
  }
  return absl::FromUnixSeconds(static_cast<int64_t>(seconds));
}

}  // namespace tessera::session
