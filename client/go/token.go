package tessera

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	pb "github.com/tessera-auth/tessera/client/go/tesserapb"
)

// MaxTokenBytes is the longest access token tesserad issues or accepts.
const MaxTokenBytes = 8192

const (
	maxHeaderBytes  = 1024
	maxHeaderDepth  = 4  // nested containers in the JOSE header
	maxPayloadDepth = 16 // nested containers in the claim set
	// NumericDates beyond year 9999 are nonsense.
	maxNumericDate = 253402300799
)

// Claims are what a valid access token says.
type Claims struct {
	Issuer    string
	Subject   string
	SessionID string
	TokenID   string // jti
	ClientID  string // the caller that issued the session
	Audience  []string
	IssuedAt  time.Time
	ExpiresAt time.Time
	NotBefore time.Time // zero if absent
	// SubjectGeneration is the `sgen` claim (0 if absent).
	SubjectGeneration uint64
	// KeyID and Algorithm name the key that verified the token ("EdDSA"
	// also for a header saying "Ed25519").
	KeyID     string
	Algorithm string
	// Custom holds every other claim, decoded as by encoding/json with
	// UseNumber (numbers are json.Number). Shared: do not modify.
	Custom map[string]any
}

// ErrInvalidToken matches (errors.Is) every *InvalidTokenError.
var ErrInvalidToken = errors.New("tessera: invalid access token")

// InvalidTokenError is a token the Verifier refuses. Reason is the
// ValidateToken reason tesserad would give (MALFORMED, BAD_SIGNATURE,
// UNKNOWN_KEY, UNSUPPORTED_ALGORITHM, EXPIRED, NOT_YET_VALID,
// WRONG_AUDIENCE, WRONG_ISSUER, WRONG_TYPE, SESSION_REVOKED, STALE_CLAIMS).
type InvalidTokenError struct {
	Reason pb.TokenInvalidReason
	Detail string
}

func (e *InvalidTokenError) Error() string {
	return fmt.Sprintf("tessera: invalid access token (%s): %s", e.ReasonName(), e.Detail)
}

// Is makes errors.Is(err, ErrInvalidToken) true.
func (e *InvalidTokenError) Is(target error) bool { return target == ErrInvalidToken }

// ReasonName is the reason without its TOKEN_INVALID_REASON_ prefix, e.g.
// "SESSION_REVOKED": the Tessera-Reason of the HTTP answer contract.
func (e *InvalidTokenError) ReasonName() string {
	return strings.TrimPrefix(e.Reason.String(), "TOKEN_INVALID_REASON_")
}

func invalid(reason pb.TokenInvalidReason, detail string) *InvalidTokenError {
	return &InvalidTokenError{Reason: reason, Detail: detail}
}

const (
	rMalformed   = pb.TokenInvalidReason_TOKEN_INVALID_REASON_MALFORMED
	rBadSig      = pb.TokenInvalidReason_TOKEN_INVALID_REASON_BAD_SIGNATURE
	rUnknownKey  = pb.TokenInvalidReason_TOKEN_INVALID_REASON_UNKNOWN_KEY
	rUnsupported = pb.TokenInvalidReason_TOKEN_INVALID_REASON_UNSUPPORTED_ALGORITHM
	rExpired     = pb.TokenInvalidReason_TOKEN_INVALID_REASON_EXPIRED
	rNotYet      = pb.TokenInvalidReason_TOKEN_INVALID_REASON_NOT_YET_VALID
	rAudience    = pb.TokenInvalidReason_TOKEN_INVALID_REASON_WRONG_AUDIENCE
	rIssuer      = pb.TokenInvalidReason_TOKEN_INVALID_REASON_WRONG_ISSUER
	rType        = pb.TokenInvalidReason_TOKEN_INVALID_REASON_WRONG_TYPE
	rRevoked     = pb.TokenInvalidReason_TOKEN_INVALID_REASON_SESSION_REVOKED
	rStale       = pb.TokenInvalidReason_TOKEN_INVALID_REASON_STALE_CLAIMS
)

var b64 = base64.RawURLEncoding.Strict()

// decodeSegment decodes canonical unpadded base64url: only A-Z a-z 0-9 - _
// (Go's decoder would skip CR and LF), unused low bits zero (Strict).
func decodeSegment(s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return nil, errors.New("not base64url")
		}
	}
	return b64.DecodeString(s)
}

// algorithmOf maps a JWS alg name to the algorithm Tessera signs with; ""
// if not on the allow-list. "Ed25519" (RFC 9864's fully specified name) is
// the same algorithm as "EdDSA" with an Ed25519 key.
func algorithmOf(name string) jose.SignatureAlgorithm {
	switch name {
	case "ES256":
		return jose.ES256
	case "RS256":
		return jose.RS256
	case "EdDSA", "Ed25519":
		return jose.EdDSA
	}
	return ""
}

// decodeAndVerify checks a token's form and signature against keys, in
// the order tesserad's token codec does (so both give the same reason),
// and returns its claims. Time, issuer and audience are checked by
// checkClaims.
func decodeAndVerify(token string, keys *keySet) (*Claims, *InvalidTokenError) {
	if len(token) > MaxTokenBytes {
		return nil, invalid(rMalformed, "token longer than 8192 bytes")
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, invalid(rMalformed, "token is not three segments")
	}
	headerBytes, err := decodeSegment(parts[0])
	if err != nil {
		return nil, invalid(rMalformed, "header is not base64url")
	}
	if len(headerBytes) > maxHeaderBytes {
		return nil, invalid(rMalformed, "header longer than 1024 bytes")
	}
	header, err := parseStrictJSON(headerBytes, maxHeaderDepth)
	if err != nil {
		return nil, invalid(rMalformed, "header: "+err.Error())
	}
	algName, ok := header["alg"].(string)
	if !ok {
		return nil, invalid(rUnsupported, "header has no alg")
	}
	alg := algorithmOf(algName)
	if alg == "" {
		return nil, invalid(rUnsupported, "alg is not on the allow-list")
	}
	if typ, ok := header["typ"].(string); !ok || !isAccessTokenType(typ) {
		return nil, invalid(rType, "typ is not at+jwt")
	}
	if _, ok := header["crit"]; ok {
		return nil, invalid(rMalformed, "crit names an extension this verifier does not understand")
	}
	kid, ok := header["kid"].(string)
	if !ok || kid == "" {
		return nil, invalid(rUnknownKey, "header has no kid")
	}
	key := keys.find(kid)
	if key == nil {
		return nil, invalid(rUnknownKey, "kid is not in the key set")
	}
	if key.alg != alg {
		return nil, invalid(rUnsupported, "alg differs from the algorithm of the key")
	}
	payload, err := decodeSegment(parts[1])
	if err != nil {
		return nil, invalid(rMalformed, "payload is not base64url")
	}
	sig, err := decodeSegment(parts[2])
	if err != nil {
		return nil, invalid(rMalformed, "signature is not base64url")
	}
	if !key.verify(token, len(parts[0])+1+len(parts[1]), sig) {
		return nil, invalid(rBadSig, "signature does not verify")
	}
	body, err := parseStrictJSON(payload, maxPayloadDepth)
	if err != nil {
		return nil, invalid(rMalformed, "claims: "+err.Error())
	}
	c, bad := readClaims(body)
	if bad == nil {
		c.KeyID, c.Algorithm = kid, string(key.alg)
	}
	return c, bad
}

// verify checks sig over the signing input (token[:inputLen], header and
// payload as sent) with the standard library, on the key go-jose parsed
// from the JWK: only the algorithm bound to the key (decodeAndVerify has
// already refused any other alg), and only signatures of the exact length
// that algorithm makes.
//   - EdDSA (also named "Ed25519"): crypto/ed25519, 64 bytes.
//   - ES256: r||s, 32 bytes each big-endian (RFC 7518 §3.4), neither zero
//     nor >= the group order (ecdsa.Verify), over SHA-256 of the input.
//   - RS256: RSASSA-PKCS1-v1_5 with SHA-256, exactly the modulus' length.
func (k *publicKey) verify(token string, inputLen int, sig []byte) bool {
	input := token[:inputLen]
	switch k.alg {
	case jose.EdDSA:
		return len(sig) == ed25519.SignatureSize && ed25519.Verify(k.ed, []byte(input), sig)
	case jose.ES256:
		if len(sig) != 64 {
			return false
		}
		digest := sha256.Sum256([]byte(input))
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		return ecdsa.Verify(k.ec, digest[:], r, s)
	case jose.RS256:
		if len(sig) != k.rsa.Size() {
			return false
		}
		digest := sha256.Sum256([]byte(input))
		return rsa.VerifyPKCS1v15(k.rsa, crypto.SHA256, digest[:], sig) == nil
	}
	return false
}

// Media types are case-insensitive; "application/" may be omitted.
func isAccessTokenType(typ string) bool {
	return strings.EqualFold(typ, "at+jwt") || strings.EqualFold(typ, "application/at+jwt")
}

func numericDate(v any) (time.Time, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil || f < 0 || f > maxNumericDate || math.IsNaN(f) {
		return time.Time{}, false
	}
	if i, err := n.Int64(); err == nil {
		return time.Unix(i, 0).UTC(), true
	}
	return time.Unix(int64(math.Floor(f)), 0).UTC(), true
}

func readClaims(body map[string]any) (*Claims, *InvalidTokenError) {
	c := &Claims{Custom: map[string]any{}}
	var hasExp, hasIat bool
	str := func(name string, v any, dst *string) *InvalidTokenError {
		s, ok := v.(string)
		if !ok {
			return invalid(rMalformed, fmt.Sprintf("claim %q is not a string", name))
		}
		*dst = s
		return nil
	}
	date := func(name string, v any, dst *time.Time) *InvalidTokenError {
		t, ok := numericDate(v)
		if !ok {
			return invalid(rMalformed, fmt.Sprintf("claim %q is not a NumericDate", name))
		}
		*dst = t
		return nil
	}
	for name, v := range body {
		var e *InvalidTokenError
		switch name {
		case "sgen":
			n, ok := v.(json.Number)
			g, err := n.Int64()
			if !ok || err != nil || g < 0 {
				return nil, invalid(rMalformed, `claim "sgen" is not a non-negative integer`)
			}
			c.SubjectGeneration = uint64(g)
		case "iss":
			e = str(name, v, &c.Issuer)
		case "sub":
			e = str(name, v, &c.Subject)
		case "jti":
			e = str(name, v, &c.TokenID)
		case "sid":
			e = str(name, v, &c.SessionID)
		case "client_id":
			e = str(name, v, &c.ClientID)
		case "exp":
			e, hasExp = date(name, v, &c.ExpiresAt), true
		case "iat":
			e, hasIat = date(name, v, &c.IssuedAt), true
		case "nbf":
			e = date(name, v, &c.NotBefore)
		case "aud":
			switch a := v.(type) {
			case string:
				c.Audience = []string{a}
			case []any:
				for _, x := range a {
					s, ok := x.(string)
					if !ok {
						return nil, invalid(rMalformed, `claim "aud" holds a non-string`)
					}
					c.Audience = append(c.Audience, s)
				}
			default:
				return nil, invalid(rMalformed, `claim "aud" is neither a string nor an array`)
			}
		default:
			c.Custom[name] = v
		}
		if e != nil {
			return nil, e
		}
	}
	switch {
	case !hasExp:
		return nil, invalid(rMalformed, `claim "exp" missing`)
	case !hasIat:
		return nil, invalid(rMalformed, `claim "iat" missing`)
	case c.Subject == "":
		return nil, invalid(rMalformed, `claim "sub" missing or empty`)
	}
	return c, nil
}

// policy is what a Verifier requires of every token's claims.
type policy struct {
	issuer   string
	audience []string // empty: any
	leeway   time.Duration
}

func (p *policy) check(c *Claims, now time.Time) *InvalidTokenError {
	if !now.Before(c.ExpiresAt.Add(p.leeway)) {
		return invalid(rExpired, "token has expired")
	}
	if !c.NotBefore.IsZero() && now.Before(c.NotBefore.Add(-p.leeway)) {
		return invalid(rNotYet, "nbf is in the future")
	}
	if c.IssuedAt.After(now.Add(p.leeway)) {
		return invalid(rNotYet, "iat is in the future")
	}
	if c.Issuer != p.issuer {
		return invalid(rIssuer, "iss is not the expected issuer")
	}
	if len(p.audience) == 0 {
		return nil
	}
	for _, want := range p.audience {
		for _, aud := range c.Audience {
			if aud == want {
				return nil
			}
		}
	}
	return invalid(rAudience, "no expected audience in aud")
}

// QuoteUntrusted quotes s for an error message or log: at most 64 bytes,
// control and non-ASCII characters escaped.
func QuoteUntrusted(s string) string {
	const max = 64
	suffix := ""
	if len(s) > max {
		s, suffix = s[:max], "..."
	}
	return fmt.Sprintf("%+q%s", s, suffix)
}

// hasLoneSurrogate reports a \uD800-\uDFFF escape in a JSON string that is
// not a high surrogate followed at once by a low one (encoding/json would
// silently turn it into U+FFFD). Only string boundaries are tracked; the
// decoder checks the rest of the grammar.
func hasLoneSurrogate(b []byte) bool {
	hex4 := func(i int) (rune, bool) {
		if i+4 > len(b) {
			return 0, false
		}
		var r rune
		for _, c := range b[i : i+4] {
			switch {
			case c >= '0' && c <= '9':
				r = r<<4 | rune(c-'0')
			case c >= 'a' && c <= 'f':
				r = r<<4 | rune(c-'a'+10)
			case c >= 'A' && c <= 'F':
				r = r<<4 | rune(c-'A'+10)
			default:
				return 0, false
			}
		}
		return r, true
	}
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !inString {
			inString = c == '"'
			continue
		}
		switch c {
		case '"':
			inString = false
		case '\\':
			if i+1 < len(b) && b[i+1] == 'u' {
				r, ok := hex4(i + 2)
				if ok && r >= 0xD800 && r <= 0xDFFF {
					if r >= 0xDC00 {
						return true // a low surrogate first
					}
					if i+7 >= len(b) || b[i+6] != '\\' || b[i+7] != 'u' {
						return true
					}
					lo, ok := hex4(i + 8)
					if !ok || lo < 0xDC00 || lo > 0xDFFF {
						return true
					}
					i += 6 // the low half is consumed below
				}
				i += 5
			} else {
				i++
			}
		}
	}
	return false
}
