// Command api is the Go API of the SvelteKit + Go example: a profile
// resource and a "your devices" list, protected by Tessera's net/http
// middleware, described by the OpenAPI document it serves at
// /openapi.json. Configuration comes from the environment (see Config).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	tessera "github.com/tessera-auth/tessera/client/go"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := ConfigFromEnv(os.Getenv)
	if err == nil {
		err = run(ctx, cfg, log, nil)
	}
	if err != nil {
		log.Error("api stopped", "error", err.Error())
		os.Exit(1)
	}
}

// run serves the API until ctx ends. If listening is non-nil it gets the
// bound address once the listener is open (tests use API_ADDRESS port 0).
func run(ctx context.Context, cfg Config, log *slog.Logger, listening func(string)) error {
	client, err := tessera.Dial(cfg.TesseraAddress, tessera.ClientOptions{APIKey: cfg.APIKey})
	if err != nil {
		return err
	}
	defer client.Close()
	verifier, err := tessera.NewVerifier(tessera.VerifierOptions{Conn: client.Conn(),
		Issuer: cfg.Issuer, Audience: cfg.Audience, MaxStaleness: cfg.MaxStaleness})
	if err != nil {
		return err
	}
	defer verifier.Close()

	ln, err := net.Listen("tcp", cfg.ListenAddress)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.ListenAddress, err)
	}
	srv := &http.Server{
		Handler:           NewServer(NewUsers(), client, verifier, log),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
	}
	log.Info("api serving", "address", ln.Addr().String(), "tessera_address", cfg.TesseraAddress)
	if listening != nil {
		listening(ln.Addr().String())
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
