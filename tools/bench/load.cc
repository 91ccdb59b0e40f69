#include "tools/bench/load.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "tessera/v1/token_authority.grpc.pb.h"

namespace tessera::bench {

void InitLoadGenerator() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

Result Summarize(std::vector<absl::Duration>& latencies,
                 absl::Duration elapsed) {
  Result result;
  if (latencies.empty()) return result;
  std::sort(latencies.begin(), latencies.end());
  result.calls = static_cast<int64_t>(latencies.size());
  result.ops_per_second = latencies.size() / absl::ToDoubleSeconds(elapsed);
  result.p50 = latencies[latencies.size() / 2];
  result.p99 =
      latencies[std::min(latencies.size() - 1, latencies.size() * 99 / 100)];
  return result;
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

std::string MedianRangeCell(std::vector<double> ratios) {
  if (ratios.empty()) return "-";
  std::sort(ratios.begin(), ratios.end());
  return absl::StrFormat("%.2f (%.2f-%.2f)", ratios[ratios.size() / 2],
                         ratios.front(), ratios.back());
}

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

Result ClosedLoop(
    int outstanding, absl::Duration duration,
    const std::function<void(int, std::function<void(bool)>)>& start) {
  struct State {
    absl::Mutex mu;
    std::vector<absl::Duration> latencies ABSL_GUARDED_BY(mu);
    int running ABSL_GUARDED_BY(mu) = 0;
    int64_t failed ABSL_GUARDED_BY(mu) = 0;
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
        ++state->failed;
      }
    });
  };
  const absl::Time begin = absl::Now();
  {
    absl::MutexLock lock(&state->mu);
    state->running = outstanding;
  }
  for (int chain = 0; chain < outstanding; ++chain) next(chain);
  absl::SleepFor(duration);
  state->stop = true;
  const absl::Duration elapsed = absl::Now() - begin;
  absl::MutexLock lock(&state->mu);
  state->mu.Await(absl::Condition(
      +[](int* running) { return *running == 0; }, &state->running));
  Result result = Summarize(state->latencies, elapsed);
  result.failed = state->failed;
  return result;
}

std::vector<std::shared_ptr<grpc::Channel>> Channels(const Target& target) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < 8; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.channel_id", i);  // Distinct subchannels.
    channels.push_back(grpc::CreateCustomChannel(
        target.address,
        target.credentials != nullptr ? target.credentials
                                      : grpc::InsecureChannelCredentials(),
        args));
  }
  return channels;
}

void Authorize(const Target& target, grpc::ClientContext& context) {
  if (!target.api_key.empty()) {
    context.AddMetadata("authorization",
                        absl::StrCat("Bearer ", target.api_key));
  }
}

Result IssueLoop(const Target& target, int outstanding,
                 absl::Duration duration) {
  auto stubs = Stubs<tessera::v1::TokenAuthority>(target);
  CallKeeper keeper(outstanding);
  return ClosedLoop(
      outstanding, duration, [&](int chain, std::function<void(bool)> done) {
        struct Call {
          grpc::ClientContext context;
          tessera::v1::IssueSessionRequest request;
          tessera::v1::SessionTokens response;
        };
        Call* call = keeper.Keep(chain, std::make_shared<Call>());
        Authorize(target, call->context);
        call->request.set_subject(absl::StrCat("bench-user-", chain));
        call->request.add_audience("api");
        (*call->request.mutable_claims()->mutable_fields())["role"]
            .set_string_value("member");
        stubs[chain % stubs.size()]->async()->IssueSession(
            &call->context, &call->request, &call->response,
            [call, done](grpc::Status status) { done(status.ok()); });
      });
}

Result RefreshLoop(const Target& target, int outstanding,
                   std::vector<std::string> refresh_tokens,
                   absl::Duration duration) {
  if (refresh_tokens.empty()) return {};
  auto stubs = Stubs<tessera::v1::TokenAuthority>(target);
  CallKeeper keeper(outstanding);
  // Each chain owns one slot and writes back its session's newest token.
  auto tokens = std::make_shared<std::vector<std::string>>(outstanding);
  for (int chain = 0; chain < outstanding; ++chain) {
    (*tokens)[chain] = refresh_tokens[chain % refresh_tokens.size()];
  }
  return ClosedLoop(outstanding, duration,
                    [&, tokens](int chain, std::function<void(bool)> done) {
                      struct Call {
                        grpc::ClientContext context;
                        tessera::v1::RefreshSessionRequest request;
                        tessera::v1::SessionTokens response;
                      };
                      Call* call = keeper.Keep(chain, std::make_shared<Call>());
                      Authorize(target, call->context);
                      Authorize(target, call->context);
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

Result RefreshOwnSessionsLoop(const Target& target, int outstanding,
                              absl::Duration duration) {
  auto stub = std::move(Stubs<tessera::v1::TokenAuthority>(target)[0]);
  std::vector<std::string> tokens;
  for (int chain = 0; chain < outstanding; ++chain) {
    tessera::v1::IssueSessionRequest request;
    request.set_subject(absl::StrCat("bench-refresher-", chain));
    tessera::v1::SessionTokens issued;
    grpc::ClientContext context;
    Authorize(target, context);
    if (!stub->IssueSession(&context, request, &issued).ok()) return {};
    tokens.push_back(issued.refresh_token());
  }
  return RefreshLoop(target, outstanding, std::move(tokens), duration);
}

Result ValidateLoop(const Target& target, int outstanding,
                    absl::Duration duration) {
  auto stubs = Stubs<tessera::v1::TokenAuthority>(target);
  tessera::v1::IssueSessionRequest issue;
  issue.set_subject("bench-validated");
  issue.add_audience("api");
  tessera::v1::SessionTokens issued;
  grpc::ClientContext context;
  Authorize(target, context);
  if (!stubs[0]->IssueSession(&context, issue, &issued).ok()) return {};
  const std::string token = issued.access_token();
  CallKeeper keeper(outstanding);
  return ClosedLoop(outstanding, duration,
                    [&](int chain, std::function<void(bool)> done) {
                      struct Call {
                        grpc::ClientContext context;
                        tessera::v1::ValidateTokenRequest request;
                        tessera::v1::ValidateTokenResponse response;
                      };
                      Call* call = keeper.Keep(chain, std::make_shared<Call>());
                      Authorize(target, call->context);
                      call->request.set_access_token(token);
                      call->request.add_audience("api");
                      stubs[chain % stubs.size()]->async()->ValidateToken(
                          &call->context, &call->request, &call->response,
                          [call, done](grpc::Status status) {
                            done(status.ok() && call->response.valid());
                          });
                    });
}

Result EmptyCallLoop(const Target& target, int outstanding,
                     absl::Duration duration) {
  auto stubs = Stubs<grpc::health::v1::Health>(target);
  CallKeeper keeper(outstanding);
  return ClosedLoop(
      outstanding, duration, [&](int chain, std::function<void(bool)> done) {
        struct Call {
          grpc::ClientContext context;
          grpc::health::v1::HealthCheckRequest request;
          grpc::health::v1::HealthCheckResponse response;
        };
        Call* call = keeper.Keep(chain, std::make_shared<Call>());
        Authorize(target, call->context);
        stubs[chain % stubs.size()]->async()->Check(
            &call->context, &call->request, &call->response,
            [call, done](grpc::Status status) { done(status.ok()); });
      });
}

}  // namespace tessera::bench
