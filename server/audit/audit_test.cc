#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "server/audit/audit_log.h"
#include "server/errors/errors.h"

namespace tessera::audit {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name);
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return absl::StrSplit(text.str(), '\n', absl::SkipEmpty());
}

const absl::Status kUnknown =
    errors::Error(absl::StatusCode::kUnauthenticated, "CALLER_UNKNOWN", "no");

TEST(AuditLogTest, WritesOneJsonLinePerRecord) {
  const std::string path = TempPath("plain.log");
  {
    auto log = AuditLog::Open(path);
    ASSERT_TRUE(log.ok()) << log.status();
    (*log)->Record("RevokeSession", "web", "subject=alice", absl::OkStatus());
  }
  const std::vector<std::string> lines = ReadLines(path);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(absl::StrContains(
      lines[0],
      "\"audit\":\"RevokeSession\",\"caller\":\"web\",\"target\":\"subject="
      "alice\",\"result\":\"OK\"}"))
      << lines[0];
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(AuditLogTest, RefusedCallsAreWrittenOnlyWithinTheBucket) {
  const std::string path = TempPath("refused.log");
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  {
    auto log = AuditLog::Open(path, {.lines_per_second = 2, .burst = 5});
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 1000; ++i) {
      (*log)->RecordRefused("RevokeSession", "", "subject=x", kUnknown, t0);
    }
    EXPECT_EQ((*log)->refused_total(), 1000u);
    EXPECT_EQ((*log)->suppressed_total(), 995u);
    // One second later the bucket holds 2 more lines, not more.
    for (int i = 0; i < 1000; ++i) {
      (*log)->RecordRefused("RevokeSession", "", "subject=x", kUnknown,
                            t0 + absl::Seconds(1));
    }
    EXPECT_EQ((*log)->refused_total(), 2000u);
    EXPECT_EQ((*log)->suppressed_total(), 1993u);
  }
  const std::vector<std::string> lines = ReadLines(path);
  int refused = 0, summaries = 0;
  uint64_t summed = 0;
  for (const std::string& line : lines) {
    if (absl::StrContains(line, "\"audit\":\"(suppressed)\"")) {
      ++summaries;
      const size_t at = line.find("\"suppressed\":") + 13;
      summed += std::stoull(line.substr(at));
    } else {
      ++refused;
      EXPECT_TRUE(absl::StrContains(line, "\"caller\":\"(unauthenticated)\""));
      EXPECT_TRUE(absl::StrContains(line, "\"reason\":\"CALLER_UNKNOWN\""));
    }
  }
  EXPECT_EQ(refused, 7);
  // One summary before the first line of the second second, one at close.
  EXPECT_EQ(summaries, 2);
  EXPECT_EQ(summed, 1993u);
}

TEST(AuditLogTest, RefusalsPassedToRecordAreBoundedToo) {
  const std::string path = TempPath("record_refused.log");
  {
    // No refill: exactly the burst is written, whatever the clock says.
    auto log = AuditLog::Open(path, {.lines_per_second = 0, .burst = 3});
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 100; ++i) {
      (*log)->Record("GetStats", "(unauthenticated)", "", kUnknown);
      (*log)->Record("GetStats", "web", "",
                     errors::Error(absl::StatusCode::kPermissionDenied,
                                   "ROLE_MISSING", "role missing"));
    }
    EXPECT_EQ((*log)->refused_total(), 200u);
    EXPECT_EQ((*log)->suppressed_total(), 197u);
    // An identified caller's action is always written, failures included:
    // a detected theft is UNAUTHENTICATED but no refusal.
    (*log)->Record("GetStats", "admin", "", absl::OkStatus());
    (*log)->Record("RefreshSession", "web", "s1",
                   errors::Error(absl::StatusCode::kUnauthenticated,
                                 "REFRESH_TOKEN_REUSED", "reused"));
  }
  const std::vector<std::string> lines = ReadLines(path);
  ASSERT_EQ(lines.size(), 6u);  // 3 refusals, the summary, the two others.
  EXPECT_TRUE(absl::StrContains(lines[3], "(suppressed)"));
  EXPECT_TRUE(absl::StrContains(lines[4], "\"caller\":\"admin\""));
  EXPECT_TRUE(absl::StrContains(lines[5], "REFRESH_TOKEN_REUSED"));
}

TEST(AuditLogTest, LongTargetsAreCutAtACharacterBoundary) {
  const std::string path = TempPath("long.log");
  // "subject=x" (9 bytes) then 3-byte characters: the character at bytes
  // 510-512 crosses the limit, so the cut is at 510.
  std::string target = "subject=x";
  while (target.size() < 2 * kMaxTargetBytes) target += "\xE2\x82\xAC";
  {
    auto log = AuditLog::Open(path);
    ASSERT_TRUE(log.ok());
    (*log)->Record("RevokeSession", "web", target, absl::OkStatus());
  }
  const std::vector<std::string> lines = ReadLines(path);
  ASSERT_EQ(lines.size(), 1u);
  const std::string expected =
      absl::StrCat("\"target\":\"", target.substr(0, 9 + 167 * 3), "\"");
  EXPECT_TRUE(absl::StrContains(lines[0], expected));
}

TEST(AuditLogTest, RefusesASymlinkAtThePath) {
  const std::string real = TempPath("real.log");
  const std::string link = TempPath("link.log");
  std::ofstream(real) << "";
  ASSERT_EQ(::symlink(real.c_str(), link.c_str()), 0);
  auto log = AuditLog::Open(link);
  EXPECT_EQ(log.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(log.status().message(), "symbolic link"))
      << log.status();
}

}  // namespace
}  // namespace tessera::audit
