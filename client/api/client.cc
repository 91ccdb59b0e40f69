#include "client/api/client.h"

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace tessera {
namespace {

constexpr char kReasonPayload[] = "type.tessera.dev/ErrorReason";

// Retries only what is safe to repeat (see client.h).
constexpr char kServiceConfig[] = R"json({
  "methodConfig": [{
    "name": [
      {"service": "tessera.v1.TokenAuthority", "method": "ValidateToken"},
      {"service": "tessera.v1.TokenAuthority", "method": "RevokeSession"},
      {"service": "tessera.v1.TokenAuthority", "method": "GetSession"},
      {"service": "tessera.v1.TokenAuthority", "method": "ListSessions"},
      {"service": "tessera.v1.TokenAuthority", "method": "GetJwks"},
      {"service": "tessera.v1.Admin", "method": "ListSigningKeys"}
    ],
    "retryPolicy": {
      "maxAttempts": 4,
      "initialBackoff": "0.05s",
      "maxBackoff": "1s",
      "backoffMultiplier": 2,
      "retryableStatusCodes": ["UNAVAILABLE"]
    }
  }]
})json";

}  // namespace

void AttachApiKey(const std::string& api_key, grpc::ClientContext& context) {
  if (!api_key.empty()) {
    context.AddMetadata("authorization", absl::StrCat("Bearer ", api_key));
  }
}

std::string ErrorReason(const absl::Status& status) {
  auto payload = status.GetPayload(kReasonPayload);
  return payload.has_value() ? std::string(*payload) : "";
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()),
                   status.error_message());
  google::rpc::Status details;
  if (details.ParseFromString(status.error_details())) {
    for (const google::protobuf::Any& any : details.details()) {
      google::rpc::ErrorInfo info;
      if (any.UnpackTo(&info) && !info.reason().empty()) {
        out.SetPayload(kReasonPayload, absl::Cord(info.reason()));
        break;
      }
    }
  }
  return out;
}

Client::Client(ClientOptions options) : options_(std::move(options)) {
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(kServiceConfig);
  channel_ = grpc::CreateCustomChannel(options_.target,
                                       options_.credentials != nullptr
                                           ? options_.credentials
                                           : grpc::InsecureChannelCredentials(),
                                       args);
  tokens_ = v1::TokenAuthority::NewStub(channel_);
  admin_ = v1::Admin::NewStub(channel_);
}

void Client::Authenticate(grpc::ClientContext& context) const {
  AttachApiKey(options_.api_key, context);
}

template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> Client::Call(
    Stub* stub,
    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                 Response*),
    const Request& request, std::optional<absl::Duration> deadline) {
  grpc::ClientContext context;
  context.set_deadline(
      absl::ToChronoTime(absl::Now() + deadline.value_or(options_.deadline)));
  Authenticate(context);
  Response response;
  grpc::Status status = (stub->*method)(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

absl::StatusOr<v1::SessionTokens> Client::IssueSession(
    const v1::IssueSessionRequest& request) {
  return Call(tokens_.get(), &v1::TokenAuthority::Stub::IssueSession, request);
}
absl::StatusOr<v1::SessionTokens> Client::RefreshSession(
    const v1::RefreshSessionRequest& request) {
  return Call(tokens_.get(), &v1::TokenAuthority::Stub::RefreshSession,
              request);
}
absl::StatusOr<v1::ValidateTokenResponse> Client::ValidateToken(
    const v1::ValidateTokenRequest& request) {
  return Call(tokens_.get(), &v1::TokenAuthority::Stub::ValidateToken, request);
}
absl::StatusOr<v1::RevokeSessionResponse> Client::RevokeSession(
    const v1::RevokeSessionRequest& request) {
  return Call(tokens_.get(), &v1::TokenAuthority::Stub::RevokeSession, request);
}
absl::StatusOr<v1::Session> Client::GetSession(
    const v1::GetSessionRequest& request) {
  return Call(tokens_.get(), &v1::TokenAuthority::Stub::GetSession, request);
}
absl::StatusOr<v1::ListSessionsResponse> Client::ListSessions(
    const v1::ListSessionsRequest& request) {
  return Call(tokens_.get(), &v1::TokenAuthority::Stub::ListSessions, request);
}
absl::StatusOr<v1::UpdateClaimsResponse> Client::UpdateClaims(
    const v1::UpdateClaimsRequest& request) {
  return Call(tokens_.get(), &v1::TokenAuthority::Stub::UpdateClaims, request);
}
absl::StatusOr<v1::GetJwksResponse> Client::GetJwks() {
  return Call(tokens_.get(), &v1::TokenAuthority::Stub::GetJwks,
              v1::GetJwksRequest());
}
absl::StatusOr<v1::RotateSigningKeyResponse> Client::RotateSigningKey(
    const v1::RotateSigningKeyRequest& request) {
  return Call(admin_.get(), &v1::Admin::Stub::RotateSigningKey, request);
}
absl::StatusOr<v1::WithdrawSigningKeyResponse> Client::WithdrawSigningKey(
    const v1::WithdrawSigningKeyRequest& request) {
  return Call(admin_.get(), &v1::Admin::Stub::WithdrawSigningKey, request);
}
absl::StatusOr<v1::ListSigningKeysResponse> Client::ListSigningKeys() {
  return Call(admin_.get(), &v1::Admin::Stub::ListSigningKeys,
              v1::ListSigningKeysRequest());
}

absl::StatusOr<v1::GetStatsResponse> Client::GetStats() {
  return Call(admin_.get(), &v1::Admin::Stub::GetStats, v1::GetStatsRequest());
}

absl::StatusOr<v1::CreateBackupResponse> Client::CreateBackup(
    const v1::CreateBackupRequest& request, absl::Duration deadline) {
  return Call(admin_.get(), &v1::Admin::Stub::CreateBackup, request, deadline);
}

absl::Status Client::WatchRevocations(
    const v1::WatchRevocationsRequest& request,
    absl::FunctionRef<bool(const v1::RevocationEvent&)> on_event) {
  grpc::ClientContext context;
  Authenticate(context);
  std::unique_ptr<grpc::ClientReader<v1::RevocationEvent>> reader =
      tokens_->WatchRevocations(&context, request);
  v1::RevocationEvent event;
  bool stopped = false;
  while (reader->Read(&event)) {
    if (!on_event(event)) {
      stopped = true;
      context.TryCancel();
      break;
    }
  }
  const grpc::Status status = reader->Finish();
  if (stopped) return absl::OkStatus();
  return FromGrpcStatus(status);
}

}  // namespace tessera
