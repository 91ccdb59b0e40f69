#ifndef TESSERA_SERVER_ERRORS_ERRORS_H_
#define TESSERA_SERVER_ERRORS_ERRORS_H_

// Tessera's errors: an absl::Status with a stable reason (UPPER_SNAKE, the
// google.rpc.ErrorInfo reason of docs/architecture.md) carried as a payload, so
// every layer speaks absl::Status and only the gRPC edge converts
// (ToGrpcStatus). The reasons are listed in token_authority.proto.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"

namespace tessera::errors {

inline constexpr char kDomain[] = "tessera";

// A status with `reason`; `message` should tell a person what to do.
absl::Status Error(absl::StatusCode code, absl::string_view reason,
                   absl::string_view message);

// `status` with a google.rpc.RetryInfo delay (rate limits): clients that
// honour it back off for `delay`.
absl::Status WithRetryDelay(absl::Status status, absl::Duration delay);

// The reason of a status made by Error(), or "" for any other status.
std::string ReasonOf(const absl::Status& status);

// The gRPC status for `status`: same code and message, and for a status with
// a reason a google.rpc.Status detail holding ErrorInfo{reason, domain}
// (and RetryInfo when WithRetryDelay set one).
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace tessera::errors

#endif  // TESSERA_SERVER_ERRORS_ERRORS_H_
