package keyspace

import (
	"github.com/ember-kv/ember/internal/dict"
	"github.com/ember-kv/ember/internal/value"
)

// DB is one database as a command sees it: an index, and the time at which
// the command runs (expiry is judged against it, frozen for the command).
// Its methods assume the caller holds the locks of the shards it touches.
type DB struct {
	ks    *Keyspace
	Index int
	// Now is the command's time, Unix milliseconds.
	Now int64
	// NoTouch leaves access times alone (CLIENT NO-TOUCH).
	NoTouch bool
	// Origin is the client whose command uses the view (nil for none); the
	// OnNew and OnMiss hooks receive it with the view.
	Origin any
}

// LookupFlag modifies a lookup.
type LookupFlag uint8

// Lookup flags.
const (
	// NoTouch does not update the key's access time (TYPE, OBJECT, TTL...).
	NoTouch LookupFlag = 1 << iota
	// NoStats does not count a keyspace hit or miss.
	NoStats
	// NoNotify counts a miss without the "keymiss" notification (OBJECT).
	NoNotify
)

func (db DB) table(key []byte) (*shard, *table) {
	s, t, _ := db.tableHash(key)
	return s, t
}

// tableHash is table, also returning the key's dict hash.
func (db DB) tableHash(key []byte) (*shard, *table, uint64) {
	h := dict.Hash(key)
	s := &db.ks.shards[db.ks.shardOfHash(h)]
	return s, &s.dbs[db.Index], h
}

// Keyspace returns the keyspace the view belongs to.
func (db DB) Keyspace() *Keyspace { return db.ks }

// WithIndex returns a view of another database at the same time.
func (db DB) WithIndex(index int) DB {
	db.Index = index
	return db
}

// expiredAt reports whether a key expiring at at (0: never) has expired
// at the view's time. As in Redis, a key whose expiry time is now is still
// alive: it expires once the clock has passed that time.
func (db DB) expiredAt(at int64) bool { return at != 0 && at < db.Now }

// expireOf is the expiry time of key, whose entry in t is e (0: none).
func (t *table) expireOf(key []byte, e *Entry) int64 {
	if !e.Volatile() {
		return 0
	}
	at, _ := t.volatile.GetBytes(key)
	return at
}

// ExpireAt is the expiry time (Unix ms, 0 for none) of key, whose entry
// e a lookup returned.
func (db DB) ExpireAt(key []byte, e *Entry) int64 {
	if !e.Volatile() {
		return 0
	}
	_, t := db.table(key)
	return t.expireOf(key, e)
}

// Lookup returns key's entry, or nil. An expired key is deleted first,
// as Redis's lazy expiry does.
func (db DB) Lookup(key []byte, flags LookupFlag) *Entry {
	_, _, e := db.lookup(key, flags)
	return e
}

// lookup is Lookup, also returning the key's shard and table.
func (db DB) lookup(key []byte, flags LookupFlag) (*shard, *table, *Entry) {
	h := dict.Hash(key)
	s := &db.ks.shards[db.ks.shardOfHash(h)]
	t := &s.dbs[db.Index]
	e := t.keys.RefHash(key, h)
	if e != nil && e.Volatile() && db.expiredAt(t.expireOf(key, e)) {
		if p := db.ks.ExpiryPaused; p == nil || !p() {
			db.expire(s, t, key)
		}
		e = nil
	}
	if flags&NoStats == 0 {
		if e != nil {
			s.hits.Add(1)
		} else {
			s.misses.Add(1)
			if db.ks.OnMiss != nil && flags&NoNotify == 0 {
				db.ks.OnMiss(db, key)
			}
		}
	}
	if e != nil && flags&NoTouch == 0 && !db.NoTouch {
		db.touch(e)
	}
	return s, t, e
}

// touch records an access to e.
func (db DB) touch(e *Entry) {
	e.Access = db.clock()
	if db.ks.lfu.on.Load() {
		db.ks.touchLFU(e, db.Now)
	}
}

// Read looks key up for reading: it counts a hit or miss and touches the key.
func (db DB) Read(key []byte) *Entry { return db.Lookup(key, 0) }

// Write looks key up for writing: it touches the key but counts no hit or
// miss. The entry's size is measured again when its shard is unlocked, so
// the caller may change the value in place (see memory.go).
func (db DB) Write(key []byte) *Entry {
	s, t, e := db.lookup(key, NoStats)
	if e != nil {
		db.ks.trackWrite(s, t, e, key)
	}
	return e
}

// Exists reports whether key exists, without touching it or counting.
func (db DB) Exists(key []byte) bool { return db.Lookup(key, NoTouch|NoStats) != nil }

// IsExpired reports whether key exists but its time to live has run out,
// without deleting it (KEYS shows no such key, yet leaves it in place).
func (db DB) IsExpired(key string) bool {
	_, t := db.table([]byte(key))
	e, ok := t.keys.Get(key)
	return ok && e.Volatile() && db.expiredAt(t.expireOf([]byte(key), &e))
}

// ExpireIfNeeded deletes key if it exists and its time to live has run
// out, reporting whether it did (Redis's expireIfNeeded).
func (db DB) ExpireIfNeeded(key []byte) bool {
	s, t := db.table(key)
	e := t.keys.Ref(key)
	if e == nil || !db.expiredAt(t.expireOf(key, e)) {
		return false
	}
	db.expire(s, t, key)
	return true
}

// expire deletes key because its time to live ran out, reporting whether
// it was there to delete (a sample may name a key twice).
func (db DB) expire(s *shard, t *table, key []byte) bool {
	if !db.ks.remove(s, t, key) {
		return false
	}
	s.expired.Add(1)
	if db.ks.OnExpire != nil {
		db.ks.OnExpire(db.Index, string(key))
	}
	return true
}

func (db DB) clock() uint32 { return lruClock(db.Now) }

// Set stores v at key and clears any time to live (Redis's setKey).
func (db DB) Set(key []byte, v value.Value) {
	db.SetEntry(key, Item{Value: v})
}

// SetKeepTTL stores v at key, keeping an existing time to live.
func (db DB) SetKeepTTL(key []byte, v value.Value) {
	s, t, h := db.tableHash(key)
	if old := db.live(s, t, key, h); old != nil {
		e := Entry{Value: v, Access: db.clock(), freq: old.freq, freqMin: old.freqMin}
		db.overwrite(s, t, key, old, e, t.expireOf(key, old))
		return
	}
	db.SetEntry(key, Item{Value: v})
}

// SetEntry stores it's value, expiry time and Unshared mark at key. The
// key's access time becomes now; an existing key keeps its LFU counter
// (as Redis's dbOverwrite), a new one starts with the initial counter.
func (db DB) SetEntry(key []byte, it Item) {
	e := Entry{Value: it.Value, Access: db.clock()}
	if it.Unshared {
		e.flags |= entryUnshared
	}
	s, t, h := db.tableHash(key)
	if old := db.live(s, t, key, h); old != nil {
		e.freq, e.freqMin = old.freq, old.freqMin
		db.overwrite(s, t, key, old, e, it.ExpireAt)
		return
	}
	initLFU(&e, db.Now)
	db.insert(s, t, key, e, it.ExpireAt)
}

// Put stores it at key exactly as Take returned it, access time and LFU
// state included, replacing any entry there. RENAME and MOVE use it, as
// Redis moves the object itself.
func (db DB) Put(key []byte, it Item) {
	e := it.meta
	e.Value = it.Value
	e.flags = 0
	if it.Unshared {
		e.flags |= entryUnshared
	}
	s, t, h := db.tableHash(key)
	if old := db.live(s, t, key, h); old != nil {
		db.overwrite(s, t, key, old, e, it.ExpireAt)
		return
	}
	db.insert(s, t, key, e, it.ExpireAt)
}

// live returns key's entry in table t of shard s, or nil; a key whose
// time to live ran out is expired first, as Redis's lookupKeyWrite does
// before a command stores a new value (so a store over it makes a new key).
func (db DB) live(s *shard, t *table, key []byte, h uint64) *Entry {
	e := t.keys.RefHash(key, h)
	if e != nil && e.Volatile() && db.expiredAt(t.expireOf(key, e)) {
		db.expire(s, t, key)
		return nil
	}
	return e
}

// overwrite replaces the entry old of key with e, expiring at expireAt.
func (db DB) overwrite(s *shard, t *table, key []byte, old *Entry, e Entry, expireAt int64) {
	size := db.ks.accounted(s, old, len(key))
	had := old.Volatile()
	_, wasPacked := old.Value.(*value.PackedString)
	if p, ok := e.Value.(*value.PackedString); ok {
		e.Value = p.WithKey(key)
	}
	e.flags &^= entryVolatile
	if expireAt != 0 {
		e.flags |= entryVolatile
	}
	switch {
	case had && expireAt != 0:
		*t.volatile.Ref(key) = expireAt
	case had:
		t.volatile.DeleteBytes(key)
	}
	*old = e
	t.adoptKey(key, old, wasPacked)
	if expireAt != 0 && !had {
		_, k := t.keys.RefKey(key)
		t.volatile.Set(k, expireAt)
	}
	db.ks.stored(s, t, old, key, size)
}

// insert adds a new key.
func (db DB) insert(s *shard, t *table, key []byte, e Entry, expireAt int64) {
	var k string
	if p, ok := e.Value.(*value.PackedString); ok {
		// The key's bytes are the ones packed with the string.
		p = p.WithKey(key)
		e.Value = p
		k, _ = p.Key()
	} else {
		k = string(key)
	}
	if expireAt != 0 {
		e.flags |= entryVolatile
		t.volatile.Set(k, expireAt)
	}
	t.keys.Set(k, e)
	ref := t.keys.Ref(key)
	db.ks.stored(s, t, ref, key, 0)
	if db.ks.OnNew != nil {
		db.ks.OnNew(db, k)
	}
}

// adoptKey makes the tables keep key's bytes where e, key's entry, needs
// them: a packed string's own copy, else a copy of their own (replacing
// one packed with a string e no longer holds, when wasPacked).
func (t *table) adoptKey(key []byte, e *Entry, wasPacked bool) {
	var k string
	if p, ok := e.Value.(*value.PackedString); ok {
		k, _ = p.Key()
	} else if wasPacked {
		k = string(key)
	} else {
		return
	}
	t.keys.Rekey(e, k)
	if e.Volatile() {
		if ref := t.volatile.Ref(key); ref != nil {
			t.volatile.Rekey(ref, k)
		}
	}
}

// Unshare returns key's string value, whose entry e a lookup returned,
// as a *value.String that may be changed in place (Redis's
// dbUnshareStringValue): a packed string is replaced by an unpacked copy.
// The entry is measured again when its shard is unlocked.
func (db DB) Unshare(key []byte, e *Entry) *value.String {
	switch v := e.Value.(type) {
	case *value.String:
		return v
	case *value.PackedString:
		s, t := db.table(key)
		db.ks.trackWrite(s, t, e, key)
		u := v.Unpacked()
		e.Value = u
		t.adoptKey(key, e, true)
		return u
	}
	panic("keyspace: Unshare of a value that is not a string")
}

// Take removes key and returns its value and metadata. A key whose time
// to live ran out is expired instead, and Take reports false.
func (db DB) Take(key []byte) (Item, bool) {
	s, t := db.table(key)
	e := t.keys.Ref(key)
	if e == nil {
		return Item{}, false
	}
	at := t.expireOf(key, e)
	if db.expiredAt(at) {
		db.expire(s, t, key)
		return Item{}, false
	}
	it := Item{Value: e.Value, ExpireAt: at, Unshared: e.Unshared(), meta: *e}
	it.meta.Value = nil
	db.ks.remove(s, t, key)
	return it, true
}

// Delete removes key, reporting whether it existed (and had not expired).
func (db DB) Delete(key []byte) bool {
	_, ok := db.Take(key)
	return ok
}

// SetExpire sets an existing key's expiry time (Unix ms, non-zero).
func (db DB) SetExpire(key []byte, at int64) bool {
	s, t := db.table(key)
	e, k := t.keys.RefKey(key)
	if e == nil {
		return false
	}
	if e.Volatile() {
		*t.volatile.Ref(key) = at
		return true
	}
	e.flags |= entryVolatile
	t.volatile.Set(k, at)
	db.ks.resized(s, t, e, volatileBytes)
	return true
}

// Persist removes key's time to live, reporting whether it had one.
func (db DB) Persist(key []byte) bool {
	s, t := db.table(key)
	e := t.keys.Ref(key)
	if e == nil || !e.Volatile() {
		return false
	}
	e.flags &^= entryVolatile
	t.volatile.DeleteBytes(key)
	db.ks.resized(s, t, e, -volatileBytes)
	return true
}

// Len is the number of keys, expired ones not yet reclaimed included, as
// DBSIZE counts them. It needs every shard locked.
func (db DB) Len() int {
	n := 0
	for i := range db.ks.shards {
		n += db.ks.shards[i].dbs[db.Index].keys.Len()
	}
	return n
}

// RangeVolatile calls fn for every key with a time to live, expired ones
// included, until fn returns false. fn must not change the database. It
// needs every shard locked.
func (db DB) RangeVolatile(fn func(key string, expireAt int64) bool) {
	for i := range db.ks.shards {
		stop := false
		db.ks.shards[i].dbs[db.Index].volatile.Range(func(k string, at int64) bool {
			stop = !fn(k, at)
			return !stop
		})
		if stop {
			return
		}
	}
}

// VolatileLen is the number of keys with a time to live.
func (db DB) VolatileLen() int {
	n := 0
	for i := range db.ks.shards {
		n += db.ks.shards[i].dbs[db.Index].volatile.Len()
	}
	return n
}

// Range calls fn for every key, expired ones included, with its expiry
// time (0: none), until fn returns false. fn must not change the
// database. It needs every shard locked.
func (db DB) Range(fn func(key string, e *Entry, expireAt int64) bool) {
	var cur Entry // one copy for the whole walk: no allocation per key
	for i := range db.ks.shards {
		stop := false
		t := &db.ks.shards[i].dbs[db.Index]
		t.keys.Range(func(k string, e Entry) bool {
			cur = e
			var at int64
			if e.Volatile() {
				at, _ = t.volatile.Get(k)
			}
			if !fn(k, &cur, at) {
				stop = true
				return false
			}
			return true
		})
		if stop {
			return
		}
	}
}

// shardBits is the number of low cursor bits that select a shard.
func (ks *Keyspace) shardBits() uint {
	bits := uint(0)
	for 1<<bits < len(ks.shards) {
		bits++
	}
	return bits
}

// Scan continues a SCAN from cursor: it visits hash buckets, passing the
// keys it finds (expired ones included) to fn, until at least count keys
// were found or count*10 buckets were visited, and returns the next
// cursor, 0 when the iteration is complete. Every key present for a whole
// iteration is passed at least once, even when tables grow or shrink
// between calls; a key may be passed more than once. The cursor holds the
// shard in its low bits and that shard's table cursor above them; empty
// shards are skipped at no cost, so an empty or small database completes
// in one call as in Redis. fn must not change the database. It needs
// every shard locked.
func (db DB) Scan(cursor uint64, count int, fn func(key string)) uint64 {
	bits := db.ks.shardBits()
	n := len(db.ks.shards)
	si := int(cursor & db.ks.mask)
	c := cursor >> bits
	found := 0
	visits := count * 10
	if count > (1<<62)/10 {
		visits = 1 << 62
	}
	emit := func(k string, _ Entry) {
		found++
		fn(k)
	}
	for si < n {
		d := db.ks.shards[si].dbs[db.Index].keys
		if d.Len() == 0 {
			si, c = si+1, 0
			continue
		}
		c = d.Scan(c, emit)
		if c == 0 {
			si++
		}
		visits--
		if found >= count || visits <= 0 {
			break
		}
	}
	if si >= n {
		return 0
	}
	return c<<bits | uint64(si)
}

// RandomKey returns a random live key, deleting expired ones it meets as
// Redis's RANDOMKEY does. It needs every shard locked.
func (db DB) RandomKey() (string, bool) {
	// Every round either returns or deletes one expired key, so the loop
	// ends; the bound only guards against a broken table.
	for rounds := db.Len() + 1; rounds > 0; rounds-- {
		total := db.Len()
		if total == 0 {
			return "", false
		}
		r := int(rnd(uint64(total)))
		for i := range db.ks.shards {
			s := &db.ks.shards[i]
			t := &s.dbs[db.Index]
			if r >= t.keys.Len() {
				r -= t.keys.Len()
				continue
			}
			k, e, ok := t.keys.RandomEntry(rnd)
			if !ok {
				break
			}
			if db.expiredAt(t.expireOf([]byte(k), &e)) {
				db.expire(s, t, []byte(k))
				break
			}
			return k, true
		}
	}
	return "", false
}

// Flush removes every key of the database. It needs every shard locked.
func (db DB) Flush() {
	for i := range db.ks.shards {
		s := &db.ks.shards[i]
		t := &s.dbs[db.Index]
		db.ks.dropPendingTable(s, t)
		db.ks.account(s, t, -t.bytes)
		*t = newTable()
	}
}

// FlushAll removes every key of every database. It needs every shard locked.
func (ks *Keyspace) FlushAll() {
	for d := 0; d < ks.numDB; d++ {
		ks.DB(d, 0).Flush()
	}
}

// Swap exchanges the contents of databases a and b (SWAPDB). It needs
// every shard locked.
func (ks *Keyspace) Swap(a, b int) {
	for i := range ks.shards {
		if len(ks.shards[i].pending) > 0 {
			ks.settle(&ks.shards[i])
		}
		dbs := ks.shards[i].dbs
		dbs[a], dbs[b] = dbs[b], dbs[a]
	}
}
