#include "server/session/session_store.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/token/base64url.h"
#include "server/errors/errors.h"
#include "server/errors/reasons.h"
#include "server/session/merge_patch.h"
#include "server/session/purge.h"
#include "server/session/refresh_token.h"
#include "server/store/timestamps.h"

namespace tessera::session {
namespace {

using store::ColumnFamily;
using store::FromTimestamp;
using store::ToTimestamp;
using tessera::v1::RetiredGeneration;
using tessera::v1::SessionRecord;
using tessera::v1::SubjectState;

absl::Status Unauthenticated(absl::string_view reason,
                             absl::string_view message) {
  return errors::Error(absl::StatusCode::kUnauthenticated, reason, message);
}

absl::Status StoreUnavailable(const absl::Status& status) {
  if (store::IsWriteConflict(status)) return status;  // Retried (kv.h).
  return errors::Error(absl::StatusCode::kUnavailable,
                       errors::kStoreUnavailable,
                       absl::StrCat("the store failed: ", status.message()));
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

bool IsClaimsMode(tessera::v1::ClaimsMode mode) {
  return mode == tessera::v1::CLAIMS_MODE_REPLACE ||
         mode == tessera::v1::CLAIMS_MODE_MERGE_TOP_LEVEL ||
         mode == tessera::v1::CLAIMS_MODE_MERGE_PATCH;
}

// `update` applied to `current` as `mode` (one IsClaimsMode accepts) says.
google::protobuf::Struct Combine(google::protobuf::Struct current,
                                 const google::protobuf::Struct& update,
                                 tessera::v1::ClaimsMode mode) {
  switch (mode) {
    case tessera::v1::CLAIMS_MODE_MERGE_TOP_LEVEL:
      for (const auto& [name, value] : update.fields()) {
        (*current.mutable_fields())[name] = value;
      }
      return current;
    case tessera::v1::CLAIMS_MODE_MERGE_PATCH:
      return ApplyMergePatch(std::move(current), update);
    default:
      return update;
  }
}

// When claims written into `record` at `now` were set: never before a
// legacy pending update of its group, which must not apply on top of them
// again (only a clock that went back makes it later than `now`).
absl::Time ClaimsStamp(const SessionRecord& record, const SubjectState& subject,
                       absl::Time now) {
  auto legacy = subject.claims().find(record.session_group());
  if (legacy == subject.claims().end()) return now;
  return std::max(now, FromTimestamp(legacy->second.updated_at()));
}

// Runs `once` again while the store reports a write conflict (another
// replica changed what it read, kv.h), a bounded number of times.
// Waits between attempts grow (up to 64 ms) and are random, so writers
// that keep colliding drift apart instead of colliding again.
template <typename T, typename F>
absl::StatusOr<T> RetryConflicts(F once) {
  for (int attempt = 0; attempt < kMaxConflictRetries; ++attempt) {
    absl::StatusOr<T> result = once();
    if (result.ok() || !store::IsWriteConflict(result.status())) {
      return result;
    }
    thread_local absl::BitGen jitter;
    const int64_t ceiling_ms = int64_t{1} << std::min(attempt, 6);
    absl::SleepFor(absl::Microseconds(
        absl::Uniform<int64_t>(jitter, 0, ceiling_ms * 1000)));
  }
  return errors::Error(absl::StatusCode::kUnavailable,
                       errors::kStoreUnavailable,
                       "the session kept changing under this request; retry");
}

// A subject-state record as stored (nullopt: none yet).
absl::StatusOr<SubjectState> ParseSubject(
    const std::optional<std::string>& value) {
  SubjectState state;
  if (value.has_value() && !state.ParseFromString(*value)) {
    return absl::DataLossError("unreadable subject state");
  }
  return state;
}

}  // namespace

std::string SubjectIndexKey(absl::string_view subject,
                            absl::string_view session_id) {
  return absl::StrCat(subject, absl::string_view("\0", 1), session_id);
}

SessionStore::SessionStore(store::Kv* store, revocation::RevocationLog* log,
                           revocation::RevocationState* state,
                           SessionOptions options)
    : store_(store),
      log_(log),
      state_(state),
      options_(options),
      hints_(options.refresh_hints) {}

absl::Mutex& SessionStore::StripeFor(absl::string_view session_id) {
  return stripes_[absl::HashOf(session_id) % kStripes];
}

absl::Mutex& SessionStore::SubjectStripeFor(absl::string_view subject) {
  return subject_stripes_[absl::HashOf(subject) % kSubjectStripes];
}

SessionStore::StripesLock::StripesLock(
    SessionStore& store, const std::vector<std::string>& session_ids) {
  for (const std::string& id : session_ids) {
    stripes_.insert(&store.StripeFor(id));
  }
  for (absl::Mutex* stripe : stripes_) stripe->Lock();
}

SessionStore::StripesLock::~StripesLock() {
  for (auto stripe = stripes_.rbegin(); stripe != stripes_.rend(); ++stripe) {
    (*stripe)->Unlock();
  }
}

std::optional<std::string> SessionStore::SessionIdOf(
    absl::string_view refresh_token) {
  std::optional<RefreshToken> parsed = ParseRefreshToken(refresh_token);
  if (!parsed.has_value()) return std::nullopt;
  return parsed->session_id;
}

absl::StatusOr<std::optional<SessionRecord>> SessionStore::Read(
    absl::string_view session_id, std::string* raw) {
  absl::StatusOr<std::optional<std::string>> value =
      store_->Get(ColumnFamily::kSessions, session_id);
  if (!value.ok()) return StoreUnavailable(value.status());
  if (!value->has_value()) return std::optional<SessionRecord>();
  SessionRecord record;
  if (!record.ParseFromString(**value)) {
    return absl::DataLossError(
        absl::StrCat("unreadable session record ", session_id));
  }
  if (raw != nullptr) *raw = **std::move(value);
  return std::optional<SessionRecord>(std::move(record));
}

absl::StatusOr<SubjectState> SessionStore::ReadSubject(
    absl::string_view subject, std::optional<std::string>* raw) {
  absl::StatusOr<std::optional<std::string>> value =
      store_->Get(ColumnFamily::kSubjectState, subject);
  if (!value.ok()) return StoreUnavailable(value.status());
  absl::StatusOr<SubjectState> state = ParseSubject(*value);
  if (state.ok() && raw != nullptr) *raw = *std::move(value);
  return state;
}

absl::StatusOr<std::vector<std::string>> SessionStore::SessionIdsOf(
    absl::string_view subject) {
  std::vector<std::string> session_ids;
  const std::string prefix = SubjectIndexKey(subject, "");
  absl::Status read =
      store_->Scan(ColumnFamily::kSubjectIndex, prefix,
                   [&](absl::string_view key, absl::string_view) {
                     if (!absl::StartsWith(key, prefix) ||
                         session_ids.size() >= kMaxListedSessions) {
                       return false;
                     }
                     session_ids.emplace_back(key.substr(prefix.size()));
                     return true;
                   });
  if (!read.ok()) return StoreUnavailable(read);
  return session_ids;
}

absl::Status SessionStore::Write(store::Batch& batch) {
  absl::Status written = store_->Write(batch);
  if (!written.ok()) return StoreUnavailable(written);
  for (const store::Batch::Op& op : batch.ops()) {
    if (op.family != ColumnFamily::kSessions) continue;
    if (op.kind == store::Batch::Kind::kPut) hints_.Put(op.key, *op.value);
    if (op.kind == store::Batch::Kind::kDelete) hints_.Erase(op.key);
  }
  return absl::OkStatus();
}

absl::Time SessionStore::ForgetAfter(absl::Time now) const {
  return std::max(now + options_.revocation_horizon,
                  options_.earlier_tokens_expire_by);
}

ActiveSession SessionStore::Next(SessionRecord record,
                                 std::string refresh_token,
                                 const SubjectState& subject) {
  ActiveSession active;
  active.claims = record.claims();
  // A pending update an earlier release wrote (SubjectState.claims).
  auto update = subject.claims().find(record.session_group());
  if (update != subject.claims().end() &&
      FromTimestamp(update->second.updated_at()) >
          FromTimestamp(record.claims_updated_at())) {
    if (!update->second.merge()) active.claims.clear_fields();
    for (const auto& [name, value] : update->second.claims().fields()) {
      (*active.claims.mutable_fields())[name] = value;
    }
  }
  active.subject_generation = subject.generation();
  active.record = std::move(record);
  active.refresh_token = std::move(refresh_token);
  return active;
}

absl::StatusOr<ActiveSession> SessionStore::Finish(SessionRecord record,
                                                   std::string refresh_token) {
  absl::StatusOr<SubjectState> subject = ReadSubject(record.subject());
  if (!subject.ok()) return subject.status();
  return Next(std::move(record), std::move(refresh_token), *subject);
}

absl::StatusOr<ActiveSession> SessionStore::Issue(const NewSession& request,
                                                  absl::Time now, Minter mint) {
  return Issue(request, now, mint, [](const ActiveSession&, store::Batch&) {});
}

absl::StatusOr<ActiveSession> SessionStore::Issue(const NewSession& request,
                                                  absl::Time now, Minter mint,
                                                  AddToBatch also) {
  RefreshToken token{NewSessionId(), NewSecret()};
  SessionRecord record;
  record.set_session_id(token.session_id);
  record.set_subject(request.subject);
  record.set_session_group(request.session_group);
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

  store::Batch batch;
  batch.Put(ColumnFamily::kSessions, token.session_id,
            record.SerializeAsString());
  batch.Put(ColumnFamily::kSubjectIndex,
            SubjectIndexKey(request.subject, token.session_id),
            EncodeIndexValue(expires));
  return MintAndWrite(std::move(record), FormatRefreshToken(token), batch, mint,
                      also);
}

absl::StatusOr<ActiveSession> SessionStore::MintAndWrite(
    SessionRecord record, std::string refresh_token, store::Batch& batch,
    Minter mint, AddToBatch also) {
  // Most subjects have no state: mint as for one, before anything is written.
  ActiveSession active =
      Next(std::move(record), std::move(refresh_token), SubjectState());
  if (absl::Status minted = mint(active); !minted.ok()) return minted;
  also(active, batch);
  batch.Read(ColumnFamily::kSubjectState, active.record.subject());
  if (absl::Status written = Write(batch); !written.ok()) return written;
  const std::optional<std::string>& state = batch.read_values().front();
  if (!state.has_value()) return active;
  // A subject with state (a generation, a legacy claims update): mint again
  // from it.
  absl::StatusOr<SubjectState> subject = ParseSubject(state);
  if (!subject.ok()) return subject.status();
  active =
      Next(std::move(active.record), std::move(active.refresh_token), *subject);
  if (absl::Status minted = mint(active); !minted.ok()) return minted;
  return active;
}

absl::StatusOr<ActiveSession> SessionStore::Reissue(
    absl::string_view session_id, absl::string_view secret, absl::Time now,
    Minter mint) {
  auto spent = [](absl::string_view why) {
    return errors::Error(absl::StatusCode::kFailedPrecondition,
                         errors::kRequestIdSpent,
                         absl::StrCat("the session this request_id started ",
                                      why, "; issue with a new request_id"));
  };
  absl::MutexLock lock(&StripeFor(session_id));
  absl::StatusOr<std::optional<SessionRecord>> read = Read(session_id);
  if (!read.ok()) return read.status();
  if (!read->has_value()) return spent("no longer exists");
  SessionRecord record = **std::move(read);
  if (!HashEquals(SecretHash(secret), record.current_secret_hash())) {
    return spent("was refreshed since");
  }
  if (record.has_revoked_at()) return spent("was revoked");
  if (HasExpired(record, now)) {
    return spent("has expired");
  }
  absl::StatusOr<ActiveSession> active = Finish(
      std::move(record),
      FormatRefreshToken({std::string(session_id), std::string(secret)}));
  if (!active.ok()) return active.status();
  if (absl::Status minted = mint(*active); !minted.ok()) return minted;
  return active;
}

namespace {

std::string RetiredKey(absl::string_view session_id, uint64_t generation) {
  std::string key(session_id);
  for (int shift = 56; shift >= 0; shift -= 8) {
    key.push_back(static_cast<char>((generation >> shift) & 0xff));
  }
  return key;
}

std::optional<uint64_t> GenerationOfKey(absl::string_view key,
                                        absl::string_view session_id) {
  if (key.size() != session_id.size() + 8 ||
      !absl::StartsWith(key, session_id)) {
    return std::nullopt;
  }
  uint64_t generation = 0;
  for (char byte : key.substr(session_id.size())) {
    generation = (generation << 8) | static_cast<uint8_t>(byte);
  }
  return generation;
}

// Records written before retired_generations existed keep older
// generations in two lists of their own (see storage.proto).
void AddLegacyRetired(const SessionRecord& record,
                      std::map<uint64_t, RetiredGeneration>& retired) {
  const int hashes = record.retired_secret_hashes_size();
  for (int i = 0; i < hashes; ++i) {
    const uint64_t back = 2 + static_cast<uint64_t>(hashes - 1 - i);
    if (record.generation() < back) continue;
    retired[record.generation() - back].set_secret_hash(
        record.retired_secret_hashes(i));
  }
  for (const tessera::v1::RetiredInGrace& legacy : record.retired_in_grace()) {
    if (legacy.successor_generation() == 0) continue;
    RetiredGeneration& entry = retired[legacy.successor_generation() - 1];
    entry.set_secret_hash(legacy.secret_hash());
    *entry.mutable_retired_at() = legacy.retired_at();
    entry.set_successor_sealed(legacy.successor_sealed());
  }
}

}  // namespace

absl::StatusOr<std::map<uint64_t, RetiredGeneration>> SessionStore::ReadRetired(
    const SessionRecord& record) {
  std::map<uint64_t, RetiredGeneration> retired;
  AddLegacyRetired(record, retired);
  const std::string& id = record.session_id();
  absl::Status bad;
  absl::Status read = store_->Scan(
      ColumnFamily::kRetiredGenerations, id,
      [&](absl::string_view key, absl::string_view value) {
        std::optional<uint64_t> generation = GenerationOfKey(key, id);
        if (!generation.has_value()) return false;
        if (!retired[*generation].ParseFromArray(
                value.data(), static_cast<int>(value.size()))) {
          bad = absl::DataLossError(
              absl::StrCat("unreadable retired generation of session ", id));
          return false;
        }
        return true;
      });
  if (!bad.ok()) return bad;
  if (!read.ok()) return StoreUnavailable(read);
  return retired;
}

absl::StatusOr<SessionStore::Classified> SessionStore::Classify(
    const SessionRecord& record, absl::string_view hash, absl::Time now) {
  if (HashEquals(hash, record.current_secret_hash())) {
    return Classified{Presented::kCurrent, {}};
  }
  if (HashEquals(hash, record.previous_secret_hash())) {
    return Classified{Presented::kPrevious, {}};
  }
  absl::StatusOr<std::map<uint64_t, RetiredGeneration>> retired =
      ReadRetired(record);
  if (!retired.ok()) return retired.status();
  // Every comparison runs (constant time over the session's hashes).
  Presented found = Presented::kUnknown;
  for (const auto& [generation, entry] : *retired) {
    if (!HashEquals(hash, entry.secret_hash())) continue;
    const bool in_grace =
        entry.has_retired_at() &&
        now - FromTimestamp(entry.retired_at()) <= options_.refresh_grace &&
        record.generation() - generation <= kMaxRetiredInGrace + 1;
    found = in_grace ? Presented::kInGrace : Presented::kRetired;
  }
  return Classified{found, *std::move(retired)};
}

namespace {

// The current secret, recovered from a retired `secret` by opening each
// successor in turn (previous, or a generation retired within the grace
// window); nullopt if the chain does not reach it.
std::optional<std::string> OpenToCurrent(
    const SessionRecord& record,
    const std::map<uint64_t, RetiredGeneration>& retired, std::string secret) {
  for (size_t step = 0; step <= kMaxRetiredInGrace + 1; ++step) {
    const std::string hash = SecretHash(secret);
    if (HashEquals(hash, record.current_secret_hash())) return secret;
    std::optional<std::string> next;
    if (HashEquals(hash, record.previous_secret_hash())) {
      next =
          OpenSuccessor(secret, record.previous_successor_sealed(),
                        SealContext(record.session_id(), record.generation()));
    } else {
      for (const auto& [generation, entry] : retired) {
        if (!HashEquals(hash, entry.secret_hash())) continue;
        next = OpenSuccessor(secret, entry.successor_sealed(),
                             SealContext(record.session_id(), generation + 1));
      }
    }
    if (!next.has_value()) return std::nullopt;
    secret = *std::move(next);
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<ActiveSession> SessionStore::Refresh(
    absl::string_view refresh_token, const Access& access, absl::Time now,
    Minter mint) {
  std::optional<RefreshToken> token = ParseRefreshToken(refresh_token);
  if (!token.has_value()) {
    return Unauthenticated(errors::kRefreshTokenInvalid,
                           "not a refresh token issued by this server");
  }
  absl::MutexLock lock(&StripeFor(token->session_id));
  if (std::optional<absl::StatusOr<ActiveSession>> hinted = RefreshFromHint(
          token->session_id, token->secret, access, now, mint)) {
    return *std::move(hinted);
  }
  return RetryConflicts<ActiveSession>([&] {
    return RefreshLocked(token->session_id, token->secret, access, now, mint);
  });
}

std::optional<absl::StatusOr<ActiveSession>> SessionStore::RefreshFromHint(
    absl::string_view session_id, absl::string_view secret,
    const Access& access, absl::Time now, Minter mint) {
  std::optional<std::string> raw = hints_.Get(session_id);
  if (!raw.has_value()) return std::nullopt;
  SessionRecord record;
  // Anything but a plain rotation is decided on a real read.
  if (!record.ParseFromString(*raw) || !access.Allows(record) ||
      record.has_revoked_at() || HasExpired(record, now) ||
      !HashEquals(SecretHash(secret), record.current_secret_hash())) {
    return std::nullopt;
  }
  absl::StatusOr<ActiveSession> rotated =
      Rotate(std::move(record), *raw, secret, now, mint);
  if (store::IsWriteConflict(rotated.status())) {
    hints_stale_.fetch_add(1, std::memory_order_relaxed);
    hints_.Erase(session_id);
    return std::nullopt;
  }
  if (rotated.ok()) hints_rotated_.fetch_add(1, std::memory_order_relaxed);
  return rotated;
}

absl::StatusOr<ActiveSession> SessionStore::RefreshLocked(
    absl::string_view session_id, absl::string_view secret,
    const Access& access, absl::Time now, Minter mint) {
  std::string raw;
  absl::StatusOr<std::optional<SessionRecord>> read = Read(session_id, &raw);
  if (!read.ok()) return read.status();
  if (!read->has_value() || !access.Allows(**read)) {
    return Unauthenticated(errors::kRefreshTokenInvalid,
                           "unknown refresh token");
  }
  SessionRecord record = **std::move(read);
  absl::StatusOr<Classified> classified =
      Classify(record, SecretHash(secret), now);
  if (!classified.ok()) return classified.status();
  const Presented presented = classified->presented;
  if (presented == Presented::kUnknown) {
    return Unauthenticated(errors::kRefreshTokenInvalid,
                           "unknown refresh token");
  }
  if (record.revoked_for_reuse()) {
    return Unauthenticated(errors::kRefreshTokenReused,
                           "the session was revoked because one of its "
                           "retired refresh tokens was presented");
  }
  if (record.has_revoked_at()) {
    return Unauthenticated(errors::kSessionRevoked, "the session was revoked");
  }
  if (HasExpired(record, now)) {
    return Unauthenticated(errors::kSessionExpired,
                           "the session has expired; sign in again");
  }
  const bool in_grace = presented == Presented::kInGrace ||
                        (presented == Presented::kPrevious &&
                         now - FromTimestamp(record.previous_retired_at()) <=
                             options_.refresh_grace);
  switch (presented) {
    case Presented::kCurrent:
      return Rotate(std::move(record), raw, secret, now, mint);
    case Presented::kPrevious:
    case Presented::kInGrace:
      // Within the grace window: racing tabs. After it: a client whose
      // answer was lost, while the successor has never been used. Not for
      // a secret that was itself handed out twice (a thief may hold it).
      if (in_grace || !record.previous_strict()) {
        return HandBack(std::move(record), raw, classified->retired,
                        std::string(secret), !in_grace, mint);
      }
      break;
    case Presented::kRetired:
    case Presented::kUnknown:
      break;
  }
  // A retired secret whose successor was used: someone kept a copy.
  record.set_revoked_for_reuse(true);
  absl::StatusOr<uint64_t> revoked =
      RevokeLocked(record, raw, "refresh token reused", now);
  if (!revoked.ok()) return revoked.status();
  return Unauthenticated(
      errors::kRefreshTokenReused,
      "a retired refresh token was presented; the session is revoked");
}

absl::StatusOr<ActiveSession> SessionStore::HandBack(
    SessionRecord record, const std::string& expected,
    const std::map<uint64_t, RetiredGeneration>& retired, std::string secret,
    bool again, Minter mint) {
  std::optional<std::string> current =
      OpenToCurrent(record, retired, std::move(secret));
  if (!current.has_value()) {
    return absl::InternalError("the successor does not open");
  }
  // Handed out again after the grace window: from now on the successor is
  // strict (see SessionRecord.current_handed_out_again).
  const bool mark = again && !record.current_handed_out_again();
  if (mark) record.set_current_handed_out_again(true);
  const std::string serialized = mark ? record.SerializeAsString() : "";
  std::string same = FormatRefreshToken({record.session_id(), *current});
  absl::StatusOr<ActiveSession> active =
      Finish(std::move(record), std::move(same));
  if (!active.ok()) return active.status();
  if (absl::Status minted = mint(*active); !minted.ok()) return minted;
  if (mark) {
    store::Batch batch;
    batch.Expect(ColumnFamily::kSessions, active->record.session_id(),
                 expected);
    batch.Put(ColumnFamily::kSessions, active->record.session_id(), serialized);
    if (absl::Status written = Write(batch); !written.ok()) return written;
  }
  return active;
}

absl::StatusOr<ActiveSession> SessionStore::Rotate(SessionRecord record,
                                                   const std::string& expected,
                                                   absl::string_view secret,
                                                   absl::Time now,
                                                   Minter mint) {
  const std::string successor = NewSecret();
  const uint64_t generation = record.generation() + 1;
  store::Batch batch;
  // The rotation happens only from the generation read: a racing refresh on
  // another replica makes this one re-read and find its secret retired.
  batch.Expect(ColumnFamily::kSessions, record.session_id(), expected);
  RetireGeneration(record, batch);
  record.set_previous_secret_hash(record.current_secret_hash());
  *record.mutable_previous_retired_at() = ToTimestamp(now);
  record.set_previous_successor_sealed(SealSuccessor(
      secret, successor, SealContext(record.session_id(), generation)));
  record.set_previous_strict(record.current_handed_out_again());
  record.set_current_handed_out_again(false);
  record.set_current_secret_hash(SecretHash(successor));
  record.set_generation(generation);
  *record.mutable_last_refreshed_at() = ToTimestamp(now);
  *record.mutable_idle_expires_at() = ToTimestamp(
      std::min(FromTimestamp(record.expires_at()), now + options_.idle_ttl));
  const std::string session_id = record.session_id();
  batch.Put(ColumnFamily::kSessions, session_id, record.SerializeAsString());
  // The answer exists before the rotation does: a refresh that cannot be
  // answered has not rotated.
  return MintAndWrite(std::move(record),
                      FormatRefreshToken({session_id, successor}), batch, mint,
                      [](const ActiveSession&, store::Batch&) {});
}

void SessionStore::RetireGeneration(SessionRecord& record,
                                    store::Batch& batch) const {
  constexpr ColumnFamily family = ColumnFamily::kRetiredGenerations;
  const std::string& id = record.session_id();
  auto put = [&](uint64_t generation, RetiredGeneration entry) {
    *entry.mutable_session_expires_at() = record.expires_at();
    batch.Put(family, RetiredKey(id, generation), entry.SerializeAsString());
  };
  // A record of an earlier release moves its lists out, once.
  std::map<uint64_t, RetiredGeneration> legacy;
  AddLegacyRetired(record, legacy);
  for (auto& [generation, entry] : legacy) put(generation, std::move(entry));
  record.clear_retired_secret_hashes();
  record.clear_retired_in_grace();

  if (record.previous_secret_hash().empty()) return;
  const uint64_t previous = record.generation() - 1;
  RetiredGeneration entry;
  entry.set_secret_hash(record.previous_secret_hash());
  *entry.mutable_retired_at() = record.previous_retired_at();
  entry.set_successor_sealed(record.previous_successor_sealed());
  put(previous, std::move(entry));
  // Keep the newest max_retired_hashes generations (one out per one in;
  // older ones from before a smaller setting go with the session).
  const uint64_t kept = static_cast<uint64_t>(options_.max_retired_hashes);
  if (previous >= kept) batch.Delete(family, RetiredKey(id, previous - kept));
}

tessera::v1::RevocationEvent SessionStore::MarkRevoked(SessionRecord& record,
                                                       absl::string_view reason,
                                                       absl::Time now,
                                                       store::Batch& batch) {
  *record.mutable_revoked_at() = ToTimestamp(now);
  record.set_revoke_reason(std::string(reason));
  batch.Put(ColumnFamily::kSessions, record.session_id(),
            record.SerializeAsString());
  tessera::v1::RevocationEvent event;
  tessera::v1::SessionRevoked* revoked = event.mutable_session_revoked();
  revoked->set_session_id(record.session_id());
  revoked->set_subject(record.subject());
  *revoked->mutable_forget_after() = ToTimestamp(ForgetAfter(now));
  return event;
}

absl::StatusOr<RevokeResult> SessionStore::RevokeSession(
    absl::string_view session_id, const Access& access,
    absl::string_view reason, absl::Time now) {
  absl::MutexLock lock(&StripeFor(session_id));
  return RetryConflicts<RevokeResult>([&]() -> absl::StatusOr<RevokeResult> {
    std::string raw;
    absl::StatusOr<std::optional<SessionRecord>> read = Read(session_id, &raw);
    if (!read.ok()) return read.status();
    if (!read->has_value() || !access.Allows(**read) ||
        (*read)->has_revoked_at()) {
      return RevokeResult{};  // Unknown or already revoked: not an error.
    }
    absl::StatusOr<uint64_t> sequence = RevokeLocked(**read, raw, reason, now);
    if (!sequence.ok()) return sequence.status();
    return RevokeResult{1, *sequence};
  });
}

absl::StatusOr<RevokeResult> SessionStore::RevokeByRefreshToken(
    absl::string_view refresh_token, const Access& access,
    absl::string_view reason, absl::Time now) {
  std::optional<RefreshToken> token = ParseRefreshToken(refresh_token);
  if (!token.has_value()) return RevokeResult{};  // RFC 7009: not an error.
  absl::MutexLock lock(&StripeFor(token->session_id));
  return RetryConflicts<RevokeResult>([&]() -> absl::StatusOr<RevokeResult> {
    std::string raw;
    absl::StatusOr<std::optional<SessionRecord>> read =
        Read(token->session_id, &raw);
    if (!read.ok()) return read.status();
    if (!read->has_value() || !access.Allows(**read) ||
        (*read)->has_revoked_at()) {
      return RevokeResult{};
    }
    // A made-up secret for a known (public) session id revokes nothing.
    absl::StatusOr<Classified> classified =
        Classify(**read, SecretHash(token->secret), now);
    if (!classified.ok()) return classified.status();
    if (classified->presented == Presented::kUnknown) return RevokeResult{};
    absl::StatusOr<uint64_t> sequence = RevokeLocked(**read, raw, reason, now);
    if (!sequence.ok()) return sequence.status();
    return RevokeResult{1, *sequence};
  });
}

absl::StatusOr<uint64_t> SessionStore::RevokeLocked(SessionRecord& record,
                                                    const std::string& expected,
                                                    absl::string_view reason,
                                                    absl::Time now) {
  store::Batch batch;
  batch.Expect(ColumnFamily::kSessions, record.session_id(), expected);
  std::vector<tessera::v1::RevocationEvent> events;
  events.push_back(MarkRevoked(record, reason, now, batch));
  return CommitEvents(batch, std::move(events), now);
}

absl::StatusOr<uint64_t> SessionStore::CommitEvents(
    store::Batch& batch, std::vector<tessera::v1::RevocationEvent> events,
    absl::Time now) {
  // A revoked or invalidated session is never rotated from a hint: drop
  // them, whether or not the write goes through.
  for (const store::Batch::Op& op : batch.ops()) {
    if (op.family == ColumnFamily::kSessions) hints_.Erase(op.key);
  }
  absl::StatusOr<std::vector<tessera::v1::RevocationEvent>> committed =
      log_->CommitAll(&batch, std::move(events), now);
  if (!committed.ok()) return committed.status();
  for (const tessera::v1::RevocationEvent& event : *committed) {
    state_->Apply(event);
  }
  return committed->back().sequence();
}

absl::StatusOr<uint64_t> SessionStore::UpdateClaims(
    absl::string_view subject, const Access& access,
    const google::protobuf::Struct& claims, tessera::v1::ClaimsMode mode,
    bool invalidate_access_tokens, absl::Time now, Minter fits) {
  if (!IsClaimsMode(mode)) {
    return errors::Error(
        absl::StatusCode::kInvalidArgument, errors::kClaimsModeInvalid,
        absl::StrCat("unknown claims mode ", static_cast<int>(mode)));
  }
  absl::MutexLock lock(&SubjectStripeFor(subject));
  return RetryConflicts<uint64_t>([&] {
    return UpdateClaimsLocked(subject, access, claims, mode,
                              invalidate_access_tokens, now, fits);
  });
}

absl::StatusOr<uint64_t> SessionStore::UpdateClaimsLocked(
    absl::string_view subject, const Access& access,
    const google::protobuf::Struct& claims, tessera::v1::ClaimsMode mode,
    bool invalidate_access_tokens, absl::Time now, Minter fits) {
  std::optional<std::string> raw_state;
  absl::StatusOr<SubjectState> state = ReadSubject(subject, &raw_state);
  if (!state.ok()) return state.status();
  if (invalidate_access_tokens) state->set_generation(state->generation() + 1);
  absl::StatusOr<std::vector<std::string>> ids = SessionIdsOf(subject);
  if (!ids.ok()) return ids.status();
  StripesLock stripes(*this, *ids);

  // Each live session of the group gets its own claims updated, and must
  // still be able to mint with them (claims and token size limits), before
  // anything is written; each only from the record read (kv.h Expect).
  store::Batch batch;
  for (const std::string& id : *ids) {
    std::string raw;
    absl::StatusOr<std::optional<SessionRecord>> read = Read(id, &raw);
    if (!read.ok()) return read.status();
    if (!read->has_value() || (*read)->session_group() != access.group ||
        !IsLive(**read, now)) {
      continue;
    }
    ActiveSession next = Next(**std::move(read), "", *state);
    next.claims = Combine(std::move(next.claims), claims, mode);
    *next.record.mutable_claims() = next.claims;
    *next.record.mutable_claims_updated_at() =
        ToTimestamp(ClaimsStamp(next.record, *state, now));
    if (absl::Status fit = fits(next); !fit.ok()) return fit;
    batch.Expect(ColumnFamily::kSessions, id, std::move(raw));
    batch.Put(ColumnFamily::kSessions, id, next.record.SerializeAsString());
  }
  if (!invalidate_access_tokens) {
    if (batch.Count() == 0) return uint64_t{0};
    if (absl::Status written = Write(batch); !written.ok()) return written;
    return uint64_t{0};
  }
  batch.Expect(ColumnFamily::kSubjectState, subject, std::move(raw_state));
  batch.Put(ColumnFamily::kSubjectState, subject, state->SerializeAsString());
  std::vector<tessera::v1::RevocationEvent> events(1);
  tessera::v1::ClaimsInvalidated* cut = events[0].mutable_claims_invalidated();
  cut->set_subject(std::string(subject));
  *cut->mutable_not_before() = ToTimestamp(CeilSecond(now));
  cut->set_generation(state->generation());
  *cut->mutable_forget_after() = ToTimestamp(ForgetAfter(now));
  return CommitEvents(batch, std::move(events), now);
}

absl::StatusOr<RevokeResult> SessionStore::RevokeSubject(
    absl::string_view subject, const Access& access, absl::string_view reason,
    absl::Time now) {
  absl::MutexLock subject_lock(&SubjectStripeFor(subject));
  return RetryConflicts<RevokeResult>(
      [&] { return RevokeSubjectLocked(subject, access, reason, now); });
}

absl::StatusOr<RevokeResult> SessionStore::RevokeSubjectLocked(
    absl::string_view subject, const Access& access, absl::string_view reason,
    absl::Time now) {
  absl::StatusOr<std::vector<std::string>> session_ids = SessionIdsOf(subject);
  if (!session_ids.ok()) return session_ids.status();
  // No refresh of these sessions interleaves with the batch.
  StripesLock stripes(*this, *session_ids);

  // One event per session: its tokens are rejected by `sid`, whatever
  // their `iat`, and a session started later is not touched.
  store::Batch batch;
  std::vector<tessera::v1::RevocationEvent> events;
  for (const std::string& id : *session_ids) {
    std::string raw;
    absl::StatusOr<std::optional<SessionRecord>> read = Read(id, &raw);
    if (!read.ok()) return read.status();
    if (!read->has_value() || !access.Allows(**read) ||
        (*read)->has_revoked_at()) {
      continue;
    }
    batch.Expect(ColumnFamily::kSessions, id, std::move(raw));
    events.push_back(MarkRevoked(**read, reason, now, batch));
  }
  if (events.empty()) return RevokeResult{};
  const int64_t revoked = static_cast<int64_t>(events.size());
  absl::StatusOr<uint64_t> sequence =
      CommitEvents(batch, std::move(events), now);
  if (!sequence.ok()) return sequence.status();
  return RevokeResult{revoked, *sequence};
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
    absl::string_view subject, const Access& access, int page_size,
    absl::string_view page_token, bool include_ended, absl::Time now) {
  std::optional<SessionRecord> cursor;
  if (!page_token.empty()) {
    cursor = ParsePageToken(page_token);
    if (!cursor.has_value()) {
      return errors::Error(absl::StatusCode::kInvalidArgument,
                           errors::kPageTokenInvalid,
                           "page_token is not from a previous ListSessions");
    }
  }
  std::vector<SessionRecord> records;
  absl::StatusOr<std::vector<std::string>> ids = SessionIdsOf(subject);
  if (!ids.ok()) return ids.status();
  for (const std::string& id : *ids) {
    absl::StatusOr<std::optional<SessionRecord>> read = Read(id);
    if (!read.ok()) return read.status();
    if (!read->has_value()) continue;  // Purged.
    const SessionRecord& record = **read;
    if (!access.Allows(record)) continue;
    if (!include_ended && !IsLive(record, now)) continue;
    if (cursor.has_value() && !ListedBefore(*cursor, record)) continue;
    records.push_back(**std::move(read));
  }
  std::sort(records.begin(), records.end(), ListedBefore);
  Page page;
  if (static_cast<int>(records.size()) > page_size) {
    records.resize(page_size);
    page.next_page_token = PageToken(records.back());
  }
  page.sessions = std::move(records);
  return page;
}

absl::StatusOr<SessionRecord> SessionStore::Get(absl::string_view session_id,
                                                const Access& access) {
  absl::StatusOr<std::optional<SessionRecord>> read = Read(session_id);
  if (!read.ok()) return read.status();
  if (!read->has_value() || !access.Allows(**read)) {
    return errors::Error(absl::StatusCode::kNotFound, errors::kSessionNotFound,
                         "no such session");
  }
  return **std::move(read);
}

}  // namespace tessera::session
