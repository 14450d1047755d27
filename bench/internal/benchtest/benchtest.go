// Package benchtest runs a measurement program of bench/cmd end to end in
// its tests.
package benchtest

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Smoke runs a program's run function with args against real servers and
// decodes the JSON report it wrote to jsonPath into rep. It skips under
// -short and when one of the needed binaries is not installed, and fails
// the test when the program exits non-zero.
func Smoke(t *testing.T, run func(ctx context.Context, args []string, stdout, stderr io.Writer) int,
	limit time.Duration, needs []string, args []string, jsonPath string, rep any) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short")
	}
	for _, bin := range needs {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not installed (apt-get install -y redis-server redis-tools util-linux)", bin)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	var stdout, stderr strings.Builder
	if code := run(ctx, args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	t.Logf("\n%s", stdout.String())
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, rep); err != nil {
		t.Fatal(err)
	}
}
