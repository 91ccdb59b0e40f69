#ifndef TESSERA_SERVER_SERVICE_OFFLOAD_H_
#define TESSERA_SERVER_SERVICE_OFFLOAD_H_

// Where a unary RPC that reaches the store runs: with a remote store
// (PostgreSQL) on the worker pool, so gRPC's callback threads never wait on
// the network; with RocksDB (no pool) inline, as before.
//
// `body(reactor)` must finish `reactor` exactly once (it runs after the RPC
// method has returned when offloaded; the request, response and context
// stay valid until it does). A full pool answers UNAVAILABLE
// STORE_UNAVAILABLE at once.

#include <utility>

#include "grpcpp/grpcpp.h"
#include "server/errors/errors.h"
#include "server/errors/reasons.h"
#include "server/service/worker_pool.h"

namespace tessera::service {

template <typename Body>
grpc::ServerUnaryReactor* Offload(WorkerPool* workers,
                                  grpc::CallbackServerContext* context,
                                  Body body) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (workers == nullptr) {
    body(reactor);
  } else if (!workers->Submit(
                 [reactor, body = std::move(body)] { body(reactor); })) {
    reactor->Finish(errors::ToGrpcStatus(
        errors::Error(absl::StatusCode::kUnavailable, errors::kStoreUnavailable,
                      "every store worker is busy; retry")));
  }
  return reactor;
}

}  // namespace tessera::service

#endif  // TESSERA_SERVER_SERVICE_OFFLOAD_H_
