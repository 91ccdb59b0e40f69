#ifndef TESSERA_SERVER_SESSION_REQUEST_IDS_H_
#define TESSERA_SERVER_SESSION_REQUEST_IDS_H_

// Client request ids: a retried IssueSession gets the session its first
// attempt started, instead of a second one.
//
// A caller may name an issue with an id of its own choosing
// (IssueSessionRequest.request_id, e.g. a UUID made before the first
// attempt). Within kRequestIdLifetime of the attempt that succeeded, the same
// id from the same session group
//  - with the same request (IssueRequestHash) returns the SAME session: its
//    id and its first refresh token, with a newly minted access token, while
//    that refresh token is the session's current one and the session is
//    neither revoked nor expired; else FAILED_PRECONDITION REQUEST_ID_SPENT
//    (a retry never revives a session nor forks one: start over with a new
//    id);
//  - with any other request is ALREADY_EXISTS REQUEST_ID_REUSED.
// Other groups' ids are unrelated, whatever their text.
//
// Storage: meta column family, kRequestIdKeyPrefix (purge.h) +
// SHA-256(group, id) -> IssueRequestRecord, written in the new session's own
// batch (both or neither), only over the entry read (Batch::Expect):
// replicas racing one id make one session. The first refresh secret is
// sealed with AES-256-GCM under a key derived from the KEK and (group, id):
// the store alone cannot open it, nor can the KEK without the id, which is
// never stored. An entry is read only until it expires and is purged after
// that (purge.h). Only an issue that succeeded writes an entry, so a caller
// has at most as many as sessions its issue rate limit let it start in a
// day (about 200 bytes each).
//
// Concurrency: attempts with one id serialize on the id's lock stripe, so
// concurrent ones make one session: the first writes, the others read its
// entry. Lock order: a request-id stripe, then a session stripe (Reissue).
//
// Thread-safe. The Store and SessionStore must outlive a RequestIds.

#include <array>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/session/purge.h"
#include "server/session/session_store.h"
#include "server/store/kv.h"
#include "tessera/v1/storage.pb.h"
#include "tessera/v1/token_authority.pb.h"

namespace tessera::session {

inline constexpr absl::Duration kRequestIdLifetime = absl::Hours(24);
inline constexpr size_t kMinRequestIdBytes = 16;
inline constexpr size_t kMaxRequestIdBytes = 128;

// OK for 16-128 bytes of printable ASCII (0x20-0x7E); else INVALID_ARGUMENT
// REQUEST_ID_INVALID saying which rule failed (never echoing the id).
absl::Status CheckRequestId(absl::string_view request_id);

// SHA-256 of the canonical form of what `request` asks for, without its
// request_id, and of the issuing caller `client_id`: the subject, audiences
// (in order), claims (keys sorted, at every depth), TTLs as requested (unset
// differs from any value) and client info. Equal for two attempts of one
// request, different if any of these differs. For validated requests (the
// claims' depth is bounded).
std::string IssueRequestHash(const tessera::v1::IssueSessionRequest& request,
                             absl::string_view client_id);

class RequestIds {
 public:
  // `kek` (the 32-byte key-encryption key) only derives the sealing key;
  // it is not kept.
  RequestIds(store::Kv* store, SessionStore* sessions, absl::string_view kek);
  ~RequestIds();

  // Issues `request` as `request_id` (it passed CheckRequestId), or answers
  // a retry of it as above. `request_hash` is IssueRequestHash of the call.
  // Errors: ALREADY_EXISTS (REQUEST_ID_REUSED), FAILED_PRECONDITION
  // (REQUEST_ID_SPENT), and those of SessionStore::Issue.
  absl::StatusOr<ActiveSession> Issue(const NewSession& request,
                                      absl::string_view request_id,
                                      absl::string_view request_hash,
                                      absl::Time now, Minter mint);

 private:
  static constexpr int kStripes = 64;

  absl::Mutex& StripeFor(absl::string_view key);
  // The unexpired entry under `key`, if any.
  // `raw` gets the stored bytes, expired or not.
  absl::StatusOr<std::optional<tessera::v1::IssueRequestRecord>> Read(
      absl::string_view key, absl::Time now, std::optional<std::string>* raw);
  absl::StatusOr<ActiveSession> IssueOnce(const NewSession& request,
                                          absl::string_view key,
                                          absl::string_view scope,
                                          absl::string_view request_hash,
                                          absl::Time now, Minter mint);
  // The AES-256 key sealing the first secret of the session `scope` names.
  std::string SealingKey(absl::string_view scope) const;
  absl::StatusOr<ActiveSession> Retry(
      const tessera::v1::IssueRequestRecord& entry, absl::string_view scope,
      absl::string_view request_hash, absl::Time now, Minter mint);

  store::Kv* const store_;
  SessionStore* const sessions_;
  std::string key_;  // Derived from the KEK. Secret.
  std::array<absl::Mutex, kStripes> stripes_;
};

}  // namespace tessera::session

#endif  // TESSERA_SERVER_SESSION_REQUEST_IDS_H_
