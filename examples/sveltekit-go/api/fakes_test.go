package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	tessera "github.com/tessera-auth/tessera/client/go"
	pb "github.com/tessera-auth/tessera/client/go/tesserapb"
)

// fakeVerifier accepts the tokens in tokens, refuses the ones in refused
// with their reason, and is out of sync while unavailable is set.
type fakeVerifier struct {
	mu          sync.Mutex
	tokens      map[string]*tessera.Claims
	refused     map[string]pb.TokenInvalidReason
	unavailable bool
	notReady    bool
	applied     uint64
	waitFails   bool
	waited      []uint64
}

func (f *fakeVerifier) Verify(token string) (*tessera.Claims, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.unavailable {
		return nil, fmt.Errorf("%w: test", tessera.ErrUnavailable)
	}
	if r, ok := f.refused[token]; ok {
		return nil, &tessera.InvalidTokenError{Reason: r}
	}
	if c, ok := f.tokens[token]; ok {
		return c, nil
	}
	return nil, &tessera.InvalidTokenError{Reason: pb.TokenInvalidReason_TOKEN_INVALID_REASON_MALFORMED}
}

func (f *fakeVerifier) WaitForSequence(ctx context.Context, seq uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.notReady {
		return context.Canceled
	}
	if seq > 0 {
		f.waited = append(f.waited, seq)
	}
	if f.waitFails {
		return context.DeadlineExceeded
	}
	if seq > f.applied {
		f.applied = seq
	}
	return nil
}

// fakeAuthority is tesserad's session table, in memory. calls records
// every RPC in order; failWith, if set, fails the named RPC.
type fakeAuthority struct {
	mu       sync.Mutex
	sessions map[string]*pb.Session
	seq      uint64
	calls    []string
	updates  []*pb.UpdateClaimsRequest
	failWith map[string]error
}

func (f *fakeAuthority) record(rpc string) error {
	f.calls = append(f.calls, rpc)
	return f.failWith[rpc]
}

func (f *fakeAuthority) GetSession(_ context.Context, req *pb.GetSessionRequest) (*pb.Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("GetSession"); err != nil {
		return nil, err
	}
	s, ok := f.sessions[req.GetSessionId()]
	if !ok {
		return nil, tesseraError(codes.NotFound, "SESSION_NOT_FOUND")
	}
	return s, nil
}

func (f *fakeAuthority) ListSessions(_ context.Context, req *pb.ListSessionsRequest) (*pb.ListSessionsResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("ListSessions"); err != nil {
		return nil, err
	}
	out := &pb.ListSessionsResponse{}
	for _, s := range f.sessions {
		if s.GetSubject() == req.GetSubject() && (s.GetRevokedAt() == nil || req.GetIncludeRevoked()) {
			out.Sessions = append(out.Sessions, s)
		}
	}
	return out, nil
}

func (f *fakeAuthority) RevokeSession(_ context.Context, req *pb.RevokeSessionRequest) (*pb.RevokeSessionResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("RevokeSession"); err != nil {
		return nil, err
	}
	n := int64(0)
	for id, s := range f.sessions {
		if s.GetRevokedAt() == nil && (id == req.GetSessionId() || s.GetSubject() == req.GetSubject()) {
			s.RevokedAt = timestamppb.Now()
			n++
		}
	}
	if n == 0 {
		return &pb.RevokeSessionResponse{}, nil
	}
	f.seq++
	return &pb.RevokeSessionResponse{RevokedCount: n, Sequence: f.seq}, nil
}

func (f *fakeAuthority) UpdateClaims(_ context.Context, req *pb.UpdateClaimsRequest) (*pb.UpdateClaimsResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("UpdateClaims"); err != nil {
		return nil, err
	}
	f.updates = append(f.updates, req)
	f.seq++
	return &pb.UpdateClaimsResponse{Sequence: f.seq}, nil
}

// tesseraError is what *tessera.Client returns for a failed RPC.
func tesseraError(code codes.Code, reason string) error {
	return &tessera.Error{Code: code, Reason: reason, Message: "test"}
}

// harness is the API over fakes, with two users signed in: alice (token
// "tok-alice", session "sAlice1", plus an older session "sAlice0") and
// bob ("tok-bob", session "sBob1").
type harness struct {
	t    *testing.T
	srv  *Server
	v    *fakeVerifier
	auth *fakeAuthority
	logs *bytes.Buffer
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	now := time.Now()
	sess := func(id, subject, ua string, age time.Duration) *pb.Session {
		return &pb.Session{SessionId: id, Subject: subject, Client: &pb.ClientInfo{UserAgent: ua},
			CreatedAt: timestamppb.New(now.Add(-age)), ExpiresAt: timestamppb.New(now.Add(time.Hour)),
			IdleExpiresAt: timestamppb.New(now.Add(time.Hour))}
	}
	h := &harness{t: t, logs: &bytes.Buffer{},
		v: &fakeVerifier{
			tokens: map[string]*tessera.Claims{
				"tok-alice": {Subject: "user-alice", SessionID: "sAlice1"},
				"tok-bob":   {Subject: "user-bob", SessionID: "sBob1"},
				"tok-ghost": {Subject: "user-ghost", SessionID: "sGhost"},
			},
			refused: map[string]pb.TokenInvalidReason{
				"tok-revoked": pb.TokenInvalidReason_TOKEN_INVALID_REASON_SESSION_REVOKED,
			}},
		auth: &fakeAuthority{sessions: map[string]*pb.Session{
			"sAlice0": sess("sAlice0", "user-alice", "old phone", 2*time.Hour),
			"sAlice1": sess("sAlice1", "user-alice", "laptop", time.Minute),
			"sBob1":   sess("sBob1", "user-bob", "bob's phone", time.Minute),
		}, failWith: map[string]error{}},
	}
	var logMu sync.Mutex
	h.srv = NewServer(NewUsers(), h.auth, h.v, slog.New(slog.NewJSONHandler(lockedWriter{&logMu, h.logs}, nil)))
	return h
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// do sends one request; token "" sends no Authorization header.
func (h *harness) do(method, path, token, body string) *httptest.ResponseRecorder {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, path, rd)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.srv.ServeHTTP(w, r)
	if p := contractProblems(method, path, w.Code, w.Header().Get("Content-Type"), w.Body.Bytes()); len(p) != 0 {
		h.t.Errorf("answer differs from openapi.json: %v", p)
	}
	return w
}
