package tessera

// Single benchmarks, for a profiler (-cpuprofile) or benchstat. The
// figures docs/performance.md records come from BenchmarkReport
// (bench_report_test.go), which alternates each figure with its baseline
// in one run:
//   go test -run '^$' -bench '^BenchmarkVerifyMiss$' -cpuprofile cpu.out

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

func BenchmarkVerifyCacheHit(b *testing.B) {
	now := time.Now()
	v := benchVerifier(b)
	tok := sign(b, goodHeader, goodClaims(now))
	if _, err := v.Verify(tok); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := v.Verify(tok); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkVerifyMiss(b *testing.B) {
	now := time.Now()
	v := benchVerifier(b)
	tok := sign(b, goodHeader, goodClaims(now))
	for i := 0; i < b.N; i++ {
		v.cache.clear()
		if _, err := v.Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGoJoseVerify(b *testing.B) {
	now := time.Now()
	tok := sign(b, goodHeader, goodClaims(now))
	keys, err := parseJWKS(testJWKS())
	if err != nil {
		b.Fatal(err)
	}
	key := keys[testKid].jwk.Key
	for i := 0; i < b.N; i++ {
		jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.EdDSA})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := jws.Verify(key); err != nil {
			b.Fatal(err)
		}
	}
}

func benchHandler(b *testing.B, h http.Handler) {
	now := time.Now()
	tok := sign(b, goodHeader, goodClaims(now))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(strconv.Itoa(rec.Code))
		}
	}
}

var okHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})

func BenchmarkBareHandler(b *testing.B) { benchHandler(b, okHandler) }

func BenchmarkMiddleware(b *testing.B) {
	v := benchVerifier(b)
	benchHandler(b, v.Middleware(okHandler))
}
