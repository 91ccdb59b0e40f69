#include "server/crypto/kek.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "server/crypto/aead.h"
#include "server/crypto/digest.h"
#include "server/log/log.h"

namespace tessera::crypto {
namespace {

constexpr size_t kMaxKekFileBytes = 1024;

std::string KekId(absl::string_view key) {
  static constexpr char kLabel[] = "tessera kek id v1";
  return HmacSha256(key, absl::string_view(kLabel, sizeof(kLabel) - 1))
      .substr(0, 16);
}

// Reads a KEK file: a regular file (symlinks followed) that neither group
// nor others may access, at most kMaxKekFileBytes long.
absl::StatusOr<std::string> ReadSmallFile(const std::string& path,
                                          absl::string_view source) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read the key-encryption key from ", source, ": ",
                     std::strerror(errno)));
  }
  struct stat info;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(absl::StrCat(
        "the key-encryption key in ", source, " is not a regular file"));
  }
  if ((info.st_mode & 077) != 0) {
    ::close(fd);
    return absl::InvalidArgumentError(absl::StrFormat(
        "the key-encryption key in %s is open to group or others (mode "
        "%04o); make it owner-only with chmod 600",
        source, info.st_mode & 07777));
  }
  std::string text(kMaxKekFileBytes + 1, '\0');
  size_t size = 0;
  while (size < text.size()) {
    const ssize_t n = ::read(fd, text.data() + size, text.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    size += static_cast<size_t>(n);
  }
  ::close(fd);
  text.resize(size);
  if (text.size() > kMaxKekFileBytes) {
    OPENSSL_cleanse(text.data(), text.size());
    return absl::InvalidArgumentError(
        absl::StrCat("the key-encryption key in ", source,
                     " is not base64 of 32 bytes (the file is too large)"));
  }
  return text;
}

// TESSERA_KEK, overwritten in place (so /proc/<pid>/environ no longer shows
// it) and removed from the environment (so no child process inherits it).
std::string TakeEnvironmentKek(char* value) {
  std::string text(value);
  OPENSSL_cleanse(value, std::strlen(value));
  ::unsetenv("TESSERA_KEK");
  return text;
}

absl::StatusOr<Kek> ParseAndCleanse(std::string& text,
                                    absl::string_view source) {
  absl::StatusOr<Kek> kek = ParseKek(text, source);
  OPENSSL_cleanse(text.data(), text.size());
  return kek;
}

// The KEK from --kek_file, TESSERA_KEK (taken out of the environment when
// `take_env`) or the generated file; nullopt if that file does not exist yet.
absl::StatusOr<std::optional<Kek>> FindKek(absl::string_view kek_file,
                                           absl::string_view data_dir,
                                           bool take_env) {
  if (!kek_file.empty()) {
    const std::string source = absl::StrCat("--kek_file=", kek_file);
    absl::StatusOr<std::string> text =
        ReadSmallFile(std::string(kek_file), source);
    if (!text.ok()) return text.status();
    return ParseAndCleanse(*text, source);
  }
  if (char* env = std::getenv("TESSERA_KEK"); env != nullptr) {
    std::string text = take_env ? TakeEnvironmentKek(env) : std::string(env);
    return ParseAndCleanse(text, "TESSERA_KEK");
  }
  const std::string path = absl::StrCat(data_dir, "/kek");
  struct stat info;
  if (::lstat(path.c_str(), &info) != 0 && errno == ENOENT) {
    return std::optional<Kek>();
  }
  absl::StatusOr<std::string> text = ReadSmallFile(path, path);
  if (!text.ok()) return text.status();
  return ParseAndCleanse(*text, path);
}

// Creates `path` with mode 0600 holding a fresh KEK; fails if it exists.
absl::Status Generate(const std::string& path) {
  const std::string key = RandomBytes(kAeadKeyBytes);
  std::string text = absl::StrCat(absl::WebSafeBase64Escape(key), "\n");
  const int fd =
      open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
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

absl::Status CheckKek(absl::string_view kek_file, absl::string_view data_dir) {
  return FindKek(kek_file, data_dir, /*take_env=*/false).status();
}

absl::StatusOr<Kek> LoadKek(absl::string_view kek_file,
                            absl::string_view data_dir) {
  absl::StatusOr<std::optional<Kek>> found =
      FindKek(kek_file, data_dir, /*take_env=*/true);
  if (!found.ok()) return found.status();
  if (found->has_value()) return std::move(**found);
  const std::string path = absl::StrCat(data_dir, "/kek");
  if (absl::Status made = Generate(path); !made.ok()) return made;
  log::Warning(
      "generated a key-encryption key next to the data it protects; it "
      "guards copies of the database files, not the machine. Keep a KEK "
      "elsewhere and pass --kek_file or TESSERA_KEK in production",
      {{"kek_file", path}});
  absl::StatusOr<std::string> text = ReadSmallFile(path, path);
  if (!text.ok()) return text.status();
  return ParseAndCleanse(*text, path);
}

}  // namespace tessera::crypto
