#include "tools/bench/load.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "client/api/client.h"
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

double RssMiB(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    int64_t kib = 0;
    if (absl::StartsWith(line, "VmRSS:") &&
        absl::SimpleAtoi(
            absl::StripAsciiWhitespace(absl::StripSuffix(line.substr(6), "kB")),
            &kib)) {
      return kib / 1024.0;
    }
  }
  return 0;
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

namespace {

std::shared_ptr<grpc::ChannelCredentials> Credentials(const Target& target) {
  return target.credentials != nullptr ? target.credentials
                                       : grpc::InsecureChannelCredentials();
}

}  // namespace

std::vector<std::shared_ptr<grpc::Channel>> Channels(const Target& target) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < 8; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.channel_id", i);  // Distinct subchannels.
    channels.push_back(
        grpc::CreateCustomChannel(target.address, Credentials(target), args));
  }
  return channels;
}

void Authorize(const Target& target, grpc::ClientContext& context) {
  AttachApiKey(target.api_key, context);
}

namespace {

// One connection for the calls a loop makes before it is measured.
std::unique_ptr<tessera::v1::TokenAuthority::Stub> SetUpStub(
    const Target& target) {
  return tessera::v1::TokenAuthority::NewStub(
      grpc::CreateChannel(target.address, Credentials(target)));
}

// A session to work with, issued before the measurement.
std::optional<tessera::v1::SessionTokens> IssueOne(
    const Target& target, tessera::v1::TokenAuthority::Stub& stub,
    const std::string& subject, const std::string& audience = "") {
  tessera::v1::IssueSessionRequest request;
  request.set_subject(subject);
  if (!audience.empty()) request.add_audience(audience);
  tessera::v1::SessionTokens issued;
  grpc::ClientContext context;
  Authorize(target, context);
  if (!stub.IssueSession(&context, request, &issued).ok()) return std::nullopt;
  return issued;
}

}  // namespace

Result IssueLoop(const Target& target, int outstanding,
                 absl::Duration duration) {
  using tessera::v1::IssueSessionRequest;
  using tessera::v1::SessionTokens;
  return UnaryLoop<tessera::v1::TokenAuthority, IssueSessionRequest,
                   SessionTokens>(
      target, outstanding, duration,
      [](int chain, IssueSessionRequest& request) {
        request.set_subject(absl::StrCat("bench-user-", chain));
        request.add_audience("api");
        (*request.mutable_claims()->mutable_fields())["role"].set_string_value(
            "member");
        return true;
      },
      [](auto& stub, auto* context, auto* request, auto* response, auto done) {
        stub.async()->IssueSession(context, request, response, done);
      },
      [](int, const grpc::Status& status, const SessionTokens&) {
        return status.ok();
      });
}

Result RefreshLoop(const Target& target, int outstanding,
                   std::vector<std::string> refresh_tokens,
                   absl::Duration duration) {
  if (refresh_tokens.empty()) return {};
  using tessera::v1::RefreshSessionRequest;
  using tessera::v1::SessionTokens;
  // Each chain owns one slot and writes back its session's newest token.
  std::vector<std::string> tokens(outstanding);
  for (int chain = 0; chain < outstanding; ++chain) {
    tokens[chain] = refresh_tokens[chain % refresh_tokens.size()];
  }
  return UnaryLoop<tessera::v1::TokenAuthority, RefreshSessionRequest,
                   SessionTokens>(
      target, outstanding, duration,
      [&](int chain, RefreshSessionRequest& request) {
        request.set_refresh_token(tokens[chain]);
        return true;
      },
      [](auto& stub, auto* context, auto* request, auto* response, auto done) {
        stub.async()->RefreshSession(context, request, response, done);
      },
      [&](int chain, const grpc::Status& status, const SessionTokens& answer) {
        if (status.ok()) tokens[chain] = answer.refresh_token();
        return status.ok();
      });
}

Result RefreshOwnSessionsLoop(const Target& target, int outstanding,
                              absl::Duration duration) {
  const std::unique_ptr<tessera::v1::TokenAuthority::Stub> stub =
      SetUpStub(target);
  std::vector<std::string> tokens;
  for (int chain = 0; chain < outstanding; ++chain) {
    std::optional<tessera::v1::SessionTokens> issued =
        IssueOne(target, *stub, absl::StrCat("bench-refresher-", chain));
    if (!issued.has_value()) return {};
    tokens.push_back(issued->refresh_token());
  }
  return RefreshLoop(target, outstanding, std::move(tokens), duration);
}

Result ValidateLoop(const Target& target, int outstanding,
                    absl::Duration duration) {
  std::optional<tessera::v1::SessionTokens> issued =
      IssueOne(target, *SetUpStub(target), "bench-validated", "api");
  if (!issued.has_value()) return {};
  const std::string token = issued->access_token();
  using tessera::v1::ValidateTokenRequest;
  using tessera::v1::ValidateTokenResponse;
  return UnaryLoop<tessera::v1::TokenAuthority, ValidateTokenRequest,
                   ValidateTokenResponse>(
      target, outstanding, duration,
      [&](int, ValidateTokenRequest& request) {
        request.set_access_token(token);
        request.add_audience("api");
        return true;
      },
      [](auto& stub, auto* context, auto* request, auto* response, auto done) {
        stub.async()->ValidateToken(context, request, response, done);
      },
      [](int, const grpc::Status& status, const ValidateTokenResponse& answer) {
        return status.ok() && answer.valid();
      });
}

Result EmptyCallLoop(const Target& target, int outstanding,
                     absl::Duration duration) {
  using grpc::health::v1::HealthCheckRequest;
  using grpc::health::v1::HealthCheckResponse;
  return UnaryLoop<grpc::health::v1::Health, HealthCheckRequest,
                   HealthCheckResponse>(
      target, outstanding, duration,
      [](int, HealthCheckRequest&) { return true; },
      [](auto& stub, auto* context, auto* request, auto* response, auto done) {
        stub.async()->Check(context, request, response, done);
      },
      [](int, const grpc::Status& status, const HealthCheckResponse&) {
        return status.ok();
      });
}

}  // namespace tessera::bench
