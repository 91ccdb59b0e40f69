package tessera

import (
	"errors"
	"fmt"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ErrorDomain is the google.rpc.ErrorInfo domain of tesserad's errors.
const ErrorDomain = "tessera"

// Error is a failed tesserad call: the gRPC code and message, and the
// google.rpc.ErrorInfo reason (e.g. "SESSION_REVOKED", "RATE_LIMITED") that
// token_authority.proto lists for each RPC. Reason is "" when the status
// carried no ErrorInfo of domain "tessera" (a transport failure, a deadline).
//
// Match with errors.As(err, &tErr) and compare tErr.Reason, or with
// errors.Is(err, tessera.ErrSessionRevoked) and the other sentinels below,
// which match on the reason alone. status.FromError(err) still yields the
// original gRPC status (Error implements GRPCStatus).
type Error struct {
	Code    codes.Code
	Reason  string
	Message string
	// Metadata of the ErrorInfo, if any.
	Metadata map[string]string
	// RetryAfter is the google.rpc.RetryInfo delay (RATE_LIMITED), else 0.
	RetryAfter time.Duration
	status     *status.Status
}

func (e *Error) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("tessera: %s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("tessera: %s (%s): %s", e.Code, e.Reason, e.Message)
}

// GRPCStatus lets status.FromError and status.Code see the gRPC status.
func (e *Error) GRPCStatus() *status.Status { return e.status }

// Is matches another *Error with the same Reason (and, if it sets one, the
// same Code), so the sentinels below work with errors.Is.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok || t.Reason == "" {
		return false
	}
	return t.Reason == e.Reason && (t.Code == codes.OK || t.Code == e.Code)
}

// Reason returns the ErrorInfo reason of err ("" if err is not a tesserad
// error with one).
func Reason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

func sentinel(reason string) *Error { return &Error{Reason: reason} }

// Sentinels for errors.Is, one per reason of the API contract.
var (
	ErrSubjectInvalid      = sentinel("SUBJECT_INVALID")
	ErrAudienceInvalid     = sentinel("AUDIENCE_INVALID")
	ErrClaimsTooLarge      = sentinel("CLAIMS_TOO_LARGE")
	ErrReservedClaim       = sentinel("RESERVED_CLAIM")
	ErrClaimsInvalid       = sentinel("CLAIMS_INVALID")
	ErrClaimsModeInvalid   = sentinel("CLAIMS_MODE_INVALID")
	ErrTTLInvalid          = sentinel("TTL_INVALID")
	ErrSessionIDInvalid    = sentinel("SESSION_ID_INVALID")
	ErrPageTokenInvalid    = sentinel("PAGE_TOKEN_INVALID")
	ErrPageSizeInvalid     = sentinel("PAGE_SIZE_INVALID")
	ErrClientInfoInvalid   = sentinel("CLIENT_INFO_INVALID")
	ErrReasonInvalid       = sentinel("REASON_INVALID")
	ErrTokenTooLarge       = sentinel("TOKEN_TOO_LARGE")
	ErrTargetMissing       = sentinel("TARGET_MISSING")
	ErrRequestIDInvalid    = sentinel("REQUEST_ID_INVALID")
	ErrRefreshTokenInvalid = sentinel("REFRESH_TOKEN_INVALID")
	ErrRefreshTokenReused  = sentinel("REFRESH_TOKEN_REUSED")
	ErrSessionRevoked      = sentinel("SESSION_REVOKED")
	ErrSessionExpired      = sentinel("SESSION_EXPIRED")
	ErrCallerUnknown       = sentinel("CALLER_UNKNOWN")
	ErrRoleMissing         = sentinel("ROLE_MISSING")
	ErrSessionNotFound     = sentinel("SESSION_NOT_FOUND")
	ErrRequestIDReused     = sentinel("REQUEST_ID_REUSED")
	ErrRequestIDSpent      = sentinel("REQUEST_ID_SPENT")
	ErrRateLimited         = sentinel("RATE_LIMITED")
	ErrTooManyWatchers     = sentinel("TOO_MANY_WATCHERS")
	ErrConsumerTooSlow     = sentinel("CONSUMER_TOO_SLOW")
	ErrStoreUnavailable    = sentinel("STORE_UNAVAILABLE")
)

// fromRPC converts a gRPC error into an *Error (nil stays nil; an error
// without a gRPC status is returned as is).
func fromRPC(err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	e := &Error{Code: st.Code(), Message: st.Message(), status: st}
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			if d.GetDomain() == ErrorDomain && e.Reason == "" {
				e.Reason, e.Metadata = d.GetReason(), d.GetMetadata()
			}
		case *errdetails.RetryInfo:
			if delay := d.GetRetryDelay(); delay != nil && delay.AsDuration() > 0 {
				e.RetryAfter = delay.AsDuration()
			}
		}
	}
	return e
}
