#include "server/tesserad.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "server/crypto/kek.h"
#include "server/log/log.h"
#include "server/net/listen_address.h"
#include "server/session/purge.h"

namespace tessera {
namespace {

// Services whose health is reported by name; "" is the whole server.
constexpr const char* kHealthNames[] = {"", "tessera.v1.TokenAuthority",
                                        "tessera.v1.Admin"};

// Clock skew tolerated when checking exp/nbf/iat (DESIGN §4).
constexpr absl::Duration kLeeway = absl::Seconds(30);

// Largest request message accepted. Tokens are at most 8 KiB and claims
// 4 KiB; the rest is headroom for the other fields, not for bulk data.
constexpr int kMaxReceiveMessageBytes = 64 * 1024;

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

}  // namespace

absl::StatusOr<std::unique_ptr<Tesserad>> Tesserad::Start(
    const config::ServerOptions& options) {
  if (absl::Status valid = config::ValidateOptions(options); !valid.ok()) {
    return valid;
  }
  std::unique_ptr<Tesserad> tesserad(new Tesserad());
  tesserad->options_ = options;

  store::Store::Options store_options{.data_dir = options.data_dir,
                                      .sync_writes = options.sync_writes};
  store_options
      .compaction_filters[static_cast<int>(store::ColumnFamily::kSessions)] =
      session::ExpiredSessionFilter();
  store_options.compaction_filters[static_cast<int>(
      store::ColumnFamily::kSubjectIndex)] =
      session::ExpiredSubjectIndexFilter();
  absl::StatusOr<std::unique_ptr<store::Store>> store =
      store::Store::Open(store_options);
  if (!store.ok()) return store.status();
  tesserad->store_ = std::move(*store);

  absl::StatusOr<std::unique_ptr<revocation::RevocationLog>> log =
      revocation::RevocationLog::Open(tesserad->store_.get());
  if (!log.ok()) return log.status();
  tesserad->revocation_log_ = std::move(*log);
  // Revocations matter while a token they reject can still be unexpired.
  const absl::Duration horizon = options.access_ttl + kLeeway;
  tesserad->revocation_state_ =
      std::make_unique<revocation::RevocationState>(horizon);
  if (absl::Status replayed = tesserad->revocation_log_->ForEachAfter(
          0,
          [&](const tessera::v1::RevocationEvent& event) {
            tesserad->revocation_state_->Apply(event);
          });
      !replayed.ok()) {
    return replayed;
  }
  tesserad->revocation_state_->Forget(absl::Now());

  absl::StatusOr<crypto::Kek> kek =
      crypto::LoadKek(options.kek_file, options.data_dir);
  if (!kek.ok()) return kek.status();
  absl::StatusOr<std::unique_ptr<keys::KeyRing>> keys = keys::KeyRing::Open(
      tesserad->store_.get(), tesserad->revocation_log_.get(), *kek,
      keys::KeyRingOptions{
          .algorithm = *token::AlgorithmFromName(options.signing_alg),
          .rotation_period = options.key_rotation_period,
          .retired_lifetime = options.access_ttl + kLeeway},
      absl::Now());
  if (!keys.ok()) return keys.status();
  tesserad->keys_ = std::move(*keys);
  tesserad->keys_->StartSchedule();

  tesserad->sessions_ = std::make_unique<session::SessionStore>(
      tesserad->store_.get(), tesserad->revocation_log_.get(),
      tesserad->revocation_state_.get(),
      session::SessionOptions{.session_ttl = options.session_ttl,
                              .idle_ttl = options.idle_ttl,
                              .refresh_grace = options.refresh_grace,
                              .revocation_horizon = horizon});
  tesserad->token_authority_ = std::make_unique<service::TokenAuthorityService>(
      service::TokenAuthorityConfig{.issuer = options.issuer,
                                    .max_access_ttl = options.access_ttl,
                                    .max_session_ttl = options.session_ttl,
                                    .leeway = kLeeway},
      tesserad->store_.get(), tesserad->sessions_.get(), tesserad->keys_.get(),
      tesserad->revocation_state_.get());
  tesserad->admin_ =
      std::make_unique<service::AdminService>(tesserad->keys_.get());

  // gRPC's built-in health service encodes its messages without protobuf's
  // descriptors; touching the generated ones registers them, so reflection
  // can describe grpc.health.v1.Health (grpcurl describe) like our services.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(options.grpc_address,
                           grpc::InsecureServerCredentials(), &bound_port);
  builder.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
  builder.RegisterService(tesserad->token_authority_.get());
  builder.RegisterService(tesserad->admin_.get());
  tesserad->server_ = builder.BuildAndStart();
  if (tesserad->server_ == nullptr || bound_port == 0) {
    // BuildAndStart may have succeeded on no port at all; stop it.
    if (tesserad->server_ != nullptr) tesserad->server_->Shutdown();
    return absl::UnavailableError(
        absl::StrCat("cannot listen on --grpc_address=", options.grpc_address,
                     " (in use, or not an address of this machine)"));
  }
  tesserad->grpc_address_ = BoundAddress(options.grpc_address, bound_port);
  SetServing(tesserad->server_.get(), true);
  return tesserad;
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
  SetServing(server_.get(), false);
  server_->Shutdown(absl::ToChronoTime(absl::Now() + drain));
  server_->Wait();
  store_->StopSyncing();  // Answers every writer still waiting for an fsync.
  keys_->StopSchedule();
  sessions_.reset();
  keys_.reset();
  revocation_log_.reset();
  store_.reset();  // Closes RocksDB, then releases the data-dir lock.
  absl::MutexLock lock(&mu_);
  stopped_ = true;
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
