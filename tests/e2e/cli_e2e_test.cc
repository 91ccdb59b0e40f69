// The tessera CLI against the real tesserad: every command, its output for
// people and for scripts, and its exit status (0 done, 1 the call failed or
// said no, 2 the command line is wrong).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tessera/v1/admin.pb.h"
#include "tessera/v1/token_authority.pb.h"
#include "tests/testing/api_key.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/tesserad_process.h"

namespace tessera {
namespace {

using ::tessera::testing::ExitResult;
using ::tessera::testing::NewTempDir;
using ::tessera::testing::RunToExit;
using ::tessera::testing::ShellQuote;
using ::tessera::testing::TesseradProcess;
using ::testing::HasSubstr;
using ::testing::Not;

std::string CliPath() {
  return ::tessera::testing::RunfilePath("tools/cli/tessera");
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer({}); }

  void StartServer(std::vector<std::string> flags) {
    server_.reset();
    auto server = TesseradProcess::Start({.flags = std::move(flags)});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    address_ = server_->grpc_address();
  }

  // Runs `tessera --address=<server> args...`; `stdin_text`, if any, is
  // piped in, and `env` ("NAME=value") set.
  ExitResult Tessera(const std::vector<std::string>& args,
                     const std::string& stdin_text = "",
                     const std::string& env = "") {
    std::string command =
        absl::StrCat(env, env.empty() ? "" : " ", ShellQuote(CliPath()),
                     " --address=", ShellQuote(address_));
    for (const std::string& arg : args)
      absl::StrAppend(&command, " ", ShellQuote(arg));
    command =
        absl::StrCat("printf %s ", ShellQuote(stdin_text), " | ", command);
    auto run = RunToExit({"bash", "-c", command}, absl::Seconds(60));
    EXPECT_TRUE(run.ok()) << run.status();
    return run.ok() ? *run : ExitResult{};
  }

  template <typename Message>
  Message Json(const ExitResult& run) {
    Message message;
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_TRUE(
        google::protobuf::util::JsonStringToMessage(run.output, &message).ok())
        << run.output;
    return message;
  }

  v1::SessionTokens Issue(const std::string& subject,
                          std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"--json", "issue", "--subject=" + subject};
    args.insert(args.end(), more.begin(), more.end());
    return Json<v1::SessionTokens>(Tessera(args));
  }

  std::unique_ptr<TesseradProcess> server_;
  std::string address_;
};

TEST_F(CliTest, HelpListsCommandsAndEachCommandsFlags) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--help"}, {"help"}, {"-h"}}) {
    ExitResult help = Tessera(args);
    EXPECT_EQ(help.exit_code, 0) << args[0] << ": " << help.output;
    EXPECT_THAT(help.output, HasSubstr("usage: tessera")) << args[0];
    EXPECT_THAT(help.output, HasSubstr("update-claims")) << args[0];
  }
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"issue", "--help"},
                                             {"help", "issue"}}) {
    ExitResult help = Tessera(args);
    EXPECT_EQ(help.exit_code, 0) << help.output;
    EXPECT_THAT(help.output, HasSubstr("usage: tessera [connection flags] "
                                       "issue --subject=S"));
    EXPECT_THAT(help.output, HasSubstr("--request_id"));
    EXPECT_THAT(help.output, Not(HasSubstr("--refresh_token")));
  }
  ExitResult unknown = Tessera({"help", "no-such-command"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_THAT(unknown.output, HasSubstr("unknown command \"no-such-command\""));
  EXPECT_THAT(unknown.output, Not(HasSubstr("did you mean")));
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"isue"}, {"help", "isue"}}) {
    ExitResult typo = Tessera(args);
    EXPECT_EQ(typo.exit_code, 2) << typo.output;
    EXPECT_THAT(typo.output,
                HasSubstr("unknown command \"isue\"; did you mean \"issue\"?"));
  }
}

TEST_F(CliTest, IssueValidateRefreshRevokeThroughTheCli) {
  const v1::SessionTokens issued =
      Issue("alice", {"--audience=api", "--claims={\"role\":\"member\"}",
                      "--device_name=laptop"});
  ASSERT_FALSE(issued.access_token().empty());
  ASSERT_FALSE(issued.session_id().empty());

  ExitResult valid = Tessera({"validate", "--access_token=-", "--audience=api"},
                             issued.access_token());
  EXPECT_EQ(valid.exit_code, 0) << valid.output;
  EXPECT_THAT(valid.output, HasSubstr("valid: true"));
  EXPECT_THAT(valid.output, HasSubstr("subject: alice"));
  EXPECT_THAT(valid.output, HasSubstr("custom: {\"role\":\"member\"}"));

  // --access_ttl reaches the server as a Duration.
  const v1::SessionTokens short_lived = Issue("alice", {"--access_ttl=2m"});
  const v1::ValidateTokenResponse checked = Json<v1::ValidateTokenResponse>(
      Tessera({"--json", "validate", "--access_token=-"},
              short_lived.access_token()));
  EXPECT_EQ(checked.claims().expires_at().seconds() -
                checked.claims().issued_at().seconds(),
            120);

  // The refresh token comes from stdin, out of argv.
  const v1::SessionTokens rotated = Json<v1::SessionTokens>(Tessera(
      {"--json", "refresh", "--refresh_token=-"}, issued.refresh_token()));
  EXPECT_NE(rotated.refresh_token(), issued.refresh_token());
  EXPECT_EQ(rotated.session_id(), issued.session_id());

  ExitResult session =
      Tessera({"get-session", "--session_id=" + issued.session_id()});
  EXPECT_EQ(session.exit_code, 0) << session.output;
  EXPECT_THAT(session.output, HasSubstr("generation: 1"));
  EXPECT_THAT(session.output, HasSubstr("device_name: laptop"));

  ExitResult listed = Tessera({"list-sessions", "--subject=alice"});
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_THAT(listed.output,
              HasSubstr("  - session_id: " + issued.session_id()));

  ExitResult revoked = Tessera(
      {"revoke", "--session_id=" + issued.session_id(), "--reason=lost phone"});
  EXPECT_EQ(revoked.exit_code, 0) << revoked.output;
  EXPECT_THAT(revoked.output, HasSubstr("revoked_count: 1"));

  ExitResult invalid =
      Tessera({"validate", "--access_token=" + rotated.access_token()});
  EXPECT_EQ(invalid.exit_code, 1) << invalid.output;
  EXPECT_THAT(invalid.output, HasSubstr("valid: false"));
  EXPECT_THAT(invalid.output, HasSubstr("SESSION_REVOKED"));

  ExitResult refused =
      Tessera({"refresh", "--refresh_token=" + rotated.refresh_token()});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_THAT(refused.output,
              HasSubstr("tessera: refresh: UNAUTHENTICATED SESSION_REVOKED: "));

  // "--flag value" reads like "--flag=value".
  ExitResult spaced =
      Tessera({"issue", "--subject", "erin", "--audience", "api"});
  EXPECT_EQ(spaced.exit_code, 0) << spaced.output;

  // Revoking twice, or what does not exist, is not an error.
  ExitResult again =
      Tessera({"revoke", "--session_id=s" +
                             std::string(issued.session_id().size() - 1, 'A')});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_THAT(again.output, HasSubstr("revoked_count: 0"));
}

TEST_F(CliTest, UpdateClaimsMakesEarlierAccessTokensStale) {
  const v1::SessionTokens issued =
      Issue("bob", {"--claims={\"role\":\"member\"}"});
  ExitResult updated =
      Tessera({"update-claims", "--subject=bob",
               "--claims={\"role\":\"admin\"}", "--invalidate_access_tokens"});
  EXPECT_EQ(updated.exit_code, 0) << updated.output;
  EXPECT_THAT(updated.output, HasSubstr("sequence: "));

  ExitResult stale =
      Tessera({"validate", "--access_token=" + issued.access_token()});
  EXPECT_EQ(stale.exit_code, 1) << stale.output;
  EXPECT_THAT(stale.output, HasSubstr("STALE_CLAIMS"));

  const v1::SessionTokens refreshed = Json<v1::SessionTokens>(Tessera(
      {"--json", "refresh", "--refresh_token=" + issued.refresh_token()}));
  ExitResult fresh =
      Tessera({"validate", "--access_token=" + refreshed.access_token()});
  EXPECT_EQ(fresh.exit_code, 0) << fresh.output;
  EXPECT_THAT(fresh.output, HasSubstr("custom: {\"role\":\"admin\"}"));
}

TEST_F(CliTest, UpdateClaimsModes) {
  const v1::SessionTokens issued =
      Issue("bea",
            {R"(--claims={"role":"member","prefs":{"tz":"UTC","lang":"en"}})"});
  auto claims_now = [&] {
    return Json<v1::Session>(Tessera({"--json", "get-session",
                                      "--session_id=" + issued.session_id()}))
        .claims();
  };
  auto json_of = [](const google::protobuf::Struct& claims) {
    std::string json;
    EXPECT_TRUE(
        google::protobuf::util::MessageToJsonString(claims, &json).ok());
    return json;
  };
  // patch: nested merge, null deletes.
  ExitResult patched =
      Tessera({"update-claims", "--subject=bea", "--mode=patch",
               R"(--claims={"prefs":{"lang":null,"tz":"CET"}})"});
  EXPECT_EQ(patched.exit_code, 0) << patched.output;
  google::protobuf::Struct claims = claims_now();
  EXPECT_EQ(claims.fields().at("role").string_value(), "member")
      << json_of(claims);
  EXPECT_EQ(json_of(claims.fields().at("prefs").struct_value()),
            R"({"tz":"CET"})");
  // merge (and the older --merge): top-level members replaced whole.
  for (const char* flag : {"--mode=merge", "--merge"}) {
    ExitResult merged = Tessera({"update-claims", "--subject=bea", flag,
                                 R"(--claims={"prefs":{"lang":"fr"}})"});
    EXPECT_EQ(merged.exit_code, 0) << merged.output;
    claims = claims_now();
    EXPECT_TRUE(claims.fields().contains("role")) << flag;
    EXPECT_EQ(json_of(claims.fields().at("prefs").struct_value()),
              R"({"lang":"fr"})")
        << flag;
  }
  // replace.
  ExitResult replaced = Tessera({"update-claims", "--subject=bea",
                                 "--mode=replace", R"(--claims={"v":"2"})"});
  EXPECT_EQ(replaced.exit_code, 0) << replaced.output;
  EXPECT_EQ(json_of(claims_now()), R"({"v":"2"})");
}

TEST_F(CliTest, IssueWithARequestIdTwiceGetsOneSession) {
  const std::string id = "--request_id=cli-retry-0123456789";
  const v1::SessionTokens first = Issue("ivy", {id, "--device_name=laptop"});
  const v1::SessionTokens retried = Issue("ivy", {id, "--device_name=laptop"});
  EXPECT_EQ(retried.session_id(), first.session_id());
  EXPECT_EQ(retried.refresh_token(), first.refresh_token());

  ExitResult other = Tessera({"issue", "--subject=ivy", id});
  EXPECT_EQ(other.exit_code, 1) << other.output;
  EXPECT_THAT(other.output, HasSubstr("tessera: issue: ALREADY_EXISTS "
                                      "REQUEST_ID_REUSED: "));
  ExitResult invalid =
      Tessera({"issue", "--subject=ivy", "--request_id=too-short"});
  EXPECT_EQ(invalid.exit_code, 1) << invalid.output;
  EXPECT_THAT(invalid.output, HasSubstr("INVALID_ARGUMENT REQUEST_ID_INVALID"));
  ExitResult wrong_command = Tessera({"refresh", id});
  EXPECT_EQ(wrong_command.exit_code, 2) << wrong_command.output;
  EXPECT_THAT(wrong_command.output,
              HasSubstr("--request_id does not apply to `refresh`"));
}

TEST_F(CliTest, WatchPrintsTheRevocationAsItsNextEvent) {
  const v1::SessionTokens issued = Issue("carol");
  const v1::RevokeSessionResponse revoked = Json<v1::RevokeSessionResponse>(
      Tessera({"--json", "revoke", "--subject=carol"}));
  ASSERT_GT(revoked.sequence(), 0u);

  ExitResult watched =
      Tessera({"--json", "watch", "--count=1",
               absl::StrCat("--after_sequence=", revoked.sequence() - 1)});
  ASSERT_EQ(watched.exit_code, 0) << watched.output;
  const std::vector<std::string> lines =
      absl::StrSplit(watched.output, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1u) << watched.output;
  v1::RevocationEvent event;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(lines[0], &event).ok())
      << lines[0];
  EXPECT_EQ(event.sequence(), revoked.sequence());
  // Sign-out-everywhere revokes each session with its own event.
  EXPECT_EQ(event.session_revoked().subject(), "carol");
  EXPECT_EQ(event.session_revoked().session_id(), issued.session_id());
}

// A resume names the incarnation it was seen in; another one is a reset.
TEST_F(CliTest, WatchFromAnotherIncarnationGetsAResetSnapshot) {
  Issue("dora");
  const v1::RevokeSessionResponse revoked = Json<v1::RevokeSessionResponse>(
      Tessera({"--json", "revoke", "--subject=dora"}));
  ASSERT_GT(revoked.sequence(), 0u);
  // The snapshot: the key set and the revocation, then snapshot_end.
  ExitResult watched =
      Tessera({"--json", "watch", "--count=3", "--incarnation=some-other-store",
               absl::StrCat("--after_sequence=", revoked.sequence())});
  ASSERT_EQ(watched.exit_code, 0) << watched.output;
  const std::vector<std::string> lines =
      absl::StrSplit(watched.output, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u) << watched.output;
  v1::RevocationEvent end;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(lines[2], &end).ok())
      << lines[2];
  ASSERT_TRUE(end.has_snapshot_end()) << lines[2];
  EXPECT_TRUE(end.snapshot_end().reset());
  EXPECT_FALSE(end.snapshot_end().incarnation().empty());
  EXPECT_NE(end.snapshot_end().incarnation(), "some-other-store");
}

TEST_F(CliTest, AdminCommands) {
  ExitResult rotated = Tessera({"rotate-key", "--alg=EdDSA"});
  EXPECT_EQ(rotated.exit_code, 0) << rotated.output;
  EXPECT_THAT(rotated.output, HasSubstr("algorithm: SIGNING_ALGORITHM_EDDSA"));

  ExitResult keys = Tessera({"list-keys"});
  EXPECT_EQ(keys.exit_code, 0) << keys.output;
  EXPECT_THAT(keys.output, HasSubstr("state: KEY_STATE_NEXT"));
  EXPECT_THAT(keys.output, HasSubstr("state: KEY_STATE_ACTIVE"));
  EXPECT_THAT(keys.output, HasSubstr("state: KEY_STATE_RETIRED"));

  ExitResult jwks = Tessera({"jwks"});
  EXPECT_EQ(jwks.exit_code, 0) << jwks.output;
  EXPECT_THAT(jwks.output, HasSubstr("{\"keys\":["));
  EXPECT_THAT(jwks.output, HasSubstr("\"crv\":\"Ed25519\""));

  Issue("dave");
  const v1::GetStatsResponse stats =
      Json<v1::GetStatsResponse>(Tessera({"--json", "stats"}));
  EXPECT_GE(stats.stored_sessions(), 1);
  EXPECT_EQ(stats.retired_keys(), 1);

  const std::string backup = NewTempDir("cli-backup");
  ExitResult made = Tessera({"backup", "--path=" + backup});
  EXPECT_EQ(made.exit_code, 0) << made.output;
  EXPECT_THAT(made.output, HasSubstr("path: " + backup));
  EXPECT_TRUE(std::filesystem::exists(backup + "/CURRENT")) << backup;
  ExitResult exists = Tessera({"backup", "--path=" + backup});
  EXPECT_EQ(exists.exit_code, 1) << exists.output;
  EXPECT_THAT(exists.output, HasSubstr("INVALID_ARGUMENT BACKUP_PATH_INVALID"));

  ExitResult health = Tessera({"health"});
  EXPECT_EQ(health.exit_code, 0) << health.output;
  EXPECT_THAT(health.output, HasSubstr("status: SERVING"));
}

// A server that never answers: a socket that listens but never accepts, so a
// call waits for its deadline.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof(addr);
    if (fd_ < 0 ||
        ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &size) != 0) {
      return;
    }
    address_ = absl::StrCat("127.0.0.1:", ntohs(addr.sin_port));
  }
  ~SilentListener() {
    if (fd_ >= 0) ::close(fd_);
  }
  // Empty if the socket could not be made.
  const std::string& address() const { return address_; }

 private:
  int fd_ = -1;
  std::string address_;
};

// --deadline=5s is the default value given explicitly; `backup` used to take
// it for "not given" and wait an hour (this test then outlived its 60 s
// bound, or saw the connection attempt fail first).
TEST_F(CliTest, BackupHonoursAGivenDeadlineEvenTheDefaultValue) {
  SilentListener silent;
  ASSERT_FALSE(silent.address().empty());
  address_ = silent.address();
  ExitResult backup = Tessera(
      {"backup", "--deadline=5s", "--path=" + NewTempDir("never-made")});
  EXPECT_EQ(backup.exit_code, 1) << backup.output;
  EXPECT_THAT(backup.output, HasSubstr("tessera: backup: DEADLINE_EXCEEDED"));
}

TEST_F(CliTest, BenchLoadsTheServerAndReportsTheRate) {
  ExitResult bench = Tessera(
      {"--json", "bench", "--rpc=issue", "--clients=2", "--duration=1s"});
  ASSERT_EQ(bench.exit_code, 0) << bench.output;
  int64_t calls = 0;
  const size_t at = bench.output.find("\"calls\":");
  ASSERT_NE(at, std::string::npos) << bench.output;
  ASSERT_TRUE(absl::SimpleAtoi(
      bench.output.substr(at + 8, bench.output.find(',', at) - at - 8), &calls))
      << bench.output;
  EXPECT_GT(calls, 0);
  EXPECT_THAT(bench.output, HasSubstr("\"failed\":0,"));
  // Every call it counted is a session in the store.
  const v1::GetStatsResponse stats =
      Json<v1::GetStatsResponse>(Tessera({"--json", "stats"}));
  EXPECT_GE(stats.stored_sessions(), calls);

  for (const char* rpc : {"refresh", "validate", "empty"}) {
    ExitResult run = Tessera({"bench", std::string("--rpc=") + rpc,
                              "--clients=2", "--duration=500ms"});
    EXPECT_EQ(run.exit_code, 0) << rpc << "\n" << run.output;
    EXPECT_THAT(run.output, HasSubstr("failed: 0")) << rpc;
  }
}

TEST_F(CliTest, ServerRefusalsExitOneWithCodeAndReason) {
  ExitResult too_long =
      Tessera({"issue", "--subject=" + std::string(300, 'x')});
  EXPECT_EQ(too_long.exit_code, 1) << too_long.output;
  EXPECT_THAT(too_long.output,
              HasSubstr("tessera: issue: INVALID_ARGUMENT SUBJECT_INVALID: "));

  ExitResult garbage = Tessera({"refresh", "--refresh_token=not-a-token"});
  EXPECT_EQ(garbage.exit_code, 1) << garbage.output;
  EXPECT_THAT(garbage.output, HasSubstr("tessera: refresh: "));

  address_ = "127.0.0.1:1";  // Nothing listens there.
  ExitResult down = Tessera({"--deadline=2s", "stats"});
  EXPECT_EQ(down.exit_code, 1) << down.output;
  EXPECT_THAT(down.output, HasSubstr("tessera: stats: UNAVAILABLE"));
}

// Usage mistakes exit 2 before any call: against an address where nothing
// listens, a call would exit 1 (UNAVAILABLE) instead.
TEST_F(CliTest, CommandLineMistakesExitTwoWithoutACall) {
  address_ = "127.0.0.1:1";
  struct Case {
    std::vector<std::string> args;
    std::string stdin_text;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{}, "", "usage: tessera"},
      {{"frobnicate"}, "", "unknown command \"frobnicate\""},
      {{"issue"}, "", "--subject is required"},
      {{"issue", "--subject=a", "--session_id=b"},
       "",
       "--session_id does not apply to `issue`"},
      {{"issue", "--subject=a", "--claims=[1,2"},
       "",
       "--claims must be a JSON object"},
      {{"revoke", "--session_id=a", "--subject=b"}, "", "give exactly one of"},
      {{"revoke"}, "", "give exactly one of"},
      {{"refresh", "--refresh_token=-"}, "", "read nothing from stdin"},
      {{"rotate-key", "--alg=HS256"},
       "",
       "--alg must be ES256, EdDSA or RS256"},
      {{"watch", "--count=-1"}, "", "--count must be >= 0"},
      {{"stats", "--bogus"}, "", "unknown flag --bogus"},
      {{"bench", "--clients=abc"}, "", "--clients: "},
      {{"issue", "--subject"}, "", "--subject needs a value"},
      {{"watch", "--after_sequence=-5"}, "", "--after_sequence: "},
      {{"bench", "--rpc=delete"}, "", "--rpc must be issue"},
      {{"update-claims", "--subject=a", "--claims={}", "--mode=deep"},
       "",
       "--mode must be replace, merge or patch"},
      {{"update-claims", "--subject=a", "--claims={}", "--merge",
        "--mode=patch"},
       "",
       "--merge is --mode=merge"},
      {{"update-claims", "--subject=a", "--claims=[1]", "--mode=patch"},
       "",
       "--claims must be a JSON object"},
      {{"bench", "--clients=0"}, "", "--clients must be 1-10000"},
      {{"backup"}, "", "--path is required"},
      {{"stats", "extra"}, "", "one command at a time"},
      {{"stats", "--tls_cert_file=/x"},
       "",
       "--tls_cert_file and --tls_key_file go together"},
      {{"stats", "--api_key_file=/no/such/file"}, "", "cannot read"},
  };
  for (const Case& c : cases) {
    ExitResult run = Tessera(c.args, c.stdin_text);
    EXPECT_EQ(run.exit_code, 2) << absl::StrJoin(c.args, " ") << "\n"
                                << run.output;
    EXPECT_THAT(run.output, HasSubstr(c.says)) << absl::StrJoin(c.args, " ");
    EXPECT_THAT(run.output, Not(HasSubstr("UNAVAILABLE")));
  }
}

TEST_F(CliTest, ApiKeyComesFromAFileOrTheEnvironment) {
  const std::string key = "ops-" + std::string(28, 'k');
  const std::string config = NewTempDir("cli-callers") + ".cfg";
  std::ofstream(config) << "callers { name: \"ops\" api_key_sha256: \""
                        << ::tessera::testing::ApiKeySha256(key)
                        << "\" roles: ROLE_ADMIN roles: ROLE_ISSUER }\n";
  StartServer({"--config=" + config});

  ExitResult anonymous = Tessera({"stats"});
  EXPECT_EQ(anonymous.exit_code, 1) << anonymous.output;
  EXPECT_THAT(anonymous.output, HasSubstr("UNAUTHENTICATED"));

  const std::string key_file = NewTempDir("cli-key") + ".txt";
  std::ofstream(key_file) << key << "\n";
  ExitResult from_file = Tessera({"stats", "--api_key_file=" + key_file});
  EXPECT_EQ(from_file.exit_code, 0) << from_file.output;
  EXPECT_THAT(from_file.output, HasSubstr("version: "));

  ExitResult from_env =
      Tessera({"stats"}, "", absl::StrCat("TESSERA_API_KEY=", ShellQuote(key)));
  EXPECT_EQ(from_env.exit_code, 0) << from_env.output;

  // `bench` drives its load as the same caller.
  ExitResult bench_keyless = Tessera({"bench", "--duration=1s"});
  EXPECT_EQ(bench_keyless.exit_code, 1) << bench_keyless.output;
  EXPECT_THAT(bench_keyless.output, HasSubstr("calls failed"));
  ExitResult bench = Tessera(
      {"bench", "--duration=1s", "--clients=2", "--api_key_file=" + key_file});
  EXPECT_EQ(bench.exit_code, 0) << bench.output;
  EXPECT_THAT(bench.output, HasSubstr("failed: 0"));
  // Its set-up calls too (refresh issues each chain's session first).
  ExitResult refresh = Tessera({"bench", "--rpc=refresh", "--duration=1s",
                                "--clients=2", "--api_key_file=" + key_file});
  EXPECT_EQ(refresh.exit_code, 0) << refresh.output;
  EXPECT_THAT(refresh.output, HasSubstr("failed: 0"));
}

TEST_F(CliTest, TlsWithTheServersCertificate) {
  const std::string dir = NewTempDir("cli-tls");
  std::filesystem::create_directories(dir);
  auto made =
      RunToExit({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj",
                 "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                 "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem"},
                absl::Seconds(30));
  ASSERT_TRUE(made.ok() && made->exit_code == 0)
      << (made.ok() ? made->output : made.status().ToString());
  StartServer({"--tls_cert_file=" + dir + "/cert.pem",
               "--tls_key_file=" + dir + "/key.pem"});

  ExitResult trusted =
      Tessera({"health", "--tls_ca_file=" + dir + "/cert.pem"});
  EXPECT_EQ(trusted.exit_code, 0) << trusted.output;
  EXPECT_THAT(trusted.output, HasSubstr("status: SERVING"));

  ExitResult plaintext = Tessera({"--deadline=2s", "health"});
  EXPECT_EQ(plaintext.exit_code, 1) << plaintext.output;
  EXPECT_THAT(plaintext.output, HasSubstr("UNAVAILABLE"));
}

}  // namespace
}  // namespace tessera
