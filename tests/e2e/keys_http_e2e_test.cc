// Signing keys and the HTTP side against the real tesserad (docs/keys.md,
// docs/operations.md): rotation keeps old tokens valid and moves new ones to
// the new kid; the JWKS (gRPC and HTTP) holds NEXT, ACTIVE and still-needed
// RETIRED keys and drops a retired key once its tokens have expired; private
// keys are sealed at rest and another KEK is refused by name; health, readiness
// and Prometheus metrics.

#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "client/token/base64url.h"
#include "client/token/json.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "server/crypto/aead.h"
#include "server/crypto/kek.h"
#include "server/store/store.h"
#include "tessera/v1/admin.grpc.pb.h"
#include "tessera/v1/storage.pb.h"
#include "tessera/v1/token_authority.grpc.pb.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/tesserad_process.h"

namespace tessera {
namespace {

using ::tessera::testing::KidOf;
using ::tessera::testing::MetricValue;
using ::tessera::testing::NewTempDir;
using ::tessera::testing::RunTesseradToExit;
using ::tessera::testing::TesseradProcess;
using tessera::v1::Admin;
using tessera::v1::TokenAuthority;
using ::testing::HasSubstr;

struct Http {
  int status = 0;
  std::string body;
  std::string cache_control;
};

Http Get(const std::string& address, const std::string& path,
         const std::string& method = "GET") {
  httplib::Client client(absl::StrCat("http://", address));
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(10, 0);
  httplib::Result result =
      method == "POST" ? client.Post(path.c_str()) : client.Get(path.c_str());
  if (!result) return {};
  return {result->status, result->body,
          result->get_header_value("Cache-Control")};
}

std::set<std::string> KidsIn(const std::string& jwks_json) {
  std::set<std::string> kids;
  absl::StatusOr<token::Json> json = token::ParseJson(jwks_json);
  if (!json.ok()) return kids;
  const token::Json* keys = json->Find("keys");
  if (keys == nullptr || !keys->is_array()) return kids;
  for (const token::Json& key : keys->array()) {
    if (const token::Json* kid = key.Find("kid"); kid && kid->is_string()) {
      kids.insert(kid->string_value());
    }
  }
  return kids;
}

class Server {
 public:
  explicit Server(std::vector<std::string> flags, std::string data_dir = "") {
    auto process = TesseradProcess::Start(
        {.data_dir = std::move(data_dir), .flags = std::move(flags)});
    EXPECT_TRUE(process.ok()) << process.status();
    if (!process.ok()) return;
    process_ = std::move(*process);
    auto channel = grpc::CreateChannel(process_->grpc_address(),
                                       grpc::InsecureChannelCredentials());
    tokens_ = TokenAuthority::NewStub(channel);
    admin_ = Admin::NewStub(channel);
  }
  bool ok() const { return process_ != nullptr; }
  TesseradProcess& process() { return *process_; }

  std::string Issue() {
    tessera::v1::IssueSessionRequest request;
    request.set_subject("alice");
    request.add_audience("api");
    tessera::v1::SessionTokens tokens;
    grpc::ClientContext context;
    grpc::Status status = tokens_->IssueSession(&context, request, &tokens);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return tokens.access_token();
  }
  tessera::v1::ValidateTokenResponse Validate(const std::string& token) {
    tessera::v1::ValidateTokenRequest request;
    request.set_access_token(token);
    tessera::v1::ValidateTokenResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(tokens_->ValidateToken(&context, request, &response).ok());
    return response;
  }
  std::string GrpcJwks() {
    tessera::v1::GetJwksResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(tokens_->GetJwks(&context, {}, &response).ok());
    return response.jwks_json();
  }
  grpc::Status Rotate(tessera::v1::RotateSigningKeyResponse* out,
                      tessera::v1::SigningAlgorithm algorithm =
                          tessera::v1::SIGNING_ALGORITHM_UNSPECIFIED) {
    tessera::v1::RotateSigningKeyRequest request;
    request.set_algorithm(algorithm);
    grpc::ClientContext context;
    return admin_->RotateSigningKey(&context, request, out);
  }
  std::vector<tessera::v1::SigningKey> Keys() {
    tessera::v1::ListSigningKeysResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(admin_->ListSigningKeys(&context, {}, &response).ok());
    return {response.keys().begin(), response.keys().end()};
  }

 private:
  std::unique_ptr<TesseradProcess> process_;
  std::unique_ptr<TokenAuthority::Stub> tokens_;
  std::unique_ptr<Admin::Stub> admin_;
};

TEST(KeysE2eTest, RotationKeepsOldTokensAndRetiredKeysDropAfterExpiry) {
  Server server({"--access_ttl=2s", "--leeway=1s"});
  ASSERT_TRUE(server.ok());
  const std::string before = server.Issue();
  const std::string old_kid = KidOf(before);
  const std::vector<tessera::v1::SigningKey> initial = server.Keys();
  ASSERT_EQ(initial.size(), 2u);
  EXPECT_EQ(initial[0].state(), tessera::v1::KEY_STATE_NEXT);
  EXPECT_EQ(initial[1].state(), tessera::v1::KEY_STATE_ACTIVE);
  EXPECT_EQ(initial[1].kid(), old_kid);
  const std::string next_kid = initial[0].kid();
  EXPECT_EQ(
      KidsIn(
          Get(server.process().http_address(), "/.well-known/jwks.json").body),
      (std::set<std::string>{old_kid, next_kid}));

  tessera::v1::RotateSigningKeyResponse rotation;
  ASSERT_TRUE(server.Rotate(&rotation).ok());
  EXPECT_EQ(rotation.active().kid(), next_kid);
  EXPECT_EQ(rotation.retired().kid(), old_kid);
  EXPECT_TRUE(server.Validate(before).valid());  // Signed before: still fine.
  const std::string after = server.Issue();
  EXPECT_EQ(KidOf(after), next_kid);
  EXPECT_TRUE(server.Validate(after).valid());
  const std::set<std::string> three = {old_kid, next_kid,
                                       rotation.next().kid()};
  EXPECT_EQ(KidsIn(server.GrpcJwks()), three);
  Http jwks = Get(server.process().http_address(), "/.well-known/jwks.json");
  EXPECT_EQ(jwks.status, 200);
  EXPECT_EQ(KidsIn(jwks.body), three);
  EXPECT_THAT(jwks.cache_control, HasSubstr("max-age="));

  // The retired key goes once every token it signed has expired (2 s TTL
  // + 1 s leeway after the rotation); the old token is expired by then.
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline &&
         KidsIn(server.GrpcJwks()).count(old_kid) > 0) {
    absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_EQ(KidsIn(server.GrpcJwks()),
            (std::set<std::string>{next_kid, rotation.next().kid()}))
      << server.process().ReadLog();
  EXPECT_EQ(server.Keys().size(), 2u);
  EXPECT_EQ(server.Validate(before).reason(),
            tessera::v1::TOKEN_INVALID_REASON_UNKNOWN_KEY);
}

TEST(KeysE2eTest, ScheduledRotationAndAlgorithmChangeThroughRotation) {
  Server server({"--key_rotation_period=2s", "--signing_alg=ES256"});
  ASSERT_TRUE(server.ok());
  const std::string first = server.Issue();
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  std::string later = first;
  while (absl::Now() < deadline && KidOf(later) == KidOf(first)) {
    absl::SleepFor(absl::Milliseconds(200));
    later = server.Issue();
  }
  EXPECT_NE(KidOf(later), KidOf(first));
  EXPECT_TRUE(server.Validate(first).valid());

  tessera::v1::RotateSigningKeyResponse rotation;
  ASSERT_TRUE(
      server.Rotate(&rotation, tessera::v1::SIGNING_ALGORITHM_EDDSA).ok());
  EXPECT_EQ(rotation.next().algorithm(), tessera::v1::SIGNING_ALGORITHM_EDDSA);
  EXPECT_EQ(
      server.Rotate(&rotation, tessera::v1::SigningAlgorithm(99)).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
}

TEST(KeysE2eTest, PrivateKeysAreSealedAndAnotherKekIsRefused) {
  const std::string dir = NewTempDir("kek");
  const std::string kek_file = dir + ".kek";
  const std::string kek_text = absl::Base64Escape(std::string(32, 'K'));
  std::ofstream(kek_file) << kek_text << "\n";
  std::filesystem::permissions(kek_file, std::filesystem::perms::owner_read);
  const std::string data_dir = dir + "-data";
  {
    Server server({"--kek_file=" + kek_file}, data_dir);
    ASSERT_TRUE(server.ok());
    server.Issue();
    ASSERT_TRUE(server.process().Terminate().ok());
  }
  {
    auto store = store::Store::Open({.data_dir = data_dir});
    ASSERT_TRUE(store.ok()) << store.status();
    auto kek = crypto::ParseKek(kek_text, "test");
    ASSERT_TRUE(kek.ok());
    std::unique_ptr<rocksdb::Iterator> it((*store)->db()->NewIterator(
        rocksdb::ReadOptions(), (*store)->handle(store::ColumnFamily::kKeys)));
    int records = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++records) {
      const std::string raw = it->value().ToString();
      tessera::v1::SigningKeyRecord record;
      ASSERT_TRUE(record.ParseFromString(raw));
      EXPECT_TRUE(record.unsealed_private_key().empty());
      std::optional<std::string> pkcs8 = crypto::Open(
          kek->key, record.sealed_private_key(), record.key().kid());
      ASSERT_TRUE(pkcs8.has_value()) << "not sealed under the KEK";
      EXPECT_FALSE(absl::StrContains(raw, *pkcs8));
      // Nor any 16-byte window of it: the record holds ciphertext only.
      for (size_t i = 0; i + 16 <= pkcs8->size(); i += 8) {
        EXPECT_FALSE(absl::StrContains(raw, pkcs8->substr(i, 16))) << i;
      }
    }
    EXPECT_EQ(records, 2);
  }
  const std::string other = dir + ".other";
  std::ofstream(other) << absl::Base64Escape(std::string(32, 'X'));
  std::filesystem::permissions(other, std::filesystem::perms::owner_read);
  auto refused = RunTesseradToExit({"--grpc_address=127.0.0.1:0",
                                    "--http_address=", "--data_dir=" + data_dir,
                                    "--kek_file=" + other});
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_NE(refused->exit_code, 0);
  EXPECT_THAT(refused->output, HasSubstr("another key-encryption key"));
  EXPECT_THAT(refused->output, HasSubstr("--kek_file"));
  EXPECT_FALSE(absl::StrContains(refused->output, kek_text));
}

TEST(HttpE2eTest, HealthReadinessMethodsAndUnknownPaths) {
  Server server({});
  ASSERT_TRUE(server.ok());
  const std::string& http = server.process().http_address();
  ASSERT_FALSE(http.empty());
  EXPECT_EQ(Get(http, "/healthz").status, 200);
  EXPECT_EQ(Get(http, "/readyz").status, 200);
  EXPECT_EQ(Get(http, "/metrics", "POST").status, 405);
  EXPECT_EQ(Get(http, "/nope").status, 404);
  EXPECT_EQ(Get(http, "/.well-known/jwks.json/../../etc/passwd").status, 404);
}

TEST(HttpE2eTest, MetricsMoveWithCallsAndPassPromtool) {
  Server server({});
  ASSERT_TRUE(server.ok());
  const std::string& http = server.process().http_address();
  const std::string kIssued =
      "tessera_grpc_requests_total{method=\"tessera.v1.TokenAuthority/"
      "IssueSession\",code=\"OK\"}";
  server.Issue();
  const Http first = Get(http, "/metrics");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(MetricValue(first.body, kIssued), 1);
  server.Issue();
  server.Issue();
  const Http second = Get(http, "/metrics");
  EXPECT_EQ(MetricValue(second.body, kIssued), 3);
  EXPECT_EQ(MetricValue(second.body, "tessera_signing_keys{state=\"active\"}"),
            1);
  EXPECT_GE(MetricValue(second.body, "tessera_store_wal_syncs_total"), 3);
  EXPECT_THAT(second.body,
              HasSubstr("tessera_grpc_request_duration_seconds_bucket{"));

  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "promtool is not installed (tools/setup.sh installs it)";
  }
  const std::string path = NewTempDir("metrics") + ".txt";
  std::ofstream(path) << second.body;
  EXPECT_EQ(
      std::system(absl::StrCat("promtool check metrics < ", path).c_str()), 0)
      << second.body;
}

}  // namespace
}  // namespace tessera
