package resp

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// writerCases give each method's exact output in RESP2 and RESP3, as
// redis-server 7.0 writes it.
var writerCases = []struct {
	name         string
	write        func(w *Writer)
	resp2, resp3 string
}{
	{"Simple", func(w *Writer) { w.Simple("PONG") }, "+PONG\r\n", "+PONG\r\n"},
	{"SimpleEmpty", func(w *Writer) { w.Simple("") }, "+\r\n", "+\r\n"},
	{"OK", func(w *Writer) { w.OK() }, "+OK\r\n", "+OK\r\n"},
	{"Error", func(w *Writer) { w.Error("ERR syntax error") }, "-ERR syntax error\r\n", "-ERR syntax error\r\n"},
	{"ErrorNewlines", func(w *Writer) { w.Error("ERR a\r\nb\nc\rd") }, "-ERR a  b c d\r\n", "-ERR a  b c d\r\n"},
	{"ErrorBinary", func(w *Writer) { w.Error("ERR \x00\xff") }, "-ERR \x00\xff\r\n", "-ERR \x00\xff\r\n"},
	{"Int0", func(w *Writer) { w.Int(0) }, ":0\r\n", ":0\r\n"},
	{"IntNeg", func(w *Writer) { w.Int(-42) }, ":-42\r\n", ":-42\r\n"},
	{"IntMax", func(w *Writer) { w.Int(math.MaxInt64) }, ":9223372036854775807\r\n", ":9223372036854775807\r\n"},
	{"IntMin", func(w *Writer) { w.Int(math.MinInt64) }, ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"},
	{"Bulk", func(w *Writer) { w.Bulk([]byte("hello")) }, "$5\r\nhello\r\n", "$5\r\nhello\r\n"},
	{"BulkEmpty", func(w *Writer) { w.Bulk(nil) }, "$0\r\n\r\n", "$0\r\n\r\n"},
	{"BulkBinary", func(w *Writer) { w.Bulk([]byte("a\r\n\x00b")) }, "$5\r\na\r\n\x00b\r\n", "$5\r\na\r\n\x00b\r\n"},
	{"BulkString", func(w *Writer) { w.BulkString("héllo") }, "$6\r\nhéllo\r\n", "$6\r\nhéllo\r\n"},
	{"BulkInt", func(w *Writer) { w.BulkInt(-123) }, "$4\r\n-123\r\n", "$4\r\n-123\r\n"},
	{"BulkIntMin", func(w *Writer) { w.BulkInt(math.MinInt64) }, "$20\r\n-9223372036854775808\r\n", "$20\r\n-9223372036854775808\r\n"},
	{"Null", func(w *Writer) { w.Null() }, "$-1\r\n", "_\r\n"},
	{"NullArray", func(w *Writer) { w.NullArray() }, "*-1\r\n", "_\r\n"},
	{"Array0", func(w *Writer) { w.Array(0) }, "*0\r\n", "*0\r\n"},
	{"Array", func(w *Writer) { w.Array(2); w.Int(1); w.Null() }, "*2\r\n:1\r\n$-1\r\n", "*2\r\n:1\r\n_\r\n"},
	{"Map", func(w *Writer) { w.Map(2); w.BulkString("a"); w.Int(1); w.BulkString("b"); w.Int(2) },
		"*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n", "%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n"},
	{"Map0", func(w *Writer) { w.Map(0) }, "*0\r\n", "%0\r\n"},
	{"Set", func(w *Writer) { w.Set(1); w.BulkString("m") }, "*1\r\n$1\r\nm\r\n", "~1\r\n$1\r\nm\r\n"},
	{"Push", func(w *Writer) { w.Push(3); w.BulkString("message"); w.BulkString("ch"); w.BulkString("hi") },
		"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"},
	{"BoolTrue", func(w *Writer) { w.Bool(true) }, ":1\r\n", "#t\r\n"},
	{"BoolFalse", func(w *Writer) { w.Bool(false) }, ":0\r\n", "#f\r\n"},
	{"Double", func(w *Writer) { w.Double(1.5) }, "$3\r\n1.5\r\n", ",1.5\r\n"},
	{"DoubleInf", func(w *Writer) { w.Double(math.Inf(1)) }, "$3\r\ninf\r\n", ",inf\r\n"},
	{"DoubleNegInf", func(w *Writer) { w.Double(math.Inf(-1)) }, "$4\r\n-inf\r\n", ",-inf\r\n"},
	{"Verbatim", func(w *Writer) { w.Verbatim("txt", []byte("a\r\nb")) }, "$4\r\na\r\nb\r\n", "=8\r\ntxt:a\r\nb\r\n"},
	{"VerbatimEmpty", func(w *Writer) { w.Verbatim("mkd", nil) }, "$0\r\n\r\n", "=4\r\nmkd:\r\n"},
	{"StringArray", func(w *Writer) { w.StringArray([]string{"a", "", "bc"}) },
		"*3\r\n$1\r\na\r\n$0\r\n\r\n$2\r\nbc\r\n", "*3\r\n$1\r\na\r\n$0\r\n\r\n$2\r\nbc\r\n"},
	{"StringArrayEmpty", func(w *Writer) { w.StringArray(nil) }, "*0\r\n", "*0\r\n"},
	{"Raw", func(w *Writer) { w.Raw([]byte("+x\r\n")) }, "+x\r\n", "+x\r\n"},
}

func TestWriter(t *testing.T) {
	for _, tc := range writerCases {
		for _, proto := range []int{2, 3} {
			w := NewWriter()
			w.Proto = proto
			w.Simple("prefix") // methods append
			tc.write(w)
			want := tc.resp2
			if proto == 3 {
				want = tc.resp3
			}
			want = "+prefix\r\n" + want
			if got := string(w.Bytes()); got != want {
				t.Errorf("%s RESP%d: got %q, want %q", tc.name, proto, got, want)
			}
			if w.Len() != len(want) {
				t.Errorf("%s RESP%d: Len %d, want %d", tc.name, proto, w.Len(), len(want))
			}
		}
	}
}

func TestWriterBuffer(t *testing.T) {
	w := NewWriter()
	if w.Proto != 2 {
		t.Fatalf("NewWriter proto %d", w.Proto)
	}
	w.OK()
	mark := w.Len()
	w.Int(5)
	w.Truncate(mark)
	if got := string(w.Bytes()); got != "+OK\r\n" {
		t.Fatalf("Truncate: %q", got)
	}
	w.Reset()
	if w.Len() != 0 {
		t.Fatalf("Reset: %q", w.Bytes())
	}
	w.Bulk(make([]byte, 100))
	w.Release(1 << 20)
	if w.Len() == 0 {
		t.Fatal("Release dropped a small buffer")
	}
	w.Reset()
	w.Bulk(make([]byte, 2<<20))
	w.Reset()
	w.Release(1 << 20)
	if cap(w.Bytes()) != 0 {
		t.Fatalf("Release kept %d bytes", cap(w.Bytes()))
	}
	w.OK()
	if got := string(w.Bytes()); got != "+OK\r\n" {
		t.Fatalf("after Release: %q", got)
	}
}

// TestWriterDouble checks "%.17g" formatting. The expected strings were
// read from redis-server 7.0.15 (ZADD/ZSCORE and ZINCRBY in RESP2 and RESP3).
func TestWriterDouble(t *testing.T) {
	cases := []struct {
		v    float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "-0"},
		{1, "1"},
		{3, "3"},
		{100, "100"},
		{-3.25, "-3.25"},
		{0.1, "0.10000000000000001"},
		{0.3, "0.29999999999999999"},
		{12345.678, "12345.678"},
		{1e16, "10000000000000000"},
		{1e17, "1e+17"},
		{123456789012345678, "1.2345678901234568e+17"},
		{1e21, "1e+21"},
		{1e-4, "0.0001"},
		{1.5e-5, "1.5e-05"},
		{0.0001234, "0.00012339999999999999"},
		{2.5e-7, "2.4999999999999999e-07"},
		{1e-300, "1e-300"},
		{5e-324, "4.9406564584124654e-324"},
		{2.2250738585072014e-308, "2.2250738585072014e-308"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{-math.MaxFloat64, "-1.7976931348623157e+308"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
		{math.Copysign(math.NaN(), -1), "-nan"},
		{99999999999999999, "1e+17"},
		{9007199254740993, "9007199254740992"},
		{0.5, "0.5"},
		{1.0 / 3, "0.33333333333333331"},
		{-1e-5, "-1.0000000000000001e-05"},
	}
	for _, tc := range cases {
		w := NewWriter()
		w.Double(tc.v)
		if want := "$" + strconv.Itoa(len(tc.want)) + "\r\n" + tc.want + "\r\n"; string(w.Bytes()) != want {
			t.Errorf("Double(%v) RESP2 = %q, want %q", tc.v, w.Bytes(), want)
		}
		w = NewWriter()
		w.Proto = 3
		w.Double(tc.v)
		if want := "," + tc.want + "\r\n"; string(w.Bytes()) != want {
			t.Errorf("Double(%v) RESP3 = %q, want %q", tc.v, w.Bytes(), want)
		}
	}
}

// TestWriterDoubleExponentRule checks C's %g rule on both sides of each
// threshold: scientific notation when the exponent is below -4 or at
// least 17, trailing zeros removed.
func TestWriterDoubleExponentRule(t *testing.T) {
	for e := -330; e <= 310; e++ {
		v, err := strconv.ParseFloat("1e"+strconv.Itoa(e), 64)
		if err != nil || v == 0 || math.IsInf(v, 0) {
			continue
		}
		w := NewWriter()
		w.Proto = 3
		w.Double(v)
		got := strings.TrimSuffix(strings.TrimPrefix(string(w.Bytes()), ","), "\r\n")
		// The decimal exponent of the value rounded to 17 digits.
		x := strconv.FormatFloat(v, 'e', 16, 64)
		exp, _ := strconv.Atoi(x[strings.IndexByte(x, 'e')+1:])
		sci := strings.Contains(got, "e")
		if wantSci := exp < -4 || exp >= 17; sci != wantSci {
			t.Errorf("Double(1e%d) = %q: scientific %v, want %v", e, got, sci, wantSci)
		}
		if sci {
			mant := got[:strings.IndexByte(got, 'e')]
			if strings.Contains(mant, ".") && strings.HasSuffix(mant, "0") {
				t.Errorf("Double(1e%d) = %q keeps trailing zeros", e, got)
			}
			ex := got[strings.IndexByte(got, 'e')+1:]
			if len(ex) < 3 || (ex[0] != '+' && ex[0] != '-') {
				t.Errorf("Double(1e%d) = %q: exponent needs a sign and two digits", e, got)
			}
		}
		if back, err := strconv.ParseFloat(got, 64); err != nil || back != v {
			t.Errorf("Double(1e%d) = %q does not round-trip", e, got)
		}
	}
}

func TestWriterNoAlloc(t *testing.T) {
	for _, proto := range []int{2, 3} {
		w := NewWriter()
		w.Proto = proto
		val := []byte("some value of a typical size, 40 bytes!")
		items := []string{"a", "b", "c"}
		write := func() {
			w.Reset()
			w.Array(12)
			w.Bulk(val)
			w.BulkString("key")
			w.BulkInt(-1234567)
			w.Int(42)
			w.Simple("OK")
			w.OK()
			w.Error("ERR something\nwent wrong")
			w.Null()
			w.NullArray()
			w.Map(1)
			w.Set(1)
			w.Push(1)
			w.Bool(true)
			w.Double(3.14159)
			w.Double(math.Inf(-1))
			w.Verbatim("txt", val)
			w.StringArray(items)
			w.Raw(val)
		}
		write()
		if n := testing.AllocsPerRun(1000, write); n != 0 {
			t.Errorf("RESP%d: Writer allocated %v times per run", proto, n)
		}
	}
}

func BenchmarkWriter(b *testing.B) {
	val := []byte("some value of a typical size, 40 bytes!")
	for _, bm := range []struct {
		name string
		fn   func(w *Writer)
	}{
		{"Bulk", func(w *Writer) { w.Bulk(val) }},
		{"Int", func(w *Writer) { w.Int(1234567) }},
		{"Simple", func(w *Writer) { w.Simple("OK") }},
		{"Array3", func(w *Writer) { w.Array(3); w.Bulk(val); w.Int(7); w.Null() }},
		{"Double", func(w *Writer) { w.Double(3.14159) }},
		{"BulkInt", func(w *Writer) { w.BulkInt(-1234567) }},
	} {
		b.Run(bm.name, func(b *testing.B) {
			w := NewWriter()
			b.ReportAllocs()
			for b.Loop() {
				if w.Len() > 1<<16 {
					w.Reset()
				}
				bm.fn(w)
			}
		})
	}
}
