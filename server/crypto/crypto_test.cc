#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/crypto/aead.h"
#include "server/crypto/kek.h"

namespace tessera::crypto {
namespace {

std::string TestDir(absl::string_view name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", name);
  mkdir(dir.c_str(), 0700);
  return dir;
}

TEST(AeadTest, OpensWhatItSealedAndNothingElse) {
  const std::string key = RandomBytes(kAeadKeyBytes);
  const std::string box = Seal(key, "private key", "kid-1");
  EXPECT_EQ(Open(key, box, "kid-1"), "private key");
  EXPECT_EQ(box.find("private key"), std::string::npos);
  EXPECT_EQ(Open(key, box, "kid-2"), std::nullopt);  // Bound to its kid.
  EXPECT_EQ(Open(RandomBytes(kAeadKeyBytes), box, "kid-1"), std::nullopt);
  for (size_t i = 0; i < box.size(); ++i) {
    std::string bent = box;
    bent[i] ^= 0x01;
    EXPECT_EQ(Open(key, bent, "kid-1"), std::nullopt) << "byte " << i;
  }
  EXPECT_EQ(Open(key, box.substr(0, 27), "kid-1"), std::nullopt);
  EXPECT_EQ(Open(key, "", "kid-1"), std::nullopt);
  EXPECT_NE(Seal(key, "x", ""), Seal(key, "x", ""));  // Fresh nonces.
}

TEST(KekTest, AcceptsBothBase64AlphabetsOfExactly32Bytes) {
  const std::string key(32, '\xfb');
  auto standard = ParseKek(absl::Base64Escape(key) + "\n", "test");
  auto url = ParseKek(absl::WebSafeBase64Escape(key), "test");
  ASSERT_TRUE(standard.ok()) << standard.status();
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(standard->key, key);
  EXPECT_EQ(url->key, key);
  EXPECT_EQ(standard->id, url->id);
  EXPECT_EQ(standard->id.size(), 16u);
  EXPECT_NE(standard->id, key.substr(0, 16));
}

TEST(KekTest, RefusesWrongSizesAndGarbageWithoutEchoingIt) {
  for (const std::string& text : {absl::Base64Escape(std::string(31, 'k')),
                                  absl::Base64Escape(std::string(33, 'k')),
                                  std::string("not*base64"), std::string("")}) {
    auto kek = ParseKek(text, "TESSERA_KEK");
    ASSERT_EQ(kek.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(kek.status().message().find("TESSERA_KEK"), std::string::npos);
    if (!text.empty()) {
      EXPECT_EQ(kek.status().message().find(text), std::string::npos);
    }
  }
}

TEST(KekTest, ZeroConfigGeneratesAPrivateFileOnceAndRereadsIt) {
  unsetenv("TESSERA_KEK");
  const std::string dir = TestDir("zero_config");
  auto first = LoadKek("", dir);
  ASSERT_TRUE(first.ok()) << first.status();
  struct stat info;
  ASSERT_EQ(stat(absl::StrCat(dir, "/kek").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  auto second = LoadKek("", dir);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(first->key, second->key);
}

TEST(KekTest, FileWinsOverEnvironmentWhichWinsOverGenerated) {
  const std::string dir = TestDir("precedence");
  const std::string env_key(32, 'e');
  setenv("TESSERA_KEK", absl::Base64Escape(env_key).c_str(), 1);
  auto from_env = LoadKek("", dir);
  ASSERT_TRUE(from_env.ok()) << from_env.status();
  EXPECT_EQ(from_env->key, env_key);
  EXPECT_EQ(from_env->source, "TESSERA_KEK");

  const std::string file = absl::StrCat(dir, "/my.kek");
  FILE* out = fopen(file.c_str(), "w");
  ASSERT_NE(out, nullptr);
  fputs(absl::Base64Escape(std::string(32, 'f')).c_str(), out);
  fclose(out);
  ASSERT_EQ(chmod(file.c_str(), 0600), 0);
  setenv("TESSERA_KEK", absl::Base64Escape(env_key).c_str(), 1);
  auto from_file = LoadKek(file, dir);
  ASSERT_TRUE(from_file.ok()) << from_file.status();
  EXPECT_EQ(from_file->key, std::string(32, 'f'));
  unsetenv("TESSERA_KEK");

  auto missing = LoadKek(absl::StrCat(dir, "/absent"), dir);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("--kek_file="), std::string::npos);
}

TEST(KekTest, FileOpenToGroupOrOthersIsRefused) {
  unsetenv("TESSERA_KEK");
  const std::string dir = TestDir("modes");
  const std::string file = absl::StrCat(dir, "/open.kek");
  FILE* out = fopen(file.c_str(), "w");
  ASSERT_NE(out, nullptr);
  fputs(absl::Base64Escape(std::string(32, 'o')).c_str(), out);
  fclose(out);
  for (mode_t mode : {0640, 0604, 0620, 0644}) {
    ASSERT_EQ(chmod(file.c_str(), mode), 0);
    auto kek = LoadKek(file, dir);
    EXPECT_EQ(kek.status().code(), absl::StatusCode::kInvalidArgument) << mode;
    EXPECT_NE(kek.status().message().find("chmod 600"), std::string::npos);
    EXPECT_EQ(CheckKek(file, dir).code(), absl::StatusCode::kInvalidArgument);
  }
  ASSERT_EQ(chmod(file.c_str(), 0400), 0);
  EXPECT_TRUE(LoadKek(file, dir).ok());
  EXPECT_TRUE(CheckKek(file, dir).ok());
  // The generated file is held to the same rule.
  ASSERT_TRUE(LoadKek("", dir).ok());
  ASSERT_EQ(chmod(absl::StrCat(dir, "/kek").c_str(), 0644), 0);
  EXPECT_EQ(LoadKek("", dir).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckKek("", dir).code(), absl::StatusCode::kInvalidArgument);
}

TEST(KekTest, EnvironmentKekIsTakenOutOfTheProcessOnLoad) {
  const std::string dir = TestDir("take_env");
  const std::string text = absl::Base64Escape(std::string(32, 't'));
  setenv("TESSERA_KEK", text.c_str(), 1);
  char* value = getenv("TESSERA_KEK");
  ASSERT_NE(value, nullptr);
  const size_t size = strlen(value);
  EXPECT_TRUE(CheckKek("", dir).ok());  // Checking leaves it in place.
  ASSERT_NE(getenv("TESSERA_KEK"), nullptr);
  auto kek = LoadKek("", dir);
  ASSERT_TRUE(kek.ok()) << kek.status();
  EXPECT_EQ(kek->key, std::string(32, 't'));
  EXPECT_EQ(getenv("TESSERA_KEK"), nullptr);
  // The bytes the environment held are overwritten, not just unlinked.
  EXPECT_EQ(std::string(value, size).find(text.substr(0, 8)),
            std::string::npos);
  // Nothing was generated while the environment supplied the KEK.
  struct stat info;
  EXPECT_NE(stat(absl::StrCat(dir, "/kek").c_str(), &info), 0);
}

}  // namespace
}  // namespace tessera::crypto
