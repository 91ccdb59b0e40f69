#ifndef TESSERA_SERVER_AUTH_AUTHORIZER_H_
#define TESSERA_SERVER_AUTH_AUTHORIZER_H_

// Who may call what (docs/security.md).
//
// Callers come from the config (`callers`), each with one credential, an
// API key (stored only as its SHA-256, sent as "authorization: Bearer
// <key>") or a typed client-certificate subject alternative name (mutual
// TLS; san.h: "dns:...", "uri:...", "email:...", "ip:..."; matched by type
// and value against the verified peer certificate), and roles:
//   issuer    IssueSession, RefreshSession, RevokeSession, UpdateClaims,
//             GetSession, ListSessions
//   verifier  ValidateToken, GetJwks, WatchRevocations
//   admin     everything, including the Admin service
// Health and reflection are open to everyone.
//
// With no callers configured (the zero-config default) the server listens
// on loopback only and every local caller is the admin "local".
//
// Invariants: API keys are compared as SHA-256 digests in constant time
// against every caller; a key or token never appears in a status message.
//
// Thread-safe (immutable after Create).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "server/auth/san.h"
#include "tessera/v1/config.pb.h"

namespace tessera::auth {

enum class Method {
  kIssueSession,
  kRefreshSession,
  kRevokeSession,
  kUpdateClaims,
  kGetSession,
  kListSessions,
  kValidateToken,
  kGetJwks,
  kWatchRevocations,
  kAdmin,  // Every Admin method.
};

struct Caller {
  std::string name;  // The client_id of tokens it issues.
  // Whose sessions it shares: its own name unless the config says.
  std::string session_group;
  bool issuer = false;
  bool verifier = false;
  bool admin = false;
  std::string api_key_sha256;  // 32 raw bytes, or empty.
  std::optional<San> client_cert_san;
};

class Authorizer {
 public:
  // INVALID_ARGUMENT naming the caller for a bad entry (name 1-64 bytes and
  // unique; exactly one credential; a 64-hex-digit key hash or a valid,
  // unique SAN; a role). No side effects: config validation calls it too.
  static absl::StatusOr<std::unique_ptr<Authorizer>> Create(
      const std::vector<tessera::v1::Caller>& callers);

  // No callers configured: loopback only, everyone local is admin.
  bool open() const { return callers_.empty(); }
  size_t caller_count() const { return callers_.size(); }

  // The name of the caller `context` presents a valid credential for, or
  // "" (for audit records of refused calls).
  std::string IdentifiedName(const grpc::ServerContextBase& context) const;

  // The caller of `context`, if it may call `method`. UNAUTHENTICATED
  // (CALLER_UNKNOWN: no or a wrong credential) or PERMISSION_DENIED
  // (ROLE_MISSING) otherwise.
  absl::StatusOr<const Caller*> Authorize(
      const grpc::ServerContextBase& context, Method method) const;

 private:
  Authorizer() = default;
  const Caller* Identify(const grpc::ServerContextBase& context,
                         bool* presented) const;
  const Caller* IdentifyByCertificate(const grpc::ServerContextBase& context,
                                      bool* presented) const;

  std::vector<Caller> callers_;
  Caller local_{.name = "local",
                .session_group = "local",
                .issuer = true,
                .verifier = true,
                .admin = true};
};

}  // namespace tessera::auth

#endif  // TESSERA_SERVER_AUTH_AUTHORIZER_H_
