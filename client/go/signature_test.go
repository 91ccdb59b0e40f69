package tessera

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// signatureKeys is a key set of one key of each type, as parseJWKS
// installs it, with the private halves to sign with.
type signatureKeys struct {
	set *keySet
	ec  *ecdsa.PrivateKey
	rsa *rsa.PrivateKey
}

func newSignatureKeys(t *testing.T) signatureKeys {
	t.Helper()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Keys []jose.JSONWebKey `json:"keys"`
	}
	doc.Keys = []jose.JSONWebKey{
		{Key: testKey.Public(), KeyID: "ed", Algorithm: "EdDSA", Use: "sig"},
		{Key: &ec.PublicKey, KeyID: "ec", Algorithm: "ES256", Use: "sig"},
		{Key: &rk.PublicKey, KeyID: "rsa", Algorithm: "RS256", Use: "sig"},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := parseJWKS(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return signatureKeys{set: &keySet{version: 1, byKid: keys}, ec: ec, rsa: rk}
}

// signingInput is the header and claims part of a token for kid and alg.
func signingInput(t *testing.T, alg, kid string) string {
	t.Helper()
	h, _ := json.Marshal(map[string]any{"alg": alg, "kid": kid, "typ": "at+jwt"})
	c, _ := json.Marshal(map[string]any{"iss": "tessera", "sub": "alice", "iat": 1, "exp": 2})
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
}

func withSignature(input string, sig []byte) string {
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// fixed32 is n big-endian in exactly 32 bytes.
func fixed32(n *big.Int) []byte { return n.FillBytes(make([]byte, 32)) }

// TestSignatureCheck: decodeAndVerify checks each algorithm's signature
// with the standard library on the key go-jose parsed, accepts exactly the
// encoding JWS prescribes (EdDSA 64 bytes, ES256 r||s of 32+32, RS256 the
// modulus' length) and refuses every other encoding of a valid signature.
func TestSignatureCheck(t *testing.T) {
	k := newSignatureKeys(t)
	n := elliptic.P256().Params().N

	edIn := signingInput(t, "EdDSA", "ed")
	edSig := ed25519.Sign(testKey, []byte(edIn))
	ed2In := signingInput(t, "Ed25519", "ed")

	ecIn := signingInput(t, "ES256", "ec")
	digest := sha256.Sum256([]byte(ecIn))
	r, s, err := ecdsa.Sign(rand.Reader, k.ec, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	ecSig := append(fixed32(r), fixed32(s)...)
	der, err := ecdsa.SignASN1(rand.Reader, k.ec, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	// r and s must lie in [1, N-1]; N itself fits in 32 bytes.
	rIsN := append(fixed32(n), fixed32(s)...)
	sIsN := append(fixed32(r), fixed32(n)...)

	rsIn := signingInput(t, "RS256", "rsa")
	rsDigest := sha256.Sum256([]byte(rsIn))
	rsSig, err := rsa.SignPKCS1v15(rand.Reader, k.rsa, crypto.SHA256, rsDigest[:])
	if err != nil {
		t.Fatal(err)
	}

	for name, c := range map[string]struct {
		token, want string
	}{
		"EdDSA":                 {withSignature(edIn, edSig), "VALID"},
		"Ed25519 (RFC 9864)":    {withSignature(ed2In, ed25519.Sign(testKey, []byte(ed2In))), "VALID"},
		"EdDSA, other input":    {withSignature(ed2In, edSig), "BAD_SIGNATURE"},
		"EdDSA, 65 bytes":       {withSignature(edIn, append(edSig, 0)), "BAD_SIGNATURE"},
		"EdDSA, 63 bytes":       {withSignature(edIn, edSig[:63]), "BAD_SIGNATURE"},
		"ES256":                 {withSignature(ecIn, ecSig), "VALID"},
		"ES256, DER":            {withSignature(ecIn, der), "BAD_SIGNATURE"},
		"ES256, r padded to 33": {withSignature(ecIn, append(append([]byte{0}, fixed32(r)...), fixed32(s)...)), "BAD_SIGNATURE"},
		"ES256, 63 bytes":       {withSignature(ecIn, ecSig[1:]), "BAD_SIGNATURE"},
		"ES256, r and s swapped": {withSignature(ecIn, append(fixed32(s), fixed32(r)...)),
			"BAD_SIGNATURE"},
		"ES256, r = 0":         {withSignature(ecIn, append(make([]byte, 32), fixed32(s)...)), "BAD_SIGNATURE"},
		"ES256, r = N":         {withSignature(ecIn, rIsN), "BAD_SIGNATURE"},
		"ES256, s = N":         {withSignature(ecIn, sIsN), "BAD_SIGNATURE"},
		"ES256, all zero":      {withSignature(ecIn, make([]byte, 64)), "BAD_SIGNATURE"},
		"RS256":                {withSignature(rsIn, rsSig), "VALID"},
		"RS256, leading zero":  {withSignature(rsIn, append([]byte{0}, rsSig...)), "BAD_SIGNATURE"},
		"RS256, one byte less": {withSignature(rsIn, rsSig[1:]), "BAD_SIGNATURE"},
		"RS256, bit flipped": {withSignature(rsIn, append(append([]byte{}, rsSig[:10]...),
			append([]byte{rsSig[10] ^ 1}, rsSig[11:]...)...)), "BAD_SIGNATURE"},
		"RS256, modulus": {withSignature(rsIn, k.rsa.N.FillBytes(make([]byte, k.rsa.Size()))), "BAD_SIGNATURE"},
		// The key's own algorithm only: an ES256 signature under an RS256
		// header naming the EC key never reaches a signature check.
		"RS256 header, EC key": {withSignature(signingInput(t, "RS256", "ec"), ecSig), "UNSUPPORTED_ALGORITHM"},
		"EdDSA header, RSA key": {withSignature(signingInput(t, "EdDSA", "rsa"), edSig),
			"UNSUPPORTED_ALGORITHM"},
	} {
		_, bad := decodeAndVerify(c.token, k.set)
		got := "VALID"
		if bad != nil {
			got = bad.ReasonName()
		}
		if got != c.want {
			t.Errorf("%s: %s (%v), want %s", name, got, bad, c.want)
		}
	}
}
