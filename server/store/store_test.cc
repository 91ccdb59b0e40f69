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

// The Kv contract itself: tests/store/kv_contract_test.cc, on both backends.

}  // namespace
}  // namespace tessera::store
