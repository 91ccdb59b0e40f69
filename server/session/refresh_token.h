#ifndef TESSERA_SERVER_SESSION_REFRESH_TOKEN_H_
#define TESSERA_SERVER_SESSION_REFRESH_TOKEN_H_

// Refresh tokens and the secrets behind them (docs/tokens.md,
// docs/sessions.md).
//
// Shape: "tsr_" <session id> "." <secret>, where the session id is
// "s" + 22 base64url characters (128 random bits) and the secret is 43
// base64url characters (256 random bits from the CSPRNG). The prefix makes
// a leaked token recognizable to secret scanners; the session id makes
// lookup one point read. The store keeps only SHA-256(secret): the secret
// has full entropy, so a plain hash cannot be inverted, and comparisons are
// constant-time.
//
// Grace-window successors are sealed with AES-256-GCM under a key derived
// from the *retired* secret, so only a holder of that secret can recover
// the successor; the store alone cannot.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace tessera::session {

inline constexpr char kRefreshTokenPrefix[] = "tsr_";
inline constexpr size_t kSecretBytes = 32;
// Longest refresh token accepted as input.
inline constexpr size_t kMaxRefreshTokenBytes = 128;

struct RefreshToken {
  std::string session_id;
  std::string secret;  // kSecretBytes raw bytes.
};

// A new random session id ("s" + 22 base64url characters).
std::string NewSessionId();
// kSecretBytes from the CSPRNG.
std::string NewSecret();
// True for ids NewSessionId() could have made.
bool IsValidSessionId(absl::string_view session_id);

std::string FormatRefreshToken(const RefreshToken& token);
// nullopt for anything not exactly of the documented shape.
std::optional<RefreshToken> ParseRefreshToken(absl::string_view text);

// SHA-256 of a secret, as stored.
std::string SecretHash(absl::string_view secret);
// Constant-time equality of two hashes (false if lengths differ).
bool HashEquals(absl::string_view a, absl::string_view b);

// Seals `successor_secret` under a key derived from `retired_secret`;
// `context` (session id and generation) is bound as additional data.
std::string SealSuccessor(absl::string_view retired_secret,
                          absl::string_view successor_secret,
                          absl::string_view context);
// The successor secret, or nullopt if the secret, context or box is wrong.
std::optional<std::string> OpenSuccessor(absl::string_view retired_secret,
                                         absl::string_view sealed,
                                         absl::string_view context);

}  // namespace tessera::session

#endif  // TESSERA_SERVER_SESSION_REFRESH_TOKEN_H_
