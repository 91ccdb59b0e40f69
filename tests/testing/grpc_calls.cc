#include "tests/testing/grpc_calls.h"

#include <future>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace tessera::testing {

std::string ReasonOf(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info) && info.domain() == "tessera") return info.reason();
  }
  return "";
}

grpc::ClientContext* WithDeadline(grpc::ClientContext* context,
                                  absl::Duration timeout) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

grpc::Status CallWithEmptyMessage(grpc::GenericStub& stub,
                                  const std::string& method,
                                  absl::Duration deadline) {
  grpc::ClientContext context;
  if (deadline != absl::InfiniteDuration()) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  }
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status status) { done.set_value(status); });
  return done.get_future().get();
}

}  // namespace tessera::testing
