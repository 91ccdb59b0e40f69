// Write combining in the PostgreSQL store (postgres_store.h): Writes that
// queue behind a busy statement share the next one, and each still applies
// or fails on its own, sees what the Writes before it in the group wrote,
// and gets its own log sequences and reads. On real servers
// (tools/pg_cluster.sh).
//
// The tests make the group deterministic: a store with one write statement
// in flight, whose first Writer is held on a row lock another connection
// takes, while the others queue behind it in a known order.

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "server/store/kv.h"
#include "server/store/postgres/connection.h"
#include "server/store/postgres/postgres_store.h"
#include "tests/testing/postgres_cluster.h"

namespace tessera::store::postgres {
namespace {

using testing::PostgresCluster;

PostgresCluster* Cluster() { return PostgresCluster::Shared(0); }

constexpr ColumnFamily kFamily = ColumnFamily::kSessions;

tessera::v1::RevocationEvent Revoked(const std::string& id) {
  tessera::v1::RevocationEvent event;
  event.mutable_session_revoked()->set_session_id(id);
  return event;
}

class WriteGroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(Cluster(), nullptr);
    absl::StatusOr<std::string> url = Cluster()->NewDatabase();
    ASSERT_TRUE(url.ok()) << url.status();
    url_ = *url;
    database_ = PostgresCluster::DatabaseOf(url_);
    auto store = PostgresStore::Open(
        {.url = url_, .pool_size = 4, .write_statements = 1});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    Batch gate;
    gate.Put(kFamily, "gate", "open");
    ASSERT_TRUE(store_->Write(gate).ok());
  }

  void TearDown() override {
    for (std::thread& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

  // Waits (without a bound: the test's own timeout ends a hang) until
  // `holds` is true of the store's stats.
  void WaitFor(const std::function<bool(const PostgresStore::Stats&)>& holds) {
    while (!holds(store_->stats())) absl::SleepFor(absl::Milliseconds(2));
  }

  // Runs batches_[i]'s Write on a thread of its own.
  void Start(size_t i) {
    threads_.emplace_back(
        [this, i] { results_[i] = store_->Write(*batches_[i]); });
  }

  // Writes batches_ with batches_[0] alone in the one statement (held until
  // the row "gate" is released) and every other one queued behind it, in
  // order, so that they share the next statement.
  void WriteHeldThenGrouped() {
    results_.assign(batches_.size(), absl::UnknownError("not written"));
    auto blocker = Connection::Connect(url_, absl::Now() + absl::Seconds(5));
    ASSERT_TRUE(blocker.ok()) << blocker.status();
    ASSERT_TRUE((*blocker)
                    ->RunSql("BEGIN; SELECT value FROM tessera_kv WHERE "
                             "key = 'gate'::bytea FOR UPDATE",
                             absl::Now() + absl::Seconds(5))
                    .ok());
    batches_[0]->Expect(kFamily, "gate", "open");
    Start(0);
    WaitFor([](const PostgresStore::Stats& s) {
      return s.writes_combined.in_flight == 1 && s.writes_combined.queued == 0;
    });
    for (size_t i = 1; i < batches_.size(); ++i) {
      Start(i);
      WaitFor([i](const PostgresStore::Stats& s) {
        return s.writes_combined.queued == static_cast<int>(i);
      });
    }
    ASSERT_TRUE(
        (*blocker)->RunSql("COMMIT", absl::Now() + absl::Seconds(5)).ok());
    for (std::thread& thread : threads_) thread.join();
  }

  Batch& Add() {
    batches_.push_back(std::make_unique<Batch>());
    return *batches_.back();
  }

  std::optional<std::string> Value(const std::string& key) {
    return store_->Get(kFamily, key).value_or(std::optional<std::string>("?"));
  }

  std::string url_, database_;
  std::unique_ptr<PostgresStore> store_;
  std::vector<std::unique_ptr<Batch>> batches_;
  std::vector<absl::Status> results_;
  std::vector<std::thread> threads_;
};

TEST_F(WriteGroupTest, EachBatchInAGroupAppliesOrFailsAlone) {
  Add().Put(kFamily, "held", "0");
  Batch& logs_one = Add();  // 1
  logs_one.Put(kFamily, "k1", "v1");
  logs_one.AppendLog(Revoked("r1"));
  logs_one.Read(kFamily, "gate");
  Add().Expect(kFamily, "missing", "x");  // 2: fails.
  Batch& creates = Add();                 // 3
  creates.Expect(kFamily, "k3", std::nullopt);
  creates.Put(kFamily, "k3", "first");
  Batch& creates_too = Add();  // 4: 3 created it first.
  creates_too.Expect(kFamily, "k3", std::nullopt);
  creates_too.Put(kFamily, "k3", "second");
  creates_too.AppendLog(Revoked("lost"));
  Batch& logs_two = Add();  // 5
  logs_two.Put(kFamily, "k5", "v5");
  logs_two.AppendLog(Revoked("r2"));
  logs_two.AppendLog(Revoked("r3"));
  Batch& reads = Add();  // 6: sees 1's write, not its own.
  reads.Read(kFamily, "k1");
  reads.Read(kFamily, "k6");
  reads.Read(kFamily, "never");
  reads.Put(kFamily, "k6", "v6");
  WriteHeldThenGrouped();

  EXPECT_TRUE(results_[0].ok()) << results_[0];
  EXPECT_TRUE(results_[1].ok()) << results_[1];
  EXPECT_TRUE(IsWriteConflict(results_[2])) << results_[2];
  EXPECT_TRUE(results_[3].ok()) << results_[3];
  EXPECT_TRUE(IsWriteConflict(results_[4])) << results_[4];
  EXPECT_TRUE(results_[5].ok()) << results_[5];
  EXPECT_TRUE(results_[6].ok()) << results_[6];
  const PostgresStore::Stats stats = store_->stats();
  EXPECT_EQ(stats.writes_combined.groups, 1u);
  EXPECT_EQ(stats.writes_combined.grouped, 6u);
  EXPECT_EQ(stats.group_failures, 0u);

  // The log: 1's event, then 5's two, gap-free; 4's went with it.
  EXPECT_EQ(batches_[1]->log_events()[0].sequence(), 1u);
  EXPECT_EQ(batches_[5]->log_events()[0].sequence(), 2u);
  EXPECT_EQ(batches_[5]->log_events()[1].sequence(), 3u);
  EXPECT_EQ(batches_[4]->log_events()[0].sequence(), 0u);
  EXPECT_EQ(store_->LastLogSequence().value_or(0), 3u);
  auto log = Cluster()->ReadCheckedLog(0, database_);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(log->records.size(), 3u);

  // Reads, each batch's own.
  ASSERT_EQ(batches_[1]->read_values().size(), 1u);
  EXPECT_EQ(batches_[1]->read_values()[0], std::optional<std::string>("open"));
  ASSERT_EQ(batches_[6]->read_values().size(), 3u);
  EXPECT_EQ(batches_[6]->read_values()[0], std::optional<std::string>("v1"));
  EXPECT_EQ(batches_[6]->read_values()[1], std::nullopt);
  EXPECT_EQ(batches_[6]->read_values()[2], std::nullopt);
  EXPECT_TRUE(batches_[2]->read_values().empty());

  // What is stored: every applied batch, nothing of a failed one.
  EXPECT_EQ(Value("held"), std::optional<std::string>("0"));
  EXPECT_EQ(Value("k1"), std::optional<std::string>("v1"));
  EXPECT_EQ(Value("k3"), std::optional<std::string>("first"));
  EXPECT_EQ(Value("k5"), std::optional<std::string>("v5"));
  EXPECT_EQ(Value("k6"), std::optional<std::string>("v6"));
  EXPECT_EQ(Value("missing"), std::nullopt);
}

// A statement the server refuses (here a trigger raising for one key)
// applies nothing; its batches are then written one by one, and only the
// bad one fails.
TEST_F(WriteGroupTest, ARefusedGroupIsRetriedBatchByBatch) {
  ASSERT_TRUE(Cluster()
                  ->Sql(0, database_,
                        "CREATE FUNCTION poison() RETURNS trigger LANGUAGE "
                        "plpgsql AS $$ BEGIN IF NEW.key = 'poison'::bytea THEN "
                        "RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END "
                        "$$; CREATE TRIGGER poison BEFORE INSERT OR UPDATE ON "
                        "tessera_kv FOR EACH ROW EXECUTE FUNCTION poison()")
                  .ok());
  Add().Put(kFamily, "held", "0");
  Batch& a = Add();
  a.Put(kFamily, "a", "1");
  a.AppendLog(Revoked("a"));
  Add().Put(kFamily, "poison", "x");
  Batch& b = Add();
  b.Put(kFamily, "b", "2");
  b.AppendLog(Revoked("b"));
  WriteHeldThenGrouped();

  EXPECT_TRUE(results_[0].ok()) << results_[0];
  EXPECT_TRUE(results_[1].ok()) << results_[1];
  EXPECT_EQ(results_[2].code(), absl::StatusCode::kUnavailable) << results_[2];
  EXPECT_TRUE(results_[3].ok()) << results_[3];
  EXPECT_EQ(store_->stats().group_failures, 1u);
  EXPECT_EQ(Value("a"), std::optional<std::string>("1"));
  EXPECT_EQ(Value("b"), std::optional<std::string>("2"));
  EXPECT_EQ(Value("poison"), std::nullopt);
  EXPECT_EQ(batches_[1]->log_events()[0].sequence(), 1u);
  EXPECT_EQ(batches_[3]->log_events()[0].sequence(), 2u);
  auto log = Cluster()->ReadCheckedLog(0, database_);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(log->records.size(), 2u);
}

// Many writers racing read-then-expect on one counter, through one
// statement at a time (so most share statements): no increment is lost or
// applied twice.
TEST_F(WriteGroupTest, RacingCompareAndSetsLoseNothing) {
  constexpr int kThreads = 16, kIncrements = 40;
  Batch zero;
  zero.Put(kFamily, "counter", "0");
  ASSERT_TRUE(store_->Write(zero).ok());
  std::vector<std::thread> threads;
  std::vector<int> unexpected(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int done = 0; done < kIncrements;) {
        auto now = store_->Get(kFamily, "counter");
        if (!now.ok() || !now->has_value()) {
          ++unexpected[t];
          return;
        }
        Batch next;
        next.Expect(kFamily, "counter", **now);
        next.Put(kFamily, "counter", std::to_string(std::stoi(**now) + 1));
        const absl::Status written = store_->Write(next);
        if (written.ok()) {
          ++done;
        } else if (!IsWriteConflict(written)) {
          ++unexpected[t];
          return;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(unexpected[t], 0) << t;
  EXPECT_EQ(Value("counter"),
            std::optional<std::string>(std::to_string(kThreads * kIncrements)));
  const PostgresStore::Stats stats = store_->stats();
  EXPECT_EQ(stats.writes, 2u + kThreads * kIncrements);
  EXPECT_EQ(stats.group_failures, 0u);
}

}  // namespace
}  // namespace tessera::store::postgres
