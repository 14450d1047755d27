package compat

import (
	"regexp"
	"testing"
	"time"
)

// monitorNorm hides what differs between two servers in a MONITOR line:
// the time and the client's port.
var monitorNorm = regexp.MustCompile(`^\+\d+\.\d{6} \[(\d+) ([^:\]]+)(:\d+)?\]`)

// TestMonitor compares what MONITOR shows: argument quoting, databases,
// script commands ("lua"), redacted passwords, MULTI/EXEC, commands that
// are rejected or administrative (not shown), blocking commands (shown
// once), and the monitor's own commands.
func TestMonitor(t *testing.T) {
	p := pair(t)
	mon := listDialSide(t)
	mon.send("MONITOR")
	mon.check("MONITOR")
	other := txnSide(t)
	script := Script(`
		SET "k\x01\"" "\\\n\t\xc3\x7f \a\b\r"
		SELECT 3
		INCR -1
		AUTH x
		AUTH x y z
		NOPE
		GET "a b"
		PING a b c
		BLPOP mon:nolist 0.01
		HELLO 2 AUTH a b
		HELLO 2 SETNAME x AUTH a b c
		HELLO 4 AUTH a b
		CLIENT LIST
		CONFIG GET x
		EVAL "return redis.call('get','a')" 0
		EVALSHA 0000000000000000000000000000000000000000 0
		MULTI
		SET a b
		NOPE
		EXEC
		MULTI
		SET a b
		EXEC
		SELECT 0
	`)
	for _, cmd := range script {
		other.Both(cmd...)
	}
	// 20 commands are shown: every command above but the rejected,
	// administrative and queued ones.
	readLines := func(n int) {
		for i := 0; i < n; i++ {
			rr, err := mon.redis.ReadTimeout(5 * time.Second)
			if err != nil {
				t.Fatalf("redis line %d: %v", i, err)
			}
			er, err := mon.ember.ReadTimeout(5 * time.Second)
			if err != nil {
				t.Fatalf("ember line %d: %v (redis: %q)", i, err, rr)
			}
			rn := monitorNorm.ReplaceAllString(string(rr), "[$1 $2]")
			en := monitorNorm.ReplaceAllString(string(er), "[$1 $2]")
			if rn != en {
				t.Errorf("line %d\n redis: %q\n ember: %q", i, rr, er)
			}
		}
	}
	readLines(20)
	mon.silent(20 * time.Millisecond)
	// The monitor's own commands: the reply, then the line; keyspace
	// commands are refused; a second MONITOR is ignored.
	mon.send("PING")
	mon.check("PING")
	readLines(1)
	for _, cmd := range [][]string{{"GET", "x"}, {"PUBLISH", "a", "b"}} {
		mon.send(cmd...)
		mon.check(cmd[0])
	}
	mon.send("MONITOR")
	mon.send("SELECT", "2")
	mon.check("SELECT")
	readLines(1)
	// MONITOR inside a transaction is refused at EXEC.
	p.CheckAll(Script(`
		MULTI
		MONITOR
		EXEC
	`))
}
