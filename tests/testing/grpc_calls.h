#ifndef TESSERA_TESTS_TESTING_GRPC_CALLS_H_
#define TESSERA_TESTS_TESTING_GRPC_CALLS_H_

// gRPC helpers tests and benchmarks share: the Tessera ErrorInfo reason of a
// status, a deadline on a call, and a unary call of any method path with an
// empty message.

#include <string>

#include "absl/time/time.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"

namespace tessera::testing {

// The reason of the status's google.rpc.ErrorInfo detail with domain
// "tessera" ("" if there is none).
std::string ReasonOf(const grpc::Status& status);

// Sets `context`'s deadline `timeout` from now; returns `context`, for
// `stub->Method(WithDeadline(&context), ...)`.
grpc::ClientContext* WithDeadline(grpc::ClientContext* context,
                                  absl::Duration timeout = absl::Seconds(10));

// Calls `method` ("/package.Service/Method", registered or not) with an
// empty message (valid for any request type whose fields are optional) and
// waits for its status; `deadline` from now, none if infinite.
grpc::Status CallWithEmptyMessage(
    grpc::GenericStub& stub, const std::string& method,
    absl::Duration deadline = absl::InfiniteDuration());

}  // namespace tessera::testing

#endif  // TESSERA_TESTS_TESTING_GRPC_CALLS_H_
