#include "server/crypto/kek.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "server/crypto/aead.h"
#include "server/log/log.h"

namespace tessera::crypto {
namespace {

constexpr size_t kMaxKekFileBytes = 1024;

std::string KekId(absl::string_view key) {
  static constexpr char kLabel[] = "tessera kek id v1";
  uint8_t mac[32];
  unsigned int len = sizeof(mac);
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const uint8_t*>(kLabel), sizeof(kLabel) - 1, mac, &len);
  return std::string(reinterpret_cast<char*>(mac), 16);
}

absl::StatusOr<std::string> ReadSmallFile(const std::string& path,
                                          absl::string_view source) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read the key-encryption key from ", source, ": ",
                     std::strerror(errno)));
  }
  std::string text(kMaxKekFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxKekFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("the key-encryption key in ", source,
                     " is not base64 of 32 bytes (the file is too large)"));
  }
  return text;
}

// Creates `path` with mode 0600 holding a fresh KEK; fails if it exists.
absl::Status Generate(const std::string& path) {
  const std::string key = RandomBytes(kAeadKeyBytes);
  std::string text = absl::StrCat(absl::WebSafeBase64Escape(key), "\n");
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot create the key-encryption key file ", path, ": ",
                     std::strerror(errno)));
  }
  const bool written =
      write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool synced = fsync(fd) == 0;
  close(fd);
  OPENSSL_cleanse(text.data(), text.size());
  if (!written || !synced) {
    unlink(path.c_str());
    return absl::InvalidArgumentError(
        absl::StrCat("cannot write the key-encryption key file ", path));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Kek> ParseKek(absl::string_view text, absl::string_view source) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  std::string key;
  const bool decoded = absl::WebSafeBase64Unescape(trimmed, &key) ||
                       absl::Base64Unescape(trimmed, &key);
  if (!decoded || key.size() != kAeadKeyBytes) {
    OPENSSL_cleanse(key.data(), key.size());
    return absl::InvalidArgumentError(absl::StrCat(
        "the key-encryption key from ", source,
        " is not base64 of 32 bytes (make one with `openssl rand -base64 "
        "32`)"));
  }
  Kek kek;
  kek.id = KekId(key);
  kek.key = std::move(key);
  kek.source = std::string(source);
  return kek;
}

absl::StatusOr<Kek> LoadKek(absl::string_view kek_file,
                            absl::string_view data_dir) {
  if (!kek_file.empty()) {
    const std::string source = absl::StrCat("--kek_file=", kek_file);
    absl::StatusOr<std::string> text =
        ReadSmallFile(std::string(kek_file), source);
    if (!text.ok()) return text.status();
    absl::StatusOr<Kek> kek = ParseKek(*text, source);
    OPENSSL_cleanse(text->data(), text->size());
    return kek;
  }
  if (const char* env = std::getenv("TESSERA_KEK"); env != nullptr) {
    return ParseKek(env, "TESSERA_KEK");
  }
  const std::string path = absl::StrCat(data_dir, "/kek");
  struct stat info;
  if (stat(path.c_str(), &info) != 0) {
    if (absl::Status made = Generate(path); !made.ok()) return made;
    log::Warning(
        "generated a key-encryption key next to the data it protects; it "
        "guards copies of the database files, not the machine. Keep a KEK "
        "elsewhere and pass --kek_file or TESSERA_KEK in production",
        {{"kek_file", path}});
  }
  absl::StatusOr<std::string> text = ReadSmallFile(path, path);
  if (!text.ok()) return text.status();
  absl::StatusOr<Kek> kek = ParseKek(*text, path);
  OPENSSL_cleanse(text->data(), text->size());
  return kek;
}

}  // namespace tessera::crypto
