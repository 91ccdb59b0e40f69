#include "server/store/store.h"

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
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

}  // namespace
}  // namespace tessera::store
