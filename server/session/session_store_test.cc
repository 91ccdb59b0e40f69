#include "server/session/session_store.h"

#include <cstdlib>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "server/errors/errors.h"
#include "server/session/purge.h"
#include "server/session/refresh_token.h"

namespace tessera::session {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

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

  ActiveSession IssueFor(const std::string& subject,
                         absl::Duration ttl = absl::Hours(24)) {
    NewSession request;
    request.subject = subject;
    request.access_ttl = absl::Minutes(15);
    request.session_ttl = ttl;
    absl::StatusOr<ActiveSession> issued = sessions_->Issue(request, kT0);
    EXPECT_TRUE(issued.ok()) << issued.status();
    return *issued;
  }

  static std::string Reason(const absl::StatusOr<ActiveSession>& result) {
    return errors::ReasonOf(result.status());
  }

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<revocation::RevocationLog> log_;
  std::unique_ptr<revocation::RevocationState> state_;
  SessionOptions options_;
  std::unique_ptr<SessionStore> sessions_;
};

TEST_F(SessionStoreTest, RotationAndReuseDetection) {
  ActiveSession a = IssueFor("alice");
  auto b = sessions_->Refresh(a.refresh_token, kT0 + absl::Minutes(1));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_NE(b->refresh_token, a.refresh_token);
  EXPECT_EQ(b->record.generation(), 1u);
  auto c = sessions_->Refresh(b->refresh_token, kT0 + absl::Minutes(2));
  ASSERT_TRUE(c.ok()) << c.status();

  // A is two generations old: theft. The session is revoked.
  auto reused = sessions_->Refresh(a.refresh_token, kT0 + absl::Minutes(3));
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Reason(reused), "REFRESH_TOKEN_REUSED");
  EXPECT_EQ(
      Reason(sessions_->Refresh(c->refresh_token, kT0 + absl::Minutes(4))),
      "SESSION_REVOKED");
  EXPECT_EQ(state_->Check(a.record.session_id(), "alice", kT0),
            revocation::Verdict::kSessionRevoked);
  EXPECT_EQ(log_->last_sequence(), 1u);
}

TEST_F(SessionStoreTest, GraceWindowReturnsTheSameSuccessorThenIsReuse) {
  ActiveSession a = IssueFor("bob");
  auto b1 = sessions_->Refresh(a.refresh_token, kT0);
  auto b2 = sessions_->Refresh(a.refresh_token, kT0 + absl::Seconds(10));
  ASSERT_TRUE(b1.ok() && b2.ok());
  EXPECT_EQ(b1->refresh_token, b2->refresh_token);
  EXPECT_EQ(b2->record.generation(), 1u);
  // B still works, and A after the window is reuse.
  auto late = sessions_->Refresh(a.refresh_token, kT0 + absl::Seconds(11));
  EXPECT_EQ(Reason(late), "REFRESH_TOKEN_REUSED");
}

TEST_F(SessionStoreTest, ConcurrentRefreshesShareOneSuccessor) {
  ActiveSession a = IssueFor("carol");
  std::vector<std::string> results(32);
  std::vector<std::thread> threads;
  for (int i = 0; i < 32; ++i) {
    threads.emplace_back([&, i] {
      auto refreshed = sessions_->Refresh(a.refresh_token, kT0);
      results[i] = refreshed.ok() ? refreshed->refresh_token
                                  : std::string(refreshed.status().message());
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& result : results) EXPECT_EQ(result, results[0]);
  auto record = sessions_->Get(a.record.session_id());
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->generation(), 1u);  // Rotated exactly once.
  EXPECT_TRUE(sessions_->Refresh(results[0], kT0 + absl::Seconds(1)).ok());
}

TEST_F(SessionStoreTest, MadeUpSecretsAreInvalidAndChangeNothing) {
  ActiveSession a = IssueFor("dave");
  const std::string forged =
      FormatRefreshToken({a.record.session_id(), NewSecret()});
  EXPECT_EQ(Reason(sessions_->Refresh(forged, kT0)), "REFRESH_TOKEN_INVALID");
  EXPECT_EQ(Reason(sessions_->Refresh("garbage", kT0)),
            "REFRESH_TOKEN_INVALID");
  EXPECT_EQ(Reason(sessions_->Refresh(
                FormatRefreshToken({NewSessionId(), NewSecret()}), kT0)),
            "REFRESH_TOKEN_INVALID");
  // The real token still rotates: nothing was revoked or written.
  EXPECT_TRUE(sessions_->Refresh(a.refresh_token, kT0).ok());
  EXPECT_EQ(log_->last_sequence(), 0u);
}

TEST_F(SessionStoreTest, IdleAndAbsoluteExpiry) {
  ActiveSession idle = IssueFor("erin");
  EXPECT_EQ(
      Reason(sessions_->Refresh(idle.refresh_token, kT0 + absl::Hours(1))),
      "SESSION_EXPIRED");
  ActiveSession short_lived = IssueFor("erin", absl::Minutes(30));
  auto refreshed =
      sessions_->Refresh(short_lived.refresh_token, kT0 + absl::Minutes(20));
  ASSERT_TRUE(refreshed.ok());
  EXPECT_EQ(Reason(sessions_->Refresh(refreshed->refresh_token,
                                      kT0 + absl::Minutes(30))),
            "SESSION_EXPIRED");
}

TEST_F(SessionStoreTest, RevokeSessionIsIdempotent) {
  ActiveSession a = IssueFor("frank");
  auto first = sessions_->RevokeSession(a.record.session_id(), "logout", kT0);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->revoked_count, 1);
  EXPECT_EQ(first->sequence, 1u);
  auto again = sessions_->RevokeSession(a.record.session_id(), "logout", kT0);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->revoked_count, 0);
  auto unknown = sessions_->RevokeSession(NewSessionId(), "logout", kT0);
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->revoked_count, 0);
  EXPECT_EQ(Reason(sessions_->Refresh(a.refresh_token, kT0)),
            "SESSION_REVOKED");
  EXPECT_EQ(sessions_->Get(a.record.session_id())->revoke_reason(), "logout");
}

TEST_F(SessionStoreTest, RevokeSubjectCutsOffEverySessionAtTheNextSecond) {
  std::vector<ActiveSession> sessions;
  for (int i = 0; i < 5; ++i) sessions.push_back(IssueFor("grace"));
  ActiveSession other = IssueFor("heidi");
  const absl::Time at = kT0 + absl::Milliseconds(400);
  auto revoked = sessions_->RevokeSubject("grace", "sign out everywhere", at);
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(revoked->revoked_count, 5);
  for (const ActiveSession& s : sessions) {
    EXPECT_EQ(Reason(sessions_->Refresh(s.refresh_token, at)),
              "SESSION_REVOKED");
    // Tokens minted in second kT0 are rejected ...
    EXPECT_EQ(state_->Check(s.record.session_id(), "grace", kT0),
              revocation::Verdict::kSessionRevoked);
  }
  // ... and a new session minted from the cut-off on is not.
  ActiveSession later = IssueFor("grace");
  EXPECT_EQ(later.not_before_iat, kT0 + absl::Seconds(1));
  EXPECT_EQ(
      state_->Check(later.record.session_id(), "grace", later.not_before_iat),
      revocation::Verdict::kValid);
  EXPECT_TRUE(sessions_->Refresh(other.refresh_token, at).ok());
  auto twice = sessions_->RevokeSubject("grace", "again", at);
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(twice->revoked_count, 1);  // Only the new one.
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
  EXPECT_TRUE(reopened.Refresh(a.refresh_token, kT0).ok());
}

TEST_F(SessionStoreTest, UpdateClaimsCutOffAtTheNextWholeSecond) {
  ActiveSession a = IssueFor("judy");
  google::protobuf::Struct claims;
  (*claims.mutable_fields())["role"].set_string_value("admin");
  // The cut-off is made at T0 + 0.4 s ...
  const absl::Time at = kT0 + absl::Milliseconds(400);
  absl::StatusOr<uint64_t> sequence =
      sessions_->UpdateClaims("judy", claims, false, true, at);
  ASSERT_TRUE(sequence.ok()) << sequence.status();
  EXPECT_GT(*sequence, 0u);
  // ... so tokens minted in second T0 (iat = T0) are stale ...
  EXPECT_EQ(state_->Check(a.record.session_id(), "judy", kT0),
            revocation::Verdict::kStaleClaims);
  // ... and a refresh later in the same second mints iat = T0 + 1 s, which
  // passes, with the new claims.
  auto refreshed = sessions_->Refresh(a.refresh_token, at);
  ASSERT_TRUE(refreshed.ok()) << refreshed.status();
  EXPECT_EQ(refreshed->not_before_iat, kT0 + absl::Seconds(1));
  EXPECT_EQ(
      state_->Check(a.record.session_id(), "judy", refreshed->not_before_iat),
      revocation::Verdict::kValid);
  EXPECT_EQ(refreshed->claims.fields().at("role").string_value(), "admin");
}

TEST_F(SessionStoreTest, UpdateClaimsMergeKeepsOtherClaims) {
  NewSession request;
  request.subject = "ken";
  request.access_ttl = absl::Minutes(15);
  request.session_ttl = absl::Hours(1);
  (*request.claims.mutable_fields())["email"].set_string_value("k@x");
  (*request.claims.mutable_fields())["role"].set_string_value("user");
  auto issued = sessions_->Issue(request, kT0);
  ASSERT_TRUE(issued.ok());
  google::protobuf::Struct patch;
  (*patch.mutable_fields())["role"].set_string_value("admin");
  ASSERT_TRUE(
      sessions_->UpdateClaims("ken", patch, true, false, kT0 + absl::Seconds(1))
          .ok());
  auto refreshed =
      sessions_->Refresh(issued->refresh_token, kT0 + absl::Seconds(2));
  ASSERT_TRUE(refreshed.ok());
  EXPECT_EQ(refreshed->claims.fields().at("role").string_value(), "admin");
  EXPECT_EQ(refreshed->claims.fields().at("email").string_value(), "k@x");
  // No invalidation: no event, and old tokens stay valid.
  EXPECT_EQ(log_->last_sequence(), 0u);
}

TEST(PurgeTest, CompactionDropsSessionsLongEndedAndKeepsTheRest) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  store::Store::Options options{.data_dir =
                                    absl::StrCat(tmp ? tmp : "/tmp", "/purge")};
  options.compaction_filters[static_cast<int>(store::ColumnFamily::kSessions)] =
      ExpiredSessionFilter();
  options.compaction_filters[static_cast<int>(
      store::ColumnFamily::kSubjectIndex)] = ExpiredSubjectIndexFilter();
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
  auto ended = sessions.Issue(request, long_ago);
  request.subject = "new";
  auto live = sessions.Issue(request, absl::Now());
  ASSERT_TRUE(ended.ok() && live.ok());

  rocksdb::DB* db = (*store)->db();
  for (auto family :
       {store::ColumnFamily::kSessions, store::ColumnFamily::kSubjectIndex}) {
    ASSERT_TRUE(
        db->Flush(rocksdb::FlushOptions(), (*store)->handle(family)).ok());
    ASSERT_TRUE(db->CompactRange(rocksdb::CompactRangeOptions(),
                                 (*store)->handle(family), nullptr, nullptr)
                    .ok());
  }
  EXPECT_EQ(sessions.Get(ended->record.session_id()).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(sessions.Get(live->record.session_id()).ok());
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
  // The purged session's refresh token is now simply unknown.
  EXPECT_EQ(errors::ReasonOf(
                sessions.Refresh(ended->refresh_token, absl::Now()).status()),
            "REFRESH_TOKEN_INVALID");
}

TEST_F(SessionStoreTest, ListPagesNewestFirstAndHidesEndedSessions) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    NewSession request{.subject = "lara",
                       .access_ttl = absl::Minutes(15),
                       .session_ttl = absl::Hours(24)};
    auto issued = sessions_->Issue(request, kT0 + absl::Seconds(i));
    ASSERT_TRUE(issued.ok());
    ids.push_back(issued->record.session_id());
  }
  IssueFor("someone-else");
  ASSERT_TRUE(sessions_->RevokeSession(ids[1], "lost phone", kT0).ok());

  std::vector<std::string> listed;
  std::string token;
  do {
    auto page =
        sessions_->List("lara", 2, token, false, kT0 + absl::Seconds(9));
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_LE(page->sessions.size(), 2u);
    for (const auto& record : page->sessions) {
      listed.push_back(record.session_id());
    }
    token = page->next_page_token;
  } while (!token.empty());
  EXPECT_EQ(listed, (std::vector<std::string>{ids[4], ids[3], ids[2], ids[0]}));

  auto all = sessions_->List("lara", 50, "", true, kT0 + absl::Seconds(9));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->sessions.size(), 5u);
  EXPECT_EQ(errors::ReasonOf(
                sessions_->List("lara", 2, "garbage!", false, kT0).status()),
            "PAGE_TOKEN_INVALID");
}

}  // namespace
}  // namespace tessera::session
