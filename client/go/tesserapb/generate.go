// Package tesserapb holds the Go stubs generated from Tessera's public API
// (proto/tessera/v1: TokenAuthority, Admin and the signing-key messages).
// Never edit the .pb.go files: `go generate ./...` in client/go rewrites
// them with the pinned plugins (tools/generate.sh), and client/go/test.sh
// fails when the checked-in files differ from what it produces.
package tesserapb

//go:generate ../tools/generate.sh
