#include "server/service/token_authority_service.h"

#include "server/service/unimplemented.h"

namespace tessera::service {

using ::grpc::CallbackServerContext;
using ::grpc::ServerUnaryReactor;

ServerUnaryReactor* TokenAuthorityService::IssueSession(
    CallbackServerContext* context, const tessera::v1::IssueSessionRequest*,
    tessera::v1::SessionTokens*) {
  return FinishUnimplemented(context, "tessera.v1.TokenAuthority/IssueSession");
}

ServerUnaryReactor* TokenAuthorityService::RefreshSession(
    CallbackServerContext* context, const tessera::v1::RefreshSessionRequest*,
    tessera::v1::SessionTokens*) {
  return FinishUnimplemented(context,
                             "tessera.v1.TokenAuthority/RefreshSession");
}

ServerUnaryReactor* TokenAuthorityService::ValidateToken(
    CallbackServerContext* context, const tessera::v1::ValidateTokenRequest*,
    tessera::v1::ValidateTokenResponse*) {
  return FinishUnimplemented(context,
                             "tessera.v1.TokenAuthority/ValidateToken");
}

ServerUnaryReactor* TokenAuthorityService::RevokeSession(
    CallbackServerContext* context, const tessera::v1::RevokeSessionRequest*,
    tessera::v1::RevokeSessionResponse*) {
  return FinishUnimplemented(context,
                             "tessera.v1.TokenAuthority/RevokeSession");
}

ServerUnaryReactor* TokenAuthorityService::GetSession(
    CallbackServerContext* context, const tessera::v1::GetSessionRequest*,
    tessera::v1::Session*) {
  return FinishUnimplemented(context, "tessera.v1.TokenAuthority/GetSession");
}

ServerUnaryReactor* TokenAuthorityService::ListSessions(
    CallbackServerContext* context, const tessera::v1::ListSessionsRequest*,
    tessera::v1::ListSessionsResponse*) {
  return FinishUnimplemented(context, "tessera.v1.TokenAuthority/ListSessions");
}

ServerUnaryReactor* TokenAuthorityService::UpdateClaims(
    CallbackServerContext* context, const tessera::v1::UpdateClaimsRequest*,
    tessera::v1::UpdateClaimsResponse*) {
  return FinishUnimplemented(context, "tessera.v1.TokenAuthority/UpdateClaims");
}

ServerUnaryReactor* TokenAuthorityService::GetJwks(
    CallbackServerContext* context, const tessera::v1::GetJwksRequest*,
    tessera::v1::GetJwksResponse*) {
  return FinishUnimplemented(context, "tessera.v1.TokenAuthority/GetJwks");
}

grpc::ServerWriteReactor<tessera::v1::RevocationEvent>*
TokenAuthorityService::WatchRevocations(
    CallbackServerContext*, const tessera::v1::WatchRevocationsRequest*) {
  return new UnimplementedWriter<tessera::v1::RevocationEvent>(
      "tessera.v1.TokenAuthority/WatchRevocations");
}

}  // namespace tessera::service
