// The codec against published test vectors, then keys: JWK and PKCS#8 round
// trips, and hostile JWKs and JWK Sets.

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "client/token/base64url.h"
#include "client/token/json.h"
#include "client/token/key_set.h"
#include "client/token/keys.h"
#include "gtest/gtest.h"

namespace tessera::token {
namespace {

Json JwkFromText(const std::string& text) {
  absl::StatusOr<Json> json = ParseJson(text);
  EXPECT_TRUE(json.ok()) << json.status();
  return json.ok() ? *json : Json();
}

// Splits a compact JWS into (signing input, decoded signature).
std::pair<std::string, std::string> SplitJws(const std::string& jws) {
  const size_t dot = jws.rfind('.');
  return {jws.substr(0, dot), *Base64UrlDecode(jws.substr(dot + 1))};
}

// RFC 8037 Appendix A.1 (key), A.3 (thumbprint), A.4 (signature).
constexpr char kEd25519Seed[] =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr char kEd25519PublicJwk[] =
    R"({"kty":"OKP","crv":"Ed25519",)"
    R"("x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})";
constexpr char kEd25519Jws[] =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7"
    "sVvpAr_MuM0KAg";

TEST(Rfc8037Test, Ed25519ThumbprintSignatureAndVerify) {
  absl::StatusOr<PublicKey> key =
      PublicKey::FromJwk(JwkFromText(kEd25519PublicJwk));
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->algorithm(), Algorithm::kEdDSA);
  EXPECT_EQ(key->Thumbprint(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
  EXPECT_EQ(key->kid(), key->Thumbprint());  // No kid given: the thumbprint.
  const auto [input, signature] = SplitJws(kEd25519Jws);
  EXPECT_TRUE(key->Verify(input, signature));
  EXPECT_FALSE(key->Verify(input + "x", signature));

  // Ed25519 is deterministic: the private key reproduces the signature.
  const std::string pkcs8 =
      absl::StrCat(absl::HexStringToBytes("302e020100300506032b657004220420"),
                   absl::HexStringToBytes(kEd25519Seed));
  absl::StatusOr<PrivateKey> private_key =
      PrivateKey::FromPkcs8(Algorithm::kEdDSA, pkcs8);
  ASSERT_TRUE(private_key.ok()) << private_key.status();
  EXPECT_EQ(private_key->kid(), key->Thumbprint());
  absl::StatusOr<std::string> signed_again = private_key->Sign(input);
  ASSERT_TRUE(signed_again.ok());
  EXPECT_EQ(*signed_again, signature);
}

// RFC 7515 Appendix A.3: ES256.
constexpr char kEs256Jwk[] =
    R"({"kty":"EC","crv":"P-256",)"
    R"("x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
    R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})";
constexpr char kEs256Jws[] =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNv"
    "bS9pc19yb290Ijp0cnVlfQ."
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKT"
    "UJqPP3-Kg6NU1Q";

TEST(Rfc7515Test, Es256AppendixA3Verifies) {
  absl::StatusOr<PublicKey> key = PublicKey::FromJwk(JwkFromText(kEs256Jwk));
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->algorithm(), Algorithm::kES256);
  const auto [input, signature] = SplitJws(kEs256Jws);
  ASSERT_EQ(signature.size(), 64u);
  EXPECT_TRUE(key->Verify(input, signature));
  EXPECT_FALSE(key->Verify(input, signature.substr(0, 63)));
  EXPECT_FALSE(key->Verify(input, signature + '\0'));
  std::string flipped = signature;
  flipped[0] ^= 0x80;
  EXPECT_FALSE(key->Verify(input, flipped));
}

// RFC 7515 Appendix A.2: RS256.
constexpr char kRs256N[] =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qP"
    "CJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47s"
    "oMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2"
    "R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoud"
    "F8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
constexpr char kRs256Jws[] =
    "eyJhbGciOiJSUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNv"
    "bS9pc19yb290Ijp0cnVlfQ."
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4B"
    "h-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZ"
    "LgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_d"
    "O--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6"
    "LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

TEST(Rfc7515Test, Rs256AppendixA2Verifies) {
  absl::StatusOr<PublicKey> key = PublicKey::FromJwk(JwkFromText(
      absl::StrCat(R"({"kty":"RSA","e":"AQAB","n":")", kRs256N, "\"}")));
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->algorithm(), Algorithm::kRS256);
  const auto [input, signature] = SplitJws(kRs256Jws);
  EXPECT_TRUE(key->Verify(input, signature));
  EXPECT_FALSE(key->Verify(input, signature.substr(1)));
}

// RFC 7638 §3.1: the thumbprint of RFC 7517's example RSA key.
TEST(Rfc7638Test, RsaThumbprint) {
  const std::string jwk = absl::StrCat(
      R"({"kty":"RSA","e":"AQAB","alg":"RS256","kid":"2011-04-29","n":")",
      "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aP"
      "FFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl9"
      "3lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdA"
      "ZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3"
      "XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
      "\"}");
  absl::StatusOr<PublicKey> key = PublicKey::FromJwk(JwkFromText(jwk));
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->Thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  EXPECT_EQ(key->kid(), "2011-04-29");  // A given kid is kept.
}

class GeneratedKeyTest : public ::testing::TestWithParam<Algorithm> {};

TEST_P(GeneratedKeyTest, SignVerifyAndRoundTrips) {
  absl::StatusOr<PrivateKey> key = PrivateKey::Generate(GetParam());
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->kid(), key->public_key().Thumbprint());
  absl::StatusOr<std::string> signature = key->Sign("message");
  ASSERT_TRUE(signature.ok());
  EXPECT_TRUE(key->public_key().Verify("message", *signature));
  EXPECT_FALSE(key->public_key().Verify("messagf", *signature));

  // JWK round trip keeps kid and algorithm and still verifies.
  const Json jwk = key->public_key().ToJwk();
  EXPECT_EQ(jwk.Find("alg")->string_value(), AlgorithmName(GetParam()));
  EXPECT_EQ(jwk.Find("use")->string_value(), "sig");
  EXPECT_EQ(jwk.Find("d"), nullptr);
  absl::StatusOr<PublicKey> parsed = PublicKey::FromJwk(jwk);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->kid(), key->kid());
  EXPECT_EQ(parsed->algorithm(), GetParam());
  EXPECT_TRUE(parsed->Verify("message", *signature));

  // PKCS#8 round trip is the same key; the wrong algorithm is refused.
  const std::string pkcs8 = key->ToPkcs8();
  ASSERT_FALSE(pkcs8.empty());
  absl::StatusOr<PrivateKey> restored =
      PrivateKey::FromPkcs8(GetParam(), pkcs8);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->kid(), key->kid());
  for (Algorithm other :
       {Algorithm::kES256, Algorithm::kEdDSA, Algorithm::kRS256}) {
    if (other != GetParam()) {
      EXPECT_FALSE(PrivateKey::FromPkcs8(other, pkcs8).ok());
    }
  }
  EXPECT_FALSE(PrivateKey::FromPkcs8(GetParam(), pkcs8 + "x").ok());
  EXPECT_FALSE(PrivateKey::FromPkcs8(GetParam(), pkcs8.substr(1)).ok());
}

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, GeneratedKeyTest,
                         ::testing::Values(Algorithm::kES256, Algorithm::kEdDSA,
                                           Algorithm::kRS256),
                         [](const auto& info) {
                           return std::string(AlgorithmName(info.param));
                         });

absl::StatusCode JwkCode(const std::string& text) {
  return PublicKey::FromJwk(JwkFromText(text)).status().code();
}

TEST(HostileJwkTest, EachIsRefusedWithItsCode) {
  const std::string ec = R"("kty":"EC","crv":"P-256",)";
  const std::string x = R"("x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU")";
  const std::string y = R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0")";
  EXPECT_EQ(JwkCode("{" + ec + x + "," + y + "}"), absl::StatusCode::kOk);
  // Private material in a public JWK.
  EXPECT_EQ(JwkCode("{" + ec + x + "," + y +
                    R"(,"d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"})"),
            absl::StatusCode::kInvalidArgument);
  // A point off the curve (y changed).
  EXPECT_EQ(JwkCode("{" + ec + x +
                    R"(,"y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a1"})"),
            absl::StatusCode::kInvalidArgument);
  // x of 31 bytes.
  EXPECT_EQ(
      JwkCode("{" + ec +
              R"("x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVE",)" + y + "}"),
      absl::StatusCode::kInvalidArgument);
  // Curves and types this library does not verify with: skipped in sets.
  EXPECT_EQ(JwkCode(R"({"kty":"EC","crv":"P-384","x":"AA","y":"AA"})"),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(JwkCode(R"({"kty":"OKP","crv":"X25519","x":"AA"})"),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(JwkCode(R"({"kty":"foo"})"), absl::StatusCode::kUnimplemented);
  // A symmetric key is private material.
  EXPECT_EQ(JwkCode(R"({"kty":"oct","k":"c2VjcmV0"})"),
            absl::StatusCode::kInvalidArgument);
  // alg that does not fit, use other than sig.
  EXPECT_EQ(JwkCode("{" + ec + x + "," + y + R"(,"alg":"RS256"})"),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(JwkCode("{" + ec + x + "," + y + R"(,"use":"enc"})"),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(JwkCode(R"({"x":"AA"})"), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(JwkCode("[]"), absl::StatusCode::kInvalidArgument);
  // RSA below 2048 bits (a 1024-bit modulus), and e = 1.
  const std::string n1024(170, 'A');
  EXPECT_EQ(
      JwkCode(absl::StrCat(R"({"kty":"RSA","e":"AQAB","n":"w)", n1024, "\"}")),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      JwkCode(absl::StrCat(R"({"kty":"RSA","e":"AQ","n":")", kRs256N, "\"}")),
      absl::StatusCode::kInvalidArgument);
}

TEST(KeySetTest, RoundTripSkipAndDuplicates) {
  KeySet set;
  for (Algorithm algorithm :
       {Algorithm::kES256, Algorithm::kEdDSA, Algorithm::kRS256}) {
    ASSERT_TRUE(set.Add(PrivateKey::Generate(algorithm)->public_key()).ok());
  }
  absl::StatusOr<KeySet> parsed = KeySet::FromJwksJson(set.ToJwksJson());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->size(), 3u);
  for (const PublicKey& key : set.keys()) {
    ASSERT_NE(parsed->Find(key.kid()), nullptr);
    EXPECT_EQ(parsed->Find(key.kid())->algorithm(), key.algorithm());
  }
  EXPECT_EQ(parsed->Find("nope"), nullptr);
  EXPECT_EQ(set.Add(set.keys()[0]).code(), absl::StatusCode::kAlreadyExists);

  // Unsupported keys are skipped; the supported one still loads.
  absl::StatusOr<KeySet> mixed = KeySet::FromJwksJson(
      absl::StrCat(R"({"keys":[{"kty":"EC","crv":"P-384","x":"AA","y":"AA"},)",
                   kEd25519PublicJwk, "]}"));
  ASSERT_TRUE(mixed.ok()) << mixed.status();
  EXPECT_EQ(mixed->size(), 1u);
  // A duplicate kid, a symmetric key, or a non-array fails the whole set.
  EXPECT_FALSE(
      KeySet::FromJwksJson(absl::StrCat(R"({"keys":[)", kEd25519PublicJwk, ",",
                                        kEd25519PublicJwk, "]}"))
          .ok());
  EXPECT_FALSE(
      KeySet::FromJwksJson(R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})").ok());
  EXPECT_FALSE(KeySet::FromJwksJson(R"({"keys":{}})").ok());
  EXPECT_FALSE(KeySet::FromJwksJson("{}").ok());
}

}  // namespace
}  // namespace tessera::token
