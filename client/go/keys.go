package tessera

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// publicKey is one verification key, bound to the one algorithm it may
// verify (the allow-list is per key, never per token).
type publicKey struct {
	jwk jose.JSONWebKey
	alg jose.SignatureAlgorithm
}

// keySet is an immutable JWK Set; version increases with every set the
// Verifier installs (cache entries carry the version they were checked
// against).
type keySet struct {
	version uint64
	byKid   map[string]*publicKey
}

func (s *keySet) find(kid string) *publicKey {
	if s == nil {
		return nil
	}
	return s.byKid[kid]
}

// parseJWKS reads a {"keys":[...]} document with go-jose. It refuses the
// whole document if any key is private, has no kid, repeats a kid, is of
// a type or curve Tessera does not sign with, or names an alg other than
// its type's.
func parseJWKS(doc string) (map[string]*publicKey, error) {
	if _, err := parseStrictJSON([]byte(doc), 8); err != nil {
		return nil, fmt.Errorf("JWKS: %v", err)
	}
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return nil, fmt.Errorf("JWKS: %v", err)
	}
	out := make(map[string]*publicKey, len(raw.Keys))
	for _, r := range raw.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(r); err != nil {
			return nil, fmt.Errorf("JWKS: %v", err)
		}
		if !k.IsPublic() {
			return nil, errors.New("JWKS: holds private key material")
		}
		if k.KeyID == "" {
			return nil, errors.New("JWKS: a key has no kid")
		}
		if _, dup := out[k.KeyID]; dup {
			return nil, errors.New("JWKS: kid repeated")
		}
		var implied jose.SignatureAlgorithm
		switch pub := k.Key.(type) {
		case ed25519.PublicKey:
			implied = jose.EdDSA
		case *ecdsa.PublicKey:
			if pub.Curve != elliptic.P256() {
				return nil, errors.New("JWKS: EC key not on P-256")
			}
			implied = jose.ES256
		case *rsa.PublicKey:
			if pub.N.BitLen() < 2048 {
				return nil, errors.New("JWKS: RSA key shorter than 2048 bits")
			}
			implied = jose.RS256
		default:
			return nil, errors.New("JWKS: unsupported key type")
		}
		if k.Algorithm != "" && algorithmOf(k.Algorithm) != implied {
			return nil, errors.New("JWKS: alg does not fit the key")
		}
		out[k.KeyID] = &publicKey{jwk: k, alg: implied}
	}
	return out, nil
}
