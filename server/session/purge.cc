#include "server/session/purge.h"

#include <algorithm>

#include "absl/time/clock.h"
#include "server/store/timestamps.h"
#include "tessera/v1/storage.pb.h"

namespace tessera::session {
namespace {

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

class SessionFilter : public rocksdb::CompactionFilter {
 public:
  bool Filter(int, const rocksdb::Slice&, const rocksdb::Slice& value,
              std::string*, bool*) const override {
    tessera::v1::SessionRecord record;
    if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return false;  // Never drop what we cannot read.
    }
    return EndOf(record) + kEndedSessionRetention < absl::Now();
  }
  const char* Name() const override { return "tessera.ExpiredSessions"; }
};

class SubjectIndexFilter : public rocksdb::CompactionFilter {
 public:
  bool Filter(int, const rocksdb::Slice&, const rocksdb::Slice& value,
              std::string*, bool*) const override {
    std::optional<absl::Time> expires = DecodeIndexValue(value);
    return expires.has_value() &&
           *expires + kEndedSessionRetention < absl::Now();
  }
  const char* Name() const override { return "tessera.ExpiredSubjectIndex"; }
};

class RetiredGenerationFilter : public rocksdb::CompactionFilter {
 public:
  bool Filter(int, const rocksdb::Slice&, const rocksdb::Slice& value,
              std::string*, bool*) const override {
    tessera::v1::RetiredGeneration retired;
    if (!retired.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return false;
    }
    return FromTimestamp(retired.session_expires_at()) +
               kEndedSessionRetention <
           absl::Now();
  }
  const char* Name() const override {
    return "tessera.ExpiredRetiredGenerations";
  }
};

}  // namespace

bool HasExpired(const tessera::v1::SessionRecord& record, absl::Time now) {
  return now >= FromTimestamp(record.expires_at()) ||
         now >= FromTimestamp(record.idle_expires_at());
}

bool IsLive(const tessera::v1::SessionRecord& record, absl::Time now) {
  return !record.has_revoked_at() && !HasExpired(record, now);
}

const rocksdb::CompactionFilter* ExpiredRetiredGenerationFilter() {
  static const RetiredGenerationFilter* filter = new RetiredGenerationFilter();
  return filter;
}

const rocksdb::CompactionFilter* ExpiredSessionFilter() {
  static const SessionFilter* filter = new SessionFilter();
  return filter;
}

const rocksdb::CompactionFilter* ExpiredSubjectIndexFilter() {
  static const SubjectIndexFilter* filter = new SubjectIndexFilter();
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

std::optional<absl::Time> DecodeIndexValue(const rocksdb::Slice& value) {
  if (value.size() != 8) return std::nullopt;
  uint64_t seconds = 0;
  for (size_t i = 0; i < 8; ++i) {
    seconds = (seconds << 8) | static_cast<uint8_t>(value[i]);
  }
  return absl::FromUnixSeconds(static_cast<int64_t>(seconds));
}

}  // namespace tessera::session
