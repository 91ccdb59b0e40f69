#include "client/auth/bearer.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace tessera {

absl::StatusOr<VerifiedClaims> AuthenticateBearer(
    const grpc::ServerContextBase& context, const Verifier& verifier) {
  const auto& metadata = context.client_metadata();
  auto [first, last] = metadata.equal_range("authorization");
  if (first == last) {
    return absl::UnauthenticatedError(
        "missing \"authorization: Bearer <access token>\" metadata");
  }
  if (std::next(first) != last) {
    return absl::UnauthenticatedError("more than one authorization header");
  }
  const absl::string_view value(first->second.data(), first->second.size());
  constexpr absl::string_view kScheme = "bearer ";  // RFC 6750: any case.
  if (value.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme)) {
    return absl::UnauthenticatedError(
        "the authorization header is not a Bearer token");
  }
  return verifier.Verify(
      absl::StripLeadingAsciiWhitespace(value.substr(kScheme.size())));
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const grpc::StatusCode code = status.code() == absl::StatusCode::kUnavailable
                                    ? grpc::StatusCode::UNAVAILABLE
                                    : grpc::StatusCode::UNAUTHENTICATED;
  return grpc::Status(code, std::string(status.message()));
}

}  // namespace tessera
