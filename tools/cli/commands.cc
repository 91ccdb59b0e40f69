#include "tools/cli/commands.h"

#include <unistd.h>

#include <iostream>
#include <thread>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/base/timestamps.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tools/bench/load.h"
#include "tools/cli/command_line.h"
#include "tools/cli/flags.h"
#include "tools/cli/render.h"

namespace tessera::cli {
namespace {

int Print(const google::protobuf::Message& message) {
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << RenderJson(message) << "\n";
  } else {
    std::cout << RenderText(message);
  }
  std::cout.flush();
  return kOk;
}

int Fail(absl::string_view command, const absl::Status& status) {
  std::string reason = ErrorReason(status);
  std::cerr << "tessera: " << command << ": "
            << absl::StatusCodeToString(status.code())
            << (reason.empty() ? "" : " ") << reason << ": " << status.message()
            << "\n";
  return kFailed;
}

absl::StatusOr<std::string> Required(const std::string& value,
                                     absl::string_view flag) {
  if (value.empty()) {
    return UsageError(absl::StrCat("--", flag, " is required"));
  }
  return value;
}

// A secret given as "-" comes from stdin (one line), out of `ps`.
absl::StatusOr<std::string> Secret(const std::string& value,
                                   absl::string_view flag) {
  if (value != "-") return Required(value, flag);
  std::string line;
  std::getline(std::cin, line);
  line = std::string(absl::StripAsciiWhitespace(line));
  if (line.empty()) {
    return UsageError(absl::StrCat("--", flag, "=- read nothing from stdin"));
  }
  return line;
}

absl::StatusOr<google::protobuf::Struct> Claims() {
  google::protobuf::Struct claims;
  const std::string json = absl::GetFlag(FLAGS_claims);
  if (json.empty()) return claims;
  if (!google::protobuf::util::JsonStringToMessage(json, &claims).ok()) {
    return UsageError(
        "--claims must be a JSON object, e.g. {\"role\":\"admin\"}");
  }
  return claims;
}

// --mode, or --merge (the older spelling of --mode=merge), into `request`.
// --mode=merge also sets `merge`, which servers that predate `mode` read.
absl::Status SetClaimsMode(v1::UpdateClaimsRequest& request) {
  const std::string mode = absl::GetFlag(FLAGS_mode);
  const bool merge = absl::GetFlag(FLAGS_merge);
  if (merge && !mode.empty() && mode != "merge") {
    return UsageError("--merge is --mode=merge; give one or the other");
  }
  if (mode == "merge" || merge) {
    request.set_mode(v1::CLAIMS_MODE_MERGE_TOP_LEVEL);
    request.set_merge(true);
  } else if (mode == "patch") {
    request.set_mode(v1::CLAIMS_MODE_MERGE_PATCH);
  } else if (mode == "replace") {
    request.set_mode(v1::CLAIMS_MODE_REPLACE);
  } else if (!mode.empty()) {
    return UsageError("--mode must be replace, merge or patch");
  }
  return absl::OkStatus();
}

// Runs `call` and reports on stderr, if it is a terminal, how long it has
// been running: backups of big stores take a while.
template <typename T>
T WithProgress(absl::string_view what, const std::function<T()>& call) {
  if (!isatty(STDERR_FILENO)) return call();
  absl::Notification done;
  std::thread ticker([&] {
    const absl::Time start = absl::Now();
    while (!done.WaitForNotificationWithTimeout(absl::Seconds(1))) {
      std::cerr << "\r" << what << "... "
                << absl::FormatDuration(
                       absl::Trunc(absl::Now() - start, absl::Seconds(1)))
                << std::flush;
    }
    std::cerr << "\r\033[K" << std::flush;
  });
  T result = call();
  done.Notify();
  ticker.join();
  return result;
}

template <typename Response>
int Answer(absl::string_view command, const absl::StatusOr<Response>& answer) {
  if (!answer.ok()) return Fail(command, answer.status());
  return Print(*answer);
}

void PrintBench(absl::string_view rpc, int clients,
                const bench::Result& result) {
  const double p50_ms = absl::ToDoubleMilliseconds(result.p50);
  const double p99_ms = absl::ToDoubleMilliseconds(result.p99);
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << absl::StrFormat(
        "{\"rpc\":\"%s\",\"clients\":%d,\"calls\":%d,\"failed\":%d,"
        "\"callsPerSecond\":%.1f,\"p50Ms\":%.3f,\"p99Ms\":%.3f}\n",
        rpc, clients, result.calls, result.failed, result.ops_per_second,
        p50_ms, p99_ms);
  } else {
    std::cout << absl::StrFormat(
        "rpc: %s\nclients: %d\ncalls: %d\nfailed: %d\ncalls_per_second: "
        "%.0f\np50: %.3fms\np99: %.3fms\n",
        rpc, clients, result.calls, result.failed, result.ops_per_second,
        p50_ms, p99_ms);
  }
  std::cout.flush();
}

// Reads a flag through `read` (Required, Secret, ...) into `*out`, or
// returns its usage error from the enclosing handler.
#define TESSERA_CLI_READ(out, expr) \
  do {                              \
    auto read_value = (expr);       \
    if (!read_value.ok()) {         \
      return read_value.status();   \
    }                               \
    out = *std::move(read_value);   \
  } while (0)

absl::StatusOr<int> Issue(Client& client, const ClientOptions&) {
  v1::IssueSessionRequest request;
  TESSERA_CLI_READ(*request.mutable_subject(),
                   Required(absl::GetFlag(FLAGS_subject), "subject"));
  for (const std::string& aud : absl::GetFlag(FLAGS_audience)) {
    request.add_audience(aud);
  }
  TESSERA_CLI_READ(*request.mutable_claims(), Claims());
  if (absl::GetFlag(FLAGS_access_ttl) > absl::ZeroDuration()) {
    *request.mutable_access_ttl() = ToDuration(absl::GetFlag(FLAGS_access_ttl));
  }
  if (absl::GetFlag(FLAGS_session_ttl) > absl::ZeroDuration()) {
    *request.mutable_session_ttl() =
        ToDuration(absl::GetFlag(FLAGS_session_ttl));
  }
  request.mutable_client()->set_user_agent(absl::GetFlag(FLAGS_user_agent));
  request.mutable_client()->set_ip_address(absl::GetFlag(FLAGS_ip_address));
  request.mutable_client()->set_device_name(absl::GetFlag(FLAGS_device_name));
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  return Answer("issue", client.IssueSession(request));
}

absl::StatusOr<int> Refresh(Client& client, const ClientOptions&) {
  v1::RefreshSessionRequest request;
  TESSERA_CLI_READ(*request.mutable_refresh_token(),
                   Secret(absl::GetFlag(FLAGS_refresh_token), "refresh_token"));
  return Answer("refresh", client.RefreshSession(request));
}

absl::StatusOr<int> Validate(Client& client, const ClientOptions&) {
  v1::ValidateTokenRequest request;
  TESSERA_CLI_READ(*request.mutable_access_token(),
                   Secret(absl::GetFlag(FLAGS_access_token), "access_token"));
  for (const std::string& aud : absl::GetFlag(FLAGS_audience)) {
    request.add_audience(aud);
  }
  auto answer = client.ValidateToken(request);
  const int printed = Answer("validate", answer);
  return printed == kOk && answer->valid() ? kOk : kFailed;
}

// Exactly one of --session_id, --subject, --refresh_token, --access_token
// into `request`'s target.
absl::Status SetRevokeTarget(v1::RevokeSessionRequest& request) {
  int targets = 0;
  if (!absl::GetFlag(FLAGS_session_id).empty()) {
    request.set_session_id(absl::GetFlag(FLAGS_session_id));
    ++targets;
  }
  if (!absl::GetFlag(FLAGS_subject).empty()) {
    request.set_subject(absl::GetFlag(FLAGS_subject));
    ++targets;
  }
  if (!absl::GetFlag(FLAGS_refresh_token).empty()) {
    TESSERA_CLI_READ(
        *request.mutable_refresh_token(),
        Secret(absl::GetFlag(FLAGS_refresh_token), "refresh_token"));
    ++targets;
  }
  if (!absl::GetFlag(FLAGS_access_token).empty()) {
    TESSERA_CLI_READ(*request.mutable_access_token(),
                     Secret(absl::GetFlag(FLAGS_access_token), "access_token"));
    ++targets;
  }
  if (targets != 1) {
    return UsageError(
        "give exactly one of --session_id, --subject, --refresh_token, "
        "--access_token");
  }
  return absl::OkStatus();
}

absl::StatusOr<int> Revoke(Client& client, const ClientOptions&) {
  v1::RevokeSessionRequest request;
  if (absl::Status set = SetRevokeTarget(request); !set.ok()) return set;
  request.set_reason(absl::GetFlag(FLAGS_reason));
  return Answer("revoke", client.RevokeSession(request));
}

absl::StatusOr<int> GetSession(Client& client, const ClientOptions&) {
  v1::GetSessionRequest request;
  TESSERA_CLI_READ(*request.mutable_session_id(),
                   Required(absl::GetFlag(FLAGS_session_id), "session_id"));
  return Answer("get-session", client.GetSession(request));
}

absl::StatusOr<int> ListSessions(Client& client, const ClientOptions&) {
  v1::ListSessionsRequest request;
  TESSERA_CLI_READ(*request.mutable_subject(),
                   Required(absl::GetFlag(FLAGS_subject), "subject"));
  request.set_page_size(absl::GetFlag(FLAGS_page_size));
  request.set_page_token(absl::GetFlag(FLAGS_page_token));
  request.set_include_revoked(absl::GetFlag(FLAGS_include_revoked));
  return Answer("list-sessions", client.ListSessions(request));
}

absl::StatusOr<int> UpdateClaims(Client& client, const ClientOptions&) {
  v1::UpdateClaimsRequest request;
  TESSERA_CLI_READ(*request.mutable_subject(),
                   Required(absl::GetFlag(FLAGS_subject), "subject"));
  std::string claims_json;
  TESSERA_CLI_READ(claims_json,
                   Required(absl::GetFlag(FLAGS_claims), "claims"));
  TESSERA_CLI_READ(*request.mutable_claims(), Claims());
  if (absl::Status set = SetClaimsMode(request); !set.ok()) return set;
  request.set_invalidate_access_tokens(
      absl::GetFlag(FLAGS_invalidate_access_tokens));
  return Answer("update-claims", client.UpdateClaims(request));
}

absl::StatusOr<int> Jwks(Client& client, const ClientOptions&) {
  auto answer = client.GetJwks();
  if (!answer.ok()) return Fail("jwks", answer.status());
  if (absl::GetFlag(FLAGS_json)) return Print(*answer);
  std::cout << answer->jwks_json() << "\n";
  return kOk;
}

absl::StatusOr<int> Watch(Client& client, const ClientOptions&) {
  v1::WatchRevocationsRequest request;
  request.set_after_sequence(absl::GetFlag(FLAGS_after_sequence));
  request.set_incarnation(absl::GetFlag(FLAGS_incarnation));
  const int64_t count = absl::GetFlag(FLAGS_count);
  if (count < 0) return UsageError("--count must be >= 0");
  int64_t seen = 0;
  const absl::Status status =
      client.WatchRevocations(request, [&](const v1::RevocationEvent& event) {
        if (absl::GetFlag(FLAGS_json)) {
          std::cout << RenderJson(event) << "\n";
        } else {
          std::cout << RenderText(event) << "\n";
        }
        std::cout.flush();
        if (event.has_heartbeat()) return true;
        return count == 0 || ++seen < count;
      });
  if (!status.ok()) return Fail("watch", status);
  return kOk;
}

absl::StatusOr<int> RotateKey(Client& client, const ClientOptions&) {
  v1::RotateSigningKeyRequest request;
  const std::string alg = absl::GetFlag(FLAGS_alg);
  if (alg == "ES256") {
    request.set_algorithm(v1::SIGNING_ALGORITHM_ES256);
  } else if (alg == "EdDSA") {
    request.set_algorithm(v1::SIGNING_ALGORITHM_EDDSA);
  } else if (alg == "RS256") {
    request.set_algorithm(v1::SIGNING_ALGORITHM_RS256);
  } else if (!alg.empty()) {
    return UsageError("--alg must be ES256, EdDSA or RS256");
  }
  return Answer("rotate-key", client.RotateSigningKey(request));
}

absl::StatusOr<int> WithdrawKey(Client& client, const ClientOptions&) {
  v1::WithdrawSigningKeyRequest request;
  TESSERA_CLI_READ(*request.mutable_kid(),
                   Required(absl::GetFlag(FLAGS_kid), "kid"));
  request.set_reason(absl::GetFlag(FLAGS_reason));
  return Answer("withdraw-key", client.WithdrawSigningKey(request));
}

absl::StatusOr<int> ListKeys(Client& client, const ClientOptions&) {
  return Answer("list-keys", client.ListSigningKeys());
}

absl::StatusOr<int> Stats(Client& client, const ClientOptions&) {
  return Answer("stats", client.GetStats());
}

absl::StatusOr<int> Backup(Client& client, const ClientOptions&) {
  v1::CreateBackupRequest request;
  TESSERA_CLI_READ(*request.mutable_path(),
                   Required(absl::GetFlag(FLAGS_path), "path"));
  const absl::Duration deadline = DeadlineOf("backup");
  using Result = absl::StatusOr<v1::CreateBackupResponse>;
  return Answer("backup", WithProgress<Result>("creating the backup", [&] {
                  return client.CreateBackup(request, deadline);
                }));
}

// The load loop --rpc names, against `target`.
absl::StatusOr<std::function<bench::Result()>> BenchLoop(
    const std::string& rpc, const bench::Target& target, int clients,
    absl::Duration duration) {
  if (rpc == "issue") {
    return [=] { return bench::IssueLoop(target, clients, duration); };
  }
  if (rpc == "refresh") {
    return [=] {
      return bench::RefreshOwnSessionsLoop(target, clients, duration);
    };
  }
  if (rpc == "validate") {
    return [=] { return bench::ValidateLoop(target, clients, duration); };
  }
  if (rpc == "empty") {
    return [=] { return bench::EmptyCallLoop(target, clients, duration); };
  }
  return UsageError("--rpc must be issue, refresh, validate or empty");
}

absl::StatusOr<int> Bench(Client&, const ClientOptions& options) {
  const std::string rpc = absl::GetFlag(FLAGS_rpc);
  const int clients = absl::GetFlag(FLAGS_clients);
  const absl::Duration duration = absl::GetFlag(FLAGS_duration);
  if (clients < 1 || clients > 10000) {
    return UsageError("--clients must be 1-10000");
  }
  if (duration <= absl::ZeroDuration() || duration > absl::Hours(1)) {
    return UsageError("--duration must be positive, at most 1h");
  }
  absl::StatusOr<std::function<bench::Result()>> loop =
      BenchLoop(rpc,
                {.address = options.target,
                 .credentials = options.credentials,
                 .api_key = options.api_key},
                clients, duration);
  if (!loop.ok()) return loop.status();
  bench::InitLoadGenerator();
  const bench::Result result = WithProgress<bench::Result>(
      absl::StrCat(rpc, " at ", clients, " clients for ",
                   absl::FormatDuration(duration)),
      *loop);
  PrintBench(rpc, clients, result);
  if (result.calls == 0 || result.failed > 0) {
    std::cerr << "tessera: bench: " << result.failed << " of " << result.calls
              << " calls failed (each ends its chain); make one call "
                 "(`tessera "
              << (rpc == "empty" ? "health" : "issue --subject=x")
              << "`) to see why\n";
    return kFailed;
  }
  return kOk;
}

absl::StatusOr<int> Health(Client& client, const ClientOptions& options) {
  auto stub = grpc::health::v1::Health::NewStub(client.channel());
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options.deadline));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) return Fail("health", FromGrpcStatus(status));
  Print(response);
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING
             ? kOk
             : kFailed;
}

#undef TESSERA_CLI_READ

}  // namespace

std::vector<Command> Commands() {
  return {
      {"issue",
       "--subject=S [--audience=A,B] [--claims=JSON] [--request_id=ID] ...",
       "start a session: access + refresh token",
       {"subject", "audience", "claims", "access_ttl", "session_ttl",
        "user_agent", "ip_address", "device_name", "request_id"},
       Issue},
      {"refresh",
       "--refresh_token=T|-",
       "rotate: new access + refresh token",
       {"refresh_token"},
       Refresh},
      {"validate",
       "--access_token=T|- [--audience=A]",
       "check an access token (exit 1 if invalid)",
       {"access_token", "audience"},
       Validate},
      {"revoke",
       "--session_id=ID | --subject=S | --refresh_token=T|- | "
       "--access_token=T|- [--reason=R]",
       "end one session, or every session of a subject",
       {"session_id", "subject", "refresh_token", "access_token", "reason"},
       Revoke},
      {"get-session",
       "--session_id=ID",
       "one session's record",
       {"session_id"},
       GetSession},
      {"list-sessions",
       "--subject=S [--page_size=N] [--page_token=T] [--include_revoked]",
       "a subject's sessions, a page at a time",
       {"subject", "page_size", "page_token", "include_revoked"},
       ListSessions},
      {"update-claims",
       "--subject=S --claims=JSON [--mode=replace|merge|patch] "
       "[--invalidate_access_tokens]",
       "change a subject's custom claims",
       {"subject", "claims", "mode", "merge", "invalidate_access_tokens"},
       UpdateClaims},
      {"jwks", "", "the published public keys (JWKS)", {}, Jwks},
      {"watch",
       "[--after_sequence=N [--incarnation=ID]] [--count=N]",
       "follow the revocation stream (Ctrl-C to stop)",
       {"after_sequence", "incarnation", "count"},
       Watch},
      {"rotate-key",
       "[--alg=ES256|EdDSA|RS256]",
       "admin: NEXT becomes ACTIVE, ACTIVE retires, a new NEXT",
       {"alg"},
       RotateKey},
      {"withdraw-key",
       "--kid=KID [--reason=R]",
       "admin: remove a compromised key now; its tokens fail everywhere",
       {"kid", "reason"},
       WithdrawKey},
      {"list-keys", "", "admin: signing keys and their states", {}, ListKeys},
      {"stats",
       "",
       "admin: sessions, revocations, keys, store size",
       {},
       Stats},
      {"backup",
       "--path=DIR",
       "admin: consistent copy of the store on the server host",
       {"path"},
       Backup},
      {"bench",
       "[--rpc=issue|refresh|validate|empty] [--clients=N] [--duration=D]",
       "load the server, print rate and latency (issue writes sessions)",
       {"rpc", "clients", "duration"},
       Bench},
      {"health", "", "is tesserad serving? (exit 1 if not)", {}, Health},
  };
}

}  // namespace tessera::cli
