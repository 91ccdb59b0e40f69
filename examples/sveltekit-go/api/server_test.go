package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
)

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("answer is not the expected JSON: %v: %s", err, body)
	}
	return v
}

func wantStatus(t *testing.T, w interface{ Result() *http.Response }, want int) {
	t.Helper()
	if got := w.Result().StatusCode; got != want {
		t.Fatalf("status %d, want %d", got, want)
	}
}

func wantError(t *testing.T, h *harness, method, path, token, body string, status int, code string) {
	t.Helper()
	w := h.do(method, path, token, body)
	if w.Code != status {
		t.Fatalf("%s %s %q: status %d, want %d; body %s", method, path, body, w.Code, status, w.Body)
	}
	if got := decode[apiError](t, w.Body.Bytes()); got.Error != code {
		t.Fatalf("%s %s: error %q, want %q", method, path, got.Error, code)
	}
	if w.Header().Get("Content-Type") != "application/json" || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("%s %s: headers %v", method, path, w.Header())
	}
}

func TestHealthz(t *testing.T) {
	h := newHarness(t)
	w := h.do("GET", "/healthz", "", "")
	wantStatus(t, w, 200)
	if got := decode[map[string]bool](t, w.Body.Bytes()); !got["ok"] || !got["verifier_ready"] {
		t.Fatalf("healthz %v", got)
	}
	h.v.notReady = true
	if got := decode[map[string]bool](t, h.do("GET", "/healthz", "", "").Body.Bytes()); !got["ok"] || got["verifier_ready"] {
		t.Fatalf("healthz before the first snapshot %v", got)
	}
}

func TestCredentials(t *testing.T) {
	h := newHarness(t)
	w := h.do("POST", "/api/credentials/check", "", `{"username":"alice","password":"alice-password"}`)
	wantStatus(t, w, 200)
	if got := decode[User](t, w.Body.Bytes()); got != (User{"user-alice", "Alice Liddell", "admin"}) {
		t.Fatalf("alice: %+v", got)
	}
	w = h.do("POST", "/api/credentials/check", "", `{"username":"bob","password":"bob-password"}`)
	if got := decode[User](t, w.Body.Bytes()); got != (User{"user-bob", "Bob Stone", "member"}) {
		t.Fatalf("bob: %+v", got)
	}
	for _, body := range []string{
		`{"username":"alice","password":"bob-password"}`,
		`{"username":"alice","password":""}`,
		`{"username":"alice","password":"alice-password "}`,
		`{"username":"nobody","password":"alice-password"}`,
		`{"username":"","password":""}`,
	} {
		wantError(t, h, "POST", "/api/credentials/check", "", body, 401, "bad_credentials")
	}
	for _, body := range []string{
		``, `{`, `[]`, `"alice"`, `null`, `{"username":"alice"}`, `{"password":"x"}`,
		`{"username":1,"password":"x"}`, `{"username":"alice","password":"alice-password","admin":true}`,
		`{"username":"alice","password":"alice-password"} {}`,
		`{"username":"` + strings.Repeat("a", 300) + `","password":"x"}`,
		"{\"username\":\"al\xffice\",\"password\":\"x\"}",
	} {
		wantError(t, h, "POST", "/api/credentials/check", "", body, 400, "invalid_request")
	}
}

func TestProtectedRoutesRefuseWithoutAValidToken(t *testing.T) {
	h := newHarness(t)
	routes := [][2]string{{"GET", "/api/profile"}, {"PATCH", "/api/profile"}, {"GET", "/api/devices"},
		{"DELETE", "/api/devices/sAlice0"}, {"POST", "/api/devices/revoke-all"}, {"GET", "/api/items/1"}}
	for _, rt := range routes {
		w := h.do(rt[0], rt[1], "", "")
		if w.Code != 401 || w.Header().Get("WWW-Authenticate") != `Bearer realm="tessera"` {
			t.Errorf("%v without a token: %d %v", rt, w.Code, w.Header())
		}
		w = h.do(rt[0], rt[1], "tok-revoked", "")
		if w.Code != 401 || w.Header().Get("Tessera-Reason") != "SESSION_REVOKED" {
			t.Errorf("%v with a revoked token: %d %v", rt, w.Code, w.Header())
		}
		r := httptestRequest(rt[0], rt[1], "Bearer a b")
		if w := serve(h, r); w.Code != 400 {
			t.Errorf("%v with a malformed Authorization: %d", rt, w.Code)
		}
	}
	h.v.unavailable = true
	for _, rt := range routes {
		w := h.do(rt[0], rt[1], "tok-alice", "")
		if w.Code != 503 || w.Header().Get("Retry-After") == "" {
			t.Errorf("%v while the Verifier is out of sync: %d %v", rt, w.Code, w.Header())
		}
	}
	if len(h.auth.calls) != 0 {
		t.Fatalf("tesserad called for refused requests: %v", h.auth.calls)
	}
}

func TestGetProfile(t *testing.T) {
	h := newHarness(t)
	w := h.do("GET", "/api/profile", "tok-alice", "")
	wantStatus(t, w, 200)
	if got := decode[profile](t, w.Body.Bytes()); got != (profile{"user-alice", "sAlice1", "Alice Liddell", "admin"}) {
		t.Fatalf("profile %+v", got)
	}
	wantError(t, h, "GET", "/api/profile", "tok-ghost", "", 404, "not_found")
}

func TestPatchProfileUpdatesTableThenClaimsThenWaits(t *testing.T) {
	h := newHarness(t)
	w := h.do("PATCH", "/api/profile", "tok-alice", `{"name":"Alice L.","role":"member"}`)
	wantStatus(t, w, 200)
	if got := decode[profile](t, w.Body.Bytes()); got != (profile{"user-alice", "sAlice1", "Alice L.", "member"}) {
		t.Fatalf("answer %+v", got)
	}
	if len(h.auth.updates) != 1 {
		t.Fatalf("UpdateClaims calls: %d", len(h.auth.updates))
	}
	u := h.auth.updates[0]
	if u.GetSubject() != "user-alice" || !u.GetInvalidateAccessTokens() || u.GetMode().String() != "CLAIMS_MODE_MERGE_PATCH" ||
		!reflect.DeepEqual(u.GetClaims().AsMap(), map[string]any{"name": "Alice L.", "role": "member"}) {
		t.Fatalf("UpdateClaims request %v", u)
	}
	if !reflect.DeepEqual(h.v.waited, []uint64{1}) {
		t.Fatalf("waited for %v, want [1]", h.v.waited)
	}
	// Only the name: the claims still carry both, from the table.
	h.do("PATCH", "/api/profile", "tok-alice", `{"name":"Alice"}`)
	if got := h.auth.updates[1].GetClaims().AsMap(); !reflect.DeepEqual(got, map[string]any{"name": "Alice", "role": "member"}) {
		t.Fatalf("second patch claims %v", got)
	}
	if got := decode[profile](t, h.do("GET", "/api/profile", "tok-alice", "").Body.Bytes()); got.Name != "Alice" || got.Role != "member" {
		t.Fatalf("profile after patches %+v", got)
	}
	if got := decode[profile](t, h.do("GET", "/api/profile", "tok-bob", "").Body.Bytes()); got.Name != "Bob Stone" {
		t.Fatalf("bob changed: %+v", got)
	}
}

func TestPatchProfileRejectsBadInput(t *testing.T) {
	h := newHarness(t)
	for _, body := range []string{
		`{}`, `{"name":""}`, `{"name":"   "}`, `{"name":"` + strings.Repeat("é", 65) + `"}`,
		`{"name":"a\nb"}`, `{"name":"a\u0000b"}`, `{"role":"owner"}`, `{"role":"Admin"}`, `{"role":""}`,
		`{"name":42}`, `{"role":["admin"]}`, `{"name":"x","email":"x@example.com"}`, `{"name":"x"`, `[{"name":"x"}]`,
		`not json`, `{"name":"x"}{"name":"y"}`, "{\"name\":\"\xc3\x28\"}",
	} {
		wantError(t, h, "PATCH", "/api/profile", "tok-alice", body, 400, "invalid_request")
	}
	if len(h.auth.calls) != 0 {
		t.Fatalf("tesserad called for invalid patches: %v", h.auth.calls)
	}
	// 64 characters (not bytes) is the limit.
	wantStatus(t, h.do("PATCH", "/api/profile", "tok-alice", `{"name":"`+strings.Repeat("é", 64)+`"}`), 200)
}

func TestPatchProfileRollsBackWhenTesseradRefuses(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		code   string
	}{
		{tesseraError(codes.Unavailable, "STORE_UNAVAILABLE"), 503, "tessera_unavailable"},
		{tesseraError(codes.InvalidArgument, "CLAIMS_TOO_LARGE"), 502, "upstream_error"},
		{errors.New("not a gRPC error"), 502, "upstream_error"},
	} {
		h := newHarness(t)
		h.auth.failWith["UpdateClaims"] = tc.err
		wantError(t, h, "PATCH", "/api/profile", "tok-alice", `{"name":"Mallory"}`, tc.status, tc.code)
		if got := decode[profile](t, h.do("GET", "/api/profile", "tok-alice", "").Body.Bytes()); got.Name != "Alice Liddell" {
			t.Fatalf("%v: table not rolled back: %+v", tc.err, got)
		}
		if len(h.v.waited) != 0 {
			t.Fatalf("waited after a failed update")
		}
	}
}

func TestPatchProfileVerifierLagging(t *testing.T) {
	h := newHarness(t)
	h.v.waitFails = true
	w := h.do("PATCH", "/api/profile", "tok-alice", `{"name":"Alice L."}`)
	if w.Code != 503 || w.Header().Get("Retry-After") != "2" || decode[apiError](t, w.Body.Bytes()).Error != "verifier_lagging" {
		t.Fatalf("lagging verifier: %d %v %s", w.Code, w.Header(), w.Body)
	}
}

func TestListDevices(t *testing.T) {
	h := newHarness(t)
	w := h.do("GET", "/api/devices", "tok-alice", "")
	wantStatus(t, w, 200)
	got := decode[map[string][]device](t, w.Body.Bytes())["devices"]
	if len(got) != 2 || got[0].SessionID != "sAlice1" || !got[0].Current || got[0].Client != "laptop" ||
		got[1].SessionID != "sAlice0" || got[1].Current || got[1].Client != "old phone" {
		t.Fatalf("devices %+v", got)
	}
	for _, d := range got {
		if _, err := timeParseRFC3339(d.CreatedAt); err != nil {
			t.Fatalf("created_at %q: %v", d.CreatedAt, err)
		}
	}
	// Expired sessions are not devices.
	h.auth.sessions["sAlice0"].IdleExpiresAt = h.auth.sessions["sAlice0"].CreatedAt
	got = decode[map[string][]device](t, h.do("GET", "/api/devices", "tok-alice", "").Body.Bytes())["devices"]
	if len(got) != 1 || got[0].SessionID != "sAlice1" {
		t.Fatalf("devices with one idle-expired %+v", got)
	}
	h.auth.failWith["ListSessions"] = tesseraError(codes.DeadlineExceeded, "")
	wantError(t, h, "GET", "/api/devices", "tok-alice", "", 503, "tessera_unavailable")
}

func TestRevokeDevice(t *testing.T) {
	h := newHarness(t)
	w := h.do("DELETE", "/api/devices/sAlice0", "tok-alice", "")
	wantStatus(t, w, 204)
	if w.Body.Len() != 0 || h.auth.sessions["sAlice0"].GetRevokedAt() == nil {
		t.Fatalf("not revoked, or a body: %q", w.Body)
	}
	if !reflect.DeepEqual(h.v.waited, []uint64{1}) {
		t.Fatalf("waited for %v", h.v.waited)
	}
	// Revoking again is not an error (nothing to wait for).
	wantStatus(t, h.do("DELETE", "/api/devices/sAlice0", "tok-alice", ""), 204)
}

func TestRevokeDeviceAnswers404ForAnythingNotTheCallers(t *testing.T) {
	h := newHarness(t)
	for _, id := range []string{"sBob1", "sNobody", strings.Repeat("a", 65), "a.b", "%00", "a%2Fb", "%E2%80%AE"} {
		wantError(t, h, "DELETE", "/api/devices/"+id, "tok-alice", "", 404, "not_found")
	}
	if h.auth.sessions["sBob1"].GetRevokedAt() != nil {
		t.Fatal("alice revoked bob's session")
	}
	for _, c := range h.auth.calls {
		if c == "RevokeSession" {
			t.Fatalf("RevokeSession called: %v", h.auth.calls)
		}
	}
	h.auth.failWith["GetSession"] = tesseraError(codes.InvalidArgument, "SESSION_ID_INVALID")
	wantError(t, h, "DELETE", "/api/devices/sAlice0", "tok-alice", "", 404, "not_found")
	h.auth.failWith["GetSession"] = tesseraError(codes.Unavailable, "")
	wantError(t, h, "DELETE", "/api/devices/sAlice0", "tok-alice", "", 503, "tessera_unavailable")
}

func TestRevokeAll(t *testing.T) {
	h := newHarness(t)
	w := h.do("POST", "/api/devices/revoke-all", "tok-alice", "")
	wantStatus(t, w, 200)
	if got := decode[map[string]uint64](t, w.Body.Bytes()); got["revoked"] != 2 || got["sequence"] != 1 {
		t.Fatalf("revoke-all %v", got)
	}
	if h.auth.sessions["sBob1"].GetRevokedAt() != nil || h.auth.sessions["sAlice1"].GetRevokedAt() == nil {
		t.Fatal("wrong sessions revoked")
	}
	if !reflect.DeepEqual(h.v.waited, []uint64{1}) {
		t.Fatalf("waited for %v", h.v.waited)
	}
	h.auth.failWith["RevokeSession"] = tesseraError(codes.Unavailable, "STORE_UNAVAILABLE")
	wantError(t, h, "POST", "/api/devices/revoke-all", "tok-bob", "", 503, "tessera_unavailable")
}

func TestItems(t *testing.T) {
	h := newHarness(t)
	for _, n := range []int{0, 7, 99} {
		w := h.do("GET", "/api/items/"+itoa(n), "tok-bob", "")
		wantStatus(t, w, 200)
		got := decode[map[string]any](t, w.Body.Bytes())
		if got["n"] != float64(n) || got["subject"] != "user-bob" {
			t.Fatalf("item %d: %v", n, got)
		}
	}
	for _, bad := range []string{"100", "-1", "+1", "01", "00", "abc", "1.5", "1e1", "%20", "999999999999999999999"} {
		wantError(t, h, "GET", "/api/items/"+bad, "tok-bob", "", 404, "not_found")
	}
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	h := newHarness(t)
	for _, p := range []string{"/", "/api", "/api/profile/", "/api/nope", "/api/devices/a/b", "/api/items/"} {
		wantError(t, h, "GET", p, "tok-alice", "", 404, "not_found")
	}
	for _, mp := range [][3]string{
		{"POST", "/api/profile", "GET, PATCH"}, {"PUT", "/api/items/1", "GET"}, {"GET", "/api/devices/revoke-all", "POST"},
		{"GET", "/api/credentials/check", "POST"}, {"DELETE", "/healthz", "GET"}, {"POST", "/api/devices/sAlice0", "DELETE"},
	} {
		w := h.do(mp[0], mp[1], "tok-alice", "")
		if w.Code != 405 || w.Header().Get("Allow") != mp[2] || decode[apiError](t, w.Body.Bytes()).Error != "method_not_allowed" {
			t.Errorf("%s %s: %d Allow=%q %s", mp[0], mp[1], w.Code, w.Header().Get("Allow"), w.Body)
		}
	}
}

func TestOversizedBodies(t *testing.T) {
	h := newHarness(t)
	big := `{"name":"` + strings.Repeat("a", MaxBodyBytes) + `"}`
	wantError(t, h, "PATCH", "/api/profile", "tok-alice", big, 413, "too_large")
	wantError(t, h, "POST", "/api/credentials/check", "", big, 413, "too_large")
	// Declared too large: refused before authentication and routing.
	wantError(t, h, "GET", "/api/profile", "", big, 413, "too_large")
	// Chunked (no Content-Length): the read is cut off.
	r := httptestRequest("PATCH", "/api/profile", "Bearer tok-alice")
	r.Body, r.ContentLength = ioNopCloser(strings.NewReader(big)), -1
	if w := serve(h, r); w.Code != 413 {
		t.Fatalf("chunked oversized body: %d", w.Code)
	}
	// Exactly at the limit is read (and then judged on its content).
	atLimit := `{"name":"` + strings.Repeat(" ", MaxBodyBytes-len(`{"name":"x"}`)) + `x"}`
	if len(atLimit) != MaxBodyBytes {
		t.Fatalf("test body is %d bytes", len(atLimit))
	}
	wantError(t, h, "PATCH", "/api/profile", "tok-alice", atLimit, 400, "invalid_request")
}

func TestLogsHoldNoTokens(t *testing.T) {
	h := newHarness(t)
	h.do("GET", "/api/profile?access_token=tok-bob", "tok-alice", "")
	h.do("PATCH", "/api/profile", "tok-alice", `{"name":"Alice"}`)
	h.do("POST", "/api/credentials/check", "", `{"username":"alice","password":"alice-password"}`)
	logs := h.logs.String()
	if !strings.Contains(logs, `"path":"/api/profile"`) {
		t.Fatalf("no request log: %s", logs)
	}
	for _, secret := range []string{"tok-alice", "tok-bob", "alice-password"} {
		if strings.Contains(logs, secret) {
			t.Fatalf("log holds %q: %s", secret, logs)
		}
	}
}
