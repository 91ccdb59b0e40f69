// The purge (server/session/purge.h, purger.h) on both backends: which
// records a pass deletes and which it keeps, batches larger than one page,
// a record rewritten under a pass, passes racing on two replicas (two
// stores on one PostgreSQL database), and the Purger thread.
//
// Records are written directly, with times in the past, so the test needs no
// clock control: `now` is passed to each pass.

#include "server/session/purge.h"

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "server/session/purger.h"
#include "server/store/forwarding_kv.h"
#include "server/store/kv.h"
#include "server/store/timestamps.h"
#include "tessera/v1/storage.pb.h"
#include "tests/store/backends.h"

namespace tessera::session {
namespace {

using store::Backend;
using store::BackendName;
using store::Batch;
using store::ColumnFamily;
using store::ForwardingKv;
using store::Kv;
using store::StoresTest;
using store::ToTimestamp;

constexpr absl::Duration kDay = absl::Hours(24);

std::string SessionValue(absl::Time expires, absl::Time idle_expires,
                         std::optional<absl::Time> revoked = std::nullopt) {
  tessera::v1::SessionRecord record;
  record.set_subject("alice");
  *record.mutable_expires_at() = ToTimestamp(expires);
  *record.mutable_idle_expires_at() = ToTimestamp(idle_expires);
  if (revoked.has_value()) *record.mutable_revoked_at() = ToTimestamp(*revoked);
  return record.SerializeAsString();
}

std::string RetiredValue(absl::Time session_expires) {
  tessera::v1::RetiredGeneration retired;
  retired.set_secret_hash("h");
  *retired.mutable_session_expires_at() = ToTimestamp(session_expires);
  return retired.SerializeAsString();
}

std::string RequestIdValue(absl::Time expires) {
  tessera::v1::IssueRequestRecord entry;
  entry.set_session_id("s");
  *entry.mutable_expires_at() = ToTimestamp(expires);
  return entry.SerializeAsString();
}

// Passes the first Write through only after running `before` (a racing
// writer that lands between a pass's read and its delete).
class RacingKv : public ForwardingKv {
 public:
  RacingKv(Kv* inner, std::function<void()> before)
      : ForwardingKv(inner), before_(std::move(before)) {}
  absl::Status Write(Batch& batch) override {
    if (before_) std::exchange(before_, nullptr)();
    return ForwardingKv::Write(batch);
  }

 private:
  std::function<void()> before_;
};

class PurgeTest : public StoresTest {
 protected:
  void Put(ColumnFamily family, const std::string& key,
           const std::string& value) {
    Batch batch;
    batch.Put(family, key, value);
    ASSERT_TRUE(kv().Write(batch).ok());
  }

  std::set<std::string> Keys(ColumnFamily family) {
    std::set<std::string> keys;
    EXPECT_TRUE(kv().Scan(family, "",
                          [&](absl::string_view key, absl::string_view) {
                            keys.emplace(key);
                            return true;
                          })
                    .ok());
    return keys;
  }

  // `count` sessions that ended two days before `now`.
  void PutEndedSessions(int count, absl::Time now) {
    for (int i = 0; i < count; i += 100) {
      Batch batch;
      for (int j = i; j < std::min(count, i + 100); ++j) {
        batch.Put(ColumnFamily::kSessions, absl::StrCat("old", 1000 + j),
                  SessionValue(now - 2 * kDay, now - 2 * kDay));
      }
      ASSERT_TRUE(kv().Write(batch).ok());
    }
  }
};

TEST_P(PurgeTest, DeletesWhatEndedBeforeTheRetentionAndKeepsTheRest) {
  const absl::Time now = absl::Now();
  const absl::Time long_ago = now - kDay - absl::Hours(1);
  // The store's own meta records (RocksDB: its schema version) stay.
  std::set<std::string> meta = Keys(ColumnFamily::kMeta);
  const int own = static_cast<int>(meta.size());
  // Sessions: gone only a retention period after they ended.
  Put(ColumnFamily::kSessions, "expired", SessionValue(long_ago, now));
  Put(ColumnFamily::kSessions, "idle", SessionValue(now + kDay, long_ago));
  Put(ColumnFamily::kSessions, "revoked",
      SessionValue(now + kDay, now + kDay, long_ago));
  Put(ColumnFamily::kSessions, "recently_ended",
      SessionValue(now - absl::Hours(1), now - absl::Hours(1)));
  Put(ColumnFamily::kSessions, "live", SessionValue(now + kDay, now + kDay));
  Put(ColumnFamily::kSessions, "unreadable", "\xff\xff");
  // Index entries and retired generations follow the absolute expiry.
  Put(ColumnFamily::kSubjectIndex, "alice/expired", EncodeIndexValue(long_ago));
  Put(ColumnFamily::kSubjectIndex, "alice/idle", EncodeIndexValue(now + kDay));
  Put(ColumnFamily::kSubjectIndex, "alice/unreadable", "x");
  Put(ColumnFamily::kRetiredGenerations, "expired/1", RetiredValue(long_ago));
  Put(ColumnFamily::kRetiredGenerations, "idle/1", RetiredValue(now + kDay));
  // Meta: request ids past their expiry; nothing else, whatever it holds.
  Put(ColumnFamily::kMeta, absl::StrCat(kRequestIdKeyPrefix, "old"),
      RequestIdValue(now - absl::Seconds(1)));
  Put(ColumnFamily::kMeta, absl::StrCat(kRequestIdKeyPrefix, "new"),
      RequestIdValue(now + absl::Hours(1)));
  Put(ColumnFamily::kMeta, "horizon", RequestIdValue(long_ago));
  // Families the purge never touches.
  Put(ColumnFamily::kKeys, "k", SessionValue(long_ago, long_ago));
  Put(ColumnFamily::kSubjectState, "alice", SessionValue(long_ago, long_ago));

  PurgeCounts counts;
  ASSERT_TRUE(PurgeExpired(kv(), now, nullptr, counts).ok());

  EXPECT_EQ(Keys(ColumnFamily::kSessions),
            (std::set<std::string>{"live", "recently_ended", "unreadable"}));
  EXPECT_EQ(Keys(ColumnFamily::kSubjectIndex),
            (std::set<std::string>{"alice/idle", "alice/unreadable"}));
  EXPECT_EQ(Keys(ColumnFamily::kRetiredGenerations),
            (std::set<std::string>{"idle/1"}));
  meta.insert({absl::StrCat(kRequestIdKeyPrefix, "new"), "horizon"});
  EXPECT_EQ(Keys(ColumnFamily::kMeta), meta);
  EXPECT_EQ(Keys(ColumnFamily::kKeys), (std::set<std::string>{"k"}));
  EXPECT_EQ(Keys(ColumnFamily::kSubjectState),
            (std::set<std::string>{"alice"}));
  EXPECT_EQ(counts.purged, 6);
  EXPECT_EQ(counts.examined, 14 + own);
  EXPECT_EQ(counts.conflicts, 0);

  // A second pass finds nothing more: passes are idempotent.
  PurgeCounts again;
  ASSERT_TRUE(PurgeExpired(kv(), now, nullptr, again).ok());
  EXPECT_EQ(again.purged, 0);
  EXPECT_EQ(again.examined, 8 + own);
}

TEST_P(PurgeTest, WalksMoreThanOnePage) {
  const absl::Time now = absl::Now();
  const int n = 2 * static_cast<int>(kPurgeBatch) + 17;
  PutEndedSessions(n, now);
  Put(ColumnFamily::kSessions, "zz_live", SessionValue(now + kDay, now + kDay));
  const int own = static_cast<int>(Keys(ColumnFamily::kMeta).size());
  PurgeCounts counts;
  ASSERT_TRUE(PurgeExpired(kv(), now, nullptr, counts).ok());
  EXPECT_EQ(counts.purged, n);
  EXPECT_EQ(counts.examined, n + 1 + own);
  EXPECT_EQ(Keys(ColumnFamily::kSessions), (std::set<std::string>{"zz_live"}));
}

TEST_P(PurgeTest, ARecordRewrittenUnderThePassIsKeptAndItsBatchWaits) {
  const absl::Time now = absl::Now();
  PutEndedSessions(3, now);
  // Between the pass's read and its delete, a writer makes old1001 live.
  const std::string live = SessionValue(now + kDay, now + kDay);
  RacingKv racing(&kv(), [&] {
    Batch batch;
    batch.Put(ColumnFamily::kSessions, "old1001", live);
    ASSERT_TRUE(peer().Write(batch).ok());
  });
  PurgeCounts counts;
  ASSERT_TRUE(PurgeExpired(racing, now, nullptr, counts).ok());
  EXPECT_EQ(counts.conflicts, 1);
  EXPECT_EQ(counts.purged, 0);  // Nothing of a failed batch is written.
  EXPECT_EQ(Keys(ColumnFamily::kSessions).size(), 3u);

  // The next pass decides again from what is there now.
  PurgeCounts next;
  ASSERT_TRUE(PurgeExpired(kv(), now, nullptr, next).ok());
  EXPECT_EQ(next.purged, 2);
  EXPECT_EQ(Keys(ColumnFamily::kSessions), (std::set<std::string>{"old1001"}));
  absl::StatusOr<std::optional<std::string>> kept =
      kv().Get(ColumnFamily::kSessions, "old1001");
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ(**kept, live);
}

TEST_P(PurgeTest, ReplicasPurgingAtOnceDeleteEachRecordOnce) {
  const absl::Time now = absl::Now();
  const int n = 4 * static_cast<int>(kPurgeBatch);
  PutEndedSessions(n, now);
  PurgeCounts a;
  PurgeCounts b;
  absl::Status a_done;
  absl::Status b_done;
  std::thread other([&] { b_done = PurgeExpired(peer(), now, nullptr, b); });
  a_done = PurgeExpired(kv(), now, nullptr, a);
  other.join();
  ASSERT_TRUE(a_done.ok()) << a_done;
  ASSERT_TRUE(b_done.ok()) << b_done;
  // A batch that lost the race wrote nothing; a later pass would finish it.
  PurgeCounts rest;
  ASSERT_TRUE(PurgeExpired(kv(), now, nullptr, rest).ok());
  EXPECT_EQ(a.purged + b.purged + rest.purged, n);
  EXPECT_TRUE(Keys(ColumnFamily::kSessions).empty());
}

TEST_P(PurgeTest, StopsWhenAsked) {
  const absl::Time now = absl::Now();
  PutEndedSessions(10, now);
  std::atomic<bool> stop{true};
  PurgeCounts counts;
  absl::Status stopped = PurgeExpired(kv(), now, &stop, counts);
  EXPECT_EQ(stopped.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(counts.purged, 0);
  EXPECT_EQ(Keys(ColumnFamily::kSessions).size(), 10u);
}

TEST_P(PurgeTest, PurgerPassesOnItsOwnThreadByTheStoreClock) {
  // Ended two days before the store's clock says it is now.
  PutEndedSessions(5, kv().Now());
  Purger purger(&kv(), absl::Hours(1));
  purger.Start();
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (purger.totals().passes == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  purger.Stop();
  const PurgeCounts totals = purger.totals();
  EXPECT_EQ(totals.passes, 1);
  EXPECT_EQ(totals.failures, 0);
  EXPECT_EQ(totals.purged, 5);
  EXPECT_TRUE(Keys(ColumnFamily::kSessions).empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, PurgeTest,
                         ::testing::Values(Backend::kRocksDb,
                                           Backend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace tessera::session
