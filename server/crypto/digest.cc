#include "server/crypto/digest.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/opensslv.h>
#include <openssl/sha.h>
#if OPENSSL_VERSION_MAJOR >= 3
#include <openssl/core_names.h>
#include <openssl/params.h>
#endif

#include <cstdint>
#include <cstdlib>
#include <memory>

namespace tessera::crypto {

std::string Sha256(absl::string_view bytes) {
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), digest);
  return std::string(reinterpret_cast<char*>(digest), sizeof(digest));
}

// On OpenSSL 3 the one-shot HMAC()
// fetches the MAC and the digest on every call (a few percent of a
// refresh); here they are fetched once, into a template context that each
// call copies (copying reads it only, so threads may share it).
std::string HmacSha256(absl::string_view key, absl::string_view data) {
  uint8_t out[32];
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
  std::string result(reinterpret_cast<char*>(out), sizeof(out));
  OPENSSL_cleanse(out, sizeof(out));
  return result;
}

}  // namespace tessera::crypto
