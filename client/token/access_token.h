#ifndef TESSERA_CLIENT_TOKEN_ACCESS_TOKEN_H_
#define TESSERA_CLIENT_TOKEN_ACCESS_TOKEN_H_

// Access tokens: JWS compact serialization of a JWT (RFC 7515, RFC 7519),
// profiled after RFC 9068 and hardened per RFC 8725. This is the one
// implementation of "is this token well-formed and correctly signed", shared
// by the server's ValidateToken and the client Verifier.
//
// Header: {"alg":..,"kid":..,"typ":"at+jwt"}. Claims: iss, sub, aud, exp,
// iat, jti, sid, client_id, (nbf), (sgen: the subject's generation when the
// token was minted, omitted while 0; see RevocationState), plus custom
// claims.
//
// Verification, in this order, each failure mapped to one reason:
//
//   check                                              reason
//   size > 8 KiB, not three segments, bad base64url or
//   JSON in the header, header not an object,
//   duplicate header names                             kMalformed
//   alg missing, unknown (none, HS*, ...), not allowed kUnsupportedAlgorithm
//   typ missing or not "at+jwt" (case-insensitive,
//   optional "application/" prefix, RFC 8725 §3.11)    kWrongType
//   crit present (Tessera understands no extension)    kMalformed
//   kid missing or not in the key set                  kUnknownKey
//   alg is not the algorithm the key is bound to       kUnsupportedAlgorithm
//   payload or signature not canonical base64url       kMalformed
//   signature wrong                                    kBadSignature
//   payload not strict JSON or not an object, a
//   registered claim of the wrong type (sgen: a
//   non-negative integer), exp/iat/sub missing         kMalformed
//   now >= exp + leeway                                kExpired
//   now < nbf - leeway, or iat > now + leeway          kNotYetValid
//   iss differs from the expected issuer               kWrongIssuer
//   none of the expected audiences is in aud           kWrongAudience
//
// The payload's JSON is parsed only after the signature has been checked,
// so unauthenticated bytes reach no JSON parser but the header's.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/token/json.h"
#include "client/token/key_set.h"
#include "client/token/keys.h"

namespace tessera::token {

// Largest token accepted, in bytes (docs/tokens.md).
inline constexpr size_t kMaxTokenBytes = 8 * 1024;
// The `typ` of every access token (RFC 9068 §2.1).
inline constexpr char kAccessTokenType[] = "at+jwt";
// Claim names Tessera sets itself; custom claims may not use them.
// clang-format off
inline constexpr const char* kRegisteredClaims[] = {
    "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "sid", "client_id",
    "sgen"};
// clang-format on
bool IsRegisteredClaim(absl::string_view name);

// Why a token was refused. Mirrors tessera.v1 ValidateToken reasons.
enum class TokenError {
  kMalformed,
  kBadSignature,
  kUnknownKey,
  kUnsupportedAlgorithm,
  kExpired,
  kNotYetValid,
  kWrongAudience,
  kWrongIssuer,
  kWrongType,
};
absl::string_view TokenErrorName(TokenError error);  // "MALFORMED", ...

struct TokenFailure {
  TokenError error;
  std::string detail;  // For logs and messages; never contains the token.
};

struct AccessTokenClaims {
  std::string issuer;                    // iss
  std::string subject;                   // sub
  std::vector<std::string> audience;     // aud (string or array on the wire)
  absl::Time expires_at;                 // exp
  absl::Time issued_at;                  // iat
  std::optional<absl::Time> not_before;  // nbf
  std::string token_id;                  // jti
  std::string session_id;                // sid
  std::string client_id;                 // client_id
  uint64_t subject_generation = 0;       // sgen (absent: 0)
  Json custom = Json::MakeObject();      // Every other claim, in order.
};

struct VerifiedToken {
  Algorithm algorithm;
  std::string kid;
  AccessTokenClaims claims;
};

// An access token before its signature: header and claims encoded, the
// final size known. Lets a caller refuse a token that cannot be made before
// it commits to anything, and sign afterwards (signing then fails only if
// libcrypto does).
class UnsignedAccessToken {
 public:
  // Checks what SignAccessToken checks, except the signature itself.
  static absl::StatusOr<UnsignedAccessToken> Prepare(
      const PrivateKey& key, const AccessTokenClaims& claims);

  // Exactly the length of the token Sign() returns.
  size_t size() const;
  absl::StatusOr<std::string> Sign() const;

 private:
  UnsignedAccessToken(const PrivateKey& key, std::string signing_input)
      : key_(key), signing_input_(std::move(signing_input)) {}

  PrivateKey key_;
  std::string signing_input_;  // base64url(header) "." base64url(claims)
};

// Signs `claims` as an access token with `key`. Whole seconds on the wire:
// exp, iat and nbf are truncated. Fails if a custom claim uses a registered
// name or the token would exceed kMaxTokenBytes.
absl::StatusOr<std::string> SignAccessToken(const PrivateKey& key,
                                            const AccessTokenClaims& claims);

// Step 1: structure, header and signature. On success the claims are
// decoded but their values are not yet checked against any policy.
std::variant<VerifiedToken, TokenFailure> DecodeAndVerifySignature(
    absl::string_view token, const KeySet& keys,
    const absl::flat_hash_set<Algorithm>& allowed_algorithms);

struct ClaimPolicy {
  std::string issuer;                 // Required match.
  std::vector<std::string> audience;  // Empty: not checked; else any of.
  absl::Duration leeway = absl::Seconds(30);
};

// Step 2: time, issuer and audience checks at `now`. nullopt means valid.
std::optional<TokenFailure> CheckClaims(const AccessTokenClaims& claims,
                                        const ClaimPolicy& policy,
                                        absl::Time now);

// Steps 1 and 2.
struct VerifyOptions {
  ClaimPolicy policy;
  absl::flat_hash_set<Algorithm> allowed_algorithms = {
      Algorithm::kES256, Algorithm::kEdDSA, Algorithm::kRS256};
};
std::variant<VerifiedToken, TokenFailure> VerifyAccessToken(
    absl::string_view token, const KeySet& keys, const VerifyOptions& options,
    absl::Time now);

}  // namespace tessera::token

#endif  // TESSERA_CLIENT_TOKEN_ACCESS_TOKEN_H_
