package keyspace

import (
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
}

// LookupFlag modifies a lookup.
type LookupFlag uint8

// Lookup flags.
const (
	// NoTouch does not update the key's access time (TYPE, OBJECT, TTL...).
	NoTouch LookupFlag = 1 << iota
	// NoStats does not count a keyspace hit or miss.
	NoStats
)

func (db DB) table(key []byte) (*shard, *table) {
	s := &db.ks.shards[db.ks.ShardOf(key)]
	return s, &s.dbs[db.Index]
}

// Keyspace returns the keyspace the view belongs to.
func (db DB) Keyspace() *Keyspace { return db.ks }

// WithIndex returns a view of another database at the same time.
func (db DB) WithIndex(index int) DB {
	db.Index = index
	return db
}

// Lookup returns key's entry, or nil. An expired key is deleted first,
// as Redis's lazy expiry does.
func (db DB) Lookup(key []byte, flags LookupFlag) *Entry {
	s, t := db.table(key)
	e := t.keys.Ref(key)
	if e != nil && e.ExpireAt != 0 && e.ExpireAt <= db.Now {
		db.expire(s, t, key)
		e = nil
	}
	if flags&NoStats == 0 {
		if e != nil {
			s.hits.Add(1)
		} else {
			s.misses.Add(1)
		}
	}
	if e != nil && flags&NoTouch == 0 && !db.NoTouch {
		e.Access = db.clock()
	}
	return e
}

// Read looks key up for reading: it counts a hit or miss and touches the key.
func (db DB) Read(key []byte) *Entry { return db.Lookup(key, 0) }

// Write looks key up for writing: it touches the key but counts no hit or miss.
func (db DB) Write(key []byte) *Entry { return db.Lookup(key, NoStats) }

// Exists reports whether key exists, without touching it or counting.
func (db DB) Exists(key []byte) bool { return db.Lookup(key, NoTouch|NoStats) != nil }

// IsExpired reports whether key exists but its time to live has run out,
// without deleting it (KEYS shows no such key, yet leaves it in place).
func (db DB) IsExpired(key string) bool {
	_, t := db.table([]byte(key))
	e, ok := t.keys.Get(key)
	return ok && e.ExpireAt != 0 && e.ExpireAt <= db.Now
}

func (db DB) expire(s *shard, t *table, key []byte) {
	t.keys.DeleteBytes(key)
	t.volatile.DeleteBytes(key)
	s.expired.Add(1)
	if db.ks.OnExpire != nil {
		db.ks.OnExpire(db.Index, string(key))
	}
}

func (db DB) clock() uint32 { return uint32(db.Now / 1000) }

// Set stores v at key and clears any time to live (Redis's setKey).
func (db DB) Set(key []byte, v value.Value) {
	db.SetEntry(key, Entry{Value: v})
}

// SetKeepTTL stores v at key, keeping an existing time to live.
func (db DB) SetKeepTTL(key []byte, v value.Value) {
	_, t := db.table(key)
	if e := t.keys.Ref(key); e != nil {
		e.Value = v
		e.Access = db.clock()
		return
	}
	db.SetEntry(key, Entry{Value: v})
}

// SetEntry stores e at key, value and expiry time both.
func (db DB) SetEntry(key []byte, e Entry) {
	_, t := db.table(key)
	e.Access = db.clock()
	if old := t.keys.Ref(key); old != nil {
		had := old.ExpireAt != 0
		*old = e
		switch {
		case e.ExpireAt != 0 && !had:
			t.volatile.Set(string(key), struct{}{})
		case e.ExpireAt == 0 && had:
			t.volatile.DeleteBytes(key)
		}
		return
	}
	k := string(key)
	t.keys.Set(k, e)
	if e.ExpireAt != 0 {
		t.volatile.Set(k, struct{}{})
	}
}

// Delete removes key, reporting whether it existed (and had not expired).
func (db DB) Delete(key []byte) bool {
	s, t := db.table(key)
	e := t.keys.Ref(key)
	if e == nil {
		return false
	}
	if e.ExpireAt != 0 && e.ExpireAt <= db.Now {
		db.expire(s, t, key)
		return false
	}
	t.keys.DeleteBytes(key)
	if e.ExpireAt != 0 {
		t.volatile.DeleteBytes(key)
	}
	return true
}

// SetExpire sets an existing key's expiry time (Unix ms, non-zero).
func (db DB) SetExpire(key []byte, at int64) bool {
	_, t := db.table(key)
	e := t.keys.Ref(key)
	if e == nil {
		return false
	}
	if e.ExpireAt == 0 {
		t.volatile.Set(string(key), struct{}{})
	}
	e.ExpireAt = at
	return true
}

// Persist removes key's time to live, reporting whether it had one.
func (db DB) Persist(key []byte) bool {
	_, t := db.table(key)
	e := t.keys.Ref(key)
	if e == nil || e.ExpireAt == 0 {
		return false
	}
	e.ExpireAt = 0
	t.volatile.DeleteBytes(key)
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

// VolatileLen is the number of keys with a time to live.
func (db DB) VolatileLen() int {
	n := 0
	for i := range db.ks.shards {
		n += db.ks.shards[i].dbs[db.Index].volatile.Len()
	}
	return n
}

// Range calls fn for every key, expired ones included, until fn returns
// false. fn must not change the database. It needs every shard locked.
func (db DB) Range(fn func(key string, e *Entry) bool) {
	for i := range db.ks.shards {
		stop := false
		db.ks.shards[i].dbs[db.Index].keys.Range(func(k string, e Entry) bool {
			if !fn(k, &e) {
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

// Scan continues a SCAN from cursor, visiting buckets until at least count
// keys were found (or count*10 buckets were visited), and returns the next
// cursor (0 when done). Every key present for a whole iteration is
// returned at least once. The cursor holds the shard in its low bits and
// the shard's table cursor above them. It needs every shard locked.
func (db DB) Scan(cursor uint64, count int, fn func(key string)) uint64 {
	bits := uint(0)
	for 1<<bits < len(db.ks.shards) {
		bits++
	}
	si := int(cursor & db.ks.mask)
	c := cursor >> bits
	found := 0
	visits := count * 10
	for {
		d := db.ks.shards[si].dbs[db.Index].keys
		c = d.Scan(c, func(k string, _ Entry) {
			found++
			fn(k)
		})
		if c == 0 {
			si++
			if si == len(db.ks.shards) {
				return 0
			}
		}
		visits--
		if found >= count || visits <= 0 {
			return c<<bits | uint64(si)
		}
	}
}

// RandomKey returns a random live key, deleting expired ones it meets as
// Redis's RANDOMKEY does. It needs every shard locked.
func (db DB) RandomKey() (string, bool) {
	for tries := 0; tries < 100; tries++ {
		total := db.Len()
		if total == 0 {
			return "", false
		}
		r := int(rnd(uint64(total)))
		for i := range db.ks.shards {
			t := &db.ks.shards[i].dbs[db.Index]
			if r >= t.keys.Len() {
				r -= t.keys.Len()
				continue
			}
			k, e, ok := t.keys.RandomEntry(rnd)
			if !ok {
				break
			}
			if e.ExpireAt != 0 && e.ExpireAt <= db.Now {
				db.expire(&db.ks.shards[i], t, []byte(k))
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
		db.ks.shards[i].dbs[db.Index] = newTable()
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
		dbs := ks.shards[i].dbs
		dbs[a], dbs[b] = dbs[b], dbs[a]
	}
}
