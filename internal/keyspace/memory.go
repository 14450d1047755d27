package keyspace

import (
	"math"
	"sync/atomic"

	"github.com/ember-kv/ember/internal/value"
)

// Memory accounting. Every entry is accounted for the bytes entrySize
// measures: its hash table entry and bucket share, its key's bytes, its
// value (value.Size, O(1) for every type) and, when it has a time to live,
// its entry in the volatile table. A shard's used count is the sum of its
// entries' sizes, kept exact under the shard's lock:
//
//   - storing a value (SetEntry, SetKeepTTL, Put) measures it and adds
//     the difference with the entry's previous size;
//   - removing a key (delete, expiry, eviction, flush) subtracts its
//     size;
//   - a value changed in place after Write (HSET, LPUSH, APPEND, ...) is
//     measured again when its shard is unlocked: Write records the entry
//     in the shard's pending list, and Unlock settles it. Handlers need
//     not know about accounting at all.
//
// Keyspace.Used sums the shards exactly; UsedApprox is one atomic load,
// at most flushQuantum bytes per shard behind, for the per-command
// maxmemory check.

const (
	// entryBytes is a key's fixed cost: its dict entry (key pointer,
	// length and hash tag, a 24-byte Entry, next pointer: 48 bytes, one
	// size class). The tables' bucket arrays are accounted as they are
	// (syncBuckets).
	entryBytes = 48
	// volatileBytes is a key's entry in the volatile table (key pointer,
	// length and hash tag, expiry time, next pointer; the key's bytes are
	// the main table's).
	volatileBytes = 32
	// bucketBytes is one bucket of a table: a pointer.
	bucketBytes = 8
	// flushQuantum bounds how far a shard's changes may go unreported to
	// usedApprox.
	flushQuantum = 16 << 10
	// maxPending bounds a shard's pending list (a long lock-free sequence
	// of writes, as benchmarks make, settles early).
	maxPending = 256
	// lruTickMs is the resolution of the LRU clock (Entry.Access): 10 ms,
	// so that a 32-bit clock wraps after 497 days (Redis's after 194).
	lruTickMs = 10
)

// pendingWrite is an entry looked up for writing, to be measured again:
// size is what it is accounted for now.
type pendingWrite struct {
	e    *Entry
	t    *table
	klen int
	size int64
}

// entrySize is the memory an entry with a key of klen bytes holding v,
// with a time to live when volatile, is accounted for.
func entrySize(klen int, v value.Value, volatile bool) int64 {
	n := entryBytes + value.Size(v)
	if _, packed := v.(*value.PackedString); !packed {
		n += value.AllocSize(klen) // else packed with the value
	}
	if volatile {
		n += volatileBytes
	}
	return n
}

// account adds d bytes to table t of shard s.
func (ks *Keyspace) account(s *shard, t *table, d int64) {
	if d == 0 {
		return
	}
	t.bytes += d
	s.used.Add(d)
	s.unflushed += d
	if s.unflushed >= flushQuantum || s.unflushed <= -flushQuantum {
		ks.usedApprox.Add(s.unflushed)
		s.unflushed = 0
	}
}

// trackWrite records that e, key's entry in table t of shard s, may
// change in place.
func (ks *Keyspace) trackWrite(s *shard, t *table, e *Entry, key []byte) {
	if ks.pendingOf(s, e) != nil {
		return
	}
	ks.addPending(s, t, e, key, entrySize(len(key), e.Value, e.Volatile()))
}

func (ks *Keyspace) addPending(s *shard, t *table, e *Entry, key []byte, size int64) {
	if len(s.pending) >= maxPending {
		ks.settle(s)
	}
	s.pending = append(s.pending, pendingWrite{e: e, t: t, klen: len(key), size: size})
}

// pendingOf returns e's pending record, or nil.
func (ks *Keyspace) pendingOf(s *shard, e *Entry) *pendingWrite {
	for i := range s.pending {
		if s.pending[i].e == e {
			return &s.pending[i]
		}
	}
	return nil
}

// syncBuckets accounts for a change in table t's bucket arrays, which
// only a Set or Delete on its dicts makes.
func (ks *Keyspace) syncBuckets(s *shard, t *table) {
	if n := t.keys.Buckets() + t.volatile.Buckets(); n != t.buckets {
		ks.account(s, t, int64(n-t.buckets)*bucketBytes)
		t.buckets = n
	}
}

// stored accounts for a value just stored in e, key's entry in table t of
// shard s, which was accounted old bytes before. A collection is often
// filled after it is stored (a new hash, then its fields), while a string
// is stored complete, so only collections are tracked for measuring again.
func (ks *Keyspace) stored(s *shard, t *table, e *Entry, key []byte, old int64) {
	n := entrySize(len(key), e.Value, e.Volatile())
	if p := ks.pendingOf(s, e); p != nil {
		old = p.size
		p.size = n
	} else if !value.IsString(e.Value) {
		ks.addPending(s, t, e, key, n)
	}
	ks.account(s, t, n-old)
	ks.syncBuckets(s, t)
}

// resized accounts for d bytes more held by e in table t of shard s (a
// time to live set or removed).
func (ks *Keyspace) resized(s *shard, t *table, e *Entry, d int64) {
	if p := ks.pendingOf(s, e); p != nil {
		p.size += d
	}
	ks.account(s, t, d)
	ks.syncBuckets(s, t)
}

// accounted is the size e, key's entry in shard s, is accounted for.
func (ks *Keyspace) accounted(s *shard, e *Entry, klen int) int64 {
	if p := ks.pendingOf(s, e); p != nil {
		return p.size
	}
	return entrySize(klen, e.Value, e.Volatile())
}

// settle measures the shard's pending entries again and accounts for the
// differences.
func (ks *Keyspace) settle(s *shard) {
	for i := range s.pending {
		p := &s.pending[i]
		ks.account(s, p.t, entrySize(p.klen, p.e.Value, p.e.Volatile())-p.size)
	}
	clear(s.pending)
	s.pending = s.pending[:0]
}

// dropPending forgets a pending entry that is being removed.
func dropPending(s *shard, e *Entry) {
	for i := range s.pending {
		if s.pending[i].e == e {
			last := len(s.pending) - 1
			s.pending[i] = s.pending[last]
			s.pending[last] = pendingWrite{}
			s.pending = s.pending[:last]
			return
		}
	}
}

// dropPendingTable forgets the pending entries of a table being flushed.
func (ks *Keyspace) dropPendingTable(s *shard, t *table) {
	kept := s.pending[:0]
	for _, p := range s.pending {
		if p.t != t {
			kept = append(kept, p)
		}
	}
	clear(s.pending[len(kept):])
	s.pending = kept
}

// remove deletes key from table t of shard s, with its volatile entry,
// and subtracts its size, reporting whether it was there.
func (ks *Keyspace) remove(s *shard, t *table, key []byte) bool {
	e := t.keys.Ref(key)
	if e == nil {
		return false
	}
	size, had := ks.accounted(s, e, len(key)), e.Volatile()
	if len(s.pending) > 0 {
		dropPending(s, e)
	}
	t.keys.DeleteBytes(key)
	if had {
		t.volatile.DeleteBytes(key)
	}
	ks.account(s, t, -size)
	ks.syncBuckets(s, t)
	return true
}

// Used is the memory the keyspace's entries are accounted for, exactly.
func (ks *Keyspace) Used() int64 {
	var n int64
	for i := range ks.shards {
		n += ks.shards[i].used.Load()
	}
	return max(n, 0)
}

// UsedApprox is Used as one atomic load: it may lag behind by up to
// UsedSlack bytes either way.
func (ks *Keyspace) UsedApprox() int64 { return max(ks.usedApprox.Load(), 0) }

// UsedSlack is how far UsedApprox may be from Used.
func (ks *Keyspace) UsedSlack() int64 { return int64(len(ks.shards)) * flushQuantum }

// Usage is the memory key is accounted for, with MEMORY USAGE's sampling
// cost model: O(1). It returns false when the key does not exist.
func (db DB) Usage(key []byte) (int64, bool) {
	// As Redis's MEMORY USAGE, a key whose time to live ran out but that
	// is still there is measured, not expired.
	s, t := db.table(key)
	e := t.keys.Ref(key)
	if e == nil {
		return 0, false
	}
	return db.ks.accounted(s, e, len(key)), true
}

// TableOverhead is the part of the database's accounted memory that goes
// to its main and volatile hash tables (entries and buckets) rather than
// to keys and values. It needs every shard locked.
func (db DB) TableOverhead() (main, expires int64) {
	for i := range db.ks.shards {
		t := &db.ks.shards[i].dbs[db.Index]
		main += int64(t.keys.Len())*entryBytes + int64(t.keys.Buckets())*bucketBytes
		expires += int64(t.volatile.Len())*volatileBytes + int64(t.volatile.Buckets())*bucketBytes
	}
	return main, expires
}

// lruClock is the LRU clock at Unix time now (ms).
func lruClock(now int64) uint32 { return uint32(now / lruTickMs) }

// IdleMs is how long ago e was last accessed, at Unix time now (ms), as
// OBJECT IDLETIME and the LRU policies see it.
func IdleMs(e *Entry, now int64) int64 {
	d := lruClock(now) - e.Access
	if d > math.MaxInt32 {
		return 0 // accessed "after" now: the clock went back
	}
	return int64(d) * lruTickMs
}

// DBBytes is the memory database index's entries are accounted for. It
// needs every shard locked.
func (ks *Keyspace) DBBytes(index int) int64 {
	var n int64
	for i := range ks.shards {
		n += ks.shards[i].dbs[index].bytes
	}
	return n
}

// memState is the server-wide memory bookkeeping that lives with the
// keyspace: the peak of used memory and the time spent over maxmemory.
type memState struct {
	peak      atomic.Int64
	overSince atomic.Int64 // Unix ms when used memory went over maxmemory; 0 when under
	overTotal atomic.Int64 // ms spent over maxmemory, before overSince
}

// NotePeak records used as a candidate peak of used memory and returns
// the peak.
func (ks *Keyspace) NotePeak(used int64) int64 {
	for {
		p := ks.mem.peak.Load()
		if used <= p || ks.mem.peak.CompareAndSwap(p, used) {
			return max(p, used)
		}
	}
}

// NoteOverLimit records, at Unix time now (ms), whether used memory is
// over maxmemory (INFO's eviction exceeded times).
func (ks *Keyspace) NoteOverLimit(over bool, now int64) {
	since := ks.mem.overSince.Load()
	switch {
	case over && since == 0:
		ks.mem.overSince.CompareAndSwap(0, max(now, 1))
	case !over && since != 0:
		if ks.mem.overSince.CompareAndSwap(since, 0) {
			ks.mem.overTotal.Add(max(now-since, 0))
		}
	}
}

// ExceededTime returns the total and the current time (ms) spent over
// maxmemory at Unix time now (ms).
func (ks *Keyspace) ExceededTime(now int64) (total, current int64) {
	if since := ks.mem.overSince.Load(); since != 0 {
		current = max(now-since, 0)
	}
	return ks.mem.overTotal.Load() + current, current
}

// resetMemStats zeroes the exceeded-time counters (CONFIG RESETSTAT).
func (ks *Keyspace) resetMemStats() {
	ks.mem.overTotal.Store(0)
	if ks.mem.overSince.Load() != 0 {
		ks.mem.overSince.Store(0)
	}
}
