package tessera_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/structpb"

	tessera "github.com/tessera-auth/tessera/client/go"
	pb "github.com/tessera-auth/tessera/client/go/tesserapb"
	"github.com/tessera-auth/tessera/client/go/tesseratest"
)

// offsetClock is the system clock whose monotonic reading the test can
// move forward: staleness without waiting for it.
type offsetClock struct {
	start  time.Time
	offset atomic.Int64
}

func (c *offsetClock) Now() time.Time { return time.Now() }
func (c *offsetClock) Monotonic() time.Duration {
	return time.Since(c.start) + time.Duration(c.offset.Load())
}

type env struct {
	srv      *tesseratest.Server
	client   *tessera.Client
	verifier *tessera.Verifier
	clock    *offsetClock
	http     *httptest.Server
	// lastClaims is what the handler saw last.
	lastClaims atomic.Pointer[tessera.Claims]
}

const maxStaleness = 5 * time.Second

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{srv: tesseratest.Start(t, tesseratest.Options{}), clock: &offsetClock{start: time.Now()}}
	var err error
	if e.client, err = tessera.Dial(e.srv.GRPCAddress, tessera.ClientOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.client.Close() })
	e.verifier, err = tessera.NewVerifier(tessera.VerifierOptions{Target: e.srv.GRPCAddress,
		Issuer: "tessera", Audience: []string{"api"}, MaxStaleness: maxStaleness, Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.verifier.Close() })
	if err := e.verifier.WaitUntilReady(ctx(t)); err != nil {
		t.Fatal(err)
	}
	e.http = httptest.NewServer(e.verifier.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := tessera.ClaimsFromContext(r.Context())
		if !ok {
			http.Error(w, "no claims", 500)
			return
		}
		e.lastClaims.Store(c)
		fmt.Fprintf(w, "hello %s", c.Subject)
	})))
	t.Cleanup(e.http.Close)
	return e
}

func (e *env) issue(t *testing.T, subject string, claims map[string]any) *pb.SessionTokens {
	t.Helper()
	s, err := structpb.NewStruct(claims)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.client.IssueSession(ctx(t), &pb.IssueSessionRequest{Subject: subject, Claims: s})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// get requests the protected server with token; returns status and the
// Tessera-Reason header.
func (e *env) get(t *testing.T, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", e.http.URL, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := e.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Tessera-Reason")
}

func expect(t *testing.T, what string, gotStatus int, gotReason string, status int, reason string) {
	t.Helper()
	if gotStatus != status || gotReason != reason {
		t.Fatalf("%s: %d %q, want %d %q", what, gotStatus, gotReason, status, reason)
	}
}

func TestE2ERevokeThenWaitForSequence(t *testing.T) {
	e := newEnv(t)
	tok := e.issue(t, "alice", nil)
	other := e.issue(t, "alice", nil)
	st, r := e.get(t, tok.AccessToken)
	expect(t, "before revoking", st, r, 200, "")
	resp, err := e.client.RevokeSession(ctx(t), &pb.RevokeSessionRequest{
		Target: &pb.RevokeSessionRequest_SessionId{SessionId: tok.SessionId}})
	if err != nil || resp.RevokedCount != 1 || resp.Sequence == 0 {
		t.Fatalf("RevokeSession: %v %v", resp, err)
	}
	if err := e.verifier.WaitForSequence(ctx(t), resp.Sequence); err != nil {
		t.Fatal(err)
	}
	st, r = e.get(t, tok.AccessToken)
	expect(t, "revoked session", st, r, 401, "SESSION_REVOKED")
	st, r = e.get(t, other.AccessToken)
	expect(t, "the subject's other session", st, r, 200, "")
}

func TestE2EUpdateClaimsStaleThenRefresh(t *testing.T) {
	e := newEnv(t)
	tok := e.issue(t, "bob", map[string]any{"role": "reader"})
	st, r := e.get(t, tok.AccessToken)
	expect(t, "fresh token", st, r, 200, "")
	if got := e.lastClaims.Load().Custom["role"]; got != "reader" {
		t.Fatalf("role %v, want reader", got)
	}
	patch, _ := structpb.NewStruct(map[string]any{"role": "editor"})
	resp, err := e.client.UpdateClaims(ctx(t), &pb.UpdateClaimsRequest{Subject: "bob", Claims: patch,
		Mode: pb.ClaimsMode_CLAIMS_MODE_MERGE_TOP_LEVEL, InvalidateAccessTokens: true})
	if err != nil || resp.Sequence == 0 {
		t.Fatalf("UpdateClaims: %v %v", resp, err)
	}
	if err := e.verifier.WaitForSequence(ctx(t), resp.Sequence); err != nil {
		t.Fatal(err)
	}
	st, r = e.get(t, tok.AccessToken)
	expect(t, "token minted before the update", st, r, 401, "STALE_CLAIMS")
	fresh, err := e.client.RefreshSession(ctx(t), &pb.RefreshSessionRequest{RefreshToken: tok.RefreshToken})
	if err != nil {
		t.Fatal(err)
	}
	st, r = e.get(t, fresh.AccessToken)
	expect(t, "refreshed token", st, r, 200, "")
	if got := e.lastClaims.Load().Custom["role"]; got != "editor" {
		t.Fatalf("role after refresh %v, want editor", got)
	}
}

func TestE2EStaleThenRestartResumes(t *testing.T) {
	e := newEnv(t)
	revoked := e.issue(t, "carol", nil)
	later := e.issue(t, "carol", nil)
	resp, err := e.client.RevokeSession(ctx(t), &pb.RevokeSessionRequest{
		Target: &pb.RevokeSessionRequest_SessionId{SessionId: revoked.SessionId}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.verifier.WaitForSequence(ctx(t), resp.Sequence); err != nil {
		t.Fatal(err)
	}
	e.srv.Stop()
	conns := e.verifier.Connections()
	// Nothing can be heard now; move the Verifier's monotonic clock past
	// MaxStaleness instead of waiting for it.
	e.clock.offset.Add(int64(maxStaleness + time.Second))
	st, r := e.get(t, later.AccessToken)
	expect(t, "tesserad stopped beyond MaxStaleness", st, r, 503, "")
	if _, err := e.verifier.Verify(later.AccessToken); !errors.Is(err, tessera.ErrUnavailable) || errors.Is(err, tessera.ErrInvalidToken) {
		t.Fatalf("Verify while stale: %v, want ErrUnavailable only", err)
	}
	e.srv.Restart()
	// A revocation made after the restart reaches the Verifier through the
	// resumed stream: no gap.
	resp2, err := e.client.RevokeSession(ctx(t), &pb.RevokeSessionRequest{
		Target: &pb.RevokeSessionRequest_SessionId{SessionId: later.SessionId}})
	if err != nil {
		t.Fatal(err)
	}
	if resp2.Sequence <= resp.Sequence {
		t.Fatalf("sequence after restart %d, before %d", resp2.Sequence, resp.Sequence)
	}
	if err := e.verifier.WaitForSequence(ctx(t), resp2.Sequence); err != nil {
		t.Fatal(err)
	}
	if e.verifier.Connections() <= conns {
		t.Fatalf("connections %d, want more than %d (a reconnect)", e.verifier.Connections(), conns)
	}
	fresh := e.issue(t, "dave", nil)
	st, r = e.get(t, fresh.AccessToken)
	expect(t, "after restart", st, r, 200, "")
	st, r = e.get(t, revoked.AccessToken)
	expect(t, "revoked before the stop", st, r, 401, "SESSION_REVOKED")
	st, r = e.get(t, later.AccessToken)
	expect(t, "revoked after the restart", st, r, 401, "SESSION_REVOKED")
}

func TestE2EKeyRotationZeroFailures(t *testing.T) {
	e := newEnv(t)
	var tokens []string
	var failures atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	// Verifies every token issued so far, continuously, during rotations.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			mu.Lock()
			list := append([]string(nil), tokens...)
			mu.Unlock()
			for _, tk := range list {
				if _, err := e.verifier.Verify(tk); err != nil {
					failures.Add(1)
					t.Errorf("during rotation: %v", err)
				}
			}
		}
	}()
	for i := 0; i < 3; i++ {
		tok := e.issue(t, fmt.Sprintf("user-%d", i), nil)
		mu.Lock()
		tokens = append(tokens, tok.AccessToken)
		mu.Unlock()
		// A token of the newly active key verifies at once: its key was
		// published as NEXT before it signed anything.
		if _, err := e.client.RotateSigningKey(ctx(t), &pb.RotateSigningKeyRequest{}); err != nil {
			t.Fatal(err)
		}
		after := e.issue(t, fmt.Sprintf("user-%d-after", i), nil)
		st, r := e.get(t, after.AccessToken)
		expect(t, "token of the new active key, verified at once", st, r, 200, "")
		mu.Lock()
		tokens = append(tokens, after.AccessToken)
		mu.Unlock()
	}
	close(stop)
	wg.Wait()
	if failures.Load() != 0 {
		t.Fatalf("%d failed verifications", failures.Load())
	}
	keys, err := e.client.ListSigningKeys(ctx(t), &pb.ListSigningKeysRequest{})
	if err != nil || len(keys.Keys) < 2 {
		t.Fatalf("ListSigningKeys: %v %v", keys, err)
	}
}

func TestE2EConcurrentRequestsWhileRevoking(t *testing.T) {
	e := newEnv(t)
	const sessions, requests = 20, 1000
	toks := make([]*pb.SessionTokens, sessions)
	for i := range toks {
		toks[i] = e.issue(t, fmt.Sprintf("u%d", i%5), nil)
	}
	handler := e.verifier.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := tessera.ClaimsFromContext(r.Context()); !ok {
			w.WriteHeader(500)
		}
	}))
	var revokedUpTo atomic.Int64 // sessions [0, n) are revoked and applied
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, requests)
	for i := 0; i < requests; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			s := i % sessions
			knownRevoked := int64(s) < revokedUpTo.Load()
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("Authorization", "Bearer "+toks[s].AccessToken)
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			reason := rec.Header().Get("Tessera-Reason")
			switch {
			case rec.Code == 200 && !knownRevoked:
			case rec.Code == 401 && reason == "SESSION_REVOKED" && s < sessions/2:
			default:
				errs <- fmt.Errorf("request %d (session %d, known revoked %v): %d %q", i, s, knownRevoked, rec.Code, reason)
			}
		}(i)
	}
	close(start)
	for s := 0; s < sessions/2; s++ {
		resp, err := e.client.RevokeSession(ctx(t), &pb.RevokeSessionRequest{
			Target: &pb.RevokeSessionRequest_SessionId{SessionId: toks[s].SessionId}})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.verifier.WaitForSequence(ctx(t), resp.Sequence); err != nil {
			t.Fatal(err)
		}
		revokedUpTo.Store(int64(s + 1))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for s, tk := range toks {
		st, r := e.get(t, tk.AccessToken)
		if s < sessions/2 {
			expect(t, "revoked", st, r, 401, "SESSION_REVOKED")
		} else {
			expect(t, "never revoked", st, r, 200, "")
		}
	}
}

func TestE2EClientErrors(t *testing.T) {
	e := newEnv(t)
	_, err := e.client.IssueSession(ctx(t), &pb.IssueSessionRequest{Subject: ""})
	var te *tessera.Error
	if !errors.As(err, &te) || te.Code != codes.InvalidArgument || te.Reason != "SUBJECT_INVALID" {
		t.Fatalf("empty subject: %v", err)
	}
	if !errors.Is(err, tessera.ErrSubjectInvalid) || errors.Is(err, tessera.ErrSessionRevoked) {
		t.Fatalf("errors.Is on %v", err)
	}
	_, err = e.client.RefreshSession(ctx(t), &pb.RefreshSessionRequest{RefreshToken: "tsr_nope"})
	if !errors.Is(err, tessera.ErrRefreshTokenInvalid) || tessera.Reason(err) != "REFRESH_TOKEN_INVALID" {
		t.Fatalf("bad refresh token: %v", err)
	}
	_, err = e.client.GetSession(ctx(t), &pb.GetSessionRequest{SessionId: "not-a-session"})
	if !errors.Is(err, tessera.ErrSessionIDInvalid) {
		t.Fatalf("bad session id: %v", err)
	}
	stats, err := e.client.GetStats(ctx(t), &pb.GetStatsRequest{})
	if err != nil || stats.Watchers < 1 {
		t.Fatalf("GetStats: %v %v (the Verifier's stream counts as a watcher)", stats, err)
	}
	jwks, err := e.client.GetJwks(ctx(t), &pb.GetJwksRequest{})
	if err != nil || len(jwks.Keys) == 0 {
		t.Fatalf("GetJwks: %v %v", jwks, err)
	}
	v, err := e.client.ValidateToken(ctx(t), &pb.ValidateTokenRequest{AccessToken: "x.y.z"})
	if err != nil || v.Valid || v.Reason != pb.TokenInvalidReason_TOKEN_INVALID_REASON_MALFORMED {
		t.Fatalf("ValidateToken: %v %v", v, err)
	}
}

// TestE2ERevocationReaches100Verifiers: one revocation, 100 Verifiers on
// one tesserad; each one refuses the token once WaitForSequence returns.
func TestE2ERevocationReaches100Verifiers(t *testing.T) {
	e := newEnv(t)
	tok := e.issue(t, "frank", nil)
	verifiers := make([]*tessera.Verifier, 100)
	for i := range verifiers {
		v, err := tessera.NewVerifier(tessera.VerifierOptions{Conn: e.client.Conn(),
			Issuer: "tessera", Audience: []string{"api"}})
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		verifiers[i] = v
	}
	for _, v := range verifiers {
		if err := v.WaitUntilReady(ctx(t)); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Verify(tok.AccessToken); err != nil {
			t.Fatalf("before revoking: %v", err)
		}
	}
	resp, err := e.client.RevokeSession(ctx(t), &pb.RevokeSessionRequest{
		Target: &pb.RevokeSessionRequest_AccessToken{AccessToken: tok.AccessToken}})
	if err != nil || resp.RevokedCount != 1 {
		t.Fatalf("RevokeSession: %v %v", resp, err)
	}
	var wg sync.WaitGroup
	for i, v := range verifiers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := v.WaitForSequence(ctx(t), resp.Sequence); err != nil {
				t.Errorf("verifier %d: %v", i, err)
				return
			}
			var bad *tessera.InvalidTokenError
			if _, err := v.Verify(tok.AccessToken); !errors.As(err, &bad) || bad.ReasonName() != "SESSION_REVOKED" {
				t.Errorf("verifier %d after the revocation: %v", i, err)
			}
		}()
	}
	wg.Wait()
}
