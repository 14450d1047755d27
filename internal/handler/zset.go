package handler

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/ember-kv/ember/internal/blocking"
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/glob"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/value"
	"github.com/ember-kv/ember/resp"
)

func init() {
	register(map[string]Func{
		"zadd":             zaddCmd,
		"zincrby":          zincrbyCmd,
		"zrem":             zremCmd,
		"zcard":            zcardCmd,
		"zcount":           zcountCmd,
		"zlexcount":        zlexcountCmd,
		"zscore":           zscoreCmd,
		"zmscore":          zmscoreCmd,
		"zrank":            zrankCmd,
		"zrevrank":         zrevrankCmd,
		"zrange":           zrangeCmd,
		"zrangestore":      zrangestoreCmd,
		"zrevrange":        zrevrangeCmd,
		"zrangebyscore":    zrangebyscoreCmd,
		"zrevrangebyscore": zrevrangebyscoreCmd,
		"zrangebylex":      zrangebylexCmd,
		"zrevrangebylex":   zrevrangebylexCmd,
		"zremrangebyrank":  zremrangebyrankCmd,
		"zremrangebyscore": zremrangebyscoreCmd,
		"zremrangebylex":   zremrangebylexCmd,
		"zpopmin":          zpopminCmd,
		"zpopmax":          zpopmaxCmd,
		"zmpop":            zmpopCmd,
		"zrandmember":      zrandmemberCmd,
		"zunion":           zunionCmd,
		"zinter":           zinterCmd,
		"zdiff":            zdiffCmd,
		"zunionstore":      zunionstoreCmd,
		"zinterstore":      zinterstoreCmd,
		"zdiffstore":       zdiffstoreCmd,
		"zintercard":       zintercardCmd,
		"zscan":            zscanCmd,
		"bzpopmin":         bzpopminCmd,
		"bzpopmax":         bzpopmaxCmd,
		"bzmpop":           bzmpopCmd,
	})
}

// zsetValue returns the sorted set an entry holds: nil for a missing key,
// and ok false (after replying WRONGTYPE) when the key holds another type.
func zsetValue(c *Ctx, e *keyspace.Entry) (z *value.ZSet, ok bool) {
	if e == nil {
		return nil, true
	}
	z, ok = e.Value.(*value.ZSet)
	if !ok {
		c.Error(errs.WrongType)
	}
	return z, ok
}

// zsetLimits reads the listpack thresholds, in force when a set changes.
func zsetLimits(c *Ctx) value.ZLimits {
	return value.ZLimits{
		MaxEntries: c.Env.Config.Int("zset-max-listpack-entries"),
		MaxValue:   c.Env.Config.Int("zset-max-listpack-value"),
	}
}

// zsetChanged is called once by every command that changed the sorted set
// at key (event is Redis's keyspace event name). It is the hook for WATCH
// and keyspace notifications.
func zsetChanged(c *Ctx, key []byte, event string) {}

// zsetDeleteIfEmpty deletes key once its set has no member left.
func zsetDeleteIfEmpty(c *Ctx, key []byte, z *value.ZSet) {
	if z.Len() == 0 {
		c.DB.Delete(key)
	}
}

// zsetRand returns a uniform random number in [0, n).
func zsetRand(n uint64) uint64 { return rand.Uint64N(n) }

// zsetParseLong parses an argument as Redis's getLongFromObjectOrReply,
// replying msg (or the generic error) when it is not an integer.
func zsetParseLong(c *Ctx, arg []byte, msg string) (int64, bool) {
	n, ok := resp.ParseInt(arg)
	if !ok {
		if msg == "" {
			msg = errs.NotInteger
		}
		c.Error(msg)
	}
	return n, ok
}

// ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]
func zaddCmd(c *Ctx) { zsetAdd(c, false) }

// ZINCRBY key increment member
func zincrbyCmd(c *Ctx) { zsetAdd(c, true) }

// zsetAdd is ZADD and ZINCRBY (ZADD ... INCR with one pair).
func zsetAdd(c *Ctx, incr bool) {
	key := c.Args[1]
	var flags value.ZAddFlags
	if incr {
		flags |= value.ZAddIncr
	}
	ch := false
	scoreIdx := 2
	for ; scoreIdx < len(c.Args); scoreIdx++ {
		opt := c.Args[scoreIdx]
		switch {
		case strOptIs(opt, "NX"):
			flags |= value.ZAddNX
		case strOptIs(opt, "XX"):
			flags |= value.ZAddXX
		case strOptIs(opt, "CH"):
			ch = true
		case strOptIs(opt, "INCR"):
			flags |= value.ZAddIncr
		case strOptIs(opt, "GT"):
			flags |= value.ZAddGT
		case strOptIs(opt, "LT"):
			flags |= value.ZAddLT
		default:
			goto parsed
		}
	}
parsed:
	elements := len(c.Args) - scoreIdx
	if elements%2 != 0 || elements == 0 {
		c.Error(errs.Syntax)
		return
	}
	elements /= 2
	nx, gt, lt := flags&value.ZAddNX != 0, flags&value.ZAddGT != 0, flags&value.ZAddLT != 0
	if nx && flags&value.ZAddXX != 0 {
		c.Error(errs.ZAddXXNX)
		return
	}
	if (gt && nx) || (lt && nx) || (gt && lt) {
		c.Error(errs.ZAddGTLTNX)
		return
	}
	incr = flags&value.ZAddIncr != 0
	if incr && elements > 1 {
		c.Error(errs.ZAddIncrPair)
		return
	}
	// Every score is parsed before anything changes.
	var buf [8]float64
	scores := buf[:0]
	if elements > len(buf) {
		scores = make([]float64, 0, elements)
	}
	for j := 0; j < elements; j++ {
		s, ok := value.ParseScore(c.Args[scoreIdx+2*j])
		if !ok {
			c.Error(errs.NotFloat)
			return
		}
		scores = append(scores, s)
	}
	z, ok := zsetValue(c, c.DB.Write(key))
	if !ok {
		return
	}
	added, updated, processed := 0, 0, 0
	var score float64
	if z == nil && flags&value.ZAddXX == 0 {
		lim := zsetLimits(c)
		z = value.NewZSet(1, len(c.Args[scoreIdx+1]), lim)
		c.DB.Set(key, z)
	}
	if z != nil {
		lim := zsetLimits(c)
		for j, s := range scores {
			res, newScore := z.Add(c.Args[scoreIdx+2*j+1], s, flags, lim)
			switch res {
			case value.ZAddNaN:
				c.Error(errs.ZScoreNaN)
				if added+updated > 0 {
					zsetChanged(c, key, zsetAddEvent(incr))
				}
				return
			case value.ZAddAdded:
				added++
			case value.ZAddUpdated:
				updated++
			}
			if res != value.ZAddNop {
				processed++
				score = newScore
			}
		}
	}
	if added+updated > 0 {
		zsetChanged(c, key, zsetAddEvent(incr))
	}
	switch {
	case incr && processed > 0:
		c.Out.Double(score)
	case incr:
		c.Out.Null()
	case ch:
		c.Out.Int(int64(added + updated))
	default:
		c.Out.Int(int64(added))
	}
}

func zsetAddEvent(incr bool) string {
	if incr {
		return "zincr"
	}
	return "zadd"
}

// ZREM key member [member ...]
func zremCmd(c *Ctx) {
	key := c.Args[1]
	z, ok := zsetValue(c, c.DB.Write(key))
	if !ok {
		return
	}
	if z == nil {
		c.Out.Int(0)
		return
	}
	deleted := 0
	for _, m := range c.Args[2:] {
		if z.Remove(m) {
			deleted++
		}
		if z.Len() == 0 {
			break
		}
	}
	if deleted > 0 {
		zsetDeleteIfEmpty(c, key, z)
		zsetChanged(c, key, "zrem")
	}
	c.Out.Int(int64(deleted))
}

// ZCARD key
func zcardCmd(c *Ctx) {
	z, ok := zsetValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if z == nil {
		c.Out.Int(0)
		return
	}
	c.Out.Int(int64(z.Len()))
}

// ZCOUNT key min max
func zcountCmd(c *Ctx) {
	r, ok := value.ParseZScoreRange(c.Args[2], c.Args[3])
	if !ok {
		c.Error(errs.ZMinMaxNotFloat)
		return
	}
	z, ok := zsetValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if z == nil {
		c.Out.Int(0)
		return
	}
	c.Out.Int(int64(z.CountScore(&r)))
}

// ZLEXCOUNT key min max
func zlexcountCmd(c *Ctx) {
	r, ok := value.ParseZLexRange(c.Args[2], c.Args[3])
	if !ok {
		c.Error(errs.ZMinMaxNotLex)
		return
	}
	z, ok := zsetValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if z == nil {
		c.Out.Int(0)
		return
	}
	c.Out.Int(int64(z.CountLex(&r)))
}

// ZSCORE key member
func zscoreCmd(c *Ctx) {
	z, ok := zsetValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if z == nil {
		c.Out.Null()
		return
	}
	s, found := z.Score(c.Args[2])
	if !found {
		c.Out.Null()
		return
	}
	c.Out.Double(s)
}

// ZMSCORE key member [member ...]
func zmscoreCmd(c *Ctx) {
	z, ok := zsetValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	c.Out.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		if z == nil {
			c.Out.Null()
			continue
		}
		if s, found := z.Score(m); found {
			c.Out.Double(s)
		} else {
			c.Out.Null()
		}
	}
}

// ZRANK key member
func zrankCmd(c *Ctx) { zsetRank(c, false) }

// ZREVRANK key member
func zrevrankCmd(c *Ctx) { zsetRank(c, true) }

func zsetRank(c *Ctx, rev bool) {
	z, ok := zsetValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if z == nil {
		c.Out.Null()
		return
	}
	r, found := z.Rank(c.Args[2])
	if !found {
		c.Out.Null()
		return
	}
	if rev {
		r = z.Len() - 1 - r
	}
	c.Out.Int(int64(r))
}

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
	if out.n > 0 {
		c.DB.Set(dst, out.store)
		zsetChanged(c, dst, "zrangestore")
	} else if c.DB.Delete(dst) {
		zsetChanged(c, dst, "del")
	}
	c.Out.Int(int64(out.n))
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
		zsetDeleteIfEmpty(c, key, z)
		zsetChanged(c, key, event)
	}
	c.Out.Int(int64(deleted))
}

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
		zsetPopFrom(c.Out, c.DB, key, z, max, true, count, nested)
		zsetChanged(c, key, zsetPopEvent(max))
		return
	}
	if blocking.Denied(c.Client) {
		c.Out.NullArray()
		return
	}
	ks := c.DB.Keyspace()
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
			// key changed (event zpopmin / zpopmax)
			if zsetPopFrom(s.Out, s.DB, key, z, max, true, count, nested) {
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
	zsetPopFrom(c.Out, c.DB, key, z, max, emitKey, count, nested)
	zsetChanged(c, key, zsetPopEvent(max))
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
// reply to w, and deletes key when the set empties, which it reports.
func zsetPopFrom(w *resp.Writer, db keyspace.DB, key []byte, z *value.ZSet, max, emitKey bool, count int64, nested bool) (deleted bool) {
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

// Set operations of ZUNION, ZINTER, ZDIFF and their STORE forms.
const (
	zsetOpUnion = iota
	zsetOpInter
	zsetOpDiff
)

const (
	zsetAggSum = iota
	zsetAggMin
	zsetAggMax
)

// zsetSource is one input of a set operation: a sorted set, a set (every
// member scoring 1) or nothing (a missing key).
type zsetSource struct {
	z      *value.ZSet
	s      *value.Set
	weight float64
}

func (src *zsetSource) len() int {
	switch {
	case src.z != nil:
		return src.z.Len()
	case src.s != nil:
		return src.s.Len()
	}
	return 0
}

// same reports whether two sources are the same key's value.
func (src *zsetSource) same(o *zsetSource) bool {
	return (src.z != nil && src.z == o.z) || (src.s != nil && src.s == o.s)
}

// each calls fn for every member with its (unweighted) score.
func (src *zsetSource) each(fn func(member []byte, score float64)) {
	switch {
	case src.z != nil:
		for it := src.z.Iter(src.z.Len() - 1); it.Valid(); it.Prev() {
			fn(it.Member(), it.Score())
		}
	case src.s != nil:
		var tmp [24]byte
		src.s.Each(func(m value.SetMember) bool {
			if m.IsInt {
				fn(resp.AppendInt(tmp[:0], m.N), 1)
			} else {
				fn(zsetBytes(m.S), 1)
			}
			return true
		})
	}
}

// find returns member's (unweighted) score in the source.
func (src *zsetSource) find(member []byte) (float64, bool) {
	switch {
	case src.z != nil:
		return src.z.Score(member)
	case src.s != nil:
		return 1, src.s.Has(member)
	}
	return 0, false
}

// zsetBytes views a string's bytes without copying, for reading only.
func zsetBytes(s string) []byte {
	if s == "" {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// zsetAggregate folds val into *target as AGGREGATE asks. A sum of
// opposite infinities counts as 0.
func zsetAggregate(target *float64, val float64, agg int) {
	switch agg {
	case zsetAggSum:
		*target += val
		if math.IsNaN(*target) {
			*target = 0
		}
	case zsetAggMin:
		if val < *target {
			*target = val
		}
	case zsetAggMax:
		if val > *target {
			*target = val
		}
	}
}

// ZUNION numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX] [WITHSCORES]
func zunionCmd(c *Ctx) { zsetSetOp(c, nil, 1, zsetOpUnion, false) }

// ZINTER numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX] [WITHSCORES]
func zinterCmd(c *Ctx) { zsetSetOp(c, nil, 1, zsetOpInter, false) }

// ZDIFF numkeys key [key ...] [WITHSCORES]
func zdiffCmd(c *Ctx) { zsetSetOp(c, nil, 1, zsetOpDiff, false) }

// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX]
func zunionstoreCmd(c *Ctx) { zsetSetOp(c, c.Args[1], 2, zsetOpUnion, false) }

// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX]
func zinterstoreCmd(c *Ctx) { zsetSetOp(c, c.Args[1], 2, zsetOpInter, false) }

// ZDIFFSTORE destination numkeys key [key ...]
func zdiffstoreCmd(c *Ctx) { zsetSetOp(c, c.Args[1], 2, zsetOpDiff, false) }

// ZINTERCARD numkeys key [key ...] [LIMIT limit]
func zintercardCmd(c *Ctx) { zsetSetOp(c, nil, 1, zsetOpInter, true) }

// zsetSetOp runs the ZUNION/ZINTER/ZDIFF family: numkeys is at argument
// numIdx, dst is the STORE forms' destination, cardOnly is ZINTERCARD.
func zsetSetOp(c *Ctx, dst []byte, numIdx int, op int, cardOnly bool) {
	args := c.Args
	setnum, ok := c.Int(numIdx)
	if !ok {
		return
	}
	if setnum < 1 {
		c.Error(errs.ZNeedKeys(c.Spec.Name))
		return
	}
	if setnum > int64(len(args)-(numIdx+1)) {
		c.Error(errs.Syntax)
		return
	}
	n := int(setnum)
	srcs := make([]zsetSource, n)
	j := numIdx + 1
	for i := range srcs {
		srcs[i].weight = 1
		e := c.DB.Read(args[j])
		j++
		if e == nil {
			continue
		}
		switch v := e.Value.(type) {
		case *value.ZSet:
			srcs[i].z = v
		case *value.Set:
			srcs[i].s = v
		default:
			c.Error(errs.WrongType)
			return
		}
	}
	agg := zsetAggSum
	withScores := false
	var limit int64
	for remaining := len(args) - j; remaining > 0; remaining = len(args) - j {
		opt := args[j]
		switch {
		case op != zsetOpDiff && !cardOnly && remaining >= n+1 && strOptIs(opt, "WEIGHTS"):
			j++
			for i := range srcs {
				w, ok := value.ParseScore(args[j])
				if !ok {
					c.Error(errs.ZWeightNotFloat)
					return
				}
				srcs[i].weight = w
				j++
			}
		case op != zsetOpDiff && !cardOnly && remaining >= 2 && strOptIs(opt, "AGGREGATE"):
			switch a := args[j+1]; {
			case strOptIs(a, "SUM"):
				agg = zsetAggSum
			case strOptIs(a, "MIN"):
				agg = zsetAggMin
			case strOptIs(a, "MAX"):
				agg = zsetAggMax
			default:
				c.Error(errs.Syntax)
				return
			}
			j += 2
		case dst == nil && !cardOnly && strOptIs(opt, "WITHSCORES"):
			withScores = true
			j++
		case cardOnly && remaining >= 2 && strOptIs(opt, "LIMIT"):
			l, ok := resp.ParseInt(args[j+1])
			if !ok || l < 0 {
				c.Error(errs.ZInterCardLimit)
				return
			}
			limit = l
			j += 2
		default:
			c.Error(errs.Syntax)
			return
		}
	}
	if op != zsetOpDiff {
		// Smallest inputs first, as Redis (a stable sort, as glibc's).
		slices.SortStableFunc(srcs, func(a, b zsetSource) int { return a.len() - b.len() })
	}
	var result []value.ZEntry
	switch op {
	case zsetOpInter:
		if srcs[0].len() == 0 {
			break
		}
		card := int64(0)
		srcs[0].each(func(member []byte, s float64) {
			if cardOnly && limit > 0 && card >= limit {
				return
			}
			score := srcs[0].weight * s
			if math.IsNaN(score) {
				score = 0
			}
			for k := 1; k < n; k++ {
				var v float64
				if srcs[k].same(&srcs[0]) {
					v = s * srcs[k].weight
				} else if found, ok := srcs[k].find(member); ok {
					v = found * srcs[k].weight
				} else {
					return
				}
				zsetAggregate(&score, v, agg)
			}
			if cardOnly {
				card++
				return
			}
			result = append(result, value.ZEntry{Member: string(member), Score: score})
		})
		if cardOnly {
			c.Out.Int(card)
			return
		}
	case zsetOpUnion:
		acc := make(map[string]int)
		for i := range srcs {
			srcs[i].each(func(member []byte, s float64) {
				score := srcs[i].weight * s
				if math.IsNaN(score) {
					score = 0
				}
				if k, ok := acc[string(member)]; ok {
					zsetAggregate(&result[k].Score, score, agg)
					return
				}
				m := string(member)
				acc[m] = len(result)
				result = append(result, value.ZEntry{Member: m, Score: score})
			})
		}
	case zsetOpDiff:
		srcs[0].each(func(member []byte, s float64) {
			for k := 1; k < n; k++ {
				if srcs[k].same(&srcs[0]) {
					return
				}
				if _, ok := srcs[k].find(member); ok {
					return
				}
			}
			result = append(result, value.ZEntry{Member: string(member), Score: s})
		})
	}
	if cardOnly {
		c.Out.Int(0)
		return
	}
	slices.SortFunc(result, func(a, b value.ZEntry) int {
		switch {
		case a.Score < b.Score:
			return -1
		case a.Score > b.Score:
			return 1
		}
		return strings.Compare(a.Member, b.Member)
	})
	if dst != nil {
		if len(result) > 0 {
			c.DB.Set(dst, value.NewZSetSorted(result, zsetLimits(c)))
			zsetChanged(c, dst, zsetStoreEvent(op))
		} else if c.DB.Delete(dst) {
			zsetChanged(c, dst, "del")
		}
		c.Out.Int(int64(len(result)))
		return
	}
	out := zsetRangeOut{c: c, withScores: withScores}
	out.begin(len(result))
	for i := range result {
		out.emit(zsetBytes(result[i].Member), result[i].Score)
	}
}

func zsetStoreEvent(op int) string {
	switch op {
	case zsetOpUnion:
		return "zunionstore"
	case zsetOpInter:
		return "zinterstore"
	}
	return "zdiffstore"
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]
func zscanCmd(c *Ctx) {
	cursor, ok := genParseCursor(c.Args[2])
	if !ok {
		c.Error(errs.InvalidCursor)
		return
	}
	z, ok := zsetValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if z == nil {
		c.Out.Array(2)
		c.Out.BulkString("0")
		c.Out.Array(0)
		return
	}
	count := int64(10)
	var pattern []byte
	usePattern := false
	args := c.Args
	for i := 3; i < len(args); i += 2 {
		more := i+1 < len(args)
		switch opt := args[i]; {
		case more && strOptIs(opt, "COUNT"):
			n, ok := c.Int(i + 1)
			if !ok {
				return
			}
			if n < 1 {
				c.Error(errs.Syntax)
				return
			}
			count = n
		case more && strOptIs(opt, "MATCH"):
			pattern = args[i+1]
			usePattern = !(len(pattern) == 1 && pattern[0] == '*')
		default:
			c.Error(errs.Syntax)
			return
		}
	}
	// Members and scores, flat; the scores already formatted.
	var items [][]byte
	collect := func(m []byte, s float64) {
		if usePattern && !glob.Match(pattern, m) {
			return
		}
		items = append(items, m, z.AppendScanScore(nil, s))
	}
	if z.IsListpack() {
		z.Scan(0, collect)
		cursor = 0
	} else {
		// Redis counts a member and its score as two, and allows ten
		// steps per item asked for (with C long wrap-around).
		count *= 2
		maxSteps := count * 10
		found := 0
		for {
			cursor = z.Scan(cursor, func(m []byte, s float64) {
				found += 2
				collect(m, s)
			})
			if cursor == 0 || maxSteps == 0 {
				break
			}
			maxSteps--
			if uint64(found) >= uint64(count) {
				break
			}
		}
	}
	c.Out.Array(2)
	c.Out.BulkInt(int64(cursor)) // written signed, as Redis does
	c.Out.Array(len(items))
	for _, it := range items {
		c.Out.Bulk(it)
	}
}
