package compat

import (
	"testing"
	"time"
)

// TestScriptingPauseWrite: under CLIENT PAUSE WRITE, a script or function
// that declares no-writes runs at once (Redis replaces EVAL's and FCALL's
// command flags with the declared ones), while a script without a shebang
// waits for the pause to end.
func TestScriptingPauseWrite(t *testing.T) {
	p := pair(t)
	p.Both("FUNCTION", "FLUSH")
	p.Check("FUNCTION", "LOAD", "#!lua name=pauselib\n"+
		"redis.register_function{function_name='ro', callback=function() return 7 end, flags={'no-writes'}}\n"+
		"redis.register_function('rw', function() return 8 end)")
	sha := string(p.Check("SCRIPT", "LOAD", "#!lua flags=no-writes\nreturn 2"))
	sha = sha[len(sha)-42 : len(sha)-2] // the bulk string's 40 hex digits
	t.Cleanup(func() {
		p.Both("CLIENT", "UNPAUSE")
		p.Both("FUNCTION", "FLUSH")
	})
	p.Both("CLIENT", "PAUSE", "60000", "WRITE")
	p.CheckAll(Script(`
EVAL "#!lua flags=no-writes\nreturn 1" 0
EVALSHA ` + sha + ` 0
FCALL ro 0
EVAL_RO "return 3" 0
FCALL_RO ro 0
`))
	// A script that may write is held back on both servers until UNPAUSE.
	for _, c := range []*Conn{p.Redis, p.Ember} {
		if err := c.Send(Encode("EVAL", "return 4", "0")); err != nil {
			t.Fatal(err)
		}
		if r, err := c.ReadTimeout(200 * time.Millisecond); err == nil {
			t.Fatalf("EVAL without a shebang ran during the pause: %q", r)
		}
	}
	// The paused connections wait for their EVAL: UNPAUSE from others.
	for _, addr := range []string{redisSrv.Addr, emberSrv.Addr()} {
		admin, err := Dial(addr)
		if err != nil {
			t.Fatal(err)
		}
		if r, err := admin.Do("CLIENT", "UNPAUSE"); err != nil || string(r) != "+OK\r\n" {
			t.Fatalf("%s: CLIENT UNPAUSE = %q, %v", addr, r, err)
		}
		admin.Close()
	}
	for name, c := range map[string]*Conn{"redis": p.Redis, "ember": p.Ember} {
		r, err := c.ReadTimeout(10 * time.Second)
		if err != nil || string(r) != ":4\r\n" {
			t.Fatalf("%s: EVAL after UNPAUSE = %q, %v", name, r, err)
		}
	}
}

// TestPauseTransactionOfReadOnlyScripts: under CLIENT PAUSE WRITE, EXEC
// of a transaction that queued only no-writes scripts runs at once: the
// scripts' declared flags decide, not EVAL's.
func TestPauseTransactionOfReadOnlyScripts(t *testing.T) {
	p := pair(t)
	t.Cleanup(func() { p.Both("CLIENT", "UNPAUSE") })
	p.Both("CLIENT", "PAUSE", "60000", "WRITE")
	p.CheckAll(Script(`
MULTI
EVAL "#!lua flags=no-writes\nreturn 12" 0
EVAL_RO "return 13" 0
EXEC
`))
}

// TestPauseHoldsExpiry: while clients are paused, a key whose time to
// live ran out reads as gone but is not deleted (expired_keys does not
// move, and active expiry is held back too); the first lookup after
// UNPAUSE deletes it.
func TestPauseHoldsExpiry(t *testing.T) {
	p := pair(t)
	t.Cleanup(func() { p.Both("CLIENT", "UNPAUSE") })
	conns := map[string]*Conn{"redis": p.Redis, "ember": p.Ember}
	before := map[string]int64{}
	for name, c := range conns {
		before[name] = genInfoField(t, c, "expired_keys")
	}
	p.CheckAll(Script(`
MULTI
SET pausekey v PX 20
CLIENT PAUSE 60000 WRITE
EXEC
`))
	// Wait until the time to live has run out on both servers.
	for name, c := range conns {
		deadline := time.Now().Add(5 * time.Second)
		for {
			r, err := c.Do("PTTL", "pausekey")
			if err != nil {
				t.Fatal(err)
			}
			if string(r) == ":-2\r\n" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: PTTL still %q", name, r)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	p.CheckAll(Script(`
GET pausekey
EXISTS pausekey
`))
	for name, c := range conns {
		if n := genInfoField(t, c, "expired_keys") - before[name]; n != 0 {
			t.Errorf("%s: %d keys expired during the pause, want 0", name, n)
		}
	}
	p.Both("CLIENT", "UNPAUSE")
	p.Check("GET", "pausekey")
	for name, c := range conns {
		if n := genInfoField(t, c, "expired_keys") - before[name]; n < 1 {
			t.Errorf("%s: no key expired after UNPAUSE and GET", name)
		}
	}
}
