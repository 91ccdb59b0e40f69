package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/structpb"

	tessera "github.com/tessera-auth/tessera/client/go"
	pb "github.com/tessera-auth/tessera/client/go/tesserapb"
	"github.com/tessera-auth/tessera/client/go/tesseratest"
)

// e2e is the API run by run() (as main runs it) against a real tesserad.
type e2e struct {
	t      *testing.T
	tsd    *tesseratest.Server
	client *tessera.Client // plays the web app: issues and refreshes sessions
	base   string
}

func startE2E(t *testing.T, env map[string]string) *e2e {
	t.Helper()
	tsd := tesseratest.Start(t, tesseratest.Options{})
	client, err := tessera.Dial(tsd.GRPCAddress, tessera.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	full := map[string]string{"TESSERA_ADDRESS": tsd.GRPCAddress, "API_ADDRESS": "127.0.0.1:0"}
	for k, v := range env {
		full[k] = v
	}
	cfg, err := ConfigFromEnv(envOf(full))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	go func() { done <- run(ctx, cfg, log, func(a string) { addr <- a }) }()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case err := <-done:
		cancel()
		t.Fatalf("api did not start: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("api stopped with %v", err)
		}
	})
	e := &e2e{t: t, tsd: tsd, client: client, base: base}
	e.waitFor("the Verifier to be ready", func() bool {
		var h map[string]bool
		return e.call("GET", "/healthz", "", "", &h) == 200 && h["verifier_ready"]
	})
	return e
}

// waitFor polls cond until it holds; the test's own timeout bounds it.
func (e *e2e) waitFor(what string, cond func() bool) {
	e.t.Helper()
	for !cond() {
		select {
		case <-time.After(20 * time.Millisecond):
		case <-e.t.Context().Done():
			e.t.Fatalf("gave up waiting for %s", what)
		}
	}
}

// login does what the web app does: check credentials, issue a session
// with the user's name and role as claims.
func (e *e2e) login(username, password, device string) *pb.SessionTokens {
	e.t.Helper()
	var u User
	body := `{"username":"` + username + `","password":"` + password + `"}`
	if st := e.call("POST", "/api/credentials/check", "", body, &u); st != 200 {
		e.t.Fatalf("credentials of %s: %d", username, st)
	}
	claims, _ := structpb.NewStruct(map[string]any{"name": u.Name, "role": u.Role})
	tokens, err := e.client.IssueSession(e.t.Context(), &pb.IssueSessionRequest{Subject: u.Subject,
		Claims: claims, Client: &pb.ClientInfo{DeviceName: device}})
	if err != nil {
		e.t.Fatal(err)
	}
	return tokens
}

// call sends a request and decodes a JSON answer into out (if non-nil);
// it returns the status.
func (e *e2e) call(method, path, token, body string, out any) int {
	e.t.Helper()
	resp := e.raw(method, path, token, body)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if p := contractProblems(method, path, resp.StatusCode, resp.Header.Get("Content-Type"), b); len(p) != 0 {
		e.t.Errorf("answer differs from openapi.json: %v", p)
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

func (e *e2e) raw(method, path, token, body string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.base+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

// refusedWith asserts the API refuses token with 401 and reason.
func (e *e2e) refusedWith(token, reason string) {
	e.t.Helper()
	resp := e.raw("GET", "/api/profile", token, "")
	resp.Body.Close()
	if resp.StatusCode != 401 || resp.Header.Get("Tessera-Reason") != reason ||
		!strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), `Bearer realm="tessera"`) {
		e.t.Fatalf("want 401 %s, got %d %v", reason, resp.StatusCode, resp.Header)
	}
}

func TestE2EProfile(t *testing.T) {
	e := startE2E(t, nil)
	alice := e.login("alice", "alice-password", "laptop")
	var p profile
	if st := e.call("GET", "/api/profile", alice.AccessToken, "", &p); st != 200 ||
		p != (profile{"user-alice", alice.SessionId, "Alice Liddell", "admin"}) {
		t.Fatalf("profile: %d %+v", st, p)
	}
	var bad apiError
	if st := e.call("POST", "/api/credentials/check", "", `{"username":"alice","password":"x"}`, &bad); st != 401 || bad.Error != "bad_credentials" {
		t.Fatalf("bad credentials: %d %+v", st, bad)
	}
	if st := e.call("POST", "/api/credentials/check", "", `{"username":`, &bad); st != 400 {
		t.Fatalf("malformed credentials: %d", st)
	}
	e.refusedWith("not-a-token", "MALFORMED")
	if resp := e.raw("GET", "/api/profile", "", ""); resp.StatusCode != 401 || resp.Header.Get("Tessera-Reason") != "" {
		t.Fatalf("no token: %d %v", resp.StatusCode, resp.Header)
	}
	req, _ := http.NewRequestWithContext(t.Context(), "GET", e.base+"/api/profile", nil)
	req.Header.Set("Authorization", "Bearer "+alice.AccessToken+" extra")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_request"`) {
		t.Fatalf("malformed Authorization: %d %v", resp.StatusCode, resp.Header)
	}
}

// Editing the profile: the answer comes once the API's Verifier refuses
// the old access token (STALE_CLAIMS); a refresh carries the new claims.
func TestE2EPatchProfileInvalidatesOldTokens(t *testing.T) {
	e := startE2E(t, nil)
	alice := e.login("alice", "alice-password", "laptop")
	other := e.login("alice", "alice-password", "phone")
	var p profile
	if st := e.call("PATCH", "/api/profile", alice.AccessToken, `{"name":"Alice L.","role":"member"}`, &p); st != 200 ||
		p.Name != "Alice L." || p.Role != "member" {
		t.Fatalf("patch: %d %+v", st, p)
	}
	e.refusedWith(alice.AccessToken, "STALE_CLAIMS")
	e.refusedWith(other.AccessToken, "STALE_CLAIMS")
	fresh, err := e.client.RefreshSession(t.Context(), &pb.RefreshSessionRequest{RefreshToken: alice.RefreshToken})
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.client.ValidateToken(t.Context(), &pb.ValidateTokenRequest{AccessToken: fresh.AccessToken})
	if err != nil || !v.GetValid() {
		t.Fatalf("fresh token: %v %v", v, err)
	}
	if got := v.GetClaims().GetCustom().AsMap(); got["name"] != "Alice L." || got["role"] != "member" {
		t.Fatalf("claims after refresh %v", got)
	}
	if st := e.call("GET", "/api/profile", fresh.AccessToken, "", &p); st != 200 || p.Name != "Alice L." {
		t.Fatalf("profile with the fresh token: %d %+v", st, p)
	}
	var bad apiError
	for _, body := range []string{`{"role":"owner"}`, `{"name":""}`, `{"name":"` + strings.Repeat("x", 65) + `"}`, `{"nick":"x"}`, `nope`} {
		if st := e.call("PATCH", "/api/profile", fresh.AccessToken, body, &bad); st != 400 || bad.Error != "invalid_request" {
			t.Fatalf("patch %s: %d %+v", body, st, bad)
		}
	}
	if st := e.call("PATCH", "/api/profile", fresh.AccessToken, `{"name":"`+strings.Repeat("x", 17<<10)+`"}`, &bad); st != 413 {
		t.Fatalf("oversized patch: %d", st)
	}
}

func TestE2EDevices(t *testing.T) {
	e := startE2E(t, nil)
	older := e.login("alice", "alice-password", "old phone")
	alice := e.login("alice", "alice-password", "laptop")
	bob := e.login("bob", "bob-password", "bob's phone")
	var list struct{ Devices []device }
	if st := e.call("GET", "/api/devices", alice.AccessToken, "", &list); st != 200 || len(list.Devices) != 2 {
		t.Fatalf("devices: %d %+v", st, list)
	}
	d := list.Devices
	if d[0].SessionID != alice.SessionId || !d[0].Current || d[0].Client != "laptop" ||
		d[1].SessionID != older.SessionId || d[1].Current || d[1].Client != "old phone" {
		t.Fatalf("devices %+v", d)
	}
	if _, err := time.Parse(time.RFC3339, d[0].CreatedAt); err != nil {
		t.Fatal(err)
	}

	var nf apiError
	for _, id := range []string{bob.SessionId, "AAAAAAAAAAAAAAAAAAAAAA", "revoke-me", "x%2Fy", strings.Repeat("A", 100)} {
		if st := e.call("DELETE", "/api/devices/"+id, alice.AccessToken, "", &nf); st != 404 || nf.Error != "not_found" {
			t.Fatalf("DELETE %s: %d %+v", id, st, nf)
		}
	}
	if st := e.call("GET", "/api/profile", bob.AccessToken, "", nil); st != 200 {
		t.Fatalf("bob signed out by alice: %d", st)
	}

	if st := e.call("DELETE", "/api/devices/"+older.SessionId, alice.AccessToken, "", nil); st != 204 {
		t.Fatalf("revoke own device: %d", st)
	}
	e.refusedWith(older.AccessToken, "SESSION_REVOKED") // at once: the API waited for its Verifier
	if st := e.call("GET", "/api/devices", alice.AccessToken, "", &list); st != 200 || len(list.Devices) != 1 ||
		list.Devices[0].SessionID != alice.SessionId {
		t.Fatalf("devices after revoking one: %+v", list)
	}

	var all struct{ Revoked, Sequence uint64 }
	if st := e.call("POST", "/api/devices/revoke-all", alice.AccessToken, "", &all); st != 200 || all.Revoked != 1 || all.Sequence == 0 {
		t.Fatalf("revoke-all: %d %+v", st, all)
	}
	e.refusedWith(alice.AccessToken, "SESSION_REVOKED")
	if _, err := e.client.RefreshSession(t.Context(), &pb.RefreshSessionRequest{RefreshToken: alice.RefreshToken}); err == nil {
		t.Fatal("refresh after sign-out everywhere succeeded")
	}
	if st := e.call("GET", "/api/profile", bob.AccessToken, "", nil); st != 200 {
		t.Fatalf("bob signed out by alice's revoke-all: %d", st)
	}
}

func TestE2EItemsRoutesAndOpenAPI(t *testing.T) {
	e := startE2E(t, nil)
	bob := e.login("bob", "bob-password", "")
	var item map[string]any
	if st := e.call("GET", "/api/items/7", bob.AccessToken, "", &item); st != 200 || item["n"] != 7.0 || item["subject"] != "user-bob" {
		t.Fatalf("item: %d %v", st, item)
	}
	for _, p := range []string{"/api/items/100", "/api/items/x", "/nope"} {
		var nf apiError
		if st := e.call("GET", p, bob.AccessToken, "", &nf); st != 404 || nf.Error != "not_found" {
			t.Fatalf("GET %s: %d %+v", p, st, nf)
		}
	}
	if st := e.call("PUT", "/api/profile", bob.AccessToken, "", nil); st != 405 {
		t.Fatalf("PUT /api/profile: %d", st)
	}
	var doc map[string]any
	if st := e.call("GET", "/openapi.json", "", "", &doc); st != 200 || doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi: %d", st)
	}
}

// tesserad gone for longer than TESSERA_MAX_STALENESS: protected routes
// answer 503 with Retry-After (nobody is told their token is bad); after
// a restart the same token works again.
func TestE2ETesseradDownThenBack(t *testing.T) {
	e := startE2E(t, map[string]string{"TESSERA_MAX_STALENESS": "2"})
	alice := e.login("alice", "alice-password", "")
	e.tsd.Stop()
	e.waitFor("503 while tesserad is down", func() bool {
		resp := e.raw("GET", "/api/items/1", alice.AccessToken, "")
		resp.Body.Close()
		if resp.StatusCode == 200 {
			return false
		}
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("tesserad down: %d %v", resp.StatusCode, resp.Header)
		}
		return true
	})
	e.tsd.Restart()
	e.waitFor("200 after tesserad is back", func() bool {
		return e.call("GET", "/api/items/1", alice.AccessToken, "", nil) == 200
	})
}
