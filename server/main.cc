// tesserad: the Tessera token authority. See README.md for the flags.
//
// Signals: SIGHUP reopens the audit log (log rotation); SIGTERM and SIGINT
// stop the server gracefully (drain in-flight calls for up to
// --shutdown_drain, then close the store). They are blocked in every thread
// and taken by one thread with sigwait(), so no work happens in a signal
// handler.

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/config/options.h"
#include "server/log/log.h"
#include "server/tesserad.h"
#include "server/version.h"

ABSL_FLAG(absl::Duration, shutdown_drain, absl::Seconds(10),
          "On SIGTERM/SIGINT, how long in-flight calls may take to finish "
          "before they are cancelled.");

namespace {

int Run() {
  // A bazel run starts the binary in its runfiles tree; relative paths such
  // as the default --data_dir mean the directory the user ran it from.
  if (const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY")) {
    if (::chdir(cwd) != 0) {
      tessera::log::Error("cannot enter BUILD_WORKING_DIRECTORY",
                          {{"dir", cwd}});
      return 1;
    }
  }
  // Exit 2: the configuration is wrong (found before anything is written);
  // exit 1: it was valid but the server could not start (e.g. port in use).
  absl::StatusOr<tessera::config::ServerOptions> options =
      tessera::config::OptionsFromFlags();
  if (!options.ok()) {
    tessera::log::Error("invalid configuration",
                        {{"error", std::string(options.status().message())}});
    return 2;
  }

  // Block the handled signals before any thread exists, so all threads
  // inherit the mask and only the waiter below receives them. SIGHUP would
  // otherwise kill the server; operators (and logrotate) send it to mean
  // "reopen your files".
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<std::unique_ptr<tessera::Tesserad>> server =
      tessera::Tesserad::Start(*options);
  if (!server.ok()) {
    tessera::log::Error("tesserad failed to start",
                        {{"error", std::string(server.status().message())},
                         {"data_dir", options->data_dir}});
    return 1;
  }
  tessera::log::Info("tesserad serving",
                     {{"grpc_address", (*server)->grpc_address()},
                      {"http_address", (*server)->http_address()},
                      {"data_dir", options->data_dir},
                      {"version", tessera::kVersion},
                      {"durability", options->sync_writes ? "sync" : "async"}});
  if (options->callers.empty()) {
    tessera::log::Warning(
        "no callers configured: serving loopback only, and every local "
        "process may call every method as admin. Configure callers (API "
        "keys or client certificates) in --config to serve anything else");
  } else {
    tessera::log::Info("callers configured",
                       {{"callers", static_cast<int>(options->callers.size())},
                        {"tls", options->tls()},
                        {"mutual_tls", !options->client_ca_file.empty()}});
  }
  if (options->insecure) {
    tessera::log::Warning(
        "--insecure: serving plaintext gRPC; anyone who can reach the port "
        "can read the tokens and API keys on the wire");
  }
  if (options->http_insecure) {
    tessera::log::Warning(
        "--http_insecure: the HTTP side (JWKS, health, metrics) is served "
        "in plaintext beyond loopback");
  }

  std::thread signal_waiter([&server, &signals] {
    int signal_number = 0;
    while (sigwait(&signals, &signal_number) == 0 && signal_number == SIGHUP) {
      const absl::Status reopened = (*server)->ReopenLogs();
      if (reopened.ok()) {
        tessera::log::Info(
            "SIGHUP: audit log reopened (TLS certificates reload on file "
            "change, without a signal)");
      } else {
        tessera::log::Error(
            "SIGHUP: cannot reopen the audit log; still "
            "writing to the old file",
            {{"error", std::string(reopened.message())}});
      }
    }
    tessera::log::Info("stop signal received",
                       {{"signal", std::string(strsignal(signal_number))}});
    (*server)->Shutdown(absl::GetFlag(FLAGS_shutdown_drain));
  });
  (*server)->Wait();
  signal_waiter.join();
  server->reset();
  tessera::log::Info("tesserad stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Tessera token authority. Zero-config: tesserad serves gRPC on "
      "127.0.0.1:50051 with data in ./tessera-data.");
  // --help lists tesserad's own flags (they live in server/), not only the
  // ones defined in main.cc; --helpfull adds Abseil's and gRPC's.
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "server/");
  };
  absl::SetFlagsUsageConfig(usage);
  absl::ParseCommandLine(argc, argv);
  // Debian's Abseil has deadlock detection on; it costs on every lock.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return Run();
}
