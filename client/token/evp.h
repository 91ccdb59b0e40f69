#ifndef TESSERA_CLIENT_TOKEN_EVP_H_
#define TESSERA_CLIENT_TOKEN_EVP_H_

// Internal to //client/token: owning pointers for libcrypto objects, and the
// sizes of the key types the codec uses. Only the libcrypto API that
// OpenSSL 3 and BoringSSL share.

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

namespace tessera::token {

inline constexpr int kP256CoordinateBytes = 32;
inline constexpr int kEd25519KeyBytes = 32;
inline constexpr int kMinRsaBits = 2048;
inline constexpr int kMaxRsaBits = 8192;

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct EvpPkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct EvpMdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BignumDeleter {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct EcdsaSigDeleter {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};
struct Pkcs8Deleter {
  void operator()(PKCS8_PRIV_KEY_INFO* p) const { PKCS8_PRIV_KEY_INFO_free(p); }
};

using UniquePkey = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;
using UniqueBignum = std::unique_ptr<BIGNUM, BignumDeleter>;
using UniqueMdCtx = std::unique_ptr<EVP_MD_CTX, EvpMdCtxDeleter>;

// `pkey` as the shared (immutable) key the key classes hold.
inline std::shared_ptr<EVP_PKEY> Share(UniquePkey pkey) {
  return std::shared_ptr<EVP_PKEY>(pkey.release(), EvpPkeyDeleter());
}

// `bn` big-endian, left-padded with zeros to `width` bytes if shorter.
inline std::string BignumBytes(const BIGNUM* bn, size_t width = 0) {
  const size_t size = BN_num_bytes(bn);
  std::string out(std::max(size, width), '\0');
  BN_bn2bin(bn, reinterpret_cast<uint8_t*>(out.data()) + (out.size() - size));
  return out;
}

}  // namespace tessera::token

#endif  // TESSERA_CLIENT_TOKEN_EVP_H_
