// tokens.json: every case of client/token/testing:token_cases for each
// algorithm's fixed key, under one JWKS and one policy.

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "client/token/access_token.h"
#include "client/token/base64url.h"
#include "client/token/key_set.h"
#include "client/token/testing/fixed_keys.h"
#include "client/token/testing/token_cases.h"
#include "tests/conformance/vectors.h"

namespace tessera::conformance {
namespace {

using token::Algorithm;
using token::Json;

constexpr Algorithm kAlgorithms[] = {Algorithm::kES256, Algorithm::kEdDSA,
                                     Algorithm::kRS256};

// Signs like the default Signer, except that an ES256 signature published
// before for the same input is kept if it verifies under the key, and one
// made in this run is remembered (several cases sign the same input): one
// generation is then a fixed point of the next.
class ReusingSigner : public token::testing::Signer {
 public:
  // Collects the signature of every token in a tokens.json document.
  static absl::StatusOr<ReusingSigner> FromPrevious(absl::string_view text) {
    ReusingSigner signer;
    if (text.empty()) return signer;
    absl::StatusOr<Json> previous = token::ParseJson(text, kVectorFileLimits);
    if (!previous.ok()) return previous.status();
    const Json* vectors = previous->Find("vectors");
    if (vectors == nullptr || !vectors->is_array()) return signer;
    for (const Json& vector : vectors->array()) {
      const Json* jwt = vector.Find("token");
      if (jwt == nullptr || !jwt->is_string()) continue;
      const std::string& compact = jwt->string_value();
      const size_t dot = compact.rfind('.');
      if (dot == std::string::npos) continue;
      std::optional<std::string> signature =
          token::Base64UrlDecode(absl::string_view(compact).substr(dot + 1));
      if (signature.has_value()) {
        signer.published_[compact.substr(0, dot)].push_back(*signature);
      }
    }
    return signer;
  }

  std::string Sign(const token::PrivateKey& key,
                   absl::string_view input) const override {
    if (key.algorithm() == Algorithm::kES256) {
      if (auto it = published_.find(input); it != published_.end()) {
        for (const std::string& signature : it->second) {
          if (key.public_key().Verify(input, signature)) return signature;
        }
      }
    }
    std::string signature = Signer::Sign(key, input);
    if (key.algorithm() == Algorithm::kES256) {
      published_[input].push_back(signature);
    }
    return signature;
  }

 private:
  // By signing input. Grows while the vectors are made (one generator run).
  mutable absl::flat_hash_map<std::string, std::vector<std::string>> published_;
};

Json Strings(const std::vector<std::string>& values) {
  Json::Array array;
  for (const std::string& value : values) array.push_back(Json::String(value));
  return Json::MakeArray(std::move(array));
}

Json PolicyJson() {
  const token::VerifyOptions options = token::testing::CaseOptions();
  Json::Array algorithms;
  for (Algorithm algorithm : kAlgorithms) {
    algorithms.push_back(
        Json::String(std::string(token::AlgorithmName(algorithm))));
  }
  return Json::MakeObject(
      {{"issuer", Json::String(options.policy.issuer)},
       {"audience", Strings(options.policy.audience)},
       {"leeway_seconds",
        Json::Integer(absl::ToInt64Seconds(options.policy.leeway))},
       {"algorithms", Json::MakeArray(std::move(algorithms))},
       {"max_token_bytes",
        Json::Integer(static_cast<int64_t>(token::kMaxTokenBytes))}});
}

Json JwksJson() {
  token::KeySet keys;
  for (Algorithm algorithm : kAlgorithms) {
    (void)keys.Add(token::testing::FixedKey(algorithm).public_key());
  }
  return *token::ParseJson(keys.ToJwksJson(), kVectorFileLimits);
}

Json VectorJson(Algorithm algorithm, const token::testing::TokenCase& c) {
  Json expect = Json::MakeObject();
  if (c.error.has_value()) {
    expect.Set("valid", Json::Bool(false));
    expect.Set("reason",
               Json::String(std::string(token::TokenErrorName(*c.error))));
  } else {
    expect.Set("valid", Json::Bool(true));
    expect.Set("alg",
               Json::String(std::string(token::AlgorithmName(c.algorithm))));
    expect.Set("kid", Json::String(c.kid));
    expect.Set("claims", token::testing::ClaimsToJson(c.claims));
  }
  return Json::MakeObject(
      {{"name", Json::String(absl::StrCat(token::AlgorithmName(algorithm), "/",
                                          c.name))},
       {"description", Json::String(c.description)},
       {"now", Json::Integer(absl::ToUnixSeconds(c.now))},
       {"token", Json::String(c.token)},
       {"expect", std::move(expect)}});
}

}  // namespace

absl::StatusOr<std::string> TokenVectorsJson(absl::string_view previous) {
  absl::StatusOr<ReusingSigner> signer = ReusingSigner::FromPrevious(previous);
  if (!signer.ok()) return signer.status();
  Json::Array vectors;
  for (Algorithm algorithm : kAlgorithms) {
    for (const token::testing::TokenCase& c : token::testing::TokenCases(
             *signer, token::testing::FixedKey(algorithm),
             token::testing::StrangerKey(algorithm))) {
      vectors.push_back(VectorJson(algorithm, c));
    }
  }
  const Json document = Json::MakeObject(
      {{"about",
        Json::String("Tessera access-token conformance vectors: verify each "
                     "token against jwks with policy at its now; see "
                     "tests/conformance/README.md")},
       {"generator", Json::String("bazel run //tests/conformance:generate")},
       {"policy", PolicyJson()},
       {"jwks", JwksJson()},
       {"vectors", Json::MakeArray(std::move(vectors))}});
  return PrettyJson(document);
}

}  // namespace tessera::conformance
