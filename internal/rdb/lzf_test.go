package rdb

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

func lzfRoundTrip(t *testing.T, in []byte) {
	t.Helper()
	c, ok := Compress([]byte("prefix"), in, len(in)+len(in)/16+64)
	if !ok {
		t.Fatalf("%d bytes: not compressed", len(in))
	}
	if string(c[:6]) != "prefix" {
		t.Fatalf("prefix overwritten: %q", c[:6])
	}
	out, err := Decompress(c[6:], len(in))
	if err != nil || !bytes.Equal(out, in) {
		t.Fatalf("%d bytes: round trip failed: %v", len(in), err)
	}
}

func TestLZFRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for range 300 {
		n := 1 + rng.IntN(2000)
		if rng.IntN(10) == 0 {
			n = 1 + rng.IntN(200000)
		}
		in := make([]byte, n)
		alpha := 1 + rng.IntN(256)
		for i := range in {
			in[i] = byte(rng.IntN(alpha))
			if i > 10 && rng.IntN(4) == 0 {
				in[i] = in[i-1-rng.IntN(min(i, 9000))]
			}
		}
		lzfRoundTrip(t, in)
	}
	for n := 1; n < 600; n++ {
		lzfRoundTrip(t, bytes.Repeat([]byte("a"), n))
		lzfRoundTrip(t, []byte(strings.Repeat("abc", n)[:n]))
	}
}

// TestLZFMatchesRedis checks outputs taken from Redis 7.0.15's DUMP,
// among them a match running past liblzf's nominal maximum at the end of
// the input.
func TestLZFMatchesRedis(t *testing.T) {
	cases := map[string]string{
		strings.Repeat("a", 21): "\x01aa\xe0\x0a\x00",
		strings.Repeat("a", 22): "\x01aa\xe0\x0a\x00\x00a",
		strings.Repeat("a", 23): "\x01aa\xe0\x0a\x00\x01aa",
		strings.Repeat("a", 30): "\x01aa\xe0\x11\x00\x01aa",
	}
	for in, want := range cases {
		got, ok := Compress(nil, []byte(in), len(in)-4)
		if !ok || string(got) != want {
			t.Errorf("%d a's: %q want %q", len(in), got, want)
		}
	}
}

func TestLZFLimit(t *testing.T) {
	in := bytes.Repeat([]byte("0123456789"), 10)
	full, ok := Compress(nil, in, len(in))
	if !ok {
		t.Fatal("not compressed")
	}
	// The output does not depend on the limit; liblzf needs up to 3
	// spare bytes to finish, and never goes over it.
	for limit := len(full) - 3; limit < len(full)+5; limit++ {
		got, ok := Compress([]byte("x"), in, limit)
		switch {
		case ok && !bytes.Equal(got[1:], full):
			t.Fatalf("limit %d: output differs", limit)
		case !ok && string(got) != "x":
			t.Fatalf("limit %d: dst changed on failure: %q", limit, got)
		case ok && limit < len(full):
			t.Fatalf("limit %d: %d bytes written", limit, len(full))
		case !ok && limit >= len(full)+3:
			t.Fatalf("limit %d: not compressed", limit)
		}
	}
	// Incompressible data does not fit in len-4.
	rng := rand.New(rand.NewPCG(5, 5))
	rnd := make([]byte, 1000)
	for i := range rnd {
		rnd[i] = byte(rng.Uint32())
	}
	if _, ok := Compress(nil, rnd, len(rnd)-4); ok {
		t.Fatal("random data compressed")
	}
	if _, ok := Compress(nil, nil, 10); ok {
		t.Fatal("empty input compressed")
	}
	if _, ok := Compress(nil, in, 0); ok {
		t.Fatal("zero limit compressed")
	}
}

// TestLZFTableReset checks that the slots compression sets are exactly
// those lzfReset clears, so pooled tables are always zero.
func TestLZFTableReset(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for _, n := range []int{1, 2, 3, 25, 1000, lzfHashLen/4 - 1, lzfHashLen / 4, 100000} {
		in := make([]byte, n)
		for i := range in {
			in[i] = byte(rng.IntN(7))
		}
		tab := new(lzfTable)
		out := make([]byte, n+1)
		lzfCompress(out, in, n, tab)
		lzfReset(tab, in)
		for i, v := range tab {
			if v != 0 {
				t.Fatalf("n=%d: slot %d left set", n, i)
			}
		}
	}
}

func TestLZFDecompressCorrupt(t *testing.T) {
	in := bytes.Repeat([]byte("hello lzf "), 50)
	c, _ := Compress(nil, in, len(in)-4)
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range 20000 {
		bad := bytes.Clone(c)
		if i%2 == 0 {
			bad = bad[:rng.IntN(len(bad)+1)]
		}
		for range 1 + rng.IntN(3) {
			if len(bad) > 0 {
				bad[rng.IntN(len(bad))] = byte(rng.Uint32())
			}
		}
		n := len(in)
		if i%3 == 0 {
			n = rng.IntN(2 * len(in))
		}
		out, err := Decompress(bad, n)
		if err == nil && len(out) != n {
			t.Fatalf("length %d, want %d", len(out), n)
		}
	}
	for _, n := range []int{-1, 1 << 40} {
		if _, err := Decompress(c, n); err == nil {
			t.Fatalf("length %d accepted", n)
		}
	}
	// A back reference before the start of the output.
	if _, err := Decompress([]byte{0x00, 'a', 0x20, 0x05}, 4); err == nil {
		t.Fatal("reference before the output accepted")
	}
}

func BenchmarkCompress(b *testing.B) {
	in := bytes.Repeat([]byte("some fairly compressible text, "), 8)
	b.ReportAllocs()
	var dst []byte
	for b.Loop() {
		dst, _ = Compress(dst[:0], in, len(in)-4)
	}
}

func BenchmarkCRC64(b *testing.B) {
	in := bytes.Repeat([]byte("x"), 4096)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		CRC64(0, in)
	}
}
