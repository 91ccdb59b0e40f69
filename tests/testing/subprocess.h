#ifndef TESSERA_TESTS_TESTING_SUBPROCESS_H_
#define TESSERA_TESTS_TESTING_SUBPROCESS_H_

// Child processes for tests: start one with its output in a file, wait for
// it with a bound, or run one to completion. Every wait is bounded; a child
// still running at the bound is killed.
//
// A child never outlives its starter: it gets SIGKILL when the thread that
// started it ends (PR_SET_PDEATHSIG), so a test or benchmark that crashes,
// aborts or exits without running destructors leaves no process behind.
// Start children from a thread that outlives them (a test's main thread).

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace tessera::testing {

// A fresh path under TEST_TMPDIR (unique per call; nothing is created).
std::string NewTempPath(const std::string& prefix);

// Starts argv[0] (searched on PATH if it has no '/') with stdout and stderr
// appended to `output_path`.
absl::StatusOr<pid_t> StartProcess(const std::vector<std::string>& argv,
                                   const std::string& output_path);

// Waits up to `timeout` for `pid` to exit; returns its exit code, or
// 128 + signal when a signal ended it.
absl::StatusOr<int> WaitForExit(pid_t pid, absl::Duration timeout);

struct ExitResult {
  int exit_code = -1;  // 128 + signal when killed by one.
  std::string output;  // stdout and stderr.
};

// Runs argv to completion. Fails if it is still running after `timeout`
// (it is killed then); the error carries its output so far.
absl::StatusOr<ExitResult> RunToExit(const std::vector<std::string>& argv,
                                     absl::Duration timeout);

std::string ReadFileOrEmpty(const std::string& path);

}  // namespace tessera::testing

#endif  // TESSERA_TESTS_TESTING_SUBPROCESS_H_
