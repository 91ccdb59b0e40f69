#include "client/token/ecdsa_signature.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#if defined(OPENSSL_IS_BORINGSSL)
#include <openssl/mem.h>  // OPENSSL_free
#endif

#include "client/token/evp.h"

namespace tessera::token {

std::optional<std::string> RawToDer(absl::string_view raw) {
  if (raw.size() != 2 * kP256CoordinateBytes) return std::nullopt;
  std::unique_ptr<ECDSA_SIG, EcdsaSigDeleter> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const uint8_t*>(raw.data()),
                        kP256CoordinateBytes, nullptr);
  BIGNUM* s = BN_bin2bn(
      reinterpret_cast<const uint8_t*>(raw.data()) + kP256CoordinateBytes,
      kP256CoordinateBytes, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr ||
      ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  uint8_t* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), len);
  OPENSSL_free(der);
  return out;
}

std::optional<std::string> DerToRaw(absl::string_view der) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(der.data());
  std::unique_ptr<ECDSA_SIG, EcdsaSigDeleter> sig(
      d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (sig == nullptr) return std::nullopt;
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  if (BN_num_bytes(r) > kP256CoordinateBytes ||
      BN_num_bytes(s) > kP256CoordinateBytes) {
    return std::nullopt;
  }
  return BignumBytes(r, kP256CoordinateBytes) +
         BignumBytes(s, kP256CoordinateBytes);
}

}  // namespace tessera::token
