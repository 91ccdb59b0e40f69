#include "server/service/unimplemented.h"

#include "absl/strings/str_cat.h"

namespace tessera::service {

grpc::Status NotImplementedYet(absl::string_view full_method) {
  return grpc::Status(
      grpc::StatusCode::UNIMPLEMENTED,
      absl::StrCat(full_method,
                   " is not implemented yet in this tesserad build"));
}

grpc::ServerUnaryReactor* FinishUnimplemented(
    grpc::CallbackServerContext* context, absl::string_view full_method) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(NotImplementedYet(full_method));
  return reactor;
}

}  // namespace tessera::service
