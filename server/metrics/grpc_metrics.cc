#include "server/metrics/grpc_metrics.h"

#include <string>

#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "client/base/tsan_annotations.h"
#include "grpcpp/support/status.h"

namespace tessera::metrics {
namespace {

using grpc::experimental::InterceptionHookPoints;

const char* CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  const int index = static_cast<int>(code);
  return index >= 0 && index < 17 ? kNames[index] : "UNKNOWN";
}

struct Families {
  CounterFamily* requests;
  HistogramFamily* latency;
};

class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(const Families* families, std::string method)
      : families_(families), method_(std::move(method)) {}

  // gRPC runs each hook point after the previous one called Proceed, and
  // destroys the interceptor after the last, possibly on other threads.
  ~MetricsInterceptor() override { TESSERA_HANDOFF_ACQUIRE(this); }

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    TESSERA_HANDOFF_ACQUIRE(this);
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      start_ = absl::Now();
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      const std::vector<std::string> labels = {
          method_, CodeName(methods->GetSendStatus().error_code())};
      families_->requests->WithLabels(labels)->Increment();
      families_->latency->WithLabels(labels)->Observe(
          absl::ToDoubleSeconds(absl::Now() - start_));
    }
    TESSERA_HANDOFF_RELEASE(this);
    methods->Proceed();
  }

 private:
  const Families* const families_;
  const std::string method_;
  absl::Time start_ = absl::Now();
};

class Factory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit Factory(Registry* registry)
      : families_{registry->AddCounter(
                      "tessera_grpc_requests_total",
                      "gRPC calls answered, by method and status code.",
                      {"method", "code"}),
                  registry->AddHistogram(
                      "tessera_grpc_request_duration_seconds",
                      "Time from request metadata to status, by method and "
                      "status code.",
                      {"method", "code"}, LatencyBucketsSeconds())} {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    // "/tessera.v1.TokenAuthority/IssueSession" -> without the slash.
    return new MetricsInterceptor(
        &families_, std::string(absl::StripPrefix(info->method(), "/")));
  }

 private:
  const Families families_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewGrpcMetricsInterceptorFactory(Registry* registry) {
  return std::make_unique<Factory>(registry);
}

}  // namespace tessera::metrics
