#include "tools/cli/flags.h"

#include "absl/flags/flag.h"

// Connection.
ABSL_FLAG(std::string, address, "127.0.0.1:50051", "tesserad's gRPC address.");
ABSL_FLAG(bool, json, false, "Print answers as proto3 JSON.");
ABSL_FLAG(std::optional<absl::Duration>, deadline, std::nullopt,
          "Deadline of each call (default 5s; `backup`: 1h).");
ABSL_FLAG(std::string, api_key_file, "",
          "File holding the API key (else $TESSERA_API_KEY, else none).");
ABSL_FLAG(std::string, tls_ca_file, "",
          "PEM CA certificates to trust: connect with TLS.");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM client certificate chain, for mutual TLS.");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of --tls_cert_file.");

// Command arguments (each command says which it takes).
ABSL_FLAG(std::string, subject, "", "User the session belongs to.");
ABSL_FLAG(std::vector<std::string>, audience, {},
          "Audiences, comma-separated.");
ABSL_FLAG(std::string, claims, "", "Custom claims, a JSON object.");
ABSL_FLAG(absl::Duration, access_ttl, absl::ZeroDuration(),
          "Requested access-token lifetime (capped by the server).");
ABSL_FLAG(absl::Duration, session_ttl, absl::ZeroDuration(),
          "Requested session lifetime (capped by the server).");
ABSL_FLAG(std::string, user_agent, "", "Client info: user agent.");
ABSL_FLAG(std::string, ip_address, "", "Client info: IP address.");
ABSL_FLAG(std::string, device_name, "", "Client info: device name.");
ABSL_FLAG(std::string, request_id, "",
          "issue: names the issue so a retry with the same id and flags "
          "returns the same session (16-128 printable ASCII, e.g. a UUID).");
ABSL_FLAG(std::string, refresh_token, "", "A refresh token; - reads stdin.");
ABSL_FLAG(std::string, access_token, "", "An access token; - reads stdin.");
ABSL_FLAG(std::string, session_id, "", "A session id.");
ABSL_FLAG(std::string, reason, "",
          "Why (kept with the revocation, or audited with withdraw-key).");
ABSL_FLAG(int, page_size, 0, "Sessions per page (server default if 0).");
ABSL_FLAG(std::string, page_token, "", "next_page_token of the last page.");
ABSL_FLAG(bool, include_revoked, false, "Also list revoked sessions.");
ABSL_FLAG(bool, merge, false,
          "Merge into the current claims (top-level keys); as --mode=merge.");
ABSL_FLAG(std::string, mode, "",
          "update-claims: replace, merge (top-level keys replaced) or patch "
          "(RFC 7396 JSON Merge Patch: nested merge, null deletes).");
ABSL_FLAG(bool, invalidate_access_tokens, false,
          "Make current access tokens STALE_CLAIMS at once.");
ABSL_FLAG(uint64_t, after_sequence, 0, "Events after this sequence.");
ABSL_FLAG(std::string, incarnation, "",
          "Store incarnation --after_sequence was seen in (from snapshot_end "
          "or a heartbeat); another one gets a reset snapshot.");
ABSL_FLAG(int64_t, count, 0,
          "Stop after this many events, heartbeats not counted (0: follow).");
ABSL_FLAG(std::string, alg, "", "ES256, EdDSA or RS256 (default: unchanged).");
ABSL_FLAG(std::string, kid, "", "A signing key's kid (from list-keys).");
ABSL_FLAG(std::string, path, "", "Directory to create on the server host.");
ABSL_FLAG(std::string, rpc, "issue",
          "bench: issue, refresh, validate or empty (Health/Check).");
ABSL_FLAG(int, clients, 8, "bench: calls kept outstanding.");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(10), "bench: how long.");
