#ifndef TESSERA_SERVER_HTTP_RAW_CONNECTION_H_
#define TESSERA_SERVER_HTTP_RAW_CONNECTION_H_

// For tests of the HTTP listener: plain TCP connections that send exactly
// the bytes a test gives them (half a request, endless headers, several
// pipelined requests), which no HTTP client library will.

#include <string>

namespace tessera::http::testing {

// A connection to "IPv4:PORT" that has sent `bytes` (all of them, blocking);
// -1 if it could not connect or send. The caller closes it.
int OpenConnection(const std::string& address, const std::string& bytes);

// Everything the peer sends until it closes the connection, or until
// `timeout_seconds` pass with nothing arriving.
std::string ReadToEnd(int fd, int timeout_seconds = 30);

// True if the peer has closed the connection (and sent nothing unread);
// false while it is open. Does not wait.
bool ClosedByPeer(int fd);

}  // namespace tessera::http::testing

#endif  // TESSERA_SERVER_HTTP_RAW_CONNECTION_H_
