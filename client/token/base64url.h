#ifndef TESSERA_CLIENT_TOKEN_BASE64URL_H_
#define TESSERA_CLIENT_TOKEN_BASE64URL_H_

// Base64url without padding (RFC 7515 §2, RFC 4648 §5), strict.
//
// Decoding accepts exactly the canonical encoding of some byte string: only
// the characters A-Z a-z 0-9 '-' '_', no '=' padding, no whitespace, a length
// that is not 1 mod 4, and zero bits in the unused low bits of the last
// character. So every byte string has one accepted encoding, and a token
// cannot be altered into another accepted spelling of the same bytes.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace tessera::token {

std::string Base64UrlEncode(absl::string_view bytes);

// Returns nullopt for anything but a canonical unpadded encoding.
std::optional<std::string> Base64UrlDecode(absl::string_view text);

}  // namespace tessera::token

#endif  // TESSERA_CLIENT_TOKEN_BASE64URL_H_
