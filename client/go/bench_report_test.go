package tessera

// BenchmarkReport measures every figure docs/performance.md records for
// the Go library, each against a baseline measured in the same run:
//
//	cd client/go && TESSERA_TESSERAD=/path/to/tesserad \
//	  go test -run '^$' -bench '^BenchmarkReport$' -benchtime 1x -timeout 10m -v
//
// Local figures (test key, EdDSA): the candidates are calibrated to about
// reportSlice of work each, then run in reportRounds rounds, one slice of
// each per round in rotating order; every ratio is taken within a round,
// and the median round is reported with the range of rounds. Then, against
// one real tesserad: a miss on a token it issued vs go-jose's verify of
// that token (same alternation), and the propagation of one revocation to
// propagationVerifiers Verifiers, each on its own connection.
// The figures are printed as b.Log lines; run it alone on an idle machine.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	pb "github.com/tessera-auth/tessera/client/go/tesserapb"
	"github.com/tessera-auth/tessera/client/go/tesseratest"
)

const (
	reportRounds         = 9
	reportSlice          = 200 * time.Millisecond
	propagationVerifiers = 100
	propagationRounds    = 30
)

// candidate is one measured loop: run(n) performs n operations.
type candidate struct {
	name string
	run  func(n int)
}

// alternate returns ns per operation, [candidate][round].
func alternate(cs []candidate, rounds int, slice time.Duration) [][]float64 {
	ns := make([]int, len(cs))
	for i, c := range cs {
		ns[i] = calibrate(c.run, slice)
	}
	out := make([][]float64, len(cs))
	for r := 0; r < rounds; r++ {
		for k := range cs {
			i := (r + k) % len(cs)
			start := time.Now()
			cs[i].run(ns[i])
			out[i] = append(out[i], float64(time.Since(start).Nanoseconds())/float64(ns[i]))
		}
	}
	return out
}

// calibrate finds n such that run(n) takes about slice.
func calibrate(run func(int), slice time.Duration) int {
	for n := 1; ; n *= 4 {
		start := time.Now()
		run(n)
		if d := time.Since(start); d >= slice/8 {
			return max(1, int(float64(n)*float64(slice)/float64(d)))
		}
	}
}

// spread is the median and range of per-round values.
type spread struct{ med, lo, hi float64 }

func spreadOf(v []float64) spread {
	s := slices.Clone(v)
	slices.Sort(s)
	return spread{med: s[len(s)/2], lo: s[0], hi: s[len(s)-1]}
}

// perRound applies f to each round's values of a and b.
func perRound(a, b []float64, f func(a, b float64) float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = f(a[i], b[i])
	}
	return out
}

func ratio(a, b float64) float64 { return a / b }

func fmtNs(s spread) string {
	if s.med >= 1e6 {
		return fmt.Sprintf("%.2f ms (%.2f–%.2f)", s.med/1e6, s.lo/1e6, s.hi/1e6)
	}
	if s.med >= 10000 {
		return fmt.Sprintf("%.1f µs (%.1f–%.1f)", s.med/1000, s.lo/1000, s.hi/1000)
	}
	return fmt.Sprintf("%.0f ns (%.0f–%.0f)", s.med, s.lo, s.hi)
}

func fmtRatio(s spread) string { return fmt.Sprintf("%.2f (%.2f–%.2f)", s.med, s.lo, s.hi) }

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return strings.TrimSpace(string(b))
}

// benchVerifier is syncedVerifier on the system clock (the test clock
// takes a mutex per call, which a parallel hit would measure).
func benchVerifier(b *testing.B) *Verifier {
	v, err := newVerifier(VerifierOptions{Issuer: "tessera", Audience: []string{"api"}, MaxStaleness: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	v.streamOpened()
	v.handle(&pb.RevocationEvent{Sequence: 1, Event: &pb.RevocationEvent_KeysChanged{KeysChanged: &pb.KeysChanged{JwksJson: testJWKS()}}})
	v.handle(&pb.RevocationEvent{Sequence: 1, Event: &pb.RevocationEvent_SnapshotEnd{SnapshotEnd: &pb.SnapshotEnd{Incarnation: "i"}}})
	return v
}

func mustVerify(v *Verifier, tok string) {
	if _, err := v.Verify(tok); err != nil {
		panic(err)
	}
}

// missLoop verifies tok with the cache emptied before each call.
func missLoop(v *Verifier, tok string) func(int) {
	return func(n int) {
		for i := 0; i < n; i++ {
			v.cache.clear()
			mustVerify(v, tok)
		}
	}
}

// joseLoop is go-jose's own parse and verify of tok with key.
func joseLoop(tok string, alg jose.SignatureAlgorithm, key any) func(int) {
	return func(n int) {
		for i := 0; i < n; i++ {
			jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{alg})
			if err != nil {
				panic(err)
			}
			if _, err := jws.Verify(key); err != nil {
				panic(err)
			}
		}
	}
}

func handlerLoop(h http.Handler, tok string) func(int) {
	return func(n int) {
		for i := 0; i < n; i++ {
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				panic(fmt.Sprint("status ", rec.Code))
			}
		}
	}
}

func BenchmarkReport(b *testing.B) {
	b.Logf("GOMAXPROCS %d, %s, loadavg at start: %s", runtime.GOMAXPROCS(0), runtime.Version(), loadavg())
	reportLocal(b)
	reportTesserad(b)
	b.Logf("loadavg at end: %s", loadavg())
}

func reportLocal(b *testing.B) {
	now := time.Now()
	tok := sign(b, goodHeader, goodClaims(now))
	hit, miss, mw := benchVerifier(b), benchVerifier(b), benchVerifier(b)
	mustVerify(hit, tok)
	keys, err := parseJWKS(testJWKS())
	if err != nil {
		b.Fatal(err)
	}
	procs := runtime.GOMAXPROCS(0)
	middleware := mw.Middleware(okHandler)
	res := alternate([]candidate{
		{"hit", func(n int) {
			for i := 0; i < n; i++ {
				mustVerify(hit, tok)
			}
		}},
		{"hit parallel", func(n int) { // ns of wall per call, all cores
			var wg sync.WaitGroup
			for p := 0; p < procs; p++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := p; i < n; i += procs {
						mustVerify(hit, tok)
					}
				}()
			}
			wg.Wait()
		}},
		{"miss", missLoop(miss, tok)},
		{"go-jose", joseLoop(tok, jose.EdDSA, keys[testKid].jwk.Key)},
		{"bare handler", handlerLoop(okHandler, tok)},
		{"middleware", handlerLoop(middleware, tok)},
	}, reportRounds, reportSlice)
	hit1, hitP, missT, joseT, bare, mwT := res[0], res[1], res[2], res[3], res[4], res[5]
	hitCPU := perRound(hitP, hitP, func(a, _ float64) float64 { return a * float64(procs) })
	b.Logf("local, EdDSA test key, %d rounds of ~%v per candidate:", reportRounds, reportSlice)
	b.Logf("| Verify, cache hit, 1 goroutine | %s | — | — | ≤ 300 ns |", fmtNs(spreadOf(hit1)))
	b.Logf("| Verify, cache hit, %d goroutines (CPU per call) | %s | — | — | ≤ 300 ns |", procs, fmtNs(spreadOf(hitCPU)))
	b.Logf("| Verify, miss vs go-jose | %s | %s | %s | ≥ 0.90 |", fmtNs(spreadOf(missT)), fmtNs(spreadOf(joseT)),
		fmtRatio(spreadOf(perRound(joseT, missT, ratio))))
	b.Logf("| Middleware vs bare handler | %s | %s | %s, overhead %s | — |", fmtNs(spreadOf(mwT)), fmtNs(spreadOf(bare)),
		fmtRatio(spreadOf(perRound(mwT, bare, ratio))),
		fmtNs(spreadOf(perRound(mwT, bare, func(a, b float64) float64 { return a - b }))))
	b.ReportMetric(spreadOf(hit1).med, "hit-ns")
	b.ReportMetric(spreadOf(perRound(joseT, missT, ratio)).med, "jose/miss")
}

// reportTesserad: a real tesserad, Verifiers following it.
func reportTesserad(b *testing.B) {
	srv := tesseratest.Start(b, tesseratest.Options{})
	client, err := Dial(srv.GRPCAddress, ClientOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	vs := make([]*Verifier, propagationVerifiers)
	for i := range vs {
		if vs[i], err = NewVerifier(VerifierOptions{Target: srv.GRPCAddress, Issuer: "tessera", Audience: []string{"api"}}); err != nil {
			b.Fatal(err)
		}
		defer vs[i].Close()
	}
	for _, v := range vs {
		if err := v.WaitUntilReady(ctx); err != nil {
			b.Fatal(err)
		}
	}
	reportRealMiss(b, ctx, client, vs[0])
	reportPropagation(b, ctx, client, vs)
}

// reportRealMiss: a miss on a token tesserad issued vs go-jose on it.
func reportRealMiss(b *testing.B, ctx context.Context, client *Client, v *Verifier) {
	tok, err := client.IssueSession(ctx, &pb.IssueSessionRequest{Subject: "bench-miss"})
	if err != nil {
		b.Fatal(err)
	}
	jwks, err := client.GetJwks(ctx, &pb.GetJwksRequest{})
	if err != nil {
		b.Fatal(err)
	}
	keys, err := parseJWKS(jwks.JwksJson)
	if err != nil {
		b.Fatal(err)
	}
	var header struct{ Alg, Kid string }
	hb, _ := base64.RawURLEncoding.DecodeString(strings.SplitN(tok.AccessToken, ".", 2)[0])
	if err := json.Unmarshal(hb, &header); err != nil || keys[header.Kid] == nil {
		b.Fatalf("token header %s: %v", hb, err)
	}
	k := keys[header.Kid]
	res := alternate([]candidate{
		{"miss", missLoop(v, tok.AccessToken)},
		{"go-jose", joseLoop(tok.AccessToken, k.alg, k.jwk.Key)},
	}, reportRounds, reportSlice)
	b.Logf("tesserad's token (%s, %d bytes), %d rounds:", header.Alg, len(tok.AccessToken), reportRounds)
	b.Logf("| Verify, miss vs go-jose, %s | %s | %s | %s | ≥ 0.90 |", header.Alg, fmtNs(spreadOf(res[0])),
		fmtNs(spreadOf(res[1])), fmtRatio(spreadOf(perRound(res[1], res[0], ratio))))
}

// reportPropagation: per round, a new session every Verifier has
// verified (cached), RevokeSession, then the time from its return until
// each Verifier, woken by WaitForSequence, rejects the token.
func reportPropagation(b *testing.B, ctx context.Context, client *Client, vs []*Verifier) {
	var lat []time.Duration
	var calls []float64
	for r := 0; r < propagationRounds; r++ {
		tok, err := client.IssueSession(ctx, &pb.IssueSessionRequest{Subject: fmt.Sprintf("bench-%d", r)})
		if err != nil {
			b.Fatal(err)
		}
		for _, v := range vs {
			mustVerify(v, tok.AccessToken)
		}
		var (
			release = make(chan struct{})
			t0      time.Time
			seq     uint64
			wg      sync.WaitGroup
			mu      sync.Mutex
			errs    []error
		)
		round := make([]time.Duration, len(vs))
		for i, v := range vs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-release
				err := v.WaitForSequence(ctx, seq)
				if err == nil {
					var bad *InvalidTokenError
					if _, err = v.Verify(tok.AccessToken); errors.As(err, &bad) && bad.Reason == rRevoked {
						round[i], err = time.Since(t0), nil
					} else {
						err = fmt.Errorf("verifier %d after WaitForSequence(%d): %v", i, seq, err)
					}
				}
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}()
		}
		start := time.Now()
		resp, err := client.RevokeSession(ctx, &pb.RevokeSessionRequest{
			Target: &pb.RevokeSessionRequest_SessionId{SessionId: tok.SessionId}})
		t0 = time.Now()
		if err != nil || resp.Sequence == 0 {
			close(release)
			wg.Wait()
			b.Fatalf("RevokeSession: %v %v", resp, err)
		}
		seq = resp.Sequence
		calls = append(calls, float64(t0.Sub(start).Nanoseconds()))
		close(release)
		wg.Wait()
		if len(errs) > 0 {
			b.Fatal(errors.Join(errs...))
		}
		lat = append(lat, round...)
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	ms := func(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
	call := spreadOf(calls)
	b.Logf("propagation, %d Verifiers (own connection each), %d rounds, %d samples:", len(vs), propagationRounds, len(lat))
	b.Logf("| Revocation to %d Verifiers | p50 %s, p99 %s, max %s | RevokeSession call %s | p99 / call %.1f | p99 ≤ 50 ms |",
		len(vs), ms(pct(0.50)), ms(pct(0.99)), ms(lat[len(lat)-1]),
		fmtNs(call), float64(pct(0.99).Nanoseconds())/call.med)
	b.ReportMetric(float64(pct(0.99).Microseconds())/1000, "p99-ms")
}
