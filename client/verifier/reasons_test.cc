// The refusal status round trip, short names, and that the codec's reason
// names are the API's (the conformance vectors rely on it).

#include "client/verifier/reasons.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace tessera {
namespace {

TEST(ReasonsTest, ARefusalCarriesItsReason) {
  for (int value = 0; value < 64; ++value) {
    if (!v1::TokenInvalidReason_IsValid(value)) continue;
    const auto reason = static_cast<v1::TokenInvalidReason>(value);
    const absl::Status status = TokenRefusal(reason, "why");
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(status.message(),
              absl::StrCat(v1::TokenInvalidReason_Name(reason), ": why"));
    EXPECT_EQ(TokenInvalidReasonOf(status), reason);
  }
}

TEST(ReasonsTest, OtherStatusesHaveNoReason) {
  EXPECT_EQ(TokenInvalidReasonOf(absl::OkStatus()),
            v1::TOKEN_INVALID_REASON_UNSPECIFIED);
  EXPECT_EQ(TokenInvalidReasonOf(absl::UnauthenticatedError("x")),
            v1::TOKEN_INVALID_REASON_UNSPECIFIED);
  // The payload counts only on UNAUTHENTICATED.
  absl::Status unavailable = absl::UnavailableError("x");
  unavailable.SetPayload("type.tessera.dev/TokenInvalidReason",
                         absl::Cord("5"));
  EXPECT_EQ(TokenInvalidReasonOf(unavailable),
            v1::TOKEN_INVALID_REASON_UNSPECIFIED);
  absl::Status forged = absl::UnauthenticatedError("x");
  forged.SetPayload("type.tessera.dev/TokenInvalidReason", absl::Cord("999"));
  EXPECT_EQ(TokenInvalidReasonOf(forged), v1::TOKEN_INVALID_REASON_UNSPECIFIED);
  forged.SetPayload("type.tessera.dev/TokenInvalidReason", absl::Cord("5x"));
  EXPECT_EQ(TokenInvalidReasonOf(forged), v1::TOKEN_INVALID_REASON_UNSPECIFIED);
}

TEST(ReasonsTest, ShortNamesDropThePrefix) {
  EXPECT_EQ(TokenInvalidReasonShortName(v1::TOKEN_INVALID_REASON_EXPIRED),
            "EXPIRED");
  EXPECT_EQ(
      TokenInvalidReasonShortName(v1::TOKEN_INVALID_REASON_SESSION_REVOKED),
      "SESSION_REVOKED");
  EXPECT_EQ(TokenInvalidReasonShortName(v1::TOKEN_INVALID_REASON_UNSPECIFIED),
            "UNSPECIFIED");
  EXPECT_EQ(
      TokenInvalidReasonShortName(static_cast<v1::TokenInvalidReason>(99)),
      "UNSPECIFIED");
}

TEST(ReasonsTest, CodecNamesAreTheApisShortNames) {
  for (token::TokenError error :
       {token::TokenError::kMalformed, token::TokenError::kBadSignature,
        token::TokenError::kUnknownKey,
        token::TokenError::kUnsupportedAlgorithm, token::TokenError::kExpired,
        token::TokenError::kNotYetValid, token::TokenError::kWrongAudience,
        token::TokenError::kWrongIssuer, token::TokenError::kWrongType}) {
    EXPECT_EQ(token::TokenErrorName(error),
              TokenInvalidReasonShortName(ToTokenInvalidReason(error)));
  }
}

}  // namespace
}  // namespace tessera
