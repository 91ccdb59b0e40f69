// The failover suite (docs/operations/high-availability.md), not part of the
// README's test command:
//
//   bazel test //tests/failover:failover_test --test_output=all
//
// Three tesserad replicas over a PostgreSQL primary with two synchronous
// standbys (tools/pg_cluster.sh), under mixed load from 12 clients (70 %
// refresh, 25 % issue, 5 % revoke) that move to the next replica when one
// fails. Each test breaks something, then checks the invariants:
//  - every acknowledged session, rotation and revocation is on the current
//    primary (GetSession: found; generation >= acknowledged refreshes;
//    revoked when a revocation was acknowledged);
//  - the log is exactly 1..N with a valid hash chain;
//  - Verifiers (one per replica, able to move to any) reject every
//    acknowledged revocation once they WaitForSequence the newest: their
//    log has no gap (or a reset snapshot filled it).
// It prints the longest gap between two acknowledged writes (the window in
// which no write was acknowledged).

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/verifier/verifier.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tessera/v1/storage.pb.h"
#include "tessera/v1/token_authority.grpc.pb.h"
#include "tests/testing/postgres_cluster.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/tesserad_process.h"

namespace tessera {
namespace {

using testing::PostgresCluster;
using testing::TesseradProcess;
using v1::TokenAuthority;

constexpr int kReplicas = 3;
constexpr absl::Duration kCallDeadline = absl::Seconds(5);

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// What the clients were told succeeded.
struct Acknowledged {
  std::mutex mu;
  std::map<std::string, uint64_t> refreshes;  // session -> acknowledged
  std::map<std::string, std::string> access;  // session -> a token
  std::set<std::string> revoked;
  uint64_t last_revocation = 0;
  absl::Time last_write = absl::InfinitePast();
  absl::Duration longest_gap;
  uint64_t writes = 0, failures = 0, internal = 0;

  void Wrote(absl::Time now) {
    if (last_write != absl::InfinitePast()) {
      longest_gap = std::max(longest_gap, now - last_write);
    }
    last_write = now;
    ++writes;
  }
};

class Fixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = PostgresCluster::Start(/*standbys=*/2);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    auto url = cluster_->NewDatabase();
    ASSERT_TRUE(url.ok()) << url.status();
    url_ = *url;
    database_ = PostgresCluster::DatabaseOf(url_);
    kek_ = testing::NewKekFile();
    for (int i = 0; i < kReplicas; ++i) {
      addresses_.push_back(absl::StrCat("127.0.0.1:", FreePort()));
    }
    replicas_.resize(kReplicas);
    for (int i = 0; i < kReplicas; ++i) StartReplica(i);
    for (int i = 0; i < kReplicas; ++i) {
      VerifierOptions options;
      // Any replica: a Verifier moves to another when its own goes away.
      options.target = absl::StrCat("ipv4:", absl::StrJoin(addresses_, ","));
      options.allow_insecure = true;  // Loopback, listed: not judged.
      options.audience = {"api"};
      auto verifier = Verifier::Start(std::move(options));
      ASSERT_TRUE(verifier.ok()) << verifier.status();
      ASSERT_TRUE((*verifier)->WaitUntilReady(absl::Seconds(20)));
      verifiers_.push_back(*std::move(verifier));
    }
  }

  void TearDown() override { StopLoad(); }

  virtual std::vector<std::string> ExtraFlags() const { return {}; }

  void StartReplica(int i) {
    std::vector<std::string> flags = {
        "--grpc_address=" + addresses_[i], "--store=postgres",
        "--postgres_url=" + url_, "--kek_file=" + kek_};
    for (const std::string& flag : ExtraFlags()) flags.push_back(flag);
    auto process = TesseradProcess::Start({.flags = flags});
    ASSERT_TRUE(process.ok()) << process.status();
    replicas_[i] = std::move(*process);
  }

  void StartLoad(int clients = 12) {
    stop_ = false;
    for (int c = 0; c < clients; ++c) {
      load_.emplace_back([this, c] { Client(c); });
    }
  }
  void StopLoad() {
    stop_ = true;
    for (std::thread& t : load_) t.join();
    load_.clear();
  }

  void Client(int id) {
    std::vector<std::unique_ptr<TokenAuthority::Stub>> stubs;
    for (const std::string& address : addresses_) {
      stubs.push_back(TokenAuthority::NewStub(
          grpc::CreateChannel(address, grpc::InsecureChannelCredentials())));
    }
    std::mt19937 random(id);
    int at = id % kReplicas;
    struct Mine {
      std::string session, refresh;
      uint64_t refreshes = 0;
    };
    std::vector<Mine> mine;
    while (!stop_) {
      const int roll = static_cast<int>(random() % 100);
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + kCallDeadline));
      grpc::Status status;
      if (roll < 25 || mine.empty()) {
        v1::IssueSessionRequest request;
        request.set_subject(absl::StrCat("user", id));
        request.add_audience("api");
        v1::SessionTokens tokens;
        status = stubs[at]->IssueSession(&context, request, &tokens);
        if (status.ok()) {
          mine.push_back({tokens.session_id(), tokens.refresh_token(), 0});
          std::lock_guard<std::mutex> lock(ack_.mu);
          ack_.refreshes[tokens.session_id()] = 0;
          ack_.access[tokens.session_id()] = tokens.access_token();
          ack_.Wrote(absl::Now());
        }
      } else if (roll < 95) {
        Mine& session = mine[random() % mine.size()];
        v1::RefreshSessionRequest request;
        request.set_refresh_token(session.refresh);
        v1::SessionTokens tokens;
        status = stubs[at]->RefreshSession(&context, request, &tokens);
        if (status.ok()) {
          // A retry after an unconfirmed commit may get the same successor
          // back: count each new token once.
          if (tokens.refresh_token() != session.refresh) ++session.refreshes;
          session.refresh = tokens.refresh_token();
          std::lock_guard<std::mutex> lock(ack_.mu);
          ack_.refreshes[session.session] =
              std::max(ack_.refreshes[session.session], session.refreshes);
          ack_.access[session.session] = tokens.access_token();
          ack_.Wrote(absl::Now());
        } else if (status.error_code() ==
                       grpc::StatusCode::FAILED_PRECONDITION ||
                   status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
                   status.error_code() == grpc::StatusCode::NOT_FOUND) {
          mine.erase(mine.begin() + (&session - mine.data()));  // Done with.
          status = grpc::Status::OK;
        }
      } else {
        const size_t pick = random() % mine.size();
        v1::RevokeSessionRequest request;
        request.set_session_id(mine[pick].session);
        v1::RevokeSessionResponse response;
        status = stubs[at]->RevokeSession(&context, request, &response);
        if (status.ok()) {
          std::lock_guard<std::mutex> lock(ack_.mu);
          ack_.revoked.insert(mine[pick].session);
          ack_.last_revocation =
              std::max(ack_.last_revocation, response.sequence());
          ack_.Wrote(absl::Now());
          mine.erase(mine.begin() + pick);
        }
      }
      if (!status.ok()) {
        std::lock_guard<std::mutex> lock(ack_.mu);
        ++ack_.failures;
        if (status.error_code() == grpc::StatusCode::INTERNAL) {
          ++ack_.internal;
          ADD_FAILURE() << "INTERNAL: " << status.error_message();
        }
        at = (at + 1) % kReplicas;  // Fail over.
        absl::SleepFor(absl::Milliseconds(20));
      }
    }
  }

  // The invariants, against whichever node is primary now.
  void CheckInvariants(int primary) {
    std::lock_guard<std::mutex> lock(ack_.mu);
    std::cout << "acknowledged writes " << ack_.writes << ", failed calls "
              << ack_.failures << ", longest gap between acknowledged "
              << "writes " << absl::FormatDuration(ack_.longest_gap) << "\n";
    EXPECT_EQ(ack_.internal, 0u);
    EXPECT_GT(ack_.writes, 0u);
    auto stub = TokenAuthority::NewStub(grpc::CreateChannel(
        absl::StrCat("ipv4:", absl::StrJoin(addresses_, ",")),
        grpc::InsecureChannelCredentials()));
    int missing = 0, behind = 0, unrevoked = 0;
    for (const auto& [session, refreshes] : ack_.refreshes) {
      v1::GetSessionRequest request;
      request.set_session_id(session);
      v1::Session found;
      grpc::ClientContext context;
      context.set_wait_for_ready(true);
      context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
      const grpc::Status status = stub->GetSession(&context, request, &found);
      if (!status.ok()) {
        ++missing;
        continue;
      }
      if (found.generation() < refreshes) ++behind;
      if (ack_.revoked.count(session) > 0 && !found.has_revoked_at()) {
        ++unrevoked;
      }
    }
    EXPECT_EQ(missing, 0) << "acknowledged sessions lost";
    EXPECT_EQ(behind, 0) << "acknowledged rotations lost";
    EXPECT_EQ(unrevoked, 0) << "acknowledged revocations lost";
    CheckLog(primary);
    for (const auto& verifier : verifiers_) {
      ASSERT_TRUE(
          verifier->WaitForSequence(ack_.last_revocation, absl::Seconds(30)));
      for (const std::string& session : ack_.revoked) {
        EXPECT_EQ(TokenInvalidReasonOf(
                      verifier->Verify(ack_.access[session]).status()),
                  v1::TOKEN_INVALID_REASON_SESSION_REVOKED)
            << session;
      }
    }
  }

  void CheckLog(int primary) {
    absl::StatusOr<PostgresCluster::Log> log =
        cluster_->ReadCheckedLog(primary, database_);
    ASSERT_TRUE(log.ok()) << log.status();
    std::set<std::string> revoked_in_log;
    for (const std::string& record : log->records) {
      v1::RevocationRecord parsed;
      ASSERT_TRUE(parsed.ParseFromString(record));
      if (parsed.event().has_session_revoked()) {
        revoked_in_log.insert(parsed.event().session_revoked().session_id());
      }
    }
    std::cout << "log: 1.." << log->records.size() << ", hash chain valid\n";
    for (const std::string& session : ack_.revoked) {
      EXPECT_TRUE(revoked_in_log.count(session) > 0) << session;
    }
  }

  std::unique_ptr<PostgresCluster> cluster_;
  std::string url_, database_, kek_;
  std::vector<std::string> addresses_;
  std::vector<std::unique_ptr<TesseradProcess>> replicas_;
  std::vector<std::unique_ptr<Verifier>> verifiers_;
  std::vector<std::thread> load_;
  std::atomic<bool> stop_{false};
  Acknowledged ack_;
};

TEST_F(Fixture, KillingAReplicaThreeTimesLosesNothing) {
  StartLoad();
  for (int round = 0; round < 3; ++round) {
    absl::SleepFor(absl::Seconds(3));
    replicas_[round]->Kill();  // SIGKILL
    absl::SleepFor(absl::Seconds(2));
    StartReplica(round);  // Same address: clients and Verifiers come back.
  }
  absl::SleepFor(absl::Seconds(2));
  StopLoad();
  CheckInvariants(/*primary=*/0);
}

TEST_F(Fixture, KillingThePrimaryAndPromotingTheStandbyLosesNothing) {
  StartLoad();
  absl::SleepFor(absl::Seconds(3));
  ASSERT_TRUE(cluster_->Tool("kill", {"0"}).ok());
  ASSERT_TRUE(cluster_->Tool("promote", {"1"}).ok());
  ASSERT_TRUE(cluster_->Tool("follow", {"2", "1"}).ok());
  absl::SleepFor(absl::Seconds(5));  // Writes resume on node 1.
  ASSERT_TRUE(cluster_->Tool("rebuild", {"0", "1"}).ok());
  absl::SleepFor(absl::Seconds(2));
  StopLoad();
  CheckInvariants(/*primary=*/1);
}

TEST_F(Fixture, PausingThePrimaryForFiveSecondsSplitsNothing) {
  StartLoad();
  absl::SleepFor(absl::Seconds(3));
  ASSERT_TRUE(cluster_->Tool("pause", {"0"}).ok());
  absl::SleepFor(absl::Seconds(5));
  ASSERT_TRUE(cluster_->Tool("resume", {"0"}).ok());
  absl::SleepFor(absl::Seconds(3));
  StopLoad();
  // One primary, still node 0.
  EXPECT_EQ(*cluster_->Sql(0, database_, "SELECT pg_is_in_recovery()"), "f");
  for (int node : {1, 2}) {
    EXPECT_EQ(*cluster_->Sql(node, database_, "SELECT pg_is_in_recovery()"),
              "t");
  }
  CheckInvariants(/*primary=*/0);
}

TEST_F(Fixture, OneStandbyLostWritesGoOnBothLostWritesFailFast) {
  auto stub = TokenAuthority::NewStub(
      grpc::CreateChannel(addresses_[0], grpc::InsecureChannelCredentials()));
  auto issue = [&]() {
    v1::IssueSessionRequest request;
    request.set_subject("erin");
    v1::SessionTokens tokens;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
    const absl::Time start = absl::Now();
    const grpc::Status status = stub->IssueSession(&context, request, &tokens);
    std::cout << "IssueSession: " << status.error_code() << " in "
              << absl::FormatDuration(absl::Now() - start) << "\n";
    return status;
  };
  ASSERT_TRUE(issue().ok());
  ASSERT_TRUE(cluster_->Tool("kill", {"1"}).ok());
  EXPECT_TRUE(issue().ok()) << "one synchronous standby is enough";
  ASSERT_TRUE(cluster_->Tool("kill", {"2"}).ok());
  const absl::Time start = absl::Now();
  const grpc::Status refused = issue();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE)
      << refused.error_message();
  EXPECT_LT(absl::Now() - start, absl::Seconds(30)) << "no hang";
}

// The case the log's hash chain is for: a revocation committed on the
// primary alone (both standbys down, the wait for them cancelled), so
// visible there and streamed by replica B to its Verifier, but never
// confirmed by a standby, is lost when the primary dies; the
// next revocation on the promoted standby takes its sequence. Replica B
// notices that the log no longer holds what it applied and rebuilds, and
// its Verifier, resuming from a position whose hash no longer matches,
// gets a reset snapshot: it enforces the new revocation and forgets the
// lost one, never skipping an event.
TEST_F(Fixture, AnEventAFailoverLostIsResetNeverAGap) {
  auto stub = [&](int replica) {
    return TokenAuthority::NewStub(grpc::CreateChannel(
        addresses_[replica], grpc::InsecureChannelCredentials()));
  };
  auto issue = [&](int replica) {
    v1::IssueSessionRequest request;
    request.set_subject("lost");
    request.add_audience("api");
    v1::SessionTokens tokens;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    EXPECT_TRUE(stub(replica)->IssueSession(&context, request, &tokens).ok());
    return tokens;
  };
  auto revoke = [&](int replica, const std::string& session,
                    uint64_t* sequence) {
    v1::RevokeSessionRequest request;
    request.set_session_id(session);
    v1::RevokeSessionResponse response;
    grpc::ClientContext context;
    context.set_wait_for_ready(true);
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    const grpc::Status status =
        stub(replica)->RevokeSession(&context, request, &response);
    *sequence = response.sequence();
    return status;
  };
  VerifierOptions options;
  options.target = addresses_[1];  // Follows replica B only.
  options.audience = {"api"};
  auto verifier = Verifier::Start(std::move(options));
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  ASSERT_TRUE((*verifier)->WaitUntilReady(absl::Seconds(20)));
  const v1::SessionTokens first = issue(0), lost = issue(0), later = issue(0);
  uint64_t before = 0;
  ASSERT_TRUE(revoke(0, first.session_id(), &before).ok());
  ASSERT_TRUE((*verifier)->WaitForSequence(before, absl::Seconds(20)));

  // Both standbys die: the next commit waits for them, on the primary only.
  ASSERT_TRUE(cluster_->Tool("kill", {"1"}).ok());
  ASSERT_TRUE(cluster_->Tool("kill", {"2"}).ok());
  grpc::Status unconfirmed;
  std::thread revoking([&] {
    uint64_t ignored = 0;
    unconfirmed = revoke(0, lost.session_id(), &ignored);
  });
  // PostgreSQL keeps a commit waiting for standbys invisible, until the
  // wait is cancelled (an operator, a timeout): then it is committed on the
  // primary alone, and visible. tesserad does not acknowledge it (the
  // WARNING on COMMIT), but replicas tailing the log see it.
  const absl::Time cancel_by = absl::Now() + absl::Seconds(20);
  while (absl::Now() < cancel_by) {
    absl::StatusOr<std::string> cancelled = cluster_->Sql(
        0, database_,
        "SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE "
        "wait_event = 'SyncRep'");
    if (cancelled.ok() && *cancelled != "0") break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_TRUE((*verifier)->WaitForSequence(before + 1, absl::Seconds(20)))
      << "replica B never streamed the unconfirmed event";
  EXPECT_EQ(
      TokenInvalidReasonOf((*verifier)->Verify(lost.access_token()).status()),
      v1::TOKEN_INVALID_REASON_SESSION_REVOKED);
  ASSERT_TRUE(cluster_->Tool("kill", {"0"}).ok());
  revoking.join();
  EXPECT_EQ(unconfirmed.error_code(), grpc::StatusCode::UNAVAILABLE)
      << unconfirmed.error_message();
  // The standbys come back without it; one is promoted.
  ASSERT_TRUE(cluster_->Tool("restart", {"1"}).ok());
  ASSERT_TRUE(cluster_->Tool("restart", {"2"}).ok());
  ASSERT_TRUE(cluster_->Tool("promote", {"1"}).ok());
  ASSERT_TRUE(cluster_->Tool("follow", {"2", "1"}).ok());

  uint64_t reused = 0;
  ASSERT_TRUE(revoke(2, later.session_id(), &reused).ok());
  EXPECT_EQ(reused, before + 1) << "the lost event's sequence, taken again";
  absl::Status verdict = absl::OkStatus();
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    verdict = (*verifier)->Verify(later.access_token()).status();
    if (TokenInvalidReasonOf(verdict) ==
        v1::TOKEN_INVALID_REASON_SESSION_REVOKED) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(TokenInvalidReasonOf(verdict),
            v1::TOKEN_INVALID_REASON_SESSION_REVOKED)
      << "the Verifier skipped the event that took the lost one's sequence: "
      << verdict;
  EXPECT_TRUE((*verifier)->Verify(lost.access_token()).ok())
      << "the lost (never acknowledged) revocation is forgotten";
  EXPECT_EQ(
      TokenInvalidReasonOf((*verifier)->Verify(first.access_token()).status()),
      v1::TOKEN_INVALID_REASON_SESSION_REVOKED);
  EXPECT_NE(replicas_[1]->ReadLog().find("rebuilding from the log"),
            std::string::npos);
  CheckLog(/*primary=*/1);
}

// Every replica's schedule rotates every 2 s (retired keys dropped 2 s
// later): for 60 s, one rotation per period however the three race, never
// two ACTIVE keys in any replica's published set, and every token issued on
// any replica verifies at once on every Verifier.
class KeyRotation : public Fixture {
 protected:
  std::vector<std::string> ExtraFlags() const override {
    return {"--key_rotation_period=2s", "--access_ttl=2s", "--leeway=0s"};
  }
};

TEST_F(KeyRotation, ThreeReplicasRotateOncePerPeriodWithoutAFailedVerify) {
  std::vector<std::unique_ptr<TokenAuthority::Stub>> stubs;
  for (const std::string& address : addresses_) {
    stubs.push_back(TokenAuthority::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials())));
  }
  std::set<std::string> actives;
  int issued = 0, failed_verifications = 0, two_active = 0;
  const absl::Time end = absl::Now() + absl::Seconds(60);
  for (int i = 0; absl::Now() < end; ++i) {
    const int replica = i % kReplicas;
    v1::IssueSessionRequest request;
    request.set_subject("rotor");
    request.add_audience("api");
    v1::SessionTokens tokens;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + kCallDeadline));
    ASSERT_TRUE(stubs[replica]->IssueSession(&context, request, &tokens).ok());
    ++issued;
    for (const auto& verifier : verifiers_) {
      absl::StatusOr<VerifiedClaims> verified =
          verifier->Verify(tokens.access_token());
      if (!verified.ok()) {
        ++failed_verifications;
        ADD_FAILURE() << verified.status();
      }
    }
    v1::GetJwksResponse jwks;
    grpc::ClientContext jwks_context;
    ASSERT_TRUE(stubs[replica]->GetJwks(&jwks_context, {}, &jwks).ok());
    int active = 0;
    for (const auto& key : jwks.keys()) {
      if (key.state() == v1::KEY_STATE_ACTIVE) {
        ++active;
        actives.insert(key.kid());
      }
    }
    if (active != 1) ++two_active;
    absl::SleepFor(absl::Milliseconds(50));
  }
  std::cout << "issued " << issued << ", failed verifications "
            << failed_verifications << ", distinct active keys "
            << actives.size() << " in 60 s\n";
  EXPECT_EQ(failed_verifications, 0);
  EXPECT_EQ(two_active, 0);
  // One per 2 s period (the first key was active at start): 30, give or
  // take the periods cut by the window's ends.
  EXPECT_GE(actives.size(), 29u);
  EXPECT_LE(actives.size(), 32u);
}

}  // namespace
}  // namespace tessera
