package handler_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ember-kv/ember"
	"github.com/ember-kv/ember/embertest"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/config"
	"github.com/ember-kv/ember/internal/handler"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/value"
	"github.com/ember-kv/ember/resp"
)

const (
	strOK   = "+OK\r\n"
	strNull = "$-1\r\n"
)

func strBulk(s string) string { return fmt.Sprintf("$%d\r\n%s\r\n", len(s), s) }
func strInt(n int64) string   { return ":" + strconv.FormatInt(n, 10) + "\r\n" }
func strErr(s string) string  { return "-" + s + "\r\n" }

func TestStringCommands(t *testing.T) {
	srv := embertest.Run(t)
	c := dialRaw(t, srv.Addr())
	runCases(t, c, []replyCase{
		{"GET k", strNull},
		{"SET k hello", strOK},
		{"GET k", strBulk("hello")},
		{"SET k world GET", strBulk("hello")},
		{"SET k x NX", strNull},
		{"SET k x NX GET", strBulk("world")},
		{"SET n x XX", strNull},
		{"SET n x XX GET", strNull},
		{"SET k v NX XX", strErr("ERR syntax error")},
		{"SET k v EX 10 PX 10", strErr("ERR syntax error")},
		{"SET k v KEEPTTL EX 10", strErr("ERR syntax error")},
		{"SET k v EX", strErr("ERR syntax error")},
		{"SET k v EX 0", strErr("ERR invalid expire time in 'set' command")},
		{"SET k v EX 9223372036854776", strErr("ERR invalid expire time in 'set' command")},
		{"SET k v PX 9223372036854775807", strErr("ERR invalid expire time in 'set' command")},
		{"SET k v EX x", strErr("ERR value is not an integer or out of range")},
		{"SETEX k 0 v", strErr("ERR invalid expire time in 'setex' command")},
		{"PSETEX k -1 v", strErr("ERR invalid expire time in 'psetex' command")},
		{"GETEX k EX 0", strErr("ERR invalid expire time in 'getex' command")},
		{"GETEX nosuch EX 0", strNull},
		{"SETNX k v", ":0\r\n"},
		{"SETNX k2 v", ":1\r\n"},
		{"GETSET k2 w", strBulk("v")},
		{"GETDEL k2", strBulk("w")},
		{"GETDEL k2", strNull},
		{"MSET a 1 b 2", strOK},
		{"MSET a 1 b", strErr("ERR wrong number of arguments for 'mset' command")},
		{"MGET a b nosuch", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n"},
		{"MSETNX a 1 c 3", ":0\r\n"},
		{"MSETNX c 3 d 4", ":1\r\n"},
		{"INCR a", strInt(2)},
		{"INCRBY a 10", strInt(12)},
		{"DECR a", strInt(11)},
		{"DECRBY a 20", strInt(-9)},
		{"DECRBY a -9223372036854775808", strErr("ERR decrement would overflow")},
		{"SET m 9223372036854775807", strOK},
		{"INCR m", strErr("ERR increment or decrement would overflow")},
		{"INCR k", strErr("ERR value is not an integer or out of range")},
		{"INCRBY a x", strErr("ERR value is not an integer or out of range")},
		{"SET f 0.1", strOK},
		{"INCRBYFLOAT f 0.2", strBulk("0.3")},
		{"INCRBYFLOAT f 12345.678", strBulk("12345.97799999999999976")},
		{"SET f 10.5", strOK},
		{"INCRBYFLOAT f 0.1", strBulk("10.6")},
		{"INCRBYFLOAT f -10.6", strBulk("0")},
		{"INCRBYFLOAT f 5.0e3", strBulk("5000")},
		{"INCRBYFLOAT f 0x10", strBulk("5016")},
		{"INCRBYFLOAT f abc", strErr("ERR value is not a valid float")},
		{"INCRBYFLOAT f inf", strErr("ERR increment would produce NaN or Infinity")},
		{"INCRBYFLOAT f nan", strErr("ERR value is not a valid float")},
		{"INCRBYFLOAT k 1", strErr("ERR value is not a valid float")},
		{"APPEND ap abc", strInt(3)},
		{"APPEND ap def", strInt(6)},
		{"STRLEN ap", strInt(6)},
		{"STRLEN nosuch", strInt(0)},
		{"GETRANGE ap 1 3", strBulk("bcd")},
		{"GETRANGE ap -2 -1", strBulk("ef")},
		{"GETRANGE ap 5 1", strBulk("")},
		{"GETRANGE nosuch 0 -1", strBulk("")},
		{"SUBSTR ap 0 0", strBulk("a")},
		{"SETRANGE ap 8 xy", strInt(10)},
		{"GET ap", strBulk("abcdef\x00\x00xy")},
		{"SETRANGE ap -1 x", strErr("ERR offset is out of range")},
		{"SETRANGE ap 536870912 x", strErr("ERR string exceeds maximum allowed size (proto-max-bulk-len)")},
		{`SETRANGE new 0 ""`, strInt(0)},
	})
}

func TestStringLCSReplies(t *testing.T) {
	srv := embertest.Run(t)
	c := dialRaw(t, srv.Addr())
	runCases(t, c, []replyCase{
		{"MSET a ohmytext b mynewtext", strOK},
		{"LCS a b", strBulk("mytext")},
		{"LCS a b LEN", strInt(6)},
		{"LCS a b IDX", "*4\r\n$7\r\nmatches\r\n*2\r\n" +
			"*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n" +
			"*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n" +
			"$3\r\nlen\r\n:6\r\n"},
		{"LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN", "*4\r\n$7\r\nmatches\r\n*1\r\n" +
			"*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n" +
			"$3\r\nlen\r\n:6\r\n"},
		{"LCS a b LEN IDX", strErr("ERR If you want both the length and indexes, please just use IDX.")},
		{"LCS a b NOPE", strErr("ERR syntax error")},
		{"LCS a nosuch", strBulk("")},
	})
	c.do("HELLO", "3")
	runCases(t, c, []replyCase{
		{"LCS a b IDX MINMATCHLEN 4", "%2\r\n$7\r\nmatches\r\n*1\r\n" +
			"*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n" +
			"$3\r\nlen\r\n:6\r\n"},
		{"GET nosuch", "_\r\n"},
	})
}

func TestBitmapCommands(t *testing.T) {
	srv := embertest.Run(t)
	c := dialRaw(t, srv.Addr())
	runCases(t, c, []replyCase{
		{"SETBIT b 7 1", strInt(0)},
		{"SETBIT b 7 0", strInt(1)},
		{"SETBIT b 9 1", strInt(0)},
		{"GET b", strBulk("\x00\x40")},
		{"GETBIT b 9", strInt(1)},
		{"GETBIT b 90", strInt(0)},
		{"SETBIT b 1 2", strErr("ERR bit is not an integer or out of range")},
		{"SETBIT b -1 1", strErr("ERR bit offset is not an integer or out of range")},
		{"SETBIT b 4294967296 1", strErr("ERR bit offset is not an integer or out of range")},
		{"SET f foobar", strOK},
		{"BITCOUNT f", strInt(26)},
		{"BITCOUNT f 1 1", strInt(6)},
		{"BITCOUNT f 5 30 BIT", strInt(17)},
		{"BITCOUNT f 0", strErr("ERR syntax error")},
		{"SET p \xff\xf0\x00", strOK},
		{"BITPOS p 0", strInt(12)},
		{"BITPOS p 1 2", strInt(-1)},
		{"BITPOS p 0 0 0", strInt(-1)},
		{"BITPOS p 0 7 15 BIT", strInt(12)},
		{"BITPOS p 2", strErr("ERR The bit argument must be 1 or 0.")},
		{"SET o \xff\xff", strOK},
		{"BITPOS o 0", strInt(16)},
		{"BITPOS o 0 0 -1", strInt(-1)},
		{"BITPOS nosuch 0", strInt(0)},
		{"BITPOS nosuch 1", strInt(-1)},
		{"BITOP NOT dst f", strInt(6)},
		{"BITOP AND dst nosuch", strInt(0)},
		{"GET dst", strNull},
		{"BITOP NOT dst f f", strErr("ERR BITOP NOT must be called with a single source key.")},
		{"BITOP NAND dst f", strErr("ERR syntax error")},
		{"BITFIELD bf SET i8 0 -100 GET u8 0 INCRBY i8 0 -100", "*3\r\n:0\r\n:156\r\n:56\r\n"},
		{"BITFIELD bf OVERFLOW SAT INCRBY i8 0 100 OVERFLOW FAIL INCRBY i8 0 1", "*2\r\n:127\r\n$-1\r\n"},
		{"BITFIELD bf GET u64 0", strErr("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")},
		{"BITFIELD bf GET u8 #-1", strErr("ERR bit offset is not an integer or out of range")},
		{"BITFIELD bf OVERFLOW NOPE", strErr("ERR Invalid OVERFLOW type specified")},
		{"BITFIELD bf GET u8", strErr("ERR syntax error")},
		{"BITFIELD_RO bf GET u8 0 GET i4 #1", "*2\r\n:127\r\n:-1\r\n"},
		{"BITFIELD_RO bf SET u8 0 1", strErr("ERR BITFIELD_RO only supports the GET subcommand")},
	})
}

// TestStringExpiry moves a manual clock instead of sleeping.
func TestStringExpiry(t *testing.T) {
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := embertest.NewClock(t0)
	srv := embertest.Run(t, ember.Config{Clock: clock})
	c := dialRaw(t, srv.Addr())
	sec := t0.Unix()
	runCases(t, c, []replyCase{
		{"SET px v PX 100", strOK},
		{"SET ex v EX 10", strOK},
		{"SETEX setex 5 v", strOK},
		{"PSETEX psetex 50 v", strOK},
		{"SET exat v EXAT " + strconv.FormatInt(sec+20, 10), strOK},
		{"SET pxat v PXAT " + strconv.FormatInt(t0.UnixMilli()+30, 10), strOK},
		{"SET past v EXAT " + strconv.FormatInt(sec-1, 10), strOK},
		{"GET past", strNull},
		{"SET g v", strOK},
		{"GETEX g PX 200", strBulk("v")},
		{"SET keep v EX 1", strOK},
		{"SET keep w KEEPTTL", strOK},
		{"SET cnt 5 EX 1", strOK},
		{"INCR cnt", strInt(6)},
		{"APPEND cnt 0", strInt(2)},
		{"SET p v EX 1", strOK},
		{"GETEX p PERSIST", strBulk("v")},
	})
	clock.Advance(30 * time.Millisecond)
	runCases(t, c, []replyCase{
		{"GET pxat", strBulk("v")}, // expires after, not at, its time
		{"GET psetex", strBulk("v")},
	})
	clock.Advance(time.Millisecond)
	runCases(t, c, []replyCase{
		{"GET pxat", strNull},
		{"GET px", strBulk("v")},
	})
	clock.Advance(70 * time.Millisecond)
	runCases(t, c, []replyCase{
		{"GET psetex", strNull},
		{"GET px", strNull},
		{"GET g", strBulk("v")},
	})
	clock.Advance(100 * time.Millisecond)
	runCases(t, c, []replyCase{
		{"GET g", strNull},
		{"GET keep", strBulk("w")},
		{"GET cnt", strBulk("60")},
	})
	clock.Advance(800 * time.Millisecond)
	runCases(t, c, []replyCase{
		{"GET keep", strNull},
		{"GET cnt", strNull},
		{"GET p", strBulk("v")},
		{"GET setex", strBulk("v")},
	})
	clock.Advance(4 * time.Second)
	runCases(t, c, []replyCase{
		{"GET setex", strNull},
		{"GET ex", strBulk("v")},
	})
	clock.Advance(5 * time.Second)
	runCases(t, c, []replyCase{
		{"GET ex", strNull},
		{"GET exat", strBulk("v")},
		{"GETEX exat EXAT " + strconv.FormatInt(sec+10, 10), strBulk("v")},
		{"GET exat", strNull},
	})
	clock.Advance(10 * time.Second)
	runCases(t, c, []replyCase{
		{"GET exat", strNull},
		{"GET p", strBulk("v")},
	})
}

// TestStringSizeLimits uses a small proto-max-bulk-len.
func TestStringSizeLimits(t *testing.T) {
	srv := embertest.Run(t, ember.Config{Directives: map[string]string{"proto-max-bulk-len": "1mb"}})
	c := dialRaw(t, srv.Addr())
	tooBig := strErr("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
	runCases(t, c, []replyCase{
		{"SETRANGE s 1048575 x", strInt(1 << 20)},
		{"SETRANGE s 1048575 xy", tooBig},
		{"SETRANGE t 1048576 x", tooBig},
		{"APPEND s y", tooBig},
		{"STRLEN s", strInt(1 << 20)},
		{"SETBIT b 8388607 1", strInt(0)},
		{"SETBIT b 8388608 1", strErr("ERR bit offset is not an integer or out of range")},
		{"GETBIT b 8388608", strErr("ERR bit offset is not an integer or out of range")},
		{"BITFIELD b GET u8 #1048575", "*1\r\n:1\r\n"},
		{"BITFIELD b GET u8 #1048576", strErr("ERR bit offset is not an integer or out of range")},
	})
	a, b := strings.Repeat("a", 600), strings.Repeat("b", 600)
	c.do("MSET", "la", a, "lb", b)
	if got := c.do("LCS", "la", "lb"); got != strErr("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len") {
		t.Errorf("LCS over the limit: %q", got)
	}
	c.do("MSET", "la", a[:400], "lb", a[:400])
	if got := c.do("LCS", "la", "lb", "LEN"); got != strInt(400) {
		t.Errorf("LCS under the limit: %q", got)
	}
}

// strFake is a value of a type no string command accepts.
type strFake struct{}

func (strFake) Type() value.Type   { return value.TypeList }
func (strFake) Encoding() string   { return "listpack" }
func (strFake) Clone() value.Value { return strFake{} }

// TestStringWrongTypeDirect calls the handlers directly on a keyspace
// holding a non-string value, so that it needs no other command group.
func TestStringWrongTypeDirect(t *testing.T) {
	ks := keyspace.New(1)
	env := &handler.Env{Keyspace: ks, Config: config.New()}
	now := time.Now().UnixMilli()
	db := ks.DB(0, now)
	db.Set([]byte("l"), strFake{})
	db.Set([]byte("s"), value.NewString([]byte("abc")))
	wrong := strErr("WRONGTYPE Operation against a key holding the wrong kind of value")
	cases := []struct{ cmd, want string }{
		{"GET l", wrong},
		{"SET l v GET", wrong},
		{"SET l v XX", strOK},
		{"GETEX l", wrong},
		{"GETDEL l", wrong},
		{"GETSET l v", wrong},
		{"MGET l s", "*2\r\n$-1\r\n$3\r\nabc\r\n"},
		{"INCR l", wrong},
		{"DECRBY l 1", wrong},
		{"INCRBYFLOAT l 1", wrong},
		{"APPEND l x", wrong},
		{"STRLEN l", wrong},
		{"GETRANGE l 0 1", wrong},
		{"SETRANGE l 0 x", wrong},
		{"LCS s l", strErr("ERR The specified keys must contain string values")},
		{"SETBIT l 0 1", wrong},
		{"GETBIT l 0", wrong},
		{"BITCOUNT l", wrong},
		{"BITPOS l 1", wrong},
		{"BITOP AND d s l", wrong},
		{"BITFIELD l GET u8 0", wrong},
		{"BITFIELD l SET u8 0 1", wrong},
		{"BITFIELD_RO l GET u8 0", wrong},
	}
	for _, tc := range cases {
		db.Set([]byte("l"), strFake{})
		args := strings.Fields(tc.cmd)
		argv := make([][]byte, len(args))
		for i, a := range args {
			argv[i] = []byte(a)
		}
		spec := command.LookupString(args[0])
		w := resp.NewWriter()
		ctx := &handler.Ctx{Args: argv, Spec: spec, DB: db, Out: w, Env: env, Now: time.UnixMilli(now)}
		handler.Lookup(spec.Name)(ctx)
		if got := string(w.Bytes()); got != tc.want {
			t.Errorf("%s\n got: %q\nwant: %q", tc.cmd, got, tc.want)
		}
	}
}

// TestStringHotPathAllocs calls GET, SET and INCR directly: GET and INCR
// on an existing key allocate nothing, SET only the stored value.
func TestStringHotPathAllocs(t *testing.T) {
	run := directCaller()
	run("SET", "k", "some value")()
	run("SET", "n", "100")()
	for _, tc := range []struct {
		cmd  []string
		max  float64
		what string
	}{
		{[]string{"GET", "k"}, 0, "GET"},
		{[]string{"GET", "nosuch"}, 0, "GET of a missing key"},
		{[]string{"MGET", "k", "nosuch"}, 0, "MGET"},
		{[]string{"STRLEN", "k"}, 0, "STRLEN"},
		{[]string{"INCR", "n"}, 0, "INCR"},
		{[]string{"GETBIT", "k", "3"}, 0, "GETBIT"},
		{[]string{"SET", "k", "another value"}, 2, "SET over an existing key (value struct and bytes)"},
	} {
		if got := testing.AllocsPerRun(200, run(tc.cmd...)); got > tc.max {
			t.Errorf("%s: %v allocations per call, want at most %v", tc.what, got, tc.max)
		}
	}
}
