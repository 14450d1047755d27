package value

import (
	"bytes"
	"cmp"
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

// zsTestRand returns a generator seeded from EMBER_SEED or the clock,
// logging the seed.
func zsTestRand(t testing.TB) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("EMBER_SEED"); s != "" {
		if v, err := strconv.ParseUint(s, 10, 64); err == nil {
			seed = v
		}
	}
	t.Logf("seed=%d (replay with EMBER_SEED=%d)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

var zsDefaultLimits = ZLimits{MaxEntries: 128, MaxValue: 64}

// zsModel is the naive reference: a slice kept sorted by (score, member).
type zsModel struct{ e []ZEntry }

func zsEntryCmp(a, b ZEntry) int {
	if c := cmp.Compare(a.Score, b.Score); c != 0 {
		return c
	}
	return cmp.Compare(a.Member, b.Member)
}

func (m *zsModel) find(member string) int {
	for i := range m.e {
		if m.e[i].Member == member {
			return i
		}
	}
	return -1
}

func (m *zsModel) add(member string, score float64, flags ZAddFlags, listpack bool) (ZAddResult, float64) {
	if math.IsNaN(score) {
		return ZAddNaN, 0
	}
	i := m.find(member)
	if i >= 0 {
		cur := m.e[i].Score
		if flags&ZAddNX != 0 {
			return ZAddNop, 0
		}
		if flags&ZAddIncr != 0 {
			score += cur
			if math.IsNaN(score) {
				return ZAddNaN, 0
			}
		}
		if (flags&ZAddLT != 0 && score >= cur) || (flags&ZAddGT != 0 && score <= cur) {
			return ZAddNop, 0
		}
		if score == cur {
			return ZAddSame, score
		}
		m.e = slices.Delete(m.e, i, i+1)
		m.insert(member, score, listpack)
		return ZAddUpdated, score
	}
	if flags&ZAddXX != 0 {
		return ZAddNop, 0
	}
	m.insert(member, score, listpack)
	return ZAddAdded, score
}

func (m *zsModel) insert(member string, score float64, listpack bool) {
	if listpack && score == 0 {
		score = 0
	}
	e := ZEntry{member, score}
	i, _ := slices.BinarySearchFunc(m.e, e, zsEntryCmp)
	m.e = slices.Insert(m.e, i, e)
}

// Listpack-style (linear, as Redis's zzl* functions) range lookups.
func (m *zsModel) firstScore(r *ZScoreRange) (int, bool) {
	if r.empty() || len(m.e) == 0 {
		return 0, false
	}
	for i := range m.e {
		if r.GteMin(m.e[i].Score) {
			return i, r.LteMax(m.e[i].Score)
		}
	}
	return 0, false
}

func (m *zsModel) lastScore(r *ZScoreRange) (int, bool) {
	if r.empty() || len(m.e) == 0 {
		return 0, false
	}
	for i := len(m.e) - 1; i >= 0; i-- {
		if r.LteMax(m.e[i].Score) {
			return i, r.GteMin(m.e[i].Score)
		}
	}
	return 0, false
}

func (m *zsModel) lexInRange(r *ZLexRange) bool {
	return !r.empty() && len(m.e) > 0 && r.GteMin([]byte(m.e[len(m.e)-1].Member)) && r.LteMax([]byte(m.e[0].Member))
}

func (m *zsModel) firstLex(r *ZLexRange) (int, bool) {
	if !m.lexInRange(r) {
		return 0, false
	}
	for i := range m.e {
		if r.GteMin([]byte(m.e[i].Member)) {
			return i, r.LteMax([]byte(m.e[i].Member))
		}
	}
	return 0, false
}

func (m *zsModel) lastLex(r *ZLexRange) (int, bool) {
	if !m.lexInRange(r) {
		return 0, false
	}
	for i := len(m.e) - 1; i >= 0; i-- {
		if r.LteMax([]byte(m.e[i].Member)) {
			return i, r.GteMin([]byte(m.e[i].Member))
		}
	}
	return 0, false
}

// zsCheck compares the whole set with the model, and checks the tree's
// invariants.
func zsCheck(t *testing.T, z *ZSet, m *zsModel, step int) {
	t.Helper()
	if z.Len() != len(m.e) {
		t.Fatalf("step %d: len %d, model %d", step, z.Len(), len(m.e))
	}
	i := 0
	for it := z.Iter(0); it.Valid(); it.Next() {
		if string(it.Member()) != m.e[i].Member || math.Float64bits(it.Score()) != math.Float64bits(m.e[i].Score) {
			t.Fatalf("step %d: rank %d is %q %v, model %q %v", step, i, it.Member(), it.Score(), m.e[i].Member, m.e[i].Score)
		}
		i++
	}
	if i != len(m.e) {
		t.Fatalf("step %d: iterated %d of %d", step, i, len(m.e))
	}
	i = len(m.e) - 1
	for it := z.Iter(len(m.e) - 1); it.Valid(); it.Prev() {
		if string(it.Member()) != m.e[i].Member {
			t.Fatalf("step %d: backwards rank %d is %q, model %q", step, i, it.Member(), m.e[i].Member)
		}
		i--
	}
	if i != -1 {
		t.Fatalf("step %d: backwards stopped at %d", step, i)
	}
	if z.big != nil {
		zsCheckTree(t, z.big, step)
		if z.big.dict.Len() != len(m.e) {
			t.Fatalf("step %d: dict has %d", step, z.big.dict.Len())
		}
		for _, e := range m.e {
			if s, ok := z.big.dict.Get(e.Member); !ok || math.Float64bits(s) != math.Float64bits(e.Score) {
				t.Fatalf("step %d: dict %q = %v %v, model %v", step, e.Member, s, ok, e.Score)
			}
		}
	} else if z.n != len(m.e) {
		t.Fatalf("step %d: listpack count %d", step, z.n)
	}
}

func zsCheckTree(t *testing.T, b *zsBig, step int) {
	t.Helper()
	var leaves []*zsNode
	var walk func(n *zsNode, root bool) (lo, hi *zsItem, size int)
	walk = func(n *zsNode, root bool) (lo, hi *zsItem, size int) {
		if !root && (n.underfull() || n.width() > max(zsLeafMax, zsKidsMax)) {
			t.Fatalf("step %d: node width %d out of bounds (leaf %v)", step, n.width(), n.isLeaf())
		}
		if n.isLeaf() {
			leaves = append(leaves, n)
			for i := 1; i < len(n.items); i++ {
				if zsCmp(n.items[i].score, n.items[i].member, &n.items[i-1]) <= 0 {
					t.Fatalf("step %d: leaf out of order", step)
				}
			}
			if len(n.items) == 0 {
				return nil, nil, 0
			}
			return &n.items[0], &n.items[len(n.items)-1], len(n.items)
		}
		if len(n.cnt) != len(n.kids) || len(n.low) != len(n.kids) {
			t.Fatalf("step %d: inner slices differ", step)
		}
		var prevHi *zsItem
		for i, k := range n.kids {
			klo, khi, ks := walk(k, false)
			if ks != n.cnt[i] {
				t.Fatalf("step %d: count %d, subtree has %d", step, n.cnt[i], ks)
			}
			if i > 0 && klo != nil && zsCmp(n.low[i].score, n.low[i].member, klo) > 0 {
				t.Fatalf("step %d: low bound above first item", step)
			}
			if i > 0 && prevHi != nil && zsCmp(n.low[i].score, n.low[i].member, prevHi) <= 0 {
				t.Fatalf("step %d: low bound not above previous child", step)
			}
			if i == 0 {
				lo = klo
			}
			if khi != nil {
				prevHi = khi
				hi = khi
			}
			size += ks
		}
		return lo, hi, size
	}
	walk(b.root, true)
	if b.first != leaves[0] || b.last != leaves[len(leaves)-1] {
		t.Fatalf("step %d: chain ends wrong", step)
	}
	for i, l := range leaves {
		var prev, next *zsNode
		if i > 0 {
			prev = leaves[i-1]
		}
		if i+1 < len(leaves) {
			next = leaves[i+1]
		}
		if l.prev != prev || l.next != next {
			t.Fatalf("step %d: leaf chain broken at %d", step, i)
		}
	}
}

// zsRandScore draws scores with many ties, infinities and signed zeros.
func zsRandScore(r *rand.Rand) float64 {
	switch r.IntN(20) {
	case 0:
		return math.Inf(1)
	case 1:
		return math.Inf(-1)
	case 2:
		return math.Copysign(0, -1)
	case 3:
		return 0
	case 4:
		return r.NormFloat64() * 1e6
	}
	return float64(r.IntN(40)-20) / 2
}

func zsRandBound(r *rand.Rand) ([]byte, float64, bool) {
	ex := r.IntN(2) == 0
	var v float64
	switch r.IntN(10) {
	case 0:
		v = math.Inf(1)
	case 1:
		v = math.Inf(-1)
	default:
		v = float64(r.IntN(44)-22) / 2
	}
	return nil, v, ex
}

func zsRandRange(r *rand.Rand) ZScoreRange {
	_, lo, loEx := zsRandBound(r)
	_, hi, hiEx := zsRandBound(r)
	if r.IntN(4) != 0 && lo > hi {
		lo, hi = hi, lo
	}
	return ZScoreRange{Min: lo, Max: hi, MinEx: loEx, MaxEx: hiEx}
}

func zsRandLexBound(r *rand.Rand, members []string) (zsLexBound, bool) {
	switch r.IntN(10) {
	case 0:
		return zsLexBound{kind: -1}, true
	case 1:
		return zsLexBound{kind: 1}, true
	}
	return zsLexBound{s: []byte(members[r.IntN(len(members))])}, r.IntN(2) == 0
}

func zsRandLexRange(r *rand.Rand, members []string) ZLexRange {
	var lr ZLexRange
	lr.Min, lr.MinEx = zsRandLexBound(r, members)
	lr.Max, lr.MaxEx = zsRandLexBound(r, members)
	if r.IntN(4) != 0 && zsLexCmp(&lr.Min, &lr.Max) > 0 {
		lr.Min, lr.Max = lr.Max, lr.Min
		lr.MinEx, lr.MaxEx = lr.MaxEx, lr.MinEx
	}
	return lr
}

// TestZSetModel runs random operations on a ZSet and on the sorted-slice
// model and compares every result and, regularly, the whole state.
func TestZSetModel(t *testing.T) {
	r := zsTestRand(t)
	cases := []struct {
		name    string
		lim     ZLimits
		members int
		steps   int
		lexOnly bool // every score 0: lexicographic ranges are well defined
	}{
		{"listpack", ZLimits{MaxEntries: 1 << 20, MaxValue: 1 << 20}, 60, 4000, false},
		{"listpack-lex", ZLimits{MaxEntries: 1 << 20, MaxValue: 1 << 20}, 60, 3000, true},
		{"convert", zsDefaultLimits, 200, 6000, false},
		{"tree", ZLimits{}, 3000, 30000, false},
		{"tree-deep", ZLimits{}, 30000, 100000, false},
		{"tree-lex", ZLimits{}, 3000, 20000, true},
		{"tree-small", ZLimits{}, 150, 20000, false},
	}
	for _, tc := range cases {
		if testing.Short() {
			tc.steps = min(tc.steps, 10000)
		}
		t.Run(tc.name, func(t *testing.T) {
			members := make([]string, tc.members)
			for i := range members {
				members[i] = fmt.Sprintf("m%0*d", 1+r.IntN(4), r.IntN(tc.members*3))
				if r.IntN(30) == 0 {
					members[i] = string(bytes.Repeat([]byte{'x'}, 60+r.IntN(10)))
				}
			}
			members = append(members, "")
			z := NewZSet(1, 0, tc.lim)
			m := &zsModel{}
			score := func() float64 {
				if tc.lexOnly {
					return 0
				}
				return zsRandScore(r)
			}
			maxLen := 0
			for step := 0; step < tc.steps; step++ {
				lp := z.IsListpack()
				op := r.IntN(100)
				// Phases: grow (almost only adds), churn, shrink.
				switch phase := step / (tc.steps / 7) % 3; {
				case phase == 0 && op >= 40 && op < 82 && (op >= 74 || r.IntN(20) != 0):
					op = r.IntN(40)
				case phase == 2 && op < 40 && r.IntN(3) == 0:
					op = 40 + r.IntN(10)
				}
				switch {
				case op < 40:
					mb := members[r.IntN(len(members))]
					var flags ZAddFlags
					if !tc.lexOnly {
						flags = ZAddFlags(r.IntN(32))
						if flags&ZAddNX != 0 {
							flags &^= ZAddXX | ZAddGT | ZAddLT
						}
						if flags&ZAddGT != 0 {
							flags &^= ZAddLT
						}
					}
					s := score()
					if r.IntN(200) == 0 {
						s = math.NaN()
					}
					res, got := z.Add([]byte(mb), s, flags, tc.lim)
					wantRes, wantScore := m.add(mb, s, flags, z.IsListpack())
					if res != wantRes || (res != ZAddNop && res != ZAddNaN && math.Float64bits(got) != math.Float64bits(wantScore)) {
						t.Fatalf("step %d: add %q %v %b = %v %v, model %v %v", step, mb, s, flags, res, got, wantRes, wantScore)
					}
				case op < 50:
					mb := members[r.IntN(len(members))]
					want := m.find(mb)
					if want >= 0 {
						m.e = slices.Delete(m.e, want, want+1)
					}
					if got := z.Remove([]byte(mb)); got != (want >= 0) {
						t.Fatalf("step %d: remove %q = %v", step, mb, got)
					}
				case op < 58:
					mb := members[r.IntN(len(members))]
					want := m.find(mb)
					s, ok := z.Score([]byte(mb))
					rank, rok := z.Rank([]byte(mb))
					if ok != (want >= 0) || rok != ok || (ok && (s != m.e[want].Score || rank != want)) {
						t.Fatalf("step %d: score/rank %q = %v %v %d, model %d", step, mb, s, ok, rank, want)
					}
				case op < 68:
					rg := zsRandRange(r)
					wf, wfok := m.firstScore(&rg)
					wl, wlok := m.lastScore(&rg)
					f, fok := z.FirstInScore(&rg)
					l, lok := z.LastInScore(&rg)
					if fok != wfok || lok != wlok || (fok && f != wf) || (lok && l != wl) {
						t.Fatalf("step %d: score range %+v: first %d %v last %d %v, model %d %v %d %v", step, rg, f, fok, l, lok, wf, wfok, wl, wlok)
					}
					want := 0
					for _, e := range m.e {
						if rg.GteMin(e.Score) && rg.LteMax(e.Score) {
							want++
						}
					}
					if got := z.CountScore(&rg); got != want {
						t.Fatalf("step %d: count %+v = %d, model %d", step, rg, got, want)
					}
				case op < 74 && (tc.lexOnly || lp):
					rg := zsRandLexRange(r, members)
					wf, wfok := m.firstLex(&rg)
					wl, wlok := m.lastLex(&rg)
					f, fok := z.FirstInLex(&rg)
					l, lok := z.LastInLex(&rg)
					if fok != wfok || lok != wlok || (fok && f != wf) || (lok && l != wl) {
						t.Fatalf("step %d: lex range: first %d %v last %d %v, model %d %v %d %v", step, f, fok, l, lok, wf, wfok, wl, wlok)
					}
					want := 0
					if wfok {
						for i := wf; i < len(m.e) && rg.LteMax([]byte(m.e[i].Member)); i++ {
							want++
						}
					}
					if got := z.CountLex(&rg); got != want {
						t.Fatalf("step %d: lex count = %d, model %d", step, got, want)
					}
				case op < 77:
					if len(m.e) == 0 {
						continue
					}
					start := r.IntN(len(m.e))
					n := 1 + r.IntN(min(len(m.e)-start, 1+r.IntN(200)))
					m.e = slices.Delete(m.e, start, start+n)
					if got := z.RemoveRank(start, n); got != n {
						t.Fatalf("step %d: remove rank = %d", step, got)
					}
				case op < 80:
					rg := zsRandRange(r)
					want := 0
					if f, ok := m.firstScore(&rg); ok {
						n := 0
						for i := f; i < len(m.e) && rg.LteMax(m.e[i].Score); i++ {
							n++
						}
						m.e = slices.Delete(m.e, f, f+n)
						want = n
					}
					if got := z.RemoveScoreRange(&rg); got != want {
						t.Fatalf("step %d: remove score range %+v = %d, model %d", step, rg, got, want)
					}
				case op < 82 && (tc.lexOnly || lp):
					rg := zsRandLexRange(r, members)
					want := 0
					if f, ok := m.firstLex(&rg); ok {
						n := 0
						for i := f; i < len(m.e) && rg.LteMax([]byte(m.e[i].Member)); i++ {
							n++
						}
						m.e = slices.Delete(m.e, f, f+n)
						want = n
					}
					if got := z.RemoveLexRange(&rg); got != want {
						t.Fatalf("step %d: remove lex range = %d, model %d", step, got, want)
					}
				case op < 85:
					if len(m.e) == 0 {
						continue
					}
					mb, s := z.Random(func(n uint64) uint64 { return r.Uint64N(n) })
					i := m.find(string(mb))
					if i < 0 || m.e[i].Score != s {
						t.Fatalf("step %d: random %q %v not in the set", step, mb, s)
					}
				case op < 88:
					rank := r.IntN(len(m.e) + 2)
					it := z.Iter(rank)
					if it.Valid() != (rank < len(m.e)) || (it.Valid() && string(it.Member()) != m.e[rank].Member) {
						t.Fatalf("step %d: iter %d wrong", step, rank)
					}
				case op < 89:
					c := z.Clone().(*ZSet)
					if c.Encoding() != z.Encoding() {
						t.Fatalf("step %d: clone encoding %s", step, c.Encoding())
					}
					zsCheck(t, c, m, step)
					seen := map[string]bool{}
					var cursor uint64
					for rounds := 0; ; rounds++ {
						cursor = c.Scan(cursor, func(mb []byte, s float64) { seen[string(mb)] = true })
						if cursor == 0 || rounds > 1<<20 {
							break
						}
					}
					if len(seen) != len(m.e) {
						t.Fatalf("step %d: scan saw %d of %d", step, len(seen), len(m.e))
					}
				default:
					zsCheck(t, z, m, step)
				}
				if lp && !z.IsListpack() && tc.lim.MaxEntries > 0 && len(m.e) <= int(tc.lim.MaxEntries) {
					long := false
					for _, e := range m.e {
						long = long || len(e.Member) > int(tc.lim.MaxValue)
					}
					if !long {
						t.Fatalf("step %d: converted at %d members", step, len(m.e))
					}
				}
				maxLen = max(maxLen, z.Len())
				if step%97 == 0 {
					zsCheck(t, z, m, step)
				}
			}
			zsCheck(t, z, m, tc.steps)
			t.Logf("largest set %d, final %d, encoding %s", maxLen, z.Len(), z.Encoding())
		})
	}
}

func TestZSetLoadAndShapes(t *testing.T) {
	for _, n := range []int{1, 2, 15, 16, 17, 56, 57, 63, 64, 65, 127, 128, 129, 1000, 3585, 3600, 50000} {
		entries := make([]ZEntry, n)
		for i := range entries {
			entries[i] = ZEntry{Member: fmt.Sprintf("m%06d", i), Score: float64(i / 3)}
		}
		z := NewZSetSorted(entries, ZLimits{})
		m := &zsModel{e: slices.Clone(entries)}
		zsCheck(t, z, m, n)
		// Drain from both ends and the middle.
		for z.Len() > 0 {
			switch z.Len() % 3 {
			case 0:
				z.RemoveRank(0, 1)
				m.e = m.e[1:]
			case 1:
				z.RemoveRank(z.Len()-1, 1)
				m.e = m.e[:len(m.e)-1]
			default:
				k := min(z.Len()/2, 100)
				z.RemoveRank(z.Len()/4, k)
				m.e = slices.Delete(m.e, len(m.e)/4, len(m.e)/4+k)
			}
			if z.Len()%101 == 0 {
				zsCheck(t, z, m, z.Len())
			}
		}
	}
}

func TestZSetEncodingRules(t *testing.T) {
	lim := zsDefaultLimits
	z := NewZSet(1, 1, lim)
	for i := 0; i < 128; i++ {
		z.Add([]byte(strconv.Itoa(i)), float64(i), 0, lim)
	}
	if z.Encoding() != "listpack" {
		t.Fatalf("128 entries: %s", z.Encoding())
	}
	z.Add([]byte("x"), 1, ZAddXX, lim) // XX on a new member adds nothing
	if z.Encoding() != "listpack" {
		t.Fatal("XX converted")
	}
	z.Add([]byte("128"), 1, 0, lim)
	if z.Encoding() != "skiplist" || z.Len() != 129 {
		t.Fatalf("129 entries: %s", z.Encoding())
	}
	for i := 0; i < 129; i++ {
		z.Remove([]byte(strconv.Itoa(i)))
	}
	if z.Encoding() != "skiplist" {
		t.Fatal("converted back")
	}
	long := NewZSet(1, 65, lim)
	if long.Encoding() != "skiplist" {
		t.Fatal("65-byte first member")
	}
	if NewZSet(1, 64, lim).Encoding() != "listpack" || NewZSet(1, 1, ZLimits{MaxValue: 64}).Encoding() != "skiplist" {
		t.Fatal("creation thresholds")
	}
	// -0: stored as 0 in a listpack, kept in the skiplist form.
	res, s := z.Add([]byte("negzero"), math.Copysign(0, -1), 0, lim)
	if got, _ := z.Score([]byte("negzero")); res != ZAddAdded || !math.Signbit(s) || !math.Signbit(got) {
		t.Fatal("skiplist lost -0")
	}
	small := NewZSet(1, 1, lim)
	_, s = small.Add([]byte("a"), math.Copysign(0, -1), ZAddIncr, lim)
	if got, _ := small.Score([]byte("a")); !math.Signbit(s) || math.Signbit(got) {
		t.Fatal("listpack -0: reply keeps the sign, the stored score drops it")
	}
	sorted := NewZSetSorted([]ZEntry{{"a", math.Copysign(0, -1)}}, lim)
	if got, _ := sorted.Score([]byte("a")); sorted.Encoding() != "listpack" || math.Signbit(got) {
		t.Fatal("sorted build")
	}
}

func TestZSetAppendScanScore(t *testing.T) {
	lp := NewZSet(1, 1, zsDefaultLimits)
	big := NewZSet(1, 1, ZLimits{})
	for _, c := range []struct {
		v      float64
		lp, sk string
	}{
		{1, "1", "1"}, {-3, "-3", "-3"}, {0.1, "0.10000000000000001", "0.10000000000000001"},
		{4e18, "4000000000000000000", "4e+18"}, {1e20, "1e+20", "1e+20"},
		{math.Inf(1), "inf", "inf"}, {math.Inf(-1), "-inf", "-inf"}, {math.Copysign(0, -1), "0", "-0"},
		{1.5e-7, "1.4999999999999999e-07", "1.4999999999999999e-07"},
	} {
		if got := string(lp.AppendScanScore(nil, c.v)); got != c.lp {
			t.Errorf("listpack %v: %q, want %q", c.v, got, c.lp)
		}
		if got := string(big.AppendScanScore(nil, c.v)); got != c.sk {
			t.Errorf("skiplist %v: %q, want %q", c.v, got, c.sk)
		}
	}
}

func TestParseScore(t *testing.T) {
	neg0 := math.Copysign(0, -1)
	good := map[string]float64{
		"1": 1, "-1": -1, "+1.5": 1.5, "1e3": 1000, "1E-2": 0.01, ".5": 0.5, "5.": 5,
		"inf": math.Inf(1), "-inf": math.Inf(-1), "+INF": math.Inf(1), "Infinity": math.Inf(1),
		"-infinity": math.Inf(-1), "0x10": 16, "0x1p3": 8, "0X1.8P1": 3, "-0x.8": -0.5,
		"1e308": 1e308, "5e-324": 5e-324, "1e-310": 1e-310, "-0": neg0, "0e999999": 0,
		"007": 7, "1.7976931348623157e308": math.MaxFloat64,
	}
	for s, want := range good {
		v, ok := ParseScore([]byte(s))
		if !ok || math.Float64bits(v) != math.Float64bits(want) {
			t.Errorf("ParseScore(%q) = %v %v, want %v", s, v, ok, want)
		}
	}
	for _, s := range []string{"", " 1", "1 ", "abc", "1e", "1e+", "nan", "-nan", "NaN(123)", "1e400", "-1e400",
		"1e-400", "0x", "0x1p", "1.2.3", "1\x00", "++1", "inf1", "infinit", "0x1g", "--1", "1_000", "e5"} {
		if v, ok := ParseScore([]byte(s)); ok {
			t.Errorf("ParseScore(%q) = %v, want an error", s, v)
		}
	}
	// Range bounds: strtod over a C string, '(' for exclusive.
	type bound struct {
		v  float64
		ex bool
	}
	goodRange := map[string]bound{
		"1": {1, false}, "(1": {1, true}, "": {0, false}, "(": {0, true}, " 2": {2, false},
		"( 2": {2, true}, "1e400": {math.Inf(1), false}, "1e-400": {0, false}, "3\x00junk": {3, false},
		"-inf": {math.Inf(-1), false}, "(+inf": {math.Inf(1), true},
	}
	for s, want := range goodRange {
		v, ex, ok := zsParseBound([]byte(s))
		if !ok || v != want.v || ex != want.ex {
			t.Errorf("bound %q = %v %v %v, want %v", s, v, ex, ok, want)
		}
	}
	for _, s := range []string{"a", "((1", "1 ", " ", "(nan", "nan", "[1", "1)", "0x"} {
		if _, _, ok := zsParseBound([]byte(s)); ok {
			t.Errorf("bound %q accepted", s)
		}
	}
	for _, c := range []struct {
		in   string
		ok   bool
		kind int8
		ex   bool
	}{
		{"-", true, -1, true}, {"+", true, 1, true}, {"+\x00x", true, 1, true}, {"[a", true, 0, false},
		{"(a", true, 0, true}, {"[", true, 0, false}, {"", false, 0, false}, {"a", false, 0, false}, {"--", false, 0, false},
	} {
		b, ex, ok := zsParseLexItem([]byte(c.in))
		if ok != c.ok || (ok && (b.kind != c.kind || ex != c.ex)) {
			t.Errorf("lex item %q = %+v %v %v", c.in, b, ex, ok)
		}
	}
}

// ---------------------------------------------------------------------------
// The structure choice: this B+tree against a span-counting skiplist built
// the way Redis builds its own (zsl* in t_zset.c), both over 1M random
// elements. The skiplist is here only to be measured.

type zslNode struct {
	member   string
	score    float64
	backward *zslNode
	level    []zslLevel
}

type zslLevel struct {
	forward *zslNode
	span    int
}

type zslList struct {
	header *zslNode
	length int
	level  int
}

const zslMaxLevel = 32

func newZslList() *zslList {
	return &zslList{header: &zslNode{level: make([]zslLevel, zslMaxLevel)}, level: 1}
}

func zslLess(n *zslNode, score float64, member string) bool {
	return n.score < score || (n.score == score && n.member < member)
}

func (l *zslList) insert(score float64, member string, r *rand.Rand) {
	var update [zslMaxLevel]*zslNode
	var rank [zslMaxLevel]int
	x := l.header
	for i := l.level - 1; i >= 0; i-- {
		if i != l.level-1 {
			rank[i] = rank[i+1]
		}
		for x.level[i].forward != nil && zslLess(x.level[i].forward, score, member) {
			rank[i] += x.level[i].span
			x = x.level[i].forward
		}
		update[i] = x
	}
	lvl := 1
	for lvl < zslMaxLevel && r.Uint32()&0xffff < 0xffff/4 {
		lvl++
	}
	if lvl > l.level {
		for i := l.level; i < lvl; i++ {
			rank[i] = 0
			update[i] = l.header
			update[i].level[i].span = l.length
		}
		l.level = lvl
	}
	x = &zslNode{member: member, score: score, level: make([]zslLevel, lvl)}
	for i := 0; i < lvl; i++ {
		x.level[i].forward = update[i].level[i].forward
		update[i].level[i].forward = x
		x.level[i].span = update[i].level[i].span - (rank[0] - rank[i])
		update[i].level[i].span = rank[0] - rank[i] + 1
	}
	for i := lvl; i < l.level; i++ {
		update[i].level[i].span++
	}
	if update[0] != l.header {
		x.backward = update[0]
	}
	if x.level[0].forward != nil {
		x.level[0].forward.backward = x
	}
	l.length++
}

func (l *zslList) delete(score float64, member string) {
	var update [zslMaxLevel]*zslNode
	x := l.header
	for i := l.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && zslLess(x.level[i].forward, score, member) {
			x = x.level[i].forward
		}
		update[i] = x
	}
	x = x.level[0].forward
	for i := 0; i < l.level; i++ {
		if update[i].level[i].forward == x {
			update[i].level[i].span += x.level[i].span - 1
			update[i].level[i].forward = x.level[i].forward
		} else {
			update[i].level[i].span--
		}
	}
	if x.level[0].forward != nil {
		x.level[0].forward.backward = x.backward
	}
	for l.level > 1 && l.header.level[l.level-1].forward == nil {
		l.level--
	}
	l.length--
}

func (l *zslList) rank(score float64, member string) int {
	r := 0
	x := l.header
	for i := l.level - 1; i >= 0; i-- {
		for f := x.level[i].forward; f != nil && (f.score < score || (f.score == score && f.member <= member)); f = x.level[i].forward {
			r += x.level[i].span
			x = f
		}
	}
	return r - 1
}

func (l *zslList) byRank(rank int) *zslNode {
	traversed := 0
	x := l.header
	rank++
	for i := l.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && traversed+x.level[i].span <= rank {
			traversed += x.level[i].span
			x = x.level[i].forward
		}
		if traversed == rank {
			return x
		}
	}
	return nil
}

const zsBenchN = 1 << 20

func zsBenchItems() ([]string, []float64) {
	r := rand.New(rand.NewPCG(1, 2))
	members := make([]string, zsBenchN)
	scores := make([]float64, zsBenchN)
	for i := range members {
		members[i] = "member:" + strconv.Itoa(i)
		scores[i] = float64(r.IntN(zsBenchN))
	}
	return members, scores
}

func zsHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkZSetStructure measures the B+tree and the skiplist on the same
// operations. Run with -benchtime=1x: each sub-benchmark times 1M
// operations and reports ns per operation.
func BenchmarkZSetStructure(b *testing.B) {
	members, scores := zsBenchItems()
	perm := rand.New(rand.NewPCG(3, 4)).Perm(zsBenchN)
	b.Run("btree", func(b *testing.B) {
		for range b.N {
			before := zsHeap()
			t := &zsBig{root: zsNewLeaf(0)}
			t.first, t.last = t.root, t.root
			start := time.Now()
			for i := range members {
				t.insertItem(zsItem{score: scores[i], member: members[i]})
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/zsBenchN, "insert-ns/op")
			b.ReportMetric(float64(zsHeap()-before)/zsBenchN, "bytes/elem")
			start = time.Now()
			sum := 0
			for _, i := range perm {
				sum += t.rank(scores[i], members[i])
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/zsBenchN, "rank-ns/op")
			start = time.Now()
			for _, i := range perm {
				l, j := t.at(i)
				sum += len(l.items[j].member)
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/zsBenchN, "select-ns/op")
			start = time.Now()
			for _, i := range perm {
				t.removeItem(scores[i], members[i])
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/zsBenchN, "delete-ns/op")
			runtime.KeepAlive(sum)
		}
	})
	b.Run("skiplist", func(b *testing.B) {
		r := rand.New(rand.NewPCG(5, 6))
		for range b.N {
			before := zsHeap()
			l := newZslList()
			start := time.Now()
			for i := range members {
				l.insert(scores[i], members[i], r)
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/zsBenchN, "insert-ns/op")
			b.ReportMetric(float64(zsHeap()-before)/zsBenchN, "bytes/elem")
			start = time.Now()
			sum := 0
			for _, i := range perm {
				sum += l.rank(scores[i], members[i])
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/zsBenchN, "rank-ns/op")
			start = time.Now()
			for _, i := range perm {
				sum += len(l.byRank(i).member)
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/zsBenchN, "select-ns/op")
			start = time.Now()
			for _, i := range perm {
				l.delete(scores[i], members[i])
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/zsBenchN, "delete-ns/op")
			runtime.KeepAlive(sum)
		}
	})
}

// BenchmarkZSetMemory reports the heap bytes per element of whole sets
// (dict and tree, or listpack), members "member:N" with integer scores.
func BenchmarkZSetMemory(b *testing.B) {
	for _, n := range []int{100, 128, 1000, 100000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			lim := zsDefaultLimits
			keep := make([]*ZSet, 0, 8)
			var per float64
			for range b.N {
				before := zsHeap()
				z := NewZSet(1, 1, lim)
				for i := 0; i < n; i++ {
					z.Add([]byte("member:"+strconv.Itoa(i)), float64(i), 0, lim)
				}
				per = float64(zsHeap()-before) / float64(n)
				keep = append(keep[:0], z)
			}
			b.ReportMetric(per, "bytes/elem")
			runtime.KeepAlive(keep)
		})
	}
}
