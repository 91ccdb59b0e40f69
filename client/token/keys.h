#ifndef TESSERA_CLIENT_TOKEN_KEYS_H_
#define TESSERA_CLIENT_TOKEN_KEYS_H_

// Signing and verification keys, their JWK form (RFC 7517) and RFC 7638
// thumbprints, over the libcrypto API that OpenSSL 3 and BoringSSL share.
//
// Invariants:
//  - Every key is bound to exactly one Algorithm; a signature is only ever
//    checked with the algorithm its key is bound to.
//  - A key's kid is its RFC 7638 thumbprint unless a parsed JWK named
//    another one.
//  - Public JWKs never carry private members; parsing one that does fails.
//  - Keys are immutable after construction and safe to share across threads.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/token/algorithm.h"
#include "client/token/json.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace tessera::token {

// An EVP_MD_CTX initialized once for one key (sign or verify); each use
// copies it instead of re-running EVP_Digest{Sign,Verify}Init, whose
// algorithm fetch costs more than an RSA verify's hashing on OpenSSL 3.
// Defined in digest_context.h; only read after construction.
struct DigestContextTemplate;

class PublicKey {
 public:
  // Parses one JWK (an object). The algorithm comes from `alg` if present
  // (it must agree with kty/crv), else from the key type: EC P-256 -> ES256,
  // OKP Ed25519 -> EdDSA, RSA -> RS256. UNIMPLEMENTED for a key type, curve
  // or alg this library does not verify with (a JWKS skips those).
  // INVALID_ARGUMENT for RSA moduli under 2048 bits, points not on the
  // curve, wrong coordinate lengths, `use` other than "sig", private members
  // (d, p, q, ...).
  static absl::StatusOr<PublicKey> FromJwk(const Json& jwk);

  PublicKey(const PublicKey&) = default;
  PublicKey& operator=(const PublicKey&) = default;

  Algorithm algorithm() const { return algorithm_; }
  const std::string& kid() const { return kid_; }

  // {"kty":..,(crv/x/y | n/e),"alg":..,"use":"sig","kid":..}
  Json ToJwk() const;
  // RFC 7638 thumbprint: base64url(SHA-256(required members, sorted)).
  std::string Thumbprint() const;

  // True iff `signature` is a valid signature of `message` under this key and
  // its algorithm. ES256 signatures must be exactly 64 bytes (r||s); a DER
  // signature is rejected.
  bool Verify(absl::string_view message, absl::string_view signature) const;

  EVP_PKEY* pkey() const { return pkey_.get(); }

 private:
  friend class PrivateKey;
  static absl::StatusOr<PublicKey> FromJwkUnchecked(const Json& jwk);
  PublicKey(Algorithm algorithm, std::shared_ptr<EVP_PKEY> pkey,
            std::string kid);

  Algorithm algorithm_;
  std::shared_ptr<EVP_PKEY> pkey_;
  std::string kid_;
  // Null where copying is unsupported (Ed25519).
  std::shared_ptr<const DigestContextTemplate> verify_template_;
};

class PrivateKey {
 public:
  // A fresh key from the CSPRNG (RSA: 2048 bits).
  static absl::StatusOr<PrivateKey> Generate(Algorithm algorithm);

  // PKCS#8 DER, as produced by ToPkcs8(); the key type must match.
  static absl::StatusOr<PrivateKey> FromPkcs8(Algorithm algorithm,
                                              absl::string_view der);

  PrivateKey(const PrivateKey&) = default;
  PrivateKey& operator=(const PrivateKey&) = default;

  Algorithm algorithm() const { return public_key_.algorithm(); }
  const PublicKey& public_key() const { return public_key_; }
  const std::string& kid() const { return public_key_.kid(); }

  // Secret: the caller must encrypt it before storing it anywhere.
  std::string ToPkcs8() const;

  // Signature of `message` in JWS form (ES256: raw r||s).
  absl::StatusOr<std::string> Sign(absl::string_view message) const;
  // The length of every signature Sign makes with this key (ES256 and
  // EdDSA: 64 bytes; RS256: the modulus length).
  size_t signature_bytes() const;

 private:
  PrivateKey(std::shared_ptr<EVP_PKEY> pkey, PublicKey public_key);

  std::shared_ptr<EVP_PKEY> pkey_;
  PublicKey public_key_;
  // Null where copying is unsupported (Ed25519). ECDSA nonces are drawn per
  // signature, never kept in the context, so copies never share one.
  std::shared_ptr<const DigestContextTemplate> sign_template_;
};

}  // namespace tessera::token

#endif  // TESSERA_CLIENT_TOKEN_KEYS_H_
