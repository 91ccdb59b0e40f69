#include "server/stream/log_tailer.h"

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "server/revocation/revocation_log.h"
#include "server/store/store.h"
#include "tessera/v1/storage.pb.h"

namespace tessera::stream {
namespace {

using tessera::v1::RevocationEvent;

// Two "replicas" on one store: A commits through its own log object, B
// only reads the store, as a second tesserad on a shared database does.
class LogTailerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string dir = absl::StrCat(
        ::testing::TempDir(), "/tailer-",
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    auto store = store::Store::Open({.data_dir = dir, .sync_writes = false});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    a_ = *revocation::RevocationLog::Open(store_.get());
    b_ = *revocation::RevocationLog::Open(store_.get());
  }

  uint64_t Revoke(const std::string& session_id) {
    RevocationEvent event;
    event.mutable_session_revoked()->set_session_id(session_id);
    store::Batch batch;
    auto committed = a_->Commit(&batch, event, absl::Now());
    EXPECT_TRUE(committed.ok()) << committed.status();
    return committed.ok() ? committed->sequence() : 0;
  }

  TailerHooks Recording() {
    return TailerHooks{
        .apply =
            [this](const RevocationEvent& event) {
              absl::MutexLock lock(&mu_);
              applied_.push_back(event.sequence());
              ids_.push_back(event.session_revoked().session_id());
            },
        .publish =
            [this](uint64_t sequence) {
              absl::MutexLock lock(&mu_);
              published_.push_back(sequence);
            },
    };
  }

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<revocation::RevocationLog> a_, b_;
  absl::Mutex mu_;
  std::vector<uint64_t> applied_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> ids_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> published_ ABSL_GUARDED_BY(mu_);
};

TEST_F(LogTailerTest, AppliesAnotherWritersEventsInOrderOnce) {
  LogTailer tailer(b_.get(), 0, "", Recording(), absl::Hours(1));
  tailer.CatchUp();  // Nothing yet.
  Revoke("s1");
  Revoke("s2");
  tailer.CatchUp();
  Revoke("s3");
  tailer.CatchUp();
  tailer.CatchUp();  // Nothing new: nothing applied twice.
  absl::MutexLock lock(&mu_);
  EXPECT_EQ(applied_, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(ids_, (std::vector<std::string>{"s1", "s2", "s3"}));
  EXPECT_EQ(published_, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(tailer.applied(), 3u);
}

TEST_F(LogTailerTest, StartsAfterWhatWasLoaded) {
  Revoke("s1");
  Revoke("s2");
  LogTailer tailer(b_.get(), 2, "", Recording(), absl::Hours(1));
  Revoke("s3");
  tailer.CatchUp();
  absl::MutexLock lock(&mu_);
  EXPECT_EQ(applied_, (std::vector<uint64_t>{3}));
}

TEST_F(LogTailerTest, ThreadFollowsByPollingAndByPoke) {
  // Polling alone (another replica's commits), at a short interval.
  LogTailer polling(b_.get(), 0, "", Recording(), absl::Milliseconds(10));
  polling.Start();
  const uint64_t last = Revoke("s1");
  for (int i = 0; i < 2000 && polling.applied() < last; ++i) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(polling.applied(), last);
  polling.Stop();

  // A poke (a local commit) wakes a tailer whose poll is an hour away.
  LogTailer poked(b_.get(), last, "", TailerHooks{}, absl::Hours(1));
  poked.Start();
  const uint64_t next = Revoke("s2");
  poked.Poke();
  for (int i = 0; i < 2000 && poked.applied() < next; ++i) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(poked.applied(), next);
}

TEST_F(LogTailerTest, UsesTheStoresWaitHook) {
  std::atomic<int> waits{0};
  TailerHooks hooks = Recording();
  hooks.wait = [&](absl::Duration d) {
    ++waits;
    absl::SleepFor(std::min(d, absl::Milliseconds(5)));
  };
  LogTailer tailer(b_.get(), 0, "", std::move(hooks), absl::Milliseconds(50));
  tailer.Start();
  const uint64_t last = Revoke("s1");
  for (int i = 0; i < 2000 && tailer.applied() < last; ++i) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  tailer.Stop();
  EXPECT_EQ(tailer.applied(), last);
  EXPECT_GT(waits.load(), 0);
}

// RocksDB with a hash chain, as the PostgreSQL store keeps one: a log
// record read back carries chain_hash; Replace() puts another event (and
// hash) at a sequence, as a failover that lost the original would.
class ChainedKv : public store::Kv {
 public:
  explicit ChainedKv(store::Store* base) : base_(base) {}

  absl::StatusOr<std::optional<std::string>> Get(
      store::ColumnFamily family, absl::string_view key) override {
    auto got = base_->Get(family, key);
    if (!got.ok() || !got->has_value() ||
        family != store::ColumnFamily::kRevocationLog) {
      return got;
    }
    return std::optional<std::string>(Chained(key, **got));
  }
  absl::Status Scan(store::ColumnFamily family, absl::string_view start,
                    const Visitor& visit) override {
    if (family != store::ColumnFamily::kRevocationLog) {
      return base_->Scan(family, start, visit);
    }
    return base_->Scan(family, start,
                       [&](absl::string_view key, absl::string_view value) {
                         return visit(key, Chained(key, value));
                       });
  }
  absl::StatusOr<std::optional<std::string>> LastKey(
      store::ColumnFamily family) override {
    return base_->LastKey(family);
  }
  absl::Status Write(store::Batch& batch) override {
    absl::Status written = base_->Write(batch);
    absl::MutexLock lock(&mu_);
    for (const auto& event : batch.log_events()) {
      hashes_[event.sequence()] = absl::StrCat("h", event.sequence());
    }
    return written;
  }
  absl::StatusOr<uint64_t> LastLogSequence() override {
    return base_->LastLogSequence();
  }
  void AfterDurable(DurableCallback done) override { done(absl::OkStatus()); }
  absl::string_view backend() const override { return "chained"; }
  bool shared() const override { return true; }

  // The log now holds another event at `sequence` (nullopt: none).
  void Replace(uint64_t sequence, std::optional<std::string> session_id) {
    store::Batch batch;
    if (session_id.has_value()) {
      tessera::v1::RevocationRecord record;
      record.mutable_event()->set_sequence(sequence);
      record.mutable_event()->mutable_session_revoked()->set_session_id(
          *session_id);
      batch.Put(store::ColumnFamily::kRevocationLog,
                store::SequenceKey(sequence), record.SerializeAsString());
    } else {
      batch.Delete(store::ColumnFamily::kRevocationLog,
                   store::SequenceKey(sequence));
    }
    ASSERT_TRUE(base_->Write(batch).ok());
    absl::MutexLock lock(&mu_);
    hashes_[sequence] = absl::StrCat("other", sequence);
  }

 private:
  std::string Chained(absl::string_view key, absl::string_view value) {
    tessera::v1::RevocationRecord chain;
    absl::MutexLock lock(&mu_);
    chain.set_chain_hash(hashes_[store::SequenceFromKey(key)]);
    return absl::StrCat(value, chain.SerializeAsString());
  }

  store::Store* const base_;
  absl::Mutex mu_;
  std::map<uint64_t, std::string> hashes_ ABSL_GUARDED_BY(mu_);
};

// Two replicas' logs over one ChainedKv: A commits, B is the one tailed.
struct Replicas {
  explicit Replicas(store::Store* base)
      : chained(base),
        a(*revocation::RevocationLog::Open(&chained)),
        b(*revocation::RevocationLog::Open(&chained)) {}
  // Revokes session `id` through A; its sequence.
  uint64_t Revoke(const std::string& id) {
    RevocationEvent event;
    event.mutable_session_revoked()->set_session_id(id);
    store::Batch batch;
    return a->Commit(&batch, event, absl::Now())->sequence();
  }
  ChainedKv chained;
  std::unique_ptr<revocation::RevocationLog> a, b;
};

// Events right after what a replica applied were deleted (a trim by hand)
// while later ones exist: the gap never fills, so the tailer has the
// replica rebuilt from the log instead of waiting at it for ever.
TEST_F(LogTailerTest, EventsDeletedAfterWhatItAppliedAreARebuild) {
  Replicas replicas(store_.get());
  TailerHooks hooks = Recording();
  int resets = 0;
  hooks.reset = [&]() -> uint64_t {
    ++resets;
    return replicas.b->last_sequence();
  };
  LogTailer tailer(replicas.b.get(), 0, "", std::move(hooks), absl::Hours(1));
  replicas.Revoke("s1");
  tailer.CatchUp();
  ASSERT_EQ(tailer.applied(), 1u);
  for (const char* id : {"s2", "s3", "s4"}) replicas.Revoke(id);
  replicas.chained.Replace(2, std::nullopt);
  replicas.chained.Replace(3, std::nullopt);
  tailer.CatchUp();
  EXPECT_EQ(resets, 1);
  EXPECT_EQ(tailer.resets(), 1u);
  EXPECT_EQ(tailer.applied(), 4u);  // What the rebuild returned.
  tailer.CatchUp();                 // Nothing missing now: no second one.
  EXPECT_EQ(tailer.resets(), 1u);
}

// A replica applied events 1..2; a failover replaced event 2 (and later one
// 3 goes missing): the tailer notices the hash no longer matching before it
// reads on, and has the replica rebuild from the log it finds.
TEST_F(LogTailerTest, ALogReplacedUnderItIsRebuiltNeverReadPast) {
  Replicas replicas(store_.get());
  std::vector<std::string> rebuilt;
  TailerHooks hooks = Recording();
  hooks.reset = [&]() -> uint64_t {
    rebuilt.clear();
    uint64_t through = 0;
    absl::Status read =
        replicas.b->ForEachAfter(0, [&](const RevocationEvent& event) {
          rebuilt.push_back(event.session_revoked().session_id());
          through = event.sequence();
        });
    EXPECT_TRUE(read.ok()) << read;
    return through;
  };
  LogTailer tailer(replicas.b.get(), 0, "", std::move(hooks), absl::Hours(1));
  replicas.Revoke("s1");
  replicas.Revoke("s2");
  tailer.CatchUp();
  ASSERT_EQ(tailer.applied(), 2u);

  replicas.chained.Replace(2, "s2-after-failover");
  replicas.Revoke("s3");
  tailer.CatchUp();
  EXPECT_EQ(tailer.resets(), 1u);
  EXPECT_EQ(rebuilt,
            (std::vector<std::string>{"s1", "s2-after-failover", "s3"}));
  EXPECT_EQ(tailer.applied(), 3u);
  tailer.CatchUp();  // Matches again: no second reset.
  EXPECT_EQ(tailer.resets(), 1u);

  // The log is now shorter than applied.
  replicas.chained.Replace(3, std::nullopt);
  tailer.CatchUp();
  EXPECT_EQ(tailer.resets(), 2u);
  EXPECT_EQ(tailer.applied(), 2u);
  {
    absl::MutexLock lock(&mu_);
    // Only what was read in order was ever applied by the tailer itself.
    EXPECT_EQ(ids_, (std::vector<std::string>{"s1", "s2"}));
  }
}

}  // namespace
}  // namespace tessera::stream
