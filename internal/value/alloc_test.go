package value

import (
	"bytes"
	"testing"
)

func TestMakeFilled(t *testing.T) {
	for _, n := range []int{0, 1, 7, 4096, 4114, 1 << 20} {
		b := makeFilled(n)
		if len(b) != n || b == nil {
			t.Fatalf("makeFilled(%d): len %d, nil %v", n, len(b), b == nil)
		}
		for i := range b {
			b[i] = byte(i)
		}
		c := append([]byte(nil), b...)
		// A second allocation must not share the first one's memory.
		d := makeFilled(n)
		for i := range d {
			d[i] = 0xff
		}
		if !bytes.Equal(b, c) {
			t.Fatalf("makeFilled(%d): two allocations overlap", n)
		}
	}
}

// BenchmarkMakeFilled compares storing a 4 KB value as SET does (key,
// header and value in one allocation) with make, which clears the memory
// first, and with makeFilled.
func BenchmarkMakeFilled(b *testing.B) {
	key := []byte("key:000000001234")
	val := bytes.Repeat([]byte{'x'}, 4096)
	var sink []byte
	for _, alloc := range []struct {
		name string
		fn   func(int) []byte
	}{{"make", func(n int) []byte { return make([]byte, n) }}, {"makeFilled", makeFilled}} {
		b.Run(alloc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				buf := alloc.fn(len(key) + 2 + len(val))
				copy(buf, key)
				copy(buf[len(key)+2:], val)
				sink = buf
			}
		})
	}
	_ = sink
}
