// What an unauthenticated client can make the real tesserad hold
// (docs/security.md, §10): calls to made-up gRPC method paths must not grow
// /metrics (each distinct path once became a series kept forever); connections
// that send nothing, or half a request, must not stop the HTTP side listener
// from answering /healthz, /readyz, /metrics and the JWKS; and a request head
// has a size limit.

#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/http/raw_connection.h"
#include "tests/testing/grpc_calls.h"
#include "tests/testing/tesserad_process.h"

namespace tessera {
namespace {

// A unary call of `method` with an empty message; its status code.
grpc::StatusCode Call(grpc::GenericStub& stub, const std::string& method) {
  return ::tessera::testing::CallWithEmptyMessage(stub, method,
                                                  absl::Seconds(10))
      .error_code();
}

using ::tessera::http::testing::OpenConnection;
using ::tessera::http::testing::ReadToEnd;
using ::tessera::testing::TesseradProcess;
using ::testing::HasSubstr;
using ::testing::Not;

std::unique_ptr<TesseradProcess> StartServer() {
  absl::StatusOr<std::unique_ptr<TesseradProcess>> process =
      TesseradProcess::Start({});
  EXPECT_TRUE(process.ok()) << process.status();
  return process.ok() ? std::move(*process) : nullptr;
}

struct Http {
  int status = 0;  // 0: no answer.
  std::string body;
};

Http Get(const std::string& address, const std::string& path) {
  httplib::Client client(absl::StrCat("http://", address));
  client.set_connection_timeout(10, 0);
  client.set_read_timeout(10, 0);
  httplib::Result result = client.Get(path.c_str());
  if (!result) return {};
  return {result->status, result->body};
}

// Calls `count` distinct unknown methods, `path_bytes` long each, in turn;
// returns how many were answered UNIMPLEMENTED.
int CallUnknownMethods(grpc::GenericStub& stub, int first, int count,
                       size_t path_bytes) {
  int unimplemented = 0;
  for (int i = first; i < first + count; ++i) {
    std::string method = absl::StrCat("/x.Y/m", i, "/");
    method.resize(std::max(method.size(), path_bytes), 'p');
    unimplemented += Call(stub, method) == grpc::StatusCode::UNIMPLEMENTED;
  }
  return unimplemented;
}

// Each sample line of a scrape without its value: which series there are.
std::vector<std::string> SeriesOf(const std::string& scrape) {
  std::vector<std::string> series;
  for (absl::string_view line : absl::StrSplit(scrape, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    series.emplace_back(line.substr(0, line.rfind(' ')));
  }
  return series;
}

TEST(AbuseE2eTest, UnknownMethodsCountUnderOneLabelAndMetricsStaySmall) {
  std::unique_ptr<TesseradProcess> server = StartServer();
  ASSERT_NE(server, nullptr);
  grpc::GenericStub stub(grpc::CreateChannel(
      server->grpc_address(), grpc::InsecureChannelCredentials()));
  constexpr size_t kPathBytes = 1024;
  // Methods tesserad registers keep their names.
  ASSERT_EQ(Call(stub, "/grpc.health.v1.Health/Check"), grpc::StatusCode::OK);
  ASSERT_EQ(Call(stub, "/tessera.v1.TokenAuthority/GetJwks"),
            grpc::StatusCode::OK);

  ASSERT_EQ(CallUnknownMethods(stub, 0, 100, kPathBytes), 100);
  const Http after_100 = Get(server->http_address(), "/metrics");
  ASSERT_EQ(after_100.status, 200);
  ASSERT_EQ(CallUnknownMethods(stub, 100, 2900, kPathBytes), 2900);
  const Http after_3000 = Get(server->http_address(), "/metrics");
  ASSERT_EQ(after_3000.status, 200);

  // The same series, only their values moved; so the same size give or
  // take the digits of the counts and sums (a few per series).
  EXPECT_EQ(SeriesOf(after_3000.body), SeriesOf(after_100.body));
  EXPECT_LT(after_3000.body.size(),
            after_100.body.size() + 16 * SeriesOf(after_100.body).size());
  EXPECT_THAT(after_3000.body,
              HasSubstr("tessera_grpc_requests_total{method=\"unknown\","
                        "code=\"UNIMPLEMENTED\"} 3000\n"));
  EXPECT_THAT(after_3000.body,
              HasSubstr("tessera_grpc_request_duration_seconds_count{method="
                        "\"unknown\",code=\"UNIMPLEMENTED\"} 3000\n"));
  EXPECT_THAT(after_3000.body, Not(HasSubstr("x.Y")));
  EXPECT_THAT(after_3000.body,
              HasSubstr("tessera_grpc_requests_total{method=\"grpc.health.v1."
                        "Health/Check\",code=\"OK\"} 1\n"));
  EXPECT_THAT(after_3000.body,
              HasSubstr("tessera_grpc_requests_total{method=\"tessera.v1."
                        "TokenAuthority/GetJwks\",code=\"OK\"} 1\n"));
}

TEST(AbuseE2eTest, IdleAndSlowConnectionsDoNotStopTheHttpListener) {
  std::unique_ptr<TesseradProcess> server = StartServer();
  ASSERT_NE(server, nullptr);
  const std::string& http = server->http_address();
  // Many more than any worker pool: some send nothing, some the start of a
  // request they never finish (a slow-loris client between two bytes).
  std::vector<int> held;
  for (int i = 0; i < 150; ++i) {
    held.push_back(OpenConnection(http, ""));
    held.push_back(
        OpenConnection(http, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: 1"));
  }
  for (int fd : held) ASSERT_GE(fd, 0);

  // Each answered within the client's own 10 s timeouts; before, every
  // worker waited seconds on each held connection in turn.
  EXPECT_EQ(Get(http, "/healthz").status, 200);
  EXPECT_EQ(Get(http, "/readyz").status, 200);
  EXPECT_EQ(Get(http, "/.well-known/jwks.json").status, 200);
  const Http metrics = Get(http, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.body, HasSubstr("tessera_sessions_stored"));
  for (int fd : held) close(fd);
}

TEST(AbuseE2eTest, AnEndlessHeaderBlockIsRefusedNotStored) {
  std::unique_ptr<TesseradProcess> server = StartServer();
  ASSERT_NE(server, nullptr);
  // 1 MiB of header lines: cpp-httplib alone reads any number of them.
  std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  while (request.size() < (1 << 20)) request += "X-Padding: 0123456789\r\n";
  request += "\r\n";
  const int fd = OpenConnection(server->http_address(), "");
  ASSERT_GE(fd, 0);
  // The server stops reading at its limit, so the send may fail part-way.
  (void)send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  const std::string response = ReadToEnd(fd);
  close(fd);
  EXPECT_THAT(response,
              ::testing::StartsWith("HTTP/1.1 431 Request Header Fields"));
  EXPECT_EQ(Get(server->http_address(), "/healthz").status, 200);
}

}  // namespace
}  // namespace tessera
