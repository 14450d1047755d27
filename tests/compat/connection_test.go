package compat

import (
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ember-kv/ember"
	"github.com/ember-kv/ember/internal/command"
)

func TestConnectionBasics(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		PING
		PING hello
		ping "with space"
		PING a b
		ECHO ""
		ECHO "bin\x00ary"
		ECHO
		NOSUCHCOMMAND a b c
		nosuch
	`))
}

// helloID matches the id field of a HELLO reply, which names the
// connection and so differs between the servers.
var helloID = regexp.MustCompile(`\$2\r\nid\r\n:\d+\r\n`)

// normalizeHello blanks the connection ID in HELLO replies.
func normalizeHello(args []string, reply []byte) []byte {
	return helloID.ReplaceAll(reply, []byte("$2\r\nid\r\n:0\r\n"))
}

// TestHello compares HELLO in both protocols, with every option and error.
func TestHello(t *testing.T) {
	p := pair(t)
	p.Normalize = normalizeHello
	p.CheckAll(Script(`
		HELLO
		PING
		HELLO 3
		HELLO
		PING
		ECHO x
		CLIENT GETNAME
		HELLO 2
		HELLO
		hello 3 setname conn1
		CLIENT GETNAME
		HELLO 2 SETNAME ""
		CLIENT GETNAME
		HELLO 3 SETNAME "a b"
		PING
		HELLO 2 SETNAME "bad\nname"
		HELLO 2 SETNAME "\x80"
		HELLO 3 AUTH default anything
		HELLO 2 AUTH default anything SETNAME n2
		CLIENT GETNAME
		HELLO 3 AUTH bob pass
		HELLO 3 AUTH default
		HELLO 3 AUTH
		HELLO 3 SETNAME
		HELLO 3 FOO
		HELLO 3 SETNAME x FOO
		HELLO 2 auth default x setname y extra
		HELLO 4
		HELLO 1
		HELLO 0
		HELLO -2
		HELLO abc
		HELLO 3.0
		HELLO 03
		HELLO " 3"
		HELLO 99999999999999999999
		HELLO ""
		HELLO 4 FOO
		HELLO abc FOO
		CLIENT GETNAME
		HELLO 2
	`))
}

// TestAuthNoPassword compares AUTH with no requirepass configured.
func TestAuthNoPassword(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		AUTH x
		AUTH default x
		AUTH default ""
		AUTH bob x
		AUTH a b c
		AUTH
		auth DEFAULT x
		PING
	`))
}

// TestReset compares RESET: name, protocol, database, reply mode.
func TestReset(t *testing.T) {
	p := pair(t)
	p.Normalize = normalizeHello
	select1 := ""
	if command.LookupString("select") != nil {
		select1 = "SELECT 1"
	}
	p.CheckAll(Script(`
		CLIENT SETNAME before
		HELLO 3
		` + select1 + `
		RESET
		CLIENT GETNAME
		PING
		HELLO
		CLIENT NO-EVICT on
		RESET
		RESET x
		reset
	`))
	if select1 != "" && command.LookupString("set") != nil && command.LookupString("get") != nil {
		p.CheckAll(Script(`
			SELECT 2
			SET resetkey v
			RESET
			GET resetkey
			SELECT 2
			GET resetkey
			RESET
		`))
	}
	// RESET ends CLIENT REPLY OFF; a SKIP just before RESET drops RESET's
	// own reply.
	for _, c := range []*Conn{p.Redis, p.Ember} {
		sendRaw(t, c, Encode("CLIENT", "REPLY", "OFF"), Encode("PING"), Encode("RESET"), Encode("PING"),
			Encode("CLIENT", "REPLY", "SKIP"), Encode("RESET"), Encode("ECHO", "after"))
	}
	want := readN(t, p.Redis, 3)
	got := readN(t, p.Ember, 3)
	if want != got {
		t.Errorf("RESET with CLIENT REPLY:\n redis: %q\n ember: %q", want, got)
	}
	if want != "+RESET\r\n+PONG\r\n$5\r\nafter\r\n" {
		t.Errorf("unexpected redis replies %q", want)
	}
	expectNoMore(t, p.Redis, "redis")
	expectNoMore(t, p.Ember, "ember")
}

func sendRaw(t *testing.T, c *Conn, cmds ...[]byte) {
	t.Helper()
	var b []byte
	for _, cmd := range cmds {
		b = append(b, cmd...)
	}
	if err := c.Send(b); err != nil {
		t.Fatal(err)
	}
}

// readN reads n replies and returns them concatenated.
func readN(t *testing.T, c *Conn, n int) string {
	t.Helper()
	var out []byte
	for i := 0; i < n; i++ {
		r, err := c.Read()
		if err != nil {
			t.Fatalf("reading reply %d: %v (so far %q)", i, err, out)
		}
		out = append(out, r...)
	}
	return string(out)
}

// expectNoMore checks that no further reply is pending: it sends a PING
// and expects its PONG to be the next reply.
func expectNoMore(t *testing.T, c *Conn, who string) {
	t.Helper()
	r, err := c.Do("ECHO", "sentinel-check")
	if err != nil {
		t.Fatalf("%s: %v", who, err)
	}
	if string(r) != "$14\r\nsentinel-check\r\n" {
		t.Errorf("%s: unexpected extra reply %q", who, r)
	}
}

// TestAuthRequirePass compares authentication with requirepass set, on a
// second pair of servers started with a password.
func TestAuthRequirePass(t *testing.T) {
	if redisSrv == nil {
		t.Skip(redisErr.Error())
	}
	r := startRedisWithPassword(t, "s3cret")
	e, err := ember.Start(ember.Config{Password: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	rc, err := Dial(r.Addr)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := Dial(e.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rc.Close(); ec.Close() })
	p := &Pair{T: t, Redis: rc, Ember: ec, Normalize: normalizeHello}
	p.CheckAll(Script(`
		PING
		ECHO x
		CLIENT ID
		COMMAND COUNT
		nosuch
		HELLO
		HELLO 3
		HELLO 2 SETNAME x
		HELLO 4
		HELLO 3 AUTH default wrong
		HELLO 3 AUTH bob s3cret
		AUTH wrong
		AUTH default wrong
		AUTH bob s3cret
		AUTH a b c
		PING
		AUTH s3cret
		PING
		AUTH wrong
		PING
		AUTH default s3cret
		RESET
		PING
		HELLO 3 AUTH default s3cret SETNAME authed
		PING
		CLIENT GETNAME
		RESET
		CLIENT GETNAME
		HELLO 2 AUTH default s3cret
		QUIT
	`))
}

// authLimits checks on one connection to a server with requirepass "s3cret"
// that an unauthenticated client is held to Redis's tighter protocol
// limits, that AUTH lifts them and that RESET restores them; it returns
// the replies.
func authLimits(t *testing.T, addr string) string {
	t.Helper()
	c, err := Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	args := []string{"PING"} // 11 arguments: over the limit of 10
	for i := 0; i < 10; i++ {
		args = append(args, "x")
	}
	sendRaw(t, c, Encode("AUTH", "s3cret"), Encode(args...), Encode("RESET"), Encode(args...))
	out := readN(t, c, 4)
	if _, err := c.ReadTimeout(5 * time.Second); err == nil {
		t.Errorf("connection still open after a protocol error")
	}
	return out
}

func TestAuthUnauthenticatedLimits(t *testing.T) {
	if redisSrv == nil {
		t.Skip(redisErr.Error())
	}
	r := startRedisWithPassword(t, "s3cret")
	e, err := ember.Start(ember.Config{Password: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	want, got := authLimits(t, r.Addr), authLimits(t, e.Addr())
	if want != got {
		t.Errorf("redis: %q\nember: %q", want, got)
	}
}

// startRedisWithPassword starts a redis-server whose default user has a
// password (StartRedis waits for a PONG, so the password is set after).
func startRedisWithPassword(t *testing.T, pass string) *Redis {
	t.Helper()
	r, err := StartRedis()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	c, err := Dial(r.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if reply, err := c.Do("CONFIG", "SET", "requirepass", pass); err != nil || string(reply) != "+OK\r\n" {
		t.Fatalf("CONFIG SET requirepass: %q %v", reply, err)
	}
	return r
}

// TestIdleTimeout: with the timeout directive both servers close a
// connection that sends no command for longer, and leave a subscriber
// open. The pair's own connections keep sending, so they stay.
func TestIdleTimeout(t *testing.T) {
	p := pair(t)
	t.Cleanup(func() { p.Both("CONFIG", "SET", "timeout", "0") })
	p.Check("CONFIG", "SET", "timeout", "1")
	type side struct {
		name      string
		own       *Conn
		idle, sub *Conn
		closed    bool
	}
	var sides []*side
	for name, own := range map[string]*Conn{"redis": p.Redis, "ember": p.Ember} {
		addr := redisSrv.Addr
		if name == "ember" {
			addr = emberSrv.Addr()
		}
		sd := &side{name: name, own: own}
		var err error
		if sd.idle, err = Dial(addr); err != nil {
			t.Fatal(err)
		}
		if sd.sub, err = Dial(addr); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sd.idle.Close(); sd.sub.Close() })
		if r, err := sd.sub.Do("SUBSCRIBE", "idle-ch"); err != nil || !strings.HasPrefix(string(r), "*3\r\n") {
			t.Fatalf("%s: SUBSCRIBE = %q, %v", name, r, err)
		}
		sides = append(sides, sd)
	}
	// Wait for both idle connections to close, keeping the pair's own busy.
	deadline := time.Now().Add(6 * time.Second)
	for open := len(sides); open > 0; {
		if time.Now().After(deadline) {
			t.Fatal("an idle connection was not closed within 6 s")
		}
		for _, sd := range sides {
			if r, err := sd.own.Do("PING"); err != nil || string(r) != "+PONG\r\n" {
				t.Fatalf("%s: a busy connection: %q, %v", sd.name, r, err)
			}
			if sd.closed {
				continue
			}
			r, err := sd.idle.ReadTimeout(50 * time.Millisecond)
			if err == nil {
				t.Fatalf("%s: an idle connection read %q, want it closed", sd.name, r)
			}
			if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
				sd.closed = true
				open--
			}
		}
	}
	for _, sd := range sides {
		if r, err := sd.sub.Do("PING"); err != nil || string(r) != "*2\r\n$4\r\npong\r\n$0\r\n\r\n" {
			t.Fatalf("%s: subscriber after the timeout: %q, %v", sd.name, r, err)
		}
	}
}
