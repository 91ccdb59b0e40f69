// Who may call what, against the real tesserad (docs/security.md): the role x
// method matrix with API keys, TLS and mutual TLS with certificates made by
// the openssl command-line tool, non-loopback rules, the audit log and a
// log scrub, per-caller rate limits and watch-stream caps.

#include <httplib.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tessera/v1/admin.grpc.pb.h"
#include "tessera/v1/token_authority.grpc.pb.h"
#include "tests/testing/api_key.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/grpc_calls.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/tesserad_process.h"

namespace tessera {
namespace {

using ::tessera::testing::ApiKeySha256;
using ::tessera::testing::MetricValue;
using ::tessera::testing::NewTempDir;
using ::tessera::testing::ReadFileOrEmpty;
using ::tessera::testing::ReasonOf;
using ::tessera::testing::RunToExit;
using ::tessera::testing::TesseradProcess;
using ::tessera::testing::WriteTempFile;
using tessera::v1::Admin;
using tessera::v1::TokenAuthority;
using ::testing::HasSubstr;

bool HasRetryInfo(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return false;
  for (const auto& any : details.details()) {
    google::rpc::RetryInfo retry;
    if (any.UnpackTo(&retry)) return true;
  }
  return false;
}

// Attaches an API key (if any) and a deadline.
void Prepare(grpc::ClientContext* context, const std::string& key) {
  if (!key.empty()) context->AddMetadata("authorization", "Bearer " + key);
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(10));
}

// "unauthenticated", "denied" or "allowed" (any other answer: the call got
// past authorization).
std::string Verdict(const grpc::Status& status) {
  const std::string reason = ReasonOf(status);
  if (reason == "CALLER_UNKNOWN") {
    return "unauthenticated";
  }
  if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    return "denied";
  }
  return "allowed";
}

struct Callers {
  std::string issuer = "issuer-" + std::string(24, 'i');
  std::string verifier = "verifier-" + std::string(24, 'v');
  std::string admin = "admin-" + std::string(24, 'a');
  std::string second_issuer = "issuer2-" + std::string(24, 'j');
  std::string Config(const std::string& extra = "") const {
    return absl::StrCat("callers { name: \"frontend\" api_key_sha256: \"",
                        ApiKeySha256(issuer), "\" roles: ROLE_ISSUER }\n",
                        "callers { name: \"backend\" "
                        "api_key_sha256: \"",
                        ApiKeySha256(verifier), "\" roles: ROLE_VERIFIER }\n",
                        "callers { name: \"ops\" api_key_sha256: \"",
                        ApiKeySha256(admin), "\" roles: ROLE_ADMIN }\n",
                        "callers { name: \"mobile\" "
                        "api_key_sha256: \"",
                        ApiKeySha256(second_issuer),
                        "\" roles: ROLE_ISSUER }\n", extra);
  }
};

TEST(SecurityE2eTest, RoleByMethodMatrix) {
  const Callers callers;
  auto server = TesseradProcess::Start(
      {.flags = {"--config=" + WriteTempFile("matrix.cfg", callers.Config())}});
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = grpc::CreateChannel((*server)->grpc_address(),
                                     grpc::InsecureChannelCredentials());
  auto tokens = TokenAuthority::NewStub(channel);
  auto admin = Admin::NewStub(channel);
  auto health = grpc::health::v1::Health::NewStub(channel);

  using Call = std::function<grpc::Status(const std::string& key)>;
  const std::vector<std::pair<std::string, Call>> methods = {
      {"IssueSession",
       [&](const std::string& key) {
         grpc::ClientContext c;
         Prepare(&c, key);
         v1::IssueSessionRequest r;
         r.set_subject("u");
         v1::SessionTokens out;
         return tokens->IssueSession(&c, r, &out);
       }},
      {"RefreshSession",
       [&](const std::string& key) {
         grpc::ClientContext c;
         Prepare(&c, key);
         v1::RefreshSessionRequest r;
         r.set_refresh_token("x");
         v1::SessionTokens out;
         return tokens->RefreshSession(&c, r, &out);
       }},
      {"RevokeSession",
       [&](const std::string& key) {
         grpc::ClientContext c;
         Prepare(&c, key);
         v1::RevokeSessionRequest r;
         r.set_subject("nobody");
         v1::RevokeSessionResponse out;
         return tokens->RevokeSession(&c, r, &out);
       }},
      {"UpdateClaims",
       [&](const std::string& key) {
         grpc::ClientContext c;
         Prepare(&c, key);
         v1::UpdateClaimsRequest r;
         r.set_subject("nobody");
         v1::UpdateClaimsResponse out;
         return tokens->UpdateClaims(&c, r, &out);
       }},
      {"GetSession",
       [&](const std::string& key) {
         grpc::ClientContext c;
         Prepare(&c, key);
         v1::GetSessionRequest r;
         r.set_session_id("x");
         v1::Session out;
         return tokens->GetSession(&c, r, &out);
       }},
      {"ListSessions",
       [&](const std::string& key) {
         grpc::ClientContext c;
         Prepare(&c, key);
         v1::ListSessionsRequest r;
         r.set_subject("u");
         v1::ListSessionsResponse out;
         return tokens->ListSessions(&c, r, &out);
       }},
      {"ValidateToken",
       [&](const std::string& key) {
         grpc::ClientContext c;
         Prepare(&c, key);
         v1::ValidateTokenRequest r;
         r.set_access_token("x");
         v1::ValidateTokenResponse out;
         return tokens->ValidateToken(&c, r, &out);
       }},
      {"GetJwks",
       [&](const std::string& key) {
         grpc::ClientContext c;
         Prepare(&c, key);
         v1::GetJwksResponse out;
         return tokens->GetJwks(&c, {}, &out);
       }},
      {"WatchRevocations",
       [&](const std::string& key) {
         grpc::ClientContext c;
         Prepare(&c, key);
         auto reader = tokens->WatchRevocations(&c, {});
         v1::RevocationEvent event;
         if (reader->Read(&event)) {
           c.TryCancel();
           while (reader->Read(&event)) {
           }
           (void)reader->Finish();
           return grpc::Status::OK;
         }
         return reader->Finish();
       }},
      {"Admin.ListSigningKeys",
       [&](const std::string& key) {
         grpc::ClientContext c;
         Prepare(&c, key);
         v1::ListSigningKeysResponse out;
         return admin->ListSigningKeys(&c, {}, &out);
       }},
      {"Admin.RotateSigningKey",
       [&](const std::string& key) {
         grpc::ClientContext c;
         Prepare(&c, key);
         v1::RotateSigningKeyResponse out;
         return admin->RotateSigningKey(&c, {}, &out);
       }},
      {"Admin.WithdrawSigningKey",
       [&](const std::string& key) {
         grpc::ClientContext c;
         Prepare(&c, key);
         v1::WithdrawSigningKeyRequest r;
         r.set_kid("no-such-kid");  // NOT_FOUND once past authorization.
         v1::WithdrawSigningKeyResponse out;
         return admin->WithdrawSigningKey(&c, r, &out);
       }},
      {"Admin.GetStats",
       [&](const std::string& key) {
         grpc::ClientContext c;
         Prepare(&c, key);
         v1::GetStatsResponse out;
         return admin->GetStats(&c, {}, &out);
       }},
      {"Admin.CreateBackup",
       [&](const std::string& key) {
         grpc::ClientContext c;
         Prepare(&c, key);
         v1::CreateBackupRequest r;
         r.set_path(NewTempDir("matrix-backup"));  // New on every call.
         v1::CreateBackupResponse out;
         return admin->CreateBackup(&c, r, &out);
       }},
  };
  const std::vector<std::string> issuer_methods = {
      "IssueSession", "RefreshSession", "RevokeSession",
      "UpdateClaims", "GetSession",     "ListSessions"};
  const std::vector<std::string> verifier_methods = {"ValidateToken", "GetJwks",
                                                     "WatchRevocations"};
  auto in = [](const std::vector<std::string>& v, const std::string& m) {
    return std::find(v.begin(), v.end(), m) != v.end();
  };
  for (const auto& [name, call] : methods) {
    EXPECT_EQ(Verdict(call("")), "unauthenticated") << name << " no key";
    EXPECT_EQ(Verdict(call("not-a-key")), "unauthenticated")
        << name << " wrong key";
    EXPECT_EQ(Verdict(call(callers.admin)), "allowed") << name << " admin";
    EXPECT_EQ(Verdict(call(callers.issuer)),
              in(issuer_methods, name) ? "allowed" : "denied")
        << name << " issuer";
    EXPECT_EQ(Verdict(call(callers.verifier)),
              in(verifier_methods, name) ? "allowed" : "denied")
        << name << " verifier";
  }
  // Health stays open.
  grpc::ClientContext c;
  grpc::health::v1::HealthCheckResponse out;
  EXPECT_TRUE(health->Check(&c, {}, &out).ok());
}

TEST(SecurityE2eTest, IssuingCallerBecomesTheClientIdClaim) {
  const Callers callers;
  auto server = TesseradProcess::Start(
      {.flags = {"--config=" +
                 WriteTempFile("clientid.cfg", callers.Config())}});
  ASSERT_TRUE(server.ok()) << server.status();
  auto tokens = TokenAuthority::NewStub(grpc::CreateChannel(
      (*server)->grpc_address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext issue;
  Prepare(&issue, callers.issuer);
  v1::IssueSessionRequest request;
  request.set_subject("ada");
  v1::SessionTokens session;
  ASSERT_TRUE(tokens->IssueSession(&issue, request, &session).ok());
  grpc::ClientContext validate;
  Prepare(&validate, callers.verifier);
  v1::ValidateTokenRequest check;
  check.set_access_token(session.access_token());
  v1::ValidateTokenResponse verdict;
  ASSERT_TRUE(tokens->ValidateToken(&validate, check, &verdict).ok());
  EXPECT_TRUE(verdict.valid());
  EXPECT_EQ(verdict.claims().client_id(), "frontend");
}

// Certificates made with the openssl CLI: a CA, a server certificate for
// 127.0.0.1, client certificates with SAN DNS:svc.client.test, with
// URI:svc.client.test and with IP:10.1.2.3, and a client certificate from
// another CA.
class Pki {
 public:
  Pki() : dir_(NewTempDir("pki")) {
    Run("mkdir -p " + dir_);
    MakeCa("ca");
    MakeCa("other-ca");
    MakeCert("server", "ca", "IP:127.0.0.1,DNS:localhost");
    MakeCert("client", "ca", "DNS:svc.client.test");
    MakeCert("stranger", "other-ca", "DNS:svc.client.test");
    // The same text as a URI, not a DNS name; and an IP address.
    MakeCert("uri-client", "ca", "URI:svc.client.test");
    MakeCert("ip-client", "ca", "IP:10.1.2.3");
    MakeCert("renewed", "other-ca", "IP:127.0.0.1,DNS:localhost");
  }
  // Overwrites the server's certificate and key with "renewed" (signed by
  // the other CA), as a certificate rotation would.
  void RenewServerCertificate() {
    Run(absl::StrCat("cd ", dir_,
                     " && cp renewed.key server.key.new && "
                     "cp renewed.pem server.pem.new && mv server.key.new "
                     "server.key && mv server.pem.new server.pem"));
  }
  std::string Path(const std::string& name) const {
    return absl::StrCat(dir_, "/", name);
  }
  std::string Read(const std::string& name) const {
    return ReadFileOrEmpty(Path(name));
  }

 private:
  void Run(const std::string& command) {
    auto run = RunToExit({"bash", "-c", command}, absl::Seconds(60));
    ASSERT_TRUE(run.ok()) << run.status();
    ASSERT_EQ(run->exit_code, 0) << command << "\n" << run->output;
  }
  void MakeCa(const std::string& name) {
    Run(absl::StrCat("cd ", dir_,
                     " && openssl req -x509 -newkey ec "
                     "-pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ",
                     name, ".key -out ", name,
                     ".pem -days 2 -subj /CN=", name));
  }
  void MakeCert(const std::string& name, const std::string& ca,
                const std::string& san) {
    Run(absl::StrCat("cd ", dir_,
                     " && openssl req -newkey ec -pkeyopt "
                     "ec_paramgen_curve:P-256 -nodes -keyout ",
                     name, ".key -out ", name, ".csr -subj /CN=", name,
                     " && printf 'subjectAltName=", san,
                     "\\nextendedKeyUsage=serverAuth,clientAuth\\n' > ", name,
                     ".ext && openssl x509 -req -in ", name, ".csr -CA ", ca,
                     ".pem -CAkey ", ca, ".key -CAcreateserial -days 2 -out ",
                     name, ".pem -extfile ", name, ".ext"));
  }
  std::string dir_;
};

std::shared_ptr<grpc::Channel> TlsChannel(const std::string& address,
                                          const Pki& pki,
                                          const std::string& client = "",
                                          const std::string& ca = "ca") {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = pki.Read(ca + ".pem");
  if (!client.empty()) {
    options.pem_private_key = pki.Read(client + ".key");
    options.pem_cert_chain = pki.Read(client + ".pem");
  }
  return grpc::CreateChannel(address, grpc::SslCredentials(options));
}

grpc::Status Jwks(const std::shared_ptr<grpc::Channel>& channel,
                  const std::string& key = "") {
  grpc::ClientContext context;
  Prepare(&context, key);
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
  v1::GetJwksResponse out;
  return TokenAuthority::NewStub(channel)->GetJwks(&context, {}, &out);
}

TEST(SecurityE2eTest, TlsAcceptsTrustingClientsAndRefusesPlaintext) {
  Pki pki;
  const Callers callers;
  auto server = TesseradProcess::Start(
      {.flags = {"--config=" + WriteTempFile("tls.cfg", callers.Config()),
                 "--tls_cert_file=" + pki.Path("server.pem"),
                 "--tls_key_file=" + pki.Path("server.key")}});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string address = (*server)->grpc_address();
  EXPECT_TRUE(Jwks(TlsChannel(address, pki), callers.verifier).ok());
  grpc::Status plaintext =
      Jwks(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()),
           callers.verifier);
  EXPECT_EQ(plaintext.error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST(SecurityE2eTest, CertificateFilesAreReloadedWhenTheyChange) {
  Pki pki;
  const Callers callers;
  auto server = TesseradProcess::Start(
      {.flags = {"--config=" + WriteTempFile("reload.cfg", callers.Config()),
                 "--tls_cert_file=" + pki.Path("server.pem"),
                 "--tls_key_file=" + pki.Path("server.key")}});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string address = (*server)->grpc_address();
  ASSERT_TRUE(Jwks(TlsChannel(address, pki), callers.verifier).ok());
  pki.RenewServerCertificate();
  // New connections get the renewed certificate within the watch interval.
  bool renewed = false;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (!renewed && absl::Now() < deadline) {
    renewed =
        Jwks(TlsChannel(address, pki, "", "other-ca"), callers.verifier).ok();
    if (!renewed) absl::SleepFor(absl::Milliseconds(250));
  }
  EXPECT_TRUE(renewed);
  EXPECT_EQ(Jwks(TlsChannel(address, pki), callers.verifier).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST(SecurityE2eTest, MutualTlsIdentifiesByCertificateAndRefusesOthers) {
  Pki pki;
  const Callers callers;
  const std::string config = callers.Config(
      "callers { name: \"svc\" client_cert_san: \"svc.client.test\" "
      "roles: ROLE_VERIFIER }\n");
  auto server = TesseradProcess::Start(
      {.flags = {"--config=" + WriteTempFile("mtls.cfg", config),
                 "--tls_cert_file=" + pki.Path("server.pem"),
                 "--tls_key_file=" + pki.Path("server.key"),
                 "--client_ca_file=" + pki.Path("ca.pem")}});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string address = (*server)->grpc_address();
  // The certificate alone identifies the caller "svc" (a verifier).
  EXPECT_TRUE(Jwks(TlsChannel(address, pki, "client")).ok());
  // No certificate, or one from another CA: the handshake fails.
  EXPECT_EQ(Jwks(TlsChannel(address, pki), callers.verifier).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(
      Jwks(TlsChannel(address, pki, "stranger"), callers.verifier).error_code(),
      grpc::StatusCode::UNAVAILABLE);
}

// A SAN names a caller only with its type: "svc.client.test" as a URI is not
// the DNS name svc.client.test.
TEST(SecurityE2eTest, MutualTlsMatchesTheSanTypeAsWellAsItsValue) {
  Pki pki;
  const Callers callers;
  const std::string config = callers.Config(
      "callers { name: \"svc\" client_cert_san: \"svc.client.test\" "
      "roles: ROLE_VERIFIER }\n"
      "callers { name: \"ipsvc\" client_cert_san: \"ip:10.1.2.3\" "
      "roles: ROLE_VERIFIER }\n");
  auto server = TesseradProcess::Start(
      {.flags = {"--config=" + WriteTempFile("mtls-typed.cfg", config),
                 "--tls_cert_file=" + pki.Path("server.pem"),
                 "--tls_key_file=" + pki.Path("server.key"),
                 "--client_ca_file=" + pki.Path("ca.pem")}});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string address = (*server)->grpc_address();
  EXPECT_TRUE(Jwks(TlsChannel(address, pki, "client")).ok());
  EXPECT_TRUE(Jwks(TlsChannel(address, pki, "ip-client")).ok());
  const grpc::Status uri = Jwks(TlsChannel(address, pki, "uri-client"));
  EXPECT_EQ(uri.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ReasonOf(uri), "CALLER_UNKNOWN");
  // A SAN whose type is not said, and is not a DNS name, is refused (exit 2).
  auto refused = testing::RunTesseradToExit(
      {"--grpc_address=127.0.0.1:0",
       "--http_address=", "--data_dir=" + NewTempDir("untyped-san"),
       "--tls_cert_file=" + pki.Path("server.pem"),
       "--tls_key_file=" + pki.Path("server.key"),
       "--client_ca_file=" + pki.Path("ca.pem"),
       "--config=" +
           WriteTempFile("untyped.cfg",
                         "callers { name: \"svc\" client_cert_san: "
                         "\"spiffe://prod/svc\" roles: ROLE_VERIFIER }\n")});
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ(refused->exit_code, 2) << refused->output;
  EXPECT_THAT(refused->output, HasSubstr("dns:, uri:, email: or ip:"));
}

TEST(SecurityE2eTest, AnyAddressNeedsTlsOrInsecureAndStartsWithTls) {
  Pki pki;
  const Callers callers;
  const std::string config = WriteTempFile("any.cfg", callers.Config());
  auto refused = testing::RunTesseradToExit(
      {"--grpc_address=0.0.0.0:0", "--http_address=", "--config=" + config,
       "--data_dir=" + NewTempDir("any-refused")});
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_NE(refused->exit_code, 0);
  EXPECT_THAT(refused->output, HasSubstr("--insecure"));
  auto server = TesseradProcess::Start(
      {.flags = {"--grpc_address=0.0.0.0:0", "--config=" + config,
                 "--tls_cert_file=" + pki.Path("server.pem"),
                 "--tls_key_file=" + pki.Path("server.key")}});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string port = (*server)->grpc_address().substr(
      (*server)->grpc_address().rfind(':') + 1);
  EXPECT_TRUE(
      Jwks(TlsChannel("127.0.0.1:" + port, pki), callers.verifier).ok());
}

TEST(SecurityE2eTest, RateLimitPerCallerWithRetryInfo) {
  const Callers callers;
  auto server = TesseradProcess::Start(
      {.flags = {
           "--config=" +
           WriteTempFile("rate.cfg",
                         callers.Config("rate_limits { issue_per_second: 0.5 "
                                        "issue_burst: 3 "
                                        "max_watchers_per_caller: 2 }\n"))}});
  ASSERT_TRUE(server.ok()) << server.status();
  auto tokens = TokenAuthority::NewStub(grpc::CreateChannel(
      (*server)->grpc_address(), grpc::InsecureChannelCredentials()));
  auto issue = [&](const std::string& key) {
    grpc::ClientContext c;
    Prepare(&c, key);
    v1::IssueSessionRequest r;
    r.set_subject("burst");
    v1::SessionTokens out;
    return tokens->IssueSession(&c, r, &out);
  };
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(issue(callers.issuer).ok()) << i;
  grpc::Status limited = issue(callers.issuer);
  EXPECT_EQ(limited.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ReasonOf(limited), "RATE_LIMITED");
  EXPECT_TRUE(HasRetryInfo(limited));
  EXPECT_TRUE(issue(callers.second_issuer).ok());  // Others unaffected.

  // Two streams per caller; the third is refused, another caller's is not.
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::RevocationEvent>>> open;
  auto watch = [&](const std::string& key) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    Prepare(contexts.back().get(), key);
    open.push_back(tokens->WatchRevocations(contexts.back().get(), {}));
    v1::RevocationEvent event;
    return open.back()->Read(&event) ? grpc::Status::OK : open.back()->Finish();
  };
  EXPECT_TRUE(watch(callers.verifier).ok());
  EXPECT_TRUE(watch(callers.verifier).ok());
  grpc::Status third = watch(callers.verifier);
  EXPECT_EQ(third.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ReasonOf(third), "TOO_MANY_WATCHERS");
  EXPECT_TRUE(watch(callers.admin).ok());
  for (auto& context : contexts) context->TryCancel();
}

TEST(SecurityE2eTest, AuditLogRecordsAndNoSecretReachesAnyLog) {
  const Callers callers;
  const std::string audit_file = NewTempDir("audit") + ".jsonl";
  const std::string kek = "c2VjcmV0LWtlay1mb3ItdGhlLXNjcnViLXRlc3QtMzI";
  const std::string kek_file = WriteTempFile("kek", kek + "=\n");
  std::filesystem::permissions(kek_file, std::filesystem::perms::owner_read);
  auto server = TesseradProcess::Start(
      {.flags = {"--config=" + WriteTempFile("audit.cfg", callers.Config()),
                 "--audit_log_file=" + audit_file, "--kek_file=" + kek_file,
                 "--refresh_grace=0s"}});
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = grpc::CreateChannel((*server)->grpc_address(),
                                     grpc::InsecureChannelCredentials());
  auto tokens = TokenAuthority::NewStub(channel);
  std::vector<std::string> secrets = {callers.issuer, callers.verifier,
                                      callers.admin, kek};

  grpc::ClientContext c1;
  Prepare(&c1, callers.issuer);
  v1::IssueSessionRequest issue;
  issue.set_subject("grace");
  v1::SessionTokens first;
  ASSERT_TRUE(tokens->IssueSession(&c1, issue, &first).ok());
  grpc::ClientContext c2;
  Prepare(&c2, callers.issuer);
  v1::RefreshSessionRequest refresh;
  refresh.set_refresh_token(first.refresh_token());
  v1::SessionTokens second;
  ASSERT_TRUE(tokens->RefreshSession(&c2, refresh, &second).ok());
  grpc::ClientContext c2b;  // The successor is used ...
  Prepare(&c2b, callers.issuer);
  v1::RefreshSessionRequest next;
  next.set_refresh_token(second.refresh_token());
  v1::SessionTokens third;
  ASSERT_TRUE(tokens->RefreshSession(&c2b, next, &third).ok());
  grpc::ClientContext c3;  // ... so the first token is reuse: theft.
  Prepare(&c3, callers.issuer);
  v1::SessionTokens reused;
  EXPECT_EQ(ReasonOf(tokens->RefreshSession(&c3, refresh, &reused)),
            "REFRESH_TOKEN_REUSED");
  grpc::ClientContext c4;
  Prepare(&c4, callers.issuer);
  v1::UpdateClaimsRequest update;
  update.set_subject("grace");
  update.set_invalidate_access_tokens(true);
  v1::UpdateClaimsResponse updated;
  ASSERT_TRUE(tokens->UpdateClaims(&c4, update, &updated).ok());
  grpc::ClientContext c5;
  Prepare(&c5, callers.verifier);  // Denied: a verifier may not revoke.
  v1::RevokeSessionRequest revoke;
  revoke.set_refresh_token(second.refresh_token());
  v1::RevokeSessionResponse revoked;
  EXPECT_EQ(tokens->RevokeSession(&c5, revoke, &revoked).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::ClientContext c6;
  Prepare(&c6, callers.admin);
  v1::RotateSigningKeyResponse rotation;
  ASSERT_TRUE(
      Admin::NewStub(channel)->RotateSigningKey(&c6, {}, &rotation).ok());
  for (const v1::SessionTokens* t : {&first, &second, &third}) {
    secrets.push_back(t->access_token());
    secrets.push_back(t->refresh_token());
    secrets.push_back(
        t->refresh_token().substr(t->refresh_token().find('.') + 1));
  }
  ASSERT_TRUE((*server)->Terminate().ok());

  const std::string audit = ReadFileOrEmpty(audit_file);
  EXPECT_THAT(audit, HasSubstr("\"audit\":\"RefreshSession\",\"caller\":"
                               "\"frontend\",\"target\":\"" +
                               first.session_id() + "\""));
  EXPECT_THAT(audit, HasSubstr("\"reason\":\"REFRESH_TOKEN_REUSED\""));
  EXPECT_THAT(audit, HasSubstr("\"audit\":\"UpdateClaims\",\"caller\":"
                               "\"frontend\",\"target\":\"subject=grace\","
                               "\"result\":\"OK\""));
  // A refused caller with a valid key is named, not "(unauthenticated)".
  EXPECT_THAT(audit, HasSubstr("\"audit\":\"RevokeSession\",\"caller\":"
                               "\"backend\",\"target\":\"refresh_token\","
                               "\"result\":\"PERMISSION_DENIED\""));
  EXPECT_THAT(audit, HasSubstr("\"audit\":\"RotateSigningKey\",\"caller\":"
                               "\"ops\""));
  const std::string log = (*server)->ReadLog();
  for (const std::string& secret : secrets) {
    ASSERT_GE(secret.size(), 16u);
    EXPECT_FALSE(absl::StrContains(audit, secret)) << "audit leaks a secret";
    EXPECT_FALSE(absl::StrContains(log, secret)) << "log leaks a secret";
  }
}

// The lines of `text` that contain `needle`.
size_t CountLines(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    n += absl::StrContains(line, needle);
  }
  return n;
}

// Anyone who reaches the port can send refused calls; the audit log counts
// every one but writes only a bounded sample (RefusedLimit: a burst of 20,
// then 10 lines/s) plus "(suppressed)" summaries.
TEST(SecurityE2eTest, RefusedCallsCannotFloodTheAuditLog) {
  const Callers callers;
  const std::string audit_file = NewTempDir("audit-flood") + ".jsonl";
  auto server = TesseradProcess::Start(
      {.flags = {"--config=" + WriteTempFile("flood.cfg", callers.Config()),
                 "--audit_log_file=" + audit_file}});
  ASSERT_TRUE(server.ok()) << server.status();
  auto tokens = TokenAuthority::NewStub(grpc::CreateChannel(
      (*server)->grpc_address(), grpc::InsecureChannelCredentials()));
  constexpr int kCalls = 10000;
  const absl::Time start = absl::Now();
  for (int i = 0; i < kCalls; ++i) {
    grpc::ClientContext context;
    Prepare(&context, i % 2 == 0 ? "" : "wrong-key");
    v1::RevokeSessionRequest request;
    request.set_subject("victim");
    v1::RevokeSessionResponse response;
    ASSERT_EQ(tokens->RevokeSession(&context, request, &response).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  httplib::Client http(absl::StrCat("http://", (*server)->http_address()));
  http.set_read_timeout(10, 0);
  httplib::Result metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics);
  ASSERT_TRUE((*server)->Terminate().ok());

  const std::string audit = ReadFileOrEmpty(audit_file);
  const size_t written = CountLines(audit, "\"audit\":\"RevokeSession\"");
  // The bucket's bound over the time the calls took (not a timing
  // threshold: a slower run only raises the bound).
  EXPECT_LE(written, 20 + 10 * (static_cast<size_t>(seconds) + 1));
  EXPECT_GE(written, 20u);
  EXPECT_GE(CountLines(audit, "\"audit\":\"(suppressed)\""), 1u);
  // Every call is counted, written or not.
  EXPECT_EQ(MetricValue(metrics->body, "tessera_audit_refused_total"), kCalls);
  EXPECT_EQ(MetricValue(metrics->body, "tessera_audit_suppressed_total"),
            static_cast<double>(kCalls - written));
}

TEST(SecurityE2eTest, EveryAdminCallIsAudited) {
  const Callers callers;
  const std::string audit_file = NewTempDir("audit-admin") + ".jsonl";
  auto server = TesseradProcess::Start(
      {.flags = {
           "--config=" + WriteTempFile("admin-audit.cfg", callers.Config()),
           "--audit_log_file=" + audit_file}});
  ASSERT_TRUE(server.ok()) << server.status();
  auto admin = Admin::NewStub(grpc::CreateChannel(
      (*server)->grpc_address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  Prepare(&context, callers.admin);
  v1::GetStatsResponse stats;
  ASSERT_TRUE(admin->GetStats(&context, {}, &stats).ok());
  ASSERT_TRUE((*server)->Terminate().ok());
  EXPECT_THAT(ReadFileOrEmpty(audit_file),
              HasSubstr("\"audit\":\"GetStats\",\"caller\":\"ops\","
                        "\"target\":\"\",\"result\":\"OK\""));
}

// logrotate moves the file away and sends SIGHUP: later records go to a new
// file at the configured path, and the signal does not stop the server.
TEST(SecurityE2eTest, AuditLogFollowsRotationOnSighup) {
  const Callers callers;
  const std::string audit_file = NewTempDir("audit-rotate") + ".jsonl";
  auto server = TesseradProcess::Start(
      {.flags = {"--config=" + WriteTempFile("rotate.cfg", callers.Config()),
                 "--audit_log_file=" + audit_file}});
  ASSERT_TRUE(server.ok()) << server.status();
  auto admin = Admin::NewStub(grpc::CreateChannel(
      (*server)->grpc_address(), grpc::InsecureChannelCredentials()));
  auto rotate = [&] {
    grpc::ClientContext context;
    Prepare(&context, callers.admin);
    v1::RotateSigningKeyResponse response;
    return admin->RotateSigningKey(&context, {}, &response).ok();
  };
  ASSERT_TRUE(rotate());
  const std::string rotated = audit_file + ".1";
  ASSERT_EQ(std::rename(audit_file.c_str(), rotated.c_str()), 0);
  ASSERT_EQ(::kill((*server)->pid(), SIGHUP), 0);
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline &&
         !absl::StrContains((*server)->ReadLog(), "audit log reopened")) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_THAT((*server)->ReadLog(), HasSubstr("audit log reopened"));
  ASSERT_TRUE(rotate());  // Still serving.
  const absl::StatusOr<int> exit_code = (*server)->Terminate();
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0);

  const auto count = [](const std::string& text) {
    size_t n = 0;
    for (size_t at = text.find("\"audit\":\"RotateSigningKey\"");
         at != std::string::npos;
         at = text.find("\"audit\":\"RotateSigningKey\"", at + 1)) {
      ++n;
    }
    return n;
  };
  EXPECT_EQ(count(ReadFileOrEmpty(rotated)), 1u);
  EXPECT_EQ(count(ReadFileOrEmpty(audit_file)), 1u);
}

}  // namespace
}  // namespace tessera
