package compat

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ember-kv/ember"
	"github.com/ember-kv/ember/embertest"
)

// Differential tests of EXPIRE and friends, then Ember-only tests that move
// an injected clock to watch keys expire, lazily and by the active cycle.

func TestExpireOptionsAndErrors(t *testing.T) {
	p, e := genCheckedPair(t)
	genCheckAll(p, e, genScript(`
		SET g:a 1
		EXPIRE g:a 100 nx xx
		EXPIRE g:a 100 NX GT
		EXPIRE g:a 100 nx lt
		EXPIRE g:a 100 gt lt
		EXPIRE g:a 100 lt gt nx
		EXPIRE g:a 100 xx gt lt
		PEXPIRE g:a 100 gt lt
		EXPIREAT g:a 100 nx xx
		PEXPIREAT g:a 100 lt nx
		EXPIRE g:a 100 foo
		EXPIRE g:a 100 nx foo
		EXPIRE g:a abc foo
		EXPIRE g:a abc
		EXPIRE g:a 1.5
		EXPIRE g:a ""
		EXPIRE g:a " 1"
		EXPIRE g:a 9223372036854775808
		EXPIRE g:a 9223372036854775807
		EXPIRE g:a 9223372036854776
		EXPIRE g:a -9223372036854776
		EXPIRE g:a -9223372036854775808
		EXPIREAT g:a 9223372036854775807
		EXPIREAT g:a 9223372036854776
		PEXPIRE g:a 9223372036854775807
		PEXPIRE g:a 9223372036854000000
		TTL g:a
		EXPIRE g:nope 100
		EXPIRE g:nope -1
		EXPIRE g:nope 100 xx
		EXPIRE
		EXPIRE g:a
		PEXPIRE g:a
		EXPIREAT g:a
		PEXPIREAT g:a
		TTL
		TTL a b
		PTTL
		EXPIRETIME
		PEXPIRETIME a b
		PERSIST
		PERSIST a b
		DBSIZE
	`))
	// Options with odd bytes: Redis prints them with %s, so the error stops
	// at a NUL byte and loses trailing newlines.
	p.Check("EXPIRE", "g:a", "10", "x\r\ny\r\n")
	p.Check("EXPIRE", "g:a", "10", "x\x00y")
	p.Check("EXPIRE", "g:a", "10", "\r\n")
	p.Check("EXPIRE", "g:a", "10", "NX", "bad\nopt")
}

func TestExpireConditions(t *testing.T) {
	p, e := genCheckedPair(t)
	genCheckAll(p, e, genScript(`
		SET g:a 1
		EXPIRE g:a 100000 gt
		EXPIRE g:a 100000 xx
		TTL g:a
		EXPIRE g:a 100000 lt
		TTL g:a
		EXPIRE g:a 100000 nx
		EXPIRE g:a 200000 LT
		EXPIRE g:a 200000 GT
		TTL g:a
		EXPIRE g:a 150000 xx lt
		TTL g:a
		EXPIRE g:a 160000 XX GT
		TTL g:a
		EXPIRE g:a 100 xx xx
		EXPIRE g:a 200000 gt gt
		TTL g:a
		# Equal times are neither greater nor less: absolute times make
		# that exact.
		EXPIREAT g:a {far}
		EXPIREAT g:a {far} gt
		EXPIREAT g:a {far} lt
		PEXPIREAT g:a {far}000 gt
		PEXPIREAT g:a {far}000 lt
		PEXPIREAT g:a {far}001 gt
		PEXPIRETIME g:a
		PEXPIREAT g:a {far}000 lt
		PEXPIRETIME g:a
		PERSIST g:a
		EXPIRE g:a 100 xx
		EXPIRE g:a 100 nx
		TTL g:a
		EXPIRE g:a 100 nx nx
		PERSIST g:a
		EXPIREAT g:a {far} lt
		EXPIRETIME g:a
		PEXPIRETIME g:a
		EXPIREAT g:a {far} gt
		EXPIREAT g:a {far} lt
		PEXPIREAT g:a {farms} gt
		PEXPIRETIME g:a
		EXPIRETIME g:a
		PEXPIREAT g:a {farms} lt
		PEXPIREAT g:a {farms} xx
		PEXPIRETIME g:a
		EXPIRE g:a -1 gt
		EXISTS g:a
		EXPIRE g:a -1 lt
		EXISTS g:a
		SET g:b 1
		EXPIRE g:b -1 gt
		EXISTS g:b
		EXPIRE g:b -1 xx
		EXISTS g:b
		EXPIRE g:b -1 nx
		EXISTS g:b
		SET g:c 1
		PEXPIREAT g:c 9223372036854775807
		EXPIRETIME g:c
		PEXPIRETIME g:c
		EXPIRE g:c 100 gt
		PEXPIREAT g:c 9223372036854775806 lt
		PEXPIRETIME g:c
		EXPIREAT g:c 9223372036854775
		EXPIRETIME g:c
		PEXPIRETIME g:c
	`))
}

func TestExpirePastDeletesAndTTLReplies(t *testing.T) {
	p, e := genCheckedPair(t)
	genCheckAll(p, e, genScript(`
		TTL g:k
		PTTL g:k
		EXPIRETIME g:k
		PEXPIRETIME g:k
		SET g:k v
		TTL g:k
		PTTL g:k
		EXPIRETIME g:k
		PEXPIRETIME g:k
		EXPIRE g:k 0
		EXISTS g:k
		SET g:k v
		EXPIRE g:k -100
		EXISTS g:k
		SET g:k v
		PEXPIRE g:k -1
		EXISTS g:k
		SET g:k v
		EXPIREAT g:k 1
		EXISTS g:k
		SET g:k v
		PEXPIREAT g:k 0
		EXISTS g:k
		SET g:k v
		PEXPIREAT g:k -9223372036854775808
		EXISTS g:k
		SET g:k v
		EXPIRE g:k -9223372036854775
		EXISTS g:k
		DBSIZE
		SET g:k v
		EXPIRE g:k 100000
		TTL g:k
		PEXPIRE g:k 100000000
		TTL g:k
		EXPIREAT g:k {far}
		EXPIRETIME g:k
		TTL g:nope
		PERSIST g:k
		PERSIST g:k
		TTL g:k
		PERSIST g:nope
		SETEX g:k 100000 v
		PERSIST g:k
		PTTL g:k
	`))
}

// genClockServer starts an Ember whose time is a manual clock.
func genClockServer(t *testing.T) (*Conn, *embertest.Clock) {
	t.Helper()
	clock := embertest.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	srv := embertest.Run(t, ember.Config{Clock: clock})
	c, err := Dial(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, clock
}

// genExpect sends a command and fails unless the reply is want.
func genExpect(t *testing.T, c *Conn, want string, args ...string) {
	t.Helper()
	got, err := c.Do(args...)
	if err != nil {
		t.Fatalf("%s: %v", Show(args), err)
	}
	if string(got) != want {
		t.Fatalf("%s:\n got  %q\n want %q", Show(args), got, want)
	}
}

// genWaitFor polls a command until it replies want, for at most 10 s.
func genWaitFor(t *testing.T, c *Conn, want string, args ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var got []byte
	for time.Now().Before(deadline) {
		var err error
		if got, err = c.Do(args...); err != nil {
			t.Fatal(err)
		}
		if string(got) == want {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("%s still replies %q, want %q", Show(args), got, want)
}

func TestExpireClockLazy(t *testing.T) {
	c, clock := genClockServer(t)
	genExpect(t, c, "+OK\r\n", "SET", "k", "v")
	genExpect(t, c, ":1\r\n", "EXPIRE", "k", "10")
	genExpect(t, c, ":10\r\n", "TTL", "k")
	clock.Advance(9 * time.Second)
	genExpect(t, c, ":1\r\n", "TTL", "k")
	genExpect(t, c, ":1000\r\n", "PTTL", "k")
	clock.Advance(time.Second)
	// At its expiry time the key is still there, as in Redis.
	genExpect(t, c, ":0\r\n", "PTTL", "k")
	genExpect(t, c, "$1\r\nv\r\n", "GET", "k")
	clock.Advance(time.Millisecond)
	genExpect(t, c, "$-1\r\n", "GET", "k")
	genExpect(t, c, ":-2\r\n", "TTL", "k")
	genExpect(t, c, ":0\r\n", "EXISTS", "k")
	genExpect(t, c, ":0\r\n", "DBSIZE") // reclaimed by the lookup

	// Every kind of access sees an expired key as gone.
	for _, cmd := range [][]string{
		{"EXISTS", "k"}, {"TYPE", "k"}, {"TTL", "k"}, {"PERSIST", "k"}, {"DEL", "k"},
		{"RENAME", "k", "k2"}, {"COPY", "k", "k2"}, {"MOVE", "k", "1"}, {"EXPIRE", "k", "100"},
		{"OBJECT", "ENCODING", "k"}, {"TOUCH", "k"}, {"GET", "k"},
	} {
		genExpect(t, c, "+OK\r\n", "SET", "k", "v", "PX", "5")
		clock.Advance(6 * time.Millisecond)
		got, err := c.Do(cmd...)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"EXISTS": ":0\r\n", "TYPE": "+none\r\n", "TTL": ":-2\r\n", "PERSIST": ":0\r\n", "DEL": ":0\r\n",
			"RENAME": "-ERR no such key\r\n", "COPY": ":0\r\n", "MOVE": ":0\r\n", "EXPIRE": ":0\r\n",
			"OBJECT": "$-1\r\n", "TOUCH": ":0\r\n", "GET": "$-1\r\n",
		}[cmd[0]]
		if string(got) != want {
			t.Fatalf("%s on an expired key: %q, want %q", Show(cmd), got, want)
		}
	}
}

func TestExpireClockMilliseconds(t *testing.T) {
	c, clock := genClockServer(t)
	genExpect(t, c, "+OK\r\n", "SET", "k", "v")
	genExpect(t, c, ":1\r\n", "PEXPIRE", "k", "1500")
	genExpect(t, c, ":1500\r\n", "PTTL", "k")
	genExpect(t, c, ":2\r\n", "TTL", "k") // 1.5 s rounds to 2
	clock.Advance(700 * time.Millisecond)
	genExpect(t, c, ":800\r\n", "PTTL", "k")
	genExpect(t, c, ":1\r\n", "TTL", "k")
	clock.Advance(299 * time.Millisecond)
	genExpect(t, c, ":501\r\n", "PTTL", "k")
	genExpect(t, c, ":1\r\n", "TTL", "k")
	clock.Advance(2 * time.Millisecond)
	genExpect(t, c, ":499\r\n", "PTTL", "k")
	genExpect(t, c, ":0\r\n", "TTL", "k") // rounds down, yet the key lives
	now := clock.Now().UnixMilli()
	genExpect(t, c, ":"+strconv.FormatInt(now+499, 10)+"\r\n", "PEXPIRETIME", "k")
	genExpect(t, c, ":1\r\n", "PEXPIREAT", "k", strconv.FormatInt(now+10_250, 10))
	genExpect(t, c, ":10250\r\n", "PTTL", "k")
	genExpect(t, c, ":"+strconv.FormatInt((now+10_250+500)/1000, 10)+"\r\n", "EXPIRETIME", "k")
	genExpect(t, c, ":1\r\n", "PEXPIREAT", "k", strconv.FormatInt(now, 10)) // now: deletes
	genExpect(t, c, ":0\r\n", "EXISTS", "k")
}

func TestExpireClockActiveCycle(t *testing.T) {
	c, clock := genClockServer(t)
	const n = 500
	for d := 0; d < 3; d++ {
		genExpect(t, c, "+OK\r\n", "SELECT", strconv.Itoa(d))
		for i := 0; i < n; i++ {
			genExpect(t, c, "+OK\r\n", "SET", "k"+strconv.Itoa(i), "v", "EX", strconv.Itoa(10+i%5))
		}
		genExpect(t, c, "+OK\r\n", "SET", "keep", "v")
		genExpect(t, c, ":"+strconv.Itoa(n+1)+"\r\n", "DBSIZE")
	}
	// Nothing is due yet: the cycle must leave every key alone.
	clock.Advance(10 * time.Second)
	genExpect(t, c, ":"+strconv.Itoa(n+1)+"\r\n", "DBSIZE")
	// Past every expiry time: the keys, never touched again, must all be
	// reclaimed by the active cycle.
	clock.Advance(10 * time.Second)
	for d := 0; d < 3; d++ {
		genExpect(t, c, "+OK\r\n", "SELECT", strconv.Itoa(d))
		genWaitFor(t, c, ":1\r\n", "DBSIZE")
		genExpect(t, c, "*1\r\n$4\r\nkeep\r\n", "KEYS", "*")
	}
	info, err := c.Do("INFO", "stats")
	if err == nil && strings.Contains(string(info), "expired_keys:") &&
		!strings.Contains(string(info), "expired_keys:"+strconv.Itoa(3*n)+"\r\n") {
		t.Errorf("INFO stats does not count %d expired keys:\n%s", 3*n, info)
	}
}

func TestExpireClockKeysScanObject(t *testing.T) {
	c, clock := genClockServer(t)
	genExpect(t, c, "+OK\r\n", "SET", "live", "v")
	genExpect(t, c, "+OK\r\n", "SET", "dead", "v", "PX", "10")
	clock.Advance(20 * time.Millisecond)
	// KEYS skips the expired key; SCAN skips (and deletes) it.
	genExpect(t, c, "*1\r\n$4\r\nlive\r\n", "KEYS", "*")
	genExpect(t, c, "*2\r\n$1\r\n0\r\n*1\r\n$4\r\nlive\r\n", "SCAN", "0")
	genExpect(t, c, ":1\r\n", "DBSIZE")
	genExpect(t, c, "$4\r\nlive\r\n", "RANDOMKEY")

	genExpect(t, c, ":0\r\n", "OBJECT", "IDLETIME", "live")
	clock.Advance(5 * time.Second)
	genExpect(t, c, ":5\r\n", "OBJECT", "IDLETIME", "live")
	genExpect(t, c, "+string\r\n", "TYPE", "live") // TYPE does not touch
	genExpect(t, c, ":1\r\n", "EXISTS", "live")    // nor EXISTS
	genExpect(t, c, ":5\r\n", "OBJECT", "IDLETIME", "live")
	genExpect(t, c, ":1\r\n", "TOUCH", "live")
	genExpect(t, c, ":0\r\n", "OBJECT", "IDLETIME", "live")
	clock.Advance(3 * time.Second)
	genExpect(t, c, "$1\r\nv\r\n", "GET", "live")
	genExpect(t, c, ":0\r\n", "OBJECT", "IDLETIME", "live")
	clock.Advance(3 * time.Second)
	genExpect(t, c, "+OK\r\n", "RENAME", "live", "moved") // RENAME touches its source
	genExpect(t, c, ":0\r\n", "OBJECT", "IDLETIME", "moved")
}

// TestExpireDebugSetActiveExpire: with DEBUG SET-ACTIVE-EXPIRE 0 an
// expired key that nobody reads stays counted by DBSIZE; turned back on,
// the periodic cycle deletes it. The argument is read as C's atoi.
func TestExpireDebugSetActiveExpire(t *testing.T) {
	p := pair(t)
	t.Cleanup(func() { p.Both("DEBUG", "SET-ACTIVE-EXPIRE", "1") })
	p.CheckAll(Script(`
		DEBUG SET-ACTIVE-EXPIRE
		DEBUG SET-ACTIVE-EXPIRE 1 2
		DEBUG SET-ACTIVE-EXPIRE x
		DEBUG SET-ACTIVE-EXPIRE " 2x"
		DEBUG SET-ACTIVE-EXPIRE 0
		SET ae:k v PX 1
	`))
	time.Sleep(150 * time.Millisecond) // several cron periods
	p.Check("DBSIZE")
	p.Check("DEBUG", "SET-ACTIVE-EXPIRE", "1")
	deadline := time.Now().Add(5 * time.Second)
	for _, c := range []*Conn{p.Redis, p.Ember} {
		for {
			r, err := c.Do("DBSIZE")
			if err != nil {
				t.Fatal(err)
			}
			if string(r) == ":0\r\n" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the expired key was not deleted: DBSIZE %q", r)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}
