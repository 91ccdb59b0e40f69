#include "client/auth/bearer.h"

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "client/auth/http_bearer.h"

namespace tessera {

absl::StatusOr<VerifiedClaims> AuthenticateBearer(
    const grpc::ServerContextBase& context, const Verifier& verifier) {
  std::vector<absl::string_view> fields;
  auto [first, last] = context.client_metadata().equal_range("authorization");
  for (auto it = first; it != last; ++it) {
    fields.emplace_back(it->second.data(), it->second.size());
  }
  // One parser for gRPC and HTTP (http_bearer.h, docs/http-contract.md).
  const BearerCredentials credentials = ParseAuthorization(fields);
  switch (credentials.kind) {
    case BearerCredentials::Kind::kMissing:
      return absl::UnauthenticatedError(
          "missing \"authorization: Bearer <access token>\" metadata");
    case BearerCredentials::Kind::kMalformed:
      return absl::UnauthenticatedError(
          fields.size() > 1 ? "more than one authorization header"
                            : "the authorization header is not \"Bearer\", "
                              "one space and one token");
    case BearerCredentials::Kind::kToken:
      break;
  }
  return verifier.Verify(credentials.token);
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const grpc::StatusCode code = status.code() == absl::StatusCode::kUnavailable
                                    ? grpc::StatusCode::UNAVAILABLE
                                    : grpc::StatusCode::UNAUTHENTICATED;
  return grpc::Status(code, std::string(status.message()));
}

}  // namespace tessera
