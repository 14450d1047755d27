package handler

import (
	"math"

	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/glob"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/notify"
	"github.com/ember-kv/ember/internal/value"
	"github.com/ember-kv/ember/resp"
)

func init() {
	register(map[string]Func{
		"hset":         hsetCmd,
		"hmset":        hmsetCmd,
		"hsetnx":       hsetnxCmd,
		"hget":         hgetCmd,
		"hmget":        hmgetCmd,
		"hdel":         hdelCmd,
		"hexists":      hexistsCmd,
		"hlen":         hlenCmd,
		"hstrlen":      hstrlenCmd,
		"hkeys":        hkeysCmd,
		"hvals":        hvalsCmd,
		"hgetall":      hgetallCmd,
		"hincrby":      hincrbyCmd,
		"hincrbyfloat": hincrbyfloatCmd,
		"hrandfield":   hrandfieldCmd,
		"hscan":        hscanCmd,
	})
}

// hashValue returns the hash an entry holds: nil for a missing key, and ok
// false (after replying WRONGTYPE) when the key holds another type.
func hashValue(c *Ctx, e *keyspace.Entry) (*value.Hash, bool) {
	return typedValue[*value.Hash](c, e)
}

// hashLimits returns hash-max-listpack-entries and hash-max-listpack-value,
// read when a hash may change so that CONFIG SET applies at once.
func hashLimits(c *Ctx) (maxEntries, maxValue int) {
	e := c.Env.Config.Int("hash-max-listpack-entries")
	v := c.Env.Config.Int("hash-max-listpack-value")
	return int(min(e, math.MaxInt)), int(min(v, math.MaxInt))
}

// hashWriteOrCreate looks the command's hash up for writing, creating an
// empty one when the key is missing (Redis's hashTypeLookupWriteOrCreate).
// It replies WRONGTYPE and returns nil when the key holds another type.
func hashWriteOrCreate(c *Ctx, key []byte) *value.Hash {
	h, ok := hashValue(c, c.DB.Write(key))
	if !ok {
		return nil
	}
	if h == nil {
		h = value.NewHash()
		c.DB.Set(key, h)
	}
	return h
}

// HSET key field value [field value ...]
func hsetCmd(c *Ctx) { hashSet(c, false) }

// HMSET key field value [field value ...]
func hmsetCmd(c *Ctx) { hashSet(c, true) }

// hashSet is HSET (replying how many fields were added) and HMSET
// (replying OK).
func hashSet(c *Ctx, hmset bool) {
	if len(c.Args)%2 == 1 {
		c.Error(errs.WrongArity(c.Spec.Name))
		return
	}
	key := c.Args[1]
	h := hashWriteOrCreate(c, key)
	if h == nil {
		return
	}
	maxEntries, maxValue := hashLimits(c)
	if h.TooBigForListpack(c.Args[2:], maxValue) {
		h.Convert()
	}
	added := 0
	for j := 2; j < len(c.Args); j += 2 {
		if h.Set(c.Args[j], c.Args[j+1], maxEntries, maxValue) {
			added++
		}
	}
	// Redis replies first, then notifies (once per command).
	if hmset {
		c.OK()
	} else {
		c.Out.Int(int64(added))
	}
	c.Notify(notify.Hash, "hset", key)
}

// HSETNX key field value
func hsetnxCmd(c *Ctx) {
	key, field := c.Args[1], c.Args[2]
	h, ok := hashValue(c, c.DB.Write(key))
	if !ok {
		return
	}
	if h != nil && h.Exists(field) {
		c.Out.Int(0)
		return
	}
	if h == nil {
		h = value.NewHash()
		c.DB.Set(key, h)
	}
	maxEntries, maxValue := hashLimits(c)
	if h.TooBigForListpack(c.Args[2:4], maxValue) {
		h.Convert()
	}
	h.Set(field, c.Args[3], maxEntries, maxValue)
	c.Out.Int(1)
	c.Notify(notify.Hash, "hset", key)
}

// HGET key field
func hgetCmd(c *Ctx) {
	h, ok := hashValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	hashReplyField(c, h, c.Args[2])
}

// hashReplyField replies the value of field, or a null when the hash (nil
// for a missing key) has no such field.
func hashReplyField(c *Ctx, h *value.Hash, field []byte) {
	if h != nil {
		if v, found := h.Get(field); found {
			c.Out.Bulk(v)
			return
		}
	}
	c.Out.Null()
}

// HMGET key field [field ...]
func hmgetCmd(c *Ctx) {
	h, ok := hashValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	fields := c.Args[2:]
	c.Out.Array(len(fields))
	for _, f := range fields {
		hashReplyField(c, h, f)
	}
}

// HDEL key field [field ...]
func hdelCmd(c *Ctx) {
	key := c.Args[1]
	h, ok := hashValue(c, c.DB.Write(key))
	if !ok {
		return
	}
	deleted := 0
	removed := false
	if h != nil {
		for _, f := range c.Args[2:] {
			if !h.Delete(f) {
				continue
			}
			deleted++
			if h.Len() == 0 {
				c.DB.Delete(key)
				removed = true
				break
			}
		}
	}
	if deleted > 0 {
		c.Notify(notify.Hash, "hdel", key)
		if removed {
			c.Notify(notify.Generic, "del", key)
		}
	}
	c.Out.Int(int64(deleted))
}

// HEXISTS key field
func hexistsCmd(c *Ctx) {
	h, ok := hashValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if h != nil && h.Exists(c.Args[2]) {
		c.Out.Int(1)
		return
	}
	c.Out.Int(0)
}

// HLEN key
func hlenCmd(c *Ctx) {
	h, ok := hashValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if h == nil {
		c.Out.Int(0)
		return
	}
	c.Out.Int(int64(h.Len()))
}

// HSTRLEN key field
func hstrlenCmd(c *Ctx) {
	h, ok := hashValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	n := 0
	if h != nil {
		v, _ := h.Get(c.Args[2])
		n = len(v)
	}
	c.Out.Int(int64(n))
}

// What HKEYS, HVALS and HGETALL reply of each pair.
const (
	hashWantFields = 1 << iota
	hashWantValues
)

// hashGetAll is HKEYS, HVALS and HGETALL: a flat array of fields or of
// values, or a map of both.
func hashGetAll(c *Ctx, want int) {
	h, ok := hashValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	n := 0
	if h != nil {
		n = h.Len()
	}
	if want == hashWantFields|hashWantValues {
		c.Out.Map(n)
	} else {
		c.Out.Array(n)
	}
	if h == nil {
		return
	}
	h.Range(func(f, v []byte) bool {
		if want&hashWantFields != 0 {
			c.Out.Bulk(f)
		}
		if want&hashWantValues != 0 {
			c.Out.Bulk(v)
		}
		return true
	})
}

// HKEYS key
func hkeysCmd(c *Ctx) { hashGetAll(c, hashWantFields) }

// HVALS key
func hvalsCmd(c *Ctx) { hashGetAll(c, hashWantValues) }

// HGETALL key
func hgetallCmd(c *Ctx) { hashGetAll(c, hashWantFields|hashWantValues) }

// HINCRBY key field increment
func hincrbyCmd(c *Ctx) {
	incr, ok := c.Int(3)
	if !ok {
		return
	}
	key, field := c.Args[1], c.Args[2]
	h, ok := hashValue(c, c.DB.Write(key))
	if !ok {
		return
	}
	var cur int64
	if h != nil {
		if v, found := h.Get(field); found {
			if cur, ok = resp.ParseInt(v); !ok {
				c.Error(errs.HashValueNotInteger)
				return
			}
		}
	}
	if (incr < 0 && cur < 0 && incr < math.MinInt64-cur) ||
		(incr > 0 && cur > 0 && incr > math.MaxInt64-cur) {
		c.Error(errs.Overflow)
		return
	}
	n := cur + incr
	if h == nil {
		h = value.NewHash()
		c.DB.Set(key, h)
	}
	var buf [20]byte
	maxEntries, maxValue := hashLimits(c)
	h.Set(field, resp.AppendInt(buf[:0], n), maxEntries, maxValue)
	c.Out.Int(n)
	c.Notify(notify.Hash, "hincrby", key)
}

// HINCRBYFLOAT key field increment
func hincrbyfloatCmd(c *Ctx) {
	incr, ok := value.ParseLongDouble(c.Args[3])
	if !ok {
		c.Error(errs.NotFloat)
		return
	}
	if incr.IsInf() {
		c.Error(errs.HashIncrNotFinite)
		return
	}
	key, field := c.Args[1], c.Args[2]
	h, ok := hashValue(c, c.DB.Write(key))
	if !ok {
		return
	}
	var cur []byte
	found := false
	if h != nil {
		if cur, found = h.Get(field); found {
			if _, ok := value.ParseLongDouble(cur); !ok {
				c.Error(errs.HashValueNotFloat)
				return
			}
		}
	}
	sum, err := value.AddLongDouble(cur, found, c.Args[3])
	if err != nil {
		// Both numbers parsed, so only the sum can be at fault.
		c.Error(errs.NaNOrInf)
		return
	}
	if h == nil {
		h = value.NewHash()
		c.DB.Set(key, h)
	}
	maxEntries, maxValue := hashLimits(c)
	h.Set(field, sum, maxEntries, maxValue)
	c.Out.Bulk(sum)
	c.Notify(notify.Hash, "hincrbyfloat", key)
}

// HRANDFIELD key [count [WITHVALUES]]
func hrandfieldCmd(c *Ctx) {
	if len(c.Args) >= 3 {
		l, ok := c.Int(2)
		if !ok {
			return
		}
		if l == math.MinInt64 {
			c.Error(errs.HashRandCountRange)
			return
		}
		withValues := false
		if len(c.Args) > 4 || (len(c.Args) == 4 && !strOptIs(c.Args[3], "WITHVALUES")) {
			c.Error(errs.Syntax)
			return
		}
		if len(c.Args) == 4 {
			withValues = true
			if l < -math.MaxInt64/2 || l > math.MaxInt64/2 {
				c.Error(errs.HashRandCountTooBig)
				return
			}
		}
		hashRandWithCount(c, l, withValues)
		return
	}
	h, ok := hashValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if h == nil {
		c.Out.Null()
		return
	}
	f, _ := h.RandomPair()
	c.Out.Bulk(f)
}

// hashRandWithCount is HRANDFIELD with a count: distinct fields for a
// positive count, fields drawn with replacement for a negative one. With
// values, RESP2 gets a flat array and RESP3 an array of pairs.
func hashRandWithCount(c *Ctx, l int64, withValues bool) {
	h, ok := hashValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if h == nil || l == 0 {
		c.Out.Array(0)
		return
	}
	pairs := withValues && c.Out.Proto == 3
	emit := func(f, v []byte) {
		if pairs {
			c.Out.Array(2)
		}
		c.Out.Bulk(f)
		if withValues {
			c.Out.Bulk(v)
		}
	}
	header := func(n int) {
		if withValues && !pairs {
			c.Out.Array(2 * n)
		} else {
			c.Out.Array(n)
		}
	}
	if l < 0 || l == 1 {
		count := int(l)
		if l < 0 {
			count = int(-l)
		}
		header(count)
		h.RandomPairs(count, emit)
		return
	}
	count, size := int(l), h.Len()
	if count >= size {
		header(size)
		h.Range(func(f, v []byte) bool { emit(f, v); return true })
		return
	}
	header(count)
	h.RandomDistinct(count, emit)
}

// HSCAN key cursor [MATCH pattern] [COUNT count]
func hscanCmd(c *Ctx) {
	h, cursor, opts, ok := scanPrologue[*value.Hash](c)
	if !ok {
		return
	}
	count, pattern := opts.count, opts.pattern
	var items [][]byte // field, value, field, value, ...
	collect := func(f, v []byte) { items = append(items, f, v) }
	if h.IsListpack() {
		cursor = h.Scan(0, collect)
	} else {
		// Redis counts reply items, two per pair, and gives up after ten
		// times as many bucket visits. Its arithmetic is done in a C long
		// and wraps for huge counts; so does this (a count of 2^62 visits
		// a single bucket, as in Redis).
		want := count * 2
		iterations := want * 10
		for {
			cursor = h.Scan(cursor, collect)
			if cursor == 0 || iterations == 0 {
				break
			}
			iterations--
			if uint64(len(items)) >= uint64(want) {
				break
			}
		}
	}
	kept := items[:0]
	for i := 0; i < len(items); i += 2 {
		if pattern != nil && !glob.Match(pattern, items[i]) {
			continue
		}
		kept = append(kept, items[i], items[i+1])
	}
	c.Out.Array(2)
	c.Out.BulkInt(int64(cursor))
	c.Out.Array(len(kept))
	for _, b := range kept {
		c.Out.Bulk(b)
	}
}
