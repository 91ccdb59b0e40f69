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
// verify (the allow-list is per key, never per token). go-jose parsed the
// JWK; exactly one of ed, ec, rsa is set (the key of type alg), and a
// signature is checked on it with the standard library (see verify).
type publicKey struct {
	jwk jose.JSONWebKey
	alg jose.SignatureAlgorithm
	ed  ed25519.PublicKey
	ec  *ecdsa.PublicKey
	rsa *rsa.PublicKey
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
		key := &publicKey{jwk: k}
		switch pub := k.Key.(type) {
		case ed25519.PublicKey:
			if len(pub) != ed25519.PublicKeySize {
				return nil, errors.New("JWKS: Ed25519 key not 32 bytes")
			}
			key.alg, key.ed = jose.EdDSA, pub
		case *ecdsa.PublicKey:
			if pub.Curve != elliptic.P256() {
				return nil, errors.New("JWKS: EC key not on P-256")
			}
			key.alg, key.ec = jose.ES256, pub
		case *rsa.PublicKey:
			if pub.N.BitLen() < 2048 {
				return nil, errors.New("JWKS: RSA key shorter than 2048 bits")
			}
			key.alg, key.rsa = jose.RS256, pub
		default:
			return nil, errors.New("JWKS: unsupported key type")
		}
		if k.Algorithm != "" && algorithmOf(k.Algorithm) != key.alg {
			return nil, errors.New("JWKS: alg does not fit the key")
		}
		out[k.KeyID] = key
	}
	return out, nil
}
