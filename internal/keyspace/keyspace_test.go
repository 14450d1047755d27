package keyspace

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"

	"github.com/ember-kv/ember/internal/value"
)

func ksCheck(t *testing.T, ks *Keyspace) {
	t.Helper()
	if err := ks.Check(); err != nil {
		t.Fatal(err)
	}
}

func str(s string) value.Value { return value.NewPackedString([]byte(s)) }

func TestExpiryBoundary(t *testing.T) {
	ks := NewSharded(2, 4)
	db := ks.DB(0, 1000)
	db.SetEntry([]byte("k"), Item{Value: str("v"), ExpireAt: 1000})
	// Alive at its expiry time, gone one millisecond later (Redis: now > when).
	if db.Lookup([]byte("k"), 0) == nil {
		t.Fatal("key expired at its expiry time")
	}
	later := ks.DB(0, 1001)
	if later.IsExpired("k") != true {
		t.Fatal("IsExpired false after expiry time")
	}
	if later.Lookup([]byte("k"), 0) != nil {
		t.Fatal("key alive after expiry time")
	}
	if got := ks.Stats().ExpiredKeys; got != 1 {
		t.Fatalf("expired_keys = %d", got)
	}
	ksCheck(t, ks)
}

func TestSetEntryKeepsVolatileIndex(t *testing.T) {
	ks := NewSharded(2, 4)
	db := ks.DB(1, 1000)
	k := []byte("k")
	db.SetEntry(k, Item{Value: str("a"), ExpireAt: 5000})
	ksCheck(t, ks)
	db.Set(k, str("b"))
	ksCheck(t, ks)
	if db.VolatileLen() != 0 {
		t.Fatal("Set kept the TTL")
	}
	db.SetEntry(k, Item{Value: str("a"), ExpireAt: 5000})
	db.SetKeepTTL(k, str("c"))
	if e := db.Read(k); e == nil || db.ExpireAt(k, e) != 5000 {
		t.Fatalf("SetKeepTTL lost the TTL: %+v", e)
	}
	if !db.Persist(k) || db.Persist(k) {
		t.Fatal("Persist")
	}
	ksCheck(t, ks)
	if !db.SetExpire(k, 7000) || db.VolatileLen() != 1 {
		t.Fatal("SetExpire")
	}
	ksCheck(t, ks)
	e, ok := db.Take(k)
	if !ok || e.ExpireAt != 7000 {
		t.Fatalf("Take = %+v %v", e, ok)
	}
	ksCheck(t, ks)
	other := db.WithIndex(0)
	other.Put(k, e)
	ksCheck(t, ks)
	if other.VolatileLen() != 1 || db.Len() != 0 || other.Len() != 1 {
		t.Fatal("Put into another db")
	}
	// Put over a volatile key with a persistent entry.
	other.Put(k, Item{Value: str("x")})
	ksCheck(t, ks)
	if other.VolatileLen() != 0 {
		t.Fatal("Put left the key volatile")
	}
}

func TestCheckFindsBrokenIndex(t *testing.T) {
	ks := NewSharded(1, 2)
	db := ks.DB(0, 1)
	db.SetEntry([]byte("k"), Item{Value: str("v"), ExpireAt: 100})
	s := &ks.shards[ks.ShardOf([]byte("k"))]
	s.dbs[0].volatile.Delete("k")
	if ks.Check() == nil {
		t.Fatal("Check missed a volatile key absent from the index")
	}
	s.dbs[0].volatile.Set("k", 100)
	s.dbs[0].volatile.Set("ghost", 100)
	if ks.Check() == nil {
		t.Fatal("Check missed an index entry with no key")
	}
}

// scanAll runs a complete SCAN iteration, calling between after every call.
func scanAll(db DB, count int, between func(call int)) map[string]int {
	seen := map[string]int{}
	cursor := uint64(0)
	for call := 0; ; call++ {
		cursor = db.Scan(cursor, count, func(k string) { seen[k]++ })
		if cursor == 0 {
			return seen
		}
		if between != nil {
			between(call)
		}
		if call > 1_000_000 {
			panic("scan does not end")
		}
	}
}

func TestScanEmptyAndSmall(t *testing.T) {
	ks := New(16)
	db := ks.DB(0, 1)
	if c := db.Scan(0, 1, func(string) { t.Fatal("key in empty db") }); c != 0 {
		t.Fatalf("empty db cursor %d", c)
	}
	for i := 0; i < 5; i++ {
		db.Set([]byte(strconv.Itoa(i)), str("v"))
	}
	n := 0
	if c := db.Scan(0, 10, func(string) { n++ }); c != 0 || n != 5 {
		t.Fatalf("small db: cursor %d, %d keys", c, n)
	}
}

// TestScanGuarantee grows and shrinks the database between SCAN calls:
// every key present for the whole iteration must be returned.
func TestScanGuarantee(t *testing.T) {
	for _, count := range []int{1, 3, 10, 100} {
		t.Run(fmt.Sprint(count), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(count), 7))
			ks := NewSharded(1, 8)
			db := ks.DB(0, 1)
			stable := map[string]bool{}
			for i := 0; i < 200; i++ {
				k := "stable:" + strconv.Itoa(i)
				stable[k] = true
				db.Set([]byte(k), str("v"))
			}
			extra := 0
			seen := scanAll(db, count, func(call int) {
				// Grow a lot for a while, then shrink back.
				if call < 30 {
					for j := 0; j < 50; j++ {
						db.Set([]byte("grow:"+strconv.Itoa(extra)), str("v"))
						extra++
					}
				} else if extra > 0 {
					for j := 0; j < 80 && extra > 0; j++ {
						extra--
						db.Delete([]byte("grow:" + strconv.Itoa(extra)))
					}
				}
				if r.IntN(4) == 0 {
					db.Lookup([]byte("stable:"+strconv.Itoa(r.IntN(200))), 0) // advance rehashing
				}
			})
			var missing []string
			for k := range stable {
				if seen[k] == 0 {
					missing = append(missing, k)
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Fatalf("keys present for the whole iteration not returned: %v", missing)
			}
			ksCheck(t, ks)
		})
	}
}

func TestRandomKeySkipsExpired(t *testing.T) {
	ks := NewSharded(1, 4)
	db := ks.DB(0, 10)
	for i := 0; i < 300; i++ {
		db.SetEntry([]byte("dead:"+strconv.Itoa(i)), Item{Value: str("v"), ExpireAt: 5})
	}
	db.Set([]byte("live"), str("v"))
	k, ok := db.RandomKey()
	if !ok || k != "live" {
		t.Fatalf("RandomKey = %q %v", k, ok)
	}
	ksCheck(t, ks)
	db.Delete([]byte("live"))
	for i := 0; i < 300; i++ {
		db.SetEntry([]byte("dead:"+strconv.Itoa(i)), Item{Value: str("v"), ExpireAt: 5})
	}
	if k, ok := db.RandomKey(); ok {
		t.Fatalf("RandomKey of only expired keys = %q", k)
	}
	if db.Len() != 0 {
		t.Fatalf("expired keys left: %d", db.Len())
	}
	ksCheck(t, ks)
}

func TestActiveExpireCycle(t *testing.T) {
	ks := NewSharded(3, 8)
	for d := 0; d < 3; d++ {
		db := ks.DB(d, 1)
		for i := 0; i < 500; i++ {
			db.SetEntry([]byte(strconv.Itoa(i)), Item{Value: str("v"), ExpireAt: 100})
		}
		db.Set([]byte("keep"), str("v"))
	}
	// Expiry time not passed yet: nothing goes.
	if n := ks.ActiveExpireCycle(func() int64 { return 100 }, 1<<40); n != 0 {
		t.Fatalf("deleted %d keys before their time", n)
	}
	total := 0
	for round := 0; round < 1000 && total < 1500; round++ {
		total += ks.ActiveExpireCycle(func() int64 { return 101 }, 1<<40)
	}
	if total != 1500 {
		t.Fatalf("active expiry reclaimed %d of 1500 keys", total)
	}
	for d := 0; d < 3; d++ {
		if n := ks.DB(d, 101).Len(); n != 1 {
			t.Fatalf("db %d has %d keys left", d, n)
		}
	}
	ksCheck(t, ks)
}

func TestLFU(t *testing.T) {
	ks := NewSharded(1, 1)
	const minute = 60_000
	db := ks.DB(0, 10*minute)
	k := []byte("k")
	db.Set(k, str("v"))
	e := db.Lookup(k, NoTouch)
	if got := ks.Freq(e, db.Now); got != lfuInitVal {
		t.Fatalf("new key freq %d", got)
	}
	// Tracking off: accesses leave the counter alone.
	for i := 0; i < 100; i++ {
		db.Read(k)
	}
	if got := ks.Freq(db.Lookup(k, NoTouch), db.Now); got != lfuInitVal {
		t.Fatalf("freq moved with LFU off: %d", got)
	}
	ks.SetLFU(true)
	for i := 0; i < 1000; i++ {
		db.Read(k)
	}
	hot := ks.Freq(db.Lookup(k, NoTouch), db.Now)
	if hot <= lfuInitVal || hot > 255 {
		t.Fatalf("freq after 1000 hits: %d", hot)
	}
	// Decay: one per lfu-decay-time minute, no lower than 0.
	later := ks.DB(0, db.Now+3*minute)
	if got := ks.Freq(later.Lookup(k, NoTouch), later.Now); got != hot-3 {
		t.Fatalf("freq after 3 idle minutes: %d, want %d", got, hot-3)
	}
	ks.SetLFUParams(10, 0) // no decay
	if got := ks.Freq(later.Lookup(k, NoTouch), later.Now); got != hot {
		t.Fatalf("freq with decay off: %d, want %d", got, hot)
	}
	ks.SetLFUParams(10, 1)
	much := ks.DB(0, db.Now+1000*minute)
	if got := ks.Freq(much.Lookup(k, NoTouch), much.Now); got != 0 {
		t.Fatalf("freq after 1000 idle minutes: %d", got)
	}
	// Overwriting keeps the counter; a new key starts afresh.
	db.Set(k, str("w"))
	if got := ks.Freq(db.Lookup(k, NoTouch), db.Now); got < hot {
		t.Fatalf("overwrite reset freq to %d", got)
	}
	if lfuElapsed(0, 65535) != 0 || lfuElapsed(2*minute, 65534) != 3 {
		t.Fatal("minute clock wrap")
	}
}

func TestPrefetchReadsOnly(t *testing.T) {
	ks := NewSharded(2, 8)
	db := ks.DB(1, 1000)
	locked(ks, func() {
		for i := 0; i < 500; i++ {
			db.Set([]byte("k"+strconv.Itoa(i)), str("v"))
		}
	})
	keys := make([][]byte, 0, 100)
	for i := 0; i < 100; i++ { // beyond PrefetchMax, and some absent
		keys = append(keys, []byte("k"+strconv.Itoa(i*7)))
	}
	before := ks.Used()
	ks.Prefetch(1, keys, nil)
	ks.Prefetch(0, keys, nil) // an empty database
	ks.Prefetch(1, nil, nil)
	// A shard another goroutine holds is skipped, not waited for.
	busy := ks.ShardOf(keys[0])
	ks.shards[busy].mu.Lock()
	ks.Prefetch(1, keys, nil)
	ks.shards[busy].mu.Unlock()
	for i := range ks.shards {
		if !ks.shards[i].mu.TryLock() {
			t.Fatalf("shard %d left locked", i)
		}
		ks.shards[i].mu.Unlock()
	}
	if ks.Used() != before || db.Len() != 500 {
		t.Fatalf("Prefetch changed the keyspace: used %d -> %d, %d keys", before, ks.Used(), db.Len())
	}
	ksCheck(t, ks)
}

func TestPrefetchMembersReadsOnly(t *testing.T) {
	ks := NewSharded(1, 4)
	db := ks.DB(0, 1000)
	s := value.NewSet()
	for i := 0; i < 1000; i++ {
		s.Add([]byte(strconv.Itoa(i)), 16) // beyond 16: a hash table
	}
	locked(ks, func() { db.Set([]byte("s"), s) })
	before := ks.Used()
	members := [][]byte{[]byte("1"), []byte("999"), []byte("absent")}
	ks.Prefetch(0, [][]byte{[]byte("s"), []byte("other")}, []MemberGroup{{Key: []byte("s"), Members: members}, {Key: []byte("missing"), Members: members}})
	if ks.Used() != before || s.Len() != 1000 {
		t.Fatal("Prefetch changed the keyspace")
	}
	ksCheck(t, ks)
}
