#include "tests/testing/tesserad_process.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace tessera::testing {
namespace {

// Extracts "<field>":"..." from the "tesserad serving" log line.
std::string ServingAddress(const std::string& log,
                           absl::string_view field = "grpc_address") {
  size_t line_start = log.find("\"msg\":\"tesserad serving\"");
  if (line_start == std::string::npos) return "";
  const std::string kKey = absl::StrCat("\"", field, "\":\"");
  size_t key = log.find(kKey, line_start);
  if (key == std::string::npos) return "";
  size_t value = key + kKey.size();
  size_t end = log.find('"', value);
  if (end == std::string::npos) return "";
  return log.substr(value, end - value);
}

}  // namespace

std::string RunfilePath(const std::string& path) {
  // Tests get TEST_SRCDIR; `bazel run` starts tools in their runfiles tree,
  // where the binary is at a relative path.
  const char* srcdir = std::getenv("TEST_SRCDIR");
  if (srcdir == nullptr) srcdir = std::getenv("RUNFILES_DIR");
  if (srcdir == nullptr) return path;
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir, "/", workspace != nullptr ? workspace : "tessera",
                      "/", path);
}

std::string TesseradPath() {
  // To run a test against another build (e.g. to show that a test fails on
  // an older tesserad): --test_env=TESSERA_TESSERAD=/path/to/tesserad.
  if (const char* other = std::getenv("TESSERA_TESSERAD")) return other;
  return RunfilePath("server/tesserad");
}

std::string NewTempDir(const std::string& prefix) {
  return NewTempPath(prefix);
}

namespace {

// Writes a random KEK to `path` (mode 0600) unless one is there already.
void EnsureKekFile(const std::string& path) {
  if (std::ifstream(path).good()) return;
  std::string key(32, '\0');
  std::ifstream("/dev/urandom", std::ios::binary).read(key.data(), key.size());
  std::ofstream(path) << absl::Base64Escape(key) << "\n";
  ::chmod(path.c_str(), 0600);
}

}  // namespace

std::string NewKekFile() {
  const std::string path = NewTempPath("kek");
  EnsureKekFile(path);
  return path;
}

absl::StatusOr<std::unique_ptr<TesseradProcess>> TesseradProcess::Start(
    Options options) {
  const absl::Time deadline = absl::Now() + options.start_timeout;
  absl::StatusOr<std::unique_ptr<TesseradProcess>> process =
      Launch(std::move(options));
  if (!process.ok()) return process.status();
  if (absl::Status serving = (*process)->AwaitServing(deadline);
      !serving.ok()) {
    return serving;
  }
  return process;
}

absl::StatusOr<std::vector<std::unique_ptr<TesseradProcess>>>
TesseradProcess::StartAll(std::vector<Options> options) {
  std::vector<std::unique_ptr<TesseradProcess>> processes;
  std::vector<absl::Time> deadlines;
  for (Options& one : options) {
    deadlines.push_back(absl::Now() + one.start_timeout);
    absl::StatusOr<std::unique_ptr<TesseradProcess>> process =
        Launch(std::move(one));
    if (!process.ok()) return process.status();
    processes.push_back(std::move(*process));
  }
  for (size_t i = 0; i < processes.size(); ++i) {
    if (absl::Status serving = processes[i]->AwaitServing(deadlines[i]);
        !serving.ok()) {
      return serving;
    }
  }
  return processes;
}

namespace {

// TESSERA_TEST_POSTGRES_PORT=PORT (a PostgreSQL from tools/pg_cluster.sh on
// 127.0.0.1): servers use --store=postgres, one database per data dir (so a
// restart on the same dir finds its records again) and a shared test KEK,
// unless the test chose a store itself. Runs RocksDB-agnostic e2e suites
// against PostgreSQL (tests/e2e/on_postgres.sh).
// The KEK beside `data_dir`: a restart on the same dir (the same database)
// opens the keys sealed before.
std::string KekFileOf(const std::string& data_dir) {
  const std::string path = data_dir + ".kek";
  EnsureKekFile(path);
  return path;
}

absl::StatusOr<std::vector<std::string>> PostgresFlags(
    const std::string& data_dir, const std::vector<std::string>& flags) {
  const char* port = std::getenv("TESSERA_TEST_POSTGRES_PORT");
  if (port == nullptr || *port == '\0') return std::vector<std::string>{};
  for (const std::string& flag : flags) {
    if (absl::StartsWith(flag, "--store=")) return std::vector<std::string>{};
  }
  const std::string database = absl::StrCat(
      "e", absl::Hex(std::hash<std::string>()(data_dir), absl::kZeroPad16));
  absl::StatusOr<ExitResult> created =
      RunToExit({"/usr/lib/postgresql/15/bin/psql", "-X", "-q", "-h",
                 "127.0.0.1", "-p", port, "-U", "tessera", "-d", "tessera",
                 "-c", absl::StrCat("CREATE DATABASE ", database)},
                absl::Seconds(30));
  if (!created.ok()) return created.status();
  if (created->exit_code != 0 &&
      created->output.find("already exists") == std::string::npos) {
    return absl::InternalError("cannot create a test database: " +
                               created->output);
  }
  return std::vector<std::string>{
      "--store=postgres",
      absl::StrCat("--postgres_url=postgresql://tessera@127.0.0.1:", port, "/",
                   database),
      "--kek_file=" + KekFileOf(data_dir)};
}

}  // namespace

absl::StatusOr<std::unique_ptr<TesseradProcess>> TesseradProcess::Launch(
    Options options) {
  std::unique_ptr<TesseradProcess> process(new TesseradProcess());
  process->data_dir_ =
      options.data_dir.empty() ? NewTempDir("tessera-data") : options.data_dir;
  process->log_path_ = NewTempDir("tesserad") + ".log";
  std::vector<std::string> flags = {
      "--grpc_address=127.0.0.1:0",
      "--http_address=127.0.0.1:0",
      absl::StrCat("--data_dir=", process->data_dir_),
  };
  absl::StatusOr<std::vector<std::string>> postgres =
      PostgresFlags(process->data_dir_, options.flags);
  if (!postgres.ok()) return postgres.status();
  flags.insert(flags.end(), postgres->begin(), postgres->end());
  flags.insert(flags.end(), options.flags.begin(), options.flags.end());
  std::vector<std::string> argv = {TesseradPath()};
  argv.insert(argv.end(), flags.begin(), flags.end());
  if (std::getenv("TSAN_OPTIONS") != nullptr) {
    // Under --config=tsan the server is instrumented too. Its reports go to
    // its log without stopping it; ~TesseradProcess fails the test on them
    // (a server halted mid-test would only show up as connection errors).
    // Later options win: the suppressions and the rest are kept.
    setenv(
        "TSAN_OPTIONS",
        absl::StrCat(std::getenv("TSAN_OPTIONS"), ":halt_on_error=0:exitcode=0")
            .c_str(),
        1);
  }
  absl::StatusOr<pid_t> pid = StartProcess(argv, process->log_path_);
  if (!pid.ok()) return pid.status();
  process->pid_ = *pid;
  return process;
}

absl::Status TesseradProcess::AwaitServing(absl::Time deadline) {
  while (absl::Now() < deadline) {
    const std::string log = ReadLog();
    std::string address = ServingAddress(log);
    if (!address.empty()) {
      grpc_address_ = address;
      http_address_ = ServingAddress(log, "http_address");
      return absl::OkStatus();
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::FailedPreconditionError(
          absl::StrCat("tesserad exited during start-up; log:\n", ReadLog()));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "tesserad did not report serving in time; log:\n", ReadLog()));
}

TesseradProcess::~TesseradProcess() {
  if (pid_ > 0) Kill();
  const std::string log = ReadLog();
  const size_t report = log.find("WARNING: ThreadSanitizer");
  if (report != std::string::npos) {
    std::fprintf(stderr, "tesserad (log %s) has ThreadSanitizer reports:\n%s\n",
                 log_path_.c_str(), log.substr(report).c_str());
    std::abort();
  }
}

std::string TesseradProcess::ReadLog() const {
  return ReadFileOrEmpty(log_path_);
}

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
  std::vector<std::string> argv = {TesseradPath()};
  argv.insert(argv.end(), flags.begin(), flags.end());
  return RunToExit(argv, timeout);
}

}  // namespace tessera::testing
