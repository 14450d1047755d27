// Tests and benchmarks for package dict: per-method tables, a model test against a Go map, the SCAN guarantee, sampling and allocations.
package dict

import (
	"flag"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
	"unsafe"
)

var seedFlag = flag.Uint64("dict.seed", 0, "if non-zero, the only seed used by the randomized dict tests")

// testSeeds returns the seeds for a randomized test: the -dict.seed flag
// alone if given, otherwise fixed plus one time-based seed.
func testSeeds(fixed ...uint64) []uint64 {
	if *seedFlag != 0 {
		return []uint64{*seedFlag}
	}
	return append(fixed, uint64(time.Now().UnixNano()))
}

func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// rndFunc adapts r to the rnd argument of RandomEntry and Sample.
func rndFunc(r *rand.Rand) func(uint64) uint64 {
	return func(n uint64) uint64 { return r.Uint64N(n) }
}

// checkInvariants verifies the internal structure of d: power-of-two tables,
// every entry in its hash bucket, no duplicate keys, correct used counts and
// empty ht[0] buckets below rehashIdx.
func checkInvariants[V any](t testing.TB, d *Dict[V]) {
	t.Helper()
	if d.ht[0].buckets == nil && d.ht[1].buckets != nil {
		t.Fatalf("ht[1] allocated without ht[0]")
	}
	if !d.rehashing() && d.rehashIdx != 0 {
		t.Fatalf("rehashIdx = %d while not rehashing", d.rehashIdx)
	}
	seen := make(map[string]bool)
	for j := range 2 {
		tb := &d.ht[j]
		if tb.buckets == nil {
			if tb.used != 0 {
				t.Fatalf("ht[%d] unallocated with used = %d", j, tb.used)
			}
			continue
		}
		n := len(tb.buckets)
		if n < minBuckets || n&(n-1) != 0 {
			t.Fatalf("ht[%d] has %d buckets, want a power of two >= %d", j, n, minBuckets)
		}
		count := 0
		for i, e := range tb.buckets {
			if j == 0 && d.rehashing() && i < d.rehashIdx && e != nil {
				t.Fatalf("ht[0] bucket %d below rehashIdx %d is not empty", i, d.rehashIdx)
			}
			for ; e != nil; e = e.next {
				if got := maphash.String(seed, e.key()) & tb.mask(); got != uint64(i) {
					t.Fatalf("key %q in ht[%d] bucket %d, hashes to %d", e.key(), j, i, got)
				}
				if seen[e.key()] {
					t.Fatalf("duplicate key %q", e.key())
				}
				seen[e.key()] = true
				count++
			}
		}
		if count != tb.used {
			t.Fatalf("ht[%d].used = %d, chains hold %d", j, tb.used, count)
		}
	}
}

// checkContents verifies that d holds exactly the entries of want.
func checkContents(t testing.TB, d *Dict[int], want map[string]int) {
	t.Helper()
	checkInvariants(t, d)
	if d.Len() != len(want) {
		t.Fatalf("Len() = %d, want %d", d.Len(), len(want))
	}
	got := make(map[string]int, len(want))
	d.Range(func(k string, v int) bool {
		if _, dup := got[k]; dup {
			t.Fatalf("Range visited %q twice", k)
		}
		got[k] = v
		return true
	})
	if len(got) != len(want) {
		t.Fatalf("Range visited %d entries, want %d", len(got), len(want))
	}
	for k, v := range want {
		if gv, ok := got[k]; !ok || gv != v {
			t.Fatalf("Range: %q = %d, %v; want %d", k, gv, ok, v)
		}
	}
}

// bucketCounts returns the sizes of both tables.
func bucketCounts[V any](d *Dict[V]) (int, int) {
	return len(d.ht[0].buckets), len(d.ht[1].buckets)
}

// fill returns a dict holding "k0".."k<n-1>" mapped to 0..n-1, not
// rehashing, and the model.
func fill(n int) (*Dict[int], map[string]int) {
	d := New[int]()
	m := make(map[string]int, n)
	for i := range n {
		k := "k" + strconv.Itoa(i)
		d.Set(k, i)
		m[k] = i
	}
	for d.rehashing() {
		d.Get("")
	}
	return d, m
}

// finishRehash drives rehashing to completion with lookups.
func finishRehash[V any](t testing.TB, d *Dict[V]) {
	t.Helper()
	for i := 0; d.rehashing(); i++ {
		if i > 1<<22 {
			t.Fatalf("rehash does not finish")
		}
		d.Get("")
	}
}

// growUntilRehashing adds keys with prefix until d starts growing.
func growUntilRehashing(t testing.TB, d *Dict[int], m map[string]int, prefix string) {
	t.Helper()
	finishRehash(t, d)
	for i := 0; !d.rehashing(); i++ {
		if i > 1<<20 {
			t.Fatalf("no grow started")
		}
		k := prefix + strconv.Itoa(i)
		d.Set(k, -i)
		m[k] = -i
	}
}

func TestEmpty(t *testing.T) {
	d := New[int]()
	checkInvariants(t, d)
	if d.Len() != 0 {
		t.Fatalf("Len() = %d", d.Len())
	}
	if v, ok := d.Get("a"); ok || v != 0 {
		t.Fatalf("Get = %d, %v", v, ok)
	}
	if v, ok := d.GetBytes([]byte("a")); ok || v != 0 {
		t.Fatalf("GetBytes = %d, %v", v, ok)
	}
	if p := d.Ref([]byte("a")); p != nil {
		t.Fatalf("Ref = %p", p)
	}
	if v, ok := d.Delete("a"); ok || v != 0 {
		t.Fatalf("Delete = %d, %v", v, ok)
	}
	if v, ok := d.DeleteBytes([]byte("a")); ok || v != 0 {
		t.Fatalf("DeleteBytes = %d, %v", v, ok)
	}
	d.Range(func(string, int) bool { t.Fatal("Range called fn"); return true })
	for _, c := range []uint64{0, 1, 12345} {
		if next := d.Scan(c, func(string, int) { t.Fatal("Scan called fn") }); next != 0 {
			t.Fatalf("Scan(%d) = %d, want 0", c, next)
		}
	}
	r := newRand(1)
	if k, v, ok := d.RandomEntry(rndFunc(r)); ok {
		t.Fatalf("RandomEntry = %q, %d, true", k, v)
	}
	d.Sample(5, rndFunc(r), func(string, int) bool { t.Fatal("Sample called fn"); return true })
	d.Clear()
	if d.Len() != 0 {
		t.Fatalf("Len() after Clear = %d", d.Len())
	}
}

func TestSetGet(t *testing.T) {
	long := string(make([]byte, 1000))
	tests := []struct {
		name    string
		sets    []string // keys set in order; value is the index
		want    map[string]int
		missing []string
	}{
		{"one", []string{"a"}, map[string]int{"a": 0}, []string{"b", "", "A"}},
		{"empty key", []string{""}, map[string]int{"": 0}, []string{"a", "\x00"}},
		{"binary keys", []string{"\x00", "\x00\x00", "a\x00b"}, map[string]int{"\x00": 0, "\x00\x00": 1, "a\x00b": 2}, []string{"", "a", "a\x00"}},
		{"long key", []string{long, long[:999]}, map[string]int{long: 0, long[:999]: 1}, []string{long[:998]}},
		{"replace", []string{"a", "b", "a"}, map[string]int{"a": 2, "b": 1}, []string{"c"}},
		{"many", func() []string {
			var ks []string
			for i := range 100 {
				ks = append(ks, fmt.Sprint("key:", i))
			}
			return ks
		}(), func() map[string]int {
			m := map[string]int{}
			for i := range 100 {
				m[fmt.Sprint("key:", i)] = i
			}
			return m
		}(), []string{"key:100", "key:-1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := New[int]()
			seen := map[string]bool{}
			for i, k := range tc.sets {
				if added := d.Set(k, i); added == seen[k] {
					t.Fatalf("Set(%q) added = %v, want %v", k, added, !seen[k])
				}
				seen[k] = true
			}
			checkContents(t, d, tc.want)
			for k, v := range tc.want {
				if got, ok := d.Get(k); !ok || got != v {
					t.Errorf("Get(%q) = %d, %v; want %d", k, got, ok, v)
				}
				if got, ok := d.GetBytes([]byte(k)); !ok || got != v {
					t.Errorf("GetBytes(%q) = %d, %v; want %d", k, got, ok, v)
				}
			}
			for _, k := range tc.missing {
				if got, ok := d.Get(k); ok {
					t.Errorf("Get(%q) = %d, true; want absent", k, got)
				}
				if got, ok := d.GetBytes([]byte(k)); ok {
					t.Errorf("GetBytes(%q) = %d, true; want absent", k, got)
				}
			}
		})
	}
}

func TestSetReplace(t *testing.T) {
	d := New[string]()
	if !d.Set("k", "v1") {
		t.Fatal("first Set not added")
	}
	if d.Set("k", "v2") {
		t.Fatal("second Set reported added")
	}
	if d.Len() != 1 {
		t.Fatalf("Len() = %d, want 1", d.Len())
	}
	if v, _ := d.Get("k"); v != "v2" {
		t.Fatalf("Get = %q, want v2", v)
	}
}

func TestRef(t *testing.T) {
	type counter struct{ n int }
	d := New[counter]()
	d.Set("a", counter{1})
	d.Set("b", counter{2})
	tests := []struct {
		key     string
		present bool
	}{{"a", true}, {"b", true}, {"c", false}, {"", false}}
	for _, tc := range tests {
		p := d.Ref([]byte(tc.key))
		if (p != nil) != tc.present {
			t.Fatalf("Ref(%q) = %p, want present %v", tc.key, p, tc.present)
		}
		if p != nil {
			p.n += 10
		}
	}
	for k, want := range map[string]int{"a": 11, "b": 12} {
		if v, _ := d.Get(k); v.n != want {
			t.Errorf("after Ref update %q = %d, want %d", k, v.n, want)
		}
	}

	// In-place update also works mid-rehash, for keys in either table.
	di, m := fill(64)
	growUntilRehashing(t, di, m, "g")
	for k := range m {
		p := di.Ref([]byte(k))
		if p == nil {
			t.Fatalf("Ref(%q) = nil mid-rehash", k)
		}
		*p += 1000
		m[k] += 1000
	}
	checkContents(t, di, m)
}

func TestDelete(t *testing.T) {
	tests := []struct {
		name   string
		del    string
		want   int
		wantOK bool
	}{
		{"present first", "k0", 0, true},
		{"present last", "k9", 9, true},
		{"absent", "k10", 0, false},
		{"empty key absent", "", 0, false},
	}
	for _, tc := range tests {
		for _, bytesAPI := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/bytes=%v", tc.name, bytesAPI), func(t *testing.T) {
				d, m := fill(10)
				var v int
				var ok bool
				if bytesAPI {
					v, ok = d.DeleteBytes([]byte(tc.del))
				} else {
					v, ok = d.Delete(tc.del)
				}
				if v != tc.want || ok != tc.wantOK {
					t.Fatalf("delete %q = %d, %v; want %d, %v", tc.del, v, ok, tc.want, tc.wantOK)
				}
				delete(m, tc.del)
				checkContents(t, d, m)
				if _, ok := d.Get(tc.del); ok {
					t.Fatalf("%q still present", tc.del)
				}
				// Deleting again finds nothing.
				if _, ok := d.Delete(tc.del); ok {
					t.Fatalf("second delete of %q found it", tc.del)
				}
			})
		}
	}
}

func TestDeleteAllAndReuse(t *testing.T) {
	d, m := fill(1000)
	for k := range m {
		if _, ok := d.Delete(k); !ok {
			t.Fatalf("Delete(%q) missing", k)
		}
	}
	checkContents(t, d, map[string]int{})
	if n0, _ := bucketCounts(d); n0 != minBuckets {
		t.Fatalf("after deleting everything: %d buckets, want %d", n0, minBuckets)
	}
	d.Set("x", 1)
	checkContents(t, d, map[string]int{"x": 1})
}

func TestClear(t *testing.T) {
	for _, midRehash := range []bool{false, true} {
		d, m := fill(100)
		if midRehash {
			growUntilRehashing(t, d, m, "g")
		}
		d.Clear()
		checkContents(t, d, map[string]int{})
		if _, ok := d.Get("k1"); ok {
			t.Fatal("Get after Clear found k1")
		}
		if !d.Set("k1", 5) {
			t.Fatal("Set after Clear not added")
		}
		checkContents(t, d, map[string]int{"k1": 5})
	}
}

func TestRange(t *testing.T) {
	for _, midRehash := range []bool{false, true} {
		t.Run(fmt.Sprint("midRehash=", midRehash), func(t *testing.T) {
			d, m := fill(200)
			if midRehash {
				growUntilRehashing(t, d, m, "g")
				for range 5 {
					d.Get("k1")
				}
				if !d.rehashing() {
					t.Fatal("not rehashing")
				}
			}
			checkContents(t, d, m) // every entry exactly once
			calls := 0
			d.Range(func(string, int) bool { calls++; return calls < 7 })
			if calls != 7 {
				t.Fatalf("Range made %d calls after fn returned false at 7", calls)
			}
		})
	}
}

// scanAll runs a full SCAN iteration without mutation and returns how often
// each key was returned.
func scanAll(t *testing.T, d *Dict[int], m map[string]int) map[string]int {
	t.Helper()
	got := map[string]int{}
	cursor, calls := uint64(0), 0
	for {
		cursor = d.Scan(cursor, func(k string, v int) {
			if mv, ok := m[k]; !ok || mv != v {
				t.Fatalf("Scan returned %q=%d, model has %d, %v", k, v, mv, ok)
			}
			got[k]++
		})
		calls++
		if cursor == 0 {
			break
		}
		if calls > 1<<20 {
			t.Fatal("Scan does not terminate")
		}
	}
	return got
}

func TestScan(t *testing.T) {
	tests := []struct {
		name      string
		n         int
		rehashing bool
	}{
		{"one", 1, false},
		{"small", 3, false},
		{"medium", 500, false},
		{"large", 5000, false},
		{"mid grow", 500, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, m := fill(tc.n)
			if tc.rehashing {
				growUntilRehashing(t, d, m, "g")
				for range 20 {
					d.Get("k0")
				}
				if !d.rehashing() {
					t.Fatal("not rehashing")
				}
			}
			before := *d
			got := scanAll(t, d, m)
			if d.rehashIdx != before.rehashIdx || d.rehashing() != before.rehashing() {
				t.Fatal("Scan advanced rehashing")
			}
			for k := range m {
				if got[k] == 0 {
					t.Errorf("key %q never returned", k)
				}
				// Without rehashing or mutation every key comes exactly once.
				if !tc.rehashing && got[k] != 1 {
					t.Errorf("key %q returned %d times", k, got[k])
				}
			}
		})
	}
}

// TestScanCursorTableChange checks hand-picked table transitions between two
// Scan calls: a full grow, a full shrink, and starting/continuing mid-rehash.
func TestScanCursorTableChange(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, d *Dict[int], m map[string]int)
	}{
		{"grow x64", func(t *testing.T, d *Dict[int], m map[string]int) {
			for i := range 5000 {
				k := "g" + strconv.Itoa(i)
				d.Set(k, i)
				m[k] = i
			}
			finishRehash(t, d)
		}},
		{"shrink to min", func(t *testing.T, d *Dict[int], m map[string]int) {
			for k := range m {
				if k != "k0" && k != "k1" {
					d.Delete(k)
					delete(m, k)
				}
			}
			finishRehash(t, d)
		}},
		{"start grow", func(t *testing.T, d *Dict[int], m map[string]int) {
			growUntilRehashing(t, d, m, "g")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for stop := 1; stop < 40; stop += 3 {
				d, m := fill(100)
				d.Set("filler", 0)
				m["filler"] = 0
				stable := map[string]bool{"k0": true, "k1": true}
				got := map[string]bool{}
				cursor, calls := uint64(0), 0
				for {
					cursor = d.Scan(cursor, func(k string, _ int) { got[k] = true })
					calls++
					if cursor == 0 {
						break
					}
					if calls == stop {
						tc.change(t, d, m)
					}
				}
				for k := range stable {
					if !got[k] {
						t.Fatalf("stop=%d: %q never returned", stop, k)
					}
				}
			}
		})
	}
}

// TestScanGuarantee runs full SCAN iterations while keys are inserted and
// deleted between calls so that the table grows and shrinks through several
// rehashes, and checks that every key present for the whole iteration was
// returned.
func TestScanGuarantee(t *testing.T) {
	for _, start := range []string{"steady", "midGrow", "midShrink"} {
		for _, s := range testSeeds(1, 2, 3, 4, 5, 6, 7, 8) {
			t.Run(fmt.Sprintf("%s/seed=%d", start, s), func(t *testing.T) {
				t.Logf("seed %d (override with -dict.seed)", s)
				scanGuarantee(t, s, start)
			})
		}
	}
}

func scanGuarantee(t *testing.T, seed uint64, start string) {
	r := newRand(seed)
	d := New[int]()
	model := map[string]int{}
	var temps []string // temporary keys currently present
	tempN := 0
	addTemp := func() {
		k := "t" + strconv.Itoa(tempN)
		tempN++
		d.Set(k, tempN)
		model[k] = tempN
		temps = append(temps, k)
	}
	deleted := map[string]bool{} // keys deleted during the iteration
	delTemp := func() {
		i := r.IntN(len(temps))
		k := temps[i]
		temps[i] = temps[len(temps)-1]
		temps = temps[:len(temps)-1]
		if _, ok := d.Delete(k); !ok {
			t.Fatalf("Delete(%q) missing", k)
		}
		delete(model, k)
		deleted[k] = true
	}
	for i := range 300 {
		k := "s" + strconv.Itoa(i)
		d.Set(k, i)
		model[k] = i
	}
	const volatileN = 100
	for i := range volatileN {
		k := "v" + strconv.Itoa(i)
		d.Set(k, i)
		model[k] = i
	}
	switch start {
	case "midGrow":
		for !d.rehashing() {
			addTemp()
		}
	case "midShrink":
		for range 3000 {
			addTemp()
		}
		finishRehash(t, d)
		for !d.rehashing() {
			delTemp()
		}
		if n0, n1 := bucketCounts(d); n1 >= n0 {
			t.Fatalf("not shrinking: %d -> %d buckets", n0, n1)
		}
	}
	deleted = map[string]bool{}
	present := make(map[string]bool, len(model))
	for k := range model {
		present[k] = true
	}

	returned := map[string]bool{}
	// Resizes seen between Scan calls: a new (ht[0], ht[1]) size pair.
	var grows, shrinks, rehashingCalls, bursts int
	last0, last1 := bucketCounts(d)
	observe := func() {
		n0, n1 := bucketCounts(d)
		if d.rehashing() {
			rehashingCalls++
		}
		if n0 != last0 || n1 != last1 {
			switch {
			case n1 > n0, n1 == 0 && n0 > last0 && last1 == 0:
				grows++
			case n1 != 0, n1 == 0 && n0 < last0 && last1 == 0:
				shrinks++
			}
		}
		last0, last1 = n0, n1
	}
	growing, target := true, 500+r.IntN(4000)
	cursor, calls := uint64(0), 0
	for {
		cursor = d.Scan(cursor, func(k string, v int) {
			if mv, ok := model[k]; !ok || mv != v {
				t.Fatalf("Scan returned %q=%d; model has %d, %v", k, v, mv, ok)
			}
			returned[k] = true
		})
		calls++
		if cursor == 0 {
			break
		}
		if calls > 1<<20 {
			t.Fatal("SCAN iteration does not terminate")
		}
		// Mutate between calls.
		n := 1 + r.IntN(60)
		if r.IntN(200) == 0 {
			// A burst: several resizes may complete between two calls.
			bursts++
			n = 3000
		}
		for range n {
			if growing {
				addTemp()
				if len(temps) >= target {
					growing = false
				}
			} else if len(temps) > 0 {
				delTemp()
			} else {
				growing, target = true, 100+r.IntN(4000)
			}
		}
		if bursts > 0 && n == 3000 {
			finishRehash(t, d)
		}
		// Volatile keys come and go; they carry no guarantee.
		if r.IntN(4) == 0 {
			k := "v" + strconv.Itoa(r.IntN(volatileN))
			if _, ok := model[k]; ok {
				d.Delete(k)
				delete(model, k)
				deleted[k] = true
			} else {
				d.Set(k, calls)
				model[k] = calls
			}
		}
		// Lookups keep rehashing moving, like a live server.
		for range r.IntN(5) {
			d.Get("s" + strconv.Itoa(r.IntN(300)))
		}
		observe()
	}
	checkContents(t, d, model)
	missing, guaranteed := 0, 0
	for k := range present {
		if deleted[k] {
			continue
		}
		guaranteed++
		if !returned[k] {
			missing++
			if missing < 10 {
				t.Errorf("key %q present during the whole iteration was not returned", k)
			}
		}
	}
	if missing > 0 {
		t.Fatalf("%d keys missed", missing)
	}
	t.Logf("%d Scan calls, %d grows and %d shrinks started between calls, %d calls mid-rehash, %d bursts, %d keys guaranteed",
		calls, grows, shrinks, rehashingCalls, bursts, guaranteed)
	if grows == 0 || shrinks == 0 || rehashingCalls == 0 {
		t.Fatalf("iteration did not exercise resizing: grows=%d shrinks=%d midRehash=%d", grows, shrinks, rehashingCalls)
	}
}

// TestModel runs random operation sequences against a Dict and a Go map.
func TestModel(t *testing.T) {
	for _, s := range testSeeds(1, 2, 3) {
		t.Run(fmt.Sprint("seed=", s), func(t *testing.T) {
			t.Logf("seed %d (override with -dict.seed)", s)
			modelTest(t, s, 60000)
		})
	}
}

func modelTest(t *testing.T, seed uint64, ops int) {
	r := newRand(seed)
	d := New[int]()
	model := map[string]int{}
	var keys []string // keys in model, for picking present keys
	pos := map[string]int{}
	add := func(k string) {
		if _, ok := pos[k]; !ok {
			pos[k] = len(keys)
			keys = append(keys, k)
		}
	}
	remove := func(k string) {
		i, ok := pos[k]
		if !ok {
			return
		}
		last := keys[len(keys)-1]
		keys[i] = last
		pos[last] = i
		keys = keys[:len(keys)-1]
		delete(pos, k)
	}
	// pick returns a present key with probability pct percent, otherwise
	// a key from a range of 50000 that is most often absent.
	pick := func(pct int) string {
		if len(keys) > 0 && r.IntN(100) < pct {
			return keys[r.IntN(len(keys))]
		}
		return "k" + strconv.Itoa(r.IntN(50000))
	}
	var grows, shrinks, midRehashOps int
	setBias := 50 // percent of mutations that are Sets
	for op := range ops {
		if op%3000 == 0 {
			// Grow, drain, repeat: exercises grows and shrinks.
			phases := []int{95, 80, 5, 5, 5, 50, 95, 20, 2, 60}
			setBias = phases[op/3000%len(phases)]
		}
		k := pick(60)
		wasRehashing, idx0 := d.rehashing(), d.rehashIdx
		n0Before, _ := bucketCounts(d)
		switch c := r.IntN(100); {
		case c < 40: // mutation
			if r.IntN(100) < setBias {
				if r.IntN(4) > 0 {
					k = pick(0) // mostly inserts, some replaces
				}
				v := r.Int()
				_, existed := model[k]
				if added := d.Set(k, v); added == existed {
					t.Fatalf("op %d: Set(%q) added = %v, existed = %v", op, k, added, existed)
				}
				model[k] = v
				add(k)
			} else {
				if r.IntN(4) > 0 {
					k = pick(90) // mostly hits, some misses
				}
				var v int
				var ok bool
				if r.IntN(2) == 0 {
					v, ok = d.Delete(k)
				} else {
					v, ok = d.DeleteBytes([]byte(k))
				}
				mv, mok := model[k]
				if ok != mok || v != mv {
					t.Fatalf("op %d: Delete(%q) = %d, %v; model %d, %v", op, k, v, ok, mv, mok)
				}
				delete(model, k)
				remove(k)
			}
		case c < 60:
			v, ok := d.Get(k)
			if mv, mok := model[k]; ok != mok || v != mv {
				t.Fatalf("op %d: Get(%q) = %d, %v; model %d, %v", op, k, v, ok, mv, mok)
			}
		case c < 80:
			v, ok := d.GetBytes([]byte(k))
			if mv, mok := model[k]; ok != mok || v != mv {
				t.Fatalf("op %d: GetBytes(%q) = %d, %v; model %d, %v", op, k, v, ok, mv, mok)
			}
		default:
			p := d.Ref([]byte(k))
			mv, mok := model[k]
			if (p != nil) != mok || (p != nil && *p != mv) {
				t.Fatalf("op %d: Ref(%q) = %v; model %d, %v", op, k, p, mv, mok)
			}
			if p != nil {
				*p = mv + 1
				model[k] = mv + 1
			}
		}
		if d.Len() != len(model) {
			t.Fatalf("op %d: Len() = %d, model %d", op, d.Len(), len(model))
		}
		// Each operation does at most one bounded rehash step.
		if wasRehashing && d.rehashing() && d.rehashIdx-idx0 > rehashEmptyVisits+1 {
			t.Fatalf("op %d: rehashIdx advanced %d -> %d in one call", op, idx0, d.rehashIdx)
		}
		if d.rehashing() {
			midRehashOps++
			if !wasRehashing {
				if n0, n1 := bucketCounts(d); n1 > n0 {
					grows++
				} else {
					shrinks++
				}
			}
		} else if n0, _ := bucketCounts(d); n0Before != 0 && n0 != n0Before && !wasRehashing {
			// Direct replacement of an empty table.
			if n0 > n0Before {
				grows++
			} else {
				shrinks++
			}
		}
		if op%1000 == 0 || (d.rehashing() && op%97 == 0) {
			checkContents(t, d, model)
		}
	}
	checkContents(t, d, model)
	t.Logf("%d ops: %d grows, %d shrinks, %d ops mid-rehash, final len %d", ops, grows, shrinks, midRehashOps, d.Len())
	if grows == 0 || shrinks == 0 || midRehashOps == 0 {
		t.Fatalf("model test did not exercise resizing: grows=%d shrinks=%d midRehash=%d", grows, shrinks, midRehashOps)
	}
}

func TestGrowShrinkSizes(t *testing.T) {
	d := New[int]()
	tests := []struct {
		len         int // insert up to this many keys
		wantBuckets int // after the rehash completes
	}{
		{1, 4}, {3, 4}, {4, 4}, {5, 8}, {8, 8}, {9, 16}, {1000, 1024}, {1024, 1024}, {1025, 2048},
	}
	n := 0
	for _, tc := range tests {
		for ; n < tc.len; n++ {
			d.Set("k"+strconv.Itoa(n), n)
		}
		finishRehash(t, d)
		checkInvariants(t, d)
		if b, _ := bucketCounts(d); b != tc.wantBuckets {
			t.Errorf("len %d: %d buckets, want %d", tc.len, b, tc.wantBuckets)
		}
	}
	// Shrink: len < buckets/8 triggers a shrink to nextPow2(len+1), min 4.
	shrinks := []struct {
		len         int
		wantBuckets int
	}{
		{256, 2048}, {255, 256}, {40, 256}, {31, 32}, {3, 4}, {0, 4},
	}
	for _, tc := range shrinks {
		for ; n > tc.len; n-- {
			d.Delete("k" + strconv.Itoa(n-1))
		}
		finishRehash(t, d)
		checkInvariants(t, d)
		if b, _ := bucketCounts(d); b != tc.wantBuckets {
			t.Errorf("shrinking to len %d: %d buckets, want %d", tc.len, b, tc.wantBuckets)
		}
	}
}

// TestIncrementalRehash checks that no single operation rehashes a large
// table and that rehashing completes through ordinary operations.
func TestIncrementalRehash(t *testing.T) {
	const n = 1 << 14
	d, m := fill(n - 1)
	finishRehash(t, d)
	d.Set("last", 0) // len == buckets: the next insert starts growing
	m["last"] = 0
	if d.rehashing() {
		t.Fatal("rehashing before reaching load factor 1")
	}
	d.Set("trigger", 1)
	m["trigger"] = 1
	if !d.rehashing() {
		t.Fatal("insert at load factor 1 did not start growing")
	}
	if n0, n1 := bucketCounts(d); n0 != n || n1 != 2*n {
		t.Fatalf("tables %d/%d, want %d/%d", n0, n1, n, 2*n)
	}
	steps := 0
	for d.rehashing() {
		before := d.ht[0].used
		idx := d.rehashIdx
		if _, ok := d.Get("k1"); !ok {
			t.Fatal("k1 lost during rehash")
		}
		steps++
		if d.rehashing() {
			if d.rehashIdx-idx > rehashEmptyVisits+1 {
				t.Fatalf("step visited %d buckets", d.rehashIdx-idx)
			}
			// At most one bucket moved: its chain is short at load factor 1.
			if moved := before - d.ht[0].used; moved > 20 {
				t.Fatalf("step moved %d entries", moved)
			}
		}
		if steps%1000 == 0 {
			checkContents(t, d, m)
		}
	}
	checkContents(t, d, m)
	if steps < n/(rehashEmptyVisits+1) {
		t.Fatalf("rehash of %d buckets finished in %d steps", n, steps)
	}
}

func TestRandomEntry(t *testing.T) {
	for _, s := range testSeeds(1, 2) {
		t.Run(fmt.Sprint("seed=", s), func(t *testing.T) {
			t.Logf("seed %d", s)
			r := newRand(s)
			rnd := rndFunc(r)

			// Small dict: every key is drawn, roughly uniformly.
			d, m := fill(10)
			counts := map[string]int{}
			const draws = 20000
			for range draws {
				k, v, ok := d.RandomEntry(rnd)
				if mv, mok := m[k]; !ok || !mok || mv != v {
					t.Fatalf("RandomEntry = %q, %d, %v; model %d, %v", k, v, ok, mv, mok)
				}
				counts[k]++
			}
			for k := range m {
				if c := counts[k]; c < draws/len(m)*8/10 || c > draws/len(m)*12/10 {
					t.Errorf("key %q drawn %d times of %d", k, c, draws)
				}
			}

			// One key.
			d1, _ := fill(1)
			if k, v, ok := d1.RandomEntry(rnd); !ok || k != "k0" || v != 0 {
				t.Fatalf("single-key RandomEntry = %q, %d, %v", k, v, ok)
			}

			// Sparse large table (after many deletes, before any shrink) and
			// mid-rehash tables.
			for _, state := range []string{"sparse", "midGrow", "midShrink"} {
				d, m := fill(2000)
				switch state {
				case "sparse":
					for i := 10; i < 2000; i++ {
						if i%200 != 0 {
							k := "k" + strconv.Itoa(i)
							d.Delete(k)
							delete(m, k)
						}
					}
					finishRehash(t, d)
				case "midGrow":
					growUntilRehashing(t, d, m, "g")
				case "midShrink":
					finishRehash(t, d)
					for i := 0; !d.rehashing(); i++ {
						k := "k" + strconv.Itoa(i)
						d.Delete(k)
						delete(m, k)
					}
				}
				hit := map[string]bool{}
				for range 200 {
					k, v, ok := d.RandomEntry(rnd)
					if mv, mok := m[k]; !ok || !mok || mv != v {
						t.Fatalf("%s: RandomEntry = %q, %d, %v; model %d, %v", state, k, v, ok, mv, mok)
					}
					hit[k] = true
				}
				if len(hit) < 2 {
					t.Errorf("%s: 200 draws returned %d distinct keys", state, len(hit))
				}
				checkContents(t, d, m)
			}
		})
	}
}

func TestRandomEntryDegenerateRand(t *testing.T) {
	// A constant rnd must not hang: the fallback walks to a non-empty bucket.
	d, m := fill(3000)
	for i := range 2990 {
		k := "k" + strconv.Itoa(i)
		d.Delete(k)
		delete(m, k)
	}
	zero := func(uint64) uint64 { return 0 }
	for range 3 {
		k, v, ok := d.RandomEntry(zero)
		if mv, mok := m[k]; !ok || !mok || mv != v {
			t.Fatalf("RandomEntry = %q, %d, %v", k, v, ok)
		}
	}
	if e := d.randomEntry(zero); e == nil || m[e.key()] != e.val {
		t.Fatalf("randomEntry = %v", e)
	}
}

func TestSample(t *testing.T) {
	for _, s := range testSeeds(1, 2) {
		t.Run(fmt.Sprint("seed=", s), func(t *testing.T) {
			t.Logf("seed %d", s)
			r := newRand(s)
			rnd := rndFunc(r)
			d, m := fill(20)

			// Sample may return fewer entries than asked (it gives up after
			// 10*count bucket visits), so each case runs 100 times.
			tests := []struct {
				count  int
				stopAt int // fn returns false on this call (0: never)
				most   int // the largest number of calls allowed, and expected in some run
			}{
				{0, 0, 0}, {-1, 0, 0}, {1, 0, 1}, {5, 0, 5}, {20, 0, 20}, {100, 0, 20}, {10, 3, 3}, {10, 1, 1},
			}
			for _, tc := range tests {
				most, empty := 0, 0
				for range 100 {
					calls := 0
					d.Sample(tc.count, rnd, func(k string, v int) bool {
						calls++
						if mv, ok := m[k]; !ok || mv != v {
							t.Fatalf("Sample returned %q=%d; model %d, %v", k, v, mv, ok)
						}
						return calls != tc.stopAt
					})
					most = max(most, calls)
					if calls == 0 {
						empty++
					}
				}
				if most != tc.most {
					t.Errorf("Sample(%d, stop at %d): at most %d calls in 100 runs, want %d", tc.count, tc.stopAt, most, tc.most)
				}
				if tc.count > 0 && empty > 50 {
					t.Errorf("Sample(%d) returned nothing in %d of 100 runs on a dense dict", tc.count, empty)
				}
			}

			// Every key is eventually sampled. A sample starts at the head
			// of a chain, so count must cover the longest chain for every
			// entry to be reachable (as in Redis's dictGetSomeKeys).
			longest := 0
			for _, e := range d.ht[0].buckets {
				n := 0
				for ; e != nil; e = e.next {
					n++
				}
				longest = max(longest, n)
			}
			hit := map[string]bool{}
			for range 2000 {
				d.Sample(longest, rnd, func(k string, _ int) bool { hit[k] = true; return true })
			}
			if len(hit) != len(m) {
				t.Errorf("2000 samples of %d hit %d of %d keys", longest, len(hit), len(m))
			}

			// Mid-rehash, both directions: only present entries.
			for _, state := range []string{"midGrow", "midShrink"} {
				d, m := fill(3000)
				if state == "midGrow" {
					growUntilRehashing(t, d, m, "g")
				} else {
					finishRehash(t, d)
					for i := 0; !d.rehashing(); i++ {
						k := "k" + strconv.Itoa(i)
						d.Delete(k)
						delete(m, k)
					}
				}
				total := 0
				for range 50 {
					n := 0
					d.Sample(16, rnd, func(k string, v int) bool {
						n++
						if mv, ok := m[k]; !ok || mv != v {
							t.Fatalf("%s: Sample returned %q=%d; model %d, %v", state, k, v, mv, ok)
						}
						return true
					})
					if n > 16 {
						t.Fatalf("%s: Sample(16) returned %d", state, n)
					}
					total += n
				}
				if total == 0 {
					t.Errorf("%s: Sample returned nothing", state)
				}
				checkContents(t, d, m)
			}
		})
	}
}

func TestAllocs(t *testing.T) {
	for _, midRehash := range []bool{false, true} {
		d, m := fill(30000)
		if midRehash {
			growUntilRehashing(t, d, m, "g")
		}
		key := []byte("k500")
		missing := []byte("nope")
		r := newRand(1)
		rnd := rndFunc(r)
		checks := []struct {
			name string
			fn   func()
		}{
			{"Get", func() { d.Get("k500") }},
			{"GetBytes", func() { d.GetBytes(key) }},
			{"Ref", func() { *d.Ref(key)++ }},
			{"Set replace", func() { d.Set("k500", 7) }},
			{"DeleteBytes missing", func() { d.DeleteBytes(missing) }},
			{"Delete missing", func() { d.Delete("nope") }},
			{"RandomEntry", func() { d.RandomEntry(rnd) }},
		}
		for _, c := range checks {
			if a := testing.AllocsPerRun(200, c.fn); a != 0 {
				t.Errorf("midRehash=%v: %s: %v allocs/op, want 0", midRehash, c.name, a)
			}
		}
		if midRehash && !d.rehashing() {
			t.Error("rehash finished during the alloc checks; mid-rehash case not covered")
		}
		// Insert: exactly one allocation (the entry) when no resize starts.
		d2, _ := fill(10)
		finishRehash(t, d2)
		newKeys := makeKeys(5)
		i := 0
		if a := testing.AllocsPerRun(4, func() { d2.Set(newKeys[i], i); i++ }); a != 1 {
			t.Errorf("insert: %v allocs/op, want 1 (the entry)", a)
		}
	}
}

// Benchmarks: Dict versus a Go map for the same operations.

const benchPool = 1 << 16

var benchKeys = sync.OnceValue(func() []string { return makeKeys(benchPool) })

func makeKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "key:" + strconv.Itoa(i)
	}
	return keys
}

var sinkInt int
var sinkBool bool

func BenchmarkDictGet(b *testing.B) {
	keys := benchKeys()
	d := New[int]()
	for i, k := range keys {
		d.Set(k, i)
	}
	finishRehash(b, d)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		v, _ := d.Get(keys[i&(benchPool-1)])
		sinkInt += v
	}
}

func BenchmarkGoMapGet(b *testing.B) {
	keys := benchKeys()
	m := make(map[string]int)
	for i, k := range keys {
		m[k] = i
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		sinkInt += m[keys[i&(benchPool-1)]]
	}
}

func BenchmarkDictGetBytes(b *testing.B) {
	keys := benchKeys()
	bkeys := make([][]byte, len(keys))
	d := New[int]()
	for i, k := range keys {
		d.Set(k, i)
		bkeys[i] = []byte(k)
	}
	finishRehash(b, d)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		v, _ := d.GetBytes(bkeys[i&(benchPool-1)])
		sinkInt += v
	}
}

func BenchmarkGoMapGetBytes(b *testing.B) {
	keys := benchKeys()
	bkeys := make([][]byte, len(keys))
	m := make(map[string]int)
	for i, k := range keys {
		m[k] = i
		bkeys[i] = []byte(k)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		sinkInt += m[string(bkeys[i&(benchPool-1)])]
	}
}

func BenchmarkDictSet(b *testing.B) {
	keys := makeKeys(b.N)
	d := New[int]()
	b.ReportAllocs()
	b.ResetTimer()
	for i, k := range keys {
		sinkBool = d.Set(k, i)
	}
}

func BenchmarkGoMapSet(b *testing.B) {
	keys := makeKeys(b.N)
	m := make(map[string]int)
	b.ReportAllocs()
	b.ResetTimer()
	for i, k := range keys {
		m[k] = i
	}
	sinkInt += len(m)
}

func BenchmarkDictSetReplace(b *testing.B) {
	keys := benchKeys()
	d := New[int]()
	for i, k := range keys {
		d.Set(k, i)
	}
	finishRehash(b, d)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		sinkBool = d.Set(keys[i&(benchPool-1)], i)
	}
}

func BenchmarkGoMapSetReplace(b *testing.B) {
	keys := benchKeys()
	m := make(map[string]int)
	for i, k := range keys {
		m[k] = i
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		m[keys[i&(benchPool-1)]] = i
	}
}

func BenchmarkDictDelete(b *testing.B) {
	keys := makeKeys(b.N)
	d := New[int]()
	for i, k := range keys {
		d.Set(k, i)
	}
	finishRehash(b, d)
	order := slices.Clone(keys)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	b.ReportAllocs()
	b.ResetTimer()
	for _, k := range order {
		v, _ := d.Delete(k)
		sinkInt += v
	}
}

func BenchmarkGoMapDelete(b *testing.B) {
	keys := makeKeys(b.N)
	m := make(map[string]int)
	for i, k := range keys {
		m[k] = i
	}
	order := slices.Clone(keys)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	b.ReportAllocs()
	b.ResetTimer()
	for _, k := range order {
		delete(m, k)
	}
	sinkInt += len(m)
}

func BenchmarkDictRandomEntry(b *testing.B) {
	keys := benchKeys()
	d := New[int]()
	for i, k := range keys {
		d.Set(k, i)
	}
	finishRehash(b, d)
	rnd := rndFunc(newRand(1))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_, v, _ := d.RandomEntry(rnd)
		sinkInt += v
	}
}

func TestHeadAndTouch(t *testing.T) {
	d := New[int]()
	if d.Head(Hash([]byte("x"))) != nil {
		t.Fatal("Head of an empty dict")
	}
	for i := 0; i < 1000; i++ {
		d.Set("key:"+strconv.Itoa(i), i)
	}
	for i := 0; i < 1000; i++ {
		k := []byte("key:" + strconv.Itoa(i))
		h := Hash(k)
		e := d.Head(h)
		if e == nil {
			t.Fatalf("%s: empty chain", k)
		}
		// The chain head is some key of the bucket: its tag is that key's.
		tag := TouchTag(e)
		head := (*entryHead)(e)
		if uint32(Hash(unsafe.Slice(head.kp, head.kn))) != tag {
			t.Fatalf("%s: tag %x is not its key's", k, tag)
		}
		// Following the chain with TouchKey reaches the key.
		found := false
		for p := e; p != nil; {
			b, next := d.TouchKey(p, h)
			if next == nil && TouchTag(p) == uint32(h) {
				found = b == 'k'
			}
			p = next
		}
		if !found {
			t.Fatalf("%s: TouchKey did not reach the key", k)
		}
	}
	if b, next := d.TouchKey(nil, 1); TouchTag(nil) != 0 || b != 0 || next != nil {
		t.Fatal("nil entry")
	}
}
