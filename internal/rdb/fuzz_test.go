package rdb

import (
	"bytes"
	"testing"
)

// FuzzReader feeds arbitrary bytes to the reader: it must never panic,
// and strings it accepts must re-encode to something it reads back the
// same.
func FuzzReader(f *testing.F) {
	f.Add([]byte{0xc3, 0x06, 0x15, 0x01, 'a', 'a', 0xe0, 0x0a, 0x00})
	f.Add([]byte{0xc0, 0x0c, 0xc1, 0x38, 0xff, 0x03, 'a', 'b', 'c'})
	f.Add([]byte{0x80, 0, 0, 0, 1, 'x', 0x81})
	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewReader(in)
		for r.Remaining() > 0 {
			s, err := r.String()
			if err != nil {
				break
			}
			back, err := NewReader(AppendString(nil, s)).String()
			if err != nil || !bytes.Equal(back, s) {
				t.Fatalf("%q does not round trip: %v", s, err)
			}
		}
		r = NewReader(in)
		for r.Remaining() > 0 {
			if _, err := r.Count(); err != nil {
				break
			}
		}
	})
}

// FuzzLZF round-trips arbitrary data through Compress and Decompress,
// and decompresses arbitrary data as if it were compressed.
func FuzzLZF(f *testing.F) {
	f.Add([]byte("aaaaaaaaaaaaaaaaaaaaa"), uint16(21))
	f.Add([]byte("hello world hello world hello world!"), uint16(10))
	f.Add([]byte{0x01, 'a', 'a', 0xe0, 0x0a, 0x00}, uint16(21))
	f.Fuzz(func(t *testing.T, in []byte, n uint16) {
		if c, ok := Compress(nil, in, len(in)+len(in)/16+64); ok {
			out, err := Decompress(c, len(in))
			if err != nil || !bytes.Equal(out, in) {
				t.Fatalf("round trip failed: %v", err)
			}
		} else if len(in) > 0 {
			t.Fatal("not compressed with room to spare")
		}
		if out, err := Decompress(in, int(n)); err == nil && len(out) != int(n) {
			t.Fatalf("got %d bytes, want %d", len(out), n)
		}
	})
}
