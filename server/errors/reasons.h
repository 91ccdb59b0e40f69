#ifndef TESSERA_SERVER_ERRORS_REASONS_H_
#define TESSERA_SERVER_ERRORS_REASONS_H_

// Every google.rpc.ErrorInfo reason tesserad answers with, by name: the
// one place the server spells them (errors::Error(code, reason, message)).
// The reasons are part of the API contract: token_authority.proto and
// admin.proto list each with its status code and meaning, and clients match
// them as strings, so a value here never changes. Tests spell them out as
// the contract does, so that a changed constant fails them.

namespace tessera::errors {

// INVALID_ARGUMENT: a request outside its documented limits
// (server/service/request_validation.h).
inline constexpr char kSubjectInvalid[] = "SUBJECT_INVALID";
inline constexpr char kAudienceInvalid[] = "AUDIENCE_INVALID";
inline constexpr char kClaimsTooLarge[] = "CLAIMS_TOO_LARGE";
inline constexpr char kReservedClaim[] = "RESERVED_CLAIM";
inline constexpr char kClaimsInvalid[] = "CLAIMS_INVALID";
inline constexpr char kClaimsModeInvalid[] = "CLAIMS_MODE_INVALID";
inline constexpr char kTtlInvalid[] = "TTL_INVALID";
inline constexpr char kSessionIdInvalid[] = "SESSION_ID_INVALID";
inline constexpr char kPageTokenInvalid[] = "PAGE_TOKEN_INVALID";
inline constexpr char kPageSizeInvalid[] = "PAGE_SIZE_INVALID";
inline constexpr char kClientInfoInvalid[] = "CLIENT_INFO_INVALID";
inline constexpr char kReasonInvalid[] = "REASON_INVALID";
inline constexpr char kTokenTooLarge[] = "TOKEN_TOO_LARGE";
inline constexpr char kTargetMissing[] = "TARGET_MISSING";
inline constexpr char kRequestIdInvalid[] = "REQUEST_ID_INVALID";
inline constexpr char kIncarnationInvalid[] = "INCARNATION_INVALID";
inline constexpr char kLogHashInvalid[] = "LOG_HASH_INVALID";
// Admin.
inline constexpr char kBackupPathInvalid[] = "BACKUP_PATH_INVALID";
// CreateBackup on a PostgreSQL store: the database is backed up by its own
// tools (pg_basebackup, WAL archiving), FAILED_PRECONDITION.
inline constexpr char kBackupNotHere[] = "BACKUP_NOT_HERE";
inline constexpr char kAlgorithmInvalid[] = "ALGORITHM_INVALID";
inline constexpr char kKidInvalid[] = "KID_INVALID";
inline constexpr char kReasonTooLong[] = "REASON_TOO_LONG";

// UNAUTHENTICATED.
inline constexpr char kRefreshTokenInvalid[] = "REFRESH_TOKEN_INVALID";
inline constexpr char kRefreshTokenReused[] = "REFRESH_TOKEN_REUSED";
inline constexpr char kSessionRevoked[] = "SESSION_REVOKED";
inline constexpr char kSessionExpired[] = "SESSION_EXPIRED";
inline constexpr char kCallerUnknown[] = "CALLER_UNKNOWN";

// PERMISSION_DENIED.
inline constexpr char kRoleMissing[] = "ROLE_MISSING";

// NOT_FOUND.
inline constexpr char kSessionNotFound[] = "SESSION_NOT_FOUND";
inline constexpr char kKeyNotFound[] = "KEY_NOT_FOUND";

// ALREADY_EXISTS / FAILED_PRECONDITION.
inline constexpr char kRequestIdReused[] = "REQUEST_ID_REUSED";
inline constexpr char kRequestIdSpent[] = "REQUEST_ID_SPENT";
inline constexpr char kTooManyKeys[] = "TOO_MANY_KEYS";

// RESOURCE_EXHAUSTED.
inline constexpr char kRateLimited[] = "RATE_LIMITED";
inline constexpr char kTooManyWatchers[] = "TOO_MANY_WATCHERS";
inline constexpr char kConsumerTooSlow[] = "CONSUMER_TOO_SLOW";

// UNAVAILABLE.
inline constexpr char kStoreUnavailable[] = "STORE_UNAVAILABLE";

}  // namespace tessera::errors

#endif  // TESSERA_SERVER_ERRORS_REASONS_H_
