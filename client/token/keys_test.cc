// Keys against published vectors (RFC 8037, RFC 7515, RFC 7638), generated
// keys of every algorithm, hostile JWKs, and JWK Sets.

// The test builds a P-384 key, a 1024-bit RSA key and DER ECDSA signatures
// through EC_KEY / RSA, which OpenSSL 3 marks deprecated (as keys.cc does).
#define OPENSSL_SUPPRESS_DEPRECATED

#include "client/token/keys.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#if defined(OPENSSL_IS_BORINGSSL)
#include <openssl/mem.h>
#endif

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "client/token/algorithm.h"
#include "client/token/base64url.h"
#include "client/token/json.h"
#include "client/token/key_set.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tessera::token {
namespace {

using ::testing::Optional;

// ---------------------------------------------------------------------------
// Published vectors, copied from the RFCs.

// RFC 8037 Appendix A.1: the Ed25519 private key (the RFC 8032 §7.1 TEST 1
// key) as a JWK; A.2: its public part.
constexpr char kRfc8037D[] = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
constexpr char kRfc8037X[] = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
// RFC 8037 Appendix A.3: the RFC 7638 thumbprint of the A.2 key, and the
// SHA-256 it encodes.
constexpr char kRfc8037Thumbprint[] =
    "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";
constexpr char kRfc8037ThumbprintHex[] =
    "90facafea9b1556698540f70c0117a22ea37bd5cf3ed3c47093c1707282b4b89";
// RFC 8037 Appendix A.4: protected header {"alg":"EdDSA"}, payload
// "Example of Ed25519 signing", and the JWS; A.5 verifies it.
constexpr char kRfc8037SigningInput[] =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
constexpr char kRfc8037Signature[] =
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylG"
    "jg5BhVsPt9g7sVvpAr_MuM0KAg";

// RFC 7515 Appendix A.2.1 and A.3.1: the JWS Payload shared by both examples.
constexpr char kRfc7515Payload[] =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9l"
    "eGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";

// RFC 7515 Appendix A.3.1: the ES256 key and the JWS {"alg":"ES256"}.
constexpr char kRfc7515EcX[] = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr char kRfc7515EcY[] = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
constexpr char kRfc7515EcD[] = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
constexpr char kRfc7515Es256Header[] = "eyJhbGciOiJFUzI1NiJ9";
constexpr char kRfc7515Es256Signature[] =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8I"
    "SlSApmWQxfKTUJqPP3-Kg6NU1Q";

// RFC 7515 Appendix A.2.1: the RS256 key (n, e) and the JWS {"alg":"RS256"}.
constexpr char kRfc7515RsaN[] =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHm"
    "fHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_"
    "YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5"
    "z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uD"
    "Zlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9ia"
    "GNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
constexpr char kRfc7515Rs256Header[] = "eyJhbGciOiJSUzI1NiJ9";
constexpr char kRfc7515Rs256Signature[] =
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5R"
    "Zmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQ"
    "jbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQB"
    "MHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqt"
    "FZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rq"
    "Vt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

// RFC 7638 §3.1: the example RSA key and its thumbprint.
constexpr char kRfc7638N[] =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtV"
    "T86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64t"
    "Z_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2Q"
    "vzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbO"
    "pbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_"
    "xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
constexpr char kRfc7638Thumbprint[] =
    "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

// PKCS#8 (RFC 5208) PrivateKeyInfo for Ed25519 (RFC 8410 §7): SEQUENCE {
// version 0, AlgorithmIdentifier {1.3.101.112}, OCTET STRING { OCTET STRING
// (32-byte seed) } }.
constexpr char kEd25519Pkcs8PrefixHex[] = "302e020100300506032b657004220420";

// ---------------------------------------------------------------------------
// Helpers.

Json ParseOrEmpty(absl::string_view text) {
  absl::StatusOr<Json> json = ParseJson(text);
  EXPECT_TRUE(json.ok()) << json.status() << " for " << text;
  return json.ok() ? *std::move(json) : Json::MakeObject();
}

std::string Decode(absl::string_view text) {
  std::optional<std::string> bytes = Base64UrlDecode(text);
  EXPECT_TRUE(bytes.has_value()) << text;
  return bytes.value_or("");
}

Json Ed25519PublicJwk() {
  Json jwk = Json::MakeObject();
  jwk.Set("kty", Json::String("OKP"));
  jwk.Set("crv", Json::String("Ed25519"));
  jwk.Set("x", Json::String(kRfc8037X));
  return jwk;
}

Json Es256PublicJwk() {
  Json jwk = Json::MakeObject();
  jwk.Set("kty", Json::String("EC"));
  jwk.Set("crv", Json::String("P-256"));
  jwk.Set("x", Json::String(kRfc7515EcX));
  jwk.Set("y", Json::String(kRfc7515EcY));
  return jwk;
}

Json RsaPublicJwk(absl::string_view n) {
  Json jwk = Json::MakeObject();
  jwk.Set("kty", Json::String("RSA"));
  jwk.Set("n", Json::String(std::string(n)));
  jwk.Set("e", Json::String("AQAB"));
  return jwk;
}

// `jwk` with member `name` set to `value`.
Json With(Json jwk, absl::string_view name, Json value) {
  jwk.Set(name, std::move(value));
  return jwk;
}

absl::StatusCode FromJwkCode(const Json& jwk) {
  return PublicKey::FromJwk(jwk).status().code();
}

std::string BignumBytes(const BIGNUM* bn, size_t width) {
  std::string out(width, '\0');
  const size_t size = BN_num_bytes(bn);
  EXPECT_LE(size, width);
  BN_bn2bin(bn, reinterpret_cast<uint8_t*>(out.data()) + (width - size));
  return out;
}

// A public JWK of a freshly generated P-384 key.
Json P384PublicJwk() {
  std::unique_ptr<EC_KEY, decltype(&EC_KEY_free)> ec(
      EC_KEY_new_by_curve_name(NID_secp384r1), EC_KEY_free);
  EXPECT_NE(ec, nullptr);
  EXPECT_EQ(EC_KEY_generate_key(ec.get()), 1);
  uint8_t point[1 + 2 * 48];
  EXPECT_EQ(EC_POINT_point2oct(
                EC_KEY_get0_group(ec.get()), EC_KEY_get0_public_key(ec.get()),
                POINT_CONVERSION_UNCOMPRESSED, point, sizeof(point), nullptr),
            sizeof(point));
  const absl::string_view xy(reinterpret_cast<char*>(point) + 1, 96);
  Json jwk = Json::MakeObject();
  jwk.Set("kty", Json::String("EC"));
  jwk.Set("crv", Json::String("P-384"));
  jwk.Set("x", Json::String(Base64UrlEncode(xy.substr(0, 48))));
  jwk.Set("y", Json::String(Base64UrlEncode(xy.substr(48))));
  return jwk;
}

struct RsaKeyMaterial {
  Json public_jwk;
  std::string pkcs8;
};

// A freshly generated RSA key of `bits` bits: public JWK and PKCS#8 DER.
RsaKeyMaterial GenerateRsa(int bits) {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nullptr), EVP_PKEY_CTX_free);
  EXPECT_EQ(EVP_PKEY_keygen_init(ctx.get()), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits), 1);
  EVP_PKEY* raw = nullptr;
  EXPECT_EQ(EVP_PKEY_keygen(ctx.get(), &raw), 1);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(raw, EVP_PKEY_free);
  const BIGNUM* n = nullptr;
  const BIGNUM* e = nullptr;
  RSA_get0_key(EVP_PKEY_get0_RSA(pkey.get()), &n, &e, nullptr);
  RsaKeyMaterial out;
  out.public_jwk = Json::MakeObject();
  out.public_jwk.Set("kty", Json::String("RSA"));
  out.public_jwk.Set(
      "n", Json::String(Base64UrlEncode(BignumBytes(n, BN_num_bytes(n)))));
  out.public_jwk.Set(
      "e", Json::String(Base64UrlEncode(BignumBytes(e, BN_num_bytes(e)))));
  PKCS8_PRIV_KEY_INFO* info = EVP_PKEY2PKCS8(pkey.get());
  EXPECT_NE(info, nullptr);
  uint8_t* der = nullptr;
  const int len = i2d_PKCS8_PRIV_KEY_INFO(info, &der);
  EXPECT_GT(len, 0);
  out.pkcs8.assign(reinterpret_cast<char*>(der), len);
  OPENSSL_free(der);
  PKCS8_PRIV_KEY_INFO_free(info);
  return out;
}

// Generated keys, every algorithm.

class GeneratedKeyTest : public testing::TestWithParam<Algorithm> {
 protected:
  static const PrivateKey& Key(Algorithm algorithm) {
    // One key per algorithm for the whole suite (RSA generation is slow).
    static auto* keys = new std::map<Algorithm, PrivateKey>();
    if (auto it = keys->find(algorithm); it != keys->end()) return it->second;
    absl::StatusOr<PrivateKey> key = PrivateKey::Generate(algorithm);
    EXPECT_TRUE(key.ok()) << key.status();
    return keys->emplace(algorithm, key.value()).first->second;
  }
  const PrivateKey& key() const { return Key(GetParam()); }
};

TEST_P(GeneratedKeyTest, SignThenVerify) {
  EXPECT_EQ(key().algorithm(), GetParam());
  const std::string message = "header.payload";
  absl::StatusOr<std::string> signature = key().Sign(message);
  ASSERT_TRUE(signature.ok()) << signature.status();
  const size_t expected_size = GetParam() == Algorithm::kRS256 ? 256 : 64;
  EXPECT_EQ(signature->size(), expected_size);
  EXPECT_TRUE(key().public_key().Verify(message, *signature));
  EXPECT_TRUE(key().public_key().Verify(message, *signature));  // Reusable.
  EXPECT_TRUE(key().Sign("").ok());
  EXPECT_TRUE(key().public_key().Verify("", *key().Sign("")));
}

// Signing copies one initialized context per key; an ECDSA nonce must still
// be fresh for every signature (a repeated nonce reveals the private key).
TEST_P(GeneratedKeyTest, EverySignatureOfTheSameMessageIsFresh) {
  const std::string message = "header.payload";
  std::set<std::string> signatures;
  for (int i = 0; i < 16; ++i) {
    absl::StatusOr<std::string> signature = key().Sign(message);
    ASSERT_TRUE(signature.ok()) << signature.status();
    EXPECT_TRUE(key().public_key().Verify(message, *signature));
    if (GetParam() == Algorithm::kES256) {
      // r is the first half: a repeated r means a repeated nonce.
      EXPECT_TRUE(signatures.insert(signature->substr(0, 32)).second);
    } else {  // EdDSA and RS256 are deterministic.
      signatures.insert(*signature);
      EXPECT_EQ(signatures.size(), 1u);
    }
  }
}

TEST_P(GeneratedKeyTest, AnyFlippedBitFails) {
  const std::string message = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0";
  absl::StatusOr<std::string> signature = key().Sign(message);
  ASSERT_TRUE(signature.ok()) << signature.status();
  for (size_t i = 0; i < signature->size(); i += 7) {
    std::string bad = *signature;
    bad[i] ^= static_cast<char>(1 << (i % 8));
    EXPECT_FALSE(key().public_key().Verify(message, bad)) << "byte " << i;
  }
  for (size_t i = 0; i < message.size(); ++i) {
    std::string bad = message;
    bad[i] ^= 0x01;
    EXPECT_FALSE(key().public_key().Verify(bad, *signature)) << "byte " << i;
  }
  EXPECT_FALSE(key().public_key().Verify(message, signature->substr(1)));
  EXPECT_FALSE(key().public_key().Verify(message, *signature + '\0'));
}

TEST_P(GeneratedKeyTest, KidIsTheThumbprint) {
  EXPECT_EQ(key().kid(), key().public_key().Thumbprint());
  EXPECT_EQ(key().kid().size(), 43u);  // base64url of 32 bytes.
  EXPECT_TRUE(Base64UrlDecode(key().kid()).has_value());
  absl::StatusOr<PrivateKey> other = PrivateKey::Generate(GetParam());
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_NE(other->kid(), key().kid());
}

TEST_P(GeneratedKeyTest, JwkRoundTripKeepsKidAndVerifies) {
  const Json jwk = key().public_key().ToJwk();
  EXPECT_EQ(jwk.Find("alg")->string_value(), AlgorithmName(GetParam()));
  EXPECT_EQ(jwk.Find("use")->string_value(), "sig");
  EXPECT_EQ(jwk.Find("kid")->string_value(), key().kid());
  for (const char* secret : {"d", "p", "q", "dp", "dq", "qi", "k"}) {
    EXPECT_EQ(jwk.Find(secret), nullptr) << secret;
  }
  // Through text, as a JWKS consumer would see it.
  absl::StatusOr<PublicKey> parsed =
      PublicKey::FromJwk(ParseOrEmpty(jwk.Serialize()));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->algorithm(), GetParam());
  EXPECT_EQ(parsed->kid(), key().kid());
  EXPECT_EQ(parsed->Thumbprint(), key().public_key().Thumbprint());
  EXPECT_EQ(parsed->ToJwk(), jwk);
  absl::StatusOr<std::string> signature = key().Sign("message");
  ASSERT_TRUE(signature.ok()) << signature.status();
  EXPECT_TRUE(parsed->Verify("message", *signature));
  EXPECT_FALSE(parsed->Verify("massage", *signature));
  // A different kid in the JWK is kept as given.
  absl::StatusOr<PublicKey> renamed =
      PublicKey::FromJwk(With(jwk, "kid", Json::String("renamed")));
  ASSERT_TRUE(renamed.ok()) << renamed.status();
  EXPECT_EQ(renamed->kid(), "renamed");
  EXPECT_EQ(renamed->Thumbprint(), key().kid());
}

TEST_P(GeneratedKeyTest, Pkcs8RoundTripKeepsKid) {
  const std::string der = key().ToPkcs8();
  ASSERT_FALSE(der.empty());
  absl::StatusOr<PrivateKey> loaded = PrivateKey::FromPkcs8(GetParam(), der);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->algorithm(), GetParam());
  EXPECT_EQ(loaded->kid(), key().kid());
  EXPECT_EQ(loaded->ToPkcs8(), der);
  // The reloaded key signs for the original public key and vice versa.
  absl::StatusOr<std::string> signature = loaded->Sign("message");
  ASSERT_TRUE(signature.ok()) << signature.status();
  EXPECT_TRUE(key().public_key().Verify("message", *signature));
  EXPECT_TRUE(loaded->public_key().Verify("message", *key().Sign("message")));
  if (GetParam() == Algorithm::kEdDSA) {
    EXPECT_EQ(*signature, *key().Sign("message"));  // Deterministic.
  }
}

TEST_P(GeneratedKeyTest, Pkcs8WithAnotherAlgorithmFails) {
  const std::string der = key().ToPkcs8();
  for (Algorithm other :
       {Algorithm::kES256, Algorithm::kEdDSA, Algorithm::kRS256}) {
    if (other == GetParam()) continue;
    EXPECT_EQ(PrivateKey::FromPkcs8(other, der).status().code(),
              absl::StatusCode::kInvalidArgument)
        << AlgorithmName(other);
  }
}

TEST_P(GeneratedKeyTest, DamagedPkcs8Fails) {
  const std::string der = key().ToPkcs8();
  EXPECT_FALSE(PrivateKey::FromPkcs8(GetParam(), "").ok());
  EXPECT_FALSE(
      PrivateKey::FromPkcs8(GetParam(), der.substr(0, der.size() - 1)).ok());
  EXPECT_FALSE(PrivateKey::FromPkcs8(GetParam(), der + '\0').ok());
  EXPECT_FALSE(PrivateKey::FromPkcs8(GetParam(), "not DER at all").ok());
}

TEST_P(GeneratedKeyTest, OtherKeysDoNotVerify) {
  absl::StatusOr<std::string> signature = key().Sign("message");
  ASSERT_TRUE(signature.ok()) << signature.status();
  for (Algorithm other :
       {Algorithm::kES256, Algorithm::kEdDSA, Algorithm::kRS256}) {
    EXPECT_EQ(Key(other).public_key().Verify("message", *signature),
              other == GetParam())
        << AlgorithmName(other);
  }
}

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, GeneratedKeyTest,
                         testing::Values(Algorithm::kES256, Algorithm::kEdDSA,
                                         Algorithm::kRS256),
                         [](const testing::TestParamInfo<Algorithm>& info) {
                           return std::string(AlgorithmName(info.param));
                         });

// ---------------------------------------------------------------------------
// Hostile JWKs.

TEST(HostileJwkTest, BaselinesParse) {
  // Each hostile case below differs from one of these in one member.
  EXPECT_TRUE(PublicKey::FromJwk(Es256PublicJwk()).ok());
  EXPECT_TRUE(PublicKey::FromJwk(Ed25519PublicJwk()).ok());
  EXPECT_TRUE(PublicKey::FromJwk(RsaPublicJwk(kRfc7515RsaN)).ok());
  EXPECT_TRUE(
      PublicKey::FromJwk(With(Es256PublicJwk(), "alg", Json::String("ES256")))
          .ok());
  EXPECT_TRUE(
      PublicKey::FromJwk(With(Es256PublicJwk(), "use", Json::String("sig")))
          .ok());
  EXPECT_TRUE(PublicKey::FromJwk(
                  With(Ed25519PublicJwk(), "alg", Json::String("Ed25519")))
                  .ok());
}

TEST(HostileJwkTest, PrivateMembersAreRefused) {
  for (const char* secret : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
    EXPECT_EQ(FromJwkCode(With(RsaPublicJwk(kRfc7515RsaN), secret,
                               Json::String("AQAB"))),
              absl::StatusCode::kInvalidArgument)
        << secret;
    EXPECT_EQ(FromJwkCode(With(Es256PublicJwk(), secret, Json::String("AQAB"))),
              absl::StatusCode::kInvalidArgument)
        << secret;
  }
  // Whatever the value's type: presence is enough.
  EXPECT_EQ(FromJwkCode(With(Es256PublicJwk(), "d", Json())),
            absl::StatusCode::kInvalidArgument);
}

TEST(HostileJwkTest, EcPointNotOnTheCurve) {
  std::string y = Decode(kRfc7515EcY);
  y[31] ^= 0x01;
  EXPECT_EQ(FromJwkCode(
                With(Es256PublicJwk(), "y", Json::String(Base64UrlEncode(y)))),
            absl::StatusCode::kInvalidArgument);
  // Swapped coordinates are (almost surely) off the curve too.
  Json swapped = Es256PublicJwk();
  swapped.Set("x", Json::String(kRfc7515EcY));
  swapped.Set("y", Json::String(kRfc7515EcX));
  EXPECT_EQ(FromJwkCode(swapped), absl::StatusCode::kInvalidArgument);
  // (0, 0) is not a point; nor is the point at infinity.
  const std::string zero = Base64UrlEncode(std::string(32, '\0'));
  EXPECT_EQ(FromJwkCode(With(With(Es256PublicJwk(), "x", Json::String(zero)),
                             "y", Json::String(zero))),
            absl::StatusCode::kInvalidArgument);
}

TEST(HostileJwkTest, WrongCoordinateLengths) {
  const std::string x = Decode(kRfc7515EcX);
  ASSERT_EQ(x.size(), 32u);
  EXPECT_EQ(FromJwkCode(With(Es256PublicJwk(), "x",
                             Json::String(Base64UrlEncode(x.substr(1))))),
            absl::StatusCode::kInvalidArgument);  // 31 bytes.
  EXPECT_EQ(FromJwkCode(With(Es256PublicJwk(), "x",
                             Json::String(Base64UrlEncode('\0' + x)))),
            absl::StatusCode::kInvalidArgument);  // 33 bytes.
  const std::string ed = Decode(kRfc8037X);
  EXPECT_EQ(FromJwkCode(With(Ed25519PublicJwk(), "x",
                             Json::String(Base64UrlEncode(ed.substr(1))))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FromJwkCode(With(Ed25519PublicJwk(), "x",
                             Json::String(Base64UrlEncode(ed + '\0')))),
            absl::StatusCode::kInvalidArgument);
}

TEST(HostileJwkTest, NonCanonicalOrMissingMembers) {
  EXPECT_EQ(FromJwkCode(With(Es256PublicJwk(), "x",
                             Json::String(absl::StrCat(kRfc7515EcX, "=")))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FromJwkCode(With(Es256PublicJwk(), "y", Json::Integer(1))),
            absl::StatusCode::kInvalidArgument);
  Json no_y = Json::MakeObject();
  no_y.Set("kty", Json::String("EC"));
  no_y.Set("crv", Json::String("P-256"));
  no_y.Set("x", Json::String(kRfc7515EcX));
  EXPECT_EQ(FromJwkCode(no_y), absl::StatusCode::kInvalidArgument);
  Json no_kty = Es256PublicJwk();
  no_kty.mutable_object().erase(no_kty.mutable_object().begin());
  ASSERT_EQ(no_kty.Find("kty"), nullptr);
  EXPECT_EQ(FromJwkCode(no_kty), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FromJwkCode(Json::String("not an object")),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FromJwkCode(With(Es256PublicJwk(), "kid", Json::String(""))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FromJwkCode(With(Es256PublicJwk(), "kid", Json::Integer(7))),
            absl::StatusCode::kInvalidArgument);
}

TEST(HostileJwkTest, UnsupportedCurvesAndTypesAreUnimplemented) {
  EXPECT_EQ(FromJwkCode(P384PublicJwk()), absl::StatusCode::kUnimplemented);
  Json oct = Json::MakeObject();
  oct.Set("kty", Json::String("oct"));
  oct.Set("alg", Json::String("HS256"));
  EXPECT_EQ(FromJwkCode(oct), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(
      FromJwkCode(With(Ed25519PublicJwk(), "crv", Json::String("X25519"))),
      absl::StatusCode::kUnimplemented);
  EXPECT_EQ(FromJwkCode(With(Ed25519PublicJwk(), "crv", Json::String("Ed448"))),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(FromJwkCode(With(Es256PublicJwk(), "alg", Json::String("ES384"))),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(FromJwkCode(
                With(RsaPublicJwk(kRfc7515RsaN), "alg", Json::String("PS256"))),
            absl::StatusCode::kUnimplemented);
}

TEST(HostileJwkTest, AlgThatDoesNotFitTheKeyType) {
  EXPECT_EQ(FromJwkCode(With(Es256PublicJwk(), "alg", Json::String("RS256"))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FromJwkCode(With(Es256PublicJwk(), "alg", Json::String("EdDSA"))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FromJwkCode(With(Ed25519PublicJwk(), "alg", Json::String("ES256"))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FromJwkCode(
                With(RsaPublicJwk(kRfc7515RsaN), "alg", Json::String("ES256"))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FromJwkCode(With(Es256PublicJwk(), "alg", Json::Integer(256))),
            absl::StatusCode::kInvalidArgument);
}

TEST(HostileJwkTest, UseOtherThanSig) {
  EXPECT_EQ(FromJwkCode(With(Es256PublicJwk(), "use", Json::String("enc"))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FromJwkCode(With(Es256PublicJwk(), "use", Json::String("SIG"))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FromJwkCode(With(Es256PublicJwk(), "use", Json::Bool(true))),
            absl::StatusCode::kInvalidArgument);
}

TEST(HostileJwkTest, RsaModulusUnder2048BitsIsRefused) {
  const RsaKeyMaterial rsa1024 = GenerateRsa(1024);
  EXPECT_EQ(Decode(rsa1024.public_jwk.Find("n")->string_value()).size(), 128u);
  EXPECT_EQ(FromJwkCode(rsa1024.public_jwk),
            absl::StatusCode::kInvalidArgument);
  // And as a private key.
  EXPECT_EQ(
      PrivateKey::FromPkcs8(Algorithm::kRS256, rsa1024.pkcs8).status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(HostileJwkTest, RsaIntegersMustBeMinimalAndSane) {
  // A leading zero byte on n.
  const std::string n = Decode(kRfc7515RsaN);
  EXPECT_EQ(FromJwkCode(With(RsaPublicJwk(kRfc7515RsaN), "n",
                             Json::String(Base64UrlEncode('\0' + n)))),
            absl::StatusCode::kInvalidArgument);
  // Exponents: 1, even, empty, leading zero.
  for (const std::string& e :
       {std::string("\x01"), std::string("\x01\x00\x00", 3), std::string(),
        std::string("\x00\x01\x00\x01", 4)}) {
    EXPECT_EQ(FromJwkCode(With(RsaPublicJwk(kRfc7515RsaN), "e",
                               Json::String(Base64UrlEncode(e)))),
              absl::StatusCode::kInvalidArgument)
        << absl::BytesToHexString(e);
  }
}

// ---------------------------------------------------------------------------
// JWK Sets.

std::string Jwks(const std::vector<Json>& keys) {
  Json root = Json::MakeObject();
  root.Set("keys", Json::MakeArray(keys));
  return root.Serialize();
}

TEST(KeySetTest, SkipsUnsupportedKeys) {
  Json oct_without_k = Json::MakeObject();
  oct_without_k.Set("kty", Json::String("oct"));
  oct_without_k.Set("kid", Json::String("symmetric"));
  Json unknown_kty = Json::MakeObject();
  unknown_kty.Set("kty", Json::String("AKP"));
  absl::StatusOr<KeySet> set = KeySet::FromJwksJson(Jwks({
      P384PublicJwk(),
      Es256PublicJwk(),
      oct_without_k,
      With(Ed25519PublicJwk(), "crv", Json::String("X25519")),
      Ed25519PublicJwk(),
      unknown_kty,
      With(RsaPublicJwk(kRfc7515RsaN), "alg", Json::String("PS256")),
      With(RsaPublicJwk(kRfc7638N), "kid", Json::String("2011-04-29")),
  }));
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_EQ(set->size(), 3u);
  EXPECT_EQ(set->keys()[0].algorithm(), Algorithm::kES256);
  EXPECT_EQ(set->keys()[1].algorithm(), Algorithm::kEdDSA);
  EXPECT_EQ(set->keys()[2].algorithm(), Algorithm::kRS256);
  ASSERT_NE(set->Find(kRfc8037Thumbprint), nullptr);
  EXPECT_EQ(set->Find(kRfc8037Thumbprint)->algorithm(), Algorithm::kEdDSA);
  ASSERT_NE(set->Find("2011-04-29"), nullptr);
  EXPECT_EQ(set->Find("2011-04-29")->Thumbprint(), kRfc7638Thumbprint);
  EXPECT_EQ(set->Find("symmetric"), nullptr);
  EXPECT_EQ(set->Find(""), nullptr);
}

TEST(KeySetTest, SymmetricKeyWithSecretFailsTheWholeSet) {
  // "k" is private material: publishing it is an error, not a skip.
  Json oct = Json::MakeObject();
  oct.Set("kty", Json::String("oct"));
  oct.Set("k", Json::String("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_"));
  EXPECT_EQ(KeySet::FromJwksJson(Jwks({Es256PublicJwk(), oct})).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(KeySetTest, MalformedSupportedKeyFailsTheWholeSet) {
  std::string y = Decode(kRfc7515EcY);
  y[0] ^= 0x01;
  EXPECT_EQ(KeySet::FromJwksJson(Jwks({Ed25519PublicJwk(),
                                       With(Es256PublicJwk(), "y",
                                            Json::String(Base64UrlEncode(y)))}))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(KeySetTest, DuplicateKidIsRefused) {
  // The same key twice: the same thumbprint kid.
  EXPECT_EQ(KeySet::FromJwksJson(Jwks({Es256PublicJwk(), Es256PublicJwk()}))
                .status()
                .code(),
            absl::StatusCode::kAlreadyExists);
  // Two different keys claiming one kid.
  EXPECT_EQ(KeySet::FromJwksJson(
                Jwks({With(Es256PublicJwk(), "kid", Json::String("k")),
                      With(Ed25519PublicJwk(), "kid", Json::String("k"))}))
                .status()
                .code(),
            absl::StatusCode::kAlreadyExists);
  // And through Add.
  KeySet set;
  absl::StatusOr<PublicKey> key = PublicKey::FromJwk(Es256PublicJwk());
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(set.Add(*key).ok());
  EXPECT_EQ(set.Add(*key).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(set.size(), 1u);
}

TEST(KeySetTest, NotAJwks) {
  for (const char* text : {"", "[]", "{}", R"({"keys":{}})", R"({"keys":"x"})",
                           R"({"keys":[],"keys":[]})", R"({"keys":[1]})"}) {
    EXPECT_FALSE(KeySet::FromJwksJson(text).ok()) << text;
  }
  absl::StatusOr<KeySet> empty = KeySet::FromJwksJson(R"({"keys":[]})");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->size(), 0u);
  // Larger than kMaxJwksBytes.
  const std::string padded = absl::StrCat(
      R"({"keys":[],"pad":")", std::string(KeySet::kMaxJwksBytes, 'x'), "\"}");
  EXPECT_FALSE(KeySet::FromJwksJson(padded).ok());
}

TEST(KeySetTest, JwksRoundTrip) {
  KeySet set;
  std::vector<PrivateKey> private_keys;
  for (Algorithm algorithm :
       {Algorithm::kRS256, Algorithm::kES256, Algorithm::kEdDSA}) {
    absl::StatusOr<PrivateKey> key = PrivateKey::Generate(algorithm);
    ASSERT_TRUE(key.ok()) << key.status();
    ASSERT_TRUE(set.Add(key->public_key()).ok());
    private_keys.push_back(*key);
  }
  absl::StatusOr<PublicKey> named = PublicKey::FromJwk(
      With(RsaPublicJwk(kRfc7638N), "kid", Json::String("2011-04-29")));
  ASSERT_TRUE(named.ok()) << named.status();
  ASSERT_TRUE(set.Add(*named).ok());

  const std::string text = set.ToJwksJson();
  absl::StatusOr<KeySet> parsed = KeySet::FromJwksJson(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status() << " for " << text;
  ASSERT_EQ(parsed->size(), set.size());
  for (size_t i = 0; i < set.size(); ++i) {
    EXPECT_EQ(parsed->keys()[i].kid(), set.keys()[i].kid());
    EXPECT_EQ(parsed->keys()[i].algorithm(), set.keys()[i].algorithm());
    EXPECT_EQ(parsed->keys()[i].ToJwk(), set.keys()[i].ToJwk());
  }
  EXPECT_EQ(parsed->ToJwksJson(), text);
  for (const PrivateKey& key : private_keys) {
    const PublicKey* found = parsed->Find(key.kid());
    ASSERT_NE(found, nullptr);
    absl::StatusOr<std::string> signature = key.Sign("m");
    ASSERT_TRUE(signature.ok());
    EXPECT_TRUE(found->Verify("m", *signature));
  }
  EXPECT_NE(parsed->Find("2011-04-29"), nullptr);
}

}  // namespace
}  // namespace tessera::token
