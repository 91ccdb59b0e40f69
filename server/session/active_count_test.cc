#include "server/session/active_count.h"

#include <atomic>
#include <cstdlib>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "server/session/purge.h"
#include "server/session/session_store.h"
#include "server/store/store.h"
#include "server/store/timestamps.h"

namespace tessera::session {
namespace {

absl::Status NoMint(const ActiveSession&) { return absl::OkStatus(); }

class ActiveCountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    const char* tmp = std::getenv("TEST_TMPDIR");
    auto store = store::Store::Open(
        {.data_dir = absl::StrCat(tmp ? tmp : "/tmp", "/active", counter++)});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    auto log = revocation::RevocationLog::Open(store_.get());
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
    state_ = std::make_unique<revocation::RevocationState>(absl::Minutes(16));
    SessionOptions options;
    options.idle_ttl = absl::Hours(1);
    sessions_ = std::make_unique<SessionStore>(store_.get(), log_.get(),
                                               state_.get(), options);
  }

  // A session of `ttl` issued at `at`; its idle expiry is `at` + 1 h.
  std::string IssueAt(absl::Time at, absl::Duration ttl) {
    NewSession request;
    request.subject = "alice";
    request.session_group = "app";
    request.access_ttl = absl::Minutes(5);
    request.session_ttl = ttl;
    absl::StatusOr<ActiveSession> issued =
        sessions_->Issue(request, at, NoMint);
    EXPECT_TRUE(issued.ok()) << issued.status();
    return issued.ok() ? issued->record.session_id() : "";
  }

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<revocation::RevocationLog> log_;
  std::unique_ptr<revocation::RevocationState> state_;
  std::unique_ptr<SessionStore> sessions_;
};

TEST_F(ActiveCountTest, CountsOnlySessionsNeitherRevokedNorExpired) {
  const absl::Time now = absl::Now();
  IssueAt(now, absl::Hours(24));                              // Live.
  IssueAt(now - absl::Minutes(30), absl::Hours(24));          // Live.
  const std::string revoked = IssueAt(now, absl::Hours(24));  // Revoked.
  ASSERT_TRUE(
      sessions_->RevokeSession(revoked, Access{.group = "app"}, "test", now)
          .ok());
  // Absolutely expired, its idle expiry still ahead: expired at now - 1 s.
  IssueAt(now - absl::Minutes(10), absl::Minutes(10) - absl::Seconds(1));
  // Idle-expired (last refresh over 1 h ago), its absolute expiry ahead.
  IssueAt(now - absl::Minutes(90), absl::Hours(24));

  absl::StatusOr<int64_t> counted = CountActiveSessions(*store_, now);
  ASSERT_TRUE(counted.ok()) << counted.status();
  EXPECT_EQ(*counted, 2);
  // Expiry is judged at the time given: 20 minutes earlier the absolutely
  // expired one was still live, the idle-expired one was not.
  counted = CountActiveSessions(*store_, now - absl::Minutes(20));
  ASSERT_TRUE(counted.ok()) << counted.status();
  EXPECT_EQ(*counted, 3);
}

TEST_F(ActiveCountTest, IsLiveAtTheExactExpiryIsFalse) {
  tessera::v1::SessionRecord record;
  const absl::Time t = absl::FromUnixSeconds(1'800'000'000);
  *record.mutable_expires_at() = store::ToTimestamp(t);
  *record.mutable_idle_expires_at() = store::ToTimestamp(t + absl::Hours(1));
  EXPECT_TRUE(IsLive(record, t - absl::Nanoseconds(1)));
  EXPECT_FALSE(IsLive(record, t));
  *record.mutable_idle_expires_at() = store::ToTimestamp(t - absl::Seconds(1));
  EXPECT_FALSE(IsLive(record, t - absl::Seconds(1)));
  *record.mutable_idle_expires_at() = store::ToTimestamp(t + absl::Hours(1));
  *record.mutable_revoked_at() = store::ToTimestamp(t - absl::Hours(1));
  EXPECT_FALSE(IsLive(record, t - absl::Hours(2)));
}

TEST_F(ActiveCountTest, UnreadableRecordsAreNotCounted) {
  const absl::Time now = absl::Now();
  IssueAt(now, absl::Hours(24));
  ASSERT_TRUE(store_->db()
                  ->Put(rocksdb::WriteOptions(),
                        store_->handle(store::ColumnFamily::kSessions),
                        "sgarbage", "\xff\xff\xff")
                  .ok());
  absl::StatusOr<int64_t> counted = CountActiveSessions(*store_, now);
  ASSERT_TRUE(counted.ok()) << counted.status();
  EXPECT_EQ(*counted, 1);
}

TEST_F(ActiveCountTest, AStoppedCountIsCancelled) {
  const absl::Time now = absl::Now();
  for (int i = 0; i < 5000; ++i) IssueAt(now, absl::Hours(24));
  std::atomic<bool> stop{true};
  EXPECT_EQ(CountActiveSessions(*store_, now, &stop).status().code(),
            absl::StatusCode::kCancelled);
  stop = false;
  absl::StatusOr<int64_t> counted = CountActiveSessions(*store_, now, &stop);
  ASSERT_TRUE(counted.ok()) << counted.status();
  EXPECT_EQ(*counted, 5000);
}

// Polls (bounded) until the counter has finished a count taken after
// `after`.
std::optional<ActiveCount> CountAfter(const ActiveSessionCounter& counter,
                                      absl::Time after) {
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    std::optional<ActiveCount> latest = counter.latest();
    if (latest.has_value() && latest->counted_at > after) return latest;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return std::nullopt;
}

TEST_F(ActiveCountTest, TheCounterCountsAtStartThenEveryInterval) {
  IssueAt(absl::Now(), absl::Hours(24));
  ActiveSessionCounter counter(store_.get(), absl::Milliseconds(20));
  EXPECT_FALSE(counter.latest().has_value());
  const absl::Time before = absl::Now();
  counter.Start();
  std::optional<ActiveCount> first = CountAfter(counter, before);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->sessions, 1);

  const absl::Time issued = absl::Now();
  IssueAt(issued, absl::Hours(24));
  IssueAt(issued, absl::Hours(24));
  std::optional<ActiveCount> next = CountAfter(counter, issued);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->sessions, 3);
  counter.Stop();
  counter.Stop();  // Idempotent.
}

TEST_F(ActiveCountTest, StopEndsTheWaitForTheNextCount) {
  ActiveSessionCounter counter(store_.get(), absl::Hours(24));
  const absl::Time before = absl::Now();
  counter.Start();
  std::optional<ActiveCount> first = CountAfter(counter, before);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->sessions, 0);
  counter.Stop();  // Returns although the next count is a day away.
  EXPECT_EQ(counter.latest()->counted_at, first->counted_at);
}

}  // namespace
}  // namespace tessera::session
