#ifndef TESSERA_CLIENT_TOKEN_ECDSA_SIGNATURE_H_
#define TESSERA_CLIENT_TOKEN_ECDSA_SIGNATURE_H_

// Internal to //client/token: ES256 signatures travel as raw r||s, 32 bytes
// each (RFC 7518 section 3.4); libcrypto speaks DER ECDSA-Sig-Value.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace tessera::token {

// nullopt unless `raw` is exactly 64 bytes.
std::optional<std::string> RawToDer(absl::string_view raw);

// nullopt for anything but a DER signature whose r and s fit 32 bytes.
std::optional<std::string> DerToRaw(absl::string_view der);

}  // namespace tessera::token

#endif  // TESSERA_CLIENT_TOKEN_ECDSA_SIGNATURE_H_
