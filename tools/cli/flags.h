#ifndef TESSERA_TOOLS_CLI_FLAGS_H_
#define TESSERA_TOOLS_CLI_FLAGS_H_

// The tessera CLI's flags: the connection and output ones every command
// accepts, and the arguments each command reads (commands.h says which).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/time/time.h"

ABSL_DECLARE_FLAG(std::string, address);
ABSL_DECLARE_FLAG(bool, json);
ABSL_DECLARE_FLAG(std::optional<absl::Duration>, deadline);
ABSL_DECLARE_FLAG(std::string, api_key_file);
ABSL_DECLARE_FLAG(std::string, tls_ca_file);
ABSL_DECLARE_FLAG(std::string, tls_cert_file);
ABSL_DECLARE_FLAG(std::string, tls_key_file);
ABSL_DECLARE_FLAG(std::string, subject);
ABSL_DECLARE_FLAG(std::vector<std::string>, audience);
ABSL_DECLARE_FLAG(std::string, claims);
ABSL_DECLARE_FLAG(absl::Duration, access_ttl);
ABSL_DECLARE_FLAG(absl::Duration, session_ttl);
ABSL_DECLARE_FLAG(std::string, user_agent);
ABSL_DECLARE_FLAG(std::string, ip_address);
ABSL_DECLARE_FLAG(std::string, device_name);
ABSL_DECLARE_FLAG(std::string, request_id);
ABSL_DECLARE_FLAG(std::string, refresh_token);
ABSL_DECLARE_FLAG(std::string, access_token);
ABSL_DECLARE_FLAG(std::string, session_id);
ABSL_DECLARE_FLAG(std::string, reason);
ABSL_DECLARE_FLAG(int, page_size);
ABSL_DECLARE_FLAG(std::string, page_token);
ABSL_DECLARE_FLAG(bool, include_revoked);
ABSL_DECLARE_FLAG(bool, merge);
ABSL_DECLARE_FLAG(std::string, mode);
ABSL_DECLARE_FLAG(bool, invalidate_access_tokens);
ABSL_DECLARE_FLAG(uint64_t, after_sequence);
ABSL_DECLARE_FLAG(std::string, incarnation);
ABSL_DECLARE_FLAG(int64_t, count);
ABSL_DECLARE_FLAG(std::string, alg);
ABSL_DECLARE_FLAG(std::string, kid);
ABSL_DECLARE_FLAG(std::string, path);
ABSL_DECLARE_FLAG(std::string, rpc);
ABSL_DECLARE_FLAG(int, clients);
ABSL_DECLARE_FLAG(absl::Duration, duration);

#endif  // TESSERA_TOOLS_CLI_FLAGS_H_
