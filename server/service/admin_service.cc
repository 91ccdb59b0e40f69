#include "server/service/admin_service.h"

#include "server/service/unimplemented.h"

namespace tessera::service {

using ::grpc::CallbackServerContext;
using ::grpc::ServerUnaryReactor;

ServerUnaryReactor* AdminService::RotateSigningKey(
    CallbackServerContext* context, const tessera::v1::RotateSigningKeyRequest*,
    tessera::v1::RotateSigningKeyResponse*) {
  return FinishUnimplemented(context, "tessera.v1.Admin/RotateSigningKey");
}

ServerUnaryReactor* AdminService::ListSigningKeys(
    CallbackServerContext* context, const tessera::v1::ListSigningKeysRequest*,
    tessera::v1::ListSigningKeysResponse*) {
  return FinishUnimplemented(context, "tessera.v1.Admin/ListSigningKeys");
}

ServerUnaryReactor* AdminService::GetStats(CallbackServerContext* context,
                                           const tessera::v1::GetStatsRequest*,
                                           tessera::v1::GetStatsResponse*) {
  return FinishUnimplemented(context, "tessera.v1.Admin/GetStats");
}

ServerUnaryReactor* AdminService::CreateBackup(
    CallbackServerContext* context, const tessera::v1::CreateBackupRequest*,
    tessera::v1::CreateBackupResponse*) {
  return FinishUnimplemented(context, "tessera.v1.Admin/CreateBackup");
}

}  // namespace tessera::service
