// Importing EC and RSA public keys goes through EC_KEY / RSA, which OpenSSL
// 3 marks deprecated but still provides; its replacements
// (EVP_PKEY_fromdata) do not exist in BoringSSL (which ignores the macro).
#define OPENSSL_SUPPRESS_DEPRECATED

#include "client/token/jwk_import.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/rsa.h>

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/token/base64url.h"

namespace tessera::token {
namespace {

// EC_KEY and RSA are deprecated in OpenSSL 3: their owners live here only.
struct EcKeyDeleter {
  void operator()(EC_KEY* p) const { EC_KEY_free(p); }
};
struct EcPointDeleter {
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
};
struct RsaDeleter {
  void operator()(RSA* p) const { RSA_free(p); }
};

// A base64url string member of `jwk`, decoded; error names the member.
absl::StatusOr<std::string> DecodedMember(const Json& jwk,
                                          absl::string_view name) {
  const Json* member = jwk.Find(name);
  if (member == nullptr || !member->is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat("JWK member \"", name, "\" missing or not a string"));
  }
  std::optional<std::string> bytes = Base64UrlDecode(member->string_value());
  if (!bytes.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("JWK member \"", name, "\" is not base64url"));
  }
  return *bytes;
}

absl::StatusOr<UniquePkey> EcPublicKey(const Json& jwk) {
  const Json* crv = jwk.Find("crv");
  if (crv == nullptr || !crv->is_string() || crv->string_value() != "P-256") {
    return absl::UnimplementedError("EC JWK: only crv P-256 is supported");
  }
  absl::StatusOr<std::string> x = DecodedMember(jwk, "x");
  if (!x.ok()) return x.status();
  absl::StatusOr<std::string> y = DecodedMember(jwk, "y");
  if (!y.ok()) return y.status();
  if (x->size() != kP256CoordinateBytes || y->size() != kP256CoordinateBytes) {
    return absl::InvalidArgumentError("EC JWK: x and y must be 32 bytes");
  }
  std::unique_ptr<EC_KEY, EcKeyDeleter> ec(
      EC_KEY_new_by_curve_name(NID_X9_62_prime256v1));
  std::string point = absl::StrCat("\x04", *x, *y);
  std::unique_ptr<EC_POINT, EcPointDeleter> pub(
      EC_POINT_new(EC_KEY_get0_group(ec.get())));
  if (ec == nullptr || pub == nullptr ||
      EC_POINT_oct2point(EC_KEY_get0_group(ec.get()), pub.get(),
                         reinterpret_cast<const uint8_t*>(point.data()),
                         point.size(), nullptr) != 1 ||
      EC_KEY_set_public_key(ec.get(), pub.get()) != 1 ||
      EC_KEY_check_key(ec.get()) != 1) {
    return absl::InvalidArgumentError("EC JWK: point is not on P-256");
  }
  UniquePkey pkey(EVP_PKEY_new());
  if (pkey == nullptr || EVP_PKEY_set1_EC_KEY(pkey.get(), ec.get()) != 1) {
    return absl::InternalError("EVP_PKEY_set1_EC_KEY failed");
  }
  return pkey;
}

absl::StatusOr<UniquePkey> OkpPublicKey(const Json& jwk) {
  const Json* crv = jwk.Find("crv");
  if (crv == nullptr || !crv->is_string() || crv->string_value() != "Ed25519") {
    return absl::UnimplementedError("OKP JWK: only crv Ed25519 is supported");
  }
  absl::StatusOr<std::string> x = DecodedMember(jwk, "x");
  if (!x.ok()) return x.status();
  if (x->size() != kEd25519KeyBytes) {
    return absl::InvalidArgumentError("OKP JWK: x must be 32 bytes");
  }
  UniquePkey pkey(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const uint8_t*>(x->data()),
      x->size()));
  if (pkey == nullptr) {
    return absl::InvalidArgumentError("OKP JWK: invalid Ed25519 key");
  }
  return pkey;
}

absl::StatusOr<UniquePkey> RsaPublicKey(const Json& jwk) {
  absl::StatusOr<std::string> n = DecodedMember(jwk, "n");
  if (!n.ok()) return n.status();
  absl::StatusOr<std::string> e = DecodedMember(jwk, "e");
  if (!e.ok()) return e.status();
  // Canonical big-endian integers: no leading zero bytes (RFC 7518 §6.3.1).
  if (n->empty() || e->empty() || (*n)[0] == '\0' || (*e)[0] == '\0') {
    return absl::InvalidArgumentError(
        "RSA JWK: n and e must be minimal non-empty integers");
  }
  if (e->size() > 8) {
    return absl::InvalidArgumentError("RSA JWK: exponent too large");
  }
  UniqueBignum bn_n(BN_bin2bn(reinterpret_cast<const uint8_t*>(n->data()),
                              n->size(), nullptr));
  UniqueBignum bn_e(BN_bin2bn(reinterpret_cast<const uint8_t*>(e->data()),
                              e->size(), nullptr));
  std::unique_ptr<RSA, RsaDeleter> rsa(RSA_new());
  if (bn_n == nullptr || bn_e == nullptr || rsa == nullptr ||
      !BN_is_odd(bn_e.get()) || BN_is_one(bn_e.get())) {
    return absl::InvalidArgumentError("RSA JWK: invalid public exponent");
  }
  if (RSA_set0_key(rsa.get(), bn_n.get(), bn_e.get(), nullptr) != 1) {
    return absl::InternalError("RSA_set0_key failed");
  }
  bn_n.release();  // Owned by rsa now.
  bn_e.release();
  UniquePkey pkey(EVP_PKEY_new());
  if (pkey == nullptr || EVP_PKEY_set1_RSA(pkey.get(), rsa.get()) != 1) {
    return absl::InternalError("EVP_PKEY_set1_RSA failed");
  }
  return pkey;
}

}  // namespace

absl::StatusOr<ImportedKey> ImportPublicJwk(const Json& jwk) {
  const Json* kty = jwk.Find("kty");
  if (kty == nullptr || !kty->is_string()) {
    return absl::InvalidArgumentError("JWK has no string \"kty\"");
  }
  Algorithm implied;
  absl::StatusOr<UniquePkey> pkey;
  if (kty->string_value() == "EC") {
    implied = Algorithm::kES256;
    pkey = EcPublicKey(jwk);
  } else if (kty->string_value() == "OKP") {
    implied = Algorithm::kEdDSA;
    pkey = OkpPublicKey(jwk);
  } else if (kty->string_value() == "RSA") {
    implied = Algorithm::kRS256;
    pkey = RsaPublicKey(jwk);
  } else {
    return absl::UnimplementedError(absl::StrCat(
        "JWK kty ", QuoteUntrusted(kty->string_value()), " not supported"));
  }
  if (!pkey.ok()) return pkey.status();
  return ImportedKey{implied, *std::move(pkey)};
}

}  // namespace tessera::token
