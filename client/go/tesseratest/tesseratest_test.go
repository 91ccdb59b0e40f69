package tesseratest

import (
	"strings"
	"testing"
)

func TestBinaryFromEnvironment(t *testing.T) {
	t.Setenv("TESSERA_TESSERAD", "/nonexistent/tesserad")
	if _, err := Binary(); err == nil || !strings.Contains(err.Error(), "TESSERA_TESSERAD=/nonexistent/tesserad") {
		t.Fatalf("missing binary: %v", err)
	}
}

func TestStartStopRestart(t *testing.T) {
	s := Start(t, Options{})
	if !strings.HasPrefix(s.GRPCAddress, "127.0.0.1:") || !strings.HasPrefix(s.HTTPAddress, "127.0.0.1:") {
		t.Fatalf("addresses %q %q", s.GRPCAddress, s.HTTPAddress)
	}
	grpc := s.GRPCAddress
	s.Stop()
	if !strings.Contains(s.Log(), "tesserad stopped") {
		t.Fatalf("no clean stop in the log:\n%s", s.Log())
	}
	s.Restart()
	if s.GRPCAddress != grpc {
		t.Fatalf("restarted on %s, was %s", s.GRPCAddress, grpc)
	}
}
