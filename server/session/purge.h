#ifndef TESSERA_SERVER_SESSION_PURGE_H_
#define TESSERA_SERVER_SESSION_PURGE_H_

// Expired sessions are purged without an operator (docs/sessions.md): RocksDB
// compaction filters drop session records and subject-index entries a
// retention period after the session ended, and periodic compaction makes
// sure every file is visited even in a quiet database.
//
// A purged session is simply unknown: its refresh token is then
// REFRESH_TOKEN_INVALID (it could only have been SESSION_EXPIRED or
// SESSION_REVOKED), and its access tokens expired long before.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "rocksdb/compaction_filter.h"
#include "tessera/v1/storage.pb.h"

namespace tessera::session {

// How long an ended (expired or revoked) session stays readable, for
// GetSession and "your devices" pages.
inline constexpr absl::Duration kEndedSessionRetention = absl::Hours(24);

// Past its absolute or its idle expiry at `now`.
bool HasExpired(const tessera::v1::SessionRecord& record, absl::Time now);
// True if `record` can still be refreshed at `now` (what RefreshSession
// checks): not revoked, before its absolute and its idle expiry.
bool IsLive(const tessera::v1::SessionRecord& record, absl::Time now);

// Filters for the sessions, subject_index and retired_generations column
// families. Stateless singletons: they outlive any DB that uses them. A
// retired generation goes with its session's absolute expiry (a revoked or
// idle-expired session's entries, at most max_retired_hashes, wait for it).
const rocksdb::CompactionFilter* ExpiredSessionFilter();
const rocksdb::CompactionFilter* ExpiredSubjectIndexFilter();
const rocksdb::CompactionFilter* ExpiredRetiredGenerationFilter();

// The subject-index value: the session's absolute expiry.
std::string EncodeIndexValue(absl::Time expires_at);
std::optional<absl::Time> DecodeIndexValue(const rocksdb::Slice& value);

}  // namespace tessera::session

#endif  // TESSERA_SERVER_SESSION_PURGE_H_
