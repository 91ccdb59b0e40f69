// tesserad's configuration against the real binary: a refused configuration
// exits 2 before anything is written (no data dir, no KEK, no key); a valid
// one that fails later exits 1; a flag named on the command line overrides
// the --config file even with its default value; each listener has its own
// plaintext opt-in; the KEK leaves the environment.

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/tesserad_process.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using ::tessera::testing::ExitResult;
using ::tessera::testing::NewTempDir;
using ::tessera::testing::ReadFileOrEmpty;
using ::tessera::testing::RunTesseradToExit;
using ::tessera::testing::TesseradProcess;
using ::testing::HasSubstr;

// One admin caller (the key is "test-key"; the hash is its sha256sum).
constexpr char kCaller[] =
    "callers { name: \"ops\" api_key_sha256: "
    "\"62af8704764faf8ea82fc61ce9c4c3908b6cb97d463a634e9e587d7c885db0ef\" "
    "roles: ROLE_ADMIN }\n";

std::string WriteFile(const std::string& name, const std::string& text,
                      fs::perms perms = fs::perms::owner_read |
                                        fs::perms::owner_write) {
  const std::string path = NewTempDir(name);
  std::ofstream(path) << text;
  fs::permissions(path, perms);
  return path;
}

// Runs tesserad on loopback with a data dir that does not exist yet.
ExitResult RunOnLoopback(const std::string& data_dir,
                         const std::vector<std::string>& flags) {
  std::vector<std::string> all = {"--grpc_address=127.0.0.1:0",
                                  "--http_address=", "--data_dir=" + data_dir};
  all.insert(all.end(), flags.begin(), flags.end());
  absl::StatusOr<ExitResult> run = RunTesseradToExit(all);
  EXPECT_TRUE(run.ok()) << run.status();
  return run.ok() ? *run : ExitResult{};
}

TEST(ConfigE2eTest, RefusedConfigExitsTwoBeforeAnythingIsWritten) {
  const std::string kek = WriteFile(
      "open.kek", "c2VjcmV0LWtlay1mb3ItdGhlLXNjcnViLXRlc3QtMzI=\n",
      fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  const std::string audit_target = WriteFile("audit-target", "");
  const std::string audit_link = NewTempDir("audit-link");
  fs::create_symlink(audit_target, audit_link);
  const struct {
    std::vector<std::string> flags;
    std::string expected;
  } cases[] = {
      {{"--config=" +
        WriteFile("bad-caller.cfg",
                  "callers { name: \"web\" api_key_sha256: \"abc\" "
                  "roles: ROLE_ISSUER }\n")},
       "api_key_sha256 must be 64 hex digits"},
      {{"--config=" +
        WriteFile("no-role.cfg", absl::StrReplaceAll(kCaller, {{"roles: "
                                                                "ROLE_ADMIN",
                                                                ""}}))},
       "at least one role"},
      {{"--kek_file=" + kek}, "chmod 600"},
      {{"--tls_cert_file=/nonexistent/tls.crt",
        "--tls_key_file=/nonexistent/tls.key"},
       "--tls_cert_file=/nonexistent/tls.crt"},
      {{"--audit_log_file=" + audit_link}, "symbolic link"},
      {{"--audit_log_file=/nonexistent/dir/audit.log"}, "--audit_log_file"},
      {{"--config=" +
        WriteFile("interval.cfg", "active_sessions_interval { nanos: 5 }\n")},
       "--active_sessions_interval=5ns is out of range [1s, 24h]"},
      {{"--config=" +
        WriteFile("rate.cfg", absl::StrCat(kCaller,
                                           "rate_limits { "
                                           "issue_burst: -1 }\n"))},
       "rate_limits"},
      {{"--store=mysql"}, "--store=mysql is not a store"},
      {{"--store=postgres"}, "--store=postgres needs --postgres_url"},
      {{"--postgres_url=postgresql://127.0.0.1/tessera"},
       "--postgres_url is only for --store=postgres"},
  };
  for (const auto& c : cases) {
    const std::string parent = NewTempDir("refused");
    fs::create_directories(parent);
    const ExitResult run = RunOnLoopback(parent + "/data", c.flags);
    EXPECT_EQ(run.exit_code, 2) << c.expected << "\n" << run.output;
    EXPECT_THAT(run.output, HasSubstr(c.expected));
    EXPECT_FALSE(fs::exists(parent + "/data")) << c.expected;
    EXPECT_TRUE(fs::is_empty(parent)) << c.expected;
  }
  EXPECT_TRUE(ReadFileOrEmpty(audit_target).empty());
}

TEST(ConfigE2eTest, MalformedEnvironmentKekExitsTwoBeforeAnythingIsWritten) {
  const std::string parent = NewTempDir("env-kek");
  fs::create_directories(parent);
  ASSERT_EQ(setenv("TESSERA_KEK", "too-short", 1), 0);
  const ExitResult run = RunOnLoopback(parent + "/data", {});
  unsetenv("TESSERA_KEK");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_THAT(run.output, HasSubstr("TESSERA_KEK"));
  EXPECT_TRUE(fs::is_empty(parent));
}

TEST(ConfigE2eTest, DataDirWritableByOthersIsRefusedAndLeftUntouched) {
  const std::string data_dir = NewTempDir("shared-data");
  fs::create_directories(data_dir);
  fs::permissions(data_dir, fs::perms::all);  // 0777
  const ExitResult run = RunOnLoopback(data_dir, {});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_THAT(run.output, HasSubstr("chmod 700"));
  EXPECT_TRUE(fs::is_empty(data_dir));
}

// --store=postgres needs the shared KEK, and a database it cannot reach
// fails the start with a clear message that never echoes the URL (it may
// carry a password).
TEST(ConfigE2eTest, PostgresStoreFailuresNeverEchoTheUrl) {
  const std::string kek =
      WriteFile("pg.kek", "c2VjcmV0LWtlay1mb3ItdGhlLXNjcnViLXRlc3QtMzI=\n");
  const std::string parent = NewTempDir("pg");
  fs::create_directories(parent);
  // Port 1: nothing listens there.
  const std::string url =
      "postgresql://tessera:hunter2@127.0.0.1:1/tessera?connect_timeout=1";
  const ExitResult without_kek = RunOnLoopback(
      parent + "/a", {"--store=postgres", "--postgres_url=" + url});
  EXPECT_NE(without_kek.exit_code, 0);
  EXPECT_THAT(without_kek.output, HasSubstr("--kek_file or TESSERA_KEK"));
  const ExitResult run = RunOnLoopback(
      parent + "/b",
      {"--store=postgres", "--postgres_url=" + url, "--kek_file=" + kek});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_THAT(run.output, HasSubstr("cannot connect to PostgreSQL"));
  for (const ExitResult* r : {&without_kek, &run}) {
    EXPECT_THAT(r->output, ::testing::Not(HasSubstr("hunter2")));
  }
}

TEST(ConfigE2eTest, ValidConfigThatFailsLaterExitsOne) {
  auto first = TesseradProcess::Start({});
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<ExitResult> run = RunTesseradToExit(
      {"--grpc_address=" + (*first)->grpc_address(),
       "--http_address=", "--data_dir=" + NewTempDir("second")});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->exit_code, 1) << run->output;
  EXPECT_THAT(run->output, HasSubstr("cannot listen"));
}

// The start-up line says which durability won.
std::string StartedDurability(const std::vector<std::string>& flags) {
  auto server = TesseradProcess::Start({.flags = flags});
  EXPECT_TRUE(server.ok()) << server.status();
  if (!server.ok()) return "";
  const std::string log = (*server)->ReadLog();
  for (const char* value : {"sync", "async"}) {
    if (absl::StrContains(log,
                          absl::StrCat("\"durability\":\"", value, "\""))) {
      return value;
    }
  }
  return "";
}

TEST(ConfigE2eTest, FlagNamedWithItsDefaultValueOverridesTheConfigFile) {
  const std::string config =
      "--config=" + WriteFile("async.cfg", "durability: \"async\"\n");
  EXPECT_EQ(StartedDurability({config}), "async");
  EXPECT_EQ(StartedDurability({config, "--durability=sync"}), "sync");
  EXPECT_EQ(StartedDurability({config, "--durability", "sync"}), "sync");
}

TEST(ConfigE2eTest, EachListenerHasItsOwnPlaintextOptIn) {
  const std::string config = "--config=" + WriteFile("callers.cfg", kCaller);
  // --insecure covers gRPC only: the HTTP side stays on loopback.
  absl::StatusOr<ExitResult> http = RunTesseradToExit(
      {"--grpc_address=127.0.0.1:0", "--http_address=0.0.0.0:0", "--insecure",
       config, "--data_dir=" + NewTempDir("http-refused")});
  ASSERT_TRUE(http.ok()) << http.status();
  EXPECT_EQ(http->exit_code, 2) << http->output;
  EXPECT_THAT(http->output, HasSubstr("--http_insecure"));
  // --http_insecure does not allow plaintext gRPC beyond loopback.
  absl::StatusOr<ExitResult> grpc = RunTesseradToExit(
      {"--grpc_address=0.0.0.0:0", "--http_address=", "--http_insecure", config,
       "--data_dir=" + NewTempDir("grpc-refused")});
  ASSERT_TRUE(grpc.ok()) << grpc.status();
  EXPECT_EQ(grpc->exit_code, 2) << grpc->output;
  EXPECT_THAT(grpc->output, HasSubstr("--insecure"));
  // Its own opt-in allows the HTTP side (and says so).
  auto server = TesseradProcess::Start(
      {.flags = {"--http_address=0.0.0.0:0", "--http_insecure", config}});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_THAT((*server)->ReadLog(), HasSubstr("--http_insecure"));
}

TEST(ConfigE2eTest, EnvironmentKekIsGoneFromTheRunningServer) {
  const std::string kek = "a2VrLWZyb20tdGhlLWVudmlyb25tZW50LXRlc3QtMzI=";
  ASSERT_EQ(setenv("TESSERA_KEK", kek.c_str(), 1), 0);
  auto server = TesseradProcess::Start({});
  unsetenv("TESSERA_KEK");
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string environ =
      ReadFileOrEmpty(absl::StrCat("/proc/", (*server)->pid(), "/environ"));
  ASSERT_THAT(environ, HasSubstr("PATH="));  // We can read it at all.
  EXPECT_FALSE(absl::StrContains(environ, kek.substr(0, 16)));
  // And it was used: no KEK file was generated in the data dir.
  EXPECT_FALSE(fs::exists((*server)->data_dir() + "/kek"));
}

}  // namespace
}  // namespace tessera
