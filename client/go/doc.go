// Package tessera is the Go client library of Tessera, a token authority:
// a Client for every TokenAuthority and Admin RPC, a Verifier that checks
// access tokens locally while following tesserad's revocation stream,
// net/http Middleware and gRPC server interceptors built on it.
//
// Module path: github.com/tessera-auth/tessera/client/go (package tessera);
// generated stubs in .../tesserapb, a test helper in .../tesseratest.
// See docs/sdk/go.md in the repository.
package tessera
