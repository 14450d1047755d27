package compat

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ember-kv/ember/embertest"
	"github.com/redis/go-redis/v9"
)

// busyPair is, for each server, the connection that runs a long script
// and a second one that watches it.
type busyPair struct {
	t            *testing.T
	runR, runE   *Conn
	sideR, sideE *Conn
}

func newBusyPair(t *testing.T) *busyPair {
	t.Helper()
	p := pair(t) // skips without redis-server; flushes both
	_ = p
	dial := func(addr string) *Conn {
		c, err := Dial(addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	b := &busyPair{t: t, runR: dial(redisSrv.Addr), runE: dial(emberSrv.Addr()),
		sideR: dial(redisSrv.Addr), sideE: dial(emberSrv.Addr())}
	b.side("CONFIG", "SET", "busy-reply-threshold", "100")
	t.Cleanup(func() {
		b.sideR.Do("CONFIG", "SET", "busy-reply-threshold", "5000")
		b.sideE.Do("CONFIG", "SET", "busy-reply-threshold", "5000")
	})
	return b
}

// side sends a command on both side connections and compares the replies.
func (b *busyPair) side(args ...string) []byte {
	b.t.Helper()
	want, err := b.sideR.Do(args...)
	if err != nil {
		b.t.Fatalf("redis %q: %v", args, err)
	}
	got, err := b.sideE.Do(args...)
	if err != nil {
		b.t.Fatalf("ember %q: %v", args, err)
	}
	if !bytes.Equal(want, got) {
		b.t.Errorf("%s\n redis: %q\n ember: %q", Show(args), want, got)
	}
	return want
}

// start sends a long command on both run connections, without reading.
func (b *busyPair) start(args ...string) {
	b.t.Helper()
	if err := b.runR.Send(Encode(args...)); err != nil {
		b.t.Fatal(err)
	}
	if err := b.runE.Send(Encode(args...)); err != nil {
		b.t.Fatal(err)
	}
}

// awaitBusy polls PING on a side connection until it answers BUSY,
// within a bounded number of tries; it returns that reply.
func awaitBusy(t *testing.T, c *Conn, name string) []byte {
	t.Helper()
	for i := 0; i < 500; i++ {
		r, err := c.Do("PING")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if bytes.HasPrefix(r, []byte("-BUSY")) {
			return r
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s never became BUSY", name)
	return nil
}

// finish reads the long command's reply on both run connections and
// compares them.
func (b *busyPair) finish() []byte {
	b.t.Helper()
	want, err := b.runR.ReadTimeout(20 * time.Second)
	if err != nil {
		b.t.Fatalf("redis: %v", err)
	}
	got, err := b.runE.ReadTimeout(20 * time.Second)
	if err != nil {
		b.t.Fatalf("ember: %v", err)
	}
	if !bytes.Equal(want, got) {
		b.t.Errorf("long command reply\n redis: %q\n ember: %q", want, got)
	}
	return want
}

// TestScriptingBusyKill: a script looping forever makes other clients get
// BUSY after busy-reply-threshold; SCRIPT KILL stops it and its caller
// gets the killed error. FUNCTION KILL and FUNCTION STATS refuse an EVAL.
func TestScriptingBusyKill(t *testing.T) {
	b := newBusyPair(t)
	b.side("SCRIPT", "KILL")
	b.start("EVAL", "local i = 0 while true do i = i + 1 end", "0")
	busyR := awaitBusy(t, b.sideR, "redis")
	busyE := awaitBusy(t, b.sideE, "ember")
	if !bytes.Equal(busyR, busyE) {
		t.Errorf("BUSY\n redis: %q\n ember: %q", busyR, busyE)
	}
	b.side("GET", "busy:k")
	b.side("FUNCTION", "KILL")
	b.side("FUNCTION", "STATS")
	b.side("SCRIPT", "KILL")
	b.finish()
	b.side("PING")
	b.side("SCRIPT", "KILL")

	// A pcall cannot catch the kill.
	b.start("EVAL", "while true do pcall(function() while true do end end) end", "0")
	awaitBusy(t, b.sideR, "redis")
	awaitBusy(t, b.sideE, "ember")
	b.side("SCRIPT", "KILL")
	b.finish()
}

// TestScriptingBusyUnkillable: a script that wrote cannot be killed
// (UNKILLABLE); it ends by itself, when the clock read through TIME passes
// its deadline, and its write stays.
func TestScriptingBusyUnkillable(t *testing.T) {
	b := newBusyPair(t)
	b.start("EVAL", `redis.call('set', KEYS[1], 'written')
local deadline = tonumber(redis.call('time')[1]) + 2
while tonumber(redis.call('time')[1]) < deadline do end
return redis.call('get', KEYS[1])`, "1", "busy:w")
	awaitBusy(t, b.sideR, "redis")
	awaitBusy(t, b.sideE, "ember")
	b.side("SCRIPT", "KILL")
	b.side("SET", "busy:other", "1")
	b.finish()
	b.side("GET", "busy:w")
}

// TestFunctionBusyKill: the same with a function: BUSY names FUNCTION
// KILL, SCRIPT KILL refuses it, FUNCTION KILL stops it.
func TestFunctionBusyKill(t *testing.T) {
	b := newBusyPair(t)
	b.side("FUNCTION", "FLUSH")
	b.side("FUNCTION", "LOAD", "#!lua name=busylib\nredis.register_function('spin', function(keys, args)\n  while true do end\nend)")
	b.start("FCALL", "spin", "0")
	busyR := awaitBusy(t, b.sideR, "redis")
	busyE := awaitBusy(t, b.sideE, "ember")
	if !bytes.Equal(busyR, busyE) {
		t.Errorf("BUSY\n redis: %q\n ember: %q", busyR, busyE)
	}
	b.side("SCRIPT", "KILL")
	// FUNCTION STATS describes the running function; its duration varies.
	statsR, _ := b.sideR.Do("FUNCTION", "STATS")
	statsE, _ := b.sideE.Do("FUNCTION", "STATS")
	for _, s := range [][]byte{statsR, statsE} {
		if !bytes.Contains(s, []byte("$4\r\nspin\r\n")) || !bytes.Contains(s, []byte("$5\r\nFCALL\r\n")) {
			t.Errorf("FUNCTION STATS while running: %q", s)
		}
	}
	b.side("FUNCTION", "KILL")
	b.finish()
	b.side("FUNCTION", "STATS")
	b.side("FUNCTION", "FLUSH")
}

// TestScriptingGoRedis runs the classic lock-release script and a
// fixed-window rate limiter through go-redis's Script (EVALSHA, then EVAL
// on NOSCRIPT) against Ember, RESP2 and RESP3.
func TestScriptingGoRedis(t *testing.T) {
	srv := embertest.Run(t)
	ctx := context.Background()
	unlock := redis.NewScript(`if redis.call("get",KEYS[1]) == ARGV[1] then return redis.call("del",KEYS[1]) else return 0 end`)
	limiter := redis.NewScript(`local n = redis.call("INCR", KEYS[1])
if n == 1 then redis.call("EXPIRE", KEYS[1], ARGV[2]) end
if n > tonumber(ARGV[1]) then return -1 end
return n`)
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto})
			defer rdb.Close()
			if err := rdb.ScriptFlush(ctx).Err(); err != nil {
				t.Fatal(err)
			}
			// Lock: taken by token A; B cannot release it, A can.
			if ok, err := rdb.SetNX(ctx, "lock:res", "token-a", 10*time.Second).Result(); err != nil || !ok {
				t.Fatalf("SETNX: %v %v", ok, err)
			}
			if n, err := unlock.Run(ctx, rdb, []string{"lock:res"}, "token-b").Int(); err != nil || n != 0 {
				t.Fatalf("unlock with wrong token: %d %v", n, err)
			}
			if v, _ := rdb.Get(ctx, "lock:res").Result(); v != "token-a" {
				t.Fatalf("lock value %q", v)
			}
			if n, err := unlock.Run(ctx, rdb, []string{"lock:res"}, "token-a").Int(); err != nil || n != 1 {
				t.Fatalf("unlock: %d %v", n, err)
			}
			if n, _ := rdb.Exists(ctx, "lock:res").Result(); n != 0 {
				t.Fatalf("lock still held")
			}
			if n, err := unlock.Run(ctx, rdb, []string{"lock:res"}, "token-a").Int(); err != nil || n != 0 {
				t.Fatalf("unlock of a free lock: %d %v", n, err)
			}
			// Rate limiter: 3 hits per 60 s window.
			key := fmt.Sprintf("rate:user:%d", proto)
			want := []int64{1, 2, 3, -1, -1}
			for i, w := range want {
				n, err := limiter.Run(ctx, rdb, []string{key}, 3, 60).Int64()
				if err != nil || n != w {
					t.Fatalf("hit %d: %d %v, want %d", i+1, n, err, w)
				}
			}
			if ttl, err := rdb.TTL(ctx, key).Result(); err != nil || ttl <= 0 || ttl > 60*time.Second {
				t.Fatalf("TTL %v %v", ttl, err)
			}
			if v, _ := rdb.Get(ctx, key).Int(); v != 5 {
				t.Fatalf("counter %d", v)
			}
			// Loaded once: EVALSHA finds it now.
			if ok, err := limiter.Exists(ctx, rdb).Result(); err != nil || !ok[0] {
				t.Fatalf("SCRIPT EXISTS %v %v", ok, err)
			}
			// A script error comes back as a Redis error.
			bad := redis.NewScript(`return redis.call("nosuch")`)
			if err := bad.Run(ctx, rdb, nil).Err(); err == nil || !strings.HasPrefix(err.Error(), "ERR Unknown Redis command called from script") {
				t.Fatalf("error: %v", err)
			}
		})
	}
}

// TestScriptingAtomic: while a script reads, modifies and writes many
// keys, other clients' INCRs on the same keys wait; the totals are exact.
func TestScriptingAtomic(t *testing.T) {
	srv := embertest.Run(t)
	ctx := context.Background()
	const keys, scripts, incrs = 20, 50, 400
	rmw := redis.NewScript(`for i = 1, #KEYS do
  local v = tonumber(redis.call('get', KEYS[i]) or '0')
  for j = 1, 200 do v = v + 0 end
  redis.call('set', KEYS[i], v + 2)
end
return #KEYS`)
	var names []string
	for i := 0; i < keys; i++ {
		names = append(names, fmt.Sprintf("atomic:%d", i))
	}
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	run := func(fn func(rdb *redis.Client) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
			defer rdb.Close()
			if err := fn(rdb); err != nil {
				errc <- err
			}
		}()
	}
	for w := 0; w < 2; w++ {
		run(func(rdb *redis.Client) error {
			for i := 0; i < scripts; i++ {
				if err := rmw.Run(ctx, rdb, names).Err(); err != nil {
					return err
				}
			}
			return nil
		})
	}
	for w := 0; w < 2; w++ {
		run(func(rdb *redis.Client) error {
			for i := 0; i < incrs; i++ {
				if err := rdb.Incr(ctx, names[i%keys]).Err(); err != nil {
					return err
				}
			}
			return nil
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	total := 0
	for _, k := range names {
		v, err := rdb.Get(ctx, k).Int()
		if err != nil {
			t.Fatal(err)
		}
		total += v
	}
	if want := 2*scripts*keys*2 + 2*incrs; total != want {
		t.Fatalf("total %d, want %d", total, want)
	}
}
