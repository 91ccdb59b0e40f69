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
//
// The interceptor runs before authentication and sees every path a client
// sends, so the method label comes from a fixed set: the methods of the
// services the server registers ("tessera.v1.Admin/RotateSigningKey"), and
// kUnknownMethod for any other path (gRPC answers those UNIMPLEMENTED). With
// 17 status codes the label sets are bounded by (methods + 1) * 17 whatever
// clients send (tesserad: 17 methods, 289 sets). The factory checks that this
// fits the registry's per-family cap (metrics.h), which backs it up, so no
// real call is ever counted as overflow.

#include <memory>
#include <string>
#include <vector>

#include "grpcpp/support/server_interceptor.h"
#include "server/metrics/metrics.h"

namespace tessera::metrics {

inline constexpr char kUnknownMethod[] = "unknown";

// `services` are full service names ("tessera.v1.Admin"); their methods are
// read from the generated descriptor pool, so the binary must link their
// generated code. A name not in the pool, or more methods than the cap
// allows, is a programming error: the process aborts (ABSL_RAW_LOG FATAL)
// when the factory is made.
// `registry` must outlive the gRPC server the factory is given to.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewGrpcMetricsInterceptorFactory(Registry* registry,
                                 const std::vector<std::string>& services);

}  // namespace tessera::metrics

#endif  // TESSERA_SERVER_METRICS_GRPC_METRICS_H_
