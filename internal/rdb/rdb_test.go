package rdb

import (
	"bytes"
	"encoding/hex"
	"hash/crc64"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestCRC64(t *testing.T) {
	if got := CRC64(0, []byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("crc64 = %x", got)
	}
	// The slicing-by-8 loop against the standard library's bytewise
	// reflected CRC (which inverts before and after).
	tab := crc64.MakeTable(crcPoly)
	rng := rand.New(rand.NewPCG(1, 1))
	for n := range 300 {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		seed := rng.Uint64()
		if got, want := CRC64(seed, b), ^crc64.Update(^seed, tab, b); got != want {
			t.Fatalf("len %d: %x want %x", n, got, want)
		}
		// Incremental equals one-shot.
		k := n / 3
		if CRC64(CRC64(0, b[:k]), b[k:]) != CRC64(0, b) {
			t.Fatalf("len %d: incremental differs", n)
		}
	}
}

func TestLenRoundTrip(t *testing.T) {
	cases := []struct {
		n    uint64
		want string
	}{
		{0, "00"}, {63, "3f"}, {64, "4040"}, {16383, "7fff"}, {16384, "8000004000"},
		{math.MaxUint32, "80ffffffff"}, {math.MaxUint32 + 1, "810000000100000000"},
		{math.MaxUint64, "81ffffffffffffffff"},
	}
	for _, c := range cases {
		b := AppendLen([]byte{0xaa}, c.n)
		if got := hex.EncodeToString(b[1:]); got != c.want {
			t.Errorf("AppendLen(%d) = %s want %s", c.n, got, c.want)
		}
		if lenSize(c.n) != len(b)-1 {
			t.Errorf("lenSize(%d) = %d", c.n, lenSize(c.n))
		}
		r := NewReader(b[1:])
		n, enc, err := r.Len()
		if n != c.n || enc || err != nil || r.Remaining() != 0 {
			t.Errorf("Len(%s) = %d %v %v", c.want, n, enc, err)
		}
	}
	for _, bad := range []string{"", "40", "80", "80000000", "81", "8100", "82", "bf"} {
		b, _ := hex.DecodeString(bad)
		if _, _, err := NewReader(b).Len(); err == nil {
			t.Errorf("Len(%q) accepted", bad)
		}
	}
	// An encoded-form byte: Len reports it, Count reads it as Redis does.
	if n, enc, err := NewReader([]byte{0xc3}).Len(); n != 3 || !enc || err != nil {
		t.Errorf("Len(c3) = %d %v %v", n, enc, err)
	}
	if n, err := NewReader([]byte{0xc1}).Count(); n != 1 || err != nil {
		t.Errorf("Count(c1) = %d %v", n, err)
	}
	if _, err := NewReader([]byte{0x05, 1, 2}).Count(); err == nil {
		t.Error("Count beyond the input accepted")
	}
}

// redisVectors are DUMP payloads of string values taken from Redis
// 7.0.15 (rdbcompression yes).
var redisVectors = []struct{ value, payload string }{
	{"aaaaaaaaaaaaaaaaaaaaa", "00c30615016161e00a000a00fd0cb36807413f68"},
	{"hello world hello world hello world!", "00c314240c68656c6c6f20776f726c642068e00c0b0164210a00fc356a39e453d509"},
	{"0123456789abcdefghijklmnopqrstuv", "0020303132333435363738396162636465666768696a6b6c6d6e6f707172737475760a00c05555ffd679d6bc"},
	{"12", "00c00c0a003c2af8515c04bcd5"},
	{"-200", "00c138ff0a00223b8fbbe8f461f3"},
	{"70000", "00c2701101000a0001a408fe953095a5"},
	{"1234567890123", "000d313233343536373839303132330a005e0c12ae0429bc1e"},
}

func TestRedisStringVectors(t *testing.T) {
	for _, v := range redisVectors {
		want, _ := hex.DecodeString(v.payload)
		got := AppendFooter(AppendString([]byte{0}, []byte(v.value)))
		if !bytes.Equal(got, want) {
			t.Errorf("%q:\n got %x\nwant %x", v.value, got, want)
		}
		if !CheckFooter(want) {
			t.Errorf("%q: footer rejected", v.value)
		}
		r := NewReader(want[1 : len(want)-FooterLen])
		s, err := r.String()
		if err != nil || string(s) != v.value || r.Remaining() != 0 {
			t.Errorf("%q: read back %q %v", v.value, s, err)
		}
	}
}

func TestAppendStringEncodings(t *testing.T) {
	cases := []struct {
		s, want string
	}{
		{"", "00"},
		{"0", "c000"},
		{"-128", "c080"},
		{"127", "c07f"},
		{"128", "c18000"},
		{"-32768", "c10080"},
		{"32768", "c200800000"},
		{"2147483647", "c2ffffff7f"},
		{"-2147483648", "c200000080"},
		{"2147483648", "0a" + hex.EncodeToString([]byte("2147483648"))},
		{"007", "03303037"},
		{"+1", "022b31"},
		{"-0", "022d30"},
		{" 1", "022031"},
	}
	for _, c := range cases {
		for _, f := range []func(b, s []byte) []byte{AppendString, AppendStringNoLZF} {
			if got := hex.EncodeToString(f(nil, []byte(c.s))); got != c.want {
				t.Errorf("%q = %s want %s", c.s, got, c.want)
			}
		}
	}
	// 21 bytes or more and compressible: compressed unless disabled.
	s := bytes.Repeat([]byte("ab"), 20)
	if b := AppendString(nil, s); b[0] != 0xc3 {
		t.Errorf("not compressed: %x", b)
	}
	if b := AppendStringNoLZF(nil, s); b[0] != 40 || !bytes.Equal(b[1:], s) {
		t.Errorf("compressed: %x", b)
	}
	// 20 bytes: never compressed.
	if b := AppendString(nil, s[:20]); b[0] != 20 {
		t.Errorf("20 bytes compressed: %x", b)
	}
}

func TestStringRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	var vals [][]byte
	for _, n := range []int64{0, 1, -1, 127, -128, 128, 32767, -32769, math.MaxInt32, math.MinInt32,
		math.MaxInt32 + 1, math.MaxInt64, math.MinInt64} {
		vals = append(vals, strconv.AppendInt(nil, n, 10))
	}
	for range 400 {
		n := rng.IntN(70000)
		if rng.IntN(4) > 0 {
			n = rng.IntN(300)
		}
		v := make([]byte, n)
		alpha := 1 + rng.IntN(256)
		for i := range v {
			v[i] = byte(rng.IntN(alpha))
		}
		vals = append(vals, v)
	}
	for _, f := range []func(b, s []byte) []byte{AppendString, AppendStringNoLZF} {
		var b []byte
		for _, v := range vals {
			b = f(b, v)
		}
		b = AppendFooter(b)
		if !CheckFooter(b) {
			t.Fatal("footer rejected")
		}
		r := NewReader(b[:len(b)-FooterLen])
		for i, v := range vals {
			got, err := r.String()
			if err != nil || !bytes.Equal(got, v) {
				t.Fatalf("value %d (%d bytes): %v", i, len(v), err)
			}
		}
		if r.Remaining() != 0 {
			t.Fatalf("%d bytes left", r.Remaining())
		}
	}
}

func TestStringCopies(t *testing.T) {
	b := AppendString(nil, []byte("hello"))
	s, _ := NewReader(b).String()
	b[1] = 'X'
	if string(s) != "hello" {
		t.Fatalf("String aliases its input: %q", s)
	}
}

func TestFooter(t *testing.T) {
	good := AppendFooter([]byte{0, 1, 'x'})
	if !CheckFooter(good) || len(good) != 3+FooterLen {
		t.Fatalf("bad footer %x", good)
	}
	if !CheckFooter(AppendFooter(nil)) {
		t.Error("empty body rejected")
	}
	for i := range good {
		bad := bytes.Clone(good)
		bad[i] ^= 0x40
		if CheckFooter(bad) {
			t.Errorf("flipped byte %d accepted", i)
		}
	}
	if CheckFooter(good[:9]) || CheckFooter(nil) {
		t.Error("short payload accepted")
	}
	// An older RDB version is accepted, a newer one is not.
	for ver, ok := range map[uint16]bool{0: true, 9: true, 10: true, 11: false, 0x100: false} {
		b := append([]byte{0, 1, 'x'}, byte(ver), byte(ver>>8))
		b = append(b, make([]byte, 8)...)
		c := CRC64(0, b[:len(b)-8])
		for i := range 8 {
			b[len(b)-8+i] = byte(c >> (8 * i))
		}
		if CheckFooter(b) != ok {
			t.Errorf("version %d: got %v", ver, !ok)
		}
	}
}

// TestReaderRedisQuirks covers inputs Redis accepts that a stricter
// reader might not.
func TestReaderRedisQuirks(t *testing.T) {
	cases := []struct {
		in   string
		want string
		ok   bool
	}{
		{"c3c6c5046162636465", "abcde", true}, // both LZF lengths in encoded form
		{"c30000", "", true},                  // empty LZF string
		{"c302000061", "", true},              // any data decompresses to 0 bytes
		{"c3000100", "", false},               // no data for 1 byte
		{"c30301016162", "", false},           // literal longer than the output
		{"c30202006162", "", false},           // literal past the data
		{"c4", "", false},                     // unknown encoding
		{"c0", "", false},                     // truncated integer
		{"c1ff", "", false},
		{"c2ffffff", "", false},
		{"05616263", "", false}, // truncated raw string
		{"8000000001", "", false},
	}
	for _, c := range cases {
		b, _ := hex.DecodeString(c.in)
		got, err := NewReader(b).String()
		if (err == nil) != c.ok || (c.ok && string(got) != c.want) {
			t.Errorf("%s: got %q %v", c.in, got, err)
		}
	}
}

// TestReaderCorrupt truncates and mutates valid input: the reader must
// fail cleanly, never panic.
func TestReaderCorrupt(t *testing.T) {
	var b []byte
	b = AppendString(b, bytes.Repeat([]byte("abcdefgh"), 40))
	b = AppendString(b, []byte("12345"))
	b = AppendString(b, []byte("-70000"))
	b = AppendString(b, bytes.Repeat([]byte("z"), 70))
	rng := rand.New(rand.NewPCG(3, 3))
	for i := range 20000 {
		in := bytes.Clone(b)
		if i%2 == 0 {
			in = in[:rng.IntN(len(in)+1)]
		}
		for range 1 + rng.IntN(3) {
			if len(in) > 0 {
				in[rng.IntN(len(in))] = byte(rng.Uint32())
			}
		}
		readAll(in)
	}
}

// readAll reads in as a sequence of strings until an error.
func readAll(in []byte) {
	r := NewReader(in)
	for r.Remaining() > 0 {
		if _, err := r.String(); err != nil {
			return
		}
	}
}
