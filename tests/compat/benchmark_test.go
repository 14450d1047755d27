package compat

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestRedisBenchmarkRuns drives Ember with redis-benchmark, the load tool
// Redis users reach for first: every workload must complete without a
// single error reply, unpipelined and pipelined.
func TestRedisBenchmarkRuns(t *testing.T) {
	bin, err := exec.LookPath("redis-benchmark")
	if err != nil {
		t.Skip("redis-benchmark not installed (apt-get install -y redis-tools)")
	}
	_, port := splitHostPort(t, emberSrv.Addr())
	for _, pipeline := range []string{"1", "16"} {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, bin, "-h", "127.0.0.1", "-p", port, "-q",
			"-n", "20000", "-c", "20", "-P", pipeline, "-t", "set,get,incr,mset")
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("redis-benchmark -P %s: %v\n%s", pipeline, err, out)
		}
		text := string(out)
		for _, w := range []string{"SET:", "GET:", "INCR:", "MSET (10 keys):"} {
			if !strings.Contains(text, w) {
				t.Errorf("redis-benchmark -P %s: no %q result in\n%s", pipeline, w, text)
			}
		}
		if strings.Contains(strings.ToLower(text), "error") {
			t.Errorf("redis-benchmark -P %s reported errors:\n%s", pipeline, text)
		}
	}
}

func splitHostPort(t *testing.T, addr string) (string, string) {
	t.Helper()
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		t.Fatalf("bad address %q", addr)
	}
	return addr[:i], addr[i+1:]
}
