// The Tessera token authority API.
//
// Tessera issues, refreshes, validates and revokes user sessions. A session
// is represented to clients by two tokens:
//   - an access token: a short-lived JWT (JWS compact, header
//     {"alg","kid","typ":"at+jwt"}) that relying services verify locally or
//     with ValidateToken;
//   - a refresh token: an opaque secret ("tsr_" prefix, 256 bits from the
//     CSPRNG) that rotates on every RefreshSession.
//
// Callers and roles (docs/security.md). Each RPC names the roles that may call it:
//   issuer   — IssueSession, RefreshSession, RevokeSession, UpdateClaims,
//              GetSession, ListSessions
//   verifier — ValidateToken, GetJwks, WatchRevocations
//   admin    — everything, including the Admin service
// With no callers configured (zero-config) only loopback is served and every
// local caller has every role.
//
// Sessions belong to the session group of the caller that issued them (a
// caller's own name unless the config gives it a `session_group`, so that
// e.g. a web and a mobile backend share their users' sessions). For any
// other issuer a session does not exist: RefreshSession, GetSession and
// RevokeSession answer as for an unknown session, ListSessions and
// "sign out everywhere" see only the caller's group, and UpdateClaims
// changes the claims of the caller's group only. Admin callers may refresh,
// read, list and revoke every group's sessions.
//
// Errors. Every failure is a gRPC status with a google.rpc.ErrorInfo detail
// (domain "tessera"); `reason` is part of this contract:
//   INVALID_ARGUMENT:
//     SUBJECT_INVALID        subject empty, longer than 256 bytes, or not
//                            UTF-8
//     AUDIENCE_INVALID       more than 16 audiences, or one empty or longer
//                            than 256 bytes
//     CLAIMS_TOO_LARGE       claims longer than 4096 bytes as JSON
//     RESERVED_CLAIM         a custom claim named iss, sub, aud, exp, nbf,
//                            iat, jti, sid, client_id or sgen
//     CLAIMS_INVALID         claims nested deeper than 16, or not an object
//     CLAIMS_MODE_INVALID    UpdateClaims with an unknown mode, or a mode
//                            other than MERGE_TOP_LEVEL with merge = true
//     TTL_INVALID            a negative or zero requested TTL
//     SESSION_ID_INVALID     session_id not of the form Tessera issues
//     PAGE_TOKEN_INVALID     page_token not from a previous ListSessions
//     PAGE_SIZE_INVALID      a negative page_size
//     CLIENT_INFO_INVALID    a ClientInfo field over 256 bytes or not UTF-8
//     REASON_INVALID         a revocation reason over 256 bytes
//     TOKEN_TOO_LARGE        a token longer than 8192 bytes
//     TARGET_MISSING         RevokeSession with no target
//     REQUEST_ID_INVALID     request_id not 16-128 bytes of printable ASCII
//   UNAUTHENTICATED:
//     REFRESH_TOKEN_INVALID  malformed, unknown, or wrong secret; changes
//                            nothing
//     REFRESH_TOKEN_REUSED   a retired refresh token presented outside the
//                            grace window: the session is now revoked.
//                            Every later refresh of that session with any
//                            of its authentic tokens (the thief's or the
//                            owner's) gets this reason too, never
//                            SESSION_REVOKED: ask RefreshSession to learn
//                            whether a revoked session was stolen
//     SESSION_REVOKED        the session was revoked
//     SESSION_EXPIRED        the session passed its idle or absolute expiry
//     CALLER_UNKNOWN         no or wrong API key / client certificate
//                            (only when callers are configured)
//   PERMISSION_DENIED:
//     ROLE_MISSING           the caller lacks the role the method needs
//   NOT_FOUND:
//     SESSION_NOT_FOUND      GetSession of an unknown (or purged) session
//   ALREADY_EXISTS:
//     REQUEST_ID_REUSED      IssueSession with a request_id its session
//                            group used in the last 24 h for another
//                            request; nothing is issued
//   FAILED_PRECONDITION:
//     REQUEST_ID_SPENT       IssueSession retried with a request_id whose
//                            session was since refreshed, revoked or
//                            expired; start over with a new request_id
//   RESOURCE_EXHAUSTED:
//     RATE_LIMITED           per-caller rate limit; carries RetryInfo
//     TOO_MANY_WATCHERS      per-caller cap on WatchRevocations streams
//     CONSUMER_TOO_SLOW      a WatchRevocations stream fell too far behind;
//                            reconnect with after_sequence
//   UNAVAILABLE:
//     STORE_UNAVAILABLE      the store failed a write; nothing was changed
//
// Access tokens are judged the same way everywhere: ValidateToken, the C++
// Verifier (client/verifier) and every client library reach the same
// verdict with the same TokenInvalidReason (see there for the checks and
// their order). The language-neutral vectors in
// tests/conformance/tokens.json, made from the C++ codec, pin this down;
// client libraries must pass all of them.
//
// HTTP services taking access tokens (client/auth/http_bearer.h and the
// client libraries' middleware) answer the same way too, exactly as
// docs/http-contract.md and tests/conformance/http.json state:
//   no Authorization field, an empty one,   401  WWW-Authenticate: Bearer
//   or another scheme ("Basic ...")              realm="tessera"
//   several fields, or "Bearer" without     400  WWW-Authenticate: Bearer
//   exactly one b64token after it                realm="tessera",
//                                                error="invalid_request"
//   token refused with reason R             401  WWW-Authenticate: Bearer
//                                                realm="tessera",
//                                                error="invalid_token";
//                                                Tessera-Reason: R
//   verifier not in sync or stale           503  Retry-After: 2
//   (it fails closed)
// R is the TokenInvalidReason name without "TOKEN_INVALID_REASON_"
// ("EXPIRED"). Every answer has Cache-Control: no-store and a JSON body
// {"error":...,"reason":...}.
//
// Limits: request messages are at most 64 KiB. Timestamps are UTC.
// Durations requested by callers are capped by the server's limits
// (--access_ttl, --session_ttl), never raised above them.

// Code generated by protoc-gen-go. DO NOT EDIT.
// versions:
// 	protoc-gen-go v1.36.12
// 	protoc        v3.21.12
// source: tessera/v1/token_authority.proto

package tesserapb

import (
	protoreflect "google.golang.org/protobuf/reflect/protoreflect"
	protoimpl "google.golang.org/protobuf/runtime/protoimpl"
	durationpb "google.golang.org/protobuf/types/known/durationpb"
	structpb "google.golang.org/protobuf/types/known/structpb"
	timestamppb "google.golang.org/protobuf/types/known/timestamppb"
	reflect "reflect"
	sync "sync"
	unsafe "unsafe"
)

const (
	// Verify that this generated code is sufficiently up-to-date.
	_ = protoimpl.EnforceVersion(20 - protoimpl.MinVersion)
	// Verify that runtime/protoimpl is sufficiently up-to-date.
	_ = protoimpl.EnforceVersion(protoimpl.MaxVersion - 20)
)

// Why a token is not valid: the token codec's checks plus the revocation
// state. A token with several faults gets the reason of the first check it
// fails, in this order: size (at most 8192 bytes), segments and header
// syntax (MALFORMED); alg (UNSUPPORTED_ALGORITHM); typ (WRONG_TYPE); crit
// (MALFORMED); kid (UNKNOWN_KEY); alg against the key's algorithm
// (UNSUPPORTED_ALGORITHM); payload and signature encoding (MALFORMED);
// signature (BAD_SIGNATURE); claims syntax (MALFORMED); exp (EXPIRED); nbf
// and iat (NOT_YET_VALID); iss (WRONG_ISSUER); aud (WRONG_AUDIENCE);
// revocation (SESSION_REVOKED, STALE_CLAIMS). tests/conformance/tokens.json
// has vectors for each, and for the order. Over HTTP the name without its
// "TOKEN_INVALID_REASON_" prefix is sent as the Tessera-Reason header.
type TokenInvalidReason int32

const (
	TokenInvalidReason_TOKEN_INVALID_REASON_UNSPECIFIED TokenInvalidReason = 0
	// Not a well-formed JWS/JWT: segments, base64url, JSON (duplicate keys,
	// invalid UTF-8), missing claims, unknown `crit`, larger than 8 KiB.
	TokenInvalidReason_TOKEN_INVALID_REASON_MALFORMED TokenInvalidReason = 1
	// The signature does not verify.
	TokenInvalidReason_TOKEN_INVALID_REASON_BAD_SIGNATURE TokenInvalidReason = 2
	// `kid` missing or not a published key.
	TokenInvalidReason_TOKEN_INVALID_REASON_UNKNOWN_KEY TokenInvalidReason = 3
	// `alg` is none, HS*, unknown, or not the algorithm of the key.
	TokenInvalidReason_TOKEN_INVALID_REASON_UNSUPPORTED_ALGORITHM TokenInvalidReason = 4
	// Past `exp` (plus leeway, default 30 s).
	TokenInvalidReason_TOKEN_INVALID_REASON_EXPIRED TokenInvalidReason = 5
	// Before `nbf`, or `iat` in the future (beyond leeway).
	TokenInvalidReason_TOKEN_INVALID_REASON_NOT_YET_VALID TokenInvalidReason = 6
	// None of the requested audiences is in `aud`.
	TokenInvalidReason_TOKEN_INVALID_REASON_WRONG_AUDIENCE TokenInvalidReason = 7
	// `iss` is not this server's --issuer.
	TokenInvalidReason_TOKEN_INVALID_REASON_WRONG_ISSUER TokenInvalidReason = 8
	// `typ` is missing or not "at+jwt" (e.g. an ID token or refresh token).
	TokenInvalidReason_TOKEN_INVALID_REASON_WRONG_TYPE TokenInvalidReason = 9
	// The session was revoked (logout, sign-out-everywhere, reuse detected).
	TokenInvalidReason_TOKEN_INVALID_REASON_SESSION_REVOKED TokenInvalidReason = 10
	// Issued before an UpdateClaims{invalidate_access_tokens} of its subject.
	TokenInvalidReason_TOKEN_INVALID_REASON_STALE_CLAIMS TokenInvalidReason = 11
)

// Enum value maps for TokenInvalidReason.
var (
	TokenInvalidReason_name = map[int32]string{
		0:  "TOKEN_INVALID_REASON_UNSPECIFIED",
		1:  "TOKEN_INVALID_REASON_MALFORMED",
		2:  "TOKEN_INVALID_REASON_BAD_SIGNATURE",
		3:  "TOKEN_INVALID_REASON_UNKNOWN_KEY",
		4:  "TOKEN_INVALID_REASON_UNSUPPORTED_ALGORITHM",
		5:  "TOKEN_INVALID_REASON_EXPIRED",
		6:  "TOKEN_INVALID_REASON_NOT_YET_VALID",
		7:  "TOKEN_INVALID_REASON_WRONG_AUDIENCE",
		8:  "TOKEN_INVALID_REASON_WRONG_ISSUER",
		9:  "TOKEN_INVALID_REASON_WRONG_TYPE",
		10: "TOKEN_INVALID_REASON_SESSION_REVOKED",
		11: "TOKEN_INVALID_REASON_STALE_CLAIMS",
	}
	TokenInvalidReason_value = map[string]int32{
		"TOKEN_INVALID_REASON_UNSPECIFIED":           0,
		"TOKEN_INVALID_REASON_MALFORMED":             1,
		"TOKEN_INVALID_REASON_BAD_SIGNATURE":         2,
		"TOKEN_INVALID_REASON_UNKNOWN_KEY":           3,
		"TOKEN_INVALID_REASON_UNSUPPORTED_ALGORITHM": 4,
		"TOKEN_INVALID_REASON_EXPIRED":               5,
		"TOKEN_INVALID_REASON_NOT_YET_VALID":         6,
		"TOKEN_INVALID_REASON_WRONG_AUDIENCE":        7,
		"TOKEN_INVALID_REASON_WRONG_ISSUER":          8,
		"TOKEN_INVALID_REASON_WRONG_TYPE":            9,
		"TOKEN_INVALID_REASON_SESSION_REVOKED":       10,
		"TOKEN_INVALID_REASON_STALE_CLAIMS":          11,
	}
)

func (x TokenInvalidReason) Enum() *TokenInvalidReason {
	p := new(TokenInvalidReason)
	*p = x
	return p
}

func (x TokenInvalidReason) String() string {
	return protoimpl.X.EnumStringOf(x.Descriptor(), protoreflect.EnumNumber(x))
}

func (TokenInvalidReason) Descriptor() protoreflect.EnumDescriptor {
	return file_tessera_v1_token_authority_proto_enumTypes[0].Descriptor()
}

func (TokenInvalidReason) Type() protoreflect.EnumType {
	return &file_tessera_v1_token_authority_proto_enumTypes[0]
}

func (x TokenInvalidReason) Number() protoreflect.EnumNumber {
	return protoreflect.EnumNumber(x)
}

// Deprecated: Use TokenInvalidReason.Descriptor instead.
func (TokenInvalidReason) EnumDescriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{0}
}

// How UpdateClaims combines its claims with each session's current claims.
type ClaimsMode int32

const (
	// The legacy `merge` field decides: true is MERGE_TOP_LEVEL, false is
	// REPLACE.
	ClaimsMode_CLAIMS_MODE_UNSPECIFIED ClaimsMode = 0
	// The claims become exactly the request's claims.
	ClaimsMode_CLAIMS_MODE_REPLACE ClaimsMode = 1
	// Each top-level member of the request's claims replaces the session's
	// member of that name (a null value is stored as null); the others stay.
	ClaimsMode_CLAIMS_MODE_MERGE_TOP_LEVEL ClaimsMode = 2
	// The request's claims are a JSON Merge Patch (RFC 7396): objects merge
	// recursively, a member set to null is removed, any other value
	// (including an array) replaces the member whole. The patch is always an
	// object (claims is a Struct), so the result is always an object; a patch
	// of {} changes nothing.
	ClaimsMode_CLAIMS_MODE_MERGE_PATCH ClaimsMode = 3
)

// Enum value maps for ClaimsMode.
var (
	ClaimsMode_name = map[int32]string{
		0: "CLAIMS_MODE_UNSPECIFIED",
		1: "CLAIMS_MODE_REPLACE",
		2: "CLAIMS_MODE_MERGE_TOP_LEVEL",
		3: "CLAIMS_MODE_MERGE_PATCH",
	}
	ClaimsMode_value = map[string]int32{
		"CLAIMS_MODE_UNSPECIFIED":     0,
		"CLAIMS_MODE_REPLACE":         1,
		"CLAIMS_MODE_MERGE_TOP_LEVEL": 2,
		"CLAIMS_MODE_MERGE_PATCH":     3,
	}
)

func (x ClaimsMode) Enum() *ClaimsMode {
	p := new(ClaimsMode)
	*p = x
	return p
}

func (x ClaimsMode) String() string {
	return protoimpl.X.EnumStringOf(x.Descriptor(), protoreflect.EnumNumber(x))
}

func (ClaimsMode) Descriptor() protoreflect.EnumDescriptor {
	return file_tessera_v1_token_authority_proto_enumTypes[1].Descriptor()
}

func (ClaimsMode) Type() protoreflect.EnumType {
	return &file_tessera_v1_token_authority_proto_enumTypes[1]
}

func (x ClaimsMode) Number() protoreflect.EnumNumber {
	return protoreflect.EnumNumber(x)
}

// Deprecated: Use ClaimsMode.Descriptor instead.
func (ClaimsMode) EnumDescriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{1}
}

// Where a session was started; shown on "your devices" pages. All optional,
// each at most 256 bytes (longer values are refused with INVALID_ARGUMENT).
type ClientInfo struct {
	state         protoimpl.MessageState `protogen:"open.v1"`
	UserAgent     string                 `protobuf:"bytes,1,opt,name=user_agent,json=userAgent,proto3" json:"user_agent,omitempty"`
	IpAddress     string                 `protobuf:"bytes,2,opt,name=ip_address,json=ipAddress,proto3" json:"ip_address,omitempty"`
	DeviceName    string                 `protobuf:"bytes,3,opt,name=device_name,json=deviceName,proto3" json:"device_name,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *ClientInfo) Reset() {
	*x = ClientInfo{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[0]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *ClientInfo) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*ClientInfo) ProtoMessage() {}

func (x *ClientInfo) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[0]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use ClientInfo.ProtoReflect.Descriptor instead.
func (*ClientInfo) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{0}
}

func (x *ClientInfo) GetUserAgent() string {
	if x != nil {
		return x.UserAgent
	}
	return ""
}

func (x *ClientInfo) GetIpAddress() string {
	if x != nil {
		return x.IpAddress
	}
	return ""
}

func (x *ClientInfo) GetDeviceName() string {
	if x != nil {
		return x.DeviceName
	}
	return ""
}

type IssueSessionRequest struct {
	state protoimpl.MessageState `protogen:"open.v1"`
	// The user, as the caller identifies them (the `sub` claim). 1-256 bytes
	// of UTF-8.
	Subject string `protobuf:"bytes,1,opt,name=subject,proto3" json:"subject,omitempty"`
	// The `aud` claim: services the access token is meant for. At most 16,
	// each 1-256 bytes. Empty: the server's --default_audience ("api").
	Audience []string `protobuf:"bytes,2,rep,name=audience,proto3" json:"audience,omitempty"`
	// Custom claims copied into every access token of the session (e.g.
	// roles, email). At most 4096 bytes as JSON; names iss sub aud exp nbf
	// iat jti sid client_id are refused (RESERVED_CLAIM).
	Claims *structpb.Struct `protobuf:"bytes,3,opt,name=claims,proto3" json:"claims,omitempty"`
	// Access-token lifetime; default and maximum --access_ttl.
	AccessTtl *durationpb.Duration `protobuf:"bytes,4,opt,name=access_ttl,json=accessTtl,proto3" json:"access_ttl,omitempty"`
	// Absolute session lifetime; default and maximum --session_ttl.
	SessionTtl *durationpb.Duration `protobuf:"bytes,5,opt,name=session_ttl,json=sessionTtl,proto3" json:"session_ttl,omitempty"`
	Client     *ClientInfo          `protobuf:"bytes,6,opt,name=client,proto3" json:"client,omitempty"`
	// Optional: names this issue so that it can be retried safely (a lost
	// answer, a timeout). Chosen by the caller before the first attempt, e.g.
	// a random UUID; 16-128 bytes of printable ASCII (0x20-0x7E), else
	// INVALID_ARGUMENT REQUEST_ID_INVALID. Empty: every call starts a new
	// session.
	// For 24 h after the attempt that started a session, the same id from
	// the same session group (another group's ids are unrelated):
	//   - with the same request (subject, audience, claims, access_ttl and
	//     session_ttl as sent, client info, and the same calling caller)
	//     returns the SAME session: the same session_id and the same first
	//     refresh token, with a newly minted access token (carrying the
	//     session's current claims). Concurrent attempts start one session.
	//   - once that session was refreshed, revoked or has expired, fails
	//     with FAILED_PRECONDITION REQUEST_ID_SPENT: a retry never revives a
	//     session or forks a second one; start over with a new id.
	//   - with any other request fails with ALREADY_EXISTS
	//     REQUEST_ID_REUSED and issues nothing.
	//
	// After 24 h the id is forgotten and starts a new session. The id is
	// kept only as a hash, in the same write as the session (both or
	// neither), and the first refresh token only sealed under a key derived
	// from the KEK and the id; a restart keeps both. Retries count against
	// the caller's rate limit like any IssueSession; one id is kept per
	// session started, so a caller holds at most as many as its issue rate
	// limit lets it start in 24 h.
	RequestId     string `protobuf:"bytes,7,opt,name=request_id,json=requestId,proto3" json:"request_id,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *IssueSessionRequest) Reset() {
	*x = IssueSessionRequest{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[1]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *IssueSessionRequest) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*IssueSessionRequest) ProtoMessage() {}

func (x *IssueSessionRequest) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[1]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use IssueSessionRequest.ProtoReflect.Descriptor instead.
func (*IssueSessionRequest) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{1}
}

func (x *IssueSessionRequest) GetSubject() string {
	if x != nil {
		return x.Subject
	}
	return ""
}

func (x *IssueSessionRequest) GetAudience() []string {
	if x != nil {
		return x.Audience
	}
	return nil
}

func (x *IssueSessionRequest) GetClaims() *structpb.Struct {
	if x != nil {
		return x.Claims
	}
	return nil
}

func (x *IssueSessionRequest) GetAccessTtl() *durationpb.Duration {
	if x != nil {
		return x.AccessTtl
	}
	return nil
}

func (x *IssueSessionRequest) GetSessionTtl() *durationpb.Duration {
	if x != nil {
		return x.SessionTtl
	}
	return nil
}

func (x *IssueSessionRequest) GetClient() *ClientInfo {
	if x != nil {
		return x.Client
	}
	return nil
}

func (x *IssueSessionRequest) GetRequestId() string {
	if x != nil {
		return x.RequestId
	}
	return ""
}

// The tokens of a session, from IssueSession and RefreshSession.
type SessionTokens struct {
	state protoimpl.MessageState `protogen:"open.v1"`
	// JWT, at most 8192 bytes. Send as "authorization: Bearer <token>".
	AccessToken     string                 `protobuf:"bytes,1,opt,name=access_token,json=accessToken,proto3" json:"access_token,omitempty"`
	AccessExpiresAt *timestamppb.Timestamp `protobuf:"bytes,2,opt,name=access_expires_at,json=accessExpiresAt,proto3" json:"access_expires_at,omitempty"`
	// Opaque; keep it secret (an HttpOnly cookie or server-side store).
	RefreshToken string `protobuf:"bytes,3,opt,name=refresh_token,json=refreshToken,proto3" json:"refresh_token,omitempty"`
	// When the session ends at the latest (the earlier of idle and absolute
	// expiry as of this refresh).
	RefreshExpiresAt *timestamppb.Timestamp `protobuf:"bytes,4,opt,name=refresh_expires_at,json=refreshExpiresAt,proto3" json:"refresh_expires_at,omitempty"`
	SessionId        string                 `protobuf:"bytes,5,opt,name=session_id,json=sessionId,proto3" json:"session_id,omitempty"`
	// Always "Bearer".
	TokenType     string `protobuf:"bytes,6,opt,name=token_type,json=tokenType,proto3" json:"token_type,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *SessionTokens) Reset() {
	*x = SessionTokens{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[2]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *SessionTokens) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*SessionTokens) ProtoMessage() {}

func (x *SessionTokens) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[2]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use SessionTokens.ProtoReflect.Descriptor instead.
func (*SessionTokens) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{2}
}

func (x *SessionTokens) GetAccessToken() string {
	if x != nil {
		return x.AccessToken
	}
	return ""
}

func (x *SessionTokens) GetAccessExpiresAt() *timestamppb.Timestamp {
	if x != nil {
		return x.AccessExpiresAt
	}
	return nil
}

func (x *SessionTokens) GetRefreshToken() string {
	if x != nil {
		return x.RefreshToken
	}
	return ""
}

func (x *SessionTokens) GetRefreshExpiresAt() *timestamppb.Timestamp {
	if x != nil {
		return x.RefreshExpiresAt
	}
	return nil
}

func (x *SessionTokens) GetSessionId() string {
	if x != nil {
		return x.SessionId
	}
	return ""
}

func (x *SessionTokens) GetTokenType() string {
	if x != nil {
		return x.TokenType
	}
	return ""
}

type RefreshSessionRequest struct {
	state         protoimpl.MessageState `protogen:"open.v1"`
	RefreshToken  string                 `protobuf:"bytes,1,opt,name=refresh_token,json=refreshToken,proto3" json:"refresh_token,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *RefreshSessionRequest) Reset() {
	*x = RefreshSessionRequest{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[3]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *RefreshSessionRequest) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*RefreshSessionRequest) ProtoMessage() {}

func (x *RefreshSessionRequest) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[3]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use RefreshSessionRequest.ProtoReflect.Descriptor instead.
func (*RefreshSessionRequest) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{3}
}

func (x *RefreshSessionRequest) GetRefreshToken() string {
	if x != nil {
		return x.RefreshToken
	}
	return ""
}

type ValidateTokenRequest struct {
	state protoimpl.MessageState `protogen:"open.v1"`
	// At most 8192 bytes.
	AccessToken string `protobuf:"bytes,1,opt,name=access_token,json=accessToken,proto3" json:"access_token,omitempty"`
	// The token's `aud` must contain at least one of these. Empty: the
	// server's --default_audience ("api"); audience is always checked.
	Audience      []string `protobuf:"bytes,2,rep,name=audience,proto3" json:"audience,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *ValidateTokenRequest) Reset() {
	*x = ValidateTokenRequest{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[4]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *ValidateTokenRequest) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*ValidateTokenRequest) ProtoMessage() {}

func (x *ValidateTokenRequest) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[4]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use ValidateTokenRequest.ProtoReflect.Descriptor instead.
func (*ValidateTokenRequest) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{4}
}

func (x *ValidateTokenRequest) GetAccessToken() string {
	if x != nil {
		return x.AccessToken
	}
	return ""
}

func (x *ValidateTokenRequest) GetAudience() []string {
	if x != nil {
		return x.Audience
	}
	return nil
}

// The claims of a valid access token.
type TokenClaims struct {
	state     protoimpl.MessageState `protogen:"open.v1"`
	Subject   string                 `protobuf:"bytes,1,opt,name=subject,proto3" json:"subject,omitempty"`
	SessionId string                 `protobuf:"bytes,2,opt,name=session_id,json=sessionId,proto3" json:"session_id,omitempty"`
	Audience  []string               `protobuf:"bytes,3,rep,name=audience,proto3" json:"audience,omitempty"`
	IssuedAt  *timestamppb.Timestamp `protobuf:"bytes,4,opt,name=issued_at,json=issuedAt,proto3" json:"issued_at,omitempty"`
	ExpiresAt *timestamppb.Timestamp `protobuf:"bytes,5,opt,name=expires_at,json=expiresAt,proto3" json:"expires_at,omitempty"`
	// The `jti` claim, unique per token.
	TokenId string `protobuf:"bytes,6,opt,name=token_id,json=tokenId,proto3" json:"token_id,omitempty"`
	// The custom claims.
	Custom *structpb.Struct `protobuf:"bytes,7,opt,name=custom,proto3" json:"custom,omitempty"`
	// The `client_id` claim: the caller that issued the session.
	ClientId      string `protobuf:"bytes,8,opt,name=client_id,json=clientId,proto3" json:"client_id,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *TokenClaims) Reset() {
	*x = TokenClaims{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[5]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *TokenClaims) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*TokenClaims) ProtoMessage() {}

func (x *TokenClaims) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[5]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use TokenClaims.ProtoReflect.Descriptor instead.
func (*TokenClaims) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{5}
}

func (x *TokenClaims) GetSubject() string {
	if x != nil {
		return x.Subject
	}
	return ""
}

func (x *TokenClaims) GetSessionId() string {
	if x != nil {
		return x.SessionId
	}
	return ""
}

func (x *TokenClaims) GetAudience() []string {
	if x != nil {
		return x.Audience
	}
	return nil
}

func (x *TokenClaims) GetIssuedAt() *timestamppb.Timestamp {
	if x != nil {
		return x.IssuedAt
	}
	return nil
}

func (x *TokenClaims) GetExpiresAt() *timestamppb.Timestamp {
	if x != nil {
		return x.ExpiresAt
	}
	return nil
}

func (x *TokenClaims) GetTokenId() string {
	if x != nil {
		return x.TokenId
	}
	return ""
}

func (x *TokenClaims) GetCustom() *structpb.Struct {
	if x != nil {
		return x.Custom
	}
	return nil
}

func (x *TokenClaims) GetClientId() string {
	if x != nil {
		return x.ClientId
	}
	return ""
}

type ValidateTokenResponse struct {
	state protoimpl.MessageState `protogen:"open.v1"`
	Valid bool                   `protobuf:"varint,1,opt,name=valid,proto3" json:"valid,omitempty"`
	// Set when valid is false.
	Reason TokenInvalidReason `protobuf:"varint,2,opt,name=reason,proto3,enum=tessera.v1.TokenInvalidReason" json:"reason,omitempty"`
	// Set when valid is true.
	Claims        *TokenClaims `protobuf:"bytes,3,opt,name=claims,proto3" json:"claims,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *ValidateTokenResponse) Reset() {
	*x = ValidateTokenResponse{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[6]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *ValidateTokenResponse) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*ValidateTokenResponse) ProtoMessage() {}

func (x *ValidateTokenResponse) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[6]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use ValidateTokenResponse.ProtoReflect.Descriptor instead.
func (*ValidateTokenResponse) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{6}
}

func (x *ValidateTokenResponse) GetValid() bool {
	if x != nil {
		return x.Valid
	}
	return false
}

func (x *ValidateTokenResponse) GetReason() TokenInvalidReason {
	if x != nil {
		return x.Reason
	}
	return TokenInvalidReason_TOKEN_INVALID_REASON_UNSPECIFIED
}

func (x *ValidateTokenResponse) GetClaims() *TokenClaims {
	if x != nil {
		return x.Claims
	}
	return nil
}

type RevokeSessionRequest struct {
	state protoimpl.MessageState `protogen:"open.v1"`
	// Types that are valid to be assigned to Target:
	//
	//	*RevokeSessionRequest_SessionId
	//	*RevokeSessionRequest_Subject
	//	*RevokeSessionRequest_RefreshToken
	//	*RevokeSessionRequest_AccessToken
	Target isRevokeSessionRequest_Target `protobuf_oneof:"target"`
	// Free text for the audit log and Session.revoke_reason, at most 256
	// bytes.
	Reason        string `protobuf:"bytes,5,opt,name=reason,proto3" json:"reason,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *RevokeSessionRequest) Reset() {
	*x = RevokeSessionRequest{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[7]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *RevokeSessionRequest) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*RevokeSessionRequest) ProtoMessage() {}

func (x *RevokeSessionRequest) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[7]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use RevokeSessionRequest.ProtoReflect.Descriptor instead.
func (*RevokeSessionRequest) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{7}
}

func (x *RevokeSessionRequest) GetTarget() isRevokeSessionRequest_Target {
	if x != nil {
		return x.Target
	}
	return nil
}

func (x *RevokeSessionRequest) GetSessionId() string {
	if x != nil {
		if x, ok := x.Target.(*RevokeSessionRequest_SessionId); ok {
			return x.SessionId
		}
	}
	return ""
}

func (x *RevokeSessionRequest) GetSubject() string {
	if x != nil {
		if x, ok := x.Target.(*RevokeSessionRequest_Subject); ok {
			return x.Subject
		}
	}
	return ""
}

func (x *RevokeSessionRequest) GetRefreshToken() string {
	if x != nil {
		if x, ok := x.Target.(*RevokeSessionRequest_RefreshToken); ok {
			return x.RefreshToken
		}
	}
	return ""
}

func (x *RevokeSessionRequest) GetAccessToken() string {
	if x != nil {
		if x, ok := x.Target.(*RevokeSessionRequest_AccessToken); ok {
			return x.AccessToken
		}
	}
	return ""
}

func (x *RevokeSessionRequest) GetReason() string {
	if x != nil {
		return x.Reason
	}
	return ""
}

type isRevokeSessionRequest_Target interface {
	isRevokeSessionRequest_Target()
}

type RevokeSessionRequest_SessionId struct {
	// One session.
	SessionId string `protobuf:"bytes,1,opt,name=session_id,json=sessionId,proto3,oneof"`
}

type RevokeSessionRequest_Subject struct {
	// Every session of this subject in the caller's session group ("sign
	// out everywhere").
	Subject string `protobuf:"bytes,2,opt,name=subject,proto3,oneof"`
}

type RevokeSessionRequest_RefreshToken struct {
	// The session this refresh token belongs to, if the token's secret is
	// the current or a retired one (else nothing is revoked: RFC 7009).
	RefreshToken string `protobuf:"bytes,3,opt,name=refresh_token,json=refreshToken,proto3,oneof"`
}

type RevokeSessionRequest_AccessToken struct {
	// The session of this access token; its signature must verify, expiry
	// is not required.
	AccessToken string `protobuf:"bytes,4,opt,name=access_token,json=accessToken,proto3,oneof"`
}

func (*RevokeSessionRequest_SessionId) isRevokeSessionRequest_Target() {}

func (*RevokeSessionRequest_Subject) isRevokeSessionRequest_Target() {}

func (*RevokeSessionRequest_RefreshToken) isRevokeSessionRequest_Target() {}

func (*RevokeSessionRequest_AccessToken) isRevokeSessionRequest_Target() {}

type RevokeSessionResponse struct {
	state protoimpl.MessageState `protogen:"open.v1"`
	// Sessions revoked by this call; 0 if already revoked or unknown.
	RevokedCount int64 `protobuf:"varint,1,opt,name=revoked_count,json=revokedCount,proto3" json:"revoked_count,omitempty"`
	// The revocation event's sequence number; wait for a Verifier to reach it
	// (Verifier::WaitForSequence) to know the revocation has propagated. 0
	// when nothing was revoked.
	Sequence      uint64 `protobuf:"varint,2,opt,name=sequence,proto3" json:"sequence,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *RevokeSessionResponse) Reset() {
	*x = RevokeSessionResponse{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[8]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *RevokeSessionResponse) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*RevokeSessionResponse) ProtoMessage() {}

func (x *RevokeSessionResponse) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[8]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use RevokeSessionResponse.ProtoReflect.Descriptor instead.
func (*RevokeSessionResponse) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{8}
}

func (x *RevokeSessionResponse) GetRevokedCount() int64 {
	if x != nil {
		return x.RevokedCount
	}
	return 0
}

func (x *RevokeSessionResponse) GetSequence() uint64 {
	if x != nil {
		return x.Sequence
	}
	return 0
}

type GetSessionRequest struct {
	state         protoimpl.MessageState `protogen:"open.v1"`
	SessionId     string                 `protobuf:"bytes,1,opt,name=session_id,json=sessionId,proto3" json:"session_id,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *GetSessionRequest) Reset() {
	*x = GetSessionRequest{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[9]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *GetSessionRequest) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*GetSessionRequest) ProtoMessage() {}

func (x *GetSessionRequest) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[9]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use GetSessionRequest.ProtoReflect.Descriptor instead.
func (*GetSessionRequest) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{9}
}

func (x *GetSessionRequest) GetSessionId() string {
	if x != nil {
		return x.SessionId
	}
	return ""
}

// A session as a "your devices" page shows it. Never holds a secret.
type Session struct {
	state           protoimpl.MessageState `protogen:"open.v1"`
	SessionId       string                 `protobuf:"bytes,1,opt,name=session_id,json=sessionId,proto3" json:"session_id,omitempty"`
	Subject         string                 `protobuf:"bytes,2,opt,name=subject,proto3" json:"subject,omitempty"`
	Audience        []string               `protobuf:"bytes,3,rep,name=audience,proto3" json:"audience,omitempty"`
	Claims          *structpb.Struct       `protobuf:"bytes,4,opt,name=claims,proto3" json:"claims,omitempty"`
	Client          *ClientInfo            `protobuf:"bytes,5,opt,name=client,proto3" json:"client,omitempty"`
	CreatedAt       *timestamppb.Timestamp `protobuf:"bytes,6,opt,name=created_at,json=createdAt,proto3" json:"created_at,omitempty"`
	LastRefreshedAt *timestamppb.Timestamp `protobuf:"bytes,7,opt,name=last_refreshed_at,json=lastRefreshedAt,proto3" json:"last_refreshed_at,omitempty"`
	// Absolute expiry.
	ExpiresAt *timestamppb.Timestamp `protobuf:"bytes,8,opt,name=expires_at,json=expiresAt,proto3" json:"expires_at,omitempty"`
	// Idle expiry: last refresh + --idle_ttl.
	IdleExpiresAt *timestamppb.Timestamp `protobuf:"bytes,9,opt,name=idle_expires_at,json=idleExpiresAt,proto3" json:"idle_expires_at,omitempty"`
	// Number of refreshes so far (0 for a fresh session).
	Generation uint64 `protobuf:"varint,10,opt,name=generation,proto3" json:"generation,omitempty"`
	// Unset unless revoked.
	RevokedAt     *timestamppb.Timestamp `protobuf:"bytes,11,opt,name=revoked_at,json=revokedAt,proto3" json:"revoked_at,omitempty"`
	RevokeReason  string                 `protobuf:"bytes,12,opt,name=revoke_reason,json=revokeReason,proto3" json:"revoke_reason,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *Session) Reset() {
	*x = Session{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[10]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *Session) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*Session) ProtoMessage() {}

func (x *Session) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[10]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use Session.ProtoReflect.Descriptor instead.
func (*Session) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{10}
}

func (x *Session) GetSessionId() string {
	if x != nil {
		return x.SessionId
	}
	return ""
}

func (x *Session) GetSubject() string {
	if x != nil {
		return x.Subject
	}
	return ""
}

func (x *Session) GetAudience() []string {
	if x != nil {
		return x.Audience
	}
	return nil
}

func (x *Session) GetClaims() *structpb.Struct {
	if x != nil {
		return x.Claims
	}
	return nil
}

func (x *Session) GetClient() *ClientInfo {
	if x != nil {
		return x.Client
	}
	return nil
}

func (x *Session) GetCreatedAt() *timestamppb.Timestamp {
	if x != nil {
		return x.CreatedAt
	}
	return nil
}

func (x *Session) GetLastRefreshedAt() *timestamppb.Timestamp {
	if x != nil {
		return x.LastRefreshedAt
	}
	return nil
}

func (x *Session) GetExpiresAt() *timestamppb.Timestamp {
	if x != nil {
		return x.ExpiresAt
	}
	return nil
}

func (x *Session) GetIdleExpiresAt() *timestamppb.Timestamp {
	if x != nil {
		return x.IdleExpiresAt
	}
	return nil
}

func (x *Session) GetGeneration() uint64 {
	if x != nil {
		return x.Generation
	}
	return 0
}

func (x *Session) GetRevokedAt() *timestamppb.Timestamp {
	if x != nil {
		return x.RevokedAt
	}
	return nil
}

func (x *Session) GetRevokeReason() string {
	if x != nil {
		return x.RevokeReason
	}
	return ""
}

type ListSessionsRequest struct {
	state   protoimpl.MessageState `protogen:"open.v1"`
	Subject string                 `protobuf:"bytes,1,opt,name=subject,proto3" json:"subject,omitempty"`
	// Default 50, maximum 500.
	PageSize int32 `protobuf:"varint,2,opt,name=page_size,json=pageSize,proto3" json:"page_size,omitempty"`
	// From a previous response's next_page_token; opaque.
	PageToken string `protobuf:"bytes,3,opt,name=page_token,json=pageToken,proto3" json:"page_token,omitempty"`
	// Also list revoked sessions not yet purged.
	IncludeRevoked bool `protobuf:"varint,4,opt,name=include_revoked,json=includeRevoked,proto3" json:"include_revoked,omitempty"`
	unknownFields  protoimpl.UnknownFields
	sizeCache      protoimpl.SizeCache
}

func (x *ListSessionsRequest) Reset() {
	*x = ListSessionsRequest{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[11]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *ListSessionsRequest) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*ListSessionsRequest) ProtoMessage() {}

func (x *ListSessionsRequest) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[11]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use ListSessionsRequest.ProtoReflect.Descriptor instead.
func (*ListSessionsRequest) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{11}
}

func (x *ListSessionsRequest) GetSubject() string {
	if x != nil {
		return x.Subject
	}
	return ""
}

func (x *ListSessionsRequest) GetPageSize() int32 {
	if x != nil {
		return x.PageSize
	}
	return 0
}

func (x *ListSessionsRequest) GetPageToken() string {
	if x != nil {
		return x.PageToken
	}
	return ""
}

func (x *ListSessionsRequest) GetIncludeRevoked() bool {
	if x != nil {
		return x.IncludeRevoked
	}
	return false
}

type ListSessionsResponse struct {
	state    protoimpl.MessageState `protogen:"open.v1"`
	Sessions []*Session             `protobuf:"bytes,1,rep,name=sessions,proto3" json:"sessions,omitempty"`
	// Empty on the last page.
	NextPageToken string `protobuf:"bytes,2,opt,name=next_page_token,json=nextPageToken,proto3" json:"next_page_token,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *ListSessionsResponse) Reset() {
	*x = ListSessionsResponse{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[12]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *ListSessionsResponse) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*ListSessionsResponse) ProtoMessage() {}

func (x *ListSessionsResponse) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[12]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use ListSessionsResponse.ProtoReflect.Descriptor instead.
func (*ListSessionsResponse) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{12}
}

func (x *ListSessionsResponse) GetSessions() []*Session {
	if x != nil {
		return x.Sessions
	}
	return nil
}

func (x *ListSessionsResponse) GetNextPageToken() string {
	if x != nil {
		return x.NextPageToken
	}
	return ""
}

type UpdateClaimsRequest struct {
	state   protoimpl.MessageState `protogen:"open.v1"`
	Subject string                 `protobuf:"bytes,1,opt,name=subject,proto3" json:"subject,omitempty"`
	// The new custom claims, or the patch applied to each session's claims
	// (see mode). The same limits as IssueSessionRequest.claims apply to
	// these claims as sent, nulls included: at most 4096 bytes as JSON, nested
	// at most 16 deep, and no reserved name (iss sub aud exp nbf iat jti sid
	// client_id sgen), not even with a null value (RESERVED_CLAIM).
	//
	// The result for every session it changes must also pass them and make an
	// access token of at most 8192 bytes; otherwise the call is refused
	// (CLAIMS_TOO_LARGE) and nothing changes: no session, no generation, no
	// event. Revoked and expired sessions are left as they are. The subject's
	// sessions are found in its index, of which the first 10,000 entries (in
	// session-id order, every group and ended sessions not yet purged
	// included) are read, as for sign-out-everywhere: a subject with more
	// sessions than that has some that this call does not change.
	Claims *structpb.Struct `protobuf:"bytes,2,opt,name=claims,proto3" json:"claims,omitempty"`
	// Legacy; prefer mode. true: as CLAIMS_MODE_MERGE_TOP_LEVEL; false: as
	// CLAIMS_MODE_REPLACE. With a mode set, merge must be false unless the
	// mode is MERGE_TOP_LEVEL (CLAIMS_MODE_INVALID).
	Merge bool `protobuf:"varint,3,opt,name=merge,proto3" json:"merge,omitempty"`
	// Reject the subject's access tokens minted before this call
	// (STALE_CLAIMS), in every session group. Each such call raises the
	// subject's generation (the `sgen` claim of every access token); tokens
	// minted before it carry a lower one. Every token minted after the call
	// passes, however close in time.
	InvalidateAccessTokens bool `protobuf:"varint,4,opt,name=invalidate_access_tokens,json=invalidateAccessTokens,proto3" json:"invalidate_access_tokens,omitempty"`
	// How `claims` is applied; UNSPECIFIED follows `merge`. A value this
	// server does not know is CLAIMS_MODE_INVALID.
	Mode          ClaimsMode `protobuf:"varint,5,opt,name=mode,proto3,enum=tessera.v1.ClaimsMode" json:"mode,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *UpdateClaimsRequest) Reset() {
	*x = UpdateClaimsRequest{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[13]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *UpdateClaimsRequest) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*UpdateClaimsRequest) ProtoMessage() {}

func (x *UpdateClaimsRequest) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[13]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use UpdateClaimsRequest.ProtoReflect.Descriptor instead.
func (*UpdateClaimsRequest) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{13}
}

func (x *UpdateClaimsRequest) GetSubject() string {
	if x != nil {
		return x.Subject
	}
	return ""
}

func (x *UpdateClaimsRequest) GetClaims() *structpb.Struct {
	if x != nil {
		return x.Claims
	}
	return nil
}

func (x *UpdateClaimsRequest) GetMerge() bool {
	if x != nil {
		return x.Merge
	}
	return false
}

func (x *UpdateClaimsRequest) GetInvalidateAccessTokens() bool {
	if x != nil {
		return x.InvalidateAccessTokens
	}
	return false
}

func (x *UpdateClaimsRequest) GetMode() ClaimsMode {
	if x != nil {
		return x.Mode
	}
	return ClaimsMode_CLAIMS_MODE_UNSPECIFIED
}

type UpdateClaimsResponse struct {
	state protoimpl.MessageState `protogen:"open.v1"`
	// The cut-off event's sequence (0 without invalidate_access_tokens).
	Sequence      uint64 `protobuf:"varint,1,opt,name=sequence,proto3" json:"sequence,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *UpdateClaimsResponse) Reset() {
	*x = UpdateClaimsResponse{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[14]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *UpdateClaimsResponse) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*UpdateClaimsResponse) ProtoMessage() {}

func (x *UpdateClaimsResponse) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[14]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use UpdateClaimsResponse.ProtoReflect.Descriptor instead.
func (*UpdateClaimsResponse) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{14}
}

func (x *UpdateClaimsResponse) GetSequence() uint64 {
	if x != nil {
		return x.Sequence
	}
	return 0
}

type GetJwksRequest struct {
	state         protoimpl.MessageState `protogen:"open.v1"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *GetJwksRequest) Reset() {
	*x = GetJwksRequest{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[15]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *GetJwksRequest) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*GetJwksRequest) ProtoMessage() {}

func (x *GetJwksRequest) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[15]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use GetJwksRequest.ProtoReflect.Descriptor instead.
func (*GetJwksRequest) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{15}
}

type GetJwksResponse struct {
	state protoimpl.MessageState `protogen:"open.v1"`
	// {"keys":[...]}: what /.well-known/jwks.json serves.
	JwksJson      string        `protobuf:"bytes,1,opt,name=jwks_json,json=jwksJson,proto3" json:"jwks_json,omitempty"`
	Keys          []*SigningKey `protobuf:"bytes,2,rep,name=keys,proto3" json:"keys,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *GetJwksResponse) Reset() {
	*x = GetJwksResponse{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[16]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *GetJwksResponse) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*GetJwksResponse) ProtoMessage() {}

func (x *GetJwksResponse) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[16]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use GetJwksResponse.ProtoReflect.Descriptor instead.
func (*GetJwksResponse) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{16}
}

func (x *GetJwksResponse) GetJwksJson() string {
	if x != nil {
		return x.JwksJson
	}
	return ""
}

func (x *GetJwksResponse) GetKeys() []*SigningKey {
	if x != nil {
		return x.Keys
	}
	return nil
}

type WatchRevocationsRequest struct {
	state protoimpl.MessageState `protogen:"open.v1"`
	// 0: start with a snapshot. N: resume after event N.
	AfterSequence uint64 `protobuf:"varint,1,opt,name=after_sequence,json=afterSequence,proto3" json:"after_sequence,omitempty"`
	// The incarnation of the store after_sequence was seen in (from the last
	// SnapshotEnd or Heartbeat). A store restored from a backup reuses
	// sequences under a new incarnation: a resume naming another incarnation
	// gets a fresh snapshot flagged as a reset. Empty: not known (the
	// sequence alone decides, as before incarnations existed). At most 64
	// bytes (INVALID_ARGUMENT INCARNATION_INVALID).
	Incarnation string `protobuf:"bytes,2,opt,name=incarnation,proto3" json:"incarnation,omitempty"`
	// The log_hash of the event, SnapshotEnd or Heartbeat that after_sequence
	// came from (empty: not known). With several replicas on PostgreSQL, a
	// failover can lose an event a replica had already streamed (it was
	// committed on the old primary but never confirmed by a standby), and a
	// later event takes its sequence: a resume whose hash no longer matches
	// the log's gets a fresh snapshot flagged as a reset, never a gap. At most
	// 64 bytes (INVALID_ARGUMENT LOG_HASH_INVALID).
	AfterLogHash  []byte `protobuf:"bytes,3,opt,name=after_log_hash,json=afterLogHash,proto3" json:"after_log_hash,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *WatchRevocationsRequest) Reset() {
	*x = WatchRevocationsRequest{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[17]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *WatchRevocationsRequest) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*WatchRevocationsRequest) ProtoMessage() {}

func (x *WatchRevocationsRequest) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[17]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use WatchRevocationsRequest.ProtoReflect.Descriptor instead.
func (*WatchRevocationsRequest) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{17}
}

func (x *WatchRevocationsRequest) GetAfterSequence() uint64 {
	if x != nil {
		return x.AfterSequence
	}
	return 0
}

func (x *WatchRevocationsRequest) GetIncarnation() string {
	if x != nil {
		return x.Incarnation
	}
	return ""
}

func (x *WatchRevocationsRequest) GetAfterLogHash() []byte {
	if x != nil {
		return x.AfterLogHash
	}
	return nil
}

type RevocationEvent struct {
	state protoimpl.MessageState `protogen:"open.v1"`
	// Strictly increasing, durable. Snapshot entries carry the sequence of
	// the event that created them.
	Sequence uint64                 `protobuf:"varint,1,opt,name=sequence,proto3" json:"sequence,omitempty"`
	Time     *timestamppb.Timestamp `protobuf:"bytes,2,opt,name=time,proto3" json:"time,omitempty"`
	// Types that are valid to be assigned to Event:
	//
	//	*RevocationEvent_SessionRevoked
	//	*RevocationEvent_SubjectRevoked
	//	*RevocationEvent_ClaimsInvalidated
	//	*RevocationEvent_KeysChanged
	//	*RevocationEvent_SnapshotEnd
	//	*RevocationEvent_Heartbeat
	Event isRevocationEvent_Event `protobuf_oneof:"event"`
	// PostgreSQL store: the hash chain of the log through `sequence` (for a
	// Heartbeat, through current_sequence); send the last one back as
	// WatchRevocationsRequest.after_log_hash. Empty on RocksDB, whose
	// incarnation alone identifies the log.
	LogHash       []byte `protobuf:"bytes,9,opt,name=log_hash,json=logHash,proto3" json:"log_hash,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *RevocationEvent) Reset() {
	*x = RevocationEvent{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[18]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *RevocationEvent) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*RevocationEvent) ProtoMessage() {}

func (x *RevocationEvent) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[18]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use RevocationEvent.ProtoReflect.Descriptor instead.
func (*RevocationEvent) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{18}
}

func (x *RevocationEvent) GetSequence() uint64 {
	if x != nil {
		return x.Sequence
	}
	return 0
}

func (x *RevocationEvent) GetTime() *timestamppb.Timestamp {
	if x != nil {
		return x.Time
	}
	return nil
}

func (x *RevocationEvent) GetEvent() isRevocationEvent_Event {
	if x != nil {
		return x.Event
	}
	return nil
}

func (x *RevocationEvent) GetSessionRevoked() *SessionRevoked {
	if x != nil {
		if x, ok := x.Event.(*RevocationEvent_SessionRevoked); ok {
			return x.SessionRevoked
		}
	}
	return nil
}

func (x *RevocationEvent) GetSubjectRevoked() *SubjectRevoked {
	if x != nil {
		if x, ok := x.Event.(*RevocationEvent_SubjectRevoked); ok {
			return x.SubjectRevoked
		}
	}
	return nil
}

func (x *RevocationEvent) GetClaimsInvalidated() *ClaimsInvalidated {
	if x != nil {
		if x, ok := x.Event.(*RevocationEvent_ClaimsInvalidated); ok {
			return x.ClaimsInvalidated
		}
	}
	return nil
}

func (x *RevocationEvent) GetKeysChanged() *KeysChanged {
	if x != nil {
		if x, ok := x.Event.(*RevocationEvent_KeysChanged); ok {
			return x.KeysChanged
		}
	}
	return nil
}

func (x *RevocationEvent) GetSnapshotEnd() *SnapshotEnd {
	if x != nil {
		if x, ok := x.Event.(*RevocationEvent_SnapshotEnd); ok {
			return x.SnapshotEnd
		}
	}
	return nil
}

func (x *RevocationEvent) GetHeartbeat() *Heartbeat {
	if x != nil {
		if x, ok := x.Event.(*RevocationEvent_Heartbeat); ok {
			return x.Heartbeat
		}
	}
	return nil
}

func (x *RevocationEvent) GetLogHash() []byte {
	if x != nil {
		return x.LogHash
	}
	return nil
}

type isRevocationEvent_Event interface {
	isRevocationEvent_Event()
}

type RevocationEvent_SessionRevoked struct {
	SessionRevoked *SessionRevoked `protobuf:"bytes,3,opt,name=session_revoked,json=sessionRevoked,proto3,oneof"`
}

type RevocationEvent_SubjectRevoked struct {
	SubjectRevoked *SubjectRevoked `protobuf:"bytes,4,opt,name=subject_revoked,json=subjectRevoked,proto3,oneof"`
}

type RevocationEvent_ClaimsInvalidated struct {
	ClaimsInvalidated *ClaimsInvalidated `protobuf:"bytes,5,opt,name=claims_invalidated,json=claimsInvalidated,proto3,oneof"`
}

type RevocationEvent_KeysChanged struct {
	KeysChanged *KeysChanged `protobuf:"bytes,6,opt,name=keys_changed,json=keysChanged,proto3,oneof"`
}

type RevocationEvent_SnapshotEnd struct {
	SnapshotEnd *SnapshotEnd `protobuf:"bytes,7,opt,name=snapshot_end,json=snapshotEnd,proto3,oneof"`
}

type RevocationEvent_Heartbeat struct {
	Heartbeat *Heartbeat `protobuf:"bytes,8,opt,name=heartbeat,proto3,oneof"`
}

func (*RevocationEvent_SessionRevoked) isRevocationEvent_Event() {}

func (*RevocationEvent_SubjectRevoked) isRevocationEvent_Event() {}

func (*RevocationEvent_ClaimsInvalidated) isRevocationEvent_Event() {}

func (*RevocationEvent_KeysChanged) isRevocationEvent_Event() {}

func (*RevocationEvent_SnapshotEnd) isRevocationEvent_Event() {}

func (*RevocationEvent_Heartbeat) isRevocationEvent_Event() {}

// Every access token of this session is rejected (SESSION_REVOKED).
type SessionRevoked struct {
	state     protoimpl.MessageState `protogen:"open.v1"`
	SessionId string                 `protobuf:"bytes,1,opt,name=session_id,json=sessionId,proto3" json:"session_id,omitempty"`
	Subject   string                 `protobuf:"bytes,2,opt,name=subject,proto3" json:"subject,omitempty"`
	// Tokens of the session expire by this time at the latest; the entry can
	// be forgotten afterwards.
	ForgetAfter   *timestamppb.Timestamp `protobuf:"bytes,3,opt,name=forget_after,json=forgetAfter,proto3" json:"forget_after,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *SessionRevoked) Reset() {
	*x = SessionRevoked{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[19]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *SessionRevoked) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*SessionRevoked) ProtoMessage() {}

func (x *SessionRevoked) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[19]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use SessionRevoked.ProtoReflect.Descriptor instead.
func (*SessionRevoked) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{19}
}

func (x *SessionRevoked) GetSessionId() string {
	if x != nil {
		return x.SessionId
	}
	return ""
}

func (x *SessionRevoked) GetSubject() string {
	if x != nil {
		return x.Subject
	}
	return ""
}

func (x *SessionRevoked) GetForgetAfter() *timestamppb.Timestamp {
	if x != nil {
		return x.ForgetAfter
	}
	return nil
}

// Every access token of this subject issued before `not_before` is rejected
// (SESSION_REVOKED). No longer sent: "sign out everywhere" now revokes each
// session with its own SessionRevoked event (whole-second `iat` could not
// order a sign-out and a session started in the same second). Verifiers
// still apply it, for logs written by earlier releases.
type SubjectRevoked struct {
	state         protoimpl.MessageState `protogen:"open.v1"`
	Subject       string                 `protobuf:"bytes,1,opt,name=subject,proto3" json:"subject,omitempty"`
	NotBefore     *timestamppb.Timestamp `protobuf:"bytes,2,opt,name=not_before,json=notBefore,proto3" json:"not_before,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *SubjectRevoked) Reset() {
	*x = SubjectRevoked{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[20]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *SubjectRevoked) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*SubjectRevoked) ProtoMessage() {}

func (x *SubjectRevoked) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[20]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use SubjectRevoked.ProtoReflect.Descriptor instead.
func (*SubjectRevoked) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{20}
}

func (x *SubjectRevoked) GetSubject() string {
	if x != nil {
		return x.Subject
	}
	return ""
}

func (x *SubjectRevoked) GetNotBefore() *timestamppb.Timestamp {
	if x != nil {
		return x.NotBefore
	}
	return nil
}

// The subject's claims changed (UpdateClaims with invalidate_access_tokens):
// every access token of this subject whose `sgen` claim is below
// `generation` is rejected (STALE_CLAIMS); a token without `sgen` counts as
// generation 0. Each such update raises the subject's generation by one, and
// every token minted afterwards carries the new value, so two updates in
// the same second are ordered exactly (whole-second `iat` could not).
type ClaimsInvalidated struct {
	state   protoimpl.MessageState `protogen:"open.v1"`
	Subject string                 `protobuf:"bytes,1,opt,name=subject,proto3" json:"subject,omitempty"`
	// When the update was made, rounded up to a whole second. Informational;
	// the cut-off is `generation`.
	NotBefore *timestamppb.Timestamp `protobuf:"bytes,2,opt,name=not_before,json=notBefore,proto3" json:"not_before,omitempty"`
	// Tokens with `sgen` below this are stale.
	Generation uint64 `protobuf:"varint,3,opt,name=generation,proto3" json:"generation,omitempty"`
	// Every token this cut-off rejects has expired by then; the entry can be
	// forgotten afterwards.
	ForgetAfter   *timestamppb.Timestamp `protobuf:"bytes,4,opt,name=forget_after,json=forgetAfter,proto3" json:"forget_after,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *ClaimsInvalidated) Reset() {
	*x = ClaimsInvalidated{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[21]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *ClaimsInvalidated) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*ClaimsInvalidated) ProtoMessage() {}

func (x *ClaimsInvalidated) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[21]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use ClaimsInvalidated.ProtoReflect.Descriptor instead.
func (*ClaimsInvalidated) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{21}
}

func (x *ClaimsInvalidated) GetSubject() string {
	if x != nil {
		return x.Subject
	}
	return ""
}

func (x *ClaimsInvalidated) GetNotBefore() *timestamppb.Timestamp {
	if x != nil {
		return x.NotBefore
	}
	return nil
}

func (x *ClaimsInvalidated) GetGeneration() uint64 {
	if x != nil {
		return x.Generation
	}
	return 0
}

func (x *ClaimsInvalidated) GetForgetAfter() *timestamppb.Timestamp {
	if x != nil {
		return x.ForgetAfter
	}
	return nil
}

// The JWKS changed (rotation, new next key, retired key dropped).
type KeysChanged struct {
	state         protoimpl.MessageState `protogen:"open.v1"`
	JwksJson      string                 `protobuf:"bytes,1,opt,name=jwks_json,json=jwksJson,proto3" json:"jwks_json,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *KeysChanged) Reset() {
	*x = KeysChanged{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[22]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *KeysChanged) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*KeysChanged) ProtoMessage() {}

func (x *KeysChanged) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[22]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use KeysChanged.ProtoReflect.Descriptor instead.
func (*KeysChanged) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{22}
}

func (x *KeysChanged) GetJwksJson() string {
	if x != nil {
		return x.JwksJson
	}
	return ""
}

// The snapshot is complete; live events follow.
type SnapshotEnd struct {
	state protoimpl.MessageState `protogen:"open.v1"`
	// true: the requested after_sequence is no longer in the log, or was seen
	// in another incarnation; discard the state built before this snapshot.
	Reset_ bool `protobuf:"varint,1,opt,name=reset,proto3" json:"reset,omitempty"`
	// The server's store incarnation: an opaque id (at most 64 bytes), made
	// when the store is created and made anew when it is restored from a
	// backup. Send it back in WatchRevocationsRequest.incarnation.
	Incarnation   string `protobuf:"bytes,2,opt,name=incarnation,proto3" json:"incarnation,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *SnapshotEnd) Reset() {
	*x = SnapshotEnd{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[23]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *SnapshotEnd) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*SnapshotEnd) ProtoMessage() {}

func (x *SnapshotEnd) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[23]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use SnapshotEnd.ProtoReflect.Descriptor instead.
func (*SnapshotEnd) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{23}
}

func (x *SnapshotEnd) GetReset_() bool {
	if x != nil {
		return x.Reset_
	}
	return false
}

func (x *SnapshotEnd) GetIncarnation() string {
	if x != nil {
		return x.Incarnation
	}
	return ""
}

// Sent when the stream is idle (default every second).
type Heartbeat struct {
	state protoimpl.MessageState `protogen:"open.v1"`
	// The newest sequence in the log.
	CurrentSequence uint64 `protobuf:"varint,1,opt,name=current_sequence,json=currentSequence,proto3" json:"current_sequence,omitempty"`
	// As in SnapshotEnd.
	Incarnation   string `protobuf:"bytes,2,opt,name=incarnation,proto3" json:"incarnation,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *Heartbeat) Reset() {
	*x = Heartbeat{}
	mi := &file_tessera_v1_token_authority_proto_msgTypes[24]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *Heartbeat) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*Heartbeat) ProtoMessage() {}

func (x *Heartbeat) ProtoReflect() protoreflect.Message {
	mi := &file_tessera_v1_token_authority_proto_msgTypes[24]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use Heartbeat.ProtoReflect.Descriptor instead.
func (*Heartbeat) Descriptor() ([]byte, []int) {
	return file_tessera_v1_token_authority_proto_rawDescGZIP(), []int{24}
}

func (x *Heartbeat) GetCurrentSequence() uint64 {
	if x != nil {
		return x.CurrentSequence
	}
	return 0
}

func (x *Heartbeat) GetIncarnation() string {
	if x != nil {
		return x.Incarnation
	}
	return ""
}

var File_tessera_v1_token_authority_proto protoreflect.FileDescriptor

const file_tessera_v1_token_authority_proto_rawDesc = "" +
	"\n" +
	" tessera/v1/token_authority.proto\x12\n" +
	"tessera.v1\x1a\x1egoogle/protobuf/duration.proto\x1a\x1cgoogle/protobuf/struct.proto\x1a\x1fgoogle/protobuf/timestamp.proto\x1a\x15tessera/v1/keys.proto\"k\n" +
	"\n" +
	"ClientInfo\x12\x1d\n" +
	"\n" +
	"user_agent\x18\x01 \x01(\tR\tuserAgent\x12\x1d\n" +
	"\n" +
	"ip_address\x18\x02 \x01(\tR\tipAddress\x12\x1f\n" +
	"\vdevice_name\x18\x03 \x01(\tR\n" +
	"deviceName\"\xc1\x02\n" +
	"\x13IssueSessionRequest\x12\x18\n" +
	"\asubject\x18\x01 \x01(\tR\asubject\x12\x1a\n" +
	"\baudience\x18\x02 \x03(\tR\baudience\x12/\n" +
	"\x06claims\x18\x03 \x01(\v2\x17.google.protobuf.StructR\x06claims\x128\n" +
	"\n" +
	"access_ttl\x18\x04 \x01(\v2\x19.google.protobuf.DurationR\taccessTtl\x12:\n" +
	"\vsession_ttl\x18\x05 \x01(\v2\x19.google.protobuf.DurationR\n" +
	"sessionTtl\x12.\n" +
	"\x06client\x18\x06 \x01(\v2\x16.tessera.v1.ClientInfoR\x06client\x12\x1d\n" +
	"\n" +
	"request_id\x18\a \x01(\tR\trequestId\"\xa7\x02\n" +
	"\rSessionTokens\x12!\n" +
	"\faccess_token\x18\x01 \x01(\tR\vaccessToken\x12F\n" +
	"\x11access_expires_at\x18\x02 \x01(\v2\x1a.google.protobuf.TimestampR\x0faccessExpiresAt\x12#\n" +
	"\rrefresh_token\x18\x03 \x01(\tR\frefreshToken\x12H\n" +
	"\x12refresh_expires_at\x18\x04 \x01(\v2\x1a.google.protobuf.TimestampR\x10refreshExpiresAt\x12\x1d\n" +
	"\n" +
	"session_id\x18\x05 \x01(\tR\tsessionId\x12\x1d\n" +
	"\n" +
	"token_type\x18\x06 \x01(\tR\ttokenType\"<\n" +
	"\x15RefreshSessionRequest\x12#\n" +
	"\rrefresh_token\x18\x01 \x01(\tR\frefreshToken\"U\n" +
	"\x14ValidateTokenRequest\x12!\n" +
	"\faccess_token\x18\x01 \x01(\tR\vaccessToken\x12\x1a\n" +
	"\baudience\x18\x02 \x03(\tR\baudience\"\xbf\x02\n" +
	"\vTokenClaims\x12\x18\n" +
	"\asubject\x18\x01 \x01(\tR\asubject\x12\x1d\n" +
	"\n" +
	"session_id\x18\x02 \x01(\tR\tsessionId\x12\x1a\n" +
	"\baudience\x18\x03 \x03(\tR\baudience\x127\n" +
	"\tissued_at\x18\x04 \x01(\v2\x1a.google.protobuf.TimestampR\bissuedAt\x129\n" +
	"\n" +
	"expires_at\x18\x05 \x01(\v2\x1a.google.protobuf.TimestampR\texpiresAt\x12\x19\n" +
	"\btoken_id\x18\x06 \x01(\tR\atokenId\x12/\n" +
	"\x06custom\x18\a \x01(\v2\x17.google.protobuf.StructR\x06custom\x12\x1b\n" +
	"\tclient_id\x18\b \x01(\tR\bclientId\"\x96\x01\n" +
	"\x15ValidateTokenResponse\x12\x14\n" +
	"\x05valid\x18\x01 \x01(\bR\x05valid\x126\n" +
	"\x06reason\x18\x02 \x01(\x0e2\x1e.tessera.v1.TokenInvalidReasonR\x06reason\x12/\n" +
	"\x06claims\x18\x03 \x01(\v2\x17.tessera.v1.TokenClaimsR\x06claims\"\xc1\x01\n" +
	"\x14RevokeSessionRequest\x12\x1f\n" +
	"\n" +
	"session_id\x18\x01 \x01(\tH\x00R\tsessionId\x12\x1a\n" +
	"\asubject\x18\x02 \x01(\tH\x00R\asubject\x12%\n" +
	"\rrefresh_token\x18\x03 \x01(\tH\x00R\frefreshToken\x12#\n" +
	"\faccess_token\x18\x04 \x01(\tH\x00R\vaccessToken\x12\x16\n" +
	"\x06reason\x18\x05 \x01(\tR\x06reasonB\b\n" +
	"\x06target\"X\n" +
	"\x15RevokeSessionResponse\x12#\n" +
	"\rrevoked_count\x18\x01 \x01(\x03R\frevokedCount\x12\x1a\n" +
	"\bsequence\x18\x02 \x01(\x04R\bsequence\"2\n" +
	"\x11GetSessionRequest\x12\x1d\n" +
	"\n" +
	"session_id\x18\x01 \x01(\tR\tsessionId\"\xc1\x04\n" +
	"\aSession\x12\x1d\n" +
	"\n" +
	"session_id\x18\x01 \x01(\tR\tsessionId\x12\x18\n" +
	"\asubject\x18\x02 \x01(\tR\asubject\x12\x1a\n" +
	"\baudience\x18\x03 \x03(\tR\baudience\x12/\n" +
	"\x06claims\x18\x04 \x01(\v2\x17.google.protobuf.StructR\x06claims\x12.\n" +
	"\x06client\x18\x05 \x01(\v2\x16.tessera.v1.ClientInfoR\x06client\x129\n" +
	"\n" +
	"created_at\x18\x06 \x01(\v2\x1a.google.protobuf.TimestampR\tcreatedAt\x12F\n" +
	"\x11last_refreshed_at\x18\a \x01(\v2\x1a.google.protobuf.TimestampR\x0flastRefreshedAt\x129\n" +
	"\n" +
	"expires_at\x18\b \x01(\v2\x1a.google.protobuf.TimestampR\texpiresAt\x12B\n" +
	"\x0fidle_expires_at\x18\t \x01(\v2\x1a.google.protobuf.TimestampR\ridleExpiresAt\x12\x1e\n" +
	"\n" +
	"generation\x18\n" +
	" \x01(\x04R\n" +
	"generation\x129\n" +
	"\n" +
	"revoked_at\x18\v \x01(\v2\x1a.google.protobuf.TimestampR\trevokedAt\x12#\n" +
	"\rrevoke_reason\x18\f \x01(\tR\frevokeReason\"\x94\x01\n" +
	"\x13ListSessionsRequest\x12\x18\n" +
	"\asubject\x18\x01 \x01(\tR\asubject\x12\x1b\n" +
	"\tpage_size\x18\x02 \x01(\x05R\bpageSize\x12\x1d\n" +
	"\n" +
	"page_token\x18\x03 \x01(\tR\tpageToken\x12'\n" +
	"\x0finclude_revoked\x18\x04 \x01(\bR\x0eincludeRevoked\"o\n" +
	"\x14ListSessionsResponse\x12/\n" +
	"\bsessions\x18\x01 \x03(\v2\x13.tessera.v1.SessionR\bsessions\x12&\n" +
	"\x0fnext_page_token\x18\x02 \x01(\tR\rnextPageToken\"\xdc\x01\n" +
	"\x13UpdateClaimsRequest\x12\x18\n" +
	"\asubject\x18\x01 \x01(\tR\asubject\x12/\n" +
	"\x06claims\x18\x02 \x01(\v2\x17.google.protobuf.StructR\x06claims\x12\x14\n" +
	"\x05merge\x18\x03 \x01(\bR\x05merge\x128\n" +
	"\x18invalidate_access_tokens\x18\x04 \x01(\bR\x16invalidateAccessTokens\x12*\n" +
	"\x04mode\x18\x05 \x01(\x0e2\x16.tessera.v1.ClaimsModeR\x04mode\"2\n" +
	"\x14UpdateClaimsResponse\x12\x1a\n" +
	"\bsequence\x18\x01 \x01(\x04R\bsequence\"\x10\n" +
	"\x0eGetJwksRequest\"Z\n" +
	"\x0fGetJwksResponse\x12\x1b\n" +
	"\tjwks_json\x18\x01 \x01(\tR\bjwksJson\x12*\n" +
	"\x04keys\x18\x02 \x03(\v2\x16.tessera.v1.SigningKeyR\x04keys\"\x88\x01\n" +
	"\x17WatchRevocationsRequest\x12%\n" +
	"\x0eafter_sequence\x18\x01 \x01(\x04R\rafterSequence\x12 \n" +
	"\vincarnation\x18\x02 \x01(\tR\vincarnation\x12$\n" +
	"\x0eafter_log_hash\x18\x03 \x01(\fR\fafterLogHash\"\x92\x04\n" +
	"\x0fRevocationEvent\x12\x1a\n" +
	"\bsequence\x18\x01 \x01(\x04R\bsequence\x12.\n" +
	"\x04time\x18\x02 \x01(\v2\x1a.google.protobuf.TimestampR\x04time\x12E\n" +
	"\x0fsession_revoked\x18\x03 \x01(\v2\x1a.tessera.v1.SessionRevokedH\x00R\x0esessionRevoked\x12E\n" +
	"\x0fsubject_revoked\x18\x04 \x01(\v2\x1a.tessera.v1.SubjectRevokedH\x00R\x0esubjectRevoked\x12N\n" +
	"\x12claims_invalidated\x18\x05 \x01(\v2\x1d.tessera.v1.ClaimsInvalidatedH\x00R\x11claimsInvalidated\x12<\n" +
	"\fkeys_changed\x18\x06 \x01(\v2\x17.tessera.v1.KeysChangedH\x00R\vkeysChanged\x12<\n" +
	"\fsnapshot_end\x18\a \x01(\v2\x17.tessera.v1.SnapshotEndH\x00R\vsnapshotEnd\x125\n" +
	"\theartbeat\x18\b \x01(\v2\x15.tessera.v1.HeartbeatH\x00R\theartbeat\x12\x19\n" +
	"\blog_hash\x18\t \x01(\fR\alogHashB\a\n" +
	"\x05event\"\x88\x01\n" +
	"\x0eSessionRevoked\x12\x1d\n" +
	"\n" +
	"session_id\x18\x01 \x01(\tR\tsessionId\x12\x18\n" +
	"\asubject\x18\x02 \x01(\tR\asubject\x12=\n" +
	"\fforget_after\x18\x03 \x01(\v2\x1a.google.protobuf.TimestampR\vforgetAfter\"e\n" +
	"\x0eSubjectRevoked\x12\x18\n" +
	"\asubject\x18\x01 \x01(\tR\asubject\x129\n" +
	"\n" +
	"not_before\x18\x02 \x01(\v2\x1a.google.protobuf.TimestampR\tnotBefore\"\xc7\x01\n" +
	"\x11ClaimsInvalidated\x12\x18\n" +
	"\asubject\x18\x01 \x01(\tR\asubject\x129\n" +
	"\n" +
	"not_before\x18\x02 \x01(\v2\x1a.google.protobuf.TimestampR\tnotBefore\x12\x1e\n" +
	"\n" +
	"generation\x18\x03 \x01(\x04R\n" +
	"generation\x12=\n" +
	"\fforget_after\x18\x04 \x01(\v2\x1a.google.protobuf.TimestampR\vforgetAfter\"*\n" +
	"\vKeysChanged\x12\x1b\n" +
	"\tjwks_json\x18\x01 \x01(\tR\bjwksJson\"E\n" +
	"\vSnapshotEnd\x12\x14\n" +
	"\x05reset\x18\x01 \x01(\bR\x05reset\x12 \n" +
	"\vincarnation\x18\x02 \x01(\tR\vincarnation\"X\n" +
	"\tHeartbeat\x12)\n" +
	"\x10current_sequence\x18\x01 \x01(\x04R\x0fcurrentSequence\x12 \n" +
	"\vincarnation\x18\x02 \x01(\tR\vincarnation*\xec\x03\n" +
	"\x12TokenInvalidReason\x12$\n" +
	" TOKEN_INVALID_REASON_UNSPECIFIED\x10\x00\x12\"\n" +
	"\x1eTOKEN_INVALID_REASON_MALFORMED\x10\x01\x12&\n" +
	"\"TOKEN_INVALID_REASON_BAD_SIGNATURE\x10\x02\x12$\n" +
	" TOKEN_INVALID_REASON_UNKNOWN_KEY\x10\x03\x12.\n" +
	"*TOKEN_INVALID_REASON_UNSUPPORTED_ALGORITHM\x10\x04\x12 \n" +
	"\x1cTOKEN_INVALID_REASON_EXPIRED\x10\x05\x12&\n" +
	"\"TOKEN_INVALID_REASON_NOT_YET_VALID\x10\x06\x12'\n" +
	"#TOKEN_INVALID_REASON_WRONG_AUDIENCE\x10\a\x12%\n" +
	"!TOKEN_INVALID_REASON_WRONG_ISSUER\x10\b\x12#\n" +
	"\x1fTOKEN_INVALID_REASON_WRONG_TYPE\x10\t\x12(\n" +
	"$TOKEN_INVALID_REASON_SESSION_REVOKED\x10\n" +
	"\x12%\n" +
	"!TOKEN_INVALID_REASON_STALE_CLAIMS\x10\v*\x80\x01\n" +
	"\n" +
	"ClaimsMode\x12\x1b\n" +
	"\x17CLAIMS_MODE_UNSPECIFIED\x10\x00\x12\x17\n" +
	"\x13CLAIMS_MODE_REPLACE\x10\x01\x12\x1f\n" +
	"\x1bCLAIMS_MODE_MERGE_TOP_LEVEL\x10\x02\x12\x1b\n" +
	"\x17CLAIMS_MODE_MERGE_PATCH\x10\x032\xdc\x05\n" +
	"\x0eTokenAuthority\x12J\n" +
	"\fIssueSession\x12\x1f.tessera.v1.IssueSessionRequest\x1a\x19.tessera.v1.SessionTokens\x12N\n" +
	"\x0eRefreshSession\x12!.tessera.v1.RefreshSessionRequest\x1a\x19.tessera.v1.SessionTokens\x12T\n" +
	"\rValidateToken\x12 .tessera.v1.ValidateTokenRequest\x1a!.tessera.v1.ValidateTokenResponse\x12T\n" +
	"\rRevokeSession\x12 .tessera.v1.RevokeSessionRequest\x1a!.tessera.v1.RevokeSessionResponse\x12@\n" +
	"\n" +
	"GetSession\x12\x1d.tessera.v1.GetSessionRequest\x1a\x13.tessera.v1.Session\x12Q\n" +
	"\fListSessions\x12\x1f.tessera.v1.ListSessionsRequest\x1a .tessera.v1.ListSessionsResponse\x12Q\n" +
	"\fUpdateClaims\x12\x1f.tessera.v1.UpdateClaimsRequest\x1a .tessera.v1.UpdateClaimsResponse\x12B\n" +
	"\aGetJwks\x12\x1a.tessera.v1.GetJwksRequest\x1a\x1b.tessera.v1.GetJwksResponse\x12V\n" +
	"\x10WatchRevocations\x12#.tessera.v1.WatchRevocationsRequest\x1a\x1b.tessera.v1.RevocationEvent0\x01B\x03\xf8\x01\x01b\x06proto3"

var (
	file_tessera_v1_token_authority_proto_rawDescOnce sync.Once
	file_tessera_v1_token_authority_proto_rawDescData []byte
)

func file_tessera_v1_token_authority_proto_rawDescGZIP() []byte {
	file_tessera_v1_token_authority_proto_rawDescOnce.Do(func() {
		file_tessera_v1_token_authority_proto_rawDescData = protoimpl.X.CompressGZIP(unsafe.Slice(unsafe.StringData(file_tessera_v1_token_authority_proto_rawDesc), len(file_tessera_v1_token_authority_proto_rawDesc)))
	})
	return file_tessera_v1_token_authority_proto_rawDescData
}

var file_tessera_v1_token_authority_proto_enumTypes = make([]protoimpl.EnumInfo, 2)
var file_tessera_v1_token_authority_proto_msgTypes = make([]protoimpl.MessageInfo, 25)
var file_tessera_v1_token_authority_proto_goTypes = []any{
	(TokenInvalidReason)(0),         // 0: tessera.v1.TokenInvalidReason
	(ClaimsMode)(0),                 // 1: tessera.v1.ClaimsMode
	(*ClientInfo)(nil),              // 2: tessera.v1.ClientInfo
	(*IssueSessionRequest)(nil),     // 3: tessera.v1.IssueSessionRequest
	(*SessionTokens)(nil),           // 4: tessera.v1.SessionTokens
	(*RefreshSessionRequest)(nil),   // 5: tessera.v1.RefreshSessionRequest
	(*ValidateTokenRequest)(nil),    // 6: tessera.v1.ValidateTokenRequest
	(*TokenClaims)(nil),             // 7: tessera.v1.TokenClaims
	(*ValidateTokenResponse)(nil),   // 8: tessera.v1.ValidateTokenResponse
	(*RevokeSessionRequest)(nil),    // 9: tessera.v1.RevokeSessionRequest
	(*RevokeSessionResponse)(nil),   // 10: tessera.v1.RevokeSessionResponse
	(*GetSessionRequest)(nil),       // 11: tessera.v1.GetSessionRequest
	(*Session)(nil),                 // 12: tessera.v1.Session
	(*ListSessionsRequest)(nil),     // 13: tessera.v1.ListSessionsRequest
	(*ListSessionsResponse)(nil),    // 14: tessera.v1.ListSessionsResponse
	(*UpdateClaimsRequest)(nil),     // 15: tessera.v1.UpdateClaimsRequest
	(*UpdateClaimsResponse)(nil),    // 16: tessera.v1.UpdateClaimsResponse
	(*GetJwksRequest)(nil),          // 17: tessera.v1.GetJwksRequest
	(*GetJwksResponse)(nil),         // 18: tessera.v1.GetJwksResponse
	(*WatchRevocationsRequest)(nil), // 19: tessera.v1.WatchRevocationsRequest
	(*RevocationEvent)(nil),         // 20: tessera.v1.RevocationEvent
	(*SessionRevoked)(nil),          // 21: tessera.v1.SessionRevoked
	(*SubjectRevoked)(nil),          // 22: tessera.v1.SubjectRevoked
	(*ClaimsInvalidated)(nil),       // 23: tessera.v1.ClaimsInvalidated
	(*KeysChanged)(nil),             // 24: tessera.v1.KeysChanged
	(*SnapshotEnd)(nil),             // 25: tessera.v1.SnapshotEnd
	(*Heartbeat)(nil),               // 26: tessera.v1.Heartbeat
	(*structpb.Struct)(nil),         // 27: google.protobuf.Struct
	(*durationpb.Duration)(nil),     // 28: google.protobuf.Duration
	(*timestamppb.Timestamp)(nil),   // 29: google.protobuf.Timestamp
	(*SigningKey)(nil),              // 30: tessera.v1.SigningKey
}
var file_tessera_v1_token_authority_proto_depIdxs = []int32{
	27, // 0: tessera.v1.IssueSessionRequest.claims:type_name -> google.protobuf.Struct
	28, // 1: tessera.v1.IssueSessionRequest.access_ttl:type_name -> google.protobuf.Duration
	28, // 2: tessera.v1.IssueSessionRequest.session_ttl:type_name -> google.protobuf.Duration
	2,  // 3: tessera.v1.IssueSessionRequest.client:type_name -> tessera.v1.ClientInfo
	29, // 4: tessera.v1.SessionTokens.access_expires_at:type_name -> google.protobuf.Timestamp
	29, // 5: tessera.v1.SessionTokens.refresh_expires_at:type_name -> google.protobuf.Timestamp
	29, // 6: tessera.v1.TokenClaims.issued_at:type_name -> google.protobuf.Timestamp
	29, // 7: tessera.v1.TokenClaims.expires_at:type_name -> google.protobuf.Timestamp
	27, // 8: tessera.v1.TokenClaims.custom:type_name -> google.protobuf.Struct
	0,  // 9: tessera.v1.ValidateTokenResponse.reason:type_name -> tessera.v1.TokenInvalidReason
	7,  // 10: tessera.v1.ValidateTokenResponse.claims:type_name -> tessera.v1.TokenClaims
	27, // 11: tessera.v1.Session.claims:type_name -> google.protobuf.Struct
	2,  // 12: tessera.v1.Session.client:type_name -> tessera.v1.ClientInfo
	29, // 13: tessera.v1.Session.created_at:type_name -> google.protobuf.Timestamp
	29, // 14: tessera.v1.Session.last_refreshed_at:type_name -> google.protobuf.Timestamp
	29, // 15: tessera.v1.Session.expires_at:type_name -> google.protobuf.Timestamp
	29, // 16: tessera.v1.Session.idle_expires_at:type_name -> google.protobuf.Timestamp
	29, // 17: tessera.v1.Session.revoked_at:type_name -> google.protobuf.Timestamp
	12, // 18: tessera.v1.ListSessionsResponse.sessions:type_name -> tessera.v1.Session
	27, // 19: tessera.v1.UpdateClaimsRequest.claims:type_name -> google.protobuf.Struct
	1,  // 20: tessera.v1.UpdateClaimsRequest.mode:type_name -> tessera.v1.ClaimsMode
	30, // 21: tessera.v1.GetJwksResponse.keys:type_name -> tessera.v1.SigningKey
	29, // 22: tessera.v1.RevocationEvent.time:type_name -> google.protobuf.Timestamp
	21, // 23: tessera.v1.RevocationEvent.session_revoked:type_name -> tessera.v1.SessionRevoked
	22, // 24: tessera.v1.RevocationEvent.subject_revoked:type_name -> tessera.v1.SubjectRevoked
	23, // 25: tessera.v1.RevocationEvent.claims_invalidated:type_name -> tessera.v1.ClaimsInvalidated
	24, // 26: tessera.v1.RevocationEvent.keys_changed:type_name -> tessera.v1.KeysChanged
	25, // 27: tessera.v1.RevocationEvent.snapshot_end:type_name -> tessera.v1.SnapshotEnd
	26, // 28: tessera.v1.RevocationEvent.heartbeat:type_name -> tessera.v1.Heartbeat
	29, // 29: tessera.v1.SessionRevoked.forget_after:type_name -> google.protobuf.Timestamp
	29, // 30: tessera.v1.SubjectRevoked.not_before:type_name -> google.protobuf.Timestamp
	29, // 31: tessera.v1.ClaimsInvalidated.not_before:type_name -> google.protobuf.Timestamp
	29, // 32: tessera.v1.ClaimsInvalidated.forget_after:type_name -> google.protobuf.Timestamp
	3,  // 33: tessera.v1.TokenAuthority.IssueSession:input_type -> tessera.v1.IssueSessionRequest
	5,  // 34: tessera.v1.TokenAuthority.RefreshSession:input_type -> tessera.v1.RefreshSessionRequest
	6,  // 35: tessera.v1.TokenAuthority.ValidateToken:input_type -> tessera.v1.ValidateTokenRequest
	9,  // 36: tessera.v1.TokenAuthority.RevokeSession:input_type -> tessera.v1.RevokeSessionRequest
	11, // 37: tessera.v1.TokenAuthority.GetSession:input_type -> tessera.v1.GetSessionRequest
	13, // 38: tessera.v1.TokenAuthority.ListSessions:input_type -> tessera.v1.ListSessionsRequest
	15, // 39: tessera.v1.TokenAuthority.UpdateClaims:input_type -> tessera.v1.UpdateClaimsRequest
	17, // 40: tessera.v1.TokenAuthority.GetJwks:input_type -> tessera.v1.GetJwksRequest
	19, // 41: tessera.v1.TokenAuthority.WatchRevocations:input_type -> tessera.v1.WatchRevocationsRequest
	4,  // 42: tessera.v1.TokenAuthority.IssueSession:output_type -> tessera.v1.SessionTokens
	4,  // 43: tessera.v1.TokenAuthority.RefreshSession:output_type -> tessera.v1.SessionTokens
	8,  // 44: tessera.v1.TokenAuthority.ValidateToken:output_type -> tessera.v1.ValidateTokenResponse
	10, // 45: tessera.v1.TokenAuthority.RevokeSession:output_type -> tessera.v1.RevokeSessionResponse
	12, // 46: tessera.v1.TokenAuthority.GetSession:output_type -> tessera.v1.Session
	14, // 47: tessera.v1.TokenAuthority.ListSessions:output_type -> tessera.v1.ListSessionsResponse
	16, // 48: tessera.v1.TokenAuthority.UpdateClaims:output_type -> tessera.v1.UpdateClaimsResponse
	18, // 49: tessera.v1.TokenAuthority.GetJwks:output_type -> tessera.v1.GetJwksResponse
	20, // 50: tessera.v1.TokenAuthority.WatchRevocations:output_type -> tessera.v1.RevocationEvent
	42, // [42:51] is the sub-list for method output_type
	33, // [33:42] is the sub-list for method input_type
	33, // [33:33] is the sub-list for extension type_name
	33, // [33:33] is the sub-list for extension extendee
	0,  // [0:33] is the sub-list for field type_name
}

func init() { file_tessera_v1_token_authority_proto_init() }
func file_tessera_v1_token_authority_proto_init() {
	if File_tessera_v1_token_authority_proto != nil {
		return
	}
	file_tessera_v1_keys_proto_init()
	file_tessera_v1_token_authority_proto_msgTypes[7].OneofWrappers = []any{
		(*RevokeSessionRequest_SessionId)(nil),
		(*RevokeSessionRequest_Subject)(nil),
		(*RevokeSessionRequest_RefreshToken)(nil),
		(*RevokeSessionRequest_AccessToken)(nil),
	}
	file_tessera_v1_token_authority_proto_msgTypes[18].OneofWrappers = []any{
		(*RevocationEvent_SessionRevoked)(nil),
		(*RevocationEvent_SubjectRevoked)(nil),
		(*RevocationEvent_ClaimsInvalidated)(nil),
		(*RevocationEvent_KeysChanged)(nil),
		(*RevocationEvent_SnapshotEnd)(nil),
		(*RevocationEvent_Heartbeat)(nil),
	}
	type x struct{}
	out := protoimpl.TypeBuilder{
		File: protoimpl.DescBuilder{
			GoPackagePath: reflect.TypeOf(x{}).PkgPath(),
			RawDescriptor: unsafe.Slice(unsafe.StringData(file_tessera_v1_token_authority_proto_rawDesc), len(file_tessera_v1_token_authority_proto_rawDesc)),
			NumEnums:      2,
			NumMessages:   25,
			NumExtensions: 0,
			NumServices:   1,
		},
		GoTypes:           file_tessera_v1_token_authority_proto_goTypes,
		DependencyIndexes: file_tessera_v1_token_authority_proto_depIdxs,
		EnumInfos:         file_tessera_v1_token_authority_proto_enumTypes,
		MessageInfos:      file_tessera_v1_token_authority_proto_msgTypes,
	}.Build()
	File_tessera_v1_token_authority_proto = out.File
	file_tessera_v1_token_authority_proto_goTypes = nil
	file_tessera_v1_token_authority_proto_depIdxs = nil
}
