#include "server/metrics/grpc_metrics.h"

#include <string>

#include "absl/base/internal/raw_logging.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "client/base/tsan_annotations.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/support/status.h"

namespace tessera::metrics {
namespace {

using grpc::experimental::InterceptionHookPoints;

constexpr size_t kStatusCodes = 17;  // OK .. UNAUTHENTICATED.

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
  return index >= 0 && index < static_cast<int>(kStatusCodes) ? kNames[index]
                                                              : "UNKNOWN";
}

// "service/Method" for every method of `services`; they must fit the
// registry's per-family cap with every status code and the unknown label,
// so that a real call never lands in the overflow child.
absl::flat_hash_set<std::string> KnownMethods(
    const std::vector<std::string>& services) {
  absl::flat_hash_set<std::string> methods;
  const google::protobuf::DescriptorPool* pool =
      google::protobuf::DescriptorPool::generated_pool();
  for (const std::string& name : services) {
    const google::protobuf::ServiceDescriptor* service =
        pool->FindServiceByName(name);
    if (service == nullptr) {
      ABSL_RAW_LOG(FATAL, "gRPC metrics: no descriptor for service %s",
                   name.c_str());
    }
    for (int i = 0; i < service->method_count(); ++i) {
      methods.insert(absl::StrCat(name, "/", service->method(i)->name()));
    }
  }
  if ((methods.size() + 1) * kStatusCodes > kMaxLabelSets) {
    ABSL_RAW_LOG(FATAL, "gRPC metrics: %zu methods exceed the label-set cap",
                 methods.size());
  }
  return methods;
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
  Factory(Registry* registry, const std::vector<std::string>& services)
      : known_methods_(KnownMethods(services)),
        families_{registry->AddCounter(
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
    const char* method = info->method() != nullptr ? info->method() : "";
    const auto known = known_methods_.find(absl::StripPrefix(method, "/"));
    return new MetricsInterceptor(
        &families_, known != known_methods_.end() ? *known : kUnknownMethod);
  }

 private:
  const absl::flat_hash_set<std::string> known_methods_;
  const Families families_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewGrpcMetricsInterceptorFactory(Registry* registry,
                                 const std::vector<std::string>& services) {
  return std::make_unique<Factory>(registry, services);
}

}  // namespace tessera::metrics
