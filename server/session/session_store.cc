#include "server/session/session_store.h"

#include <algorithm>
#include <set>

#include "absl/hash/hash.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "client/token/base64url.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "server/errors/errors.h"
#include "server/session/purge.h"
#include "server/session/refresh_token.h"
#include "server/store/timestamps.h"

namespace tessera::session {
namespace {

using store::ColumnFamily;
using store::FromTimestamp;
using store::ToTimestamp;
using tessera::v1::SessionRecord;
using tessera::v1::SubjectState;

absl::Status Unauthenticated(absl::string_view reason,
                             absl::string_view message) {
  return errors::Error(absl::StatusCode::kUnauthenticated, reason, message);
}

absl::Status StoreUnavailable(const rocksdb::Status& status) {
  return errors::Error(absl::StatusCode::kUnavailable, "STORE_UNAVAILABLE",
                       absl::StrCat("the store failed: ", status.ToString()));
}

// Binds a sealed successor to its session and generation.
std::string SealContext(absl::string_view session_id, uint64_t generation) {
  return absl::StrCat(session_id, "/", generation);
}

// Rounds up to a whole second: iat has whole seconds, so a cut-off at
// 100.4 s must be stored as 101 s to reject every token minted before it.
absl::Time CeilSecond(absl::Time t) {
  const absl::Time floor = absl::FromUnixSeconds(absl::ToUnixSeconds(t));
  return floor == t ? t : floor + absl::Seconds(1);
}

}  // namespace

std::string SubjectIndexKey(absl::string_view subject,
                            absl::string_view session_id) {
  return absl::StrCat(subject, absl::string_view("\0", 1), session_id);
}

SessionStore::SessionStore(store::Store* store, revocation::RevocationLog* log,
                           revocation::RevocationState* state,
                           SessionOptions options)
    : store_(store), log_(log), state_(state), options_(options) {}

absl::Mutex& SessionStore::StripeFor(absl::string_view session_id) {
  return stripes_[absl::HashOf(session_id) % kStripes];
}

std::optional<std::string> SessionStore::SessionIdOf(
    absl::string_view refresh_token) {
  std::optional<RefreshToken> parsed = ParseRefreshToken(refresh_token);
  if (!parsed.has_value()) return std::nullopt;
  return parsed->session_id;
}

absl::StatusOr<std::optional<SessionRecord>> SessionStore::Read(
    absl::string_view session_id) {
  std::string value;
  rocksdb::Status got = store_->db()->Get(
      rocksdb::ReadOptions(), store_->handle(ColumnFamily::kSessions),
      rocksdb::Slice(session_id.data(), session_id.size()), &value);
  if (got.IsNotFound()) return std::optional<SessionRecord>();
  if (!got.ok()) return StoreUnavailable(got);
  SessionRecord record;
  if (!record.ParseFromString(value)) {
    return absl::DataLossError(
        absl::StrCat("unreadable session record ", session_id));
  }
  return std::optional<SessionRecord>(std::move(record));
}

absl::StatusOr<SubjectState> SessionStore::ReadSubject(
    absl::string_view subject) {
  std::string value;
  rocksdb::Status got = store_->db()->Get(
      rocksdb::ReadOptions(), store_->handle(ColumnFamily::kSubjectState),
      rocksdb::Slice(subject.data(), subject.size()), &value);
  SubjectState state;
  if (got.IsNotFound()) return state;
  if (!got.ok()) return StoreUnavailable(got);
  if (!state.ParseFromString(value)) {
    return absl::DataLossError("unreadable subject state");
  }
  return state;
}

absl::Status SessionStore::Write(rocksdb::WriteBatch& batch) {
  rocksdb::Status written =
      store_->db()->Write(store_->write_options(), &batch);
  return written.ok() ? absl::OkStatus() : StoreUnavailable(written);
}

absl::StatusOr<ActiveSession> SessionStore::Finish(SessionRecord record,
                                                   std::string refresh_token) {
  absl::StatusOr<SubjectState> subject = ReadSubject(record.subject());
  if (!subject.ok()) return subject.status();
  ActiveSession active;
  active.claims = record.claims();
  if (subject->has_claims() && FromTimestamp(subject->claims_updated_at()) >
                                   FromTimestamp(record.claims_updated_at())) {
    if (!subject->claims_merge()) active.claims.clear_fields();
    for (const auto& [name, value] : subject->claims().fields()) {
      (*active.claims.mutable_fields())[name] = value;
    }
  }
  if (subject->has_claims_not_before()) {
    active.not_before_iat = FromTimestamp(subject->claims_not_before());
  }
  if (subject->has_revoked_not_before()) {
    active.not_before_iat = std::max(
        active.not_before_iat, FromTimestamp(subject->revoked_not_before()));
  }
  active.record = std::move(record);
  active.refresh_token = std::move(refresh_token);
  return active;
}

absl::StatusOr<ActiveSession> SessionStore::Issue(const NewSession& request,
                                                  absl::Time now) {
  RefreshToken token{NewSessionId(), NewSecret()};
  SessionRecord record;
  record.set_session_id(token.session_id);
  record.set_subject(request.subject);
  for (const std::string& aud : request.audience) record.add_audience(aud);
  *record.mutable_client() = request.client;
  record.set_client_id(request.client_id);
  *record.mutable_created_at() = ToTimestamp(now);
  *record.mutable_last_refreshed_at() = ToTimestamp(now);
  const absl::Time expires = now + request.session_ttl;
  *record.mutable_expires_at() = ToTimestamp(expires);
  *record.mutable_idle_expires_at() =
      ToTimestamp(std::min(expires, now + options_.idle_ttl));
  record.set_access_ttl_seconds(absl::ToInt64Seconds(request.access_ttl));
  record.set_generation(0);
  record.set_current_secret_hash(SecretHash(token.secret));
  *record.mutable_claims() = request.claims;
  *record.mutable_claims_updated_at() = ToTimestamp(now);

  rocksdb::WriteBatch batch;
  batch.Put(store_->handle(ColumnFamily::kSessions), token.session_id,
            record.SerializeAsString());
  batch.Put(store_->handle(ColumnFamily::kSubjectIndex),
            SubjectIndexKey(request.subject, token.session_id),
            EncodeIndexValue(expires));
  if (absl::Status written = Write(batch); !written.ok()) return written;
  return Finish(std::move(record), FormatRefreshToken(token));
}

absl::StatusOr<ActiveSession> SessionStore::Refresh(
    absl::string_view refresh_token, absl::Time now) {
  std::optional<RefreshToken> token = ParseRefreshToken(refresh_token);
  if (!token.has_value()) {
    return Unauthenticated("REFRESH_TOKEN_INVALID",
                           "not a refresh token issued by this server");
  }
  absl::MutexLock lock(&StripeFor(token->session_id));
  absl::StatusOr<std::optional<SessionRecord>> read = Read(token->session_id);
  if (!read.ok()) return read.status();
  if (!read->has_value()) {
    return Unauthenticated("REFRESH_TOKEN_INVALID", "unknown refresh token");
  }
  SessionRecord record = **std::move(read);

  // Which generation does the secret belong to, if any?
  const std::string hash = SecretHash(token->secret);
  const bool is_current = HashEquals(hash, record.current_secret_hash());
  const bool is_previous = HashEquals(hash, record.previous_secret_hash());
  bool is_older = false;
  for (const std::string& retired : record.retired_secret_hashes()) {
    is_older |= HashEquals(hash, retired);
  }
  if (!is_current && !is_previous && !is_older) {
    return Unauthenticated("REFRESH_TOKEN_INVALID", "unknown refresh token");
  }
  if (record.has_revoked_at()) {
    return Unauthenticated("SESSION_REVOKED", "the session was revoked");
  }
  if (now >= FromTimestamp(record.expires_at()) ||
      now >= FromTimestamp(record.idle_expires_at())) {
    return Unauthenticated("SESSION_EXPIRED",
                           "the session has expired; sign in again");
  }

  if (is_previous && !is_current &&
      now - FromTimestamp(record.previous_retired_at()) <=
          options_.refresh_grace) {
    // A concurrent or retried refresh: hand out the same successor.
    std::optional<std::string> successor =
        OpenSuccessor(token->secret, record.previous_successor_sealed(),
                      SealContext(record.session_id(), record.generation()));
    if (successor.has_value() &&
        HashEquals(SecretHash(*successor), record.current_secret_hash())) {
      std::string same = FormatRefreshToken({record.session_id(), *successor});
      return Finish(std::move(record), std::move(same));
    }
    return absl::InternalError("grace-window successor does not open");
  }
  if (!is_current) {
    // A retired secret outside the grace window: someone kept a copy.
    absl::StatusOr<uint64_t> revoked =
        RevokeLocked(record, "refresh token reused", now);
    if (!revoked.ok()) return revoked.status();
    return Unauthenticated(
        "REFRESH_TOKEN_REUSED",
        "a retired refresh token was presented; the session is revoked");
  }

  // Rotate: the current secret retires, a new one takes its place.
  const std::string successor = NewSecret();
  const uint64_t generation = record.generation() + 1;
  if (!record.previous_secret_hash().empty()) {
    record.add_retired_secret_hashes(record.previous_secret_hash());
    const int excess =
        record.retired_secret_hashes_size() - options_.max_retired_hashes;
    if (excess > 0) {
      record.mutable_retired_secret_hashes()->DeleteSubrange(0, excess);
    }
  }
  record.set_previous_secret_hash(record.current_secret_hash());
  *record.mutable_previous_retired_at() = ToTimestamp(now);
  record.set_previous_successor_sealed(SealSuccessor(
      token->secret, successor, SealContext(record.session_id(), generation)));
  record.set_current_secret_hash(SecretHash(successor));
  record.set_generation(generation);
  *record.mutable_last_refreshed_at() = ToTimestamp(now);
  *record.mutable_idle_expires_at() = ToTimestamp(
      std::min(FromTimestamp(record.expires_at()), now + options_.idle_ttl));
  rocksdb::WriteBatch batch;
  batch.Put(store_->handle(ColumnFamily::kSessions), record.session_id(),
            record.SerializeAsString());
  if (absl::Status written = Write(batch); !written.ok()) return written;
  std::string next = FormatRefreshToken({record.session_id(), successor});
  return Finish(std::move(record), std::move(next));
}

void SessionStore::MarkRevoked(SessionRecord& record, absl::string_view reason,
                               absl::Time now, rocksdb::WriteBatch& batch) {
  *record.mutable_revoked_at() = ToTimestamp(now);
  record.set_revoke_reason(std::string(reason));
  batch.Put(store_->handle(ColumnFamily::kSessions), record.session_id(),
            record.SerializeAsString());
}

absl::StatusOr<RevokeResult> SessionStore::RevokeSession(
    absl::string_view session_id, absl::string_view reason, absl::Time now) {
  absl::MutexLock lock(&StripeFor(session_id));
  absl::StatusOr<std::optional<SessionRecord>> read = Read(session_id);
  if (!read.ok()) return read.status();
  if (!read->has_value() || (*read)->has_revoked_at()) {
    return RevokeResult{};  // Unknown or already revoked: not an error.
  }
  absl::StatusOr<uint64_t> sequence = RevokeLocked(**read, reason, now);
  if (!sequence.ok()) return sequence.status();
  return RevokeResult{1, *sequence};
}

absl::StatusOr<uint64_t> SessionStore::RevokeLocked(SessionRecord& record,
                                                    absl::string_view reason,
                                                    absl::Time now) {
  rocksdb::WriteBatch batch;
  MarkRevoked(record, reason, now, batch);
  tessera::v1::RevocationEvent event;
  event.mutable_session_revoked()->set_session_id(record.session_id());
  event.mutable_session_revoked()->set_subject(record.subject());
  *event.mutable_session_revoked()->mutable_forget_after() =
      ToTimestamp(now + options_.revocation_horizon);
  return CommitEvent(batch, std::move(event), now);
}

absl::StatusOr<uint64_t> SessionStore::CommitEvent(
    rocksdb::WriteBatch& batch, tessera::v1::RevocationEvent event,
    absl::Time now) {
  absl::StatusOr<tessera::v1::RevocationEvent> committed =
      log_->Commit(&batch, std::move(event), now);
  if (!committed.ok()) return committed.status();
  state_->Apply(*committed);
  return committed->sequence();
}

absl::StatusOr<uint64_t> SessionStore::UpdateClaims(
    absl::string_view subject, const google::protobuf::Struct& claims,
    bool merge, bool invalidate_access_tokens, absl::Time now) {
  absl::MutexLock lock(&subject_mu_);
  absl::StatusOr<SubjectState> state = ReadSubject(subject);
  if (!state.ok()) return state.status();
  if (merge && state->has_claims()) {
    // Merging into an earlier update keeps that update's mode.
    for (const auto& [name, value] : claims.fields()) {
      (*state->mutable_claims()->mutable_fields())[name] = value;
    }
  } else {
    *state->mutable_claims() = claims;
    state->set_claims_merge(merge);
  }
  *state->mutable_claims_updated_at() = ToTimestamp(now);
  rocksdb::WriteBatch batch;
  const rocksdb::Slice key(subject.data(), subject.size());
  if (!invalidate_access_tokens) {
    batch.Put(store_->handle(ColumnFamily::kSubjectState), key,
              state->SerializeAsString());
    if (absl::Status written = Write(batch); !written.ok()) return written;
    return uint64_t{0};
  }
  const absl::Time cutoff =
      std::max(CeilSecond(now), state->has_claims_not_before()
                                    ? FromTimestamp(state->claims_not_before())
                                    : absl::InfinitePast());
  *state->mutable_claims_not_before() = ToTimestamp(cutoff);
  batch.Put(store_->handle(ColumnFamily::kSubjectState), key,
            state->SerializeAsString());
  tessera::v1::RevocationEvent event;
  event.mutable_claims_invalidated()->set_subject(std::string(subject));
  *event.mutable_claims_invalidated()->mutable_not_before() =
      ToTimestamp(cutoff);
  return CommitEvent(batch, std::move(event), now);
}

absl::StatusOr<RevokeResult> SessionStore::RevokeSubject(
    absl::string_view subject, absl::string_view reason, absl::Time now) {
  absl::MutexLock subject_lock(&subject_mu_);
  // The subject's sessions, from the index.
  std::vector<std::string> session_ids;
  const std::string prefix = SubjectIndexKey(subject, "");
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(
      rocksdb::ReadOptions(), store_->handle(ColumnFamily::kSubjectIndex)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    session_ids.push_back(it->key().ToString().substr(prefix.size()));
  }
  if (!it->status().ok()) return StoreUnavailable(it->status());

  // Lock every stripe involved, in address order (no deadlock), so that no
  // refresh of these sessions interleaves with the batch.
  std::set<absl::Mutex*> stripes;
  for (const std::string& id : session_ids) stripes.insert(&StripeFor(id));
  for (absl::Mutex* stripe : stripes) stripe->Lock();

  absl::StatusOr<RevokeResult> result = [&]() -> absl::StatusOr<RevokeResult> {
    rocksdb::WriteBatch batch;
    int64_t revoked = 0;
    for (const std::string& id : session_ids) {
      absl::StatusOr<std::optional<SessionRecord>> read = Read(id);
      if (!read.ok()) return read.status();
      if (!read->has_value() || (*read)->has_revoked_at()) continue;
      MarkRevoked(**read, reason, now, batch);
      ++revoked;
    }
    if (revoked == 0) return RevokeResult{};
    // One cut-off rejects every token of the subject minted so far.
    absl::StatusOr<SubjectState> state = ReadSubject(subject);
    if (!state.ok()) return state.status();
    const absl::Time cutoff = CeilSecond(now);
    *state->mutable_revoked_not_before() = ToTimestamp(cutoff);
    batch.Put(store_->handle(ColumnFamily::kSubjectState),
              rocksdb::Slice(subject.data(), subject.size()),
              state->SerializeAsString());
    tessera::v1::RevocationEvent event;
    event.mutable_subject_revoked()->set_subject(std::string(subject));
    *event.mutable_subject_revoked()->mutable_not_before() =
        ToTimestamp(cutoff);
    absl::StatusOr<uint64_t> sequence =
        CommitEvent(batch, std::move(event), now);
    if (!sequence.ok()) return sequence.status();
    return RevokeResult{revoked, *sequence};
  }();
  for (auto stripe = stripes.rbegin(); stripe != stripes.rend(); ++stripe) {
    (*stripe)->Unlock();
  }
  return result;
}

namespace {

// Newest first; session id breaks ties.
bool ListedBefore(const SessionRecord& a, const SessionRecord& b) {
  const absl::Time ta = FromTimestamp(a.created_at());
  const absl::Time tb = FromTimestamp(b.created_at());
  return ta != tb ? ta > tb : a.session_id() < b.session_id();
}

// A page token names the last session of the previous page:
// base64url("<created_at unix nanos> <session id>").
std::string PageToken(const SessionRecord& last) {
  return token::Base64UrlEncode(
      absl::StrCat(absl::ToUnixNanos(FromTimestamp(last.created_at())), " ",
                   last.session_id()));
}

std::optional<SessionRecord> ParsePageToken(absl::string_view text) {
  std::optional<std::string> bytes = token::Base64UrlDecode(text);
  if (!bytes.has_value()) return std::nullopt;
  const size_t space = bytes->find(' ');
  int64_t nanos = 0;
  if (space == std::string::npos ||
      !absl::SimpleAtoi(bytes->substr(0, space), &nanos) ||
      !IsValidSessionId(bytes->substr(space + 1))) {
    return std::nullopt;
  }
  SessionRecord cursor;
  *cursor.mutable_created_at() = ToTimestamp(absl::FromUnixNanos(nanos));
  cursor.set_session_id(bytes->substr(space + 1));
  return cursor;
}

}  // namespace

absl::StatusOr<SessionStore::Page> SessionStore::List(
    absl::string_view subject, int page_size, absl::string_view page_token,
    bool include_ended, absl::Time now) {
  std::optional<SessionRecord> cursor;
  if (!page_token.empty()) {
    cursor = ParsePageToken(page_token);
    if (!cursor.has_value()) {
      return errors::Error(absl::StatusCode::kInvalidArgument,
                           "PAGE_TOKEN_INVALID",
                           "page_token is not from a previous ListSessions");
    }
  }
  std::vector<SessionRecord> records;
  const std::string prefix = SubjectIndexKey(subject, "");
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(
      rocksdb::ReadOptions(), store_->handle(ColumnFamily::kSubjectIndex)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix) &&
                         records.size() < kMaxListedSessions;
       it->Next()) {
    absl::StatusOr<std::optional<SessionRecord>> read =
        Read(it->key().ToString().substr(prefix.size()));
    if (!read.ok()) return read.status();
    if (!read->has_value()) continue;  // Purged.
    const SessionRecord& record = **read;
    const bool ended = record.has_revoked_at() ||
                       now >= FromTimestamp(record.expires_at()) ||
                       now >= FromTimestamp(record.idle_expires_at());
    if (ended && !include_ended) continue;
    if (cursor.has_value() && !ListedBefore(*cursor, record)) continue;
    records.push_back(**std::move(read));
  }
  if (!it->status().ok()) return StoreUnavailable(it->status());
  std::sort(records.begin(), records.end(), ListedBefore);
  Page page;
  if (static_cast<int>(records.size()) > page_size) {
    records.resize(page_size);
    page.next_page_token = PageToken(records.back());
  }
  page.sessions = std::move(records);
  return page;
}

absl::StatusOr<SessionRecord> SessionStore::Get(absl::string_view session_id) {
  absl::StatusOr<std::optional<SessionRecord>> read = Read(session_id);
  if (!read.ok()) return read.status();
  if (!read->has_value()) {
    return errors::Error(absl::StatusCode::kNotFound, "SESSION_NOT_FOUND",
                         "no such session");
  }
  return **std::move(read);
}

}  // namespace tessera::session
