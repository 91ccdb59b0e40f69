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

// Code generated by protoc-gen-go-grpc. DO NOT EDIT.
// versions:
// - protoc-gen-go-grpc v1.6.2
// - protoc             v3.21.12
// source: tessera/v1/token_authority.proto

package tesserapb

import (
	context "context"
	grpc "google.golang.org/grpc"
	codes "google.golang.org/grpc/codes"
	status "google.golang.org/grpc/status"
)

// This is a compile-time assertion to ensure that this generated file
// is compatible with the grpc package it is being compiled against.
// Requires gRPC-Go v1.64.0 or later.
const _ = grpc.SupportPackageIsVersion9

const (
	TokenAuthority_IssueSession_FullMethodName     = "/tessera.v1.TokenAuthority/IssueSession"
	TokenAuthority_RefreshSession_FullMethodName   = "/tessera.v1.TokenAuthority/RefreshSession"
	TokenAuthority_ValidateToken_FullMethodName    = "/tessera.v1.TokenAuthority/ValidateToken"
	TokenAuthority_RevokeSession_FullMethodName    = "/tessera.v1.TokenAuthority/RevokeSession"
	TokenAuthority_GetSession_FullMethodName       = "/tessera.v1.TokenAuthority/GetSession"
	TokenAuthority_ListSessions_FullMethodName     = "/tessera.v1.TokenAuthority/ListSessions"
	TokenAuthority_UpdateClaims_FullMethodName     = "/tessera.v1.TokenAuthority/UpdateClaims"
	TokenAuthority_GetJwks_FullMethodName          = "/tessera.v1.TokenAuthority/GetJwks"
	TokenAuthority_WatchRevocations_FullMethodName = "/tessera.v1.TokenAuthority/WatchRevocations"
)

// TokenAuthorityClient is the client API for TokenAuthority service.
//
// For semantics around ctx use and closing/ending streaming RPCs, please refer to https://pkg.go.dev/google.golang.org/grpc/?tab=doc#ClientConn.NewStream.
type TokenAuthorityClient interface {
	// Starts a session for a user the caller has already authenticated
	// (password, OAuth, WebAuthn, ...) and returns its first tokens.
	// Role: issuer. The caller's name becomes the `client_id` claim.
	// With a request_id, a retry of the same request returns the same session
	// instead of starting another (see IssueSessionRequest.request_id).
	// Errors: INVALID_ARGUMENT (SUBJECT_INVALID, AUDIENCE_INVALID,
	// CLAIMS_TOO_LARGE, RESERVED_CLAIM, CLAIMS_INVALID, TTL_INVALID,
	// CLIENT_INFO_INVALID, REQUEST_ID_INVALID), ALREADY_EXISTS
	// (REQUEST_ID_REUSED), FAILED_PRECONDITION (REQUEST_ID_SPENT),
	// RESOURCE_EXHAUSTED (RATE_LIMITED), UNAVAILABLE (STORE_UNAVAILABLE).
	IssueSession(ctx context.Context, in *IssueSessionRequest, opts ...grpc.CallOption) (*SessionTokens, error)
	// Rotates: returns a new access token and a new refresh token, and retires
	// the presented refresh token. A retired token gets the session's
	// *current* refresh token back, never a second, diverging one:
	//   - within --refresh_grace (default 10 s) of its retirement, whichever
	//     generation it is (two tabs racing through rotations);
	//   - at any time later, if it is the parent of the current token and
	//     that token was never used (the answer was lost: a closed tab, a
	//     dropped connection). A token handed out twice that way is strict:
	//     once used, presenting it again after the grace window is reuse.
	//   - Presenting any other retired token is theft: the whole session is
	//     revoked, the call fails with REFRESH_TOKEN_REUSED, it is audited,
	//     and watchers see the revocation. A thief and the user holding one
	//     token end on one successor, so whoever uses it second is caught.
	//     From then on the session's other tokens are answered
	//     REFRESH_TOKEN_REUSED as well, so both holders learn why.
	//   - A made-up secret for a real session id is REFRESH_TOKEN_INVALID and
	//     changes nothing (session ids are not secret).
	//
	// The new access token carries the subject's current claims (see
	// UpdateClaims). Role: issuer.
	// Errors: UNAUTHENTICATED (REFRESH_TOKEN_INVALID, REFRESH_TOKEN_REUSED,
	// SESSION_REVOKED, SESSION_EXPIRED), INVALID_ARGUMENT (TOKEN_TOO_LARGE),
	// RESOURCE_EXHAUSTED (RATE_LIMITED), UNAVAILABLE (STORE_UNAVAILABLE).
	RefreshSession(ctx context.Context, in *RefreshSessionRequest, opts ...grpc.CallOption) (*SessionTokens, error)
	// Authoritative check of an access token, including revocation and stale
	// claims. An invalid token is a normal answer (valid = false with a
	// reason), not an RPC error; the reason is the one the Verifier and the
	// conformance vectors give (see TokenInvalidReason). Role: verifier.
	// Errors: INVALID_ARGUMENT (TOKEN_TOO_LARGE, AUDIENCE_INVALID).
	ValidateToken(ctx context.Context, in *ValidateTokenRequest, opts ...grpc.CallOption) (*ValidateTokenResponse, error)
	// Revokes one session (by id or by either of its tokens) or every session
	// of a subject in the caller's session group ("sign out everywhere"; an
	// admin: every group). A refresh token revokes only if its secret is the
	// session's current or a retired one; an access token only if its
	// signature verifies. Access tokens of revoked sessions
	// are rejected by ValidateToken as soon as this returns, and by watching
	// Verifiers once they reach the returned sequence. Revoking something
	// already revoked or unknown is not an error: revoked_count is 0
	// (RFC 7009 §2.2). Role: issuer.
	// Errors: INVALID_ARGUMENT (TARGET_MISSING, SUBJECT_INVALID,
	// SESSION_ID_INVALID, TOKEN_TOO_LARGE), UNAVAILABLE (STORE_UNAVAILABLE).
	RevokeSession(ctx context.Context, in *RevokeSessionRequest, opts ...grpc.CallOption) (*RevokeSessionResponse, error)
	// One session, for a "your devices" page. Never returns a secret.
	// Role: issuer. Errors: INVALID_ARGUMENT (SESSION_ID_INVALID),
	// NOT_FOUND (SESSION_NOT_FOUND).
	GetSession(ctx context.Context, in *GetSessionRequest, opts ...grpc.CallOption) (*Session, error)
	// The sessions of a subject, newest first, paginated. Role: issuer.
	// Errors: INVALID_ARGUMENT (SUBJECT_INVALID, PAGE_TOKEN_INVALID).
	ListSessions(ctx context.Context, in *ListSessionsRequest, opts ...grpc.CallOption) (*ListSessionsResponse, error)
	// The user changed: replaces, merges into or merge-patches (see
	// ClaimsMode) the custom claims of every live session of the subject in
	// the caller's session group (for admins too). Each session's new claims
	// are computed from its own current claims and written into it, all in
	// one atomic write, before this returns: GetSession shows them at once,
	// the next refresh of the session carries them, and a session issued
	// after this call keeps the claims it was issued with. With
	// invalidate_access_tokens, access tokens of the subject issued before
	// this call are rejected with STALE_CLAIMS everywhere, so clients refresh
	// at once and get fresh data without logging in again. Role: issuer.
	// Errors: INVALID_ARGUMENT (SUBJECT_INVALID, CLAIMS_TOO_LARGE,
	// RESERVED_CLAIM, CLAIMS_INVALID, CLAIMS_MODE_INVALID), UNAVAILABLE
	// (STORE_UNAVAILABLE).
	UpdateClaims(ctx context.Context, in *UpdateClaimsRequest, opts ...grpc.CallOption) (*UpdateClaimsResponse, error)
	// The public signing keys (next, active, and retired ones whose tokens may
	// still be live) as a JWK Set. The same document is served over HTTP at
	// /.well-known/jwks.json. Role: verifier.
	GetJwks(ctx context.Context, in *GetJwksRequest, opts ...grpc.CallOption) (*GetJwksResponse, error)
	// The revocation stream that in-process Verifiers follow (docs/architecture.md).
	// after_sequence = 0: a snapshot of every revocation that can still matter
	// (younger than the longest access-token lifetime plus leeway), then
	// snapshot_end, then live events. after_sequence = N: resumes after N if
	// the log still holds it (the newest 10,000 events, and every event that
	// can still matter, are always held), else a fresh snapshot whose
	// snapshot_end has reset = true. A resume sends the logged events after N, then
	// snapshot_end with reset = false ("caught up"). snapshot_end's own
	// `sequence` is the sequence the stream is complete up to: resume after
	// it. Events are sent only once durable. Heartbeats (every second, on an
	// otherwise idle stream) carry the newest sequence sent before them.
	// A consumer that falls too far behind is cut off with RESOURCE_EXHAUSTED
	// (CONSUMER_TOO_SLOW) and resumes; no event is ever silently dropped.
	// Role: verifier. Errors: RESOURCE_EXHAUSTED (TOO_MANY_WATCHERS,
	// CONSUMER_TOO_SLOW).
	WatchRevocations(ctx context.Context, in *WatchRevocationsRequest, opts ...grpc.CallOption) (grpc.ServerStreamingClient[RevocationEvent], error)
}

type tokenAuthorityClient struct {
	cc grpc.ClientConnInterface
}

func NewTokenAuthorityClient(cc grpc.ClientConnInterface) TokenAuthorityClient {
	return &tokenAuthorityClient{cc}
}

func (c *tokenAuthorityClient) IssueSession(ctx context.Context, in *IssueSessionRequest, opts ...grpc.CallOption) (*SessionTokens, error) {
	cOpts := append([]grpc.CallOption{grpc.StaticMethod()}, opts...)
	out := new(SessionTokens)
	err := c.cc.Invoke(ctx, TokenAuthority_IssueSession_FullMethodName, in, out, cOpts...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (c *tokenAuthorityClient) RefreshSession(ctx context.Context, in *RefreshSessionRequest, opts ...grpc.CallOption) (*SessionTokens, error) {
	cOpts := append([]grpc.CallOption{grpc.StaticMethod()}, opts...)
	out := new(SessionTokens)
	err := c.cc.Invoke(ctx, TokenAuthority_RefreshSession_FullMethodName, in, out, cOpts...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (c *tokenAuthorityClient) ValidateToken(ctx context.Context, in *ValidateTokenRequest, opts ...grpc.CallOption) (*ValidateTokenResponse, error) {
	cOpts := append([]grpc.CallOption{grpc.StaticMethod()}, opts...)
	out := new(ValidateTokenResponse)
	err := c.cc.Invoke(ctx, TokenAuthority_ValidateToken_FullMethodName, in, out, cOpts...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (c *tokenAuthorityClient) RevokeSession(ctx context.Context, in *RevokeSessionRequest, opts ...grpc.CallOption) (*RevokeSessionResponse, error) {
	cOpts := append([]grpc.CallOption{grpc.StaticMethod()}, opts...)
	out := new(RevokeSessionResponse)
	err := c.cc.Invoke(ctx, TokenAuthority_RevokeSession_FullMethodName, in, out, cOpts...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (c *tokenAuthorityClient) GetSession(ctx context.Context, in *GetSessionRequest, opts ...grpc.CallOption) (*Session, error) {
	cOpts := append([]grpc.CallOption{grpc.StaticMethod()}, opts...)
	out := new(Session)
	err := c.cc.Invoke(ctx, TokenAuthority_GetSession_FullMethodName, in, out, cOpts...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (c *tokenAuthorityClient) ListSessions(ctx context.Context, in *ListSessionsRequest, opts ...grpc.CallOption) (*ListSessionsResponse, error) {
	cOpts := append([]grpc.CallOption{grpc.StaticMethod()}, opts...)
	out := new(ListSessionsResponse)
	err := c.cc.Invoke(ctx, TokenAuthority_ListSessions_FullMethodName, in, out, cOpts...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (c *tokenAuthorityClient) UpdateClaims(ctx context.Context, in *UpdateClaimsRequest, opts ...grpc.CallOption) (*UpdateClaimsResponse, error) {
	cOpts := append([]grpc.CallOption{grpc.StaticMethod()}, opts...)
	out := new(UpdateClaimsResponse)
	err := c.cc.Invoke(ctx, TokenAuthority_UpdateClaims_FullMethodName, in, out, cOpts...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (c *tokenAuthorityClient) GetJwks(ctx context.Context, in *GetJwksRequest, opts ...grpc.CallOption) (*GetJwksResponse, error) {
	cOpts := append([]grpc.CallOption{grpc.StaticMethod()}, opts...)
	out := new(GetJwksResponse)
	err := c.cc.Invoke(ctx, TokenAuthority_GetJwks_FullMethodName, in, out, cOpts...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (c *tokenAuthorityClient) WatchRevocations(ctx context.Context, in *WatchRevocationsRequest, opts ...grpc.CallOption) (grpc.ServerStreamingClient[RevocationEvent], error) {
	cOpts := append([]grpc.CallOption{grpc.StaticMethod()}, opts...)
	stream, err := c.cc.NewStream(ctx, &TokenAuthority_ServiceDesc.Streams[0], TokenAuthority_WatchRevocations_FullMethodName, cOpts...)
	if err != nil {
		return nil, err
	}
	x := &grpc.GenericClientStream[WatchRevocationsRequest, RevocationEvent]{ClientStream: stream}
	if err := x.ClientStream.SendMsg(in); err != nil {
		return nil, err
	}
	if err := x.ClientStream.CloseSend(); err != nil {
		return nil, err
	}
	return x, nil
}

// This type alias is provided for backwards compatibility with existing code that references the prior non-generic stream type by name.
type TokenAuthority_WatchRevocationsClient = grpc.ServerStreamingClient[RevocationEvent]

// TokenAuthorityServer is the server API for TokenAuthority service.
// All implementations must embed UnimplementedTokenAuthorityServer
// for forward compatibility.
type TokenAuthorityServer interface {
	// Starts a session for a user the caller has already authenticated
	// (password, OAuth, WebAuthn, ...) and returns its first tokens.
	// Role: issuer. The caller's name becomes the `client_id` claim.
	// With a request_id, a retry of the same request returns the same session
	// instead of starting another (see IssueSessionRequest.request_id).
	// Errors: INVALID_ARGUMENT (SUBJECT_INVALID, AUDIENCE_INVALID,
	// CLAIMS_TOO_LARGE, RESERVED_CLAIM, CLAIMS_INVALID, TTL_INVALID,
	// CLIENT_INFO_INVALID, REQUEST_ID_INVALID), ALREADY_EXISTS
	// (REQUEST_ID_REUSED), FAILED_PRECONDITION (REQUEST_ID_SPENT),
	// RESOURCE_EXHAUSTED (RATE_LIMITED), UNAVAILABLE (STORE_UNAVAILABLE).
	IssueSession(context.Context, *IssueSessionRequest) (*SessionTokens, error)
	// Rotates: returns a new access token and a new refresh token, and retires
	// the presented refresh token. A retired token gets the session's
	// *current* refresh token back, never a second, diverging one:
	//   - within --refresh_grace (default 10 s) of its retirement, whichever
	//     generation it is (two tabs racing through rotations);
	//   - at any time later, if it is the parent of the current token and
	//     that token was never used (the answer was lost: a closed tab, a
	//     dropped connection). A token handed out twice that way is strict:
	//     once used, presenting it again after the grace window is reuse.
	//   - Presenting any other retired token is theft: the whole session is
	//     revoked, the call fails with REFRESH_TOKEN_REUSED, it is audited,
	//     and watchers see the revocation. A thief and the user holding one
	//     token end on one successor, so whoever uses it second is caught.
	//     From then on the session's other tokens are answered
	//     REFRESH_TOKEN_REUSED as well, so both holders learn why.
	//   - A made-up secret for a real session id is REFRESH_TOKEN_INVALID and
	//     changes nothing (session ids are not secret).
	//
	// The new access token carries the subject's current claims (see
	// UpdateClaims). Role: issuer.
	// Errors: UNAUTHENTICATED (REFRESH_TOKEN_INVALID, REFRESH_TOKEN_REUSED,
	// SESSION_REVOKED, SESSION_EXPIRED), INVALID_ARGUMENT (TOKEN_TOO_LARGE),
	// RESOURCE_EXHAUSTED (RATE_LIMITED), UNAVAILABLE (STORE_UNAVAILABLE).
	RefreshSession(context.Context, *RefreshSessionRequest) (*SessionTokens, error)
	// Authoritative check of an access token, including revocation and stale
	// claims. An invalid token is a normal answer (valid = false with a
	// reason), not an RPC error; the reason is the one the Verifier and the
	// conformance vectors give (see TokenInvalidReason). Role: verifier.
	// Errors: INVALID_ARGUMENT (TOKEN_TOO_LARGE, AUDIENCE_INVALID).
	ValidateToken(context.Context, *ValidateTokenRequest) (*ValidateTokenResponse, error)
	// Revokes one session (by id or by either of its tokens) or every session
	// of a subject in the caller's session group ("sign out everywhere"; an
	// admin: every group). A refresh token revokes only if its secret is the
	// session's current or a retired one; an access token only if its
	// signature verifies. Access tokens of revoked sessions
	// are rejected by ValidateToken as soon as this returns, and by watching
	// Verifiers once they reach the returned sequence. Revoking something
	// already revoked or unknown is not an error: revoked_count is 0
	// (RFC 7009 §2.2). Role: issuer.
	// Errors: INVALID_ARGUMENT (TARGET_MISSING, SUBJECT_INVALID,
	// SESSION_ID_INVALID, TOKEN_TOO_LARGE), UNAVAILABLE (STORE_UNAVAILABLE).
	RevokeSession(context.Context, *RevokeSessionRequest) (*RevokeSessionResponse, error)
	// One session, for a "your devices" page. Never returns a secret.
	// Role: issuer. Errors: INVALID_ARGUMENT (SESSION_ID_INVALID),
	// NOT_FOUND (SESSION_NOT_FOUND).
	GetSession(context.Context, *GetSessionRequest) (*Session, error)
	// The sessions of a subject, newest first, paginated. Role: issuer.
	// Errors: INVALID_ARGUMENT (SUBJECT_INVALID, PAGE_TOKEN_INVALID).
	ListSessions(context.Context, *ListSessionsRequest) (*ListSessionsResponse, error)
	// The user changed: replaces, merges into or merge-patches (see
	// ClaimsMode) the custom claims of every live session of the subject in
	// the caller's session group (for admins too). Each session's new claims
	// are computed from its own current claims and written into it, all in
	// one atomic write, before this returns: GetSession shows them at once,
	// the next refresh of the session carries them, and a session issued
	// after this call keeps the claims it was issued with. With
	// invalidate_access_tokens, access tokens of the subject issued before
	// this call are rejected with STALE_CLAIMS everywhere, so clients refresh
	// at once and get fresh data without logging in again. Role: issuer.
	// Errors: INVALID_ARGUMENT (SUBJECT_INVALID, CLAIMS_TOO_LARGE,
	// RESERVED_CLAIM, CLAIMS_INVALID, CLAIMS_MODE_INVALID), UNAVAILABLE
	// (STORE_UNAVAILABLE).
	UpdateClaims(context.Context, *UpdateClaimsRequest) (*UpdateClaimsResponse, error)
	// The public signing keys (next, active, and retired ones whose tokens may
	// still be live) as a JWK Set. The same document is served over HTTP at
	// /.well-known/jwks.json. Role: verifier.
	GetJwks(context.Context, *GetJwksRequest) (*GetJwksResponse, error)
	// The revocation stream that in-process Verifiers follow (docs/architecture.md).
	// after_sequence = 0: a snapshot of every revocation that can still matter
	// (younger than the longest access-token lifetime plus leeway), then
	// snapshot_end, then live events. after_sequence = N: resumes after N if
	// the log still holds it (the newest 10,000 events, and every event that
	// can still matter, are always held), else a fresh snapshot whose
	// snapshot_end has reset = true. A resume sends the logged events after N, then
	// snapshot_end with reset = false ("caught up"). snapshot_end's own
	// `sequence` is the sequence the stream is complete up to: resume after
	// it. Events are sent only once durable. Heartbeats (every second, on an
	// otherwise idle stream) carry the newest sequence sent before them.
	// A consumer that falls too far behind is cut off with RESOURCE_EXHAUSTED
	// (CONSUMER_TOO_SLOW) and resumes; no event is ever silently dropped.
	// Role: verifier. Errors: RESOURCE_EXHAUSTED (TOO_MANY_WATCHERS,
	// CONSUMER_TOO_SLOW).
	WatchRevocations(*WatchRevocationsRequest, grpc.ServerStreamingServer[RevocationEvent]) error
	mustEmbedUnimplementedTokenAuthorityServer()
}

// UnimplementedTokenAuthorityServer must be embedded to have
// forward compatible implementations.
//
// NOTE: this should be embedded by value instead of pointer to avoid a nil
// pointer dereference when methods are called.
type UnimplementedTokenAuthorityServer struct{}

func (UnimplementedTokenAuthorityServer) IssueSession(context.Context, *IssueSessionRequest) (*SessionTokens, error) {
	return nil, status.Error(codes.Unimplemented, "method IssueSession not implemented")
}
func (UnimplementedTokenAuthorityServer) RefreshSession(context.Context, *RefreshSessionRequest) (*SessionTokens, error) {
	return nil, status.Error(codes.Unimplemented, "method RefreshSession not implemented")
}
func (UnimplementedTokenAuthorityServer) ValidateToken(context.Context, *ValidateTokenRequest) (*ValidateTokenResponse, error) {
	return nil, status.Error(codes.Unimplemented, "method ValidateToken not implemented")
}
func (UnimplementedTokenAuthorityServer) RevokeSession(context.Context, *RevokeSessionRequest) (*RevokeSessionResponse, error) {
	return nil, status.Error(codes.Unimplemented, "method RevokeSession not implemented")
}
func (UnimplementedTokenAuthorityServer) GetSession(context.Context, *GetSessionRequest) (*Session, error) {
	return nil, status.Error(codes.Unimplemented, "method GetSession not implemented")
}
func (UnimplementedTokenAuthorityServer) ListSessions(context.Context, *ListSessionsRequest) (*ListSessionsResponse, error) {
	return nil, status.Error(codes.Unimplemented, "method ListSessions not implemented")
}
func (UnimplementedTokenAuthorityServer) UpdateClaims(context.Context, *UpdateClaimsRequest) (*UpdateClaimsResponse, error) {
	return nil, status.Error(codes.Unimplemented, "method UpdateClaims not implemented")
}
func (UnimplementedTokenAuthorityServer) GetJwks(context.Context, *GetJwksRequest) (*GetJwksResponse, error) {
	return nil, status.Error(codes.Unimplemented, "method GetJwks not implemented")
}
func (UnimplementedTokenAuthorityServer) WatchRevocations(*WatchRevocationsRequest, grpc.ServerStreamingServer[RevocationEvent]) error {
	return status.Error(codes.Unimplemented, "method WatchRevocations not implemented")
}
func (UnimplementedTokenAuthorityServer) mustEmbedUnimplementedTokenAuthorityServer() {}
func (UnimplementedTokenAuthorityServer) testEmbeddedByValue()                        {}

// UnsafeTokenAuthorityServer may be embedded to opt out of forward compatibility for this service.
// Use of this interface is not recommended, as added methods to TokenAuthorityServer will
// result in compilation errors.
type UnsafeTokenAuthorityServer interface {
	mustEmbedUnimplementedTokenAuthorityServer()
}

func RegisterTokenAuthorityServer(s grpc.ServiceRegistrar, srv TokenAuthorityServer) {
	// If the following call panics, it indicates UnimplementedTokenAuthorityServer was
	// embedded by pointer and is nil.  This will cause panics if an
	// unimplemented method is ever invoked, so we test this at initialization
	// time to prevent it from happening at runtime later due to I/O.
	if t, ok := srv.(interface{ testEmbeddedByValue() }); ok {
		t.testEmbeddedByValue()
	}
	s.RegisterService(&TokenAuthority_ServiceDesc, srv)
}

func _TokenAuthority_IssueSession_Handler(srv interface{}, ctx context.Context, dec func(interface{}) error, interceptor grpc.UnaryServerInterceptor) (interface{}, error) {
	in := new(IssueSessionRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(TokenAuthorityServer).IssueSession(ctx, in)
	}
	info := &grpc.UnaryServerInfo{
		Server:     srv,
		FullMethod: TokenAuthority_IssueSession_FullMethodName,
	}
	handler := func(ctx context.Context, req interface{}) (interface{}, error) {
		return srv.(TokenAuthorityServer).IssueSession(ctx, req.(*IssueSessionRequest))
	}
	return interceptor(ctx, in, info, handler)
}

func _TokenAuthority_RefreshSession_Handler(srv interface{}, ctx context.Context, dec func(interface{}) error, interceptor grpc.UnaryServerInterceptor) (interface{}, error) {
	in := new(RefreshSessionRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(TokenAuthorityServer).RefreshSession(ctx, in)
	}
	info := &grpc.UnaryServerInfo{
		Server:     srv,
		FullMethod: TokenAuthority_RefreshSession_FullMethodName,
	}
	handler := func(ctx context.Context, req interface{}) (interface{}, error) {
		return srv.(TokenAuthorityServer).RefreshSession(ctx, req.(*RefreshSessionRequest))
	}
	return interceptor(ctx, in, info, handler)
}

func _TokenAuthority_ValidateToken_Handler(srv interface{}, ctx context.Context, dec func(interface{}) error, interceptor grpc.UnaryServerInterceptor) (interface{}, error) {
	in := new(ValidateTokenRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(TokenAuthorityServer).ValidateToken(ctx, in)
	}
	info := &grpc.UnaryServerInfo{
		Server:     srv,
		FullMethod: TokenAuthority_ValidateToken_FullMethodName,
	}
	handler := func(ctx context.Context, req interface{}) (interface{}, error) {
		return srv.(TokenAuthorityServer).ValidateToken(ctx, req.(*ValidateTokenRequest))
	}
	return interceptor(ctx, in, info, handler)
}

func _TokenAuthority_RevokeSession_Handler(srv interface{}, ctx context.Context, dec func(interface{}) error, interceptor grpc.UnaryServerInterceptor) (interface{}, error) {
	in := new(RevokeSessionRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(TokenAuthorityServer).RevokeSession(ctx, in)
	}
	info := &grpc.UnaryServerInfo{
		Server:     srv,
		FullMethod: TokenAuthority_RevokeSession_FullMethodName,
	}
	handler := func(ctx context.Context, req interface{}) (interface{}, error) {
		return srv.(TokenAuthorityServer).RevokeSession(ctx, req.(*RevokeSessionRequest))
	}
	return interceptor(ctx, in, info, handler)
}

func _TokenAuthority_GetSession_Handler(srv interface{}, ctx context.Context, dec func(interface{}) error, interceptor grpc.UnaryServerInterceptor) (interface{}, error) {
	in := new(GetSessionRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(TokenAuthorityServer).GetSession(ctx, in)
	}
	info := &grpc.UnaryServerInfo{
		Server:     srv,
		FullMethod: TokenAuthority_GetSession_FullMethodName,
	}
	handler := func(ctx context.Context, req interface{}) (interface{}, error) {
		return srv.(TokenAuthorityServer).GetSession(ctx, req.(*GetSessionRequest))
	}
	return interceptor(ctx, in, info, handler)
}

func _TokenAuthority_ListSessions_Handler(srv interface{}, ctx context.Context, dec func(interface{}) error, interceptor grpc.UnaryServerInterceptor) (interface{}, error) {
	in := new(ListSessionsRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(TokenAuthorityServer).ListSessions(ctx, in)
	}
	info := &grpc.UnaryServerInfo{
		Server:     srv,
		FullMethod: TokenAuthority_ListSessions_FullMethodName,
	}
	handler := func(ctx context.Context, req interface{}) (interface{}, error) {
		return srv.(TokenAuthorityServer).ListSessions(ctx, req.(*ListSessionsRequest))
	}
	return interceptor(ctx, in, info, handler)
}

func _TokenAuthority_UpdateClaims_Handler(srv interface{}, ctx context.Context, dec func(interface{}) error, interceptor grpc.UnaryServerInterceptor) (interface{}, error) {
	in := new(UpdateClaimsRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(TokenAuthorityServer).UpdateClaims(ctx, in)
	}
	info := &grpc.UnaryServerInfo{
		Server:     srv,
		FullMethod: TokenAuthority_UpdateClaims_FullMethodName,
	}
	handler := func(ctx context.Context, req interface{}) (interface{}, error) {
		return srv.(TokenAuthorityServer).UpdateClaims(ctx, req.(*UpdateClaimsRequest))
	}
	return interceptor(ctx, in, info, handler)
}

func _TokenAuthority_GetJwks_Handler(srv interface{}, ctx context.Context, dec func(interface{}) error, interceptor grpc.UnaryServerInterceptor) (interface{}, error) {
	in := new(GetJwksRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(TokenAuthorityServer).GetJwks(ctx, in)
	}
	info := &grpc.UnaryServerInfo{
		Server:     srv,
		FullMethod: TokenAuthority_GetJwks_FullMethodName,
	}
	handler := func(ctx context.Context, req interface{}) (interface{}, error) {
		return srv.(TokenAuthorityServer).GetJwks(ctx, req.(*GetJwksRequest))
	}
	return interceptor(ctx, in, info, handler)
}

func _TokenAuthority_WatchRevocations_Handler(srv interface{}, stream grpc.ServerStream) error {
	m := new(WatchRevocationsRequest)
	if err := stream.RecvMsg(m); err != nil {
		return err
	}
	return srv.(TokenAuthorityServer).WatchRevocations(m, &grpc.GenericServerStream[WatchRevocationsRequest, RevocationEvent]{ServerStream: stream})
}

// This type alias is provided for backwards compatibility with existing code that references the prior non-generic stream type by name.
type TokenAuthority_WatchRevocationsServer = grpc.ServerStreamingServer[RevocationEvent]

// TokenAuthority_ServiceDesc is the grpc.ServiceDesc for TokenAuthority service.
// It's only intended for direct use with grpc.RegisterService,
// and not to be introspected or modified (even as a copy)
var TokenAuthority_ServiceDesc = grpc.ServiceDesc{
	ServiceName: "tessera.v1.TokenAuthority",
	HandlerType: (*TokenAuthorityServer)(nil),
	Methods: []grpc.MethodDesc{
		{
			MethodName: "IssueSession",
			Handler:    _TokenAuthority_IssueSession_Handler,
		},
		{
			MethodName: "RefreshSession",
			Handler:    _TokenAuthority_RefreshSession_Handler,
		},
		{
			MethodName: "ValidateToken",
			Handler:    _TokenAuthority_ValidateToken_Handler,
		},
		{
			MethodName: "RevokeSession",
			Handler:    _TokenAuthority_RevokeSession_Handler,
		},
		{
			MethodName: "GetSession",
			Handler:    _TokenAuthority_GetSession_Handler,
		},
		{
			MethodName: "ListSessions",
			Handler:    _TokenAuthority_ListSessions_Handler,
		},
		{
			MethodName: "UpdateClaims",
			Handler:    _TokenAuthority_UpdateClaims_Handler,
		},
		{
			MethodName: "GetJwks",
			Handler:    _TokenAuthority_GetJwks_Handler,
		},
	},
	Streams: []grpc.StreamDesc{
		{
			StreamName:    "WatchRevocations",
			Handler:       _TokenAuthority_WatchRevocations_Handler,
			ServerStreams: true,
		},
	},
	Metadata: "tessera/v1/token_authority.proto",
}
