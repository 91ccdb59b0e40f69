#include "client/verifier/verifier.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/verifier/loopback.h"
#include "client/verifier/reasons.h"
#include "client/verifier/token_check.h"

namespace tessera {
namespace {

using tessera::v1::RevocationEvent;
using tessera::v1::TokenInvalidReason;

constexpr absl::Duration kMinBackoff = absl::Milliseconds(50);
constexpr absl::Duration kMaxBackoff = absl::Seconds(2);

int64_t Nanos(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             t.time_since_epoch())
      .count();
}

absl::Status CheckOptions(const VerifierOptions& options) {
  auto invalid = [](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("VerifierOptions: ", what));
  };
  if (options.audience.empty() && !options.accept_any_audience) {
    return invalid(
        "audience is empty: name the audiences this service accepts, or set "
        "accept_any_audience = true to accept tokens meant for any service");
  }
  if (!options.audience.empty() && options.accept_any_audience) {
    return invalid("audience and accept_any_audience are both set");
  }
  for (const std::string& audience : options.audience) {
    if (audience.empty()) return invalid("an audience entry is empty");
  }
  if (options.channel == nullptr) {
    if (options.target.empty()) return invalid("target or channel is needed");
    if (options.credentials == nullptr && !options.allow_insecure &&
        !IsLoopbackTarget(options.target)) {
      return invalid(absl::StrCat(
          "target \"", options.target,
          "\" is not loopback: give credentials (TLS) or set "
          "allow_insecure = true to follow tesserad in plaintext"));
    }
  }
  if (options.horizon <= absl::ZeroDuration()) {
    return invalid("horizon must be positive");
  }
  if (options.max_staleness <= absl::ZeroDuration()) {
    return invalid("max_staleness must be positive");
  }
  if (options.leeway < absl::ZeroDuration()) {
    return invalid("leeway must not be negative");
  }
  return absl::OkStatus();
}

}  // namespace

Verifier::Verifier(VerifierOptions options)
    : options_(std::move(options)),
      revocations_(
          std::make_unique<revocation::RevocationState>(options_.horizon)),
      cache_(options_.cache_capacity),
      clock_(options_.clock != nullptr ? *options_.clock : Clock::Real()) {
  verify_options_.policy.issuer = options_.issuer;
  verify_options_.policy.audience = options_.audience;
  verify_options_.policy.leeway = options_.leeway;
  channel_ = options_.channel;
  if (channel_ == nullptr) {
    channel_ = grpc::CreateChannel(options_.target,
                                   options_.credentials != nullptr
                                       ? options_.credentials
                                       : grpc::InsecureChannelCredentials());
  }
  stub_ = tessera::v1::TokenAuthority::NewStub(channel_);
}

absl::StatusOr<std::unique_ptr<Verifier>> Verifier::Start(
    VerifierOptions options) {
  if (absl::Status checked = CheckOptions(options); !checked.ok()) {
    return checked;
  }
  std::unique_ptr<Verifier> verifier(new Verifier(std::move(options)));
  verifier->thread_ = std::thread([v = verifier.get()] { v->Follow(); });
  return verifier;
}

Verifier::~Verifier() {
  {
    std::lock_guard<std::mutex> lock(sequence_mu_);
    stopping_ = true;
    if (active_context_ != nullptr) active_context_->TryCancel();
  }
  sequence_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<VerifiedClaims> Verifier::Verify(absl::string_view token) const {
  const int64_t heard = last_heard_ns_.load(std::memory_order_acquire);
  if (heard == kNeverHeard) {
    return absl::UnavailableError(
        "the verifier has not received tesserad's revocation state yet");
  }
  if (absl::Nanoseconds(Nanos(clock_.Monotonic()) - heard) >
      options_.max_staleness) {
    return absl::UnavailableError(absl::StrCat(
        "no word from tesserad for more than ",
        absl::FormatDuration(options_.max_staleness),
        "; refusing to verify on revocation state that may be stale"));
  }
  return CheckToken(
      token, {.cache = &cache_,
              .key_version = keys_version_.load(std::memory_order_acquire),
              .keys = [&]() -> VersionedKeys {
                ReaderLock lock(&keys_mu_);
                if (keys_ == nullptr) return {};
                return {
                    std::shared_ptr<const token::KeySet>(keys_, &keys_->set),
                    keys_->version};
              },
              .options = &verify_options_,
              .revocations =
                  [&](const token::AccessTokenClaims& claims) {
                    ReaderLock lock(&revocations_mu_);
                    return revocations_->Check(claims.session_id,
                                               claims.subject, claims.issued_at,
                                               claims.subject_generation);
                  },
              .now = clock_.Now()});
}

void Verifier::Follow() {
  absl::Duration backoff = kMinBackoff;
  while (true) {
    grpc::ClientContext context;
    if (options_.prepare_context) options_.prepare_context(&context);
    tessera::v1::WatchRevocationsRequest request;
    {
      std::lock_guard<std::mutex> lock(sequence_mu_);
      if (stopping_) return;
      active_context_ = &context;
      request.set_after_sequence(applied_);
      request.set_incarnation(incarnation_);
      request.set_after_log_hash(log_hash_);
    }
    // Until snapshot_end, what arrives is collected aside: a fresh snapshot
    // replaces the state at its end, and so may a resume (a reset).
    pending_ = std::make_unique<revocation::RevocationState>(options_.horizon);
    resuming_ = request.after_sequence() > 0;
    std::unique_ptr<grpc::ClientReader<RevocationEvent>> reader =
        stub_->WatchRevocations(&context, request);
    connections_.fetch_add(1);
    bool synced = false;
    RevocationEvent event;
    while (reader->Read(&event)) {
      Apply(event, &synced);
      if (synced) backoff = kMinBackoff;
    }
    (void)reader->Finish();  // Any end is followed by a resume.
    {
      std::lock_guard<std::mutex> lock(sequence_mu_);
      active_context_ = nullptr;
    }
    if (!SleepUnlessStopping(backoff)) return;
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

void Verifier::Apply(const RevocationEvent& event, bool* synced) {
  switch (event.event_case()) {
    case RevocationEvent::kSessionRevoked:
    case RevocationEvent::kSubjectRevoked:
    case RevocationEvent::kClaimsInvalidated:
      ApplyRevocation(event);
      AdvanceIfSynced(event.sequence(), event.log_hash());
      break;
    case RevocationEvent::kKeysChanged: {
      absl::StatusOr<token::KeySet> keys =
          token::KeySet::FromJwksJson(event.keys_changed().jwks_json());
      if (keys.ok()) {  // A bad document is ignored: the old set stays.
        InstallKeys(*std::move(keys));
      }
      AdvanceIfSynced(event.sequence(), event.log_hash());
      break;
    }
    case RevocationEvent::kSnapshotEnd:
      *synced = true;
      EndSnapshot(event);
      break;
    case RevocationEvent::kHeartbeat:
      // Queued behind every event up to current_sequence on this stream.
      if (*synced) {
        Advance(event.heartbeat().current_sequence(), event.log_hash());
      }
      break;
    default:
      break;
  }
  if (*synced) {
    last_heard_ns_.store(Nanos(clock_.Monotonic()), std::memory_order_release);
    ForgetIfDue();
  }
  {
    // Under the lock WaitForEventsApplied waits with, so no wake-up is lost.
    std::lock_guard<std::mutex> lock(sequence_mu_);
    events_applied_.fetch_add(1, std::memory_order_release);
  }
  sequence_cv_.notify_all();
}

void Verifier::ApplyRevocation(const RevocationEvent& event) {
  if (pending_ != nullptr) pending_->Apply(event);
  // A resumed backlog also takes effect at once; a fresh snapshot replaces
  // the state only when complete.
  if (pending_ != nullptr && !resuming_) return;
  ReaderLock lock(&revocations_mu_);  // The state locks itself to change.
  revocations_->Apply(event);
}

void Verifier::EndSnapshot(const RevocationEvent& event) {
  // A fresh snapshot, or a resume answered with a reset one, is the whole
  // state: what the server no longer holds (a restore lost it, or a broken
  // earlier stream half-sent it) is gone.
  const bool replace = event.snapshot_end().reset() || !resuming_;
  if (replace && pending_ != nullptr) {
    std::unique_ptr<revocation::RevocationState> old;
    {
      WriterLock lock(&revocations_mu_);
      old = std::exchange(revocations_, std::move(pending_));
    }
  }
  pending_.reset();
  std::lock_guard<std::mutex> lock(sequence_mu_);
  // After a reset the server's log may be shorter than what we saw.
  if (replace || event.sequence() >= applied_) {
    applied_ = event.sequence();
    log_hash_ = event.log_hash();
  }
  incarnation_ = event.snapshot_end().incarnation();
  ready_ = true;
}

size_t Verifier::revocations_held() const {
  ReaderLock lock(&revocations_mu_);
  return revocations_->size();
}

void Verifier::InstallKeys(token::KeySet keys) {
  {
    WriterLock lock(&keys_mu_);
    const uint64_t version = keys_ == nullptr ? 1 : keys_->version + 1;
    keys_ = std::make_shared<const Keys>(Keys{std::move(keys), version});
    keys_version_.store(version, std::memory_order_release);
  }
  cache_.Clear();  // Entries of the old version can never hit again.
}

void Verifier::ForgetIfDue() {
  const std::chrono::steady_clock::time_point now = clock_.Monotonic();
  if (forgot_once_ &&
      now - last_forget_ < absl::ToChronoNanoseconds(kForgetInterval)) {
    return;
  }
  forgot_once_ = true;
  last_forget_ = now;
  // forget_after is when the server's tokens are past exp plus *its*
  // leeway; this verifier accepts them for its own leeway past exp, which
  // may be longer.
  ReaderLock lock(&revocations_mu_);
  revocations_->Forget(clock_.Now() - options_.leeway);
}

void Verifier::AdvanceIfSynced(uint64_t sequence, const std::string& hash) {
  // Before snapshot_end a stream's sequences are no position to resume
  // from: a snapshot broken off would resume without its incarnation, and a
  // resumed backlog may turn out to be a reset snapshot.
  if (pending_ == nullptr) Advance(sequence, hash);
}

void Verifier::Advance(uint64_t sequence, const std::string& hash) {
  std::lock_guard<std::mutex> lock(sequence_mu_);
  if (sequence > applied_) {
    applied_ = sequence;
    log_hash_ = hash;
  } else if (sequence == applied_ && !hash.empty()) {
    log_hash_ = hash;
  }
}

bool Verifier::SleepUnlessStopping(absl::Duration duration) {
  std::unique_lock<std::mutex> lock(sequence_mu_);
  sequence_cv_.wait_for(lock, absl::ToChronoNanoseconds(duration),
                        [this] { return stopping_; });
  return !stopping_;
}

bool Verifier::WaitUntilReady(absl::Duration timeout) const {
  std::unique_lock<std::mutex> lock(sequence_mu_);
  return sequence_cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                               [this] { return ready_; });
}

bool Verifier::WaitForSequence(uint64_t sequence,
                               absl::Duration timeout) const {
  std::unique_lock<std::mutex> lock(sequence_mu_);
  return sequence_cv_.wait_for(
      lock, absl::ToChronoNanoseconds(timeout),
      [this, sequence] { return ready_ && applied_ >= sequence; });
}

bool Verifier::WaitForEventsApplied(uint64_t count,
                                    absl::Duration timeout) const {
  std::unique_lock<std::mutex> lock(sequence_mu_);
  return sequence_cv_.wait_for(
      lock, absl::ToChronoNanoseconds(timeout), [this, count] {
        return events_applied_.load(std::memory_order_acquire) >= count;
      });
}

uint64_t Verifier::applied_sequence() const {
  std::lock_guard<std::mutex> lock(sequence_mu_);
  return applied_;
}

}  // namespace tessera
