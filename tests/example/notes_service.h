#ifndef TESSERA_TESTS_EXAMPLE_NOTES_SERVICE_H_
#define TESSERA_TESTS_EXAMPLE_NOTES_SERVICE_H_

// The example relying service: every method authenticates its caller with
// tessera::AuthenticateBearer and a shared Verifier.

#include "client/verifier/verifier.h"
#include "notes.grpc.pb.h"

namespace example {

class NotesService final : public example::v1::Notes::CallbackService {
 public:
  explicit NotesService(const tessera::Verifier* verifier)
      : verifier_(verifier) {}

  grpc::ServerUnaryReactor* WhoAmI(
      grpc::CallbackServerContext* context,
      const example::v1::WhoAmIRequest* request,
      example::v1::WhoAmIResponse* response) override;

 private:
  const tessera::Verifier* const verifier_;
};

}  // namespace example

#endif  // TESSERA_TESTS_EXAMPLE_NOTES_SERVICE_H_
