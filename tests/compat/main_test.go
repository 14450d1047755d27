package compat

import (
	"fmt"
	"os"
	"testing"

	"github.com/ember-kv/ember"
)

// One redis-server and one Ember serve every test of the package; each
// test starts from FLUSHALL (NewPair).
var (
	redisSrv *Redis
	redisErr error
	emberSrv *ember.Server
)

func TestMain(m *testing.M) {
	redisSrv, redisErr = StartRedis()
	if redisErr != nil && !IsNotInstalled(redisErr) {
		fmt.Fprintln(os.Stderr, "compat:", redisErr)
		os.Exit(1)
	}
	var err error
	emberSrv, err = ember.Start(ember.Config{Directives: map[string]string{"enable-debug-command": "yes"}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "compat: start ember:", err)
		os.Exit(1)
	}
	code := m.Run()
	emberSrv.Close()
	if redisSrv != nil {
		redisSrv.Stop()
	}
	os.Exit(code)
}

// pair returns connections to the shared servers, both flushed, or skips
// the test when redis-server is not installed.
func pair(t *testing.T) *Pair {
	t.Helper()
	if redisSrv == nil {
		t.Skip(redisErr.Error())
	}
	return NewPair(t, redisSrv.Addr, emberSrv.Addr())
}
