package tessera_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	tessera "github.com/tessera-auth/tessera/client/go"
	pb "github.com/tessera-auth/tessera/client/go/tesserapb"
	"github.com/tessera-auth/tessera/client/go/tesseratest"
)

// selfSigned writes a certificate for 127.0.0.1 and its key; returns their
// paths and a pool trusting it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tesserad"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// TestE2ETLSAndAPIKeys: tesserad with TLS and two callers; the Client and
// the Verifier authenticate with API keys over TLS, and the errors name
// the reason.
func TestE2ETLSAndAPIKeys(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	const issuerKey, verifierKey = "issuer-key-0123456789abcdef", "verifier-key-0123456789abcdef"
	config := filepath.Join(t.TempDir(), "tessera.conf")
	if err := os.WriteFile(config, []byte(`
callers { name: "web" api_key_sha256: "`+sha(issuerKey)+`" roles: ROLE_ISSUER }
callers { name: "api" api_key_sha256: "`+sha(verifierKey)+`" roles: ROLE_VERIFIER }
`), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := tesseratest.Start(t, tesseratest.Options{Flags: []string{"--config=" + config,
		"--tls_cert_file=" + certFile, "--tls_key_file=" + keyFile}})
	tlsConfig := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	dial := func(key string) *tessera.Client {
		c, err := tessera.Dial(srv.GRPCAddress, tessera.ClientOptions{TLS: tlsConfig, APIKey: key})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	issuer, verifierCaller, nobody := dial(issuerKey), dial(verifierKey), dial("wrong-key-0123456789abcdef")
	tok, err := issuer.IssueSession(ctx(t), &pb.IssueSessionRequest{Subject: "erin"})
	if err != nil {
		t.Fatalf("IssueSession with the issuer's key over TLS: %v", err)
	}
	if _, err := nobody.IssueSession(ctx(t), &pb.IssueSessionRequest{Subject: "erin"}); !errors.Is(err, tessera.ErrCallerUnknown) {
		t.Fatalf("wrong key: %v, want CALLER_UNKNOWN", err)
	}
	if _, err := verifierCaller.IssueSession(ctx(t), &pb.IssueSessionRequest{Subject: "erin"}); !errors.Is(err, tessera.ErrRoleMissing) {
		t.Fatalf("verifier issuing: %v, want ROLE_MISSING", err)
	}
	v, err := tessera.NewVerifier(tessera.VerifierOptions{Target: srv.GRPCAddress, TLS: tlsConfig,
		APIKey: verifierKey, Issuer: "tessera", Audience: []string{"api"}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if err := v.WaitUntilReady(ctx(t)); err != nil {
		t.Fatal(err)
	}
	claims, err := v.Verify(tok.AccessToken)
	if err != nil || claims.ClientID != "web" || claims.Subject != "erin" {
		t.Fatalf("Verify: %+v %v", claims, err)
	}
	// Plaintext to a TLS port fails; it is not silently downgraded.
	plain, err := tessera.Dial(srv.GRPCAddress, tessera.ClientOptions{APIKey: issuerKey})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if _, err := plain.IssueSession(ctx(t), &pb.IssueSessionRequest{Subject: "erin"}); err == nil {
		t.Fatal("plaintext call to a TLS port succeeded")
	}
}

// issueCert makes a certificate signed by parent (self-signed if parent is
// nil) and returns it with its key.
func issueCert(t *testing.T, tmpl *x509.Certificate, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func writePEM(t *testing.T, dir, name string, cert *x509.Certificate, key *ecdsa.PrivateKey) (certFile, keyFile string) {
	t.Helper()
	certFile = filepath.Join(dir, name+".crt")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	if key != nil {
		pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
		keyFile = filepath.Join(dir, name+".key")
		if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return certFile, keyFile
}

// TestE2EMutualTLS: a caller identified by its client certificate's SAN.
func TestE2EMutualTLS(t *testing.T) {
	dir := t.TempDir()
	ca, caKey := issueCert(t, &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, nil, nil)
	server, serverKey := issueCert(t, &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "tesserad"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, ca, caKey)
	client, clientKey := issueCert(t, &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "web"},
		DNSNames: []string{"web.internal"}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, ca, caKey)
	caFile, _ := writePEM(t, dir, "ca", ca, nil)
	serverCert, serverKeyFile := writePEM(t, dir, "server", server, serverKey)
	config := filepath.Join(dir, "tessera.conf")
	if err := os.WriteFile(config, []byte(`callers { name: "web" client_cert_san: "dns:web.internal" roles: ROLE_ISSUER roles: ROLE_VERIFIER }`), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := tesseratest.Start(t, tesseratest.Options{Flags: []string{"--config=" + config,
		"--tls_cert_file=" + serverCert, "--tls_key_file=" + serverKeyFile, "--client_ca_file=" + caFile}})
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	c, err := tessera.Dial(srv.GRPCAddress, tessera.ClientOptions{TLS: &tls.Config{RootCAs: pool,
		Certificates: []tls.Certificate{{Certificate: [][]byte{client.Raw}, PrivateKey: clientKey}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tok, err := c.IssueSession(ctx(t), &pb.IssueSessionRequest{Subject: "grace"})
	if err != nil {
		t.Fatalf("IssueSession over mutual TLS: %v", err)
	}
	v, err := tessera.NewVerifier(tessera.VerifierOptions{Conn: c.Conn(), Issuer: "tessera", Audience: []string{"api"}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if err := v.WaitUntilReady(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if claims, err := v.Verify(tok.AccessToken); err != nil || claims.ClientID != "web" {
		t.Fatalf("Verify: %+v %v", claims, err)
	}
	noCert, err := tessera.Dial(srv.GRPCAddress, tessera.ClientOptions{TLS: &tls.Config{RootCAs: pool}})
	if err != nil {
		t.Fatal(err)
	}
	defer noCert.Close()
	if _, err := noCert.IssueSession(ctx(t), &pb.IssueSessionRequest{Subject: "grace"}); err == nil {
		t.Fatal("a client without a certificate was served")
	}
}
