package compat

import (
	"bytes"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ember-kv/ember"
	"github.com/ember-kv/ember/embertest"
)

// latencyNormalize blanks the measured parts of LATENCY replies (times,
// milliseconds, microsecond buckets, percentiles, the text of GRAPH and
// DOCTOR) and sorts what Redis lists in hash order, keeping their shape,
// the event classes, the commands and their calls.
func latencyNormalize(args []string, reply []byte) []byte {
	if len(args) >= 2 && strings.EqualFold(args[0], "INFO") && strings.EqualFold(args[1], "latencystats") {
		lines := strings.Split(strings.TrimSpace(string(reply[bytes.IndexByte(reply, '\n')+1:])), "\r\n")
		sort.Strings(lines)
		return []byte(latencyNumbers.ReplaceAllString(strings.Join(lines, "\n"), "N"))
	}
	if len(args) < 2 || !strings.EqualFold(args[0], "LATENCY") || reply[0] == '-' {
		return reply
	}
	t, err := parseReplyTree(reply)
	if err != nil {
		return reply
	}
	zero := func() *replyTree { return &replyTree{kind: ':', head: []byte(":0\r\n")} }
	switch strings.ToLower(args[1]) {
	case "latest":
		for _, e := range t.elems {
			e.elems[1], e.elems[2], e.elems[3] = zero(), zero(), zero()
		}
		t.sortElems()
	case "history":
		for _, e := range t.elems {
			e.elems[0], e.elems[1] = zero(), zero()
		}
	case "graph", "doctor":
		return []byte{t.kind}
	case "histogram":
		// name -> {calls, histogram_usec -> {µs: count}}
		for i := 1; i < len(t.elems); i += 2 {
			m := t.elems[i]
			for j := 0; j+1 < len(m.elems); j += 2 {
				if m.elems[j].text() == "histogram_usec" {
					m.elems[j+1] = &replyTree{kind: m.elems[j+1].kind, head: []byte{m.elems[j+1].kind, '0', '\r', '\n'}}
				}
			}
		}
		t.sortPairs()
	}
	return t.encode()
}

var latencyNumbers = regexp.MustCompile(`=[0-9.]+`)

// TestLatency compares LATENCY and INFO latencystats with a Redis: the
// monitor off and on (DEBUG SLEEP makes a "command" sample), HISTORY,
// RESET, GRAPH's and DOCTOR's reply types, the errors, and which commands
// LATENCY HISTOGRAM and INFO latencystats report, with their calls,
// after CONFIG RESETSTAT; in RESP2 and RESP3.
func TestLatency(t *testing.T) {
	if redisSrv == nil {
		t.Skip(redisErr.Error())
	}
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			raddr := srvStartRedis(t, "--enable-debug-command", "yes")
			e := embertest.Run(t, ember.Config{Directives: map[string]string{"enable-debug-command": "yes"}})
			p := srvPair(t, raddr, e.Addr())
			p.Normalize = latencyNormalize
			p.Both("HELLO", proto)
			p.CheckAll(Script(`
				LATENCY LATEST
				LATENCY HISTORY command
				LATENCY DOCTOR
				LATENCY GRAPH command
				LATENCY RESET
				DEBUG SLEEP 0.02
				LATENCY LATEST
				CONFIG SET latency-monitor-threshold 10
				PING
				DEBUG SLEEP 0
				LATENCY LATEST
				DEBUG SLEEP 0.02
				LATENCY LATEST
				LATENCY HISTORY command
				LATENCY HISTORY fast-command
				LATENCY GRAPH command
				LATENCY GRAPH nosuch
				LATENCY DOCTOR
				LATENCY HISTORY
				LATENCY GRAPH
				LATENCY nosuch
				LATENCY
				LATENCY RESET nosuch
				LATENCY RESET nosuch command
				LATENCY LATEST
				LATENCY RESET
				CONFIG SET latency-monitor-threshold 0
				CONFIG RESETSTAT
				SET k v
				SET k v2
				GET k
				CLIENT GETNAME
				CONFIG GET latency-tracking
				LATENCY HISTOGRAM client
				LATENCY HISTOGRAM set get config|get nosuch
				LATENCY HISTOGRAM nosuch
				INFO latencystats
				CONFIG SET latency-tracking-info-percentiles "50 99.99"
				INFO latencystats
				CONFIG SET latency-tracking no
				SET k v3
				INFO latencystats
				LATENCY HISTOGRAM set
				CONFIG SET latency-tracking yes
				CONFIG RESETSTAT
				LATENCY HISTOGRAM
			`))
		})
	}
}

// TestLatencySamples checks what TestLatency blanks, on Ember alone: a
// DEBUG SLEEP of 30 ms is a "command" sample of 30 ms or more at the
// server's time, and a command's histogram puts it in the right step.
func TestLatencySamples(t *testing.T) {
	e := embertest.Run(t, ember.Config{Directives: map[string]string{"enable-debug-command": "yes", "latency-monitor-threshold": "10"}})
	c, err := Dial(e.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Do("DEBUG", "SLEEP", "0.03"); err != nil {
		t.Fatal(err)
	}
	reply, _ := c.Do("LATENCY", "LATEST")
	tree, err := parseReplyTree(reply)
	if err != nil || len(tree.elems) != 1 || tree.elems[0].elems[0].text() != "command" {
		t.Fatalf("LATENCY LATEST = %q", reply)
	}
	ms, _ := strconv.Atoi(tree.elems[0].elems[2].text())
	top, _ := strconv.Atoi(tree.elems[0].elems[3].text())
	if ms < 30 || ms > 10000 || top != ms {
		t.Errorf("LATENCY LATEST = %q: want 30 ms or a little more, twice", reply)
	}
	reply, _ = c.Do("LATENCY", "HISTOGRAM", "debug")
	tree, err = parseReplyTree(reply)
	if err != nil || len(tree.elems) != 2 {
		t.Fatalf("LATENCY HISTOGRAM debug = %q", reply)
	}
	steps := tree.elems[1].elems[3].elems
	if len(steps) != 2 || steps[1].text() != "1" {
		t.Fatalf("LATENCY HISTOGRAM debug = %q, want one step holding the call", reply)
	}
	if us, _ := strconv.Atoi(steps[0].text()); us < 30000 || us > 10_000_000 {
		t.Errorf("DEBUG SLEEP 0.03 counted at %d µs", us)
	}
}
