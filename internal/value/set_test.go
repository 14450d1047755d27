package value

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"
)

// setMembers lists a set's members in its iteration order.
func setMembers(s *Set) []string {
	var out []string
	s.Each(func(m SetMember) bool {
		out = append(out, m.String())
		return true
	})
	return out
}

func TestSetIntsetOrderAndWidths(t *testing.T) {
	s := NewSet()
	in := []int64{5, -3, 0, 32767, -32768, 100, 32768, -32769, math.MaxInt32, math.MinInt32,
		math.MaxInt32 + 1, math.MinInt32 - 1, math.MaxInt64, math.MinInt64, 7}
	for i, n := range in {
		if !s.AddInt(n, 512) {
			t.Fatalf("AddInt(%d) reported not new", n)
		}
		if s.AddInt(n, 512) {
			t.Fatalf("AddInt(%d) twice reported new", n)
		}
		if s.Len() != i+1 {
			t.Fatalf("Len = %d after %d adds", s.Len(), i+1)
		}
	}
	want := slices.Clone(in)
	slices.Sort(want)
	var got []int64
	s.Each(func(m SetMember) bool {
		if !m.IsInt {
			t.Fatalf("intset gave a string member %q", m.S)
		}
		got = append(got, m.N)
		return true
	})
	if !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	if s.Encoding() != EncIntset || s.w != 8 {
		t.Fatalf("encoding %s width %d", s.Encoding(), s.w)
	}
	for _, n := range in {
		if !s.HasInt(n) || !s.Has([]byte(strconv.FormatInt(n, 10))) || !s.HasString(strconv.FormatInt(n, 10)) {
			t.Fatalf("%d not found", n)
		}
	}
	for _, m := range []string{"01", "-0", "+5", " 5", "5 ", "9223372036854775808", "", "x", "1.0", "-"} {
		if s.Has([]byte(m)) || s.HasString(m) {
			t.Fatalf("%q found", m)
		}
	}
	for _, n := range in {
		if !s.Remove([]byte(strconv.FormatInt(n, 10))) {
			t.Fatalf("Remove(%d) failed", n)
		}
		if s.Remove([]byte(strconv.FormatInt(n, 10))) {
			t.Fatalf("Remove(%d) twice succeeded", n)
		}
	}
	if s.Len() != 0 || s.Encoding() != EncIntset {
		t.Fatalf("after removing all: len %d, %s", s.Len(), s.Encoding())
	}
}

func TestSetWidthUpgradeKeepsOrder(t *testing.T) {
	for _, big := range []int64{1 << 20, -(1 << 20), 1 << 40, -(1 << 40)} {
		s := NewSet()
		for i := int64(-50); i <= 50; i++ {
			s.AddInt(i*3, 512)
		}
		s.AddInt(big, 512)
		got := setMembers(s)
		var want []string
		for i := int64(-50); i <= 50; i++ {
			want = append(want, strconv.FormatInt(i*3, 10))
		}
		if big < 0 {
			want = append([]string{strconv.FormatInt(big, 10)}, want...)
		} else {
			want = append(want, strconv.FormatInt(big, 10))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("upgrade by %d: %v", big, got)
		}
		// A narrow member that is absent must not be found once wider.
		if s.HasInt(1) || !s.HasInt(3) || s.HasInt(big+1) {
			t.Fatalf("lookups wrong after upgrading by %d", big)
		}
	}
}

func TestSetConversion(t *testing.T) {
	s := NewSet()
	s.Add([]byte("1"), 512)
	s.Add([]byte("2"), 512)
	if s.Encoding() != EncIntset {
		t.Fatal(s.Encoding())
	}
	if !s.Add([]byte("x"), 512) || s.Encoding() != EncHashtable {
		t.Fatalf("non-integer: %s", s.Encoding())
	}
	if !s.Remove([]byte("x")) || s.Encoding() != EncHashtable {
		t.Fatal("the conversion must be one-way")
	}
	if !s.HasInt(1) || !s.Has([]byte("2")) || s.Len() != 2 {
		t.Fatal("members lost in the conversion")
	}
	if s.AddInt(1, 512) || s.AddString("2", 512) || !s.AddInt(3, 512) || !s.HasString("3") {
		t.Fatal("hashtable integer adds")
	}

	// The limit: an intset holds at most maxIntset members.
	s = NewSet()
	for i := 0; i < 4; i++ {
		s.AddInt(int64(i), 4)
	}
	if s.Encoding() != EncIntset {
		t.Fatal("4 of 4 should stay an intset")
	}
	s.AddInt(4, 4)
	if s.Encoding() != EncHashtable || s.Len() != 5 {
		t.Fatal("5 of 4 should convert")
	}
	s = NewSet()
	s.AddInt(1, 0)
	if s.Encoding() != EncHashtable {
		t.Fatal("a limit of 0 converts at once")
	}
	// A duplicate does not count against the limit.
	s = NewSet()
	s.AddInt(1, 1)
	s.AddInt(1, 1)
	if s.Encoding() != EncIntset {
		t.Fatal("duplicate converted")
	}
}

func TestSetClone(t *testing.T) {
	for _, members := range [][]string{{"3", "1", "2"}, {"a", "1", "b"}} {
		s := NewSet()
		for _, m := range members {
			s.Add([]byte(m), 512)
		}
		c := s.Clone().(*Set)
		if c.Encoding() != s.Encoding() || c.Len() != s.Len() {
			t.Fatalf("clone %s/%d of %s/%d", c.Encoding(), c.Len(), s.Encoding(), s.Len())
		}
		c.Add([]byte("new"), 512)
		c.Remove([]byte("1"))
		if s.Has([]byte("new")) || !s.Has([]byte("1")) {
			t.Fatal("clone shares state")
		}
	}
}

func TestSetRandomAndScan(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	rnd := func(n uint64) uint64 { return r.Uint64N(n) }
	for _, hash := range []bool{false, true} {
		s := NewSet()
		want := map[string]bool{}
		for i := 0; i < 300; i++ {
			m := strconv.Itoa(i * 7)
			if hash {
				m = "m" + m
			}
			s.Add([]byte(m), 512)
			want[m] = true
		}
		seen := map[string]bool{}
		for i := 0; i < 20000 && len(seen) < len(want); i++ {
			m := s.Random(rnd).String()
			if !want[m] {
				t.Fatalf("Random gave %q", m)
			}
			seen[m] = true
		}
		if len(seen) != len(want) {
			t.Fatalf("Random reached %d of %d members", len(seen), len(want))
		}
		if hash {
			got := map[string]bool{}
			cursor := uint64(0)
			for i := 0; i < 100000; i++ {
				cursor = s.Scan(cursor, func(m string) { got[m] = true })
				if cursor == 0 {
					break
				}
			}
			if len(got) != len(want) {
				t.Fatalf("Scan saw %d of %d", len(got), len(want))
			}
		}
	}
}

// TestSetModel applies random operations to a Set and to a map, and
// compares membership, size, encoding (intset until a non-integer or the
// limit, then a hash table for good) and the intset's ascending order.
func TestSetModel(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("EMBER_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed=%d (replay with EMBER_SEED=%d)", seed, seed)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	rnd := func(n uint64) uint64 { return r.Uint64N(n) }
	member := func() string {
		switch r.IntN(10) {
		case 0:
			return []string{"", "a", "01", "-0", "+3", "1.5", "\x00", "9223372036854775808"}[r.IntN(8)]
		case 1:
			return strconv.FormatInt(int64(r.Uint64()), 10)
		case 2:
			return strconv.Itoa(r.IntN(1<<20) - 1<<19)
		}
		return strconv.Itoa(r.IntN(60) - 30)
	}
	isInt := func(m string) bool {
		n, err := strconv.ParseInt(m, 10, 64)
		return err == nil && strconv.FormatInt(n, 10) == m
	}
	for round := 0; round < 40; round++ {
		limit := []int{0, 1, 5, 16, 64, 512}[r.IntN(6)]
		s := NewSet()
		model := map[string]bool{}
		intset := true
		for op := 0; op < 500; op++ {
			m := member()
			switch r.IntN(8) {
			case 0, 1, 2:
				added := false
				switch r.IntN(3) {
				case 0:
					added = s.Add([]byte(m), limit)
				case 1:
					added = s.AddString(m, limit)
				default:
					if n, err := strconv.ParseInt(m, 10, 64); err == nil && isInt(m) {
						added = s.AddInt(n, limit)
					} else {
						added = s.Add([]byte(m), limit)
					}
				}
				if added == model[m] {
					t.Fatalf("add %q: added=%v, model has it=%v", m, added, model[m])
				}
				model[m] = true
				if !isInt(m) || len(model) > limit {
					intset = false
				}
			case 3, 4:
				var removed bool
				if r.IntN(2) == 0 {
					removed = s.Remove([]byte(m))
				} else {
					mm := SetMember{S: m}
					if n, err := strconv.ParseInt(m, 10, 64); err == nil && isInt(m) && r.IntN(2) == 0 {
						mm = SetMember{N: n, IsInt: true}
					}
					removed = s.RemoveMember(mm)
				}
				if removed != model[m] {
					t.Fatalf("remove %q: removed=%v, model has it=%v", m, removed, model[m])
				}
				delete(model, m)
			case 5:
				if s.Has([]byte(m)) != model[m] || s.HasString(m) != model[m] {
					t.Fatalf("has %q: model %v", m, model[m])
				}
				if n, err := strconv.ParseInt(m, 10, 64); err == nil && isInt(m) && s.HasInt(n) != model[m] {
					t.Fatalf("HasInt %q: model %v", m, model[m])
				}
			case 6:
				if len(model) > 0 {
					if m := s.Random(rnd).String(); !model[m] {
						t.Fatalf("Random gave %q, not a member", m)
					}
				}
			case 7:
				c := s.Clone().(*Set)
				if c.Len() != s.Len() || c.Encoding() != s.Encoding() {
					t.Fatal("clone differs")
				}
			}
			if s.Len() != len(model) {
				t.Fatalf("len %d, model %d", s.Len(), len(model))
			}
			if want := map[bool]string{true: EncIntset, false: EncHashtable}[intset]; s.Encoding() != want {
				t.Fatalf("encoding %s, want %s (limit %d)", s.Encoding(), want, limit)
			}
		}
		got := setMembers(s)
		if len(got) != len(model) {
			t.Fatalf("Each gave %d members, model %d", len(got), len(model))
		}
		for _, m := range got {
			if !model[m] {
				t.Fatalf("Each gave %q", m)
			}
		}
		if s.IsIntset() && !slices.IsSortedFunc(got, func(a, b string) int {
			x, _ := strconv.ParseInt(a, 10, 64)
			y, _ := strconv.ParseInt(b, 10, 64)
			return cmpInt(x, y)
		}) {
			t.Fatalf("intset order %v", got)
		}
	}
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// setHeapPerMember measures the heap bytes per member of sets built by
// fill, over enough sets to smooth out the allocator.
func setHeapPerMember(b *testing.B, sets, members int, fill func(s *Set, i int)) float64 {
	keep := make([]*Set, sets)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range keep {
		s := NewSet()
		for j := 0; j < members; j++ {
			fill(s, j)
		}
		keep[i] = s
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perMember := float64(after.HeapAlloc-before.HeapAlloc) / float64(sets*members)
	runtime.KeepAlive(keep)
	return perMember
}

// BenchmarkSetMemory reports the heap bytes per member of intsets of small
// and large integers and of hash tables of short strings.
func BenchmarkSetMemory(b *testing.B) {
	cases := []struct {
		name          string
		sets, members int
		fill          func(s *Set, i int)
	}{
		{"intset16/512", 200, 512, func(s *Set, i int) { s.AddInt(int64(i), 512) }},
		{"intset64/512", 200, 512, func(s *Set, i int) { s.AddInt(int64(i)<<40, 512) }},
		{"intset16/100", 1000, 100, func(s *Set, i int) { s.AddInt(int64(i), 512) }},
		{"hashtable-int/100000", 1, 100000, func(s *Set, i int) { s.AddInt(int64(i), 0) }},
		{"hashtable-str12/100000", 1, 100000, func(s *Set, i int) { s.Add(fmt.Appendf(nil, "member:%05d", i), 512) }},
		{"hashtable-str12/100", 1000, 100, func(s *Set, i int) { s.Add(fmt.Appendf(nil, "member:%05d", i), 512) }},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			var per float64
			for i := 0; i < b.N; i++ {
				per = setHeapPerMember(b, tc.sets, tc.members, tc.fill)
			}
			b.ReportMetric(per, "bytes/member")
		})
	}
}

func BenchmarkSetIntsetAdd(b *testing.B) {
	b.ReportAllocs()
	s := NewSet()
	for i := 0; i < b.N; i++ {
		if i%512 == 0 {
			s = NewSet()
		}
		s.AddInt(int64(i%512)*7919%512, 512)
	}
}

func BenchmarkSetHas(b *testing.B) {
	for _, hash := range []bool{false, true} {
		s := NewSet()
		for i := 0; i < 500; i++ {
			if hash {
				s.AddString("m"+strconv.Itoa(i), 512)
			} else {
				s.AddInt(int64(i), 512)
			}
		}
		probe := []byte("250")
		if hash {
			probe = []byte("m250")
		}
		b.Run(s.Encoding(), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if !s.Has(probe) {
					b.Fatal("missing")
				}
			}
		})
	}
}
