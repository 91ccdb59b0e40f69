// The codec against the conformance vectors (tests/conformance/tokens.json),
// read from the file as a client library in another language reads them:
// every vector must get its verdict. Builds without gRPC, so it runs under
// OpenSSL and under BoringSSL (--config=boringssl).

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "client/token/access_token.h"
#include "client/token/json.h"
#include "client/token/key_set.h"
#include "client/token/testing/vector_claims.h"
#include "gtest/gtest.h"

namespace tessera::token {
namespace {

Json ReadVectors() {
  const std::string path = absl::StrCat(std::getenv("TEST_SRCDIR"), "/",
                                        std::getenv("TEST_WORKSPACE"),
                                        "/tests/conformance/tokens.json");
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<Json> json =
      ParseJson(text.str(), {.max_bytes = 16 << 20, .max_depth = 64});
  EXPECT_TRUE(json.ok()) << path << ": " << json.status();
  return json.ok() ? *std::move(json) : Json();
}

// The policy member of tokens.json as codec options.
VerifyOptions Options(const Json& policy) {
  VerifyOptions options;
  options.policy.issuer = policy.Find("issuer")->string_value();
  for (const Json& audience : policy.Find("audience")->array()) {
    options.policy.audience.push_back(audience.string_value());
  }
  options.policy.leeway =
      absl::Seconds(policy.Find("leeway_seconds")->integer_value());
  options.allowed_algorithms.clear();
  for (const Json& name : policy.Find("algorithms")->array()) {
    options.allowed_algorithms.insert(*AlgorithmFromName(name.string_value()));
  }
  return options;
}

TEST(TokenVectorsTest, EveryVectorGetsItsVerdict) {
  const Json vectors = ReadVectors();
  ASSERT_TRUE(vectors.is_object());
  absl::StatusOr<KeySet> keys =
      KeySet::FromJwksJson(vectors.Find("jwks")->Serialize());
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->size(), 3u);
  const VerifyOptions options = Options(*vectors.Find("policy"));
  EXPECT_EQ(vectors.Find("policy")->Find("max_token_bytes")->integer_value(),
            static_cast<int64_t>(kMaxTokenBytes));

  int accepted = 0;
  absl::flat_hash_set<std::string> reasons;
  for (const Json& vector : vectors.Find("vectors")->array()) {
    SCOPED_TRACE(vector.Find("name")->string_value());
    const Json& expect = *vector.Find("expect");
    auto result = VerifyAccessToken(
        vector.Find("token")->string_value(), *keys, options,
        absl::FromUnixSeconds(vector.Find("now")->integer_value()));
    if (!expect.Find("valid")->bool_value()) {
      const std::string& reason = expect.Find("reason")->string_value();
      reasons.insert(reason);
      const auto* failure = std::get_if<TokenFailure>(&result);
      ASSERT_NE(failure, nullptr) << "accepted, expected " << reason;
      EXPECT_EQ(std::string(TokenErrorName(failure->error)), reason)
          << failure->detail;
      continue;
    }
    ++accepted;
    const auto* verified = std::get_if<VerifiedToken>(&result);
    ASSERT_NE(verified, nullptr)
        << TokenErrorName(std::get<TokenFailure>(result).error) << ": "
        << std::get<TokenFailure>(result).detail;
    EXPECT_EQ(std::string(AlgorithmName(verified->algorithm)),
              expect.Find("alg")->string_value());
    EXPECT_EQ(verified->kid, expect.Find("kid")->string_value());
    EXPECT_EQ(testing::ClaimsMismatch(*expect.Find("claims"), verified->claims),
              "");
  }
  // The file is not trivially small: every reason the codec gives, and
  // accepted tokens of each algorithm.
  EXPECT_GE(accepted, 3 * 20);
  EXPECT_EQ(reasons.size(), 9u);
}

}  // namespace
}  // namespace tessera::token
