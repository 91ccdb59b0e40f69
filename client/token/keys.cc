// Only the libcrypto API that OpenSSL 3 and BoringSSL share is used here.
// Importing and exporting EC and RSA public keys goes through EC_KEY / RSA,
// which OpenSSL 3 marks deprecated but still provides; its replacements
// (OSSL_PARAM, EVP_PKEY_fromdata) do not exist in BoringSSL. Those calls are
// confined to this file, which turns OpenSSL's deprecation attributes off
// (BoringSSL ignores the macro).
#define OPENSSL_SUPPRESS_DEPRECATED

#include "client/token/keys.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#if defined(OPENSSL_IS_BORINGSSL)
#include <openssl/mem.h>  // OPENSSL_free, OPENSSL_cleanse
#endif

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/token/base64url.h"

namespace tessera::token {
namespace {

constexpr int kP256CoordinateBytes = 32;
constexpr int kEd25519KeyBytes = 32;
constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 8192;

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
struct EcKeyDeleter {
  void operator()(EC_KEY* p) const { EC_KEY_free(p); }
};
struct EcPointDeleter {
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
};
struct RsaDeleter {
  void operator()(RSA* p) const { RSA_free(p); }
};
struct Pkcs8Deleter {
  void operator()(PKCS8_PRIV_KEY_INFO* p) const { PKCS8_PRIV_KEY_INFO_free(p); }
};

using UniquePkey = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;
using UniqueBignum = std::unique_ptr<BIGNUM, BignumDeleter>;

std::shared_ptr<EVP_PKEY> Share(UniquePkey pkey) {
  return std::shared_ptr<EVP_PKEY>(pkey.release(), EvpPkeyDeleter());
}

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

// The digest for EVP_DigestSign/Verify; Ed25519 hashes internally (nullptr).
const EVP_MD* DigestFor(Algorithm algorithm) {
  return algorithm == Algorithm::kEdDSA ? nullptr : EVP_sha256();
}

std::string BignumBytes(const BIGNUM* bn, size_t width = 0) {
  const size_t size = BN_num_bytes(bn);
  std::string out(std::max(size, width), '\0');
  BN_bn2bin(bn, reinterpret_cast<uint8_t*>(out.data()) + (out.size() - size));
  return out;
}

// Checks that `pkey` is a key `algorithm` can use (type, curve, size).
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

// Required JWK members of each key type, as RFC 7638 orders them.
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

// ES256 signatures travel as raw r||s (RFC 7518 §3.4); libcrypto speaks DER.
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

}  // namespace

struct DigestContextTemplate {
  std::unique_ptr<EVP_MD_CTX, EvpMdCtxDeleter> ctx;
};

namespace {

enum class Purpose { kSign, kVerify };

bool InitDigestContext(EVP_MD_CTX* ctx, Purpose purpose, Algorithm algorithm,
                       EVP_PKEY* pkey) {
  return purpose == Purpose::kSign
             ? EVP_DigestSignInit(ctx, nullptr, DigestFor(algorithm), nullptr,
                                  pkey) == 1
             : EVP_DigestVerifyInit(ctx, nullptr, DigestFor(algorithm), nullptr,
                                    pkey) == 1;
}

std::shared_ptr<const DigestContextTemplate> MakeTemplate(Purpose purpose,
                                                          Algorithm algorithm,
                                                          EVP_PKEY* pkey) {
  if (algorithm == Algorithm::kEdDSA) return nullptr;  // Can't be copied.
  auto tmpl = std::make_shared<DigestContextTemplate>();
  tmpl->ctx.reset(EVP_MD_CTX_new());
  if (tmpl->ctx == nullptr ||
      !InitDigestContext(tmpl->ctx.get(), purpose, algorithm, pkey)) {
    ERR_clear_error();
    return nullptr;
  }
  return tmpl;
}

// A ready context: a copy of `tmpl`, or freshly initialized without one.
std::unique_ptr<EVP_MD_CTX, EvpMdCtxDeleter> NewDigestContext(
    const DigestContextTemplate* tmpl, Purpose purpose, Algorithm algorithm,
    EVP_PKEY* pkey) {
  std::unique_ptr<EVP_MD_CTX, EvpMdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return nullptr;
  if (tmpl != nullptr && EVP_MD_CTX_copy_ex(ctx.get(), tmpl->ctx.get()) == 1) {
    return ctx;
  }
  if (!InitDigestContext(ctx.get(), purpose, algorithm, pkey)) return nullptr;
  return ctx;
}

}  // namespace

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
  if (absl::Status fits = CheckKeyFits(implied, pkey->get()); !fits.ok()) {
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
    kid = ThumbprintOf(implied, pkey->get());
  }
  return PublicKey(implied, Share(std::move(*pkey)), std::move(kid));
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
  std::unique_ptr<EVP_MD_CTX, EvpMdCtxDeleter> ctx = NewDigestContext(
      verify_template_.get(), Purpose::kVerify, algorithm_, pkey_.get());
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
  std::unique_ptr<EVP_MD_CTX, EvpMdCtxDeleter> ctx = NewDigestContext(
      sign_template_.get(), Purpose::kSign, algorithm, pkey_.get());
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
