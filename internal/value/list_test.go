package value

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"
)

// listModel is the naive list the tests compare List with.
type listModel [][]byte

func listElems(l *List) [][]byte {
	var out [][]byte
	if l.Len() == 0 {
		return out
	}
	l.Iter(0, false, func(v []byte) bool {
		out = append(out, append([]byte(nil), v...))
		return true
	})
	return out
}

func listCheck(t *testing.T, step int, l *List, m listModel) {
	t.Helper()
	if l.Len() != len(m) {
		t.Fatalf("step %d: Len %d, want %d", step, l.Len(), len(m))
	}
	got := listElems(l)
	if len(got) != len(m) {
		t.Fatalf("step %d: iterated %d elements, want %d", step, len(got), len(m))
	}
	for i := range m {
		if !bytes.Equal(got[i], m[i]) {
			t.Fatalf("step %d: element %d = %q, want %q", step, i, got[i], m[i])
		}
	}
	// Reverse iteration and chunk bookkeeping.
	n := 0
	if l.Len() > 0 {
		l.Iter(l.Len()-1, true, func(v []byte) bool {
			n++
			if !bytes.Equal(v, m[len(m)-n]) {
				t.Fatalf("step %d: reverse element %d = %q, want %q", step, len(m)-n, v, m[len(m)-n])
			}
			return true
		})
	}
	if n != len(m) {
		t.Fatalf("step %d: reverse iterated %d, want %d", step, n, len(m))
	}
	sum := 0
	for _, c := range l.live() {
		if c.n == 0 {
			t.Fatalf("step %d: empty live chunk", step)
		}
		sum += c.n
	}
	if sum != l.n {
		t.Fatalf("step %d: chunk counts sum to %d, list says %d", step, sum, l.n)
	}
}

func listRandElem(r *rand.Rand) []byte {
	switch r.IntN(10) {
	case 0:
		return bytes.Repeat([]byte{byte('a' + r.IntN(26))}, 100+r.IntN(300)) // 2-byte lengths
	case 1:
		if r.IntN(20) == 0 {
			return bytes.Repeat([]byte{'B'}, 9000+r.IntN(3000)) // bigger than a chunk
		}
		return []byte{}
	case 2, 3:
		return []byte(strconv.Itoa(r.IntN(1000)))
	default:
		return []byte{byte('a' + r.IntN(5))}
	}
}

func TestListModel(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed=%d", seed)
	r := rand.New(rand.NewPCG(seed, seed^0x5bd1e995))
	for round := 0; round < 20; round++ {
		l := NewList()
		var m listModel
		for step := 0; step < 3000; step++ {
			op := r.IntN(100)
			switch {
			case op < 22:
				v := listRandElem(r)
				l.PushFront(v)
				m = append(listModel{append([]byte(nil), v...)}, m...)
			case op < 44:
				v := listRandElem(r)
				l.PushBack(v)
				m = append(m, append([]byte(nil), v...))
			case op < 54:
				v := l.PopFront()
				if len(m) == 0 {
					if v != nil {
						t.Fatalf("pop from empty list gave %q", v)
					}
					continue
				}
				if !bytes.Equal(v, m[0]) {
					t.Fatalf("step %d: PopFront %q, want %q", step, v, m[0])
				}
				m = m[1:]
			case op < 64:
				v := l.PopBack()
				if len(m) == 0 {
					if v != nil {
						t.Fatalf("pop from empty list gave %q", v)
					}
					continue
				}
				if !bytes.Equal(v, m[len(m)-1]) {
					t.Fatalf("step %d: PopBack %q, want %q", step, v, m[len(m)-1])
				}
				m = m[:len(m)-1]
			case op < 70:
				if len(m) == 0 {
					continue
				}
				i := r.IntN(len(m))
				if !bytes.Equal(l.Index(i), m[i]) {
					t.Fatalf("step %d: Index(%d) %q, want %q", step, i, l.Index(i), m[i])
				}
			case op < 75:
				if len(m) == 0 {
					continue
				}
				i := r.IntN(len(m))
				v := listRandElem(r)
				l.Set(i, v)
				m[i] = append([]byte(nil), v...)
			case op < 80:
				pivot := listRandElem(r)
				v := listRandElem(r)
				after := r.IntN(2) == 0
				found := l.Insert(pivot, v, after)
				idx := slices.IndexFunc(m, func(e []byte) bool { return bytes.Equal(e, pivot) })
				if found != (idx >= 0) {
					t.Fatalf("step %d: Insert found=%v, model %d", step, found, idx)
				}
				if idx >= 0 {
					if after {
						idx++
					}
					m = slices.Insert(m, idx, append([]byte(nil), v...))
				}
			case op < 85:
				v := listRandElem(r)
				count := r.IntN(5) - 2
				got := l.Remove(v, count)
				want := 0
				if count >= 0 {
					var out listModel
					for _, e := range m {
						if bytes.Equal(e, v) && (count == 0 || want < count) {
							want++
							continue
						}
						out = append(out, e)
					}
					m = out
				} else {
					var out listModel
					for i := len(m) - 1; i >= 0; i-- {
						if bytes.Equal(m[i], v) && want < -count {
							want++
							continue
						}
						out = append(out, m[i])
					}
					slices.Reverse(out)
					m = out
				}
				if got != want {
					t.Fatalf("step %d: Remove(%q, %d) = %d, want %d", step, v, count, got, want)
				}
			case op < 88:
				if len(m) == 0 {
					continue
				}
				a, b := r.IntN(len(m)), r.IntN(len(m))
				if a > b {
					a, b = b, a
				}
				l.Trim(a, b)
				m = m[a : b+1]
			case op < 92:
				k := r.IntN(len(m) + 1)
				if r.IntN(2) == 0 {
					l.DelFront(k)
					m = m[k:]
				} else {
					l.DelBack(k)
					m = m[:len(m)-k]
				}
			case op < 96:
				if len(m) == 0 {
					continue
				}
				start := r.IntN(len(m))
				rev := r.IntN(2) == 0
				limit := r.IntN(10)
				var got [][]byte
				l.Iter(start, rev, func(v []byte) bool {
					got = append(got, append([]byte(nil), v...))
					return len(got) < limit
				})
				var want [][]byte
				for i := start; i >= 0 && i < len(m) && len(want) < max(limit, 1); {
					want = append(want, m[i])
					if rev {
						i--
					} else {
						i++
					}
				}
				if len(got) != len(want) {
					t.Fatalf("step %d: Iter(%d, %v) gave %d, want %d", step, start, rev, len(got), len(want))
				}
				for i := range want {
					if !bytes.Equal(got[i], want[i]) {
						t.Fatalf("step %d: Iter element %d", step, i)
					}
				}
			default:
				c := l.Clone().(*List)
				listCheck(t, step, c, m)
				c.PushBack([]byte("clone-only"))
			}
			if err := l.Check(); err != nil {
				t.Fatalf("step %d (op %d): %v", step, op, err)
			}
			if step%97 == 0 {
				listCheck(t, step, l, m)
			}
		}
		listCheck(t, -1, l, m)
	}
}

func TestListEntryEncoding(t *testing.T) {
	for _, n := range []int{0, 1, 127, 128, 16383, 16384, 1 << 20} {
		v := bytes.Repeat([]byte{'x'}, n)
		buf := make([]byte, lentSize(n)+3)
		size := lput(buf[1:], v)
		if size != lentSize(n) {
			t.Fatalf("len %d: wrote %d bytes, lentSize %d", n, size, lentSize(n))
		}
		got, next := lnext(buf, 1)
		if !bytes.Equal(got, v) || next != 1+size {
			t.Fatalf("len %d: forward decode wrong", n)
		}
		got, start := lprev(buf, 1+size)
		if !bytes.Equal(got, v) || start != 1 {
			t.Fatalf("len %d: backward decode wrong (start %d)", n, start)
		}
	}
}

func TestListQueueReusesChunks(t *testing.T) {
	l := NewList()
	v := []byte("0123456789")
	for i := 0; i < 10000; i++ {
		l.PushBack(v)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		l.PushBack(v)
		l.PopFront()
	})
	if allocs > 0.01 {
		t.Fatalf("queue push/pop allocates %.3f times per operation", allocs)
	}
}

func TestListRemoveMinInt(t *testing.T) {
	l := ListFromSlice([][]byte{[]byte("a"), []byte("b"), []byte("a")})
	if n := l.Remove([]byte("a"), math.MinInt); n != 2 || l.Len() != 1 {
		t.Fatalf("Remove(MinInt) = %d, len %d", n, l.Len())
	}
}

func BenchmarkListPushPop(b *testing.B) {
	l := NewList()
	v := []byte("element-value")
	for i := 0; i < 1000; i++ {
		l.PushBack(v)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l.PushBack(v)
		l.PopFront()
	}
}

func BenchmarkListIndexMiddle(b *testing.B) {
	l := NewList()
	for i := 0; i < 100000; i++ {
		l.PushBack([]byte(strconv.Itoa(i)))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = l.Index(50000)
	}
}

// BenchmarkListMemory reports the heap bytes per element of lists of small
// elements (runtime heap in use, divided by the element count).
func BenchmarkListMemory(b *testing.B) {
	for _, size := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("elem=%dB", size), func(b *testing.B) {
			const n = 1 << 20
			v := bytes.Repeat([]byte{'v'}, size)
			var per float64
			for i := 0; i < b.N; i++ {
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				l := NewList()
				for j := 0; j < n; j++ {
					l.PushBack(v)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				per = float64(after.HeapAlloc-before.HeapAlloc) / n
				runtime.KeepAlive(l)
			}
			b.ReportMetric(per, "bytes/elem")
		})
	}
}

// TestListLargeEntryOwnBuffer: an entry too large to share a chunk gets a
// buffer of about its own size, not a full chunk left half empty.
func TestListLargeEntryOwnBuffer(t *testing.T) {
	l := NewList()
	v := make([]byte, 4096)
	for range 100 {
		l.PushFront(v)
		l.PushBack(v)
	}
	// 200 entries of 4 KB, each in a 4864-byte size class, plus headers.
	if got, most := Size(l), int64(200*(4864+chunkHeader)+4096); got > most {
		t.Fatalf("Size %d, want at most %d", got, most)
	}
	if l.Len() != 200 || len(l.PopFront()) != 4096 {
		t.Fatal("list contents")
	}
}
