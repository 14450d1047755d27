package value

import (
	"fmt"
	"runtime"
	"testing"
)

func TestStreamBlocks(t *testing.T) {
	s := NewStream()
	for i := 1; i <= 250; i++ {
		s.Append(StreamID{uint64(i), 0}, [][]byte{[]byte("f"), []byte(fmt.Sprint(i))}, 100, 4096)
	}
	if s.Blocks() != 3 || s.Len() != 250 {
		t.Fatalf("blocks %d len %d", s.Blocks(), s.Len())
	}
	var got []uint64
	s.Range(StreamID{99, 0}, StreamID{102, 0}, false, 0, func(id StreamID, f [][]byte) bool {
		if string(f[1]) != fmt.Sprint(id.Ms) {
			t.Fatalf("fields %q for %v", f, id)
		}
		got = append(got, id.Ms)
		return true
	})
	if fmt.Sprint(got) != "[99 100 101 102]" {
		t.Fatalf("range %v", got)
	}
	got = nil
	s.Range(StreamID{}, MaxStreamID, true, 3, func(id StreamID, _ [][]byte) bool { got = append(got, id.Ms); return true })
	if fmt.Sprint(got) != "[250 249 248]" {
		t.Fatalf("rev %v", got)
	}
	if !s.Delete(StreamID{100, 0}) || s.Delete(StreamID{100, 0}) || s.Len() != 249 {
		t.Fatal("delete")
	}
	// Approximate trimming removes whole blocks only.
	if n := s.Trim(false, 120, StreamID{}, true, 0); n != 99 || s.Blocks() != 2 {
		t.Fatalf("approx trim removed %d, blocks %d", n, s.Blocks())
	}
	if n := s.Trim(false, 120, StreamID{}, false, 0); n != 30 || s.Len() != 120 {
		t.Fatalf("exact trim removed %d, len %d", n, s.Len())
	}
	if n := s.Trim(true, 0, StreamID{200, 0}, false, 0); n != 69 {
		t.Fatalf("minid trim removed %d", n)
	}
	if id, _ := s.FirstID(); id != (StreamID{200, 0}) {
		t.Fatalf("first %v", id)
	}
	c := s.Clone().(*Stream)
	c.Delete(StreamID{200, 0})
	if s.Len() != 51 || c.Len() != 50 {
		t.Fatal("clone shares data")
	}
}

func TestStreamIDIncrDecr(t *testing.T) {
	if id, ok := (StreamID{1, ^uint64(0)}).Incr(); !ok || id != (StreamID{2, 0}) {
		t.Fatal(id)
	}
	if _, ok := MaxStreamID.Incr(); ok {
		t.Fatal("max incr")
	}
	if id, ok := (StreamID{2, 0}).Decr(); !ok || id != (StreamID{1, ^uint64(0)}) {
		t.Fatal(id)
	}
	if _, ok := (StreamID{}).Decr(); ok {
		t.Fatal("zero decr")
	}
}

// TestStreamMemory reports heap bytes per entry for 100k small entries
// (XADD k <ms>-<seq> field value-i) to compare with Redis's MEMORY USAGE.
func TestStreamMemory(t *testing.T) {
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	s := NewStream()
	f := []byte("field")
	base := uint64(1700000000000)
	for i := 0; i < 100000; i++ {
		s.Append(StreamID{base + uint64(i/3), uint64(i % 3)}, [][]byte{f, []byte(fmt.Sprint(i))}, 100, 4096)
	}
	runtime.GC()
	runtime.ReadMemStats(&m1)
	per := float64(m1.HeapAlloc-m0.HeapAlloc) / 100000
	t.Logf("heap bytes/entry: %.2f (packed estimate %.2f), blocks %d", per, float64(s.Bytes())/100000, s.Blocks())
	runtime.KeepAlive(s)
}

func BenchmarkStreamAppend(b *testing.B) {
	s := NewStream()
	f := [][]byte{[]byte("field"), []byte("value-123")}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.Append(StreamID{uint64(i), 0}, f, 100, 4096)
	}
}

func BenchmarkStreamRange10(b *testing.B) {
	s := NewStream()
	f := [][]byte{[]byte("field"), []byte("value-123")}
	for i := 0; i < 100000; i++ {
		s.Append(StreamID{uint64(i), 0}, f, 100, 4096)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := StreamID{uint64(i % 99990), 0}
		s.Range(start, MaxStreamID, false, 10, func(StreamID, [][]byte) bool { return true })
	}
}
