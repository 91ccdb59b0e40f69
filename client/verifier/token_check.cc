#include "client/verifier/token_check.h"

#include <optional>
#include <utility>
#include <variant>

#include "client/verifier/reasons.h"

namespace tessera {
namespace {

using Claims = std::shared_ptr<const token::AccessTokenClaims>;

absl::Status Refused(const token::TokenFailure& failure) {
  return TokenRefusal(ToTokenInvalidReason(failure.error), failure.detail);
}

// Step 2: from the cache (claims checked again) or verified and cached.
absl::StatusOr<Claims> VerifiedClaims(absl::string_view token,
                                      const TokenCheckInputs& in) {
  in.cache->ForgetOtherVersions(in.key_version);
  if (Claims cached = in.cache->Find(token, in.key_version)) {
    if (std::optional<token::TokenFailure> failure =
            token::CheckClaims(*cached, in.options->policy, in.now)) {
      return Refused(*failure);
    }
    return cached;
  }
  const VersionedKeys keys = in.keys();
  if (keys.set == nullptr) {
    return absl::UnavailableError("tesserad has not sent a key set yet");
  }
  auto result = token::VerifyAccessToken(token, *keys.set, *in.options, in.now);
  if (auto* failure = std::get_if<token::TokenFailure>(&result)) {
    return Refused(*failure);
  }
  Claims claims = std::make_shared<const token::AccessTokenClaims>(
      std::move(std::get<token::VerifiedToken>(result).claims));
  // Tagged with the set it was checked against: if the keys changed
  // meanwhile, the entry is never found under the new version.
  in.cache->Insert(token, claims, in.now, keys.version);
  return claims;
}

}  // namespace

absl::StatusOr<Claims> CheckToken(absl::string_view token,
                                  const TokenCheckInputs& in) {
  if (token.size() > token::kMaxTokenBytes) {
    return TokenRefusal(tessera::v1::TOKEN_INVALID_REASON_MALFORMED,
                        "token too large");
  }
  absl::StatusOr<Claims> claims = VerifiedClaims(token, in);
  if (!claims.ok()) return claims;
  switch (in.revocations(**claims)) {
    case revocation::Verdict::kSessionRevoked:
      return TokenRefusal(tessera::v1::TOKEN_INVALID_REASON_SESSION_REVOKED,
                          "the session was revoked");
    case revocation::Verdict::kStaleClaims:
      return TokenRefusal(tessera::v1::TOKEN_INVALID_REASON_STALE_CLAIMS,
                          "the subject's claims changed; refresh the token");
    case revocation::Verdict::kValid:
      break;
  }
  return claims;
}

}  // namespace tessera
