package resp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
)

// result is everything a reader returned for one input: the commands, and
// the error that ended it (io.EOF when the input ran out).
type result struct {
	cmds [][]string
	err  error
}

func (r result) String() string {
	return fmt.Sprintf("cmds=%q err=%v", r.cmds, r.err)
}

func (r result) equal(o result) bool {
	return fmt.Sprintf("%q", r.cmds) == fmt.Sprintf("%q", o.cmds) && errText(r.err) == errText(o.err)
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%T %v", err, err)
}

// readerOpts configure a Reader under test.
type readerOpts struct {
	maxBulk int64 // 0: the default
	unauth  bool
}

func (o readerOpts) reader(src io.Reader) *Reader {
	r := NewReader(src)
	if o.maxBulk > 0 {
		r.MaxBulkLen = o.maxBulk
	}
	r.Unauthenticated = o.unauth
	return r
}

// readAll reads commands until an error. The loop is bounded: every
// command consumes at least one byte.
//
// After every command it also peeks at the buffered ones (PeekCommands)
// and checks that what it saw is what the next calls return, up to an
// error.
func readAll(t testing.TB, r *Reader, size int) result {
	t.Helper()
	var res result
	var expect [][]string // peeked, not yet returned
	for i := 0; ; i++ {
		if i > size+1 {
			t.Fatalf("reader returned more commands (%d) than input bytes (%d)", i, size)
		}
		args, err := r.ReadCommand()
		if err != nil {
			res.err = err
			return res
		}
		if len(args) == 0 {
			t.Fatalf("empty command returned")
		}
		cmd := make([]string, len(args))
		for j, a := range args {
			cmd[j] = string(a)
		}
		res.cmds = append(res.cmds, cmd)
		if len(expect) > 0 {
			if fmt.Sprint(expect[0]) != fmt.Sprint(cmd) {
				t.Fatalf("peeked %q, then read %q", expect[0], cmd)
			}
			expect = expect[1:]
		}
		var peeked [][]string
		r.PeekCommands(8, func(args [][]byte) {
			c := make([]string, len(args))
			for j, a := range args {
				c[j] = string(a)
			}
			peeked = append(peeked, c)
		})
		for j := range min(len(peeked), len(expect)) {
			if fmt.Sprint(peeked[j]) != fmt.Sprint(expect[j]) {
				t.Fatalf("peeked %q, earlier %q", peeked[j], expect[j])
			}
		}
		if len(peeked) > len(expect) {
			expect = peeked
		}
	}
}

// chunkReader serves data in pieces whose sizes cycle through sizes.
type chunkReader struct {
	data  []byte
	sizes []int
	i     int
	reads int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := c.sizes[c.i%len(c.sizes)]
	c.i++
	c.reads++
	n = min(n, len(p), len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// splitReader serves data[:at] with one read and the rest with the next.
func splitReader(data []byte, at int) io.Reader {
	return &chunkReader{data: data, sizes: []int{at, len(data)}}
}

// parseWays parses data delivered in several ways that must not change the
// outcome: all at once, one byte per read, half-buffer reads, and random
// chunk sizes.
func parseWays(t *testing.T, data []byte, o readerOpts, seed uint64) map[string]result {
	rng := rand.New(rand.NewPCG(seed, 7))
	sizes := make([]int, 16)
	for i := range sizes {
		sizes[i] = 1 + rng.IntN(40)
	}
	return map[string]result{
		"whole":   readAll(t, o.reader(bytes.NewReader(data)), len(data)),
		"onebyte": readAll(t, o.reader(iotest.OneByteReader(bytes.NewReader(data))), len(data)),
		"half":    readAll(t, o.reader(iotest.HalfReader(bytes.NewReader(data))), len(data)),
		"random":  readAll(t, o.reader(&chunkReader{data: data, sizes: sizes}), len(data)),
	}
}

func pe(msg string) error { return &ProtocolError{Msg: msg} }

// framingCases were checked against redis-server 7.0.15 (raw bytes in, raw
// replies out): the commands it ran and the protocol error it replied.
// err nil means the input simply ran out (Redis waits for more).
var framingCases = []struct {
	name string
	in   string
	opts readerOpts
	want [][]string
	err  error
}{
	{"multibulk", "*1\r\n$4\r\nPING\r\n", readerOpts{}, [][]string{{"PING"}}, nil},
	{"inline", "PING\r\n", readerOpts{}, [][]string{{"PING"}}, nil},
	{"inline LF only", "PING\n", readerOpts{}, [][]string{{"PING"}}, nil},
	{"inline args", "SET k  v\r\n", readerOpts{}, [][]string{{"SET", "k", "v"}}, nil},
	{"inline no newline", "PING", readerOpts{}, nil, nil},
	{"inline quotes", "SET \"a b\" 'c d' \"\\x41\\n\"\r\n", readerOpts{}, [][]string{{"SET", "a b", "c d", "A\n"}}, nil},
	{"empty lines", "\r\n\r\n\nPING\r\n", readerOpts{}, [][]string{{"PING"}}, nil},
	{"blank line", " \t \r\nPING\r\n", readerOpts{}, [][]string{{"PING"}}, nil},
	{"star zero", "*0\r\nPING\r\n", readerOpts{}, [][]string{{"PING"}}, nil},
	{"star minus one", "*-1\r\nPING\r\n", readerOpts{}, [][]string{{"PING"}}, nil},
	{"star negative", "*-100\r\n*-9223372036854775808\r\nPING\r\n", readerOpts{}, [][]string{{"PING"}}, nil},
	{"empty bulk", "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", readerOpts{}, [][]string{{"ECHO", ""}}, nil},
	{"binary bulk", "*2\r\n$4\r\nECHO\r\n$6\r\n\r\n\x00*$\n\r\n", readerOpts{}, [][]string{{"ECHO", "\r\n\x00*$\n"}}, nil},
	{"mixed", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\nGET k\r\n*1\r\n$4\r\nPING\r\n\r\nPING x\n",
		readerOpts{}, [][]string{{"SET", "k", "v"}, {"GET", "k"}, {"PING"}, {"PING", "x"}}, nil},
	// Redis skips the two bytes after a bulk unchecked.
	{"bulk trailer unchecked", "*1\r\n$4\r\nPINGxx\r\n", readerOpts{}, [][]string{{"PING"}}, nil},
	// A header line ends at '\r'; the next byte is skipped unchecked.
	{"header CR only", "*1\r\n$4\rPING\r\n", readerOpts{}, nil, nil},
	{"header CR then X", "*1\rX$4\r\nPING\r\n", readerOpts{}, [][]string{{"PING"}}, nil},
	{"incomplete bulk", "*1\r\n$1\r\n", readerOpts{}, nil, nil},
	{"incomplete count", "*2147483647\r\n", readerOpts{}, nil, nil},
	{"max bulk accepted", "*1\r\n$536870912\r\n", readerOpts{}, nil, nil},
	// A NUL before the line end hides it, as Redis's strchr stops there.
	{"NUL in inline", "PING\x00\r\nPING\r\n", readerOpts{}, nil, nil},
	{"NUL in count", "*1\x00\r\n$4\r\nPING\r\n", readerOpts{}, nil, nil},
	{"NUL in bulk count", "*1\r\n$4\x00\r\nPING\r\n", readerOpts{}, nil, nil},
	{"NUL in bulk", "*2\r\n$4\r\nECHO\r\n$1\r\n\x00\r\n", readerOpts{}, [][]string{{"ECHO", "\x00"}}, nil},
	{"NUL after inline", "PING\r\n\x00", readerOpts{}, [][]string{{"PING"}}, nil},
	{"inline vt", "ECHO a\vb\r\n", readerOpts{}, [][]string{{"ECHO", "a\vb"}}, nil},
	{"inline CR inside", "ECHO x\ry\r\n", readerOpts{}, [][]string{{"ECHO", "x", "y"}}, nil},

	{"invalid multibulk length", "*x\r\n", readerOpts{}, nil, pe("invalid multibulk length")},
	{"empty multibulk length", "*\r\n", readerOpts{}, nil, pe("invalid multibulk length")},
	{"plus multibulk length", "*+1\r\n$4\r\nPING\r\n", readerOpts{}, nil, pe("invalid multibulk length")},
	{"zero-padded multibulk length", "*01\r\n$4\r\nPING\r\n", readerOpts{}, nil, pe("invalid multibulk length")},
	{"minus zero multibulk length", "*-0\r\n", readerOpts{}, nil, pe("invalid multibulk length")},
	{"multibulk length over INT_MAX", "*2147483648\r\n", readerOpts{}, nil, pe("invalid multibulk length")},
	{"multibulk length overflow", "*99999999999999999999\r\n", readerOpts{}, nil, pe("invalid multibulk length")},
	{"multibulk length space", "*1 \r\n", readerOpts{}, nil, pe("invalid multibulk length")},
	{"expected dollar", "*1\r\nx\r\n", readerOpts{}, nil, pe("expected '$', got 'x'")},
	{"expected dollar empty line", "*1\r\n\r\n", readerOpts{}, nil, pe("expected '$', got '\r'")},
	{"expected dollar LF", "*1\r\n\n\r\n", readerOpts{}, nil, pe("expected '$', got '\n'")},
	{"expected dollar high byte", "*1\r\n\x80\r\n", readerOpts{}, nil, pe("expected '$', got '\x80'")},
	{"expected dollar second arg", "*2\r\n$4\r\nECHO\r\n:1\r\n", readerOpts{}, nil, pe("expected '$', got ':'")},
	{"invalid bulk length", "*1\r\n$x\r\n", readerOpts{}, nil, pe("invalid bulk length")},
	{"negative bulk length", "*1\r\n$-1\r\n", readerOpts{}, nil, pe("invalid bulk length")},
	{"empty bulk length", "*1\r\n$\r\n", readerOpts{}, nil, pe("invalid bulk length")},
	{"zero-padded bulk length", "*1\r\n$04\r\nPING\r\n", readerOpts{}, nil, pe("invalid bulk length")},
	{"plus bulk length", "*1\r\n$+4\r\nPING\r\n", readerOpts{}, nil, pe("invalid bulk length")},
	{"bulk over proto-max-bulk-len", "*1\r\n$536870913\r\n", readerOpts{}, nil, pe("invalid bulk length")},
	{"bulk over 1mb limit", "*1\r\n$1048577\r\n", readerOpts{maxBulk: 1 << 20}, nil, pe("invalid bulk length")},
	{"bulk at 1mb limit", "*1\r\n$1048576\r\n", readerOpts{maxBulk: 1 << 20}, nil, nil},
	{"unbalanced double", "PING \"a\r\n", readerOpts{}, nil, pe("unbalanced quotes in request")},
	{"unbalanced single", "PING 'a\r\n", readerOpts{}, nil, pe("unbalanced quotes in request")},
	{"quote then letter", "PING \"a\"b\r\n", readerOpts{}, nil, pe("unbalanced quotes in request")},
	{"commands before error", "*1\r\n$4\r\nPING\r\nPING\r\n*1\r\nz\r\nPING\r\n", readerOpts{},
		[][]string{{"PING"}, {"PING"}}, pe("expected '$', got 'z'")},
	{"commands before unbalanced", "PING\r\nECHO \"x\r\nPING\r\n", readerOpts{}, [][]string{{"PING"}}, pe("unbalanced quotes in request")},

	{"unauth 10 args", "*10\r\n" + strings.Repeat("$1\r\na\r\n", 10), readerOpts{unauth: true},
		[][]string{strings.Split(strings.Repeat("a", 10), "")}, nil},
	{"unauth multibulk length", "*11\r\n", readerOpts{unauth: true}, nil, pe("unauthenticated multibulk length")},
	{"unauth multibulk invalid first", "*x\r\n", readerOpts{unauth: true}, nil, pe("invalid multibulk length")},
	{"unauth negative count", "*-5\r\nPING\r\n", readerOpts{unauth: true}, [][]string{{"PING"}}, nil},
	{"unauth bulk 16384", "*2\r\n$4\r\nAUTH\r\n$16384\r\n" + strings.Repeat("p", 16384) + "\r\n", readerOpts{unauth: true},
		[][]string{{"AUTH", strings.Repeat("p", 16384)}}, nil},
	{"unauth bulk length", "*2\r\n$4\r\nAUTH\r\n$16385\r\n", readerOpts{unauth: true}, nil, pe("unauthenticated bulk length")},
	{"unauth bulk invalid first", "*1\r\n$-1\r\n", readerOpts{unauth: true}, nil, pe("invalid bulk length")},
	{"unauth inline unlimited", "ECHO " + strings.Repeat("x", 20000) + "\r\n", readerOpts{unauth: true},
		[][]string{{"ECHO", strings.Repeat("x", 20000)}}, nil},

	{"too big inline request", strings.Repeat("a", InlineMax+1), readerOpts{}, nil, pe("too big inline request")},
	{"inline at limit waits", strings.Repeat("a", InlineMax), readerOpts{}, nil, nil},
	{"too big inline behind NUL", "PING\x00\r\n" + strings.Repeat("a", InlineMax), readerOpts{}, nil, pe("too big inline request")},
	{"too big mbulk count string", "*" + strings.Repeat("1", InlineMax+1), readerOpts{}, nil, pe("too big mbulk count string")},
	{"too big bulk count string", "*1\r\n$" + strings.Repeat("1", InlineMax), readerOpts{}, nil, pe("too big bulk count string")},
	{"bulk count at limit waits", "*1\r\n$" + strings.Repeat("1", InlineMax-1), readerOpts{}, nil, nil},
}

func TestReaderFraming(t *testing.T) {
	for _, tc := range framingCases {
		t.Run(tc.name, func(t *testing.T) {
			want := result{cmds: tc.want, err: tc.err}
			if want.err == nil {
				want.err = io.EOF
			}
			for way, got := range parseWays(t, []byte(tc.in), tc.opts, uint64(len(tc.in))) {
				if !got.equal(want) {
					t.Errorf("%s: got %v\nwant %v", way, got, want)
				}
			}
		})
	}
}

// stream is a mix of every kind of command, for split tests.
func stream() []byte {
	var b bytes.Buffer
	b.WriteString("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n")
	b.WriteString("GET key\r\n")
	b.WriteString("\r\n")
	b.WriteString("*0\r\n")
	b.WriteString("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n")
	b.WriteString("ECHO \"a \\\"quoted\\\" \\x41 arg\" 'single' \n")
	b.WriteString("*-1\r\n")
	b.WriteString("*2\r\n$4\r\nECHO\r\n$12\r\nbin\r\n\x00ary\r\n\x01\r\n")
	b.WriteString("*1\r\n$4\r\nPINGxx")
	b.WriteString("  PING   a  \r\n")
	b.WriteString("*4\r\n$4\r\nMSET\r\n$1\r\na\r\n$20\r\n" + strings.Repeat("z", 20) + "\r\n$1\r\nb\r\n")
	return b.Bytes()
}

var streamWant = [][]string{
	{"SET", "key", "value"}, {"GET", "key"}, {"ECHO", ""}, {"ECHO", `a "quoted" A arg`, "single"},
	{"ECHO", "bin\r\n\x00ary\r\n\x01"}, {"PING"}, {"PING", "a"}, {"MSET", "a", strings.Repeat("z", 20), "b"},
}

// TestReaderEveryBoundary splits the stream at every byte boundary, and at
// every pair of boundaries, and checks that the commands do not change.
func TestReaderEveryBoundary(t *testing.T) {
	data := stream()
	want := result{cmds: streamWant, err: io.EOF}
	if got := readAll(t, NewReader(bytes.NewReader(data)), len(data)); !got.equal(want) {
		t.Fatalf("whole stream: got %v\nwant %v", got, want)
	}
	for at := 0; at <= len(data); at++ {
		if got := readAll(t, NewReader(splitReader(data, at)), len(data)); !got.equal(want) {
			t.Fatalf("split at %d: got %v", at, got)
		}
	}
	for i := 1; i < len(data); i++ {
		for j := i; j < len(data); j++ {
			src := &chunkReader{data: data, sizes: []int{i, j - i, len(data)}}
			if got := readAll(t, NewReader(src), len(data)); !got.equal(want) {
				t.Fatalf("split at %d and %d: got %v", i, j, got)
			}
		}
	}
	if got := readAll(t, NewReader(iotest.OneByteReader(bytes.NewReader(data))), len(data)); !got.equal(want) {
		t.Fatalf("one byte per read: got %v", got)
	}
	// With data arriving with the final read's io.EOF.
	if got := readAll(t, NewReader(iotest.DataErrReader(bytes.NewReader(data))), len(data)); !got.equal(want) {
		t.Fatalf("data with EOF: got %v", got)
	}
}

// TestReaderManyPerRead checks that a read bringing thousands of commands
// returns all of them without reading again.
func TestReaderManyPerRead(t *testing.T) {
	var b bytes.Buffer
	const n = 2000
	for i := range n {
		if i%2 == 0 {
			b.Write(encode("SET", "k"+strconv.Itoa(i), "v"))
		} else {
			fmt.Fprintf(&b, "GET k%d\r\n", i)
		}
	}
	data := b.Bytes()
	src := &chunkReader{data: data, sizes: []int{len(data)}}
	r := NewReader(src)
	reads := 0
	r.BeforeRead = func() error { reads++; return nil }
	for i := range n {
		args, err := r.ReadCommand()
		if err != nil {
			t.Fatalf("command %d: %v", i, err)
		}
		if want := "k" + strconv.Itoa(i); string(args[1]) != want {
			t.Fatalf("command %d: %q", i, args)
		}
		if i == 0 && r.Buffered() == 0 {
			t.Fatal("Buffered() = 0 with commands left")
		}
	}
	if r.Buffered() != 0 {
		t.Fatalf("Buffered() = %d at the end", r.Buffered())
	}
	if _, err := r.ReadCommand(); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
	// The buffer grows geometrically: a 40 KB read is a handful of reads.
	if src.reads > 4 {
		t.Fatalf("%d reads for %d bytes", src.reads, len(data))
	}
}

// TestReaderHugeBulk reads a 10 MB argument arriving in pieces of various
// sizes, then checks the big buffer is given back.
func TestReaderHugeBulk(t *testing.T) {
	const size = 10 << 20
	val := make([]byte, size)
	for i := range val {
		val[i] = byte(i * 7)
	}
	data := append(encode("SET", "big", string(val)), "PING\r\n"...)
	data = append(data, encode("ECHO", "small")...)
	for _, sizes := range [][]int{{1000}, {1 << 20}, {3, 65536, 17}, {size + 100}} {
		src := &chunkReader{data: data, sizes: sizes}
		r := NewReader(src)
		args, err := r.ReadCommand()
		if err != nil || len(args) != 3 || string(args[1]) != "big" || !bytes.Equal(args[2], val) {
			t.Fatalf("chunks %v: big command: %v, %d args", sizes, err, len(args))
		}
		// The bulk is read into a buffer sized for it, not grown by doubling.
		if c := cap(r.buf); c > size+2*minRead+1024 {
			t.Errorf("chunks %v: buffer of %d bytes for a %d byte bulk", sizes, c, size)
		}
		if args, err := r.ReadCommand(); err != nil || string(args[0]) != "PING" {
			t.Fatalf("chunks %v: PING: %q %v", sizes, args, err)
		}
		if args, err := r.ReadCommand(); err != nil || string(args[1]) != "small" {
			t.Fatalf("chunks %v: ECHO: %q %v", sizes, args, err)
		}
		if _, err := r.ReadCommand(); err != io.EOF {
			t.Fatalf("chunks %v: end: %v", sizes, err)
		}
		if c := cap(r.buf); c > keepBuf {
			t.Errorf("chunks %v: %d byte buffer kept after the big command", sizes, c)
		}
	}
}

// TestReaderManyArgs reads one command of 100k arguments in small pieces.
func TestReaderManyArgs(t *testing.T) {
	const n = 100000
	args := make([]string, n)
	for i := range args {
		args[i] = strconv.Itoa(i)
	}
	data := encode(args...)
	r := NewReader(&chunkReader{data: data, sizes: []int{4096, 1, 333}})
	got, err := r.ReadCommand()
	if err != nil || len(got) != n {
		t.Fatalf("%v, %d args", err, len(got))
	}
	for i, a := range got {
		if string(a) != args[i] {
			t.Fatalf("arg %d = %q", i, a)
		}
	}
}

// TestReaderArgsCapped checks that the returned arguments have no spare
// capacity: appending to one never overwrites the next, for multibulk and
// inline commands.
func TestReaderArgsCapped(t *testing.T) {
	r := NewReader(strings.NewReader("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\nSET x \"y\" z\r\n"))
	for _, want := range []string{"a|b|c", "SET|x|y|z"} {
		args, err := r.ReadCommand()
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range args {
			_ = append(a, "CLOBBER"...)
		}
		if got := strings.Join(strs(args), "|"); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
}

// TestReaderArgsStableUntilNextCall checks that arguments read while more
// input sits in the buffer stay intact until the next call.
func TestReaderArgsStableUntilNextCall(t *testing.T) {
	var b bytes.Buffer
	for i := range 500 {
		b.Write(encode("SET", fmt.Sprintf("key:%d", i), strings.Repeat(strconv.Itoa(i%10), 100+i)))
	}
	data := b.Bytes()
	r := NewReader(&chunkReader{data: data, sizes: []int{1000, 7, 5000}})
	for i := range 500 {
		args, err := r.ReadCommand()
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"SET", fmt.Sprintf("key:%d", i), strings.Repeat(strconv.Itoa(i%10), 100+i)}
		if got := strs(args); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("command %d: %q", i, got)
		}
	}
}

func TestReaderStickyError(t *testing.T) {
	r := NewReader(strings.NewReader("PING\r\n*x\r\nPING\r\n"))
	if args, err := r.ReadCommand(); err != nil || string(args[0]) != "PING" {
		t.Fatalf("first: %q %v", args, err)
	}
	_, err := r.ReadCommand()
	var perr *ProtocolError
	if !errors.As(err, &perr) || perr.Msg != "invalid multibulk length" {
		t.Fatalf("second: %v", err)
	}
	if err.Error() != "Protocol error: invalid multibulk length" {
		t.Fatalf("Error() = %q", err.Error())
	}
	for range 3 {
		if _, err2 := r.ReadCommand(); err2 != err {
			t.Fatalf("error not sticky: %v", err2)
		}
	}
	// A read error is sticky too.
	boom := errors.New("boom")
	r = NewReader(iotest.ErrReader(boom))
	for range 3 {
		if _, err := r.ReadCommand(); err != boom {
			t.Fatalf("read error: %v", err)
		}
	}
	// Reset clears it.
	r.Reset(strings.NewReader("PING\r\n"))
	if args, err := r.ReadCommand(); err != nil || string(args[0]) != "PING" {
		t.Fatalf("after Reset: %q %v", args, err)
	}
}

func TestReaderResetDropsInput(t *testing.T) {
	r := NewReader(strings.NewReader("PING\r\n*2\r\n$4\r\nECHO\r\n$10\r\nabc"))
	if _, err := r.ReadCommand(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadCommand(); err != io.EOF {
		t.Fatalf("partial command: %v", err)
	}
	r.Reset(strings.NewReader("ECHO hi\r\n"))
	if args, err := r.ReadCommand(); err != nil || strings.Join(strs(args), " ") != "ECHO hi" {
		t.Fatalf("after Reset: %q %v", args, err)
	}
}

// TestReaderBeforeRead checks the hook runs before each read, and that its
// error ends reading.
func TestReaderBeforeRead(t *testing.T) {
	src := &chunkReader{data: []byte("PING\r\nPING\r\nPING\r\n"), sizes: []int{6}}
	r := NewReader(src)
	calls := 0
	r.BeforeRead = func() error {
		calls++
		if calls != src.reads+1 {
			t.Fatalf("hook call %d with %d reads done", calls, src.reads)
		}
		if calls == 3 {
			return errors.New("flush failed")
		}
		return nil
	}
	for range 2 {
		if _, err := r.ReadCommand(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.ReadCommand(); err == nil || err.Error() != "flush failed" {
		t.Fatalf("hook error: %v", err)
	}
}

// TestReaderNoProgress checks that a source returning 0, nil forever does
// not hang the reader.
func TestReaderNoProgress(t *testing.T) {
	r := NewReader(zeroReader{})
	if _, err := r.ReadCommand(); err != io.ErrNoProgress {
		t.Fatalf("got %v", err)
	}
}

type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

// cycleReader serves an endless repetition of data, filling each read.
type cycleReader struct {
	data []byte
	off  int
}

func (c *cycleReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m := copy(p[n:], c.data[c.off:])
		n += m
		c.off = (c.off + m) % len(c.data)
	}
	return n, nil
}

// pipelined returns a block of SET and GET commands, as a benchmark client
// would pipeline them, and the number of commands in it.
func pipelined(n int) ([]byte, int) {
	var b bytes.Buffer
	for i := range n {
		key := "key:" + strconv.Itoa(i%1000)
		if i%2 == 0 {
			b.Write(encode("SET", key, "value-"+strconv.Itoa(i)))
		} else {
			b.Write(encode("GET", key))
		}
	}
	return b.Bytes(), n
}

// TestReaderNoAlloc checks that parsing commands allocates nothing once the
// buffers have grown, for pipelined multibulk and inline commands, whatever
// the read boundaries.
func TestReaderNoAlloc(t *testing.T) {
	block, _ := pipelined(997) // an odd size, so reads split commands anywhere
	inline := []byte("SET key:1 value\r\nGET key:1\r\nECHO \"quoted \\x41\" 'x'\r\n")
	for name, data := range map[string][]byte{"multibulk": block, "inline": inline} {
		r := NewReader(&cycleReader{data: data})
		for range 10000 {
			if _, err := r.ReadCommand(); err != nil {
				t.Fatal(err)
			}
		}
		allocs := testing.AllocsPerRun(10000, func() {
			if _, err := r.ReadCommand(); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per command", name, allocs)
		}
	}
}

func BenchmarkReaderPipelined(b *testing.B) {
	block, n := pipelined(1000)
	r := NewReader(&cycleReader{data: block})
	b.SetBytes(int64(len(block) / n))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.ReadCommand(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReaderInline(b *testing.B) {
	block := []byte("SET key:1 value\r\nGET key:1\r\nPING\r\n")
	r := NewReader(&cycleReader{data: block})
	b.SetBytes(int64(len(block) / 3))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.ReadCommand(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReaderBigValue reads SET commands with 1 MB values.
func BenchmarkReaderBigValue(b *testing.B) {
	block := encode("SET", "k", strings.Repeat("v", 1<<20))
	r := NewReader(&cycleReader{data: block})
	b.SetBytes(int64(len(block)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.ReadCommand(); err != nil {
			b.Fatal(err)
		}
	}
}

// encode renders a command as a multibulk.
func encode(args ...string) []byte {
	b := []byte("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	return b
}

// TestReaderMaxBulkLenVar checks that a shared limit is read at each bulk
// header: a change applies from the next read (the commands of one read
// are parsed together, as Redis parses a query buffer before serving
// another client).
func TestReaderMaxBulkLenVar(t *testing.T) {
	var lim atomic.Int64
	lim.Store(10)
	data := []byte("*2\r\n$4\r\nECHO\r\n$10\r\n0123456789\r\n*2\r\n$4\r\nECHO\r\n$10\r\n0123456789\r\n")
	r := NewReader(&chunkReader{data: data, sizes: []int{len(data) / 2}})
	r.MaxBulkLen = 1 // ignored
	r.MaxBulkLenVar = &lim
	if _, err := r.ReadCommand(); err != nil {
		t.Fatal(err)
	}
	lim.Store(9)
	if _, err := r.ReadCommand(); err == nil || err.Error() != "Protocol error: invalid bulk length" {
		t.Fatalf("after lowering the limit: %v", err)
	}
}

func TestPeekCommands(t *testing.T) {
	in := "*2\r\n$3\r\nGET\r\n$1\r\na\r\n" +
		"*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$0\r\n\r\n" +
		"*2\r\n$4\r\nINCR\r\n$2\r\ncc\r\n" +
		"PING\r\n" + // inline: parsed ahead like the others
		"*2\r\n$3\r\nGET\r\n$1\r\nd\r\n" +
		"*1\r\n$4\r\nAUTH\r\n" + // nothing is parsed ahead past AUTH
		"*2\r\n$3\r\nGET\r\n$1\r\ne\r\n"
	r := NewReader(strings.NewReader(in))
	first, err := r.ReadCommand()
	if err != nil || string(first[0]) != "GET" {
		t.Fatalf("first: %q %v", first, err)
	}
	var got []string
	r.PeekCommands(10, func(args [][]byte) { got = append(got, fmt.Sprintf("%q", args)) })
	// AUTH is parsed ahead, but nothing after it (it changes the limits).
	want := []string{`["SET" "b" ""]`, `["INCR" "cc"]`, `["PING"]`, `["GET" "d"]`, `["AUTH"]`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("peeked %v, want %v", got, want)
	}
	got = got[:0]
	r.PeekCommands(1, func(args [][]byte) { got = append(got, fmt.Sprintf("%q", args)) })
	if len(got) != 1 || got[0] != want[0] {
		t.Fatalf("peeked %v with max 1", got)
	}
	// Nothing was consumed.
	if r.Buffered() == 0 {
		t.Fatal("Buffered is 0 with commands parsed ahead")
	}
	for _, w := range []string{"SET", "INCR", "PING", "GET", "AUTH", "GET"} {
		args, err := r.ReadCommand()
		if err != nil || string(args[0]) != w {
			t.Fatalf("read %q %v, want %s", args, err, w)
		}
	}
	// A command cut short is not peeked.
	r = NewReader(strings.NewReader("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$5\r\nab"))
	if _, err := r.ReadCommand(); err != nil {
		t.Fatal(err)
	}
	r.PeekCommands(10, func(args [][]byte) { t.Fatalf("peeked the partial %q", args) })
}
