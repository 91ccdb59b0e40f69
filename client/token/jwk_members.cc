// Exporting EC and RSA public keys goes through EC_KEY / RSA, which OpenSSL
// 3 marks deprecated but still provides; its replacements (OSSL_PARAM) do
// not exist in BoringSSL (which ignores the macro).
#define OPENSSL_SUPPRESS_DEPRECATED

#include "client/token/jwk_members.h"

#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "absl/strings/string_view.h"
#include "client/token/base64url.h"
#include "client/token/evp.h"

namespace tessera::token {

Json RequiredMembers(Algorithm algorithm, EVP_PKEY* pkey) {
  Json jwk = Json::MakeObject();
  switch (algorithm) {
    case Algorithm::kES256: {
      const EC_KEY* ec = EVP_PKEY_get0_EC_KEY(pkey);
      uint8_t point[1 + 2 * kP256CoordinateBytes];
      EC_POINT_point2oct(EC_KEY_get0_group(ec), EC_KEY_get0_public_key(ec),
                         POINT_CONVERSION_UNCOMPRESSED, point, sizeof(point),
                         nullptr);
      absl::string_view xy(reinterpret_cast<char*>(point) + 1,
                           2 * kP256CoordinateBytes);
      jwk.Set("crv", Json::String("P-256"));
      jwk.Set("kty", Json::String("EC"));
      jwk.Set("x", Json::String(
                       Base64UrlEncode(xy.substr(0, kP256CoordinateBytes))));
      jwk.Set("y",
              Json::String(Base64UrlEncode(xy.substr(kP256CoordinateBytes))));
      break;
    }
    case Algorithm::kEdDSA: {
      uint8_t raw[kEd25519KeyBytes];
      size_t len = sizeof(raw);
      EVP_PKEY_get_raw_public_key(pkey, raw, &len);
      jwk.Set("crv", Json::String("Ed25519"));
      jwk.Set("kty", Json::String("OKP"));
      jwk.Set("x", Json::String(Base64UrlEncode(
                       absl::string_view(reinterpret_cast<char*>(raw), len))));
      break;
    }
    case Algorithm::kRS256: {
      const RSA* rsa = EVP_PKEY_get0_RSA(pkey);
      const BIGNUM* n = nullptr;
      const BIGNUM* e = nullptr;
      RSA_get0_key(rsa, &n, &e, nullptr);
      jwk.Set("e", Json::String(Base64UrlEncode(BignumBytes(e))));
      jwk.Set("kty", Json::String("RSA"));
      jwk.Set("n", Json::String(Base64UrlEncode(BignumBytes(n))));
      break;
    }
  }
  return jwk;
}

std::string ThumbprintOf(Algorithm algorithm, EVP_PKEY* pkey) {
  const std::string canonical = RequiredMembers(algorithm, pkey).Serialize();
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const uint8_t*>(canonical.data()), canonical.size(),
         digest);
  return Base64UrlEncode(
      absl::string_view(reinterpret_cast<char*>(digest), sizeof(digest)));
}

}  // namespace tessera::token
