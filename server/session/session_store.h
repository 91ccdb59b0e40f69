#ifndef TESSERA_SERVER_SESSION_SESSION_STORE_H_
#define TESSERA_SERVER_SESSION_SESSION_STORE_H_

// Sessions on RocksDB (docs/sessions.md, docs/architecture.md): issue, rotate,
// detect reuse, revoke.
//
// Invariants:
//  - Each operation is one atomic store::Batch: a session and its revocation
//    event, its subject-index entry, or its rotation land together or not
//    at all; writes are durable per the store's write options.
//  - Rotation is a compare-and-swap: the read-modify-write of a session
//    happens under that session's lock stripe (within one process), and
//    its batch Expects the record it read (store::Kv), so two refreshes of
//    one generation can never both rotate, on one replica or on several
//    sharing a store. A write conflict re-reads and decides again (at most
//    kMaxConflictRetries times, then UNAVAILABLE STORE_UNAVAILABLE): the
//    loser then finds its secret retired within the grace window and gets
//    the winner's successor. The record a rotation expects is the one read,
//    or, for a session this process wrote last, the bytes it wrote (its
//    hint, record_hints.h): a refresh presenting the hinted current secret
//    rotates without reading first; a stale hint fails the compare and the
//    refresh is decided again on a read, at once.
//  - A refresh token whose secret matches nothing ever issued for the
//    session is REFRESH_TOKEN_INVALID and changes nothing.
//  - A retired secret gets the *current* successor back (each successor is
//    sealed under a key derived from its parent's secret, so only a holder
//    of the parent can recover it):
//      within the grace window of its retirement (racing tabs), whichever
//      generation it is, up to kMaxRetiredInGrace back;
//      after it, the previous generation while the current one was never
//      used (a lost answer) — unless the previous one was itself handed out
//      twice that way (strict), since then a thief may hold it.
//    Any other retired secret is reuse, which revokes the session. So a
//    thief and the user holding one parent end on one successor, and
//    whoever uses it second is detected.
//  - Nothing half-done: Issue and Refresh mint the access token (the
//    caller's Minter) before they write, and write nothing if it fails;
//    UpdateClaims checks the result for every affected session first.
//  - A session's claims live in its record: UpdateClaims computes each
//    session's new claims from that session's own, and writes them into
//    every affected record (with the generation) in one batch, holding the
//    stripes of all of them, as RevokeSubject does, so that a refresh's
//    read-modify-write never interleaves with it. A legacy pending update
//    (SubjectState.claims, written by earlier releases) later than a
//    session's claims_updated_at is applied on top when minting.
//  - Stale-claims cut-offs are ordered by the subject's generation, not by
//    time: UpdateClaims{invalidate} raises it under the subject's lock, and
//    every token carries the generation read with the claims it was minted
//    from (ActiveSession::subject_generation), so a token minted after the
//    cut-off passes it and one minted before does not, within one second
//    or not.
//  - Sessions belong to a session group (the issuing caller's). An Access
//    that is not the group's (and not admin) sees no such session.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "client/revocation/revocation_state.h"
#include "google/protobuf/struct.pb.h"
#include "server/revocation/revocation_log.h"
#include "server/session/record_hints.h"
#include "server/store/kv.h"
#include "tessera/v1/storage.pb.h"
#include "tessera/v1/token_authority.pb.h"

namespace tessera::session {

// Generations retired within the grace window that still reach the current
// secret (two tabs racing through several rotations).
inline constexpr size_t kMaxRetiredInGrace = 16;

// Times an operation is tried again after a write conflict.
inline constexpr int kMaxConflictRetries = 16;

struct SessionOptions {
  absl::Duration session_ttl = absl::Hours(24 * 30);
  absl::Duration idle_ttl = absl::Hours(24 * 7);
  absl::Duration refresh_grace = absl::Seconds(10);
  // How long a revocation must be remembered: the longest access token
  // plus leeway, and at least until `earlier_tokens_expire_by` (tokens an
  // earlier run minted with a longer lifetime; see horizon.h).
  absl::Duration revocation_horizon = absl::Minutes(16);
  absl::Time earlier_tokens_expire_by = absl::InfinitePast();
  // Retired generations kept per session to prove reuse (outside the
  // session record, in retired_generations: a refresh rewrites only the
  // small record, however long the session has lived).
  int max_retired_hashes = 64;
  // Session records this process last wrote, kept so that the next refresh
  // of a session rotated here writes without reading it first
  // (record_hints.h; a stale hint costs one failed write). 0: none.
  size_t refresh_hints = 16384;
};

// Whose sessions a call may see: those of `group`, or every group.
struct Access {
  std::string group;
  bool all_groups = false;  // Admins.
  bool Allows(const tessera::v1::SessionRecord& record) const {
    return all_groups || record.session_group() == group;
  }
};

struct NewSession {
  std::string subject;
  std::string session_group;
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
  // The subject's generation, read with `claims` (the `sgen` claim).
  uint64_t subject_generation = 0;
};

// Prepares the access token of `session` (and keeps it for the answer); an
// error means the session cannot be answered and nothing may be written.
// May be called twice for one answer (MintAndWrite): the last call's
// session is the one answered.
using Minter = absl::FunctionRef<absl::Status(const ActiveSession& session)>;

// Adds records that must land in the same batch as a new session (its
// request id, request_ids.h).
using AddToBatch =
    absl::FunctionRef<void(const ActiveSession& session, store::Batch& batch)>;

struct RevokeResult {
  int64_t revoked_count = 0;
  uint64_t sequence = 0;  // 0 if nothing was revoked.
};

class SessionStore {
 public:
  SessionStore(store::Kv* store, revocation::RevocationLog* log,
               revocation::RevocationState* state, SessionOptions options);

  // Writes the session only if `mint` succeeds for it; `also` adds what
  // must be written with it, in the same batch.
  absl::StatusOr<ActiveSession> Issue(const NewSession& request, absl::Time now,
                                      Minter mint);
  absl::StatusOr<ActiveSession> Issue(const NewSession& request, absl::Time now,
                                      Minter mint, AddToBatch also);

  // A retried issue (request_ids.h): the session's first refresh token
  // again, with a new access token, while `secret` is still its current
  // secret (never rotated) and it is neither revoked nor expired. Writes
  // nothing. Errors: FAILED_PRECONDITION (REQUEST_ID_SPENT) if it was
  // rotated, revoked, expired or purged.
  absl::StatusOr<ActiveSession> Reissue(absl::string_view session_id,
                                        absl::string_view secret,
                                        absl::Time now, Minter mint);

  // Rotates, or within the grace window returns the same successor; a
  // rotation is written only if `mint` succeeds for it. A session `access`
  // may not see is REFRESH_TOKEN_INVALID.
  // Errors (UNAUTHENTICATED): REFRESH_TOKEN_INVALID, REFRESH_TOKEN_REUSED,
  // SESSION_REVOKED, SESSION_EXPIRED.
  absl::StatusOr<ActiveSession> Refresh(absl::string_view refresh_token,
                                        const Access& access, absl::Time now,
                                        Minter mint);

  // Each revokes what `access` may see, with one SessionRevoked event per
  // session; unknown, unseen or already revoked sessions count 0.
  absl::StatusOr<RevokeResult> RevokeSession(absl::string_view session_id,
                                             const Access& access,
                                             absl::string_view reason,
                                             absl::Time now);
  // Only if the token's secret is the session's current or a retired one.
  absl::StatusOr<RevokeResult> RevokeByRefreshToken(
      absl::string_view refresh_token, const Access& access,
      absl::string_view reason, absl::Time now);
  absl::StatusOr<RevokeResult> RevokeSubject(absl::string_view subject,
                                             const Access& access,
                                             absl::string_view reason,
                                             absl::Time now);

  // The claims of the subject's live sessions in `access.group` (for
  // admins too) change: each gets `claims` applied to its own current
  // claims as `mode` says (REPLACE, MERGE_TOP_LEVEL or MERGE_PATCH; any
  // other mode is INVALID_ARGUMENT CLAIMS_MODE_INVALID), and its next
  // access token carries the result. Revoked and expired sessions are left
  // alone; the subject's index is read up to kMaxListedSessions entries.
  // `fits` is called first with what each changed session would mint next;
  // if it fails for any, nothing is written and its error is returned.
  // With `invalidate_access_tokens`, the subject's generation rises and
  // tokens minted before are STALE_CLAIMS from now on; returns that event's
  // sequence (else 0).
  absl::StatusOr<uint64_t> UpdateClaims(absl::string_view subject,
                                        const Access& access,
                                        const google::protobuf::Struct& claims,
                                        tessera::v1::ClaimsMode mode,
                                        bool invalidate_access_tokens,
                                        absl::Time now, Minter fits);

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
  absl::StatusOr<Page> List(absl::string_view subject, const Access& access,
                            int page_size, absl::string_view page_token,
                            bool include_ended, absl::Time now);

  // NOT_FOUND (SESSION_NOT_FOUND) if there is no such session `access` may
  // see.
  absl::StatusOr<tessera::v1::SessionRecord> Get(absl::string_view session_id,
                                                 const Access& access);

  // The session id a refresh token names, if it is well-formed.
  static std::optional<std::string> SessionIdOf(
      absl::string_view refresh_token);

  // Refreshes rotated from a hint, and hints found stale (another writer
  // changed the record; the refresh read it and decided again).
  struct HintStats {
    uint64_t rotated = 0;
    uint64_t stale = 0;
  };
  HintStats hint_stats() const {
    return {hints_rotated_.load(std::memory_order_relaxed),
            hints_stale_.load(std::memory_order_relaxed)};
  }

 private:
  static constexpr int kStripes = 256;
  static constexpr int kSubjectStripes = 64;

  absl::Mutex& StripeFor(absl::string_view session_id);
  absl::Mutex& SubjectStripeFor(absl::string_view subject);
  // Holds the stripes of a set of sessions while it lives: each stripe
  // once, taken in address order, so two holders cannot deadlock. Taken
  // after the subject's stripe, if at all.
  class StripesLock {
   public:
    StripesLock(SessionStore& store,
                const std::vector<std::string>& session_ids);
    ~StripesLock();
    StripesLock(const StripesLock&) = delete;
    StripesLock& operator=(const StripesLock&) = delete;

   private:
    std::set<absl::Mutex*> stripes_;
  };
  // The subject's sessions, from the index (up to kMaxListedSessions).
  absl::StatusOr<std::vector<std::string>> SessionIdsOf(
      absl::string_view subject);
  // With `raw`, also the record's stored bytes (for Batch::Expect).
  absl::StatusOr<std::optional<tessera::v1::SessionRecord>> Read(
      absl::string_view session_id, std::string* raw = nullptr);
  absl::StatusOr<tessera::v1::SubjectState> ReadSubject(
      absl::string_view subject, std::optional<std::string>* raw = nullptr);
  // A rotation from this process's hint of the record (the stripe is held):
  // nullopt unless the hint says `secret` is the current one and the write
  // over the hinted bytes went through (a stale hint is dropped).
  std::optional<absl::StatusOr<ActiveSession>> RefreshFromHint(
      absl::string_view session_id, absl::string_view secret,
      const Access& access, absl::Time now, Minter mint);
  // One attempt of each operation; its stripes are held.
  absl::StatusOr<ActiveSession> RefreshLocked(absl::string_view session_id,
                                              absl::string_view secret,
                                              const Access& access,
                                              absl::Time now, Minter mint);
  absl::StatusOr<uint64_t> UpdateClaimsLocked(
      absl::string_view subject, const Access& access,
      const google::protobuf::Struct& claims, tessera::v1::ClaimsMode mode,
      bool invalidate_access_tokens, absl::Time now, Minter fits);
  absl::StatusOr<RevokeResult> RevokeSubjectLocked(absl::string_view subject,
                                                   const Access& access,
                                                   absl::string_view reason,
                                                   absl::Time now);
  // Adds the revocation of `record` to `batch` (record updated in place)
  // and returns its event.
  tessera::v1::RevocationEvent MarkRevoked(tessera::v1::SessionRecord& record,
                                           absl::string_view reason,
                                           absl::Time now, store::Batch& batch);
  // Revokes `record` (its stripe is held; `expected` its stored bytes) with
  // its event; the sequence.
  absl::StatusOr<uint64_t> RevokeLocked(tessera::v1::SessionRecord& record,
                                        const std::string& expected,
                                        absl::string_view reason,
                                        absl::Time now);
  // Commits `batch` with `events` to the log, then applies them to the
  // in-memory state; returns the last one's sequence.
  absl::StatusOr<uint64_t> CommitEvents(
      store::Batch& batch, std::vector<tessera::v1::RevocationEvent> events,
      absl::Time now);
  // When a revocation made at `now` can be forgotten.
  absl::Time ForgetAfter(absl::Time now) const;
  // What `record` mints next, given its subject's state.
  static ActiveSession Next(tessera::v1::SessionRecord record,
                            std::string refresh_token,
                            const tessera::v1::SubjectState& subject);
  absl::StatusOr<ActiveSession> Finish(tessera::v1::SessionRecord record,
                                       std::string refresh_token);
  // Mints what `record` answers, then writes `batch` (with what `also` adds)
  // and reads the subject's state in the same round trip (Batch::Read). The
  // first mint assumes a subject without state, the common case, so nothing
  // is written for an answer that cannot be minted; a subject that has state
  // is minted again from it after the write (it only raises the generation
  // or applies a legacy claims update, which never makes a token
  // unmintable).
  absl::StatusOr<ActiveSession> MintAndWrite(tessera::v1::SessionRecord record,
                                             std::string refresh_token,
                                             store::Batch& batch, Minter mint,
                                             AddToBatch also);
  // Refresh's outcomes (the stripe is held): a rotation, or the current
  // successor handed back to a retired secret that may still reach it;
  // `again` (after the grace window) makes the successor strict. Each
  // writes only over `expected`, the record's stored bytes as read.
  absl::StatusOr<ActiveSession> Rotate(tessera::v1::SessionRecord record,
                                       const std::string& expected,
                                       absl::string_view secret, absl::Time now,
                                       Minter mint);
  absl::StatusOr<ActiveSession> HandBack(
      tessera::v1::SessionRecord record, const std::string& expected,
      const std::map<uint64_t, tessera::v1::RetiredGeneration>& retired,
      std::string secret, bool again, Minter mint);
  // Adds to `batch`, before a rotation: the previous generation as a
  // retired_generations entry, the deletion of the one that falls out of
  // max_retired_hashes, and a legacy record's lists moved out.
  void RetireGeneration(tessera::v1::SessionRecord& record,
                        store::Batch& batch) const;

  // Which of the session's secrets a presented one is.
  enum class Presented { kCurrent, kPrevious, kInGrace, kRetired, kUnknown };
  struct Classified {
    Presented presented;
    // Generations older than the previous one, by generation; read only
    // when the secret is neither current nor previous.
    std::map<uint64_t, tessera::v1::RetiredGeneration> retired;
  };
  // kInGrace: retired within the grace window of `now`, at most
  // kMaxRetiredInGrace generations before the previous one.
  absl::StatusOr<Classified> Classify(const tessera::v1::SessionRecord& record,
                                      absl::string_view hash, absl::Time now);
  // The session's retired_generations entries, and a legacy record's.
  absl::StatusOr<std::map<uint64_t, tessera::v1::RetiredGeneration>>
  ReadRetired(const tessera::v1::SessionRecord& record);
  // Writes `batch` (a failure is STORE_UNAVAILABLE, a failed expectation
  // WRITE_CONFLICT); once written, the session records it put are this
  // process's hints of them.
  absl::Status Write(store::Batch& batch);

  store::Kv* store_;
  revocation::RevocationLog* log_;
  revocation::RevocationState* state_;
  const SessionOptions options_;
  RecordHints hints_;
  std::atomic<uint64_t> hints_rotated_{0};
  std::atomic<uint64_t> hints_stale_{0};
  std::array<absl::Mutex, kStripes> stripes_;
  // Serialize read-modify-writes of a subject's subject_state record and
  // its sign-outs. Taken before any session stripe.
  std::array<absl::Mutex, kSubjectStripes> subject_stripes_;
};

// The subject-index key: subject, NUL, session id.
std::string SubjectIndexKey(absl::string_view subject,
                            absl::string_view session_id);

}  // namespace tessera::session

#endif  // TESSERA_SERVER_SESSION_SESSION_STORE_H_
