package main

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ember-kv/ember/bench/internal/benchtest"
)

func TestParseFlags(t *testing.T) {
	var stderr strings.Builder
	o, err := parseFlags(nil, &stderr)
	if err != nil || o.conns != 10000 || o.settle != 5*time.Second || o.JSONPath != "bench/out/conns.json" {
		t.Fatalf("defaults: %+v %v", o, err)
	}
	for _, bad := range [][]string{{"-conns", "0"}, {"-parallel", "0"}, {"-settle", "-1s"}, {"extra"}} {
		if _, err := parseFlags(bad, &stderr); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestOpenConns opens PINGed connections to a tiny fake server and stops
// at the first failure.
func TestOpenConns(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for i := 0; ; i++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn, i int) {
				buf := make([]byte, 64)
				c.Read(buf)
				if i >= 30 {
					c.Write([]byte("-ERR max number of clients reached\r\n"))
					c.Close()
					return
				}
				c.Write([]byte("+PONG\r\n"))
			}(c, i)
		}
	}()
	conns, err := openConns(context.Background(), ln.Addr().String(), 20, 4)
	if err != nil || len(conns) != 20 {
		t.Fatalf("%d connections, %v", len(conns), err)
	}
	more, err := openConns(context.Background(), ln.Addr().String(), 50, 4)
	if err == nil || len(more) < 10 || len(more) >= 50 {
		t.Fatalf("past the limit: %d connections, %v", len(more), err)
	}
	for _, c := range append(conns, more...) {
		c.Close()
	}
}

// TestSmoke runs the whole program with a few hundred connections.
func TestSmoke(t *testing.T) {
	jsonPath := filepath.Join(t.TempDir(), "c.json")
	var rep report
	benchtest.Smoke(t, run, 2*time.Minute, []string{"redis-server"},
		[]string{"-conns", "300", "-settle", "100ms", "-pin=false", "-json", jsonPath}, jsonPath, &rep)
	for name, r := range map[string]sideResult{"redis": rep.Redis, "ember": rep.Ember} {
		if r.Conns != 300 || r.RSSBefore <= 0 || r.RSSSettled <= 0 {
			t.Errorf("%s: %+v", name, r)
		}
	}
	if rep.Ember.GoStackPerConn <= 0 {
		t.Errorf("ember Go stacks per connection: %v", rep.Ember.GoStackPerConn)
	}
}
