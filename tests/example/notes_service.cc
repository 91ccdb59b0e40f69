#include "tests/example/notes_service.h"

#include "client/auth/bearer.h"

namespace example {

grpc::ServerUnaryReactor* NotesService::WhoAmI(
    grpc::CallbackServerContext* context, const example::v1::WhoAmIRequest*,
    example::v1::WhoAmIResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<tessera::VerifiedClaims> caller =
      tessera::AuthenticateBearer(*context, *verifier_);
  if (!caller.ok()) {
    reactor->Finish(tessera::ToGrpcStatus(caller.status()));
    return reactor;
  }
  response->set_subject((*caller)->subject);
  response->set_session_id((*caller)->session_id);
  if (const tessera::token::Json* plan = (*caller)->custom.Find("plan");
      plan != nullptr && plan->is_string()) {
    response->set_plan(plan->string_value());
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace example
