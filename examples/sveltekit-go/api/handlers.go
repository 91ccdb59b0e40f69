package main

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/structpb"

	tessera "github.com/tessera-auth/tessera/client/go"
	pb "github.com/tessera-auth/tessera/client/go/tesserapb"
)

const (
	maxNameRunes    = 64
	maxUsernameLen  = 256
	maxPasswordLen  = 1024
	maxSessionIDLen = 64
	itemCount       = 100
	// maxDevicePages bounds how many ListSessions pages one request reads.
	maxDevicePages = 4
)

// claimsOf returns the verified claims the middleware put in the context.
func claimsOf(r *http.Request) *tessera.Claims {
	c, _ := tessera.ClaimsFromContext(r.Context())
	return c
}

// ready reports whether the Verifier holds its first snapshot, without
// waiting: WaitForSequence checks before it would block.
func (s *Server) ready() bool {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return s.verifier.WaitForSequence(ctx, 0) == nil
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true, "verifier_ready": s.ready()})
}

func (s *Server) openAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(openAPIDocument)
}

type credentials struct {
	Username *string `json:"username"`
	Password *string `json:"password"`
}

func (s *Server) checkCredentials(w http.ResponseWriter, r *http.Request) {
	var in credentials
	if err := readJSON(r, &in); err != nil {
		answerBodyError(w, err)
		return
	}
	if in.Username == nil || in.Password == nil {
		writeError(w, http.StatusBadRequest, "invalid_request", `"username" and "password" are required`)
		return
	}
	if len(*in.Username) > maxUsernameLen || len(*in.Password) > maxPasswordLen {
		writeError(w, http.StatusBadRequest, "invalid_request", "username or password too long")
		return
	}
	user, ok := s.users.Check(*in.Username, *in.Password)
	if !ok {
		writeError(w, http.StatusUnauthorized, "bad_credentials", "")
		return
	}
	writeJSON(w, http.StatusOK, user)
}

type profile struct {
	Subject   string `json:"subject"`
	SessionID string `json:"session_id"`
	Name      string `json:"name"`
	Role      string `json:"role"`
}

// currentUser is the caller's row; it answers 404 itself if the token's
// subject is not in the table (a session the web app did not issue).
func (s *Server) currentUser(w http.ResponseWriter, c *tessera.Claims) (User, bool) {
	u, ok := s.users.Get(c.Subject)
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", "the token's subject is not a user of this API")
	}
	return u, ok
}

func (s *Server) getProfile(w http.ResponseWriter, r *http.Request) {
	c := claimsOf(r)
	u, ok := s.currentUser(w, c)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, profile{Subject: u.Subject, SessionID: c.SessionID, Name: u.Name, Role: u.Role})
}

type profilePatch struct {
	Name *string `json:"name"`
	Role *string `json:"role"`
}

// validName: 1..64 characters, not blank, no control characters.
func validName(name string) string {
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0 || strings.TrimSpace(name) == "":
		return `"name" must not be empty`
	case n > maxNameRunes:
		return `"name" must be at most 64 characters`
	case strings.IndexFunc(name, func(r rune) bool {
		return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
	}) >= 0:
		return `"name" must not contain control characters`
	}
	return ""
}

func (p *profilePatch) validate() string {
	if p.Name == nil && p.Role == nil {
		return `give "name" or "role"`
	}
	if p.Name != nil {
		if msg := validName(*p.Name); msg != "" {
			return msg
		}
	}
	if p.Role != nil && *p.Role != "admin" && *p.Role != "member" {
		return `"role" must be "admin" or "member"`
	}
	return ""
}

// patchProfile writes the table, then tesserad's claims (invalidating the
// subject's older access tokens), then waits until this API's Verifier
// refuses those tokens, so the caller's next request already sees it. If
// tesserad refuses the change, the table is put back.
func (s *Server) patchProfile(w http.ResponseWriter, r *http.Request) {
	var in profilePatch
	if err := readJSON(r, &in); err != nil {
		answerBodyError(w, err)
		return
	}
	if msg := in.validate(); msg != "" {
		writeError(w, http.StatusBadRequest, "invalid_request", msg)
		return
	}
	c := claimsOf(r)
	s.editMu.Lock()
	defer s.editMu.Unlock()
	before, ok := s.currentUser(w, c)
	if !ok {
		return
	}
	after := before
	if in.Name != nil {
		after.Name = *in.Name
	}
	if in.Role != nil {
		after.Role = *in.Role
	}
	s.users.Set(after)
	patch, _ := structpb.NewStruct(map[string]any{"name": after.Name, "role": after.Role})
	resp, err := s.auth.UpdateClaims(r.Context(), &pb.UpdateClaimsRequest{Subject: c.Subject,
		Claims: patch, Mode: pb.ClaimsMode_CLAIMS_MODE_MERGE_PATCH, InvalidateAccessTokens: true})
	if err != nil {
		s.users.Set(before)
		s.answerUpstream(w, "UpdateClaims", err)
		return
	}
	if !s.awaitSequence(w, r, resp.GetSequence()) {
		return
	}
	writeJSON(w, http.StatusOK, profile{Subject: after.Subject, SessionID: c.SessionID,
		Name: after.Name, Role: after.Role})
}

type device struct {
	SessionID string `json:"session_id"`
	Client    string `json:"client"`
	CreatedAt string `json:"created_at"`
	Current   bool   `json:"current"`
}

// clientLabel names the device: its name if the web app gave one, else
// its user agent.
func clientLabel(ci *pb.ClientInfo) string {
	if d := ci.GetDeviceName(); d != "" {
		return d
	}
	return ci.GetUserAgent()
}

func live(s *pb.Session, now time.Time) bool {
	if s.GetRevokedAt() != nil {
		return false
	}
	for _, end := range []interface{ AsTime() time.Time }{s.GetExpiresAt(), s.GetIdleExpiresAt()} {
		if end != nil && !now.Before(end.AsTime()) {
			return false
		}
	}
	return true
}

func (s *Server) listDevices(w http.ResponseWriter, r *http.Request) {
	c := claimsOf(r)
	var sessions []*pb.Session
	token := ""
	for page := 0; page < maxDevicePages; page++ {
		resp, err := s.auth.ListSessions(r.Context(), &pb.ListSessionsRequest{
			Subject: c.Subject, PageSize: 500, PageToken: token})
		if err != nil {
			s.answerUpstream(w, "ListSessions", err)
			return
		}
		sessions = append(sessions, resp.GetSessions()...)
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	now := time.Now()
	devices := make([]device, 0, len(sessions))
	created := make(map[string]time.Time, len(sessions))
	for _, ss := range sessions {
		if !live(ss, now) {
			continue
		}
		t := ss.GetCreatedAt().AsTime()
		created[ss.GetSessionId()] = t
		devices = append(devices, device{SessionID: ss.GetSessionId(), Client: clientLabel(ss.GetClient()),
			CreatedAt: t.UTC().Format(time.RFC3339), Current: ss.GetSessionId() == c.SessionID})
	}
	sort.SliceStable(devices, func(i, j int) bool {
		return created[devices[i].SessionID].After(created[devices[j].SessionID])
	})
	writeJSON(w, http.StatusOK, map[string][]device{"devices": devices})
}

// plausibleSessionID: what a Tessera session id can look like (base64url),
// checked before asking tesserad.
func plausibleSessionID(id string) bool {
	if id == "" || len(id) > maxSessionIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// revokeDevice ends one of the caller's own sessions. Another user's
// session, an unknown one and a malformed id all get the same 404, so the
// answer says nothing about sessions the caller does not own.
func (s *Server) revokeDevice(w http.ResponseWriter, r *http.Request) {
	c := claimsOf(r)
	id := r.PathValue("session_id")
	notFound := func() { writeError(w, http.StatusNotFound, "not_found", "no such device") }
	if !plausibleSessionID(id) {
		notFound()
		return
	}
	ss, err := s.auth.GetSession(r.Context(), &pb.GetSessionRequest{SessionId: id})
	if errors.Is(err, tessera.ErrSessionNotFound) || errors.Is(err, tessera.ErrSessionIDInvalid) {
		notFound()
		return
	}
	if err != nil {
		s.answerUpstream(w, "GetSession", err)
		return
	}
	if ss.GetSubject() != c.Subject {
		notFound()
		return
	}
	resp, err := s.auth.RevokeSession(r.Context(), &pb.RevokeSessionRequest{
		Target: &pb.RevokeSessionRequest_SessionId{SessionId: id}, Reason: "revoked from the devices page"})
	if err != nil {
		s.answerUpstream(w, "RevokeSession", err)
		return
	}
	if !s.awaitSequence(w, r, resp.GetSequence()) {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) revokeAll(w http.ResponseWriter, r *http.Request) {
	c := claimsOf(r)
	resp, err := s.auth.RevokeSession(r.Context(), &pb.RevokeSessionRequest{
		Target: &pb.RevokeSessionRequest_Subject{Subject: c.Subject}, Reason: "signed out everywhere"})
	if err != nil {
		s.answerUpstream(w, "RevokeSession", err)
		return
	}
	if !s.awaitSequence(w, r, resp.GetSequence()) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]uint64{
		"revoked": uint64(max(resp.GetRevokedCount(), 0)), "sequence": resp.GetSequence()})
}

// itemNumber parses {n}: a canonical decimal 0..99.
func itemNumber(s string) (int, bool) {
	if s == "" || len(s) > 2 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0 && n < itemCount && s[0] != '+' && s[0] != '-'
}

func (s *Server) item(w http.ResponseWriter, r *http.Request) {
	n, ok := itemNumber(r.PathValue("n"))
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", "items are numbered 0 to 99")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"n": n, "subject": claimsOf(r).Subject})
}

// awaitSequence waits until this API's Verifier has applied seq; if it
// cannot within waitTimeout it answers 503 itself (the change is made, but
// this API might still accept what it revoked) and returns false.
func (s *Server) awaitSequence(w http.ResponseWriter, r *http.Request, seq uint64) bool {
	ctx, cancel := context.WithTimeout(r.Context(), s.waitTimeout)
	defer cancel()
	if err := s.verifier.WaitForSequence(ctx, seq); err != nil {
		s.log.Warn("verifier did not reach sequence", "sequence", seq, "error", err.Error())
		w.Header().Set("Retry-After", "2")
		writeError(w, http.StatusServiceUnavailable, "verifier_lagging",
			"the change is made, but this API has not applied it yet")
		return false
	}
	return true
}

// answerUpstream maps a failed tesserad call: unavailable, overloaded or
// timed out is 503 (retry); anything else is a 502 the log explains.
func (s *Server) answerUpstream(w http.ResponseWriter, rpc string, err error) {
	s.log.Warn("tesserad call failed", "rpc", rpc, "reason", tessera.Reason(err), "error", err.Error())
	var te *tessera.Error
	if errors.As(err, &te) {
		switch te.Code {
		case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted, codes.Canceled:
			w.Header().Set("Retry-After", "2")
			writeError(w, http.StatusServiceUnavailable, "tessera_unavailable", "the token authority is unavailable")
			return
		}
	}
	writeError(w, http.StatusBadGateway, "upstream_error", "the token authority refused the request")
}
