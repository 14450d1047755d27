package keyspace

import (
	"fmt"
	"unsafe"

	"github.com/ember-kv/ember/internal/value"
)

// Check verifies the keyspace's invariants and returns the first broken
// one: every key lives in the shard its hash selects, holds a value, and
// appears in its table's volatile index exactly when it has an expiry
// time; the index holds no other key; the tables' counts match what they
// hold; every entry is accounted for what it measures now, and the
// tables' and shards' byte counts are their entries' sums. It locks every
// shard itself, so it must not be called by a command
// handler. Tests call it after every case.
func (ks *Keyspace) Check() error {
	ks.LockAll()
	defer ks.UnlockAll()
	var total int64
	for si := range ks.shards {
		s := &ks.shards[si]
		if len(s.pending) > 0 {
			ks.settle(s)
		}
		var used int64
		for d := range s.dbs {
			if err := ks.checkTable(si, d); err != nil {
				return err
			}
			used += s.dbs[d].bytes
		}
		if got := s.used.Load(); got != used {
			return fmt.Errorf("keyspace: shard %d: used %d bytes, its tables %d", si, got, used)
		}
		total += used
	}
	if d := ks.usedApprox.Load() - total; d > ks.UsedSlack() || d < -ks.UsedSlack() {
		return fmt.Errorf("keyspace: approximate used memory %d is %d bytes off the exact %d", ks.usedApprox.Load(), d, total)
	}
	return nil
}

func (ks *Keyspace) checkTable(si, d int) error {
	t := &ks.shards[si].dbs[d]
	// Collect first: Range callbacks must not look anything up.
	volatile := make(map[string]bool, t.volatile.Len())
	vkeyAt := make(map[string]*byte, t.volatile.Len()) // where each volatile key's bytes are
	nv := 0
	var badTTL error
	t.volatile.Range(func(k string, at int64) bool {
		volatile[k] = true
		vkeyAt[k] = unsafe.StringData(k)
		nv++
		if at <= 0 && badTTL == nil {
			badTTL = fmt.Errorf("keyspace: shard %d db %d: key %q has expiry time %d", si, d, k, at)
		}
		return true
	})
	if badTTL != nil {
		return badTTL
	}
	if nv != t.volatile.Len() {
		return fmt.Errorf("keyspace: shard %d db %d: volatile index ranges over %d keys, counts %d", si, d, nv, t.volatile.Len())
	}
	if len(volatile) != nv {
		return fmt.Errorf("keyspace: shard %d db %d: volatile index holds a key twice", si, d)
	}
	var err error
	var bytes int64
	nk, withTTL := 0, 0
	seen := make(map[string]bool, t.keys.Len())
	t.keys.Range(func(k string, e Entry) bool {
		nk++
		switch {
		case seen[k]:
			err = fmt.Errorf("keyspace: shard %d db %d: key %q held twice", si, d, k)
		case ks.ShardOf([]byte(k)) != si:
			err = fmt.Errorf("keyspace: key %q of db %d is in shard %d, hashes to %d", k, d, si, ks.ShardOf([]byte(k)))
		case e.Value == nil:
			err = fmt.Errorf("keyspace: shard %d db %d: key %q has no value", si, d, k)
		case e.Volatile() && !volatile[k]:
			err = fmt.Errorf("keyspace: shard %d db %d: key %q has a time to live but is not in the volatile index", si, d, k)
		case !e.Volatile() && volatile[k]:
			err = fmt.Errorf("keyspace: shard %d db %d: key %q has no time to live but is in the volatile index", si, d, k)
		case e.Volatile() && k != "" && vkeyAt[k] != unsafe.StringData(k):
			err = fmt.Errorf("keyspace: shard %d db %d: key %q: the volatile index keeps other bytes for it than the table (an old value's memory held)", si, d, k)
		case !packedAtKey(k, e.Value):
			err = fmt.Errorf("keyspace: shard %d db %d: key %q holds a packed string not packed with the key's bytes", si, d, k)
		default:
			err = checkValue(k, e.Value)
		}
		seen[k] = true
		bytes += entrySize(len(k), e.Value, e.Volatile())
		if e.Volatile() {
			withTTL++
		}
		return err == nil
	})
	if err != nil {
		return err
	}
	if nk != t.keys.Len() {
		return fmt.Errorf("keyspace: shard %d db %d: table ranges over %d keys, counts %d", si, d, nk, t.keys.Len())
	}
	if withTTL != nv {
		return fmt.Errorf("keyspace: shard %d db %d: %d keys have an expiry time, volatile index holds %d", si, d, withTTL, nv)
	}
	if n := t.keys.Buckets() + t.volatile.Buckets(); n != t.buckets {
		return fmt.Errorf("keyspace: shard %d db %d: tables have %d buckets, %d accounted", si, d, n, t.buckets)
	}
	bytes += int64(t.buckets) * bucketBytes
	if bytes != t.bytes {
		return fmt.Errorf("keyspace: shard %d db %d: entries measure %d bytes, the table is accounted %d (changed in place without Write?)", si, d, bytes, t.bytes)
	}
	return nil
}

// packedAtKey reports whether v, stored under k, is not a packed string,
// or is one whose packed key is k's very bytes.
func packedAtKey(k string, v value.Value) bool {
	p, ok := v.(*value.PackedString)
	if !ok {
		return true
	}
	pk, keyed := p.Key()
	return keyed && pk == k && (k == "" || unsafe.StringData(pk) == unsafe.StringData(k))
}

// checkValue verifies a value's own invariants, and that a collection is
// not empty: Redis deletes a key when its last element goes.
func checkValue(key string, v value.Value) error {
	switch v.Type() {
	case value.TypeList, value.TypeSet, value.TypeHash, value.TypeZSet:
		if l, ok := v.(interface{ Len() int }); ok && l.Len() == 0 {
			return fmt.Errorf("keyspace: key %q holds an empty %s", key, v.Type())
		}
	}
	if c, ok := v.(value.Checker); ok {
		if err := c.Check(); err != nil {
			return fmt.Errorf("keyspace: key %q: %w", key, err)
		}
	}
	return nil
}
