#include "server/crypto/aead.h"

#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/rand.h>

#include <cstdint>
#include <cstdlib>
#include <memory>

namespace tessera::crypto {
namespace {

constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};

// AES-256-GCM, fetched once: on OpenSSL 3, EVP_aes_256_gcm() makes every
// EncryptInit look the implementation up again (a measurable share of a
// refresh, which seals one successor).
const EVP_CIPHER* Aes256Gcm() {
#if OPENSSL_VERSION_MAJOR >= 3
  static const EVP_CIPHER* const cipher = [] {
    EVP_CIPHER* fetched = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    if (fetched == nullptr) std::abort();
    return fetched;
  }();
  return cipher;
#else
  return EVP_aes_256_gcm();
#endif
}

const uint8_t* Bytes(absl::string_view s) {
  return reinterpret_cast<const uint8_t*>(s.data());
}

}  // namespace

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<uint8_t*>(out.data()), static_cast<int>(n)) !=
      1) {
    std::abort();
  }
  return out;
}

std::string Seal(absl::string_view key, absl::string_view plaintext,
                 absl::string_view additional_data) {
  if (key.size() != kAeadKeyBytes) std::abort();  // A programming error.
  const std::string nonce = RandomBytes(kNonceBytes);
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter> ctx(EVP_CIPHER_CTX_new());
  std::string out = nonce;
  out.resize(kNonceBytes + plaintext.size() + kTagBytes);
  auto* dst = reinterpret_cast<uint8_t*>(out.data()) + kNonceBytes;
  int len = 0;
  if (ctx == nullptr ||
      EVP_EncryptInit_ex(ctx.get(), Aes256Gcm(), nullptr, Bytes(key),
                         Bytes(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(additional_data),
                        static_cast<int>(additional_data.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), dst, &len, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), dst + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                          dst + plaintext.size()) != 1) {
    std::abort();
  }
  return out;
}

std::optional<std::string> Open(absl::string_view key, absl::string_view box,
                                absl::string_view additional_data) {
  if (key.size() != kAeadKeyBytes || box.size() < kNonceBytes + kTagBytes) {
    return std::nullopt;
  }
  const size_t text_size = box.size() - kNonceBytes - kTagBytes;
  const uint8_t* nonce = Bytes(box);
  const uint8_t* ciphertext = nonce + kNonceBytes;
  std::string tag(box.substr(kNonceBytes + text_size));
  std::string plain(text_size, '\0');
  auto* dst = reinterpret_cast<uint8_t*>(plain.data());
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter> ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (ctx == nullptr ||
      EVP_DecryptInit_ex(ctx.get(), Aes256Gcm(), nullptr, Bytes(key), nonce) !=
          1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(additional_data),
                        static_cast<int>(additional_data.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), dst, &len, ciphertext,
                        static_cast<int>(text_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes,
                          tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), dst + len, &len) != 1) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return std::nullopt;
  }
  return plain;
}

}  // namespace tessera::crypto
