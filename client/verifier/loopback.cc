#include "client/verifier/loopback.h"

#include <arpa/inet.h>

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace tessera {
namespace {

// "host:port" or "[v6]:port" -> host; the whole text if there is no port.
absl::string_view HostOf(absl::string_view authority) {
  if (absl::StartsWith(authority, "[")) {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) return "";
    return authority.substr(1, close - 1);
  }
  const size_t colon = authority.rfind(':');
  return colon == absl::string_view::npos ? authority
                                          : authority.substr(0, colon);
}

bool IsLoopbackHost(absl::string_view host) {
  if (absl::EqualsIgnoreCase(host, "localhost")) return true;
  const std::string text(host);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;  // 127.0.0.0/8
  }
  in6_addr v6{};
  return inet_pton(AF_INET6, text.c_str(), &v6) == 1 &&
         IN6_IS_ADDR_LOOPBACK(&v6);
}

}  // namespace

bool IsLoopbackTarget(absl::string_view target) {
  if (absl::StartsWith(target, "unix:") ||
      absl::StartsWith(target, "unix-abstract:")) {
    return true;
  }
  for (absl::string_view scheme : {"dns:///", "ipv4:", "ipv6:"}) {
    if (absl::ConsumePrefix(&target, scheme)) break;
  }
  // ipv4:/ipv6: may list several addresses: not judged, so refused.
  if (target.empty() || target.find(',') != absl::string_view::npos) {
    return false;
  }
  return IsLoopbackHost(HostOf(target));
}

}  // namespace tessera
