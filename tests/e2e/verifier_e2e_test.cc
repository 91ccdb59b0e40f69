// The in-process Verifier against the real tesserad (docs/architecture.md):
// local verification without ValidateToken calls, revocations and stale claims
// applied within WaitForSequence, resume across a server restart, fail
// closed when the server is gone and recover when it returns, key rotation
// without a failed verification, and 1,000 concurrent watch streams.

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "client/verifier/verifier.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tessera/v1/admin.grpc.pb.h"
#include "tessera/v1/token_authority.grpc.pb.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/tesserad_process.h"

namespace tessera {
namespace {

using ::tessera::testing::NewTempDir;
using ::tessera::testing::TesseradProcess;
using tessera::v1::RevocationEvent;
using tessera::v1::TokenAuthority;

constexpr absl::Duration kWait = absl::Seconds(15);

// A tesserad that can be stopped and started again on the same port and
// data directory.
class Server {
 public:
  Server(std::vector<std::string> flags = {})
      : flags_(std::move(flags)), data_dir_(NewTempDir("verifier-data")) {
    Start("127.0.0.1:0");
  }
  void Start(const std::string& grpc_address) {
    std::vector<std::string> flags = flags_;
    flags.push_back("--grpc_address=" + grpc_address);
    auto process =
        TesseradProcess::Start({.data_dir = data_dir_, .flags = flags});
    ASSERT_TRUE(process.ok()) << process.status();
    process_ = std::move(*process);
    address_ = process_->grpc_address();
    channel_ =
        grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
    stub_ = TokenAuthority::NewStub(channel_);
  }
  void Restart() {
    ASSERT_TRUE(process_->Terminate().ok());
    Start(address_);  // Same port: the verifier's channel reconnects to it.
  }
  void Stop() { ASSERT_TRUE(process_->Terminate().ok()); }

  // Test-harness calls wait for the server: right after a restart gRPC's
  // shared subchannel may still be backing off from the old process, and
  // would fail a call made at once with UNAVAILABLE.
  static void WaitForServer(grpc::ClientContext& context) {
    context.set_wait_for_ready(true);
    context.set_deadline(absl::ToChronoTime(absl::Now() + kWait));
  }

  const std::string& address() const { return address_; }
  TesseradProcess& process() { return *process_; }
  TokenAuthority::Stub* stub() { return stub_.get(); }

  tessera::v1::SessionTokens Issue(const std::string& subject) {
    tessera::v1::IssueSessionRequest request;
    request.set_subject(subject);
    request.add_audience("api");
    tessera::v1::SessionTokens tokens;
    grpc::ClientContext context;
    WaitForServer(context);
    grpc::Status status = stub_->IssueSession(&context, request, &tokens);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return tokens;
  }
  uint64_t RevokeSession(const std::string& session_id) {
    tessera::v1::RevokeSessionRequest request;
    request.set_session_id(session_id);
    tessera::v1::RevokeSessionResponse response;
    grpc::ClientContext context;
    WaitForServer(context);
    const grpc::Status status =
        stub_->RevokeSession(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.sequence();
  }
  uint64_t InvalidateClaims(const std::string& subject) {
    tessera::v1::UpdateClaimsRequest request;
    request.set_subject(subject);
    (*request.mutable_claims()->mutable_fields())["plan"].set_string_value(
        "free");
    request.set_invalidate_access_tokens(true);
    tessera::v1::UpdateClaimsResponse response;
    grpc::ClientContext context;
    WaitForServer(context);
    const grpc::Status status =
        stub_->UpdateClaims(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.sequence();
  }
  void Rotate() {
    auto admin = tessera::v1::Admin::NewStub(channel_);
    tessera::v1::RotateSigningKeyResponse response;
    grpc::ClientContext context;
    WaitForServer(context);
    EXPECT_TRUE(admin->RotateSigningKey(&context, {}, &response).ok());
  }
  // A sample from /metrics, or 0 when the series is absent.
  double Metric(const std::string& series) {
    httplib::Client client(absl::StrCat("http://", process_->http_address()));
    httplib::Result result = client.Get("/metrics");
    if (!result) return -1;
    for (absl::string_view line : absl::StrSplit(result->body, '\n')) {
      if (absl::StartsWith(line, series + " ")) {
        double value = 0;
        if (absl::SimpleAtod(line.substr(series.size() + 1), &value)) {
          return value;
        }
      }
    }
    return 0;
  }

 private:
  const std::vector<std::string> flags_;
  const std::string data_dir_;
  std::unique_ptr<TesseradProcess> process_;
  std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<TokenAuthority::Stub> stub_;
};

// Started and ready, or a test failure (and nullptr).
std::unique_ptr<Verifier> StartVerifier(VerifierOptions options) {
  absl::StatusOr<std::unique_ptr<Verifier>> verifier =
      Verifier::Start(std::move(options));
  EXPECT_TRUE(verifier.ok()) << verifier.status();
  if (!verifier.ok()) return nullptr;
  EXPECT_TRUE((*verifier)->WaitUntilReady(kWait));
  return *std::move(verifier);
}

std::unique_ptr<Verifier> StartVerifier(
    const Server& server, absl::Duration max_staleness = absl::Seconds(30)) {
  VerifierOptions options;
  options.target = server.address();
  options.audience = {"api"};
  options.max_staleness = max_staleness;
  return StartVerifier(std::move(options));
}

v1::TokenInvalidReason ReasonOf(const Verifier& verifier,
                                const std::string& token) {
  absl::StatusOr<VerifiedClaims> verified = verifier.Verify(token);
  EXPECT_FALSE(verified.ok());
  return TokenInvalidReasonOf(verified.status());
}

TEST(VerifierE2eTest, VerifiesLocallyWithoutCallingValidateToken) {
  Server server;
  std::unique_ptr<Verifier> verifier = StartVerifier(server);
  const tessera::v1::SessionTokens tokens = server.Issue("alice");
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<VerifiedClaims> claims =
        verifier->Verify(tokens.access_token());
    ASSERT_TRUE(claims.ok()) << claims.status();
    EXPECT_EQ((*claims)->subject, "alice");
    EXPECT_EQ((*claims)->session_id, tokens.session_id());
  }
  std::string tampered = tokens.access_token();
  tampered[tampered.find('.') + 3] ^= 0x01;
  EXPECT_NE(ReasonOf(*verifier, tampered),
            v1::TOKEN_INVALID_REASON_UNSPECIFIED);
  EXPECT_EQ(ReasonOf(*verifier, "not-a-token"),
            v1::TOKEN_INVALID_REASON_MALFORMED);
  EXPECT_EQ(server.Metric("tessera_grpc_requests_total{method=\"tessera.v1."
                          "TokenAuthority/ValidateToken\",code=\"OK\"}"),
            0);
  EXPECT_EQ(server.Metric("tessera_watchers"), 1);
}

TEST(VerifierE2eTest, RevocationAndStaleClaimsApplyLocallyBySequence) {
  Server server;
  std::unique_ptr<Verifier> verifier = StartVerifier(server);
  const auto alice = server.Issue("alice");
  const auto bob = server.Issue("bob");
  ASSERT_TRUE(verifier->Verify(alice.access_token()).ok());  // Now cached.
  ASSERT_TRUE(verifier->Verify(bob.access_token()).ok());

  const uint64_t revoked = server.RevokeSession(alice.session_id());
  ASSERT_GT(revoked, 0u);
  ASSERT_TRUE(verifier->WaitForSequence(revoked, kWait));
  EXPECT_EQ(ReasonOf(*verifier, alice.access_token()),
            v1::TOKEN_INVALID_REASON_SESSION_REVOKED);
  EXPECT_TRUE(verifier->Verify(bob.access_token()).ok());

  const uint64_t stale = server.InvalidateClaims("bob");
  ASSERT_EQ(stale, revoked + 1);
  ASSERT_TRUE(verifier->WaitForSequence(stale, kWait));
  EXPECT_EQ(ReasonOf(*verifier, bob.access_token()),
            v1::TOKEN_INVALID_REASON_STALE_CLAIMS);
}

TEST(VerifierE2eTest, ResumesAcrossARestartWithoutMissingAnEvent) {
  Server server;
  std::unique_ptr<Verifier> verifier = StartVerifier(server);
  std::vector<tessera::v1::SessionTokens> sessions;
  for (int i = 0; i < 4; ++i) sessions.push_back(server.Issue("carol"));
  const uint64_t before = server.RevokeSession(sessions[0].session_id());
  ASSERT_TRUE(verifier->WaitForSequence(before, kWait));

  server.Restart();
  // Right after the restart, before the verifier has necessarily noticed.
  const uint64_t first = server.RevokeSession(sessions[1].session_id());
  const uint64_t second = server.RevokeSession(sessions[2].session_id());
  EXPECT_EQ(first, before + 1);  // The log's sequence survives the restart.
  EXPECT_EQ(second, first + 1);
  ASSERT_TRUE(verifier->WaitForSequence(second, kWait));
  EXPECT_GE(verifier->connections(), 2);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(ReasonOf(*verifier, sessions[i].access_token()),
              v1::TOKEN_INVALID_REASON_SESSION_REVOKED)
        << i;
  }
  EXPECT_TRUE(verifier->Verify(sessions[3].access_token()).ok());
}

TEST(VerifierE2eTest, FailsClosedWhenTheServerIsGoneAndRecovers) {
  Server server;
  std::unique_ptr<Verifier> verifier =
      StartVerifier(server, /*max_staleness=*/absl::Seconds(2));
  const std::string token = server.Issue("dave").access_token();
  ASSERT_TRUE(verifier->Verify(token).ok());

  server.Stop();
  absl::Status status = absl::OkStatus();
  const absl::Time deadline = absl::Now() + kWait;
  while (absl::Now() < deadline && status.ok()) {
    status = verifier->Verify(token).status();
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;

  server.Start(server.address());
  const absl::Time recover_by = absl::Now() + kWait;
  while (absl::Now() < recover_by && !verifier->Verify(token).ok()) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(verifier->Verify(token).ok());
}

TEST(VerifierE2eTest, KeyRotationCausesNoFailedVerification) {
  Server server;
  std::unique_ptr<Verifier> verifier = StartVerifier(server);
  std::atomic<bool> stop{false};
  std::atomic<int> verified{0}, failed{0};
  std::string first_failure;
  std::thread load([&] {
    while (!stop) {
      const std::string token = server.Issue("erin").access_token();
      absl::StatusOr<VerifiedClaims> claims = verifier->Verify(token);
      if (claims.ok()) {
        ++verified;
      } else if (failed++ == 0) {
        first_failure = claims.status().ToString();
      }
    }
  });
  for (int i = 0; i < 3; ++i) {
    absl::SleepFor(absl::Milliseconds(1500));  // Rotations are days apart.
    server.Rotate();
  }
  absl::SleepFor(absl::Milliseconds(500));
  stop = true;
  load.join();
  EXPECT_GT(verified.load(), 10);
  EXPECT_EQ(failed.load(), 0) << first_failure;
}

// The system time may be set back (NTP, an operator); staleness is
// measured on the monotonic clock, so the Verifier still fails closed.
class SteppableClock final : public Clock {
 public:
  absl::Time Now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return absl::Now() + offset_;
  }
  std::chrono::steady_clock::time_point Monotonic() const override {
    return std::chrono::steady_clock::now();
  }
  void StepWall(absl::Duration by) {
    std::lock_guard<std::mutex> lock(mu_);
    offset_ += by;
  }

 private:
  mutable std::mutex mu_;
  absl::Duration offset_;
};

TEST(VerifierE2eTest, AWallClockStepBackDoesNotPostponeFailingClosed) {
  Server server;
  SteppableClock clock;
  VerifierOptions options;
  options.target = server.address();
  options.audience = {"api"};
  options.max_staleness = absl::Seconds(2);
  options.clock = &clock;
  std::unique_ptr<Verifier> verifier = StartVerifier(options);
  ASSERT_NE(verifier, nullptr);
  const std::string token = server.Issue("heidi").access_token();
  ASSERT_TRUE(verifier->Verify(token).ok());

  server.Stop();
  clock.StepWall(-absl::Hours(1));
  absl::Status status = absl::OkStatus();
  const absl::Time deadline = absl::Now() + kWait;
  while (absl::Now() < deadline &&
         status.code() != absl::StatusCode::kUnavailable) {
    status = verifier->Verify(token).status();
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
}

// The audience is the Verifier's to name: a token for another service is
// refused, and accepting any audience is an explicit choice.
TEST(VerifierE2eTest, TokensForAnotherAudienceAreRefused) {
  Server server;
  const std::string token = server.Issue("ivan").access_token();  // aud api
  VerifierOptions billing;
  billing.target = server.address();
  billing.audience = {"billing"};
  std::unique_ptr<Verifier> verifier = StartVerifier(billing);
  ASSERT_NE(verifier, nullptr);
  EXPECT_EQ(ReasonOf(*verifier, token),
            v1::TOKEN_INVALID_REASON_WRONG_AUDIENCE);

  VerifierOptions any;
  any.target = server.address();
  any.accept_any_audience = true;
  std::unique_ptr<Verifier> lenient = StartVerifier(any);
  ASSERT_NE(lenient, nullptr);
  EXPECT_TRUE(lenient->Verify(token).ok());
}

// A tesserad serving TLS only: the Verifier follows it with the given
// credentials (plaintext would never reach it).
TEST(VerifierE2eTest, FollowsATlsServerWithCredentials) {
  const std::string dir = NewTempDir("verifier-tls");
  auto made = ::tessera::testing::RunToExit(
      {"bash", "-c",
       absl::StrCat("mkdir -p ", dir, " && cd ", dir,
                    " && openssl req -x509 -newkey ec -pkeyopt "
                    "ec_paramgen_curve:P-256 -nodes -keyout server.key -out "
                    "server.pem -days 2 -subj /CN=localhost -addext "
                    "subjectAltName=IP:127.0.0.1,DNS:localhost")},
      absl::Seconds(60));
  ASSERT_TRUE(made.ok()) << made.status();
  ASSERT_EQ(made->exit_code, 0) << made->output;
  auto process = TesseradProcess::Start(
      {.flags = {"--tls_cert_file=" + dir + "/server.pem",
                 "--tls_key_file=" + dir + "/server.key"}});
  ASSERT_TRUE(process.ok()) << process.status();
  std::ifstream pem(dir + "/server.pem");
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs.assign(std::istreambuf_iterator<char>(pem), {});
  const auto credentials = grpc::SslCredentials(tls);

  tessera::v1::IssueSessionRequest request;
  request.set_subject("judy");
  request.add_audience("api");
  tessera::v1::SessionTokens tokens;
  grpc::ClientContext context;
  ASSERT_TRUE(TokenAuthority::NewStub(
                  grpc::CreateChannel((*process)->grpc_address(), credentials))
                  ->IssueSession(&context, request, &tokens)
                  .ok());

  VerifierOptions options;
  options.target = (*process)->grpc_address();
  options.credentials = credentials;
  options.audience = {"api"};
  std::unique_ptr<Verifier> verifier = StartVerifier(options);
  ASSERT_NE(verifier, nullptr);
  EXPECT_TRUE(verifier->Verify(tokens.access_token()).ok());
}

// A store restored from a backup continues from the backup's sequence, so
// the numbers a Verifier saw are reused for other events. The restored
// store's new incarnation makes the Verifier's resume a reset: it rebuilds
// its state from the restored server's snapshot instead of skipping events.
TEST(VerifierE2eTest, AResumeIntoARestoredBackupIsAReset) {
  const std::string live_dir = NewTempDir("restore-live");
  auto live = TesseradProcess::Start({.data_dir = live_dir});
  ASSERT_TRUE(live.ok()) << live.status();
  const std::string address = (*live)->grpc_address();
  auto stub_for = [](const std::string& target) {
    return TokenAuthority::NewStub(
        grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  };
  auto issue = [](TokenAuthority::Stub* stub) {
    tessera::v1::IssueSessionRequest request;
    request.set_subject("kim");
    request.add_audience("api");
    tessera::v1::SessionTokens tokens;
    grpc::ClientContext context;
    Server::WaitForServer(context);
    EXPECT_TRUE(stub->IssueSession(&context, request, &tokens).ok());
    return tokens;
  };
  auto revoke = [](TokenAuthority::Stub* stub, const std::string& id) {
    tessera::v1::RevokeSessionRequest request;
    request.set_session_id(id);
    tessera::v1::RevokeSessionResponse response;
    grpc::ClientContext context;
    Server::WaitForServer(context);
    EXPECT_TRUE(stub->RevokeSession(&context, request, &response).ok());
    return response.sequence();
  };
  auto stub = stub_for(address);
  std::vector<tessera::v1::SessionTokens> s;
  for (int i = 0; i < 6; ++i) s.push_back(issue(stub.get()));
  VerifierOptions options;
  options.target = address;
  options.audience = {"api"};
  std::unique_ptr<Verifier> verifier = StartVerifier(options);
  ASSERT_NE(verifier, nullptr);

  // Backed up after s[0]'s revocation; s[1] and s[2] are revoked after it.
  const uint64_t backed_up = revoke(stub.get(), s[0].session_id());
  const std::string backup = NewTempDir("restore-backup");
  {
    tessera::v1::CreateBackupRequest request;
    request.set_path(backup);
    tessera::v1::CreateBackupResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(
        tessera::v1::Admin::NewStub(
            grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))
            ->CreateBackup(&context, request, &response)
            .ok());
  }
  revoke(stub.get(), s[1].session_id());
  const uint64_t seen = revoke(stub.get(), s[2].session_id());
  ASSERT_EQ(seen, backed_up + 2);
  ASSERT_TRUE(verifier->WaitForSequence(seen, kWait));

  // Restore it into a new data dir; on a port of its own at first (the
  // verifier cannot reach it), revoke three more sessions: sequences
  // backed_up + 1 .. + 3 again, now naming other events.
  const std::string restored_dir = NewTempDir("restore-restored");
  std::filesystem::create_directories(restored_dir);
  std::filesystem::rename(backup, restored_dir + "/db");
  const std::string kek = "--kek_file=" + live_dir + "/kek";
  {
    auto restored =
        TesseradProcess::Start({.data_dir = restored_dir, .flags = {kek}});
    ASSERT_TRUE(restored.ok()) << restored.status();
    auto restored_stub = stub_for((*restored)->grpc_address());
    for (int i = 3; i < 6; ++i) revoke(restored_stub.get(), s[i].session_id());
    ASSERT_TRUE((*restored)->Terminate().ok());
  }
  // Then the restored store takes the live server's place.
  ASSERT_TRUE((*live)->Terminate().ok());
  auto restored = TesseradProcess::Start(
      {.data_dir = restored_dir, .flags = {kek, "--grpc_address=" + address}});
  ASSERT_TRUE(restored.ok()) << restored.status();
  ASSERT_TRUE(verifier->WaitForSequence(backed_up + 3, kWait));
  EXPECT_GE(verifier->connections(), 2);

  // As the restored server judges: s[0] and s[3..5] revoked; s[1] and s[2]
  // were revoked only in the lost history.
  for (int i : {0, 3, 4, 5}) {
    EXPECT_EQ(ReasonOf(*verifier, s[i].access_token()),
              v1::TOKEN_INVALID_REASON_SESSION_REVOKED)
        << i;
  }
  for (int i : {1, 2}) {
    EXPECT_TRUE(verifier->Verify(s[i].access_token()).ok())
        << i << " " << verifier->Verify(s[i].access_token()).status();
  }
}

// The revocation state forgets what can no longer reject a token, so a
// relying service's memory does not grow with every logout ever made.
TEST(VerifierE2eTest, ForgetsRevocationsPastTheHorizon) {
  constexpr int kSessions = 50;
  Server server({"--access_ttl=1s", "--leeway=0s"});
  VerifierOptions options;
  options.target = server.address();
  options.audience = {"api"};
  options.horizon = absl::Seconds(1);  // --access_ttl + --leeway.
  options.leeway = absl::ZeroDuration();
  std::unique_ptr<Verifier> verifier = StartVerifier(options);
  ASSERT_NE(verifier, nullptr);
  uint64_t last = 0;
  for (int i = 0; i < kSessions; ++i) {
    last = server.RevokeSession(server.Issue("grace").session_id());
  }
  ASSERT_TRUE(verifier->WaitForSequence(last, kWait));
  EXPECT_EQ(verifier->revocations_held(), static_cast<size_t>(kSessions));

  // Heartbeats keep arriving; past the horizon every entry is forgettable.
  const absl::Time deadline = absl::Now() + kWait;
  while (absl::Now() < deadline && verifier->revocations_held() > 0) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(verifier->revocations_held(), 0u);
}

// 1,000 Verifiers (each one watch stream) over 10 channels, as many
// relying-service processes would hold.
TEST(VerifierE2eTest, AThousandStreamsAllReceiveOneRevocation) {
  constexpr int kVerifiers = 1000;
  constexpr int kChannels = 10;
  // The default per-caller cap is 1,000 streams; the harness has none open.
  Server server;
  const auto session = server.Issue("frank");
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < kChannels; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.channel_id", i);  // Distinct channels, not shared.
    channels.push_back(grpc::CreateCustomChannel(
        server.address(), grpc::InsecureChannelCredentials(), args));
  }
  std::vector<std::unique_ptr<Verifier>> verifiers;
  for (int i = 0; i < kVerifiers; ++i) {
    VerifierOptions options;
    options.channel = channels[i % kChannels];
    options.audience = {"api"};
    absl::StatusOr<std::unique_ptr<Verifier>> verifier =
        Verifier::Start(options);
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifiers.push_back(*std::move(verifier));
  }
  int ready = 0;
  for (auto& verifier : verifiers) ready += verifier->WaitUntilReady(kWait);
  ASSERT_EQ(ready, kVerifiers);
  EXPECT_EQ(server.Metric("tessera_watchers"), kVerifiers);
  for (auto& verifier : verifiers) {
    ASSERT_TRUE(verifier->Verify(session.access_token()).ok());
  }

  const uint64_t revoked = server.RevokeSession(session.session_id());
  int seen = 0;
  for (auto& verifier : verifiers) {
    if (verifier->WaitForSequence(revoked, kWait) &&
        ReasonOf(*verifier, session.access_token()) ==
            v1::TOKEN_INVALID_REASON_SESSION_REVOKED) {
      ++seen;
    }
  }
  EXPECT_EQ(seen, kVerifiers);
}

}  // namespace
}  // namespace tessera
