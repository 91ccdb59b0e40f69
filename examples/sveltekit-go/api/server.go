package main

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	tessera "github.com/tessera-auth/tessera/client/go"
	pb "github.com/tessera-auth/tessera/client/go/tesserapb"
)

// Authority is what the API asks tesserad; *tessera.Client is one. The API
// never issues sessions: the web app does.
type Authority interface {
	GetSession(context.Context, *pb.GetSessionRequest) (*pb.Session, error)
	ListSessions(context.Context, *pb.ListSessionsRequest) (*pb.ListSessionsResponse, error)
	RevokeSession(context.Context, *pb.RevokeSessionRequest) (*pb.RevokeSessionResponse, error)
	UpdateClaims(context.Context, *pb.UpdateClaimsRequest) (*pb.UpdateClaimsResponse, error)
}

// Verifier is the API's own token verifier; *tessera.Verifier is one.
// WaitForSequence lets a handler answer only once a revocation or claims
// change it made holds for this very API.
type Verifier interface {
	tessera.TokenVerifier
	WaitForSequence(ctx context.Context, seq uint64) error
}

// openAPIDocument is served at /openapi.json (OpenAPI 3.1).
//
//go:embed openapi.json
var openAPIDocument []byte

// Server is the example API. Build it with NewServer; it is an
// http.Handler and safe for concurrent use.
type Server struct {
	users    *Users
	auth     Authority
	verifier Verifier
	log      *slog.Logger
	// waitTimeout bounds waiting for the Verifier to apply a change.
	waitTimeout time.Duration
	// editMu serialises profile edits, so tesserad's claims end in the
	// order the table was written.
	editMu  sync.Mutex
	handler http.Handler
}

// route is one row of the API's table of contents; the OpenAPI test checks
// openapi.json against this table.
type route struct {
	method, pattern string
	protected       bool
	handle          http.HandlerFunc
}

func (s *Server) routes() []route {
	return []route{
		{"GET", "/healthz", false, s.healthz},
		{"GET", "/openapi.json", false, s.openAPI},
		{"POST", "/api/credentials/check", false, s.checkCredentials},
		{"GET", "/api/profile", true, s.getProfile},
		{"PATCH", "/api/profile", true, s.patchProfile},
		{"GET", "/api/devices", true, s.listDevices},
		{"DELETE", "/api/devices/{session_id}", true, s.revokeDevice},
		{"POST", "/api/devices/revoke-all", true, s.revokeAll},
		{"GET", "/api/items/{n}", true, s.item},
	}
}

// NewServer returns the API over a user table, tesserad and a Verifier.
func NewServer(users *Users, auth Authority, v Verifier, log *slog.Logger) *Server {
	s := &Server{users: users, auth: auth, verifier: v, log: log, waitTimeout: 5 * time.Second}
	mux := http.NewServeMux()
	byPattern := map[string]map[string]http.Handler{}
	var order []string
	for _, rt := range s.routes() {
		var h http.Handler = rt.handle
		if rt.protected {
			h = tessera.Protect(v, tessera.Requirements{}, h)
		}
		if byPattern[rt.pattern] == nil {
			byPattern[rt.pattern] = map[string]http.Handler{}
			order = append(order, rt.pattern)
		}
		byPattern[rt.pattern][rt.method] = h
	}
	for _, p := range order {
		mux.Handle(p, methods(byPattern[p]))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such route")
	})
	s.handler = s.logged(bounded(mux))
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// methods dispatches on the method; others get 405 with Allow.
func methods(byMethod map[string]http.Handler) http.Handler {
	allowed := make([]string, 0, len(byMethod))
	for m := range byMethod {
		allowed = append(allowed, m)
	}
	sort.Strings(allowed)
	allow := strings.Join(allowed, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := byMethod[r.Method]; ok {
			h.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Allow", allow)
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "allowed: "+allow)
	})
}

// bounded refuses a declared body over MaxBodyBytes before any routing or
// authentication, and caps what any handler can read.
func bounded(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > MaxBodyBytes {
			writeError(w, http.StatusRequestEntityTooLarge, "too_large", errBodyTooLarge.Error())
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes+1)
		next.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// logged logs one line per request: method, path, status, duration. Never
// headers, bodies or query strings (tokens must not reach the logs).
func (s *Server) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		s.log.Info("request", "method", r.Method, "path", r.URL.Path,
			"status", rec.status, "duration_ms", time.Since(start).Milliseconds())
	})
}
