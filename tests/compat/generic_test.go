package compat

import (
	"bytes"
	"io"
	"log"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ember-kv/ember/internal/config"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/server"
)

// Differential tests of the keyspace (generic) commands and of the
// database commands (SELECT, SWAPDB, FLUSHDB, FLUSHALL, DBSIZE). Every
// test starts from FLUSHALL; keys carry a "g:" prefix.

// genFarSecs is a Unix time in seconds far enough ahead for any test run,
// so that EXPIRETIME replies are exact on both servers.
var genFarSecs = strconv.FormatInt(time.Now().Add(20*365*24*time.Hour).Unix(), 10)

// genScript fills {far} (seconds) and {farms} (milliseconds) into a transcript.
func genScript(text string) [][]string {
	text = strings.ReplaceAll(text, "{farms}", genFarSecs+"321")
	text = strings.ReplaceAll(text, "{far}", genFarSecs)
	return Script(text)
}

// genNormalize sorts the replies whose order is unspecified: KEYS, the
// key list of SCAN, and blanks RANDOMKEY's pick.
func genNormalize(args []string, reply []byte) []byte {
	switch strings.ToUpper(args[0]) {
	case "KEYS":
		return SortedArray(reply)
	case "SCAN":
		return genSortScan(reply)
	case "RANDOMKEY":
		if len(reply) > 0 && reply[0] == '$' && !bytes.Equal(reply, []byte("$-1\r\n")) {
			return []byte("$<key>\r\n")
		}
	}
	return reply
}

// genSortScan sorts the key list of a SCAN reply.
func genSortScan(reply []byte) []byte {
	t, err := parseReplyTree(reply)
	if err != nil || t.kind != '*' || len(t.elems) != 2 {
		return reply
	}
	t.elems[1].sortElems()
	return t.encode()
}

// genEmber is an Ember server of the test's own whose keyspace the test
// can check between commands.
type genEmber struct {
	srv *server.Server
	ks  *keyspace.Keyspace
}

// startGenEmber starts an Ember server on a free loopback port.
func startGenEmber(t *testing.T, opts server.Options) *genEmber {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	opts.Listeners = []net.Listener{ln}
	opts.Logger = log.New(io.Discard, "", 0)
	srv, err := server.New(config.New(), opts)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		ln.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &genEmber{srv: srv, ks: srv.Env().Keyspace}
}

// genCheckedPair pairs the shared redis-server with a fresh Ember whose
// keyspace invariants are checked after every compared command.
func genCheckedPair(t *testing.T) (*Pair, *genEmber) {
	t.Helper()
	if redisSrv == nil {
		t.Skip(redisErr.Error())
	}
	e := startGenEmber(t, server.Options{})
	return NewPair(t, redisSrv.Addr, e.srv.Addr().String()), e
}

// genCheckAll runs a transcript, checking Ember's keyspace after each command.
func genCheckAll(p *Pair, e *genEmber, script [][]string) {
	p.T.Helper()
	for _, cmd := range script {
		p.Check(cmd...)
		if err := e.ks.Check(); err != nil {
			p.T.Fatalf("after %s: %v", Show(cmd), err)
		}
	}
}

func TestGenericDelExistsTypeTouch(t *testing.T) {
	p, e := genCheckedPair(t)
	genCheckAll(p, e, Script(`
		SET g:a 1
		SET g:b hello
		MSET g:c 3 g:d 4
		EXISTS g:a g:b g:nope g:a
		EXISTS g:nope
		exists G:a
		TYPE g:a
		TYPE g:nope
		TOUCH g:a g:b g:nope g:a
		TOUCH g:nope
		DEL g:a g:a g:nope
		DEL g:nope
		UNLINK g:b g:c g:c
		UNLINK g:nope
		EXISTS g:a g:b g:c g:d
		DBSIZE
		DEL g:d
		DBSIZE
		DEL
		UNLINK
		EXISTS
		TOUCH
		TYPE
		TYPE a b
		DBSIZE x
		SET "g:bin\x00key" v
		EXISTS "g:bin\x00key" "g:bin"
		TYPE "g:bin\x00key"
		DEL "g:bin\x00key"
		SET "" empty
		EXISTS ""
		DEL ""
	`))
}

func TestGenericRename(t *testing.T) {
	p, e := genCheckedPair(t)
	genCheckAll(p, e, genScript(`
		RENAME g:x g:y
		RENAMENX g:x g:y
		RENAME g:x g:x
		RENAMENX g:x g:x
		SET g:x v
		RENAME g:x g:x
		RENAMENX g:x g:x
		GET g:x
		EXPIRE g:x 100000
		RENAME g:x g:y
		TTL g:y
		EXISTS g:x
		GET g:y
		SET g:z other
		RENAMENX g:y g:z
		GET g:z
		RENAME g:y g:z
		TTL g:z
		GET g:z
		SET g:p persistent
		RENAME g:p g:z
		TTL g:z
		RENAMENX g:z g:new
		TTL g:new
		EXPIREAT g:new {far}
		RENAMENX g:new g:new2
		EXPIRETIME g:new2
		SET g:n 12345
		RENAME g:n g:n2
		OBJECT ENCODING g:n2
		OBJECT REFCOUNT g:n2
		SET g:s 7
		RENAME g:s g:s2
		OBJECT REFCOUNT g:s2
		RENAME g:new2
		RENAME a b c
		RENAMENX a
		DBSIZE
	`))
}

func TestGenericCopyMove(t *testing.T) {
	p, e := genCheckedPair(t)
	genCheckAll(p, e, genScript(`
		COPY g:a g:b
		COPY g:a g:a
		COPY g:a g:a DB 0
		copy g:a g:a db 0 replace
		COPY g:a g:b DB 16
		COPY g:a g:b DB -1
		COPY g:a g:b DB abc
		COPY g:a g:b DB 2147483648
		COPY g:a g:b DB -2147483649
		COPY g:a g:b DB
		COPY g:a g:b REPLACE DB
		COPY g:a g:b foo
		COPY g:a g:b REPLACE foo
		COPY g:a g:b DB 16 foo
		COPY g:a g:b foo DB 16
		COPY g:a
		SET g:a hello
		EXPIREAT g:a {far}
		COPY g:a g:b
		COPY g:a g:b
		GET g:b
		EXPIRETIME g:b
		SET g:b other
		COPY g:a g:b REPLACE
		GET g:b
		EXPIRETIME g:b
		COPY g:a g:a DB 3
		COPY g:a g:a DB 3
		COPY g:a g:a REPLACE DB 3 DB 3
		COPY g:a g:c db 3 replace replace
		SELECT 3
		GET g:a
		GET g:c
		EXPIRETIME g:a
		DBSIZE
		SELECT 0
		SET g:n 12345
		COPY g:n g:n2
		OBJECT ENCODING g:n2
		SET g:small 42
		OBJECT REFCOUNT g:small
		COPY g:small g:small2
		OBJECT REFCOUNT g:small2
		OBJECT ENCODING g:small2
		SET g:e hello
		COPY g:e g:e2
		OBJECT ENCODING g:e2
		APPEND g:r abc
		COPY g:r g:r2
		OBJECT ENCODING g:r2
		APPEND g:r2 def
		GET g:r
		GET g:r2
		SET g:p v
		COPY g:a g:p REPLACE
		EXPIRETIME g:p
		SET g:q v
		COPY g:q g:p REPLACE
		EXPIRETIME g:p
		MOVE g:a 0
		MOVE g:a 16
		MOVE g:a -1
		MOVE g:a abc
		MOVE g:a 4294967296
		MOVE g:nope 1
		MOVE g:a 3
		MOVE g:a 4
		EXISTS g:a
		SELECT 4
		GET g:a
		EXPIRETIME g:a
		MOVE g:a 0
		SELECT 0
		EXPIRETIME g:a
		MOVE g:a
		MOVE g:a 1 2
	`))
}

func TestGenericSelectSwapFlush(t *testing.T) {
	p, e := genCheckedPair(t)
	genCheckAll(p, e, genScript(`
		SELECT 16
		SELECT -1
		SELECT abc
		SELECT 4294967296
		SELECT -2147483649
		SELECT 2147483647
		SELECT " 1"
		SELECT 01
		SELECT 1.0
		SELECT
		SELECT 1 2
		SET g:in0 zero
		SELECT 15
		SET g:in15 fifteen
		EXPIREAT g:in15 {far}
		DBSIZE
		SELECT 0
		DBSIZE
		SWAPDB a 1
		SWAPDB 1 b
		SWAPDB a b
		SWAPDB 2147483648 1
		SWAPDB 1 -2147483649
		SWAPDB 1 16
		SWAPDB -1 0
		SWAPDB 16 16
		SWAPDB 0 0
		SWAPDB 0 15
		GET g:in15
		GET g:in0
		EXPIRETIME g:in15
		DBSIZE
		SELECT 15
		GET g:in0
		DBSIZE
		SWAPDB 15 0
		DBSIZE
		SWAPDB 0
		SWAPDB 0 1 2
		FLUSHDB foo
		FLUSHDB sync async
		FLUSHDB ASYNC
		DBSIZE
		SELECT 0
		DBSIZE
		SET g:x 1
		FLUSHDB SYNC
		DBSIZE
		SET g:x 1
		FLUSHDB
		SET g:x 1
		SELECT 9
		SET g:y 2
		FLUSHALL foo
		FLUSHALL async sync
		FLUSHALL Async
		DBSIZE
		SELECT 0
		DBSIZE
		SET g:x 1
		FLUSHALL SYNC
		SET g:x 1
		FLUSHALL
		DBSIZE
	`))
}

func TestGenericObject(t *testing.T) {
	p, e := genCheckedPair(t)
	genCheckAll(p, e, Script(`
		OBJECT
		OBJECT foo
		OBJECT foo bar
		OBJECT ENCODING
		OBJECT ENCODING a b
		OBJECT REFCOUNT
		OBJECT FREQ
		OBJECT IDLETIME
		OBJECT HELP extra
		OBJECT ENCODING g:nope
		OBJECT REFCOUNT g:nope
		OBJECT IDLETIME g:nope
		OBJECT FREQ g:nope
		SET g:int 123
		SET g:big 1234567890123
		SET g:neg -5
		SET g:emb "hello world"
		SET g:raw 012345678901234567890123456789012345678901234
		SET g:44 01234567890123456789012345678901234567890123
		SET g:notint 007
		SET g:maxint 9223372036854775807
		SET g:toobig 9223372036854775808
		object encoding g:int
		OBJECT ENCODING g:big
		OBJECT ENCODING g:neg
		OBJECT ENCODING g:emb
		OBJECT ENCODING g:raw
		OBJECT ENCODING g:44
		OBJECT ENCODING g:notint
		OBJECT ENCODING g:maxint
		OBJECT ENCODING g:toobig
		OBJECT REFCOUNT g:int
		OBJECT REFCOUNT g:big
		OBJECT REFCOUNT g:neg
		OBJECT REFCOUNT g:emb
		OBJECT REFCOUNT g:raw
		SET g:zero 0
		SET g:9999 9999
		SET g:10000 10000
		OBJECT REFCOUNT g:zero
		OBJECT REFCOUNT g:9999
		OBJECT REFCOUNT g:10000
		OBJECT FREQ g:int
		APPEND g:int 4
		OBJECT ENCODING g:int
	`))
	// OBJECT HELP: the text is Ember's own; compare the reply's shape.
	got, err := p.Ember.Do("OBJECT", "HELP")
	if err != nil {
		t.Fatal(err)
	}
	tree, err := parseReplyTree(got)
	if err != nil || tree.kind != '*' || len(tree.elems) < 6 {
		t.Fatalf("OBJECT HELP = %q", got)
	}
	for _, el := range tree.elems {
		if el.kind != '+' {
			t.Fatalf("OBJECT HELP line %q is not a status reply", el.head)
		}
	}
	// OBJECT IDLETIME of a key just written: an integer on both.
	p.Both("SET", "g:idle", "v")
	for _, c := range []*Conn{p.Redis, p.Ember} {
		r, err := c.Do("OBJECT", "IDLETIME", "g:idle")
		if err != nil || (string(r) != ":0\r\n" && string(r) != ":1\r\n") {
			t.Fatalf("OBJECT IDLETIME of a fresh key = %q, %v", r, err)
		}
	}
}

func TestGenericKeysRandomKey(t *testing.T) {
	p, e := genCheckedPair(t)
	p.Normalize = genNormalize
	genCheckAll(p, e, Script(`
		KEYS *
		RANDOMKEY
		MSET g:one 1 g:two 2 g:three 3 g:four 4 g:five 5 "g:[x]" 6 "g:a*b" 7 "g:\x00" 8 other 9
		KEYS *
		KEYS g:*
		KEYS g:t*
		KEYS g:?o*
		KEYS *e
		KEYS g:[ft]*
		KEYS g:[^ft]*
		KEYS "g:\\[x\\]"
		KEYS "g:a\\*b"
		KEYS g:a*b
		KEYS g:[a-f]*
		KEYS g:[f-a]*
		KEYS "g:\x00"
		KEYS nomatch
		KEYS ""
		KEYS **
		KEYS other
		KEYS
		KEYS a b
		RANDOMKEY
		RANDOMKEY x
		FLUSHALL
		SET only one
		RANDOMKEY
	`))
}

func TestGenericWait(t *testing.T) {
	p, e := genCheckedPair(t)
	genCheckAll(p, e, Script(`
		WAIT 0 0
		WAIT -1 0
		WAIT 0 100000
		WAIT a 0
		WAIT 0 a
		WAIT 0 -1
		WAIT 0 1.5
		WAIT 9223372036854775808 0
		WAIT 0 9223372036854775808
		WAIT 1 20
		WAIT
		WAIT 1
		WAIT 1 2 3
	`))
}

func TestGenericRESP3(t *testing.T) {
	p, e := genCheckedPair(t)
	p.Both("HELLO", "3")
	p.Normalize = genNormalize
	genCheckAll(p, e, genScript(`
		RANDOMKEY
		OBJECT ENCODING g:nope
		OBJECT REFCOUNT g:nope
		OBJECT IDLETIME g:nope
		OBJECT FREQ g:nope
		SCAN 0
		KEYS *
		TYPE g:nope
		TTL g:nope
		SET g:a 1
		SET g:b x
		EXPIREAT g:b {far}
		TYPE g:a
		SCAN 0
		SCAN 0 MATCH g:a TYPE string COUNT 100
		KEYS *
		RANDOMKEY
		EXISTS g:a g:b
		EXPIRETIME g:b
		OBJECT ENCODING g:a
		COPY g:a g:c
		MOVE g:c 1
		RENAME g:a g:d
		RENAMENX g:d g:b
		DBSIZE
		SWAPDB 0 1
		FLUSHDB
		SELECT 0
		WAIT 0 0
	`))
}

// TestGenericRandomStream sends a few thousand random keyspace commands
// over a handful of keys and four databases, comparing every reply and
// checking Ember's keyspace invariants after each.
func TestGenericRandomStream(t *testing.T) {
	p, e := genCheckedPair(t)
	p.Normalize = genNormalize
	r := Rand(t)
	keys := []string{"g:a", "g:b", "g:c", "g:d", "g:e"}
	key := func() string { return keys[r.IntN(len(keys))] }
	db := func() string {
		if r.IntN(20) == 0 {
			return []string{"16", "-1", "x", "2147483648"}[r.IntN(4)]
		}
		return strconv.Itoa(r.IntN(4))
	}
	far, _ := strconv.ParseInt(genFarSecs, 10, 64)
	// Expiry times are absolute and far ahead (or past, or relative and
	// long), so that TTL and EXPIRETIME replies are exact on both servers.
	expireCmd := func() []string {
		var cmd []string
		switch r.IntN(8) {
		case 0, 1:
			cmd = []string{"EXPIREAT", key(), strconv.FormatInt(far+int64(r.IntN(1000)), 10)}
		case 2, 3:
			cmd = []string{"PEXPIREAT", key(), strconv.FormatInt(far*1000+int64(r.IntN(1_000_000)), 10)}
		case 4:
			cmd = []string{"EXPIRE", key(), strconv.Itoa(100_000 + r.IntN(1000)*1000)}
		case 5:
			// In the past: the key goes at once. (A small positive
			// relative time would expire while the stream runs, at
			// moments that differ between the servers.)
			cmd = []string{[]string{"EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"}[r.IntN(4)], key(), []string{"0", "-1", "-100"}[r.IntN(3)]}
			if cmd[0] == "EXPIREAT" || cmd[0] == "PEXPIREAT" {
				cmd[2] = []string{"0", "1", "-1", "1000"}[r.IntN(4)]
			}
		case 6:
			cmd = []string{"EXPIRE", key(), []string{"abc", "9223372036854775807", "1.5", ""}[r.IntN(4)]}
		default:
			cmd = []string{"PEXPIREAT", key(), strconv.FormatInt(far*1000+int64(r.IntN(1000)), 10)}
		}
		for n := r.IntN(3); n > 0; n-- {
			cmd = append(cmd, []string{"NX", "XX", "GT", "LT", "gt", "lt", "bad"}[r.IntN(7)])
		}
		return cmd
	}
	const total = 4000
	deadline := time.Now().Add(60 * time.Second)
	n := 0
	for ; n < total && time.Now().Before(deadline) && !t.Failed(); n++ {
		var cmd []string
		switch r.IntN(30) {
		case 0, 1, 2:
			cmd = []string{"SET", key(), []string{"1", "v", "12345", "hello world", "-7"}[r.IntN(5)]}
		case 3:
			cmd = []string{"DEL", key(), key()}
		case 4:
			cmd = []string{"UNLINK", key()}
		case 5:
			cmd = []string{"RENAME", key(), key()}
		case 6:
			cmd = []string{"RENAMENX", key(), key()}
		case 7, 8:
			cmd = []string{"COPY", key(), key()}
			for k := r.IntN(3); k > 0; k-- {
				if r.IntN(2) == 0 {
					cmd = append(cmd, "REPLACE")
				} else {
					cmd = append(cmd, "DB", db())
				}
			}
		case 9:
			cmd = []string{"MOVE", key(), db()}
		case 10, 11, 12:
			cmd = expireCmd()
		case 13:
			cmd = []string{"PERSIST", key()}
		case 14:
			cmd = []string{"EXISTS", key(), key()}
		case 15:
			cmd = []string{"TYPE", key()}
		case 16:
			cmd = []string{"DBSIZE"}
		case 17:
			cmd = []string{"SELECT", db()}
		case 18:
			if r.IntN(3) == 0 {
				cmd = []string{"SWAPDB", db(), db()}
			} else {
				cmd = []string{"TTL", key()}
			}
		case 19:
			cmd = []string{[]string{"EXPIRETIME", "PEXPIRETIME"}[r.IntN(2)], key()}
		case 20:
			cmd = []string{"KEYS", []string{"*", "g:*", "g:[ab]", "g:?", "x*"}[r.IntN(5)]}
		case 21:
			cmd = []string{"SCAN", "0", "COUNT", "1000"}
			if r.IntN(2) == 0 {
				cmd = append(cmd, "MATCH", []string{"g:[a-c]", "*", "g:e"}[r.IntN(3)])
			}
			if r.IntN(3) == 0 {
				cmd = append(cmd, "TYPE", []string{"string", "STRING", "list", "none"}[r.IntN(4)])
			}
		case 22:
			cmd = []string{"GET", key()}
		case 23:
			cmd = []string{"OBJECT", []string{"ENCODING", "REFCOUNT"}[r.IntN(2)], key()}
		case 24:
			cmd = []string{"TOUCH", key(), key()}
		case 25:
			cmd = []string{[]string{"INCR", "APPEND"}[r.IntN(2)], key()}
			if cmd[0] == "APPEND" {
				cmd = append(cmd, "x")
			}
		case 26:
			cmd = []string{"RANDOMKEY"}
		case 27:
			if r.IntN(10) == 0 {
				cmd = []string{[]string{"FLUSHDB", "FLUSHALL"}[r.IntN(2)]}
			} else {
				cmd = []string{"PTTL", key()} // only -1 and -2 are exact; times are far off
				if r.IntN(2) == 0 {
					cmd[0] = "PEXPIRETIME"
				}
			}
		case 28:
			cmd = []string{"SETEX", key(), "100000", "v"}
		default:
			cmd = []string{"GETEX", key(), "PERSIST"}
		}
		if tol, ok := genTimeTolerance[cmd[0]]; ok {
			genCheckTime(p, tol, cmd...)
		} else {
			p.Check(cmd...)
		}
		if err := e.ks.Check(); err != nil {
			t.Fatalf("after %s: %v", Show(cmd), err)
		}
	}
	// Finally, every database must hold the same keys.
	for d := 0; d < 4; d++ {
		p.Check("SELECT", strconv.Itoa(d))
		p.Check("KEYS", "*")
		p.Check("SCAN", "0", "COUNT", "1000")
		n += 3
	}
	t.Logf("%d random commands compared", n)
}

// genTimeTolerance is how far apart the two servers' replies to a
// time-to-live query may be in a random stream: relative expiry times
// (EXPIRE 100000, SETEX) are set a moment apart on the two servers, and a
// TTL in seconds may round differently across a millisecond boundary. The
// transcripts check exact values where they are deterministic.
var genTimeTolerance = map[string]int64{"TTL": 1, "EXPIRETIME": 1, "PTTL": 2000, "PEXPIRETIME": 2000}

// genCheckTime compares a TTL-like reply: -1 and -2 exactly, other
// integers within tol of each other.
func genCheckTime(p *Pair, tol int64, cmd ...string) {
	p.T.Helper()
	rr, err := p.Redis.Do(cmd...)
	if err != nil {
		p.T.Fatal(err)
	}
	er, err := p.Ember.Do(cmd...)
	if err != nil {
		p.T.Fatal(err)
	}
	if string(rr) == string(er) {
		return
	}
	a, errA := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(string(rr), ":"), "\r\n"), 10, 64)
	b, errB := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(string(er), ":"), "\r\n"), 10, 64)
	if errA != nil || errB != nil || a < 0 || b < 0 || a-b > tol || b-a > tol {
		p.T.Errorf("%s\n redis: %q\n ember: %q", Show(cmd), rr, er)
	}
}

// TestGenericDatabasesDirective runs both servers with "databases 4".
func TestGenericDatabasesDirective(t *testing.T) {
	if redisSrv == nil {
		t.Skip(redisErr.Error())
	}
	rs, err := StartRedis("--databases", "4")
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Stop()
	cfg := config.New()
	if err := cfg.Set("databases", "4", true); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(cfg, server.Options{Listeners: []net.Listener{ln}, Logger: log.New(io.Discard, "", 0)})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	p := NewPair(t, rs.Addr, srv.Addr().String())
	genCheckAll(p, &genEmber{srv: srv, ks: srv.Env().Keyspace}, Script(`
		SELECT 3
		SELECT 4
		SET g:a 1
		MOVE g:a 4
		MOVE g:a 0
		SELECT 0
		COPY g:a g:a DB 4
		COPY g:a g:b DB 3
		SWAPDB 0 4
		SWAPDB 4 0
		SWAPDB 0 3
		DBSIZE
		SELECT 3
		DBSIZE
		KEYS *
		FLUSHALL
		DBSIZE
	`))
}

// genInfoField reads one numeric field of INFO stats.
func genInfoField(t *testing.T, c *Conn, field string) int64 {
	t.Helper()
	reply, err := c.Do("INFO", "stats")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(reply), "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("INFO %s = %q", field, v)
			}
			return n
		}
	}
	t.Fatalf("INFO stats has no %s field", field)
	return 0
}

// TestGenericKeyspaceStats checks that the keyspace commands count
// keyspace hits and misses as Redis does (some lookups count, some not).
func TestGenericKeyspaceStats(t *testing.T) {
	p := pair(t)
	p.Both("SET", "g:a", "1")
	p.Both("SET", "g:b", "2")
	fields := []string{"keyspace_hits", "keyspace_misses", "expired_keys"}
	before := map[string][2]int64{}
	for _, f := range fields {
		before[f] = [2]int64{genInfoField(t, p.Redis, f), genInfoField(t, p.Ember, f)}
	}
	for _, cmd := range Script(`
		EXISTS g:a g:nope g:b
		TYPE g:a
		TYPE g:nope
		TOUCH g:a g:nope
		TTL g:a
		PTTL g:nope
		EXPIRETIME g:a
		PEXPIRETIME g:nope
		OBJECT ENCODING g:a
		OBJECT REFCOUNT g:nope
		COPY g:a g:c
		COPY g:nope g:c
		COPY g:a g:c REPLACE
		RENAME g:c g:d
		RENAMENX g:nope g:d
		MOVE g:d 1
		MOVE g:nope 1
		EXPIRE g:b 100000
		EXPIRE g:nope 100
		PERSIST g:b
		PERSIST g:nope
		DEL g:a g:nope
		UNLINK g:b
		SCAN 0 TYPE string
		SCAN 0
		KEYS *
		RANDOMKEY
		DBSIZE
		SET g:x 1
		PEXPIREAT g:x 1
		SET g:y 1 PX 100000
	`) {
		p.Check(cmd...)
	}
	for _, f := range fields {
		dr := genInfoField(t, p.Redis, f) - before[f][0]
		de := genInfoField(t, p.Ember, f) - before[f][1]
		if dr != de {
			t.Errorf("%s grew by %d on redis, %d on ember", f, dr, de)
		}
	}
}
