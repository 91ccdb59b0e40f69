#include "server/session/refresh_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdlib>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "client/token/base64url.h"

namespace tessera::session {
namespace {

constexpr size_t kSessionIdRandomBytes = 16;
constexpr size_t kSessionIdLength = 1 + 22;  // "s" + base64url(16 bytes)
constexpr size_t kSecretLength = 43;         // base64url(32 bytes)
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

std::string RandomBytes(size_t n) {
  std::string bytes(n, '\0');
  // RAND_bytes fails only if the CSPRNG cannot be seeded; issuing a
  // guessable secret is never an option, so stop.
  if (RAND_bytes(reinterpret_cast<uint8_t*>(bytes.data()), n) != 1) {
    std::abort();
  }
  return bytes;
}

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// AES-256 key for sealing a successor: HMAC-SHA256(retired secret, label).
std::string SealingKey(absl::string_view retired_secret) {
  static constexpr char kLabel[] = "tessera refresh successor v1";
  uint8_t key[32];
  unsigned int len = sizeof(key);
  HMAC(EVP_sha256(), retired_secret.data(),
       static_cast<int>(retired_secret.size()),
       reinterpret_cast<const uint8_t*>(kLabel), sizeof(kLabel) - 1, key, &len);
  std::string out(reinterpret_cast<char*>(key), len);
  OPENSSL_cleanse(key, sizeof(key));
  return out;
}

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};

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
  const std::string key = SealingKey(retired_secret);
  const std::string nonce = RandomBytes(kNonceBytes);
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter> ctx(EVP_CIPHER_CTX_new());
  std::string out = nonce;
  out.resize(kNonceBytes + successor_secret.size() + kTagBytes);
  auto* dst = reinterpret_cast<uint8_t*>(out.data()) + kNonceBytes;
  int len = 0;
  if (ctx == nullptr ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                         reinterpret_cast<const uint8_t*>(key.data()),
                         reinterpret_cast<const uint8_t*>(nonce.data())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const uint8_t*>(context.data()),
                        static_cast<int>(context.size())) != 1 ||
      EVP_EncryptUpdate(
          ctx.get(), dst, &len,
          reinterpret_cast<const uint8_t*>(successor_secret.data()),
          static_cast<int>(successor_secret.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), dst + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                          dst + successor_secret.size()) != 1) {
    std::abort();  // Only fails on allocation or a broken libcrypto.
  }
  return out;
}

std::optional<std::string> OpenSuccessor(absl::string_view retired_secret,
                                         absl::string_view sealed,
                                         absl::string_view context) {
  if (sealed.size() <= kNonceBytes + kTagBytes) return std::nullopt;
  const std::string key = SealingKey(retired_secret);
  const size_t text_size = sealed.size() - kNonceBytes - kTagBytes;
  const auto* nonce = reinterpret_cast<const uint8_t*>(sealed.data());
  const auto* ciphertext = nonce + kNonceBytes;
  std::string tag(sealed.substr(kNonceBytes + text_size));
  std::string plain(text_size, '\0');
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter> ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (ctx == nullptr ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                         reinterpret_cast<const uint8_t*>(key.data()),
                         nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const uint8_t*>(context.data()),
                        static_cast<int>(context.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<uint8_t*>(plain.data()),
                        &len, ciphertext, static_cast<int>(text_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes,
                          tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(),
                          reinterpret_cast<uint8_t*>(plain.data()) + len,
                          &len) != 1) {
    return std::nullopt;
  }
  return plain;
}

}  // namespace tessera::session
