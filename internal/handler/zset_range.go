// The range commands of sorted sets: ZRANGE and its older forms,
// ZRANGESTORE, ZREMRANGEBY*.

package handler

import (
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/value"
)

// Range kinds and directions of the ZRANGE family.
const (
	zsetByAuto = iota
	zsetByRank
	zsetByScore
	zsetByLex
)

const (
	zsetDirAuto = iota
	zsetDirFwd
	zsetDirRev
)

// zsetRangeOut receives the members of a ZRANGE-family range: it replies
// them, or (ZRANGESTORE) adds them to a new set.
type zsetRangeOut struct {
	c          *Ctx
	withScores bool
	store      *value.ZSet // ZRANGESTORE's result
	lim        value.ZLimits
	n          int
}

// begin writes the reply's header for n members.
func (o *zsetRangeOut) begin(n int) {
	if o.store != nil {
		return
	}
	if o.withScores && o.c.Out.Proto == 2 {
		o.c.Out.Array(2 * n)
	} else {
		o.c.Out.Array(n)
	}
}

func (o *zsetRangeOut) emit(member []byte, score float64) {
	o.n++
	if o.store != nil {
		o.store.Add(member, score, 0, o.lim)
		return
	}
	w := o.c.Out
	if o.withScores && w.Proto == 3 {
		w.Array(2)
	}
	w.Bulk(member)
	if o.withScores {
		w.Double(score)
	}
}

// ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
func zrangeCmd(c *Ctx) { zsetRange(c, 1, nil, zsetByAuto, zsetDirAuto) }

// ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]
func zrangestoreCmd(c *Ctx) { zsetRange(c, 2, c.Args[1], zsetByAuto, zsetDirAuto) }

// ZREVRANGE key start stop [WITHSCORES]
func zrevrangeCmd(c *Ctx) { zsetRange(c, 1, nil, zsetByRank, zsetDirRev) }

// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
func zrangebyscoreCmd(c *Ctx) { zsetRange(c, 1, nil, zsetByScore, zsetDirFwd) }

// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
func zrevrangebyscoreCmd(c *Ctx) { zsetRange(c, 1, nil, zsetByScore, zsetDirRev) }

// ZRANGEBYLEX key min max [LIMIT offset count]
func zrangebylexCmd(c *Ctx) { zsetRange(c, 1, nil, zsetByLex, zsetDirFwd) }

// ZREVRANGEBYLEX key max min [LIMIT offset count]
func zrevrangebylexCmd(c *Ctx) { zsetRange(c, 1, nil, zsetByLex, zsetDirRev) }

// zsetRange is the ZRANGE family: the source key is at argument src, dst
// is ZRANGESTORE's destination (nil otherwise); kind and dir are fixed by
// the older commands and chosen by options in ZRANGE and ZRANGESTORE.
func zsetRange(c *Ctx, src int, dst []byte, kind, dir int) {
	args := c.Args
	store := dst != nil
	withScores := false
	offset, limit := int64(0), int64(-1)
	for j := src + 3; j < len(args); j++ {
		left := len(args) - j - 1
		opt := args[j]
		switch {
		case !store && strOptIs(opt, "WITHSCORES"):
			withScores = true
		case strOptIs(opt, "LIMIT") && left >= 2:
			var ok bool
			if offset, ok = c.Int(j + 1); !ok {
				return
			}
			if limit, ok = c.Int(j + 2); !ok {
				return
			}
			j += 2
		case dir == zsetDirAuto && strOptIs(opt, "REV"):
			dir = zsetDirRev
		case kind == zsetByAuto && strOptIs(opt, "BYLEX"):
			kind = zsetByLex
		case kind == zsetByAuto && strOptIs(opt, "BYSCORE"):
			kind = zsetByScore
		default:
			c.Error(errs.Syntax)
			return
		}
	}
	if dir == zsetDirAuto {
		dir = zsetDirFwd
	}
	if kind == zsetByAuto {
		kind = zsetByRank
	}
	if limit != -1 && kind == zsetByRank {
		c.Error(errs.ZRangeLimitByRank)
		return
	}
	if withScores && kind == zsetByLex {
		c.Error(errs.ZRangeWithScoresByLex)
		return
	}
	rev := dir == zsetDirRev
	minArg, maxArg := args[src+1], args[src+2]
	if rev && kind != zsetByRank {
		minArg, maxArg = maxArg, minArg
	}
	var start, end int64
	var scoreRange value.ZScoreRange
	var lexRange value.ZLexRange
	switch kind {
	case zsetByRank:
		var ok bool
		if start, ok = c.Int(src + 1); !ok {
			return
		}
		if end, ok = c.Int(src + 2); !ok {
			return
		}
	case zsetByScore:
		var ok bool
		if scoreRange, ok = value.ParseZScoreRange(minArg, maxArg); !ok {
			c.Error(errs.ZMinMaxNotFloat)
			return
		}
	case zsetByLex:
		var ok bool
		if lexRange, ok = value.ParseZLexRange(minArg, maxArg); !ok {
			c.Error(errs.ZMinMaxNotLex)
			return
		}
	}
	z, ok := zsetValue(c, c.DB.Read(args[src]))
	if !ok {
		return
	}
	out := zsetRangeOut{c: c, withScores: withScores || store}
	if z == nil {
		if store {
			zsetRangeStored(c, dst, &out)
		} else {
			c.Out.Array(0)
		}
		return
	}
	if store {
		out.lim = zsetLimits(c)
		hint := -1
		if kind == zsetByRank {
			hint = zsetRankLen(int64(z.Len()), start, end)
		}
		out.store = value.NewZSet(hint, 0, out.lim)
	}
	switch kind {
	case zsetByRank:
		zsetRangeByRank(z, start, end, rev, &out)
	case zsetByScore:
		zsetRangeByScore(z, &scoreRange, offset, limit, rev, &out)
	case zsetByLex:
		zsetRangeByLex(z, &lexRange, offset, limit, rev, &out)
	}
	if store {
		zsetRangeStored(c, dst, &out)
	}
}

// zsetRangeStored ends ZRANGESTORE: it stores the result, or deletes dst
// when the range was empty, and replies the result's size.
func zsetRangeStored(c *Ctx, dst []byte, out *zsetRangeOut) {
	c.Out.Int(int64(out.n))
	if out.n > 0 {
		c.DB.Set(dst, out.store)
		zsetChanged(c, dst, "zrangestore")
	} else if c.DB.Delete(dst) {
		zsetChanged(c, dst, "del")
	}
}

// zsetRankRange turns ZRANGE-style start and end indexes (negative ones
// count from the end) into a first rank and a count.
func zsetRankRange(n, start, end int64) (first, count int64) {
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if start < 0 {
		start = 0
	}
	if start > end || start >= n {
		return 0, 0
	}
	if end >= n {
		end = n - 1
	}
	return start, end - start + 1
}

func zsetRankLen(n, start, end int64) int {
	_, count := zsetRankRange(n, start, end)
	return int(count)
}

func zsetRangeByRank(z *value.ZSet, start, end int64, rev bool, out *zsetRangeOut) {
	n := int64(z.Len())
	first, count := zsetRankRange(n, start, end)
	out.begin(int(count))
	if count == 0 {
		return
	}
	if rev {
		for it := z.Iter(int(n - 1 - first)); count > 0; count-- {
			out.emit(it.Member(), it.Score())
			it.Prev()
		}
		return
	}
	for it := z.Iter(int(first)); count > 0; count-- {
		out.emit(it.Member(), it.Score())
		it.Next()
	}
}

// zsetRangeWalk replies the members from rank first on (moving down when
// rev), after skipping offset of them (a negative offset skips them all),
// at most limit (negative: no limit), while inRange holds.
func zsetRangeWalk(z *value.ZSet, first int, found bool, offset, limit int64, rev bool, inRange func(it value.ZIter) bool, out *zsetRangeOut) {
	start := z.Iter(-1)
	if found && offset >= 0 {
		start = z.Iter(first)
		for ; start.Valid() && offset > 0; offset-- {
			if rev {
				start.Prev()
			} else {
				start.Next()
			}
		}
	}
	// Count first, for the reply's header, then reply.
	n := 0
	for it, left := start, limit; it.Valid() && left != 0 && inRange(it); left-- {
		n++
		if rev {
			it.Prev()
		} else {
			it.Next()
		}
	}
	out.begin(n)
	for it := start; n > 0; n-- {
		out.emit(it.Member(), it.Score())
		if rev {
			it.Prev()
		} else {
			it.Next()
		}
	}
}

func zsetRangeByScore(z *value.ZSet, r *value.ZScoreRange, offset, limit int64, rev bool, out *zsetRangeOut) {
	if offset > 0 && offset >= int64(z.Len()) {
		out.begin(0)
		return
	}
	var first int
	var found bool
	if rev {
		first, found = z.LastInScore(r)
	} else {
		first, found = z.FirstInScore(r)
	}
	zsetRangeWalk(z, first, found, offset, limit, rev, func(it value.ZIter) bool {
		if rev {
			return r.GteMin(it.Score())
		}
		return r.LteMax(it.Score())
	}, out)
}

func zsetRangeByLex(z *value.ZSet, r *value.ZLexRange, offset, limit int64, rev bool, out *zsetRangeOut) {
	var first int
	var found bool
	if rev {
		first, found = z.LastInLex(r)
	} else {
		first, found = z.FirstInLex(r)
	}
	zsetRangeWalk(z, first, found, offset, limit, rev, func(it value.ZIter) bool {
		if rev {
			return r.GteMin(it.Member())
		}
		return r.LteMax(it.Member())
	}, out)
}

// ZREMRANGEBYRANK key start stop
func zremrangebyrankCmd(c *Ctx) {
	start, ok := c.Int(2)
	if !ok {
		return
	}
	end, ok := c.Int(3)
	if !ok {
		return
	}
	zsetRemoveRange(c, "zremrangebyrank", func(z *value.ZSet) int {
		first, count := zsetRankRange(int64(z.Len()), start, end)
		return z.RemoveRank(int(first), int(count))
	})
}

// ZREMRANGEBYSCORE key min max
func zremrangebyscoreCmd(c *Ctx) {
	r, ok := value.ParseZScoreRange(c.Args[2], c.Args[3])
	if !ok {
		c.Error(errs.ZMinMaxNotFloat)
		return
	}
	zsetRemoveRange(c, "zremrangebyscore", func(z *value.ZSet) int { return z.RemoveScoreRange(&r) })
}

// ZREMRANGEBYLEX key min max
func zremrangebylexCmd(c *Ctx) {
	r, ok := value.ParseZLexRange(c.Args[2], c.Args[3])
	if !ok {
		c.Error(errs.ZMinMaxNotLex)
		return
	}
	zsetRemoveRange(c, "zremrangebylex", func(z *value.ZSet) int { return z.RemoveLexRange(&r) })
}

// zsetRemoveRange is the common part of the ZREMRANGEBY* commands.
func zsetRemoveRange(c *Ctx, event string, remove func(z *value.ZSet) int) {
	key := c.Args[1]
	z, ok := zsetValue(c, c.DB.Write(key))
	if !ok {
		return
	}
	if z == nil {
		c.Out.Int(0)
		return
	}
	deleted := remove(z)
	if deleted > 0 {
		zsetChanged(c, key, event)
		zsetDeleteIfEmpty(c, key, z)
	}
	c.Out.Int(int64(deleted))
}
