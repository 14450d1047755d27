package handler

import (
	"math/rand/v2"

	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/glob"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/notify"
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
func zsetValue(c *Ctx, e *keyspace.Entry) (*value.ZSet, bool) {
	return typedValue[*value.ZSet](c, e)
}

// zsetLimits reads the listpack thresholds, in force when a set changes.
func zsetLimits(c *Ctx) value.ZLimits {
	return value.ZLimits{
		MaxEntries: c.Env.Config.Int("zset-max-listpack-entries"),
		MaxValue:   c.Env.Config.Int("zset-max-listpack-value"),
	}
}

// zsetChanged publishes the keyspace notification event (Redis's event
// name) about key: of the sorted set class, or generic for "del".
func zsetChanged(c *Ctx, key []byte, event string) {
	class := notify.ZSet
	if event == "del" {
		class = notify.Generic
	}
	c.Notify(class, event, key)
}

// zsetDeleteIfEmpty deletes key once its set has no member left,
// notifying "del".
func zsetDeleteIfEmpty(c *Ctx, key []byte, z *value.ZSet) {
	if z.Len() == 0 {
		c.DB.Delete(key)
		c.Notify(notify.Generic, "del", key)
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
	// Redis notifies after the reply here.
	if added+updated > 0 {
		zsetChanged(c, key, zsetAddEvent(incr))
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
		zsetChanged(c, key, "zrem")
		zsetDeleteIfEmpty(c, key, z)
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

// ZSCAN key cursor [MATCH pattern] [COUNT count]
func zscanCmd(c *Ctx) {
	z, cursor, opts, ok := scanPrologue[*value.ZSet](c)
	if !ok {
		return
	}
	count, pattern, usePattern := opts.count, opts.pattern, opts.pattern != nil
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
