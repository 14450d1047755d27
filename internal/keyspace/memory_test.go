package keyspace

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/ember-kv/ember/internal/value"
)

// locked runs fn with every shard locked, as a command with AllKeys runs:
// unlocking settles what fn changed in place.
func locked(ks *Keyspace, fn func()) {
	ks.LockAll()
	defer ks.UnlockAll()
	fn()
}

// TestAccountingInvariants drives every kind of change through the DB
// methods, with in-place changes after Write and after storing new
// collections, and checks after each batch that every entry is accounted
// for what it measures and the counts add up (Check).
func TestAccountingInvariants(t *testing.T) {
	ks := NewSharded(4, 8)
	r := rand.New(rand.NewPCG(1, 2))
	now := int64(1_000_000)
	for round := 0; round < 300; round++ {
		locked(ks, func() {
			db := ks.DB(r.IntN(4), now)
			for i := 0; i < 20; i++ {
				key := []byte("k" + strconv.Itoa(r.IntN(50)))
				switch r.IntN(12) {
				case 0:
					db.Set(key, value.NewPackedString(make([]byte, r.IntN(200))))
				case 1:
					db.SetEntry(key, Item{Value: value.NewPackedString([]byte("v")), ExpireAt: now + int64(r.IntN(100))})
				case 2: // new hash, filled after it is stored
					if db.Exists(key) {
						continue
					}
					h := value.NewHash()
					db.Set(key, h)
					for j := 0; j < r.IntN(600)+1; j++ {
						h.Set([]byte("f"+strconv.Itoa(j)), make([]byte, r.IntN(80)), 128, 64)
					}
				case 3: // in-place change after Write
					if e := db.Write(key); e != nil {
						switch v := e.Value.(type) {
						case *value.Hash:
							v.Set([]byte("x"+strconv.Itoa(r.IntN(1000))), make([]byte, r.IntN(100)), 128, 64)
							v.Delete([]byte("f1"))
						case *value.String:
							v.Append(make([]byte, r.IntN(300)))
						case *value.PackedString:
							db.Unshare(key, e).Append(make([]byte, r.IntN(300)))
						case *value.List:
							for j := 0; j < r.IntN(500); j++ {
								v.PushBack(make([]byte, r.IntN(40)))
							}
						case *value.Set:
							v.Add([]byte("m"+strconv.Itoa(r.IntN(900))), 512)
							v.Remove([]byte("m1"))
						case *value.ZSet:
							v.Add([]byte("z"+strconv.Itoa(r.IntN(900))), r.Float64(), 0, value.ZLimits{MaxEntries: 128, MaxValue: 64})
						}
					}
				case 4:
					if db.Exists(key) {
						continue
					}
					l := value.NewList()
					db.Set(key, l)
					l.PushBack([]byte("a"))
				case 5:
					if db.Exists(key) {
						continue
					}
					s := value.NewSet()
					db.Set(key, s)
					s.Add([]byte(strconv.Itoa(r.IntN(10))), 512)
				case 6:
					if db.Exists(key) {
						continue
					}
					z := value.NewZSet(1, 1, value.ZLimits{MaxEntries: 128, MaxValue: 64})
					db.Set(key, z)
					z.Add([]byte("a"), 1, 0, value.ZLimits{MaxEntries: 128, MaxValue: 64})
				case 7:
					db.Delete(key)
				case 8:
					db.SetExpire(key, now+int64(r.IntN(100)))
				case 9:
					db.Persist(key)
				case 10:
					if e, ok := db.Take(key); ok {
						db.WithIndex(r.IntN(4)).Put([]byte("moved"+strconv.Itoa(r.IntN(5))), e)
					}
				case 11:
					db.SetKeepTTL(key, value.NewPackedString([]byte("kept")))
				}
			}
			switch r.IntN(40) {
			case 0:
				db.Flush()
			case 1:
				ks.Swap(0, 1+r.IntN(3))
			}
		})
		now += int64(r.IntN(20))
		if round%10 == 0 {
			ks.ActiveExpireCycle(func() int64 { return now }, time.Second)
		}
		if err := ks.Check(); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	if ks.Used() == 0 {
		t.Fatal("nothing accounted")
	}
	locked(ks, func() {
		for d := 0; d < 4; d++ {
			ks.DB(d, now).Flush()
		}
	})
	if got := ks.Used(); got != 0 {
		t.Fatalf("used after flushing everything = %d", got)
	}
	ksCheck(t, ks)
}

// heapAlloc is the live heap after a full collection.
func heapAlloc() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// TestAccountingMatchesHeap checks that what the keyspace is accounted
// for is what it really takes on the Go heap, for small strings, mixed
// string sizes with TTLs, and each collection type.
func TestAccountingMatchesHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates a few hundred MB")
	}
	cases := []struct {
		name string
		keys int
		fill func(db DB, i int)
	}{
		{"small strings", 200_000, func(db DB, i int) {
			db.Set([]byte(fmt.Sprintf("key:%08d", i)), value.NewPackedString([]byte("0123456789")))
		}},
		{"mixed strings with TTL", 100_000, func(db DB, i int) {
			db.SetEntry([]byte(fmt.Sprintf("key:%08d", i)), Item{
				Value: value.NewPackedString(make([]byte, 1+(i*37)%3000)), ExpireAt: 1 << 60})
		}},
		{"hashes", 2_000, func(db DB, i int) {
			h := value.NewHash()
			for j := 0; j < 300; j++ {
				h.Set([]byte("field:"+strconv.Itoa(j)), []byte("value-"+strconv.Itoa(i*j)), 128, 64)
			}
			db.Set([]byte("h:"+strconv.Itoa(i)), h)
		}},
		{"small hashes", 100_000, func(db DB, i int) {
			h := value.NewHash()
			for j := 0; j < 10; j++ {
				h.Set([]byte("f"+strconv.Itoa(j)), []byte("v"+strconv.Itoa(i*j)), 128, 64)
			}
			db.Set([]byte("h:"+strconv.Itoa(i)), h)
		}},
		{"sets", 2_000, func(db DB, i int) {
			s := value.NewSet()
			for j := 0; j < 300; j++ {
				s.Add([]byte("member:"+strconv.Itoa(j)), 512)
			}
			db.Set([]byte("s:"+strconv.Itoa(i)), s)
		}},
		{"sorted sets", 2_000, func(db DB, i int) {
			z := value.NewZSet(1, 1, value.ZLimits{MaxEntries: 128, MaxValue: 64})
			for j := 0; j < 300; j++ {
				z.Add([]byte("member:"+strconv.Itoa(j)), float64(j), 0, value.ZLimits{MaxEntries: 128, MaxValue: 64})
			}
			db.Set([]byte("z:"+strconv.Itoa(i)), z)
		}},
		{"lists", 2_000, func(db DB, i int) {
			l := value.NewList()
			for j := 0; j < 1000; j++ {
				l.PushBack([]byte("element:" + strconv.Itoa(j)))
			}
			db.Set([]byte("l:"+strconv.Itoa(i)), l)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := heapAlloc()
			ks := NewSharded(16, DefaultShards)
			base := heapAlloc() - before
			locked(ks, func() {
				db := ks.DB(0, 1000)
				for i := 0; i < tc.keys; i++ {
					tc.fill(db, i)
				}
			})
			real := heapAlloc() - before - base
			used := ks.Used()
			ratio := float64(used) / float64(real)
			t.Logf("%d keys: accounted %d bytes (%.1f/key), heap grew %d (%.1f/key): ratio %.3f",
				tc.keys, used, float64(used)/float64(tc.keys), real, float64(real)/float64(tc.keys), ratio)
			if ratio < 0.85 || ratio > 1.2 {
				t.Errorf("accounted/real = %.3f, want within [0.85, 1.2]", ratio)
			}
			runtime.KeepAlive(ks)
		})
	}
}

// fillStrings stores n keys of 100 bytes in db 0, at time now.
func fillStrings(ks *Keyspace, prefix string, n int, now int64, ttl bool) {
	locked(ks, func() {
		db := ks.DB(0, now)
		for i := 0; i < n; i++ {
			e := Item{Value: value.NewPackedString(make([]byte, 100))}
			if ttl {
				e.ExpireAt = now + 1_000_000 + int64(i)
			}
			db.SetEntry([]byte(prefix+strconv.Itoa(i)), e)
		}
	})
}

func survivors(ks *Keyspace, prefix string, n int, now int64) int {
	alive := 0
	locked(ks, func() {
		db := ks.DB(0, now)
		for i := 0; i < n; i++ {
			if db.Exists([]byte(prefix + strconv.Itoa(i))) {
				alive++
			}
		}
	})
	return alive
}

func TestEvictLRUKeepsRecentlyUsed(t *testing.T) {
	ks := New(16)
	const n = 4000
	now := int64(10_000_000)
	fillStrings(ks, "k", n, now, false)
	// A minute later, read the first half.
	now += 60_000
	locked(ks, func() {
		db := ks.DB(0, now)
		for i := 0; i < n/2; i++ {
			db.Read([]byte("k" + strconv.Itoa(i)))
		}
	})
	var evicted []string
	ks.OnEvict = func(db int, key string) { evicted = append(evicted, key) }
	need := ks.Used() / 2
	freed, keys, res := ks.Evict(now, AllKeysLRU, 5, need, time.Time{})
	if res != EvictOK || freed < need || keys != len(evicted) {
		t.Fatalf("Evict = %d bytes, %d keys, %v; hook saw %d", freed, keys, res, len(evicted))
	}
	if got := ks.Stats().EvictedKeys; got != int64(keys) {
		t.Fatalf("evicted_keys = %d, want %d", got, keys)
	}
	recent := survivors(ks, "k", n/2, now)
	all := survivors(ks, "k", n, now)
	t.Logf("survivors: %d of %d, %d of them recently used", all, n, recent)
	if recent < all*9/10 {
		t.Errorf("only %d of %d survivors were recently used", recent, all)
	}
	ksCheck(t, ks)
}

func TestEvictLFUKeepsFrequentlyUsed(t *testing.T) {
	ks := New(16)
	ks.SetLFU(true)
	const n = 4000
	now := int64(10_000_000)
	fillStrings(ks, "k", n, now, false)
	locked(ks, func() {
		db := ks.DB(0, now)
		for round := 0; round < 30; round++ {
			for i := 0; i < n/2; i++ {
				db.Read([]byte("k" + strconv.Itoa(i)))
			}
		}
	})
	need := ks.Used() / 2
	if _, _, res := ks.Evict(now, AllKeysLFU, 5, need, time.Time{}); res != EvictOK {
		t.Fatalf("Evict: %v", res)
	}
	frequent := survivors(ks, "k", n/2, now)
	all := survivors(ks, "k", n, now)
	t.Logf("survivors: %d of %d, %d of them frequently used", all, n, frequent)
	if frequent < all*9/10 {
		t.Errorf("only %d of %d survivors were frequently used", frequent, all)
	}
	ksCheck(t, ks)
}

func TestEvictVolatileOnlyTouchesKeysWithTTL(t *testing.T) {
	for _, p := range []Policy{VolatileLRU, VolatileLFU, VolatileRandom, VolatileTTL} {
		t.Run(p.String(), func(t *testing.T) {
			ks := New(16)
			now := int64(10_000_000)
			fillStrings(ks, "plain", 500, now, false)
			fillStrings(ks, "ttl", 500, now, true)
			// Ask for more than the volatile keys hold: they all go, then
			// eviction fails.
			_, keys, res := ks.Evict(now, p, 5, ks.Used(), time.Time{})
			if res != EvictFail || keys != 500 {
				t.Fatalf("Evict = %d keys, %v; want 500 keys, EvictFail", keys, res)
			}
			if got := survivors(ks, "plain", 500, now); got != 500 {
				t.Fatalf("%d keys without TTL left, want 500", got)
			}
			ksCheck(t, ks)
		})
	}
}

func TestEvictVolatileTTLSoonestFirst(t *testing.T) {
	ks := New(16)
	now := int64(10_000_000)
	fillStrings(ks, "ttl", 2000, now, true) // key i expires at now+1e6+i
	if _, _, res := ks.Evict(now, VolatileTTL, 5, ks.Used()/2, time.Time{}); res != EvictOK {
		t.Fatal(res)
	}
	late := 0
	locked(ks, func() {
		db := ks.DB(0, now)
		for i := 1000; i < 2000; i++ {
			if db.Exists([]byte("ttl" + strconv.Itoa(i))) {
				late++
			}
		}
	})
	all := survivors(ks, "ttl", 2000, now)
	if late < all*8/10 {
		t.Errorf("only %d of %d survivors were the later-expiring half", late, all)
	}
}

func TestEvictRandomAndEmpty(t *testing.T) {
	ks := New(16)
	now := int64(10_000_000)
	if _, _, res := ks.Evict(now, AllKeysRandom, 5, 1, time.Time{}); res != EvictFail {
		t.Fatalf("empty keyspace: %v", res)
	}
	if _, _, res := ks.Evict(now, AllKeysLRU, 5, 1, time.Time{}); res != EvictFail {
		t.Fatalf("empty keyspace: %v", res)
	}
	if _, _, res := ks.Evict(now, NoEviction, 5, 1, time.Time{}); res != EvictFail {
		t.Fatalf("noeviction: %v", res)
	}
	fillStrings(ks, "k", 1000, now, false)
	used := ks.Used()
	freed, _, res := ks.Evict(now, AllKeysRandom, 5, used/4, time.Time{})
	if res != EvictOK || freed < used/4 || ks.Used() != used-freed {
		t.Fatalf("freed %d of %d (used now %d): %v", freed, used, ks.Used(), res)
	}
	ksCheck(t, ks)
}

func TestIdleMs(t *testing.T) {
	e := Entry{Access: lruClock(10_000)}
	if got := IdleMs(&e, 15_000); got != 5000 {
		t.Fatalf("IdleMs = %d", got)
	}
	if got := IdleMs(&e, 9_000); got != 0 {
		t.Fatalf("IdleMs with the clock gone back = %d", got)
	}
}
