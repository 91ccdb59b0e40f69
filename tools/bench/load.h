#ifndef TESSERA_TOOLS_BENCH_LOAD_H_
#define TESSERA_TOOLS_BENCH_LOAD_H_

// The load generator the session benchmarks share: closed loops of
// asynchronous calls on gRPC's callback API against a running tesserad,
// with latency percentiles and the CPU time each call cost.

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace tessera::bench {

// Call first in a load generator's main(): it shares the CPU with tesserad,
// and Debian's Abseil has mutex deadlock detection on (gRPC's locks are
// absl::Mutex), which tesserad turns off too.
void InitLoadGenerator();

// Where the load goes, and as whom.
struct Target {
  std::string address;
  // Null: plaintext.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // Sent as "authorization: Bearer <api_key>" when set.
  std::string api_key;
};

struct Result {
  double ops_per_second = 0;
  int64_t calls = 0;   // Completed, successful or not.
  int64_t failed = 0;  // Each failure ends its chain.
  absl::Duration p50, p99;
  // CPU time per call (user + system), in microseconds: tesserad's, and
  // this process's (the load generator, or RocksDB itself for an in-process
  // baseline). Negative when not measured.
  double server_cpu_us = -1;
  double local_cpu_us = -1;
};

// Rate and percentiles of `latencies` (sorted in place) over `elapsed`.
Result Summarize(std::vector<absl::Duration>& latencies,
                 absl::Duration elapsed);

// "1234/s (p50 210us, p99 1.2ms)".
std::string Cell(const Result& result);
// "155 + 51" (server + local CPU µs per call), or the local figure alone.
std::string CpuCell(const Result& result);
// "0.38 (0.35-0.42)": the median of per-round ratios and their range; "-"
// if there are none.
std::string MedianRangeCell(std::vector<double> ratios);

// User + system CPU seconds a process has used so far (from /proc).
double CpuSeconds(pid_t pid);

// Resident memory of a process (VmRSS), in MiB (from /proc); 0 if unknown.
double RssMiB(pid_t pid);

// Runs `measure` and adds the CPU per call it cost `server` (a tesserad
// pid, or -1 for none) and this process.
Result WithCpu(pid_t server, const std::function<Result()>& measure);

// A closed loop of `outstanding` asynchronous calls for `duration`: each
// chain starts its next call when the previous one completes, so the load
// generator needs no thread per client. `start(chain, done)` starts one
// call and arranges for done(ok) to run when it completes; a chain whose
// call fails stops.
Result ClosedLoop(
    int outstanding, absl::Duration duration,
    const std::function<void(int, std::function<void(bool)>)>& start);

// Several connections to the target, so HTTP/2 flow on one socket is not
// the limit.
std::vector<std::shared_ptr<grpc::Channel>> Channels(const Target& target);

// Adds the target's API key, if any, to a call.
void Authorize(const Target& target, grpc::ClientContext& context);

// One stub per channel, so calls spread over several connections.
template <typename Service>
std::vector<std::unique_ptr<typename Service::Stub>> Stubs(
    const Target& target) {
  std::vector<std::unique_ptr<typename Service::Stub>> stubs;
  for (auto& channel : Channels(target)) {
    stubs.push_back(Service::NewStub(channel));
  }
  return stubs;
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

// A ClosedLoop of one unary method of `Service` on the target's stubs.
// Each call gets its own context (with the target's API key), request and
// response: `prepare(chain, request)` fills the request (false: no call,
// the chain stops as failed), `start` starts the method, e.g.
//   [](auto& stub, auto* context, auto* request, auto* response, auto done) {
//     stub.async()->IssueSession(context, request, response, done);
//   }
// and `succeeded(chain, status, response)` judges the answer (a chain whose
// call did not succeed stops).
template <typename Service, typename Request, typename Response>
Result UnaryLoop(
    const Target& target, int outstanding, absl::Duration duration,
    std::function<bool(int, Request&)> prepare,
    std::function<void(typename Service::Stub&, grpc::ClientContext*,
                       const Request*, Response*,
                       std::function<void(grpc::Status)>)>
        start,
    std::function<bool(int, const grpc::Status&, const Response&)> succeeded) {
  auto stubs = Stubs<Service>(target);
  CallKeeper keeper(outstanding);
  return ClosedLoop(
      outstanding, duration, [&](int chain, std::function<void(bool)> done) {
        struct Call {
          grpc::ClientContext context;
          Request request;
          Response response;
        };
        Call* call = keeper.Keep(chain, std::make_shared<Call>());
        Authorize(target, call->context);
        if (!prepare(chain, call->request)) return done(false);
        start(*stubs[chain % stubs.size()], &call->context, &call->request,
              &call->response,
              [&succeeded, call, chain, done](grpc::Status status) {
                done(succeeded(chain, status, call->response));
              });
      });
}

// IssueSession for subject "bench-user-<chain>", audience "api", one
// custom claim.
Result IssueLoop(const Target& target, int outstanding,
                 absl::Duration duration);

// RefreshSession: chain i starts from refresh_tokens[i % size] and keeps
// rotating its session. Chains must not share a token (a shared one would
// be reuse after the grace window), so pass at least `outstanding` tokens.
Result RefreshLoop(const Target& target, int outstanding,
                   std::vector<std::string> refresh_tokens,
                   absl::Duration duration);

// Issues one session per chain ("bench-refresher-<chain>"), then runs
// RefreshLoop over them.
Result RefreshOwnSessionsLoop(const Target& target, int outstanding,
                              absl::Duration duration);

// ValidateToken of one access token (issued first, audience "api"), over
// and over: a token the server has seen before (docs/performance.md compares
// this with an empty call).
Result ValidateLoop(const Target& target, int outstanding,
                    absl::Duration duration);

// grpc.health.v1.Health/Check, served by gRPC itself inside tesserad: the
// empty-call baseline.
Result EmptyCallLoop(const Target& target, int outstanding,
                     absl::Duration duration);

}  // namespace tessera::bench

#endif  // TESSERA_TOOLS_BENCH_LOAD_H_
