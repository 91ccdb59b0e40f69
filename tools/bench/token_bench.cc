// Token codec cost next to raw libcrypto on the same bytes, in one binary:
//   BM_RawVerify/alg    EVP_DigestVerify of the token's signing input (for
//                       ES256 with the DER signature libcrypto takes)
//   BM_CodecVerify/alg  VerifyAccessToken: split, base64url, header JSON,
//                       key lookup, signature, claims JSON, claim checks
//   BM_RawSign/alg      EVP_DigestSign of the signing input
//   BM_CodecSign/alg    SignAccessToken: JSON, base64url, sign (ES256: DER
//                       to r||s)
// Target (docs/performance.md): codec verify >= 90% of raw verify throughput.
// Run: bazel run -c opt //tools/bench:token_bench

#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "benchmark/benchmark.h"
#include "client/token/access_token.h"
#include "client/token/base64url.h"
#include "client/token/key_set.h"
#include "client/token/keys.h"
#include "tools/bench/raw_verify.h"

namespace tessera::token {
namespace {

struct Case {
  PrivateKey key;
  EVP_PKEY* raw_private;  // The same key, as libcrypto holds it.
  KeySet keys;
  AccessTokenClaims claims;
  std::string token;
  std::string signing_input;
  std::string der_signature;  // What EVP_DigestVerify takes.
};

Case* MakeCase(Algorithm algorithm) {
  PrivateKey key = *PrivateKey::Generate(algorithm);
  const std::string pkcs8 = key.ToPkcs8();
  const uint8_t* p = reinterpret_cast<const uint8_t*>(pkcs8.data());
  EVP_PKEY* raw_private =
      d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(pkcs8.size()));
  KeySet keys;
  (void)keys.Add(key.public_key());
  AccessTokenClaims claims;
  claims.issuer = "https://auth.example.com";
  claims.subject = "user-1234567890";
  claims.audience = {"api.example.com"};
  claims.issued_at = absl::Now();
  claims.expires_at = claims.issued_at + absl::Hours(1);
  claims.token_id = "01HZX3K9Q8W7E6R5T4Y3U2I1O0";
  claims.session_id = "s_4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c";
  claims.client_id = "web";
  claims.custom.Set("roles", Json::MakeArray({Json::String("admin"),
                                              Json::String("billing")}));
  claims.custom.Set("email", Json::String("ada@example.com"));
  std::string token = *SignAccessToken(key, claims);
  std::string signing_input = token.substr(0, token.rfind('.'));
  std::string signature = *Base64UrlDecode(token.substr(token.rfind('.') + 1));
  if (algorithm == Algorithm::kES256) signature = bench::RawToDer(signature);
  return new Case{key,   raw_private,   keys,     claims,
                  token, signing_input, signature};
}

const Case& GetCase(int algorithm) {
  static Case* cases[3] = {MakeCase(Algorithm::kES256),
                           MakeCase(Algorithm::kEdDSA),
                           MakeCase(Algorithm::kRS256)};
  return *cases[algorithm];
}

const EVP_MD* Digest(int algorithm) {
  return static_cast<Algorithm>(algorithm) == Algorithm::kEdDSA ? nullptr
                                                                : EVP_sha256();
}

// The baseline (raw_verify.h), on this case's key and token.
bool RawVerify(const Case& c, int algorithm) {
  return bench::RawVerify(c.key.public_key().pkey(),
                          static_cast<Algorithm>(algorithm),
                          {c.signing_input, c.der_signature});
}

void SetLabel(benchmark::State& state) {
  state.SetLabel(
      std::string(AlgorithmName(static_cast<Algorithm>(state.range(0)))));
}

void BM_RawVerify(benchmark::State& state) {
  const Case& c = GetCase(state.range(0));
  for (auto _ : state) {
    if (!RawVerify(c, state.range(0))) state.SkipWithError("raw verify failed");
  }
  SetLabel(state);
}

void BM_CodecVerify(benchmark::State& state) {
  const Case& c = GetCase(state.range(0));
  VerifyOptions options;
  options.policy.issuer = c.claims.issuer;
  options.policy.audience = c.claims.audience;
  const absl::Time now = absl::Now();
  for (auto _ : state) {
    auto result = VerifyAccessToken(c.token, c.keys, options, now);
    if (!std::holds_alternative<VerifiedToken>(result)) {
      state.SkipWithError("codec verify failed");
    }
    benchmark::DoNotOptimize(result);
  }
  SetLabel(state);
}

void BM_RawSign(benchmark::State& state) {
  const Case& c = GetCase(state.range(0));
  std::string signature(1024, '\0');
  for (auto _ : state) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestSignInit(ctx, nullptr, Digest(state.range(0)), nullptr,
                       c.raw_private);
    size_t len = signature.size();
    int ok =
        EVP_DigestSign(ctx, reinterpret_cast<uint8_t*>(signature.data()), &len,
                       reinterpret_cast<const uint8_t*>(c.signing_input.data()),
                       c.signing_input.size());
    EVP_MD_CTX_free(ctx);
    if (ok != 1) state.SkipWithError("raw sign failed");
  }
  SetLabel(state);
}

void BM_CodecSign(benchmark::State& state) {
  const Case& c = GetCase(state.range(0));
  for (auto _ : state) {
    absl::StatusOr<std::string> token = SignAccessToken(c.key, c.claims);
    if (!token.ok()) state.SkipWithError("codec sign failed");
    benchmark::DoNotOptimize(token);
  }
  SetLabel(state);
}

// Raw and codec verify alternating in one loop, so both see the same CPU
// state (this VM's clock and neighbours drift between separate runs).
// Counters: raw_us, codec_us per verify, and codec_vs_raw = codec throughput
// as a fraction of raw (the docs/performance.md target is >= 0.90).
void BM_VerifyRatio(benchmark::State& state) {
  const Case& c = GetCase(state.range(0));
  VerifyOptions options;
  options.policy.issuer = c.claims.issuer;
  options.policy.audience = c.claims.audience;
  const absl::Time now = absl::Now();
  absl::Duration raw_total, codec_total;
  for (auto _ : state) {
    absl::Time start = absl::Now();
    const bool ok = RawVerify(c, state.range(0));
    absl::Time middle = absl::Now();
    auto result = VerifyAccessToken(c.token, c.keys, options, now);
    absl::Time end = absl::Now();
    raw_total += middle - start;
    codec_total += end - middle;
    if (!ok || !std::holds_alternative<VerifiedToken>(result)) {
      state.SkipWithError("verify failed");
    }
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["raw_us"] = absl::ToDoubleMicroseconds(raw_total) / n;
  state.counters["codec_us"] = absl::ToDoubleMicroseconds(codec_total) / n;
  state.counters["codec_vs_raw"] = absl::ToDoubleMicroseconds(raw_total) /
                                   absl::ToDoubleMicroseconds(codec_total);
  SetLabel(state);
}

// 0 = ES256, 1 = EdDSA, 2 = RS256; raw and codec side by side.
BENCHMARK(BM_VerifyRatio)->DenseRange(0, 2);
BENCHMARK(BM_RawVerify)->DenseRange(0, 2);
BENCHMARK(BM_CodecVerify)->DenseRange(0, 2);
BENCHMARK(BM_RawSign)->DenseRange(0, 2);
BENCHMARK(BM_CodecSign)->DenseRange(0, 2);

}  // namespace
}  // namespace tessera::token

BENCHMARK_MAIN();
