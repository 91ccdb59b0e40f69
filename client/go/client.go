package tessera

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	pb "github.com/tessera-auth/tessera/client/go/tesserapb"
)

// ClientOptions says how to reach tesserad.
type ClientOptions struct {
	// TLS configures TLS to tesserad: RootCAs for the server's CA, and
	// Certificates for mutual TLS (tesserad's --client_ca_file). Nil means
	// plaintext, which Dial accepts only for a loopback target unless
	// AllowInsecure is set.
	TLS *tls.Config
	// AllowInsecure permits plaintext to a non-loopback target.
	AllowInsecure bool
	// APIKey, if set, is sent on every call as "authorization: Bearer <key>"
	// (tesserad's callers[].api_key_sha256). Sent only over TLS or to a
	// loopback target.
	APIKey string
	// Timeout is the deadline given to calls whose context has none (not to
	// WatchRevocations). Zero: 10 s. Negative: none.
	Timeout time.Duration
	// DialOptions are appended to the client's own (e.g. interceptors).
	DialOptions []grpc.DialOption
}

// Client calls every TokenAuthority and Admin RPC. Errors are *Error
// (errors.As) carrying the ErrorInfo reason. Safe for concurrent use.
type Client struct {
	conn    *grpc.ClientConn
	ta      pb.TokenAuthorityClient
	admin   pb.AdminClient
	timeout time.Duration
}

// IsLoopback reports whether a gRPC target names the local machine
// (127.0.0.0/8, ::1, localhost, or a unix socket).
func IsLoopback(target string) bool {
	t := strings.TrimPrefix(target, "dns:///")
	t = strings.TrimPrefix(t, "passthrough:///")
	if strings.HasPrefix(t, "unix:") {
		return true
	}
	host, _, err := net.SplitHostPort(t)
	if err != nil {
		host = t
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

type apiKeyCredentials struct {
	header string
	secure bool
}

func (k apiKeyCredentials) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": k.header}, nil
}

func (k apiKeyCredentials) RequireTransportSecurity() bool { return k.secure }

func dialOptions(target string, o ClientOptions) ([]grpc.DialOption, error) {
	if target == "" {
		return nil, errors.New("tessera: empty target")
	}
	loopback := IsLoopback(target)
	if o.TLS == nil && !loopback && !o.AllowInsecure {
		return nil, fmt.Errorf("tessera: plaintext to non-loopback target %q; set TLS (or AllowInsecure)", target)
	}
	var opts []grpc.DialOption
	if o.TLS != nil {
		opts = append(opts, grpc.WithTransportCredentials(credentials.NewTLS(o.TLS)))
	} else {
		opts = append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))
	}
	if o.APIKey != "" {
		if o.TLS == nil && !loopback {
			return nil, errors.New("tessera: refusing to send an API key in plaintext to a non-loopback target")
		}
		opts = append(opts, grpc.WithPerRPCCredentials(apiKeyCredentials{
			header: "Bearer " + o.APIKey, secure: o.TLS != nil}))
	}
	return append(opts, o.DialOptions...), nil
}

// Dial connects to tesserad at target ("host:port"). It does not wait for
// the connection.
func Dial(target string, o ClientOptions) (*Client, error) {
	opts, err := dialOptions(target, o)
	if err != nil {
		return nil, err
	}
	conn, err := grpc.NewClient(target, opts...)
	if err != nil {
		return nil, fmt.Errorf("tessera: dial %q: %w", target, err)
	}
	timeout := o.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	return &Client{conn: conn, ta: pb.NewTokenAuthorityClient(conn),
		admin: pb.NewAdminClient(conn), timeout: timeout}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Conn is the underlying connection (e.g. to share it with a Verifier).
func (c *Client) Conn() *grpc.ClientConn { return c.conn }

func (c *Client) ctx(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok || c.timeout < 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, c.timeout)
}

// call runs one unary RPC with the default deadline and converts its error.
func call[Req, Resp any](c *Client, ctx context.Context, rpc func(context.Context, Req, ...grpc.CallOption) (Resp, error), req Req) (Resp, error) {
	ctx, cancel := c.ctx(ctx)
	defer cancel()
	resp, err := rpc(ctx, req)
	return resp, fromRPC(err)
}

// IssueSession starts a session (role issuer).
func (c *Client) IssueSession(ctx context.Context, req *pb.IssueSessionRequest) (*pb.SessionTokens, error) {
	return call(c, ctx, c.ta.IssueSession, req)
}

// RefreshSession rotates the refresh token (role issuer).
func (c *Client) RefreshSession(ctx context.Context, req *pb.RefreshSessionRequest) (*pb.SessionTokens, error) {
	return call(c, ctx, c.ta.RefreshSession, req)
}

// ValidateToken asks tesserad (role verifier).
func (c *Client) ValidateToken(ctx context.Context, req *pb.ValidateTokenRequest) (*pb.ValidateTokenResponse, error) {
	return call(c, ctx, c.ta.ValidateToken, req)
}

// RevokeSession revokes a session or a subject's sessions (role issuer).
func (c *Client) RevokeSession(ctx context.Context, req *pb.RevokeSessionRequest) (*pb.RevokeSessionResponse, error) {
	return call(c, ctx, c.ta.RevokeSession, req)
}

// GetSession reads one session (role issuer).
func (c *Client) GetSession(ctx context.Context, req *pb.GetSessionRequest) (*pb.Session, error) {
	return call(c, ctx, c.ta.GetSession, req)
}

// ListSessions lists a subject's sessions (role issuer).
func (c *Client) ListSessions(ctx context.Context, req *pb.ListSessionsRequest) (*pb.ListSessionsResponse, error) {
	return call(c, ctx, c.ta.ListSessions, req)
}

// UpdateClaims changes a subject's claims (role issuer).
func (c *Client) UpdateClaims(ctx context.Context, req *pb.UpdateClaimsRequest) (*pb.UpdateClaimsResponse, error) {
	return call(c, ctx, c.ta.UpdateClaims, req)
}

// GetJwks returns the public keys (role verifier).
func (c *Client) GetJwks(ctx context.Context, req *pb.GetJwksRequest) (*pb.GetJwksResponse, error) {
	return call(c, ctx, c.ta.GetJwks, req)
}

// WatchRevocations opens the revocation stream (role verifier); ctx alone
// bounds it. Most services use a Verifier instead. Recv errors are raw
// gRPC errors; pass them through AsError to get an *Error.
func (c *Client) WatchRevocations(ctx context.Context, req *pb.WatchRevocationsRequest) (grpc.ServerStreamingClient[pb.RevocationEvent], error) {
	s, err := c.ta.WatchRevocations(ctx, req)
	return s, fromRPC(err)
}

// AsError converts a gRPC error into an *Error (nil stays nil).
func AsError(err error) error { return fromRPC(err) }

// RotateSigningKey rotates the signing keys (role admin).
func (c *Client) RotateSigningKey(ctx context.Context, req *pb.RotateSigningKeyRequest) (*pb.RotateSigningKeyResponse, error) {
	return call(c, ctx, c.admin.RotateSigningKey, req)
}

// WithdrawSigningKey withdraws a compromised key (role admin).
func (c *Client) WithdrawSigningKey(ctx context.Context, req *pb.WithdrawSigningKeyRequest) (*pb.WithdrawSigningKeyResponse, error) {
	return call(c, ctx, c.admin.WithdrawSigningKey, req)
}

// ListSigningKeys lists the signing keys (role admin).
func (c *Client) ListSigningKeys(ctx context.Context, req *pb.ListSigningKeysRequest) (*pb.ListSigningKeysResponse, error) {
	return call(c, ctx, c.admin.ListSigningKeys, req)
}

// GetStats returns server statistics (role admin).
func (c *Client) GetStats(ctx context.Context, req *pb.GetStatsRequest) (*pb.GetStatsResponse, error) {
	return call(c, ctx, c.admin.GetStats, req)
}

// CreateBackup writes a consistent backup on the server (role admin).
func (c *Client) CreateBackup(ctx context.Context, req *pb.CreateBackupRequest) (*pb.CreateBackupResponse, error) {
	return call(c, ctx, c.admin.CreateBackup, req)
}
