#ifndef TESSERA_SERVER_TESSERAD_H_
#define TESSERA_SERVER_TESSERAD_H_

// The tesserad server: owns the store and the gRPC server, and their order
// of start and stop.
//
// Start-up: validate options (without side effects) -> callers, open the
// audit log -> lock and open the data dir -> read the revocation log's tail
// into memory (revocations younger than the longest access token; never
// every session) -> load or create the signing key -> start the background
// count of live sessions (its first pass runs on its own thread) -> bind the
// gRPC port -> mark health SERVING. Shutdown: mark health NOT_SERVING
// -> stop accepting calls and drain in-flight ones (bounded) -> stop the
// count -> close the store. A Tesserad that Start() returned is serving; one
// that failed to start has released everything it took.

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/revocation/revocation_state.h"
#include "grpcpp/server.h"
#include "server/config/options.h"
#include "server/crypto/kek.h"
#include "server/http/http_server.h"
#include "server/keys/key_ring.h"
#include "server/metrics/metrics.h"
#include "server/revocation/revocation_log.h"
#include "server/service/admin_service.h"
#include "server/service/token_authority_service.h"
#include "server/session/active_count.h"
#include "server/session/periodic.h"
#include "server/session/purger.h"
#include "server/session/request_ids.h"
#include "server/session/session_store.h"
#include "server/store/postgres/postgres_store.h"
#include "server/store/store.h"
#include "server/stream/log_tailer.h"
#include "server/stream/revocation_hub.h"

namespace tessera {

class Tesserad {
 public:
  static absl::StatusOr<std::unique_ptr<Tesserad>> Start(
      const config::ServerOptions& options);

  Tesserad(const Tesserad&) = delete;
  Tesserad& operator=(const Tesserad&) = delete;
  ~Tesserad();  // Shuts down if still running.

  // The bound address, with the port the kernel chose if the flag said 0.
  const std::string& grpc_address() const { return grpc_address_; }
  // Empty when --http_address is empty.
  std::string http_address() const {
    return http_ != nullptr ? http_->address() : "";
  }

  // Stops serving: new calls are refused at once, in-flight ones get until
  // `drain` to finish and are then cancelled. Idempotent and thread-safe.
  void Shutdown(absl::Duration drain);

  // Blocks until a Shutdown() has completed (the store is closed).
  void Wait();

  // SIGHUP: reopens the audit log file (log rotation). Certificates need no
  // signal: their files are watched.
  absl::Status ReopenLogs() { return audit_->Reopen(); }

  // What Admin.GetStats answers; /metrics exports the same figures.
  tessera::v1::GetStatsResponse Stats() const;

 private:
  Tesserad() = default;
  // Start()'s steps, in order; each fills the members it names from
  // options_ and needs those of the steps before it.
  // authorizer_, limiter_, audit_.
  absl::Status OpenGuards();
  // store_ (and rocks_ for --store=rocksdb).
  absl::Status OpenStore();
  // revocation_log_, revocation_state_ and hub_ from the log's tail; records
  // the horizon and answers until when tokens of earlier runs may live.
  absl::StatusOr<absl::Time> LoadRevocations();
  // keys_, its rotation schedule started.
  absl::Status OpenKeys(const crypto::Kek& kek);
  // tailer_, following what other replicas commit, for a shared store.
  void StartTailer();
  // sessions_, request_ids_, active_count_ and (PostgreSQL) purger_,
  // started.
  void StartSessions(const crypto::Kek& kek,
                     absl::Time earlier_tokens_expire_by);
  // token_authority_ and admin_.
  void MakeServices();
  // metrics_, server_ bound and serving calls, grpc_address_.
  absl::Status StartGrpc();
  // http_, unless --http_address is empty.
  absl::Status StartHttp();
  // How long a revocation matters: the longest access token plus leeway.
  absl::Duration RevocationHorizon() const;
  void RegisterMetrics();
  void RegisterPostgresMetrics();
  // /readyz: started, not stopping, and (PostgreSQL) the database answered
  // its last ping.
  bool Ready() const;
  // PostgreSQL: database_watch_ pings the database every second; gRPC
  // health turns NOT_SERVING while it does not answer, SERVING once it does.
  void WatchDatabase();
  // A RocksDB integer property summed over all column families.
  uint64_t StoreProperty(const char* name) const;
  // The pieces of Stats() that /metrics also exports, one gauge each.
  uint64_t StoredSessions() const;  // RocksDB estimate.
  struct KeyCounts {
    int next = 0, active = 0, retired = 0;
  };
  KeyCounts CountKeys() const;

  config::ServerOptions options_;
  absl::Time started_ = absl::Now();
  std::string grpc_address_;
  // Declared in dependency order: destroyed in reverse, the store last.
  std::unique_ptr<store::Kv> store_;
  store::Store* rocks_ = nullptr;  // store_ when it is RocksDB.
  store::postgres::PostgresStore* postgres_ = nullptr;  // When PostgreSQL.
  // The last event LoadRevocations replayed (where the tailer starts).
  uint64_t loaded_through_ = 0;
  std::string loaded_hash_;  // Its log_hash (PostgreSQL).
  std::unique_ptr<revocation::RevocationLog> revocation_log_;
  std::unique_ptr<revocation::RevocationState> revocation_state_;
  std::unique_ptr<stream::RevocationHub> hub_;
  std::unique_ptr<keys::KeyRing> keys_;
  std::unique_ptr<session::SessionStore> sessions_;
  std::unique_ptr<session::RequestIds> request_ids_;
  std::unique_ptr<session::ActiveSessionCounter> active_count_;
  std::unique_ptr<session::Purger> purger_;    // Shared stores only.
  std::unique_ptr<stream::LogTailer> tailer_;  // Shared stores only.
  std::unique_ptr<auth::Authorizer> authorizer_;
  std::unique_ptr<auth::RateLimiter> limiter_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<service::WorkerPool> workers_;  // Shared stores only.
  std::unique_ptr<service::TokenAuthorityService> token_authority_;
  std::unique_ptr<service::AdminService> admin_;
  std::unique_ptr<metrics::Registry> metrics_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<http::HttpServer> http_;
  std::atomic<bool> ready_{false};       // /readyz
  std::atomic<bool> database_up_{true};  // The last ping's answer.
  std::unique_ptr<session::PeriodicThread> database_watch_;  // PostgreSQL.

  absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;  // Shutdown() has begun.
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;    // ... and has completed.
};

}  // namespace tessera

#endif  // TESSERA_SERVER_TESSERAD_H_
