// Package keyspace stores Ember's databases: keys, their values and expiry
// times, split into independently locked shards by key hash.
//
// Threading model: every shard has its own mutex. The dispatcher locks the
// shards of a command's keys (in ascending order, so that multi-key
// commands never deadlock), or every shard for commands that may touch any
// key, then runs the handler. Handlers therefore never lock; they work on a
// DB view. See docs/architecture.md.
package keyspace

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/ember-kv/ember/internal/dict"
	"github.com/ember-kv/ember/internal/value"
)

// DefaultShards is the number of shards: a power of two, enough that
// clients on 16+ cores rarely meet on one lock.
const DefaultShards = 64

// Entry is one key's value and metadata. A pointer to an Entry returned by
// a lookup stays valid until the next change to the same shard.
type Entry struct {
	Value value.Value
	// Access is the LRU clock (lruTick units, see memory.go) of the last
	// access.
	Access uint32
	// freq and freqMin are the LFU state (see lfu.go): a logarithmic
	// access counter and the minute clock at which it last decayed.
	freqMin uint16
	freq    uint8
	// flags: entryVolatile, entryUnshared.
	flags uint8
}

// Entry flags.
const (
	// entryVolatile: the key has a time to live, kept in its table's
	// volatile index (the expiry time lives there only, as in Redis's
	// expires dict, so that an Entry is 24 bytes).
	entryVolatile uint8 = 1 << iota
	// entryUnshared marks a small integer string that Redis would hold as
	// its own object rather than a shared one (a COPY's result): OBJECT
	// REFCOUNT reports 1 for it. Storing a new value clears it.
	entryUnshared
)

// Volatile reports whether the key has a time to live.
func (e *Entry) Volatile() bool { return e.flags&entryVolatile != 0 }

// Unshared reports whether the entry holds its own copy of a small
// integer (see entryUnshared).
func (e *Entry) Unshared() bool { return e.flags&entryUnshared != 0 }

// ClearUnshared drops the Unshared mark (the value was replaced in place).
func (e *Entry) ClearUnshared() { e.flags &^= entryUnshared }

// Item is a value with the metadata that travels with it: what SetEntry
// stores, and what Take removes and Put stores again (access time and LFU
// state included, as Redis moves the object itself).
type Item struct {
	Value value.Value
	// ExpireAt is the expiry time in Unix milliseconds; 0 means none.
	ExpireAt int64
	// Unshared: see Entry.Unshared.
	Unshared bool
	// meta is the entry Take removed (Put keeps its access time and LFU
	// state); zero for an Item built by its caller.
	meta Entry
}

// table is one database's part of a shard.
type table struct {
	keys *dict.Dict[Entry]
	// volatile holds the keys that have a time to live, with their expiry
	// times (Unix ms); an entry is in it exactly when it is marked
	// entryVolatile. Active expiry and the volatile-* policies sample it.
	volatile *dict.Dict[int64]
	// bytes is the sum of the sizes of the table's entries, plus its
	// bucket arrays.
	bytes int64
	// buckets is the bucket count of keys and volatile as last accounted
	// (see syncBuckets).
	buckets int
}

type shard struct {
	mu  sync.Mutex
	dbs []table

	// Counters, written under mu, read atomically by INFO.
	expired atomic.Int64
	evicted atomic.Int64
	hits    atomic.Int64
	misses  atomic.Int64

	// Memory accounting (memory.go): used is the sum of the shard's
	// entries' sizes (written under mu, read atomically); unflushed is
	// the part of its changes not yet added to Keyspace.usedApprox;
	// pending are the entries looked up for writing since the shard was
	// locked, measured again when it is unlocked.
	used      atomic.Int64
	unflushed int64
	pending   []pendingWrite

	_ [64]byte // keep neighbouring shards' locks on separate cache lines
}

// Keyspace is the set of databases.
type Keyspace struct {
	shards []shard
	mask   uint64
	numDB  int

	// expireNext is the shard where the next active expiry cycle starts;
	// only the expiry goroutine uses it.
	expireNext int

	// OnExpire, when set, is called (with the shard locked) for every key
	// removed because its time to live ran out.
	OnExpire func(db int, key string)
	// OnNew, when set, is called (with the shard locked) for every key
	// added to a database (keyspace notifications' "new" event).
	OnNew func(db DB, key string)
	// OnMiss, when set, is called for every read lookup that finds no key
	// (lookups counted in keyspace_misses; the "keymiss" event).
	OnMiss func(db DB, key []byte)
	// ExpiryPaused, when set, reports a CLIENT PAUSE in force: expiry is
	// held back as writes are. A lookup then finds an expired key gone
	// but leaves it in place, and active expiry skips its cycles, as in
	// Redis; the key goes with the first lookup after the pause.
	ExpiryPaused func() bool

	// OnEvict, when set, is called (with the shard locked) for every key
	// removed by eviction (maxmemory).
	OnEvict func(db int, key string)

	// lfu is the LFU access tracking state (see lfu.go).
	lfu lfuState

	// usedApprox is the sum of the shards' used counts, up to
	// flushQuantum per shard behind (memory.go).
	usedApprox atomic.Int64
	// ev is the eviction state (evict.go).
	ev evictor
	// mem is the peak and over-the-limit bookkeeping (memory.go).
	mem memState
}

// New returns a keyspace of numDB databases.
func New(numDB int) *Keyspace {
	return NewSharded(numDB, DefaultShards)
}

// NewSharded returns a keyspace with the given number of shards (a power of two).
func NewSharded(numDB, shards int) *Keyspace {
	if shards <= 0 || shards&(shards-1) != 0 || shards > 256 {
		panic("keyspace: shard count must be a power of two, at most 256")
	}
	ks := &Keyspace{
		shards: make([]shard, shards),
		mask:   uint64(shards - 1),
		numDB:  numDB,
	}
	ks.lfu.init()
	for i := range ks.shards {
		ks.shards[i].dbs = make([]table, numDB)
		for d := range ks.shards[i].dbs {
			ks.shards[i].dbs[d] = newTable()
		}
	}
	return ks
}

func newTable() table {
	return table{keys: dict.New[Entry](), volatile: dict.New[int64]()}
}

// NumDB is the number of databases.
func (ks *Keyspace) NumDB() int { return ks.numDB }

// NumShards is the number of shards.
func (ks *Keyspace) NumShards() int { return len(ks.shards) }

// ShardOf returns the shard that holds key.
func (ks *Keyspace) ShardOf(key []byte) int {
	return ks.shardOfHash(dict.Hash(key))
}

// shardOfHash is the shard of a key whose dict hash is h: its top bits,
// which the tables (placing by the low bits, tagging with the low 32)
// leave alone, so one hash serves both.
func (ks *Keyspace) shardOfHash(h uint64) int { return int(h>>56) & int(ks.mask) }

// Lock locks the given shards, which must be sorted and unique.
func (ks *Keyspace) Lock(shards []int) {
	for _, s := range shards {
		ks.shards[s].mu.Lock()
	}
}

// Unlock unlocks shards locked by Lock.
func (ks *Keyspace) Unlock(shards []int) {
	for i := len(shards) - 1; i >= 0; i-- {
		s := &ks.shards[shards[i]]
		if len(s.pending) > 0 {
			ks.settle(s)
		}
		s.mu.Unlock()
	}
}

// LockAll locks every shard, for commands that may touch any key.
func (ks *Keyspace) LockAll() {
	for i := range ks.shards {
		ks.shards[i].mu.Lock()
	}
}

// UnlockAll unlocks what LockAll locked.
func (ks *Keyspace) UnlockAll() {
	for i := len(ks.shards) - 1; i >= 0; i-- {
		s := &ks.shards[i]
		if len(s.pending) > 0 {
			ks.settle(s)
		}
		s.mu.Unlock()
	}
}

// DB returns a view of database index at time now (Unix ms). The caller
// must hold the locks of every shard it will touch through the view.
func (ks *Keyspace) DB(index int, now int64) DB {
	return DB{ks: ks, Index: index, Now: now}
}

// Stats are keyspace counters for INFO.
type Stats struct {
	ExpiredKeys int64
	EvictedKeys int64
	Hits        int64
	Misses      int64
}

// Stats sums the shards' counters; it needs no lock.
func (ks *Keyspace) Stats() Stats {
	var st Stats
	for i := range ks.shards {
		s := &ks.shards[i]
		st.ExpiredKeys += s.expired.Load()
		st.EvictedKeys += s.evicted.Load()
		st.Hits += s.hits.Load()
		st.Misses += s.misses.Load()
	}
	return st
}

// ResetStats zeroes the counters (CONFIG RESETSTAT).
func (ks *Keyspace) ResetStats() {
	for i := range ks.shards {
		s := &ks.shards[i]
		s.expired.Store(0)
		s.evicted.Store(0)
		s.hits.Store(0)
		s.misses.Store(0)
	}
	ks.resetMemStats()
}

// rnd is the random source for sampling.
func rnd(n uint64) uint64 { return rand.Uint64N(n) }
