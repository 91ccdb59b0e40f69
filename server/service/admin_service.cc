#include "server/service/admin_service.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/errors/errors.h"
#include "server/errors/reasons.h"
#include "server/service/offload.h"
#include "server/service/request_validation.h"
#include "server/store/data_dir_files.h"
#include "server/store/timestamps.h"
#include "server/stream/incarnation.h"

namespace tessera::service {

using ::grpc::CallbackServerContext;
using ::grpc::ServerUnaryReactor;

namespace {

ServerUnaryReactor* Reply(ServerUnaryReactor* reactor,
                          const absl::Status& status) {
  reactor->Finish(errors::ToGrpcStatus(status));
  return reactor;
}

ServerUnaryReactor* Reply(CallbackServerContext* context,
                          const absl::Status& status) {
  return Reply(context->DefaultReactor(), status);
}

// A backup goes to a new directory named by an absolute path whose parent
// exists: never over existing data, never relative to the server's cwd,
// never through a symlink; owner-only (0700/0600) like the data dir, and
// created atomically (store::CreatePrivateDirectory).
absl::Status BackupPathError(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kInvalidArgument) return status;
  return errors::Error(absl::StatusCode::kInvalidArgument,
                       errors::kBackupPathInvalid,
                       absl::StrCat("backup path ", status.message()));
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
  return Offload(guards_.workers, context, [=](ServerUnaryReactor* reactor) {
    RotateSigningKeyNow(reactor, context, request, response);
  });
}

ServerUnaryReactor* AdminService::RotateSigningKeyNow(
    ServerUnaryReactor* reactor, CallbackServerContext* context,
    const tessera::v1::RotateSigningKeyRequest* request,
    tessera::v1::RotateSigningKeyResponse* response) {
  absl::StatusOr<std::string> caller = Admit(context, "RotateSigningKey");
  if (!caller.ok()) return Reply(reactor, caller.status());
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
      return Reply(reactor, errors::Error(absl::StatusCode::kInvalidArgument,
                                          errors::kAlgorithmInvalid,
                                          "algorithm must be one of "
                                          "SIGNING_ALGORITHM_ES256, _EDDSA, "
                                          "_RS256, or unset"));
  }
  // Synchronous: the ring fsyncs before the new key signs (rare, admin-only).
  absl::StatusOr<keys::KeyRing::Rotation> rotation =
      keys_->Rotate(algorithm, keys_->Now());
  guards_.audit->Record(
      "RotateSigningKey", *caller,
      rotation.ok() ? absl::StrCat("active=", rotation->active.kid()) : "",
      rotation.status());
  if (!rotation.ok()) return Reply(reactor, rotation.status());
  *response->mutable_active() = rotation->active;
  *response->mutable_next() = rotation->next;
  *response->mutable_retired() = rotation->retired;
  return Reply(reactor, absl::OkStatus());
}

ServerUnaryReactor* AdminService::WithdrawSigningKey(
    CallbackServerContext* context,
    const tessera::v1::WithdrawSigningKeyRequest* request,
    tessera::v1::WithdrawSigningKeyResponse* response) {
  return Offload(guards_.workers, context, [=](ServerUnaryReactor* reactor) {
    WithdrawSigningKeyNow(reactor, context, request, response);
  });
}

ServerUnaryReactor* AdminService::WithdrawSigningKeyNow(
    ServerUnaryReactor* reactor, CallbackServerContext* context,
    const tessera::v1::WithdrawSigningKeyRequest* request,
    tessera::v1::WithdrawSigningKeyResponse* response) {
  absl::StatusOr<std::string> caller = Admit(context, "WithdrawSigningKey");
  if (!caller.ok()) return Reply(reactor, caller.status());
  absl::Status checked = CheckWithdrawal(*request);
  const std::string detail =
      checked.ok()
          ? absl::StrCat("kid=", request->kid(), " reason=", request->reason())
          : "";
  if (!checked.ok()) {
    guards_.audit->Record("WithdrawSigningKey", *caller, detail, checked);
    return Reply(reactor, checked);
  }
  // Synchronous like rotation: the new key set is fsynced before answering.
  absl::StatusOr<keys::KeyRing::Withdrawal> withdrawal =
      keys_->Withdraw(request->kid(), keys_->Now());
  guards_.audit->Record("WithdrawSigningKey", *caller, detail,
                        withdrawal.status());
  if (!withdrawal.ok()) return Reply(reactor, withdrawal.status());
  *response->mutable_withdrawn() = withdrawal->withdrawn;
  *response->mutable_active() = withdrawal->active;
  if (withdrawal->next.has_value()) {
    *response->mutable_next() = *withdrawal->next;
  }
  response->set_sequence(withdrawal->sequence);
  return Reply(reactor, absl::OkStatus());
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

ServerUnaryReactor* AdminService::GetStats(
    CallbackServerContext* context, const tessera::v1::GetStatsRequest*,
    tessera::v1::GetStatsResponse* response) {
  absl::StatusOr<std::string> caller = Admit(context, "GetStats");
  if (!caller.ok()) return Reply(context, caller.status());
  guards_.audit->Record("GetStats", *caller, "", absl::OkStatus());
  *response = stats_();
  return Reply(context, absl::OkStatus());
}

ServerUnaryReactor* AdminService::CreateBackup(
    CallbackServerContext* context,
    const tessera::v1::CreateBackupRequest* request,
    tessera::v1::CreateBackupResponse* response) {
  absl::StatusOr<std::string> caller = Admit(context, "CreateBackup");
  if (!caller.ok()) return Reply(context, caller.status());
  if (store_ == nullptr) {
    return Reply(context,
                 errors::Error(absl::StatusCode::kFailedPrecondition,
                               errors::kBackupNotHere,
                               "records live in PostgreSQL: back them up with "
                               "PostgreSQL's tools (pg_basebackup, WAL "
                               "archiving), not CreateBackup"));
  }
  const std::string& path = request->path();
  // Read before the checkpoint: every event up to it is in the backup.
  const uint64_t sequence = revocation_log_->last_sequence();
  const absl::Time now = absl::Now();
  uint64_t bytes = 0;
  absl::StatusOr<std::string> created = store::CreatePrivateDirectory(
      path, [&](const std::string& staging) -> absl::Status {
        absl::StatusOr<uint64_t> written = store_->CreateCheckpoint(staging);
        if (!written.ok()) return written.status();
        bytes = *written;
        // A restore of it then gets a new incarnation (stream/incarnation.h).
        return stream::MarkBackup(staging);
      });
  const absl::Status result =
      created.ok() ? absl::OkStatus() : BackupPathError(created.status());
  if (created.ok()) {
    response->set_path(*created);
    response->set_sequence(sequence);
    response->set_bytes(static_cast<int64_t>(bytes));
    *response->mutable_created_at() = store::ToTimestamp(now);
  }
  guards_.audit->Record("CreateBackup", *caller, "path=" + path, result);
  return Reply(context, result);
}

}  // namespace tessera::service
