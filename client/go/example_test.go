package tessera_test

import (
	"context"
	"fmt"
	"log"
	"net/http"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/structpb"

	tessera "github.com/tessera-auth/tessera/client/go"
	"github.com/tessera-auth/tessera/client/go/tesserapb"
)

// A protected net/http server (compiled, not run: it needs a tesserad).
func ExampleVerifier_Middleware() {
	v, err := tessera.NewVerifier(tessera.VerifierOptions{
		Target: "127.0.0.1:50051", Issuer: "tessera", Audience: []string{"api"}})
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()
	http.Handle("/me", v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, _ := tessera.ClaimsFromContext(r.Context())
		fmt.Fprintf(w, "hello %s (role %v)\n", claims.Subject, claims.Custom["role"])
	})))
	log.Fatal(http.ListenAndServe(":8080", nil))
}

// A gRPC service whose every call needs an access token.
func ExampleUnaryServerInterceptor() {
	v, err := tessera.NewVerifier(tessera.VerifierOptions{
		Target: "127.0.0.1:50051", Issuer: "tessera", Audience: []string{"api"}})
	if err != nil {
		log.Fatal(err)
	}
	_ = grpc.NewServer(
		grpc.UnaryInterceptor(tessera.UnaryServerInterceptor(v, tessera.Requirements{})),
		grpc.StreamInterceptor(tessera.StreamServerInterceptor(v, tessera.Requirements{})),
	)
}

// Promote a user and make their older access tokens stale at once.
func ExampleClient_UpdateClaims() {
	ctx := context.Background()
	c, err := tessera.Dial("127.0.0.1:50051", tessera.ClientOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	patch, _ := structpb.NewStruct(map[string]any{"role": "editor"})
	resp, err := c.UpdateClaims(ctx, &tesserapb.UpdateClaimsRequest{Subject: "alice", Claims: patch,
		Mode: tesserapb.ClaimsMode_CLAIMS_MODE_MERGE_TOP_LEVEL, InvalidateAccessTokens: true})
	if err != nil {
		log.Fatal(tessera.Reason(err), err)
	}
	fmt.Println("applied everywhere once Verifiers reach", resp.Sequence)
}
