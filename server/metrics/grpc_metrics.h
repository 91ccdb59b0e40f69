#ifndef TESSERA_SERVER_METRICS_GRPC_METRICS_H_
#define TESSERA_SERVER_METRICS_GRPC_METRICS_H_

// Counts every gRPC call and times it, per method and status code:
//
//   tessera_grpc_requests_total{method,code}
//   tessera_grpc_request_duration_seconds{method,code}   (histogram)
//
// as a server interceptor, so no handler has to remember to do it. The
// time runs from the request's metadata arriving to the status being sent;
// for server streams (WatchRevocations) that is the stream's lifetime.

#include <memory>

#include "grpcpp/support/server_interceptor.h"
#include "server/metrics/metrics.h"

namespace tessera::metrics {

// `registry` must outlive the gRPC server the factory is given to.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewGrpcMetricsInterceptorFactory(Registry* registry);

}  // namespace tessera::metrics

#endif  // TESSERA_SERVER_METRICS_GRPC_METRICS_H_
