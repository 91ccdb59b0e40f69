// End-to-end checks of the tesserad skeleton against the real binary:
// health, reflection (as grpcurl would use it), Admin.GetStats, the
// plaintext rule, data-dir exclusivity and graceful shutdown.

#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "tessera/v1/admin.grpc.pb.h"
#include "tessera/v1/token_authority.grpc.pb.h"
#include "tests/testing/grpc_calls.h"
#include "tests/testing/tesserad_process.h"

namespace tessera {
namespace {

using ::grpc::reflection::v1alpha::ServerReflection;
using ::grpc::reflection::v1alpha::ServerReflectionRequest;
using ::grpc::reflection::v1alpha::ServerReflectionResponse;
using ::tessera::testing::WithDeadline;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using testing::TesseradProcess;

std::shared_ptr<grpc::Channel> Connect(const std::string& address) {
  return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
}

class FoundationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<TesseradProcess>> server =
        TesseradProcess::Start({});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    channel_ = Connect(server_->grpc_address());
  }

  // Sends one reflection request on a fresh stream and returns the answer.
  ServerReflectionResponse Reflect(const ServerReflectionRequest& request) {
    auto stub = ServerReflection::NewStub(channel_);
    grpc::ClientContext context;
    auto stream = stub->ServerReflectionInfo(WithDeadline(&context));
    EXPECT_TRUE(stream->Write(request));
    stream->WritesDone();
    ServerReflectionResponse response;
    EXPECT_TRUE(stream->Read(&response));
    grpc::Status status = stream->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // The service as reflection describes it (what `grpcurl describe` shows).
  google::protobuf::ServiceDescriptorProto DescribeService(
      const std::string& full_name) {
    ServerReflectionRequest request;
    request.set_file_containing_symbol(full_name);
    ServerReflectionResponse response = Reflect(request);
    const std::string package = full_name.substr(0, full_name.rfind('.'));
    const std::string name = full_name.substr(full_name.rfind('.') + 1);
    for (const std::string& bytes :
         response.file_descriptor_response().file_descriptor_proto()) {
      google::protobuf::FileDescriptorProto file;
      EXPECT_TRUE(file.ParseFromString(bytes));
      if (file.package() != package) continue;
      for (const auto& service : file.service()) {
        if (service.name() == name) return service;
      }
    }
    ADD_FAILURE() << "reflection did not describe " << full_name;
    return {};
  }

  std::unique_ptr<TesseradProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(FoundationTest, HealthIsServingForServerAndEachService) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  for (const char* service :
       {"", "tessera.v1.TokenAuthority", "tessera.v1.Admin"}) {
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    grpc::ClientContext context;
    grpc::Status status =
        health->Check(WithDeadline(&context), request, &response);
    ASSERT_TRUE(status.ok()) << service << ": " << status.error_message();
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING)
        << service;
  }
}

TEST_F(FoundationTest, ReflectionListsAllServices) {
  ServerReflectionRequest request;
  request.set_list_services("");
  ServerReflectionResponse response = Reflect(request);
  std::vector<std::string> names;
  for (const auto& service : response.list_services_response().service()) {
    names.push_back(service.name());
  }
  EXPECT_THAT(names,
              IsSupersetOf({"tessera.v1.TokenAuthority", "tessera.v1.Admin",
                            "grpc.health.v1.Health"}));
}

TEST_F(FoundationTest, ReflectionDescribesTokenAuthority) {
  google::protobuf::ServiceDescriptorProto service =
      DescribeService("tessera.v1.TokenAuthority");
  std::set<std::string> methods;
  for (const auto& method : service.method()) methods.insert(method.name());
  EXPECT_EQ(methods, (std::set<std::string>{
                         "IssueSession", "RefreshSession", "ValidateToken",
                         "RevokeSession", "GetSession", "ListSessions",
                         "UpdateClaims", "GetJwks", "WatchRevocations"}));
  for (const auto& method : service.method()) {
    EXPECT_EQ(method.server_streaming(), method.name() == "WatchRevocations")
        << method.name();
  }
}

TEST_F(FoundationTest, ReflectionDescribesAdminAndHealth) {
  std::set<std::string> admin;
  const auto admin_service = DescribeService("tessera.v1.Admin");
  for (const auto& method : admin_service.method()) {
    admin.insert(method.name());
  }
  EXPECT_THAT(admin, IsSupersetOf({"RotateSigningKey", "ListSigningKeys",
                                   "GetStats", "CreateBackup"}));
  std::set<std::string> health;
  const auto health_service = DescribeService("grpc.health.v1.Health");
  for (const auto& method : health_service.method()) {
    health.insert(method.name());
  }
  EXPECT_THAT(health, IsSupersetOf({"Check", "Watch"}));
}

TEST_F(FoundationTest, ReflectionDescribesMessages) {
  ServerReflectionRequest request;
  request.set_file_containing_symbol("tessera.v1.ValidateTokenResponse");
  ServerReflectionResponse response = Reflect(request);
  ASSERT_GT(response.file_descriptor_response().file_descriptor_proto_size(),
            0);
  // An unknown symbol is a NOT_FOUND error response, not a crash.
  request.set_file_containing_symbol("tessera.v1.NoSuchThing");
  response = Reflect(request);
  EXPECT_EQ(response.error_response().error_code(),
            static_cast<int>(grpc::StatusCode::NOT_FOUND));
}

TEST_F(FoundationTest, AdminGetStatsReportsTheServersFigures) {
  auto tokens = tessera::v1::TokenAuthority::NewStub(channel_);
  grpc::ClientContext issue_context;
  tessera::v1::IssueSessionRequest issue;
  issue.set_subject("stats");
  tessera::v1::SessionTokens issued;
  ASSERT_TRUE(
      tokens->IssueSession(WithDeadline(&issue_context), issue, &issued).ok());
  grpc::ClientContext revoke_context;
  tessera::v1::RevokeSessionRequest revoke;
  revoke.set_session_id(issued.session_id());
  tessera::v1::RevokeSessionResponse revoked;
  ASSERT_TRUE(
      tokens->RevokeSession(WithDeadline(&revoke_context), revoke, &revoked)
          .ok());

  auto admin = tessera::v1::Admin::NewStub(channel_);
  grpc::ClientContext context;
  tessera::v1::GetStatsResponse stats;
  const grpc::Status status =
      admin->GetStats(WithDeadline(&context), {}, &stats);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(server_->ReadLog(),
              HasSubstr("\"version\":\"" + stats.version() + "\""));
  EXPECT_FALSE(stats.version().empty());
  EXPECT_GE(stats.uptime().seconds(), 0);
  EXPECT_GE(stats.stored_sessions(), 1);
  EXPECT_EQ(stats.last_sequence(), revoked.sequence());
  EXPECT_GE(stats.revocations_in_memory(), 1);
  EXPECT_EQ(stats.watchers(), 0);
  EXPECT_EQ(stats.next_keys(), 1);
  EXPECT_EQ(stats.active_keys(), 1);
  EXPECT_EQ(stats.retired_keys(), 0);
  EXPECT_GE(stats.store_bytes(), 0);
}

TEST_F(FoundationTest, StartUpLineNamesAddressDataDirAndVersion) {
  const std::string log = server_->ReadLog();
  EXPECT_THAT(log, HasSubstr("\"msg\":\"tesserad serving\""));
  EXPECT_THAT(log, HasSubstr("\"grpc_address\":\"" + server_->grpc_address()));
  EXPECT_THAT(log, HasSubstr("\"data_dir\":\"" + server_->data_dir()));
  EXPECT_THAT(log, HasSubstr("\"version\":"));
}

TEST_F(FoundationTest, SecondInstanceOnSameDataDirExitsAndFirstKeepsServing) {
  absl::StatusOr<testing::ExitResult> second = testing::RunTesseradToExit(
      {"--grpc_address=127.0.0.1:0",
       "--http_address=", "--data_dir=" + server_->data_dir()});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(second->exit_code, 0);
  EXPECT_THAT(second->output, HasSubstr("another tesserad instance"));

  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::health::v1::HealthCheckResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(health->Check(WithDeadline(&context), {}, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(FoundationTest, SigtermStopsCleanlyAndTheDataDirReopens) {
  absl::StatusOr<int> code = server_->Terminate();
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << server_->ReadLog();
  EXPECT_THAT(server_->ReadLog(), HasSubstr("\"msg\":\"tesserad stopped\""));
  // The lock and the DB were released: a new server opens the same dir.
  absl::StatusOr<std::unique_ptr<TesseradProcess>> again =
      TesseradProcess::Start({.data_dir = server_->data_dir()});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*(*again)->Terminate(), 0);
}

// A --config with one caller: listening beyond loopback needs callers.
std::string CallersConfig() {
  const std::string path = testing::NewTempDir("callers") + ".cfg";
  std::ofstream(path)
      << "callers { name: \"ops\" api_key_sha256: "
         "\"4c806362b613f7496abf284146efd31da90e4b16169fe001841ca17290f427c4\" "
         "roles: ROLE_ADMIN }\n";
  return path;
}

TEST(RefuseToStartTest, NonLoopbackWithoutCallersIsRefusedEvenWithInsecure) {
  absl::StatusOr<testing::ExitResult> run = testing::RunTesseradToExit(
      {"--grpc_address=0.0.0.0:0", "--insecure",
       "--http_address=", "--data_dir=" + testing::NewTempDir("open")});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_NE(run->exit_code, 0);
  EXPECT_THAT(run->output, HasSubstr("no callers are configured"));
}

TEST(RefuseToStartTest, NonLoopbackPlaintextNeedsInsecure) {
  absl::StatusOr<testing::ExitResult> run = testing::RunTesseradToExit(
      {"--grpc_address=0.0.0.0:0", "--config=" + CallersConfig(),
       "--http_address=", "--data_dir=" + testing::NewTempDir("refused")});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_NE(run->exit_code, 0);
  EXPECT_THAT(run->output, HasSubstr("--insecure"));
  EXPECT_THAT(run->output, HasSubstr("--grpc_address=0.0.0.0:0"));
}

TEST(RefuseToStartTest, InsecureAllowsNonLoopback) {
  absl::StatusOr<std::unique_ptr<TesseradProcess>> server =
      TesseradProcess::Start(
          {.flags = {"--grpc_address=0.0.0.0:0", "--insecure",
                     "--config=" + CallersConfig()}});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_THAT((*server)->ReadLog(), HasSubstr("--insecure"));
  EXPECT_EQ(*(*server)->Terminate(), 0);
}

TEST(RefuseToStartTest, InvalidFlagValuesNameTheFlag) {
  const std::string data_dir = "--data_dir=" + testing::NewTempDir("bad");
  for (const auto& [flag, expected] :
       std::vector<std::pair<std::string, std::string>>{
           {"--signing_alg=HS256", "--signing_alg"},
           {"--durability=sometimes", "--durability"},
           {"--access_ttl=0s", "--access_ttl"},
           {"--grpc_address=127.0.0.1", "--grpc_address"},
           {"--config=/nonexistent/tessera.cfg", "--config"},
       }) {
    absl::StatusOr<testing::ExitResult> run = testing::RunTesseradToExit(
        {"--grpc_address=127.0.0.1:0", "--http_address=", data_dir, flag});
    ASSERT_TRUE(run.ok()) << run.status();
    EXPECT_NE(run->exit_code, 0) << flag;
    EXPECT_THAT(run->output, HasSubstr(expected)) << flag;
  }
}

}  // namespace
}  // namespace tessera
