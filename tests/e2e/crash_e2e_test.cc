// Crash safety (docs/architecture.md, docs/performance.md): several clients
// issue, refresh and revoke while tesserad is killed with SIGKILL at random
// moments; after each restart every acknowledged write must be there and the
// store must open clean (tesserad opens RocksDB with paranoid checks and
// refuses to start on corruption).
//
// CI runs 20 rounds. A soak sets TESSERA_CRASH_ROUNDS (see README).

#include <atomic>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "tessera/v1/token_authority.grpc.pb.h"
#include "tests/testing/grpc_calls.h"
#include "tests/testing/tesserad_process.h"

namespace tessera {
namespace {

using ::tessera::testing::TesseradProcess;
using ::tessera::testing::WithDeadline;
using ::tessera::v1::TokenAuthority;

// What the server acknowledged for one session.
struct Acknowledged {
  std::string session_id;
  std::string access_token;
  std::string refresh_token;  // Latest acknowledged.
  uint64_t generation = 0;    // Of that refresh token.
  bool revoked = false;
};

// Calls during a crash loop fail fast rather than wait for the next server.
constexpr absl::Duration kCallTimeout = absl::Seconds(2);

int Rounds() {
  int rounds = 20;
  if (const char* env = std::getenv("TESSERA_CRASH_ROUNDS")) {
    (void)absl::SimpleAtoi(env, &rounds);
  }
  return rounds;
}

class Workload {
 public:
  explicit Workload(std::shared_ptr<grpc::Channel> channel)
      : stub_(TokenAuthority::NewStub(std::move(channel))) {}

  // Runs until `stop`; records only what the server acknowledged.
  void Run(std::atomic<bool>& stop, std::mt19937& random, absl::Mutex& mu,
           std::vector<Acknowledged>& sessions) {
    while (!stop.load()) {
      const int op = random() % 4;
      Acknowledged* target = nullptr;
      {
        absl::MutexLock lock(&mu);
        if (op > 0 && !sessions.empty()) {
          target = &sessions[random() % sessions.size()];
          if (target->revoked) target = nullptr;
        }
      }
      if (target == nullptr) {
        Issue(mu, sessions, random() % 8);
      } else if (op < 3) {
        Refresh(mu, *target);
      } else {
        Revoke(mu, *target);
      }
    }
  }

 private:
  void Issue(absl::Mutex& mu, std::vector<Acknowledged>& sessions, int user) {
    tessera::v1::IssueSessionRequest request;
    request.set_subject("user-" + std::to_string(user));
    tessera::v1::SessionTokens tokens;
    grpc::ClientContext context;
    if (!stub_
             ->IssueSession(WithDeadline(&context, kCallTimeout), request,
                            &tokens)
             .ok()) {
      return;
    }
    absl::MutexLock lock(&mu);
    sessions.push_back({tokens.session_id(), tokens.access_token(),
                        tokens.refresh_token(), 0, false});
  }

  void Refresh(absl::Mutex& mu, Acknowledged& session) {
    tessera::v1::RefreshSessionRequest request;
    {
      absl::MutexLock lock(&mu);
      request.set_refresh_token(session.refresh_token);
    }
    tessera::v1::SessionTokens tokens;
    grpc::ClientContext context;
    if (!stub_
             ->RefreshSession(WithDeadline(&context, kCallTimeout), request,
                              &tokens)
             .ok()) {
      return;
    }
    absl::MutexLock lock(&mu);
    if (session.refresh_token == request.refresh_token()) {
      session.refresh_token = tokens.refresh_token();
      session.access_token = tokens.access_token();
      ++session.generation;
    }
  }

  void Revoke(absl::Mutex& mu, Acknowledged& session) {
    tessera::v1::RevokeSessionRequest request;
    {
      absl::MutexLock lock(&mu);
      request.set_session_id(session.session_id);
    }
    tessera::v1::RevokeSessionResponse response;
    grpc::ClientContext context;
    if (!stub_
             ->RevokeSession(WithDeadline(&context, kCallTimeout), request,
                             &response)
             .ok()) {
      return;
    }
    absl::MutexLock lock(&mu);
    session.revoked = true;
  }

  std::unique_ptr<TokenAuthority::Stub> stub_;
};

TEST(CrashTest, EveryAcknowledgedWriteSurvivesKillNine) {
  const unsigned seed = static_cast<unsigned>(absl::ToUnixNanos(absl::Now()));
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937 random(seed);
  std::string data_dir = testing::NewTempDir("crash");
  absl::Mutex mu;
  std::vector<Acknowledged> sessions;
  sessions.reserve(1 << 16);  // Stable addresses: never reallocates here.
  const int rounds = Rounds();
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE(::testing::Message() << "round " << round);
    absl::StatusOr<std::unique_ptr<TesseradProcess>> server =
        TesseradProcess::Start({.data_dir = data_dir});
    ASSERT_TRUE(server.ok()) << server.status();
    auto channel = grpc::CreateChannel((*server)->grpc_address(),
                                       grpc::InsecureChannelCredentials());

    // Everything acknowledged so far must be there after the restart.
    auto stub = TokenAuthority::NewStub(channel);
    std::vector<Acknowledged> snapshot;
    {
      absl::MutexLock lock(&mu);
      snapshot = sessions;
    }
    for (const Acknowledged& ack : snapshot) {
      tessera::v1::GetSessionRequest get;
      get.set_session_id(ack.session_id);
      tessera::v1::Session session;
      grpc::ClientContext context;
      grpc::Status status =
          stub->GetSession(WithDeadline(&context, kCallTimeout), get, &session);
      ASSERT_TRUE(status.ok())
          << ack.session_id << " lost: " << status.error_message();
      EXPECT_GE(session.generation(), ack.generation) << ack.session_id;
      if (ack.revoked) {
        EXPECT_TRUE(session.has_revoked_at()) << ack.session_id;
        tessera::v1::ValidateTokenRequest validate;
        validate.set_access_token(ack.access_token);
        tessera::v1::ValidateTokenResponse verdict;
        grpc::ClientContext validate_context;
        ASSERT_TRUE(
            stub->ValidateToken(WithDeadline(&validate_context, kCallTimeout),
                                validate, &verdict)
                .ok());
        EXPECT_EQ(verdict.reason(),
                  tessera::v1::TOKEN_INVALID_REASON_SESSION_REVOKED)
            << ack.session_id;
      }
    }
    if (sessions.size() > (1 << 16) - 10000) break;  // Keep addresses stable.

    // Load from 4 clients, then SIGKILL at a random moment.
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int i = 0; i < 4; ++i) {
      clients.emplace_back([&, i] {
        std::mt19937 local(seed + round * 16 + i);
        Workload(channel).Run(stop, local, mu, sessions);
      });
    }
    absl::SleepFor(absl::Milliseconds(50 + random() % 400));
    (*server)->Kill();
    stop = true;
    for (std::thread& client : clients) client.join();
  }
  absl::MutexLock lock(&mu);
  EXPECT_GT(sessions.size(), 0u);
  int revoked = 0;
  for (const Acknowledged& ack : sessions) revoked += ack.revoked;
  std::cout << "crash test: " << rounds << " kills, " << sessions.size()
            << " sessions, " << revoked << " revoked\n";
}

}  // namespace
}  // namespace tessera
