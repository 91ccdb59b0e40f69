#include "tests/testing/tesserad_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace tessera::testing {
namespace {

std::string TestTmpDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Forks and execs tesserad with `flags`, stdout and stderr to `log_path`.
absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& flags,
                            const std::string& log_path) {
  const std::string binary = TesseradPath();
  std::vector<std::string> args = {binary};
  args.insert(args.end(), flags.begin(), flags.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (log_fd < 0) return absl::InternalError("cannot create " + log_path);
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    return absl::InternalError("fork failed");
  }
  if (pid == 0) {
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(log_fd);
  return pid;
}

// Waits up to `timeout` for `pid`; returns its exit code (128 + signal).
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
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "pid ", pid, " still running after ", absl::FormatDuration(timeout)));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
}

// Extracts "grpc_address":"..." from the "tesserad serving" log line.
std::string ServingAddress(const std::string& log) {
  size_t line_start = log.find("\"msg\":\"tesserad serving\"");
  if (line_start == std::string::npos) return "";
  const std::string kKey = "\"grpc_address\":\"";
  size_t key = log.find(kKey, line_start);
  if (key == std::string::npos) return "";
  size_t value = key + kKey.size();
  size_t end = log.find('"', value);
  if (end == std::string::npos) return "";
  return log.substr(value, end - value);
}

}  // namespace

std::string TesseradPath() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir != nullptr ? srcdir : ".", "/",
                      workspace != nullptr ? workspace : "tessera",
                      "/server/tesserad");
}

std::string NewTempDir(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return absl::StrCat(TestTmpDir(), "/", prefix, "-", ::getpid(), "-",
                      counter.fetch_add(1));
}

absl::StatusOr<std::unique_ptr<TesseradProcess>> TesseradProcess::Start(
    Options options) {
  std::unique_ptr<TesseradProcess> process(new TesseradProcess());
  process->data_dir_ =
      options.data_dir.empty() ? NewTempDir("tessera-data") : options.data_dir;
  process->log_path_ = NewTempDir("tesserad") + ".log";
  std::vector<std::string> flags = {
      "--grpc_address=127.0.0.1:0",
      "--http_address=",
      absl::StrCat("--data_dir=", process->data_dir_),
  };
  flags.insert(flags.end(), options.flags.begin(), options.flags.end());
  absl::StatusOr<pid_t> pid = Spawn(flags, process->log_path_);
  if (!pid.ok()) return pid.status();
  process->pid_ = *pid;

  const absl::Time deadline = absl::Now() + options.start_timeout;
  while (absl::Now() < deadline) {
    std::string address = ServingAddress(process->ReadLog());
    if (!address.empty()) {
      process->grpc_address_ = address;
      return process;
    }
    int status = 0;
    if (::waitpid(process->pid_, &status, WNOHANG) == process->pid_) {
      process->pid_ = -1;
      return absl::FailedPreconditionError(absl::StrCat(
          "tesserad exited during start-up; log:\n", process->ReadLog()));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "tesserad did not report serving in time; log:\n", process->ReadLog()));
}

TesseradProcess::~TesseradProcess() {
  if (pid_ > 0) Kill();
}

std::string TesseradProcess::ReadLog() const { return ReadFile(log_path_); }

absl::StatusOr<int> TesseradProcess::Terminate(absl::Duration timeout) {
  if (pid_ <= 0) return absl::FailedPreconditionError("not running");
  ::kill(pid_, SIGTERM);
  absl::StatusOr<int> code = WaitForExit(pid_, timeout);
  if (code.ok()) pid_ = -1;
  return code;
}

void TesseradProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  (void)WaitForExit(pid_, absl::Seconds(30));
  pid_ = -1;
}

absl::StatusOr<ExitResult> RunTesseradToExit(
    const std::vector<std::string>& flags, absl::Duration timeout) {
  const std::string log_path = NewTempDir("tesserad-run") + ".log";
  absl::StatusOr<pid_t> pid = Spawn(flags, log_path);
  if (!pid.ok()) return pid.status();
  absl::StatusOr<int> code = WaitForExit(*pid, timeout);
  if (!code.ok()) {
    ::kill(*pid, SIGKILL);
    (void)WaitForExit(*pid, absl::Seconds(30));
    return absl::DeadlineExceededError(absl::StrCat(
        code.status().message(), "; output:\n", ReadFile(log_path)));
  }
  return ExitResult{.exit_code = *code, .output = ReadFile(log_path)};
}

}  // namespace tessera::testing
