#ifndef TESSERA_SERVER_NET_LISTEN_ADDRESS_H_
#define TESSERA_SERVER_NET_LISTEN_ADDRESS_H_

// Classifies the addresses tesserad is asked to listen on, so that plaintext
// is only ever served where no one else can connect (docs/security.md).
//
// Accepted forms are gRPC's: "host:port", "[v6]:port", "unix:path",
// "unix-abstract:name". Host names other than "localhost" are not resolved:
// a name could resolve to anything, so it counts as non-loopback.

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tessera::net {

struct ListenAddress {
  bool is_loopback = false;  // Reachable only from this machine.
  bool is_unix_socket = false;
};

// Returns INVALID_ARGUMENT for an address with no port, an empty host or a
// port outside 0..65535. Port 0 asks the kernel to choose.
absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view address);

}  // namespace tessera::net

#endif  // TESSERA_SERVER_NET_LISTEN_ADDRESS_H_
