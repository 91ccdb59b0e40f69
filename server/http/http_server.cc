#include "server/http/http_server.h"

#include <httplib.h>

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace tessera::http {

// cpp-httplib's routing and parsing, fed by our Listener instead of its own
// thread-per-connection loop.
class Router : public httplib::Server {
 public:
  using httplib::Server::process_request;
};

namespace {

constexpr size_t kMaxBodyBytes = 1024;  // No endpoint takes a body.

// "host:port" or "[v6]:port" -> host (no brackets), port.
bool SplitHostPort(const std::string& address, std::string* host, int* port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  *host = address.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  return absl::SimpleAtoi(address.substr(colon + 1), port) && *port >= 0 &&
         *port <= 65535 && !host->empty();
}

void Text(httplib::Response& response, int status, const std::string& body) {
  response.status = status;
  response.set_content(body, "text/plain; charset=utf-8");
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    const std::string& address, Handlers handlers, ListenerLimits limits) {
  std::string host;
  int port = 0;
  if (!SplitHostPort(address, &host, &port)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--http_address=", address, " is not host:port or [v6]:port"));
  }
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->router_ = std::make_unique<Router>();
  Router& http = *server->router_;
  http.set_payload_max_length(kMaxBodyBytes);
  // Only what the Keep-Alive response header says; the Listener enforces.
  http.set_keep_alive_max_count(limits.max_requests_per_connection);
  http.set_keep_alive_timeout(absl::ToInt64Seconds(limits.request_wait));

  http.Get("/.well-known/jwks.json", [jwks = handlers.jwks](
                                         const httplib::Request&,
                                         httplib::Response& response) {
    Handlers::Jwks current = jwks();
    response.set_header("Cache-Control",
                        absl::StrCat("public, max-age=",
                                     absl::ToInt64Seconds(current.max_age)));
    response.set_content(current.json, "application/jwk-set+json");
  });
  http.Get("/healthz", [](const httplib::Request&, httplib::Response& r) {
    Text(r, 200, "ok\n");
  });
  http.Get("/readyz", [ready = handlers.ready](const httplib::Request&,
                                               httplib::Response& r) {
    if (ready()) {
      Text(r, 200, "ready\n");
    } else {
      Text(r, 503, "not ready\n");
    }
  });
  http.Get("/metrics", [metrics = handlers.metrics](const httplib::Request&,
                                                    httplib::Response& r) {
    r.set_content(metrics(), "text/plain; version=0.0.4; charset=utf-8");
  });
  // Only GET (and HEAD, which cpp-httplib answers from GET) is served.
  for (const char* path :
       {"/.well-known/jwks.json", "/healthz", "/readyz", "/metrics"}) {
    auto refuse = [](const httplib::Request&, httplib::Response& r) {
      r.set_header("Allow", "GET, HEAD");
      Text(r, 405, "method not allowed\n");
    };
    http.Post(path, refuse);
    http.Put(path, refuse);
    http.Delete(path, refuse);
    http.Patch(path, refuse);
  }

  absl::StatusOr<std::unique_ptr<Listener>> listener = Listener::Start(
      host, port, limits,
      [&http](httplib::Stream& stream, bool close, bool& closed) {
        return http.process_request(stream, close, closed, nullptr);
      });
  if (!listener.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on --http_address=", address,
                     " (in use, or not an address of this machine)"));
  }
  server->listener_ = std::move(*listener);
  const int bound = server->listener_->port();
  server->address_ = host.find(':') != std::string::npos
                         ? absl::StrCat("[", host, "]:", bound)
                         : absl::StrCat(host, ":", bound);
  return server;
}

void HttpServer::Stop() {
  if (listener_ != nullptr) listener_->Stop();
}

HttpServer::~HttpServer() { Stop(); }

}  // namespace tessera::http
