#ifndef TESSERA_SERVER_KEYS_KEY_RING_H_
#define TESSERA_SERVER_KEYS_KEY_RING_H_

// The signing keys (docs/keys.md): NEXT -> ACTIVE -> RETIRED -> dropped.
//
// Invariants:
//  - After Open there is exactly one ACTIVE key and one NEXT key; the NEXT
//    key is published before it signs, so a verifier that refreshes its key
//    set between rotations never meets an unknown kid.
//  - A RETIRED key stays published until `drop_after` (its retirement plus
//    the longest access-token lifetime plus leeway), then it leaves the JWKS
//    and the store: every token it signed has expired by then. Withdraw is
//    the one exception: an emergency removal of any key at once, so that
//    its unexpired tokens stop verifying.
//  - Private keys are stored only sealed (AES-256-GCM under the KEK, the kid
//    as additional data). Open refuses a store sealed under another KEK,
//    naming the problem, before any token is signed.
//  - Every change (rotation, new NEXT key, drop, withdrawal) is one
//    WriteBatch holding the key records and a KeysChanged revocation-log
//    event, fsynced before the new key set is used.
//  - Changing --signing_alg replaces the NEXT key at start-up; the algorithm
//    signs from the next rotation on, never invalidating live tokens.
//
// Thread-safe. Readers take an immutable Snapshot (one shared_ptr copy) and
// use it for the whole call; changes publish a new Snapshot.

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "client/token/key_set.h"
#include "client/token/keys.h"
#include "server/crypto/kek.h"
#include "server/revocation/revocation_log.h"
#include "server/store/kv.h"
#include "tessera/v1/keys.pb.h"

namespace tessera::keys {

struct KeyRingOptions {
  token::Algorithm algorithm = token::Algorithm::kES256;  // --signing_alg
  absl::Duration rotation_period = absl::Hours(24 * 30);
  // How long a retired key stays published: the longest access-token
  // lifetime plus the verification leeway.
  absl::Duration retired_lifetime = absl::Minutes(15) + absl::Seconds(30);
};

// At most this many keys are published at once; a rotation beyond it is
// refused (FAILED_PRECONDITION TOO_MANY_KEYS) until retired keys drop.
inline constexpr int kMaxPublishedKeys = 16;

class KeyRing {
 public:
  struct Snapshot {
    token::PrivateKey active;
    token::KeySet published;  // NEXT, ACTIVE and RETIRED keys.
    std::string jwks_json;
    std::vector<tessera::v1::SigningKey> keys;  // Newest first.
    uint64_t version = 0;                       // Grows with every change.
  };

  struct Rotation {
    tessera::v1::SigningKey active, next, retired;
  };

  struct Withdrawal {
    tessera::v1::SigningKey withdrawn;  // As it was before the withdrawal.
    tessera::v1::SigningKey active;     // The key that signs afterwards.
    // The NEXT key generated to keep one published ahead of signing; unset
    // when a RETIRED key was withdrawn (the NEXT key stays).
    std::optional<tessera::v1::SigningKey> next;
    uint64_t sequence = 0;  // Of the KeysChanged event.
  };

  // Loads the keys (creating ACTIVE and NEXT on first start), then applies
  // the schedule once. `store`, `log` must outlive the ring.
  static absl::StatusOr<std::unique_ptr<KeyRing>> Open(
      store::Kv* store, revocation::RevocationLog* log, const crypto::Kek& kek,
      KeyRingOptions options, absl::Time now);

  // Reads the keys again (Load): after another replica sharing the store
  // changed them (a KeysChanged event this ring did not write), or after a
  // write conflict. Retries a conflict of its own a few times.
  absl::Status Reload(absl::Time now);
  ~KeyRing();  // StopSchedule().

  std::shared_ptr<const Snapshot> current() const;
  // The store's clock (kv.h Now): what rotation and drop times compare to.
  absl::Time Now() const { return store_->Now(); }

  // NEXT becomes ACTIVE, ACTIVE becomes RETIRED, and a new NEXT key is made
  // with `algorithm` (default: options.algorithm). If another replica
  // changed the keys meanwhile, reloads them and rotates what it finds (a
  // few times at most).
  absl::StatusOr<Rotation> Rotate(std::optional<token::Algorithm> algorithm,
                                  absl::Time now);

  // Emergency removal of a compromised key: `kid` leaves the published set
  // at once (one KeysChanged event, fsynced), so every token it signed is
  // refused as UNKNOWN_KEY by ValidateToken and by following Verifiers.
  // Withdrawing the ACTIVE key makes the NEXT key ACTIVE; withdrawing the
  // ACTIVE or the NEXT key generates a new NEXT key (`options.algorithm`),
  // so the ring always keeps one ACTIVE and one NEXT key and nothing is
  // ever refused for leaving no key to sign with. NOT_FOUND KEY_NOT_FOUND
  // if `kid` is not published.
  absl::StatusOr<Withdrawal> Withdraw(absl::string_view kid, absl::Time now);

  // Rotates if the ACTIVE key is older than the rotation period, and drops
  // retired keys past drop_after. Returns whether anything changed.
  absl::StatusOr<bool> ApplySchedule(absl::Time now);

  // A thread that calls ApplySchedule when it is due (and at least every
  // minute). Failures are logged and retried.
  void StartSchedule();
  void StopSchedule();

  // Seconds HTTP caches may keep the JWKS: short enough that a cache
  // refreshed after a rotation knows the following NEXT key well before
  // it signs.
  absl::Duration jwks_max_age() const;

  KeyRing(const KeyRing&) = delete;
  KeyRing& operator=(const KeyRing&) = delete;

 private:
  // One attempt: WRITE_CONFLICT if the keys changed since they were read.
  absl::StatusOr<Rotation> RotateOnce(std::optional<token::Algorithm> algorithm,
                                      absl::Time now);
  struct Entry;
  KeyRing(store::Kv* store, revocation::RevocationLog* log,
          const crypto::Kek& kek, KeyRingOptions options);

  // Load: reads every stored key (ReadAll, ReadRecord: each opened with the
  // KEK, a legacy unsealed key sealed and refiled), then makes sure there is
  // an ACTIVE key (the NEXT one promoted, or a new one) and a NEXT key of
  // --signing_alg (EnsureActive, EnsureNext), and commits what changed in
  // one batch. A Loading is the ring being built and what it changes.
  struct Loading;
  absl::Status Load(absl::Time now);
  absl::Status ReadAll(Loading& loading)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  absl::StatusOr<Entry> ReadRecord(const std::string& name,
                                   const std::string& value,
                                   Loading& loading) const;
  // The PKCS#8 of a record `name` sealed under the KEK `kek_id`.
  absl::StatusOr<std::string> Unseal(const std::string& name,
                                     const std::string& kek_id,
                                     const std::string& sealed) const;
  absl::Status EnsureActive(Loading& loading, absl::Time now);
  absl::Status EnsureNext(Loading& loading, absl::Time now);
  // Seals `entry`'s private key under the KEK into its record.
  void SealInto(Entry& entry) const;
  // Writes `changed` (and deletes `dropped` kids) with a KeysChanged event,
  // fsyncs, then installs `entries` as the ring. Returns the event's
  // sequence.
  absl::StatusOr<uint64_t> Commit(std::vector<Entry> entries,
                                  const std::vector<const Entry*>& changed,
                                  const std::vector<std::string>& dropped,
                                  absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  absl::StatusOr<Entry> NewKey(token::Algorithm algorithm, absl::Time now);
  void Publish() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  absl::Time NextScheduledChange() const;

  store::Kv* const store_;
  revocation::RevocationLog* const log_;
  const crypto::Kek kek_;
  const KeyRingOptions options_;

  // Serializes changes; readers never take it.
  mutable absl::Mutex write_mu_;
  std::vector<Entry> entries_ ABSL_GUARDED_BY(write_mu_);
  // The meta record every key change rewrites, as last read or written
  // (nullopt: none yet).
  std::optional<std::string> keys_version_ ABSL_GUARDED_BY(write_mu_);

  mutable absl::Mutex snapshot_mu_;
  std::shared_ptr<const Snapshot> snapshot_ ABSL_GUARDED_BY(snapshot_mu_);

  absl::Mutex schedule_mu_;
  bool stopping_ ABSL_GUARDED_BY(schedule_mu_) = false;
  // Set by every change: the schedule thread recomputes when to wake.
  bool changed_ ABSL_GUARDED_BY(schedule_mu_) = false;
  std::thread schedule_thread_;
};

}  // namespace tessera::keys

#endif  // TESSERA_SERVER_KEYS_KEY_RING_H_
