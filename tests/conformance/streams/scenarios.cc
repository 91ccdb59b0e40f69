#include "tests/conformance/streams/scenarios.h"

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "client/token/access_token.h"
#include "client/token/key_set.h"
#include "client/token/keys.h"
#include "tests/conformance/streams/replay.h"

namespace tessera::conformance::streams {
namespace {

using tessera::v1::RevocationEvent;

// Every scenario starts at 2027-01-01T00:00:00Z.
const absl::Time kStart = absl::FromUnixSeconds(1798761600);
// tesserad's defaults (--access_ttl, --leeway) and the Verifier's.
constexpr absl::Duration kAccessTtl = absl::Minutes(15);
constexpr absl::Duration kLeeway = absl::Seconds(30);
constexpr absl::Duration kMaxStaleness = absl::Seconds(30);
const absl::Duration kHorizon = kAccessTtl + kLeeway;
// Store incarnations: opaque to clients (tesserad's are 16 random bytes).
constexpr char kIncarnationA[] = "c9808be06633d0dc07c619e299eed681";
constexpr char kIncarnationB[] = "aaa1006f513239ec832cb6253955a753";

// Ed25519 private keys (RFC 8032 seeds), fixed so that every token, and so
// streams.json, is the same on every run. Test keys: they sign nothing else.
struct Seed {
  const char* name;
  const char* hex;
};
constexpr Seed kKey1 = {
    "k1", "9c01066c42da0f7fffa6bec4a2fbc12bbf5112f66838bfa2d3c1736a02a63ea9"};
constexpr Seed kKey2 = {
    "k2", "d91039c05e08e20802a7ac2482e0e56d5f912566c99b41c6b6dc11123e0693e5"};

google::protobuf::Timestamp At(absl::Time t) {
  google::protobuf::Timestamp stamp;
  const int64_t seconds = absl::ToUnixSeconds(t);
  stamp.set_seconds(seconds);
  stamp.set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) /
                                       absl::Nanoseconds(1)));
  return stamp;
}

absl::Time CeilSecond(absl::Time t) {
  const absl::Time floor = absl::FromUnixSeconds(absl::ToUnixSeconds(t));
  return floor == t ? t : floor + absl::Seconds(1);
}

// An access token as tesserad mints it (iss "tessera", aud ["api"],
// client_id "web"), issued `issued` after kStart.
struct TokenSpec {
  std::string name;
  std::string subject;
  std::string session_id;
  std::string key = "k1";
  uint64_t sgen = 0;
  absl::Duration issued = -absl::Minutes(1);
  absl::Duration ttl = kAccessTtl;
  std::string description = "";
};

TokenSpec AliceLaptop() {
  return {.name = "alice_laptop",
          .subject = "alice",
          .session_id = "ses_alice_laptop"};
}
TokenSpec AlicePhone() {
  return {.name = "alice_phone",
          .subject = "alice",
          .session_id = "ses_alice_phone"};
}
TokenSpec BobPhone() {
  return {.name = "bob_phone", .subject = "bob", .session_id = "ses_bob_phone"};
}
TokenSpec CarolTablet() {
  return {.name = "carol_tablet",
          .subject = "carol",
          .session_id = "ses_carol_tablet"};
}

// Writes one scenario: keys, tokens, then steps, each followed by what it
// states about the Verifier afterwards. The first failure (a key or token
// that cannot be made) is kept and returned by Build.
class Builder {
 public:
  Builder(std::string name, std::string description) {
    scenario_.set_name(std::move(name));
    scenario_.set_description(std::move(description));
    VerifierOptions& options = *scenario_.mutable_options();
    options.set_issuer("tessera");
    options.add_audience("api");
    SetLeeway(kLeeway);
    options.set_max_staleness_ms(absl::ToInt64Milliseconds(kMaxStaleness));
    options.set_horizon_ms(absl::ToInt64Milliseconds(kHorizon));
    *scenario_.mutable_start_time() = At(kStart);
    scenario_.mutable_first_request();  // From the start: after_sequence 0.
  }

  void SetLeeway(absl::Duration leeway) {
    scenario_.mutable_options()->set_leeway_ms(
        absl::ToInt64Milliseconds(leeway));
  }
  absl::Time now() const { return now_; }

  void AddKey(const Seed& seed) {
    absl::StatusOr<token::PrivateKey> key = token::PrivateKey::FromPkcs8(
        token::Algorithm::kEdDSA,
        absl::StrCat(absl::HexStringToBytes("302e020100300506032b657004220420"),
                     absl::HexStringToBytes(seed.hex)));
    if (!key.ok()) return Fail(key.status());
    Key& entry = *scenario_.add_keys();
    entry.set_name(seed.name);
    entry.set_kid(key->kid());
    entry.set_public_jwk(key->public_key().ToJwk().Serialize());
    keys_.emplace(seed.name, *std::move(key));
  }

  void AddToken(const TokenSpec& spec) {
    auto key = keys_.find(spec.key);
    if (key == keys_.end()) {
      return Fail(absl::NotFoundError(absl::StrCat("no key ", spec.key)));
    }
    token::AccessTokenClaims claims;
    claims.issuer = "tessera";
    claims.subject = spec.subject;
    claims.audience = {"api"};
    claims.issued_at = kStart + spec.issued;
    claims.expires_at = claims.issued_at + spec.ttl;
    claims.token_id = absl::StrCat("jti_", spec.name);
    claims.session_id = spec.session_id;
    claims.client_id = "web";
    claims.subject_generation = spec.sgen;
    absl::StatusOr<std::string> signed_token =
        token::SignAccessToken(key->second, claims);
    if (!signed_token.ok()) return Fail(signed_token.status());
    Token& token = *scenario_.add_tokens();
    token.set_name(spec.name);
    token.set_key(spec.key);
    token.set_token(*std::move(signed_token));
    token.set_description(spec.description);
  }

  // Events, as tesserad writes them.
  RevocationEvent Keys(uint64_t sequence,
                       std::initializer_list<const char*> names) {
    token::KeySet set;
    for (const char* name : names) {
      auto key = keys_.find(name);
      if (key == keys_.end()) {
        Fail(absl::NotFoundError(absl::StrCat("no key ", name)));
        continue;
      }
      if (absl::Status added = set.Add(key->second.public_key()); !added.ok()) {
        Fail(added);
      }
    }
    RevocationEvent event = Event(sequence, now_);
    event.mutable_keys_changed()->set_jwks_json(set.ToJwksJson());
    return event;
  }
  // forget_after as tesserad computes it (revoked at `at`, its default
  // --access_ttl and --leeway), unless given.
  static RevocationEvent Revoked(
      uint64_t sequence, const TokenSpec& session, absl::Time at,
      absl::Time forget_after = absl::InfinitePast()) {
    RevocationEvent event = Event(sequence, at);
    auto& revoked = *event.mutable_session_revoked();
    revoked.set_session_id(session.session_id);
    revoked.set_subject(session.subject);
    *revoked.mutable_forget_after() =
        At(forget_after == absl::InfinitePast() ? at + kHorizon : forget_after);
    return event;
  }
  static RevocationEvent Invalidated(uint64_t sequence,
                                     const std::string& subject,
                                     uint64_t generation, absl::Time at) {
    RevocationEvent event = Event(sequence, at);
    auto& cut = *event.mutable_claims_invalidated();
    cut.set_subject(subject);
    *cut.mutable_not_before() = At(CeilSecond(at));
    cut.set_generation(generation);
    *cut.mutable_forget_after() = At(at + kHorizon);
    return event;
  }
  // Written by releases before 0.2 only; no forget_after (horizon applies).
  static RevocationEvent SubjectRevoked(uint64_t sequence,
                                        const std::string& subject,
                                        absl::Time not_before) {
    RevocationEvent event = Event(sequence, not_before);
    event.mutable_subject_revoked()->set_subject(subject);
    *event.mutable_subject_revoked()->mutable_not_before() = At(not_before);
    return event;
  }
  static RevocationEvent End(uint64_t sequence, const char* incarnation,
                             bool reset = false) {
    RevocationEvent event;
    event.set_sequence(sequence);
    event.mutable_snapshot_end()->set_reset(reset);
    event.mutable_snapshot_end()->set_incarnation(incarnation);
    return event;
  }
  RevocationEvent Heartbeat(uint64_t current, const char* incarnation) const {
    RevocationEvent event;
    *event.mutable_time() = At(now_);
    event.mutable_heartbeat()->set_current_sequence(current);
    event.mutable_heartbeat()->set_incarnation(incarnation);
    return event;
  }

  // Steps.
  Builder& Send(RevocationEvent event, std::string note) {
    *NewStep(std::move(note)).mutable_message() = std::move(event);
    return *this;
  }
  // The server ends the stream; the Verifier must resume with this.
  Builder& Break(uint64_t after_sequence, const char* incarnation,
                 std::string note, const char* log_hash = "") {
    auto& resume =
        *NewStep(std::move(note)).mutable_break_stream()->mutable_resume();
    resume.set_after_sequence(after_sequence);
    resume.set_incarnation(incarnation);
    resume.set_after_log_hash(log_hash);
    return *this;
  }
  // `event` as a PostgreSQL-backed server sends it: with the log's hash
  // through its sequence.
  static RevocationEvent Hashed(RevocationEvent event, const char* log_hash) {
    event.set_log_hash(log_hash);
    return event;
  }
  Builder& Advance(absl::Duration wall, absl::Duration monotonic,
                   std::string note) {
    Step& step = NewStep(std::move(note));
    step.mutable_advance()->set_wall_ms(absl::ToInt64Milliseconds(wall));
    step.mutable_advance()->set_monotonic_ms(
        absl::ToInt64Milliseconds(monotonic));
    now_ += wall;
    return *this;
  }

  // What holds after the latest step.
  Builder& Expect(const TokenSpec& token, const char* verdict) {
    Verdict& entry = *LastExpect().add_verdicts();
    entry.set_token(token.name);
    entry.set_verdict(verdict);
    return *this;
  }
  Builder& Applied(uint64_t sequence) {
    LastExpect().set_applied_sequence(sequence);
    return *this;
  }
  Builder& Held(uint32_t revocations) {
    LastExpect().set_revocations_held(revocations);
    return *this;
  }

  absl::StatusOr<Scenario> Build() {
    if (!status_.ok()) {
      return absl::Status(status_.code(), absl::StrCat(scenario_.name(), ": ",
                                                       status_.message()));
    }
    return scenario_;
  }

 private:
  static RevocationEvent Event(uint64_t sequence, absl::Time at) {
    RevocationEvent event;
    event.set_sequence(sequence);
    *event.mutable_time() = At(at);
    return event;
  }
  Step& NewStep(std::string note) {
    Step& step = *scenario_.add_steps();
    step.set_note(std::move(note));
    return step;
  }
  streams::Expect& LastExpect() {
    if (scenario_.steps().empty()) NewStep("start");
    return *scenario_.mutable_steps()->rbegin()->mutable_expect();
  }
  void Fail(absl::Status status) {
    if (status_.ok()) status_ = std::move(status);
  }

  Scenario scenario_;
  absl::flat_hash_map<std::string, token::PrivateKey> keys_;
  absl::Time now_ = kStart;  // The wall clock as the steps so far left it.
  absl::Status status_;
};

// Each scenario below is one function: what it shows is in its description.

absl::StatusOr<Scenario> BeforeFirstSnapshot() {
  Builder b("before_first_snapshot",
            "Until the first snapshot_end the Verifier fails closed, whatever "
            "it has received; from snapshot_end on it judges by the snapshot.");
  b.AddKey(kKey1);
  b.AddToken(AliceLaptop());
  b.AddToken(BobPhone());
  b.Advance(absl::ZeroDuration(), absl::ZeroDuration(), "nothing received")
      .Expect(AliceLaptop(), "UNAVAILABLE")
      .Expect(BobPhone(), "UNAVAILABLE")
      .Applied(0);
  b.Send(b.Keys(1, {"k1"}), "snapshot: the key set")
      .Expect(AliceLaptop(), "UNAVAILABLE")
      .Applied(0);
  b.Send(b.Revoked(2, BobPhone(), kStart - absl::Seconds(20)),
         "snapshot: bob's phone was signed out")
      .Expect(AliceLaptop(), "UNAVAILABLE")
      .Expect(BobPhone(), "UNAVAILABLE")
      .Applied(0);
  b.Send(b.End(2, kIncarnationA), "snapshot_end: in sync")
      .Expect(AliceLaptop(), "VALID")
      .Expect(BobPhone(), "SESSION_REVOKED")
      .Applied(2);
  return b.Build();
}

absl::StatusOr<Scenario> SnapshotWithRevokedSessions() {
  Builder b("snapshot_with_revoked_sessions",
            "A snapshot lists the revocations that still matter, in sequence "
            "order; its snapshot_end names the sequence the stream is "
            "complete up to, which may be past its last entry.");
  b.AddKey(kKey1);
  b.AddToken(AliceLaptop());
  b.AddToken(AlicePhone());
  b.AddToken(BobPhone());
  b.AddToken(CarolTablet());
  b.Send(b.Keys(1, {"k1"}), "snapshot: the key set");
  b.Send(b.Revoked(3, AlicePhone(), kStart - absl::Seconds(30)),
         "snapshot: alice's phone was signed out");
  b.Send(b.Revoked(4, BobPhone(), kStart - absl::Seconds(20)),
         "snapshot: bob's phone was signed out");
  b.Send(b.End(6, kIncarnationA),
         "snapshot_end at 6: events 2 and 5 no longer matter")
      .Expect(AliceLaptop(), "VALID")
      .Expect(AlicePhone(), "SESSION_REVOKED")
      .Expect(BobPhone(), "SESSION_REVOKED")
      .Expect(CarolTablet(), "VALID")
      .Applied(6)
      .Held(2);
  b.Send(b.Heartbeat(6, kIncarnationA), "heartbeat")
      .Expect(AlicePhone(), "SESSION_REVOKED")
      .Expect(CarolTablet(), "VALID")
      .Applied(6);
  return b.Build();
}

absl::StatusOr<Scenario> LiveSessionRevoked() {
  Builder b("live_session_revoked",
            "A live SessionRevoked rejects the session's tokens at once, "
            "tokens verified (and cached) before included; other sessions of "
            "the subject are untouched.");
  b.AddKey(kKey1);
  b.AddToken(AliceLaptop());
  b.AddToken(AlicePhone());
  b.Send(b.Keys(1, {"k1"}), "snapshot: the key set");
  b.Send(b.End(1, kIncarnationA), "snapshot_end")
      .Expect(AliceLaptop(), "VALID")
      .Expect(AlicePhone(), "VALID")
      .Applied(1);
  b.Send(b.Revoked(2, AliceLaptop(), b.now()), "live: the laptop signs out")
      .Expect(AliceLaptop(), "SESSION_REVOKED")
      .Expect(AlicePhone(), "VALID")
      .Applied(2);
  b.Send(b.Heartbeat(2, kIncarnationA), "heartbeat")
      .Expect(AliceLaptop(), "SESSION_REVOKED")
      .Applied(2);
  b.Send(b.Revoked(3, AlicePhone(), b.now()), "live: the phone signs out")
      .Expect(AliceLaptop(), "SESSION_REVOKED")
      .Expect(AlicePhone(), "SESSION_REVOKED")
      .Applied(3);
  return b.Build();
}

absl::StatusOr<Scenario> ClaimsInvalidatedByGeneration() {
  Builder b("claims_invalidated_by_generation",
            "ClaimsInvalidated rejects the subject's tokens whose sgen is "
            "below the event's generation (no sgen counts as 0) as "
            "STALE_CLAIMS; equal or higher passes; other subjects are "
            "untouched; a later cut-off moves it up.");
  b.AddKey(kKey1);
  TokenSpec g0 = AliceLaptop();
  g0.name = "alice_sgen0";
  g0.description = "no sgen claim: generation 0";
  TokenSpec g1 = g0, g2 = g0, g3 = g0;
  g1.name = "alice_sgen1";
  g1.sgen = 1;
  g1.description = "";
  g2.name = "alice_sgen2";
  g2.sgen = 2;
  g2.description = "";
  g3.name = "alice_sgen3";
  g3.sgen = 3;
  g3.description = "";
  for (const TokenSpec& token : {g0, g1, g2, g3, BobPhone()}) {
    b.AddToken(token);
  }
  b.Send(b.Keys(1, {"k1"}), "snapshot: the key set");
  b.Send(b.End(1, kIncarnationA), "snapshot_end")
      .Expect(g0, "VALID")
      .Expect(g1, "VALID")
      .Expect(g2, "VALID")
      .Expect(g3, "VALID")
      .Expect(BobPhone(), "VALID")
      .Applied(1);
  b.Send(b.Invalidated(2, "alice", 2, b.now()),
         "live: alice's claims changed; her generation is now 2")
      .Expect(g0, "STALE_CLAIMS")
      .Expect(g1, "STALE_CLAIMS")
      .Expect(g2, "VALID")
      .Expect(g3, "VALID")
      .Expect(BobPhone(), "VALID")
      .Applied(2)
      .Held(1);
  b.Send(b.Invalidated(3, "alice", 3, b.now()),
         "live: changed again in the same second; generation 3")
      .Expect(g0, "STALE_CLAIMS")
      .Expect(g2, "STALE_CLAIMS")
      .Expect(g3, "VALID")
      .Expect(BobPhone(), "VALID")
      .Applied(3)
      .Held(1);
  return b.Build();
}

absl::StatusOr<Scenario> KeysChangedNextKey() {
  Builder b("keys_changed_next_key",
            "KeysChanged replaces the key set: a token signed by a key not "
            "yet published is UNKNOWN_KEY, and VALID once a KeysChanged "
            "publishes the key (as NEXT, before it signs).");
  b.AddKey(kKey1);
  b.AddKey(kKey2);
  b.AddToken({.name = "alice_k1",
              .subject = "alice",
              .session_id = "ses_alice_laptop",
              .key = "k1"});
  b.AddToken({.name = "alice_k2",
              .subject = "alice",
              .session_id = "ses_alice_phone",
              .key = "k2",
              .description = "signed by k2, not yet published"});
  const TokenSpec k1 = {.name = "alice_k1"}, k2 = {.name = "alice_k2"};
  b.Send(b.Keys(1, {"k1"}), "snapshot: k1 only");
  b.Send(b.End(1, kIncarnationA), "snapshot_end")
      .Expect(k1, "VALID")
      .Expect(k2, "UNKNOWN_KEY")
      .Applied(1);
  b.Send(b.Keys(2, {"k1", "k2"}), "live: k2 published as NEXT")
      .Expect(k1, "VALID")
      .Expect(k2, "VALID")
      .Applied(2);
  return b.Build();
}

absl::StatusOr<Scenario> KeyWithdrawn() {
  Builder b("key_withdrawn",
            "A key left out of a KeysChanged (withdrawn, or dropped) is "
            "refused at once, UNKNOWN_KEY, even for a token verified and "
            "cached before.");
  b.AddKey(kKey1);
  b.AddKey(kKey2);
  b.AddToken({.name = "alice_k1",
              .subject = "alice",
              .session_id = "ses_alice_laptop",
              .key = "k1"});
  b.AddToken({.name = "alice_k2",
              .subject = "alice",
              .session_id = "ses_alice_phone",
              .key = "k2"});
  const TokenSpec k1 = {.name = "alice_k1"}, k2 = {.name = "alice_k2"};
  b.Send(b.Keys(1, {"k1", "k2"}), "snapshot: k1 and k2");
  b.Send(b.End(1, kIncarnationA), "snapshot_end")
      .Expect(k1, "VALID")
      .Expect(k2, "VALID")
      .Applied(1);
  b.Send(b.Keys(2, {"k2"}), "live: k1 withdrawn")
      .Expect(k1, "UNKNOWN_KEY")
      .Expect(k2, "VALID")
      .Applied(2);
  b.Send(b.Heartbeat(2, kIncarnationA), "heartbeat")
      .Expect(k1, "UNKNOWN_KEY")
      .Applied(2);
  return b.Build();
}

absl::StatusOr<Scenario> ResumeAfterBreak() {
  Builder b("resume_after_break",
            "A broken stream resumes after the sequence applied, in its "
            "incarnation; the backlog takes effect as it arrives but the "
            "applied sequence moves only at its snapshot_end (reset false), "
            "then with live events and heartbeats. Nothing is missed.");
  b.AddKey(kKey1);
  b.AddToken(AliceLaptop());
  b.AddToken(AlicePhone());
  b.AddToken(BobPhone());
  b.Send(b.Keys(1, {"k1"}), "snapshot: the key set");
  b.Send(b.End(1, kIncarnationA), "snapshot_end")
      .Expect(AliceLaptop(), "VALID")
      .Expect(AlicePhone(), "VALID")
      .Applied(1);
  b.Send(b.Revoked(2, AliceLaptop(), b.now()), "live: the laptop signs out")
      .Expect(AliceLaptop(), "SESSION_REVOKED")
      .Applied(2);
  b.Break(2, kIncarnationA, "the stream breaks")
      .Expect(AliceLaptop(), "SESSION_REVOKED")
      .Expect(AlicePhone(), "VALID")
      .Applied(2);
  b.Send(b.Revoked(3, AlicePhone(), b.now()),
         "backlog: the phone signed out while disconnected")
      .Expect(AlicePhone(), "SESSION_REVOKED")
      .Applied(2);
  b.Send(b.End(3, kIncarnationA), "snapshot_end (reset false): caught up")
      .Expect(AliceLaptop(), "SESSION_REVOKED")
      .Expect(AlicePhone(), "SESSION_REVOKED")
      .Expect(BobPhone(), "VALID")
      .Applied(3);
  b.Send(b.Revoked(4, BobPhone(), b.now()), "live: bob's phone signs out")
      .Expect(BobPhone(), "SESSION_REVOKED")
      .Applied(4);
  b.Send(b.Heartbeat(4, kIncarnationA), "heartbeat").Applied(4);
  b.Break(4, kIncarnationA, "the stream breaks again").Applied(4);
  b.Send(b.End(4, kIncarnationA), "snapshot_end: nothing was missed")
      .Expect(AliceLaptop(), "SESSION_REVOKED")
      .Expect(AlicePhone(), "SESSION_REVOKED")
      .Expect(BobPhone(), "SESSION_REVOKED")
      .Applied(4);
  return b.Build();
}

absl::StatusOr<Scenario> ResumeWithLogHash() {
  Builder b("resume_with_log_hash",
            "Behind a PostgreSQL store every event, snapshot_end and "
            "heartbeat carries log_hash, the log's hash through its "
            "sequence; a resume sends the one of the applied sequence back "
            "(after_log_hash). A failover lost event 2, and another event "
            "took its sequence: the hash no longer matches, so the answer "
            "is a reset snapshot, which replaces the state at its "
            "snapshot_end (the lost revocation is forgotten, the new one "
            "holds). Events without log_hash (RocksDB) leave it empty.");
  b.AddKey(kKey1);
  b.AddToken(AliceLaptop());
  b.AddToken(AlicePhone());
  b.Send(b.Hashed(b.Keys(1, {"k1"}), "h1"), "snapshot: the key set");
  b.Send(b.Hashed(b.End(1, kIncarnationA), "h1"), "snapshot_end").Applied(1);
  b.Send(b.Hashed(b.Revoked(2, AliceLaptop(), b.now()), "h2"),
         "live: the laptop signs out (on the old primary only)")
      .Expect(AliceLaptop(), "SESSION_REVOKED")
      .Applied(2);
  b.Break(2, kIncarnationA, "the stream breaks: failover", "h2").Applied(2);
  b.Send(b.Hashed(b.Keys(1, {"k1"}), "h1"), "reset snapshot: the key set");
  b.Send(b.Hashed(b.Revoked(2, AlicePhone(), b.now()), "h2-new"),
         "reset snapshot: the phone signed out, as event 2 now");
  b.Send(b.Hashed(b.End(2, kIncarnationA, /*reset=*/true), "h2-new"),
         "snapshot_end (reset true)")
      .Expect(AliceLaptop(), "VALID")
      .Expect(AlicePhone(), "SESSION_REVOKED")
      .Applied(2);
  b.Send(b.Hashed(b.Heartbeat(3, kIncarnationA), "h3"), "heartbeat at 3")
      .Applied(3);
  b.Break(3, kIncarnationA, "the stream breaks again", "h3").Applied(3);
  return b.Build();
}

absl::StatusOr<Scenario> BreakDuringFirstSnapshot() {
  Builder b("break_during_first_snapshot",
            "A stream broken before its snapshot_end is no position: the "
            "first snapshot is asked for again from 0 (no incarnation is "
            "known yet), and the new snapshot alone is the state (here the "
            "server was restored from a backup meanwhile and no longer holds "
            "bob's revocation).");
  b.AddKey(kKey1);
  b.AddToken(AliceLaptop());
  b.AddToken(BobPhone());
  b.AddToken(CarolTablet());
  b.Send(b.Keys(1, {"k1"}), "snapshot: the key set")
      .Expect(AliceLaptop(), "UNAVAILABLE")
      .Applied(0);
  b.Send(b.Revoked(2, BobPhone(), kStart - absl::Seconds(20)),
         "snapshot: bob's phone was signed out")
      .Expect(BobPhone(), "UNAVAILABLE")
      .Applied(0);
  b.Break(0, "", "the stream breaks before snapshot_end")
      .Expect(AliceLaptop(), "UNAVAILABLE")
      .Applied(0);
  b.Send(b.Keys(1, {"k1"}), "new snapshot: the key set");
  b.Send(b.Revoked(2, CarolTablet(), kStart - absl::Seconds(10)),
         "new snapshot: carol's tablet, sequence 2 of the restored store");
  b.Send(b.End(2, kIncarnationB), "snapshot_end")
      .Expect(AliceLaptop(), "VALID")
      .Expect(BobPhone(), "VALID")
      .Expect(CarolTablet(), "SESSION_REVOKED")
      .Applied(2)
      .Held(1);
  return b.Build();
}

absl::StatusOr<Scenario> ResetOnNewIncarnation() {
  Builder b("reset_on_new_incarnation",
            "The server was restored from a backup taken at sequence 2 and "
            "has a new incarnation. The resume names the old one, so the "
            "answer is a reset snapshot: while it arrives the old state "
            "stays in use (its entries apply at once too); at its "
            "snapshot_end it replaces the state, so a session revoked only "
            "in the old incarnation is VALID again, as the restored server "
            "judges it, and the applied sequence goes back to the server's.");
  b.AddKey(kKey1);
  b.AddToken(AliceLaptop());
  b.AddToken(AlicePhone());
  b.AddToken(BobPhone());
  b.AddToken(CarolTablet());
  b.Send(b.Keys(1, {"k1"}), "snapshot: the key set");
  b.Send(b.Revoked(2, AliceLaptop(), kStart - absl::Seconds(30)),
         "snapshot: alice's laptop signed out");
  b.Send(b.Revoked(3, AlicePhone(), kStart - absl::Seconds(20)),
         "snapshot: alice's phone signed out (after the backup)");
  b.Send(b.End(3, kIncarnationA), "snapshot_end, incarnation A")
      .Expect(AliceLaptop(), "SESSION_REVOKED")
      .Expect(AlicePhone(), "SESSION_REVOKED")
      .Expect(BobPhone(), "VALID")
      .Expect(CarolTablet(), "VALID")
      .Applied(3)
      .Held(2);
  b.Send(b.Revoked(4, BobPhone(), b.now()), "live: bob's phone signs out")
      .Expect(BobPhone(), "SESSION_REVOKED")
      .Applied(4)
      .Held(3);
  b.Break(4, kIncarnationA, "the server goes down; restored from backup")
      .Applied(4);
  b.Send(b.Keys(1, {"k1"}), "reset snapshot: the key set")
      .Expect(AlicePhone(), "SESSION_REVOKED")
      .Applied(4);
  b.Send(b.Revoked(2, AliceLaptop(), kStart - absl::Seconds(30)),
         "reset snapshot: alice's laptop");
  b.Send(b.Revoked(3, CarolTablet(), b.now()),
         "reset snapshot: carol's tablet, sequence 3 of the restored store")
      .Expect(AlicePhone(), "SESSION_REVOKED")
      .Expect(BobPhone(), "SESSION_REVOKED")
      .Expect(CarolTablet(), "SESSION_REVOKED")
      .Applied(4);
  b.Send(b.End(3, kIncarnationB, /*reset=*/true),
         "snapshot_end, reset, incarnation B")
      .Expect(AliceLaptop(), "SESSION_REVOKED")
      .Expect(AlicePhone(), "VALID")
      .Expect(BobPhone(), "VALID")
      .Expect(CarolTablet(), "SESSION_REVOKED")
      .Applied(3)
      .Held(2);
  b.Break(3, kIncarnationB, "the stream breaks: resumes in incarnation B");
  b.Send(b.End(3, kIncarnationB), "snapshot_end: caught up")
      .Expect(AlicePhone(), "VALID")
      .Applied(3);
  return b.Build();
}

absl::StatusOr<Scenario> HeartbeatsKeepFresh() {
  Builder b("heartbeats_keep_fresh",
            "Each message heard restarts the max_staleness period, measured "
            "on the monotonic clock: heartbeats keep an idle Verifier in "
            "sync, and carry the applied sequence forward.");
  b.AddKey(kKey1);
  b.AddToken(AliceLaptop());
  const absl::Duration twenty = absl::Seconds(20);
  b.Send(b.Keys(1, {"k1"}), "snapshot: the key set");
  b.Send(b.End(1, kIncarnationA), "snapshot_end")
      .Expect(AliceLaptop(), "VALID");
  b.Advance(twenty, twenty, "20 s of silence").Expect(AliceLaptop(), "VALID");
  b.Send(b.Heartbeat(1, kIncarnationA), "heartbeat")
      .Expect(AliceLaptop(), "VALID");
  b.Advance(twenty, twenty, "20 s more: 40 s since snapshot_end")
      .Expect(AliceLaptop(), "VALID");
  b.Send(b.Revoked(2, AlicePhone(), b.now()), "live: another session revoked")
      .Applied(2);
  b.Advance(twenty, twenty, "20 s").Expect(AliceLaptop(), "VALID");
  b.Send(b.Heartbeat(2, kIncarnationA), "heartbeat")
      .Expect(AliceLaptop(), "VALID")
      .Applied(2);
  return b.Build();
}

absl::StatusOr<Scenario> SilenceBeyondMaxStaleness() {
  Builder b("silence_beyond_max_staleness",
            "Silence for exactly max_staleness is still in sync; beyond it "
            "Verify answers UNAVAILABLE until a message is heard. Only the "
            "monotonic clock counts: a wall-clock step neither refreshes "
            "nor postpones. A broken stream stays stale until its resume's "
            "snapshot_end.");
  b.AddKey(kKey1);
  b.AddToken(AliceLaptop());
  const absl::Duration zero = absl::ZeroDuration();
  b.Send(b.Keys(1, {"k1"}), "snapshot: the key set");
  b.Send(b.End(1, kIncarnationA), "snapshot_end")
      .Expect(AliceLaptop(), "VALID");
  b.Advance(kMaxStaleness, kMaxStaleness, "exactly max_staleness of silence")
      .Expect(AliceLaptop(), "VALID");
  b.Advance(absl::Milliseconds(1), absl::Milliseconds(1), "1 ms more")
      .Expect(AliceLaptop(), "UNAVAILABLE");
  b.Send(b.Heartbeat(1, kIncarnationA), "heartbeat")
      .Expect(AliceLaptop(), "VALID");
  b.Advance(absl::Minutes(1), zero, "the wall clock jumps 1 min ahead")
      .Expect(AliceLaptop(), "VALID");
  b.Advance(-absl::Minutes(2), kMaxStaleness + absl::Seconds(1),
            "it steps 2 min back while 31 s pass")
      .Expect(AliceLaptop(), "UNAVAILABLE");
  b.Send(b.Heartbeat(1, kIncarnationA), "heartbeat")
      .Expect(AliceLaptop(), "VALID");
  b.Break(1, kIncarnationA, "the stream breaks").Expect(AliceLaptop(), "VALID");
  b.Advance(absl::Seconds(31), absl::Seconds(31), "31 s reconnecting")
      .Expect(AliceLaptop(), "UNAVAILABLE");
  b.Send(b.End(1, kIncarnationA), "snapshot_end of the resume")
      .Expect(AliceLaptop(), "VALID")
      .Applied(1);
  return b.Build();
}

absl::StatusOr<Scenario> ForgetAfterHorizon() {
  Builder b("forget_after_horizon",
            "Revocations are dropped once no token they reject can still be "
            "accepted: after forget_after plus the Verifier's leeway (here "
            "tesserad's defaults: forget_after = revocation + access TTL + "
            "leeway). By then the tokens are EXPIRED. Forgetting may lag (it "
            "runs on the stream thread, at most every 2 s of the monotonic "
            "clock); each check comes after a message and 5 s.");
  b.AddKey(kKey1);
  b.AddToken(AliceLaptop());
  TokenSpec bob = BobPhone();
  b.AddToken(bob);
  const absl::Time revoked = kStart - absl::Minutes(1);  // As issued.
  const absl::Duration pause = absl::Seconds(5);
  b.Send(b.Keys(1, {"k1"}), "snapshot: the key set");
  b.Send(b.Revoked(2, AliceLaptop(), revoked),
         "snapshot: the laptop signed out right after it was issued");
  b.Send(b.Invalidated(3, "bob", 1, revoked), "snapshot: bob's claims changed");
  b.Send(b.End(3, kIncarnationA), "snapshot_end")
      .Expect(AliceLaptop(), "SESSION_REVOKED")
      .Expect(bob, "STALE_CLAIMS")
      .Held(2);
  // Tokens: exp = kStart + 14 min; forget_after = kStart + 14 min 30 s.
  b.Advance(absl::Minutes(14) + absl::Seconds(30), pause,
            "to forget_after (= exp + leeway)")
      .Expect(AliceLaptop(), "EXPIRED")
      .Expect(bob, "EXPIRED");
  b.Send(b.Heartbeat(3, kIncarnationA), "heartbeat").Held(2);
  b.Advance(kLeeway, pause, "to forget_after + leeway");
  b.Send(b.Heartbeat(3, kIncarnationA), "heartbeat: still held").Held(2);
  b.Advance(absl::Milliseconds(1), pause, "1 ms past it");
  b.Send(b.Heartbeat(3, kIncarnationA), "heartbeat: forgotten")
      .Expect(AliceLaptop(), "EXPIRED")
      .Expect(bob, "EXPIRED")
      .Held(0);
  return b.Build();
}

absl::StatusOr<Scenario> ForgetWaitsForVerifierLeeway() {
  Builder b("forget_waits_for_verifier_leeway",
            "A tesserad run with --leeway=0s writes forget_after = the "
            "tokens' exp; a Verifier with a 60 s leeway accepts them until "
            "exp + 60 s, so it must hold the revocation as long: the token "
            "stays SESSION_REVOKED, never VALID again, until it is EXPIRED.");
  b.SetLeeway(absl::Seconds(60));
  b.AddKey(kKey1);
  b.AddToken(AliceLaptop());
  const absl::Time exp = kStart + absl::Minutes(14);
  const absl::Duration pause = absl::Seconds(5);
  b.Send(b.Keys(1, {"k1"}), "snapshot: the key set");
  b.Send(b.Revoked(2, AliceLaptop(), kStart - absl::Minutes(1), exp),
         "snapshot: the laptop signed out; forget_after = exp");
  b.Send(b.End(2, kIncarnationA), "snapshot_end")
      .Expect(AliceLaptop(), "SESSION_REVOKED")
      .Held(1);
  b.Advance(absl::Minutes(14) + absl::Seconds(1), pause,
            "1 s past forget_after");
  b.Send(b.Heartbeat(2, kIncarnationA), "heartbeat")
      .Expect(AliceLaptop(), "SESSION_REVOKED")
      .Held(1);
  b.Advance(absl::Seconds(59), pause, "to exp + leeway")
      .Expect(AliceLaptop(), "EXPIRED");
  b.Send(b.Heartbeat(2, kIncarnationA), "heartbeat").Held(1);
  b.Advance(absl::Milliseconds(1), pause, "1 ms past it");
  b.Send(b.Heartbeat(2, kIncarnationA), "heartbeat: forgotten")
      .Expect(AliceLaptop(), "EXPIRED")
      .Held(0);
  return b.Build();
}

absl::StatusOr<Scenario> ExpiryWithLeeway() {
  Builder b("expiry_with_leeway",
            "Expiry is judged on the wall clock with the leeway (30 s): "
            "VALID until exp + leeway, EXPIRED from it, for a cached token "
            "and one seen first at the edge alike; a token whose iat is more "
            "than the leeway ahead is NOT_YET_VALID. The monotonic clock "
            "stands still, so the Verifier stays in sync.");
  b.AddKey(kKey1);
  b.AddToken(AliceLaptop());
  b.AddToken({.name = "alice_phone_unseen",
              .subject = "alice",
              .session_id = "ses_alice_phone",
              .description = "first verified at the expiry edge"});
  b.AddToken({.name = "alice_tablet_ahead",
              .subject = "alice",
              .session_id = "ses_alice_tablet",
              .issued = absl::Seconds(45),
              .description = "issued 45 s after the start (a clock ahead)"});
  const TokenSpec unseen = {.name = "alice_phone_unseen"};
  const TokenSpec ahead = {.name = "alice_tablet_ahead"};
  const absl::Duration zero = absl::ZeroDuration();
  b.Send(b.Keys(1, {"k1"}), "snapshot: the key set");
  b.Send(b.End(1, kIncarnationA), "snapshot_end")
      .Expect(AliceLaptop(), "VALID")
      .Expect(ahead, "NOT_YET_VALID");
  b.Advance(absl::Seconds(15), zero, "15 s: iat is now exactly leeway ahead")
      .Expect(ahead, "VALID");
  // exp = kStart + 14 min.
  b.Advance(absl::Minutes(14) + absl::Seconds(15) - absl::Milliseconds(1), zero,
            "to 1 ms before exp + leeway")
      .Expect(AliceLaptop(), "VALID");
  b.Advance(absl::Milliseconds(1), zero, "exp + leeway")
      .Expect(AliceLaptop(), "EXPIRED")
      .Expect(unseen, "EXPIRED")
      .Expect(ahead, "VALID");
  return b.Build();
}

absl::StatusOr<Scenario> SubjectRevokedLegacy() {
  Builder b("subject_revoked_legacy",
            "SubjectRevoked (written by releases before 0.2; still applied): "
            "every token of the subject issued before not_before is "
            "SESSION_REVOKED; later ones and other subjects pass.");
  b.AddKey(kKey1);
  b.AddToken({.name = "alice_before",
              .subject = "alice",
              .session_id = "ses_alice_laptop",
              .issued = -absl::Minutes(2)});
  b.AddToken({.name = "alice_after",
              .subject = "alice",
              .session_id = "ses_alice_phone",
              .issued = -absl::Minutes(1)});
  b.AddToken(BobPhone());
  const TokenSpec before = {.name = "alice_before"};
  const TokenSpec after = {.name = "alice_after"};
  b.Send(b.Keys(1, {"k1"}), "snapshot: the key set");
  b.Send(b.End(1, kIncarnationA), "snapshot_end")
      .Expect(before, "VALID")
      .Expect(after, "VALID");
  b.Send(b.SubjectRevoked(2, "alice", kStart - absl::Seconds(90)),
         "live: alice signed out everywhere 90 s ago")
      .Expect(before, "SESSION_REVOKED")
      .Expect(after, "VALID")
      .Expect(BobPhone(), "VALID")
      .Applied(2)
      .Held(1);
  return b.Build();
}

absl::StatusOr<Scenario> MalformedMessages() {
  Builder b("malformed_messages",
            "What the Verifier must survive without changing its verdicts: "
            "a heartbeat before snapshot_end is not being heard (still "
            "UNAVAILABLE); a KeysChanged whose document does not parse, or "
            "publishes private key material, is ignored and the previous "
            "key set stays (its sequence still counts as applied); a message "
            "with no event set is heard but changes nothing, not even the "
            "applied sequence (the next heartbeat moves it).");
  b.AddKey(kKey1);
  b.AddToken(AliceLaptop());
  b.AddToken(BobPhone());
  b.Send(b.Keys(1, {"k1"}), "snapshot: the key set");
  b.Send(b.Heartbeat(1, kIncarnationA), "a heartbeat inside the snapshot")
      .Expect(AliceLaptop(), "UNAVAILABLE")
      .Applied(0);
  b.Send(b.End(1, kIncarnationA), "snapshot_end")
      .Expect(AliceLaptop(), "VALID")
      .Applied(1);
  RevocationEvent truncated = b.Keys(2, {"k1"});
  truncated.mutable_keys_changed()->set_jwks_json(R"({"keys":[{"kty":"OKP")");
  b.Send(truncated, "live: a KeysChanged cut short")
      .Expect(AliceLaptop(), "VALID")
      .Applied(2);
  RevocationEvent secret = b.Keys(3, {"k1"});
  std::string jwks = secret.keys_changed().jwks_json();
  jwks.insert(jwks.find(R"("kty")"),
              R"("d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",)");
  secret.mutable_keys_changed()->set_jwks_json(jwks);
  b.Send(secret, "live: a KeysChanged with a private key in it")
      .Expect(AliceLaptop(), "VALID")
      .Applied(3);
  RevocationEvent empty;
  empty.set_sequence(4);
  b.Send(empty, "live: a message with no event (from a newer server?)")
      .Expect(AliceLaptop(), "VALID")
      .Expect(BobPhone(), "VALID")
      .Applied(3);
  b.Send(b.Heartbeat(4, kIncarnationA), "heartbeat: the sequence moves on")
      .Expect(AliceLaptop(), "VALID")
      .Applied(4);
  return b.Build();
}

}  // namespace

absl::StatusOr<std::vector<Scenario>> Scenarios() {
  std::vector<Scenario> scenarios;
  absl::flat_hash_set<std::string> names;
  for (auto make : {
           BeforeFirstSnapshot,
           SnapshotWithRevokedSessions,
           LiveSessionRevoked,
           ClaimsInvalidatedByGeneration,
           KeysChangedNextKey,
           KeyWithdrawn,
           ResumeAfterBreak,
           ResumeWithLogHash,
           BreakDuringFirstSnapshot,
           ResetOnNewIncarnation,
           HeartbeatsKeepFresh,
           SilenceBeyondMaxStaleness,
           ForgetAfterHorizon,
           ForgetWaitsForVerifierLeeway,
           ExpiryWithLeeway,
           SubjectRevokedLegacy,
           MalformedMessages,
       }) {
    absl::StatusOr<Scenario> scenario = make();
    if (!scenario.ok()) return scenario.status();
    if (!names.insert(scenario->name()).second) {
      return absl::InternalError(
          absl::StrCat("two scenarios named ", scenario->name()));
    }
    scenarios.push_back(*std::move(scenario));
  }
  return scenarios;
}

absl::StatusOr<StreamVectors> GenerateVectors() {
  absl::StatusOr<std::vector<Scenario>> scenarios = Scenarios();
  if (!scenarios.ok()) return scenarios.status();
  StreamVectors vectors;
  vectors.set_format_version(1);
  std::vector<std::string> disagreements;
  for (const Scenario& scenario : *scenarios) {
    absl::StatusOr<Scenario> observed = Observe(scenario);
    if (!observed.ok()) return observed.status();
    for (std::string& line : Differences(scenario, *observed, Match::kStated)) {
      disagreements.push_back(std::move(line));
    }
    *vectors.add_scenarios() = *std::move(observed);
  }
  if (!disagreements.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the Verifier departs from the scenarios:\n",
                     absl::StrJoin(disagreements, "\n")));
  }
  return vectors;
}

}  // namespace tessera::conformance::streams
