package tessera

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/tessera-auth/tessera/client/go/tesserapb"
)

// testKey is a fixed Ed25519 key for hand-made tokens.
var testKey = ed25519.NewKeyFromSeed(make([]byte, 32))

const testKid = "k1"

func testJWKS() string {
	x := base64.RawURLEncoding.EncodeToString(testKey.Public().(ed25519.PublicKey))
	return `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"` + x + `","kid":"` + testKid + `","alg":"EdDSA"}]}`
}

func sign(t testing.TB, header, claims any) string {
	t.Helper()
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	return input + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(testKey, []byte(input)))
}

func goodClaims(now time.Time) map[string]any {
	return map[string]any{"iss": "tessera", "sub": "alice", "aud": "api", "sid": "s1", "jti": "j1",
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(), "role": "admin"}
}

var goodHeader = map[string]any{"alg": "EdDSA", "kid": testKid, "typ": "at+jwt"}

// syncedVerifier is a Verifier fed testJWKS and a snapshot_end directly.
func syncedVerifier(t testing.TB, clock *manualClock, capacity int) *Verifier {
	t.Helper()
	v, err := newVerifier(VerifierOptions{Issuer: "tessera", Audience: []string{"api"}, Clock: clock, CacheCapacity: capacity})
	if err != nil {
		t.Fatal(err)
	}
	v.streamOpened()
	v.handle(&pb.RevocationEvent{Sequence: 1, Event: &pb.RevocationEvent_KeysChanged{KeysChanged: &pb.KeysChanged{JwksJson: testJWKS()}}})
	v.handle(&pb.RevocationEvent{Sequence: 1, Event: &pb.RevocationEvent_SnapshotEnd{SnapshotEnd: &pb.SnapshotEnd{Incarnation: "i"}}})
	return v
}

func TestVerifierOptionsRefused(t *testing.T) {
	for name, o := range map[string]VerifierOptions{
		"no issuer":         {Audience: []string{"api"}},
		"no audience":       {Issuer: "tessera"},
		"both audiences":    {Issuer: "tessera", Audience: []string{"api"}, AcceptAnyAudience: true},
		"empty audience":    {Issuer: "tessera", Audience: []string{""}},
		"negative leeway":   {Issuer: "tessera", Audience: []string{"api"}, Leeway: -1},
		"plaintext remote":  {Issuer: "tessera", Audience: []string{"api"}, Target: "tessera.example.com:443"},
		"no target or conn": {Issuer: "tessera", Audience: []string{"api"}},
	} {
		if v, err := NewVerifier(o); err == nil {
			v.Close()
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestDialRefusesPlaintextToRemote(t *testing.T) {
	if _, err := Dial("tessera.example.com:443", ClientOptions{}); err == nil {
		t.Error("plaintext to a remote target accepted")
	}
	if _, err := Dial("tessera.example.com:443", ClientOptions{AllowInsecure: true, APIKey: "k"}); err == nil {
		t.Error("an API key in plaintext to a remote target accepted")
	}
	c, err := Dial("127.0.0.1:1", ClientOptions{APIKey: "k"})
	if err != nil {
		t.Fatalf("loopback refused: %v", err)
	}
	c.Close()
	for target, want := range map[string]bool{"127.0.0.1:5": true, "localhost:5": true, "[::1]:5": true,
		"unix:/tmp/s": true, "10.0.0.1:5": false, "example.com:5": false, "127.evil.com:5": false} {
		if IsLoopback(target) != want {
			t.Errorf("IsLoopback(%q) = %v", target, !want)
		}
	}
}

func TestVerifierHostileTokens(t *testing.T) {
	now := time.Unix(1800000000, 0)
	v := syncedVerifier(t, &manualClock{wall: now}, 16)
	good := sign(t, goodHeader, goodClaims(now))
	if c, err := v.Verify(good); err != nil || c.Subject != "alice" || c.Custom["role"] != "admin" || c.Algorithm != "EdDSA" {
		t.Fatalf("good token: %+v %v", c, err)
	}
	ed := sign(t, map[string]any{"alg": "Ed25519", "kid": testKid, "typ": "at+jwt"}, goodClaims(now))
	if _, err := v.Verify(ed); err != nil {
		t.Fatalf("alg Ed25519: %v", err)
	}
	parts := strings.Split(good, ".")
	dupHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"EdDSA","kid":"k1","typ":"at+jwt","alg":"none"}`))
	cases := map[string]struct {
		token, reason string
	}{
		"too long":         {good + strings.Repeat("A", MaxTokenBytes), "MALFORMED"},
		"two segments":     {parts[0] + "." + parts[1], "MALFORMED"},
		"duplicate header": {dupHeader + "." + parts[1] + "." + parts[2], "MALFORMED"},
		"alg none":         {sign(t, map[string]any{"alg": "none", "kid": testKid, "typ": "at+jwt"}, goodClaims(now)), "UNSUPPORTED_ALGORITHM"},
		"alg HS256":        {sign(t, map[string]any{"alg": "HS256", "kid": testKid, "typ": "at+jwt"}, goodClaims(now)), "UNSUPPORTED_ALGORITHM"},
		"alg not the key's": {sign(t, map[string]any{"alg": "ES256", "kid": testKid, "typ": "at+jwt"}, goodClaims(now)),
			"UNSUPPORTED_ALGORITHM"},
		"no typ":        {sign(t, map[string]any{"alg": "EdDSA", "kid": testKid}, goodClaims(now)), "WRONG_TYPE"},
		"crit":          {sign(t, map[string]any{"alg": "EdDSA", "kid": testKid, "typ": "at+jwt", "crit": []string{"x"}}, goodClaims(now)), "MALFORMED"},
		"unknown kid":   {sign(t, map[string]any{"alg": "EdDSA", "kid": "other", "typ": "at+jwt"}, goodClaims(now)), "UNKNOWN_KEY"},
		"bad signature": {parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(make([]byte, 64)), "BAD_SIGNATURE"},
		"newline":       {parts[0] + ".\n" + parts[1] + "." + parts[2], "MALFORMED"},
	}
	for name, c := range cases {
		var bad *InvalidTokenError
		_, err := v.Verify(c.token)
		if !errors.As(err, &bad) || bad.ReasonName() != c.reason || !errors.Is(err, ErrInvalidToken) || errors.Is(err, ErrUnavailable) {
			t.Errorf("%s: %v, want %s", name, err, c.reason)
		}
	}
}

func TestVerifierCacheIsBoundedAndRechecksExpiry(t *testing.T) {
	now := time.Unix(1800000000, 0)
	clock := &manualClock{wall: now}
	v := syncedVerifier(t, clock, 8)
	var tokens []string
	for i := 0; i < 100; i++ {
		c := goodClaims(now)
		c["jti"] = string(rune('a'+i%26)) + strings.Repeat("x", i)
		tokens = append(tokens, sign(t, goodHeader, c))
	}
	for _, tk := range tokens {
		if _, err := v.Verify(tk); err != nil {
			t.Fatal(err)
		}
	}
	held := 0
	g := v.cache.gens.Load()
	for _, gen := range []*cacheGen{g.cur, g.prev} {
		gen.m.Range(func(any, any) bool { held++; return true })
	}
	if held > 8 {
		t.Fatalf("cache holds %d tokens, capacity 8", held)
	}
	// A cached token is still judged at the current time.
	clock.advance(2*time.Minute, 0)
	if _, err := v.Verify(tokens[99]); verdictOf(err) != "EXPIRED" {
		t.Fatalf("cached token after exp: %v", err)
	}
}

func TestVerifierFailsClosedAndClose(t *testing.T) {
	clock := &manualClock{wall: time.Unix(1800000000, 0)}
	v, _ := newVerifier(VerifierOptions{Issuer: "tessera", Audience: []string{"api"}, Clock: clock, MaxStaleness: time.Second})
	tok := sign(t, goodHeader, goodClaims(clock.wall))
	if _, err := v.Verify(tok); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("before any snapshot: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	if err := v.WaitForSequence(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitForSequence without a stream: %v", err)
	}
	v = syncedVerifier(t, clock, 0)
	v.opts.MaxStaleness = time.Second
	clock.advance(0, time.Second)
	if _, err := v.Verify(tok); err != nil {
		t.Fatalf("silence of exactly MaxStaleness: %v", err)
	}
	clock.advance(0, time.Millisecond)
	if _, err := v.Verify(tok); !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrInvalidToken) {
		t.Fatalf("stale: %v", err)
	}
}

// fakeWatch serves WatchRevocations with a key set and snapshot_end, then
// ends the stream (UNAVAILABLE) on each call: the Verifier must reconnect.
type fakeWatch struct {
	pb.UnimplementedTokenAuthorityServer
	calls chan *pb.WatchRevocationsRequest
}

func (f *fakeWatch) WatchRevocations(req *pb.WatchRevocationsRequest, s grpc.ServerStreamingServer[pb.RevocationEvent]) error {
	f.calls <- req
	seq := req.AfterSequence + 1
	_ = s.Send(&pb.RevocationEvent{Sequence: seq, Time: timestamppb.Now(),
		Event: &pb.RevocationEvent_KeysChanged{KeysChanged: &pb.KeysChanged{JwksJson: testJWKS()}}})
	_ = s.Send(&pb.RevocationEvent{Sequence: seq, LogHash: []byte(fmt.Sprint("h", seq)),
		Event: &pb.RevocationEvent_SnapshotEnd{SnapshotEnd: &pb.SnapshotEnd{Incarnation: "inc"}}})
	return status.Error(codes.Unavailable, "bye")
}

func TestVerifierReconnectsResumesAndCloseStops(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	fake := &fakeWatch{calls: make(chan *pb.WatchRevocationsRequest, 100)}
	pb.RegisterTokenAuthorityServer(srv, fake)
	go srv.Serve(lis)
	defer srv.Stop()
	v, err := NewVerifier(VerifierOptions{Target: lis.Addr().String(), Issuer: "tessera", Audience: []string{"api"}})
	if err != nil {
		t.Fatal(err)
	}
	first, second, third := <-fake.calls, <-fake.calls, <-fake.calls
	if first.AfterSequence != 0 || first.Incarnation != "" || len(first.AfterLogHash) != 0 ||
		second.AfterSequence != 1 || second.Incarnation != "inc" || third.AfterSequence != 2 {
		t.Fatalf("requests %v, %v, %v", first, second, third)
	}
	// The position carries the log hash it was seen with (PostgreSQL).
	if string(second.AfterLogHash) != "h1" || string(third.AfterLogHash) != "h2" {
		t.Fatalf("log hashes %q, %q", second.AfterLogHash, third.AfterLogHash)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := v.Verify("a.b.c"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("after Close: %v", err)
	}
	select {
	case <-v.done: // the stream goroutine has returned
	default:
		t.Fatal("the stream goroutine outlived Close")
	}
}

func TestInterceptors(t *testing.T) {
	now := time.Now()
	clock := &manualClock{wall: now}
	v := syncedVerifier(t, clock, 0)
	good := sign(t, goodHeader, goodClaims(now))
	unary := UnaryServerInterceptor(v, Requirements{Require: func(c *Claims) bool { return c.Custom["role"] == "admin" }})
	call := func(md metadata.MD) (string, error) {
		ctx := metadata.NewIncomingContext(context.Background(), md)
		out, err := unary(ctx, nil, &grpc.UnaryServerInfo{}, func(ctx context.Context, _ any) (any, error) {
			c, ok := ClaimsFromContext(ctx)
			if !ok {
				return nil, errors.New("no claims")
			}
			return c.Subject, nil
		})
		s, _ := out.(string)
		return s, err
	}
	if sub, err := call(metadata.Pairs("authorization", "Bearer "+good)); err != nil || sub != "alice" {
		t.Fatalf("good token: %q %v", sub, err)
	}
	reasonOf := func(err error) (codes.Code, string) {
		st := status.Convert(err)
		for _, d := range st.Details() {
			if info, ok := d.(*errdetails.ErrorInfo); ok && info.Domain == ErrorDomain {
				return st.Code(), info.Reason
			}
		}
		return st.Code(), ""
	}
	c := goodClaims(now)
	c["role"] = "reader"
	for name, tc := range map[string]struct {
		md     metadata.MD
		code   codes.Code
		reason string
	}{
		"missing":   {metadata.MD{}, codes.Unauthenticated, "TOKEN_MISSING"},
		"malformed": {metadata.Pairs("authorization", "Bearer a b"), codes.InvalidArgument, "AUTHORIZATION_MALFORMED"},
		"twice":     {metadata.Pairs("authorization", "Bearer "+good, "authorization", "Bearer "+good), codes.InvalidArgument, "AUTHORIZATION_MALFORMED"},
		"refused":   {metadata.Pairs("authorization", "Bearer x.y.z"), codes.Unauthenticated, "MALFORMED"},
		"role":      {metadata.Pairs("authorization", "Bearer "+sign(t, goodHeader, c)), codes.PermissionDenied, "CLAIM_REQUIRED"},
	} {
		_, err := call(tc.md)
		if code, reason := reasonOf(err); code != tc.code || reason != tc.reason {
			t.Errorf("%s: %v %q, want %v %q", name, code, reason, tc.code, tc.reason)
		}
	}
	clock.advance(0, time.Hour)
	if _, err := call(metadata.Pairs("authorization", "Bearer "+good)); status.Code(err) != codes.Unavailable {
		t.Errorf("stale verifier: %v", err)
	}
	stream := StreamServerInterceptor(v, Requirements{})
	for token, wantCode := range map[string]codes.Code{good: codes.Unavailable, "": codes.Unauthenticated} {
		md := metadata.MD{}
		if token != "" {
			md = metadata.Pairs("authorization", "Bearer "+token)
		}
		ss := &fakeServerStream{ctx: metadata.NewIncomingContext(context.Background(), md)}
		err := stream(nil, ss, &grpc.StreamServerInfo{}, func(any, grpc.ServerStream) error { return nil })
		if status.Code(err) != wantCode {
			t.Errorf("stream interceptor, token %q: %v, want %v", token, err, wantCode)
		}
	}
	clock.advance(0, -time.Hour) // (only the test's clock can do this)
	ss := &fakeServerStream{ctx: metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer "+good))}
	err := stream(nil, ss, &grpc.StreamServerInfo{}, func(_ any, s grpc.ServerStream) error {
		if c, ok := ClaimsFromContext(s.Context()); !ok || c.Subject != "alice" {
			return errors.New("no claims in the stream's context")
		}
		return nil
	})
	if err != nil {
		t.Errorf("stream interceptor, good token: %v", err)
	}
}

type fakeServerStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *fakeServerStream) Context() context.Context { return s.ctx }

func TestRouteAudience(t *testing.T) {
	now := time.Now()
	v := syncedVerifier(t, &manualClock{wall: now}, 0)
	claims, ans := Authenticate([]string{"Bearer " + sign(t, goodHeader, goodClaims(now))}, v)
	if ans != nil || claims == nil {
		t.Fatal("refused")
	}
	req := Requirements{Audience: []string{"billing"}}
	if a := req.check(claims); a == nil || a.Status != 401 || !strings.Contains(a.Body, "WRONG_AUDIENCE") {
		t.Fatalf("route audience: %+v", a)
	}
}

func TestErrorFromRPC(t *testing.T) {
	st, _ := status.New(codes.Unauthenticated, "revoked").WithDetails(&errdetails.ErrorInfo{Reason: "SESSION_REVOKED", Domain: "tessera"})
	err := fromRPC(st.Err())
	var te *Error
	if !errors.As(err, &te) || te.Reason != "SESSION_REVOKED" || te.Code != codes.Unauthenticated {
		t.Fatalf("%v", err)
	}
	if !errors.Is(err, ErrSessionRevoked) || errors.Is(err, ErrSessionExpired) || status.Code(err) != codes.Unauthenticated {
		t.Fatalf("Is/Code on %v", err)
	}
	other, _ := status.New(codes.Unauthenticated, "x").WithDetails(&errdetails.ErrorInfo{Reason: "SESSION_REVOKED", Domain: "evil"})
	if Reason(fromRPC(other.Err())) != "" {
		t.Fatal("a reason of another domain was trusted")
	}
	limited, _ := status.New(codes.ResourceExhausted, "slow down").WithDetails(
		&errdetails.ErrorInfo{Reason: "RATE_LIMITED", Domain: "tessera"},
		&errdetails.RetryInfo{RetryDelay: durationpb.New(1500 * time.Millisecond)})
	if err := fromRPC(limited.Err()); !errors.As(err, &te) || te.RetryAfter != 1500*time.Millisecond || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("rate limited: %+v", err)
	}
	if fromRPC(nil) != nil {
		t.Fatal("nil")
	}
}

func FuzzVerify(f *testing.F) {
	now := time.Unix(1800000000, 0)
	v := syncedVerifier(f, &manualClock{wall: now}, 64)
	f.Add(sign(f, goodHeader, goodClaims(now)))
	f.Add("a.b.c")
	f.Add("")
	f.Add("eyJhbGciOiJFZERTQSJ9..")
	f.Fuzz(func(t *testing.T, token string) {
		c, err := v.Verify(token)
		switch {
		case err == nil && (c == nil || c.Subject == ""):
			t.Fatalf("accepted without claims: %q", token)
		case err != nil && !errors.Is(err, ErrInvalidToken):
			t.Fatalf("not a verdict: %v", err)
		case err != nil && c != nil:
			t.Fatal("claims with an error")
		}
		// Deterministic: the cache must not change the answer.
		c2, err2 := v.Verify(token)
		if (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) || (c != nil && c2.TokenID != c.TokenID) {
			t.Fatalf("second answer differs: %v / %v", err, err2)
		}
	})
}
