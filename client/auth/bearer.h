#ifndef TESSERA_CLIENT_AUTH_BEARER_H_
#define TESSERA_CLIENT_AUTH_BEARER_H_

// For a relying C++ gRPC service: authenticate the caller of a method from
// its "authorization: Bearer <access token>" metadata with a Verifier, no
// network call per request.
//
//   grpc::ServerUnaryReactor* Notes::WhoAmI(
//       grpc::CallbackServerContext* context, const WhoAmIRequest* request,
//       WhoAmIResponse* response) {
//     grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
//     absl::StatusOr<tessera::VerifiedClaims> caller =
//         tessera::AuthenticateBearer(*context, *verifier_);
//     if (!caller.ok()) {
//       reactor->Finish(tessera::ToGrpcStatus(caller.status()));
//       return reactor;
//     }
//     response->set_subject((*caller)->subject);
//     reactor->Finish(grpc::Status::OK);
//     return reactor;
//   }
//
// (tests/example/notes_service.cc is this example, compiled and tested.)
// HTTP services: http_bearer.h.

#include "absl/status/statusor.h"
#include "client/verifier/verifier.h"
#include "grpcpp/grpcpp.h"

namespace tessera {

// UNAUTHENTICATED without exactly one well-formed Bearer header, else the
// Verifier's answer. The header is read as ParseAuthorization
// (http_bearer.h) reads an HTTP Authorization field: the scheme in any
// case, one or more spaces, one b64token; surrounding spaces and tabs are
// ignored.
absl::StatusOr<VerifiedClaims> AuthenticateBearer(
    const grpc::ServerContextBase& context, const Verifier& verifier);

// The status to answer with: UNAUTHENTICATED (message starting with the
// TokenInvalidReason name) or UNAVAILABLE when the Verifier fails closed.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace tessera

#endif  // TESSERA_CLIENT_AUTH_BEARER_H_
