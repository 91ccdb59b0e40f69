package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/tessera-auth/tessera/client/go/tesseratest"
)

// TestMain lets a test run main() itself in a child process (the test
// binary re-executed with EXAMPLE_API_RUN_MAIN=1).
func TestMain(m *testing.M) {
	if os.Getenv("EXAMPLE_API_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func runMain(t *testing.T, env ...string) (string, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
	cmd.Env = append([]string{"EXAMPLE_API_RUN_MAIN=1", "PATH=" + os.Getenv("PATH")}, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// main refuses to start on a bad environment, saying which variable is wrong.
func TestMainRefusesABadEnvironment(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{nil, "TESSERA_ADDRESS is required"},
		{[]string{"TESSERA_ADDRESS=127.0.0.1:1", "TESSERA_MAX_STALENESS=soon"}, "TESSERA_MAX_STALENESS"},
		{[]string{"TESSERA_ADDRESS=10.1.2.3:50051"}, "plaintext to non-loopback"},
	} {
		out, err := runMain(t, tc.env...)
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(out, tc.want) ||
			!strings.Contains(out, `"msg":"api stopped"`) {
			t.Errorf("env %v: err %v, output %s; want exit 1 naming %q", tc.env, err, out, tc.want)
		}
	}
}

// main serves with the contract's environment and stops cleanly on SIGTERM.
func TestMainServesAndStopsOnSIGTERM(t *testing.T) {
	tsd := tesseratest.Start(t, tesseratest.Options{})
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
	cmd.Env = []string{"EXAMPLE_API_RUN_MAIN=1", "TESSERA_ADDRESS=" + tsd.GRPCAddress, "API_ADDRESS=127.0.0.1:0"}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	lines := bufio.NewScanner(stderr)
	address := ""
	for address == "" && lines.Scan() {
		var line struct{ Msg, Address string }
		if json.Unmarshal(lines.Bytes(), &line) == nil && line.Msg == "api serving" {
			address = line.Address
		}
	}
	if address == "" {
		t.Fatal("main never logged api serving")
	}
	go func() { _, _ = io.Copy(io.Discard, stderr) }()
	resp, err := http.Get("http://" + address + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("main after SIGTERM: %v", err)
	}
}
