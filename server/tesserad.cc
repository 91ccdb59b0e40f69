#include "server/tesserad.h"

#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "grpcpp/server_builder.h"
#include "server/crypto/kek.h"
#include "server/log/log.h"
#include "server/metrics/grpc_metrics.h"
#include "server/net/listen_address.h"
#include "server/session/horizon.h"
#include "server/session/purge.h"
#include "server/store/store.h"
#include "server/store/timestamps.h"
#include "server/version.h"
#include "tessera/v1/admin.grpc.pb.h"
#include "tessera/v1/token_authority.grpc.pb.h"

namespace tessera {
namespace {

// Services whose health is reported by name; "" is the whole server.
constexpr const char* kHealthNames[] = {"", "tessera.v1.TokenAuthority",
                                        "tessera.v1.Admin"};

// Clock skew tolerated when checking exp/nbf/iat (docs/tokens.md).

// Largest request message accepted. Tokens are at most 8 KiB and claims
// 4 KiB; the rest is headroom for the other fields, not for bulk data.
constexpr int kMaxReceiveMessageBytes = 64 * 1024;
// How often certificate files are checked for changes (reload on change).
constexpr unsigned int kCertificateRefreshSeconds = 1;

// Plaintext, TLS, or mutual TLS (--client_ca_file), per docs/security.md. The
// certificate files are watched and reloaded when they change.
std::shared_ptr<grpc::ServerCredentials> ServerCredentials(
    const config::ServerOptions& options) {
  if (!options.tls()) return grpc::InsecureServerCredentials();
  auto provider =
      std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          options.tls_key_file, options.tls_cert_file, options.client_ca_file,
          kCertificateRefreshSeconds);
  grpc::experimental::TlsServerCredentialsOptions tls(provider);
  tls.watch_identity_key_cert_pairs();
  if (!options.client_ca_file.empty()) {
    tls.watch_root_certs();
    tls.set_cert_request_type(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  } else {
    tls.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  }
  return grpc::experimental::TlsServerCredentials(tls);
}

// Transport limits (channel arguments of gRPC core).
//  - Keepalive: every connection is pinged every 30 s (gRPC may skip a ping
//    while data arrives) and closed if a ping is not answered within 10 s,
//    calls or not. A peer
//    that vanished (crash, cable, NAT drop) would otherwise keep its
//    WatchRevocations streams, counted against the per-caller cap, until TCP
//    gives up (about 15 minutes of retransmissions on Linux). The server may
//    keep pinging a connection that carries no data (max_pings_without_data
//    0: unlimited), so idle dead connections are reaped too.
//  - Ping floods: a client may ping at most every 10 s while it sends no
//    data; each ping sooner than that is a strike, and the third strike
//    (max_ping_strikes 2) ends the connection with GOAWAY "too_many_pings".
//    Clients' keepalive of 10 s or more (gRPC's own floor for clients) is
//    never refused.
//  - SO_REUSEPORT off: a second process (a second tesserad, or anyone with
//    our uid) cannot bind the same port and take a share of the connections;
//    the bind fails instead ("cannot listen", exit 1).
void ConfigureTransport(grpc::ServerBuilder& builder) {
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 30 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10 * 1000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
}

void SetServing(grpc::Server* server, bool serving) {
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  if (health == nullptr) return;
  for (const char* name : kHealthNames) {
    health->SetServingStatus(name, serving);
  }
}

// The address with the port actually bound (it differs when the flag said
// port 0). Unix sockets have no port.
std::string BoundAddress(const std::string& address, int bound_port) {
  absl::StatusOr<net::ListenAddress> parsed = net::ParseListenAddress(address);
  if (!parsed.ok() || parsed->is_unix_socket) return address;
  return absl::StrCat(address.substr(0, address.rfind(':')), ":", bound_port);
}

// The store's options: the data dir, and the compaction filters that drop
// what has expired (session/purge.h).
// How often gRPC health and /readyz look at the database (PostgreSQL), and
// how long a ping may take before it counts as down.
constexpr absl::Duration kDatabaseCheckInterval = absl::Seconds(1);
constexpr absl::Duration kDatabaseCheckTimeout = absl::Seconds(1);
// Between two purges of a shared store (session/purger.h).
constexpr absl::Duration kPurgeInterval = absl::Hours(1);
// RPCs waiting for a store worker; beyond it a call is refused at once.
constexpr size_t kMaxQueuedStoreCalls = 4096;

store::Store::Options StoreOptionsOf(const config::ServerOptions& options) {
  store::Store::Options store_options{.data_dir = options.data_dir,
                                      .sync_writes = options.sync_writes};
  auto filter = [&](store::ColumnFamily family) -> auto& {
    return store_options.compaction_filters[static_cast<int>(family)];
  };
  filter(store::ColumnFamily::kSessions) = session::ExpiredSessionFilter();
  filter(store::ColumnFamily::kSubjectIndex) =
      session::ExpiredSubjectIndexFilter();
  filter(store::ColumnFamily::kRetiredGenerations) =
      session::ExpiredRetiredGenerationFilter();
  filter(store::ColumnFamily::kMeta) = session::ExpiredRequestIdFilter();
  return store_options;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Tesserad>> Tesserad::Start(
    const config::ServerOptions& options) {
  if (absl::Status valid = config::ValidateOptions(options); !valid.ok()) {
    return valid;
  }
  std::unique_ptr<Tesserad> tesserad(new Tesserad());
  tesserad->options_ = options;
  // Callers and the audit log before the data dir: a refusal here leaves
  // nothing behind.
  if (absl::Status s = tesserad->OpenGuards(); !s.ok()) return s;
  if (absl::Status s = tesserad->OpenStore(); !s.ok()) return s;
  absl::StatusOr<absl::Time> earlier_tokens_expire_by =
      tesserad->LoadRevocations();
  if (!earlier_tokens_expire_by.ok()) return earlier_tokens_expire_by.status();
  absl::StatusOr<crypto::Kek> kek =
      crypto::LoadKek(options.kek_file, options.data_dir);
  if (!kek.ok()) return kek.status();
  if (absl::Status s = tesserad->OpenKeys(*kek); !s.ok()) return s;
  tesserad->hub_->Start();
  tesserad->StartTailer();
  tesserad->StartSessions(*kek, *earlier_tokens_expire_by);
  tesserad->MakeServices();
  if (absl::Status s = tesserad->StartGrpc(); !s.ok()) return s;
  if (absl::Status s = tesserad->StartHttp(); !s.ok()) {
    tesserad->server_->Shutdown();
    return s;
  }
  SetServing(tesserad->server_.get(), true);
  tesserad->ready_ = true;
  tesserad->WatchDatabase();
  return tesserad;
}

absl::Status Tesserad::OpenStore() {
  if (options_.store == "postgres") {
    // Every replica must open the keys the others sealed.
    if (options_.kek_file.empty() && std::getenv("TESSERA_KEK") == nullptr) {
      return absl::InvalidArgumentError(
          "--store=postgres needs the key-encryption key every replica "
          "shares: --kek_file or TESSERA_KEK");
    }
    absl::StatusOr<std::unique_ptr<store::postgres::PostgresStore>> pg =
        store::postgres::PostgresStore::Open(
            {.url = options_.postgres_url,
             .pool_size = options_.postgres_pool_size});
    if (!pg.ok()) return pg.status();
    postgres_ = pg->get();
    store_ = std::move(*pg);
    log::Info("store: PostgreSQL", {{"database", store_->location()}});
    return absl::OkStatus();
  }
  absl::StatusOr<std::unique_ptr<store::Store>> rocks =
      store::Store::Open(StoreOptionsOf(options_));
  if (!rocks.ok()) return rocks.status();
  rocks_ = rocks->get();
  store_ = std::move(*rocks);
  return absl::OkStatus();
}

void Tesserad::StartTailer() {
  if (!store_->shared()) return;
  revocation::RevocationState* state = revocation_state_.get();
  keys::KeyRing* keys = keys_.get();
  stream::RevocationHub* hub = hub_.get();
  stream::TailerHooks hooks{
      .apply =
          [state, keys](const tessera::v1::RevocationEvent& event) {
            state->Apply(event);
            // Another replica's key change (ours reload to the same set).
            if (event.has_keys_changed()) {
              if (absl::Status reloaded = keys->Reload(keys->Now());
                  !reloaded.ok()) {
                log::Error("cannot reload the signing keys",
                           {{"error", std::string(reloaded.message())}});
              }
            }
          },
      .publish = [hub](uint64_t sequence) { hub->OnCommit(sequence); },
      .reset = [state, keys, hub, log = revocation_log_.get()]() -> uint64_t {
        // What this replica built from the log it followed, rebuilt from
        // the log there is now; streams resume and get reset snapshots.
        uint64_t through = 0;
        state->Clear();
        (void)log->ForEachAfter(0, [&](const tessera::v1::RevocationEvent& e) {
          state->Apply(e);
          through = e.sequence();
        });
        state->Forget(absl::Now());
        if (absl::Status reloaded = keys->Reload(keys->Now()); !reloaded.ok()) {
          log::Error("cannot reload the signing keys",
                     {{"error", std::string(reloaded.message())}});
        }
        hub->Reset();
        return through;  // The tailer applies what came after.
      },
  };
  if (postgres_ != nullptr) {
    store::postgres::PostgresStore* pg = postgres_;
    hooks.wait = [pg](absl::Duration timeout) { pg->WaitForLogEvent(timeout); };
  }
  tailer_ = std::make_unique<stream::LogTailer>(
      revocation_log_.get(), loaded_through_, loaded_hash_, std::move(hooks),
      absl::Milliseconds(50));
  tailer_->Start();
}

absl::Status Tesserad::OpenGuards() {
  absl::StatusOr<std::unique_ptr<auth::Authorizer>> authorizer =
      auth::Authorizer::Create(options_.callers);
  if (!authorizer.ok()) return authorizer.status();
  authorizer_ = std::move(*authorizer);
  limiter_ = std::make_unique<auth::RateLimiter>(
      options_.rate_limits.issue_per_second(),
      options_.rate_limits.issue_burst());
  absl::StatusOr<std::unique_ptr<audit::AuditLog>> audit_log =
      audit::AuditLog::Open(options_.audit_log_file);
  if (!audit_log.ok()) return audit_log.status();
  audit_ = std::move(*audit_log);
  return absl::OkStatus();
}

absl::Duration Tesserad::RevocationHorizon() const {
  // Revocations matter while a token they reject can still be unexpired.
  return options_.access_ttl + options_.leeway;
}

absl::StatusOr<absl::Time> Tesserad::LoadRevocations() {
  absl::StatusOr<std::unique_ptr<revocation::RevocationLog>> log =
      revocation::RevocationLog::Open(store_.get());
  if (!log.ok()) return log.status();
  revocation_log_ = std::move(*log);
  const absl::Duration horizon = RevocationHorizon();
  revocation_state_ = std::make_unique<revocation::RevocationState>(horizon);
  stream::HubOptions hub_options{.horizon = horizon,
                                 .data_dir = options_.data_dir};
  if (options_.rate_limits.max_watchers_per_caller() > 0) {
    hub_options.max_watchers_per_caller =
        static_cast<size_t>(options_.rate_limits.max_watchers_per_caller());
  }
  hub_ = std::make_unique<stream::RevocationHub>(
      store_.get(), revocation_log_.get(), revocation_state_.get(),
      hub_options);
  if (absl::Status replayed = revocation_log_->ForEachAfter(
          0,
          [&](const tessera::v1::RevocationEvent& event) {
            revocation_state_->Apply(event);
            hub_->Load(event);
            loaded_through_ = event.sequence();
            loaded_hash_ = event.log_hash();
          });
      !replayed.ok()) {
    return replayed;
  }
  revocation_state_->Forget(absl::Now());
  absl::StatusOr<absl::Time> earlier_tokens_expire_by =
      session::RecordHorizon(store_.get(), horizon, store_->Now());
  if (!earlier_tokens_expire_by.ok()) return earlier_tokens_expire_by.status();
  stream::RevocationHub* hub = hub_.get();
  if (store_->shared()) {
    // The tailer publishes in sequence order, ours and other replicas'.
    revocation_log_->SetCommitListener([this](uint64_t) {
      if (tailer_ != nullptr) tailer_->Poke();
    });
  } else {
    revocation_log_->SetCommitListener(
        [hub](uint64_t sequence) { hub->OnCommit(sequence); });
  }
  return earlier_tokens_expire_by;
}

absl::Status Tesserad::OpenKeys(const crypto::Kek& kek) {
  absl::StatusOr<std::unique_ptr<keys::KeyRing>> keys = keys::KeyRing::Open(
      store_.get(), revocation_log_.get(), kek,
      keys::KeyRingOptions{
          .algorithm = *token::AlgorithmFromName(options_.signing_alg),
          .rotation_period = options_.key_rotation_period,
          .retired_lifetime = RevocationHorizon()},
      store_->Now());
  if (!keys.ok()) return keys.status();
  keys_ = std::move(*keys);
  keys_->StartSchedule();
  return absl::OkStatus();
}

void Tesserad::StartSessions(const crypto::Kek& kek,
                             absl::Time earlier_tokens_expire_by) {
  sessions_ = std::make_unique<session::SessionStore>(
      store_.get(), revocation_log_.get(), revocation_state_.get(),
      session::SessionOptions{
          .session_ttl = options_.session_ttl,
          .idle_ttl = options_.idle_ttl,
          .refresh_grace = options_.refresh_grace,
          .revocation_horizon = RevocationHorizon(),
          .earlier_tokens_expire_by = earlier_tokens_expire_by});
  request_ids_ = std::make_unique<session::RequestIds>(
      store_.get(), sessions_.get(), kek.key);
  active_count_ = std::make_unique<session::ActiveSessionCounter>(
      store_.get(), options_.active_sessions_interval);
  active_count_->Start();
  if (store_->shared()) {
    // No compaction filters in SQL: batched deletes (session/purger.h).
    purger_ = std::make_unique<session::Purger>(store_.get(), kPurgeInterval);
    purger_->Start();
  }
}

void Tesserad::MakeServices() {
  if (store_->shared()) {
    // Store calls wait on the network: off gRPC's threads, twice as many
    // workers as pooled connections so a worker signs while another waits.
    workers_ = std::make_unique<service::WorkerPool>(
        2 * options_.postgres_pool_size, kMaxQueuedStoreCalls);
  }
  const service::Guards guards{.authorizer = authorizer_.get(),
                               .limiter = limiter_.get(),
                               .audit = audit_.get(),
                               .workers = workers_.get()};
  token_authority_ = std::make_unique<service::TokenAuthorityService>(
      service::TokenAuthorityConfig{
          .issuer = options_.issuer,
          .max_access_ttl = options_.access_ttl,
          .max_session_ttl = options_.session_ttl,
          .leeway = options_.leeway,
          .default_audience = options_.default_audience},
      store_.get(), sessions_.get(), request_ids_.get(), keys_.get(),
      revocation_state_.get(), hub_.get(), guards);
  admin_ = std::make_unique<service::AdminService>(
      keys_.get(), rocks_, revocation_log_.get(), [this] { return Stats(); },
      guards);
}

absl::Status Tesserad::StartGrpc() {
  // gRPC's built-in health service encodes its messages without protobuf's
  // descriptors; touching the generated ones registers them, so reflection
  // can describe grpc.health.v1.Health (grpcurl describe) like our services.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  metrics_ = std::make_unique<metrics::Registry>();
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  // The services this server registers; calls to any other method path
  // count under method="unknown". Reflection is Debian gRPC 1.51's v1alpha.
  interceptors.push_back(metrics::NewGrpcMetricsInterceptorFactory(
      metrics_.get(), {tessera::v1::TokenAuthority::service_full_name(),
                       tessera::v1::Admin::service_full_name(),
                       grpc::health::v1::Health::service_full_name(),
                       "grpc.reflection.v1alpha.ServerReflection"}));
  RegisterMetrics();

  grpc::ServerBuilder builder;
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  int bound_port = 0;
  builder.AddListeningPort(options_.grpc_address, ServerCredentials(options_),
                           &bound_port);
  builder.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
  ConfigureTransport(builder);
  builder.RegisterService(token_authority_.get());
  builder.RegisterService(admin_.get());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || bound_port == 0) {
    // BuildAndStart may have succeeded on no port at all; stop it.
    if (server_ != nullptr) server_->Shutdown();
    return absl::UnavailableError(
        absl::StrCat("cannot listen on --grpc_address=", options_.grpc_address,
                     " (in use, or not an address of this machine)"));
  }
  grpc_address_ = BoundAddress(options_.grpc_address, bound_port);
  return absl::OkStatus();
}

absl::Status Tesserad::StartHttp() {
  if (options_.http_address.empty()) return absl::OkStatus();
  absl::StatusOr<std::unique_ptr<http::HttpServer>> http =
      http::HttpServer::Start(
          options_.http_address,
          {.jwks =
               [this] {
                 return http::Handlers::Jwks{keys_->current()->jwks_json,
                                             keys_->jwks_max_age()};
               },
           .ready = [this] { return Ready(); },
           .metrics = [this] { return metrics_->Render(); }});
  if (!http.ok()) return http.status();
  http_ = std::move(*http);
  return absl::OkStatus();
}

bool Tesserad::Ready() const {
  // A replica whose database is unreachable cannot issue or refresh: out of
  // the load balancer until it can. The last ping's answer, not one per
  // request: /readyz is unauthenticated.
  return ready_.load() && database_up_.load();
}

void Tesserad::WatchDatabase() {
  if (postgres_ == nullptr) return;
  database_watch_ = std::make_unique<session::PeriodicThread>(
      kDatabaseCheckInterval, [this](const std::atomic<bool>&) {
        absl::Status ping = postgres_->Ping(kDatabaseCheckTimeout);
        if (ping.ok() == database_up_.exchange(ping.ok())) return;
        SetServing(server_.get(), ping.ok());
        if (ping.ok()) {
          log::Info("the database answers again: serving");
        } else {
          log::Error("the database does not answer: not serving",
                     {{"error", std::string(ping.message())}});
        }
      });
  database_watch_->Start();
}

void Tesserad::Shutdown(absl::Duration drain) {
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  log::Info(
      "tesserad stopping",
      {{"drain_ms", static_cast<long long>(absl::ToInt64Milliseconds(drain))}});
  ready_ = false;
  if (database_watch_ != nullptr) database_watch_->Stop();  // Sets health.
  SetServing(server_.get(), false);
  hub_->Close();  // Streams would otherwise hold the drain to its end.
  server_->Shutdown(absl::ToChronoTime(absl::Now() + drain));
  server_->Wait();
  if (workers_ != nullptr) workers_->Stop();  // Every call has answered.
  // Answers every writer still waiting for an fsync.
  if (rocks_ != nullptr) rocks_->StopSyncing();
  if (tailer_ != nullptr) tailer_->Stop();  // It calls the hub and keys.
  if (http_ != nullptr) http_->Stop();      // Its handlers read the store.
  keys_->StopSchedule();
  active_count_->Stop();  // Ends a count in progress: it reads the store.
  if (purger_ != nullptr) purger_->Stop();  // Likewise a pass.
  request_ids_.reset();
  sessions_.reset();
  keys_.reset();
  revocation_log_.reset();
  tailer_.reset();
  rocks_ = nullptr;
  postgres_ = nullptr;
  store_.reset();  // Closes RocksDB, then releases the data-dir lock.
  absl::MutexLock lock(&mu_);
  stopped_ = true;
}

void Tesserad::RegisterMetrics() {
  using metrics::Sample;
  metrics::Registry& m = *metrics_;
  store::Store* store = rocks_;
  // The figures Admin.GetStats answers, from the same accessors.
  m.AddGauge("tessera_sessions_stored",
             "Sessions in the store, revoked and expired ones not yet purged "
             "included (RocksDB: its estimate; PostgreSQL: the last "
             "background count).",
             [this] {
               return std::vector<Sample>{{{}, double(StoredSessions())}};
             });
  m.AddGauge("tessera_sessions_active",
             "Sessions neither revoked nor expired, as of the last background "
             "count (--active_sessions_interval); absent before the first.",
             [this] {
               std::vector<Sample> samples;
               if (auto count = active_count_->latest()) {
                 samples.push_back({{}, static_cast<double>(count->sessions)});
               }
               return samples;
             });
  m.AddGauge("tessera_sessions_active_timestamp_seconds",
             "When the count in tessera_sessions_active was taken (Unix "
             "time); absent before the first count.",
             [this] {
               std::vector<Sample> samples;
               if (auto count = active_count_->latest()) {
                 samples.push_back({{},
                                    absl::ToDoubleSeconds(count->counted_at -
                                                          absl::UnixEpoch())});
               }
               return samples;
             });
  m.AddGauge("tessera_revocations_in_memory",
             "Revoked sessions and subject cut-offs ValidateToken consults.",
             [this] {
               return std::vector<Sample>{
                   {{}, static_cast<double>(revocation_state_->size())}};
             });
  m.AddGauge("tessera_revocation_log_sequence",
             "Newest revocation-log sequence (every revocation and key-set "
             "change is one event).",
             [this] {
               return std::vector<Sample>{
                   {{}, static_cast<double>(revocation_log_->last_sequence())}};
             });
  m.AddGauge("tessera_watchers", "Open WatchRevocations streams.", [this] {
    return std::vector<Sample>{{{}, static_cast<double>(hub_->watchers())}};
  });
  m.AddGauge("tessera_signing_keys", "Published signing keys by state.",
             [this] {
               const KeyCounts keys = CountKeys();
               return std::vector<Sample>{
                   {{{"state", "next"}}, double(keys.next)},
                   {{{"state", "active"}}, double(keys.active)},
                   {{{"state", "retired"}}, double(keys.retired)}};
             });
  // The RocksDB figures operators watch, summed over column families.
  struct RocksGauge {
    const char* metric;
    const char* help;
    const char* property;
  };
  static constexpr RocksGauge kRocksGauges[] = {
      {"tessera_store_live_data_bytes", "Estimated live data on disk.",
       "rocksdb.estimate-live-data-size"},
      {"tessera_store_sst_bytes", "Size of all SST files.",
       "rocksdb.total-sst-files-size"},
      {"tessera_store_memtable_bytes", "Memory held by memtables.",
       "rocksdb.cur-size-all-mem-tables"},
      {"tessera_store_pending_compaction_bytes",
       "Bytes compaction still has to rewrite.",
       "rocksdb.estimate-pending-compaction-bytes"},
      {"tessera_store_running_compactions", "Compactions running now.",
       "rocksdb.num-running-compactions"},
      {"tessera_store_background_errors",
       "Background errors (non-zero: writes may be stopped).",
       "rocksdb.background-errors"},
  };
  for (const RocksGauge& gauge : kRocksGauges) {
    if (rocks_ == nullptr) break;
    m.AddGauge(gauge.metric, gauge.help, [this, gauge] {
      return std::vector<Sample>{
          {{}, static_cast<double>(StoreProperty(gauge.property))}};
    });
  }
  session::SessionStore* sessions = sessions_.get();
  m.AddCounterCallback(
      "tessera_refresh_hints_total",
      "Refreshes on the replica that last wrote the session that rotated "
      "without reading it (rotated), and hints another writer had made stale "
      "(stale: the refresh read the session and decided again).",
      [sessions] {
        const session::SessionStore::HintStats stats = sessions->hint_stats();
        return std::vector<Sample>{
            {{{"result", "rotated"}}, static_cast<double>(stats.rotated)},
            {{{"result", "stale"}}, static_cast<double>(stats.stale)}};
      });
  audit::AuditLog* audit = audit_.get();
  m.AddCounterCallback(
      "tessera_audit_refused_total",
      "Refused calls (no or unknown credential, missing role) seen by the "
      "audit log, written or not.",
      [audit] {
        return std::vector<Sample>{
            {{}, static_cast<double>(audit->refused_total())}};
      });
  m.AddCounterCallback(
      "tessera_audit_suppressed_total",
      "Refused calls not written to the audit log (over its rate limit); "
      "summed up in \"(suppressed)\" lines.",
      [audit] {
        return std::vector<Sample>{
            {{}, static_cast<double>(audit->suppressed_total())}};
      });
  if (postgres_ != nullptr) RegisterPostgresMetrics();
  if (store == nullptr) return;
  m.AddCounterCallback(
      "tessera_store_wal_syncs_total",
      "WAL fsyncs; each acknowledges every write waiting for it.", [store] {
        return std::vector<Sample>{
            {{}, static_cast<double>(store->wal_sync_count())}};
      });
}

void Tesserad::RegisterPostgresMetrics() {
  using metrics::Sample;
  metrics::Registry& m = *metrics_;
  store::postgres::PostgresStore* pg = postgres_;
  auto one = [](double value) { return std::vector<Sample>{{{}, value}}; };
  m.AddGauge("tessera_store_connections", "PostgreSQL pool connections.", [pg] {
    const auto pool = pg->stats().pool;
    return std::vector<Sample>{{{{"state", "in_use"}}, double(pool.in_use)},
                               {{{"state", "size"}}, double(pool.size)}};
  });
  m.AddCounterCallback(
      "tessera_store_connects_total",
      "PostgreSQL connections opened (first ones and replacements).",
      [pg, one] { return one(double(pg->stats().pool.connects)); });
  m.AddCounterCallback(
      "tessera_store_pool_waits_total",
      "Store calls that found every connection busy and waited.",
      [pg, one] { return one(double(pg->stats().pool.waits)); });
  m.AddCounterCallback("tessera_store_writes_total",
                       "Committed store transactions.",
                       [pg, one] { return one(double(pg->stats().writes)); });
  m.AddCounterCallback(
      "tessera_store_write_seconds_total",
      "Time spent in committed store transactions (divide by "
      "tessera_store_writes_total for the mean).",
      [pg, one] { return one(absl::ToDoubleSeconds(pg->stats().write_time)); });
  m.AddCounterCallback(
      "tessera_store_write_conflicts_total",
      "Transactions that lost a race (WRITE_CONFLICT; re-read and retried).",
      [pg, one] { return one(double(pg->stats().conflicts)); });
  m.AddCounterCallback(
      "tessera_store_write_failures_total",
      "Transactions that failed with UNAVAILABLE (database unreachable, or a "
      "commit not confirmed in time).",
      [pg, one] { return one(double(pg->stats().failures)); });
  m.AddCounterCallback(
      "tessera_store_grouped_statements_total",
      "Write statements that carried several concurrent writes (write "
      "combining: writes that queued behind busy statements).",
      [pg, one] { return one(double(pg->stats().writes_combined.groups)); });
  m.AddCounterCallback(
      "tessera_store_grouped_writes_total",
      "Writes carried by those statements (divide by "
      "tessera_store_grouped_statements_total for the mean group).",
      [pg, one] { return one(double(pg->stats().writes_combined.grouped)); });
  m.AddCounterCallback(
      "tessera_store_group_failures_total",
      "Grouped statements that failed whole (their writes were retried one by "
      "one, or failed together when the database was unreachable).",
      [pg, one] { return one(double(pg->stats().group_failures)); });
  m.AddGauge("tessera_store_clock_offset_seconds",
             "The database's clock minus this replica's (expiry decisions use "
             "the database's).",
             [pg, one] {
               return one(absl::ToDoubleSeconds(pg->stats().clock_offset));
             });
  m.AddGauge("tessera_revocation_tail_lag_events",
             "Log events other replicas committed that this one has not "
             "applied yet.",
             [this, one] {
               const uint64_t head = revocation_log_->last_sequence();
               const uint64_t applied =
                   tailer_ != nullptr ? tailer_->applied() : head;
               return one(head > applied ? double(head - applied) : 0.0);
             });
  session::Purger* purger = purger_.get();
  m.AddCounterCallback(
      "tessera_purged_records_total",
      "Expired records deleted by the purge (sessions, index entries, "
      "retired generations, request ids), hourly on each replica.",
      [purger, one] { return one(double(purger->totals().purged)); });
  m.AddCounterCallback(
      "tessera_purge_passes_total",
      "Purge passes that ran to the end (one at start, then hourly).",
      [purger, one] { return one(double(purger->totals().passes)); });
  m.AddCounterCallback(
      "tessera_purge_failures_total",
      "Purge passes that failed (the next one retries).",
      [purger, one] { return one(double(purger->totals().failures)); });
  service::WorkerPool* workers = workers_.get();
  m.AddGauge("tessera_store_calls_queued", "RPCs waiting for a store worker.",
             [workers, one] { return one(double(workers->queued())); });
}

uint64_t Tesserad::StoreProperty(const char* name) const {
  uint64_t sum = 0;
  if (rocks_ == nullptr) return 0;
  for (int i = 0; i < store::kColumnFamilyCount; ++i) {
    uint64_t value = 0;
    if (rocks_->db()->GetIntProperty(
            rocks_->handle(static_cast<store::ColumnFamily>(i)), name,
            &value)) {
      sum += value;
    }
  }
  return sum;
}

uint64_t Tesserad::StoredSessions() const {
  uint64_t sessions = 0;
  if (rocks_ == nullptr) {
    // No cheap estimate in SQL for one family: the last background count.
    std::optional<session::ActiveCount> count = active_count_->latest();
    return count.has_value() ? static_cast<uint64_t>(count->stored) : 0;
  }
  rocks_->db()->GetIntProperty(rocks_->handle(store::ColumnFamily::kSessions),
                               "rocksdb.estimate-num-keys", &sessions);
  return sessions;
}

Tesserad::KeyCounts Tesserad::CountKeys() const {
  KeyCounts counts;
  for (const tessera::v1::SigningKey& key : keys_->current()->keys) {
    counts.next += key.state() == tessera::v1::KEY_STATE_NEXT;
    counts.active += key.state() == tessera::v1::KEY_STATE_ACTIVE;
    counts.retired += key.state() == tessera::v1::KEY_STATE_RETIRED;
  }
  return counts;
}

tessera::v1::GetStatsResponse Tesserad::Stats() const {
  tessera::v1::GetStatsResponse stats;
  stats.set_version(kVersion);
  const absl::Duration uptime = absl::Now() - started_;
  stats.mutable_uptime()->set_seconds(absl::ToInt64Seconds(uptime));
  stats.set_stored_sessions(static_cast<int64_t>(StoredSessions()));
  if (std::optional<session::ActiveCount> active = active_count_->latest()) {
    stats.set_active_sessions(active->sessions);
    *stats.mutable_active_sessions_counted_at() =
        store::ToTimestamp(active->counted_at);
  }
  stats.set_last_sequence(revocation_log_->last_sequence());
  stats.set_revocations_in_memory(
      static_cast<int64_t>(revocation_state_->size()));
  stats.set_watchers(static_cast<int64_t>(hub_->watchers()));
  const KeyCounts keys = CountKeys();
  stats.set_next_keys(keys.next);
  stats.set_active_keys(keys.active);
  stats.set_retired_keys(keys.retired);
  stats.set_store_bytes(
      static_cast<int64_t>(StoreProperty("rocksdb.estimate-live-data-size")));
  return stats;
}

void Tesserad::Wait() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(&stopped_));
}

Tesserad::~Tesserad() {
  if (server_ != nullptr) {
    Shutdown(absl::Seconds(5));
    Wait();
  }
}

}  // namespace tessera
