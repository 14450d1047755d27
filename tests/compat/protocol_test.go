package compat

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ember-kv/ember"
)

// Protocol tests: raw bytes go to a real redis-server and to Ember; the
// replies must be byte-identical, and where Redis closes the connection
// (protocol errors) Ember must close it too.

// protoConns are fresh raw connections to a Redis and an Ember.
type protoConns struct {
	t            *testing.T
	redis, ember *Conn
}

func protoDial(t *testing.T, redisAddr, emberAddr string) *protoConns {
	t.Helper()
	r, err := Dial(redisAddr)
	if err != nil {
		t.Fatalf("dial redis: %v", err)
	}
	e, err := Dial(emberAddr)
	if err != nil {
		r.Close()
		t.Fatalf("dial ember: %v", err)
	}
	t.Cleanup(func() { r.Close(); e.Close() })
	return &protoConns{t: t, redis: r, ember: e}
}

// protoShared dials the package's shared servers.
func protoShared(t *testing.T) *protoConns {
	t.Helper()
	if redisSrv == nil {
		t.Skip(redisErr.Error())
	}
	return protoDial(t, redisSrv.Addr, emberSrv.Addr())
}

// send writes raw bytes to both, in pieces when given split points.
func (p *protoConns) send(raw []byte, splits ...int) {
	p.t.Helper()
	p.write(false, raw, splits...)
}

// sendToError is send for input that ends in a protocol error: the server
// may close the connection before it has all of it, so failed writes are
// not errors (the replies and the close are checked by reading).
func (p *protoConns) sendToError(raw []byte, splits ...int) {
	p.t.Helper()
	p.write(true, raw, splits...)
}

func (p *protoConns) write(loose bool, raw []byte, splits ...int) {
	p.t.Helper()
	for _, c := range []*Conn{p.redis, p.ember} {
		prev := 0
		for _, at := range append(splits, len(raw)) {
			if at < prev || at > len(raw) {
				continue
			}
			if err := c.Send(raw[prev:at]); err != nil {
				if loose {
					break
				}
				p.t.Fatalf("send: %v", err)
			}
			prev = at
		}
	}
}

// read reads n replies from both and fails unless they are identical.
func (p *protoConns) read(what string, n int) []byte {
	p.t.Helper()
	want := protoReadN(p.t, "redis", p.redis, n)
	got := protoReadN(p.t, "ember", p.ember, n)
	if !bytes.Equal(want, got) {
		p.t.Errorf("%s: replies differ\n redis: %s\n ember: %s", what, protoClip(want), protoClip(got))
	}
	return want
}

func protoReadN(t *testing.T, who string, c *Conn, n int) []byte {
	t.Helper()
	var out []byte
	for i := 0; i < n; i++ {
		r, err := c.Read()
		if err != nil {
			t.Fatalf("%s: reply %d of %d: %v (so far %s)", who, i+1, n, err, protoClip(out))
		}
		out = append(out, r...)
	}
	return out
}

// closed checks that both servers closed the connection with nothing more
// to read: a clean EOF, or a reset when the server closed with unread input.
func (p *protoConns) closed(what string) {
	p.t.Helper()
	for _, side := range []struct {
		who string
		c   *Conn
	}{{"redis", p.redis}, {"ember", p.ember}} {
		r, err := side.c.ReadTimeout(10 * time.Second)
		if len(r) > 0 || !(errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)) {
			p.t.Errorf("%s: %s did not close the connection: read %q, %v", what, side.who, r, err)
		}
	}
}

func protoClip(b []byte) string {
	if len(b) > 300 {
		return fmt.Sprintf("%q... (%d bytes)", b[:300], len(b))
	}
	return fmt.Sprintf("%q", b)
}

// TestProtocolPipelining sends many commands in one write: every reply
// must come back, complete and identical.
func TestProtocolPipelining(t *testing.T) {
	p := protoShared(t)
	var b bytes.Buffer
	const n = 2000
	for i := range n {
		switch i % 5 {
		case 0:
			b.Write(Encode("PING"))
		case 1:
			b.Write(Encode("ECHO", "value-"+strconv.Itoa(i)))
		case 2:
			fmt.Fprintf(&b, "ECHO inline-%d\r\n", i)
		case 3:
			b.Write(Encode("PING", "bin\r\n\x00"+strconv.Itoa(i)))
		case 4:
			b.WriteString("*0\r\n*-1\r\n\r\n\n") // skipped: no reply
			b.Write(Encode("ECHO"))              // arity error
		}
	}
	p.send(b.Bytes())
	p.read("pipeline", n)
	// Nothing extra is pending on either side.
	p.send(Encode("ECHO", "end"))
	if r := p.read("after pipeline", 1); string(r) != "$3\r\nend\r\n" {
		t.Fatalf("after the pipeline: %q", r)
	}
}

// TestProtocolPipelineRandom sends random streams of every framing (binary
// multibulks, quoted inline commands, empty commands) cut into writes at
// random points, and compares every reply.
func TestProtocolPipelineRandom(t *testing.T) {
	p := protoShared(t)
	rng := Rand(t)
	for round := 0; round < 5; round++ {
		stream, replies := protoRandomStream(rng, 1000)
		var splits []int
		for at := rng.IntN(200); at < len(stream); at += 1 + rng.IntN(3000) {
			splits = append(splits, at)
		}
		p.send(stream, splits...)
		p.read(fmt.Sprintf("round %d", round), replies)
	}
}

// protoRandomStream returns n random commands and how many replies they get.
func protoRandomStream(rng *rand.Rand, n int) ([]byte, int) {
	var b bytes.Buffer
	replies := 0
	randArg := func(big bool) string {
		const alphabet = "abc xyz\"'\\\r\n\t\x00\x01\xff"
		l := rng.IntN(20)
		if big && rng.IntN(50) == 0 {
			l = 20000 + rng.IntN(100000)
		}
		s := make([]byte, l)
		for i := range s {
			s[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(s)
	}
	for range n {
		switch rng.IntN(8) {
		case 0:
			b.Write(Encode("PING"))
			replies++
		case 1:
			b.Write(Encode("PING", randArg(true)))
			replies++
		case 2, 3:
			b.Write(Encode("ECHO", randArg(true)))
			replies++
		case 4:
			// Inline, every argument double-quoted with escapes (and
			// short: an inline line is limited to 64 KB).
			fmt.Fprintf(&b, "ECHO %s\r\n", protoQuote(randArg(false)))
			replies++
		case 5:
			fmt.Fprintf(&b, "  ping  %s  \n", protoQuote(randArg(false)))
			replies++
		case 6:
			b.WriteString([]string{"\r\n", "\n", "*0\r\n", "*-1\r\n", "   \r\n"}[rng.IntN(5)])
		case 7:
			b.Write(Encode("ECHO", "a", "b")) // arity error
			replies++
		}
	}
	return b.Bytes(), replies
}

// protoQuote renders s as one double-quoted inline argument.
func protoQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestProtocolInline sends telnet-style commands: arguments split on
// blanks, double quotes with escapes, single quotes.
func TestProtocolInline(t *testing.T) {
	p := protoShared(t)
	lines := []string{
		"PING",
		"ping",
		"PING hello",
		"ECHO \"hello world\"",
		"ECHO 'hello world'",
		`ECHO "a\"b"`,
		`ECHO 'a\'b'`,
		`ECHO 'a\\b'`,
		`ECHO "\x41\x4a\x4A"`,
		`ECHO "\x4"`,
		`ECHO "\xZZ"`,
		`ECHO "\x00"`,
		`ECHO "\n\r\t\b\a\z\\"`,
		`ECHO ""`,
		`ECHO ''`,
		`ECHO a"b c"`,
		`ECHO a""`,
		"ECHO\tx",
		"  ECHO   spaced   ",
		"\t\tECHO\tx\t",
		"ECHO a\vb",
		"\vECHO a",
		"ECHO a\fb",
		"ECHO \"a\"\fb",
		"ECHO x\ry",
		"ECHO \"x\ry\"",
		"ECHO \xff\xfe",
		`ECHO "" ""`,
		"NOSUCH a 'b c' \"d\"",
		"PING a b",
	}
	for _, line := range lines {
		for _, term := range []string{"\r\n", "\n"} {
			p.send([]byte(line + term))
			p.read(strconv.Quote(line+term), 1)
		}
	}
	// Several inline commands, blank lines between, in one write.
	p.send([]byte("PING\r\n\r\n \r\nECHO a\nECHO 'b'\r\n\n"))
	p.read("several inline", 3)
}

// protoErrorCases end with a protocol error: Redis answers what came before,
// then the error, then closes the connection. Every error text of the
// reader is here.
var protoErrorCases = []struct {
	name string
	in   string
	// replies before the error reply.
	before int
}{
	{"invalid multibulk length", "*x\r\n", 0},
	{"empty multibulk length", "*\r\n", 0},
	{"plus multibulk length", "*+1\r\n$4\r\nPING\r\n", 0},
	{"zero-padded multibulk length", "*01\r\n$4\r\nPING\r\n", 0},
	{"minus zero multibulk length", "*-0\r\n", 0},
	{"multibulk length over INT_MAX", "*2147483648\r\n", 0},
	{"huge multibulk length", "*3000000000\r\n", 0},
	{"expected dollar", "*1\r\nx\r\n", 0},
	{"expected dollar empty line", "*1\r\n\r\n", 0},
	{"expected dollar LF", "*1\r\n\n\r\n", 0},
	{"expected dollar high byte", "*1\r\n\x80\r\n", 0},
	{"expected dollar second arg", "*2\r\n$4\r\nECHO\r\n:1\r\n", 0},
	{"invalid bulk length", "*1\r\n$x\r\n", 0},
	{"negative bulk length", "*1\r\n$-1\r\n", 0},
	{"empty bulk length", "*1\r\n$\r\n", 0},
	{"zero-padded bulk length", "*1\r\n$04\r\nPING\r\n", 0},
	{"plus bulk length", "*1\r\n$+4\r\nPING\r\n", 0},
	{"bulk over proto-max-bulk-len", "*1\r\n$536870913\r\n", 0},
	{"unbalanced double quote", "PING \"a\r\n", 0},
	{"unbalanced single quote", "PING 'a\r\n", 0},
	{"quote then letter", "PING \"a\"b\r\n", 0},
	{"backslash at end", "ECHO \"a\\\r\n", 0},
	{"too big inline request", strings.Repeat("a", 70000), 0},
	{"too big mbulk count string", "*" + strings.Repeat("1", 70000), 0},
	{"too big bulk count string", "*1\r\n$" + strings.Repeat("1", 70000), 0},
	// A NUL hides the line end from Redis: it waits until the too-big
	// limit trips.
	{"NUL in inline", "PING\x00\r\n" + strings.Repeat("a", 70000), 0},
	{"NUL in multibulk count", "*1\x00\r\n" + strings.Repeat("1", 70000), 0},
	{"NUL in bulk count", "*1\r\n$4\x00\r\n" + strings.Repeat("1", 70000), 0},
	// Commands before the error in the same write run and are answered.
	{"after commands", "PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n\r\nECHO x\r\n*1\r\nz\r\nPING\r\n", 3},
	{"after inline", "ECHO a\r\nECHO \"b\r\nPING\r\n", 1},
	{"after big pipeline", strings.Repeat("*1\r\n$4\r\nPING\r\n", 5000) + "*1\r\n$-5\r\n", 5000},
}

func TestProtocolErrors(t *testing.T) {
	for _, tc := range protoErrorCases {
		t.Run(tc.name, func(t *testing.T) {
			p := protoShared(t)
			p.sendToError([]byte(tc.in))
			p.read("replies before the error", tc.before)
			r := p.read("error reply", 1)
			if !bytes.HasPrefix(r, []byte("-ERR Protocol error: ")) {
				t.Errorf("not a protocol error: %q", r)
			}
			p.closed(tc.name)
		})
	}
}

// TestProtocolErrorSplit sends the same errors one byte at a time: the
// outcome must not depend on how the input is cut.
func TestProtocolErrorSplit(t *testing.T) {
	for _, tc := range protoErrorCases {
		if len(tc.in) > 200 {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			p := protoShared(t)
			splits := make([]int, len(tc.in))
			for i := range splits {
				splits[i] = i + 1
			}
			p.sendToError([]byte(tc.in), splits...)
			p.read("replies before the error", tc.before+1)
			p.closed(tc.name)
		})
	}
}

// TestProtocolCommandsBeforeErrorRun checks that the commands before a
// protocol error in the same write took effect.
func TestProtocolCommandsBeforeErrorRun(t *testing.T) {
	p := protoShared(t)
	p.sendToError([]byte("*3\r\n$3\r\nSET\r\n$9\r\nproto:key\r\n$5\r\nvalue\r\nSET proto:other 'in line'\r\n*1\r\n$x\r\nSET proto:never x\r\n"))
	p.read("replies", 3)
	p.closed("after the error")
	q := protoShared(t)
	for _, key := range []string{"proto:key", "proto:other", "proto:never"} {
		q.send(Encode("GET", key))
		q.read("GET "+key, 1)
	}
	q.send(Encode("DEL", "proto:key", "proto:other"))
	q.read("DEL", 1)
}

// TestProtocolPartialInput checks inputs Redis waits on: nothing is
// answered until the rest arrives, and then both agree.
func TestProtocolPartialInput(t *testing.T) {
	cases := []struct {
		name       string
		first, end string
		replies    int
	}{
		// A header ends at '\r'; the byte after it is skipped unchecked.
		{"CR not followed by LF", "*1\r\n$4\rPING\r\n", "PING\r\n", 2},
		{"incomplete bulk", "*1\r\n$1\r\n", "x\r\n", 1},
		{"bulk trailer unchecked", "*1\r\n$4\r\nPINGxx", "\r\nPING\r\n", 2},
		{"split header", "*2\r\n$4\r\nEC", "HO\r\n$2\r\nhi\r\n", 1},
		{"split count", "*", "1\r\n$4\r\nPING\r\n", 1},
		{"inline without newline", "ECHO abc", "def\r\n", 1},
		{"inline CR without LF", "ECHO a\r", "\n", 1},
		{"empty commands", "*0\r\n*-1\r\n\r\n", "PING\r\n", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := protoShared(t)
			p.send([]byte(tc.first))
			p.send([]byte(tc.end))
			p.read(tc.name, tc.replies)
			p.send(Encode("ECHO", "next"))
			if r := p.read("next", 1); string(r) != "$4\r\nnext\r\n" {
				t.Errorf("next command: %q", r)
			}
		})
	}
}

// TestProtocolBigValue round-trips a 5 MB argument, sent whole and in
// pieces.
func TestProtocolBigValue(t *testing.T) {
	p := protoShared(t)
	val := make([]byte, 5<<20)
	for i := range val {
		val[i] = byte(i*31 + i>>8)
	}
	cmd := Encode("ECHO", string(val))
	p.send(cmd)
	if r := p.read("ECHO 5 MB", 1); len(r) != len(val)+len("$5242880\r\n\r\n") {
		t.Fatalf("reply of %d bytes", len(r))
	}
	rng := Rand(t)
	var splits []int
	for at := 1 + rng.IntN(100); at < len(cmd); at += 1 + rng.IntN(700000) {
		splits = append(splits, at)
	}
	p.send(append(cmd, Encode("PING")...), splits...)
	p.read("ECHO 5 MB in pieces, then PING", 2)
}

// TestProtocolSlowReader pipelines 100k PINGs without reading, then reads:
// every reply arrives from both servers.
func TestProtocolSlowReader(t *testing.T) {
	p := protoShared(t)
	const n = 100000
	p.send(bytes.Repeat(Encode("PING"), n))
	got := p.read("100k PINGs", n)
	if want := strings.Repeat("+PONG\r\n", n); string(got) != want {
		t.Fatalf("got %d bytes, want %d", len(got), len(want))
	}
}

// protoStartEmber starts a dedicated Ember and stops it with the test.
func protoStartEmber(t *testing.T, cfg ember.Config) *ember.Server {
	t.Helper()
	e, err := ember.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// protoStartRedis starts a dedicated redis-server and stops it with the test.
func protoStartRedis(t *testing.T, extra ...string) *Redis {
	t.Helper()
	if redisSrv == nil {
		t.Skip(redisErr.Error())
	}
	r, err := StartRedis(extra...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	return r
}

// TestProtocolMaxBulkLen compares proto-max-bulk-len set at start-up.
func TestProtocolMaxBulkLen(t *testing.T) {
	r := protoStartRedis(t, "--proto-max-bulk-len", "1mb")
	e := protoStartEmber(t, ember.Config{Directives: map[string]string{"proto-max-bulk-len": "1mb"}})

	p := protoDial(t, r.Addr, e.Addr())
	p.send(Encode("ECHO", strings.Repeat("m", 1<<20)))
	p.read("ECHO of exactly 1mb", 1)
	p.sendToError([]byte("*2\r\n$4\r\nECHO\r\n$1048577\r\n"))
	p.read("ECHO of 1mb+1", 1)
	p.closed("over the limit")

	p = protoDial(t, r.Addr, e.Addr())
	p.send(Encode("CONFIG", "GET", "proto-max-bulk-len"))
	p.read("CONFIG GET", 1)
}

// TestProtocolMaxBulkLenConfigSet checks that CONFIG SET
// proto-max-bulk-len applies at once to clients already connected.
func TestProtocolMaxBulkLenConfigSet(t *testing.T) {
	r := protoStartRedis(t)
	e := protoStartEmber(t, ember.Config{})
	a := protoDial(t, r.Addr, e.Addr())
	b := protoDial(t, r.Addr, e.Addr())
	val := strings.Repeat("v", 1536*1024)

	a.send(Encode("CONFIG", "SET", "proto-max-bulk-len", "2mb"))
	a.read("CONFIG SET 2mb", 1)
	a.send(Encode("ECHO", val))
	a.read("ECHO 1.5mb under 2mb", 1)
	b.send(Encode("CONFIG", "SET", "proto-max-bulk-len", "1mb"))
	b.read("CONFIG SET 1mb", 1)
	a.sendToError(Encode("ECHO", val))
	a.read("ECHO 1.5mb under 1mb", 1)
	a.closed("over the new limit")
	b.send(Encode("CONFIG", "SET", "proto-max-bulk-len", "1000"))
	b.read("CONFIG SET below the minimum", 1)

	// In one write: the lower limit applies to the bulk header right
	// behind the CONFIG SET, as Redis runs a command before it parses the
	// next (Ember parses a read's commands ahead, but not past CONFIG).
	b.send(Encode("CONFIG", "SET", "proto-max-bulk-len", "2mb"))
	b.read("CONFIG SET 2mb", 1)
	b.sendToError(append(Encode("CONFIG", "SET", "proto-max-bulk-len", "1mb"), "*2\r\n$4\r\nECHO\r\n$1572864\r\n"...))
	b.read("CONFIG SET 1mb, then a 1.5mb bulk header in the same write", 2)
	b.closed("over the limit set in the same write")
}

// TestProtocolUnauthenticated compares the tighter limits Redis applies
// to clients that have not authenticated: at most 10 arguments and 16 KB
// bulks, as protocol errors; inline commands are not limited.
func TestProtocolUnauthenticated(t *testing.T) {
	const pass = "pr0to-pass"
	r := protoStartRedis(t)
	rc, err := Dial(r.Addr)
	if err != nil {
		t.Fatal(err)
	}
	if reply, err := rc.Do("CONFIG", "SET", "requirepass", pass); err != nil || string(reply) != "+OK\r\n" {
		t.Fatalf("CONFIG SET requirepass: %q %v", reply, err)
	}
	rc.Close()
	e := protoStartEmber(t, ember.Config{Password: pass})
	dial := func() *protoConns { return protoDial(t, r.Addr, e.Addr()) }
	tenArgs := "*10\r\n$4\r\nPING\r\n" + strings.Repeat("$1\r\na\r\n", 9)

	t.Run("limits", func(t *testing.T) {
		cases := []struct {
			name    string
			in      string
			replies int
			closed  bool
		}{
			{"11 arguments", "*11\r\n", 1, true},
			{"10 arguments", tenArgs, 1, false},
			{"huge count", "*1000000\r\n", 1, true},
			{"invalid count first", "*x\r\n", 1, true},
			{"negative count", "*-5\r\nPING\r\n", 1, false},
			{"16384 byte bulk", "*2\r\n$4\r\nAUTH\r\n$16384\r\n" + strings.Repeat("p", 16384) + "\r\n", 1, false},
			{"16385 byte bulk", "*2\r\n$4\r\nAUTH\r\n$16385\r\n", 1, true},
			{"invalid bulk first", "*1\r\n$-1\r\n", 1, true},
			{"inline not limited", "ECHO " + strings.Repeat("x ", 20) + strings.Repeat("y", 30000) + "\r\n", 1, false},
			{"commands before the error", "PING\r\n" + tenArgs + "*12\r\n", 3, true},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				p := dial()
				p.sendToError([]byte(tc.in))
				p.read(tc.name, tc.replies)
				if tc.closed {
					p.closed(tc.name)
				} else {
					p.send(Encode("PING"))
					p.read("then PING", 1)
				}
			})
		}
	})

	t.Run("after AUTH", func(t *testing.T) {
		p := dial()
		p.send(Encode("AUTH", "wrong"))
		p.read("wrong password", 1)
		p.sendToError([]byte("*11\r\n"))
		p.read("still limited", 1)
		p.closed("still limited")

		p = dial()
		p.send(Encode("AUTH", pass))
		p.read("AUTH", 1)
		args := append([]string{"ECHO"}, strings.Split(strings.Repeat("a", 11), "")...)
		p.send(Encode(args...))
		p.read("12 arguments", 1)
		p.send(Encode("ECHO", strings.Repeat("b", 100000)))
		p.read("100 KB bulk", 1)
		// Inline AUTH, then the same limits are lifted on that connection.
		p = dial()
		p.send([]byte("AUTH " + pass + "\r\n*2\r\n$4\r\nECHO\r\n$20000\r\n" + strings.Repeat("c", 20000) + "\r\n"))
		p.read("inline AUTH then big bulk in one write", 2)
	})
}

// TestProtocolManyConnections opens many connections pipelining at once;
// each gets exactly its own replies.
func TestProtocolManyConnections(t *testing.T) {
	const conns, per = 50, 2000
	errc := make(chan error, conns)
	for i := range conns {
		go func() {
			c, err := net.DialTimeout("tcp", emberSrv.Addr(), 5*time.Second)
			if err != nil {
				errc <- err
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(60 * time.Second))
			tag := "conn-" + strconv.Itoa(i)
			cmd := Encode("ECHO", tag)
			if _, err := c.Write(bytes.Repeat(cmd, per)); err != nil {
				errc <- err
				return
			}
			reply := "$" + strconv.Itoa(len(tag)) + "\r\n" + tag + "\r\n"
			got := make([]byte, len(reply)*per)
			if _, err := io.ReadFull(c, got); err != nil {
				errc <- err
				return
			}
			if string(got) != strings.Repeat(reply, per) {
				errc <- fmt.Errorf("%s: wrong replies", tag)
				return
			}
			errc <- nil
		}()
	}
	for range conns {
		if err := <-errc; err != nil {
			t.Error(err)
		}
	}
}
