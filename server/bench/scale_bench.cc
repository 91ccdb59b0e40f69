// tesserad with many sessions stored (docs/performance.md: with 10 million
// sessions, throughput within 20 % of the 10-thousand case; start-up does not
// load every session; memory bounded).
//
// For each size N in --sessions: fills a fresh data directory with N
// sessions in-process (SessionStore::Issue, unsynced writes, 4 sessions per
// subject), keeping a sample of their refresh tokens; then starts tesserad
// (durable writes) on it and measures
//   start-up  spawn to "serving" (tesserad must not read every session)
//   RSS       resident memory after start-up and after the load
//   issue     durable IssueSession at --clients
//   refresh   durable RefreshSession of random stored sessions at --clients
//             (at 10 million most of them are read from SST files, not from
//             the memtable or block cache)
// and the ratio of each rate to the first size's.
//
// Run: bazel run -c opt //server/bench:scale_bench --
//        [--sessions=10000,10000000] [--clients=8] [--seconds=5]

#include <sys/types.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
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
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "client/revocation/revocation_state.h"
#include "server/revocation/revocation_log.h"
#include "server/session/session_store.h"
#include "server/store/store.h"
#include "tessera/v1/token_authority.grpc.pb.h"
#include "tests/testing/tesserad_process.h"
#include "tools/bench/load.h"

ABSL_FLAG(std::string, sessions, "10000,10000000",
          "Stored-session counts; ratios are against the first.");
ABSL_FLAG(int, clients, 8, "Outstanding calls in each measurement.");
ABSL_FLAG(double, seconds, 5, "Duration of each measurement.");
ABSL_FLAG(int, rounds, 3,
          "Measurement rounds, alternating between the sizes' servers.");
ABSL_FLAG(int, sample, 100000,
          "Stored sessions whose refresh tokens the refresh load draws from.");

namespace tessera::bench {
namespace {

struct Filled {
  std::string data_dir;
  std::vector<std::string> refresh_tokens;  // A uniform sample.
  absl::Duration took;
};

// N sessions straight through the session store, two writer threads.
absl::StatusOr<Filled> Fill(int64_t sessions) {
  Filled filled;
  filled.data_dir = testing::NewTempDir("scale");
  const absl::Time begin = absl::Now();
  auto store =
      store::Store::Open({.data_dir = filled.data_dir, .sync_writes = false});
  if (!store.ok()) return store.status();
  auto log = revocation::RevocationLog::Open(store->get());
  if (!log.ok()) return log.status();
  revocation::RevocationState revocations(absl::Minutes(16));
  session::SessionStore store_sessions(store->get(), log->get(), &revocations,
                                       {});
  const int64_t every =
      std::max<int64_t>(1, sessions / absl::GetFlag(FLAGS_sample));
  absl::Mutex mu;
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  auto writer = [&] {
    session::NewSession request;
    request.audience = {"api"};
    (*request.claims.mutable_fields())["role"].set_string_value("member");
    request.access_ttl = absl::Minutes(15);
    request.session_ttl = absl::Hours(24 * 30);
    for (int64_t i = next++; i < sessions && !failed; i = next++) {
      request.subject = absl::StrCat("user-", i / 4);
      auto issued = store_sessions.Issue(
          request, absl::Now(),
          [](const session::ActiveSession&) { return absl::OkStatus(); });
      if (!issued.ok()) {
        failed = true;
        return;
      }
      if (i % every == 0) {
        absl::MutexLock lock(&mu);
        filled.refresh_tokens.push_back(issued->refresh_token);
      }
    }
  };
  std::thread a(writer), b(writer);
  a.join();
  b.join();
  if (failed) return absl::InternalError("a session write failed");
  // Memtables to SST files, so tesserad's start-up below is not RocksDB
  // replaying up to a memtable's worth of WAL (a restart after heavy
  // writes pays that, bounded by the memtable size, whatever N is).
  for (int i = 0; i < store::kColumnFamilyCount; ++i) {
    const rocksdb::Status flushed = (*store)->db()->Flush(
        rocksdb::FlushOptions(),
        (*store)->handle(static_cast<store::ColumnFamily>(i)));
    if (!flushed.ok()) return absl::InternalError(flushed.ToString());
  }
  // And let compactions settle, so they do not run during the measurements.
  const absl::Time settle_deadline = absl::Now() + absl::Minutes(30);
  while (absl::Now() < settle_deadline) {
    uint64_t pending = 0, running = 0;
    (*store)->db()->GetIntProperty("rocksdb.num-running-compactions", &running);
    for (int i = 0; i < store::kColumnFamilyCount; ++i) {
      uint64_t family_pending = 0;
      (*store)->db()->GetIntProperty(
          (*store)->handle(static_cast<store::ColumnFamily>(i)),
          "rocksdb.compaction-pending", &family_pending);
      pending += family_pending;
    }
    if (pending == 0 && running == 0) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  filled.took = absl::Now() - begin;
  return filled;
}

uint64_t DirectoryBytes(const std::string& path) {
  uint64_t bytes = 0;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(path, error)) {
    if (entry.is_regular_file(error)) bytes += entry.file_size(error);
  }
  return bytes;
}

// Refreshes random stored sessions: each call takes a session no other call
// holds, and puts back its rotated token.
class TokenPool {
 public:
  explicit TokenPool(std::vector<std::string> tokens)
      : tokens_(std::move(tokens)), busy_(tokens_.size(), false) {}

  // -1 if every session is busy.
  int Take(std::string* token) {
    absl::MutexLock lock(&mu_);
    for (int attempt = 0; attempt < 16; ++attempt) {
      const int i = static_cast<int>(random_() % tokens_.size());
      if (busy_[i]) continue;
      busy_[i] = true;
      *token = tokens_[i];
      return i;
    }
    return -1;
  }
  void Return(int i, std::string token) {
    absl::MutexLock lock(&mu_);
    tokens_[i] = std::move(token);
    busy_[i] = false;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> tokens_ ABSL_GUARDED_BY(mu_);
  std::vector<bool> busy_ ABSL_GUARDED_BY(mu_);
  std::mt19937_64 random_ ABSL_GUARDED_BY(mu_){7};
};

Result RefreshStored(const std::string& address, int outstanding,
                     std::shared_ptr<TokenPool> pool, absl::Duration duration) {
  using tessera::v1::RefreshSessionRequest;
  using tessera::v1::SessionTokens;
  std::vector<int> slots(outstanding);  // Each chain's current pool slot.
  return UnaryLoop<tessera::v1::TokenAuthority, RefreshSessionRequest,
                   SessionTokens>(
      {.address = address}, outstanding, duration,
      [&](int chain, RefreshSessionRequest& request) {
        slots[chain] = pool->Take(request.mutable_refresh_token());
        return slots[chain] >= 0;
      },
      [](auto& stub, auto* context, auto* request, auto* response, auto done) {
        stub.async()->RefreshSession(context, request, response, done);
      },
      [&](int chain, const grpc::Status& status, const SessionTokens& answer) {
        // A failed refresh leaves the slot busy: its token is spent.
        if (status.ok()) pool->Return(slots[chain], answer.refresh_token());
        return status.ok();
      });
}

struct Row {
  int64_t sessions = 0;
  Filled filled;
  uint64_t store_bytes = 0;
  absl::Duration startup;
  std::unique_ptr<testing::TesseradProcess> server;
  // The sampled sessions' current refresh tokens, across rounds.
  std::shared_ptr<TokenPool> pool;
  double rss_started = 0, rss_loaded = 0;
  std::vector<Result> issue, refresh;  // One per round.
};

// The median round's result, by rate.
Result Median(std::vector<Result> results) {
  if (results.empty()) return {};
  std::sort(results.begin(), results.end(),
            [](const Result& a, const Result& b) {
              return a.ops_per_second < b.ops_per_second;
            });
  return results[results.size() / 2];
}

// Median over rounds of row's rate / first row's rate in the same round.
std::string RatioCell(const std::vector<Result>& row,
                      const std::vector<Result>& first) {
  std::vector<double> ratios;
  for (size_t r = 0; r < row.size() && r < first.size(); ++r) {
    if (first[r].ops_per_second > 0) {
      ratios.push_back(row[r].ops_per_second / first[r].ops_per_second);
    }
  }
  return MedianRangeCell(std::move(ratios));
}

int Main() {
  const int clients = absl::GetFlag(FLAGS_clients);
  const absl::Duration seconds = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  std::vector<Row> rows;
  for (absl::string_view part :
       absl::StrSplit(absl::GetFlag(FLAGS_sessions), ',')) {
    int64_t size = 0;
    if (!absl::SimpleAtoi(part, &size) || size <= 0) continue;
    std::fprintf(stderr, "filling %lld sessions...\n",
                 static_cast<long long>(size));
    absl::StatusOr<Filled> filled = Fill(size);
    if (!filled.ok()) {
      std::fprintf(stderr, "fill failed: %s\n",
                   filled.status().ToString().c_str());
      return 1;
    }
    Row& row = rows.emplace_back();
    row.sessions = size;
    row.filled = *std::move(filled);
    row.store_bytes = DirectoryBytes(row.filled.data_dir);
    row.pool = std::make_shared<TokenPool>(row.filled.refresh_tokens);
  }
  // Every size's server runs throughout; the rounds alternate between them
  // so the machine's drift (its fsync rate most) hits them alike.
  for (Row& row : rows) {
    std::fprintf(stderr, "starting tesserad on %lld sessions...\n",
                 static_cast<long long>(row.sessions));
    const absl::Time spawn = absl::Now();
    auto server =
        testing::TesseradProcess::Start({.data_dir = row.filled.data_dir,
                                         .flags = {"--durability=sync"},
                                         .start_timeout = absl::Minutes(10)});
    if (!server.ok()) {
      std::fprintf(stderr, "%s\n", server.status().ToString().c_str());
      return 1;
    }
    row.startup = absl::Now() - spawn;
    row.server = *std::move(server);
    row.rss_started = RssMiB(row.server->pid());
  }
  for (int round = 0; round < std::max(1, absl::GetFlag(FLAGS_rounds));
       ++round) {
    std::fprintf(stderr, "round %d...\n", round + 1);
    for (Row& row : rows) {
      const pid_t pid = row.server->pid();
      const std::string address = row.server->grpc_address();
      row.issue.push_back(WithCpu(pid, [&] {
        return IssueLoop({.address = address}, clients, seconds);
      }));
      row.refresh.push_back(WithCpu(pid, [&] {
        return RefreshStored(address, clients, row.pool, seconds);
      }));
    }
  }
  for (Row& row : rows) {
    row.rss_loaded = RssMiB(row.server->pid());
    (void)row.server->Terminate();
    std::error_code ignored;
    std::filesystem::remove_all(row.filled.data_dir, ignored);
  }
  std::printf(
      "| sessions stored | fill (in-process) | store on disk | tesserad "
      "start-up | RSS after start-up / after load | issue, sync (median "
      "round) | refresh of stored sessions, sync (median round) | issue / "
      "first, median (range) | refresh / first, median (range) |\n"
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
  for (const Row& row : rows) {
    std::printf(
        "| %lld | %s | %.0f MiB | %s | %.0f / %.0f MiB | %s | %s | %s | %s "
        "|\n",
        static_cast<long long>(row.sessions),
        absl::FormatDuration(
            absl::Trunc(row.filled.took, absl::Milliseconds(100)))
            .c_str(),
        row.store_bytes / 1048576.0,
        absl::FormatDuration(absl::Trunc(row.startup, absl::Milliseconds(10)))
            .c_str(),
        row.rss_started, row.rss_loaded, Cell(Median(row.issue)).c_str(),
        Cell(Median(row.refresh)).c_str(),
        RatioCell(row.issue, rows.front().issue).c_str(),
        RatioCell(row.refresh, rows.front().refresh).c_str());
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
