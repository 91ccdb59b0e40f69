#include "server/config/options.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/flags/internal/parse.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/text_format.h"
#include "server/auth/authorizer.h"
#include "server/crypto/kek.h"
#include "server/net/listen_address.h"
#include "server/store/data_dir_files.h"
#include "tessera/v1/config.pb.h"

ABSL_FLAG(std::string, grpc_address, "127.0.0.1:50051",
          "Address the gRPC API listens on (host:port, [v6]:port or "
          "unix:path). Plaintext on a non-loopback address needs --insecure.");
ABSL_FLAG(std::string, http_address, "127.0.0.1:8080",
          "Address of the HTTP side listener (JWKS, health, metrics); empty "
          "disables it.");
ABSL_FLAG(std::string, data_dir, "./tessera-data",
          "Directory holding the RocksDB store; created on first start.");
ABSL_FLAG(std::string, store, "rocksdb",
          "Where records live: rocksdb (--data_dir, one process) or postgres "
          "(--postgres_url, shared by any number of tesserad replicas).");
ABSL_FLAG(std::string, postgres_url, "",
          "libpq connection URL of the PostgreSQL store (--store=postgres); "
          "several hosts with target_session_attrs=read-write follow a "
          "failover. Never logged.");
ABSL_FLAG(int, postgres_pool_size, 16,
          "Connections each replica keeps to PostgreSQL (1-256); store calls "
          "run on twice as many worker threads.");
ABSL_FLAG(std::string, issuer, "tessera",
          "The iss claim of every token this server issues.");
ABSL_FLAG(std::string, default_audience, "api",
          "The aud claim of tokens whose IssueSession names no audience, and "
          "the audience ValidateToken checks when its request names none.");
ABSL_FLAG(std::string, signing_alg, "ES256",
          "Algorithm of new signing keys: ES256, EdDSA or RS256. A change "
          "takes effect through a key rotation.");
ABSL_FLAG(absl::Duration, access_ttl, absl::Minutes(15),
          "Lifetime of access tokens (upper bound for requests).");
ABSL_FLAG(absl::Duration, session_ttl, absl::Hours(24 * 30),
          "Absolute lifetime of a session (upper bound for requests).");
ABSL_FLAG(absl::Duration, idle_ttl, absl::Hours(24 * 7),
          "A session not refreshed for this long expires.");
ABSL_FLAG(absl::Duration, refresh_grace, absl::Seconds(10),
          "Window in which the just-rotated refresh token returns the same "
          "successor instead of counting as reuse.");
ABSL_FLAG(absl::Duration, leeway, absl::Seconds(30),
          "Clock skew allowed when verifying exp, nbf and iat (0 to 5m).");
ABSL_FLAG(std::string, durability, "sync",
          "sync: every acknowledged write is fsynced (survives power loss). "
          "async: written to the OS only (survives a process crash).");
ABSL_FLAG(absl::Duration, key_rotation_period, absl::Hours(24 * 30),
          "The active signing key is rotated when it is this old (also "
          "Admin.RotateSigningKey).");
ABSL_FLAG(absl::Duration, active_sessions_interval, absl::Minutes(5),
          "How often the sessions neither revoked nor expired are counted "
          "for Admin.GetStats and /metrics (1s to 24h); each count reads "
          "the sessions column family once.");
ABSL_FLAG(std::string, kek_file, "",
          "File holding the key-encryption key for signing keys at rest "
          "(owner-only: mode 0600 or 0400); default: TESSERA_KEK, else a "
          "generated 0600 file in --data_dir.");
ABSL_FLAG(std::string, config, "",
          "Text-format tessera.v1.Config file. Flags named on the command "
          "line override it.");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate chain for TLS on --grpc_address (with "
          "--tls_key_file); reloaded when the file changes.");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key for TLS.");
ABSL_FLAG(std::string, client_ca_file, "",
          "PEM CA bundle: clients must present a certificate it signed "
          "(mutual TLS).");
ABSL_FLAG(std::string, audit_log_file, "",
          "Append the audit log (JSON lines) to this file; default: stderr.");
ABSL_FLAG(bool, insecure, false,
          "Allow plaintext gRPC on a non-loopback --grpc_address (the HTTP "
          "side needs --http_insecure).");
ABSL_FLAG(bool, http_insecure, false,
          "Allow the HTTP side listener (always plaintext: JWKS, health, "
          "metrics) on a non-loopback --http_address.");

namespace tessera::config {
namespace {

// Limits that keep a configuration within what the design supports.
constexpr absl::Duration kMaxAccessTtl = absl::Hours(24);
constexpr absl::Duration kMaxSessionTtl = absl::Hours(24 * 366);
constexpr absl::Duration kMaxRefreshGrace = absl::Minutes(5);
constexpr size_t kMaxIssuerBytes = 256;

// True if the flag was named on the command line (or in a --flagfile), even
// with its default value: "--durability=sync" overrides a file's "async".
// Abseil 20220623 exposes this only in flags_internal (its public
// CommandLineFlag::IsSpecifiedOnCommandLine is private there).
bool IsOverridden(absl::string_view name) {
  return absl::flags_internal::WasPresentOnCommandLine(name);
}

absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

absl::StatusOr<tessera::v1::Config> ReadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("--config=", path, ": cannot open the file"));
  }
  std::stringstream text;
  text << in.rdbuf();
  tessera::v1::Config config;
  if (!google::protobuf::TextFormat::ParseFromString(text.str(), &config)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--config=", path,
        ": not a valid text-format tessera.v1.Config (see README)"));
  }
  return config;
}

// Applies the config file's values to `options`.
absl::Status ApplyConfig(const tessera::v1::Config& config,
                         ServerOptions& options, std::string& durability) {
  if (!config.grpc_address().empty()) {
    options.grpc_address = config.grpc_address();
  }
  if (config.has_http_address()) options.http_address = config.http_address();
  if (!config.data_dir().empty()) options.data_dir = config.data_dir();
  if (!config.store().empty()) options.store = config.store();
  if (!config.postgres_url().empty()) {
    options.postgres_url = config.postgres_url();
  }
  if (config.postgres_pool_size() != 0) {
    options.postgres_pool_size = config.postgres_pool_size();
  }
  if (!config.issuer().empty()) options.issuer = config.issuer();
  if (!config.default_audience().empty()) {
    options.default_audience = config.default_audience();
  }
  if (!config.signing_alg().empty()) {
    options.signing_alg = config.signing_alg();
  }
  if (config.has_access_ttl())
    options.access_ttl = FromProto(config.access_ttl());
  if (config.has_session_ttl()) {
    options.session_ttl = FromProto(config.session_ttl());
  }
  if (config.has_idle_ttl()) options.idle_ttl = FromProto(config.idle_ttl());
  if (config.has_leeway()) options.leeway = FromProto(config.leeway());
  if (config.has_refresh_grace()) {
    options.refresh_grace = FromProto(config.refresh_grace());
  }
  if (!config.durability().empty()) durability = config.durability();
  if (!config.kek_file().empty()) options.kek_file = config.kek_file();
  if (config.has_key_rotation_period()) {
    options.key_rotation_period = FromProto(config.key_rotation_period());
  }
  if (config.has_active_sessions_interval()) {
    options.active_sessions_interval =
        FromProto(config.active_sessions_interval());
  }
  if (!config.tls().cert_file().empty()) {
    options.tls_cert_file = config.tls().cert_file();
  }
  if (!config.tls().key_file().empty()) {
    options.tls_key_file = config.tls().key_file();
  }
  if (!config.tls().client_ca_file().empty()) {
    options.client_ca_file = config.tls().client_ca_file();
  }
  options.callers.assign(config.callers().begin(), config.callers().end());
  options.rate_limits = config.rate_limits();
  if (!config.audit_log_file().empty()) {
    options.audit_log_file = config.audit_log_file();
  }
  if (config.insecure()) options.insecure = true;
  if (config.http_insecure()) options.http_insecure = true;
  return absl::OkStatus();
}

absl::Status CheckDuration(absl::string_view flag, absl::Duration value,
                           absl::Duration min, absl::Duration max) {
  if (value < min || value > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, "=", absl::FormatDuration(value), " is out of range [",
        absl::FormatDuration(min), ", ", absl::FormatDuration(max), "]"));
  }
  return absl::OkStatus();
}

// `insecure_flag` names the opt-in that allows plaintext on `flag`.
absl::Status CheckPlaintextAddress(absl::string_view flag,
                                   const std::string& address,
                                   absl::string_view insecure_flag,
                                   bool insecure, bool tls = false,
                                   bool open = false) {
  absl::StatusOr<net::ListenAddress> parsed = net::ParseListenAddress(address);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": ", parsed.status().message()));
  }
  if (!parsed->is_loopback && open) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, "=", address,
        " is not a loopback address, but no callers are configured: "
        "tesserad then serves loopback only, where every local caller is "
        "admin. Add callers (API keys or client certificates) in --config"));
  }
  if (!parsed->is_loopback && !insecure && !tls) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, "=", address,
        " is not a loopback address and would serve plaintext to the "
        "network; bind 127.0.0.1, ",
        flag == "grpc_address"
            ? "configure TLS (--tls_cert_file, --tls_key_file), "
            : "",
        "or pass --", insecure_flag, " to allow it"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ServerOptions> OptionsFromFlags() {
  ServerOptions options;
  std::string durability = "sync";
  if (const std::string path = absl::GetFlag(FLAGS_config); !path.empty()) {
    absl::StatusOr<tessera::v1::Config> config = ReadConfigFile(path);
    if (!config.ok()) return config.status();
    if (absl::Status applied = ApplyConfig(*config, options, durability);
        !applied.ok()) {
      return applied;
    }
  }
  // Command-line values win over the file.
  auto take = [](absl::string_view name, auto& field, const auto& flag) {
    if (IsOverridden(name)) field = absl::GetFlag(flag);
  };
  take("grpc_address", options.grpc_address, FLAGS_grpc_address);
  take("http_address", options.http_address, FLAGS_http_address);
  take("data_dir", options.data_dir, FLAGS_data_dir);
  take("store", options.store, FLAGS_store);
  take("postgres_url", options.postgres_url, FLAGS_postgres_url);
  take("postgres_pool_size", options.postgres_pool_size,
       FLAGS_postgres_pool_size);
  take("issuer", options.issuer, FLAGS_issuer);
  take("default_audience", options.default_audience, FLAGS_default_audience);
  take("signing_alg", options.signing_alg, FLAGS_signing_alg);
  take("access_ttl", options.access_ttl, FLAGS_access_ttl);
  take("session_ttl", options.session_ttl, FLAGS_session_ttl);
  take("idle_ttl", options.idle_ttl, FLAGS_idle_ttl);
  take("refresh_grace", options.refresh_grace, FLAGS_refresh_grace);
  take("leeway", options.leeway, FLAGS_leeway);
  take("durability", durability, FLAGS_durability);
  take("kek_file", options.kek_file, FLAGS_kek_file);
  take("key_rotation_period", options.key_rotation_period,
       FLAGS_key_rotation_period);
  take("active_sessions_interval", options.active_sessions_interval,
       FLAGS_active_sessions_interval);
  take("insecure", options.insecure, FLAGS_insecure);
  take("http_insecure", options.http_insecure, FLAGS_http_insecure);
  take("tls_cert_file", options.tls_cert_file, FLAGS_tls_cert_file);
  take("tls_key_file", options.tls_key_file, FLAGS_tls_key_file);
  take("client_ca_file", options.client_ca_file, FLAGS_client_ca_file);
  take("audit_log_file", options.audit_log_file, FLAGS_audit_log_file);

  if (durability != "sync" && durability != "async") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--durability=", durability, " is not one of: sync, async"));
  }
  options.sync_writes = durability == "sync";
  if (absl::Status valid = ValidateOptions(options); !valid.ok()) return valid;
  return options;
}

namespace {

// TLS files in pairs, certificate callers with a client CA, and who may be
// served plaintext where.
absl::Status CheckTransport(const ServerOptions& options) {
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert_file and --tls_key_file go together");
  }
  if (!options.client_ca_file.empty() && !options.tls()) {
    return absl::InvalidArgumentError(
        "--client_ca_file needs --tls_cert_file and --tls_key_file");
  }
  for (const tessera::v1::Caller& caller : options.callers) {
    if (!caller.client_cert_san().empty() && options.client_ca_file.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "config: caller \"", caller.name(),
          "\" is identified by a client certificate; set --client_ca_file"));
    }
  }
  if (absl::Status s = CheckPlaintextAddress(
          "grpc_address", options.grpc_address, "insecure", options.insecure,
          options.tls(), options.callers.empty());
      !s.ok()) {
    return s;
  }
  if (!options.http_address.empty()) {
    if (absl::Status s =
            CheckPlaintextAddress("http_address", options.http_address,
                                  "http_insecure", options.http_insecure);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// The same checks the Authorizer applies when it is built (so a bad caller
// entry is refused before anything is written), and the rate limits.
absl::Status CheckCallers(const ServerOptions& options) {
  if (absl::Status callers = auth::Authorizer::Create(options.callers).status();
      !callers.ok()) {
    return callers;
  }
  const tessera::v1::RateLimits& limits = options.rate_limits;
  if (!std::isfinite(limits.issue_per_second()) ||
      limits.issue_per_second() < 0 || limits.issue_burst() < 0 ||
      limits.max_watchers_per_caller() < 0) {
    return absl::InvalidArgumentError(
        "config: rate_limits must not be negative (0 means off, or the "
        "default for max_watchers_per_caller)");
  }
  return absl::OkStatus();
}

// Names, algorithm and durations.
absl::Status CheckValues(const ServerOptions& options) {
  if (options.data_dir.empty()) {
    return absl::InvalidArgumentError("--data_dir must not be empty");
  }
  if (options.store != "rocksdb" && options.store != "postgres") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--store=", options.store, " is not a store: use rocksdb or postgres"));
  }
  if (options.store == "postgres" && options.postgres_url.empty()) {
    return absl::InvalidArgumentError(
        "--store=postgres needs --postgres_url (a libpq connection URL)");
  }
  if (options.store == "rocksdb" && !options.postgres_url.empty()) {
    return absl::InvalidArgumentError(
        "--postgres_url is only for --store=postgres");
  }
  if (options.postgres_url.size() > 4096) {
    return absl::InvalidArgumentError("--postgres_url is over 4096 bytes");
  }
  if (options.postgres_pool_size < 1 || options.postgres_pool_size > 256) {
    return absl::InvalidArgumentError(
        absl::StrCat("--postgres_pool_size must be 1-256, not ",
                     options.postgres_pool_size));
  }
  if (options.issuer.empty() || options.issuer.size() > kMaxIssuerBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("--issuer must be 1-", kMaxIssuerBytes, " bytes"));
  }
  if (options.default_audience.empty() ||
      options.default_audience.size() > kMaxIssuerBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--default_audience must be 1-", kMaxIssuerBytes, " bytes"));
  }
  if (options.signing_alg != "ES256" && options.signing_alg != "EdDSA" &&
      options.signing_alg != "RS256") {
    return absl::InvalidArgumentError(
        absl::StrCat("--signing_alg=", options.signing_alg,
                     " is not one of: ES256, EdDSA, RS256"));
  }
  if (absl::Status s = CheckDuration("access_ttl", options.access_ttl,
                                     absl::Seconds(1), kMaxAccessTtl);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckDuration("session_ttl", options.session_ttl,
                                     absl::Seconds(1), kMaxSessionTtl);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckDuration("idle_ttl", options.idle_ttl,
                                     absl::Seconds(1), options.session_ttl);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckDuration("leeway", options.leeway,
                                     absl::ZeroDuration(), absl::Minutes(5));
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckDuration("key_rotation_period", options.key_rotation_period,
                        absl::Seconds(1), kMaxSessionTtl);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckDuration("refresh_grace", options.refresh_grace,
                                     absl::ZeroDuration(), kMaxRefreshGrace);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckDuration("active_sessions_interval",
                                     options.active_sessions_interval,
                                     absl::Seconds(1), absl::Hours(24));
      !s.ok()) {
    return s;
  }
  return absl::OkStatus();
}

// A file tesserad will read (certificates, CA bundle): it must open.
absl::Status CheckReadable(absl::string_view flag, const std::string& path) {
  if (path.empty()) return absl::OkStatus();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, "=", path, ": cannot read it: ", std::strerror(errno)));
  }
  ::close(fd);
  return absl::OkStatus();
}

// The audit log is appended to (AuditLog opens it with O_NOFOLLOW): an
// existing regular file we may write, or a new one in a writable directory.
absl::Status CheckAuditLogPath(const std::string& path) {
  if (path.empty()) return absl::OkStatus();
  const std::string flag = absl::StrCat("--audit_log_file=", path);
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode)) {
      return absl::InvalidArgumentError(absl::StrCat(
          flag, " is a symbolic link; give the path of the file itself"));
    }
    if (!S_ISREG(st.st_mode)) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, " is not a regular file"));
    }
    if (::access(path.c_str(), W_OK) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, ": cannot write it: ", std::strerror(errno)));
    }
    return absl::OkStatus();
  }
  if (errno != ENOENT) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": ", std::strerror(errno)));
  }
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": cannot create it in ", dir, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

// Everything on disk that can be checked without writing anything: the
// files tesserad reads, the audit log's path, the KEK (crypto::CheckKek:
// readable, owner-only, well-formed) and the data dir's permissions.
absl::Status CheckFiles(const ServerOptions& options) {
  for (const auto& [flag, path] :
       {std::pair<absl::string_view, const std::string&>{"tls_cert_file",
                                                         options.tls_cert_file},
        {"tls_key_file", options.tls_key_file},
        {"client_ca_file", options.client_ca_file}}) {
    if (absl::Status s = CheckReadable(flag, path); !s.ok()) return s;
  }
  if (absl::Status s = CheckAuditLogPath(options.audit_log_file); !s.ok()) {
    return s;
  }
  if (absl::Status s = store::CheckDataDirPermissions(options.data_dir);
      !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--data_dir: ", s.message()));
  }
  return crypto::CheckKek(options.kek_file, options.data_dir);
}

}  // namespace

absl::Status ValidateOptions(const ServerOptions& options) {
  for (auto check : {CheckTransport, CheckCallers, CheckValues, CheckFiles}) {
    if (absl::Status s = check(options); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace tessera::config
