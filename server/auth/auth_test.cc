#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "server/auth/authorizer.h"
#include "server/auth/rate_limiter.h"
#include "server/auth/san.h"

namespace tessera::auth {
namespace {

tessera::v1::Caller KeyCaller(const std::string& name, const std::string& hash,
                              tessera::v1::Role role) {
  tessera::v1::Caller caller;
  caller.set_name(name);
  caller.set_api_key_sha256(hash);
  caller.add_roles(role);
  return caller;
}

const std::string kHashA(64, 'a');
const std::string kHashB(64, 'b');

TEST(AuthorizerTest, NoCallersIsOpenLocalMode) {
  auto authorizer = Authorizer::Create({});
  ASSERT_TRUE(authorizer.ok());
  EXPECT_TRUE((*authorizer)->open());
}

TEST(AuthorizerTest, RefusesBadCallerEntriesNamingThem) {
  auto two_credentials = KeyCaller("svc", kHashA, tessera::v1::ROLE_ISSUER);
  two_credentials.set_client_cert_san("svc.internal");
  auto no_role = KeyCaller("svc", kHashA, tessera::v1::ROLE_ISSUER);
  no_role.clear_roles();
  const std::vector<std::vector<tessera::v1::Caller>> bad = {
      {KeyCaller("", kHashA, tessera::v1::ROLE_ISSUER)},
      {KeyCaller(std::string(65, 'n'), kHashA, tessera::v1::ROLE_ISSUER)},
      {KeyCaller("svc", "abc", tessera::v1::ROLE_ISSUER)},
      {KeyCaller("svc", std::string(64, 'g'), tessera::v1::ROLE_ISSUER)},
      {two_credentials},
      {no_role},
      {KeyCaller("svc", kHashA, tessera::v1::ROLE_ISSUER),
       KeyCaller("svc", kHashB, tessera::v1::ROLE_ADMIN)},
      {KeyCaller("one", kHashA, tessera::v1::ROLE_ISSUER),
       KeyCaller("two", kHashA, tessera::v1::ROLE_ADMIN)},
  };
  for (const auto& callers : bad) {
    auto authorizer = Authorizer::Create(callers);
    EXPECT_EQ(authorizer.status().code(), absl::StatusCode::kInvalidArgument)
        << callers.front().name();
    EXPECT_TRUE(absl::StrContains(authorizer.status().message(), "caller"));
  }
  auto good = Authorizer::Create(
      {KeyCaller("one", kHashA, tessera::v1::ROLE_ISSUER),
       KeyCaller("two", std::string(64, 'B'), tessera::v1::ROLE_ADMIN)});
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_FALSE((*good)->open());
  EXPECT_EQ((*good)->caller_count(), 2u);
}

tessera::v1::Caller SanCaller(const std::string& name, const std::string& san) {
  tessera::v1::Caller caller;
  caller.set_name(name);
  caller.set_client_cert_san(san);
  caller.add_roles(tessera::v1::ROLE_VERIFIER);
  return caller;
}

TEST(SanTest, ConfiguredSansCarryTheirType) {
  auto dns = ParseConfiguredSan("dns:Web.Internal");
  ASSERT_TRUE(dns.ok()) << dns.status();
  EXPECT_EQ(dns->type, San::Type::kDns);
  EXPECT_EQ(dns->value, "web.internal");
  auto bare = ParseConfiguredSan("web.internal");  // Unprefixed: DNS.
  ASSERT_TRUE(bare.ok());
  EXPECT_TRUE(*bare == *dns);
  auto uri = ParseConfiguredSan("uri:spiffe://prod/web");
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ(uri->type, San::Type::kUri);
  EXPECT_EQ(uri->value, "spiffe://prod/web");
  auto email = ParseConfiguredSan("email:svc@example.com");
  ASSERT_TRUE(email.ok());
  EXPECT_EQ(email->type, San::Type::kEmail);
  auto v4 = ParseConfiguredSan("ip:10.0.0.7");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->value, std::string("\x0a\x00\x00\x07", 4));
  auto v6 = ParseConfiguredSan("ip:fd00::7");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->value.size(), 16u);
  // Same text, different type: different names.
  auto uri_text = ParseConfiguredSan("uri:web.internal");
  ASSERT_TRUE(uri_text.ok());
  EXPECT_FALSE(*uri_text == *dns);
}

TEST(SanTest, RefusesAmbiguousOrMalformedSans) {
  for (const std::string& text :
       {std::string(""), std::string("spiffe://prod/web"),
        std::string("svc@example.com"), std::string("dns:"),
        std::string("dns:a/b"), std::string("ip:300.1.1.1"),
        std::string("ip:web"), std::string("dns:a\0b", 7),
        std::string(2000, 'a')}) {
    EXPECT_EQ(ParseConfiguredSan(text).status().code(),
              absl::StatusCode::kInvalidArgument)
        << text;
  }
}

TEST(AuthorizerTest, CertificateCallersNeedAValidUniqueTypedSan) {
  EXPECT_TRUE(Authorizer::Create({SanCaller("a", "dns:a.internal"),
                                  SanCaller("b", "uri:a.internal")})
                  .ok());
  auto duplicate = Authorizer::Create(
      {SanCaller("a", "dns:A.internal"), SanCaller("b", "a.internal")});
  EXPECT_EQ(duplicate.status().code(), absl::StatusCode::kInvalidArgument);
  auto untyped = Authorizer::Create({SanCaller("a", "spiffe://x/y")});
  EXPECT_EQ(untyped.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(untyped.status().message(), "caller \"a\""));
}

TEST(RateLimiterTest, BurstThenRatePerCallerIndependently) {
  RateLimiter limiter(/*per_second=*/2, /*burst=*/3);
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.Take("a", t0).has_value());
  std::optional<absl::Duration> wait = limiter.Take("a", t0);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, absl::Milliseconds(500));
  EXPECT_FALSE(limiter.Take("b", t0).has_value());  // Another caller.
  EXPECT_FALSE(limiter.Take("a", t0 + absl::Milliseconds(500)).has_value());
  EXPECT_TRUE(limiter.Take("a", t0 + absl::Milliseconds(500)).has_value());
}

TEST(RateLimiterTest, ZeroRateIsOff) {
  RateLimiter limiter(0, 0);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(limiter.Take("a", absl::UnixEpoch()).has_value());
  }
}

}  // namespace
}  // namespace tessera::auth
