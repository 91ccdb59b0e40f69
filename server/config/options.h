#ifndef TESSERA_SERVER_CONFIG_OPTIONS_H_
#define TESSERA_SERVER_CONFIG_OPTIONS_H_

// tesserad's configuration: command-line flags (the names are part of the
// contract, docs/architecture.md) and an optional text-format
// `tessera.v1.Config` file given with --config.
//
// Precedence: a flag named on the command line wins over the config file
// (even when it repeats the default), which wins over the built-in default.
// Every option is validated before anything is written, opened for writing
// or bound: callers (by the Authorizer's own rules), ranges, listening rules,
// and what can be checked on disk without side effects (TLS files readable,
// the audit log's path, the KEK, the data dir's permissions). An invalid one
// is an INVALID_ARGUMENT naming the flag or config entry; tesserad exits 2.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tessera/v1/config.pb.h"

namespace tessera::config {

struct ServerOptions {
  std::string grpc_address = "127.0.0.1:50051";
  std::string http_address = "127.0.0.1:8080";  // Empty disables it.
  std::string data_dir = "./tessera-data";
  // "rocksdb" (data_dir) or "postgres" (postgres_url; replicas share it).
  std::string store = "rocksdb";
  std::string postgres_url;     // May hold a password: never logged.
  int postgres_pool_size = 16;  // Per replica; 2x as many store workers.
  std::string issuer = "tessera";
  // The aud of tokens issued without one; what ValidateToken checks when
  // asked for no audience.
  std::string default_audience = "api";
  std::string signing_alg = "ES256";  // ES256, EdDSA or RS256.
  absl::Duration access_ttl = absl::Minutes(15);
  absl::Duration session_ttl = absl::Hours(24 * 30);
  absl::Duration idle_ttl = absl::Hours(24 * 7);
  absl::Duration refresh_grace = absl::Seconds(10);
  // Clock skew allowed on exp/nbf/iat when verifying; also how long past
  // their expiry revocations and retired keys are kept.
  absl::Duration leeway = absl::Seconds(30);
  bool sync_writes = true;  // --durability=sync
  absl::Duration key_rotation_period = absl::Hours(24 * 30);
  // How often the live sessions are counted (Admin.GetStats, /metrics).
  absl::Duration active_sessions_interval = absl::Minutes(5);
  std::string kek_file;
  // Opt-ins to plaintext beyond loopback, one per listener: --insecure for
  // gRPC, --http_insecure for the HTTP side (JWKS, health, metrics).
  bool insecure = false;
  bool http_insecure = false;
  // TLS (docs/security.md): both files or neither; a client CA requires clients
  // to present a certificate it signed (mutual TLS).
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string client_ca_file;
  // Callers and rate limits come from --config only.
  std::vector<tessera::v1::Caller> callers;
  tessera::v1::RateLimits rate_limits;
  std::string audit_log_file;  // Empty: stderr.

  bool tls() const { return !tls_cert_file.empty(); }
};

// Builds the options from the parsed flags (and --config, if given), then
// validates them.
absl::StatusOr<ServerOptions> OptionsFromFlags();

// Checks everything above without side effects: with no callers configured
// only loopback is served; a non-loopback gRPC address needs TLS or
// --insecure; the HTTP side is plaintext and needs loopback or
// --http_insecure. Reads (never writes) the files named.
absl::Status ValidateOptions(const ServerOptions& options);

}  // namespace tessera::config

#endif  // TESSERA_SERVER_CONFIG_OPTIONS_H_
