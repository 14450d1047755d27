package compat

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// TestIORedis runs the lesson's Node.js client, ioredis, against Ember and
// against redis-server, and requires identical results. It needs node and
// npm; ioredis is installed into the user cache on first use.
func TestIORedis(t *testing.T) {
	if redisSrv == nil {
		t.Skip(redisErr.Error())
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed; ioredis test skipped")
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skip("npm not installed; ioredis test skipped")
	}
	dir := ioredisDir(t, npm)
	script, err := filepath.Abs("testdata/ioredis/smoke.js")
	if err != nil {
		t.Fatal(err)
	}
	run := func(addr string) map[string]any {
		t.Helper()
		NewPair(t, redisSrv.Addr, emberSrv.Addr()) // FLUSHALL both
		_, port := splitHostPort(t, addr)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, node, script, port)
		cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(dir, "node_modules"))
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("ioredis against %s: %v\n%s", addr, err, out)
		}
		var res map[string]any
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("ioredis output %q: %v", out, err)
		}
		return res
	}
	want := run(redisSrv.Addr)
	got := run(emberSrv.Addr())
	if !reflect.DeepEqual(want, got) {
		t.Errorf("ioredis results differ\n redis: %v\n ember: %v", want, got)
	}
	if got["pipeline"] != float64(100) || got["ping"] != "PONG" || got["name"] != "ioredis-smoke" {
		t.Errorf("unexpected ioredis results: %v", got)
	}
}

// ioredisDir returns a directory with ioredis installed, installing it
// into the user cache when it is not there yet.
func ioredisDir(t *testing.T, npm string) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "ember-tests", "ioredis5")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "ioredis", "package.json")); err == nil {
		return dir
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "install", "--no-audit", "--no-fund", "--silent", "--prefix", dir, "ioredis@5")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("could not install ioredis with npm (%v); ioredis test skipped:\n%s", err, out)
	}
	return dir
}
