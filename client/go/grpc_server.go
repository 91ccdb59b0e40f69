package tessera

import (
	"context"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// grpcRefusal maps an HTTP answer to the gRPC status a Go service answers
// with over `authorization` metadata: UNAUTHENTICATED with the reason
// (TOKEN_MISSING, or the TokenInvalidReason name), INVALID_ARGUMENT
// AUTHORIZATION_MALFORMED, PERMISSION_DENIED CLAIM_REQUIRED, UNAVAILABLE
// VERIFIER_UNAVAILABLE; each with a google.rpc.ErrorInfo of domain
// "tessera".
func grpcRefusal(a *Answer) error {
	code, reason, msg := codes.Unauthenticated, "", "access token refused"
	for _, h := range a.Headers {
		if h[0] == "Tessera-Reason" {
			reason = h[1]
		}
	}
	switch {
	case a == answerMissing:
		reason, msg = "TOKEN_MISSING", "no bearer token in authorization metadata"
	case a == answerMalformed:
		code, reason, msg = codes.InvalidArgument, "AUTHORIZATION_MALFORMED",
			"authorization metadata is not one \"Bearer <token>\""
	case a == answerUnavailable:
		code, reason, msg = codes.Unavailable, "VERIFIER_UNAVAILABLE",
			"the verifier is not in sync with tesserad; retry"
	case a == insufficientAnswer:
		code, reason, msg = codes.PermissionDenied, "CLAIM_REQUIRED",
			"the access token lacks a claim this method requires"
	}
	st, err := status.New(code, msg).WithDetails(&errdetails.ErrorInfo{Reason: reason, Domain: ErrorDomain})
	if err != nil {
		return status.Error(code, msg)
	}
	return st.Err()
}

func authenticateGRPC(ctx context.Context, v TokenVerifier, req *Requirements) (context.Context, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	claims, ans := Authenticate(md.Get("authorization"), v)
	if ans == nil {
		ans = req.check(claims)
	}
	if ans != nil {
		return nil, grpcRefusal(ans)
	}
	return ContextWithClaims(ctx, claims), nil
}

// UnaryServerInterceptor authenticates every unary call of a Go gRPC
// service by its `authorization: Bearer <token>` metadata, like Protect;
// handlers read the claims with ClaimsFromContext.
func UnaryServerInterceptor(v TokenVerifier, req Requirements) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, in any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := authenticateGRPC(ctx, v, &req)
		if err != nil {
			return nil, err
		}
		return handler(ctx, in)
	}
}

type authedStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *authedStream) Context() context.Context { return s.ctx }

// StreamServerInterceptor is UnaryServerInterceptor for streaming calls
// (checked once, when the stream opens).
func StreamServerInterceptor(v TokenVerifier, req Requirements) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, err := authenticateGRPC(ss.Context(), v, &req)
		if err != nil {
			return err
		}
		return handler(srv, &authedStream{ServerStream: ss, ctx: ctx})
	}
}
