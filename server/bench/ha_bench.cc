// tesserad over PostgreSQL (docs/operations/high-availability.md), next to
// PostgreSQL's own rates at the same concurrency, in one run:
//
//   pg_test_fsync   the disk's flush rate (the floor under every commit)
//   pgbench insert  one ~300-byte row per transaction (what an issue writes)
//   pgbench update  one conditional UPDATE per transaction (a rotation)
//   issue, refresh  durable IssueSession / RefreshSession through one
//                   replica, and spread over three replicas
//   RocksDB         the same two through one tesserad on RocksDB
//   propagation     RevokeSession on replica A until a Verifier following
//                   replica B has applied it (WaitForSequence), p50 / p99
//
// The cluster is tools/pg_cluster.sh: a primary and two synchronous
// standbys (ANY 1), all on this machine, sharing its 2 cores with the
// replicas and the load generator. Each row measures its cells back to
// back, --rounds times (pgbench and tesserad alternate); ratios are per
// round, reported as the median with the range.
//
// Run: bazel run -c opt //server/bench:ha_bench -- [--seconds=2]
//        [--rounds=3] [--concurrency=1,8,32] [--revocations=200]
//        [--pool_size=32]

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "client/verifier/verifier.h"
#include "grpcpp/grpcpp.h"
#include "tessera/v1/token_authority.grpc.pb.h"
#include "tests/testing/postgres_cluster.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/tesserad_process.h"
#include "tools/bench/load.h"

ABSL_FLAG(double, seconds, 2, "Duration of each measurement.");
ABSL_FLAG(int, rounds, 3, "Rounds per row; ratios are the rounds' median.");
ABSL_FLAG(std::string, concurrency, "1,8,32", "Client counts.");
ABSL_FLAG(int, revocations, 200, "Revocations timed for propagation.");
ABSL_FLAG(int, pool_size, 32,
          "Each replica's --postgres_pool_size (32: as many connections as "
          "pgbench's clients at the highest level).");

namespace tessera::bench {
namespace {

using testing::PostgresCluster;
using testing::TesseradProcess;

constexpr char kPgBin[] = "/usr/lib/postgresql/15/bin";
constexpr int kReplicas = 3;

absl::Duration Seconds() { return absl::Seconds(absl::GetFlag(FLAGS_seconds)); }

std::string WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

// pgbench's "tps = N (without initial connection time)".
Result PgBench(const PostgresCluster& cluster, const std::string& database,
               const std::string& script, int clients) {
  absl::StatusOr<testing::ExitResult> ran = testing::RunToExit(
      {absl::StrCat(kPgBin, "/pgbench"), "-n", "-h", "127.0.0.1", "-p",
       absl::StrCat(cluster.port(0)), "-U", "tessera", "-c",
       absl::StrCat(clients), "-j", absl::StrCat(std::min(clients, 4)), "-T",
       absl::StrCat(
           std::max(1, static_cast<int>(absl::ToDoubleSeconds(Seconds())))),
       "-f", script, database},
      absl::Minutes(2));
  Result result;
  if (!ran.ok() || ran->exit_code != 0) {
    std::fprintf(stderr, "pgbench failed: %s\n",
                 ran.ok() ? ran->output.c_str()
                          : std::string(ran.status().message()).c_str());
    return result;
  }
  for (absl::string_view line : absl::StrSplit(ran->output, '\n')) {
    if (absl::StartsWith(line, "tps = ")) {
      line.remove_prefix(6);
      (void)absl::SimpleAtod(line.substr(0, line.find(' ')),
                             &result.ops_per_second);
    } else if (absl::StartsWith(line, "latency average = ")) {
      double ms = 0;
      line.remove_prefix(18);
      if (absl::SimpleAtod(line.substr(0, line.find(' ')), &ms)) {
        result.p50 = absl::Microseconds(ms * 1000);  // The mean, shown as p50.
      }
    }
  }
  return result;
}

// `clients` outstanding calls spread over `addresses` (one loop each, run
// together); rates add up.
Result Spread(const std::vector<std::string>& addresses, int clients,
              bool refresh) {
  const int n = std::min<int>(addresses.size(), clients);
  std::vector<Result> parts(n);
  std::vector<std::thread> loops;
  for (int i = 0; i < n; ++i) {
    const int share = clients / n + (i < clients % n ? 1 : 0);
    loops.emplace_back([&, i, share] {
      const Target target{.address = addresses[i]};
      parts[i] = refresh ? RefreshOwnSessionsLoop(target, share, Seconds())
                         : IssueLoop(target, share, Seconds());
    });
  }
  for (std::thread& loop : loops) loop.join();
  Result sum;
  for (const Result& part : parts) {
    sum.ops_per_second += part.ops_per_second;
    sum.calls += part.calls;
    sum.failed += part.failed;
    sum.p50 = std::max(sum.p50, part.p50);
    sum.p99 = std::max(sum.p99, part.p99);
  }
  return sum;
}

// Revocations on replica A until a Verifier on replica B applied each.
std::vector<absl::Duration> Propagation(const std::string& a,
                                        const std::string& b, int count) {
  VerifierOptions options;
  options.target = b;
  options.audience = {"api"};
  auto verifier = Verifier::Start(std::move(options));
  std::vector<absl::Duration> delays;
  if (!verifier.ok() || !(*verifier)->WaitUntilReady(absl::Seconds(30))) {
    std::fprintf(stderr, "no verifier\n");
    return delays;
  }
  auto stub = v1::TokenAuthority::NewStub(
      grpc::CreateChannel(a, grpc::InsecureChannelCredentials()));
  for (int i = 0; i < count; ++i) {
    v1::IssueSessionRequest issue;
    issue.set_subject("propagation");
    issue.add_audience("api");
    v1::SessionTokens tokens;
    grpc::ClientContext issue_context;
    if (!stub->IssueSession(&issue_context, issue, &tokens).ok()) continue;
    v1::RevokeSessionRequest revoke;
    revoke.set_session_id(tokens.session_id());
    v1::RevokeSessionResponse revoked;
    grpc::ClientContext context;
    if (!stub->RevokeSession(&context, revoke, &revoked).ok()) continue;
    const absl::Time acknowledged = absl::Now();
    if ((*verifier)->WaitForSequence(revoked.sequence(), absl::Seconds(10))) {
      delays.push_back(absl::Now() - acknowledged);
    }
  }
  std::sort(delays.begin(), delays.end());
  return delays;
}

std::string Quantiles(const std::vector<absl::Duration>& sorted) {
  if (sorted.empty()) return "-";
  auto at = [&](double q) {
    return absl::FormatDuration(
        absl::Trunc(sorted[std::min(sorted.size() - 1,
                                    static_cast<size_t>(q * sorted.size()))],
                    absl::Microseconds(10)));
  };
  return absl::StrCat("p50 ", at(0.5), ", p99 ", at(0.99),
                      " (n=", sorted.size(), ")");
}

void PrintFsync(const std::string& dir) {
  absl::StatusOr<testing::ExitResult> ran =
      testing::RunToExit({absl::StrCat(kPgBin, "/pg_test_fsync"), "-s", "1",
                          "-f", dir + "/fsync.test"},
                         absl::Minutes(3));
  if (!ran.ok()) return;
  std::printf("pg_test_fsync (1 s per method), one 8 kB write:\n\n```\n");
  bool in_section = false;
  for (absl::string_view line : absl::StrSplit(ran->output, '\n')) {
    if (absl::StrContains(line, "one 8kB write")) in_section = true;
    if (in_section && absl::StrContains(line, "two 8kB writes")) break;
    if (in_section && absl::StrContains(line, "ops/sec")) {
      std::printf("%s\n", std::string(line).c_str());
    }
  }
  std::printf("```\n\n");
}

struct Round {
  Result insert, update, issue1, refresh1, issue3, refresh3, rocks_issue,
      rocks_refresh;
};

int Main() {
  InitLoadGenerator();
  std::vector<int> levels;
  for (absl::string_view part :
       absl::StrSplit(absl::GetFlag(FLAGS_concurrency), ',')) {
    int level = 0;
    if (absl::SimpleAtoi(part, &level) && level > 0) levels.push_back(level);
  }
  auto cluster = PostgresCluster::Start(/*standbys=*/2);
  if (!cluster.ok()) {
    std::fprintf(stderr, "%s\n",
                 std::string(cluster.status().message()).c_str());
    return 1;
  }
  absl::StatusOr<std::string> url = (*cluster)->NewDatabase();
  absl::StatusOr<std::string> pgbench_url = (*cluster)->NewDatabase();
  if (!url.ok() || !pgbench_url.ok()) return 1;
  const std::string bench_db = "t2";
  const std::string dir = testing::NewTempPath("ha-bench");
  ::mkdir(dir.c_str(), 0700);
  // Tables shaped like tesserad's: (family, key) primary key, bytea value.
  if (!(*cluster)
           ->Sql(0, bench_db,
                 "CREATE TABLE kv (family smallint, key bytea, value bytea, "
                 "gen bigint NOT NULL DEFAULT 0, PRIMARY KEY (family, key)); "
                 "INSERT INTO kv SELECT 0, int8send(i), "
                 "convert_to(repeat('v', 300), 'UTF8') FROM "
                 "generate_series(1, 100000) i")
           .ok()) {
    return 1;
  }
  const std::string insert = WriteFile(
      dir + "/insert.sql",
      "\\set k random(1, 9000000000000)\n"
      "INSERT INTO kv (family, key, value) VALUES (1, int8send(:k), "
      "convert_to(repeat('v', 300), 'UTF8')) ON CONFLICT DO NOTHING;\n");
  const std::string update = WriteFile(
      dir + "/update.sql",
      "\\set k random(1, 100000)\n"
      "UPDATE kv SET gen = gen + 1, value = convert_to(repeat('w', 300), "
      "'UTF8') WHERE family = 0 AND key = int8send(:k) AND gen >= 0;\n");
  const std::string kek = testing::NewKekFile();
  std::vector<TesseradProcess::Options> options(kReplicas);
  for (auto& one : options) {
    // As many connections as pgbench's clients at the highest level.
    one.flags = {"--store=postgres", "--postgres_url=" + *url,
                 "--kek_file=" + kek,
                 absl::StrCat("--postgres_pool_size=",
                              absl::GetFlag(FLAGS_pool_size))};
  }
  auto replicas = TesseradProcess::StartAll(std::move(options));
  auto rocks = TesseradProcess::Start({});
  if (!replicas.ok() || !rocks.ok()) {
    std::fprintf(stderr, "cannot start tesserad: %s %s\n",
                 std::string(replicas.status().message()).c_str(),
                 std::string(rocks.status().message()).c_str());
    return 1;
  }
  std::vector<std::string> addresses;
  for (auto& replica : *replicas) addresses.push_back(replica->grpc_address());

  PrintFsync(dir);
  std::vector<std::pair<int, std::vector<Round>>> rows;
  for (int clients : levels) {
    std::fprintf(stderr, "%d clients...\n", clients);
    std::vector<Round> rounds;
    for (int r = 0; r < std::max(1, absl::GetFlag(FLAGS_rounds)); ++r) {
      Round round;
      round.insert = PgBench(**cluster, bench_db, insert, clients);
      round.issue1 = Spread({addresses[0]}, clients, false);
      round.issue3 = Spread(addresses, clients, false);
      round.update = PgBench(**cluster, bench_db, update, clients);
      round.refresh1 = Spread({addresses[0]}, clients, true);
      round.refresh3 = Spread(addresses, clients, true);
      round.rocks_issue = Spread({(*rocks)->grpc_address()}, clients, false);
      round.rocks_refresh = Spread({(*rocks)->grpc_address()}, clients, true);
      rounds.push_back(round);
    }
    rows.push_back({clients, std::move(rounds)});
  }
  std::fprintf(stderr, "propagation...\n");
  const std::vector<absl::Duration> across =
      Propagation(addresses[0], addresses[1], absl::GetFlag(FLAGS_revocations));
  const std::vector<absl::Duration> local =
      Propagation((*rocks)->grpc_address(), (*rocks)->grpc_address(),
                  absl::GetFlag(FLAGS_revocations));

  auto ratio = [](const std::vector<Round>& rounds, auto num, auto den) {
    std::vector<double> out;
    for (const Round& round : rounds) {
      const double d = (round.*den).ops_per_second;
      if (d > 0) out.push_back((round.*num).ops_per_second / d);
    }
    return MedianRangeCell(out);
  };
  auto median = [](const std::vector<Round>& rounds, auto cell) {
    std::vector<double> rates;
    for (const Round& round : rounds) {
      rates.push_back((round.*cell).ops_per_second);
    }
    std::sort(rates.begin(), rates.end());
    return absl::StrCat(static_cast<int64_t>(rates[rates.size() / 2]), "/s");
  };
  std::printf(
      "Rates (median of rounds):\n\n"
      "| clients | pgbench insert | issue, 1 replica | issue, 3 replicas | "
      "pgbench update | refresh, 1 replica | refresh, 3 replicas | RocksDB "
      "issue | RocksDB refresh |\n"
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
  for (const auto& [clients, rounds] : rows) {
    std::printf("| %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", clients,
                median(rounds, &Round::insert).c_str(),
                median(rounds, &Round::issue1).c_str(),
                median(rounds, &Round::issue3).c_str(),
                median(rounds, &Round::update).c_str(),
                median(rounds, &Round::refresh1).c_str(),
                median(rounds, &Round::refresh3).c_str(),
                median(rounds, &Round::rocks_issue).c_str(),
                median(rounds, &Round::rocks_refresh).c_str());
  }
  std::printf(
      "\nRatios within each round, median (range); goal >= 0.40:\n\n"
      "| clients | issue 1 / pgbench insert | issue 3 / pgbench insert | "
      "refresh 1 / pgbench update | refresh 3 / pgbench update |\n"
      "| --- | --- | --- | --- | --- |\n");
  for (const auto& [clients, rounds] : rows) {
    std::printf("| %d | %s | %s | %s | %s |\n", clients,
                ratio(rounds, &Round::issue1, &Round::insert).c_str(),
                ratio(rounds, &Round::issue3, &Round::insert).c_str(),
                ratio(rounds, &Round::refresh1, &Round::update).c_str(),
                ratio(rounds, &Round::refresh3, &Round::update).c_str());
  }
  std::printf(
      "\nRevocation propagation, RevokeSession answered -> a Verifier "
      "applied it (goal p99 <= 100 ms):\n\n"
      "| path | delay |\n| --- | --- |\n"
      "| PostgreSQL, revoked on replica A, Verifier on replica B | %s |\n"
      "| RocksDB, one tesserad | %s |\n",
      Quantiles(across).c_str(), Quantiles(local).c_str());
  for (auto& replica : *replicas) (void)replica->Terminate();
  (void)(*rocks)->Terminate();
  return 0;
}

}  // namespace
}  // namespace tessera::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return tessera::bench::Main();
}
