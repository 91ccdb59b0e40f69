#ifndef TESSERA_SERVER_AUTH_SAN_H_
#define TESSERA_SERVER_AUTH_SAN_H_

// Typed subject alternative names, for identifying callers by their client
// certificate (mutual TLS).
//
// A config entry names the SAN with its type:
//   "dns:web.internal"   a dNSName (compared case-insensitively; no wildcard
//                        expansion: "*.x" matches only a literal "*.x")
//   "uri:spiffe://prod/web"  a uniformResourceIdentifier (exact)
//   "email:svc@example.com"  an rfc822Name (exact)
//   "ip:10.0.0.7" / "ip:fd00::7"  an iPAddress (compared as bytes)
// A value without a prefix is a DNS name, and must then look like one (no
// ':', '/', '@'), so a URI or address is never matched as a DNS name.
//
// The peer's SANs come from its verified certificate (the x509_pem_cert
// property of gRPC's AuthContext), parsed with OpenSSL, with their types:
// gRPC's own x509_subject_alternative_name property drops the type, so
// "DNS:a" and "URI:a" would look alike.
//
// Thread-safe: pure functions.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tessera::auth {

struct San {
  enum class Type { kDns, kUri, kEmail, kIp };
  Type type = Type::kDns;
  // DNS: lower-cased; IP: 4 or 16 raw bytes; others as written.
  std::string value;

  bool operator==(const San& other) const {
    return type == other.type && value == other.value;
  }
};

// A SAN from the config (see above); INVALID_ARGUMENT saying what is wrong.
absl::StatusOr<San> ParseConfiguredSan(absl::string_view text);

// Every DNS, URI, email and IP SAN of the first certificate in `pem`; empty
// if it does not parse.
std::vector<San> CertificateSans(absl::string_view pem);

}  // namespace tessera::auth

#endif  // TESSERA_SERVER_AUTH_SAN_H_
