#include "tests/testing/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace tessera::testing {

std::string NewTempPath(const std::string& prefix) {
  static std::atomic<int> counter{0};
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/", prefix, "-",
                      ::getpid(), "-", counter.fetch_add(1));
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<pid_t> StartProcess(const std::vector<std::string>& argv,
                                   const std::string& output_path) {
  if (argv.empty()) return absl::InvalidArgumentError("empty argv");
  std::vector<std::string> args = argv;
  std::vector<char*> raw;
  for (std::string& arg : args) raw.push_back(arg.data());
  raw.push_back(nullptr);

  int out = ::open(output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (out < 0) return absl::InternalError("cannot create " + output_path);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(out);
    return absl::InternalError("fork failed");
  }
  if (pid == 0) {
    // Dies with the thread that started it, however that ends (a crash, an
    // abort, exit() past a leaked owner); and if it already ended, now.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) {
      ::_exit(127);
    }
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    ::execvp(raw[0], raw.data());
    ::_exit(127);
  }
  ::close(out);
  return pid;
}

absl::StatusOr<int> WaitForExit(pid_t pid, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int status = 0;
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    if (done < 0) return absl::InternalError(absl::StrCat("no child ", pid));
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "pid ", pid, " still running after ", absl::FormatDuration(timeout)));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
}

absl::StatusOr<ExitResult> RunToExit(const std::vector<std::string>& argv,
                                     absl::Duration timeout) {
  const std::string output_path = NewTempPath("run") + ".out";
  absl::StatusOr<pid_t> pid = StartProcess(argv, output_path);
  if (!pid.ok()) return pid.status();
  absl::StatusOr<int> code = WaitForExit(*pid, timeout);
  if (!code.ok()) {
    ::kill(*pid, SIGKILL);
    (void)WaitForExit(*pid, absl::Seconds(30));
    return absl::DeadlineExceededError(absl::StrCat(
        code.status().message(), "; output:\n", ReadFileOrEmpty(output_path)));
  }
  return ExitResult{.exit_code = *code, .output = ReadFileOrEmpty(output_path)};
}

}  // namespace tessera::testing
