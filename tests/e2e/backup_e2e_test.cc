// Admin.CreateBackup against the real tesserad: a backup restored into a
// new data directory (with the same KEK) holds every session, revocation
// and signing key acknowledged before the call, and nothing after it;
// hostile paths are refused without writing anything.

#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tessera/v1/admin.grpc.pb.h"
#include "tessera/v1/token_authority.grpc.pb.h"
#include "tests/testing/tesserad_process.h"

namespace tessera {
namespace {

using ::tessera::testing::NewTempDir;
using ::tessera::testing::TesseradProcess;
using ::testing::HasSubstr;
namespace v1 = ::tessera::v1;

struct Stubs {
  explicit Stubs(const TesseradProcess& server)
      : channel(grpc::CreateChannel(server.grpc_address(),
                                    grpc::InsecureChannelCredentials())),
        tokens(v1::TokenAuthority::NewStub(channel)),
        admin(v1::Admin::NewStub(channel)) {}

  v1::SessionTokens Issue(const std::string& subject) {
    grpc::ClientContext context;
    v1::IssueSessionRequest request;
    request.set_subject(subject);
    v1::SessionTokens tokens_out;
    const grpc::Status status =
        tokens->IssueSession(&context, request, &tokens_out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return tokens_out;
  }
  uint64_t Revoke(const std::string& session_id) {
    grpc::ClientContext context;
    v1::RevokeSessionRequest request;
    request.set_session_id(session_id);
    v1::RevokeSessionResponse response;
    EXPECT_TRUE(tokens->RevokeSession(&context, request, &response).ok());
    return response.sequence();
  }
  grpc::Status Backup(const std::string& path,
                      v1::CreateBackupResponse* response) {
    grpc::ClientContext context;
    v1::CreateBackupRequest request;
    request.set_path(path);
    return admin->CreateBackup(&context, request, response);
  }
  grpc::StatusCode GetSession(const std::string& session_id) {
    grpc::ClientContext context;
    v1::GetSessionRequest request;
    request.set_session_id(session_id);
    v1::Session session;
    return tokens->GetSession(&context, request, &session).error_code();
  }
  v1::ValidateTokenResponse Validate(const std::string& access_token) {
    grpc::ClientContext context;
    v1::ValidateTokenRequest request;
    request.set_access_token(access_token);
    v1::ValidateTokenResponse response;
    EXPECT_TRUE(tokens->ValidateToken(&context, request, &response).ok());
    return response;
  }
  grpc::Status Refresh(const std::string& refresh_token) {
    grpc::ClientContext context;
    v1::RefreshSessionRequest request;
    request.set_refresh_token(refresh_token);
    v1::SessionTokens out;
    return tokens->RefreshSession(&context, request, &out);
  }

  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::TokenAuthority::Stub> tokens;
  std::unique_ptr<v1::Admin::Stub> admin;
};

TEST(BackupE2eTest, RestoredBackupHoldsWhatWasAcknowledgedBeforeIt) {
  auto server = TesseradProcess::Start({});
  ASSERT_TRUE(server.ok()) << server.status();
  Stubs stubs(**server);
  const v1::SessionTokens kept = stubs.Issue("ada");
  const v1::SessionTokens revoked = stubs.Issue("ada");
  const uint64_t sequence = stubs.Revoke(revoked.session_id());

  const std::string backup = NewTempDir("backup");
  v1::CreateBackupResponse response;
  const grpc::Status status = stubs.Backup(backup, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.path(), backup);
  EXPECT_GE(response.sequence(), sequence);
  EXPECT_GT(response.bytes(), 0);
  EXPECT_GT(response.created_at().seconds(), 0);
  const v1::SessionTokens later = stubs.Issue("ada");  // Not in the backup.
  const std::string kek_file = (*server)->data_dir() + "/kek";
  ASSERT_TRUE((*server)->Terminate().ok());

  // Restore: the backup becomes the database of a new data directory.
  const std::string restored_dir = NewTempDir("restored");
  std::filesystem::create_directories(restored_dir);
  std::filesystem::rename(backup, restored_dir + "/db");
  auto restored = TesseradProcess::Start(
      {.data_dir = restored_dir, .flags = {"--kek_file=" + kek_file}});
  ASSERT_TRUE(restored.ok()) << restored.status();
  Stubs after(**restored);
  EXPECT_EQ(after.GetSession(kept.session_id()), grpc::StatusCode::OK);
  EXPECT_TRUE(after.Validate(kept.access_token()).valid());  // Same keys.
  EXPECT_TRUE(after.Refresh(kept.refresh_token()).ok());
  EXPECT_EQ(after.Validate(revoked.access_token()).reason(),
            v1::TOKEN_INVALID_REASON_SESSION_REVOKED);
  EXPECT_EQ(after.GetSession(later.session_id()), grpc::StatusCode::NOT_FOUND);
}

TEST(BackupE2eTest, HostilePathsAreRefusedAndNothingIsWritten) {
  auto server = TesseradProcess::Start({});
  ASSERT_TRUE(server.ok()) << server.status();
  Stubs stubs(**server);
  const std::string existing = NewTempDir("existing");
  std::filesystem::create_directories(existing);
  const std::string orphan = NewTempDir("no-parent") + "/child";
  const std::string cases[] = {
      "",
      "relative/backup",
      existing,
      (*server)->data_dir(),  // Never over live data.
      orphan,
      "/" + std::string(5000, 'a'),
      std::string("/tmp/nul\0byte", 13),
  };
  for (const std::string& path : cases) {
    v1::CreateBackupResponse response;
    const grpc::Status status = stubs.Backup(path, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << path.substr(0, 40);
    EXPECT_THAT(status.error_message(), HasSubstr("backup path"));
  }
  EXPECT_TRUE(std::filesystem::is_empty(existing));
  EXPECT_FALSE(std::filesystem::exists(orphan));
  // Still serving.
  EXPECT_FALSE(stubs.Issue("ada").session_id().empty());
}

// The data dir is 0700; a backup of it is just as private, and it is created
// where the canonical path says, never through a symlink.
TEST(BackupE2eTest, BackupIsOwnerOnlyAtItsCanonicalPathAndNeverFollowsLinks) {
  auto server = TesseradProcess::Start({});
  ASSERT_TRUE(server.ok()) << server.status();
  Stubs stubs(**server);
  stubs.Issue("ada");
  const std::string parent = NewTempDir("backups");
  std::filesystem::create_directories(parent);
  const std::string link = NewTempDir("backups-link");
  std::filesystem::create_directory_symlink(parent, link);

  v1::CreateBackupResponse response;
  const grpc::Status status = stubs.Backup(link + "/./b1", &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.path(), parent + "/b1");
  namespace fs = std::filesystem;
  EXPECT_EQ(fs::status(parent + "/b1").permissions(), fs::perms::owner_all);
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(parent + "/b1")) {
    ++files;
    EXPECT_EQ(entry.status().permissions(),
              fs::perms::owner_read | fs::perms::owner_write)
        << entry.path();
  }
  EXPECT_GT(files, 0u);

  // A symlink at the path (to an empty directory) is refused, not followed.
  const std::string elsewhere = NewTempDir("elsewhere");
  fs::create_directories(elsewhere);
  fs::create_directory_symlink(elsewhere, parent + "/b2");
  EXPECT_EQ(stubs.Backup(parent + "/b2", &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(fs::is_empty(elsewhere));
  // Nothing but b1 and b2 in the parent: no staging directory left over.
  size_t entries = 0;
  for (const auto& entry : fs::directory_iterator(parent)) {
    (void)entry;
    ++entries;
  }
  EXPECT_EQ(entries, 2u);
}

}  // namespace
}  // namespace tessera
