#include "client/token/access_token.h"

#include <cmath>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/token/base64url.h"

namespace tessera::token {
namespace {

// Limits on the JSON inside a token; the token size already bounds bytes.
constexpr JsonLimits kHeaderLimits = {.max_bytes = 1024, .max_depth = 4};
constexpr JsonLimits kPayloadLimits = {.max_bytes = kMaxTokenBytes,
                                       .max_depth = 16};
// NumericDate values beyond year 9999 are nonsense, and would overflow.
constexpr int64_t kMaxNumericDate = 253402300799;

TokenFailure Fail(TokenError error, std::string detail) {
  return TokenFailure{error, std::move(detail)};
}

bool IsAccessTokenType(absl::string_view typ) {
  // Media types are case-insensitive; "application/" may be omitted
  // (RFC 7515 §4.1.9).
  if (absl::StartsWithIgnoreCase(typ, "application/")) {
    typ.remove_prefix(strlen("application/"));
  }
  return absl::EqualsIgnoreCase(typ, kAccessTokenType);
}

// A NumericDate claim: a non-negative JSON number of seconds. RFC 7519
// allows fractions; they are truncated to whole seconds, which makes exp a
// little earlier, never later.
std::optional<absl::Time> NumericDate(const Json& value) {
  if (value.is_integer()) {
    if (value.integer_value() < 0 || value.integer_value() > kMaxNumericDate) {
      return std::nullopt;
    }
    return absl::FromUnixSeconds(value.integer_value());
  }
  if (value.is_number()) {
    double seconds = value.number_value();
    if (!std::isfinite(seconds) || seconds < 0 ||
        seconds > static_cast<double>(kMaxNumericDate)) {
      return std::nullopt;
    }
    return absl::FromUnixSeconds(static_cast<int64_t>(std::floor(seconds)));
  }
  return std::nullopt;
}

// Consumes `payload`: strings and custom values are moved, not copied.
std::optional<TokenFailure> ReadClaims(Json& payload,
                                       AccessTokenClaims& claims) {
  if (!payload.is_object()) {
    return Fail(TokenError::kMalformed, "claims are not a JSON object");
  }
  bool has_exp = false;
  bool has_iat = false;
  for (auto& member : payload.mutable_object()) {
    // Named references, not structured bindings: C++17 lambdas cannot
    // capture those.
    const std::string& name = member.first;
    Json& value = member.second;
    auto need_string = [&](std::string& field) -> std::optional<TokenFailure> {
      if (!value.is_string()) {
        return Fail(TokenError::kMalformed,
                    absl::StrCat("claim \"", name, "\" is not a string"));
      }
      field = std::move(value.mutable_string());
      return std::nullopt;
    };
    auto need_date = [&](absl::Time& field) -> std::optional<TokenFailure> {
      std::optional<absl::Time> date = NumericDate(value);
      if (!date.has_value()) {
        return Fail(TokenError::kMalformed,
                    absl::StrCat("claim \"", name, "\" is not a NumericDate"));
      }
      field = *date;
      return std::nullopt;
    };
    std::optional<TokenFailure> failure;
    if (name == "sgen") {
      if (!value.is_integer() || value.integer_value() < 0) {
        return Fail(TokenError::kMalformed,
                    "claim \"sgen\" is not a non-negative integer");
      }
      claims.subject_generation = static_cast<uint64_t>(value.integer_value());
    } else if (name == "iss") {
      failure = need_string(claims.issuer);
    } else if (name == "sub") {
      failure = need_string(claims.subject);
    } else if (name == "jti") {
      failure = need_string(claims.token_id);
    } else if (name == "sid") {
      failure = need_string(claims.session_id);
    } else if (name == "client_id") {
      failure = need_string(claims.client_id);
    } else if (name == "exp") {
      failure = need_date(claims.expires_at);
      has_exp = true;
    } else if (name == "iat") {
      failure = need_date(claims.issued_at);
      has_iat = true;
    } else if (name == "nbf") {
      absl::Time nbf;
      failure = need_date(nbf);
      claims.not_before = nbf;
    } else if (name == "aud") {
      if (value.is_string()) {
        claims.audience.push_back(value.string_value());
      } else if (value.is_array()) {
        for (const Json& element : value.array()) {
          if (!element.is_string()) {
            return Fail(TokenError::kMalformed,
                        "claim \"aud\" holds a non-string");
          }
          claims.audience.push_back(element.string_value());
        }
      } else {
        return Fail(TokenError::kMalformed,
                    "claim \"aud\" is neither a string nor an array");
      }
    } else {
      claims.custom.AppendUnique(std::move(member.first), std::move(value));
    }
    if (failure.has_value()) return failure;
  }
  if (!has_exp) return Fail(TokenError::kMalformed, "claim \"exp\" missing");
  if (!has_iat) return Fail(TokenError::kMalformed, "claim \"iat\" missing");
  if (claims.subject.empty()) {
    return Fail(TokenError::kMalformed, "claim \"sub\" missing or empty");
  }
  return std::nullopt;
}

// The decoded, checked JOSE header.
struct Header {
  Algorithm algorithm;
  std::string kid;
};

std::variant<Header, TokenFailure> ReadHeader(
    absl::string_view encoded,
    const absl::flat_hash_set<Algorithm>& allowed_algorithms) {
  std::optional<std::string> bytes = Base64UrlDecode(encoded);
  if (!bytes.has_value()) {
    return Fail(TokenError::kMalformed, "header is not base64url");
  }
  absl::StatusOr<Json> header = ParseJson(*bytes, kHeaderLimits);
  if (!header.ok()) {
    return Fail(TokenError::kMalformed,
                absl::StrCat("header: ", header.status().message()));
  }
  if (!header->is_object()) {
    return Fail(TokenError::kMalformed, "header is not a JSON object");
  }
  const Json* alg = header->Find("alg");
  if (alg == nullptr || !alg->is_string()) {
    return Fail(TokenError::kUnsupportedAlgorithm, "header has no alg");
  }
  std::optional<Algorithm> algorithm = AlgorithmFromName(alg->string_value());
  if (!algorithm.has_value() || !allowed_algorithms.contains(*algorithm)) {
    return Fail(TokenError::kUnsupportedAlgorithm,
                "alg is not on the allow-list");
  }
  const Json* typ = header->Find("typ");
  if (typ == nullptr || !typ->is_string() ||
      !IsAccessTokenType(typ->string_value())) {
    return Fail(TokenError::kWrongType, "typ is not at+jwt");
  }
  if (header->Find("crit") != nullptr) {
    return Fail(TokenError::kMalformed,
                "crit names an extension this verifier does not understand");
  }
  const Json* kid = header->Find("kid");
  if (kid == nullptr || !kid->is_string() || kid->string_value().empty()) {
    return Fail(TokenError::kUnknownKey, "header has no kid");
  }
  return Header{*algorithm, kid->string_value()};
}

}  // namespace

bool IsRegisteredClaim(absl::string_view name) {
  for (const char* registered : kRegisteredClaims) {
    if (name == registered) return true;
  }
  return false;
}

absl::string_view TokenErrorName(TokenError error) {
  switch (error) {
    case TokenError::kMalformed:
      return "MALFORMED";
    case TokenError::kBadSignature:
      return "BAD_SIGNATURE";
    case TokenError::kUnknownKey:
      return "UNKNOWN_KEY";
    case TokenError::kUnsupportedAlgorithm:
      return "UNSUPPORTED_ALGORITHM";
    case TokenError::kExpired:
      return "EXPIRED";
    case TokenError::kNotYetValid:
      return "NOT_YET_VALID";
    case TokenError::kWrongAudience:
      return "WRONG_AUDIENCE";
    case TokenError::kWrongIssuer:
      return "WRONG_ISSUER";
    case TokenError::kWrongType:
      return "WRONG_TYPE";
  }
  return "UNKNOWN";
}

absl::StatusOr<UnsignedAccessToken> UnsignedAccessToken::Prepare(
    const PrivateKey& key, const AccessTokenClaims& claims) {
  Json header = Json::MakeObject();
  header.Set("alg", Json::String(std::string(AlgorithmName(key.algorithm()))));
  header.Set("kid", Json::String(key.kid()));
  header.Set("typ", Json::String(kAccessTokenType));

  Json payload = Json::MakeObject();
  payload.Set("iss", Json::String(claims.issuer));
  payload.Set("sub", Json::String(claims.subject));
  if (claims.audience.size() == 1) {
    payload.Set("aud", Json::String(claims.audience[0]));
  } else if (!claims.audience.empty()) {
    Json::Array audience;
    for (const std::string& aud : claims.audience) {
      audience.push_back(Json::String(aud));
    }
    payload.Set("aud", Json::MakeArray(std::move(audience)));
  }
  payload.Set("exp", Json::Integer(absl::ToUnixSeconds(claims.expires_at)));
  if (claims.not_before.has_value()) {
    payload.Set("nbf", Json::Integer(absl::ToUnixSeconds(*claims.not_before)));
  }
  payload.Set("iat", Json::Integer(absl::ToUnixSeconds(claims.issued_at)));
  if (!claims.token_id.empty()) {
    payload.Set("jti", Json::String(claims.token_id));
  }
  if (!claims.session_id.empty()) {
    payload.Set("sid", Json::String(claims.session_id));
  }
  if (!claims.client_id.empty()) {
    payload.Set("client_id", Json::String(claims.client_id));
  }
  if (claims.subject_generation != 0) {
    payload.Set("sgen",
                Json::Integer(static_cast<int64_t>(claims.subject_generation)));
  }
  if (!claims.custom.is_object()) {
    return absl::InvalidArgumentError("custom claims must be a JSON object");
  }
  for (const auto& [name, value] : claims.custom.object()) {
    if (IsRegisteredClaim(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "custom claim \"", name, "\" is a registered claim name"));
    }
    payload.Set(name, value);
  }

  UnsignedAccessToken unsigned_token(
      key, absl::StrCat(Base64UrlEncode(header.Serialize()), ".",
                        Base64UrlEncode(payload.Serialize())));
  if (unsigned_token.size() > kMaxTokenBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("the token would be ", unsigned_token.size(),
                     " bytes; the limit is ", kMaxTokenBytes));
  }
  return unsigned_token;
}

size_t UnsignedAccessToken::size() const {
  // Unpadded base64url: 4 characters per 3 bytes, 2 or 3 for a remainder.
  const size_t bytes = key_.signature_bytes();
  const size_t encoded = bytes / 3 * 4 + (bytes % 3 == 0 ? 0 : bytes % 3 + 1);
  return signing_input_.size() + 1 + encoded;
}

absl::StatusOr<std::string> UnsignedAccessToken::Sign() const {
  absl::StatusOr<std::string> signature = key_.Sign(signing_input_);
  if (!signature.ok()) return signature.status();
  return absl::StrCat(signing_input_, ".", Base64UrlEncode(*signature));
}

absl::StatusOr<std::string> SignAccessToken(const PrivateKey& key,
                                            const AccessTokenClaims& claims) {
  absl::StatusOr<UnsignedAccessToken> prepared =
      UnsignedAccessToken::Prepare(key, claims);
  if (!prepared.ok()) return prepared.status();
  return prepared->Sign();
}

std::variant<VerifiedToken, TokenFailure> DecodeAndVerifySignature(
    absl::string_view token, const KeySet& keys,
    const absl::flat_hash_set<Algorithm>& allowed_algorithms) {
  if (token.size() > kMaxTokenBytes) {
    return Fail(TokenError::kMalformed,
                absl::StrCat("token longer than ", kMaxTokenBytes, " bytes"));
  }
  const size_t first_dot = token.find('.');
  const size_t second_dot = first_dot == absl::string_view::npos
                                ? absl::string_view::npos
                                : token.find('.', first_dot + 1);
  if (second_dot == absl::string_view::npos ||
      token.find('.', second_dot + 1) != absl::string_view::npos) {
    return Fail(TokenError::kMalformed, "token is not three segments");
  }
  const absl::string_view signing_input = token.substr(0, second_dot);
  const absl::string_view encoded_header = token.substr(0, first_dot);
  const absl::string_view encoded_payload =
      token.substr(first_dot + 1, second_dot - first_dot - 1);
  const absl::string_view encoded_signature = token.substr(second_dot + 1);

  std::variant<Header, TokenFailure> header =
      ReadHeader(encoded_header, allowed_algorithms);
  if (auto* failure = std::get_if<TokenFailure>(&header)) return *failure;
  const Header& checked = std::get<Header>(header);

  const PublicKey* key = keys.Find(checked.kid);
  if (key == nullptr) {
    return Fail(TokenError::kUnknownKey, "kid is not in the key set");
  }
  if (key->algorithm() != checked.algorithm) {
    return Fail(TokenError::kUnsupportedAlgorithm,
                "alg differs from the algorithm of the key");
  }
  // Every segment must be canonical base64url before any cryptography:
  // a non-canonical spelling is malformed, whatever its signature.
  std::optional<std::string> payload_bytes = Base64UrlDecode(encoded_payload);
  if (!payload_bytes.has_value()) {
    return Fail(TokenError::kMalformed, "payload is not base64url");
  }
  std::optional<std::string> signature = Base64UrlDecode(encoded_signature);
  if (!signature.has_value()) {
    return Fail(TokenError::kMalformed, "signature is not base64url");
  }
  if (!key->Verify(signing_input, *signature)) {
    return Fail(TokenError::kBadSignature, "signature does not verify");
  }
  absl::StatusOr<Json> payload = ParseJson(*payload_bytes, kPayloadLimits);
  if (!payload.ok()) {
    return Fail(TokenError::kMalformed,
                absl::StrCat("claims: ", payload.status().message()));
  }
  VerifiedToken verified{checked.algorithm, checked.kid, {}};
  if (std::optional<TokenFailure> failure =
          ReadClaims(*payload, verified.claims)) {
    return *failure;
  }
  return verified;
}

std::optional<TokenFailure> CheckClaims(const AccessTokenClaims& claims,
                                        const ClaimPolicy& policy,
                                        absl::Time now) {
  // RFC 7519 §4.1.4: valid only while now is before exp (plus leeway).
  if (now >= claims.expires_at + policy.leeway) {
    return Fail(TokenError::kExpired, "token has expired");
  }
  if (claims.not_before.has_value() &&
      now < *claims.not_before - policy.leeway) {
    return Fail(TokenError::kNotYetValid, "nbf is in the future");
  }
  if (claims.issued_at > now + policy.leeway) {
    return Fail(TokenError::kNotYetValid, "iat is in the future");
  }
  if (claims.issuer != policy.issuer) {
    return Fail(TokenError::kWrongIssuer, "iss is not the expected issuer");
  }
  if (!policy.audience.empty()) {
    bool match = false;
    for (const std::string& wanted : policy.audience) {
      for (const std::string& aud : claims.audience) {
        if (aud == wanted) match = true;
      }
    }
    if (!match) {
      return Fail(TokenError::kWrongAudience, "no expected audience in aud");
    }
  }
  return std::nullopt;
}

std::variant<VerifiedToken, TokenFailure> VerifyAccessToken(
    absl::string_view token, const KeySet& keys, const VerifyOptions& options,
    absl::Time now) {
  std::variant<VerifiedToken, TokenFailure> result =
      DecodeAndVerifySignature(token, keys, options.allowed_algorithms);
  if (auto* verified = std::get_if<VerifiedToken>(&result)) {
    if (std::optional<TokenFailure> failure =
            CheckClaims(verified->claims, options.policy, now)) {
      return *failure;
    }
  }
  return result;
}

}  // namespace tessera::token
