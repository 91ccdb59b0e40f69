#ifndef TESSERA_SERVER_HTTP_HTTP_SERVER_H_
#define TESSERA_SERVER_HTTP_HTTP_SERVER_H_

// The HTTP side listener (DESIGN §7, §10), on --http_address:
//
//   GET /.well-known/jwks.json  the published keys; Cache-Control max-age
//                               from the key ring (shorter than a rotation)
//   GET /healthz                200 while the process serves at all
//   GET /readyz                 200 once the store and keys are loaded and
//                               until shutdown begins, else 503
//   GET /metrics                Prometheus text format 0.0.4
//
// Everything else is 404 (405 for other methods on these paths). Requests
// are small and read-only; bodies are refused, headers and URIs are capped.
// The HTTP parser is cpp-httplib's (Debian's libcpp-httplib), never ours.
//
// Thread-safe: handlers run on cpp-httplib's worker threads.

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace httplib {
class Server;
}

namespace tessera::http {

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
  // serving. UNAVAILABLE if it cannot bind.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      const std::string& address, Handlers handlers);
  ~HttpServer();  // Stop().

  // "host:port" with the bound port.
  const std::string& address() const { return address_; }

  // Stops accepting and waits for the listener thread. Idempotent.
  void Stop();

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

 private:
  HttpServer() = default;

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string address_;
};

}  // namespace tessera::http

#endif  // TESSERA_SERVER_HTTP_HTTP_SERVER_H_
