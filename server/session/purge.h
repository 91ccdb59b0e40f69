#ifndef TESSERA_SERVER_SESSION_PURGE_H_
#define TESSERA_SERVER_SESSION_PURGE_H_

// What has expired for good, and may be dropped (docs/sessions.md): a
// session record, its subject-index entry and its retired generations a
// retention period after the session ended, and a client request id after
// its lifetime. One rule (Purgeable), applied two ways:
//  - RocksDB: compaction filters (below) drop such records as files are
//    compacted; periodic compaction makes sure every file is visited even in
//    a quiet database.
//  - PostgreSQL, which has no compaction filters: batched deletes
//    (session/purger.h).
//
// A purged session is simply unknown: its refresh token is then
// REFRESH_TOKEN_INVALID (it could only have been SESSION_EXPIRED or
// SESSION_REVOKED), and its access tokens expired long before.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "rocksdb/compaction_filter.h"
#include "server/store/kv.h"
#include "tessera/v1/storage.pb.h"

namespace tessera::session {

// How long an ended (expired or revoked) session stays readable, for
// GetSession and "your devices" pages.
inline constexpr absl::Duration kEndedSessionRetention = absl::Hours(24);
// Meta keys of client request-id entries (session/request_ids.h) start
// with this.
inline constexpr char kRequestIdKeyPrefix[] = "request_id/";

// Past its absolute or its idle expiry at `now`.
bool HasExpired(const tessera::v1::SessionRecord& record, absl::Time now);
// True if `record` can still be refreshed at `now` (what RefreshSession
// checks): not revoked, before its absolute and its idle expiry.
bool IsLive(const tessera::v1::SessionRecord& record, absl::Time now);

// Whether the record `key` -> `value` of `family` may be dropped at `now`:
//  - sessions: ended (revoked, idle-expired or expired, whichever first)
//    more than kEndedSessionRetention ago;
//  - subject_index, retired_generations: their session's absolute expiry
//    more than kEndedSessionRetention ago (a revoked or idle-expired
//    session's entries, at most max_retired_hashes, wait for it);
//  - meta: request-id entries past their expiry; nothing else;
//  - every other family: never.
// A value that does not parse is never purgeable.
bool Purgeable(store::ColumnFamily family, absl::string_view key,
               absl::string_view value, absl::Time now);
// The families Purgeable may answer true for.
inline constexpr store::ColumnFamily kPurgedFamilies[] = {
    store::ColumnFamily::kSessions, store::ColumnFamily::kSubjectIndex,
    store::ColumnFamily::kRetiredGenerations, store::ColumnFamily::kMeta};

// Compaction filters applying Purgeable at the time of compaction to the
// sessions, subject_index, retired_generations and meta column families.
// Stateless singletons: they outlive any DB that uses them.
const rocksdb::CompactionFilter* ExpiredSessionFilter();
const rocksdb::CompactionFilter* ExpiredSubjectIndexFilter();
const rocksdb::CompactionFilter* ExpiredRetiredGenerationFilter();
const rocksdb::CompactionFilter* ExpiredRequestIdFilter();

// The subject-index value: the session's absolute expiry.
std::string EncodeIndexValue(absl::Time expires_at);
std::optional<absl::Time> DecodeIndexValue(absl::string_view value);

}  // namespace tessera::session

#endif  // TESSERA_SERVER_SESSION_PURGE_H_
