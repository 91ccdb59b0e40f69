#ifndef TESSERA_SERVER_SESSION_SESSION_STORE_H_
#define TESSERA_SERVER_SESSION_SESSION_STORE_H_

// Sessions on RocksDB (DESIGN §5, §6): issue, rotate, detect reuse, revoke.
//
// Invariants:
//  - Each operation is one atomic WriteBatch: a session and its revocation
//    event, its subject-index entry, or its rotation land together or not
//    at all; writes are durable per the store's write options.
//  - Rotation is a compare-and-swap: the read-modify-write of a session
//    happens under that session's lock stripe (one process owns the data
//    dir), so two refreshes of one generation can never both rotate.
//  - A refresh token whose secret matches nothing ever issued for the
//    session is REFRESH_TOKEN_INVALID and changes nothing. Only a secret
//    that was issued and later retired (outside the grace window) is reuse,
//    which revokes the session.
//  - Within the grace window the just-retired secret recovers the *same*
//    successor (sealed under a key derived from the retired secret).
//  - Access-token `iat` never precedes a subject's cut-offs: tokens minted
//    after a cut-off pass it (see MintTime).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "client/revocation/revocation_state.h"
#include "google/protobuf/struct.pb.h"
#include "server/revocation/revocation_log.h"
#include "server/store/store.h"
#include "tessera/v1/storage.pb.h"
#include "tessera/v1/token_authority.pb.h"

namespace tessera::session {

struct SessionOptions {
  absl::Duration session_ttl = absl::Hours(24 * 30);
  absl::Duration idle_ttl = absl::Hours(24 * 7);
  absl::Duration refresh_grace = absl::Seconds(10);
  // How long a revoked session must be remembered: the longest access
  // token plus leeway.
  absl::Duration revocation_horizon = absl::Minutes(16);
  // Retired generations kept per session to prove reuse.
  int max_retired_hashes = 64;
};

struct NewSession {
  std::string subject;
  std::vector<std::string> audience;
  google::protobuf::Struct claims;
  tessera::v1::ClientInfo client;
  std::string client_id;
  absl::Duration access_ttl;
  absl::Duration session_ttl;  // Already capped by the caller.
};

// A session after Issue or Refresh: what an access token is minted from.
struct ActiveSession {
  tessera::v1::SessionRecord record;
  std::string refresh_token;
  // The claims the next access token carries.
  google::protobuf::Struct claims;
  // The earliest `iat` the next access token may carry.
  absl::Time not_before_iat = absl::InfinitePast();
};

struct RevokeResult {
  int64_t revoked_count = 0;
  uint64_t sequence = 0;  // 0 if nothing was revoked.
};

class SessionStore {
 public:
  SessionStore(store::Store* store, revocation::RevocationLog* log,
               revocation::RevocationState* state, SessionOptions options);

  absl::StatusOr<ActiveSession> Issue(const NewSession& request,
                                      absl::Time now);

  // Rotates, or within the grace window returns the same successor.
  // Errors (UNAUTHENTICATED): REFRESH_TOKEN_INVALID, REFRESH_TOKEN_REUSED,
  // SESSION_REVOKED, SESSION_EXPIRED.
  absl::StatusOr<ActiveSession> Refresh(absl::string_view refresh_token,
                                        absl::Time now);

  absl::StatusOr<RevokeResult> RevokeSession(absl::string_view session_id,
                                             absl::string_view reason,
                                             absl::Time now);
  absl::StatusOr<RevokeResult> RevokeSubject(absl::string_view subject,
                                             absl::string_view reason,
                                             absl::Time now);

  // The subject's claims change: sessions pick them up at their next
  // refresh. With `invalidate_access_tokens`, tokens of the subject issued
  // before now are STALE_CLAIMS from now on; returns that event's sequence
  // (else 0).
  absl::StatusOr<uint64_t> UpdateClaims(absl::string_view subject,
                                        const google::protobuf::Struct& claims,
                                        bool merge,
                                        bool invalidate_access_tokens,
                                        absl::Time now);

  // The subject's sessions, newest first: live ones, and with
  // `include_ended` also revoked and expired ones not yet purged. Pages
  // continue after `page_token` ("" for the first page); an unreadable token
  // is INVALID_ARGUMENT (PAGE_TOKEN_INVALID). Looks at the newest
  // kMaxListedSessions of a subject.
  struct Page {
    std::vector<tessera::v1::SessionRecord> sessions;
    std::string next_page_token;  // "" on the last page.
  };
  static constexpr int kMaxListedSessions = 10000;
  absl::StatusOr<Page> List(absl::string_view subject, int page_size,
                            absl::string_view page_token, bool include_ended,
                            absl::Time now);

  // NOT_FOUND (SESSION_NOT_FOUND) if there is no such session.
  absl::StatusOr<tessera::v1::SessionRecord> Get(absl::string_view session_id);

  // The session id a refresh token names, if it is well-formed.
  static std::optional<std::string> SessionIdOf(
      absl::string_view refresh_token);

 private:
  static constexpr int kStripes = 256;

  absl::Mutex& StripeFor(absl::string_view session_id);
  absl::StatusOr<std::optional<tessera::v1::SessionRecord>> Read(
      absl::string_view session_id);
  absl::StatusOr<tessera::v1::SubjectState> ReadSubject(
      absl::string_view subject);
  // Adds the revocation of `record` to `batch` (record updated in place).
  void MarkRevoked(tessera::v1::SessionRecord& record, absl::string_view reason,
                   absl::Time now, rocksdb::WriteBatch& batch);
  // Revokes `record` (its stripe is held) with its event; the sequence.
  absl::StatusOr<uint64_t> RevokeLocked(tessera::v1::SessionRecord& record,
                                        absl::string_view reason,
                                        absl::Time now);
  // Commits `batch` with `event` to the log, then applies the event to the
  // in-memory state; returns its sequence.
  absl::StatusOr<uint64_t> CommitEvent(rocksdb::WriteBatch& batch,
                                       tessera::v1::RevocationEvent event,
                                       absl::Time now);
  absl::StatusOr<ActiveSession> Finish(tessera::v1::SessionRecord record,
                                       std::string refresh_token);
  absl::Status Write(rocksdb::WriteBatch& batch);

  store::Store* store_;
  revocation::RevocationLog* log_;
  revocation::RevocationState* state_;
  const SessionOptions options_;
  std::array<absl::Mutex, kStripes> stripes_;
  // Serializes read-modify-writes of subject_state records. Taken before
  // any stripe.
  absl::Mutex subject_mu_;
};

// The subject-index key: subject, NUL, session id.
std::string SubjectIndexKey(absl::string_view subject,
                            absl::string_view session_id);

}  // namespace tessera::session

#endif  // TESSERA_SERVER_SESSION_SESSION_STORE_H_
