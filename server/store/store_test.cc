#include "server/store/store.h"

#include <atomic>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"

namespace tessera::store {
namespace {

std::string TestDir(absl::string_view name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", name);
}

TEST(StoreTest, CreatesColumnFamiliesAndSchemaVersion) {
  Store::Options options{.data_dir = TestDir("fresh/nested")};
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->schema_version(), kSchemaVersion);
  for (int i = 0; i < kColumnFamilyCount; ++i) {
    auto family = static_cast<ColumnFamily>(i);
    ASSERT_NE((*store)->handle(family), nullptr);
    EXPECT_EQ((*store)->handle(family)->GetName(), ColumnFamilyName(family));
  }
  std::string version;
  ASSERT_TRUE((*store)
                  ->db()
                  ->Get(rocksdb::ReadOptions(),
                        (*store)->handle(ColumnFamily::kMeta), "schema_version",
                        &version)
                  .ok());
  EXPECT_EQ(version, absl::StrCat(kSchemaVersion));
}

TEST(StoreTest, ReopenKeepsData) {
  Store::Options options{.data_dir = TestDir("reopen")};
  {
    auto store = Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)
                    ->db()
                    ->Put((*store)->write_options(),
                          (*store)->handle(ColumnFamily::kSessions), "k", "v")
                    .ok());
  }
  auto store = Store::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  std::string value;
  ASSERT_TRUE((*store)
                  ->db()
                  ->Get(rocksdb::ReadOptions(),
                        (*store)->handle(ColumnFamily::kSessions), "k", &value)
                  .ok());
  EXPECT_EQ(value, "v");
}

TEST(StoreTest, SecondOpenOfSameDirIsRefusedWithClearMessage) {
  Store::Options options{.data_dir = TestDir("busy")};
  auto first = Store::Open(options);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = Store::Open(options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("another tesserad instance"),
            std::string::npos)
      << second.status();
}

TEST(StoreTest, RefusesNewerSchema) {
  Store::Options options{.data_dir = TestDir("newer")};
  {
    auto store = Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)
                    ->db()
                    ->Put((*store)->write_options(),
                          (*store)->handle(ColumnFamily::kMeta),
                          "schema_version", absl::StrCat(kSchemaVersion + 1))
                    .ok());
  }
  auto store = Store::Open(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("schema version"), std::string::npos);
}

TEST(StoreTest, DataDirThatIsAFileIsRefused) {
  const std::string path = TestDir("a_file");
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  auto store = Store::Open({.data_dir = path});
  EXPECT_FALSE(store.ok());
}

// Writes without fsync, then asks to hear when they are durable.
void PutUnsynced(Store& store, absl::string_view key) {
  ASSERT_TRUE(store.db()
                  ->Put(store.write_options(),
                        store.handle(ColumnFamily::kSessions),
                        rocksdb::Slice(key.data(), key.size()), "v")
                  .ok());
}

TEST(WalSyncerTest, SyncModeAnswersAfterAnFsyncSharedByWaitingWriters) {
  auto store = Store::Open({.data_dir = TestDir("syncer_sync")});
  ASSERT_TRUE(store.ok()) << store.status();
  constexpr int kWriters = 50;
  absl::Mutex mu;
  int answered = 0;
  for (int i = 0; i < kWriters; ++i) {
    PutUnsynced(**store, absl::StrCat("k", i));
    (*store)->AfterDurable([&](const absl::Status& status) {
      EXPECT_TRUE(status.ok()) << status;
      absl::MutexLock lock(&mu);
      ++answered;
    });
  }
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](int* n) { return *n == kWriters; }, &answered));
  }
  const uint64_t syncs = (*store)->wal_sync_count();
  EXPECT_GE(syncs, 1u);
  EXPECT_LE(syncs, static_cast<uint64_t>(kWriters));
}

TEST(WalSyncerTest, StopAnswersWaitingWritersThenRefusesNewOnes) {
  auto store = Store::Open({.data_dir = TestDir("syncer_stop")});
  ASSERT_TRUE(store.ok()) << store.status();
  std::atomic<int> ok{0};
  for (int i = 0; i < 20; ++i) {
    PutUnsynced(**store, absl::StrCat("k", i));
    (*store)->AfterDurable([&](const absl::Status& status) {
      if (status.ok()) ++ok;
    });
  }
  (*store)->StopSyncing();
  EXPECT_EQ(ok.load(), 20);  // Nobody waiting is left unanswered.
  absl::Status late = absl::OkStatus();
  (*store)->AfterDurable([&](const absl::Status& status) { late = status; });
  EXPECT_EQ(late.code(), absl::StatusCode::kUnavailable);
}

TEST(WalSyncerTest, AsyncModeAnswersAtOnceWithoutFsync) {
  auto store =
      Store::Open({.data_dir = TestDir("syncer_async"), .sync_writes = false});
  ASSERT_TRUE(store.ok()) << store.status();
  PutUnsynced(**store, "k");
  bool answered = false;
  (*store)->AfterDurable([&](const absl::Status& status) {
    EXPECT_TRUE(status.ok());
    answered = true;
  });
  EXPECT_TRUE(answered);  // Inline, on the caller's thread.
  EXPECT_EQ((*store)->wal_sync_count(), 0u);
}

// The Kv contract (kv.h) on RocksDB.

tessera::v1::RevocationEvent Revoked(const std::string& id) {
  tessera::v1::RevocationEvent event;
  event.mutable_session_revoked()->set_session_id(id);
  return event;
}

TEST(StoreKvTest, GetPutDeleteAndScanInByteOrder) {
  auto store = Store::Open({.data_dir = TestDir("kv_basic")});
  ASSERT_TRUE(store.ok()) << store.status();
  Kv& kv = **store;
  Batch batch;
  for (const std::string& key : {std::string("b"), std::string("a\xff"),
                                 std::string("a\0z", 3), std::string("c")}) {
    batch.Put(ColumnFamily::kSessions, key, "v" + key);
  }
  batch.Delete(ColumnFamily::kSessions, "c");
  ASSERT_TRUE(kv.Write(batch).ok());
  EXPECT_EQ(kv.Get(ColumnFamily::kSessions, "b").value(),
            std::optional<std::string>("vb"));
  EXPECT_EQ(kv.Get(ColumnFamily::kSessions, "c").value(), std::nullopt);
  EXPECT_EQ(kv.Get(ColumnFamily::kMeta, "b").value(), std::nullopt);
  std::vector<std::string> keys;
  ASSERT_TRUE(kv.Scan(ColumnFamily::kSessions, std::string("a\0", 2),
                      [&](absl::string_view key, absl::string_view) {
                        keys.emplace_back(key);
                        return true;
                      })
                  .ok());
  EXPECT_EQ(keys,
            (std::vector<std::string>{std::string("a\0z", 3), "a\xff", "b"}));
  keys.clear();
  ASSERT_TRUE(kv.Scan(ColumnFamily::kSessions, "",
                      [&](absl::string_view key, absl::string_view) {
                        keys.emplace_back(key);
                        return false;  // Stops after the first.
                      })
                  .ok());
  EXPECT_EQ(keys.size(), 1u);
  EXPECT_EQ(kv.LastKey(ColumnFamily::kSessions).value(),
            std::optional<std::string>("b"));
  EXPECT_EQ(kv.LastKey(ColumnFamily::kKeys).value(), std::nullopt);
}

TEST(StoreKvTest, AFailedExpectationWritesNothingAndConsumesNoSequence) {
  auto store = Store::Open({.data_dir = TestDir("kv_expect")});
  ASSERT_TRUE(store.ok()) << store.status();
  Kv& kv = **store;
  Batch first;
  first.Expect(ColumnFamily::kSessions, "s", std::nullopt);  // Absent.
  first.Put(ColumnFamily::kSessions, "s", "one");
  first.AppendLog(Revoked("a"));
  ASSERT_TRUE(kv.Write(first).ok());
  EXPECT_EQ(first.log_events()[0].sequence(), 1u);

  Batch stale;
  stale.Expect(ColumnFamily::kSessions, "s", std::nullopt);
  stale.Put(ColumnFamily::kSessions, "s", "two");
  stale.Put(ColumnFamily::kMeta, "other", "x");
  stale.AppendLog(Revoked("b"));
  const absl::Status conflict = kv.Write(stale);
  EXPECT_TRUE(IsWriteConflict(conflict)) << conflict;
  EXPECT_EQ(kv.Get(ColumnFamily::kSessions, "s").value(),
            std::optional<std::string>("one"));
  EXPECT_EQ(kv.Get(ColumnFamily::kMeta, "other").value(), std::nullopt);
  EXPECT_EQ(kv.LastLogSequence().value(), 1u);

  Batch current;
  current.Expect(ColumnFamily::kSessions, "s", "one");
  current.Put(ColumnFamily::kSessions, "s", "two");
  current.AppendLog(Revoked("c"));
  current.AppendLog(Revoked("d"));
  ASSERT_TRUE(kv.Write(current).ok());
  EXPECT_EQ(current.log_events()[0].sequence(), 2u);
  EXPECT_EQ(current.log_events()[1].sequence(), 3u);
  EXPECT_EQ(kv.LastLogSequence().value(), 3u);
  EXPECT_FALSE(IsWriteConflict(absl::AbortedError("other")));
}

TEST(StoreKvTest, RacingConditionalWritesHaveOneWinnerAndAGaplessLog) {
  auto store =
      Store::Open({.data_dir = TestDir("kv_race"), .sync_writes = false});
  ASSERT_TRUE(store.ok()) << store.status();
  Kv& kv = **store;
  Batch seed;
  seed.Put(ColumnFamily::kSessions, "s", "0");
  ASSERT_TRUE(kv.Write(seed).ok());
  std::atomic<int> wins{0}, conflicts{0}, others{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      Batch batch;
      batch.Expect(ColumnFamily::kSessions, "s", "0");
      batch.Put(ColumnFamily::kSessions, "s", absl::StrCat(i + 1));
      batch.AppendLog(Revoked(absl::StrCat(i)));
      const absl::Status written = kv.Write(batch);
      if (written.ok()) {
        ++wins;
      } else if (IsWriteConflict(written)) {
        ++conflicts;
      } else {
        ++others;
      }
      // And an unconditional log append from every thread.
      Batch append;
      append.AppendLog(Revoked(absl::StrCat("u", i)));
      if (!kv.Write(append).ok()) ++others;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(conflicts.load(), 15);
  EXPECT_EQ(others.load(), 0);
  std::vector<uint64_t> sequences;
  ASSERT_TRUE(kv.Scan(ColumnFamily::kRevocationLog, "",
                      [&](absl::string_view key, absl::string_view) {
                        sequences.push_back(SequenceFromKey(key));
                        return true;
                      })
                  .ok());
  ASSERT_EQ(sequences.size(), 17u);
  for (size_t i = 0; i < sequences.size(); ++i) {
    EXPECT_EQ(sequences[i], i + 1);
  }
}

}  // namespace
}  // namespace tessera::store
