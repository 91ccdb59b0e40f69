// EVP_PKEY_get0_EC_KEY is deprecated in OpenSSL 3 and has no replacement in
// BoringSSL (which ignores the macro).
#define OPENSSL_SUPPRESS_DEPRECATED

#include "client/token/key_fit.h"

#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include "absl/strings/str_cat.h"
#include "client/token/evp.h"

namespace tessera::token {

int KeyTypeFor(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kES256:
      return EVP_PKEY_EC;
    case Algorithm::kEdDSA:
      return EVP_PKEY_ED25519;
    case Algorithm::kRS256:
      return EVP_PKEY_RSA;
  }
  return EVP_PKEY_NONE;
}

const EVP_MD* DigestFor(Algorithm algorithm) {
  return algorithm == Algorithm::kEdDSA ? nullptr : EVP_sha256();
}

absl::Status CheckKeyFits(Algorithm algorithm, EVP_PKEY* pkey) {
  if (EVP_PKEY_id(pkey) != KeyTypeFor(algorithm)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "key type does not match algorithm ", AlgorithmName(algorithm)));
  }
  if (algorithm == Algorithm::kES256) {
    const EC_KEY* ec = EVP_PKEY_get0_EC_KEY(pkey);
    if (ec == nullptr || EC_GROUP_get_curve_name(EC_KEY_get0_group(ec)) !=
                             NID_X9_62_prime256v1) {
      return absl::InvalidArgumentError("ES256 needs a P-256 key");
    }
  }
  if (algorithm == Algorithm::kRS256) {
    const int bits = EVP_PKEY_bits(pkey);
    if (bits < kMinRsaBits || bits > kMaxRsaBits) {
      return absl::InvalidArgumentError(
          absl::StrCat("RSA keys must have ", kMinRsaBits, "-", kMaxRsaBits,
                       " bits, not ", bits));
    }
  }
  return absl::OkStatus();
}

}  // namespace tessera::token
