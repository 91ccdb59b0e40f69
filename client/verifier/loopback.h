#ifndef TESSERA_CLIENT_VERIFIER_LOOPBACK_H_
#define TESSERA_CLIENT_VERIFIER_LOOPBACK_H_

// Whether a gRPC target names this host only, so plaintext to it never
// crosses a network: "127.x.y.z:port", "localhost:port", "[::1]:port" (also
// with the "dns:///", "ipv4:" and "ipv6:" schemes), and "unix:" /
// "unix-abstract:" sockets. Anything else, including names that merely
// resolve to a loopback address, is not: the answer depends only on the
// text, never on DNS.

#include "absl/strings/string_view.h"

namespace tessera {

bool IsLoopbackTarget(absl::string_view target);

}  // namespace tessera

#endif  // TESSERA_CLIENT_VERIFIER_LOOPBACK_H_
