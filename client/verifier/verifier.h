#ifndef TESSERA_CLIENT_VERIFIER_VERIFIER_H_
#define TESSERA_CLIENT_VERIFIER_VERIFIER_H_

// tessera::Verifier: verifies access tokens inside a relying service, with no
// network call per token, and still honours a logout within milliseconds
// (docs/architecture.md).
//
// It follows tesserad's WatchRevocations stream on a thread of its own: the
// key set (KeysChanged events; NEXT keys arrive before they sign) and the
// revocation state (the same RevocationState tesserad's ValidateToken uses).
// Verify checks the signature with the token codec tesserad uses, caches
// tokens it verified until they expire, and applies expiry and the
// revocation state on every call, cache hits included. Cached tokens belong
// to one key set: once a KeysChanged event is applied, every token is
// checked against the new set again, so a token whose key was withdrawn
// (Admin.WithdrawSigningKey) or dropped is refused (UNKNOWN_KEY) even if it
// was cached.
//
// Fails closed: until the first snapshot has arrived, and whenever nothing
// (not even a heartbeat, sent every second) has been heard from tesserad for
// longer than max_staleness (on the monotonic clock), Verify answers
// UNAVAILABLE. The stream reconnects by itself (backoff 50 ms .. 2 s) and
// resumes after the last sequence applied, in the store incarnation it was
// seen in, so no revocation is missed across reconnects or server restarts;
// a server that can no longer resume (log trimmed, or a store restored from
// a backup, which reuses sequences under a new incarnation) sends a fresh
// snapshot flagged as a reset, and the Verifier replaces its revocation
// state with it (as the restored server's ValidateToken would judge). A
// stream is a position to resume from only once its snapshot_end has
// arrived: one broken off before that is asked for again from the same
// position (from 0 for the first snapshot), and a fresh snapshot replaces
// the state when complete.
//
// Options are checked by Start (see there): a Verifier must be told the
// audience it accepts (or to accept any, explicitly), and follows a
// non-loopback tesserad only over TLS unless allow_insecure says otherwise.
//
// Thread-safe. The read path takes only shared locks (no global exclusive
// lock): a cache shard's and the revocation state's; they are TSan-visible
// (client/base/shared_mutex.h). Memory is bounded: cache_capacity tokens,
// and revocations until `horizon` after they were made (revocations_held).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/base/shared_mutex.h"
#include "client/revocation/revocation_state.h"
#include "client/token/access_token.h"
#include "client/token/key_set.h"
#include "client/verifier/clock.h"
#include "client/verifier/reasons.h"
#include "client/verifier/token_cache.h"
#include "grpcpp/grpcpp.h"
#include "tessera/v1/token_authority.grpc.pb.h"

namespace tessera {

struct VerifierOptions {
  // tesserad's gRPC address, or an existing channel to it.
  std::string target;
  // Wins over target, credentials and allow_insecure if set.
  std::shared_ptr<grpc::Channel> channel;
  // How to reach `target`: e.g. grpc::SslCredentials({.pem_root_certs =
  // CA}) for TLS, with .pem_cert_chain and .pem_private_key for mutual TLS
  // (tesserad's --client_ca_file). Unset: plaintext, which Start accepts
  // only for a loopback target (127.0.0.0/8, localhost, [::1], unix:; see
  // loopback.h) or with allow_insecure, since the stream carries the key
  // set every token is checked against.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  bool allow_insecure = false;  // Plaintext to a non-loopback target.
  // Must equal tesserad's --issuer.
  std::string issuer = "tessera";
  // Required: accept only tokens whose `aud` holds one of these (tesserad
  // puts its --default_audience in tokens issued without one). Leaving it
  // empty is refused by Start unless accept_any_audience says, explicitly,
  // that this service accepts tokens meant for any service.
  std::vector<std::string> audience;
  bool accept_any_audience = false;
  // Must be at least tesserad's --access_ttl plus --leeway: how long a
  // revocation must be remembered.
  absl::Duration horizon = absl::Minutes(15) + absl::Seconds(30);
  absl::Duration leeway = absl::Seconds(30);
  // Measured on the monotonic clock: setting the system time back cannot
  // postpone failing closed.
  absl::Duration max_staleness = absl::Seconds(30);
  size_t cache_capacity = 10000;
  // Called on every WatchRevocations context, e.g. to attach an API key.
  std::function<void(grpc::ClientContext*)> prepare_context;
  // The clocks read (not owned; must outlive the Verifier). nullptr: the
  // real ones. For tests.
  const Clock* clock = nullptr;
};

using VerifiedClaims = std::shared_ptr<const token::AccessTokenClaims>;

// The ValidateToken reason of an UNAUTHENTICATED Verify status:
// TokenInvalidReasonOf, in reasons.h.

class Verifier {
 public:
  // Starts following tesserad; returns at once (see WaitUntilReady).
  // INVALID_ARGUMENT, naming the option, if the options are unsound: no
  // audience without accept_any_audience (or both), an empty audience
  // entry, neither target nor channel, plaintext to a non-loopback target
  // without allow_insecure, a non-positive horizon or max_staleness, or a
  // negative leeway.
  static absl::StatusOr<std::unique_ptr<Verifier>> Start(
      VerifierOptions options);
  ~Verifier();  // Stops the stream thread.

  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;

  // The token's claims if it is valid now. UNAUTHENTICATED with a reason
  // (TokenInvalidReasonOf) if not; UNAVAILABLE if the verifier is not in
  // sync with tesserad (fails closed).
  absl::StatusOr<VerifiedClaims> Verify(absl::string_view token) const;

  // True once the first snapshot has been applied (false on timeout).
  bool WaitUntilReady(absl::Duration timeout) const;
  // True once every event up to `sequence` (e.g. from RevokeSession or
  // UpdateClaims) has been applied locally (false on timeout).
  bool WaitForSequence(uint64_t sequence, absl::Duration timeout) const;
  uint64_t applied_sequence() const;
  // Stream messages handled so far, over every stream: snapshot entries,
  // live events, snapshot_end and heartbeats alike, each counted once its
  // effects are visible to Verify (applied_sequence, the state, staleness).
  // One atomic load. For tests that play a stream and must know, without
  // sleeping, that the Verifier has taken in what they sent.
  uint64_t events_applied() const {
    return events_applied_.load(std::memory_order_acquire);
  }
  // True once events_applied() >= count (false on timeout).
  bool WaitForEventsApplied(uint64_t count, absl::Duration timeout) const;
  // Streams opened so far (1 + reconnects).
  int64_t connections() const { return connections_.load(); }
  // Revoked sessions and subject cut-offs held in memory. Bounded: an entry
  // is forgotten (checked at most every kForgetInterval, on the stream
  // thread) once no token it could reject is still accepted: `leeway` after
  // its forget_after (the server's forget_after covers the server's leeway,
  // which may be shorter), or `horizon` after an event without one.
  size_t revocations_held() const;
  static constexpr absl::Duration kForgetInterval = absl::Seconds(2);

 private:
  explicit Verifier(VerifierOptions options);
  void Follow();
  void Apply(const tessera::v1::RevocationEvent& event, bool* synced);
  void ApplyRevocation(const tessera::v1::RevocationEvent& event);
  void EndSnapshot(const tessera::v1::RevocationEvent& event);
  // The position moves to `sequence`, whose log_hash is `hash`.
  void Advance(uint64_t sequence, const std::string& hash);
  void AdvanceIfSynced(uint64_t sequence,
                       const std::string& hash);  // Stream thread only.
  // Makes `keys` the set Verify checks against; cached tokens of the old
  // set are checked again.
  void InstallKeys(token::KeySet keys);
  // Drops revocations that can no longer matter, at most every
  // kForgetInterval. Stream thread only.
  void ForgetIfDue();
  bool SleepUnlessStopping(absl::Duration duration);

  const VerifierOptions options_;
  token::VerifyOptions verify_options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<tessera::v1::TokenAuthority::Stub> stub_;

  // Replaced whole when a reset snapshot arrives (the server's log no longer
  // matches what was applied, e.g. a store restored from a backup).
  mutable SharedMutex revocations_mu_;
  std::unique_ptr<revocation::RevocationState> revocations_
      ABSL_GUARDED_BY(revocations_mu_);
  // Until a stream's snapshot_end: its events, applied to a fresh state
  // that replaces revocations_ at snapshot_end if the stream is a fresh
  // snapshot (after_sequence 0) or a reset one. A resume's backlog is also
  // applied to revocations_ as it arrives; a fresh snapshot's is not. Null
  // once the stream is in sync. Stream thread only.
  std::unique_ptr<revocation::RevocationState> pending_;
  bool resuming_ = false;     // This stream asked for after_sequence > 0.
  mutable TokenCache cache_;  // Filled by Verify (const for callers).
  struct Keys {
    token::KeySet set;
    uint64_t version = 0;  // Grows with every KeysChanged applied.
  };
  mutable SharedMutex keys_mu_;
  std::shared_ptr<const Keys> keys_ ABSL_GUARDED_BY(keys_mu_);
  // keys_->version, readable without keys_mu_: the cache-hit path only
  // loads it (no shared write), and a cache entry of another version misses.
  std::atomic<uint64_t> keys_version_{0};

  const Clock& clock_;
  // Clock::Monotonic() in ns since its epoch; kNeverHeard until in sync.
  static constexpr int64_t kNeverHeard = std::numeric_limits<int64_t>::min();
  std::atomic<int64_t> last_heard_ns_{kNeverHeard};
  std::atomic<int64_t> connections_{0};
  std::atomic<uint64_t> events_applied_{0};  // Grows under sequence_mu_.
  // Stream thread only.
  std::chrono::steady_clock::time_point last_forget_{};
  bool forgot_once_ = false;

  mutable std::mutex sequence_mu_;
  mutable std::condition_variable sequence_cv_;
  uint64_t applied_ = 0;     // Guarded by sequence_mu_.
  std::string incarnation_;  // Of applied_; guarded by sequence_mu_.
  std::string log_hash_;     // Of applied_ (PostgreSQL); sequence_mu_.
  bool ready_ = false;       // Guarded by sequence_mu_.
  bool stopping_ = false;    // Guarded by sequence_mu_.
  grpc::ClientContext* active_context_ = nullptr;  // Guarded by sequence_mu_.

  std::thread thread_;
};

}  // namespace tessera

#endif  // TESSERA_CLIENT_VERIFIER_VERIFIER_H_
