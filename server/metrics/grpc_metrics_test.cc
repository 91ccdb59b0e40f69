#include "server/metrics/grpc_metrics.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/testing/grpc_calls.h"

namespace tessera::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A registered service whose methods the interceptor knows by name. A
// callback service, as tesserad's are: with one, gRPC hands calls to unknown
// methods to the interceptor with the path the client sent (a server of only
// sync services reports them all as "unknown" itself).
class Health : public grpc::health::v1::Health::CallbackService {
 public:
  grpc::ServerUnaryReactor* Check(
      grpc::CallbackServerContext* context,
      const grpc::health::v1::HealthCheckRequest*,
      grpc::health::v1::HealthCheckResponse*) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

// An in-process server with that service and the interceptor.
class GrpcMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<
        std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
        interceptors;
    interceptors.push_back(NewGrpcMetricsInterceptorFactory(
        &registry_, {"grpc.health.v1.Health"}));
    grpc::ServerBuilder builder;
    builder.experimental().SetInterceptorCreators(std::move(interceptors));
    builder.RegisterService(&health_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    channel_ = server_->InProcessChannel({});
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  grpc::Status CallGeneric(const std::string& method) {
    grpc::GenericStub stub(channel_);
    return ::tessera::testing::CallWithEmptyMessage(stub, method);
  }

  Registry registry_;
  Health health_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(GrpcMetricsTest, KnownMethodsAreLabelledByName) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(health->Check(&context, {}, &response).ok());
  EXPECT_THAT(registry_.Render(),
              HasSubstr("tessera_grpc_requests_total{method=\"grpc.health.v1."
                        "Health/Check\",code=\"OK\"} 1\n"));
}

TEST_F(GrpcMetricsTest, UnknownMethodsShareOneLabelWhateverTheirPath) {
  const std::string padding(1024, 'p');
  constexpr int kCalls = 300;
  for (int i = 0; i < kCalls; ++i) {
    ASSERT_EQ(CallGeneric(absl::StrCat("/x", padding, ".Y/m", i)).error_code(),
              grpc::StatusCode::UNIMPLEMENTED);
  }
  // A service that exists, a method that does not.
  ASSERT_EQ(CallGeneric("/grpc.health.v1.Health/Nope").error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  const std::string text = registry_.Render();
  EXPECT_THAT(text, HasSubstr(absl::StrCat(
                        "tessera_grpc_requests_total{method=\"unknown\","
                        "code=\"UNIMPLEMENTED\"} ",
                        kCalls + 1, "\n")));
  EXPECT_THAT(text, HasSubstr("tessera_grpc_request_duration_seconds_count{"
                              "method=\"unknown\",code=\"UNIMPLEMENTED\"} " +
                              std::to_string(kCalls + 1) + "\n"));
  EXPECT_THAT(text, Not(HasSubstr("ppp")));
  EXPECT_THAT(text, Not(HasSubstr("Nope")));
  EXPECT_LT(text.size(), 8 * 1024u);  // Two series: one counter, one histogram.
}

TEST(GrpcMetricsDeathTest, AServiceWithoutADescriptorAborts) {
  Registry registry;
  EXPECT_DEATH(NewGrpcMetricsInterceptorFactory(&registry, {"no.such.Service"}),
               "no descriptor for service no.such.Service");
}

}  // namespace
}  // namespace tessera::metrics
