package compat

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ember-kv/ember"
	"github.com/ember-kv/ember/embertest"
)

// slowlogNormalize blanks what differs between two servers in a SLOWLOG
// GET reply: each entry's time and duration, and the client's address
// (its port), except a script's "?:0". The other fields (id, arguments,
// name) are compared as they are.
func slowlogNormalize(args []string, reply []byte) []byte {
	if len(args) < 2 || !strings.EqualFold(args[0], "SLOWLOG") || !strings.EqualFold(args[1], "GET") {
		return reply
	}
	t, err := parseReplyTree(reply)
	if err != nil || t.kind != '*' {
		return reply
	}
	for _, e := range t.elems {
		if e.kind != '*' || len(e.elems) != 6 {
			continue
		}
		e.elems[1] = &replyTree{kind: ':', head: []byte(":0\r\n")}
		e.elems[2] = &replyTree{kind: ':', head: []byte(":0\r\n")}
		if e.elems[4].text() != "?:0" {
			e.elems[4] = &replyTree{kind: '$', body: []byte("addr")}
		}
	}
	return t.encode()
}

// slowlogPair starts a Redis and an Ember of their own (the slow log is
// the whole server's) and logs every command on both.
func slowlogPair(t *testing.T) *Pair {
	t.Helper()
	if redisSrv == nil {
		t.Skip(redisErr.Error())
	}
	p := srvPair(t, srvStartRedis(t), embertest.Run(t).Addr())
	p.Normalize = slowlogNormalize
	p.Check("CONFIG", "SET", "slowlog-log-slower-than", "0")
	return p
}

// TestSlowlog compares the slow log's entries and SLOWLOG's replies and
// errors, with every command logged: ids, argument lists cut at 32
// arguments and 128 bytes, redacted passwords, client names, the commands
// of a transaction (not EXEC) and of a script (with a script's address),
// slowlog-max-len, RESET and the thresholds that log nothing.
func TestSlowlog(t *testing.T) {
	p := slowlogPair(t)
	long := strings.Repeat("v", 200)
	many := "RPUSH list" + strings.Repeat(" e", 40)
	p.CheckAll(Script(`
		SLOWLOG LEN
		SLOWLOG GET
		SET foo bar
		SET k ` + long + `
		` + many + `
		CLIENT SETNAME myname
		GET foo
		SLOWLOG GET 3
		SLOWLOG GET 0
		SLOWLOG GET -1
		SLOWLOG GET -2
		SLOWLOG GET abc
		SLOWLOG GET 1 2
		SLOWLOG LEN x
		SLOWLOG RESET x
		SLOWLOG nosuch
		SLOWLOG
		SLOWLOG LEN
		SLOWLOG RESET
		SLOWLOG LEN
		SLOWLOG GET
		AUTH secret
		AUTH user secret
		AUTH a b c
	`))
	// HELLO's reply has the connection's id, which differs.
	p.Both("HELLO", "2", "AUTH", "default", "secret", "SETNAME", "other")
	p.CheckAll(Script(`
		CONFIG SET requirepass "" slowlog-max-len 128
		CONFIG SET nosuch x requirepass y
		MIGRATE 127.0.0.1 1 k 0 10 AUTH pw
		SLOWLOG GET 8
		MULTI
		SET a 1
		INCR a
		EXEC
		EVAL "redis.call('set', 'x', 'y'); return redis.call('get', 'x')" 0
		EVAL "return redis.call('incr', KEYS[1])" 1 a
		SLOWLOG GET 7
		CONFIG SET slowlog-max-len 3
		SLOWLOG LEN
		PING
		SLOWLOG LEN
		SLOWLOG GET
		CONFIG SET slowlog-max-len 0
		PING
		SLOWLOG LEN
		SLOWLOG GET
		CONFIG SET slowlog-max-len 128
		CONFIG SET slowlog-log-slower-than -1
		PING
		SLOWLOG GET
		CONFIG SET slowlog-log-slower-than 1000000
		PING
		CONFIG SET slowlog-log-slower-than 0
		SLOWLOG GET
		DEBUG SLEEP 0
		SLOWLOG GET 1
	`))
}

// TestSlowlogEntryFields checks what TestSlowlog blanks: an entry's time
// is the server's clock, its duration covers the command (DEBUG SLEEP),
// and its address is the client's.
func TestSlowlogEntryFields(t *testing.T) {
	e := embertest.Run(t, ember.Config{Directives: map[string]string{"enable-debug-command": "yes"}})
	c, err := Dial(e.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, cmd := range [][]string{
		{"CONFIG", "SET", "slowlog-log-slower-than", "20000"},
		{"PING"},
		{"DEBUG", "SLEEP", "0.03"},
	} {
		if _, err := c.Do(cmd...); err != nil {
			t.Fatal(err)
		}
	}
	before := time.Now().Unix()
	reply, err := c.Do("SLOWLOG", "GET")
	if err != nil {
		t.Fatal(err)
	}
	tree, err := parseReplyTree(reply)
	if err != nil || len(tree.elems) != 1 {
		t.Fatalf("SLOWLOG GET = %q, want the DEBUG SLEEP entry alone", reply)
	}
	entry := tree.elems[0].elems
	at, _ := strconv.ParseInt(entry[1].text(), 10, 64)
	us, _ := strconv.ParseInt(entry[2].text(), 10, 64)
	if at < before-5 || at > before+1 {
		t.Errorf("entry time %d, now %d", at, before)
	}
	if us < 30000 || us > 10_000_000 {
		t.Errorf("DEBUG SLEEP 0.03 logged as %d µs", us)
	}
	if got, want := entry[4].text(), c.c.LocalAddr().String(); got != want {
		t.Errorf("entry address %q, the client's is %q", got, want)
	}
	if got := entry[3].elems[0].text(); got != "DEBUG" {
		t.Errorf("entry's first argument %q", got)
	}
}

// TestSlowlogRandom sends the same random commands to both servers, with
// every command logged and random SLOWLOG GET counts and slowlog-max-len
// changes between them: argument counts around the 32 that an entry
// keeps, lengths around the 128 bytes it keeps of each.
func TestSlowlogRandom(t *testing.T) {
	p := slowlogPair(t)
	rng := Rand(t)
	arg := func() string {
		n := rng.IntN(4)
		switch rng.IntN(4) {
		case 0:
			n = 120 + rng.IntN(20)
		case 1:
			n = rng.IntN(300)
		}
		return strings.Repeat(string(rune('a'+rng.IntN(26))), n)
	}
	const rounds = 400
	for range rounds {
		var cmd []string
		switch rng.IntN(10) {
		case 0:
			cmd = []string{"SLOWLOG", "GET", strconv.Itoa(rng.IntN(40) - 1)}
		case 1:
			cmd = []string{"SLOWLOG", "LEN"}
		case 2:
			cmd = []string{"CONFIG", "SET", "slowlog-max-len", strconv.Itoa(rng.IntN(50))}
		case 3:
			cmd = []string{"CLIENT", "SETNAME", fmt.Sprintf("n%d", rng.IntN(3))}
		case 4:
			cmd = []string{"MSET"}
			for range 1 + rng.IntN(20) {
				cmd = append(cmd, "k"+strconv.Itoa(rng.IntN(10)), arg())
			}
		default:
			cmd = []string{"RPUSH", "list"}
			for range rng.IntN(40) {
				cmd = append(cmd, arg())
			}
			if len(cmd) == 2 {
				cmd = []string{"ECHO", arg()}
			}
		}
		p.Check(cmd...)
		if rng.IntN(50) == 0 {
			p.Check("SLOWLOG", "RESET")
		}
	}
	p.Check("SLOWLOG", "GET", "-1")
	t.Logf("%d random commands compared", rounds)
}
