// Issue and refresh throughput and latency of a real tesserad, next to
// RocksDB's own synced-put rate at the same concurrency, in one run.
//
// For each concurrency C (default 1, 8, 64):
//   rocksdb   C threads Put(sync) ~300-byte values into a fresh DB: the
//             group-commit ceiling a durable issue cannot beat
//   empty     C outstanding Health/Check calls: gRPC's own cost here
//   issue     C outstanding IssueSession calls, each followed by the next
//   refresh   C outstanding chains, each refreshing its own session
//   validate  C outstanding ValidateToken calls of one token (seen before)
// Issue and refresh run against tesserad with --durability=sync and =async.
// The load generator is a closed loop on gRPC's callback API (no thread per
// client), sharing the 2 cores with the server. Reports ops/s, p50/p99, and
// durable issue as a fraction of the RocksDB rate (DESIGN §11 target:
// >= 0.60): the RocksDB and durable-issue cells are measured back to back,
// --rounds times, and the median round's ratio is reported with the range.
// A second table gives each cell's CPU time per call, tesserad's and this
// process's (from /proc), which says where a CPU-bound row's time goes.
//
// Run: bazel run -c opt //tools/bench:tessera_bench -- [--seconds=2]
//        [--rounds=5] [--concurrency=1,8,64]

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
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
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "tessera/v1/token_authority.grpc.pb.h"
#include "tests/testing/tesserad_process.h"

ABSL_FLAG(double, seconds, 2, "Duration of each measurement.");
ABSL_FLAG(int, rounds, 5,
          "Times the RocksDB / durable-issue pair is measured back to back "
          "per row; the ratio reported is the median of the rounds' ratios.");
ABSL_FLAG(std::string, concurrency, "1,8,64", "Client thread counts.");

namespace tessera::bench {
namespace {

struct Result {
  double ops_per_second = 0;
  int64_t calls = 0;
  absl::Duration p50, p99;
  // CPU time per call (user + system), in microseconds: tesserad's, and
  // this process's (the load generator, or RocksDB itself for the
  // baseline). Negative when not measured.
  double server_cpu_us = -1;
  double local_cpu_us = -1;
};

// User + system CPU seconds a process has used so far (from /proc).
double CpuSeconds(pid_t pid) {
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (!std::getline(stat, line)) return 0;
  // Fields after the command name, which is in parentheses and may hold
  // spaces: state is field 3, utime 14, stime 15.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::vector<std::string> fields =
      absl::StrSplit(line.substr(close + 2), ' ', absl::SkipEmpty());
  int64_t utime = 0, stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) ||
      !absl::SimpleAtoi(fields[12], &stime)) {
    return 0;
  }
  return static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
}

// Runs `measure` and adds the CPU per call it cost `server` (a tesserad
// pid, or -1 for none) and this process.
Result WithCpu(pid_t server, const std::function<Result()>& measure) {
  const double server_before = server > 0 ? CpuSeconds(server) : 0;
  const double local_before = CpuSeconds(getpid());
  Result result = measure();
  if (result.calls <= 0) return result;
  const double per_call = 1e6 / result.calls;
  if (server > 0) {
    result.server_cpu_us = (CpuSeconds(server) - server_before) * per_call;
  }
  result.local_cpu_us = (CpuSeconds(getpid()) - local_before) * per_call;
  return result;
}

// Runs `op` from `threads` threads for the configured duration.
template <typename MakeWorker>
Result Measure(int threads, MakeWorker make_worker) {
  const absl::Duration duration = absl::Seconds(absl::GetFlag(FLAGS_seconds));
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
  Result result;
  if (all.empty()) return result;
  std::sort(all.begin(), all.end());
  result.calls = static_cast<int64_t>(all.size());
  result.ops_per_second = all.size() / absl::ToDoubleSeconds(elapsed);
  result.p50 = all[all.size() / 2];
  result.p99 = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  return result;
}

// A closed loop of `outstanding` asynchronous calls (gRPC's callback API):
// each chain starts its next call when the previous one completes, so the
// load generator needs no thread per client. `start(chain, done)` starts one
// call and arranges for done(ok) to run when it completes.
Result ClosedLoop(
    int outstanding,
    const std::function<void(int, std::function<void(bool)>)>& start) {
  struct State {
    absl::Mutex mu;
    std::vector<absl::Duration> latencies ABSL_GUARDED_BY(mu);
    int running ABSL_GUARDED_BY(mu) = 0;
    std::atomic<bool> stop{false};
  };
  auto state = std::make_shared<State>();
  std::function<void(int)> next = [&, state](int chain) {
    if (state->stop.load()) {
      absl::MutexLock lock(&state->mu);
      --state->running;
      return;
    }
    const absl::Time before = absl::Now();
    start(chain, [&, state, chain, before](bool ok) {
      {
        absl::MutexLock lock(&state->mu);
        state->latencies.push_back(absl::Now() - before);
      }
      if (ok) {
        next(chain);
      } else {
        absl::MutexLock lock(&state->mu);
        --state->running;
      }
    });
  };
  const absl::Time begin = absl::Now();
  {
    absl::MutexLock lock(&state->mu);
    state->running = outstanding;
  }
  for (int chain = 0; chain < outstanding; ++chain) next(chain);
  absl::SleepFor(absl::Seconds(absl::GetFlag(FLAGS_seconds)));
  state->stop = true;
  const absl::Duration elapsed = absl::Now() - begin;
  absl::MutexLock lock(&state->mu);
  state->mu.Await(absl::Condition(
      +[](int* running) { return *running == 0; }, &state->running));
  std::vector<absl::Duration> all = std::move(state->latencies);
  Result result;
  if (all.empty()) return result;
  std::sort(all.begin(), all.end());
  result.calls = static_cast<int64_t>(all.size());
  result.ops_per_second = all.size() / absl::ToDoubleSeconds(elapsed);
  result.p50 = all[all.size() / 2];
  result.p99 = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  return result;
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

std::vector<std::shared_ptr<grpc::Channel>> Channels(
    const std::string& address) {
  // Several connections, so HTTP/2 flow on one socket is not the limit.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < 8; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.channel_id", i);  // Distinct subchannels.
    channels.push_back(grpc::CreateCustomChannel(
        address, grpc::InsecureChannelCredentials(), args));
  }
  return channels;
}

// Owns call objects: a call's ClientContext must outlive its completion,
// and must not be destroyed from inside it. Each chain keeps its last four
// calls (its calls are sequential, so no lock is needed); by the time a
// call is dropped, three later ones of its chain have started.
class CallKeeper {
 public:
  explicit CallKeeper(int chains) : rings_(chains) {}

  template <typename T>
  T* Keep(int chain, std::shared_ptr<T> call) {
    Ring& ring = rings_[chain];
    ring.calls[ring.next++ % ring.calls.size()] = call;
    return call.get();
  }

 private:
  struct Ring {
    std::array<std::shared_ptr<void>, 4> calls;
    size_t next = 0;
  };
  std::vector<Ring> rings_;
};

// One stub per channel, so calls spread over several connections.
template <typename Service>
std::vector<std::unique_ptr<typename Service::Stub>> Stubs(
    const std::string& address) {
  std::vector<std::unique_ptr<typename Service::Stub>> stubs;
  for (auto& channel : Channels(address)) {
    stubs.push_back(Service::NewStub(channel));
  }
  return stubs;
}

// The empty-call baseline: grpc.health.v1.Health/Check, served by gRPC
// itself inside tesserad.
Result EmptyCalls(const std::string& address, int outstanding) {
  auto stubs = Stubs<grpc::health::v1::Health>(address);
  CallKeeper keeper(outstanding);
  return ClosedLoop(
      outstanding, [&](int chain, std::function<void(bool)> done) {
        struct Call {
          grpc::ClientContext context;
          grpc::health::v1::HealthCheckRequest request;
          grpc::health::v1::HealthCheckResponse response;
        };
        Call* call = keeper.Keep(chain, std::make_shared<Call>());
        stubs[chain % stubs.size()]->async()->Check(
            &call->context, &call->request, &call->response,
            [call, done](grpc::Status status) { done(status.ok()); });
      });
}

Result Issue(const std::string& address, int outstanding) {
  auto stubs = Stubs<tessera::v1::TokenAuthority>(address);
  CallKeeper keeper(outstanding);
  return ClosedLoop(
      outstanding, [&](int chain, std::function<void(bool)> done) {
        struct Call {
          grpc::ClientContext context;
          tessera::v1::IssueSessionRequest request;
          tessera::v1::SessionTokens response;
        };
        Call* call = keeper.Keep(chain, std::make_shared<Call>());
        call->request.set_subject(absl::StrCat("bench-user-", chain));
        call->request.add_audience("api");
        (*call->request.mutable_claims()->mutable_fields())["role"]
            .set_string_value("member");
        stubs[chain % stubs.size()]->async()->IssueSession(
            &call->context, &call->request, &call->response,
            [call, done](grpc::Status status) { done(status.ok()); });
      });
}

Result Refresh(const std::string& address, int outstanding) {
  auto stubs = Stubs<tessera::v1::TokenAuthority>(address);
  CallKeeper keeper(outstanding);
  // One session per chain, issued up front; each chain refreshes its own.
  auto tokens = std::make_shared<std::vector<std::string>>(outstanding);
  for (int chain = 0; chain < outstanding; ++chain) {
    tessera::v1::IssueSessionRequest request;
    request.set_subject(absl::StrCat("bench-refresher-", chain));
    tessera::v1::SessionTokens issued;
    grpc::ClientContext context;
    if (stubs[0]->IssueSession(&context, request, &issued).ok()) {
      (*tokens)[chain] = issued.refresh_token();
    }
  }
  return ClosedLoop(outstanding,
                    [&, tokens](int chain, std::function<void(bool)> done) {
                      struct Call {
                        grpc::ClientContext context;
                        tessera::v1::RefreshSessionRequest request;
                        tessera::v1::SessionTokens response;
                      };
                      Call* call = keeper.Keep(chain, std::make_shared<Call>());
                      call->request.set_refresh_token((*tokens)[chain]);
                      stubs[chain % stubs.size()]->async()->RefreshSession(
                          &call->context, &call->request, &call->response,
                          [call, done, tokens, chain](grpc::Status status) {
                            if (status.ok())
                              (*tokens)[chain] = call->response.refresh_token();
                            done(status.ok());
                          });
                    });
}

// ValidateToken of one access token, over and over: a token the server has
// seen before (DESIGN §11 compares this with an empty call).
Result Validate(const std::string& address, int outstanding) {
  auto stubs = Stubs<tessera::v1::TokenAuthority>(address);
  tessera::v1::IssueSessionRequest issue;
  issue.set_subject("bench-validated");
  issue.add_audience("api");
  tessera::v1::SessionTokens issued;
  grpc::ClientContext context;
  if (!stubs[0]->IssueSession(&context, issue, &issued).ok()) return {};
  const std::string token = issued.access_token();
  CallKeeper keeper(outstanding);
  return ClosedLoop(outstanding,
                    [&](int chain, std::function<void(bool)> done) {
                      struct Call {
                        grpc::ClientContext context;
                        tessera::v1::ValidateTokenRequest request;
                        tessera::v1::ValidateTokenResponse response;
                      };
                      Call* call = keeper.Keep(chain, std::make_shared<Call>());
                      call->request.set_access_token(token);
                      call->request.add_audience("api");
                      stubs[chain % stubs.size()]->async()->ValidateToken(
                          &call->context, &call->request, &call->response,
                          [call, done](grpc::Status status) {
                            done(status.ok() && call->response.valid());
                          });
                    });
}

std::string Cell(const Result& r) {
  return absl::StrCat(
      static_cast<int64_t>(r.ops_per_second), "/s (p50 ",
      absl::FormatDuration(absl::Trunc(r.p50, absl::Microseconds(10))),
      ", p99 ",
      absl::FormatDuration(absl::Trunc(r.p99, absl::Microseconds(10))), ")");
}

std::string CpuCell(const Result& r) {
  if (r.local_cpu_us < 0) return "-";
  if (r.server_cpu_us < 0) return absl::StrFormat("%.0f", r.local_cpu_us);
  return absl::StrFormat("%.0f + %.0f", r.server_cpu_us, r.local_cpu_us);
}

int Main() {
  std::vector<int> levels;
  for (absl::string_view part :
       absl::StrSplit(absl::GetFlag(FLAGS_concurrency), ',')) {
    int level = 0;
    if (absl::SimpleAtoi(part, &level) && level > 0) levels.push_back(level);
  }
  struct Row {
    int clients;
    Result rocksdb, empty, issue_sync, issue_async, refresh_sync, refresh_async,
        validate;
    std::vector<double> ratios;  // issue sync / RocksDB per round, sorted.
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
    // over seconds, so the pair is measured back to back, several times,
    // and each round gives one ratio; the cells show the median round.
    std::vector<std::pair<Result, Result>> rounds;
    for (int r = 0; r < std::max(1, absl::GetFlag(FLAGS_rounds)); ++r) {
      Result rocksdb =
          WithCpu(-1, [&] { return RocksDbSyncPuts(row.clients); });
      Result issue =
          WithCpu(sync_pid, [&] { return Issue(sync_address, row.clients); });
      if (rocksdb.ops_per_second <= 0) continue;
      rounds.emplace_back(rocksdb, issue);
    }
    auto ratio = [](const std::pair<Result, Result>& round) {
      return round.second.ops_per_second / round.first.ops_per_second;
    };
    std::sort(rounds.begin(), rounds.end(), [&](const auto& a, const auto& b) {
      return ratio(a) < ratio(b);
    });
    for (const auto& round : rounds) row.ratios.push_back(ratio(round));
    if (!rounds.empty()) {
      row.rocksdb = rounds[rounds.size() / 2].first;
      row.issue_sync = rounds[rounds.size() / 2].second;
    }
    row.refresh_sync =
        WithCpu(sync_pid, [&] { return Refresh(sync_address, row.clients); });
    row.empty = WithCpu(sync_pid,
                        [&] { return EmptyCalls(sync_address, row.clients); });
    row.validate =
        WithCpu(sync_pid, [&] { return Validate(sync_address, row.clients); });
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
      "refresh, sync | "
      "refresh, async |\n"
      "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
  for (const Row& row : rows) {
    const std::string ratio =
        row.ratios.empty()
            ? "-"
            : absl::StrFormat("%.2f (%.2f-%.2f)",
                              row.ratios[row.ratios.size() / 2],
                              row.ratios.front(), row.ratios.back());
    std::printf("| %d | %s | %s | %s | %s | %s | %s | %s |\n", row.clients,
                Cell(row.rocksdb).c_str(), Cell(row.empty).c_str(),
                Cell(row.issue_sync).c_str(), ratio.c_str(),
                Cell(row.issue_async).c_str(), Cell(row.refresh_sync).c_str(),
                Cell(row.refresh_async).c_str());
  }
  std::printf(
      "\nCPU time per call, microseconds: tesserad + load generator "
      "(RocksDB: the putting process)\n\n"
      "| clients | RocksDB sync put | empty call (health) | issue, sync | "
      "issue, async | refresh, sync | refresh, async |\n"
      "| --- | --- | --- | --- | --- | --- | --- |\n");
  for (const Row& row : rows) {
    std::printf(
        "| %d | %s | %s | %s | %s | %s | %s |\n", row.clients,
        CpuCell(row.rocksdb).c_str(), CpuCell(row.empty).c_str(),
        CpuCell(row.issue_sync).c_str(), CpuCell(row.issue_async).c_str(),
        CpuCell(row.refresh_sync).c_str(), CpuCell(row.refresh_async).c_str());
  }
  std::printf(
      "\nValidateToken of a token seen before vs an empty call (DESIGN §11 "
      "target: >= 0.80)\n\n"
      "| clients | empty call (health) | ValidateToken | ValidateToken / "
      "empty | CPU per call, empty | CPU per call, ValidateToken |\n"
      "| --- | --- | --- | --- | --- | --- |\n");
  for (const Row& row : rows) {
    const double ratio =
        row.empty.ops_per_second > 0
            ? row.validate.ops_per_second / row.empty.ops_per_second
            : 0;
    std::printf("| %d | %s | %s | %.2f | %s | %s |\n", row.clients,
                Cell(row.empty).c_str(), Cell(row.validate).c_str(), ratio,
                CpuCell(row.empty).c_str(), CpuCell(row.validate).c_str());
  }
  return 0;
}

}  // namespace
}  // namespace tessera::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  // The load generator shares the CPU with tesserad: Debian's Abseil has
  // mutex deadlock detection on, and gRPC's locks are absl::Mutex.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return tessera::bench::Main();
}
