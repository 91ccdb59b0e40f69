#include "server/auth/authorizer.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpc/grpc_security_constants.h"
#include "server/errors/errors.h"
#include "server/errors/reasons.h"

namespace tessera::auth {
namespace {

absl::Status Invalid(const std::string& name, absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("config: caller \"", name, "\": ", problem));
}

bool IsHex64(absl::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

const char* MethodName(Method method) {
  switch (method) {
    case Method::kIssueSession:
      return "IssueSession";
    case Method::kRefreshSession:
      return "RefreshSession";
    case Method::kRevokeSession:
      return "RevokeSession";
    case Method::kUpdateClaims:
      return "UpdateClaims";
    case Method::kGetSession:
      return "GetSession";
    case Method::kListSessions:
      return "ListSessions";
    case Method::kValidateToken:
      return "ValidateToken";
    case Method::kGetJwks:
      return "GetJwks";
    case Method::kWatchRevocations:
      return "WatchRevocations";
    case Method::kAdmin:
      return "the Admin service";
  }
  return "this method";
}

bool Allowed(const Caller& caller, Method method) {
  if (caller.admin) return true;
  switch (method) {
    case Method::kIssueSession:
    case Method::kRefreshSession:
    case Method::kRevokeSession:
    case Method::kUpdateClaims:
    case Method::kGetSession:
    case Method::kListSessions:
      return caller.issuer;
    case Method::kValidateToken:
    case Method::kGetJwks:
    case Method::kWatchRevocations:
      return caller.verifier;
    case Method::kAdmin:
      return false;
  }
  return false;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Authorizer>> Authorizer::Create(
    const std::vector<tessera::v1::Caller>& callers) {
  std::unique_ptr<Authorizer> authorizer(new Authorizer());
  absl::flat_hash_set<std::string> names, keys, sans;
  for (const tessera::v1::Caller& entry : callers) {
    Caller caller;
    caller.name = entry.name();
    if (caller.name.empty() || caller.name.size() > 64) {
      return Invalid(caller.name, "name must be 1-64 bytes");
    }
    if (!names.insert(caller.name).second) {
      return Invalid(caller.name, "name is used twice");
    }
    caller.session_group =
        entry.session_group().empty() ? caller.name : entry.session_group();
    if (caller.session_group.size() > 64) {
      return Invalid(caller.name, "session_group must be at most 64 bytes");
    }
    const bool has_key = !entry.api_key_sha256().empty();
    const bool has_san = !entry.client_cert_san().empty();
    if (has_key == has_san) {
      return Invalid(caller.name,
                     "set exactly one of api_key_sha256, client_cert_san");
    }
    if (has_key) {
      if (!IsHex64(entry.api_key_sha256())) {
        return Invalid(caller.name,
                       "api_key_sha256 must be 64 hex digits (sha256sum of "
                       "the key)");
      }
      caller.api_key_sha256 =
          absl::HexStringToBytes(absl::AsciiStrToLower(entry.api_key_sha256()));
      if (!keys.insert(caller.api_key_sha256).second) {
        return Invalid(caller.name, "api key shared with another caller");
      }
    } else {
      absl::StatusOr<San> san = ParseConfiguredSan(entry.client_cert_san());
      if (!san.ok()) return Invalid(caller.name, san.status().message());
      if (!sans.insert(
                   absl::StrCat(static_cast<int>(san->type), ":", san->value))
               .second) {
        return Invalid(caller.name,
                       "client_cert_san shared with another caller");
      }
      caller.client_cert_san = *std::move(san);
    }
    for (int role : entry.roles()) {
      switch (role) {
        case tessera::v1::ROLE_ISSUER:
          caller.issuer = true;
          break;
        case tessera::v1::ROLE_VERIFIER:
          caller.verifier = true;
          break;
        case tessera::v1::ROLE_ADMIN:
          caller.admin = true;
          break;
        default:
          return Invalid(caller.name, "unknown role");
      }
    }
    if (!caller.issuer && !caller.verifier && !caller.admin) {
      return Invalid(caller.name, "give it at least one role");
    }
    authorizer->callers_.push_back(std::move(caller));
  }
  return authorizer;
}

const Caller* Authorizer::IdentifyByCertificate(
    const grpc::ServerContextBase& context, bool* presented) const {
  // A verified client certificate (the TLS layer checked it against
  // --client_ca_file) names its caller by a typed subject alternative name.
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) return nullptr;
  for (const grpc::string_ref& pem :
       auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME)) {
    for (const San& san :
         CertificateSans(absl::string_view(pem.data(), pem.size()))) {
      *presented = true;
      for (const Caller& caller : callers_) {
        if (caller.client_cert_san.has_value() &&
            *caller.client_cert_san == san) {
          return &caller;
        }
      }
    }
  }
  return nullptr;
}

const Caller* Authorizer::Identify(const grpc::ServerContextBase& context,
                                   bool* presented) const {
  *presented = false;
  if (const Caller* caller = IdentifyByCertificate(context, presented)) {
    return caller;
  }
  const auto& metadata = context.client_metadata();
  auto [first, last] = metadata.equal_range("authorization");
  if (first == last) return nullptr;
  *presented = true;
  if (std::next(first) != last) return nullptr;  // Ambiguous: refuse.
  absl::string_view value(first->second.data(), first->second.size());
  if (value.size() <= 7 ||
      !absl::EqualsIgnoreCase(value.substr(0, 7), "bearer ")) {
    return nullptr;
  }
  value = absl::StripAsciiWhitespace(value.substr(7));
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const uint8_t*>(value.data()), value.size(), digest);
  const Caller* found = nullptr;
  for (const Caller& caller : callers_) {  // Every caller: constant time.
    if (caller.api_key_sha256.size() == sizeof(digest) &&
        CRYPTO_memcmp(caller.api_key_sha256.data(), digest, sizeof(digest)) ==
            0) {
      found = &caller;
    }
  }
  return found;
}

std::string Authorizer::IdentifiedName(
    const grpc::ServerContextBase& context) const {
  if (open()) return local_.name;
  bool presented = false;
  const Caller* caller = Identify(context, &presented);
  return caller == nullptr ? "" : caller->name;
}

absl::StatusOr<const Caller*> Authorizer::Authorize(
    const grpc::ServerContextBase& context, Method method) const {
  if (open()) return &local_;
  bool presented = false;
  const Caller* caller = Identify(context, &presented);
  if (caller == nullptr) {
    return presented
               ? errors::Error(absl::StatusCode::kUnauthenticated,
                               errors::kCallerUnknown,
                               "unknown API key or client certificate")
               : errors::Error(absl::StatusCode::kUnauthenticated,
                               errors::kCallerUnknown,
                               "send \"authorization: Bearer <API key>\" or "
                               "a client certificate");
  }
  if (!Allowed(*caller, method)) {
    return errors::Error(absl::StatusCode::kPermissionDenied,
                         errors::kRoleMissing,
                         absl::StrCat("caller \"", caller->name,
                                      "\" may not call ", MethodName(method)));
  }
  return caller;
}

}  // namespace tessera::auth
