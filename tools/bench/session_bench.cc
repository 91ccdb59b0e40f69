// Issue and refresh throughput and latency of a real tesserad, next to
// RocksDB's own synced-put rate at the same concurrency, in one run.
//
// For each concurrency C (default 1, 8, 64):
//   rocksdb   C threads Put(sync) ~300-byte values into a fresh DB: the
//             group-commit ceiling a durable issue cannot beat
//   issue     C client threads call IssueSession back to back
//   refresh   C client threads each refresh their own session back to back
// for tesserad with --durability=sync and =async. Reports ops/s, p50/p99,
// and durable issue as a fraction of the RocksDB rate (DESIGN §11 target:
// >= 0.60). The load generator runs on the same 2 cores as the server.
//
// Run: bazel run -c opt //tools/bench:tessera_bench -- [--seconds=3]

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "tessera/v1/token_authority.grpc.pb.h"
#include "tests/testing/tesserad_process.h"

ABSL_FLAG(double, seconds, 3, "Duration of each measurement.");
ABSL_FLAG(std::string, concurrency, "1,8,64", "Client thread counts.");

namespace tessera::bench {
namespace {

struct Result {
  double ops_per_second = 0;
  absl::Duration p50, p99;
};

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

Result Issue(const std::string& address, int threads) {
  auto channels = Channels(address);
  return Measure(threads, [&](int t) {
    auto stub = std::shared_ptr<tessera::v1::TokenAuthority::Stub>(
        tessera::v1::TokenAuthority::NewStub(channels[t % channels.size()]));
    return [stub, t] {
      tessera::v1::IssueSessionRequest request;
      request.set_subject(absl::StrCat("bench-user-", t));
      request.add_audience("api");
      (*request.mutable_claims()->mutable_fields())["role"].set_string_value(
          "member");
      tessera::v1::SessionTokens tokens;
      grpc::ClientContext context;
      return stub->IssueSession(&context, request, &tokens).ok();
    };
  });
}

Result Refresh(const std::string& address, int threads) {
  auto channels = Channels(address);
  return Measure(threads, [&](int t) {
    auto stub = std::shared_ptr<tessera::v1::TokenAuthority::Stub>(
        tessera::v1::TokenAuthority::NewStub(channels[t % channels.size()]));
    auto token = std::make_shared<std::string>();
    tessera::v1::IssueSessionRequest request;
    request.set_subject(absl::StrCat("bench-refresher-", t));
    tessera::v1::SessionTokens tokens;
    grpc::ClientContext context;
    if (stub->IssueSession(&context, request, &tokens).ok()) {
      *token = tokens.refresh_token();
    }
    return [stub, token] {
      tessera::v1::RefreshSessionRequest refresh;
      refresh.set_refresh_token(*token);
      tessera::v1::SessionTokens next;
      grpc::ClientContext context;
      if (!stub->RefreshSession(&context, refresh, &next).ok()) return false;
      *token = next.refresh_token();
      return true;
    };
  });
}

std::string Cell(const Result& r) {
  return absl::StrCat(
      static_cast<int64_t>(r.ops_per_second), "/s (p50 ",
      absl::FormatDuration(absl::Trunc(r.p50, absl::Microseconds(10))),
      ", p99 ",
      absl::FormatDuration(absl::Trunc(r.p99, absl::Microseconds(10))), ")");
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
    Result rocksdb, issue_sync, issue_async, refresh_sync, refresh_async;
  };
  std::vector<Row> rows;
  for (int clients : levels) rows.push_back({clients});
  for (Row& row : rows) {
    std::fprintf(stderr, "rocksdb sync puts, %d threads...\n", row.clients);
    row.rocksdb = RocksDbSyncPuts(row.clients);
  }
  for (const char* durability : {"sync", "async"}) {
    auto server = testing::TesseradProcess::Start(
        {.flags = {absl::StrCat("--durability=", durability)}});
    if (!server.ok()) {
      std::fprintf(stderr, "cannot start tesserad: %s\n",
                   std::string(server.status().message()).c_str());
      return 1;
    }
    const bool sync = std::string(durability) == "sync";
    for (Row& row : rows) {
      std::fprintf(stderr, "tesserad %s, %d clients...\n", durability,
                   row.clients);
      (sync ? row.issue_sync : row.issue_async) =
          Issue((*server)->grpc_address(), row.clients);
      (sync ? row.refresh_sync : row.refresh_async) =
          Refresh((*server)->grpc_address(), row.clients);
    }
    (void)(*server)->Terminate();
  }
  std::printf(
      "| clients | RocksDB sync put | issue, sync | issue sync / RocksDB | "
      "issue, async | refresh, sync | refresh, async |\n"
      "| --- | --- | --- | --- | --- | --- | --- |\n");
  for (const Row& row : rows) {
    std::printf("| %d | %s | %s | %.2f | %s | %s | %s |\n", row.clients,
                Cell(row.rocksdb).c_str(), Cell(row.issue_sync).c_str(),
                row.rocksdb.ops_per_second > 0
                    ? row.issue_sync.ops_per_second / row.rocksdb.ops_per_second
                    : 0.0,
                Cell(row.issue_async).c_str(), Cell(row.refresh_sync).c_str(),
                Cell(row.refresh_async).c_str());
  }
  return 0;
}

}  // namespace
}  // namespace tessera::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return tessera::bench::Main();
}
