// Issue and refresh throughput and latency of a real tesserad, next to
// RocksDB's own synced-put rate at the same concurrency, in one run.
//
// For each concurrency C (default 1, 8, 32, 64):
//   rocksdb   C threads Put(sync) ~300-byte values into a fresh DB: the
//             group-commit ceiling a durable issue cannot beat
//   empty     C outstanding Health/Check calls: gRPC's own cost here
//   issue     C outstanding IssueSession calls, each followed by the next
//   refresh   C outstanding chains, each refreshing its own session
//   validate  C outstanding ValidateToken calls of one token (seen before)
// Issue and refresh run against tesserad with --durability=sync and =async.
// The load generator is a closed loop on gRPC's callback API (no thread per
// client), sharing the 2 cores with the server. The durable cells (RocksDB,
// issue, refresh, empty, validate) are measured back to back, --rounds
// times; each round gives its own ratios (issue / RocksDB, refresh / issue
// in rate and in tesserad CPU per call, ValidateToken / empty), reported as
// the median with the range of rounds. Cells show the round with the median
// issue / RocksDB ratio. CPU time per call, tesserad's and this process's,
// comes from /proc.
//
// Run: bazel run -c opt //server/bench:tessera_bench -- [--seconds=2]
//        [--rounds=5] [--concurrency=1,8,32,64]

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "tessera/v1/token_authority.grpc.pb.h"
#include "tests/testing/tesserad_process.h"
#include "tools/bench/load.h"

ABSL_FLAG(double, seconds, 2, "Duration of each measurement.");
ABSL_FLAG(int, rounds, 5,
          "Times the RocksDB / durable-issue pair is measured back to back "
          "per row; the ratio reported is the median of the rounds' ratios.");
ABSL_FLAG(std::string, concurrency, "1,8,32,64", "Client thread counts.");

namespace tessera::bench {
namespace {

absl::Duration Seconds() { return absl::Seconds(absl::GetFlag(FLAGS_seconds)); }

// Runs `op` from `threads` threads for the configured duration.
template <typename MakeWorker>
Result Measure(int threads, MakeWorker make_worker) {
  const absl::Duration duration = Seconds();
  std::vector<std::vector<absl::Duration>> latencies(threads);
  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  const absl::Time start = absl::Now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      auto op = make_worker(t);
      while (!stop.load(std::memory_order_relaxed)) {
        const absl::Time before = absl::Now();
        if (!op()) break;
        latencies[t].push_back(absl::Now() - before);
      }
    });
  }
  absl::SleepFor(duration);
  stop = true;
  for (std::thread& worker : workers) worker.join();
  const absl::Duration elapsed = absl::Now() - start;
  std::vector<absl::Duration> all;
  for (auto& list : latencies) all.insert(all.end(), list.begin(), list.end());
  return Summarize(all, elapsed);
}

Result RocksDbSyncPuts(int threads) {
  const std::string path = testing::NewTempDir("bench-rocksdb");
  rocksdb::Options options;
  options.create_if_missing = true;
  options.enable_pipelined_write = true;  // As tesserad opens its store.
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, path, &raw).ok()) return {};
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  const std::string value(300, 'v');
  Result result = Measure(threads, [&](int t) {
    auto random = std::make_shared<std::mt19937_64>(t);
    return [&, random] {
      return db->Put(sync, absl::StrCat((*random)()), value).ok();
    };
  });
  db->Close();
  return result;
}

Result EmptyCalls(const std::string& address, int outstanding) {
  return EmptyCallLoop({.address = address}, outstanding, Seconds());
}

Result Issue(const std::string& address, int outstanding) {
  return IssueLoop({.address = address}, outstanding, Seconds());
}

// Each chain refreshes its own session, issued up front.
Result Refresh(const std::string& address, int outstanding) {
  return RefreshOwnSessionsLoop({.address = address}, outstanding, Seconds());
}

Result Validate(const std::string& address, int outstanding) {
  return ValidateLoop({.address = address}, outstanding, Seconds());
}

int Main() {
  std::vector<int> levels;
  for (absl::string_view part :
       absl::StrSplit(absl::GetFlag(FLAGS_concurrency), ',')) {
    int level = 0;
    if (absl::SimpleAtoi(part, &level) && level > 0) levels.push_back(level);
  }
  // One round: every durable cell back to back, so the ratios within a
  // round see the same machine state.
  struct Round {
    Result rocksdb, issue, refresh, empty, validate;
  };
  struct Row {
    int clients;
    std::vector<Round> rounds;  // Sorted by issue sync / RocksDB.
    Result issue_async, refresh_async;
    // The median round's cells.
    const Round& median() const { return rounds[rounds.size() / 2]; }
    std::vector<double> Ratios(
        const std::function<double(const Round&)>& ratio) const {
      std::vector<double> out;
      for (const Round& round : rounds) out.push_back(ratio(round));
      return out;
    }
  };
  std::vector<Row> rows;
  for (int clients : levels) rows.push_back({clients});
  // Both servers run throughout; each row measures its baseline right
  // before the server cells, so disk and CPU drift hit them alike.
  auto sync_server =
      testing::TesseradProcess::Start({.flags = {"--durability=sync"}});
  auto async_server =
      testing::TesseradProcess::Start({.flags = {"--durability=async"}});
  if (!sync_server.ok() || !async_server.ok()) {
    std::fprintf(stderr, "cannot start tesserad\n");
    return 1;
  }
  const std::string sync_address = (*sync_server)->grpc_address();
  const std::string async_address = (*async_server)->grpc_address();
  const pid_t sync_pid = (*sync_server)->pid();
  const pid_t async_pid = (*async_server)->pid();
  for (Row& row : rows) {
    std::fprintf(stderr, "%d clients...\n", row.clients);
    // The machine's speed (its fsync rate most) drifts by tens of percent
    // over seconds, so the durable cells are measured back to back, several
    // times, and each round gives its own ratios; tables show medians.
    for (int r = 0; r < std::max(1, absl::GetFlag(FLAGS_rounds)); ++r) {
      Round round;
      round.rocksdb = WithCpu(-1, [&] { return RocksDbSyncPuts(row.clients); });
      // Issue and refresh swap places every other round: background work
      // (memtable flushes, compactions) one leaves behind is charged to
      // whichever runs next.
      auto issue = [&] {
        round.issue =
            WithCpu(sync_pid, [&] { return Issue(sync_address, row.clients); });
      };
      auto refresh = [&] {
        round.refresh = WithCpu(
            sync_pid, [&] { return Refresh(sync_address, row.clients); });
      };
      if (r % 2 == 0) {
        issue();
        refresh();
      } else {
        refresh();
        issue();
      }
      round.empty = WithCpu(
          sync_pid, [&] { return EmptyCalls(sync_address, row.clients); });
      round.validate = WithCpu(
          sync_pid, [&] { return Validate(sync_address, row.clients); });
      if (round.rocksdb.ops_per_second <= 0 ||
          round.issue.ops_per_second <= 0 || round.empty.ops_per_second <= 0) {
        continue;
      }
      row.rounds.push_back(round);
    }
    if (row.rounds.empty()) {
      std::fprintf(stderr, "no round measured at %d clients\n", row.clients);
      return 1;
    }
    std::sort(row.rounds.begin(), row.rounds.end(),
              [](const Round& a, const Round& b) {
                return a.issue.ops_per_second / a.rocksdb.ops_per_second <
                       b.issue.ops_per_second / b.rocksdb.ops_per_second;
              });
    row.issue_async =
        WithCpu(async_pid, [&] { return Issue(async_address, row.clients); });
    row.refresh_async =
        WithCpu(async_pid, [&] { return Refresh(async_address, row.clients); });
  }
  (void)(*sync_server)->Terminate();
  (void)(*async_server)->Terminate();
  std::printf(
      "| clients | RocksDB sync put | empty call (health) | issue, sync | "
      "issue sync / RocksDB, median (min-max of rounds) | issue, async | "
      "refresh, sync | refresh, async |\n"
      "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
  for (const Row& row : rows) {
    const Round& m = row.median();
    const std::string ratio = MedianRangeCell(row.Ratios([](const Round& r) {
      return r.issue.ops_per_second / r.rocksdb.ops_per_second;
    }));
    std::printf("| %d | %s | %s | %s | %s | %s | %s | %s |\n", row.clients,
                Cell(m.rocksdb).c_str(), Cell(m.empty).c_str(),
                Cell(m.issue).c_str(), ratio.c_str(),
                Cell(row.issue_async).c_str(), Cell(m.refresh).c_str(),
                Cell(row.refresh_async).c_str());
  }
  std::printf(
      "\nCPU time per call, microseconds: tesserad + load generator "
      "(RocksDB: the putting process)\n\n"
      "| clients | RocksDB sync put | empty call (health) | issue, sync | "
      "issue, async | refresh, sync | refresh, async |\n"
      "| --- | --- | --- | --- | --- | --- | --- |\n");
  for (const Row& row : rows) {
    const Round& m = row.median();
    std::printf("| %d | %s | %s | %s | %s | %s | %s |\n", row.clients,
                CpuCell(m.rocksdb).c_str(), CpuCell(m.empty).c_str(),
                CpuCell(m.issue).c_str(), CpuCell(row.issue_async).c_str(),
                CpuCell(m.refresh).c_str(), CpuCell(row.refresh_async).c_str());
  }
  std::printf(
      "\nRatios within each round, median (min-max of rounds): durable "
      "refresh vs durable issue (rate, and tesserad CPU per call), and "
      "ValidateToken of a token seen before vs an empty call\n\n"
      "| clients | refresh / issue, rate | refresh / issue, tesserad CPU "
      "per call | ValidateToken / empty, rate | CPU per call, empty | CPU "
      "per call, ValidateToken |\n"
      "| --- | --- | --- | --- | --- | --- |\n");
  for (const Row& row : rows) {
    const Round& m = row.median();
    const std::string rate = MedianRangeCell(row.Ratios([](const Round& r) {
      return r.refresh.ops_per_second / r.issue.ops_per_second;
    }));
    const std::string cpu = MedianRangeCell(row.Ratios([](const Round& r) {
      return r.refresh.server_cpu_us / r.issue.server_cpu_us;
    }));
    const std::string validate = MedianRangeCell(row.Ratios([](const Round& r) {
      return r.validate.ops_per_second / r.empty.ops_per_second;
    }));
    std::printf("| %d | %s | %s | %s | %s | %s |\n", row.clients, rate.c_str(),
                cpu.c_str(), validate.c_str(), CpuCell(m.empty).c_str(),
                CpuCell(m.validate).c_str());
  }
  return 0;
}

}  // namespace
}  // namespace tessera::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  tessera::bench::InitLoadGenerator();
  return tessera::bench::Main();
}
