// Drives one kind of call at a running tesserad and prints the rate, so a
// profiler can watch the server under exactly that load:
//
//   bazel run -c opt //tools/bench:load_generator -- --address=127.0.0.1:50051
//     --rpc=issue --clients=64 --seconds=20 --server_pid=$(pidof tesserad) &
//   perf record -g -p $(pidof tesserad) -- sleep 10
//
// --rpc is issue (IssueSession), refresh (each chain rotating its own
// session), validate (ValidateToken of one token, seen before) or empty
// (grpc.health.v1.Health/Check). With --server_pid the
// CPU column is "tesserad + load generator", as in tessera_bench.

#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "tools/bench/load.h"

ABSL_FLAG(std::string, address, "127.0.0.1:50051", "tesserad's gRPC address.");
ABSL_FLAG(std::string, rpc, "issue", "issue, refresh, validate or empty.");
ABSL_FLAG(int, clients, 8, "Outstanding calls.");
ABSL_FLAG(double, seconds, 10, "How long to run.");
ABSL_FLAG(int, server_pid, -1,
          "tesserad's pid: also report its CPU time per call (from /proc).");

namespace tessera::bench {
namespace {

int Main() {
  const Target target = {.address = absl::GetFlag(FLAGS_address)};
  const std::string rpc = absl::GetFlag(FLAGS_rpc);
  const int clients = absl::GetFlag(FLAGS_clients);
  const absl::Duration duration = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  const pid_t server = absl::GetFlag(FLAGS_server_pid);
  Result result;
  if (rpc == "issue") {
    result =
        WithCpu(server, [&] { return IssueLoop(target, clients, duration); });
  } else if (rpc == "refresh") {
    result = WithCpu(server, [&] {
      return RefreshOwnSessionsLoop(target, clients, duration);
    });
  } else if (rpc == "empty") {
    result = WithCpu(server,
                     [&] { return EmptyCallLoop(target, clients, duration); });
  } else if (rpc == "validate") {
    result = WithCpu(server,
                     [&] { return ValidateLoop(target, clients, duration); });
  } else {
    std::fprintf(stderr, "--rpc must be issue, refresh, validate or empty\n");
    return 2;
  }
  std::printf("%s, %d clients: %s; CPU per call, us: %s\n", rpc.c_str(),
              clients, Cell(result).c_str(), CpuCell(result).c_str());
  return result.calls > 0 ? 0 : 1;
}

}  // namespace
}  // namespace tessera::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  tessera::bench::InitLoadGenerator();
  return tessera::bench::Main();
}
