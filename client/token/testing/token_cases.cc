#include "client/token/testing/token_cases.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/hmac.h>
#if defined(OPENSSL_IS_BORINGSSL)
#include <openssl/mem.h>
#endif

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/base/internal/raw_logging.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/token/base64url.h"

namespace tessera::token::testing {
namespace {

constexpr absl::Duration kLeeway = absl::Seconds(30);

// A JSON object as (name, raw JSON text of the value) pairs, so a case
// writes exactly the bytes it means: duplicates, odd numbers, bad UTF-8.
using Members = std::vector<std::pair<std::string, std::string>>;

std::string Quoted(absl::string_view text) {
  return absl::StrCat("\"", text, "\"");
}

// Unix seconds of kCaseNow + offset, as JSON text.
std::string At(absl::Duration offset) {
  return absl::StrCat(absl::ToUnixSeconds(kCaseNow + offset));
}

std::string ObjectText(const Members& members) {
  std::string out = "{";
  for (const auto& [name, value] : members) {
    if (out.size() > 1) out += ",";
    absl::StrAppend(&out, Quoted(name), ":", value);
  }
  return out + "}";
}

// `members` with `name` set to `value` (replaced in place, else appended).
Members With(Members members, absl::string_view name, std::string value) {
  for (auto& member : members) {
    if (member.first == name) {
      member.second = std::move(value);
      return members;
    }
  }
  members.emplace_back(std::string(name), std::move(value));
  return members;
}

Members Without(Members members, absl::string_view name) {
  members.erase(std::remove_if(members.begin(), members.end(),
                               [&](const auto& m) { return m.first == name; }),
                members.end());
  return members;
}

// `depth` nested arrays around 1: [[...[1]...]].
std::string NestedArrays(int depth) {
  return absl::StrCat(std::string(depth, '['), "1", std::string(depth, ']'));
}

// The length of the unpadded base64url encoding of `bytes` bytes.
size_t EncodedSize(size_t bytes) {
  return bytes / 3 * 4 + (bytes % 3 == 0 ? 0 : bytes % 3 + 1);
}

std::string JoinSignature(absl::string_view input,
                          absl::string_view signature) {
  return absl::StrCat(input, ".", Base64UrlEncode(signature));
}

// The signature segment of `token`, decoded.
std::string SignatureOf(const std::string& token) {
  return *Base64UrlDecode(token.substr(token.rfind('.') + 1));
}

std::string InputOf(const std::string& token) {
  return token.substr(0, token.rfind('.'));
}

// The DER (RFC 3279) form of a raw r||s ECDSA P-256 signature.
std::string EcdsaDer(const std::string& raw) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(raw.data());
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(bytes, 32, nullptr),
                 BN_bin2bn(bytes + 32, 32, nullptr));
  uint8_t* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  std::string out(reinterpret_cast<char*>(der), der_len);
  OPENSSL_free(der);
  return out;
}

std::string HmacSha256(absl::string_view secret, absl::string_view input) {
  unsigned char mac[32];
  unsigned int mac_len = sizeof(mac);
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
       &mac_len);
  return std::string(reinterpret_cast<char*>(mac), mac_len);
}

// The claims every hand-made payload starts from; see Cases::Payload.
AccessTokenClaims BaseClaims() {
  AccessTokenClaims claims;
  claims.issuer = kCaseIssuer;
  claims.subject = "user-42";
  claims.audience = {"api"};
  claims.expires_at = kCaseNow + absl::Minutes(10);
  claims.issued_at = kCaseNow - absl::Minutes(1);
  return claims;
}

// Builds the cases of one key in order. Each Add* method is one group.
class Cases {
 public:
  Cases(const Signer& signer, const PrivateKey& key, const PrivateKey& stranger)
      : signer_(signer), key_(key), stranger_(stranger) {}

  std::vector<TokenCase> Build() && {
    AddAccepted();
    AddAlgorithm();
    AddKeyId();
    AddType();
    AddHeader();
    AddSyntax();
    AddClaims();
    AddSize();
    AddSignature();
    AddClock();
    AddIssuerAndAudience();
    AddPrecedence();
    return std::move(cases_);
  }

 private:
  std::string Alg() const {
    return std::string(AlgorithmName(key_.algorithm()));
  }

  // {"alg":..,"kid":..,"typ":"at+jwt"} for key_.
  Members Header() const {
    return {{"alg", Quoted(Alg())},
            {"kid", Quoted(key_.kid())},
            {"typ", Quoted(kAccessTokenType)}};
  }

  // The claims of BaseClaims(), hand-written (in another order than the
  // codec writes them).
  Members Payload() const {
    return {{"sub", Quoted("user-42")},
            {"iss", Quoted(kCaseIssuer)},
            {"aud", Quoted("api")},
            {"iat", At(-absl::Minutes(1))},
            {"exp", At(absl::Minutes(10))}};
  }

  std::string Signature(const PrivateKey& by, absl::string_view input) const {
    return signer_.Sign(by, input);
  }

  // header.payload.signature over exactly these texts.
  std::string SignText(const std::string& header, const std::string& payload,
                       const PrivateKey& by) const {
    const std::string input =
        absl::StrCat(Base64UrlEncode(header), ".", Base64UrlEncode(payload));
    return JoinSignature(input, Signature(by, input));
  }

  std::string Signed(const Members& header, const Members& payload) const {
    return SignText(ObjectText(header), ObjectText(payload), key_);
  }

  // The codec's own encoding of `claims` (what tesserad mints).
  std::string Minted(const AccessTokenClaims& claims) const {
    absl::StatusOr<std::string> token = SignAccessToken(key_, claims);
    if (!token.ok()) {
      ABSL_RAW_LOG(FATAL, "token case: %s", token.status().ToString().c_str());
    }
    const std::string input = InputOf(*token);
    return JoinSignature(input, Signature(key_, input));
  }

  void Accept(std::string name, std::string description, std::string token,
              AccessTokenClaims claims, absl::Time now = kCaseNow) {
    TokenCase c;
    c.name = std::move(name);
    c.description = std::move(description);
    c.token = std::move(token);
    c.now = now;
    c.algorithm = key_.algorithm();
    c.kid = key_.kid();
    c.claims = std::move(claims);
    cases_.push_back(std::move(c));
  }

  void Refuse(std::string name, std::string description, std::string token,
              TokenError error, absl::Time now = kCaseNow) {
    TokenCase c;
    c.name = std::move(name);
    c.description = std::move(description);
    c.token = std::move(token);
    c.now = now;
    c.error = error;
    cases_.push_back(std::move(c));
  }

  void AddAccepted();
  void AddAlgorithm();
  void AddKeyId();
  void AddType();
  void AddHeader();
  void AddSyntax();
  void AddClaims();
  std::string Sized(size_t size, AccessTokenClaims* claims) const;
  void AddSize();
  void AddSignature();
  void AddClock();
  void AddIssuerAndAudience();
  void AddPrecedence();

  const Signer& signer_;
  const PrivateKey& key_;
  const PrivateKey& stranger_;
  std::vector<TokenCase> cases_;
};

void Cases::AddAccepted() {
  AccessTokenClaims every = BaseClaims();
  every.audience = {"api", "web"};
  every.not_before = kCaseNow - absl::Minutes(1);
  every.token_id = "jti-1";
  every.session_id = "sid-1";
  every.client_id = "web";
  every.subject_generation = 3;
  every.custom.Set("roles", Json::MakeArray({Json::String("admin")}));
  every.custom.Set("profile", Json::MakeObject({{"name", Json::String("Ada")},
                                                {"age", Json::Integer(36)}}));
  Accept("accepted/every_claim",
         "minted by the codec with every claim tesserad sets and custom claims",
         Minted(every), every);
  Accept("accepted/minimal", "minted with only iss, sub, aud, exp and iat",
         Minted(BaseClaims()), BaseClaims());
  Accept("accepted/hand_signed",
         "the hand-made baseline the hostile cases alter",
         Signed(Header(), Payload()), BaseClaims());
  Accept("accepted/typ_upper_case", "typ is a media type: case-insensitive",
         Signed(With(Header(), "typ", Quoted("AT+JWT")), Payload()),
         BaseClaims());
  Accept("accepted/typ_application_prefix",
         "typ may carry the \"application/\" prefix",
         Signed(With(Header(), "typ", Quoted("application/at+jwt")), Payload()),
         BaseClaims());
  Accept("accepted/header_reordered", "header members in another order",
         Signed({{"typ", Quoted(kAccessTokenType)},
                 {"kid", Quoted(key_.kid())},
                 {"alg", Quoted(Alg())}},
                Payload()),
         BaseClaims());
  Accept("accepted/header_extra_member",
         "an unknown header member is ignored (no crit)",
         Signed(With(Header(), "x-note", Quoted("ignored")), Payload()),
         BaseClaims());
  if (key_.algorithm() == Algorithm::kEdDSA) {
    Accept("accepted/alg_Ed25519",
           "alg \"Ed25519\" (RFC 9864) names the EdDSA key's algorithm",
           Signed(With(Header(), "alg", Quoted("Ed25519")), Payload()),
           BaseClaims());
  }

  AccessTokenClaims any_of = BaseClaims();
  any_of.audience = {"web", "billing"};
  Accept("accepted/audience_any_of",
         "aud [\"web\",\"billing\"]: one expected audience is enough",
         Signed(Header(), With(Payload(), "aud", R"(["web","billing"])")),
         any_of);
  Accept("accepted/audience_array_of_one", "aud as an array of one",
         Signed(Header(), With(Payload(), "aud", R"(["api"])")), BaseClaims());

  AccessTokenClaims with_nbf = BaseClaims();
  with_nbf.not_before = kCaseNow - absl::Minutes(1);
  Accept("accepted/nbf_past", "nbf a minute ago",
         Signed(Header(), With(Payload(), "nbf", At(-absl::Minutes(1)))),
         with_nbf);
  Accept("accepted/numeric_date_fraction",
         "fractional exp and iat are truncated to whole seconds",
         Signed(Header(),
                With(With(Payload(), "exp", At(absl::Minutes(10)) + ".9"),
                     "iat", At(-absl::Minutes(1)) + ".5")),
         BaseClaims());
  const int64_t exp = absl::ToUnixSeconds(kCaseNow + absl::Minutes(10));
  Accept(
      "accepted/numeric_date_exponent",
      "exp written with an exponent (18000006e2)",
      Signed(Header(), With(Payload(), "exp", absl::StrCat(exp / 100, "e2"))),
      BaseClaims());

  AccessTokenClaims unicode = BaseClaims();
  unicode.subject = "\xc3\xbcser-\xf0\x9f\x98\x80";  // "üser-😀"
  unicode.custom.Set("name", Json::String("Zo\xc3\xab"));
  Accept("accepted/unicode",
         "sub spelled with \\u escapes (a surrogate pair), a raw UTF-8 claim",
         Signed(Header(),
                With(With(Payload(), "sub", R"("\u00fcser-\ud83d\ude00")"),
                     "name", "\"Zo\xc3\xab\"")),
         unicode);

  AccessTokenClaims generation = BaseClaims();
  generation.subject_generation = 7;
  Accept("accepted/sgen", "sgen 7",
         Signed(Header(), With(Payload(), "sgen", "7")), generation);
  Accept("accepted/sgen_zero", "an explicit sgen 0 is the same as none",
         Signed(Header(), With(Payload(), "sgen", "0")), BaseClaims());

  AccessTokenClaims kinds = BaseClaims();
  kinds.custom.Set("flag", Json::Bool(true));
  kinds.custom.Set("nothing", Json());
  kinds.custom.Set("ratio", Json::Double(1.5));
  kinds.custom.Set("list",
                   Json::MakeArray({Json::Integer(1), Json::String("two"),
                                    Json::MakeArray({Json::Integer(3)})}));
  kinds.custom.Set("empty", Json::MakeObject());
  Members payload = Payload();
  payload.emplace_back("flag", "true");
  payload.emplace_back("nothing", "null");
  payload.emplace_back("ratio", "1.5");
  payload.emplace_back("list", R"([1,"two",[3]])");
  payload.emplace_back("empty", "{}");
  Accept("accepted/custom_value_kinds",
         "custom claims of every JSON kind, kept in token order",
         Signed(Header(), payload), kinds);
}

void Cases::AddAlgorithm() {
  const std::string payload = ObjectText(Payload());
  for (const char* none : {"none", "None", "NONE", "nOnE"}) {
    const std::string header = ObjectText(With(Header(), "alg", Quoted(none)));
    Refuse(absl::StrCat("alg/none/", none), "alg none, no signature",
           absl::StrCat(Base64UrlEncode(header), ".", Base64UrlEncode(payload),
                        "."),
           TokenError::kUnsupportedAlgorithm);
  }
  {
    // The classic confusion: the public key's JWK text as an HMAC secret.
    const std::string input = absl::StrCat(
        Base64UrlEncode(ObjectText(With(Header(), "alg", Quoted("HS256")))),
        ".", Base64UrlEncode(payload));
    const std::string secret = key_.public_key().ToJwk().Serialize();
    Refuse("alg/hs256_public_key_as_secret",
           "HS256 keyed with the published JWK",
           JoinSignature(input, HmacSha256(secret, input)),
           TokenError::kUnsupportedAlgorithm);
  }
  Refuse("alg/missing", "no alg", Signed(Without(Header(), "alg"), Payload()),
         TokenError::kUnsupportedAlgorithm);
  Refuse("alg/not_a_string", "alg 7",
         Signed(With(Header(), "alg", "7"), Payload()),
         TokenError::kUnsupportedAlgorithm);
  Refuse("alg/lower_case", "alg names are case-sensitive",
         Signed(With(Header(), "alg", Quoted(absl::AsciiStrToLower(Alg()))),
                Payload()),
         TokenError::kUnsupportedAlgorithm);
  for (const char* other : {"ES256", "EdDSA", "Ed25519", "RS256"}) {
    if (AlgorithmFromName(other) == key_.algorithm()) continue;
    Refuse(absl::StrCat("alg/not_the_keys/", other),
           "a supported alg that is not the key's, signed by the key",
           Signed(With(Header(), "alg", Quoted(other)), Payload()),
           TokenError::kUnsupportedAlgorithm);
  }
  for (const char* unknown : {"PS256", "ES384", "RS512", "ES256K", "HS256"}) {
    Refuse(absl::StrCat("alg/unknown/", unknown),
           "an algorithm Tessera does not verify, signed by the key",
           Signed(With(Header(), "alg", Quoted(unknown)), Payload()),
           TokenError::kUnsupportedAlgorithm);
  }
}

void Cases::AddKeyId() {
  Refuse("kid/unknown", "kid names no key",
         Signed(With(Header(), "kid", Quoted("nope")), Payload()),
         TokenError::kUnknownKey);
  Refuse("kid/missing", "no kid", Signed(Without(Header(), "kid"), Payload()),
         TokenError::kUnknownKey);
  Refuse("kid/empty", "kid \"\"",
         Signed(With(Header(), "kid", Quoted("")), Payload()),
         TokenError::kUnknownKey);
  Refuse("kid/not_a_string", "kid 7",
         Signed(With(Header(), "kid", "7"), Payload()),
         TokenError::kUnknownKey);
  Refuse("kid/another_key", "signed by a key outside the set, under its kid",
         SignText(ObjectText(With(Header(), "kid", Quoted(stranger_.kid()))),
                  ObjectText(Payload()), stranger_),
         TokenError::kUnknownKey);
}

void Cases::AddType() {
  Refuse("typ/missing", "no typ", Signed(Without(Header(), "typ"), Payload()),
         TokenError::kWrongType);
  Refuse("typ/jwt", "typ \"JWT\" (not an access token)",
         Signed(With(Header(), "typ", Quoted("JWT")), Payload()),
         TokenError::kWrongType);
  Refuse("typ/application_jwt", "typ \"application/jwt\"",
         Signed(With(Header(), "typ", Quoted("application/jwt")), Payload()),
         TokenError::kWrongType);
  Refuse("typ/not_a_string", "typ 7",
         Signed(With(Header(), "typ", "7"), Payload()), TokenError::kWrongType);
}

void Cases::AddHeader() {
  const std::string payload = ObjectText(Payload());
  Refuse(
      "header/crit", "crit names an extension (none is understood)",
      Signed(With(With(Header(), "crit", R"(["exp"])"), "exp", "1"), Payload()),
      TokenError::kMalformed);
  Refuse("header/not_json", "header is not JSON",
         SignText("not json", payload, key_), TokenError::kMalformed);
  Refuse("header/array", "header is a JSON array",
         SignText("[]", payload, key_), TokenError::kMalformed);
  Refuse("header/duplicate_alg", "alg appears twice",
         SignText(absl::StrCat(ObjectText(Header()).substr(
                                   0, ObjectText(Header()).size() - 1),
                               ",\"alg\":\"none\"}"),
                  payload, key_),
         TokenError::kMalformed);
  Accept("header/depth_4", "4 nested containers: the header's limit",
         Signed(With(Header(), "x-deep", NestedArrays(3)), Payload()),
         BaseClaims());
  Refuse("header/depth_5", "5 nested containers in the header",
         Signed(With(Header(), "x-deep", NestedArrays(4)), Payload()),
         TokenError::kMalformed);
  Refuse("header/too_long", "header JSON over 1024 bytes",
         Signed(With(Header(), "x-pad", Quoted(std::string(1024, 'h'))),
                Payload()),
         TokenError::kMalformed);
}

void Cases::AddSyntax() {
  const std::string token = Signed(Header(), Payload());
  const size_t dot1 = token.find('.');
  const size_t dot2 = token.find('.', dot1 + 1);
  const std::pair<const char*, size_t> places[] = {
      {"header_start", 0},
      {"payload_start", dot1 + 1},
      {"signature_start", dot2 + 1},
      {"end", token.size()}};
  const std::pair<const char*, const char*> junk[] = {
      {"padding", "="}, {"plus", "+"},     {"slash", "/"},
      {"space", " "},   {"newline", "\n"}, {"non_ascii", "\xc3\xa9"}};
  for (const auto& [where, at] : places) {
    for (const auto& [what, text] : junk) {
      std::string bad = token;
      bad.insert(at, text);
      Refuse(absl::StrCat("syntax/", what, "_at_", where),
             "a character outside unpadded base64url", bad,
             TokenError::kMalformed);
    }
  }
  Refuse("syntax/two_segments", "no signature segment", InputOf(token),
         TokenError::kMalformed);
  Refuse("syntax/four_segments", "a fourth segment", token + ".e30",
         TokenError::kMalformed);
  Refuse("syntax/empty", "the empty string", "", TokenError::kMalformed);
  Refuse("syntax/dots_only", "\"..\"", "..", TokenError::kMalformed);
  // The signature's last character carries 4 unused bits (64 and 256 are
  // 1 mod 3); setting one keeps the bytes but breaks canonical form.
  std::string loose = token;
  constexpr absl::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  loose.back() = kAlphabet[kAlphabet.find(loose.back()) + 1];
  Refuse("syntax/signature_unused_bits_set",
         "signature decodes to the same bytes, but not canonically", loose,
         TokenError::kMalformed);
}

void Cases::AddClaims() {
  const Members base = Payload();
  const std::pair<const char*, Members> broken[] = {
      {"duplicate_sub", With(base, "sub", R"("a")")},  // Completed below.
      {"sub_invalid_utf8", With(base, "sub", "\"\xff\"")},
      {"sub_lone_surrogate", With(base, "sub", R"("\ud800")")},
      {"sub_missing", Without(base, "sub")},
      {"sub_empty", With(base, "sub", R"("")")},
      {"sub_number", With(base, "sub", "7")},
      {"exp_missing", Without(base, "exp")},
      {"exp_string", With(base, "exp", R"("soon")")},
      {"exp_null", With(base, "exp", "null")},
      {"exp_negative", With(base, "exp", "-5")},
      {"exp_after_year_9999", With(base, "exp", "253402300800")},
      {"iat_missing", Without(base, "iat")},
      {"iat_string", With(base, "iat", R"("now")")},
      {"nbf_string", With(base, "nbf", R"("later")")},
      {"iss_number", With(base, "iss", "1")},
      {"aud_number", With(base, "aud", "1")},
      {"aud_holds_number", With(base, "aud", "[1]")},
      {"jti_number", With(base, "jti", "1")},
      {"sid_object", With(base, "sid", "{}")},
      {"client_id_bool", With(base, "client_id", "true")},
      {"sgen_negative", With(base, "sgen", "-1")},
      {"sgen_fraction", With(base, "sgen", "1.5")},
      {"sgen_string", With(base, "sgen", R"("1")")},
      {"depth_17", With(base, "deep", NestedArrays(16))},
  };
  for (const auto& [name, members] : broken) {
    std::string payload = ObjectText(members);
    if (absl::string_view(name) == "duplicate_sub") {
      payload.insert(payload.size() - 1, R"(,"sub":"b")");
    }
    Refuse(absl::StrCat("claims/", name), "signed, but the claims are broken",
           SignText(ObjectText(Header()), payload, key_),
           TokenError::kMalformed);
  }
  Accept("claims/depth_16", "16 nested containers: the claims' limit",
         Signed(Header(), With(base, "deep", NestedArrays(15))), [] {
           AccessTokenClaims claims = BaseClaims();
           Json deep = Json::Integer(1);
           for (int i = 0; i < 15; ++i) deep = Json::MakeArray({deep});
           claims.custom.Set("deep", deep);
           return claims;
         }());
  const std::pair<const char*, const char*> not_objects[] = {
      {"array", "[]"},
      {"not_json", "not json"},
      {"trailing_text", R"({"sub":"u"} x)"},
      {"empty", ""}};
  for (const auto& [name, text] : not_objects) {
    Refuse(absl::StrCat("claims/not_an_object/", name),
           "signed, but the payload is not a JSON object",
           SignText(ObjectText(Header()), text, key_), TokenError::kMalformed);
  }
}

// A signed token of exactly `size` bytes: the baseline with a custom claim
// "pad" and a header member "x-pad", grown until the lengths add up.
std::string Cases::Sized(size_t size, AccessTokenClaims* claims) const {
  const size_t signature = EncodedSize(key_.signature_bytes());
  const size_t payload_base =
      ObjectText(With(Payload(), "pad", Quoted(""))).size();
  for (size_t header_pad = 0; header_pad < 4; ++header_pad) {
    const std::string header = ObjectText(
        With(Header(), "x-pad", Quoted(std::string(header_pad, 'h'))));
    for (size_t pad = 0;; ++pad) {
      const size_t total = EncodedSize(header.size()) + 1 +
                           EncodedSize(payload_base + pad) + 1 + signature;
      if (total > size) break;
      if (total < size) continue;
      const std::string text(pad, 'p');
      claims->custom.Set("pad", Json::String(text));
      return SignText(header, ObjectText(With(Payload(), "pad", Quoted(text))),
                      key_);
    }
  }
  ABSL_RAW_LOG(FATAL, "token case: no token of %zu bytes", size);
  return "";
}

void Cases::AddSize() {
  AccessTokenClaims at_limit = BaseClaims();
  std::string largest = Sized(kMaxTokenBytes, &at_limit);
  Accept("size/at_limit", "exactly 8192 bytes", std::move(largest), at_limit);
  AccessTokenClaims ignored;
  Refuse("size/one_over", "8193 bytes, correctly signed",
         Sized(kMaxTokenBytes + 1, &ignored), TokenError::kMalformed);
  Refuse("size/far_over", "a claim of 8 KiB, correctly signed",
         Signed(Header(), With(Payload(), "pad",
                               Quoted(std::string(kMaxTokenBytes, 'p')))),
         TokenError::kMalformed);
}

void Cases::AddSignature() {
  const std::string token = Signed(Header(), Payload());
  const std::string input = InputOf(token);
  const std::string signature = SignatureOf(token);
  Refuse("signature/last_byte_dropped", "the signature one byte short",
         JoinSignature(input, signature.substr(0, signature.size() - 1)),
         TokenError::kBadSignature);
  Refuse("signature/byte_appended", "the signature and one more byte",
         JoinSignature(input, signature + "\x01"), TokenError::kBadSignature);
  Refuse("signature/empty", "an empty signature segment", input + ".",
         TokenError::kBadSignature);
  std::string flipped = signature;
  flipped[flipped.size() / 2] ^= 0x01;
  Refuse("signature/bit_flipped", "one bit of the signature flipped",
         JoinSignature(input, flipped), TokenError::kBadSignature);
  Refuse("signature/zeros", "a signature of zero bytes, of the right length",
         JoinSignature(input, std::string(signature.size(), '\0')),
         TokenError::kBadSignature);
  Members altered = With(Payload(), "sub", Quoted("user-43"));
  Refuse("signature/payload_altered",
         "another subject under the baseline's signature",
         absl::StrCat(Base64UrlEncode(ObjectText(Header())), ".",
                      Base64UrlEncode(ObjectText(altered)), ".",
                      Base64UrlEncode(signature)),
         TokenError::kBadSignature);
  Refuse("signature/another_key", "signed by a key outside the set, our kid",
         SignText(ObjectText(Header()), ObjectText(Payload()), stranger_),
         TokenError::kBadSignature);
  if (key_.algorithm() == Algorithm::kES256) {
    Refuse("signature/der", "the baseline's ECDSA signature in DER, not r||s",
           JoinSignature(input, EcdsaDer(signature)),
           TokenError::kBadSignature);
  }
}

void Cases::AddClock() {
  const AccessTokenClaims claims = BaseClaims();  // exp = now + 10 min
  const std::string token = Minted(claims);
  const absl::Time exp = claims.expires_at;
  Accept("clock/exp_minus_1s", "a second before exp", token, claims,
         exp - absl::Seconds(1));
  Accept("clock/at_exp", "at exp, within the leeway", token, claims, exp);
  Accept("clock/exp_plus_leeway_minus_1s", "the last second of the leeway",
         token, claims, exp + kLeeway - absl::Seconds(1));
  Refuse("clock/exp_plus_leeway", "exp + leeway: expired", token,
         TokenError::kExpired, exp + kLeeway);
  Refuse("clock/exp_plus_leeway_plus_1s", "a second later", token,
         TokenError::kExpired, exp + kLeeway + absl::Seconds(1));

  AccessTokenClaims later = BaseClaims();
  later.issued_at = kCaseNow;
  later.not_before = kCaseNow + absl::Minutes(2);
  const std::string nbf_token = Minted(later);
  const absl::Time nbf = *later.not_before;
  Accept("clock/nbf_minus_leeway", "nbf - leeway: valid", nbf_token, later,
         nbf - kLeeway);
  Refuse("clock/nbf_minus_leeway_minus_1s", "a second earlier", nbf_token,
         TokenError::kNotYetValid, nbf - kLeeway - absl::Seconds(1));

  AccessTokenClaims ahead = BaseClaims();
  ahead.issued_at = kCaseNow + kLeeway;
  Accept("clock/iat_now_plus_leeway", "iat now + leeway: valid", Minted(ahead),
         ahead);
  ahead.issued_at = kCaseNow + kLeeway + absl::Seconds(1);
  Refuse("clock/iat_now_plus_leeway_plus_1s", "iat beyond the leeway",
         Minted(ahead), TokenError::kNotYetValid);
}

void Cases::AddIssuerAndAudience() {
  const std::pair<const char*, Members> issuers[] = {
      {"other", With(Payload(), "iss", Quoted("https://evil.example.com"))},
      {"upper_case",
       With(Payload(), "iss", Quoted(absl::AsciiStrToUpper(kCaseIssuer)))},
      {"trailing_slash",
       With(Payload(), "iss", Quoted(absl::StrCat(kCaseIssuer, "/")))},
      {"missing", Without(Payload(), "iss")},
  };
  for (const auto& [name, payload] : issuers) {
    Refuse(absl::StrCat("issuer/", name), "iss is not exactly the issuer",
           Signed(Header(), payload), TokenError::kWrongIssuer);
  }
  const std::pair<const char*, Members> audiences[] = {
      {"other", With(Payload(), "aud", Quoted("web"))},
      {"upper_case", With(Payload(), "aud", Quoted("API"))},
      {"missing", Without(Payload(), "aud")},
      {"empty_array", With(Payload(), "aud", "[]")},
      {"none_expected", With(Payload(), "aud", R"(["web","admin"])")},
  };
  for (const auto& [name, payload] : audiences) {
    Refuse(absl::StrCat("audience/", name), "no expected audience in aud",
           Signed(Header(), payload), TokenError::kWrongAudience);
  }
}

// Tokens with two faults: the reason is the one checked first.
void Cases::AddPrecedence() {
  const std::string expired_at = At(-absl::Hours(1));
  const Members expired = With(Payload(), "exp", expired_at);
  const Members other_issuer =
      With(Payload(), "iss", Quoted("https://evil.example.com"));
  Refuse("precedence/expired_and_wrong_issuer", "expired wins",
         Signed(Header(),
                With(expired, "iss", Quoted("https://evil.example.com"))),
         TokenError::kExpired);
  Refuse("precedence/not_yet_valid_and_wrong_audience", "not yet valid wins",
         Signed(Header(), With(With(Payload(), "nbf", At(absl::Hours(1))),
                               "aud", Quoted("web"))),
         TokenError::kNotYetValid);
  Refuse("precedence/wrong_issuer_and_wrong_audience", "wrong issuer wins",
         Signed(Header(), With(other_issuer, "aud", Quoted("web"))),
         TokenError::kWrongIssuer);
  Refuse("precedence/bad_signature_and_expired", "bad signature wins",
         SignText(ObjectText(Header()), ObjectText(expired), stranger_),
         TokenError::kBadSignature);
  Refuse("precedence/bad_signature_and_claims_not_json",
         "claims are parsed only after the signature verifies",
         SignText(ObjectText(Header()), "not json", stranger_),
         TokenError::kBadSignature);
  Refuse("precedence/unknown_kid_and_bad_signature", "unknown key wins",
         SignText(ObjectText(With(Header(), "kid", Quoted("nope"))),
                  ObjectText(Payload()), stranger_),
         TokenError::kUnknownKey);
  Refuse(
      "precedence/wrong_type_and_unknown_kid", "wrong type wins",
      Signed(With(With(Header(), "typ", Quoted("JWT")), "kid", Quoted("nope")),
             Payload()),
      TokenError::kWrongType);
  Refuse(
      "precedence/alg_none_and_wrong_type", "unsupported algorithm wins",
      Signed(With(Without(Header(), "typ"), "alg", Quoted("none")), Payload()),
      TokenError::kUnsupportedAlgorithm);
  Refuse(
      "precedence/crit_and_unknown_kid", "crit (malformed) wins",
      Signed(With(With(Header(), "crit", R"(["b64"])"), "kid", Quoted("nope")),
             Payload()),
      TokenError::kMalformed);
  Refuse("precedence/wrong_key_algorithm_and_bad_signature",
         "the key's algorithm is checked before the signature",
         SignText(ObjectText(With(
                      Header(), "alg",
                      Quoted(key_.algorithm() == Algorithm::kRS256 ? "ES256"
                                                                   : "RS256"))),
                  ObjectText(Payload()), stranger_),
         TokenError::kUnsupportedAlgorithm);
  Refuse("precedence/noncanonical_payload_and_bad_signature",
         "segments are decoded before the signature is checked",
         absl::StrCat(Base64UrlEncode(ObjectText(Header())), ".",
                      Base64UrlEncode(ObjectText(Payload())), "=.",
                      Base64UrlEncode(std::string(4, 'x'))),
         TokenError::kMalformed);
}

}  // namespace

std::string Signer::Sign(const PrivateKey& key, absl::string_view input) const {
  absl::StatusOr<std::string> signature = key.Sign(input);
  if (!signature.ok()) {
    ABSL_RAW_LOG(FATAL, "token case: %s",
                 signature.status().ToString().c_str());
  }
  return *std::move(signature);
}

VerifyOptions CaseOptions() {
  VerifyOptions options;
  options.policy.issuer = kCaseIssuer;
  options.policy.audience = {"api", "billing"};
  options.policy.leeway = kLeeway;
  return options;
}

std::vector<TokenCase> TokenCases(const Signer& signer, const PrivateKey& key,
                                  const PrivateKey& stranger) {
  return Cases(signer, key, stranger).Build();
}

Json ClaimsToJson(const AccessTokenClaims& claims) {
  Json::Array audience;
  for (const std::string& aud : claims.audience) {
    audience.push_back(Json::String(aud));
  }
  return Json::MakeObject({
      {"iss", Json::String(claims.issuer)},
      {"sub", Json::String(claims.subject)},
      {"aud", Json::MakeArray(std::move(audience))},
      {"exp", Json::Integer(absl::ToUnixSeconds(claims.expires_at))},
      {"iat", Json::Integer(absl::ToUnixSeconds(claims.issued_at))},
      {"nbf", claims.not_before.has_value()
                  ? Json::Integer(absl::ToUnixSeconds(*claims.not_before))
                  : Json()},
      {"jti", Json::String(claims.token_id)},
      {"sid", Json::String(claims.session_id)},
      {"client_id", Json::String(claims.client_id)},
      {"sgen", Json::Integer(static_cast<int64_t>(claims.subject_generation))},
      {"custom", claims.custom},
  });
}

}  // namespace tessera::token::testing
