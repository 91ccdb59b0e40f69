package tessera

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/tessera-auth/tessera/client/go/tesserapb"
)

type tokenVectors struct {
	Policy struct {
		Issuer        string   `json:"issuer"`
		Audience      []string `json:"audience"`
		LeewaySeconds int64    `json:"leeway_seconds"`
		MaxTokenBytes int      `json:"max_token_bytes"`
	} `json:"policy"`
	JWKS    json.RawMessage `json:"jwks"`
	Vectors []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		Now         int64  `json:"now"`
		Token       string `json:"token"`
		Expect      struct {
			Valid  bool            `json:"valid"`
			Reason string          `json:"reason"`
			Alg    string          `json:"alg"`
			Kid    string          `json:"kid"`
			Claims json.RawMessage `json:"claims"`
		} `json:"expect"`
	} `json:"vectors"`
}

// claimsJSON is Claims in the vectors' form, for comparing as JSON values.
func claimsJSON(t *testing.T, c *Claims) any {
	t.Helper()
	var nbf any
	if !c.NotBefore.IsZero() {
		nbf = c.NotBefore.Unix()
	}
	aud := c.Audience
	if aud == nil {
		aud = []string{}
	}
	b, err := json.Marshal(map[string]any{"iss": c.Issuer, "sub": c.Subject, "aud": aud,
		"exp": c.ExpiresAt.Unix(), "iat": c.IssuedAt.Unix(), "nbf": nbf, "jti": c.TokenID,
		"sid": c.SessionID, "client_id": c.ClientID, "sgen": c.SubjectGeneration, "custom": c.Custom})
	if err != nil {
		t.Fatal(err)
	}
	return decodeAny(t, b)
}

func decodeAny(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestTokenConformance verifies every token of tests/conformance/tokens.json
// with a Verifier fed the vectors' key set as tesserad would send it (a
// KeysChanged event, then snapshot_end), at each vector's `now`, its
// freshness clock held still. One Verifier for all: the cache must not
// change any answer.
func TestTokenConformance(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "tests/conformance/tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tv tokenVectors
	if err := json.Unmarshal(b, &tv); err != nil {
		t.Fatal(err)
	}
	if len(tv.Vectors) == 0 || tv.Policy.MaxTokenBytes != MaxTokenBytes {
		t.Fatalf("tokens.json: %d vectors, max_token_bytes %d", len(tv.Vectors), tv.Policy.MaxTokenBytes)
	}
	clock := &manualClock{}
	v, err := newVerifier(VerifierOptions{Issuer: tv.Policy.Issuer, Audience: tv.Policy.Audience,
		Leeway: time.Duration(tv.Policy.LeewaySeconds) * time.Second, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	v.streamOpened()
	v.handle(&pb.RevocationEvent{Sequence: 1, Time: timestamppb.Now(),
		Event: &pb.RevocationEvent_KeysChanged{KeysChanged: &pb.KeysChanged{JwksJson: string(tv.JWKS)}}})
	v.handle(&pb.RevocationEvent{Sequence: 1, Event: &pb.RevocationEvent_SnapshotEnd{SnapshotEnd: &pb.SnapshotEnd{}}})
	for _, vec := range tv.Vectors {
		clock.mu.Lock()
		clock.wall = time.Unix(vec.Now, 0)
		clock.mu.Unlock()
		claims, err := v.Verify(vec.Token)
		got := verdictOf(err)
		if !vec.Expect.Valid {
			if got != vec.Expect.Reason {
				t.Errorf("%s (%s): %s, want %s", vec.Name, vec.Description, got, vec.Expect.Reason)
			}
			continue
		}
		if got != "VALID" {
			t.Errorf("%s (%s): %s (%v), want VALID", vec.Name, vec.Description, got, err)
			continue
		}
		if claims.Algorithm != vec.Expect.Alg || claims.KeyID != vec.Expect.Kid {
			t.Errorf("%s: verified by %s/%s, want %s/%s", vec.Name, claims.Algorithm, claims.KeyID, vec.Expect.Alg, vec.Expect.Kid)
		}
		if g, w := claimsJSON(t, claims), decodeAny(t, vec.Expect.Claims); !reflect.DeepEqual(g, w) {
			t.Errorf("%s: claims\n got %v\nwant %v", vec.Name, g, w)
		}
	}
}
