// Three tesserad replicas over one PostgreSQL database on a real cluster
// (a primary and two synchronous standbys, tools/pg_cluster.sh), as in
// docs/operations/high-availability.md: they start together on an empty
// database and migrate it once; a session issued on one is refreshed,
// validated and revoked through the others; a revocation made on A is
// enforced by Verifiers following B and C once they WaitForSequence its
// sequence; and 32 clients per replica presenting the same refresh token at
// once get exactly one successor per round, never INTERNAL; a replica
// purges sessions that ended long ago. And one replica's gRPC health and
// /readyz follow its database.
//
// TESSERA_RACE_ROUNDS overrides the race's 200 rounds (longer soaks).

#include <httplib.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "client/base/timestamps.h"
#include "client/verifier/verifier.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tessera/v1/storage.pb.h"
#include "tessera/v1/token_authority.grpc.pb.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/grpc_calls.h"
#include "tests/testing/postgres_cluster.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/tesserad_process.h"

namespace tessera {
namespace {

using testing::PostgresCluster;
using testing::TesseradProcess;
using v1::TokenAuthority;

constexpr absl::Duration kWait = absl::Seconds(20);
constexpr int kReplicas = 3;

PostgresCluster* Cluster() { return PostgresCluster::Shared(2); }

struct Replica {
  std::unique_ptr<TesseradProcess> process;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<TokenAuthority::Stub> stub;
};

class ReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(Cluster(), nullptr);
    absl::StatusOr<std::string> url = Cluster()->NewDatabase();
    ASSERT_TRUE(url.ok()) << url.status();
    database_ = PostgresCluster::DatabaseOf(*url);
    flags_ = {"--store=postgres", "--postgres_url=" + *url,
              "--kek_file=" + testing::NewKekFile()};
    std::vector<TesseradProcess::Options> options(kReplicas);
    for (auto& one : options) one.flags = flags_;
    auto started = TesseradProcess::StartAll(std::move(options));
    ASSERT_TRUE(started.ok()) << started.status();
    for (auto& process : *started) {
      Replica replica;
      replica.channel = grpc::CreateChannel(process->grpc_address(),
                                            grpc::InsecureChannelCredentials());
      replica.stub = TokenAuthority::NewStub(replica.channel);
      replica.process = std::move(process);
      replicas_.push_back(std::move(replica));
    }
  }

  static void Deadline(grpc::ClientContext& context) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + kWait));
  }

  v1::SessionTokens Issue(int replica, const std::string& subject) {
    v1::IssueSessionRequest request;
    request.set_subject(subject);
    request.add_audience("api");
    v1::SessionTokens tokens;
    grpc::ClientContext context;
    Deadline(context);
    const grpc::Status status =
        replicas_[replica].stub->IssueSession(&context, request, &tokens);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return tokens;
  }

  grpc::Status Refresh(int replica, const std::string& token,
                       v1::SessionTokens* tokens) {
    v1::RefreshSessionRequest request;
    request.set_refresh_token(token);
    grpc::ClientContext context;
    Deadline(context);
    return replicas_[replica].stub->RefreshSession(&context, request, tokens);
  }

  v1::ValidateTokenResponse Validate(int replica, const std::string& token) {
    v1::ValidateTokenRequest request;
    request.set_access_token(token);
    request.add_audience("api");
    v1::ValidateTokenResponse response;
    grpc::ClientContext context;
    Deadline(context);
    EXPECT_TRUE(replicas_[replica]
                    .stub->ValidateToken(&context, request, &response)
                    .ok());
    return response;
  }

  uint64_t Revoke(int replica, const std::string& session_id) {
    v1::RevokeSessionRequest request;
    request.set_session_id(session_id);
    v1::RevokeSessionResponse response;
    grpc::ClientContext context;
    Deadline(context);
    const grpc::Status status =
        replicas_[replica].stub->RevokeSession(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.sequence();
  }

  // "kid state" of every published key.
  std::set<std::string> Keys(int replica) {
    v1::GetJwksRequest request;
    v1::GetJwksResponse response;
    grpc::ClientContext context;
    Deadline(context);
    EXPECT_TRUE(
        replicas_[replica].stub->GetJwks(&context, request, &response).ok());
    std::set<std::string> keys;
    for (const auto& key : response.keys()) {
      keys.insert(absl::StrCat(key.kid(), " ", v1::KeyState_Name(key.state())));
    }
    return keys;
  }

  // A sample from /metrics, or -1 when the series is absent.
  double Metric(int replica, const std::string& series) {
    httplib::Client client(
        absl::StrCat("http://", replicas_[replica].process->http_address()));
    httplib::Result result = client.Get("/metrics");
    if (!result) return -2;
    return testing::MetricValue(result->body, series);
  }

  int Readyz(int replica) {
    httplib::Client client(
        absl::StrCat("http://", replicas_[replica].process->http_address()));
    httplib::Result result = client.Get("/readyz");
    return result ? result->status : -1;
  }

  std::string database_;
  std::vector<std::string> flags_;  // Every replica's.
  std::vector<Replica> replicas_;
};

TEST_F(ReplicasTest,
       StartingTogetherOnAnEmptyDatabaseMigratesOnceAndShareKeys) {
  EXPECT_EQ(*Cluster()->Sql(0, database_,
                            "SELECT count(*) = max(version) FROM "
                            "tessera_schema_migrations"),
            "t");  // Each version once.
  // One key set (an active key and the next one), made by one replica,
  // learnt by the others.
  const std::set<std::string> keys = Keys(0);
  int active = 0;
  for (const std::string& key : keys) {
    active += absl::EndsWith(key, " KEY_STATE_ACTIVE") ? 1 : 0;
  }
  EXPECT_EQ(active, 1) << keys.size();
  EXPECT_EQ(Keys(1), keys);
  EXPECT_EQ(Keys(2), keys);
  EXPECT_EQ(*Cluster()->Sql(0, database_,
                            "SELECT count(*) FROM tessera_kv WHERE family = 4"),
            absl::StrCat(keys.size()));
  // Ready (the database answers), and the store's figures are published.
  for (int replica = 0; replica < kReplicas; ++replica) {
    EXPECT_EQ(Readyz(replica), 200);
    EXPECT_EQ(Metric(replica, "tessera_store_connections{state=\"size\"}"), 16);
    EXPECT_GE(Metric(replica, "tessera_revocation_tail_lag_events"), 0);
  }
  Issue(1, "dora");
  EXPECT_GE(Metric(1, "tessera_store_writes_total"), 1);
}

TEST_F(ReplicasTest, ASessionIsIssuedRefreshedValidatedAndRevokedAcross) {
  for (int first = 0; first < kReplicas; ++first) {
    const int second = (first + 1) % kReplicas;
    const int third = (first + 2) % kReplicas;
    const v1::SessionTokens issued = Issue(first, "alice");
    ASSERT_FALSE(issued.refresh_token().empty());
    v1::SessionTokens refreshed;
    const grpc::Status status =
        Refresh(second, issued.refresh_token(), &refreshed);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(refreshed.session_id(), issued.session_id());
    EXPECT_TRUE(Validate(third, refreshed.access_token()).valid());
    EXPECT_TRUE(Validate(first, issued.access_token()).valid());

    const uint64_t sequence = Revoke(third, issued.session_id());
    EXPECT_GT(sequence, 0u);
    // The revoking replica knows at once; the others once their tailer has
    // read the event (a ValidateToken is answered from the replica's state).
    EXPECT_EQ(Validate(third, refreshed.access_token()).reason(),
              v1::TOKEN_INVALID_REASON_SESSION_REVOKED);
    v1::SessionTokens after;
    const grpc::Status refused =
        Refresh(first, refreshed.refresh_token(), &after);
    EXPECT_FALSE(refused.ok());
    EXPECT_EQ(testing::ReasonOf(refused), "SESSION_REVOKED")
        << refused.error_message();
  }
}

// A refresh on the replica that rotated the session last skips the read
// (its hint); after another replica's rotation that hint no longer matches
// the token presented, and the refresh reads as before.
TEST_F(ReplicasTest, RefreshesWhereTheSessionWasWrittenUseTheHint) {
  const std::string rotated = "tessera_refresh_hints_total{result=\"rotated\"}";
  const std::string stale = "tessera_refresh_hints_total{result=\"stale\"}";
  const double before = Metric(0, rotated);
  const double stale_before = Metric(0, stale);
  ASSERT_GE(before, 0);
  ASSERT_GE(stale_before, 0);
  v1::SessionTokens a = Issue(0, "hugo");
  v1::SessionTokens b, c, d;
  ASSERT_TRUE(Refresh(0, a.refresh_token(), &b).ok());
  ASSERT_TRUE(Refresh(0, b.refresh_token(), &c).ok());
  EXPECT_EQ(Metric(0, rotated), before + 2);
  ASSERT_TRUE(Refresh(1, c.refresh_token(), &d).ok());
  v1::SessionTokens e;
  const grpc::Status on_zero = Refresh(0, d.refresh_token(), &e);
  ASSERT_TRUE(on_zero.ok()) << on_zero.error_message();
  EXPECT_EQ(e.session_id(), a.session_id());
  EXPECT_EQ(Metric(0, rotated), before + 2);
  EXPECT_EQ(Metric(0, stale), stale_before);
}

TEST_F(ReplicasTest, ARevocationOnAIsEnforcedByVerifiersOnBAndC) {
  std::vector<std::unique_ptr<Verifier>> verifiers;
  for (int replica : {1, 2}) {
    VerifierOptions options;
    options.target = replicas_[replica].process->grpc_address();
    options.audience = {"api"};
    auto verifier = Verifier::Start(std::move(options));
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    ASSERT_TRUE((*verifier)->WaitUntilReady(kWait));
    verifiers.push_back(*std::move(verifier));
  }
  const v1::SessionTokens alice = Issue(0, "alice");
  const v1::SessionTokens bob = Issue(1, "bob");
  for (const auto& verifier : verifiers) {
    ASSERT_TRUE(verifier->Verify(alice.access_token()).ok());  // Cached.
  }
  const uint64_t first = Revoke(0, alice.session_id());
  for (const auto& verifier : verifiers) {
    ASSERT_TRUE(verifier->WaitForSequence(first, kWait));
    EXPECT_EQ(
        TokenInvalidReasonOf(verifier->Verify(alice.access_token()).status()),
        v1::TOKEN_INVALID_REASON_SESSION_REVOKED);
    EXPECT_TRUE(verifier->Verify(bob.access_token()).ok());
  }
  // Sequences mean the same on every replica: the next one, made on C.
  const uint64_t second = Revoke(2, bob.session_id());
  EXPECT_EQ(second, first + 1);
  for (const auto& verifier : verifiers) {
    ASSERT_TRUE(verifier->WaitForSequence(second, kWait));
    EXPECT_EQ(
        TokenInvalidReasonOf(verifier->Verify(bob.access_token()).status()),
        v1::TOKEN_INVALID_REASON_SESSION_REVOKED);
  }
}

// 32 clients on each of the three replicas present the same refresh token
// at once, round after round: every answer of a round is the same
// successor (the losers get it back within the grace period), and no call
// fails with INTERNAL.
// A replica purges what has expired for good (server/session/purger.h), at
// start and then hourly: here a session that ended two days ago, written
// straight into the table, goes; a live one stays.
TEST_F(ReplicasTest, AReplicaPurgesSessionsThatEndedLongAgo) {
  // The replicas running now have ended their first passes, so the session
  // below is left to the one started after it.
  for (int replica = 0; replica < kReplicas; ++replica) {
    const absl::Time deadline = absl::Now() + kWait;
    while (Metric(replica, "tessera_purge_passes_total") < 1) {
      ASSERT_LT(absl::Now(), deadline) << "no purge pass ended";
      absl::SleepFor(absl::Milliseconds(20));
    }
  }
  const v1::SessionTokens live = Issue(0, "liam");
  v1::SessionRecord ended;
  ended.set_session_id("ended-long-ago");
  ended.set_subject("liam");
  *ended.mutable_expires_at() = ToTimestamp(absl::Now() - absl::Hours(48));
  *ended.mutable_idle_expires_at() = ended.expires_at();
  ASSERT_TRUE(
      Cluster()
          ->Sql(0, database_,
                absl::StrCat("INSERT INTO tessera_kv VALUES (0, "
                             "'ended-long-ago', '\\x",
                             absl::BytesToHexString(ended.SerializeAsString()),
                             "')"))
          .ok());
  auto count = [&](const std::string& key) {
    return *Cluster()->Sql(
        0, database_,
        absl::StrCat("SELECT count(*) FROM tessera_kv WHERE family = 0 AND "
                     "key = '",
                     key, "'"));
  };
  ASSERT_EQ(count("ended-long-ago"), "1");
  auto another = TesseradProcess::Start({.flags = flags_});  // Purges at start.
  ASSERT_TRUE(another.ok()) << another.status();
  const absl::Time deadline = absl::Now() + kWait;
  while (count("ended-long-ago") != "0" && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(count("ended-long-ago"), "0");
  EXPECT_EQ(count(live.session_id()), "1");
  httplib::Client client(absl::StrCat("http://", (*another)->http_address()));
  httplib::Result metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("tessera_purged_records_total 1\n"),
            std::string::npos);
}

TEST_F(ReplicasTest, RacingRefreshesAcrossReplicasShareOneSuccessorPerRound) {
  int rounds = 200;
  if (const char* env = std::getenv("TESSERA_RACE_ROUNDS")) {
    ASSERT_TRUE(absl::SimpleAtoi(env, &rounds));
  }
  constexpr int kClientsPerReplica = 32;
  std::string token = Issue(0, "carol").refresh_token();
  int unavailable = 0;
  for (int round = 1; round <= rounds; ++round) {
    std::vector<grpc::Status> statuses(kReplicas * kClientsPerReplica);
    std::vector<std::string> successors(statuses.size());
    std::vector<std::thread> clients;
    for (size_t i = 0; i < statuses.size(); ++i) {
      clients.emplace_back([&, i] {
        v1::SessionTokens tokens;
        statuses[i] = Refresh(static_cast<int>(i % kReplicas), token, &tokens);
        successors[i] = tokens.refresh_token();
      });
    }
    for (std::thread& client : clients) client.join();
    std::set<std::string> distinct;
    for (size_t i = 0; i < statuses.size(); ++i) {
      ASSERT_NE(statuses[i].error_code(), grpc::StatusCode::INTERNAL)
          << "round " << round << ": " << statuses[i].error_message();
      if (statuses[i].ok()) {
        distinct.insert(successors[i]);
      } else {
        // Only a store that stayed contended past every retry.
        ASSERT_EQ(statuses[i].error_code(), grpc::StatusCode::UNAVAILABLE)
            << "round " << round << ": " << statuses[i].error_message();
        ++unavailable;
      }
    }
    ASSERT_EQ(distinct.size(), 1u) << "round " << round;
    token = *distinct.begin();
  }
  // Exhausted retries are the exception, not the way a round ends.
  EXPECT_LT(unavailable, rounds * kReplicas * kClientsPerReplica / 100);
  std::cout << "rounds " << rounds << ", UNAVAILABLE answers " << unavailable
            << "\n";
}

// gRPC health and /readyz follow the database: NOT_SERVING and 503 while
// the primary does not answer (SIGSTOP), SERVING and 200 once it does
// again, and sessions are issued again. On a cluster of its own: pausing the
// shared one would stall the other tests.
TEST(DatabaseHealthTest, HealthAndReadinessFollowTheDatabase) {
  auto cluster = PostgresCluster::Start(0);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  absl::StatusOr<std::string> url = (*cluster)->NewDatabase();
  ASSERT_TRUE(url.ok()) << url.status();
  auto process = TesseradProcess::Start(
      {.flags = {"--store=postgres", "--postgres_url=" + *url,
                 "--kek_file=" + testing::NewKekFile()}});
  ASSERT_TRUE(process.ok()) << process.status();
  auto channel = grpc::CreateChannel((*process)->grpc_address(),
                                     grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  auto stub = TokenAuthority::NewStub(channel);
  httplib::Client http(absl::StrCat("http://", (*process)->http_address()));
  using Serving = grpc::health::v1::HealthCheckResponse;
  // "SERVING 200": gRPC health of the TokenAuthority service, and /readyz.
  auto state = [&]() -> std::string {
    grpc::health::v1::HealthCheckRequest request;
    request.set_service("tessera.v1.TokenAuthority");
    Serving response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    const grpc::Status status = health->Check(&context, request, &response);
    httplib::Result ready = http.Get("/readyz");
    return absl::StrCat(status.ok()
                            ? Serving::ServingStatus_Name(response.status())
                            : status.error_message(),
                        " ", ready ? ready->status : -1);
  };
  auto await = [&](const std::string& want) {
    const absl::Time deadline = absl::Now() + kWait;
    std::string seen = state();
    while (seen != want && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(100));
      seen = state();
    }
    return seen;
  };
  EXPECT_EQ(state(), "SERVING 200");

  ASSERT_TRUE((*cluster)->Tool("pause", {"0"}).ok());
  EXPECT_EQ(await("NOT_SERVING 503"), "NOT_SERVING 503");
  ASSERT_TRUE((*cluster)->Tool("resume", {"0"}).ok());
  EXPECT_EQ(await("SERVING 200"), "SERVING 200");

  v1::IssueSessionRequest request;
  request.set_subject("alice");
  request.add_audience("api");
  v1::SessionTokens tokens;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + kWait));
  const grpc::Status issued = stub->IssueSession(&context, request, &tokens);
  EXPECT_TRUE(issued.ok()) << issued.error_message();
}

}  // namespace
}  // namespace tessera
