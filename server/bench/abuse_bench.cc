// What unauthenticated calls to made-up gRPC methods cost a real tesserad
// (the acceptance check for the metrics-cardinality fix): every distinct
// unregistered path once became a /metrics series kept forever.
//
// Starts tesserad, reads its resident memory (/proc/PID/status VmRSS) and
// the size of a /metrics scrape, makes --calls calls to distinct random
// unknown methods with --path_bytes paths from --threads threads (each
// answered UNIMPLEMENTED), reads both again, and prints them with the ratio.
// Both are also read after the first 1,000 calls: by then the one "unknown"
// series exists and gRPC's buffers are warm, so the ratio of the end to that
// point is what the other 99 % of the calls cost. A ratio near 1 is the
// point: neither grows with the number of calls.
//
// Run: bazel run -c opt //server/bench:abuse_bench --
//        [--calls=100000] [--path_bytes=4096] [--threads=16]

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "tests/testing/grpc_calls.h"
#include "tests/testing/tesserad_process.h"
#include "tools/bench/load.h"

ABSL_FLAG(int, calls, 100000, "Calls to distinct unknown methods.");
ABSL_FLAG(int, path_bytes, 4096, "Length of each method path.");
ABSL_FLAG(int, threads, 16, "Client threads, each making calls in turn.");

namespace tessera::bench {
namespace {

// The size of one /metrics scrape; -1 if it failed.
int64_t ScrapeBytes(const std::string& http_address) {
  httplib::Client client(absl::StrCat("http://", http_address));
  client.set_connection_timeout(10, 0);
  client.set_read_timeout(60, 0);
  httplib::Result result = client.Get("/metrics");
  if (!result || result->status != 200) return -1;
  return static_cast<int64_t>(result->body.size());
}

// "/<random hex>.Y/m" padded with random letters to `bytes`.
std::string RandomPath(std::mt19937_64& random, size_t bytes) {
  std::string path = absl::StrCat("/x", random(), ".Y/m");
  std::uniform_int_distribution<int> letter('a', 'z');
  while (path.size() < bytes) path += static_cast<char>(letter(random));
  return path;
}

// One call; true if it was answered UNIMPLEMENTED.
bool CallUnknown(grpc::GenericStub& stub, const std::string& method) {
  return ::tessera::testing::CallWithEmptyMessage(stub, method,
                                                  absl::Seconds(30))
             .error_code() == grpc::StatusCode::UNIMPLEMENTED;
}

// Makes `calls` calls from `threads` threads; returns how many were
// answered UNIMPLEMENTED.
int64_t CallUnknownMethods(const std::string& address, int calls, int threads,
                           size_t path_bytes) {
  const std::vector<std::shared_ptr<grpc::Channel>> channels =
      Channels({.address = address});
  std::atomic<int> next{0};
  std::atomic<int64_t> unimplemented{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      grpc::GenericStub stub(channels[t % channels.size()]);
      std::mt19937_64 random(std::random_device{}());
      while (next.fetch_add(1) < calls) {
        unimplemented += CallUnknown(stub, RandomPath(random, path_bytes));
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  return unimplemented.load();
}

constexpr int kWarmCalls = 1000;

struct Reading {
  double rss_mib = 0;
  int64_t scrape_bytes = -1;
};

Reading Read(const testing::TesseradProcess& process) {
  return {RssMiB(process.pid()), ScrapeBytes(process.http_address())};
}

int Main() {
  const int calls = absl::GetFlag(FLAGS_calls);
  const int path_bytes = absl::GetFlag(FLAGS_path_bytes);
  absl::StatusOr<std::unique_ptr<testing::TesseradProcess>> server =
      testing::TesseradProcess::Start({});
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", server.status().ToString().c_str());
    return 1;
  }
  const testing::TesseradProcess& process = **server;
  const int threads = absl::GetFlag(FLAGS_threads);
  const int warm = std::min(calls, kWarmCalls);
  std::fprintf(stderr, "%d calls to unknown methods, %d-byte paths...\n", calls,
               path_bytes);
  const Reading start = Read(process);
  const absl::Time begin = absl::Now();
  int64_t unimplemented =
      CallUnknownMethods(process.grpc_address(), warm, threads, path_bytes);
  const Reading warmed = Read(process);
  unimplemented += CallUnknownMethods(process.grpc_address(), calls - warm,
                                      threads, path_bytes);
  const absl::Duration elapsed = absl::Now() - begin;
  const Reading end = Read(process);

  std::printf(
      "%d calls to distinct unknown methods (%d-byte paths) in %.1f s,"
      " %lld answered UNIMPLEMENTED\n\n",
      calls, path_bytes, absl::ToDoubleSeconds(elapsed),
      static_cast<long long>(unimplemented));
  const std::string after_warm = absl::StrCat("after ", warm);
  const std::string after_all = absl::StrCat("after ", calls);
  std::printf("%-24s %10s %12s %12s %14s\n", "tesserad", "started",
              after_warm.c_str(), after_all.c_str(), "ratio (end/1k)");
  std::printf("%-24s %10.1f %12.1f %12.1f %14.2f\n", "RSS (MiB)", start.rss_mib,
              warmed.rss_mib, end.rss_mib, end.rss_mib / warmed.rss_mib);
  std::printf("%-24s %10lld %12lld %12lld %14.2f\n", "/metrics scrape (bytes)",
              static_cast<long long>(start.scrape_bytes),
              static_cast<long long>(warmed.scrape_bytes),
              static_cast<long long>(end.scrape_bytes),
              static_cast<double>(end.scrape_bytes) / warmed.scrape_bytes);
  const bool ok = unimplemented == calls && start.scrape_bytes > 0 &&
                  warmed.scrape_bytes > 0 && end.scrape_bytes > 0;
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace tessera::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  tessera::bench::InitLoadGenerator();
  return tessera::bench::Main();
}
