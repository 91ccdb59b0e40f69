#include "server/store/data_dir_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace tessera::store {
namespace {

std::string NewDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir =
      absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// What a checkpoint does: creates the directory and writes a file in it,
// with the modes a umask of 022 gives.
absl::Status WriteTwoFiles(const std::string& staging) {
  if (::mkdir(staging.c_str(), 0755) != 0) {
    return absl::InternalError("mkdir");
  }
  std::ofstream(staging + "/CURRENT") << "x";
  ::chmod((staging + "/CURRENT").c_str(), 0644);
  return absl::OkStatus();
}

TEST(CheckDataDirPermissionsTest, RefusesWritableByGroupOrOthers) {
  const std::string dir = NewDir("perm");
  EXPECT_TRUE(CheckDataDirPermissions(dir + "/not-yet").ok());
  ::chmod(dir.c_str(), 0700);
  EXPECT_TRUE(CheckDataDirPermissions(dir).ok());
  ::chmod(dir.c_str(), 0755);
  EXPECT_TRUE(CheckDataDirPermissions(dir).ok());
  for (mode_t mode : {0770, 0702, 0777}) {
    ::chmod(dir.c_str(), mode);
    const absl::Status status = CheckDataDirPermissions(dir);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << mode;
    EXPECT_TRUE(absl::StrContains(status.message(), "chmod 700")) << status;
  }
  ::chmod(dir.c_str(), 0700);
  std::ofstream(dir + "/file") << "x";
  EXPECT_FALSE(CheckDataDirPermissions(dir + "/file").ok());
}

TEST(CreatePrivateDirectoryTest, OwnerOnlyModesAndCanonicalPath) {
  const std::string dir = NewDir("create");
  ::symlink(dir.c_str(), (dir + "-link").c_str());
  auto made = CreatePrivateDirectory(dir + "-link/./backup//", WriteTwoFiles);
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(*made, dir + "/backup");
  EXPECT_EQ(ModeOf(dir + "/backup"), 0700u);
  EXPECT_EQ(ModeOf(dir + "/backup/CURRENT"), 0600u);
  // Nothing else is left in the parent (the staging directory is gone).
  int entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    (void)entry;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(CreatePrivateDirectoryTest, NeverWritesThroughOrReplacesWhatIsThere) {
  const std::string dir = NewDir("taken");
  const std::string elsewhere = NewDir("elsewhere");
  ASSERT_EQ(::symlink(elsewhere.c_str(), (dir + "/link").c_str()), 0);
  std::filesystem::create_directory(dir + "/existing");
  for (const char* name : {"link", "existing"}) {
    auto made =
        CreatePrivateDirectory(absl::StrCat(dir, "/", name), WriteTwoFiles);
    EXPECT_EQ(made.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StrContains(made.status().message(), "exists"));
  }
  EXPECT_TRUE(std::filesystem::is_empty(elsewhere));
  // Paths taken while the backup is written (after the first check): the
  // rename refuses to replace them, even an empty directory, which plain
  // rename(2) would replace.
  const std::string racy_link = dir + "/racy-link";
  auto linked = CreatePrivateDirectory(racy_link, [&](const std::string& s) {
    ::symlink(elsewhere.c_str(), racy_link.c_str());
    return WriteTwoFiles(s);
  });
  EXPECT_EQ(linked.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(std::filesystem::is_empty(elsewhere));
  EXPECT_TRUE(std::filesystem::is_symlink(racy_link));
  const std::string racy_dir = dir + "/racy-dir";
  auto made = CreatePrivateDirectory(racy_dir, [&](const std::string& s) {
    ::mkdir(racy_dir.c_str(), 0755);
    return WriteTwoFiles(s);
  });
  EXPECT_EQ(made.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(std::filesystem::is_empty(racy_dir));
  int entries = 0;  // link, existing, the two racy ones: no staging left.
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    (void)entry;
    ++entries;
  }
  EXPECT_EQ(entries, 4);
}

TEST(CreatePrivateDirectoryTest, RefusesBadPathsAndReportsFillErrors) {
  const std::string dir = NewDir("bad");
  for (const std::string& path :
       {std::string("relative/x"), std::string("/"), dir + "/..",
        dir + "/missing/x", std::string("")}) {
    EXPECT_EQ(CreatePrivateDirectory(path, WriteTwoFiles).status().code(),
              absl::StatusCode::kInvalidArgument)
        << path;
  }
  auto failed = CreatePrivateDirectory(dir + "/x", [](const std::string&) {
    return absl::UnavailableError("disk full");
  });
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(std::filesystem::is_empty(dir));
}

}  // namespace
}  // namespace tessera::store
