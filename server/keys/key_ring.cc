#include "server/keys/key_ring.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "server/crypto/aead.h"
#include "server/errors/errors.h"
#include "server/errors/reasons.h"
#include "server/log/log.h"
#include "server/store/timestamps.h"
#include "tessera/v1/storage.pb.h"

namespace tessera::keys {
namespace {

using store::ColumnFamily;
using store::FromTimestamp;
using store::ToTimestamp;
using tessera::v1::KeyState;
using tessera::v1::SigningKeyRecord;

// Meta record rewritten (random) by every change of the key set, so that
// replicas sharing a store change it one at a time.
constexpr char kKeysVersionKey[] = "keys_version";

// The record key the first release stored its one unsealed key under.
constexpr char kLegacyActiveKey[] = "active";

tessera::v1::SigningAlgorithm ToProto(token::Algorithm algorithm) {
  switch (algorithm) {
    case token::Algorithm::kES256:
      return tessera::v1::SIGNING_ALGORITHM_ES256;
    case token::Algorithm::kEdDSA:
      return tessera::v1::SIGNING_ALGORITHM_EDDSA;
    case token::Algorithm::kRS256:
      return tessera::v1::SIGNING_ALGORITHM_RS256;
  }
  return tessera::v1::SIGNING_ALGORITHM_UNSPECIFIED;
}

std::optional<token::Algorithm> FromProto(tessera::v1::SigningAlgorithm alg) {
  switch (alg) {
    case tessera::v1::SIGNING_ALGORITHM_ES256:
      return token::Algorithm::kES256;
    case tessera::v1::SIGNING_ALGORITHM_EDDSA:
      return token::Algorithm::kEdDSA;
    case tessera::v1::SIGNING_ALGORITHM_RS256:
      return token::Algorithm::kRS256;
    default:
      return std::nullopt;
  }
}

int StateOrder(KeyState state) {  // Newest first among equal times.
  switch (state) {
    case tessera::v1::KEY_STATE_NEXT:
      return 0;
    case tessera::v1::KEY_STATE_ACTIVE:
      return 1;
    default:
      return 2;
  }
}

}  // namespace

struct KeyRing::Entry {
  SigningKeyRecord record;  // Sealed private key included.
  token::PrivateKey key;
  KeyState state() const { return record.key().state(); }
};

KeyRing::KeyRing(store::Kv* store, revocation::RevocationLog* log,
                 const crypto::Kek& kek, KeyRingOptions options)
    : store_(store), log_(log), kek_(kek), options_(options) {}

KeyRing::~KeyRing() { StopSchedule(); }

absl::StatusOr<std::unique_ptr<KeyRing>> KeyRing::Open(
    store::Kv* store, revocation::RevocationLog* log, const crypto::Kek& kek,
    KeyRingOptions options, absl::Time now) {
  std::unique_ptr<KeyRing> ring(new KeyRing(store, log, kek, options));
  if (absl::Status loaded = ring->Reload(now); !loaded.ok()) return loaded;
  absl::StatusOr<bool> scheduled = ring->ApplySchedule(now);
  if (!scheduled.ok()) return scheduled.status();
  return ring;
}

absl::StatusOr<KeyRing::Entry> KeyRing::NewKey(token::Algorithm algorithm,
                                               absl::Time now) {
  absl::StatusOr<token::PrivateKey> key =
      token::PrivateKey::Generate(algorithm);
  if (!key.ok()) return key.status();
  Entry entry{SigningKeyRecord(), *std::move(key)};
  tessera::v1::SigningKey* info = entry.record.mutable_key();
  info->set_kid(entry.key.kid());
  info->set_algorithm(ToProto(algorithm));
  info->set_state(tessera::v1::KEY_STATE_NEXT);
  *info->mutable_created_at() = ToTimestamp(now);
  info->set_public_jwk(entry.key.public_key().ToJwk().Serialize());
  SealInto(entry);
  return entry;
}

struct KeyRing::Loading {
  std::vector<Entry> entries;  // The ring to be.
  // Kids whose records must be (re)written, and record names to delete.
  absl::flat_hash_set<std::string> changed;
  std::vector<std::string> dropped;

  Entry* Find(KeyState state) {
    for (Entry& e : entries) {
      if (e.state() == state) return &e;
    }
    return nullptr;
  }
};

absl::Status KeyRing::Load(absl::Time now) {
  absl::MutexLock lock(&write_mu_);
  Loading loading;
  if (absl::Status s = ReadAll(loading); !s.ok()) return s;
  if (absl::Status s = EnsureActive(loading, now); !s.ok()) return s;
  if (absl::Status s = EnsureNext(loading, now); !s.ok()) return s;
  if (loading.changed.empty() && loading.dropped.empty()) {
    entries_ = std::move(loading.entries);
    Publish();
    return absl::OkStatus();
  }
  std::vector<const Entry*> changed_entries;
  for (const Entry& entry : loading.entries) {
    if (loading.changed.contains(entry.key.kid())) {
      changed_entries.push_back(&entry);
    }
  }
  return Commit(std::move(loading.entries), changed_entries, loading.dropped,
                now)
      .status();
}

absl::Status KeyRing::Reload(absl::Time now) {
  for (int attempt = 0;; ++attempt) {
    absl::Status loaded = Load(now);
    if (!store::IsWriteConflict(loaded) || attempt >= 8) return loaded;
  }
}

absl::Status KeyRing::ReadAll(Loading& loading) {
  // The version first: a key written after it changes it too, so a commit
  // over what was read fails rather than losing that key.
  absl::StatusOr<std::optional<std::string>> version =
      store_->Get(ColumnFamily::kMeta, kKeysVersionKey);
  if (!version.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot read signing keys: ", version.status().message()));
  }
  keys_version_ = *std::move(version);
  absl::Status bad;
  absl::Status read =
      store_->Scan(ColumnFamily::kKeys, "",
                   [&](absl::string_view key, absl::string_view value) {
                     absl::StatusOr<Entry> entry = ReadRecord(
                         std::string(key), std::string(value), loading);
                     if (!entry.ok()) {
                       bad = entry.status();
                       return false;
                     }
                     loading.entries.push_back(*std::move(entry));
                     return true;
                   });
  if (!bad.ok()) return bad;
  if (!read.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot read signing keys: ", read.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> KeyRing::Unseal(const std::string& name,
                                            const std::string& kek_id,
                                            const std::string& sealed) const {
  if (kek_id != kek_.id) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the signing keys in ", store_->location(),
        " were sealed with another key-encryption key than the one from ",
        kek_.source,
        "; start with the KEK used before (--kek_file or TESSERA_KEK)"));
  }
  std::optional<std::string> opened = crypto::Open(kek_.key, sealed, name);
  if (!opened.has_value()) {
    return absl::DataLossError(absl::StrCat(
        "signing key ", name,
        " fails authentication under the right key-encryption key: the "
        "record was altered"));
  }
  return *std::move(opened);
}

void KeyRing::SealInto(Entry& entry) const {
  std::string clear = entry.key.ToPkcs8();
  entry.record.set_sealed_private_key(
      crypto::Seal(kek_.key, clear, entry.key.kid()));
  entry.record.set_kek_id(kek_.id);
  std::fill(clear.begin(), clear.end(), '\0');
}

absl::StatusOr<KeyRing::Entry> KeyRing::ReadRecord(const std::string& name,
                                                   const std::string& value,
                                                   Loading& loading) const {
  SigningKeyRecord record;
  std::optional<token::Algorithm> algorithm;
  if (!record.ParseFromString(value) ||
      !(algorithm = FromProto(record.key().algorithm())).has_value()) {
    return absl::DataLossError(
        absl::StrCat("unreadable signing key record ", name));
  }
  // The first release's one key, unsealed: sealed and refiled by kid here.
  const bool legacy =
      name == kLegacyActiveKey && !record.unsealed_private_key().empty();
  std::string pkcs8;
  if (legacy) {
    pkcs8 = record.unsealed_private_key();
    record.clear_unsealed_private_key();
    loading.dropped.push_back(name);
  } else {
    absl::StatusOr<std::string> opened =
        Unseal(name, record.kek_id(), record.sealed_private_key());
    if (!opened.ok()) return opened.status();
    pkcs8 = *std::move(opened);
  }
  absl::StatusOr<token::PrivateKey> key =
      token::PrivateKey::FromPkcs8(*algorithm, pkcs8);
  std::fill(pkcs8.begin(), pkcs8.end(), '\0');
  if (!key.ok() || key->kid() != record.key().kid()) {
    return absl::DataLossError(
        absl::StrCat("signing key ", name, " does not match its kid"));
  }
  if (!record.sealed_private_key().empty() && name != key->kid()) {
    return absl::DataLossError(absl::StrCat("signing key record ", name,
                                            " is filed under a wrong kid"));
  }
  const bool unsealed = record.sealed_private_key().empty();
  Entry entry{std::move(record), *std::move(key)};
  if (unsealed) {
    SealInto(entry);
    loading.changed.insert(entry.key.kid());
  }
  return entry;
}

absl::Status KeyRing::EnsureActive(Loading& loading, absl::Time now) {
  if (loading.Find(tessera::v1::KEY_STATE_ACTIVE) != nullptr) {
    return absl::OkStatus();
  }
  Entry* active = loading.Find(tessera::v1::KEY_STATE_NEXT);
  if (active == nullptr) {
    absl::StatusOr<Entry> made = NewKey(options_.algorithm, now);
    if (!made.ok()) return made.status();
    loading.entries.push_back(*std::move(made));
    active = &loading.entries.back();
    log::Info(
        "generated the first signing key",
        {{"kid", active->key.kid()},
         {"algorithm", std::string(token::AlgorithmName(options_.algorithm))}});
  }
  active->record.mutable_key()->set_state(tessera::v1::KEY_STATE_ACTIVE);
  *active->record.mutable_key()->mutable_activated_at() = ToTimestamp(now);
  loading.changed.insert(active->key.kid());
  return absl::OkStatus();
}

absl::Status KeyRing::EnsureNext(Loading& loading, absl::Time now) {
  Entry* next = loading.Find(tessera::v1::KEY_STATE_NEXT);
  if (next != nullptr && next->key.algorithm() != options_.algorithm) {
    // It never signed: replacing it invalidates nothing.
    log::Info(
        "--signing_alg changed: replacing the next signing key",
        {{"kid", next->key.kid()},
         {"algorithm", std::string(token::AlgorithmName(options_.algorithm))}});
    const std::string kid = next->key.kid();
    loading.dropped.push_back(kid);
    loading.changed.erase(kid);
    loading.entries.erase(loading.entries.begin() +
                          (next - loading.entries.data()));
    next = nullptr;
  }
  if (next != nullptr) return absl::OkStatus();
  absl::StatusOr<Entry> made = NewKey(options_.algorithm, now);
  if (!made.ok()) return made.status();
  loading.changed.insert(made->key.kid());
  loading.entries.push_back(*std::move(made));
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> KeyRing::Commit(
    std::vector<Entry> entries, const std::vector<const Entry*>& changed,
    const std::vector<std::string>& dropped, absl::Time now) {
  store::Batch batch;
  constexpr ColumnFamily keys = ColumnFamily::kKeys;
  for (const std::string& kid : dropped) batch.Delete(keys, kid);
  for (const Entry* entry : changed) {
    batch.Put(keys, entry->key.kid(), entry->record.SerializeAsString());
  }
  // Only over the key set this ring read: another replica's change makes
  // this one reload instead (kv.h Expect).
  const std::string version = absl::BytesToHexString(crypto::RandomBytes(16));
  batch.Expect(ColumnFamily::kMeta, kKeysVersionKey, keys_version_);
  batch.Put(ColumnFamily::kMeta, kKeysVersionKey, version);
  // Rare and must hold before any token is signed with the new key.
  batch.set_sync(true);
  token::KeySet published;
  for (const Entry& entry : entries) {
    if (absl::Status added = published.Add(entry.key.public_key());
        !added.ok()) {
      return added;
    }
  }
  tessera::v1::RevocationEvent event;
  event.mutable_keys_changed()->set_jwks_json(published.ToJwksJson());
  absl::StatusOr<tessera::v1::RevocationEvent> committed =
      log_->Commit(&batch, std::move(event), now);
  if (!committed.ok()) return committed.status();
  keys_version_ = version;
  entries_ = std::move(entries);
  Publish();
  absl::MutexLock lock(&schedule_mu_);
  changed_ = true;
  return committed->sequence();
}

void KeyRing::Publish() {
  std::vector<const Entry*> order;
  for (const Entry& e : entries_) order.push_back(&e);
  std::sort(order.begin(), order.end(), [](const Entry* a, const Entry* b) {
    const absl::Time ta = FromTimestamp(a->record.key().created_at());
    const absl::Time tb = FromTimestamp(b->record.key().created_at());
    if (ta != tb) return ta > tb;
    return StateOrder(a->state()) < StateOrder(b->state());
  });
  auto snapshot =
      std::make_shared<Snapshot>(Snapshot{.active = order.front()->key,
                                          .published = {},
                                          .jwks_json = {},
                                          .keys = {},
                                          .version = 0});
  for (const Entry* e : order) {
    if (e->state() == tessera::v1::KEY_STATE_ACTIVE) snapshot->active = e->key;
    (void)snapshot->published.Add(e->key.public_key());  // Kids are unique.
    snapshot->keys.push_back(e->record.key());
  }
  snapshot->jwks_json = snapshot->published.ToJwksJson();
  absl::MutexLock lock(&snapshot_mu_);
  snapshot->version = snapshot_ == nullptr ? 1 : snapshot_->version + 1;
  snapshot_ = std::move(snapshot);
}

std::shared_ptr<const KeyRing::Snapshot> KeyRing::current() const {
  absl::MutexLock lock(&snapshot_mu_);
  return snapshot_;
}

absl::StatusOr<KeyRing::Rotation> KeyRing::Rotate(
    std::optional<token::Algorithm> algorithm, absl::Time now) {
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<Rotation> rotated = RotateOnce(algorithm, now);
    if (!store::IsWriteConflict(rotated.status()) || attempt >= 3) {
      return rotated;
    }
    if (absl::Status reloaded = Reload(now); !reloaded.ok()) return reloaded;
  }
}

absl::StatusOr<KeyRing::Rotation> KeyRing::RotateOnce(
    std::optional<token::Algorithm> algorithm, absl::Time now) {
  absl::MutexLock lock(&write_mu_);
  if (entries_.size() >= static_cast<size_t>(kMaxPublishedKeys)) {
    return errors::Error(
        absl::StatusCode::kFailedPrecondition, errors::kTooManyKeys,
        absl::StrCat(entries_.size(),
                     " keys are published; rotate again once retired keys "
                     "have expired"));
  }
  std::vector<Entry> entries = entries_;
  Rotation rotation;
  std::vector<size_t> changed;
  for (size_t i = 0; i < entries.size(); ++i) {
    tessera::v1::SigningKey* info = entries[i].record.mutable_key();
    if (info->state() == tessera::v1::KEY_STATE_ACTIVE) {
      info->set_state(tessera::v1::KEY_STATE_RETIRED);
      *info->mutable_retired_at() = ToTimestamp(now);
      *entries[i].record.mutable_drop_after() =
          ToTimestamp(now + options_.retired_lifetime);
      rotation.retired = *info;
      changed.push_back(i);
    } else if (info->state() == tessera::v1::KEY_STATE_NEXT) {
      info->set_state(tessera::v1::KEY_STATE_ACTIVE);
      *info->mutable_activated_at() = ToTimestamp(now);
      rotation.active = *info;
      changed.push_back(i);
    }
  }
  absl::StatusOr<Entry> made =
      NewKey(algorithm.value_or(options_.algorithm), now);
  if (!made.ok()) return made.status();
  rotation.next = made->record.key();
  changed.push_back(entries.size());
  entries.push_back(*std::move(made));
  std::vector<const Entry*> changed_entries;
  for (size_t i : changed) changed_entries.push_back(&entries[i]);
  if (absl::Status s =
          Commit(std::move(entries), changed_entries, {}, now).status();
      !s.ok()) {
    return s;
  }
  log::Info("rotated the signing keys", {{"active", rotation.active.kid()},
                                         {"next", rotation.next.kid()},
                                         {"retired", rotation.retired.kid()}});
  return rotation;
}

absl::StatusOr<KeyRing::Withdrawal> KeyRing::Withdraw(absl::string_view kid,
                                                      absl::Time now) {
  absl::MutexLock lock(&write_mu_);
  std::vector<Entry> entries;
  std::optional<Entry> withdrawn;
  for (const Entry& e : entries_) {
    if (e.key.kid() == kid) {
      withdrawn = e;
    } else {
      entries.push_back(e);
    }
  }
  if (!withdrawn.has_value()) {
    return errors::Error(
        absl::StatusCode::kNotFound, errors::kKeyNotFound,
        absl::StrCat("no published signing key has kid \"", kid,
                     "\"; ListSigningKeys shows the published ones"));
  }
  Withdrawal withdrawal;
  withdrawal.withdrawn = withdrawn->record.key();
  std::vector<size_t> changed;
  const KeyState state = withdrawn->state();
  if (state != tessera::v1::KEY_STATE_RETIRED) {
    for (size_t i = 0; i < entries.size(); ++i) {
      tessera::v1::SigningKey* info = entries[i].record.mutable_key();
      if (state == tessera::v1::KEY_STATE_ACTIVE &&
          info->state() == tessera::v1::KEY_STATE_NEXT) {
        info->set_state(tessera::v1::KEY_STATE_ACTIVE);
        *info->mutable_activated_at() = ToTimestamp(now);
        changed.push_back(i);
      }
    }
    absl::StatusOr<Entry> made = NewKey(options_.algorithm, now);
    if (!made.ok()) return made.status();
    withdrawal.next = made->record.key();
    changed.push_back(entries.size());
    entries.push_back(*std::move(made));
  }
  for (const Entry& e : entries) {
    if (e.state() == tessera::v1::KEY_STATE_ACTIVE) {
      withdrawal.active = e.record.key();
    }
  }
  if (withdrawal.active.kid().empty()) {  // The ring had no NEXT key.
    return absl::InternalError("withdrawal would leave no signing key");
  }
  std::vector<const Entry*> changed_entries;
  for (size_t i : changed) changed_entries.push_back(&entries[i]);
  absl::StatusOr<uint64_t> sequence =
      Commit(std::move(entries), changed_entries, {std::string(kid)}, now);
  if (!sequence.ok()) return sequence.status();
  withdrawal.sequence = *sequence;
  log::Warning("withdrew a signing key",
               {{"kid", withdrawal.withdrawn.kid()},
                {"state", tessera::v1::KeyState_Name(state)},
                {"active", withdrawal.active.kid()}});
  return withdrawal;
}

absl::StatusOr<bool> KeyRing::ApplySchedule(absl::Time now) {
  bool rotate = false;
  {
    absl::MutexLock lock(&write_mu_);
    for (const Entry& e : entries_) {
      if (e.state() == tessera::v1::KEY_STATE_ACTIVE &&
          FromTimestamp(e.record.key().activated_at()) +
                  options_.rotation_period <=
              now) {
        rotate = true;
      }
    }
  }
  if (rotate) {
    absl::StatusOr<Rotation> rotated = RotateOnce(std::nullopt, now);
    if (store::IsWriteConflict(rotated.status())) {
      // Another replica rotated (or changed the keys) first: read what it
      // did; the next pass decides again, and finds nothing due.
      if (absl::Status reloaded = Reload(now); !reloaded.ok()) return reloaded;
      return false;
    }
    if (!rotated.ok()) return rotated.status();
  }
  absl::MutexLock lock(&write_mu_);
  std::vector<Entry> kept;
  std::vector<std::string> dropped;
  for (const Entry& e : entries_) {
    if (e.state() == tessera::v1::KEY_STATE_RETIRED &&
        FromTimestamp(e.record.drop_after()) <= now) {
      dropped.push_back(e.key.kid());
    } else {
      kept.push_back(e);
    }
  }
  if (dropped.empty()) return rotate;
  if (absl::Status s = Commit(std::move(kept), {}, dropped, now).status();
      !s.ok()) {
    return s;
  }
  log::Info("dropped retired signing keys",
            {{"count", static_cast<int>(dropped.size())}});
  return true;
}

absl::Time KeyRing::NextScheduledChange() const {
  absl::MutexLock lock(&write_mu_);
  absl::Time next = absl::InfiniteFuture();
  for (const Entry& e : entries_) {
    if (e.state() == tessera::v1::KEY_STATE_ACTIVE) {
      next = std::min(next, FromTimestamp(e.record.key().activated_at()) +
                                options_.rotation_period);
    } else if (e.state() == tessera::v1::KEY_STATE_RETIRED) {
      next = std::min(next, FromTimestamp(e.record.drop_after()));
    }
  }
  return next;
}

void KeyRing::StartSchedule() {
  schedule_thread_ = std::thread([this] {
    while (true) {
      const absl::Duration wait =
          std::clamp(NextScheduledChange() - Now(), absl::Milliseconds(50),
                     absl::Minutes(1));
      {
        absl::MutexLock lock(&schedule_mu_);
        schedule_mu_.AwaitWithTimeout(
            absl::Condition(
                +[](KeyRing* self)
                     ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->schedule_mu_) {
                       return self->stopping_ || self->changed_;
                     },
                this),
            wait);
        if (stopping_) return;
        if (changed_) {  // A change moved the next due time: recompute it.
          changed_ = false;
          continue;
        }
      }
      absl::StatusOr<bool> applied = ApplySchedule(Now());
      if (!applied.ok()) {
        log::Error("scheduled key maintenance failed; retrying",
                   {{"error", std::string(applied.status().message())}});
      }
    }
  });
}

void KeyRing::StopSchedule() {
  {
    absl::MutexLock lock(&schedule_mu_);
    stopping_ = true;
  }
  if (schedule_thread_.joinable()) schedule_thread_.join();
}

absl::Duration KeyRing::jwks_max_age() const {
  return std::min(absl::Minutes(5), options_.rotation_period / 4);
}

}  // namespace tessera::keys
