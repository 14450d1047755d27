package compat

import (
	"context"
	"errors"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"

	"github.com/ember-kv/ember"
	"github.com/ember-kv/ember/embertest"
	"github.com/ember-kv/ember/internal/command"
)

// needCommands fails the test when a command it uses is missing from
// Ember's table.
func needCommands(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if command.LookupString(n) == nil {
			t.Fatalf("needs %s, which Ember lacks", strings.ToUpper(n))
		}
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestGoRedis connects go-redis v9, which sends HELLO 3 (or AUTH for
// RESP2), CLIENT SETINFO (which Ember answers, as Redis 7.2 does) and
// CLIENT MAINT_NOTIFICATIONS (an unknown subcommand it tolerates) on
// connect, then runs commands one by one and in pipelines, in both
// protocols.
func TestGoRedis(t *testing.T) {
	needCommands(t, "set", "get", "del", "incr", "expire", "ttl")
	srv := embertest.Run(t)
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+string(rune('0'+proto)), func(t *testing.T) {
			ctx := testContext(t)
			rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto, ClientName: "gotest"})
			defer rdb.Close()
			if err := rdb.Ping(ctx).Err(); err != nil {
				t.Fatalf("PING: %v", err)
			}
			if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
				t.Fatal(err)
			}
			if v, err := rdb.Get(ctx, "k").Result(); err != nil || v != "v" {
				t.Fatalf("GET: %q %v", v, err)
			}
			if _, err := rdb.Get(ctx, "missing").Result(); !errors.Is(err, redis.Nil) {
				t.Fatalf("GET missing: %v", err)
			}
			cmds, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, "counter", "10", 0)
				p.Incr(ctx, "counter")
				p.IncrBy(ctx, "counter", 5)
				p.Expire(ctx, "counter", time.Minute)
				p.TTL(ctx, "counter")
				p.Get(ctx, "counter")
				p.Del(ctx, "counter", "k", "missing")
				p.Get(ctx, "counter")
				return nil
			})
			if !errors.Is(err, redis.Nil) { // the last GET is nil
				t.Fatalf("pipeline: %v", err)
			}
			if n := cmds[2].(*redis.IntCmd).Val(); n != 16 {
				t.Errorf("INCRBY = %d", n)
			}
			if ok := cmds[3].(*redis.BoolCmd).Val(); !ok {
				t.Errorf("EXPIRE = false")
			}
			if ttl := cmds[4].(*redis.DurationCmd).Val(); ttl <= 0 || ttl > time.Minute {
				t.Errorf("TTL = %v", ttl)
			}
			if v := cmds[5].(*redis.StringCmd).Val(); v != "16" {
				t.Errorf("GET = %q", v)
			}
			if n := cmds[6].(*redis.IntCmd).Val(); n != 2 {
				t.Errorf("DEL = %d", n)
			}
			// Transactions are another group's; a plain pipeline of many
			// commands checks the reply order.
			pipe := rdb.Pipeline()
			var incrs []*redis.IntCmd
			for i := 0; i < 500; i++ {
				incrs = append(incrs, pipe.Incr(ctx, "many"))
			}
			if _, err := pipe.Exec(ctx); err != nil {
				t.Fatal(err)
			}
			for i, c := range incrs {
				if c.Val() != int64(i+1) {
					t.Fatalf("INCR %d = %d", i, c.Val())
				}
			}
			rdb.Del(ctx, "many")

			// Connection commands through go-redis's own parsers.
			if name, err := rdb.ClientGetName(ctx).Result(); err != nil || name != "gotest" {
				t.Errorf("CLIENT GETNAME: %q %v", name, err)
			}
			id, err := rdb.ClientID(ctx).Result()
			if err != nil || id <= 0 {
				t.Errorf("CLIENT ID: %d %v", id, err)
			}
			info, err := rdb.ClientInfo(ctx).Result()
			if err != nil {
				t.Fatalf("CLIENT INFO: %v", err)
			}
			if info.ID != id || info.Name != "gotest" || info.Resp != proto || info.User != "default" || info.LastCmd != "client|info" {
				t.Errorf("CLIENT INFO: %+v", info)
			}
			list, err := rdb.ClientList(ctx).Result()
			if err != nil || !strings.Contains(list, "name=gotest") {
				t.Errorf("CLIENT LIST: %q %v", list, err)
			}
			infos, err := rdb.Command(ctx).Result()
			if err != nil {
				t.Fatalf("COMMAND: %v", err)
			}
			get := infos["get"]
			if get == nil || get.Arity != 2 || get.FirstKeyPos != 1 || !get.ReadOnly ||
				strings.Join(get.ACLFlags, " ") != "@read @string @fast" {
				t.Errorf("COMMAND get: %+v", get)
			}
			keys, err := rdb.CommandGetKeys(ctx, "set", "a", "b").Result()
			if err != nil || strings.Join(keys, " ") != "a" {
				t.Errorf("COMMAND GETKEYS: %v %v", keys, err)
			}
		})
	}
}

// TestGoRedisAuth connects go-redis to a server with a password: HELLO 3
// AUTH in RESP3, AUTH then commands in RESP2, and a wrong password.
func TestGoRedisAuth(t *testing.T) {
	srv := embertest.Run(t, ember.Config{Password: "s3cret"})
	for _, proto := range []int{2, 3} {
		ctx := testContext(t)
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto, Password: "s3cret"})
		if v, err := rdb.Ping(ctx).Result(); err != nil || v != "PONG" {
			t.Errorf("RESP%d PING with password: %q %v", proto, v, err)
		}
		rdb.Close()
		bad := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto, Password: "wrong", MaxRetries: -1})
		if err := bad.Ping(ctx).Err(); err == nil || !strings.Contains(err.Error(), "WRONGPASS") {
			t.Errorf("RESP%d wrong password: %v", proto, err)
		}
		bad.Close()
		none := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto, MaxRetries: -1})
		if err := none.Ping(ctx).Err(); err == nil || !strings.HasPrefix(err.Error(), "NOAUTH") {
			t.Errorf("RESP%d no password: %v", proto, err)
		}
		none.Close()
	}
}

// TestRueidis connects rueidis (RESP3, HELLO with SETNAME) and runs
// commands. Ember has no client-side caching, so the client is created
// with DisableCache; with caching on, rueidis needs CLIENT TRACKING ON.
func TestRueidis(t *testing.T) {
	needCommands(t, "set", "get", "incr")
	srv := embertest.Run(t)
	ctx := testContext(t)
	c, err := rueidis.NewClient(rueidis.ClientOption{
		InitAddress:  []string{srv.Addr()},
		DisableCache: true,
		ClientName:   "rueidis-test",
	})
	if err != nil {
		t.Fatalf("rueidis: %v", err)
	}
	defer c.Close()
	if err := c.Do(ctx, c.B().Set().Key("k").Value("v").Build()).Error(); err != nil {
		t.Fatal(err)
	}
	if v, err := c.Do(ctx, c.B().Get().Key("k").Build()).ToString(); err != nil || v != "v" {
		t.Fatalf("GET: %q %v", v, err)
	}
	if err := c.Do(ctx, c.B().Get().Key("missing").Build()).Error(); !rueidis.IsRedisNil(err) {
		t.Fatalf("GET missing: %v", err)
	}
	cmds := make(rueidis.Commands, 0, 100)
	for i := 0; i < 100; i++ {
		cmds = append(cmds, c.B().Incr().Key("n").Build())
	}
	for i, r := range c.DoMulti(ctx, cmds...) {
		if n, err := r.AsInt64(); err != nil || n != int64(i+1) {
			t.Fatalf("INCR %d: %d %v", i, n, err)
		}
	}
	if name, err := c.Do(ctx, c.B().ClientGetname().Build()).ToString(); err != nil || name != "rueidis-test" {
		t.Errorf("CLIENT GETNAME: %q %v", name, err)
	}
	// AlwaysRESP2 takes the HELLO-less path: AUTH/SETNAME and RESP2.
	c2, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{srv.Addr()}, DisableCache: true, AlwaysRESP2: true})
	if err != nil {
		t.Fatalf("rueidis RESP2: %v", err)
	}
	defer c2.Close()
	if v, err := c2.Do(ctx, c2.B().Get().Key("k").Build()).ToString(); err != nil || v != "v" {
		t.Fatalf("RESP2 GET: %q %v", v, err)
	}
}

// TestRueidisClientSideCache connects rueidis with its default options:
// client-side caching on, so it sends HELLO 3 and CLIENT TRACKING ON OPTIN
// on connect, and DoCache sends CLIENT CACHING YES before each read. A key
// changed by another client (go-redis) must reach the cache as an
// invalidation: the next DoCache returns the new value.
func TestRueidisClientSideCache(t *testing.T) {
	needCommands(t, "set", "get")
	srv := embertest.Run(t)
	ctx := testContext(t)
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{srv.Addr()}})
	if err != nil {
		t.Fatalf("rueidis: %v", err)
	}
	defer c.Close()
	other := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer other.Close()
	// awaitCached polls DoCache (bounded) until it returns want.
	// Commands are single-use, so each call builds its own.
	awaitCached := func(cmd func() rueidis.Cacheable, want string) {
		t.Helper()
		var v string
		var err error
		for i := 0; i < 500; i++ {
			if v, err = c.DoCache(ctx, cmd(), time.Minute).ToString(); err == nil && v == want {
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
		t.Fatalf("DoCache: %q %v, want %q", v, err, want)
	}
	run := func(t *testing.T, key string, build func(string) rueidis.Cacheable) {
		cacheable := func() rueidis.Cacheable { return build(key) }
		if err := other.Set(ctx, key, "v1", 0).Err(); err != nil {
			t.Fatal(err)
		}
		awaitCached(cacheable, "v1")
		r := c.DoCache(ctx, cacheable(), time.Minute)
		if v, err := r.ToString(); err != nil || v != "v1" || !r.IsCacheHit() {
			t.Fatalf("second DoCache: %q %v hit=%v", v, err, r.IsCacheHit())
		}
		for i := 2; i <= 4; i++ {
			want := "v" + string(rune('0'+i))
			if err := other.Set(ctx, key, want, 0).Err(); err != nil {
				t.Fatal(err)
			}
			awaitCached(cacheable, want)
		}
		if err := other.Del(ctx, key).Err(); err != nil {
			t.Fatal(err)
		}
		for i := 0; ; i++ {
			err := c.DoCache(ctx, cacheable(), time.Minute).Error()
			if rueidis.IsRedisNil(err) {
				break
			}
			if i == 500 {
				t.Fatalf("DoCache after DEL: %v", err)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	// ToStaticTTL: CLIENT CACHING YES then the read, no MULTI.
	t.Run("static-ttl", func(t *testing.T) {
		run(t, "cached-static", func(k string) rueidis.Cacheable {
			return c.B().Get().Key(k).Cache().ToStaticTTL()
		})
	})
	// The default DoCache wraps the read in MULTI ... PTTL ... EXEC.
	t.Run("multi", func(t *testing.T) {
		needCommands(t, "multi", "exec", "pttl")
		run(t, "cached-multi", func(k string) rueidis.Cacheable { return c.B().Get().Key(k).Cache() })
	})
}

// redisCLI runs redis-cli against addr with stdin, returning its output.
func redisCLI(t *testing.T, addr, stdin string, args ...string) string {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "redis-cli", append([]string{"-h", host, "-p", port}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil && ctx.Err() != nil {
		t.Fatalf("redis-cli %v: %v", args, ctx.Err())
	}
	return string(out)
}

// TestRedisCLI runs redis-cli against both servers (one-shot commands, raw
// and formatted output, RESP3, -x, commands on stdin and --pipe) and
// compares its output.
func TestRedisCLI(t *testing.T) {
	if _, err := exec.LookPath("redis-cli"); err != nil {
		t.Skip("redis-cli not installed")
	}
	needCommands(t, "set", "get", "incr", "append", "del")
	// Against Ember alone first, with the outputs spelled out.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"ping"}, "PONG\n"},
		{[]string{"set", "cli:k", "v"}, "OK\n"},
		{[]string{"get", "cli:k"}, "v\n"},
		{[]string{"--no-raw", "get", "cli:k"}, "\"v\"\n"},
		{[]string{"--no-raw", "get", "cli:missing"}, "(nil)\n"},
		{[]string{"del", "cli:k"}, "1\n"},
	} {
		if got := redisCLI(t, emberSrv.Addr(), "", c.args...); got != c.want {
			t.Errorf("redis-cli %q: %q, want %q", c.args, got, c.want)
		}
	}
	pair(t) // both servers flushed, or skip without redis-server
	type run struct {
		stdin string
		args  []string
	}
	runs := []run{
		{"", []string{"ping"}},
		{"", []string{"PING", "hello world"}},
		{"", []string{"set", "k", "v"}},
		{"", []string{"get", "k"}},
		{"", []string{"--no-raw", "get", "k"}},
		{"", []string{"get", "nosuch"}},
		{"", []string{"--no-raw", "get", "nosuch"}},
		{"", []string{"--no-raw", "incr", "n"}},
		{"", []string{"--no-raw", "incr", "k"}},
		{"", []string{"nosuchcommand", "x"}},
		{"", []string{"--no-raw", "client", "getname"}},
		{"", []string{"--no-raw", "command", "info", "get", "nosuch"}},
		{"", []string{"--no-raw", "command", "getkeys", "set", "a", "b"}},
		{"", []string{"--no-raw", "command", "getkeysandflags", "set", "a", "b", "get"}},
		{"", []string{"-3", "--no-raw", "get", "k"}},
		{"", []string{"-3", "--no-raw", "get", "nosuch"}},
		{"", []string{"-3", "--no-raw", "command", "info", "get"}},
		{"", []string{"-2", "--no-raw", "command", "info", "get"}},
		{"hello", []string{"-x", "set", "fromstdin"}},
		{"", []string{"--no-raw", "get", "fromstdin"}},
		{"line1\nline2\n", []string{"-x", "append", "fromstdin"}},
		{"", []string{"--no-raw", "get", "fromstdin"}},
		{"set a 1\nincr a\nget a\n\"get\" \"a\"\nnosuch x\nping\n", nil},
		{"set a 1\nincr a\nget a\nnosuch x\n", []string{"--no-raw"}},
		{"*3\r\n$3\r\nSET\r\n$2\r\np1\r\n$1\r\n1\r\n*2\r\n$4\r\nINCR\r\n$2\r\np1\r\n*2\r\n$4\r\nINCR\r\n$2\r\np2\r\n", []string{"--pipe"}},
		{"", []string{"get", "p1"}},
		{"", []string{"-r", "3", "incr", "r"}},
		{"", []string{"--no-raw", "-r", "2", "get", "r"}},
	}
	if command.LookupString("select") != nil {
		runs = append(runs, run{"", []string{"-n", "3", "set", "db3", "x"}}, run{"", []string{"-n", "3", "get", "db3"}}, run{"", []string{"get", "db3"}})
	}
	for _, r := range runs {
		want := redisCLI(t, redisSrv.Addr, r.stdin, r.args...)
		got := redisCLI(t, emberSrv.Addr(), r.stdin, r.args...)
		if want != got {
			t.Errorf("redis-cli %q <<< %q:\n redis: %q\n ember: %q", r.args, r.stdin, want, got)
		}
	}
	t.Logf("%d redis-cli runs compared", len(runs))
}
