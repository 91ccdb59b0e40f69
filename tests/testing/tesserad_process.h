#ifndef TESSERA_TESTS_TESTING_TESSERAD_PROCESS_H_
#define TESSERA_TESTS_TESTING_TESSERAD_PROCESS_H_

// Runs the real tesserad binary for end-to-end tests.
//
// The server listens on 127.0.0.1 with a port the kernel picks (port 0) and
// reports it in its start-up log line, so tests never race for a free port.
// Its stderr goes to a file under TEST_TMPDIR that tests can read. Every wait
// is bounded; the destructor kills a server still running, so a failing test
// never leaves one behind, and the server dies with the thread that started
// it (subprocess.h), so neither does a test or tool that crashes, aborts or
// exits past a leaked TesseradProcess. tools/check_no_tesserad_left.sh fails
// the suite on any server left anyway.

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/testing/subprocess.h"

namespace tessera::testing {

// Path of a data dependency ("tools/cli/tessera") in the test's runfiles.
std::string RunfilePath(const std::string& path);

// Path of //server:tesserad in the test's runfiles, or $TESSERA_TESSERAD.
std::string TesseradPath();

// A fresh directory under TEST_TMPDIR (unique per call).
std::string NewTempDir(const std::string& prefix);

// A new KEK file (--kek_file: a random 32-byte key, base64, mode 0600)
// under TEST_TMPDIR, for servers that must share one: replicas of a store.
std::string NewKekFile();

class TesseradProcess {
 public:
  struct Options {
    // Defaults to a fresh temporary directory.
    std::string data_dir;
    // Extra flags, appended after the defaults (so they override them).
    std::vector<std::string> flags;
    absl::Duration start_timeout = absl::Seconds(60);
  };

  // Starts tesserad and waits until it logs that it is serving. On failure
  // the error carries the server's log.
  static absl::StatusOr<std::unique_ptr<TesseradProcess>> Start(
      Options options);

  // Starts every server before waiting for any (they start concurrently,
  // e.g. replicas on one empty database).
  static absl::StatusOr<std::vector<std::unique_ptr<TesseradProcess>>> StartAll(
      std::vector<Options> options);

  ~TesseradProcess();

  // "127.0.0.1:PORT" as the server reported it.
  const std::string& grpc_address() const { return grpc_address_; }
  // "127.0.0.1:PORT" of the HTTP listener; empty if a flag disabled it.
  const std::string& http_address() const { return http_address_; }
  const std::string& data_dir() const { return data_dir_; }
  pid_t pid() const { return pid_; }
  std::string ReadLog() const;

  // Sends SIGTERM and waits (bounded) for exit; returns the exit code, or
  // 128 + signal if it was killed.
  absl::StatusOr<int> Terminate(absl::Duration timeout = absl::Seconds(30));
  // SIGKILL, as in a crash.
  void Kill();

 private:
  TesseradProcess() = default;
  static absl::StatusOr<std::unique_ptr<TesseradProcess>> Launch(
      Options options);
  absl::Status AwaitServing(absl::Time deadline);

  pid_t pid_ = -1;
  std::string data_dir_;
  std::string log_path_;
  std::string grpc_address_;
  std::string http_address_;
};

// Runs tesserad with exactly `flags` and waits for it to exit by itself.
// Fails if it is still running after `timeout` (it is killed then).
absl::StatusOr<ExitResult> RunTesseradToExit(
    const std::vector<std::string>& flags,
    absl::Duration timeout = absl::Seconds(30));

}  // namespace tessera::testing

#endif  // TESSERA_TESTS_TESTING_TESSERAD_PROCESS_H_
