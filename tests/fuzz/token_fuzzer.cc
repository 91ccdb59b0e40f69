// libFuzzer target over the token codec's decode + verify paths.
//
// The first input byte picks the surface, the rest is the data:
//   0: VerifyAccessToken(data) against a fixed key set (all algorithms)
//   1: ParseJson(data), and the serialize/parse round trip of what it accepts
//   2: KeySet::FromJwksJson(data)
//   3: data as the *payload* of a token signed with the fixed Ed25519 key,
//      so the claims parser sees arbitrary bytes behind a valid signature
//   4: Base64UrlDecode(data) and the canonical round trip
// Invariants checked (a violation aborts, which the fuzzer reports):
// accepted JSON re-serializes to JSON that parses to the same value;
// accepted base64url re-encodes to the same text; a verified token's claims
// re-sign and re-verify.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include "client/token/access_token.h"
#include "client/token/base64url.h"
#include "client/token/json.h"
#include "client/token/key_set.h"
#include "client/token/keys.h"

namespace tessera::token {
namespace {

// RFC 8037 Appendix A.1 Ed25519 seed, wrapped in PKCS#8.
constexpr char kEd25519Pkcs8Hex[] =
    "302e020100300506032b657004220420"
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

struct Fixture {
  PrivateKey ed25519;
  KeySet keys;
  VerifyOptions options;
};

const Fixture& GetFixture() {
  static const Fixture* fixture = [] {
    absl::StatusOr<PrivateKey> ed = PrivateKey::FromPkcs8(
        Algorithm::kEdDSA, absl::HexStringToBytes(kEd25519Pkcs8Hex));
    absl::StatusOr<PrivateKey> es = PrivateKey::Generate(Algorithm::kES256);
    absl::StatusOr<PrivateKey> rs = PrivateKey::Generate(Algorithm::kRS256);
    if (!ed.ok() || !es.ok() || !rs.ok()) std::abort();
    auto* f = new Fixture{*ed, {}, {}};
    (void)f->keys.Add(ed->public_key());
    (void)f->keys.Add(es->public_key());
    (void)f->keys.Add(rs->public_key());
    f->options.policy.issuer = "fuzz";
    return f;
  }();
  return *fixture;
}

void Check(bool condition) {
  if (!condition) std::abort();
}

void VerifyAndRoundTrip(absl::string_view token) {
  const Fixture& f = GetFixture();
  auto result = VerifyAccessToken(token, f.keys, f.options,
                                  absl::FromUnixSeconds(1'800'000'000));
  if (auto* verified = std::get_if<VerifiedToken>(&result)) {
    absl::StatusOr<std::string> again =
        SignAccessToken(f.ed25519, verified->claims);
    if (!again.ok()) return;  // E.g. larger once re-encoded: not a bug.
    auto second =
        DecodeAndVerifySignature(*again, f.keys, f.options.allowed_algorithms);
    Check(std::holds_alternative<VerifiedToken>(second));
    Check(std::get<VerifiedToken>(second).claims.subject ==
          verified->claims.subject);
  }
}

}  // namespace
}  // namespace tessera::token

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  using namespace tessera::token;
  if (size == 0) return 0;
  const absl::string_view data(reinterpret_cast<const char*>(bytes) + 1,
                               size - 1);
  switch (bytes[0] % 5) {
    case 0:
      VerifyAndRoundTrip(data);
      break;
    case 1: {
      absl::StatusOr<Json> json = ParseJson(data);
      if (json.ok()) {
        absl::StatusOr<Json> again =
            ParseJson(json->Serialize(), {.max_bytes = 1 << 20});
        Check(again.ok());
        // Doubles may print differently but must parse back equal.
        Check(again->Serialize() == json->Serialize());
      }
      break;
    }
    case 2:
      (void)KeySet::FromJwksJson(data);
      break;
    case 3: {
      const std::string header = Base64UrlEncode(
          absl::StrCat(R"({"alg":"EdDSA","typ":"at+jwt","kid":")",
                       GetFixture().ed25519.kid(), R"("})"));
      std::string token = absl::StrCat(header, ".", Base64UrlEncode(data));
      absl::StatusOr<std::string> signature = GetFixture().ed25519.Sign(token);
      Check(signature.ok());
      absl::StrAppend(&token, ".", Base64UrlEncode(*signature));
      VerifyAndRoundTrip(token);
      break;
    }
    case 4: {
      std::optional<std::string> decoded = Base64UrlDecode(data);
      if (decoded.has_value()) Check(Base64UrlEncode(*decoded) == data);
      break;
    }
  }
  return 0;
}
