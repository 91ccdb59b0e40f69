#ifndef TESSERA_SERVER_SERVICE_TOKEN_AUTHORITY_SERVICE_H_
#define TESSERA_SERVER_SERVICE_TOKEN_AUTHORITY_SERVICE_H_

// tessera.v1.TokenAuthority (proto/tessera/v1/token_authority.proto), on
// gRPC's callback API. Methods not built yet answer UNIMPLEMENTED naming the
// method (see unimplemented.h).

#include "tessera/v1/token_authority.grpc.pb.h"

namespace tessera::service {

class TokenAuthorityService final
    : public tessera::v1::TokenAuthority::CallbackService {
 public:
  grpc::ServerUnaryReactor* IssueSession(
      grpc::CallbackServerContext* context,
      const tessera::v1::IssueSessionRequest* request,
      tessera::v1::SessionTokens* response) override;
  grpc::ServerUnaryReactor* RefreshSession(
      grpc::CallbackServerContext* context,
      const tessera::v1::RefreshSessionRequest* request,
      tessera::v1::SessionTokens* response) override;
  grpc::ServerUnaryReactor* ValidateToken(
      grpc::CallbackServerContext* context,
      const tessera::v1::ValidateTokenRequest* request,
      tessera::v1::ValidateTokenResponse* response) override;
  grpc::ServerUnaryReactor* RevokeSession(
      grpc::CallbackServerContext* context,
      const tessera::v1::RevokeSessionRequest* request,
      tessera::v1::RevokeSessionResponse* response) override;
  grpc::ServerUnaryReactor* GetSession(
      grpc::CallbackServerContext* context,
      const tessera::v1::GetSessionRequest* request,
      tessera::v1::Session* response) override;
  grpc::ServerUnaryReactor* ListSessions(
      grpc::CallbackServerContext* context,
      const tessera::v1::ListSessionsRequest* request,
      tessera::v1::ListSessionsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateClaims(
      grpc::CallbackServerContext* context,
      const tessera::v1::UpdateClaimsRequest* request,
      tessera::v1::UpdateClaimsResponse* response) override;
  grpc::ServerUnaryReactor* GetJwks(
      grpc::CallbackServerContext* context,
      const tessera::v1::GetJwksRequest* request,
      tessera::v1::GetJwksResponse* response) override;
  grpc::ServerWriteReactor<tessera::v1::RevocationEvent>* WatchRevocations(
      grpc::CallbackServerContext* context,
      const tessera::v1::WatchRevocationsRequest* request) override;
};

}  // namespace tessera::service

#endif  // TESSERA_SERVER_SERVICE_TOKEN_AUTHORITY_SERVICE_H_
