#ifndef TESSERA_SERVER_SERVICE_REQUEST_VALIDATION_H_
#define TESSERA_SERVER_SERVICE_REQUEST_VALIDATION_H_

// The input limits of tessera.v1 requests, checked before a handler does any
// work: each check answers OK or INVALID_ARGUMENT with the ErrorInfo reason
// token_authority.proto / admin.proto document for it, and a message saying
// what is wrong (never echoing untrusted bytes). Pure functions of the
// request: no state, thread-safe. The handlers in token_authority_service.cc
// and admin_service.cc call them; nothing else decides a limit.

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "google/protobuf/struct.pb.h"
#include "tessera/v1/admin.pb.h"
#include "tessera/v1/token_authority.pb.h"

namespace tessera::service {

// Limits (documented in token_authority.proto and admin.proto).
inline constexpr size_t kMaxSubjectBytes = 256;
inline constexpr int kMaxAudiences = 16;
inline constexpr size_t kMaxAudienceBytes = 256;
inline constexpr size_t kMaxClaimsJsonBytes = 4096;
inline constexpr size_t kMaxClientFieldBytes = 256;
inline constexpr size_t kMaxReasonBytes = 256;
inline constexpr size_t kMaxPageTokenBytes = 256;
inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;
// A kid is a base64url SHA-256 thumbprint (43 bytes); allow headroom, no
// more.
inline constexpr size_t kMaxKidBytes = 128;

// SUBJECT_INVALID unless 1-kMaxSubjectBytes bytes of UTF-8.
absl::Status CheckSubject(absl::string_view subject);

// AUDIENCE_INVALID for more than kMaxAudiences, or one that is not
// 1-kMaxAudienceBytes bytes of UTF-8. None is fine.
absl::Status CheckAudiences(
    const google::protobuf::RepeatedPtrField<std::string>& audiences);

// CLAIMS_INVALID (NaN, too deep), RESERVED_CLAIM (a registered JWT name),
// CLAIMS_TOO_LARGE (over kMaxClaimsJsonBytes as JSON), in that order.
absl::Status CheckClaims(const google::protobuf::Struct& claims);

// CLIENT_INFO_INVALID for a field over kMaxClientFieldBytes or not UTF-8.
absl::Status CheckClientInfo(const tessera::v1::ClientInfo& client);

// TOKEN_TOO_LARGE for a `field` (a token) over token::kMaxTokenBytes.
absl::Status CheckTokenSize(absl::string_view field, absl::string_view token);

// TTL_INVALID for a set `field` that is not positive. Answers the TTL to
// use: unset means `max`, larger is capped at `max`.
absl::StatusOr<absl::Duration> RequestedTtl(
    bool has, const google::protobuf::Duration& requested, absl::Duration max,
    absl::string_view field);

// SESSION_ID_INVALID unless `session_id` is a Tessera session id.
absl::Status CheckSessionId(absl::string_view session_id);

// IssueSession: subject, audiences, claims, client info, then the
// request_id if set (REQUEST_ID_INVALID); the TTLs are RequestedTtl's.
absl::Status CheckIssue(const tessera::v1::IssueSessionRequest& request);

// RefreshSession: the refresh token's size.
absl::Status CheckRefresh(const tessera::v1::RefreshSessionRequest& request);

// ValidateToken: the access token's size, then the audiences.
absl::Status CheckValidate(const tessera::v1::ValidateTokenRequest& request);

// RevokeSession's reason: REASON_INVALID over kMaxReasonBytes. (The
// target's checks depend on the target: CheckSessionId, CheckSubject,
// CheckTokenSize; TARGET_MISSING is the handler's.)
absl::Status CheckRevokeReason(absl::string_view reason);

// ListSessions: the subject, PAGE_SIZE_INVALID for a negative page size,
// PAGE_TOKEN_INVALID for a page token over kMaxPageTokenBytes. Answers the
// page size to use: 0 means kDefaultPageSize, larger than kMaxPageSize is
// capped.
absl::StatusOr<int> CheckList(const tessera::v1::ListSessionsRequest& request);

// How UpdateClaims applies its claims: `mode`, or for UNSPECIFIED what the
// legacy `merge` says. CLAIMS_MODE_INVALID when merge = true contradicts
// another mode than MERGE_TOP_LEVEL, or for a mode this server does not
// know.
absl::StatusOr<tessera::v1::ClaimsMode> ClaimsModeOf(
    const tessera::v1::UpdateClaimsRequest& request);

// UpdateClaims: the subject, the mode (ClaimsModeOf, answered), then the
// claims as sent (CheckClaims; a merge patch's nulls included).
absl::StatusOr<tessera::v1::ClaimsMode> CheckUpdateClaims(
    const tessera::v1::UpdateClaimsRequest& request);

// WithdrawSigningKey: KID_INVALID unless the kid is 1-kMaxKidBytes bytes,
// REASON_TOO_LONG for a reason over kMaxReasonBytes.
absl::Status CheckWithdrawal(
    const tessera::v1::WithdrawSigningKeyRequest& request);

}  // namespace tessera::service

#endif  // TESSERA_SERVER_SERVICE_REQUEST_VALIDATION_H_
