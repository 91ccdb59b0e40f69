// tokens.json through the real Verifier (what a relying C++ service links):
// an in-process TokenAuthority sends the vectors' JWKS and a snapshot end,
// the Verifier's wall clock is set to each vector's `now`, and every vector
// must get its verdict, as the codec gives it (client/token:
// token_vectors_test) and through the HTTP helper's answer.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/auth/http_bearer.h"
#include "client/token/json.h"
#include "client/token/testing/vector_claims.h"
#include "client/verifier/clock.h"
#include "client/verifier/reasons.h"
#include "client/verifier/verifier.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tessera/v1/token_authority.grpc.pb.h"
#include "tests/conformance/vectors.h"

namespace tessera::conformance {
namespace {

using token::Json;

// Serves WatchRevocations only: the key set, then "in sync", then nothing
// until the Verifier hangs up.
class KeysOnlyAuthority final : public v1::TokenAuthority::Service {
 public:
  explicit KeysOnlyAuthority(std::string jwks) : jwks_(std::move(jwks)) {}

  grpc::Status WatchRevocations(
      grpc::ServerContext* context, const v1::WatchRevocationsRequest*,
      grpc::ServerWriter<v1::RevocationEvent>* writer) override {
    v1::RevocationEvent keys;
    keys.set_sequence(1);
    keys.mutable_keys_changed()->set_jwks_json(jwks_);
    v1::RevocationEvent end;
    end.set_sequence(1);
    end.mutable_snapshot_end()->set_incarnation("conformance");
    if (writer->Write(keys) && writer->Write(end)) {
      while (!context->IsCancelled()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    return grpc::Status::OK;
  }

 private:
  const std::string jwks_;
};

// Wall time as set by the test; the monotonic clock never moves, so the
// Verifier never goes stale.
class SetClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::FromUnixSeconds(now_.load()); }
  std::chrono::steady_clock::time_point Monotonic() const override {
    return std::chrono::steady_clock::time_point();
  }
  void Set(int64_t unix_seconds) { now_.store(unix_seconds); }

 private:
  std::atomic<int64_t> now_{0};
};

class TokensVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Json> vectors =
        token::ParseJson(ReadRunfile(kTokensPath), kVectorFileLimits);
    ASSERT_TRUE(vectors.ok()) << vectors.status();
    vectors_ = *std::move(vectors);
    authority_ =
        std::make_unique<KeysOnlyAuthority>(vectors_.Find("jwks")->Serialize());
    grpc::ServerBuilder builder;
    builder.RegisterService(authority_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);

    const Json& policy = *vectors_.Find("policy");
    VerifierOptions options;
    options.channel = server_->InProcessChannel(grpc::ChannelArguments());
    options.issuer = policy.Find("issuer")->string_value();
    for (const Json& audience : policy.Find("audience")->array()) {
      options.audience.push_back(audience.string_value());
    }
    options.leeway =
        absl::Seconds(policy.Find("leeway_seconds")->integer_value());
    options.clock = &clock_;
    absl::StatusOr<std::unique_ptr<Verifier>> verifier =
        Verifier::Start(std::move(options));
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = *std::move(verifier);
    ASSERT_TRUE(verifier_->WaitUntilReady(absl::Seconds(30)));
  }

  void TearDown() override {
    verifier_.reset();  // Hangs up the stream first.
    if (server_ != nullptr) server_->Shutdown();
  }

  Json vectors_;
  std::unique_ptr<KeysOnlyAuthority> authority_;
  std::unique_ptr<grpc::Server> server_;
  SetClock clock_;
  std::unique_ptr<Verifier> verifier_;
};

TEST_F(TokensVerifierTest, EveryVectorGetsItsVerdict) {
  int checked = 0;
  for (const Json& vector : vectors_.Find("vectors")->array()) {
    SCOPED_TRACE(vector.Find("name")->string_value());
    const std::string& token = vector.Find("token")->string_value();
    const Json& expect = *vector.Find("expect");
    clock_.Set(vector.Find("now")->integer_value());
    const absl::StatusOr<VerifiedClaims> claims = verifier_->Verify(token);
    const std::string field = absl::StrCat("Bearer ", token);
    const std::vector<absl::string_view> fields = {field};
    // The HTTP helper must reach the same verdict when the field carries
    // exactly this token (spaces before a token merge into the field's
    // separator; other junk makes the field malformed, a 400).
    const BearerCredentials parsed = ParseAuthorization(fields);
    const bool well_formed_field =
        parsed.kind == BearerCredentials::Kind::kToken && parsed.token == token;
    const HttpAuthentication http = AuthenticateHttpBearer(fields, *verifier_);
    ++checked;
    if (!expect.Find("valid")->bool_value()) {
      const std::string& reason = expect.Find("reason")->string_value();
      ASSERT_FALSE(claims.ok()) << "accepted, expected " << reason;
      EXPECT_EQ(claims.status().code(), absl::StatusCode::kUnauthenticated);
      EXPECT_EQ(std::string(TokenInvalidReasonShortName(
                    TokenInvalidReasonOf(claims.status()))),
                reason)
          << claims.status();
      if (!well_formed_field) continue;  // A 400: the token never gets there.
      const auto* answer = std::get_if<HttpAnswer>(&http);
      ASSERT_NE(answer, nullptr);
      EXPECT_EQ(answer->status, 401);
      EXPECT_EQ(answer->headers[1], (std::pair<std::string, std::string>{
                                        "Tessera-Reason", reason}));
      continue;
    }
    ASSERT_TRUE(claims.ok()) << claims.status();
    EXPECT_EQ(token::testing::ClaimsMismatch(*expect.Find("claims"), **claims),
              "");
    ASSERT_TRUE(well_formed_field);
    EXPECT_TRUE(std::holds_alternative<VerifiedClaims>(http));
  }
  EXPECT_GT(checked, 300);
}

}  // namespace
}  // namespace tessera::conformance
