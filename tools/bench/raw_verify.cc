#include "tools/bench/raw_verify.h"

#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include "client/token/base64url.h"

namespace tessera::bench {

std::string RawToDer(const std::string& raw) {
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(
      sig, BN_bin2bn(reinterpret_cast<const uint8_t*>(raw.data()), 32, nullptr),
      BN_bin2bn(reinterpret_cast<const uint8_t*>(raw.data()) + 32, 32,
                nullptr));
  uint8_t* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  std::string out(reinterpret_cast<char*>(der), len);
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return out;
}

RawCase RawCaseOf(const std::string& token, token::Algorithm algorithm) {
  RawCase c;
  c.signing_input = token.substr(0, token.rfind('.'));
  c.signature =
      token::Base64UrlDecode(token.substr(token.rfind('.') + 1)).value_or("");
  if (algorithm == token::Algorithm::kES256)
    c.signature = RawToDer(c.signature);
  return c;
}

bool RawVerify(EVP_PKEY* key, token::Algorithm algorithm, const RawCase& c) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestVerifyInit(
      ctx, nullptr,
      algorithm == token::Algorithm::kEdDSA ? nullptr : EVP_sha256(), nullptr,
      key);
  const int ok = EVP_DigestVerify(
      ctx, reinterpret_cast<const uint8_t*>(c.signature.data()),
      c.signature.size(),
      reinterpret_cast<const uint8_t*>(c.signing_input.data()),
      c.signing_input.size());
  EVP_MD_CTX_free(ctx);
  return ok == 1;
}

}  // namespace tessera::bench
