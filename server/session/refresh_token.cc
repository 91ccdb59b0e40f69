#include "server/session/refresh_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/opensslv.h>
#if OPENSSL_VERSION_MAJOR >= 3
#include <openssl/core_names.h>
#include <openssl/params.h>
#endif
#include <openssl/sha.h>

#include <cstdlib>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "client/token/base64url.h"
#include "server/crypto/aead.h"

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

// HMAC-SHA256(key, data) into out[32]. On OpenSSL 3 the one-shot HMAC()
// fetches the MAC and the digest on every call (a few percent of a
// refresh); here they are fetched once, into a template context that each
// call copies (copying reads it only, so threads may share it).
void HmacSha256(absl::string_view key, absl::string_view data, uint8_t* out) {
#if OPENSSL_VERSION_MAJOR >= 3
  static EVP_MAC_CTX* const kTemplate = [] {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    EVP_MAC_CTX* ctx = mac == nullptr ? nullptr : EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);  // The context keeps its own reference.
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end()};
    if (ctx == nullptr || EVP_MAC_CTX_set_params(ctx, params) != 1) {
      std::abort();
    }
    return ctx;
  }();
  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(
      EVP_MAC_CTX_dup(kTemplate), &EVP_MAC_CTX_free);
  size_t len = 0;
  if (ctx == nullptr ||
      EVP_MAC_init(ctx.get(), reinterpret_cast<const uint8_t*>(key.data()),
                   key.size(), nullptr) != 1 ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const uint8_t*>(data.data()),
                     data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out, &len, 32) != 1 || len != 32) {
    std::abort();
  }
#else
  unsigned int len = 32;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const uint8_t*>(data.data()), data.size(), out, &len);
#endif
}

// AES-256 key for sealing a successor: HMAC-SHA256(retired secret, label).
std::string SealingKey(absl::string_view retired_secret) {
  static constexpr char kLabel[] = "tessera refresh successor v1";
  uint8_t key[32];
  HmacSha256(retired_secret, absl::string_view(kLabel, sizeof(kLabel) - 1),
             key);
  std::string out(reinterpret_cast<char*>(key), sizeof(key));
  OPENSSL_cleanse(key, sizeof(key));
  return out;
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
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const uint8_t*>(secret.data()), secret.size(),
         digest);
  return std::string(reinterpret_cast<char*>(digest), sizeof(digest));
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
