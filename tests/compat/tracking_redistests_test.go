package compat

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Regressions found by Redis's own unit/tracking suite.

// TestTrackingBroadcastTransaction: a BCAST client gets the keys a
// transaction changed together, one push per prefix, as Redis sends what
// each prefix collected when its event loop turns.
func TestTrackingBroadcastTransaction(t *testing.T) {
	s := newTrackSession(t, "a", "b", "r")
	s.run(`
		hello3 a
		a CLIENT TRACKING ON BCAST PREFIX a: PREFIX b:
		b MULTI
		b INCR a:1
		b INCR a:2
		b INCR b:1
		b INCR b:2
		b INCR c:1
		b SET a:1 x
		b EXEC
		b MULTI
		b INCR c:1
		b EXEC
		b MULTI
		b INCR a:9
		b DISCARD
		a MULTI
		a INCR a:5
		a INCR b:5
		a EXEC
		a CLIENT TRACKING ON BCAST NOLOOP PREFIX a:
		a MULTI
		a INCR a:6
		a INCR b:6
		a EXEC
		b MULTI
		b INCR a:7
		b INCR b:7
		b EXEC
		# Redirected to a RESP2 subscriber: messages on __redis__:invalidate.
		r SUBSCRIBE __redis__:invalidate
		b CLIENT TRACKING ON BCAST REDIRECT $r PREFIX x
		b MULTI
		b SET x1 1
		b SET x2 2
		b SET y 3
		b EXEC
	`)
	t.Logf("%d comparisons", s.checks)
}

// TestTrackingScripts: a script that calls a read command makes its caller
// track the keys the script declared; EVAL_RO and the like are not reads
// of their own keys by themselves.
func TestTrackingScripts(t *testing.T) {
	s := newTrackSession(t, "a", "b")
	s.run(`
		hello3 a
		a CLIENT TRACKING ON
		b MSET key1 1 key2 1 key3 1
		a EVAL "redis.call('set', 'key3', 'bar')" 2 key1 key2
		b MSET key2 2 key1 2
		a EVAL "redis.call('get', 'key3')" 2 key1 key2
		b MSET key2 3 key1 3 key3 3
		a EVAL_RO "redis.call('ping')" 2 key1 key2
		b MSET key2 4 key1 4
		a EVAL_RO "redis.call('get', 'key1')" 2 key1 key2
		b MSET key2 5 key1 5
		a EVAL "return 1" 1 key1
		b SET key1 6
		a EVAL "redis.call('get', 'key3') redis.call('get', 'key3')" 1 key1
		b SET key1 7
		a FUNCTION LOAD "#!lua name=trk\nredis.register_function{function_name='rd', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}}"
		a FCALL rd 1 key2
		b SET key2 8
		a FCALL_RO rd 1 key2
		b SET key2 9
		a FUNCTION DELETE trk
	`)
	t.Logf("%d comparisons", s.checks)
}

// TestTrackingBlockedWrite: a blocked write command changes nothing until
// it is served; then its keys are invalidated, its own client's push
// coming after its reply.
func TestTrackingBlockedWrite(t *testing.T) {
	s := newTrackSession(t, "a", "b", "c")
	s.run(`
		hello3 a
		hello3 c
		a CLIENT TRACKING ON
		c CLIENT TRACKING ON
		b RPUSH list2 a
		a LRANGE list2 0 -1
		c LRANGE list2 0 -1
	`)
	for i, conns := range []map[string]*Conn{s.redis, s.ember} {
		if err := conns["a"].Send(Encode("BLMOVE", "list1", "list2", "LEFT", "LEFT", "0")); err != nil {
			t.Fatal(err)
		}
		waitBlocked(t, conns["b"], 1, i)
	}
	// Blocking touched nothing: c has no push yet.
	s.drain("a BLMOVE (blocked)", "b", "c")
	var got [2][]byte
	for i, conns := range []map[string]*Conn{s.redis, s.ember} {
		if r, err := conns["b"].Do("RPUSH", "list1", "foo"); err != nil || string(r) != ":1\r\n" {
			t.Fatalf("RPUSH on %d: %q %v", i, r, err)
		}
		got[i] = append(got[i], mustRead(t, conns["a"])...)
		got[i] = append(got[i], mustRead(t, conns["a"])...)
	}
	if !bytes.Equal(got[0], got[1]) {
		t.Errorf("served BLMOVE\n redis: %q\n ember: %q", got[0], got[1])
	}
	s.drainAll("b RPUSH list1 foo")
}

// waitBlocked waits until server i has n blocked clients.
func waitBlocked(t *testing.T, c *Conn, n, i int) {
	t.Helper()
	want := []byte("blocked_clients:" + string(rune('0'+n)) + "\r\n")
	deadline := time.Now().Add(5 * time.Second)
	for {
		r, err := c.Do("INFO", "clients")
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(r, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("server %d: no %d blocked clients", i, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

var trackingInfoLine = regexp.MustCompile(`tracking_total_(keys|items|prefixes):\d+|tracking_clients:\d+`)

// TestTrackingTableLimits: tracking-table-max-keys evicts remembered keys
// (their readers get an invalidation, whichever keys were chosen), and
// FLUSHALL forgets every key, even when no client tracks anymore.
func TestTrackingTableLimits(t *testing.T) {
	s := newTrackSession(t, "a", "b")
	info := func(when string) {
		t.Helper()
		var got [2]string
		for i, conns := range []map[string]*Conn{s.redis, s.ember} {
			r, err := conns["b"].Do("INFO", "stats")
			if err != nil {
				t.Fatal(err)
			}
			got[i] = strings.Join(func() []string {
				var out []string
				for _, m := range trackingInfoLine.FindAll(r, -1) {
					out = append(out, string(m))
				}
				return out
			}(), " ")
		}
		if got[0] != got[1] {
			t.Errorf("INFO tracking %s\n redis: %s\n ember: %s", when, got[0], got[1])
		}
	}
	s.run(`
		hello3 a
		a CLIENT TRACKING ON
		b MSET k1 1 k2 2 k3 3
		a MGET k1 k2
	`)
	info("after MGET")
	s.run(`
		a CLIENT TRACKING OFF
		b FLUSHALL
	`)
	info("after FLUSHALL")
	t.Cleanup(func() {
		for _, conns := range []map[string]*Conn{s.redis, s.ember} {
			conns["b"].Do("CONFIG", "SET", "tracking-table-max-keys", "1000000")
		}
	})
	s.run(`
		a CLIENT TRACKING ON
		b MSET k1 1 k2 2
		b CONFIG SET tracking-table-max-keys 1
		a GET k1
	`)
	// A second key puts the table over the limit: one of the two keys is
	// evicted, at random; its invalidation comes before the next reply.
	for i, conns := range []map[string]*Conn{s.redis, s.ember} {
		a := conns["a"]
		if r, err := a.Do("GET", "k2"); err != nil || string(r) != "$1\r\n2\r\n" {
			t.Fatalf("GET k2 on %d: %q %v", i, r, err)
		}
		if err := a.Send(Encode("PING")); err != nil {
			t.Fatal(err)
		}
		got := readUntilMarker(t, a, "+PONG\r\n")
		if !bytes.Equal(got, []byte(">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nk1\r\n")) &&
			!bytes.Equal(got, []byte(">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nk2\r\n")) {
			t.Errorf("server %d: eviction pushes %q", i, got)
		}
	}
	info("after eviction")
}
