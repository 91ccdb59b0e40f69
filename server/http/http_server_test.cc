#include "server/http/http_server.h"

#include <httplib.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/http/raw_connection.h"

namespace tessera::http {
namespace {

using ::tessera::http::testing::ClosedByPeer;
using ::tessera::http::testing::OpenConnection;
using ::tessera::http::testing::ReadToEnd;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::unique_ptr<HttpServer> StartServer(ListenerLimits limits = {}) {
  Handlers handlers{
      .jwks =
          [] {
            return Handlers::Jwks{"{\"keys\":[]}", absl::Minutes(5)};
          },
      .ready = [] { return true; },
      .metrics = [] { return std::string("m 1\n"); }};
  absl::StatusOr<std::unique_ptr<HttpServer>> server =
      HttpServer::Start("127.0.0.1:0", std::move(handlers), limits);
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? std::move(*server) : nullptr;
}

// Status of a GET by cpp-httplib's client (10 s timeouts); 0: no answer.
int Get(const HttpServer& server, const std::string& path) {
  httplib::Client client(absl::StrCat("http://", server.address()));
  client.set_connection_timeout(10, 0);
  client.set_read_timeout(10, 0);
  httplib::Result result = client.Get(path.c_str());
  return result ? result->status : 0;
}

int Count(const std::string& text, const std::string& part) {
  int count = 0;
  for (size_t at = text.find(part); at != std::string::npos;
       at = text.find(part, at + 1)) {
    ++count;
  }
  return count;
}

TEST(HttpServerTest, RoutesAndMethods) {
  std::unique_ptr<HttpServer> server = StartServer();
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(Get(*server, "/healthz"), 200);
  EXPECT_EQ(Get(*server, "/readyz"), 200);
  EXPECT_EQ(Get(*server, "/metrics"), 200);
  EXPECT_EQ(Get(*server, "/.well-known/jwks.json"), 200);
  EXPECT_EQ(Get(*server, "/nope"), 404);
  const int fd = OpenConnection(
      server->address(),
      "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
      "Connection: close\r\n\r\n");
  ASSERT_GE(fd, 0);
  EXPECT_THAT(ReadToEnd(fd), StartsWith("HTTP/1.1 405"));
  close(fd);
}

TEST(HttpServerTest, IncompleteRequestsHoldNoWorker) {
  ListenerLimits limits;
  limits.workers = 1;
  std::unique_ptr<HttpServer> server = StartServer(limits);
  ASSERT_NE(server, nullptr);
  std::vector<int> held;
  for (int i = 0; i < 20; ++i) {
    held.push_back(OpenConnection(server->address(), ""));
    held.push_back(OpenConnection(server->address(),
                                  "GET /healthz HTTP/1.1\r\nHost: x\r\n"));
  }
  for (int fd : held) ASSERT_GE(fd, 0);
  EXPECT_EQ(Get(*server, "/healthz"), 200);
  for (int fd : held) close(fd);
}

TEST(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  std::unique_ptr<HttpServer> server = StartServer();
  ASSERT_NE(server, nullptr);
  const int fd = OpenConnection(server->address(),
                                "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                                "GET /readyz HTTP/1.1\r\nHost: x\r\n"
                                "Connection: close\r\n\r\n");
  ASSERT_GE(fd, 0);
  const std::string responses = ReadToEnd(fd);
  close(fd);
  EXPECT_EQ(Count(responses, "HTTP/1.1 200 OK"), 2) << responses;
  EXPECT_LT(responses.find("ok\n"), responses.find("ready\n"));
}

TEST(HttpServerTest, AConnectionServesAtMostTheLimitOfRequests) {
  ListenerLimits limits;
  limits.max_requests_per_connection = 2;
  std::unique_ptr<HttpServer> server = StartServer(limits);
  ASSERT_NE(server, nullptr);
  const std::string get = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  const int fd = OpenConnection(server->address(), get + get + get);
  ASSERT_GE(fd, 0);
  const std::string responses = ReadToEnd(fd);  // Ends: the server closed.
  close(fd);
  EXPECT_EQ(Count(responses, "HTTP/1.1 200 OK"), 2) << responses;
  EXPECT_THAT(responses, HasSubstr("Connection: close"));
}

TEST(HttpServerTest, AHeadOverTheLimitIsAnswered431AndClosed) {
  ListenerLimits limits;
  limits.max_head_bytes = 1024;
  std::unique_ptr<HttpServer> server = StartServer(limits);
  ASSERT_NE(server, nullptr);
  const int fd = OpenConnection(
      server->address(),
      absl::StrCat("GET /healthz HTTP/1.1\r\nX: ", std::string(1100, 'a')));
  ASSERT_GE(fd, 0);
  EXPECT_THAT(ReadToEnd(fd),
              StartsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
  close(fd);
  // Just under the limit is served.
  const int ok = OpenConnection(
      server->address(),
      absl::StrCat("GET /healthz HTTP/1.1\r\nConnection: close\r\nX: ",
                   std::string(900, 'a'), "\r\n\r\n"));
  ASSERT_GE(ok, 0);
  EXPECT_THAT(ReadToEnd(ok), StartsWith("HTTP/1.1 200 OK"));
  close(ok);
}

TEST(HttpServerTest, ABodyIsReadOnlyUpToTheRequestBudget) {
  ListenerLimits limits;
  limits.max_request_bytes = 4096;
  std::unique_ptr<HttpServer> server = StartServer(limits);
  ASSERT_NE(server, nullptr);
  // Chunked, so no Content-Length for cpp-httplib to refuse up front.
  std::string request =
      "POST /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 64; ++i) {
    request += absl::StrCat("400\r\n", std::string(1024, 'b'), "\r\n");
  }
  const int fd = OpenConnection(server->address(), "");
  ASSERT_GE(fd, 0);
  (void)send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  const std::string response = ReadToEnd(fd);
  close(fd);
  // Not the 405 a fully read request gets: the read stopped at the budget,
  // and the connection, now mid-body, is closed.
  EXPECT_THAT(response, StartsWith("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_EQ(Count(response, "HTTP/1.1 "), 1) << response;
  EXPECT_EQ(Get(*server, "/healthz"), 200);
}

TEST(HttpServerTest, WhenFullTheConnectionWaitingLongestMakesRoom) {
  ListenerLimits limits;
  limits.max_connections = 4;
  limits.request_wait = absl::Minutes(5);  // Only eviction closes them.
  std::unique_ptr<HttpServer> server = StartServer(limits);
  ASSERT_NE(server, nullptr);
  std::vector<int> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(OpenConnection(server->address(), ""));
    ASSERT_GE(idle.back(), 0);
  }
  // Accepted after them (the kernel queues connections in order), so the
  // first idle one has waited longest and is closed to make room.
  const int fresh = OpenConnection(
      server->address(),
      "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_GE(fresh, 0);
  EXPECT_THAT(ReadToEnd(fresh), StartsWith("HTTP/1.1 200 OK"));
  EXPECT_EQ(ReadToEnd(idle[0]), "");  // Returns: the server closed it.
  for (int i = 1; i < 4; ++i) EXPECT_FALSE(ClosedByPeer(idle[i])) << i;
  for (int fd : idle) close(fd);
  close(fresh);
}

}  // namespace
}  // namespace tessera::http
