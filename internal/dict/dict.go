// Package dict implements Ember's hash table: incremental rehashing, Redis SCAN cursors and random sampling.
//
// Dict exists instead of Go maps because the Redis command set needs things a
// map cannot give:
//
//   - SCAN: a stateless cursor (Dict.Scan) with Redis's guarantee that every
//     key present for the whole of a full iteration is returned at least once,
//     even when the table grows, shrinks or is rehashing between calls;
//   - random sampling: RANDOMKEY, eviction sampling, SPOP and SRANDMEMBER
//     (Dict.RandomEntry and Dict.Sample);
//   - no long pauses: resizing is incremental, as in Redis's dict.c. While a
//     resize is under way the dict holds two tables and every Get, Set,
//     Delete (and their variants) migrates at most one non-empty bucket of
//     the old table, looking at no more than ten empty buckets to find it
//     (Sample and RandomEntry do up to count, resp. 16, such steps). No
//     single call ever rehashes the whole table; Scan and Range do not
//     rehash at all.
//
// Tables use separate chaining and power-of-two sizes. The table grows when
// the number of entries reaches the number of buckets (load factor 1) and
// shrinks on Delete when fewer than one entry per eight buckets remains,
// never below four buckets. Keys are hashed with hash/maphash using a seed
// chosen once per process.
//
// A Dict is not safe for concurrent use. Note that this includes concurrent
// lookups: Get, GetBytes and Ref advance incremental rehashing, so they
// modify the dict's internal state exactly like Redis's dictFind does.
package dict

import (
	"hash/maphash"
	"math/bits"
	"unsafe"
)

const (
	// minBuckets is the smallest table size; tables never shrink below it.
	minBuckets = 4
	// shrinkRatio: shrink when len < buckets/shrinkRatio.
	shrinkRatio = 8
	// rehashEmptyVisits bounds the empty buckets one rehash step may skip.
	rehashEmptyVisits = 10
	// fairSampleSize is the sample RandomEntry draws from (Redis's
	// GETFAIR_NUM_ENTRIES).
	fairSampleSize = 15
	// randomProbeLimit bounds the random bucket probes of randomEntry
	// before it falls back to a linear walk (only reachable with a
	// badly behaved rnd function).
	randomProbeLimit = 1 << 16
)

// seed is the per-process hash seed shared by every Dict.
var seed = maphash.MakeSeed()

// entry is one key/value pair; it is the only per-entry allocation. The
// key is kept as its bytes' address and length next to the low 32 bits of
// its hash (the same 16 bytes a string header takes): a lookup compares
// hashes before touching key bytes, so walking a chain costs no key
// comparison for the entries that differ, and a resize places entries
// without hashing their keys again. Keys are shorter than 4 GiB (a key is
// one bulk string, and proto-max-bulk-len is at most 512 MB), and tables
// have fewer than 2^32 buckets, so 32 bits of hash place every entry.
type entry[V any] struct {
	kp   *byte
	kn   uint32
	hash uint32
	val  V
	next *entry[V]
}

func newEntry[V any](key string, h uint64, v V, next *entry[V]) *entry[V] {
	if uint64(len(key)) > 1<<32-1 {
		panic("dict: key longer than 4 GiB")
	}
	return &entry[V]{kp: unsafe.StringData(key), kn: uint32(len(key)), hash: uint32(h), val: v, next: next}
}

// key returns the entry's key.
func (e *entry[V]) key() string { return unsafe.String(e.kp, int(e.kn)) }

// is reports whether the entry holds key, whose hash is h.
func (e *entry[V]) is(h uint64, key string) bool {
	return e.hash == uint32(h) && e.key() == key
}

// table is one power-of-two array of bucket chains.
type table[V any] struct {
	buckets []*entry[V]
	used    int
}

// mask returns len(buckets)-1; only valid for an allocated table.
func (t *table[V]) mask() uint64 { return uint64(len(t.buckets)) - 1 }

// Dict is a hash table from string keys to values of type V with
// incremental rehashing, a Redis-compatible SCAN cursor and random
// sampling. Create one with New. A Dict must not be copied after first
// use and is not safe for concurrent use (not even concurrent lookups,
// which advance rehashing).
type Dict[V any] struct {
	// ht[0] is the main table. While rehashing, ht[1] is the table being
	// filled and ht[0] buckets below rehashIdx are already empty.
	ht [2]table[V]
	// rehashIdx is the next ht[0] bucket to migrate; meaningful only while
	// ht[1].buckets != nil (that is, while rehashing).
	rehashIdx int
}

// New returns an empty Dict. No buckets are allocated until the first Set.
func New[V any]() *Dict[V] {
	return &Dict[V]{}
}

// Len returns the number of entries in d.
func (d *Dict[V]) Len() int {
	return d.ht[0].used + d.ht[1].used
}

// Hash is the hash a Dict places key by.
func Hash(key []byte) uint64 { return maphash.Bytes(seed, key) }

// Head returns the first entry of the chain a lookup of hash h walks
// first, as an opaque pointer for TouchTag and TouchKey (nil: an empty
// chain). Head, TouchTag and TouchKey read what a lookup will read: a
// caller warming many keys makes each step for all of them before the
// next, so that their cache misses overlap instead of following each
// other.
func (d *Dict[V]) Head(h uint64) unsafe.Pointer {
	for j := range 2 {
		t := &d.ht[j]
		if t.buckets == nil {
			return nil
		}
		i := h & t.mask()
		if j == 0 && d.rehashing() && i < uint64(d.rehashIdx) {
			continue
		}
		return unsafe.Pointer(t.buckets[i])
	}
	return nil
}

// entryHead is the start of every entry[V]: what TouchTag and TouchKey
// read without knowing V.
type entryHead struct {
	kp   *byte
	kn   uint32
	hash uint32
}

// TouchTag reads the hash tag of e, a Head result (0 for nil).
func TouchTag(e unsafe.Pointer) uint32 {
	if e == nil {
		return 0
	}
	return (*entryHead)(e).hash
}

// TouchKey reads the first byte of e's key when e's tag matches hash h;
// otherwise it returns the chain's next entry, for another TouchTag and
// TouchKey step (nil when e matched or ends the chain).
func (d *Dict[V]) TouchKey(e unsafe.Pointer, h uint64) (byte, unsafe.Pointer) {
	if e == nil {
		return 0, nil
	}
	eh := (*entryHead)(e)
	if eh.hash != uint32(h) {
		return 0, unsafe.Pointer((*entry[V])(e).next)
	}
	if eh.kn == 0 {
		return 0, nil
	}
	return *eh.kp, nil
}

// warmMax is the most keys Warm looks at.
const warmMax = 64

// Warm reads what looking up each of keys (up to 64) will read, each
// step for all the keys before the next, as Head, TouchTag and TouchKey
// do, and returns a value made of what it read (for the caller to keep,
// so that the reads are made).
func (d *Dict[V]) Warm(keys [][]byte) uint32 {
	var (
		hash [warmMax]uint64
		head [warmMax]unsafe.Pointer
	)
	n := min(len(keys), warmMax)
	for i, k := range keys[:n] {
		hash[i] = Hash(k)
		head[i] = d.Head(hash[i])
	}
	var sink uint32
	for range 2 {
		for i := range n {
			sink += TouchTag(head[i])
		}
		for i := range n {
			b, next := d.TouchKey(head[i], hash[i])
			sink += uint32(b)
			head[i] = next
		}
	}
	return sink
}

// Buckets is the size of the dict's newest table (the one a resize under
// way is filling): it changes only when Set or Delete starts a resize,
// never on a lookup that completes one.
func (d *Dict[V]) Buckets() int {
	if d.rehashing() {
		return len(d.ht[1].buckets)
	}
	return len(d.ht[0].buckets)
}

// rehashing reports whether an incremental resize is under way.
func (d *Dict[V]) rehashing() bool {
	return d.ht[1].buckets != nil
}

// rehashStep migrates one non-empty bucket of ht[0] into ht[1], skipping at
// most rehashEmptyVisits empty buckets (Redis's dictRehash(d, 1)). When ht[0]
// becomes empty, ht[1] takes its place and rehashing ends.
func (d *Dict[V]) rehashStep() {
	if !d.rehashing() {
		return
	}
	t0, t1 := &d.ht[0], &d.ht[1]
	empty := rehashEmptyVisits
	// t0.used > 0 guarantees a non-empty bucket at index >= rehashIdx, so
	// the index never runs off the end of the table.
	for t0.used > 0 {
		e := t0.buckets[d.rehashIdx]
		if e == nil {
			d.rehashIdx++
			empty--
			if empty == 0 {
				return
			}
			continue
		}
		m := t1.mask()
		for e != nil {
			next := e.next
			i := uint64(e.hash) & m
			e.next = t1.buckets[i]
			t1.buckets[i] = e
			t0.used--
			t1.used++
			e = next
		}
		t0.buckets[d.rehashIdx] = nil
		d.rehashIdx++
		break
	}
	if t0.used == 0 {
		d.completeRehash()
	}
}

// completeRehash makes ht[1] the main table; ht[0] must be empty.
func (d *Dict[V]) completeRehash() {
	d.ht[0] = d.ht[1]
	d.ht[1] = table[V]{}
	d.rehashIdx = 0
}

// nextSize returns the smallest power of two >= n, and at least minBuckets.
func nextSize(n int) int {
	if n <= minBuckets {
		return minBuckets
	}
	return 1 << bits.Len(uint(n-1))
}

// resize starts an incremental resize to size buckets (a power of two).
// When the main table is unallocated or empty it is simply replaced.
func (d *Dict[V]) resize(size int) {
	if d.ht[0].used == 0 {
		d.ht[0] = table[V]{buckets: make([]*entry[V], size)}
		return
	}
	d.ht[1] = table[V]{buckets: make([]*entry[V], size)}
	d.rehashIdx = 0
}

// expandIfNeeded allocates the first table or starts growing once the load
// factor reaches 1. It does nothing while rehashing.
func (d *Dict[V]) expandIfNeeded() {
	if d.rehashing() {
		return
	}
	t := &d.ht[0]
	if t.buckets == nil {
		d.resize(minBuckets)
		return
	}
	if t.used >= len(t.buckets) {
		d.resize(nextSize(t.used + 1))
	}
}

// shrinkIfNeeded starts shrinking when fewer than one entry per shrinkRatio
// buckets remains. The new size leaves room for at least one more entry, so
// the next insert does not immediately grow the table again. It is called
// after every Delete, found or not, so a table left oversized by deletes made
// while a rehash was under way shrinks on a later Delete.
func (d *Dict[V]) shrinkIfNeeded() {
	if d.rehashing() {
		return
	}
	t := &d.ht[0]
	if len(t.buckets) > minBuckets && t.used < len(t.buckets)/shrinkRatio {
		d.resize(nextSize(t.used + 1))
	}
}

// link returns the address of the pointer that refers to key's entry (a
// bucket head or a next field) and the table holding it, or nil.
func (d *Dict[V]) link(h uint64, key string) (**entry[V], *table[V]) {
	for j := range 2 {
		t := &d.ht[j]
		if t.buckets == nil {
			break
		}
		i := h & t.mask()
		if j == 0 && d.rehashing() && i < uint64(d.rehashIdx) {
			continue // already migrated: empty
		}
		for pp := &t.buckets[i]; *pp != nil; pp = &(*pp).next {
			if (*pp).is(h, key) {
				return pp, t
			}
		}
	}
	return nil, nil
}

// linkBytes is link for a []byte key; it does not allocate.
func (d *Dict[V]) linkBytes(h uint64, key []byte) (**entry[V], *table[V]) {
	for j := range 2 {
		t := &d.ht[j]
		if t.buckets == nil {
			break
		}
		i := h & t.mask()
		if j == 0 && d.rehashing() && i < uint64(d.rehashIdx) {
			continue
		}
		for pp := &t.buckets[i]; *pp != nil; pp = &(*pp).next {
			if (*pp).is(h, unsafe.String(unsafe.SliceData(key), len(key))) {
				return pp, t
			}
		}
	}
	return nil, nil
}

// Get returns the value stored under key and whether it was present.
// It advances incremental rehashing by one step.
func (d *Dict[V]) Get(key string) (V, bool) {
	if d.Len() == 0 {
		var zero V
		return zero, false
	}
	d.rehashStep()
	if pp, _ := d.link(maphash.String(seed, key), key); pp != nil {
		return (*pp).val, true
	}
	var zero V
	return zero, false
}

// GetBytes is Get for a []byte key. It does not allocate.
func (d *Dict[V]) GetBytes(key []byte) (V, bool) {
	if d.Len() == 0 {
		var zero V
		return zero, false
	}
	d.rehashStep()
	if pp, _ := d.linkBytes(maphash.Bytes(seed, key), key); pp != nil {
		return (*pp).val, true
	}
	var zero V
	return zero, false
}

// Ref returns a pointer to the value stored under key, for updating it in
// place, or nil if key is absent. The pointer is valid until the next
// mutation of d (Set, Delete, DeleteBytes, Clear); do not retain it beyond
// that. Lookups (Get, GetBytes, Ref) do not invalidate it: rehashing relinks
// entries without moving them. Ref does not allocate and advances
// incremental rehashing by one step.
func (d *Dict[V]) Ref(key []byte) *V {
	if d.Len() == 0 {
		return nil
	}
	d.rehashStep()
	if pp, _ := d.linkBytes(maphash.Bytes(seed, key), key); pp != nil {
		return &(*pp).val
	}
	return nil
}

// RefHash is Ref for a key whose Hash is h.
func (d *Dict[V]) RefHash(key []byte, h uint64) *V {
	if d.Len() == 0 {
		return nil
	}
	d.rehashStep()
	if pp, _ := d.linkBytes(h, key); pp != nil {
		return &(*pp).val
	}
	return nil
}

// RefKey is Ref, also returning the key as the dict stores it (sharing
// its bytes, for another index of the same keys).
func (d *Dict[V]) RefKey(key []byte) (*V, string) {
	if d.Len() == 0 {
		return nil, ""
	}
	d.rehashStep()
	if pp, _ := d.linkBytes(maphash.Bytes(seed, key), key); pp != nil {
		return &(*pp).val, (*pp).key()
	}
	return nil, ""
}

// Rekey makes the entry whose value v points to (a Ref or RefKey result)
// keep its key in key's bytes, which must equal the key it has: the owner
// of a key's memory may move it (keyspace keeps a string's key next to
// its value).
func (d *Dict[V]) Rekey(v *V, key string) {
	var probe entry[V]
	e := (*entry[V])(unsafe.Add(unsafe.Pointer(v), -int(unsafe.Offsetof(probe.val))))
	if e.key() != key {
		panic("dict: Rekey with a different key")
	}
	e.kp = unsafe.StringData(key)
}

// Set stores v under key, replacing any previous value, and reports whether
// key was newly added. Replacing does not allocate; adding allocates one
// entry and may start (never complete in one call) a resize. It advances
// incremental rehashing by one step.
func (d *Dict[V]) Set(key string, v V) (added bool) {
	d.rehashStep()
	h := maphash.String(seed, key)
	if pp, _ := d.link(h, key); pp != nil {
		(*pp).val = v
		return false
	}
	d.expandIfNeeded()
	t := &d.ht[0]
	if d.rehashing() {
		t = &d.ht[1] // new entries go to the table being filled
	}
	i := h & t.mask()
	t.buckets[i] = newEntry(key, h, v, t.buckets[i])
	t.used++
	return true
}

// Delete removes key and returns its value and whether it was present. It
// advances incremental rehashing by one step and may start shrinking the
// table.
func (d *Dict[V]) Delete(key string) (V, bool) {
	if d.Len() == 0 {
		var zero V
		return zero, false
	}
	d.rehashStep()
	pp, t := d.link(maphash.String(seed, key), key)
	v, ok := d.unlink(pp, t)
	d.shrinkIfNeeded()
	return v, ok
}

// DeleteBytes is Delete for a []byte key. It does not allocate.
func (d *Dict[V]) DeleteBytes(key []byte) (V, bool) {
	if d.Len() == 0 {
		var zero V
		return zero, false
	}
	d.rehashStep()
	pp, t := d.linkBytes(maphash.Bytes(seed, key), key)
	v, ok := d.unlink(pp, t)
	d.shrinkIfNeeded()
	return v, ok
}

// unlink removes the entry *pp (if pp is not nil) from table t.
func (d *Dict[V]) unlink(pp **entry[V], t *table[V]) (V, bool) {
	if pp == nil {
		var zero V
		return zero, false
	}
	e := *pp
	*pp = e.next
	e.next = nil
	t.used--
	if d.rehashing() && d.ht[0].used == 0 {
		// The delete emptied the old table: nothing is left to migrate.
		d.completeRehash()
	}
	return e.val, true
}

// Clear removes every entry and releases the tables.
func (d *Dict[V]) Clear() {
	d.ht = [2]table[V]{}
	d.rehashIdx = 0
}

// Range calls fn for every entry, in no particular order, until fn returns
// false. Every entry is visited exactly once. fn must not mutate d (no Set,
// Delete, Clear, nor Get/GetBytes/Ref/RandomEntry/Sample, which advance
// rehashing and could make Range miss or repeat entries). Range does not
// advance rehashing.
func (d *Dict[V]) Range(fn func(key string, v V) bool) {
	for j := range 2 {
		for _, e := range d.ht[j].buckets {
			for e != nil {
				next := e.next
				if !fn(e.key(), e.val) {
					return
				}
				e = next
			}
		}
	}
}

// emit calls fn for every entry in the chain starting at e.
func emit[V any](e *entry[V], fn func(key string, v V)) {
	for e != nil {
		next := e.next
		fn(e.key(), e.val)
		e = next
	}
}

// Scan implements Redis's dictScan. Start with cursor 0 and call Scan again
// with each returned cursor until it returns 0. Every key present in d from
// the first call to the last is passed to fn at least once, even if d grows,
// shrinks or is mid-rehash between calls; keys may be passed more than once,
// and keys added or removed during the iteration may or may not be passed.
// Scan of an empty dict returns 0.
//
// The cursor is advanced by incrementing it in bit-reversed order over the
// table mask, so buckets already visited in a smaller table map onto
// buckets already visited in a larger one and vice versa. While two tables
// exist, the bucket of the smaller table is emitted followed by every
// bucket of the larger table that expands from it.
//
// fn must not mutate d (no Set, Delete, Clear, nor Get/GetBytes/Ref/
// RandomEntry/Sample, which advance rehashing); mutate between calls
// instead. Scan itself deliberately
// does not advance rehashing, so one Scan call sees a consistent pair of
// tables and the cursor guarantee holds; the other operations keep
// rehashing moving.
func (d *Dict[V]) Scan(cursor uint64, fn func(key string, v V)) uint64 {
	if d.Len() == 0 {
		return 0
	}
	v := cursor
	if !d.rehashing() {
		t := &d.ht[0]
		m := t.mask()
		emit(t.buckets[v&m], fn)
		// Increment the bits of the mask in reverse order.
		v |= ^m
		v = bits.Reverse64(bits.Reverse64(v) + 1)
		return v
	}
	small, large := &d.ht[0], &d.ht[1]
	if len(small.buckets) > len(large.buckets) {
		small, large = large, small
	}
	m0, m1 := small.mask(), large.mask()
	emit(small.buckets[v&m0], fn)
	// Visit every bucket of the large table that expands from the small
	// table's bucket v&m0: those share its low bits.
	for {
		emit(large.buckets[v&m1], fn)
		v |= ^m1
		v = bits.Reverse64(bits.Reverse64(v) + 1)
		if v&(m0^m1) == 0 {
			break
		}
	}
	return v
}

// RandomEntry returns a random entry, or ok == false if d is empty. Like
// Redis's dictGetFairRandomKey it draws a small sample of contiguous entries
// (see Sample) and picks one of them uniformly, falling back to picking a
// random non-empty bucket and a random entry in its chain. Entries are
// therefore chosen fairly but not exactly uniformly. rnd(n) must return a
// uniformly distributed value in [0, n). RandomEntry advances rehashing.
func (d *Dict[V]) RandomEntry(rnd func(n uint64) uint64) (key string, v V, ok bool) {
	var buf [fairSampleSize]*entry[V]
	n := 0
	d.sample(fairSampleSize, rnd, func(e *entry[V]) bool {
		buf[n] = e
		n++
		return true
	})
	var e *entry[V]
	if n > 0 {
		e = buf[rnd(uint64(n))]
	} else if e = d.randomEntry(rnd); e == nil {
		return key, v, false
	}
	return e.key(), e.val, true
}

// randomEntry is Redis's dictGetRandomKey: a random non-empty bucket, then a
// random entry of its chain. It returns nil only if d is empty.
func (d *Dict[V]) randomEntry(rnd func(n uint64) uint64) *entry[V] {
	if d.Len() == 0 {
		return nil
	}
	d.rehashStep()
	var e *entry[V]
	// bucket maps h in [start, total) onto the two tables.
	var start, total uint64
	s0 := uint64(len(d.ht[0].buckets))
	if d.rehashing() {
		// ht[0] buckets below rehashIdx are known to be empty.
		start, total = uint64(d.rehashIdx), s0+uint64(len(d.ht[1].buckets))
	} else {
		start, total = 0, s0
	}
	bucket := func(h uint64) *entry[V] {
		if h >= s0 {
			return d.ht[1].buckets[h-s0]
		}
		return d.ht[0].buckets[h]
	}
	h := start
	for tries := 0; e == nil && tries < randomProbeLimit; tries++ {
		h = start + rnd(total-start)
		e = bucket(h)
	}
	// Only reached with a degenerate rnd: walk to the next non-empty bucket.
	for e == nil {
		h++
		if h >= total {
			h = start
		}
		e = bucket(h)
	}
	n := uint64(0)
	for p := e; p != nil; p = p.next {
		n++
	}
	for i := rnd(n); i > 0; i-- {
		e = e.next
	}
	return e
}

// Sample is Redis's dictGetSomeKeys: it passes up to count entries to fn,
// starting at a random bucket and walking buckets from there (jumping to a
// new random bucket after a run of empty ones), and stops early when fn
// returns false. It is cheap (at most 10*count bucket visits) and may pass
// fewer than count entries, even when d holds more; in rare cases an entry
// may be passed twice. Entries are not uniformly distributed (a chain is
// always read from its head, so an entry deeper in a chain than count is
// never passed): use it for sampling (eviction, statistics), not for exact
// randomness. rnd(n) must
// return a uniformly distributed value in [0, n). Sample advances rehashing
// by up to count steps before sampling; fn must not mutate d nor call any
// method that advances rehashing.
func (d *Dict[V]) Sample(count int, rnd func(n uint64) uint64, fn func(key string, v V) bool) {
	d.sample(count, rnd, func(e *entry[V]) bool { return fn(e.key(), e.val) })
}

// sample implements Sample over entries.
func (d *Dict[V]) sample(count int, rnd func(n uint64) uint64, fn func(e *entry[V]) bool) {
	if count <= 0 || d.Len() == 0 {
		return
	}
	count = min(count, d.Len())
	// Rehashing work proportional to count.
	for j := 0; j < count && d.rehashing(); j++ {
		d.rehashStep()
	}
	tables := 1
	maxMask := d.ht[0].mask()
	if d.rehashing() {
		tables = 2
		maxMask = max(maxMask, d.ht[1].mask())
	}
	i := rnd(maxMask + 1)
	emptyLen, stored := 0, 0
	for steps := count * 10; stored < count && steps > 0; steps-- {
		for j := range tables {
			if tables == 2 && j == 0 && i < uint64(d.rehashIdx) {
				// ht[0] is empty below rehashIdx. If i is also out of
				// range for ht[1] (shrinking), both tables are empty up
				// to rehashIdx: jump there.
				if i >= uint64(len(d.ht[1].buckets)) {
					i = uint64(d.rehashIdx)
				} else {
					continue
				}
			}
			t := &d.ht[j]
			if i >= uint64(len(t.buckets)) {
				continue
			}
			e := t.buckets[i]
			if e == nil {
				emptyLen++
				if emptyLen >= 5 && emptyLen > count {
					i = rnd(maxMask + 1)
					emptyLen = 0
				}
				continue
			}
			emptyLen = 0
			for ; e != nil; e = e.next {
				if !fn(e) {
					return
				}
				stored++
				if stored == count {
					return
				}
			}
		}
		i = (i + 1) & maxMask
	}
}
