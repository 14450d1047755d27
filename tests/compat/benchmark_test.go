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
	for _, run := range []struct {
		tests string
		want  []string
	}{
		{"set,get,incr,mset", []string{"SET:", "GET:", "INCR:", "MSET (10 keys):"}},
		{"lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange", []string{
			"LPUSH:", "RPUSH:", "LPOP:", "RPOP:", "SADD:", "HSET:", "SPOP:", "ZADD:", "ZPOPMIN:",
			"LRANGE_100 (first 100 elements):", "LRANGE_300 (first 300 elements):",
			"LRANGE_500 (first 500 elements):", "LRANGE_600 (first 600 elements):"}},
	} {
		for _, pipeline := range []string{"1", "16"} {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			cmd := exec.CommandContext(ctx, bin, "-h", "127.0.0.1", "-p", port, "-q",
				"-n", "10000", "-c", "20", "-P", pipeline, "-t", run.tests)
			out, err := cmd.CombinedOutput()
			cancel()
			if err != nil {
				t.Fatalf("redis-benchmark -t %s -P %s: %v\n%s", run.tests, pipeline, err, out)
			}
			text := string(out)
			for _, w := range run.want {
				if !strings.Contains(text, w) {
					t.Errorf("redis-benchmark -t %s -P %s: no %q result in\n%s", run.tests, pipeline, w, text)
				}
			}
			if strings.Contains(strings.ToLower(text), "error") {
				t.Errorf("redis-benchmark -t %s -P %s reported errors:\n%s", run.tests, pipeline, text)
			}
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
