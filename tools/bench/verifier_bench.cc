// Verifier benchmarks against a real tesserad (docs/performance.md):
//
//   BM_RawVerify          baseline: plain libcrypto ES256 verify of the token
//   BM_VerifyMiss         Verify with no cache hit (full codec verification,
//                         revocation check)            target >= 90 % of raw
//   BM_VerifyCacheHit     Verify of a token seen before     target <= 300 ns
//   BM_MissRatio          raw verify and a miss alternating in one loop:
//                         the ratio, immune to drift between runs
//   (1 and 2 threads each)
//
// then, outside Google Benchmark, revocation propagation: the time from
// RevokeSession returning until each of N watching Verifiers rejects the
// token, for N = 1, 100, 1000 (p50 / p99)            target p99 <= 50 ms.
//
//   bazel run -c opt //tools/bench:verifier_bench

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "benchmark/benchmark.h"
#include "client/api/client.h"
#include "client/token/key_set.h"
#include "client/verifier/verifier.h"
#include "tests/testing/tesserad_process.h"
#include "tools/bench/raw_verify.h"

namespace tessera::bench {
namespace {

// The server and its clients, made by the first benchmark that needs them
// and destroyed by main (StopWorld) once every benchmark has run: clients
// first, then the server. (A leaked static World kept tesserad serving
// after the benchmark exited.)
struct World {
  std::unique_ptr<testing::TesseradProcess> tesserad;
  std::unique_ptr<Client> client;
  std::unique_ptr<Verifier> cached;    // Default cache.
  std::unique_ptr<Verifier> uncached;  // One entry per shard: always misses.
  std::vector<std::string> tokens;     // Distinct live tokens.
  token::KeySet keys;
  RawCase raw;
};

std::unique_ptr<Verifier> StartVerifier(const std::string& target,
                                        size_t cache_capacity) {
  VerifierOptions options;
  options.target = target;
  options.audience = {"api"};
  options.cache_capacity = cache_capacity;
  auto verifier = Verifier::Start(options);
  if (!verifier.ok() || !(*verifier)->WaitUntilReady(absl::Seconds(30))) {
    std::abort();
  }
  return *std::move(verifier);
}

std::unique_ptr<World>& TheWorld() {
  static auto* const world = new std::unique_ptr<World>();
  return *world;
}

World& GetWorld() {
  std::unique_ptr<World>& world = TheWorld();
  if (world == nullptr) {
    auto w = std::make_unique<World>();
    // 1,000 verifiers (plus these two) exceed the default cap of 1,000
    // streams per caller.
    const std::string config = testing::NewTempDir("bench") + ".cfg";
    std::ofstream(config) << "rate_limits { max_watchers_per_caller: 5000 }\n";
    auto tesserad =
        testing::TesseradProcess::Start({.flags = {"--config=" + config}});
    if (!tesserad.ok()) {
      std::fprintf(stderr, "%s\n", tesserad.status().ToString().c_str());
      std::abort();
    }
    w->tesserad = std::move(*tesserad);
    w->client = std::make_unique<Client>(
        ClientOptions{.target = w->tesserad->grpc_address()});
    for (int i = 0; i < 256; ++i) {
      v1::IssueSessionRequest request;
      request.set_subject(absl::StrCat("user-", i));
      request.add_audience("api");
      (*request.mutable_claims()->mutable_fields())["email"].set_string_value(
          "ada@example.com");
      w->tokens.push_back(w->client->IssueSession(request)->access_token());
    }
    w->keys = *token::KeySet::FromJwksJson(w->client->GetJwks()->jwks_json());
    w->raw = RawCaseOf(w->tokens[0], token::Algorithm::kES256);
    w->cached = StartVerifier(w->tesserad->grpc_address(), 10000);
    w->uncached = StartVerifier(w->tesserad->grpc_address(), 0);
    world = std::move(w);
  }
  return *world;
}

void StopWorld() { TheWorld().reset(); }

// The published key that signed the tokens (the active one).
EVP_PKEY* SigningKeyOf(World& w) {
  for (const token::PublicKey& key : w.keys.keys()) {
    if (key.algorithm() == token::Algorithm::kES256 &&
        RawVerify(key.pkey(), key.algorithm(), w.raw)) {
      return key.pkey();
    }
  }
  std::abort();
}

void BM_RawVerify(benchmark::State& state) {
  World& w = GetWorld();
  EVP_PKEY* key = SigningKeyOf(w);
  for (auto _ : state) {
    if (!RawVerify(key, token::Algorithm::kES256, w.raw)) {
      state.SkipWithError("raw verify failed");
    }
  }
}

void BM_VerifyMiss(benchmark::State& state) {
  World& w = GetWorld();
  size_t i = state.thread_index() * 97;
  for (auto _ : state) {
    auto claims = w.uncached->Verify(w.tokens[i++ % w.tokens.size()]);
    if (!claims.ok()) state.SkipWithError("verify failed");
  }
}

void BM_VerifyCacheHit(benchmark::State& state) {
  World& w = GetWorld();
  const std::string& token = w.tokens[state.thread_index()];
  if (!w.cached->Verify(token).ok()) state.SkipWithError("verify failed");
  for (auto _ : state) {
    auto claims = w.cached->Verify(token);
    benchmark::DoNotOptimize(claims);
  }
}

// Raw verify and a Verify miss alternating in one loop, so drift hits both
// alike; miss_vs_raw = raw time / miss time (target >= 0.90).
void BM_MissRatio(benchmark::State& state) {
  World& w = GetWorld();
  EVP_PKEY* key = SigningKeyOf(w);
  size_t i = state.thread_index() * 97;
  absl::Duration raw_total, miss_total;
  for (auto _ : state) {
    const absl::Time start = absl::Now();
    const bool raw_ok = RawVerify(key, token::Algorithm::kES256, w.raw);
    const absl::Time middle = absl::Now();
    const bool miss_ok =
        w.uncached->Verify(w.tokens[i++ % w.tokens.size()]).ok();
    const absl::Time end = absl::Now();
    raw_total += middle - start;
    miss_total += end - middle;
    if (!raw_ok || !miss_ok) state.SkipWithError("verify failed");
  }
  const double n = static_cast<double>(state.iterations());
  // Per-thread figures, averaged over threads (not summed).
  constexpr auto kAvg = benchmark::Counter::kAvgThreads;
  state.counters["raw_us"] =
      benchmark::Counter(absl::ToDoubleMicroseconds(raw_total) / n, kAvg);
  state.counters["miss_us"] =
      benchmark::Counter(absl::ToDoubleMicroseconds(miss_total) / n, kAvg);
  state.counters["miss_vs_raw"] =
      benchmark::Counter(absl::ToDoubleMicroseconds(raw_total) /
                             absl::ToDoubleMicroseconds(miss_total),
                         kAvg);
}

BENCHMARK(BM_MissRatio)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_RawVerify)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_VerifyMiss)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_VerifyCacheHit)->Threads(1)->Threads(2)->UseRealTime();

// Propagation to `n` verifiers sharing 10 channels, `rounds` revocations.
void Propagation(int n, int rounds) {
  World& w = GetWorld();
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < 10; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.channel_id", i);
    channels.push_back(grpc::CreateCustomChannel(
        w.tesserad->grpc_address(), grpc::InsecureChannelCredentials(), args));
  }
  std::vector<std::unique_ptr<Verifier>> verifiers;
  for (int i = 0; i < n; ++i) {
    VerifierOptions options;
    options.channel = channels[i % channels.size()];
    options.audience = {"api"};
    auto verifier = Verifier::Start(options);
    if (!verifier.ok()) std::abort();
    verifiers.push_back(*std::move(verifier));
  }
  for (auto& v : verifiers) {
    if (!v->WaitUntilReady(absl::Seconds(60))) std::abort();
  }
  std::vector<double> latencies_ms;
  for (int round = 0; round < rounds; ++round) {
    v1::IssueSessionRequest request;
    request.set_subject("propagation");
    request.add_audience("api");
    auto session = w.client->IssueSession(request);
    for (auto& v : verifiers) (void)v->Verify(session->access_token());
    v1::RevokeSessionRequest revoke;
    revoke.set_session_id(session->session_id());
    if (!w.client->RevokeSession(revoke).ok()) std::abort();
    const absl::Time returned = absl::Now();
    std::vector<bool> rejected(n, false);
    int remaining = n;
    while (remaining > 0 && absl::Now() - returned < absl::Seconds(10)) {
      for (int i = 0; i < n; ++i) {
        if (rejected[i]) continue;
        if (!verifiers[i]->Verify(session->access_token()).ok()) {
          rejected[i] = true;
          --remaining;
          latencies_ms.push_back(
              absl::ToDoubleMilliseconds(absl::Now() - returned));
        }
      }
    }
    if (remaining > 0)
      std::fprintf(stderr, "%d verifiers never saw it\n", remaining);
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto at = [&](double q) {
    return latencies_ms[std::min(latencies_ms.size() - 1,
                                 static_cast<size_t>(q * latencies_ms.size()))];
  };
  std::printf("| %d | %d | %.2f ms | %.2f ms | %.2f ms |\n", n, rounds, at(0.5),
              at(0.99), latencies_ms.back());
}

}  // namespace
}  // namespace tessera::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  std::printf(
      "\nRevocation propagation (RevokeSession returned -> rejected):\n"
      "| verifiers | rounds | p50 | p99 | max |\n| --- | --- | --- | --- | --- "
      "|\n");
  tessera::bench::Propagation(1, 50);
  tessera::bench::Propagation(100, 20);
  tessera::bench::Propagation(1000, 10);
  tessera::bench::StopWorld();
  benchmark::Shutdown();
  return 0;
}
