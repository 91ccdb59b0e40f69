#ifndef TESSERA_CLIENT_API_CLIENT_H_
#define TESSERA_CLIENT_API_CLIENT_H_

// tessera::Client: tesserad's generated stubs with what every caller needs
// and tends to forget:
//  - a deadline on every call (ClientOptions::deadline);
//  - retries of idempotent methods (ValidateToken, RevokeSession,
//    GetSession, ListSessions, GetJwks, ListSigningKeys) on UNAVAILABLE,
//    through gRPC's service config, never of IssueSession or RefreshSession
//    (a retried refresh could look like token reuse and revoke the session);
//  - errors as absl::Status with the same code and ErrorReason(status) the
//    google.rpc.ErrorInfo reason ("REFRESH_TOKEN_REUSED", ...).
//
// Thread-safe: one Client per process is enough (it holds one channel).

#include <memory>
#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "tessera/v1/admin.grpc.pb.h"
#include "tessera/v1/token_authority.grpc.pb.h"

namespace tessera {

struct ClientOptions {
  std::string target = "127.0.0.1:50051";
  // Default: plaintext (loopback).
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  absl::Duration deadline = absl::Seconds(5);
  // Sent as "authorization: Bearer <api_key>" when set (docs/security.md).
  std::string api_key;
};

// Sends `api_key` (if not empty) as "authorization: Bearer <api_key>" with
// the call `context` is for (docs/security.md). Client does it on every call;
// code with its own stubs (the load generator) uses this.
void AttachApiKey(const std::string& api_key, grpc::ClientContext& context);

// The ErrorInfo reason tesserad attached to `status`; empty if none.
std::string ErrorReason(const absl::Status& status);
// grpc::Status -> absl::Status, keeping the code, message and reason.
absl::Status FromGrpcStatus(const grpc::Status& status);

class Client {
 public:
  explicit Client(ClientOptions options);

  absl::StatusOr<v1::SessionTokens> IssueSession(
      const v1::IssueSessionRequest& request);
  absl::StatusOr<v1::SessionTokens> RefreshSession(
      const v1::RefreshSessionRequest& request);
  absl::StatusOr<v1::ValidateTokenResponse> ValidateToken(
      const v1::ValidateTokenRequest& request);
  absl::StatusOr<v1::RevokeSessionResponse> RevokeSession(
      const v1::RevokeSessionRequest& request);
  absl::StatusOr<v1::Session> GetSession(const v1::GetSessionRequest& request);
  absl::StatusOr<v1::ListSessionsResponse> ListSessions(
      const v1::ListSessionsRequest& request);
  absl::StatusOr<v1::UpdateClaimsResponse> UpdateClaims(
      const v1::UpdateClaimsRequest& request);
  absl::StatusOr<v1::GetJwksResponse> GetJwks();
  absl::StatusOr<v1::RotateSigningKeyResponse> RotateSigningKey(
      const v1::RotateSigningKeyRequest& request);
  // Not retried: a repeated withdrawal would answer KEY_NOT_FOUND.
  absl::StatusOr<v1::WithdrawSigningKeyResponse> WithdrawSigningKey(
      const v1::WithdrawSigningKeyRequest& request);
  absl::StatusOr<v1::ListSigningKeysResponse> ListSigningKeys();
  absl::StatusOr<v1::GetStatsResponse> GetStats();
  // A backup can take longer than ClientOptions::deadline: it gets
  // `deadline`.
  absl::StatusOr<v1::CreateBackupResponse> CreateBackup(
      const v1::CreateBackupRequest& request, absl::Duration deadline);

  // Streams revocation events (docs/architecture.md) to `on_event` until it
  // returns false (then OK), the server ends the stream, or the stream fails.
  // No deadline: a watch is meant to last. Blocks; the Verifier is what a
  // service runs to follow the stream for real (it resumes and reconnects).
  absl::Status WatchRevocations(
      const v1::WatchRevocationsRequest& request,
      absl::FunctionRef<bool(const v1::RevocationEvent&)> on_event);

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

 private:
  template <typename Stub, typename Request, typename Response>
  absl::StatusOr<Response> Call(
      Stub* stub,
      grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                   Response*),
      const Request& request,
      std::optional<absl::Duration> deadline = std::nullopt);
  // Adds the API key, if any.
  void Authenticate(grpc::ClientContext& context) const;

  const ClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::TokenAuthority::Stub> tokens_;
  std::unique_ptr<v1::Admin::Stub> admin_;
};

}  // namespace tessera

#endif  // TESSERA_CLIENT_API_CLIENT_H_
