#ifndef TESSERA_CLIENT_TOKEN_TESTING_TOKEN_CASES_H_
#define TESSERA_CLIENT_TOKEN_TESTING_TOKEN_CASES_H_

// The codec's table of token cases: honest tokens with the claims they must
// verify to, and hostile ones, each refused with exactly one reason. One
// implementation of each case, shared by the codec's own suite
// (client/token/hostile_token_test) and the conformance vector generator
// (tests/conformance), so the two cannot drift.
//
// Every case is judged with CaseOptions() at its own `now`. Hostile tokens
// that need a valid signature get one, so the check under test is the one
// that refuses them. Cases cover, for one signing key: accepted forms,
// `alg` (none, HMAC, the wrong algorithm for the key, unknown names), `kid`,
// `typ`, `crit`, header and segment syntax, non-canonical base64url, broken
// claims, size, signatures (tampered, truncated, DER, another key's),
// clock edges at exp/nbf/iat ± leeway, issuer and audience, and which
// reason wins when a token has several faults (the order of the checks in
// access_token.h).
//
// Thread-compatible; the functions build fresh values on every call.
// Aborts (ABSL_RAW_LOG FATAL) if libcrypto fails to sign: a test fixture.

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/token/access_token.h"
#include "client/token/json.h"
#include "client/token/keys.h"

namespace tessera::token::testing {

// The instant cases are judged at unless they say otherwise.
inline constexpr absl::Time kCaseNow = absl::FromUnixSeconds(1'800'000'000);
inline constexpr char kCaseIssuer[] = "https://auth.example.com";

// issuer kCaseIssuer, audience {"api", "billing"} (any of), leeway 30 s,
// every algorithm allowed.
VerifyOptions CaseOptions();

// Makes JWS signatures. The default signs with the key; the vector
// generator substitutes one that keeps ECDSA signatures it has already
// published (each ECDSA signature draws a fresh nonce, so signing again
// changes the bytes but not the verdict).
class Signer {
 public:
  virtual ~Signer() = default;
  // The signature (raw bytes, JWS form) of `input` under `key`.
  virtual std::string Sign(const PrivateKey& key,
                           absl::string_view input) const;
};

struct TokenCase {
  std::string name;         // Unique among one key's cases: "alg/none/None".
  std::string description;  // What is special about the token.
  std::string token;
  absl::Time now = kCaseNow;
  std::optional<TokenError> error;  // nullopt: the token is accepted.
  // Accepted cases only: what verification yields.
  Algorithm algorithm = Algorithm::kEdDSA;
  std::string kid;
  AccessTokenClaims claims;
};

// Every case for `key`, in a fixed order. `stranger` is another key of the
// same algorithm that is in no key set. Verify them against a KeySet holding
// key.public_key() (more keys do no harm).
std::vector<TokenCase> TokenCases(const Signer& signer, const PrivateKey& key,
                                  const PrivateKey& stranger);

// `claims` as the conformance vectors state them: every field always
// present ("aud" always an array, "nbf" null when absent, "sgen" 0 when
// absent, absent strings ""), times in Unix seconds, custom claims under
// "custom" in token order.
Json ClaimsToJson(const AccessTokenClaims& claims);

}  // namespace tessera::token::testing

#endif  // TESSERA_CLIENT_TOKEN_TESTING_TOKEN_CASES_H_
