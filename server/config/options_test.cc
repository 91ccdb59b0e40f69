#include "server/config/options.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace tessera::config {
namespace {

std::string TempDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir =
      absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

ServerOptions WithCaller() {
  ServerOptions options;
  options.data_dir = TempDir("data") + "/db";
  tessera::v1::Caller& caller = options.callers.emplace_back();
  caller.set_name("ops");
  caller.set_api_key_sha256(std::string(64, 'a'));
  caller.add_roles(tessera::v1::ROLE_ADMIN);
  return options;
}

void ExpectInvalid(const ServerOptions& options, const std::string& text) {
  const absl::Status status = ValidateOptions(options);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << text;
  EXPECT_TRUE(absl::StrContains(status.message(), text)) << status;
}

TEST(ValidateOptionsTest, DefaultsAreValid) {
  ServerOptions options;
  options.data_dir = TempDir("defaults") + "/db";
  EXPECT_TRUE(ValidateOptions(options).ok()) << ValidateOptions(options);
}

TEST(ValidateOptionsTest, ActiveSessionsIntervalIsBetweenOneSecondAndADay) {
  ServerOptions options = WithCaller();
  options.active_sessions_interval = absl::Milliseconds(999);
  ExpectInvalid(options, "--active_sessions_interval=999ms is out of range");
  options.active_sessions_interval = absl::Hours(24) + absl::Seconds(1);
  ExpectInvalid(options, "--active_sessions_interval=24h1s is out of range");
  options.active_sessions_interval = absl::Seconds(1);
  EXPECT_TRUE(ValidateOptions(options).ok());
  options.active_sessions_interval = absl::Hours(24);
  EXPECT_TRUE(ValidateOptions(options).ok());
}

TEST(ValidateOptionsTest, StoreIsRocksdbOrPostgresWithItsUrl) {
  ServerOptions options = WithCaller();
  options.store = "mysql";
  ExpectInvalid(options, "--store=mysql is not a store");
  options.store = "postgres";
  ExpectInvalid(options, "--store=postgres needs --postgres_url");
  options.postgres_url = std::string(4097, 'x');
  ExpectInvalid(options, "--postgres_url is over 4096 bytes");
  options.postgres_url = "postgresql://tessera@127.0.0.1/tessera";
  EXPECT_TRUE(ValidateOptions(options).ok()) << ValidateOptions(options);
  options.postgres_pool_size = 0;
  ExpectInvalid(options, "--postgres_pool_size must be 1-256, not 0");
  options.postgres_pool_size = 257;
  ExpectInvalid(options, "--postgres_pool_size must be 1-256, not 257");
  options.postgres_pool_size = 256;
  EXPECT_TRUE(ValidateOptions(options).ok());
  options.store = "rocksdb";
  ExpectInvalid(options, "--postgres_url is only for --store=postgres");
}

TEST(ValidateOptionsTest, EachListenerNeedsItsOwnPlaintextOptIn) {
  ServerOptions http = WithCaller();
  http.http_address = "0.0.0.0:8080";
  http.insecure = true;  // gRPC's opt-in does not cover HTTP.
  ExpectInvalid(http, "--http_insecure");
  http.http_insecure = true;
  EXPECT_TRUE(ValidateOptions(http).ok());

  ServerOptions grpc = WithCaller();
  grpc.grpc_address = "0.0.0.0:50051";
  grpc.http_insecure = true;  // HTTP's opt-in does not cover gRPC.
  ExpectInvalid(grpc, "--insecure");
  grpc.insecure = true;
  EXPECT_TRUE(ValidateOptions(grpc).ok());
}

TEST(ValidateOptionsTest, CallersAreCheckedByTheAuthorizersRules) {
  ServerOptions options = WithCaller();
  options.callers[0].set_api_key_sha256("abc");
  ExpectInvalid(options, "caller \"ops\"");
  options = WithCaller();
  options.rate_limits.set_issue_burst(-1);
  ExpectInvalid(options, "rate_limits");
}

TEST(ValidateOptionsTest, FilesAreCheckedWithoutCreatingAnything) {
  const std::string dir = TempDir("files");
  ServerOptions options = WithCaller();
  options.tls_cert_file = dir + "/missing.crt";
  options.tls_key_file = dir + "/missing.key";
  ExpectInvalid(options, "--tls_cert_file=");

  options = WithCaller();
  const std::string real = dir + "/real.log";
  const std::string link = dir + "/link.log";
  std::ofstream(real) << "";
  ASSERT_EQ(::symlink(real.c_str(), link.c_str()), 0);
  options.audit_log_file = link;
  ExpectInvalid(options, "symbolic link");
  options.audit_log_file = dir + "/no-such-dir/audit.log";
  ExpectInvalid(options, "--audit_log_file=");
  options.audit_log_file = dir + "/new.log";
  EXPECT_TRUE(ValidateOptions(options).ok());
  EXPECT_FALSE(std::filesystem::exists(dir + "/new.log"));

  options = WithCaller();
  const std::string open_dir = TempDir("open-data");
  ::chmod(open_dir.c_str(), 0777);
  options.data_dir = open_dir;
  ExpectInvalid(options, "chmod 700");
  EXPECT_FALSE(std::filesystem::exists(WithCaller().data_dir));
}

}  // namespace
}  // namespace tessera::config
