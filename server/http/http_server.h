#ifndef TESSERA_SERVER_HTTP_HTTP_SERVER_H_
#define TESSERA_SERVER_HTTP_HTTP_SERVER_H_

// The HTTP side listener (docs/keys.md, docs/operations.md), on --http_address:
//
//   GET /.well-known/jwks.json  the published keys; Cache-Control max-age
//                               from the key ring (shorter than a rotation)
//   GET /healthz                200 while the process serves at all
//   GET /readyz                 200 once the store and keys are loaded and
//                               until shutdown begins, else 503
//   GET /metrics                Prometheus text format 0.0.4
//
// Everything else is 404 (405 for other methods on these paths). Requests
// are small and read-only; bodies over 1 KiB are refused (413). The HTTP
// parser is cpp-httplib's (Debian's libcpp-httplib), never ours; the
// connections are our Listener's (listener.h), which bounds what a client
// can hold: no worker thread while a request is still arriving, heads of at
// most 16 KiB within 5 s, 5 s of worker time per request, 256 connections.
//
// Thread-safe: handlers run on the Listener's worker threads, concurrently.

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/http/listener.h"

namespace tessera::http {

class Router;  // cpp-httplib's Server, in http_server.cc.

struct Handlers {
  struct Jwks {
    std::string json;
    absl::Duration max_age;
  };
  std::function<Jwks()> jwks;
  std::function<bool()> ready;
  std::function<std::string()> metrics;
};

class HttpServer {
 public:
  // Binds `address` ("host:port", "[v6]:port"; port 0 picks one) and starts
  // serving. UNAVAILABLE if it cannot bind. Tests may pass smaller limits.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      const std::string& address, Handlers handlers,
      ListenerLimits limits = {});
  ~HttpServer();  // Stop().

  // "host:port" with the bound port.
  const std::string& address() const { return address_; }

  // Stops accepting, closes every connection and waits for the listener's
  // threads. Idempotent.
  void Stop();

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

 private:
  HttpServer() = default;

  std::unique_ptr<Router> router_;  // Outlives listener_, which uses it.
  std::unique_ptr<Listener> listener_;
  std::string address_;
};

}  // namespace tessera::http

#endif  // TESSERA_SERVER_HTTP_HTTP_SERVER_H_
