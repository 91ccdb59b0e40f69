#ifndef TESSERA_SERVER_SERVICE_ADMIN_SERVICE_H_
#define TESSERA_SERVER_SERVICE_ADMIN_SERVICE_H_

// tessera.v1.Admin (proto/tessera/v1/admin.proto), on gRPC's callback API.

#include <functional>
#include <utility>

#include "server/keys/key_ring.h"
#include "server/revocation/revocation_log.h"
#include "server/service/token_authority_service.h"
#include "server/store/store.h"
#include "tessera/v1/admin.grpc.pb.h"

namespace tessera::service {

class AdminService final : public tessera::v1::Admin::CallbackService {
 public:
  // Every method needs the admin role and is written to the audit log.
  // `stats` answers GetStats (the server's figures, as on /metrics).
  // `store` is the RocksDB store CreateBackup checkpoints, or nullptr when
  // records live in PostgreSQL (CreateBackup is then FAILED_PRECONDITION
  // BACKUP_NOT_HERE).
  AdminService(keys::KeyRing* keys, const store::Store* store,
               const revocation::RevocationLog* revocation_log,
               std::function<tessera::v1::GetStatsResponse()> stats,
               Guards guards)
      : keys_(keys),
        store_(store),
        revocation_log_(revocation_log),
        stats_(std::move(stats)),
        guards_(guards) {}

  grpc::ServerUnaryReactor* RotateSigningKey(
      grpc::CallbackServerContext* context,
      const tessera::v1::RotateSigningKeyRequest* request,
      tessera::v1::RotateSigningKeyResponse* response) override;
  grpc::ServerUnaryReactor* WithdrawSigningKey(
      grpc::CallbackServerContext* context,
      const tessera::v1::WithdrawSigningKeyRequest* request,
      tessera::v1::WithdrawSigningKeyResponse* response) override;
  grpc::ServerUnaryReactor* ListSigningKeys(
      grpc::CallbackServerContext* context,
      const tessera::v1::ListSigningKeysRequest* request,
      tessera::v1::ListSigningKeysResponse* response) override;
  grpc::ServerUnaryReactor* GetStats(
      grpc::CallbackServerContext* context,
      const tessera::v1::GetStatsRequest* request,
      tessera::v1::GetStatsResponse* response) override;
  grpc::ServerUnaryReactor* CreateBackup(
      grpc::CallbackServerContext* context,
      const tessera::v1::CreateBackupRequest* request,
      tessera::v1::CreateBackupResponse* response) override;

 private:
  // The key changes write to the store: run through Offload (offload.h).
  grpc::ServerUnaryReactor* RotateSigningKeyNow(
      grpc::ServerUnaryReactor* reactor, grpc::CallbackServerContext* context,
      const tessera::v1::RotateSigningKeyRequest* request,
      tessera::v1::RotateSigningKeyResponse* response);
  grpc::ServerUnaryReactor* WithdrawSigningKeyNow(
      grpc::ServerUnaryReactor* reactor, grpc::CallbackServerContext* context,
      const tessera::v1::WithdrawSigningKeyRequest* request,
      tessera::v1::WithdrawSigningKeyResponse* response);
  // The admin caller's name, or the refusal (audited either way).
  absl::StatusOr<std::string> Admit(grpc::CallbackServerContext* context,
                                    absl::string_view method);

  keys::KeyRing* const keys_;
  const store::Store* const store_;
  const revocation::RevocationLog* const revocation_log_;
  const std::function<tessera::v1::GetStatsResponse()> stats_;
  const Guards guards_;
};

}  // namespace tessera::service

#endif  // TESSERA_SERVER_SERVICE_ADMIN_SERVICE_H_
