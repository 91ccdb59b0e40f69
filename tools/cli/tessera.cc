// tessera: the command-line client of tesserad, on tessera::Client.
//
//   tessera [--address=HOST:PORT] [--json] <command> [flags]
//
// Every RPC of tessera.v1.TokenAuthority and tessera.v1.Admin has a command
// (run `tessera` alone for the list). Answers go to stdout, for people or,
// with --json, as canonical proto3 JSON (one object per line for `watch`).
// Errors go to stderr as "tessera: <command>: <CODE> <REASON>: <message>".
//
// `bench` loads a server with one kind of call (//tools/bench's load
// generator) and prints the rate and latency.
//
// Exit status: 0 done (for `validate`: the token is valid; for `health`:
// serving), 1 the call failed or said no, 2 the command line is wrong.
//
// Secrets stay out of argv, where `ps` shows them: the API key comes from
// $TESSERA_API_KEY or --api_key_file, and a token flag given as "-" is read
// from stdin.

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/api/client.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tools/bench/load.h"
#include "tools/cli/render.h"

// Connection.
ABSL_FLAG(std::string, address, "127.0.0.1:50051", "tesserad's gRPC address.");
ABSL_FLAG(bool, json, false, "Print answers as proto3 JSON.");
ABSL_FLAG(absl::Duration, deadline, absl::Seconds(5),
          "Deadline of each call (`backup`: default 1h).");
ABSL_FLAG(std::string, api_key_file, "",
          "File holding the API key (else $TESSERA_API_KEY, else none).");
ABSL_FLAG(std::string, tls_ca_file, "",
          "PEM CA certificates to trust: connect with TLS.");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM client certificate chain, for mutual TLS.");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of --tls_cert_file.");

// Command arguments (each command says which it takes).
ABSL_FLAG(std::string, subject, "", "User the session belongs to.");
ABSL_FLAG(std::vector<std::string>, audience, {},
          "Audiences, comma-separated.");
ABSL_FLAG(std::string, claims, "", "Custom claims, a JSON object.");
ABSL_FLAG(absl::Duration, access_ttl, absl::ZeroDuration(),
          "Requested access-token lifetime (capped by the server).");
ABSL_FLAG(absl::Duration, session_ttl, absl::ZeroDuration(),
          "Requested session lifetime (capped by the server).");
ABSL_FLAG(std::string, user_agent, "", "Client info: user agent.");
ABSL_FLAG(std::string, ip_address, "", "Client info: IP address.");
ABSL_FLAG(std::string, device_name, "", "Client info: device name.");
ABSL_FLAG(std::string, refresh_token, "", "A refresh token; - reads stdin.");
ABSL_FLAG(std::string, access_token, "", "An access token; - reads stdin.");
ABSL_FLAG(std::string, session_id, "", "A session id.");
ABSL_FLAG(std::string, reason, "", "Why (kept with the revocation).");
ABSL_FLAG(int, page_size, 0, "Sessions per page (server default if 0).");
ABSL_FLAG(std::string, page_token, "", "next_page_token of the last page.");
ABSL_FLAG(bool, include_revoked, false, "Also list revoked sessions.");
ABSL_FLAG(bool, merge, false, "Merge into the current claims.");
ABSL_FLAG(bool, invalidate_access_tokens, false,
          "Make current access tokens STALE_CLAIMS at once.");
ABSL_FLAG(uint64_t, after_sequence, 0, "Events after this sequence.");
ABSL_FLAG(int64_t, count, 0,
          "Stop after this many events, heartbeats not counted (0: follow).");
ABSL_FLAG(std::string, alg, "", "ES256, EdDSA or RS256 (default: unchanged).");
ABSL_FLAG(std::string, path, "", "Directory to create on the server host.");
ABSL_FLAG(std::string, rpc, "issue",
          "bench: issue, refresh, validate or empty (Health/Check).");
ABSL_FLAG(int, clients, 8, "bench: calls kept outstanding.");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(10), "bench: how long.");

namespace tessera::cli {
namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

// A command-line mistake (exit 2): an InvalidArgument status from a
// command's own checks, before any call is made.
absl::Status UsageError(absl::string_view message) {
  return absl::InvalidArgumentError(message);
}

struct Command {
  std::string name;
  std::string args;  // Shown in the usage line.
  std::string summary;
  std::vector<std::string> flags;  // Command flags it reads.
  // The exit status, or a usage error.
  std::function<absl::StatusOr<int>(Client&, const ClientOptions&)> run;
};

const std::set<std::string>& ConnectionFlags() {
  static const auto* flags = new std::set<std::string>{
      "address",     "json",          "deadline",     "api_key_file",
      "tls_ca_file", "tls_cert_file", "tls_key_file", "help",
      "helpfull",    "helpshort",     "version",      "flagfile",
      "fromenv",     "tryfromenv",    "undefok"};
  return *flags;
}

// Checks every flag in argv the way absl::ParseCommandLine will read it
// ("--x=1", "-x=1", "--x 1", "--x" and "--nox" for booleans) and returns
// the names given. absl would exit 1 on an unknown flag or a bad value; the
// CLI promises 2 for every command-line mistake, so it looks first.
absl::StatusOr<std::set<std::string>> GivenFlags(int argc, char** argv) {
  std::set<std::string> names;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 2 || !absl::ConsumePrefix(&arg, "-")) continue;
    absl::ConsumePrefix(&arg, "-");
    const size_t equals = arg.find('=');
    std::string name(arg.substr(0, equals));
    std::optional<std::string> value;
    if (equals != absl::string_view::npos) {
      value = std::string(arg.substr(equals + 1));
    }
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr && absl::StartsWith(name, "no") && !value) {
      flag = absl::FindCommandLineFlag(name.substr(2));
      if (flag != nullptr && flag->IsOfType<bool>()) {
        names.insert(name.substr(2));
        continue;
      }
      flag = nullptr;
    }
    if (flag == nullptr) {
      return UsageError(absl::StrCat("unknown flag --", name,
                                     " (tessera --helpfull lists them)"));
    }
    names.insert(name);
    if (!value) {
      if (flag->IsOfType<bool>()) continue;
      if (i + 1 >= argc) {
        return UsageError(absl::StrCat("--", name, " needs a value"));
      }
      value = argv[++i];
    }
    std::string error;
    if (!flag->ParseFrom(*value, &error)) {
      return UsageError(absl::StrCat("--", name, ": ", error));
    }
  }
  return names;
}

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

google::protobuf::Duration ToProto(absl::Duration d) {
  google::protobuf::Duration out;
  out.set_seconds(absl::IDivDuration(d, absl::Seconds(1), &d));
  out.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(d)));
  return out;
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

std::vector<Command> Commands() {
  return {
      {"issue",
       "--subject=S [--audience=A,B] [--claims=JSON] ...",
       "start a session: access + refresh token",
       {"subject", "audience", "claims", "access_ttl", "session_ttl",
        "user_agent", "ip_address", "device_name"},
       [](Client& client, const ClientOptions&) -> absl::StatusOr<int> {
         v1::IssueSessionRequest request;
         TESSERA_CLI_READ(*request.mutable_subject(),
                          Required(absl::GetFlag(FLAGS_subject), "subject"));
         for (const std::string& aud : absl::GetFlag(FLAGS_audience)) {
           request.add_audience(aud);
         }
         TESSERA_CLI_READ(*request.mutable_claims(), Claims());
         if (absl::GetFlag(FLAGS_access_ttl) > absl::ZeroDuration()) {
           *request.mutable_access_ttl() =
               ToProto(absl::GetFlag(FLAGS_access_ttl));
         }
         if (absl::GetFlag(FLAGS_session_ttl) > absl::ZeroDuration()) {
           *request.mutable_session_ttl() =
               ToProto(absl::GetFlag(FLAGS_session_ttl));
         }
         request.mutable_client()->set_user_agent(
             absl::GetFlag(FLAGS_user_agent));
         request.mutable_client()->set_ip_address(
             absl::GetFlag(FLAGS_ip_address));
         request.mutable_client()->set_device_name(
             absl::GetFlag(FLAGS_device_name));
         return Answer("issue", client.IssueSession(request));
       }},
      {"refresh",
       "--refresh_token=T|-",
       "rotate: new access + refresh token",
       {"refresh_token"},
       [](Client& client, const ClientOptions&) -> absl::StatusOr<int> {
         v1::RefreshSessionRequest request;
         TESSERA_CLI_READ(
             *request.mutable_refresh_token(),
             Secret(absl::GetFlag(FLAGS_refresh_token), "refresh_token"));
         return Answer("refresh", client.RefreshSession(request));
       }},
      {"validate",
       "--access_token=T|- [--audience=A]",
       "check an access token (exit 1 if invalid)",
       {"access_token", "audience"},
       [](Client& client, const ClientOptions&) -> absl::StatusOr<int> {
         v1::ValidateTokenRequest request;
         TESSERA_CLI_READ(
             *request.mutable_access_token(),
             Secret(absl::GetFlag(FLAGS_access_token), "access_token"));
         for (const std::string& aud : absl::GetFlag(FLAGS_audience)) {
           request.add_audience(aud);
         }
         auto answer = client.ValidateToken(request);
         const int printed = Answer("validate", answer);
         return printed == kOk && answer->valid() ? kOk : kFailed;
       }},
      {"revoke",
       "--session_id=ID | --subject=S | --refresh_token=T|- | "
       "--access_token=T|- [--reason=R]",
       "end one session, or every session of a subject",
       {"session_id", "subject", "refresh_token", "access_token", "reason"},
       [](Client& client, const ClientOptions&) -> absl::StatusOr<int> {
         v1::RevokeSessionRequest request;
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
           TESSERA_CLI_READ(
               *request.mutable_access_token(),
               Secret(absl::GetFlag(FLAGS_access_token), "access_token"));
           ++targets;
         }
         if (targets != 1) {
           return UsageError(
               "give exactly one of --session_id, --subject, "
               "--refresh_token, --access_token");
         }
         request.set_reason(absl::GetFlag(FLAGS_reason));
         return Answer("revoke", client.RevokeSession(request));
       }},
      {"get-session",
       "--session_id=ID",
       "one session's record",
       {"session_id"},
       [](Client& client, const ClientOptions&) -> absl::StatusOr<int> {
         v1::GetSessionRequest request;
         TESSERA_CLI_READ(
             *request.mutable_session_id(),
             Required(absl::GetFlag(FLAGS_session_id), "session_id"));
         return Answer("get-session", client.GetSession(request));
       }},
      {"list-sessions",
       "--subject=S [--page_size=N] [--page_token=T] [--include_revoked]",
       "a subject's sessions, a page at a time",
       {"subject", "page_size", "page_token", "include_revoked"},
       [](Client& client, const ClientOptions&) -> absl::StatusOr<int> {
         v1::ListSessionsRequest request;
         TESSERA_CLI_READ(*request.mutable_subject(),
                          Required(absl::GetFlag(FLAGS_subject), "subject"));
         request.set_page_size(absl::GetFlag(FLAGS_page_size));
         request.set_page_token(absl::GetFlag(FLAGS_page_token));
         request.set_include_revoked(absl::GetFlag(FLAGS_include_revoked));
         return Answer("list-sessions", client.ListSessions(request));
       }},
      {"update-claims",
       "--subject=S --claims=JSON [--merge] [--invalidate_access_tokens]",
       "change a subject's custom claims",
       {"subject", "claims", "merge", "invalidate_access_tokens"},
       [](Client& client, const ClientOptions&) -> absl::StatusOr<int> {
         v1::UpdateClaimsRequest request;
         TESSERA_CLI_READ(*request.mutable_subject(),
                          Required(absl::GetFlag(FLAGS_subject), "subject"));
         std::string claims_json;
         TESSERA_CLI_READ(claims_json,
                          Required(absl::GetFlag(FLAGS_claims), "claims"));
         TESSERA_CLI_READ(*request.mutable_claims(), Claims());
         request.set_merge(absl::GetFlag(FLAGS_merge));
         request.set_invalidate_access_tokens(
             absl::GetFlag(FLAGS_invalidate_access_tokens));
         return Answer("update-claims", client.UpdateClaims(request));
       }},
      {"jwks",
       "",
       "the published public keys (JWKS)",
       {},
       [](Client& client, const ClientOptions&) -> absl::StatusOr<int> {
         auto answer = client.GetJwks();
         if (!answer.ok()) return Fail("jwks", answer.status());
         if (absl::GetFlag(FLAGS_json)) return Print(*answer);
         std::cout << answer->jwks_json() << "\n";
         return kOk;
       }},
      {"watch",
       "[--after_sequence=N] [--count=N]",
       "follow the revocation stream (Ctrl-C to stop)",
       {"after_sequence", "count"},
       [](Client& client, const ClientOptions&) -> absl::StatusOr<int> {
         v1::WatchRevocationsRequest request;
         request.set_after_sequence(absl::GetFlag(FLAGS_after_sequence));
         const int64_t count = absl::GetFlag(FLAGS_count);
         if (count < 0) return UsageError("--count must be >= 0");
         int64_t seen = 0;
         const absl::Status status = client.WatchRevocations(
             request, [&](const v1::RevocationEvent& event) {
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
       }},
      {"rotate-key",
       "[--alg=ES256|EdDSA|RS256]",
       "admin: NEXT becomes ACTIVE, ACTIVE retires, a new NEXT",
       {"alg"},
       [](Client& client, const ClientOptions&) -> absl::StatusOr<int> {
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
       }},
      {"list-keys",
       "",
       "admin: signing keys and their states",
       {},
       [](Client& client, const ClientOptions&) -> absl::StatusOr<int> {
         return Answer("list-keys", client.ListSigningKeys());
       }},
      {"stats",
       "",
       "admin: sessions, revocations, keys, store size",
       {},
       [](Client& client, const ClientOptions&) -> absl::StatusOr<int> {
         return Answer("stats", client.GetStats());
       }},
      {"backup",
       "--path=DIR",
       "admin: consistent copy of the store on the server host",
       {"path"},
       [](Client& client, const ClientOptions&) -> absl::StatusOr<int> {
         v1::CreateBackupRequest request;
         TESSERA_CLI_READ(*request.mutable_path(),
                          Required(absl::GetFlag(FLAGS_path), "path"));
         absl::Duration deadline = absl::GetFlag(FLAGS_deadline);
         if (deadline == absl::Seconds(5)) deadline = absl::Hours(1);
         using Result = absl::StatusOr<v1::CreateBackupResponse>;
         return Answer("backup",
                       WithProgress<Result>("creating the backup", [&] {
                         return client.CreateBackup(request, deadline);
                       }));
       }},
      {"bench",
       "[--rpc=issue|refresh|validate|empty] [--clients=N] [--duration=D]",
       "load the server, print rate and latency (issue writes sessions)",
       {"rpc", "clients", "duration"},
       [](Client&, const ClientOptions& options) -> absl::StatusOr<int> {
         const std::string rpc = absl::GetFlag(FLAGS_rpc);
         const int clients = absl::GetFlag(FLAGS_clients);
         const absl::Duration duration = absl::GetFlag(FLAGS_duration);
         if (clients < 1 || clients > 10000) {
           return UsageError("--clients must be 1-10000");
         }
         if (duration <= absl::ZeroDuration() || duration > absl::Hours(1)) {
           return UsageError("--duration must be positive, at most 1h");
         }
         const bench::Target target = {.address = options.target,
                                       .credentials = options.credentials,
                                       .api_key = options.api_key};
         bench::InitLoadGenerator();
         std::function<bench::Result()> loop;
         if (rpc == "issue") {
           loop = [&] { return bench::IssueLoop(target, clients, duration); };
         } else if (rpc == "refresh") {
           loop = [&] {
             return bench::RefreshOwnSessionsLoop(target, clients, duration);
           };
         } else if (rpc == "validate") {
           loop = [&] {
             return bench::ValidateLoop(target, clients, duration);
           };
         } else if (rpc == "empty") {
           loop = [&] {
             return bench::EmptyCallLoop(target, clients, duration);
           };
         } else {
           return UsageError("--rpc must be issue, refresh, validate or empty");
         }
         const bench::Result result = WithProgress<bench::Result>(
             absl::StrCat(rpc, " at ", clients, " clients for ",
                          absl::FormatDuration(duration)),
             loop);
         PrintBench(rpc, clients, result);
         if (result.calls == 0 || result.failed > 0) {
           std::cerr << "tessera: bench: " << result.failed << " of "
                     << result.calls
                     << " calls failed (each ends its chain); make one call "
                        "(`tessera "
                     << (rpc == "empty" ? "health" : "issue --subject=x")
                     << "`) to see why\n";
           return kFailed;
         }
         return kOk;
       }},
      {"health",
       "",
       "is tesserad serving? (exit 1 if not)",
       {},
       [](Client& client, const ClientOptions&) -> absl::StatusOr<int> {
         auto stub = grpc::health::v1::Health::NewStub(client.channel());
         grpc::ClientContext context;
         context.set_deadline(
             absl::ToChronoTime(absl::Now() + absl::GetFlag(FLAGS_deadline)));
         grpc::health::v1::HealthCheckRequest request;
         grpc::health::v1::HealthCheckResponse response;
         const grpc::Status status = stub->Check(&context, request, &response);
         if (!status.ok()) return Fail("health", FromGrpcStatus(status));
         Print(response);
         return response.status() ==
                        grpc::health::v1::HealthCheckResponse::SERVING
                    ? kOk
                    : kFailed;
       }},
  };
}

#undef TESSERA_CLI_READ

std::string UsageText() {
  std::string text =
      "usage: tessera [--address=HOST:PORT] [--json] <command> [flags]\n\n"
      "commands:\n";
  for (const Command& command : Commands()) {
    absl::StrAppend(
        &text, "  ", command.name,
        std::string(15 - std::min<size_t>(14, command.name.size()), ' '),
        command.summary, "\n");
    if (!command.args.empty()) {
      absl::StrAppend(&text, "  ", std::string(15, ' '), command.args, "\n");
    }
  }
  absl::StrAppend(&text,
                  "\nconnection: --address, --deadline, --tls_ca_file, "
                  "--tls_cert_file, --tls_key_file,\n"
                  "  --api_key_file or $TESSERA_API_KEY. Exit: 0 ok, 1 "
                  "failed or no, 2 usage.\n"
                  "Flags of every command: tessera --helpfull\n");
  return text;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::StatusOr<ClientOptions> Connection() {
  ClientOptions options;
  options.target = absl::GetFlag(FLAGS_address);
  options.deadline = absl::GetFlag(FLAGS_deadline);
  if (const std::string file = absl::GetFlag(FLAGS_api_key_file);
      !file.empty()) {
    absl::StatusOr<std::string> key = ReadFile(file);
    if (!key.ok()) return UsageError(key.status().message());
    options.api_key = std::string(absl::StripAsciiWhitespace(*key));
  } else if (const char* env = std::getenv("TESSERA_API_KEY")) {
    options.api_key = env;
  }
  const std::string ca = absl::GetFlag(FLAGS_tls_ca_file);
  const std::string cert = absl::GetFlag(FLAGS_tls_cert_file);
  const std::string key = absl::GetFlag(FLAGS_tls_key_file);
  if (cert.empty() != key.empty()) {
    return UsageError("--tls_cert_file and --tls_key_file go together");
  }
  if (!ca.empty() || !cert.empty()) {
    grpc::SslCredentialsOptions ssl;
    for (auto [path, field] : {std::pair{ca, &ssl.pem_root_certs},
                               {cert, &ssl.pem_cert_chain},
                               {key, &ssl.pem_private_key}}) {
      if (path.empty()) continue;
      absl::StatusOr<std::string> pem = ReadFile(path);
      if (!pem.ok()) return UsageError(pem.status().message());
      *field = *pem;
    }
    options.credentials = grpc::SslCredentials(ssl);
  }
  return options;
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(UsageText());
  absl::StatusOr<std::set<std::string>> checked = GivenFlags(argc, argv);
  if (!checked.ok()) {
    std::cerr << "tessera: " << checked.status().message() << "\n";
    return kUsage;
  }
  const std::set<std::string>& given = *checked;
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() < 2) {
    std::cerr << UsageText();
    return kUsage;
  }
  if (args.size() > 2) {
    std::cerr << "tessera: one command at a time; unexpected \"" << args[2]
              << "\"\n";
    return kUsage;
  }
  const std::string name = args[1];
  for (const Command& command : Commands()) {
    if (command.name != name) continue;
    absl::StatusOr<int> exit_code = [&]() -> absl::StatusOr<int> {
      for (const std::string& flag : given) {
        if (ConnectionFlags().count(flag) > 0) continue;
        if (std::find(command.flags.begin(), command.flags.end(), flag) ==
            command.flags.end()) {
          return UsageError(absl::StrCat(
              "--", flag, " does not apply to `", name, "`; it takes: ",
              command.args.empty() ? "no flags" : command.args));
        }
      }
      absl::StatusOr<ClientOptions> options = Connection();
      if (!options.ok()) return options.status();
      Client client(*options);
      return command.run(client, *options);
    }();
    if (!exit_code.ok()) {
      std::cerr << "tessera: " << name << ": " << exit_code.status().message()
                << "\n";
      return kUsage;
    }
    return *exit_code;
  }
  std::cerr << "tessera: unknown command \"" << name << "\"\n\n" << UsageText();
  return kUsage;
}

}  // namespace
}  // namespace tessera::cli

int main(int argc, char** argv) { return tessera::cli::Main(argc, argv); }
