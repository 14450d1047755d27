// Popping from sorted sets: ZPOPMIN/MAX, ZMPOP, their blocking forms,
// and ZRANDMEMBER.

package handler

import (
	"math"
	"time"

	"github.com/ember-kv/ember/internal/blocking"
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/notify"
	"github.com/ember-kv/ember/internal/value"
	"github.com/ember-kv/ember/resp"
)

// ZPOPMIN key [count]
func zpopminCmd(c *Ctx) { zsetPopCmd(c, false) }

// ZPOPMAX key [count]
func zpopmaxCmd(c *Ctx) { zsetPopCmd(c, true) }

func zsetPopCmd(c *Ctx, max bool) {
	if len(c.Args) > 3 {
		c.Error(errs.Syntax)
		return
	}
	count := int64(-1)
	if len(c.Args) == 3 {
		n, ok := resp.ParseInt(c.Args[2])
		if !ok || n < 0 {
			c.Error(errs.CountNotPositive)
			return
		}
		count = n
	}
	zsetPop(c, c.Args[1:2], max, false, count, c.Out.Proto == 3 && count != -1, false)
}

// BZPOPMIN key [key ...] timeout
func bzpopminCmd(c *Ctx) { zsetBPop(c, false) }

// BZPOPMAX key [key ...] timeout
func bzpopmaxCmd(c *Ctx) { zsetBPop(c, true) }

func zsetBPop(c *Ctx, max bool) {
	last := len(c.Args) - 1
	timeout, ok := zsetParseTimeout(c, last)
	if !ok {
		return
	}
	zsetBlockingPop(c, c.Args[1:last], max, -1, false, timeout)
}

// BZMPOP timeout numkeys key [key ...] MIN | MAX [COUNT count]
func bzmpopCmd(c *Ctx) {
	keys, max, count, ok := zsetParseMPop(c, 2)
	if !ok {
		return
	}
	timeout, ok := zsetParseTimeout(c, 1)
	if !ok {
		return
	}
	zsetBlockingPop(c, keys, max, count, true, timeout)
}

// zsetParseTimeout parses a blocking command's timeout (seconds; 0 waits
// forever), replying an error when it is not valid.
func zsetParseTimeout(c *Ctx, i int) (time.Duration, bool) {
	d, msg := blocking.ParseTimeout(c.Args[i])
	if msg != "" {
		c.Error(msg)
		return 0, false
	}
	return d, true
}

// zsetBlockingPop pops from the first of keys holding a sorted set, as
// BZPOPMIN/BZPOPMAX (count -1, flat reply) and BZMPOP (nested) do, or
// blocks the client until one of the keys gets members. A client that may
// not block (inside MULTI/EXEC) gets the timeout reply, a null array.
func zsetBlockingPop(c *Ctx, keys [][]byte, max bool, count int64, nested bool, timeout time.Duration) {
	key, z, ok := zsetPopFind(c, keys)
	if !ok {
		return
	}
	if z != nil {
		zsetPopFrom(c.Out, c.DB, keyEventsOf(c), key, z, max, true, count, nested)
		return
	}
	if blocking.Denied(c.Client) {
		c.Out.NullArray()
		return
	}
	ks := c.DB.Keyspace()
	n := c.Env.Notify
	blocking.For(ks).Block(ks, blocking.Request{
		Client:  c.Client,
		DB:      c.DB.Index,
		Keys:    keys,
		Timeout: timeout,
		Serve: func(s *blocking.Serve, key []byte) blocking.Result {
			e := s.DB.Write(key)
			if e == nil {
				return blocking.NotReady
			}
			z, ok := e.Value.(*value.ZSet)
			if !ok || z.Len() == 0 {
				return blocking.NotReady
			}
			if zsetPopFrom(s.Out, s.DB, keyEventsServe(n, s), key, z, max, true, count, nested) {
				return blocking.ServedLast
			}
			return blocking.Served
		},
	})
}

// zsetPop pops from the first of keys that holds a sorted set (ZPOPMIN,
// ZPOPMAX, ZMPOP). count -1 is a plain single pop. The reply is flat
// (member, score, ...) or nested ([member, score] pairs), preceded by the
// key when emitKey; a missing set gives an empty array, or a null one when
// nilWhenEmpty.
func zsetPop(c *Ctx, keys [][]byte, max, emitKey bool, count int64, nested, nilWhenEmpty bool) {
	key, z, ok := zsetPopFind(c, keys)
	if !ok {
		return
	}
	if z == nil {
		if nilWhenEmpty {
			c.Out.NullArray()
		} else {
			c.Out.Array(0)
		}
		return
	}
	if count == 0 {
		c.Out.Array(0)
		return
	}
	zsetPopFrom(c.Out, c.DB, keyEventsOf(c), key, z, max, emitKey, count, nested)
}

// zsetPopFind returns the first of keys that exists, with its set; ok is
// false (after replying WRONGTYPE) when that key holds another type.
func zsetPopFind(c *Ctx, keys [][]byte) (key []byte, z *value.ZSet, ok bool) {
	for _, k := range keys {
		v, ok := zsetValue(c, c.DB.Write(k))
		if !ok {
			return nil, nil, false
		}
		if v != nil {
			return k, v, true
		}
	}
	return nil, nil, true
}

func zsetPopEvent(max bool) string {
	if max {
		return "zpopmax"
	}
	return "zpopmin"
}

// zsetPopFrom pops up to count members (-1: one, for the single-pop reply
// shape) from the low or high end of z, the set at key in db, writes the
// reply to w, and deletes key when the set empties, which it reports. It
// notifies zpopmin/zpopmax, then "del" when the key went, through ev. As
// Redis 7.0, the pop event is published between the reply's header and
// its first element: a RESP3 client subscribed to its own events gets the
// push inside the reply, byte for byte as Redis writes it.
func zsetPopFrom(w *resp.Writer, db keyspace.DB, ev keyEvents, key []byte, z *value.ZSet, max, emitKey bool, count int64, nested bool) (deleted bool) {
	if count == -1 {
		count = 1
	}
	n := min(count, int64(z.Len()))
	switch {
	case !nested && !emitKey:
		w.Array(int(2 * n))
	case nested && !emitKey:
		w.Array(int(n))
	case !nested && emitKey:
		w.Array(int(2*n + 1))
		w.Bulk(key)
	default:
		w.Array(2)
		w.Bulk(key)
		w.Array(int(n))
	}
	ev.emit(notify.ZSet, zsetPopEvent(max), key)
	first := 0
	it := z.Iter(0)
	if max {
		first = z.Len() - int(n)
		it = z.Iter(z.Len() - 1)
	}
	for i := int64(0); i < n; i++ {
		if nested {
			w.Array(2)
		}
		w.Bulk(it.Member())
		w.Double(it.Score())
		if max {
			it.Prev()
		} else {
			it.Next()
		}
	}
	z.RemoveRank(first, int(n))
	if z.Len() == 0 {
		db.Delete(key)
		ev.emit(notify.Generic, "del", key)
		return true
	}
	return false
}

// zsetParseMPop parses ZMPOP/BZMPOP's numkeys key [key ...] MIN | MAX
// [COUNT count] from argument idx on.
func zsetParseMPop(c *Ctx, idx int) (keys [][]byte, max bool, count int64, ok bool) {
	args := c.Args
	numKeys, isInt := resp.ParseInt(args[idx])
	if !isInt || numKeys < 1 {
		c.Error(errs.ZNumKeys)
		return nil, false, 0, false
	}
	if numKeys >= int64(len(args)-idx-1) {
		c.Error(errs.Syntax)
		return nil, false, 0, false
	}
	whereIdx := idx + int(numKeys) + 1
	switch {
	case strOptIs(args[whereIdx], "MIN"):
	case strOptIs(args[whereIdx], "MAX"):
		max = true
	default:
		c.Error(errs.Syntax)
		return nil, false, 0, false
	}
	count = -1
	for j := whereIdx + 1; j < len(args); j++ {
		if count == -1 && strOptIs(args[j], "COUNT") && j+1 < len(args) {
			j++
			n, isInt := resp.ParseInt(args[j])
			if !isInt || n < 1 {
				c.Error(errs.ZCount)
				return nil, false, 0, false
			}
			count = n
			continue
		}
		c.Error(errs.Syntax)
		return nil, false, 0, false
	}
	if count == -1 {
		count = 1
	}
	return args[idx+1 : whereIdx], max, count, true
}

// ZMPOP numkeys key [key ...] MIN | MAX [COUNT count]
func zmpopCmd(c *Ctx) {
	keys, max, count, ok := zsetParseMPop(c, 1)
	if !ok {
		return
	}
	zsetPop(c, keys, max, true, count, true, true)
}

// ZRANDMEMBER key [count [WITHSCORES]]
func zrandmemberCmd(c *Ctx) {
	if len(c.Args) >= 3 {
		l, ok := c.Int(2)
		if !ok {
			return
		}
		if l == math.MinInt64 {
			c.Error(errs.ZRandCountRange)
			return
		}
		if len(c.Args) > 4 || (len(c.Args) == 4 && !strOptIs(c.Args[3], "WITHSCORES")) {
			c.Error(errs.Syntax)
			return
		}
		withScores := len(c.Args) == 4
		if withScores && (l < -math.MaxInt64/2 || l > math.MaxInt64/2) {
			c.Error(errs.ZRandCountTooBig)
			return
		}
		zsetRandWithCount(c, l, withScores)
		return
	}
	z, ok := zsetValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if z == nil {
		c.Out.Null()
		return
	}
	m, _ := z.Random(zsetRand)
	c.Out.Bulk(m)
}

// zsetRandWithCount is ZRANDMEMBER with a count: distinct members for a
// positive count (the whole set, highest first, when it asks for as many
// as there are), members drawn with replacement for a negative one.
func zsetRandWithCount(c *Ctx, l int64, withScores bool) {
	z, ok := zsetValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if z == nil || l == 0 {
		c.Out.Array(0)
		return
	}
	out := zsetRangeOut{c: c, withScores: withScores}
	if l < 0 || l == 1 {
		count := l
		if l < 0 {
			count = -l
		}
		out.begin(int(count))
		for ; count > 0; count-- {
			m, s := z.Random(zsetRand)
			out.emit(m, s)
		}
		return
	}
	size := z.Len()
	if l >= int64(size) {
		out.begin(size)
		for it := z.Iter(size - 1); it.Valid(); it.Prev() {
			out.emit(it.Member(), it.Score())
		}
		return
	}
	count := int(l)
	out.begin(count)
	if count*3 > size {
		// Most of the set: shuffle the ranks and take a prefix.
		ranks := make([]int, size)
		for i := range ranks {
			ranks[i] = i
		}
		for i := 0; i < count; i++ {
			j := i + int(zsetRand(uint64(size-i)))
			ranks[i], ranks[j] = ranks[j], ranks[i]
		}
		for _, r := range ranks[:count] {
			it := z.Iter(r)
			out.emit(it.Member(), it.Score())
		}
		return
	}
	seen := make(map[int]struct{}, count)
	for len(seen) < count {
		r := int(zsetRand(uint64(size)))
		if _, dup := seen[r]; dup {
			continue
		}
		seen[r] = struct{}{}
		it := z.Iter(r)
		out.emit(it.Member(), it.Score())
	}
}
