#include "server/http/http_server.h"

#include <httplib.h>

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace tessera::http {
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
    const std::string& address, Handlers handlers) {
  std::string host;
  int port = 0;
  if (!SplitHostPort(address, &host, &port)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--http_address=", address, " is not host:port or [v6]:port"));
  }
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->server_ = std::make_unique<httplib::Server>();
  httplib::Server& http = *server->server_;
  http.set_payload_max_length(kMaxBodyBytes);
  http.set_read_timeout(5, 0);
  http.set_write_timeout(5, 0);
  http.set_keep_alive_max_count(100);

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

  const int bound = port == 0 ? http.bind_to_any_port(host)
                              : (http.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on --http_address=", address,
                     " (in use, or not an address of this machine)"));
  }
  server->address_ = host.find(':') != std::string::npos
                         ? absl::StrCat("[", host, "]:", bound)
                         : absl::StrCat(host, ":", bound);
  server->thread_ = std::thread([&http] { http.listen_after_bind(); });
  return server;
}

void HttpServer::Stop() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

HttpServer::~HttpServer() { Stop(); }

}  // namespace tessera::http
