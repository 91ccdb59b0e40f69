package tessera

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pb "github.com/tessera-auth/tessera/client/go/tesserapb"
)

// stubVerifier answers every token with one verdict and records the calls.
type stubVerifier struct {
	verdict string
	calls   []string
}

func (s *stubVerifier) Verify(token string) (*Claims, error) {
	s.calls = append(s.calls, token)
	switch s.verdict {
	case "VALID":
		return &Claims{Subject: "user-42"}, nil
	case "UNAVAILABLE":
		return nil, ErrUnavailable
	}
	r, ok := pb.TokenInvalidReason_value["TOKEN_INVALID_REASON_"+s.verdict]
	if !ok {
		panic("unknown verdict " + s.verdict)
	}
	return nil, invalid(pb.TokenInvalidReason(r), "stub")
}

type httpVectors struct {
	Realm   string `json:"realm"`
	Vectors []struct {
		Name          string   `json:"name"`
		Description   string   `json:"description"`
		Authorization []string `json:"authorization"`
		Verdict       string   `json:"verdict"`
		Expect        struct {
			VerifierCalledWith *string           `json:"verifier_called_with"`
			Authenticated      bool              `json:"authenticated"`
			Status             int               `json:"status"`
			Headers            map[string]string `json:"headers"`
			Body               string            `json:"body"`
		} `json:"expect"`
	} `json:"vectors"`
}

// TestHTTPConformance runs every vector of tests/conformance/http.json
// through the real Middleware (an httptest request with the vector's
// Authorization fields) over a stub verifier.
func TestHTTPConformance(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "tests/conformance/http.json"))
	if err != nil {
		t.Fatal(err)
	}
	var hv httpVectors
	if err := json.Unmarshal(b, &hv); err != nil {
		t.Fatal(err)
	}
	if hv.Realm != Realm || len(hv.Vectors) == 0 {
		t.Fatalf("http.json: realm %q, %d vectors", hv.Realm, len(hv.Vectors))
	}
	contract := []string{"WWW-Authenticate", "Tessera-Reason", "Retry-After", "Cache-Control", "Content-Type"}
	for _, vec := range hv.Vectors {
		t.Run(vec.Name, func(t *testing.T) {
			stub := &stubVerifier{verdict: vec.Verdict}
			var reached *Claims
			h := Protect(stub, Requirements{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reached, _ = ClaimsFromContext(r.Context())
				w.WriteHeader(http.StatusTeapot)
			}))
			req := httptest.NewRequest("GET", "/", nil)
			for _, f := range vec.Authorization {
				req.Header.Add("Authorization", f)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			ex := vec.Expect
			switch {
			case ex.VerifierCalledWith == nil && len(stub.calls) != 0:
				t.Errorf("verifier asked about %q; must not be", stub.calls)
			case ex.VerifierCalledWith != nil && (len(stub.calls) != 1 || stub.calls[0] != *ex.VerifierCalledWith):
				t.Errorf("verifier asked about %q, want [%q]", stub.calls, *ex.VerifierCalledWith)
			}
			if ex.Authenticated {
				if rec.Code != http.StatusTeapot || reached == nil || reached.Subject != "user-42" {
					t.Errorf("not passed on with claims: status %d, claims %v", rec.Code, reached)
				}
				return
			}
			if reached != nil || rec.Code != ex.Status {
				t.Errorf("status %d (handler reached: %v), want %d", rec.Code, reached != nil, ex.Status)
			}
			for _, name := range contract {
				want, expected := ex.Headers[name]
				got := rec.Result().Header.Values(name)
				switch {
				case expected && (len(got) != 1 || got[0] != want):
					t.Errorf("%s: %q, want %q", name, got, want)
				case !expected && len(got) != 0:
					t.Errorf("%s: %q, want none", name, got)
				}
			}
			for name := range ex.Headers {
				if !contains(contract, name) {
					t.Errorf("header %s not checked by this test", name)
				}
			}
			if got := rec.Body.String(); got != ex.Body {
				t.Errorf("body %q, want %q", got, ex.Body)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
