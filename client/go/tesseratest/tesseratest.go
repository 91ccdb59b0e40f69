// Package tesseratest starts a real tesserad binary for integration tests:
// on free loopback ports, with a temporary data directory, stopped when
// the test ends. It builds nothing.
//
// The binary is $TESSERA_TESSERAD, else bazel-bin/server/tesserad under the
// repository root (found by walking up to WORKSPACE from the working
// directory); Start fails the test, saying so, if neither exists.
package tesseratest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"
)

// Options for Start; all optional.
type Options struct {
	// Binary overrides the tesserad to run.
	Binary string
	// DataDir; empty: a new temporary directory.
	DataDir string
	// Flags are passed after the ones Start sets (later flags win).
	Flags []string
	// StartTimeout bounds waiting for "tesserad serving". Default 30 s.
	StartTimeout time.Duration
}

// Server is a running (or stopped) tesserad.
type Server struct {
	// GRPCAddress and HTTPAddress are host:port on 127.0.0.1.
	GRPCAddress string
	HTTPAddress string
	DataDir     string
	// LogPath is where the server's output goes.
	LogPath string

	t      testing.TB
	binary string
	flags  []string
	opts   Options
	cmd    *exec.Cmd
	exited chan struct{}
}

// Binary returns the tesserad the tests should run.
func Binary() (string, error) {
	if b := os.Getenv("TESSERA_TESSERAD"); b != "" {
		if _, err := os.Stat(b); err != nil {
			return "", fmt.Errorf("TESSERA_TESSERAD=%s: %v", b, err)
		}
		return b, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "WORKSPACE")); err == nil {
			b := filepath.Join(dir, "bazel-bin/server/tesserad")
			if _, err := os.Stat(b); err != nil {
				return "", fmt.Errorf("no tesserad: TESSERA_TESSERAD is unset and %s does not exist (bazel build //server:tesserad)", b)
			}
			return b, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no tesserad: TESSERA_TESSERAD is unset and no repository root (WORKSPACE) above the working directory")
		}
		dir = parent
	}
}

// Start runs tesserad and waits until it serves. The server is killed
// when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	binary := opts.Binary
	if binary == "" {
		var err error
		if binary, err = Binary(); err != nil {
			t.Fatal(err)
		}
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 30 * time.Second
	}
	s := &Server{t: t, binary: binary, opts: opts, DataDir: opts.DataDir}
	if s.DataDir == "" {
		s.DataDir = t.TempDir()
	}
	s.LogPath = filepath.Join(t.TempDir(), "tesserad.log")
	s.flags = []string{"--grpc_address=127.0.0.1:0", "--http_address=127.0.0.1:0"}
	s.start()
	t.Cleanup(s.Kill)
	return s
}

var servingLine = regexp.MustCompile(`"msg":"tesserad serving".*?"grpc_address":"([^"]+)","http_address":"([^"]+)"`)

func (s *Server) start() {
	s.t.Helper()
	log, err := os.OpenFile(s.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		s.t.Fatal(err)
	}
	args := append(append(append([]string{}, s.flags...), "--data_dir="+s.DataDir), s.opts.Flags...)
	cmd := exec.Command(s.binary, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		s.t.Fatalf("starting %s: %v", s.binary, err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); log.Close(); close(s.exited) }()
	offset := fileSize(s.LogPath)
	deadline := time.Now().Add(s.opts.StartTimeout)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(s.LogPath)
		if int64(len(b)) > offset {
			if m := servingLine.FindSubmatch(b[offset:]); m != nil {
				s.GRPCAddress, s.HTTPAddress = string(m[1]), string(m[2])
				return
			}
		}
		select {
		case <-s.exited:
			s.t.Fatalf("tesserad exited during start-up; log:\n%s", b)
		case <-time.After(10 * time.Millisecond):
		}
	}
	s.Kill()
	b, _ := os.ReadFile(s.LogPath)
	s.t.Fatalf("tesserad did not report serving within %v; log:\n%s", s.opts.StartTimeout, b)
}

func fileSize(path string) int64 {
	if st, err := os.Stat(path); err == nil {
		return st.Size()
	}
	return 0
}

// Stop sends SIGTERM and waits for the server to exit.
func (s *Server) Stop() {
	s.t.Helper()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		s.t.Errorf("tesserad did not stop within 30 s of SIGTERM; killing it")
		s.Kill()
	}
	s.cmd = nil
}

// Kill stops the server at once (SIGKILL), if running.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// Restart starts a stopped server again on the same addresses and data
// directory (clients and Verifiers pointed at it reconnect by themselves).
func (s *Server) Restart() {
	s.t.Helper()
	if s.cmd != nil {
		s.t.Fatal("tesseratest: Restart of a running server")
	}
	s.flags = []string{"--grpc_address=" + s.GRPCAddress, "--http_address=" + s.HTTPAddress}
	s.start()
}

// Log returns what the server has written so far.
func (s *Server) Log() string {
	b, _ := os.ReadFile(s.LogPath)
	return string(b)
}
