package compat

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// txnSide is a second connection to each server, for the client that
// changes WATCHed keys or blocks while the pair's connection runs a
// transaction. Its commands are compared like the pair's.
func txnSide(t *testing.T) *Pair {
	t.Helper()
	s := listDialSide(t)
	return &Pair{T: t, Redis: s.redis, Ember: s.ember}
}

// TestTransactionsBasics covers MULTI/EXEC/DISCARD and their errors:
// queueing, nesting, EXEC and DISCARD without MULTI, wrong arities (EXEC's
// discards the transaction with EXECABORT), no_multi commands.
func TestTransactionsBasics(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		EXEC
		DISCARD
		MULTI
		EXEC
		MULTI
		SET t:a 1
		INCR t:a
		GET t:a
		EXEC
		MULTI
		MULTI
		SET t:a 5
		EXEC
		GET t:a
		MULTI
		SET t:a 6
		DISCARD
		GET t:a
		DISCARD
		MULTI
		SET t:a
		SET t:a 7
		EXEC
		GET t:a
		EXEC
		MULTI
		NOSUCHCOMMAND x y
		SET t:a 8
		EXEC
		GET t:a
		MULTI
		CLIENT NOSUCH
		EXEC
		MULTI
		SHUTDOWN
		EXEC
		MULTI
		WATCH t:a
		SET t:a 9
		EXEC
		GET t:a
		MULTI
		SET t:a 10
		EXEC x
		EXEC
		GET t:a
		EXEC x
		MULTI
		DISCARD x
		SET t:a 11
		EXEC
		MULTI x
		WATCH
		UNWATCH x
		MULTI
		SET t:a 12
		PING
		ECHO hi
		UNWATCH
		EXEC
		MULTI
		INCR t:s
		SELECT 1
		SET t:a in1
		SELECT 0
		GET t:a
		EXEC
		SELECT 1
		GET t:a
		FLUSHDB
		SELECT 0
		MULTI
		RESET
		EXEC
		MULTI
		SET t:q 1
		DISCARD
		EXISTS t:q
	`))
}

// TestTransactionsRuntimeErrors: errors inside EXEC do not roll back;
// every reply is in EXEC's array, errors included.
func TestTransactionsRuntimeErrors(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		SET t:s abc
		RPUSH t:l a b c
		MULTI
		INCR t:s
		LPUSH t:s x
		SET t:s2 v
		LPOP t:l
		HSET t:l f v
		GET t:s2
		SET t:s2 v BADOPT
		LRANGE t:l 0 -1
		OBJECT ENCODING t:s
		EXPIRE t:s2 nope
		TYPE t:s2
		EXEC
		LRANGE t:l 0 -1
		GET t:s2
	`))
}

// TestTransactionsQueueingState: CLIENT LIST shows multi=N and the x
// flag; a doomed transaction does not grow.
func TestTransactionsQueueingState(t *testing.T) {
	p := pair(t)
	field := func(c *Conn, name string) string {
		b, err := c.Do("CLIENT", "INFO")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range strings.Fields(string(b)) {
			if v, ok := strings.CutPrefix(f, name+"="); ok {
				return v
			}
		}
		return ""
	}
	both := func(name, want string) {
		t.Helper()
		r, e := field(p.Redis, name), field(p.Ember, name)
		if r != want || e != want {
			t.Errorf("%s: redis %q ember %q, want %q", name, r, e, want)
		}
	}
	both("multi", "-1")
	both("flags", "N")
	p.Check("MULTI")
	p.Check("SET", "t:a", "1")
	p.Check("SET", "t:b", "1")
	p.Check("EXEC")
	both("multi", "-1")
	// Inside MULTI, CLIENT INFO is queued: read the state from the side.
	side := txnSide(t)
	sideList := func() {
		t.Helper()
		for _, c := range []*Conn{side.Redis, side.Ember} {
			b, err := c.Do("CLIENT", "LIST")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), "flags=x db=0 sub=0 psub=0 ssub=0 multi=2 ") {
				t.Errorf("CLIENT LIST: no client with multi=2: %q", b)
			}
		}
	}
	p.Check("MULTI")
	p.Check("SET", "t:a", "1")
	p.Check("GET", "t:a")
	sideList()
	p.Check("SET", "t:a") // rejected: the transaction is doomed
	p.Check("SET", "t:a", "2")
	sideList() // still 2: nothing more is queued
	p.Check("EXEC")
	both("multi", "-1")
}

// TestTransactionsWatch: WATCH against changes by another connection,
// by the client itself, UNWATCH, DISCARD, RESET, and changes that Redis
// does not count (a failed SET NX, SADD of a present member, ...).
func TestTransactionsWatch(t *testing.T) {
	p := pair(t)
	o := txnSide(t)
	txn := func(what string, want string) {
		t.Helper()
		p.Check("MULTI")
		p.Check("INCR", "t:n")
		if got := string(p.Check("EXEC")); got != want {
			t.Errorf("%s: EXEC replied %q, want %q", what, got, want)
		}
	}
	const ran, aborted = "*1\r\n", "*-1\r\n"
	p.Check("SET", "t:w", "1")
	p.Check("WATCH", "t:w")
	txn("nothing changed", "*1\r\n:1\r\n")

	p.Check("WATCH", "t:w")
	o.Check("SET", "t:w", "2")
	txn("changed by another client", aborted)

	p.Check("WATCH", "t:w", "t:x", "t:w")
	o.Check("SET", "t:x", "2")
	txn("second key changed", aborted)

	p.Check("WATCH", "t:w")
	p.Check("SET", "t:w", "3")
	txn("changed by the watcher itself", aborted)

	p.Check("WATCH", "t:w")
	o.Check("SET", "t:w", "4")
	p.Check("UNWATCH")
	txn("UNWATCH forgets and clears", "*1\r\n:2\r\n")

	p.Check("WATCH", "t:w")
	o.Check("SET", "t:w", "5")
	p.Check("MULTI")
	p.Check("DISCARD")
	txn("DISCARD clears", "*1\r\n:3\r\n")

	p.Check("WATCH", "t:w")
	o.Check("SET", "t:w", "5")
	p.Check("RESET")
	txn("RESET clears", "*1\r\n:4\r\n")

	p.Check("WATCH", "t:w")
	p.Check("MULTI")
	o.Check("SET", "t:w", "6")
	p.Check("SET", "t:w", "mine")
	if got := string(p.Check("EXEC")); got != aborted {
		t.Errorf("change after MULTI: %q", got)
	}
	p.Check("GET", "t:w")

	// A dirty client watches nothing more, and EXEC fails.
	p.Check("WATCH", "t:w")
	o.Check("DEL", "t:w")
	p.Check("WATCH", "t:y")
	txn("dirty before a second WATCH", aborted)

	// WATCH of a missing key: creating it is a change.
	p.Check("WATCH", "t:missing")
	o.Check("LPUSH", "t:missing", "a")
	txn("missing key created", aborted)

	// Reading is not a change; nor is a write that changed nothing.
	p.Check("SET", "t:s", "v")
	p.Check("SADD", "t:set", "m")
	p.Check("RPUSH", "t:list", "a")
	p.Check("HSET", "t:h", "f", "v")
	p.Check("WATCH", "t:s", "t:set", "t:list", "t:h", "t:none")
	o.CheckAll(Script(`
		GET t:s
		SET t:s other NX
		SETNX t:s other
		SET t:none v XX
		SADD t:set m
		SREM t:set nope
		LREM t:list 0 nope
		HSETNX t:h f other
		HDEL t:h nope
		DEL t:none
		EXPIRE t:none 10
		PERSIST t:s
		LPOP t:none
		INCR t:set
		LPUSHX t:none x
		SETRANGE t:s 0 ""
		GETEX t:s
		GETEX t:s PERSIST
		EXPIRE t:s 100 XX
		ZADD t:none XX 1 m
		SINTERSTORE t:none t:nx
		GETDEL t:none
		BITOP AND t:none t:nx
		SET t:none v XX GET
		LRANGE t:list 0 -1
		SMEMBERS t:set
		EXISTS t:s
		TYPE t:h
	`))
	txn("no-op writes", "*1\r\n:5\r\n")

	// Each of these changes a watched key.
	for i, change := range [][]string{
		{"APPEND", "t:s", "x"},
		{"APPEND", "t:s", ""},
		{"SETRANGE", "t:s", "0", "v"},
		{"SET", "t:s", "5"},
		{"INCRBY", "t:s", "0"},
		{"HSET", "t:h", "f", "v"},
		{"HINCRBY", "t:h", "n", "0"},
		{"LSET", "t:list", "0", "a"},
		{"LTRIM", "t:list", "0", "-1"},
		{"LMOVE", "t:list", "t:list", "LEFT", "LEFT"},
		{"PFADD", "t:none"},
		{"DEL", "t:none"},
		{"SET", "t:none", "v", "GET", "NX"},
		{"DEL", "t:none"},
		{"GETEX", "t:s", "PX", "100000"},
		{"SETRANGE", "t:s", "0", "Z"},
		{"SET", "t:s", "same"},
		{"EXPIRE", "t:s", "100"},
		{"PERSIST", "t:s"},
		{"SADD", "t:set", "m2"},
		{"RPUSH", "t:list", "b"},
		{"HSET", "t:h", "f", "v2"},
		{"RENAME", "t:h", "t:h2"},
		{"RENAME", "t:h2", "t:h"},
		{"COPY", "t:s", "t:none"},
		{"DEL", "t:none"},
		{"MOVE", "t:s", "1"},
		{"SET", "t:s", "back"},
	} {
		if change[0] == "PERSIST" {
			p.Check("EXPIRE", "t:s", "100")
		}
		p.Check("WATCH", "t:s", "t:set", "t:list", "t:h", "t:none", "t:h2")
		o.Check(change...)
		txn(fmt.Sprintf("change %d: %s", i, Show(change)), aborted)
	}
	_ = ran
	// A key of another database: MOVE and COPY ... DB write it.
	p.Check("SELECT", "1")
	p.Check("DEL", "t:s")
	p.Check("WATCH", "t:s")
	p.Check("SELECT", "0")
	o.Check("MOVE", "t:s", "1")
	p.Check("SELECT", "1")
	txn("MOVE into a watched key of db 1", aborted)
	p.Check("WATCH", "t:s")
	p.Check("SELECT", "0")
	o.Check("SET", "t:s", "db0")
	p.Check("SELECT", "1")
	txn("same name in db 0 is another key", "*1\r\n:1\r\n")
	p.Check("WATCH", "t:c")
	o.Check("COPY", "t:s", "t:c", "DB", "1")
	txn("COPY ... DB into a watched key", aborted)
	p.Check("FLUSHDB")
	p.Check("SELECT", "0")
}

// TestTransactionsWatchDatabases: FLUSHDB, FLUSHALL and SWAPDB touch the
// watched keys they empty or replace, and only those.
func TestTransactionsWatchDatabases(t *testing.T) {
	p := pair(t)
	o := txnSide(t)
	exec := func(what string) {
		t.Helper()
		p.Check("MULTI")
		p.Check("PING")
		if got := p.Check("EXEC"); len(got) == 0 {
			t.Errorf("%s: no reply", what)
		}
	}
	p.Check("SET", "t:k", "1")
	for _, sc := range []struct {
		name  string
		watch string
		do    [][]string
	}{
		{"FLUSHALL, key exists", "t:k", [][]string{{"FLUSHALL"}}},
		{"FLUSHALL, key missing", "t:missing", [][]string{{"SET", "t:k", "1"}, {"FLUSHALL"}}},
		{"FLUSHDB of another db", "t:k", [][]string{{"SET", "t:k", "1"}, {"SELECT", "1"}, {"SET", "t:k", "x"}, {"FLUSHDB"}, {"SELECT", "0"}}},
		{"FLUSHDB of the db", "t:k", [][]string{{"FLUSHDB", "ASYNC"}}},
		{"FLUSHALL with a syntax error", "t:k", [][]string{{"SET", "t:k", "1"}, {"FLUSHALL", "NOPE"}}},
		{"SWAPDB, key only in the other", "t:j", [][]string{{"SELECT", "1"}, {"SET", "t:j", "1"}, {"SELECT", "0"}, {"SWAPDB", "0", "1"}}},
		{"SWAPDB, key in neither", "t:none", [][]string{{"SWAPDB", "0", "1"}}},
		{"SWAPDB, key in this one", "t:j", [][]string{{"SWAPDB", "1", "0"}}},
		{"SWAPDB of two other dbs", "t:j", [][]string{{"SET", "t:j", "1"}, {"SWAPDB", "1", "2"}}},
		{"SWAPDB with itself", "t:j", [][]string{{"SWAPDB", "0", "0"}}},
		{"SWAPDB out of range", "t:j", [][]string{{"SWAPDB", "0", "99"}}},
	} {
		p.Check("WATCH", sc.watch)
		o.CheckAll(sc.do)
		p.Check("MULTI")
		p.Check("PING")
		p.Check("EXEC")
		_ = exec
	}
	o.Check("FLUSHALL")
}

// txnWaitPast polls TIME on both servers until the wall clock passed ms
// (Unix milliseconds) by more than one millisecond.
func txnWaitPast(t *testing.T, p *Pair, ms int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for _, c := range []*Conn{p.Redis, p.Ember} {
		for {
			b, err := c.Do("TIME")
			if err != nil {
				t.Fatal(err)
			}
			parts := strings.Split(string(b), "\r\n")
			sec, _ := strconv.ParseInt(parts[2], 10, 64)
			usec, _ := strconv.ParseInt(parts[4], 10, 64)
			if sec*1000+usec/1000 > ms+1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("server time did not pass the deadline")
			}
			time.Sleep(time.Millisecond)
		}
	}
}

// TestTransactionsWatchExpire: a watched key that expires (deleted or
// not yet) fails EXEC; one already expired when watched does not.
func TestTransactionsWatchExpire(t *testing.T) {
	p := pair(t)
	o := txnSide(t)
	for round := range 3 {
		p.Check("SET", "t:e", "1")
		p.Check("WATCH", "t:e")
		p.Check("PEXPIRE", "t:e", "5")
		// PEXPIRE by the watcher is itself a change: rewatch.
		p.Check("UNWATCH")
		p.Check("WATCH", "t:e")
		until := time.Now().UnixMilli() + 5
		txnWaitPast(t, p, until)
		switch round {
		case 1:
			o.Check("GET", "t:e") // lazy expiry deletes it
		case 2:
			o.Check("SET", "t:other", "x")
		}
		p.Check("MULTI")
		p.Check("PING")
		if got := string(p.Check("EXEC")); got != "*-1\r\n" {
			t.Errorf("round %d: EXEC after the watched key expired: %q", round, got)
		}
	}
	// Already expired when watched: its deletion is no change.
	for round := range 2 {
		p.Check("SET", "t:e", "1", "PX", "1")
		txnWaitPast(t, p, time.Now().UnixMilli()+1)
		p.Check("WATCH", "t:e")
		if round == 1 {
			o.Check("EXISTS", "t:e")
		}
		p.Check("MULTI")
		p.Check("PING")
		if got := string(p.Check("EXEC")); got != "*1\r\n+PONG\r\n" {
			t.Errorf("round %d: EXEC with a key watched expired: %q", round, got)
		}
	}
	// ... but setting it again is.
	p.Check("SET", "t:e", "1", "PX", "1")
	txnWaitPast(t, p, time.Now().UnixMilli()+1)
	p.Check("WATCH", "t:e")
	o.Check("SET", "t:e", "2")
	p.Check("MULTI")
	p.Check("PING")
	p.Check("EXEC")
}

// TestTransactionsBlocking: blocking commands inside MULTI reply as a
// timeout; a push inside MULTI/EXEC serves a client blocked on another
// connection once EXEC ends.
func TestTransactionsBlocking(t *testing.T) {
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			p := pair(t)
			p.Both("HELLO", proto)
			p.CheckAll(Script(`
				MULTI
				BLPOP t:l 0
				BRPOP t:l 1
				BLMOVE t:l t:d LEFT RIGHT 0
				BRPOPLPUSH t:l t:d 0
				BLMPOP 0 1 t:l LEFT
				BZPOPMIN t:z 0
				BZPOPMAX t:z 0
				BZMPOP 0 1 t:z MIN
				RPUSH t:l a
				BLPOP t:l 0
				BLPOP t:l 0
				EXEC
			`))
		})
	}
	p := pair(t)
	w := listDialSide(t)
	w.send("BLPOP", "t:bl", "0")
	listWaitBlocked(t, p, 1)
	p.Check("MULTI")
	p.Check("RPUSH", "t:bl", "a", "b")
	p.Check("RPUSH", "t:other", "x")
	w.silent(20 * time.Millisecond)
	p.Check("EXEC")
	w.check("BLPOP served after EXEC", "*2\r\n$4\r\nt:bl\r\n$1\r\na\r\n")
	p.Check("LRANGE", "t:bl", "0", "-1")
	// Pushed and popped inside the transaction: nothing to serve.
	w.send("BLPOP", "t:bl2", "0")
	listWaitBlocked(t, p, 1)
	p.CheckAll(Script(`
		MULTI
		RPUSH t:bl2 a
		LPOP t:bl2
		EXEC
	`))
	w.silent(20 * time.Millisecond)
	p.Check("RPUSH", "t:bl2", "b")
	w.check("BLPOP served by the later push", "*2\r\n$5\r\nt:bl2\r\n$1\r\nb\r\n")
}

// TestTransactionsRESP3 compares the shapes of EXEC's replies in RESP3:
// maps, sets, doubles, nulls inside the array, and a failed WATCH.
func TestTransactionsRESP3(t *testing.T) {
	p := pair(t)
	o := txnSide(t)
	p.Both("HELLO", "3")
	p.CheckAll(Script(`
		HSET t:h a 1 b 2
		ZADD t:z 1.5 m
		SADD t:s x
		MULTI
		HGETALL t:h
		SMEMBERS t:s
		ZSCORE t:z m
		ZRANGE t:z 0 -1 WITHSCORES
		GET t:nothing
		LPOP t:nothing
		EXISTS t:h
		INCR t:h
		EXEC
		MULTI
		EXEC
		MULTI
		SET t:h
		EXEC
	`))
	p.Check("WATCH", "t:h")
	o.Check("DEL", "t:h")
	p.Check("MULTI")
	p.Check("GET", "t:h")
	p.Check("EXEC")
}

// TestTransactionsRandom runs seeded random transactions of string and
// list commands, some WATCHing keys that a second connection may change
// meanwhile, some with queueing errors, and compares every reply.
func TestTransactionsRandom(t *testing.T) {
	p := pair(t)
	o := txnSide(t)
	r := Rand(t)
	keys := []string{"tr:a", "tr:b", "tr:c", "tr:l", "tr:m"}
	key := func() string { return keys[r.IntN(len(keys))] }
	num := func() string { return strconv.Itoa(r.IntN(7) - 2) }
	random := func() []string {
		switch r.IntN(16) {
		case 0:
			return []string{"SET", key(), num()}
		case 1:
			return []string{"GET", key()}
		case 2:
			return []string{"INCR", key()}
		case 3:
			return []string{"APPEND", key(), "x"}
		case 4:
			return []string{"RPUSH", key(), num(), num()}
		case 5:
			return []string{"LPOP", key()}
		case 6:
			return []string{"LRANGE", key(), "0", "-1"}
		case 7:
			return []string{"DEL", key()}
		case 8:
			return []string{"SET", key(), num(), "NX"}
		case 9:
			return []string{"LMOVE", key(), key(), "LEFT", "RIGHT"}
		case 10:
			return []string{"MSET", key(), num(), key(), num()}
		case 11:
			return []string{"EXISTS", key(), key()}
		case 12:
			return []string{"SETRANGE", key(), "1", "yz"}
		case 13:
			return []string{"LPUSHX", key(), num()}
		case 14:
			return []string{"STRLEN", key()}
		default:
			return []string{"TYPE", key()}
		}
	}
	checks := 0
	// The commands of the last rounds, shown when a reply differs.
	var log []string
	both := func(c *Pair, who string, args ...string) {
		t.Helper()
		log = append(log, who+" "+Show(args))
		c.Check(args...)
		checks++
	}
	for round := range 800 {
		if t.Failed() {
			t.Fatalf("stopped at round %d; commands before the difference:\n%s", round, strings.Join(log, "\n"))
		}
		if len(log) > 40 {
			log = log[len(log)-40:]
		}
		watching := r.IntN(2) == 0
		if watching {
			both(p, "A", "WATCH", key(), key())
		}
		if r.IntN(3) == 0 {
			both(o, "B", random()...)
		}
		both(p, "A", "MULTI")
		n := r.IntN(6)
		for range n {
			switch r.IntN(25) {
			case 0:
				both(p, "A", "SET", key()) // wrong arity: EXECABORT
			case 1:
				both(p, "A", "NOPE", key())
			default:
				both(p, "A", random()...)
			}
			if r.IntN(8) == 0 {
				both(o, "B", random()...)
			}
		}
		if r.IntN(8) == 0 {
			both(p, "A", "DISCARD")
		} else {
			both(p, "A", "EXEC")
		}
		if watching && r.IntN(2) == 0 {
			both(p, "A", "UNWATCH")
		}
	}
	for _, k := range keys {
		switch string(p.Check("TYPE", k)) {
		case "+list\r\n":
			p.Check("LRANGE", k, "0", "-1")
		case "+string\r\n":
			p.Check("GET", k)
		}
		checks += 2
	}
	t.Logf("%d commands compared", checks)
}
