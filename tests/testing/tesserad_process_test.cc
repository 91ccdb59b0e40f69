// TesseradProcess stops its server on every path: destruction, a start-up
// that times out, and an owner that ends without destructors.

#include "tests/testing/tesserad_process.h"

#include <dirent.h>
#include <signal.h>

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/testing/subprocess.h"

namespace tessera::testing {
namespace {

// Running (not zombie) processes whose command line has --data_dir=`dir`.
std::vector<pid_t> ServersOn(const std::string& dir) {
  std::vector<pid_t> pids;
  const std::string flag = "--data_dir=" + dir;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return pids;
  while (dirent* entry = ::readdir(proc)) {
    int pid = 0;
    if (!absl::SimpleAtoi(entry->d_name, &pid)) continue;
    const std::string base = absl::StrCat("/proc/", pid);
    const std::string stat = ReadFileOrEmpty(base + "/stat");
    const size_t state = stat.rfind(')');
    if (state == std::string::npos || state + 2 >= stat.size() ||
        stat[state + 2] == 'Z') {
      continue;
    }
    for (absl::string_view arg :
         absl::StrSplit(ReadFileOrEmpty(base + "/cmdline"), '\0')) {
      if (arg == flag) pids.push_back(pid);
    }
  }
  ::closedir(proc);
  return pids;
}

// Waits (bounded) until no server runs on `dir`; kills any left at the
// bound, so that this test itself leaves none.
bool GoneInTime(const std::string& dir) {
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    if (ServersOn(dir).empty()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  for (pid_t pid : ServersOn(dir)) ::kill(pid, SIGKILL);
  return false;
}

TEST(TesseradProcessTest, DestructorStopsTheServer) {
  const std::string dir = NewTempDir("destroyed");
  auto server = TesseradProcess::Start({.data_dir = dir});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(ServersOn(dir), std::vector<pid_t>{(*server)->pid()});
  server->reset();
  EXPECT_TRUE(GoneInTime(dir));
}

TEST(TesseradProcessTest, StartThatTimesOutLeavesNoServer) {
  const std::string dir = NewTempDir("timed-out");
  auto server = TesseradProcess::Start(
      {.data_dir = dir, .start_timeout = absl::ZeroDuration()});
  EXPECT_EQ(server.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(GoneInTime(dir));
}

// verifier_bench held its server in a leaked static: the server outlived the
// benchmark and served on for the best part of an hour.
TEST(TesseradProcessTest, ServerDiesWithAnOwnerThatNeverDestroysIt) {
  const std::string dir = NewTempDir("leaked");
  auto run = RunToExit({RunfilePath("tests/testing/leaky_parent"), dir},
                       absl::Seconds(90));
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_EQ(run->exit_code, 0) << run->output;
  int pid = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(absl::StripPrefix(
                                   absl::string_view(run->output), "serving ")),
                               &pid))
      << run->output;
  EXPECT_GT(pid, 0);
  EXPECT_TRUE(GoneInTime(dir)) << "tesserad " << pid << " outlived its owner";
}

}  // namespace
}  // namespace tessera::testing
