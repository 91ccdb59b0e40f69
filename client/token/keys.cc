// PublicKey and PrivateKey over the pieces beside them: key_fit (key types,
// digests, sizes), jwk_import / jwk_members (JWK in and out, RFC 7638),
// ecdsa_signature (raw r||s <-> DER) and digest_context (per-key contexts).

#include "client/token/keys.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#if defined(OPENSSL_IS_BORINGSSL)
#include <openssl/mem.h>  // OPENSSL_free, OPENSSL_cleanse
#endif

#include <optional>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/token/digest_context.h"
#include "client/token/ecdsa_signature.h"
#include "client/token/evp.h"
#include "client/token/jwk_import.h"
#include "client/token/jwk_members.h"
#include "client/token/key_fit.h"

namespace tessera::token {

PublicKey::PublicKey(Algorithm algorithm, std::shared_ptr<EVP_PKEY> pkey,
                     std::string kid)
    : algorithm_(algorithm),
      pkey_(std::move(pkey)),
      kid_(std::move(kid)),
      verify_template_(
          MakeTemplate(Purpose::kVerify, algorithm_, pkey_.get())) {}

absl::StatusOr<PublicKey> PublicKey::FromJwk(const Json& jwk) {
  absl::StatusOr<PublicKey> key = FromJwkUnchecked(jwk);
  if (!key.ok()) ERR_clear_error();  // See Verify().
  return key;
}

absl::StatusOr<PublicKey> PublicKey::FromJwkUnchecked(const Json& jwk) {
  if (!jwk.is_object()) {
    return absl::InvalidArgumentError("JWK is not a JSON object");
  }
  for (const char* secret : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
    if (jwk.Find(secret) != nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("JWK holds private member \"", secret,
                       "\"; publish public keys only"));
    }
  }
  absl::StatusOr<ImportedKey> imported = ImportPublicJwk(jwk);
  if (!imported.ok()) return imported.status();
  const Algorithm implied = imported->implied;
  UniquePkey& pkey = imported->pkey;
  if (const Json* alg = jwk.Find("alg"); alg != nullptr) {
    if (!alg->is_string()) {
      return absl::InvalidArgumentError("JWK \"alg\" is not a string");
    }
    std::optional<Algorithm> named = AlgorithmFromName(alg->string_value());
    if (!named.has_value()) {
      return absl::UnimplementedError(absl::StrCat(
          "JWK alg ", QuoteUntrusted(alg->string_value()), " not supported"));
    }
    if (*named != implied) {
      return absl::InvalidArgumentError(
          "JWK \"alg\" does not fit its key type");
    }
  }
  if (const Json* use = jwk.Find("use"); use != nullptr) {
    if (!use->is_string() || use->string_value() != "sig") {
      return absl::InvalidArgumentError("JWK \"use\" must be \"sig\"");
    }
  }
  if (absl::Status fits = CheckKeyFits(implied, pkey.get()); !fits.ok()) {
    return fits;
  }
  std::string kid;
  if (const Json* member = jwk.Find("kid"); member != nullptr) {
    if (!member->is_string() || member->string_value().empty() ||
        member->string_value().size() > 256) {
      return absl::InvalidArgumentError(
          "JWK \"kid\" must be a string of 1-256 bytes");
    }
    kid = member->string_value();
  } else {
    kid = ThumbprintOf(implied, pkey.get());
  }
  return PublicKey(implied, Share(std::move(pkey)), std::move(kid));
}

Json PublicKey::ToJwk() const {
  Json jwk = RequiredMembers(algorithm_, pkey_.get());
  jwk.Set("alg", Json::String(std::string(AlgorithmName(algorithm_))));
  jwk.Set("use", Json::String("sig"));
  jwk.Set("kid", Json::String(kid_));
  return jwk;
}

std::string PublicKey::Thumbprint() const {
  return ThumbprintOf(algorithm_, pkey_.get());
}

bool PublicKey::Verify(absl::string_view message,
                       absl::string_view signature) const {
  std::string der;
  if (algorithm_ == Algorithm::kES256) {
    std::optional<std::string> converted = RawToDer(signature);
    if (!converted.has_value()) return false;
    der = std::move(*converted);
    signature = der;
  }
  UniqueMdCtx ctx = NewDigestContext(verify_template_.get(), Purpose::kVerify,
                                     algorithm_, pkey_.get());
  if (ctx == nullptr) {
    ERR_clear_error();
    return false;
  }
  const bool valid =
      EVP_DigestVerify(
          ctx.get(), reinterpret_cast<const uint8_t*>(signature.data()),
          signature.size(), reinterpret_cast<const uint8_t*>(message.data()),
          message.size()) == 1;
  // A failed verify leaves entries on this thread's libcrypto error queue;
  // TLS code sharing the thread (gRPC) must not mistake them for its own.
  if (!valid) ERR_clear_error();
  return valid;
}

absl::StatusOr<PrivateKey> PrivateKey::Generate(Algorithm algorithm) {
  std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxDeleter> ctx(
      EVP_PKEY_CTX_new_id(KeyTypeFor(algorithm), nullptr));
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) != 1) {
    return absl::InternalError("EVP_PKEY_keygen_init failed");
  }
  if (algorithm == Algorithm::kES256 &&
      EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx.get(), NID_X9_62_prime256v1) !=
          1) {
    return absl::InternalError("cannot select P-256");
  }
  if (algorithm == Algorithm::kRS256 &&
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), kMinRsaBits) != 1) {
    return absl::InternalError("cannot set the RSA key size");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return absl::InternalError("key generation failed");
  }
  std::shared_ptr<EVP_PKEY> pkey = Share(UniquePkey(raw));
  std::string kid = ThumbprintOf(algorithm, pkey.get());
  return PrivateKey(pkey, PublicKey(algorithm, pkey, std::move(kid)));
}

absl::StatusOr<PrivateKey> PrivateKey::FromPkcs8(Algorithm algorithm,
                                                 absl::string_view der) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(der.data());
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, Pkcs8Deleter> info(
      d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size())));
  if (info == nullptr ||
      p != reinterpret_cast<const uint8_t*>(der.data()) + der.size()) {
    return absl::InvalidArgumentError("not a PKCS#8 private key");
  }
  UniquePkey pkey(EVP_PKCS82PKEY(info.get()));
  if (pkey == nullptr) {
    return absl::InvalidArgumentError("unreadable PKCS#8 private key");
  }
  if (absl::Status fits = CheckKeyFits(algorithm, pkey.get()); !fits.ok()) {
    return fits;
  }
  std::shared_ptr<EVP_PKEY> shared = Share(std::move(pkey));
  std::string kid = ThumbprintOf(algorithm, shared.get());
  return PrivateKey(shared, PublicKey(algorithm, shared, std::move(kid)));
}

std::string PrivateKey::ToPkcs8() const {
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, Pkcs8Deleter> info(
      EVP_PKEY2PKCS8(pkey_.get()));
  if (info == nullptr) return "";
  uint8_t* der = nullptr;
  int len = i2d_PKCS8_PRIV_KEY_INFO(info.get(), &der);
  if (len <= 0) return "";
  std::string out(reinterpret_cast<char*>(der), len);
  OPENSSL_cleanse(der, len);
  OPENSSL_free(der);
  return out;
}

PrivateKey::PrivateKey(std::shared_ptr<EVP_PKEY> pkey, PublicKey public_key)
    : pkey_(std::move(pkey)),
      public_key_(std::move(public_key)),
      sign_template_(
          MakeTemplate(Purpose::kSign, public_key_.algorithm(), pkey_.get())) {}

size_t PrivateKey::signature_bytes() const {
  switch (public_key_.algorithm()) {
    case Algorithm::kES256:
    case Algorithm::kEdDSA:
      return 64;
    case Algorithm::kRS256:
      return static_cast<size_t>(EVP_PKEY_size(pkey_.get()));
  }
  return 0;
}

absl::StatusOr<std::string> PrivateKey::Sign(absl::string_view message) const {
  const Algorithm algorithm = public_key_.algorithm();
  UniqueMdCtx ctx = NewDigestContext(sign_template_.get(), Purpose::kSign,
                                     algorithm, pkey_.get());
  if (ctx == nullptr) return absl::InternalError("EVP_DigestSignInit failed");
  size_t len = 0;
  const auto* in = reinterpret_cast<const uint8_t*>(message.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, in, message.size()) != 1) {
    return absl::InternalError("EVP_DigestSign (size) failed");
  }
  std::string signature(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<uint8_t*>(signature.data()),
                     &len, in, message.size()) != 1) {
    return absl::InternalError("EVP_DigestSign failed");
  }
  signature.resize(len);
  if (algorithm == Algorithm::kES256) {
    std::optional<std::string> raw = DerToRaw(signature);
    if (!raw.has_value()) return absl::InternalError("bad ECDSA signature");
    return *raw;
  }
  return signature;
}

}  // namespace tessera::token
