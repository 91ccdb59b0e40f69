package tessera

import (
	"context"
	"errors"
	"net/http"
	"strings"
)

// TokenVerifier is what the middleware asks; *Verifier is one. Verify
// returns the claims, an *InvalidTokenError (401 with its reason), or any
// other error (the service fails closed: 503).
type TokenVerifier interface {
	Verify(token string) (*Claims, error)
}

// Realm is the realm of every Bearer challenge.
const Realm = "tessera"

// Answer is a refusal, as the HTTP answer contract (docs/http-contract.md)
// spells it: status, headers in order, and body.
type Answer struct {
	Status  int
	Headers [][2]string
	Body    string
}

// Write sends the answer (net/http canonicalises the header names, e.g.
// "Www-Authenticate"; names are case-insensitive).
func (a *Answer) Write(w http.ResponseWriter) {
	h := w.Header()
	for _, kv := range a.Headers {
		h.Set(kv[0], kv[1])
	}
	w.WriteHeader(a.Status)
	_, _ = w.Write([]byte(a.Body))
}

func answer(status int, first [2]string, reason *[2]string, errCode, reasonName string) *Answer {
	headers := [][2]string{first}
	if reason != nil {
		headers = append(headers, *reason)
	}
	headers = append(headers, [2]string{"Cache-Control", "no-store"},
		[2]string{"Content-Type", "application/json"})
	return &Answer{Status: status, Headers: headers,
		Body: `{"error":"` + errCode + `","reason":"` + reasonName + `"}`}
}

var (
	answerMissing = answer(http.StatusUnauthorized,
		[2]string{"WWW-Authenticate", `Bearer realm="` + Realm + `"`}, nil, "unauthorized", "TOKEN_MISSING")
	answerMalformed = answer(http.StatusBadRequest,
		[2]string{"WWW-Authenticate", `Bearer realm="` + Realm + `", error="invalid_request"`}, nil,
		"invalid_request", "AUTHORIZATION_MALFORMED")
	answerUnavailable = answer(http.StatusServiceUnavailable,
		[2]string{"Retry-After", "2"}, nil, "temporarily_unavailable", "VERIFIER_UNAVAILABLE")
)

// refusedAnswer is the 401 for a token refused with reason (a fixed
// vocabulary: nothing the client sent is echoed).
func refusedAnswer(reason string) *Answer {
	return answer(http.StatusUnauthorized,
		[2]string{"WWW-Authenticate", `Bearer realm="` + Realm + `", error="invalid_token"`},
		&[2]string{"Tessera-Reason", reason}, "invalid_token", reason)
}

// insufficientAnswer is the 403 for a valid token that lacks what a route
// requires (RFC 6750 §3.1 insufficient_scope); an extension of the
// contract for Require.
var insufficientAnswer = answer(http.StatusForbidden,
	[2]string{"WWW-Authenticate", `Bearer realm="` + Realm + `", error="insufficient_scope"`}, nil,
	"insufficient_scope", "CLAIM_REQUIRED")

type authError int

const (
	authOK authError = iota
	authMissing
	authMalformed
)

func isB64TokenChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
}

// ParseAuthorization reads the bearer token from a request's Authorization
// field values (RFC 6750 §2.1; see docs/http-contract.md): no field, an
// empty one or another scheme is authMissing; several fields, or anything
// but 1*SP then one b64token after "Bearer", authMalformed.
func parseAuthorization(fields []string) (string, authError) {
	if len(fields) == 0 {
		return "", authMissing
	}
	if len(fields) > 1 {
		return "", authMalformed
	}
	v := strings.Trim(fields[0], " \t")
	if v == "" {
		return "", authMissing
	}
	end := strings.IndexAny(v, " \t")
	scheme := v
	if end >= 0 {
		scheme = v[:end]
	}
	if !strings.EqualFold(scheme, "Bearer") {
		return "", authMissing
	}
	rest := v[len(scheme):]
	token := strings.TrimLeft(rest, " ")
	if len(token) == len(rest) || token == "" { // no space, or nothing after
		return "", authMalformed
	}
	i := 0
	for i < len(token) && isB64TokenChar(token[i]) {
		i++
	}
	if i == 0 {
		return "", authMalformed
	}
	for j := i; j < len(token); j++ {
		if token[j] != '=' {
			return "", authMalformed
		}
	}
	return token, authOK
}

// Authenticate judges a request by its Authorization field values: the
// claims, or the answer to send. The function the Middleware is built on.
func Authenticate(fields []string, v TokenVerifier) (*Claims, *Answer) {
	token, perr := parseAuthorization(fields)
	switch perr {
	case authMissing:
		return nil, answerMissing
	case authMalformed:
		return nil, answerMalformed
	}
	claims, err := v.Verify(token)
	if err == nil {
		return claims, nil
	}
	var bad *InvalidTokenError
	if errors.As(err, &bad) {
		return nil, refusedAnswer(bad.ReasonName())
	}
	return nil, answerUnavailable // fail closed
}

type claimsKey struct{}

// ContextWithClaims returns ctx carrying claims (what the middleware and
// interceptors do; useful in tests of handlers).
func ContextWithClaims(ctx context.Context, c *Claims) context.Context {
	return context.WithValue(ctx, claimsKey{}, c)
}

// ClaimsFromContext returns the verified claims the middleware or an
// interceptor put in the request's context.
func ClaimsFromContext(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(*Claims)
	return c, ok && c != nil
}

// Requirements narrow what a route accepts, beyond the Verifier's own
// policy.
type Requirements struct {
	// Audience: the token's aud must hold one of these (401
	// WRONG_AUDIENCE otherwise).
	Audience []string
	// Require, if set, must return true for the claims (e.g. a role in
	// Custom); false is answered 403 insufficient_scope, CLAIM_REQUIRED.
	Require func(*Claims) bool
}

func (r *Requirements) check(c *Claims) *Answer {
	if len(r.Audience) > 0 && !holdsAny(c.Audience, r.Audience) {
		return refusedAnswer("WRONG_AUDIENCE")
	}
	if r.Require != nil && !r.Require(c) {
		return insufficientAnswer
	}
	return nil
}

func holdsAny(have, want []string) bool {
	for _, w := range want {
		for _, h := range have {
			if h == w {
				return true
			}
		}
	}
	return false
}

// Protect wraps next: every request must carry a bearer token v accepts
// and that meets req; otherwise it is answered per the HTTP answer
// contract and next is not called. next finds the claims with
// ClaimsFromContext.
func Protect(v TokenVerifier, req Requirements, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, ans := Authenticate(r.Header.Values("Authorization"), v)
		if ans == nil {
			ans = req.check(claims)
		}
		if ans != nil {
			ans.Write(w)
			return
		}
		next.ServeHTTP(w, r.WithContext(ContextWithClaims(r.Context(), claims)))
	})
}

// Middleware protects next with the Verifier's own policy (see Protect for
// per-route requirements).
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return Protect(v, Requirements{}, next)
}
