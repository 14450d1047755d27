package handler

import (
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/config"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/value"
)

// genHarness runs keyspace command handlers directly, without a server, at
// a time the test controls, and checks the keyspace invariants after every
// command.
type genHarness struct {
	t   *testing.T
	ks  *keyspace.Keyspace
	env *Env
	cl  *client.Client
	now int64 // Unix ms
}

// genT0 is the harness's starting time: a round second.
const genT0 = int64(1_700_000_000_000)

func newGenHarness(t *testing.T) *genHarness {
	t.Helper()
	ks := keyspace.NewSharded(16, 8)
	return &genHarness{
		t:   t,
		ks:  ks,
		env: &Env{Keyspace: ks, Config: config.New()},
		cl:  client.New(1, nil, time.UnixMilli(genT0)),
		now: genT0,
	}
}

// advance moves the harness clock.
func (h *genHarness) advance(ms int64) { h.now += ms }

// do runs one command and returns its raw reply. Arity is the
// dispatcher's job: tests only send well-formed argument counts.
func (h *genHarness) do(args ...string) string {
	h.t.Helper()
	spec := command.LookupString(args[0])
	if spec == nil {
		h.t.Fatalf("no spec for %q", args[0])
	}
	if len(spec.Subs) > 0 {
		spec = spec.Sub([]byte(args[1]))
	}
	fn := Lookup(spec.Name)
	if fn == nil {
		h.t.Fatalf("no handler for %q", spec.Name)
	}
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	h.cl.Out.Reset()
	ctx := &Ctx{
		Args:   argv,
		Spec:   spec,
		DB:     h.ks.DB(h.cl.DB(), h.now),
		Out:    h.cl.Out,
		Client: h.cl,
		Env:    h.env,
		Now:    time.UnixMilli(h.now),
	}
	fn(ctx)
	if err := h.ks.Check(); err != nil {
		h.t.Fatalf("%q: %v", args, err)
	}
	return string(h.cl.Out.Bytes())
}

// expect runs a command and fails unless the reply is want.
func (h *genHarness) expect(want string, args ...string) {
	h.t.Helper()
	if got := h.do(args...); got != want {
		h.t.Errorf("%q:\n got  %q\n want %q", args, got, want)
	}
}

// set stores a string directly in the client's database.
func (h *genHarness) set(key, val string) {
	h.ks.DB(h.cl.DB(), h.now).Set([]byte(key), value.NewString([]byte(val)))
}

// setTTL stores a string that expires ttl ms from now.
func (h *genHarness) setTTL(key, val string, ttl int64) {
	h.ks.DB(h.cl.DB(), h.now).SetEntry([]byte(key), keyspace.Item{Value: value.NewString([]byte(val)), ExpireAt: h.now + ttl})
}

func genInt(n int64) string { return ":" + strconv.FormatInt(n, 10) + "\r\n" }

func genBulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }

func genErr(s string) string { return "-" + s + "\r\n" }

const (
	genOK   = "+OK\r\n"
	genNull = "$-1\r\n"
)

func TestDelExistsTouchType(t *testing.T) {
	h := newGenHarness(t)
	h.set("a", "1")
	h.set("b", "2")
	h.expect(genInt(3), "exists", "a", "b", "a", "nope")
	h.expect("+string\r\n", "type", "a")
	h.expect("+none\r\n", "type", "nope")
	h.expect(genInt(2), "touch", "a", "b", "c")
	h.expect(genInt(1), "del", "a", "a", "c")
	h.expect(genInt(1), "unlink", "b", "c")
	h.expect(genInt(0), "exists", "a", "b")
	// An expired key counts as gone everywhere, and DEL does not count it.
	h.setTTL("x", "v", 10)
	h.advance(11)
	h.expect(genInt(0), "exists", "x")
	h.setTTL("x", "v", 10)
	h.advance(11)
	h.expect(genInt(0), "del", "x")
	h.expect("+none\r\n", "type", "x")
}

func TestRenameFamily(t *testing.T) {
	h := newGenHarness(t)
	h.expect(genErr("ERR no such key"), "rename", "a", "b")
	h.expect(genErr("ERR no such key"), "renamenx", "a", "a")
	h.setTTL("a", "1", 100_000)
	h.expect(genOK, "rename", "a", "a")
	h.expect(genInt(0), "renamenx", "a", "a")
	h.expect(genOK, "rename", "a", "b")
	h.expect(genInt(0), "exists", "a")
	h.expect(genInt(100), "ttl", "b") // the time to live moves along
	h.set("c", "3")
	h.expect(genInt(0), "renamenx", "b", "c")
	h.expect(genInt(1), "renamenx", "b", "d")
	h.expect(genOK, "rename", "d", "c") // overwrites, TTL and all
	h.expect(genInt(100), "ttl", "c")
	h.expect(genInt(1), "exists", "c")
	h.expect(genInt(0), "exists", "b", "d")
	// Renaming a persistent key over a volatile one leaves no TTL.
	h.set("p", "v")
	h.expect(genOK, "rename", "p", "c")
	h.expect(genInt(-1), "ttl", "c")
}

func TestCopyMove(t *testing.T) {
	h := newGenHarness(t)
	h.expect(genErr("ERR source and destination objects are the same"), "copy", "a", "a")
	h.expect(genErr("ERR source and destination objects are the same"), "copy", "a", "a", "db", "0")
	h.expect(genErr("ERR DB index is out of range"), "copy", "a", "b", "db", "16")
	h.expect(genErr("ERR DB index is out of range"), "copy", "a", "b", "db", "-1")
	h.expect(genErr("ERR value is not an integer or out of range"), "copy", "a", "b", "db", "x")
	h.expect(genErr("ERR value is out of range, value must between -2147483648 and 2147483647"), "copy", "a", "b", "db", "2147483648")
	h.expect(genErr("ERR syntax error"), "copy", "a", "b", "db")
	h.expect(genErr("ERR syntax error"), "copy", "a", "b", "foo")
	h.expect(genInt(0), "copy", "a", "b")
	h.setTTL("a", "hello", 50_000)
	h.expect(genInt(1), "copy", "a", "b")
	h.expect(genInt(0), "copy", "a", "b")
	h.expect(genInt(50), "ttl", "b")
	h.set("b", "other")
	h.expect(genInt(1), "copy", "a", "b", "REPLACE")
	h.expect(genInt(50), "ttl", "b")
	h.expect(genInt(1), "copy", "a", "a", "db", "3")
	h.expect(genInt(0), "copy", "a", "a", "db", "3")
	h.expect(genInt(1), "copy", "a", "a", "replace", "db", "3", "db", "3")
	h.cl.SetDB(3)
	h.expect(genInt(50), "ttl", "a")
	h.expect(genBulk("embstr"), "object", "encoding", "a")
	h.cl.SetDB(0)

	// The copy is a separate value.
	db := h.ks.DB(0, h.now)
	db.Read([]byte("b")).Value.(*value.String).Append([]byte("!"))
	if got := string(db.Read([]byte("a")).Value.(*value.String).B); got != "hello" {
		t.Fatalf("copy shares its value: source is now %q", got)
	}

	h.expect(genErr("ERR source and destination objects are the same"), "move", "a", "0")
	h.expect(genErr("ERR DB index is out of range"), "move", "a", "16")
	h.expect(genErr("ERR value is not an integer or out of range"), "move", "a", "1.0")
	h.expect(genInt(0), "move", "nope", "1")
	h.expect(genInt(0), "move", "a", "3") // exists there
	h.expect(genInt(1), "move", "a", "4")
	h.expect(genInt(0), "exists", "a")
	h.cl.SetDB(4)
	h.expect(genInt(50), "ttl", "a")
	// A key that expired in the target database does not block the move.
	h.setTTL("m", "old", 10)
	h.cl.SetDB(0)
	h.set("m", "new")
	h.advance(20)
	h.expect(genInt(1), "move", "m", "4")
}

func TestKeysSkipsExpiredWithoutDeleting(t *testing.T) {
	h := newGenHarness(t)
	h.set("one", "1")
	h.set("two", "2")
	h.set("three", "3")
	h.setTTL("tmp", "x", 5)
	h.advance(10)
	got := h.do("keys", "*")
	if !strings.HasPrefix(got, "*3\r\n") {
		t.Fatalf("keys * = %q", got)
	}
	h.expect(genInt(4), "dbsize") // tmp is not reclaimed yet
	h.expect("*1\r\n"+genBulk("two"), "keys", "t?o")
	h.expect("*0\r\n", "keys", "nomatch*")
	lines := strings.Split(h.do("keys", "t*"), "\r\n")
	var names []string
	for i := 2; i < len(lines); i += 2 {
		names = append(names, lines[i])
	}
	sort.Strings(names)
	if strings.Join(names, ",") != "three,two" {
		t.Fatalf("keys t* = %v", names)
	}
}

func TestScanParsing(t *testing.T) {
	h := newGenHarness(t)
	h.set("a", "1")
	h.expect(genErr("ERR invalid cursor"), "scan", "abc")
	h.expect(genErr("ERR invalid cursor"), "scan", " 1")
	h.expect(genErr("ERR invalid cursor"), "scan", "18446744073709551616")
	h.expect(genErr("ERR invalid cursor"), "scan", "-")
	h.expect(genErr("ERR syntax error"), "scan", "0", "count", "0")
	h.expect(genErr("ERR value is not an integer or out of range"), "scan", "0", "count", "x")
	h.expect(genErr("ERR syntax error"), "scan", "0", "match")
	h.expect(genErr("ERR syntax error"), "scan", "0", "foo", "bar")
	h.expect(genErr("ERR invalid cursor"), "scan", "x", "count", "0")
	h.expect("*2\r\n"+genBulk("0")+"*1\r\n"+genBulk("a"), "scan", "0")
	h.expect("*2\r\n"+genBulk("0")+"*1\r\n"+genBulk("a"), "scan", "", "TYPE", "STRING")
	h.expect("*2\r\n"+genBulk("0")+"*0\r\n", "scan", "0", "type", "list")
	h.expect("*2\r\n"+genBulk("0")+"*0\r\n", "scan", "0", "match", "b*", "count", "1000")
	for in, want := range map[string]uint64{
		"": 0, "0": 0, "-0": 0, "+5": 5, "007": 7, "-1": 1<<64 - 1,
		"18446744073709551615": 1<<64 - 1, "-18446744073709551615": 1,
	} {
		if got, ok := genParseCursor([]byte(in)); !ok || got != want {
			t.Errorf("cursor %q = %d %v, want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"+", "-", "--1", "1 ", "\t1", "0x1", "-18446744073709551616", "1e3"} {
		if _, ok := genParseCursor([]byte(in)); ok {
			t.Errorf("cursor %q accepted", in)
		}
	}
}

func TestScanExpiredAndTypeNone(t *testing.T) {
	h := newGenHarness(t)
	h.set("live", "1")
	h.setTTL("dead", "2", 5)
	h.advance(10)
	h.expect("*2\r\n"+genBulk("0")+"*1\r\n"+genBulk("live"), "scan", "0")
	h.expect(genInt(1), "dbsize") // SCAN reclaimed the expired key
	// Redis quirk: with TYPE none, an expired key is deleted by the type
	// check and then reported, its type being "none".
	h.setTTL("dead", "2", 5)
	h.advance(10)
	h.expect("*2\r\n"+genBulk("0")+"*1\r\n"+genBulk("dead"), "scan", "0", "type", "none")
	h.expect(genInt(1), "dbsize")
}

// TestScanCompleteAcrossGrowth runs SCAN with a small COUNT, growing the
// database between calls: every key present throughout must come back.
func TestScanCompleteAcrossGrowth(t *testing.T) {
	h := newGenHarness(t)
	for i := 0; i < 300; i++ {
		h.set("base:"+strconv.Itoa(i), "v")
	}
	seen := map[string]bool{}
	cursor := "0"
	added := 0
	for calls := 0; ; calls++ {
		if calls > 100_000 {
			t.Fatal("SCAN does not end")
		}
		reply := h.do("scan", cursor, "count", "7", "match", "base:*")
		lines := strings.Split(reply, "\r\n")
		cursor = lines[2]
		for i := 5; i < len(lines); i += 2 {
			seen[lines[i]] = true
		}
		if cursor == "0" {
			break
		}
		if calls < 30 { // grow for a while: the table doubles several times
			for j := 0; j < 40; j++ {
				h.set("grow:"+strconv.Itoa(added), "v")
				added++
			}
		}
	}
	for i := 0; i < 300; i++ {
		if !seen["base:"+strconv.Itoa(i)] {
			t.Errorf("base:%d never returned", i)
		}
	}
	if added == 0 {
		t.Fatal("SCAN ended in one call: the test did not grow the table")
	}
}

func TestRandomKey(t *testing.T) {
	h := newGenHarness(t)
	h.expect(genNull, "randomkey")
	h.cl.SetProto(3)
	h.expect("_\r\n", "randomkey")
	h.cl.SetProto(2)
	h.setTTL("dead", "v", 1)
	h.set("k", "v")
	h.advance(5)
	h.expect(genBulk("k"), "randomkey")
}

func TestWait(t *testing.T) {
	h := newGenHarness(t)
	h.expect(genInt(0), "wait", "0", "0")
	h.expect(genInt(0), "wait", "-1", "100000")
	h.expect(genErr("ERR value is not an integer or out of range"), "wait", "a", "0")
	h.expect(genErr("ERR timeout is not an integer or out of range"), "wait", "0", "1.5")
	h.expect(genErr("ERR timeout is negative"), "wait", "0", "-1")
	start := time.Now()
	h.expect(genInt(0), "wait", "1", "30")
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Fatalf("WAIT 1 30 returned after %v", d)
	}
	// WAIT 1 0 blocks until the client goes away.
	done := make(chan string, 1)
	go func() { done <- h.do("wait", "1", "0") }()
	select {
	case r := <-done:
		t.Fatalf("WAIT 1 0 returned %q at once", r)
	case <-time.After(20 * time.Millisecond):
	}
	h.cl.Kill()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("WAIT 1 0 still blocked after the client was killed")
	}
}
