#include "server/service/admin_service.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/errors/errors.h"
#include "server/service/unimplemented.h"

namespace tessera::service {

using ::grpc::CallbackServerContext;
using ::grpc::ServerUnaryReactor;

namespace {

ServerUnaryReactor* Reply(CallbackServerContext* context,
                          const absl::Status& status) {
  ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(errors::ToGrpcStatus(status));
  return reactor;
}

}  // namespace

absl::StatusOr<std::string> AdminService::Admit(CallbackServerContext* context,
                                                absl::string_view method) {
  absl::StatusOr<const auth::Caller*> caller =
      guards_.authorizer->Authorize(*context, auth::Method::kAdmin);
  if (!caller.ok()) {
    guards_.audit->Record(method, "(unauthenticated)", "", caller.status());
    return caller.status();
  }
  return (*caller)->name;
}

ServerUnaryReactor* AdminService::RotateSigningKey(
    CallbackServerContext* context,
    const tessera::v1::RotateSigningKeyRequest* request,
    tessera::v1::RotateSigningKeyResponse* response) {
  absl::StatusOr<std::string> caller = Admit(context, "RotateSigningKey");
  if (!caller.ok()) return Reply(context, caller.status());
  std::optional<token::Algorithm> algorithm;
  switch (request->algorithm()) {
    case tessera::v1::SIGNING_ALGORITHM_UNSPECIFIED:
      break;
    case tessera::v1::SIGNING_ALGORITHM_ES256:
      algorithm = token::Algorithm::kES256;
      break;
    case tessera::v1::SIGNING_ALGORITHM_EDDSA:
      algorithm = token::Algorithm::kEdDSA;
      break;
    case tessera::v1::SIGNING_ALGORITHM_RS256:
      algorithm = token::Algorithm::kRS256;
      break;
    default:
      return Reply(context, errors::Error(absl::StatusCode::kInvalidArgument,
                                          "ALGORITHM_INVALID",
                                          "algorithm must be one of "
                                          "SIGNING_ALGORITHM_ES256, _EDDSA, "
                                          "_RS256, or unset"));
  }
  // Synchronous: the ring fsyncs before the new key signs (rare, admin-only).
  absl::StatusOr<keys::KeyRing::Rotation> rotation =
      keys_->Rotate(algorithm, absl::Now());
  guards_.audit->Record(
      "RotateSigningKey", *caller,
      rotation.ok() ? absl::StrCat("active=", rotation->active.kid()) : "",
      rotation.status());
  if (!rotation.ok()) return Reply(context, rotation.status());
  *response->mutable_active() = rotation->active;
  *response->mutable_next() = rotation->next;
  *response->mutable_retired() = rotation->retired;
  return Reply(context, absl::OkStatus());
}

ServerUnaryReactor* AdminService::ListSigningKeys(
    CallbackServerContext* context, const tessera::v1::ListSigningKeysRequest*,
    tessera::v1::ListSigningKeysResponse* response) {
  absl::StatusOr<std::string> caller = Admit(context, "ListSigningKeys");
  if (!caller.ok()) return Reply(context, caller.status());
  guards_.audit->Record("ListSigningKeys", *caller, "", absl::OkStatus());
  for (const tessera::v1::SigningKey& key : keys_->current()->keys) {
    *response->add_keys() = key;
  }
  return Reply(context, absl::OkStatus());
}

ServerUnaryReactor* AdminService::GetStats(CallbackServerContext* context,
                                           const tessera::v1::GetStatsRequest*,
                                           tessera::v1::GetStatsResponse*) {
  absl::StatusOr<std::string> caller = Admit(context, "GetStats");
  if (!caller.ok()) return Reply(context, caller.status());
  return FinishUnimplemented(context, "tessera.v1.Admin/GetStats");
}

ServerUnaryReactor* AdminService::CreateBackup(
    CallbackServerContext* context, const tessera::v1::CreateBackupRequest*,
    tessera::v1::CreateBackupResponse*) {
  absl::StatusOr<std::string> caller = Admit(context, "CreateBackup");
  if (!caller.ok()) return Reply(context, caller.status());
  return FinishUnimplemented(context, "tessera.v1.Admin/CreateBackup");
}

}  // namespace tessera::service
