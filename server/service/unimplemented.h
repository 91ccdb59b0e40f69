#ifndef TESSERA_SERVER_SERVICE_UNIMPLEMENTED_H_
#define TESSERA_SERVER_SERVICE_UNIMPLEMENTED_H_

// Answers for methods of the contract that this build does not serve yet:
// UNIMPLEMENTED with a message naming the method, rather than gRPC's bare
// default, so a caller knows it reached tesserad and what is missing.

#include <string>

#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"

namespace tessera::service {

grpc::Status NotImplementedYet(absl::string_view full_method);

// Finishes a unary callback call with NotImplementedYet().
grpc::ServerUnaryReactor* FinishUnimplemented(
    grpc::CallbackServerContext* context, absl::string_view full_method);

}  // namespace tessera::service

#endif  // TESSERA_SERVER_SERVICE_UNIMPLEMENTED_H_
