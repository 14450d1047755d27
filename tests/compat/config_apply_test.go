package compat

import (
	"net"
	"strconv"
	"testing"

	"github.com/ember-kv/ember/embertest"
)

// TestConfigSetPortInUse compares CONFIG SET port with a port another
// socket holds, and bind with an address no interface has: the same
// errors on both servers, and every directive of the CONFIG SET keeps its
// old value (Redis's rollback on apply error).
func TestConfigSetPortInUse(t *testing.T) {
	if redisSrv == nil {
		t.Skip(redisErr.Error())
	}
	raddr := srvStartRedis(t, "--bind", "127.0.0.1")
	p := srvPair(t, raddr, embertest.Run(t).Addr())
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	used := strconv.Itoa(held.Addr().(*net.TCPAddr).Port)
	p.CheckAll([][]string{
		{"CONFIG", "GET", "maxmemory"},
		{"CONFIG", "SET", "port", used},
		{"CONFIG", "SET", "maxmemory", "10000001", "port", used, "client-query-buffer-limit", "10mb"},
		{"CONFIG", "GET", "maxmemory"},
		{"CONFIG", "GET", "client-query-buffer-limit"},
		// An address of no interface here (TEST-NET-1): nothing is sent.
		{"CONFIG", "SET", "bind", "192.0.2.1"},
		{"PING"},
	})
	// Ember still listens where it did.
	if c, err := Dial(p.Ember.c.RemoteAddr().String()); err != nil {
		t.Errorf("after the failed CONFIG SETs Ember no longer accepts connections: %v", err)
	} else {
		c.Close()
	}
	for _, c := range []*Conn{p.Redis, p.Ember} {
		if got, _ := c.Do("CONFIG", "GET", "port"); string(got) == "*2\r\n$4\r\nport\r\n$"+strconv.Itoa(len(used))+"\r\n"+used+"\r\n" {
			t.Errorf("the port in use stayed configured: %q", got)
		}
	}
}

// TestConfigSetPort checks that CONFIG SET port moves Ember's listener:
// the new port answers, the old one no longer does, and a client already
// connected keeps its connection.
func TestConfigSetPort(t *testing.T) {
	e := embertest.Run(t)
	old := e.Addr()
	c, err := Dial(old)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(free.Addr().(*net.TCPAddr).Port)
	free.Close()
	if got, err := c.Do("CONFIG", "SET", "port", port); err != nil || string(got) != "+OK\r\n" {
		t.Fatalf("CONFIG SET port %s = %q, %v", port, got, err)
	}
	if want := "127.0.0.1:" + port; e.Addr() != want {
		t.Errorf("Addr = %s, want %s", e.Addr(), want)
	}
	n, err := Dial("127.0.0.1:" + port)
	if err != nil {
		t.Fatalf("the new port does not answer: %v", err)
	}
	defer n.Close()
	if got, _ := n.Do("PING"); string(got) != "+PONG\r\n" {
		t.Errorf("PING on the new port = %q", got)
	}
	if conn, err := net.Dial("tcp", old); err == nil {
		conn.Close()
		t.Errorf("the old address %s still accepts connections", old)
	}
	if got, _ := c.Do("PING"); string(got) != "+PONG\r\n" {
		t.Errorf("PING on the connection made before = %q", got)
	}
}
