// What only the PostgreSQL store has, on real servers (tools/pg_cluster.sh):
// migrations under concurrent start-up, refusing a newer schema, replacing
// connections the server dropped, the log's hash chain and its trims (by
// the hub, as on RocksDB), a deadline on a commit that synchronous standbys
// never confirm, and a location that never shows a password. The Kv
// contract itself: kv_contract_test.cc.

#include "server/store/postgres/postgres_store.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "client/revocation/revocation_state.h"
#include "gtest/gtest.h"
#include "server/revocation/revocation_log.h"
#include "server/store/kv.h"
#include "server/store/timestamps.h"
#include "server/stream/revocation_hub.h"
#include "tests/testing/postgres_cluster.h"

namespace tessera::store::postgres {
namespace {

using testing::PostgresCluster;

PostgresCluster* Cluster() { return PostgresCluster::Shared(0); }

tessera::v1::RevocationEvent Revoked(const std::string& id) {
  tessera::v1::RevocationEvent event;
  event.mutable_session_revoked()->set_session_id(id);
  return event;
}

TEST(PostgresStoreTest, ThreeReplicasStartingTogetherMigrateOnce) {
  ASSERT_NE(Cluster(), nullptr);
  absl::StatusOr<std::string> url = Cluster()->NewDatabase();
  ASSERT_TRUE(url.ok()) << url.status();
  std::vector<std::unique_ptr<PostgresStore>> stores(3);
  std::vector<absl::Status> results(3);
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      auto opened = PostgresStore::Open({.url = *url});
      results[i] = opened.status();
      if (opened.ok()) stores[i] = std::move(*opened);
    });
  }
  for (std::thread& t : threads) t.join();
  for (const absl::Status& result : results) EXPECT_TRUE(result.ok()) << result;
  EXPECT_EQ(*Cluster()->Sql(0, PostgresCluster::DatabaseOf(*url),
                            "SELECT count(*), max(version) FROM "
                            "tessera_schema_migrations"),
            absl::StrCat(LatestSchemaVersion(), "|", LatestSchemaVersion()));
  EXPECT_EQ(stores[0]->SchemaVersion().value(), LatestSchemaVersion());
  // And a fourth, later, changes nothing.
  auto later = PostgresStore::Open({.url = *url});
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(*Cluster()->Sql(0, PostgresCluster::DatabaseOf(*url),
                            "SELECT count(*) FROM tessera_schema_migrations"),
            absl::StrCat(LatestSchemaVersion()));
}

TEST(PostgresStoreTest, ADatabaseWithANewerSchemaIsRefusedUntouched) {
  ASSERT_NE(Cluster(), nullptr);
  absl::StatusOr<std::string> url = Cluster()->NewDatabase();
  ASSERT_TRUE(url.ok());
  ASSERT_TRUE(PostgresStore::Open({.url = *url}).ok());
  ASSERT_TRUE(Cluster()
                  ->Sql(0, PostgresCluster::DatabaseOf(*url),
                        "INSERT INTO tessera_schema_migrations VALUES (999, "
                        "'from the future')")
                  .ok());
  auto refused = PostgresStore::Open({.url = *url});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("newer"), std::string::npos)
      << refused.status();
  EXPECT_EQ(*Cluster()->Sql(0, PostgresCluster::DatabaseOf(*url),
                            "SELECT count(*) FROM tessera_schema_migrations"),
            absl::StrCat(LatestSchemaVersion() + 1));
}

TEST(PostgresStoreTest, UnreachableDatabaseIsUnavailableWithoutThePassword) {
  auto refused = PostgresStore::Open(
      {.url = "postgresql://tessera:hunter2@127.0.0.1:1/none?connect_timeout=1",
       .timeout = absl::Seconds(2)});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable)
      << refused.status();
  EXPECT_EQ(refused.status().message().find("hunter2"), std::string::npos);
  EXPECT_EQ(
      DescribeConninfo("postgresql://u:hunter2@a:1,b:2/db?sslmode=disable"),
      "postgresql://a:1,b:2/db");
  EXPECT_EQ(DescribeConninfo("host=h port=5 dbname=d password=hunter2"),
            "postgresql://h:5/d");
}

TEST(PostgresStoreTest, ConnectionsTheServerDroppedAreReplaced) {
  ASSERT_NE(Cluster(), nullptr);
  absl::StatusOr<std::string> url = Cluster()->NewDatabase();
  ASSERT_TRUE(url.ok());
  auto store = PostgresStore::Open({.url = *url, .pool_size = 2});
  ASSERT_TRUE(store.ok()) << store.status();
  Batch batch;
  batch.Put(ColumnFamily::kSessions, "a", "1");
  ASSERT_TRUE((*store)->Write(batch).ok());
  // As a failover or a restart would: every session of the database ends.
  ASSERT_TRUE(Cluster()
                  ->Sql(0, "tessera",
                        absl::StrCat("SELECT count(pg_terminate_backend(pid)) "
                                     "FROM pg_stat_activity WHERE datname = '",
                                     PostgresCluster::DatabaseOf(*url), "'"))
                  .ok());
  Batch again;
  again.Put(ColumnFamily::kSessions, "b", "2");
  const absl::Status retried = (*store)->Write(again);
  EXPECT_TRUE(retried.ok()) << retried;  // Retried on a new connection.
  // A read on a dropped connection fails once, then the slot reconnects.
  absl::StatusOr<std::optional<std::string>> read =
      (*store)->Get(ColumnFamily::kSessions, "b");
  if (!read.ok()) read = (*store)->Get(ColumnFamily::kSessions, "b");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, std::optional<std::string>("2"));
  EXPECT_GE((*store)->stats().pool.connects, 2u);
}

// A store on a new database and the revocation log over it.
class SharedLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(Cluster(), nullptr);
    absl::StatusOr<std::string> url = Cluster()->NewDatabase();
    ASSERT_TRUE(url.ok()) << url.status();
    database_ = PostgresCluster::DatabaseOf(*url);
    auto store = PostgresStore::Open({.url = *url});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    auto log = revocation::RevocationLog::Open(store_.get());
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
  }

  // Commits a revocation of each of "s<first>".."s<last>", `then` applied.
  void RevokeEach(
      int first, int last,
      std::function<void(tessera::v1::RevocationEvent&)> then =
          [](tessera::v1::RevocationEvent&) {}) {
    for (int i = first; i <= last; ++i) {
      tessera::v1::RevocationEvent event = Revoked(absl::StrCat("s", i));
      then(event);
      Batch batch;
      auto committed = log_->Commit(&batch, event, absl::Now());
      ASSERT_TRUE(committed.ok()) << committed.status();
      ASSERT_EQ(committed->sequence(), static_cast<uint64_t>(i));
    }
  }

  // The sequences in tessera_log, "1,2,3".
  std::string Sequences() {
    return Cluster()
        ->Sql(0, database_,
              "SELECT string_agg(sequence::text, ',' ORDER BY sequence) FROM "
              "tessera_log")
        .value_or("unreadable");
  }

  std::string database_;
  std::unique_ptr<PostgresStore> store_;
  std::unique_ptr<revocation::RevocationLog> log_;
};

// The log takes appends and trims (revocation_log.h), a trim a batch of
// its own; a replica opening the trimmed log resumes after the trim, and
// appends go on from the head.
TEST_F(SharedLogTest, TheLogTakesTrimsAsBatchesOfTheirOwn) {
  RevokeEach(1, 10);
  // Mixed with anything else, a log edit is refused whole.
  Batch mixed;
  mixed.DeleteRange(ColumnFamily::kRevocationLog, SequenceKey(1),
                    SequenceKey(2));
  mixed.Put(ColumnFamily::kMeta, "beside", "x");
  EXPECT_EQ(store_->Write(mixed).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Get(ColumnFamily::kMeta, "beside").value(), std::nullopt);

  ASSERT_TRUE(log_->TrimThrough(6, /*keep=*/3).ok());
  EXPECT_EQ(Sequences(), "3,7,8,9,10");
  EXPECT_EQ(log_->resumable_after(), 6u);
  auto reopened = revocation::RevocationLog::Open(store_.get());
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->resumable_after(), 6u);
  RevokeEach(11, 11);  // Appends go on from the head.
  EXPECT_EQ(Sequences(), "3,7,8,9,10,11");
}

// The hub trims a shared log as it trims RocksDB's (stream/revocation_hub.h):
// what no snapshot needs and no resume it would serve asks for goes.
TEST_F(SharedLogTest, TheHubTrimsTheSharedLog) {
  revocation::RevocationState state(absl::Hours(1));
  stream::RevocationHub hub(
      store_.get(), log_.get(), &state,
      {.horizon = absl::Hours(1), .max_resume_events = 3});
  log_->SetCommitListener(
      [&hub](uint64_t sequence) { hub.OnCommit(sequence); });
  hub.Start();
  RevokeEach(1, 10, [](tessera::v1::RevocationEvent& event) {
    // Forgotten already: no snapshot holds on to it.
    *event.mutable_session_revoked()->mutable_forget_after() =
        ToTimestamp(absl::Now() - absl::Minutes(1));
  });
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (hub.published_sequence() < 10 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_EQ(hub.published_sequence(), 10u);
  hub.TrimLog();
  // The last three stay: a resume up to three events behind is served.
  EXPECT_EQ(Sequences(), "8,9,10");
  hub.Close();
}

TEST(PostgresStoreTest, TheLogIsAHashChainFromTheFirstEvent) {
  ASSERT_NE(Cluster(), nullptr);
  absl::StatusOr<std::string> url = Cluster()->NewDatabase();
  ASSERT_TRUE(url.ok());
  auto a = PostgresStore::Open({.url = *url});
  auto b = PostgresStore::Open({.url = *url});
  ASSERT_TRUE(a.ok() && b.ok());
  for (int i = 0; i < 10; ++i) {
    Batch batch;
    batch.AppendLog(Revoked(absl::StrCat("s", i)));
    if (i % 3 == 0) batch.AppendLog(Revoked(absl::StrCat("t", i)));
    ASSERT_TRUE((i % 2 == 0 ? **a : **b).Write(batch).ok());
  }
  absl::StatusOr<PostgresCluster::Log> log =
      Cluster()->ReadCheckedLog(0, PostgresCluster::DatabaseOf(*url));
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(log->records.size(), 14u);
  EXPECT_EQ(*Cluster()->Sql(0, PostgresCluster::DatabaseOf(*url),
                            "SELECT sequence, encode(hash, 'hex') FROM "
                            "tessera_log_head"),
            absl::StrCat("14|", absl::BytesToHexString(log->last_hash)));
}

// With synchronous replication and its only standby gone, PostgreSQL's
// COMMIT waits forever; the store answers UNAVAILABLE at its deadline.
TEST(PostgresStoreTest, ACommitNoStandbyConfirmsIsUnavailableAtTheDeadline) {
  auto cluster = PostgresCluster::Start(/*standbys=*/1);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  absl::StatusOr<std::string> url = (*cluster)->NewDatabase();
  ASSERT_TRUE(url.ok());
  auto store = PostgresStore::Open({.url = *url, .timeout = absl::Seconds(2)});
  ASSERT_TRUE(store.ok()) << store.status();
  Batch before;
  before.Put(ColumnFamily::kSessions, "a", "1");
  ASSERT_TRUE((*store)->Write(before).ok());
  ASSERT_TRUE((*cluster)->Tool("kill", {"1"}).ok());
  Batch lost;
  lost.Put(ColumnFamily::kSessions, "b", "2");
  lost.AppendLog(Revoked("b"));
  const absl::Time start = absl::Now();
  const absl::Status written = (*store)->Write(lost);
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(written.code(), absl::StatusCode::kUnavailable) << written;
  EXPECT_NE(written.message().find("not confirmed"), std::string::npos)
      << written;
  EXPECT_LT(took, absl::Seconds(30)) << "no hang";  // Bound, not a benchmark.
  EXPECT_EQ(lost.log_events()[0].sequence(), 0u);
  // Reads still work (they need no standby).
  EXPECT_TRUE((*store)->Get(ColumnFamily::kSessions, "a").ok());
}

// A commit whose wait for the standbys is cancelled (an operator's
// pg_cancel_backend, a timeout) is committed on the primary alone, with a
// WARNING; a failover could lose it, so the store does not acknowledge it.
TEST(PostgresStoreTest, ACommitTheStandbysNeverConfirmedIsNotAcknowledged) {
  auto cluster = PostgresCluster::Start(/*standbys=*/1);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  absl::StatusOr<std::string> url = (*cluster)->NewDatabase();
  ASSERT_TRUE(url.ok());
  auto store = PostgresStore::Open({.url = *url, .timeout = absl::Seconds(20)});
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*cluster)->Tool("pause", {"1"}).ok());
  absl::Status written;
  std::thread writer([&] {
    Batch batch;
    batch.Put(ColumnFamily::kSessions, "local-only", "1");
    written = (*store)->Write(batch);
  });
  std::string cancelled = "0";
  for (int i = 0; i < 400 && cancelled == "0"; ++i) {
    absl::SleepFor(absl::Milliseconds(50));
    cancelled = (*cluster)
                    ->Sql(0, PostgresCluster::DatabaseOf(*url),
                          "SELECT count(pg_cancel_backend(pid)) FROM "
                          "pg_stat_activity WHERE wait_event = 'SyncRep'")
                    .value_or("0");
  }
  writer.join();
  ASSERT_TRUE((*cluster)->Tool("resume", {"1"}).ok());
  EXPECT_EQ(cancelled, "1");
  EXPECT_EQ(written.code(), absl::StatusCode::kUnavailable) << written;
  EXPECT_NE(written.message().find("did not confirm"), std::string::npos)
      << written;
  // It did commit, on the primary: what a failover may lose.
  EXPECT_EQ((*store)->Get(ColumnFamily::kSessions, "local-only").value(),
            std::optional<std::string>("1"));
}

// Expiry decisions use the database's clock: here the same machine's, so
// the measured offset is small (it is one round trip's midpoint).
TEST(PostgresStoreTest, NowIsTheDatabasesClock) {
  ASSERT_NE(Cluster(), nullptr);
  absl::StatusOr<std::string> url = Cluster()->NewDatabase();
  ASSERT_TRUE(url.ok());
  auto store = PostgresStore::Open({.url = *url});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_LT(absl::AbsDuration((*store)->stats().clock_offset),
            absl::Seconds(1));
  EXPECT_LT(absl::AbsDuration((*store)->Now() - absl::Now()), absl::Seconds(1));
  int64_t db_seconds = 0;
  ASSERT_TRUE(absl::SimpleAtoi(
      *Cluster()->Sql(0, PostgresCluster::DatabaseOf(*url),
                      "SELECT extract(epoch FROM now())::bigint"),
      &db_seconds));
  EXPECT_LE(std::abs(db_seconds - absl::ToUnixSeconds((*store)->Now())), 2);
}

}  // namespace
}  // namespace tessera::store::postgres
