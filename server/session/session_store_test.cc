#include "server/session/session_store.h"

#include <cstdlib>
#include <functional>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "server/errors/errors.h"
#include "server/session/purge.h"
#include "server/session/refresh_token.h"
#include "server/store/forwarding_kv.h"
#include "server/store/store.h"
#include "server/store/timestamps.h"

namespace tessera::session {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

absl::Status NoMintAtAll(const ActiveSession&) { return absl::OkStatus(); }

using tessera::v1::CLAIMS_MODE_MERGE_PATCH;
using tessera::v1::CLAIMS_MODE_MERGE_TOP_LEVEL;
using tessera::v1::CLAIMS_MODE_REPLACE;

google::protobuf::Struct Claims(const std::string& json) {
  google::protobuf::Struct claims;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &claims).ok())
      << json;
  return claims;
}

std::string Json(const google::protobuf::Struct& claims) {
  std::string json;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(claims, &json).ok());
  return json;
}

// Whether `claims` are those `json` describes (member order aside).
::testing::AssertionResult ClaimsAre(const google::protobuf::Struct& claims,
                                     const std::string& json) {
  if (google::protobuf::util::MessageDifferencer::Equals(claims,
                                                         Claims(json))) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "claims are " << Json(claims) << ", expected " << json;
}

// A Kv that counts the session records read through it.
class CountingKv : public store::ForwardingKv {
 public:
  using ForwardingKv::ForwardingKv;
  int session_reads() const { return session_reads_; }
  absl::StatusOr<std::optional<std::string>> Get(
      store::ColumnFamily family, absl::string_view key) override {
    if (family == store::ColumnFamily::kSessions) ++session_reads_;
    return ForwardingKv::Get(family, key);
  }

 private:
  int session_reads_ = 0;
};

class SessionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    const char* tmp = std::getenv("TEST_TMPDIR");
    auto store = store::Store::Open(
        {.data_dir = absl::StrCat(tmp ? tmp : "/tmp", "/sessions", counter++)});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    auto log = revocation::RevocationLog::Open(store_.get());
    ASSERT_TRUE(log.ok());
    log_ = std::move(*log);
    state_ = std::make_unique<revocation::RevocationState>(absl::Minutes(16));
    options_.idle_ttl = absl::Hours(1);
    options_.refresh_grace = absl::Seconds(10);
    sessions_ = std::make_unique<SessionStore>(store_.get(), log_.get(),
                                               state_.get(), options_);
  }

  // The store's calls as the issuer of group "app", minting nothing.
  static absl::Status NoMint(const ActiveSession&) { return absl::OkStatus(); }
  absl::StatusOr<ActiveSession> Issue(NewSession request, absl::Time now) {
    if (request.session_group.empty()) request.session_group = "app";
    return sessions_->Issue(request, now, NoMint);
  }
  absl::StatusOr<ActiveSession> Refresh(absl::string_view token,
                                        absl::Time now) {
    return sessions_->Refresh(token, app_, now, NoMint);
  }
  absl::StatusOr<RevokeResult> RevokeSession(absl::string_view id,
                                             absl::string_view reason,
                                             absl::Time now) {
    return sessions_->RevokeSession(id, app_, reason, now);
  }
  absl::StatusOr<RevokeResult> RevokeSubject(absl::string_view subject,
                                             absl::string_view reason,
                                             absl::Time now) {
    return sessions_->RevokeSubject(subject, app_, reason, now);
  }
  absl::StatusOr<uint64_t> UpdateClaims(absl::string_view subject,
                                        const google::protobuf::Struct& claims,
                                        tessera::v1::ClaimsMode mode,
                                        bool invalidate, absl::Time now) {
    return sessions_->UpdateClaims(subject, app_, claims, mode, invalidate, now,
                                   NoMint);
  }
  absl::StatusOr<SessionStore::Page> List(absl::string_view subject,
                                          int page_size,
                                          absl::string_view page_token,
                                          bool include_ended, absl::Time now) {
    return sessions_->List(subject, app_, page_size, page_token, include_ended,
                           now);
  }
  absl::StatusOr<tessera::v1::SessionRecord> Get(absl::string_view id) {
    return sessions_->Get(id, app_);
  }

  ActiveSession IssueFor(const std::string& subject,
                         absl::Duration ttl = absl::Hours(24)) {
    return IssueWith(subject, "{}", kT0, ttl);
  }
  // A session of `subject` with the claims `json`, issued at `now`.
  ActiveSession IssueWith(const std::string& subject, const std::string& json,
                          absl::Time now,
                          absl::Duration ttl = absl::Hours(24)) {
    NewSession request;
    request.subject = subject;
    request.access_ttl = absl::Minutes(15);
    request.session_ttl = ttl;
    request.claims = Claims(json);
    absl::StatusOr<ActiveSession> issued = Issue(request, now);
    EXPECT_TRUE(issued.ok()) << issued.status();
    return *issued;
  }
  // The claims the session's record holds now.
  google::protobuf::Struct StoredClaims(const ActiveSession& session) {
    absl::StatusOr<tessera::v1::SessionRecord> record =
        Get(session.record.session_id());
    EXPECT_TRUE(record.ok()) << record.status();
    return record.ok() ? record->claims() : google::protobuf::Struct();
  }

  static std::string Reason(const absl::StatusOr<ActiveSession>& result) {
    return errors::ReasonOf(result.status());
  }

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<revocation::RevocationLog> log_;
  std::unique_ptr<revocation::RevocationState> state_;
  SessionOptions options_;
  std::unique_ptr<SessionStore> sessions_;
  const Access app_{.group = "app"};
};

TEST_F(SessionStoreTest, RotationAndReuseDetection) {
  ActiveSession a = IssueFor("alice");
  auto b = Refresh(a.refresh_token, kT0 + absl::Minutes(1));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_NE(b->refresh_token, a.refresh_token);
  EXPECT_EQ(b->record.generation(), 1u);
  auto c = Refresh(b->refresh_token, kT0 + absl::Minutes(2));
  ASSERT_TRUE(c.ok()) << c.status();

  // A is two generations old: theft. The session is revoked.
  auto reused = Refresh(a.refresh_token, kT0 + absl::Minutes(3));
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Reason(reused), "REFRESH_TOKEN_REUSED");
  // The other holder (here the current token's) learns why, and nothing
  // more is written.
  EXPECT_EQ(Reason(Refresh(c->refresh_token, kT0 + absl::Minutes(4))),
            "REFRESH_TOKEN_REUSED");
  EXPECT_EQ(Reason(Refresh(a.refresh_token, kT0 + absl::Minutes(5))),
            "REFRESH_TOKEN_REUSED");
  EXPECT_EQ(state_->Check(a.record.session_id(), "alice", kT0, 0),
            revocation::Verdict::kSessionRevoked);
  EXPECT_EQ(log_->last_sequence(), 1u);
}

// Only an authentic secret is told the session was stolen; a session
// revoked by RevokeSession stays SESSION_REVOKED.
TEST_F(SessionStoreTest, OnlyHoldersLearnASessionWasStolen) {
  ActiveSession a = IssueFor("alice");
  auto b = Refresh(a.refresh_token, kT0 + absl::Minutes(1));
  auto c = Refresh(b->refresh_token, kT0 + absl::Minutes(2));
  ASSERT_TRUE(b.ok() && c.ok());
  ASSERT_EQ(Reason(Refresh(a.refresh_token, kT0 + absl::Minutes(3))),
            "REFRESH_TOKEN_REUSED");
  const std::string made_up =
      "tsr_" + a.record.session_id() + "." + std::string(43, 'A');
  EXPECT_EQ(Reason(Refresh(made_up, kT0 + absl::Minutes(4))),
            "REFRESH_TOKEN_INVALID");

  ActiveSession d = IssueFor("alice");
  ASSERT_TRUE(sessions_
                  ->RevokeSession(d.record.session_id(), app_,
                                  "refresh token reused", kT0)
                  .ok());
  EXPECT_EQ(Reason(Refresh(d.refresh_token, kT0 + absl::Minutes(1))),
            "SESSION_REVOKED");
}

TEST_F(SessionStoreTest, AParentGetsItsUnusedSuccessorBackAtAnyTime) {
  ActiveSession a = IssueFor("bob");
  auto b1 = Refresh(a.refresh_token, kT0);
  auto b2 = Refresh(a.refresh_token, kT0 + absl::Seconds(10));  // In grace.
  ASSERT_TRUE(b1.ok() && b2.ok());
  EXPECT_EQ(b1->refresh_token, b2->refresh_token);
  // The answer was lost: long after the window, B (never used) comes back.
  auto b3 = Refresh(a.refresh_token, kT0 + absl::Minutes(30));
  ASSERT_TRUE(b3.ok()) << b3.status();
  EXPECT_EQ(b3->refresh_token, b1->refresh_token);
  EXPECT_EQ(b3->record.generation(), 1u);
  // B works; then A is a parent whose successor was used: reuse.
  auto c = Refresh(b1->refresh_token, kT0 + absl::Minutes(31));
  ASSERT_TRUE(c.ok()) << c.status();
  auto late = Refresh(a.refresh_token, kT0 + absl::Minutes(32));
  EXPECT_EQ(Reason(late), "REFRESH_TOKEN_REUSED");
  EXPECT_EQ(Reason(Refresh(c->refresh_token, kT0 + absl::Minutes(33))),
            "REFRESH_TOKEN_REUSED");
}

// A session rotated by this process is rotated again without reading its
// record back (the hint), and only for its current secret.
TEST_F(SessionStoreTest, ARefreshAfterOneHereSkipsTheRead) {
  CountingKv counting(store_.get());
  SessionStore here(&counting, log_.get(), state_.get(), options_);
  NewSession request;
  request.subject = "hana";
  request.session_group = "app";
  request.session_ttl = absl::Hours(24);
  auto a = here.Issue(request, kT0, NoMint);
  ASSERT_TRUE(a.ok()) << a.status();
  auto b = here.Refresh(a->refresh_token, app_, kT0 + absl::Minutes(1), NoMint);
  ASSERT_TRUE(b.ok()) << b.status();
  auto c = here.Refresh(b->refresh_token, app_, kT0 + absl::Minutes(2), NoMint);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->record.generation(), 2u);
  EXPECT_EQ(counting.session_reads(), 0);
  EXPECT_EQ(here.hint_stats().rotated, 2u);
  EXPECT_EQ(here.hint_stats().stale, 0u);
  // A retired secret is judged on the stored record: reuse.
  EXPECT_EQ(Reason(here.Refresh(a->refresh_token, app_, kT0 + absl::Minutes(3),
                                NoMint)),
            "REFRESH_TOKEN_REUSED");
  EXPECT_GT(counting.session_reads(), 0);
  // Without hints every refresh reads.
  SessionOptions none = options_;
  none.refresh_hints = 0;
  CountingKv reads(store_.get());
  SessionStore plain(&reads, log_.get(), state_.get(), none);
  auto d = plain.Issue(request, kT0, NoMint);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(plain.Refresh(d->refresh_token, app_, kT0, NoMint).ok());
  EXPECT_EQ(reads.session_reads(), 1);
}

// Another replica's rotation makes this one's hint stale: the write over it
// fails and the refresh is decided on the stored record, as without hints.
TEST_F(SessionStoreTest, AStaleHintIsNeverTrusted) {
  SessionStore other(store_.get(), log_.get(), state_.get(), options_);
  ActiveSession a = IssueFor("ines");                          // Hinted here.
  auto b = other.Refresh(a.refresh_token, app_, kT0, NoMint);  // Answer lost.
  ASSERT_TRUE(b.ok()) << b.status();
  // Here the hint still says A is current; the stored record says A is B's
  // parent and B is unused: B comes back, not a second successor.
  auto again = Refresh(a.refresh_token, kT0 + absl::Minutes(1));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(sessions_->hint_stats().stale, 1u);
  EXPECT_EQ(sessions_->hint_stats().rotated, 0u);
  EXPECT_EQ(again->refresh_token, b->refresh_token);
  EXPECT_EQ(again->record.generation(), 1u);
  auto c = Refresh(b->refresh_token, kT0 + absl::Minutes(2));  // Hinted here.
  ASSERT_TRUE(c.ok()) << c.status();
  // The other replica sees B reused (it was handed out twice) and revokes;
  // here the hint of C is stale, and C is told why.
  EXPECT_EQ(Reason(other.Refresh(b->refresh_token, app_, kT0 + absl::Minutes(3),
                                 NoMint)),
            "REFRESH_TOKEN_REUSED");
  EXPECT_EQ(Reason(Refresh(c->refresh_token, kT0 + absl::Minutes(4))),
            "REFRESH_TOKEN_REUSED");
  // Revoked through this store: no rotation from its hint either, and no
  // failed write over it (the revocation dropped the hint).
  ActiveSession d = IssueFor("ines");
  ASSERT_TRUE(RevokeSession(d.record.session_id(), "sign-out", kT0).ok());
  const uint64_t stale = sessions_->hint_stats().stale;
  EXPECT_EQ(Reason(Refresh(d.refresh_token, kT0 + absl::Minutes(1))),
            "SESSION_REVOKED");
  EXPECT_EQ(sessions_->hint_stats().stale, stale);
}

// A write here of a session's record, whatever wrote it, is the hint: after
// a claims update on this store the next refresh still skips the read, and
// carries the new claims.
TEST_F(SessionStoreTest, AClaimsUpdateHereKeepsTheHintCurrent) {
  ActiveSession a = IssueFor("kai");
  google::protobuf::Struct claims;
  (*claims.mutable_fields())["role"].set_string_value("admin");
  ASSERT_TRUE(
      UpdateClaims("kai", claims, CLAIMS_MODE_MERGE_TOP_LEVEL, false, kT0)
          .ok());
  auto b = Refresh(a.refresh_token, kT0 + absl::Minutes(1));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->claims.fields().at("role").string_value(), "admin");
  EXPECT_EQ(sessions_->hint_stats().rotated, 1u);
  EXPECT_EQ(sessions_->hint_stats().stale, 0u);
}

// A thief and the user both hold A: both end on B, and whoever uses B
// second is detected, even though B's own successor was never used.
TEST_F(SessionStoreTest, ASuccessorHandedOutTwiceIsStrict) {
  ActiveSession a = IssueFor("eve");
  auto b = Refresh(a.refresh_token, kT0);  // The user; answer lost.
  ASSERT_TRUE(b.ok());
  auto b_again = Refresh(a.refresh_token, kT0 + absl::Minutes(1));  // Thief.
  ASSERT_TRUE(b_again.ok());
  EXPECT_EQ(b_again->refresh_token, b->refresh_token);
  auto c = Refresh(b->refresh_token, kT0 + absl::Minutes(2));  // Thief on.
  ASSERT_TRUE(c.ok());
  // Within the grace window B still races to C (two tabs) ...
  auto racing =
      Refresh(b->refresh_token, kT0 + absl::Minutes(2) + absl::Seconds(5));
  ASSERT_TRUE(racing.ok());
  EXPECT_EQ(racing->refresh_token, c->refresh_token);
  // ... after it, B is reuse although C is unused: the session ends.
  auto user = Refresh(b->refresh_token, kT0 + absl::Minutes(3));
  EXPECT_EQ(Reason(user), "REFRESH_TOKEN_REUSED");
  EXPECT_EQ(Reason(Refresh(c->refresh_token, kT0 + absl::Minutes(4))),
            "REFRESH_TOKEN_REUSED");
}

// A retried successor is strict, so losing two answers in a row signs the
// user out; but one lost answer between two received ones is always
// recovered, however late the retry.
TEST_F(SessionStoreTest, ALostAnswerBetweenReceivedOnesIsAlwaysRecovered) {
  ActiveSession a = IssueFor("fay");
  std::string token = a.refresh_token;
  absl::Time t = kT0;
  for (int i = 0; i < 5; ++i) {
    auto lost = Refresh(token, t);  // Rotates; the answer never arrives.
    ASSERT_TRUE(lost.ok());
    t += absl::Minutes(5);
    auto retried = Refresh(token, t);  // The same token, much later.
    ASSERT_TRUE(retried.ok()) << i << ": " << retried.status();
    EXPECT_EQ(retried->refresh_token, lost->refresh_token);
    t += absl::Minutes(5);
    auto received = Refresh(retried->refresh_token, t);
    ASSERT_TRUE(received.ok()) << i << ": " << received.status();
    token = received->refresh_token;
    t += absl::Minutes(5);
  }
  EXPECT_EQ(Get(a.record.session_id())->generation(), 10u);
  // The documented cost: a retried successor's own answer lost, and
  // retried after the window, is reuse.
  auto lost = Refresh(token, t);
  ASSERT_TRUE(lost.ok());
  ASSERT_TRUE(Refresh(token, t + absl::Minutes(1)).ok());  // Strict now.
  ASSERT_TRUE(Refresh(lost->refresh_token, t + absl::Minutes(2)).ok());
  EXPECT_EQ(Reason(Refresh(lost->refresh_token, t + absl::Minutes(3))),
            "REFRESH_TOKEN_REUSED");
}

// Two tabs racing through several rotations inside the window all reach
// the current successor (it used to be theft two rotations back).
TEST_F(SessionStoreTest, RacingTabsThroughSeveralRotationsReachTheCurrent) {
  ActiveSession a = IssueFor("gil");
  auto b = Refresh(a.refresh_token, kT0);
  ASSERT_TRUE(b.ok());
  auto c = Refresh(b->refresh_token, kT0 + absl::Seconds(1));
  ASSERT_TRUE(c.ok());
  auto d = Refresh(c->refresh_token, kT0 + absl::Seconds(2));
  ASSERT_TRUE(d.ok());
  auto from_a = Refresh(a.refresh_token, kT0 + absl::Seconds(3));
  ASSERT_TRUE(from_a.ok()) << from_a.status();
  EXPECT_EQ(from_a->refresh_token, d->refresh_token);
  // Out of A's window (retired at T0, grace 10 s), it is reuse.
  EXPECT_EQ(Reason(Refresh(a.refresh_token, kT0 + absl::Seconds(11))),
            "REFRESH_TOKEN_REUSED");
}

// Refreshes `token` `times` times, `step` apart from `start`; every
// refresh token in order (the first is `token`).
std::vector<std::string> Chain(
    const std::function<absl::StatusOr<ActiveSession>(absl::string_view,
                                                      absl::Time)>& refresh,
    std::string token, int times, absl::Time start, absl::Duration step) {
  std::vector<std::string> chain = {token};
  for (int i = 1; i <= times; ++i) {
    absl::StatusOr<ActiveSession> next =
        refresh(chain.back(), start + i * step);
    EXPECT_TRUE(next.ok()) << i << ": " << next.status();
    if (!next.ok()) break;
    chain.push_back(next->refresh_token);
  }
  return chain;
}

TEST_F(SessionStoreTest, TheRecordARefreshRewritesStaysTheSameSize) {
  ActiveSession a = IssueFor("hana");
  auto refresh = [this](absl::string_view t, absl::Time now) {
    return Refresh(t, now);
  };
  // 100 ms apart: every retired generation is still within the grace window.
  std::vector<std::string> chain =
      Chain(refresh, a.refresh_token, 3, kT0, absl::Milliseconds(100));
  const size_t early = Get(a.record.session_id())->ByteSizeLong();
  chain = Chain(refresh, chain.back(), 200, kT0 + absl::Seconds(1),
                absl::Milliseconds(10));
  auto record = Get(a.record.session_id());
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->generation(), 203u);
  EXPECT_LE(record->ByteSizeLong(), early + 2);  // The generation's varint.
  // And the retired generations still do their work: one 10 back reaches
  // the current secret within the window, and is reuse after it.
  auto back = Refresh(chain[chain.size() - 11], kT0 + absl::Seconds(3));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->refresh_token, chain.back());
  EXPECT_EQ(Reason(Refresh(chain[chain.size() - 11], kT0 + absl::Seconds(30))),
            "REFRESH_TOKEN_REUSED");
}

TEST_F(SessionStoreTest, ReuseIsProvenForMaxRetiredHashesGenerations) {
  ActiveSession a = IssueFor("ines");
  auto refresh = [this](absl::string_view t, absl::Time now) {
    return Refresh(t, now);
  };
  // A minute apart: nothing is within the grace window.
  std::vector<std::string> chain =
      Chain(refresh, a.refresh_token, 70, kT0, absl::Minutes(1));
  ASSERT_EQ(chain.size(), 71u);
  const absl::Time later = kT0 + absl::Hours(2);
  // Generation 70 is current and 69 previous; 64 older ones (5..68) are
  // kept. Generation 4 is forgotten: unknown, and changes nothing.
  EXPECT_EQ(Reason(Refresh(chain[4], later)), "REFRESH_TOKEN_INVALID");
  EXPECT_FALSE(Get(a.record.session_id())->has_revoked_at());
  EXPECT_EQ(Reason(Refresh(chain[5], later)), "REFRESH_TOKEN_REUSED");
  EXPECT_TRUE(Get(a.record.session_id())->has_revoked_at());
}

TEST_F(SessionStoreTest, ARecordOfAnEarlierReleaseKeepsItsRetiredLists) {
  // Generations 0..3: 3 current, 2 previous, 1 retired within the grace
  // window (with its sealed successor), 0 retired long ago, written as the
  // release before retired_generations did.
  const std::string id = NewSessionId();
  std::vector<std::string> secrets;
  for (int i = 0; i < 4; ++i) secrets.push_back(NewSecret());
  auto context = [&](int generation) {
    return absl::StrCat(id, "/", generation);
  };
  tessera::v1::SessionRecord record;
  record.set_session_id(id);
  record.set_subject("jo");
  record.set_session_group("app");
  *record.mutable_created_at() = store::ToTimestamp(kT0);
  *record.mutable_expires_at() = store::ToTimestamp(kT0 + absl::Hours(24));
  *record.mutable_idle_expires_at() = store::ToTimestamp(kT0 + absl::Hours(1));
  record.set_access_ttl_seconds(900);
  record.set_generation(3);
  record.set_current_secret_hash(SecretHash(secrets[3]));
  record.set_previous_secret_hash(SecretHash(secrets[2]));
  *record.mutable_previous_retired_at() = store::ToTimestamp(kT0);
  record.set_previous_successor_sealed(
      SealSuccessor(secrets[2], secrets[3], context(3)));
  record.add_retired_secret_hashes(SecretHash(secrets[0]));
  record.add_retired_secret_hashes(SecretHash(secrets[1]));
  tessera::v1::RetiredInGrace* in_grace = record.add_retired_in_grace();
  in_grace->set_secret_hash(SecretHash(secrets[1]));
  *in_grace->mutable_retired_at() = store::ToTimestamp(kT0);
  in_grace->set_successor_sealed(
      SealSuccessor(secrets[1], secrets[2], context(2)));
  in_grace->set_successor_generation(2);
  ASSERT_TRUE(store_->db()
                  ->Put(rocksdb::WriteOptions(),
                        store_->handle(store::ColumnFamily::kSessions), id,
                        record.SerializeAsString())
                  .ok());
  auto token = [&](int generation) {
    return FormatRefreshToken({id, secrets[generation]});
  };

  // Generation 1, within its window, reaches the current secret.
  auto back = Refresh(token(1), kT0 + absl::Seconds(1));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->refresh_token, token(3));
  // A rotation moves the lists out of the record; they still prove reuse.
  auto rotated = Refresh(token(3), kT0 + absl::Seconds(2));
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  auto moved = Get(id);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->retired_secret_hashes_size(), 0);
  EXPECT_EQ(moved->retired_in_grace_size(), 0);
  auto again = Refresh(token(1), kT0 + absl::Seconds(3));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->refresh_token, rotated->refresh_token);
  EXPECT_EQ(Reason(Refresh(token(0), kT0 + absl::Seconds(4))),
            "REFRESH_TOKEN_REUSED");
}

TEST_F(SessionStoreTest, ConcurrentRefreshesShareOneSuccessor) {
  ActiveSession a = IssueFor("carol");
  std::vector<std::string> results(32);
  std::vector<std::thread> threads;
  for (int i = 0; i < 32; ++i) {
    threads.emplace_back([&, i] {
      auto refreshed = Refresh(a.refresh_token, kT0);
      results[i] = refreshed.ok() ? refreshed->refresh_token
                                  : std::string(refreshed.status().message());
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& result : results) EXPECT_EQ(result, results[0]);
  auto record = Get(a.record.session_id());
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->generation(), 1u);  // Rotated exactly once.
  EXPECT_TRUE(Refresh(results[0], kT0 + absl::Seconds(1)).ok());
}

// Two SessionStores on one store stand for two replicas on one database:
// they share no locks, so only the store's expectations keep one winner.
TEST_F(SessionStoreTest, RacingReplicasShareOneSuccessorPerRound) {
  SessionStore other(store_.get(), log_.get(), state_.get(), options_);
  SessionStore* replicas[2] = {sessions_.get(), &other};
  std::string token = IssueFor("carol").refresh_token;
  const std::string id = *SessionStore::SessionIdOf(token);
  for (int round = 1; round <= 20; ++round) {
    std::vector<std::string> results(16);
    std::vector<std::thread> threads;
    for (int i = 0; i < 16; ++i) {
      threads.emplace_back([&, i] {
        auto refreshed = replicas[i % 2]->Refresh(
            token, app_, kT0 + absl::Milliseconds(round), NoMint);
        results[i] = refreshed.ok() ? refreshed->refresh_token
                                    : refreshed.status().ToString();
      });
    }
    for (std::thread& t : threads) t.join();
    for (const std::string& result : results) {
      ASSERT_EQ(result, results[0]) << "round " << round;
    }
    auto record = Get(id);
    ASSERT_TRUE(record.ok());
    ASSERT_EQ(record->generation(), static_cast<uint64_t>(round));
    token = results[0];
  }
}

TEST_F(SessionStoreTest, RacingReplicasRevokeOnceAndUpdateLosesNothing) {
  SessionStore other(store_.get(), log_.get(), state_.get(), options_);
  ActiveSession session = IssueWith("vic", "{}", kT0);
  std::thread refresher([&] {
    std::string token = session.refresh_token;
    for (int i = 1; i <= 100; ++i) {
      auto next = Refresh(token, kT0 + absl::Milliseconds(i));
      ASSERT_TRUE(next.ok()) << "refresh " << i << ": " << next.status();
      token = next->refresh_token;
    }
  });
  std::thread updater([&] {
    for (int i = 0; i < 30; ++i) {
      google::protobuf::Struct claims;
      (*claims.mutable_fields())[absl::StrCat("k", i)].set_number_value(i);
      ASSERT_TRUE(other
                      .UpdateClaims("vic", app_, claims,
                                    CLAIMS_MODE_MERGE_TOP_LEVEL, false,
                                    kT0 + absl::Milliseconds(i), NoMint)
                      .ok());
    }
  });
  refresher.join();
  updater.join();
  auto record = Get(session.record.session_id());
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->generation(), 100u);
  EXPECT_EQ(record->claims().fields_size(), 30) << Json(record->claims());

  // Both replicas revoke at once: one event, one count.
  const uint64_t before = log_->last_sequence();
  absl::StatusOr<RevokeResult> results[2];
  std::thread a([&] {
    results[0] = RevokeSession(session.record.session_id(), "x", kT0);
  });
  std::thread b([&] {
    results[1] =
        other.RevokeSession(session.record.session_id(), app_, "x", kT0);
  });
  a.join();
  b.join();
  ASSERT_TRUE(results[0].ok() && results[1].ok());
  EXPECT_EQ(results[0]->revoked_count + results[1]->revoked_count, 1);
  EXPECT_EQ(log_->last_sequence(), before + 1);
}

TEST_F(SessionStoreTest, MadeUpSecretsAreInvalidAndChangeNothing) {
  ActiveSession a = IssueFor("dave");
  const std::string forged =
      FormatRefreshToken({a.record.session_id(), NewSecret()});
  EXPECT_EQ(Reason(Refresh(forged, kT0)), "REFRESH_TOKEN_INVALID");
  EXPECT_EQ(Reason(Refresh("garbage", kT0)), "REFRESH_TOKEN_INVALID");
  EXPECT_EQ(
      Reason(Refresh(FormatRefreshToken({NewSessionId(), NewSecret()}), kT0)),
      "REFRESH_TOKEN_INVALID");
  // The real token still rotates: nothing was revoked or written.
  EXPECT_TRUE(Refresh(a.refresh_token, kT0).ok());
  EXPECT_EQ(log_->last_sequence(), 0u);
}

TEST_F(SessionStoreTest, IdleAndAbsoluteExpiry) {
  ActiveSession idle = IssueFor("erin");
  EXPECT_EQ(Reason(Refresh(idle.refresh_token, kT0 + absl::Hours(1))),
            "SESSION_EXPIRED");
  ActiveSession short_lived = IssueFor("erin", absl::Minutes(30));
  auto refreshed = Refresh(short_lived.refresh_token, kT0 + absl::Minutes(20));
  ASSERT_TRUE(refreshed.ok());
  EXPECT_EQ(Reason(Refresh(refreshed->refresh_token, kT0 + absl::Minutes(30))),
            "SESSION_EXPIRED");
}

TEST_F(SessionStoreTest, RevokeSessionIsIdempotent) {
  ActiveSession a = IssueFor("frank");
  auto first = RevokeSession(a.record.session_id(), "logout", kT0);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->revoked_count, 1);
  EXPECT_EQ(first->sequence, 1u);
  auto again = RevokeSession(a.record.session_id(), "logout", kT0);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->revoked_count, 0);
  auto unknown = RevokeSession(NewSessionId(), "logout", kT0);
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->revoked_count, 0);
  EXPECT_EQ(Reason(Refresh(a.refresh_token, kT0)), "SESSION_REVOKED");
  EXPECT_EQ(Get(a.record.session_id())->revoke_reason(), "logout");
}

TEST_F(SessionStoreTest, RevokeSubjectRevokesEachSessionByItsOwnEvent) {
  std::vector<ActiveSession> sessions;
  for (int i = 0; i < 5; ++i) sessions.push_back(IssueFor("grace"));
  ActiveSession other = IssueFor("heidi");
  const absl::Time at = kT0 + absl::Milliseconds(400);
  auto revoked = RevokeSubject("grace", "sign out everywhere", at);
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(revoked->revoked_count, 5);
  EXPECT_EQ(revoked->sequence, 5u);  // One event per session, in one write.
  for (const ActiveSession& s : sessions) {
    EXPECT_EQ(Reason(Refresh(s.refresh_token, at)), "SESSION_REVOKED");
    EXPECT_EQ(state_->Check(s.record.session_id(), "grace", kT0, 0),
              revocation::Verdict::kSessionRevoked);
  }
  // A session started in the same second is untouched, and the next
  // sign-out revokes it (no whole-second cut-off in between).
  ActiveSession later = IssueFor("grace");
  EXPECT_EQ(state_->Check(later.record.session_id(), "grace", kT0, 0),
            revocation::Verdict::kValid);
  EXPECT_TRUE(Refresh(other.refresh_token, at).ok());
  auto twice = RevokeSubject("grace", "again", at);
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(twice->revoked_count, 1);  // Only the new one.
  EXPECT_EQ(state_->Check(later.record.session_id(), "grace", kT0, 0),
            revocation::Verdict::kSessionRevoked);
}

TEST_F(SessionStoreTest, SurvivesReopen) {
  ActiveSession a = IssueFor("ivan");
  const std::string data_dir = store_->data_dir();
  sessions_.reset();
  log_.reset();
  store_.reset();
  auto store = store::Store::Open({.data_dir = data_dir});
  ASSERT_TRUE(store.ok());
  auto log = revocation::RevocationLog::Open(store->get());
  ASSERT_TRUE(log.ok());
  SessionStore reopened(store->get(), log->get(), state_.get(), options_);
  EXPECT_TRUE(reopened.Refresh(a.refresh_token, app_, kT0, NoMint).ok());
}

TEST_F(SessionStoreTest, UpdateClaimsCutsOffByGenerationWithinOneSecond) {
  ActiveSession a = IssueFor("judy");
  EXPECT_EQ(a.subject_generation, 0u);
  google::protobuf::Struct claims;
  (*claims.mutable_fields())["role"].set_string_value("admin");
  const absl::Time at = kT0 + absl::Milliseconds(400);
  absl::StatusOr<uint64_t> sequence =
      UpdateClaims("judy", claims, CLAIMS_MODE_REPLACE, true, at);
  ASSERT_TRUE(sequence.ok()) << sequence.status();
  EXPECT_GT(*sequence, 0u);
  // Tokens minted before the cut-off (generation 0) are stale ...
  EXPECT_EQ(state_->Check(a.record.session_id(), "judy", kT0, 0),
            revocation::Verdict::kStaleClaims);
  // ... a refresh in the same second mints generation 1, which passes,
  // with the new claims ...
  auto refreshed = Refresh(a.refresh_token, at);
  ASSERT_TRUE(refreshed.ok()) << refreshed.status();
  EXPECT_EQ(refreshed->subject_generation, 1u);
  EXPECT_EQ(state_->Check(a.record.session_id(), "judy", kT0, 1),
            revocation::Verdict::kValid);
  EXPECT_EQ(refreshed->claims.fields().at("role").string_value(), "admin");
  // ... and a second cut-off in the same second rejects that token too.
  ASSERT_TRUE(UpdateClaims("judy", claims, CLAIMS_MODE_REPLACE, true, at).ok());
  EXPECT_EQ(state_->Check(a.record.session_id(), "judy", kT0, 1),
            revocation::Verdict::kStaleClaims);
  auto again = Refresh(refreshed->refresh_token, at);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(state_->Check(a.record.session_id(), "judy", kT0,
                          again->subject_generation),
            revocation::Verdict::kValid);
}

TEST_F(SessionStoreTest, AnswersAreMintedFromTheSubjectStateReadWithTheWrite) {
  ActiveSession a = IssueFor("olga");
  google::protobuf::Struct claims;
  (*claims.mutable_fields())["role"].set_string_value("admin");
  ASSERT_TRUE(UpdateClaims("olga", claims, CLAIMS_MODE_REPLACE, true,
                           kT0 + absl::Seconds(1))
                  .ok());
  std::vector<uint64_t> minted;  // The generation of each mint call.
  auto record = [&](const ActiveSession& next) {
    minted.push_back(next.subject_generation);
    return absl::OkStatus();
  };
  NewSession request;
  request.subject = "olga";
  request.session_group = "app";
  request.access_ttl = absl::Minutes(15);
  request.session_ttl = absl::Hours(1);
  // A subject with state: minted as for none, then again from its state;
  // the last mint is the answer.
  auto issued = sessions_->Issue(request, kT0 + absl::Seconds(2), record);
  ASSERT_TRUE(issued.ok()) << issued.status();
  EXPECT_EQ(issued->subject_generation, 1u);
  EXPECT_EQ(minted, (std::vector<uint64_t>{0, 1}));
  minted.clear();
  auto refreshed =
      sessions_->Refresh(a.refresh_token, app_, kT0 + absl::Seconds(2), record);
  ASSERT_TRUE(refreshed.ok()) << refreshed.status();
  EXPECT_EQ(minted.back(), 1u);
  EXPECT_EQ(refreshed->claims.fields().at("role").string_value(), "admin");
  // A subject without state is minted once.
  minted.clear();
  request.subject = "pavel";
  ASSERT_TRUE(sessions_->Issue(request, kT0, record).ok());
  EXPECT_EQ(minted, (std::vector<uint64_t>{0}));
}

TEST_F(SessionStoreTest, UpdateClaimsMergeKeepsOtherClaims) {
  NewSession request;
  request.subject = "ken";
  request.access_ttl = absl::Minutes(15);
  request.session_ttl = absl::Hours(1);
  (*request.claims.mutable_fields())["email"].set_string_value("k@x");
  (*request.claims.mutable_fields())["role"].set_string_value("user");
  auto issued = Issue(request, kT0);
  ASSERT_TRUE(issued.ok());
  google::protobuf::Struct patch;
  (*patch.mutable_fields())["role"].set_string_value("admin");
  ASSERT_TRUE(UpdateClaims("ken", patch, CLAIMS_MODE_MERGE_TOP_LEVEL, false,
                           kT0 + absl::Seconds(1))
                  .ok());
  auto refreshed = Refresh(issued->refresh_token, kT0 + absl::Seconds(2));
  ASSERT_TRUE(refreshed.ok());
  EXPECT_EQ(refreshed->claims.fields().at("role").string_value(), "admin");
  EXPECT_EQ(refreshed->claims.fields().at("email").string_value(), "k@x");
  // No invalidation: no event, and old tokens stay valid.
  EXPECT_EQ(log_->last_sequence(), 0u);
}

TEST_F(SessionStoreTest, NothingIsWrittenWhenTheAnswerCannotBeMinted) {
  const absl::Status refused = absl::InvalidArgumentError("token too large");
  auto fail = [&](const ActiveSession&) { return refused; };
  NewSession request;
  request.subject = "mallory";
  request.session_group = "app";
  request.access_ttl = absl::Minutes(15);
  request.session_ttl = absl::Hours(1);
  auto issued = sessions_->Issue(request, kT0, fail);
  EXPECT_EQ(issued.status(), refused);
  auto listed = List("mallory", 50, "", true, kT0);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->sessions.empty());  // No session left behind.

  ActiveSession a = IssueFor("mallory");
  EXPECT_EQ(sessions_->Refresh(a.refresh_token, app_, kT0, fail).status(),
            refused);
  EXPECT_EQ(Get(a.record.session_id())->generation(), 0u);  // Not rotated.
  // The token the client still holds is current, not "reused", long after.
  auto later = Refresh(a.refresh_token, kT0 + absl::Minutes(5));
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(later->record.generation(), 1u);
}

TEST_F(SessionStoreTest, UpdateClaimsThatSomeSessionCannotMintChangesNothing) {
  ActiveSession a = IssueFor("nina");
  google::protobuf::Struct claims;
  (*claims.mutable_fields())["role"].set_string_value("admin");
  const absl::Status refused = absl::InvalidArgumentError("CLAIMS_TOO_LARGE");
  std::vector<std::string> checked;
  auto fits = [&](const ActiveSession& next) {
    checked.push_back(next.record.session_id());
    EXPECT_EQ(next.claims.fields().at("role").string_value(), "admin");
    return refused;
  };
  EXPECT_EQ(
      sessions_
          ->UpdateClaims("nina", app_, claims, CLAIMS_MODE_MERGE_TOP_LEVEL,
                         true, kT0 + absl::Seconds(1), fits)
          .status(),
      refused);
  EXPECT_EQ(checked, std::vector<std::string>{a.record.session_id()});
  EXPECT_EQ(log_->last_sequence(), 0u);  // No cut-off either.
  auto refreshed = Refresh(a.refresh_token, kT0 + absl::Seconds(2));
  ASSERT_TRUE(refreshed.ok());
  EXPECT_FALSE(refreshed->claims.fields().contains("role"));
  EXPECT_EQ(refreshed->subject_generation, 0u);
}

// The bug of one pending update per group: a session issued between two
// updates got the earlier one too, and lost its own claims.
TEST_F(SessionStoreTest, SessionIssuedBetweenUpdatesGetsOnlyTheLaterOne) {
  ActiveSession before = IssueWith("quinn", R"({"z":9})", kT0);
  ASSERT_TRUE(UpdateClaims("quinn", Claims(R"({"r":1})"), CLAIMS_MODE_REPLACE,
                           false, kT0 + absl::Seconds(1))
                  .ok());
  ActiveSession between =
      IssueWith("quinn", R"({"a":1})", kT0 + absl::Seconds(2));
  ASSERT_TRUE(UpdateClaims("quinn", Claims(R"({"b":2})"),
                           CLAIMS_MODE_MERGE_TOP_LEVEL, false,
                           kT0 + absl::Seconds(3))
                  .ok());

  auto refreshed = Refresh(between.refresh_token, kT0 + absl::Seconds(4));
  ASSERT_TRUE(refreshed.ok()) << refreshed.status();
  EXPECT_TRUE(ClaimsAre(refreshed->claims, R"({"a":1,"b":2})"));
  EXPECT_TRUE(ClaimsAre(StoredClaims(between), R"({"a":1,"b":2})"));
  auto earlier = Refresh(before.refresh_token, kT0 + absl::Seconds(4));
  ASSERT_TRUE(earlier.ok()) << earlier.status();
  EXPECT_TRUE(ClaimsAre(earlier->claims, R"({"r":1,"b":2})"));
}

TEST_F(SessionStoreTest, MergePatchAppliesToEachSessionsOwnClaims) {
  ActiveSession phone = IssueWith(
      "rosa", R"({"tier":"free","prefs":{"theme":"dark","lang":"en"}})", kT0);
  ActiveSession laptop =
      IssueWith("rosa", R"({"beta":true,"prefs":{"tz":"UTC"}})", kT0);
  ActiveSession other = IssueWith("someone-else", R"({"tier":"free"})", kT0);
  const google::protobuf::Struct patch =
      Claims(R"({"tier":null,"prefs":{"lang":null,"font":"serif"}})");
  std::vector<std::string> checked;
  auto fits = [&](const ActiveSession& next) {
    checked.push_back(next.record.session_id());
    return absl::OkStatus();
  };
  ASSERT_TRUE(sessions_
                  ->UpdateClaims("rosa", app_, patch, CLAIMS_MODE_MERGE_PATCH,
                                 false, kT0 + absl::Seconds(1), fits)
                  .ok());
  EXPECT_EQ(checked.size(), 2u);

  EXPECT_TRUE(ClaimsAre(StoredClaims(phone),
                        R"({"prefs":{"theme":"dark","font":"serif"}})"));
  EXPECT_TRUE(
      ClaimsAre(StoredClaims(laptop),
                R"({"beta":true,"prefs":{"tz":"UTC","font":"serif"}})"));
  EXPECT_TRUE(ClaimsAre(StoredClaims(other), R"({"tier":"free"})"));
  auto refreshed = Refresh(phone.refresh_token, kT0 + absl::Seconds(2));
  ASSERT_TRUE(refreshed.ok()) << refreshed.status();
  EXPECT_TRUE(ClaimsAre(refreshed->claims,
                        R"({"prefs":{"theme":"dark","font":"serif"}})"));
  EXPECT_EQ(log_->last_sequence(), 0u);  // No invalidation, no event.
}

TEST_F(SessionStoreTest, UpdateClaimsTooLargeForAnySessionWritesNothing) {
  ActiveSession a = IssueWith("sam", R"({"n":1})", kT0);
  ActiveSession b = IssueWith("sam", R"({"n":2})", kT0);
  // The first session checked fits; the second does not. Neither changes,
  // nor does the generation, and no event is logged.
  int calls = 0;
  auto fits = [&](const ActiveSession& next) -> absl::Status {
    EXPECT_EQ(next.subject_generation, 1u);  // What it would mint with.
    EXPECT_TRUE(next.claims.fields().contains("big"));
    if (++calls == 1) return absl::OkStatus();
    return errors::Error(absl::StatusCode::kInvalidArgument, "CLAIMS_TOO_LARGE",
                         "too large");
  };
  const absl::StatusOr<uint64_t> refused = sessions_->UpdateClaims(
      "sam", app_, Claims(R"({"big":"x"})"), CLAIMS_MODE_MERGE_PATCH, true,
      kT0 + absl::Seconds(1), fits);
  EXPECT_EQ(errors::ReasonOf(refused.status()), "CLAIMS_TOO_LARGE");
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(log_->last_sequence(), 0u);
  for (const ActiveSession* session : {&a, &b}) {
    absl::StatusOr<tessera::v1::SessionRecord> record =
        Get(session->record.session_id());
    ASSERT_TRUE(record.ok());
    EXPECT_TRUE(ClaimsAre(record->claims(), Json(session->record.claims())));
    EXPECT_EQ(store::FromTimestamp(record->claims_updated_at()), kT0);
    auto refreshed = Refresh(session->refresh_token, kT0 + absl::Seconds(2));
    ASSERT_TRUE(refreshed.ok()) << refreshed.status();
    EXPECT_EQ(refreshed->subject_generation, 0u);
    EXPECT_FALSE(refreshed->claims.fields().contains("big"));
  }
}

TEST_F(SessionStoreTest, UpdateClaimsLeavesEndedSessionsAlone) {
  ActiveSession live = IssueWith("tess", R"({"v":0})", kT0);
  ActiveSession revoked = IssueWith("tess", R"({"v":0})", kT0);
  ActiveSession expired =
      IssueWith("tess", R"({"v":0})", kT0, absl::Minutes(1));
  ASSERT_TRUE(RevokeSession(revoked.record.session_id(), "x", kT0).ok());
  std::vector<std::string> checked;
  auto fits = [&](const ActiveSession& next) {
    checked.push_back(next.record.session_id());
    return absl::OkStatus();
  };
  ASSERT_TRUE(sessions_
                  ->UpdateClaims("tess", app_, Claims(R"({"v":1})"),
                                 CLAIMS_MODE_MERGE_PATCH, false,
                                 kT0 + absl::Minutes(2), fits)
                  .ok());
  EXPECT_EQ(checked, std::vector<std::string>{live.record.session_id()});
  EXPECT_TRUE(ClaimsAre(StoredClaims(live), R"({"v":1})"));
  EXPECT_TRUE(ClaimsAre(StoredClaims(revoked), R"({"v":0})"));
  EXPECT_TRUE(ClaimsAre(StoredClaims(expired), R"({"v":0})"));
}

TEST_F(SessionStoreTest, UnknownClaimsModeIsRefused) {
  ActiveSession a = IssueWith("uma", R"({"v":0})", kT0);
  for (tessera::v1::ClaimsMode mode :
       {tessera::v1::CLAIMS_MODE_UNSPECIFIED,
        static_cast<tessera::v1::ClaimsMode>(99)}) {
    EXPECT_EQ(errors::ReasonOf(
                  UpdateClaims("uma", Claims(R"({"v":1})"), mode, true, kT0)
                      .status()),
              "CLAIMS_MODE_INVALID");
  }
  EXPECT_TRUE(ClaimsAre(StoredClaims(a), R"({"v":0})"));
  EXPECT_EQ(log_->last_sequence(), 0u);
}

// A refresh rewrites its session's record; so does UpdateClaims. Neither
// may lose the other's write: every rotation stays usable and every update
// reaches the record.
TEST_F(SessionStoreTest, ConcurrentRefreshAndUpdateLoseNothing) {
  ActiveSession session = IssueWith("vic", "{}", kT0);
  constexpr int kRefreshes = 200;
  constexpr int kUpdates = 50;
  std::thread refresher([&] {
    std::string token = session.refresh_token;
    for (int i = 1; i <= kRefreshes; ++i) {
      auto next = Refresh(token, kT0 + absl::Milliseconds(i));
      ASSERT_TRUE(next.ok()) << "refresh " << i << ": " << next.status();
      token = next->refresh_token;
    }
  });
  std::thread updater([&] {
    for (int i = 0; i < kUpdates; ++i) {
      google::protobuf::Struct claims;
      (*claims.mutable_fields())[absl::StrCat("k", i)].set_number_value(i);
      ASSERT_TRUE(UpdateClaims("vic", claims, CLAIMS_MODE_MERGE_TOP_LEVEL,
                               false, kT0 + absl::Milliseconds(i))
                      .ok());
    }
  });
  refresher.join();
  updater.join();
  absl::StatusOr<tessera::v1::SessionRecord> record =
      Get(session.record.session_id());
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->generation(), static_cast<uint64_t>(kRefreshes));
  EXPECT_EQ(record->claims().fields_size(), kUpdates) << Json(record->claims());
}

// A pending update written by an earlier release (SubjectState.claims) is
// still applied to the sessions it is newer than; an UpdateClaims starts
// from the claims it gives them and stamps them so it is not applied again,
// even when the clock now reads earlier than the legacy update.
TEST_F(SessionStoreTest, LegacyPendingUpdateStillAppliesUntilMaterialized) {
  ActiveSession old_session =
      IssueWith("wren", R"({"role":"user","x":1})", kT0);
  ActiveSession new_session =
      IssueWith("wren", R"({"role":"guest"})", kT0 + absl::Seconds(2));
  tessera::v1::SubjectState legacy;
  tessera::v1::ClaimsUpdate& update = (*legacy.mutable_claims())["app"];
  *update.mutable_claims() = Claims(R"({"role":"admin"})");
  *update.mutable_updated_at() = store::ToTimestamp(kT0 + absl::Seconds(1));
  update.set_merge(false);
  ASSERT_TRUE(store_->db()
                  ->Put(rocksdb::WriteOptions(),
                        store_->handle(store::ColumnFamily::kSubjectState),
                        "wren", legacy.SerializeAsString())
                  .ok());

  auto old_refreshed =
      Refresh(old_session.refresh_token, kT0 + absl::Seconds(2));
  ASSERT_TRUE(old_refreshed.ok()) << old_refreshed.status();
  EXPECT_TRUE(ClaimsAre(old_refreshed->claims, R"({"role":"admin"})"));
  auto new_refreshed =
      Refresh(new_session.refresh_token, kT0 + absl::Seconds(2));
  ASSERT_TRUE(new_refreshed.ok()) << new_refreshed.status();
  EXPECT_TRUE(ClaimsAre(new_refreshed->claims, R"({"role":"guest"})"));

  ASSERT_TRUE(UpdateClaims("wren", Claims(R"({"y":2})"),
                           CLAIMS_MODE_MERGE_PATCH, false,
                           kT0 + absl::Milliseconds(500))
                  .ok());
  EXPECT_TRUE(
      ClaimsAre(StoredClaims(old_session), R"({"role":"admin","y":2})"));
  EXPECT_TRUE(
      ClaimsAre(StoredClaims(new_session), R"({"role":"guest","y":2})"));
  auto again = Refresh(old_refreshed->refresh_token, kT0 + absl::Seconds(3));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(ClaimsAre(again->claims, R"({"role":"admin","y":2})"));
}

TEST_F(SessionStoreTest, SessionsBelongToTheirGroup) {
  ActiveSession a = IssueFor("olga");  // Group "app".
  const Access other{.group = "other"};
  const Access admin{.group = "ops", .all_groups = true};
  EXPECT_EQ(
      errors::ReasonOf(
          sessions_->Refresh(a.refresh_token, other, kT0, NoMint).status()),
      "REFRESH_TOKEN_INVALID");
  EXPECT_EQ(sessions_->Get(a.record.session_id(), other).status().code(),
            absl::StatusCode::kNotFound);
  auto listed = sessions_->List("olga", other, 50, "", true, kT0);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->sessions.empty());
  EXPECT_EQ(sessions_->RevokeSession(a.record.session_id(), other, "x", kT0)
                ->revoked_count,
            0);
  EXPECT_EQ(sessions_->RevokeSubject("olga", other, "x", kT0)->revoked_count,
            0);
  EXPECT_EQ(sessions_->RevokeByRefreshToken(a.refresh_token, other, "x", kT0)
                ->revoked_count,
            0);
  // Another group's claims update does not reach the session.
  google::protobuf::Struct claims;
  (*claims.mutable_fields())["role"].set_string_value("admin");
  ASSERT_TRUE(sessions_
                  ->UpdateClaims("olga", other, claims, CLAIMS_MODE_REPLACE,
                                 false, kT0, NoMint)
                  .ok());
  auto refreshed = Refresh(a.refresh_token, kT0 + absl::Seconds(1));
  ASSERT_TRUE(refreshed.ok()) << refreshed.status();
  EXPECT_FALSE(refreshed->claims.fields().contains("role"));
  // Admins see and revoke every group's sessions.
  EXPECT_TRUE(sessions_->Get(a.record.session_id(), admin).ok());
  EXPECT_EQ(sessions_->RevokeSubject("olga", admin, "x", kT0)->revoked_count,
            1);
}

TEST_F(SessionStoreTest, RevokeByRefreshTokenNeedsTheSecret) {
  ActiveSession a = IssueFor("pat");
  // The session id is public (the sid claim); a made-up secret is nothing.
  const std::string forged = FormatRefreshToken(
      {a.record.session_id(), std::string(kSecretBytes, 'x')});
  auto none = sessions_->RevokeByRefreshToken(forged, app_, "logout", kT0);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->revoked_count, 0);
  EXPECT_EQ(none->sequence, 0u);
  EXPECT_FALSE(Get(a.record.session_id())->has_revoked_at());
  EXPECT_EQ(sessions_->RevokeByRefreshToken("garbage", app_, "logout", kT0)
                ->revoked_count,
            0);
  // A retired secret still names the session (RFC 7009 lets the holder of
  // any of its tokens end it).
  auto b = Refresh(a.refresh_token, kT0);
  ASSERT_TRUE(b.ok());
  auto revoked =
      sessions_->RevokeByRefreshToken(a.refresh_token, app_, "logout", kT0);
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->revoked_count, 1);
  EXPECT_GT(revoked->sequence, 0u);
  EXPECT_TRUE(Get(a.record.session_id())->has_revoked_at());
}

TEST(PurgeTest, CompactionDropsSessionsLongEndedAndKeepsTheRest) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  store::Store::Options options{.data_dir =
                                    absl::StrCat(tmp ? tmp : "/tmp", "/purge")};
  options.compaction_filters[static_cast<int>(store::ColumnFamily::kSessions)] =
      ExpiredSessionFilter();
  options.compaction_filters[static_cast<int>(
      store::ColumnFamily::kSubjectIndex)] = ExpiredSubjectIndexFilter();
  options.compaction_filters[static_cast<int>(
      store::ColumnFamily::kRetiredGenerations)] =
      ExpiredRetiredGenerationFilter();
  auto store = store::Store::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  auto log = revocation::RevocationLog::Open(store->get());
  ASSERT_TRUE(log.ok());
  revocation::RevocationState state(absl::Minutes(16));
  SessionStore sessions(store->get(), log->get(), &state, SessionOptions());

  NewSession request{.subject = "old",
                     .access_ttl = absl::Minutes(15),
                     .session_ttl = absl::Hours(1)};
  const absl::Time long_ago = absl::Now() - absl::Hours(24 * 10);
  auto ended = sessions.Issue(request, long_ago, NoMintAtAll);
  request.subject = "new";
  auto live = sessions.Issue(request, absl::Now(), NoMintAtAll);
  ASSERT_TRUE(ended.ok() && live.ok());
  // Three rotations each: generations 0 and 1 become retired entries.
  std::string ended_token = ended->refresh_token;
  std::string live_token = live->refresh_token;
  for (int i = 1; i <= 3; ++i) {
    auto e = sessions.Refresh(ended_token, Access{.all_groups = true},
                              long_ago + absl::Seconds(i), NoMintAtAll);
    auto l = sessions.Refresh(live_token, Access{.all_groups = true},
                              absl::Now(), NoMintAtAll);
    ASSERT_TRUE(e.ok() && l.ok());
    ended_token = e->refresh_token;
    live_token = l->refresh_token;
  }
  auto retired_entries = [&](absl::string_view id) {
    std::unique_ptr<rocksdb::Iterator> it((*store)->db()->NewIterator(
        rocksdb::ReadOptions(),
        (*store)->handle(store::ColumnFamily::kRetiredGenerations)));
    int n = 0;
    for (it->Seek(rocksdb::Slice(id.data(), id.size()));
         it->Valid() &&
         it->key().starts_with(rocksdb::Slice(id.data(), id.size()));
         it->Next()) {
      ++n;
    }
    return n;
  };
  EXPECT_EQ(retired_entries(ended->record.session_id()), 2);

  rocksdb::DB* db = (*store)->db();
  for (auto family :
       {store::ColumnFamily::kSessions, store::ColumnFamily::kSubjectIndex,
        store::ColumnFamily::kRetiredGenerations}) {
    ASSERT_TRUE(
        db->Flush(rocksdb::FlushOptions(), (*store)->handle(family)).ok());
    ASSERT_TRUE(db->CompactRange(rocksdb::CompactRangeOptions(),
                                 (*store)->handle(family), nullptr, nullptr)
                    .ok());
  }
  EXPECT_EQ(sessions.Get(ended->record.session_id(), Access{.all_groups = true})
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(
      sessions.Get(live->record.session_id(), Access{.all_groups = true}).ok());
  std::string value;
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(),
                      (*store)->handle(store::ColumnFamily::kSubjectIndex),
                      SubjectIndexKey("old", ended->record.session_id()),
                      &value)
                  .IsNotFound());
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(),
                      (*store)->handle(store::ColumnFamily::kSubjectIndex),
                      SubjectIndexKey("new", live->record.session_id()), &value)
                  .ok());
  EXPECT_EQ(retired_entries(ended->record.session_id()), 0);
  EXPECT_EQ(retired_entries(live->record.session_id()), 2);
  // The purged session's refresh token is now simply unknown.
  EXPECT_EQ(errors::ReasonOf(sessions
                                 .Refresh(ended->refresh_token,
                                          Access{.all_groups = true},
                                          absl::Now(), NoMintAtAll)
                                 .status()),
            "REFRESH_TOKEN_INVALID");
}

TEST_F(SessionStoreTest, ListPagesNewestFirstAndHidesEndedSessions) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    NewSession request{.subject = "lara",
                       .access_ttl = absl::Minutes(15),
                       .session_ttl = absl::Hours(24)};
    auto issued = Issue(request, kT0 + absl::Seconds(i));
    ASSERT_TRUE(issued.ok());
    ids.push_back(issued->record.session_id());
  }
  IssueFor("someone-else");
  ASSERT_TRUE(RevokeSession(ids[1], "lost phone", kT0).ok());

  std::vector<std::string> listed;
  std::string token;
  do {
    auto page = List("lara", 2, token, false, kT0 + absl::Seconds(9));
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_LE(page->sessions.size(), 2u);
    for (const auto& record : page->sessions) {
      listed.push_back(record.session_id());
    }
    token = page->next_page_token;
  } while (!token.empty());
  EXPECT_EQ(listed, (std::vector<std::string>{ids[4], ids[3], ids[2], ids[0]}));

  auto all = List("lara", 50, "", true, kT0 + absl::Seconds(9));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->sessions.size(), 5u);
  EXPECT_EQ(errors::ReasonOf(List("lara", 2, "garbage!", false, kT0).status()),
            "PAGE_TOKEN_INVALID");
}

}  // namespace
}  // namespace tessera::session
