#include "server/session/refresh_token.h"

#include <openssl/crypto.h>

#include <cstdlib>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "client/token/base64url.h"
#include "server/crypto/aead.h"
#include "server/crypto/digest.h"

namespace tessera::session {
namespace {

constexpr size_t kSessionIdRandomBytes = 16;
constexpr size_t kSessionIdLength = 1 + 22;  // "s" + base64url(16 bytes)
constexpr size_t kSecretLength = 43;         // base64url(32 bytes)
using crypto::RandomBytes;

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// AES-256 key for sealing a successor: HMAC-SHA256(retired secret, label).
std::string SealingKey(absl::string_view retired_secret) {
  static constexpr char kLabel[] = "tessera refresh successor v1";
  return crypto::HmacSha256(retired_secret,
                            absl::string_view(kLabel, sizeof(kLabel) - 1));
}

}  // namespace

std::string NewSessionId() {
  return absl::StrCat(
      "s", token::Base64UrlEncode(RandomBytes(kSessionIdRandomBytes)));
}

std::string NewSecret() { return RandomBytes(kSecretBytes); }

bool IsValidSessionId(absl::string_view id) {
  if (id.size() != kSessionIdLength || id[0] != 's') return false;
  return token::Base64UrlDecode(id.substr(1)).has_value();
}

std::string FormatRefreshToken(const RefreshToken& token) {
  return absl::StrCat(kRefreshTokenPrefix, token.session_id, ".",
                      token::Base64UrlEncode(token.secret));
}

std::optional<RefreshToken> ParseRefreshToken(absl::string_view text) {
  if (text.size() > kMaxRefreshTokenBytes ||
      !absl::ConsumePrefix(&text, kRefreshTokenPrefix)) {
    return std::nullopt;
  }
  const size_t dot = text.find('.');
  if (dot == absl::string_view::npos) return std::nullopt;
  absl::string_view id = text.substr(0, dot);
  absl::string_view secret_text = text.substr(dot + 1);
  if (!IsValidSessionId(id) || secret_text.size() != kSecretLength) {
    return std::nullopt;
  }
  for (char c : secret_text) {
    if (!IsBase64UrlChar(c)) return std::nullopt;
  }
  std::optional<std::string> secret = token::Base64UrlDecode(secret_text);
  if (!secret.has_value() || secret->size() != kSecretBytes) {
    return std::nullopt;
  }
  return RefreshToken{std::string(id), *std::move(secret)};
}

std::string SecretHash(absl::string_view secret) {
  return crypto::Sha256(secret);
}

bool HashEquals(absl::string_view a, absl::string_view b) {
  return a.size() == b.size() && !a.empty() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string SealSuccessor(absl::string_view retired_secret,
                          absl::string_view successor_secret,
                          absl::string_view context) {
  return crypto::Seal(SealingKey(retired_secret), successor_secret, context);
}

std::optional<std::string> OpenSuccessor(absl::string_view retired_secret,
                                         absl::string_view sealed,
                                         absl::string_view context) {
  return crypto::Open(SealingKey(retired_secret), sealed, context);
}

}  // namespace tessera::session
