package compat

import (
	"regexp"
	"testing"
	"time"
)

var blockedClientsRe = regexp.MustCompile(`blocked_clients:(\d+)`)

// blockedClients reads INFO's blocked_clients from a server.
func blockedClients(t *testing.T, c *Conn) string {
	t.Helper()
	reply, err := c.Do("INFO", "clients")
	if err != nil {
		t.Fatal(err)
	}
	m := blockedClientsRe.FindSubmatch(reply)
	if m == nil {
		t.Fatalf("no blocked_clients in %q", reply)
	}
	return string(m[1])
}

// TestInfoBlockedClients: INFO counts clients blocked in BLPOP, on both
// servers, and stops counting them once a push serves them.
func TestInfoBlockedClients(t *testing.T) {
	p := pair(t)
	for _, srv := range []struct {
		name string
		addr string
		ctl  *Conn
	}{{"redis", redisSrv.Addr, p.Redis}, {"ember", emberSrv.Addr(), p.Ember}} {
		waiter, err := Dial(srv.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer waiter.Close()
		if err := waiter.Send(Encode("BLPOP", "bi:q", "0")); err != nil {
			t.Fatal(err)
		}
		awaitValue(t, srv.name, func() string { return blockedClients(t, srv.ctl) }, "1")
		if r, _ := srv.ctl.Do("LPUSH", "bi:q", "x"); string(r) != ":1\r\n" {
			t.Fatalf("%s LPUSH: %q", srv.name, r)
		}
		if r, err := waiter.Read(); err != nil || string(r) != "*2\r\n$4\r\nbi:q\r\n$1\r\nx\r\n" {
			t.Fatalf("%s BLPOP: %q %v", srv.name, r, err)
		}
		awaitValue(t, srv.name, func() string { return blockedClients(t, srv.ctl) }, "0")
	}
}

// awaitValue polls get until it returns want, failing after ten seconds.
func awaitValue(t *testing.T, who string, get func() string, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := get()
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: got %q, waited for %q", who, got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestInfoTracking: INFO counts tracking clients and the keys and items of
// the tracking table the same way on both servers.
func TestInfoTracking(t *testing.T) {
	p := pair(t)
	field := func(c *Conn, section, name string) string {
		t.Helper()
		reply, err := c.Do("INFO", section)
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(name + `:(\d+)`).FindSubmatch(reply)
		if m == nil {
			t.Fatalf("no %s in %q", name, reply)
		}
		return string(m[1])
	}
	for _, c := range []*Conn{p.Redis, p.Ember} {
		for _, cmd := range [][]string{{"HELLO", "3"}, {"CLIENT", "TRACKING", "ON"}, {"MSET", "it:a", "1", "it:b", "2"}, {"GET", "it:a"}, {"MGET", "it:a", "it:b"}} {
			if _, err := c.Do(cmd...); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range [][2]string{{"clients", "tracking_clients"}, {"stats", "tracking_total_keys"}, {"stats", "tracking_total_items"}, {"stats", "tracking_total_prefixes"}} {
		if r, e := field(p.Redis, f[0], f[1]), field(p.Ember, f[0], f[1]); r != e {
			t.Errorf("%s: redis %s, ember %s", f[1], r, e)
		}
	}
	for _, c := range []*Conn{p.Redis, p.Ember} {
		c.Do("CLIENT", "TRACKING", "OFF")
		c.Do("HELLO", "2")
	}
}
