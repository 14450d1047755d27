package value

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// hashModel is a naive hash: pairs in insertion order.
type hashModel struct {
	fields []string
	vals   map[string]string
}

func (m *hashModel) set(f, v string) bool {
	if _, ok := m.vals[f]; ok {
		m.vals[f] = v
		return false
	}
	m.fields = append(m.fields, f)
	m.vals[f] = v
	return true
}

func (m *hashModel) del(f string) bool {
	if _, ok := m.vals[f]; !ok {
		return false
	}
	delete(m.vals, f)
	for i, g := range m.fields {
		if g == f {
			m.fields = append(m.fields[:i], m.fields[i+1:]...)
			break
		}
	}
	return true
}

// hashPairs lists a hash's pairs as "field=value" in Range order.
func hashPairs(h *Hash) []string {
	var out []string
	h.Range(func(f, v []byte) bool {
		out = append(out, string(f)+"="+string(v))
		return true
	})
	return out
}

func (m *hashModel) pairs() []string {
	out := make([]string, len(m.fields))
	for i, f := range m.fields {
		out[i] = f + "=" + m.vals[f]
	}
	return out
}

func hashSeed(t testing.TB) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed=%d", seed)
	return rand.New(rand.NewPCG(seed, 7))
}

// TestHashModel applies random operations to a Hash and to a naive model
// and compares every result, the encoding (including the conversion
// points) and the order of a listpack's pairs.
func TestHashModel(t *testing.T) {
	r := hashSeed(t)
	for round := 0; round < 40; round++ {
		maxEntries := 1 + r.IntN(20)
		maxValue := r.IntN(200)
		h := NewHash()
		m := &hashModel{vals: map[string]string{}}
		listpack := true
		str := func() string {
			switch r.IntN(6) {
			case 0:
				return strings.Repeat(string(rune('a'+r.IntN(3))), r.IntN(300))
			case 1:
				return ""
			default:
				return "s" + strconv.Itoa(r.IntN(30))
			}
		}
		for op := 0; op < 500; op++ {
			f := str()
			switch r.IntN(5) {
			case 0, 1, 2:
				v := str()
				if len(f) > maxValue || len(v) > maxValue {
					listpack = false
				}
				added := h.Set([]byte(f), []byte(v), maxEntries, maxValue)
				if want := m.set(f, v); added != want {
					t.Fatalf("Set(%q) added=%v, want %v", f, added, want)
				}
				if len(m.fields) > maxEntries {
					listpack = false
				}
			case 3:
				if got, want := h.Delete([]byte(f)), m.del(f); got != want {
					t.Fatalf("Delete(%q)=%v, want %v", f, got, want)
				}
			default:
				v, ok := h.Get([]byte(f))
				w, wok := m.vals[f]
				if ok != wok || string(v) != w {
					t.Fatalf("Get(%q)=%q,%v want %q,%v", f, v, ok, w, wok)
				}
			}
			if h.Len() != len(m.fields) {
				t.Fatalf("Len=%d, want %d", h.Len(), len(m.fields))
			}
			if h.IsListpack() != listpack {
				t.Fatalf("op %d: listpack=%v, want %v (entries %d/%d)", op, h.IsListpack(), listpack, h.Len(), maxEntries)
			}
		}
		got, want := hashPairs(h), m.pairs()
		if !listpack {
			sort.Strings(got)
			sort.Strings(want)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("pairs differ:\n got %q\nwant %q", got, want)
		}
		// A clone is equal (same order for a listpack) and independent.
		c := h.Clone().(*Hash)
		if c.Encoding() != h.Encoding() {
			t.Fatal("clone changed the encoding")
		}
		cp := hashPairs(c)
		if !listpack {
			sort.Strings(cp)
		}
		if strings.Join(cp, "\n") != strings.Join(got, "\n") {
			t.Fatal("clone differs")
		}
		c.Set([]byte("clone-only"), []byte("x"), maxEntries, maxValue)
		h.Range(func(f, v []byte) bool {
			c.Set(f, []byte("changed"), maxEntries, 1000)
			return true
		})
		after := hashPairs(h)
		if !listpack {
			sort.Strings(after)
		}
		if strings.Join(after, "\n") != strings.Join(got, "\n") || h.Exists([]byte("clone-only")) {
			t.Fatal("changing the clone changed the original")
		}
	}
}

// TestHashListpackLongStrings exercises multi-byte length prefixes and
// in-place replacement of values of every size.
func TestHashListpackLongStrings(t *testing.T) {
	h := NewHash()
	const max = 1 << 20
	sizes := []int{0, 1, 127, 128, 129, 300, 16383, 16384, 70000, 5}
	for i, n := range sizes {
		h.Set([]byte("f"+strconv.Itoa(i)), bytes.Repeat([]byte{'x'}, n), 100, max)
	}
	for round := 0; round < 3; round++ {
		for i := range sizes {
			n := sizes[(i+round+1)%len(sizes)]
			h.Set([]byte("f"+strconv.Itoa(i)), bytes.Repeat([]byte{byte('a' + round)}, n), 100, max)
		}
		for i := range sizes {
			n := sizes[(i+round+1)%len(sizes)]
			v, ok := h.Get([]byte("f" + strconv.Itoa(i)))
			if !ok || !bytes.Equal(v, bytes.Repeat([]byte{byte('a' + round)}, n)) {
				t.Fatalf("round %d field %d: len %d ok %v", round, i, len(v), ok)
			}
		}
	}
	if !h.IsListpack() || h.Len() != len(sizes) {
		t.Fatalf("listpack=%v len=%d", h.IsListpack(), h.Len())
	}
	for i := range sizes {
		if !h.Delete([]byte("f" + strconv.Itoa(i))) {
			t.Fatalf("delete f%d", i)
		}
	}
	if h.Len() != 0 || len(h.lp) != 0 {
		t.Fatalf("not empty: %d pairs, %d bytes", h.Len(), len(h.lp))
	}
}

func TestHashConversionRules(t *testing.T) {
	h := NewHash()
	for i := 0; i < 128; i++ {
		h.Set([]byte(fmt.Sprint("f", i)), []byte("v"), 128, 64)
	}
	if h.Encoding() != "listpack" {
		t.Fatalf("128 entries: %s", h.Encoding())
	}
	h.Set([]byte("f0"), []byte("w"), 128, 64)
	if h.Encoding() != "listpack" {
		t.Fatal("an update converted")
	}
	h.Set([]byte("f128"), []byte("v"), 128, 64)
	if h.Encoding() != "hashtable" {
		t.Fatalf("129 entries: %s", h.Encoding())
	}
	for i := 0; i < 128; i++ {
		h.Delete([]byte(fmt.Sprint("f", i)))
	}
	if h.Encoding() != "hashtable" || h.Len() != 1 {
		t.Fatal("a hashtable must stay one")
	}
	s := NewHash()
	if s.TooBigForListpack([][]byte{[]byte("f"), bytes.Repeat([]byte{'v'}, 64)}, 64) {
		t.Fatal("64 bytes is not too big")
	}
	if !s.TooBigForListpack([][]byte{[]byte("f"), bytes.Repeat([]byte{'v'}, 65)}, 64) {
		t.Fatal("65 bytes is too big")
	}
	s.Set([]byte("f"), bytes.Repeat([]byte{'v'}, 65), 128, 64)
	if s.Encoding() != "hashtable" {
		t.Fatal("65-byte value must convert")
	}
	if s.TooBigForListpack([][]byte{bytes.Repeat([]byte{'v'}, 65)}, 64) {
		t.Fatal("a hashtable never reports too big")
	}
}

// TestHashHashtableInPlace checks that updating a hashtable value of the
// same or shorter length reuses its memory, and that a longer one gets
// its own.
func TestHashHashtableInPlace(t *testing.T) {
	h := NewHash()
	h.Convert()
	h.Set([]byte("n"), []byte("100"), 0, 0)
	if a := testing.AllocsPerRun(100, func() { h.Set([]byte("n"), []byte("101"), 0, 0) }); a != 0 {
		t.Errorf("same-length update: %v allocations", a)
	}
	h.Set([]byte("n"), []byte("9"), 0, 0)
	h.Set([]byte("n"), []byte("123456789"), 0, 0)
	if v, _ := h.Get([]byte("n")); string(v) != "123456789" {
		t.Fatalf("got %q", v)
	}
	h.Set([]byte("m"), []byte("x"), 0, 0)
	if v, _ := h.Get([]byte("n")); string(v) != "123456789" {
		t.Fatalf("neighbour changed: %q", v)
	}
}

// TestHashCells exercises the hashtable cells: empty fields and values,
// header sizes around 64 and 8192 bytes, values that shrink in place and
// grow out of their allocation, and clones of both kinds of cell.
func TestHashCells(t *testing.T) {
	h := NewHash()
	h.Convert()
	lens := []int{0, 1, 63, 64, 65, 200, 8191, 8192, 9000, 3, 0, 64, 100000, 63}
	fields := []string{"", "f", strings.Repeat("k", 300)}
	for round, n := range lens {
		for i, f := range fields {
			v := bytes.Repeat([]byte{byte('a' + (round+i)%26)}, n)
			h.Set([]byte(f), v, 0, 0)
			for j, g := range fields[:i+1] {
				want := bytes.Repeat([]byte{byte('a' + (round+j)%26)}, n)
				got, ok := h.Get([]byte(g))
				if !ok || !bytes.Equal(got, want) {
					t.Fatalf("round %d field %q: len %d ok %v, want len %d", round, g, len(got), ok, n)
				}
			}
		}
		c := h.Clone().(*Hash)
		if strings.Join(hashPairs(c), ",") != strings.Join(hashPairs(h), ",") && h.Len() == c.Len() {
			got, want := hashPairs(c), hashPairs(h)
			sort.Strings(got)
			sort.Strings(want)
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("round %d: clone differs", round)
			}
		}
	}
	if h.Len() != len(fields) {
		t.Fatalf("len %d", h.Len())
	}
	for _, f := range fields {
		if !h.Delete([]byte(f)) {
			t.Fatalf("delete %q", f)
		}
	}
}

func TestHashScanAndRandom(t *testing.T) {
	r := hashSeed(t)
	for _, size := range []int{1, 5, 100, 3000} {
		h := NewHash()
		want := map[string]string{}
		for i := 0; i < size; i++ {
			f, v := "f"+strconv.Itoa(i), strconv.Itoa(r.IntN(1000))
			h.Set([]byte(f), []byte(v), 128, 64)
			want[f] = v
		}
		// A complete scan, changing the hash between calls.
		seen := map[string]bool{}
		cursor, calls := uint64(0), 0
		for {
			cursor = h.Scan(cursor, func(f, v []byte) {
				if f[0] == 'x' {
					return // added during the scan
				}
				if want[string(f)] != string(v) {
					t.Fatalf("scan: %q=%q", f, v)
				}
				seen[string(f)] = true
			})
			h.Set([]byte("x"+strconv.Itoa(r.IntN(100))), []byte("y"), 128, 64)
			h.Delete([]byte("x" + strconv.Itoa(r.IntN(100))))
			if calls++; cursor == 0 || calls > 100000 {
				break
			}
		}
		for f := range want {
			if !seen[f] {
				t.Fatalf("size %d: scan missed %s", size, f)
			}
		}
		for i := 0; i < 100; i++ {
			h.Delete([]byte("x" + strconv.Itoa(i)))
		}
		f, v := h.RandomPair()
		if want[string(f)] != string(v) {
			t.Fatalf("RandomPair %q=%q", f, v)
		}
		n := 0
		h.RandomPairs(2*size+3, func(f, v []byte) {
			n++
			if want[string(f)] != string(v) {
				t.Fatalf("RandomPairs %q=%q", f, v)
			}
		})
		if n != 2*size+3 {
			t.Fatalf("RandomPairs gave %d", n)
		}
		for _, count := range []int{1, size / 4, size / 3, size/3 + 1, size / 2, size - 1} {
			if count <= 0 || count >= size {
				continue
			}
			got := map[string]bool{}
			h.RandomDistinct(count, func(f, v []byte) {
				if want[string(f)] != string(v) || got[string(f)] {
					t.Fatalf("RandomDistinct %q=%q (dup=%v)", f, v, got[string(f)])
				}
				got[string(f)] = true
			})
			if len(got) != count {
				t.Fatalf("size %d: RandomDistinct(%d) gave %d", size, count, len(got))
			}
		}
	}
}

// TestHashRandomDistinctUniform checks that each strategy of
// RandomDistinct picks every field about equally often.
func TestHashRandomDistinctUniform(t *testing.T) {
	for _, tc := range []struct {
		size, count int
		convert     bool
	}{{10, 2, false}, {10, 5, false}, {10, 2, true}, {10, 5, true}} {
		h := NewHash()
		for i := 0; i < tc.size; i++ {
			h.Set([]byte{byte('a' + i)}, nil, 128, 64)
		}
		if tc.convert {
			h.Convert()
		}
		hits := map[string]int{}
		const rounds = 20000
		for i := 0; i < rounds; i++ {
			h.RandomDistinct(tc.count, func(f, _ []byte) { hits[string(f)]++ })
		}
		expect := float64(rounds*tc.count) / float64(tc.size)
		for f, n := range hits {
			if float64(n) < expect*0.9 || float64(n) > expect*1.1 {
				t.Errorf("%+v: %s picked %d times, expected about %.0f", tc, f, n, expect)
			}
		}
	}
}

// hashHeap returns the live heap after a full collection.
func hashHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkHashMemory reports the heap bytes each field costs: hashes of
// small fields ("field:N" → 8-byte values) in both encodings. For
// reference, Redis 7.0.15's MEMORY USAGE for the same contents is 21 bytes
// per field for 100 fields and 25 for 500 (listpack), 64 for 1000 fields
// and 66.5 for 200000 (hashtable).
func BenchmarkHashMemory(b *testing.B) {
	for _, tc := range []struct {
		name           string
		hashes, fields int
	}{
		{"listpack/100fields", 2000, 100},
		{"listpack/500fields", 400, 500},
		{"hashtable/1000fields", 200, 1000},
		{"hashtable/200000fields", 1, 200000},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var perField float64
			for i := 0; i < b.N; i++ {
				before := hashHeap()
				hs := make([]*Hash, tc.hashes)
				for j := range hs {
					h := NewHash()
					for k := 0; k < tc.fields; k++ {
						h.Set([]byte("field:"+strconv.Itoa(k)), []byte(fmt.Sprintf("val%05d", k%100000)), 512, 64)
					}
					hs[j] = h
				}
				after := hashHeap()
				perField = float64(after-before) / float64(tc.hashes*tc.fields)
				runtime.KeepAlive(hs)
			}
			b.ReportMetric(perField, "B/field")
		})
	}
}

func BenchmarkHashGet(b *testing.B) {
	for _, n := range []int{8, 128, 512, 10000} {
		h := NewHash()
		for k := 0; k < n; k++ {
			h.Set([]byte("field:"+strconv.Itoa(k)), []byte("value"), 512, 64)
		}
		key := []byte("field:" + strconv.Itoa(n/2))
		b.Run(fmt.Sprintf("%s/%d", h.Encoding(), n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, ok := h.Get(key); !ok {
					b.Fatal("missing")
				}
			}
		})
	}
}

func BenchmarkHashSetExisting(b *testing.B) {
	for _, n := range []int{8, 128, 10000} {
		h := NewHash()
		for k := 0; k < n; k++ {
			h.Set([]byte("field:"+strconv.Itoa(k)), []byte("value"), 512, 64)
		}
		key, val := []byte("field:"+strconv.Itoa(n/2)), []byte("other")
		b.Run(fmt.Sprintf("%s/%d", h.Encoding(), n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				h.Set(key, val, 512, 64)
			}
		})
	}
}
