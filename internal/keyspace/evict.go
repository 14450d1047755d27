package keyspace

import (
	"math"
	"sync"
	"time"
	"unsafe"
)

// Eviction, as Redis's performEvictions: when the server is over
// maxmemory it removes keys chosen by the maxmemory-policy until enough
// memory is freed.
//
// The LRU, LFU and TTL policies use Redis's eviction pool: each round
// samples maxmemory-samples keys from every database of a few shards
// (the keyspace's shards split a database the way Redis's cluster slots
// do, so a shard's sample is a sample of the database), scores them (idle
// time, 255 minus the decayed LFU counter, or the inverse of the expiry
// time) and keeps the best evictionPoolSize candidates across rounds and
// calls; the best one still present is evicted. A candidate is scored
// again before it goes: a key accessed since it was sampled goes back
// into the pool at its new score instead of being evicted, which Redis
// does not do. The random policies pick a random key of a random shard,
// going round the databases.

// Policy is a maxmemory-policy.
type Policy uint8

// The maxmemory policies.
const (
	NoEviction Policy = iota
	AllKeysLRU
	VolatileLRU
	AllKeysLFU
	VolatileLFU
	AllKeysRandom
	VolatileRandom
	VolatileTTL
)

var policyNames = [...]string{
	"noeviction", "allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-lfu",
	"allkeys-random", "volatile-random", "volatile-ttl",
}

// String is the policy's maxmemory-policy name.
func (p Policy) String() string { return policyNames[p] }

// ParsePolicy maps a maxmemory-policy name to its Policy.
func ParsePolicy(name string) (Policy, bool) {
	for i, n := range policyNames {
		if n == name {
			return Policy(i), true
		}
	}
	return NoEviction, false
}

// volatile reports whether the policy only evicts keys with a TTL.
func (p Policy) volatile() bool {
	return p == VolatileLRU || p == VolatileLFU || p == VolatileRandom || p == VolatileTTL
}

// EvictResult is the outcome of an eviction call.
type EvictResult uint8

// Eviction outcomes, as Redis's EVICT_OK, EVICT_RUNNING and EVICT_FAIL.
const (
	// EvictOK: enough memory was freed.
	EvictOK EvictResult = iota
	// EvictRunning: the time limit was reached first; the caller should
	// keep evicting in the background and let the command run.
	EvictRunning
	// EvictFail: nothing (more) can be evicted.
	EvictFail
)

const (
	// evictionPoolSize is the number of candidates the pool keeps.
	evictionPoolSize = 16
	// evictShardsPerRound is how many non-empty shards a pool round
	// samples.
	evictShardsPerRound = 2
)

type evictCandidate struct {
	score uint64 // higher is evicted first
	shard int32
	db    int32
	key   string
}

type evictor struct {
	mu     sync.Mutex
	pool   [evictionPoolSize]evictCandidate // ascending score
	n      int
	policy Policy // the policy the pool was filled for
	next   int    // next shard to sample
	nextDB int    // next database of the random policies
}

// Evict removes keys by policy until need bytes were freed, the deadline
// passed (checked every 16 keys; a zero deadline means none), or nothing
// is left to evict. now is the time (Unix ms) scores are computed at;
// samples is maxmemory-samples. It locks shards itself, one at a time and
// only when they are free (a shard another command holds is skipped), so
// it never waits for a shard and may run while the caller holds some. It
// returns the bytes and keys it freed.
func (ks *Keyspace) Evict(now int64, policy Policy, samples int, need int64, deadline time.Time) (freed int64, keys int, res EvictResult) {
	if policy == NoEviction {
		return 0, 0, EvictFail
	}
	samples = max(samples, 1)
	ev := &ks.ev
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if ev.policy != policy {
		ev.clearPool()
		ev.policy = policy
	}
	for freed < need {
		var n int64
		var ok bool
		switch policy {
		case AllKeysRandom, VolatileRandom:
			n, ok = ks.evictRandom(policy == VolatileRandom)
		default:
			n, ok = ks.evictPooled(now, policy, samples)
		}
		if !ok {
			return freed, keys, EvictFail
		}
		freed += n
		keys++
		if keys%16 == 0 && !deadline.IsZero() && time.Now().After(deadline) {
			if freed >= need {
				break
			}
			return freed, keys, EvictRunning
		}
	}
	return freed, keys, EvictOK
}

func (ev *evictor) clearPool() {
	for i := range ev.pool[:ev.n] {
		ev.pool[i] = evictCandidate{}
	}
	ev.n = 0
}

// insert adds a candidate, keeping the pool sorted and at most full: a
// candidate worse than every one of a full pool is dropped.
func (ev *evictor) insert(c evictCandidate) {
	k := 0
	for k < ev.n && ev.pool[k].score < c.score {
		k++
	}
	if ev.n == evictionPoolSize {
		if k == 0 {
			return
		}
		// Drop the worst (first) to make room below k.
		copy(ev.pool[:k-1], ev.pool[1:k])
		ev.pool[k-1] = c
		return
	}
	copy(ev.pool[k+1:ev.n+1], ev.pool[k:ev.n])
	ev.pool[k] = c
	ev.n++
}

// score rates an entry for eviction under policy: higher goes first.
func (ks *Keyspace) score(e *Entry, expireAt int64, policy Policy, now int64) uint64 {
	switch policy {
	case AllKeysLFU, VolatileLFU:
		return 255 - uint64(ks.decayed(e, now))
	case VolatileTTL:
		return math.MaxUint64 - uint64(expireAt)
	}
	return uint64(lruClock(now) - e.Access)
}

// populate samples the next evictShardsPerRound non-empty shards into the
// pool, reporting false when every shard is empty (for the policy).
func (ks *Keyspace) populate(now int64, policy Policy, samples int) bool {
	ev := &ks.ev
	volatile := policy.volatile()
	found := 0
	for tried := 0; tried < len(ks.shards) && found < evictShardsPerRound; tried++ {
		si := ev.next
		ev.next = (ev.next + 1) & int(ks.mask)
		if tried == 0 {
			// Start each round somewhere new, so that rounds do not walk
			// the shards in lockstep with the keys' arrival.
			si = int(rnd(uint64(len(ks.shards))))
			ev.next = (si + 1) & int(ks.mask)
		}
		s := &ks.shards[si]
		if !s.mu.TryLock() {
			continue // busy: sampled another time
		}
		any := false
		for db := range s.dbs {
			t := &s.dbs[db]
			add := func(key string, e *Entry, at int64) {
				ev.insert(evictCandidate{score: ks.score(e, at, policy, now), shard: int32(si), db: int32(db), key: key})
			}
			if volatile {
				if t.volatile.Len() == 0 {
					continue
				}
				any = true
				t.volatile.Sample(samples, rnd, func(key string, at int64) bool {
					if e, ok := t.keys.Get(key); ok {
						add(key, &e, at)
					}
					return true
				})
				continue
			}
			if t.keys.Len() == 0 {
				continue
			}
			any = true
			t.keys.Sample(samples, rnd, func(key string, e Entry) bool {
				add(key, &e, 0)
				return true
			})
		}
		s.mu.Unlock()
		if any {
			found++
		}
	}
	return found > 0
}

// evictPooled evicts the pool's best candidate that still exists,
// refilling the pool as needed.
func (ks *Keyspace) evictPooled(now int64, policy Policy, samples int) (int64, bool) {
	ev := &ks.ev
	volatile := policy.volatile()
	// Each pass either evicts, or consumes pool candidates, or finds the
	// keyspace empty; the bound only guards against a broken table.
	for pass := 0; pass < 1024; pass++ {
		if !ks.populate(now, policy, samples) {
			ev.clearPool()
			return 0, false
		}
		for ev.n > 0 {
			c := ev.pool[ev.n-1]
			ev.pool[ev.n-1] = evictCandidate{}
			ev.n--
			s := &ks.shards[c.shard]
			if !s.mu.TryLock() {
				continue // busy: the candidate is dropped
			}
			t := &s.dbs[c.db]
			key := unsafe.Slice(unsafe.StringData(c.key), len(c.key))
			e := t.keys.Ref(key)
			if e == nil || volatile && !e.Volatile() {
				s.mu.Unlock()
				continue
			}
			if sc := ks.score(e, t.expireOf(key, e), policy, now); sc < c.score {
				// Accessed since it was sampled: rate it again.
				s.mu.Unlock()
				c.score = sc
				ev.insert(c)
				continue
			}
			before := s.used.Load()
			ks.evictKey(s, t, int(c.db), c.key)
			size := before - s.used.Load() // the key, and any table shrink
			s.mu.Unlock()
			return size, true
		}
	}
	return 0, false
}

// evictRandom evicts a random key (with a TTL when volatile).
func (ks *Keyspace) evictRandom(volatile bool) (int64, bool) {
	ev := &ks.ev
	start := int(rnd(uint64(len(ks.shards))))
	for i := 0; i < len(ks.shards); i++ {
		si := (start + i) & int(ks.mask)
		s := &ks.shards[si]
		if !s.mu.TryLock() {
			continue
		}
		for j := 0; j < ks.numDB; j++ {
			db := (ev.nextDB + j) % ks.numDB
			t := &s.dbs[db]
			var key string
			var ok bool
			if volatile {
				key, _, ok = t.volatile.RandomEntry(rnd)
			} else {
				key, _, ok = t.keys.RandomEntry(rnd)
			}
			if !ok {
				continue
			}
			ev.nextDB = (db + 1) % ks.numDB
			kb := unsafe.Slice(unsafe.StringData(key), len(key))
			e := t.keys.Ref(kb)
			if e == nil {
				continue
			}
			before := s.used.Load()
			ks.evictKey(s, t, db, key)
			size := before - s.used.Load() // the key, and any table shrink
			s.mu.Unlock()
			return size, true
		}
		s.mu.Unlock()
	}
	return 0, false
}

// evictKey removes key from table t (database db) of the locked shard s
// because of maxmemory.
func (ks *Keyspace) evictKey(s *shard, t *table, db int, key string) {
	ks.remove(s, t, unsafe.Slice(unsafe.StringData(key), len(key)))
	s.evicted.Add(1)
	if ks.OnEvict != nil {
		ks.OnEvict(db, key)
	}
}
