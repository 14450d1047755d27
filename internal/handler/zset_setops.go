// Set operations over sorted sets (and sets): ZUNION, ZINTER, ZDIFF,
// their STORE forms and ZINTERCARD.

package handler

import (
	"math"
	"slices"
	"strings"
	"unsafe"

	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/value"
	"github.com/ember-kv/ember/resp"
)

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
		c.Out.Int(int64(len(result)))
		if len(result) > 0 {
			c.DB.Set(dst, value.NewZSetSorted(result, zsetLimits(c)))
			zsetChanged(c, dst, zsetStoreEvent(op))
		} else if c.DB.Delete(dst) {
			zsetChanged(c, dst, "del")
		}
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
