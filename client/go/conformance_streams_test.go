package tessera

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	pb "github.com/tessera-auth/tessera/client/go/tesserapb"
)

// repoRoot is the Tessera checkout this module lives in (client/go).
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// manualClock is the harness's clock: both times move only when told.
type manualClock struct {
	mu   sync.Mutex
	wall time.Time
	mono time.Duration
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wall
}

func (c *manualClock) Monotonic() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mono
}

func (c *manualClock) advance(wall, mono time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wall, c.mono = c.wall.Add(wall), c.mono+mono
}

// The schema of streams.json (tests/conformance/streams/stream_vectors.proto).
type streamVectors struct {
	FormatVersion int              `json:"formatVersion"`
	Scenarios     []streamScenario `json:"scenarios"`
}

type streamScenario struct {
	Name    string `json:"name"`
	Options struct {
		Issuer         string   `json:"issuer"`
		Audience       []string `json:"audience"`
		LeewayMs       int64    `json:"leewayMs"`
		MaxStalenessMs int64    `json:"maxStalenessMs"`
		HorizonMs      int64    `json:"horizonMs"`
	} `json:"options"`
	StartTime time.Time `json:"startTime"`
	Tokens    []struct {
		Name  string `json:"name"`
		Token string `json:"token"`
	} `json:"tokens"`
	FirstRequest json.RawMessage `json:"firstRequest"`
	Steps        []struct {
		Note        string          `json:"note"`
		Message     json.RawMessage `json:"message"`
		BreakStream *struct {
			Resume json.RawMessage `json:"resume"`
		} `json:"breakStream"`
		Advance *struct {
			WallMs      int64 `json:"wallMs"`
			MonotonicMs int64 `json:"monotonicMs"`
		} `json:"advance"`
		Expect struct {
			Verdicts []struct {
				Token   string `json:"token"`
				Verdict string `json:"verdict"`
				Claims  *struct {
					Subject           string    `json:"subject"`
					SessionID         string    `json:"sessionId"`
					Audience          []string  `json:"audience"`
					IssuedAt          time.Time `json:"issuedAt"`
					ExpiresAt         time.Time `json:"expiresAt"`
					TokenID           string    `json:"tokenId"`
					ClientID          string    `json:"clientId"`
					SubjectGeneration string    `json:"subjectGeneration"`
				} `json:"claims"`
			} `json:"verdicts"`
			AppliedSequence *string `json:"appliedSequence"`
			RevocationsHeld *int    `json:"revocationsHeld"`
		} `json:"expect"`
	} `json:"steps"`
}

func loadStreamVectors(t *testing.T) streamVectors {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "tests/conformance/streams/streams.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v streamVectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if v.FormatVersion != 1 || len(v.Scenarios) == 0 {
		t.Fatalf("streams.json: formatVersion %d, %d scenarios", v.FormatVersion, len(v.Scenarios))
	}
	return v
}

func unmarshalProto(t *testing.T, raw json.RawMessage, m proto.Message) {
	t.Helper()
	if len(raw) == 0 {
		raw = json.RawMessage("{}")
	}
	if err := protojson.Unmarshal(raw, m); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
}

// verdictOf is what Verify answered, in the vectors' vocabulary.
func verdictOf(err error) string {
	var bad *InvalidTokenError
	switch {
	case err == nil:
		return "VALID"
	case errors.Is(err, ErrUnavailable):
		return "UNAVAILABLE"
	case errors.As(err, &bad):
		return bad.ReasonName()
	}
	return "ERROR " + err.Error()
}

// TestStreamConformance replays every scenario of streams.json by direct
// feeding: the Verifier's stream handler gets each message as the stream
// goroutine would, and a break asks it for the request it would open next.
func TestStreamConformance(t *testing.T) {
	for _, sc := range loadStreamVectors(t).Scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			clock := &manualClock{wall: sc.StartTime}
			v, err := newVerifier(VerifierOptions{Issuer: sc.Options.Issuer,
				Audience: sc.Options.Audience, Clock: clock})
			if err != nil {
				t.Fatal(err)
			}
			// Exact values, zero included (NewVerifier reads 0 as "default").
			v.opts.Leeway = time.Duration(sc.Options.LeewayMs) * time.Millisecond
			v.opts.MaxStaleness = time.Duration(sc.Options.MaxStalenessMs) * time.Millisecond
			v.opts.Horizon = time.Duration(sc.Options.HorizonMs) * time.Millisecond
			v.policy.leeway = v.opts.Leeway
			tokens := map[string]string{}
			for _, tk := range sc.Tokens {
				tokens[tk.Name] = tk.Token
			}
			want := &pb.WatchRevocationsRequest{}
			unmarshalProto(t, sc.FirstRequest, want)
			if got := v.streamOpened(); !proto.Equal(got, want) {
				t.Fatalf("first request %v, want %v", got, want)
			}
			for i, step := range sc.Steps {
				switch {
				case step.Message != nil:
					ev := &pb.RevocationEvent{}
					unmarshalProto(t, step.Message, ev)
					v.handle(ev)
				case step.BreakStream != nil:
					want := &pb.WatchRevocationsRequest{}
					unmarshalProto(t, step.BreakStream.Resume, want)
					if got := v.streamOpened(); !proto.Equal(got, want) {
						t.Fatalf("step %d (%s): resume %v, want %v", i, step.Note, got, want)
					}
				case step.Advance != nil:
					clock.advance(time.Duration(step.Advance.WallMs)*time.Millisecond,
						time.Duration(step.Advance.MonotonicMs)*time.Millisecond)
				default:
					t.Fatalf("step %d: no action", i)
				}
				ex := step.Expect
				for _, want := range ex.Verdicts {
					tok, ok := tokens[want.Token]
					if !ok {
						t.Fatalf("step %d: unknown token %q", i, want.Token)
					}
					claims, err := v.Verify(tok)
					if got := verdictOf(err); got != want.Verdict {
						t.Errorf("step %d (%s): %s: %s, want %s", i, step.Note, want.Token, got, want.Verdict)
						continue
					}
					if wc := want.Claims; wc != nil {
						gen, _ := strconv.ParseUint("0"+wc.SubjectGeneration, 10, 64)
						if claims.Subject != wc.Subject || claims.SessionID != wc.SessionID ||
							claims.TokenID != wc.TokenID || claims.ClientID != wc.ClientID ||
							!claims.IssuedAt.Equal(wc.IssuedAt) || !claims.ExpiresAt.Equal(wc.ExpiresAt) ||
							claims.SubjectGeneration != gen || !equalStrings(claims.Audience, wc.Audience) {
							t.Errorf("step %d (%s): %s: claims %+v, want %+v", i, step.Note, want.Token, claims, wc)
						}
					}
				}
				if ex.AppliedSequence != nil {
					seq, _ := strconv.ParseUint(*ex.AppliedSequence, 10, 64)
					if got := v.AppliedSequence(); got != seq {
						t.Errorf("step %d (%s): applied sequence %d, want %d", i, step.Note, got, seq)
					}
				}
				if ex.RevocationsHeld != nil {
					if got := v.RevocationsHeld(); got != *ex.RevocationsHeld {
						t.Errorf("step %d (%s): revocations held %d, want %d", i, step.Note, got, *ex.RevocationsHeld)
					}
				}
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
