package handler

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/glob"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/notify"
	"github.com/ember-kv/ember/internal/value"
	"github.com/ember-kv/ember/resp"
)

func init() {
	register(map[string]Func{
		"sadd":        saddCmd,
		"srem":        sremCmd,
		"smembers":    smembersCmd,
		"sismember":   sismemberCmd,
		"smismember":  smismemberCmd,
		"scard":       scardCmd,
		"spop":        spopCmd,
		"srandmember": srandmemberCmd,
		"smove":       smoveCmd,
		"sinter":      sinterCmd,
		"sintercard":  sintercardCmd,
		"sinterstore": sinterstoreCmd,
		"sunion":      sunionCmd,
		"sunionstore": sunionstoreCmd,
		"sdiff":       sdiffCmd,
		"sdiffstore":  sdiffstoreCmd,
		"sscan":       sscanCmd,
	})
}

// setsValue returns the set an entry holds: nil for a missing key, and ok
// false (after replying WRONGTYPE) when the key holds another type.
func setsValue(c *Ctx, e *keyspace.Entry) (*value.Set, bool) {
	return typedValue[*value.Set](c, e)
}

// setsMaxIntset is set-max-intset-entries, read when a set may convert.
func setsMaxIntset(c *Ctx) int {
	return int(min(c.Env.Config.Int("set-max-intset-entries"), value.SetIntsetHardMax))
}

// setsRand returns a uniform random number in [0, n).
func setsRand(n uint64) uint64 { return rand.Uint64N(n) }

// setsReply writes one member as a bulk string.
func setsReply(c *Ctx, m value.SetMember) {
	if m.IsInt {
		c.Out.BulkInt(m.N)
	} else {
		c.Out.BulkString(m.S)
	}
}

// setsReplyAll writes every member of s as a set reply, in s's order.
func setsReplyAll(c *Ctx, s *value.Set) {
	c.Out.Set(s.Len())
	s.Each(func(m value.SetMember) bool {
		setsReply(c, m)
		return true
	})
}

// setsStore stores res at dst, or deletes dst when res is empty, and
// replies the stored set's size (the *STORE commands), notifying event
// (or "del" when an existing dst goes) after the reply.
func setsStore(c *Ctx, dst []byte, res *value.Set, event string) {
	n := res.Len()
	if n > 0 {
		c.DB.Set(dst, res)
		c.Out.Int(int64(n))
		c.Notify(notify.Set, event, dst)
		return
	}
	c.Out.Int(0)
	if c.DB.Delete(dst) {
		c.Notify(notify.Generic, "del", dst)
	}
}

// SADD key member [member ...]
func saddCmd(c *Ctx) {
	key := c.Args[1]
	s, ok := setsValue(c, c.DB.Write(key))
	if !ok {
		return
	}
	if s == nil {
		s = value.NewSet()
		c.DB.Set(key, s)
	}
	maxIntset := 0
	if s.IsIntset() {
		maxIntset = setsMaxIntset(c)
	}
	added := int64(0)
	for _, m := range c.Args[2:] {
		if s.Add(m, maxIntset) {
			added++
		}
	}
	if added > 0 {
		c.Notify(notify.Set, "sadd", key)
	}
	c.Out.Int(added)
}

// SREM key member [member ...]
func sremCmd(c *Ctx) {
	key := c.Args[1]
	s, ok := setsValue(c, c.DB.Write(key))
	if !ok {
		return
	}
	if s == nil {
		c.Out.Int(0)
		return
	}
	deleted := int64(0)
	removed := false
	for _, m := range c.Args[2:] {
		if s.Remove(m) {
			deleted++
			if s.Len() == 0 {
				c.DB.Delete(key)
				removed = true
				break
			}
		}
	}
	if deleted > 0 {
		c.Notify(notify.Set, "srem", key)
		if removed {
			c.Notify(notify.Generic, "del", key)
		}
	}
	c.Out.Int(deleted)
}

// SMEMBERS key
func smembersCmd(c *Ctx) { setsInter(c, c.Args[1:2], nil, false, 0) }

// SISMEMBER key member
func sismemberCmd(c *Ctx) {
	s, ok := setsValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if s != nil && s.Has(c.Args[2]) {
		c.Out.Int(1)
	} else {
		c.Out.Int(0)
	}
}

// SMISMEMBER key member [member ...]
func smismemberCmd(c *Ctx) {
	s, ok := setsValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	c.Out.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		if s != nil && s.Has(m) {
			c.Out.Int(1)
		} else {
			c.Out.Int(0)
		}
	}
}

// SCARD key
func scardCmd(c *Ctx) {
	s, ok := setsValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if s == nil {
		c.Out.Int(0)
		return
	}
	c.Out.Int(int64(s.Len()))
}

// spopMoveRatio: SPOP builds a new set from the members it keeps, instead
// of removing the ones it returns, when it returns at least this many
// times as many members as it keeps (as Redis does).
const spopMoveRatio = 5

// SPOP key [count]
func spopCmd(c *Ctx) {
	switch {
	case len(c.Args) == 3:
		spopCount(c)
		return
	case len(c.Args) > 3:
		c.Error(errs.Syntax)
		return
	}
	key := c.Args[1]
	s, ok := setsValue(c, c.DB.Write(key))
	if !ok {
		return
	}
	if s == nil {
		c.Out.Null()
		return
	}
	m := s.Random(setsRand)
	s.RemoveMember(m)
	c.Notify(notify.Set, "spop", key)
	setsReply(c, m)
	if s.Len() == 0 {
		c.DB.Delete(key)
		c.Notify(notify.Generic, "del", key)
	}
}

// spopCount is SPOP key count.
func spopCount(c *Ctx) {
	key := c.Args[1]
	n, ok := resp.ParseInt(c.Args[2])
	if !ok || n < 0 {
		c.Error(errs.CountNotPositive)
		return
	}
	s, ok := setsValue(c, c.DB.Write(key))
	if !ok {
		return
	}
	if s == nil || n == 0 {
		c.Out.Set(0)
		return
	}
	size := int64(s.Len())
	c.Notify(notify.Set, "spop", key)
	if n >= size {
		// The whole set, replied as SUNION key replies it (Redis reads the
		// key once more for that), then the key goes.
		c.DB.Read(key)
		res := value.NewSet()
		setsUnionInto(res, s, setsMaxIntset(c))
		setsReplyAll(c, res)
		c.DB.Delete(key)
		c.Notify(notify.Generic, "del", key)
		return
	}
	c.Out.Set(int(n))
	remaining := size - n
	if remaining*spopMoveRatio > n {
		for ; n > 0; n-- {
			m := s.Random(setsRand)
			s.RemoveMember(m)
			setsReply(c, m)
		}
		return
	}
	// Most members go: move the few that stay to a new set, return the
	// rest, and let the new set take the old one's place (the key keeps
	// its time to live). The new set is encoded afresh.
	kept := value.NewSet()
	maxIntset := setsMaxIntset(c)
	for ; remaining > 0; remaining-- {
		m := s.Random(setsRand)
		kept.AddMember(m, maxIntset)
		s.RemoveMember(m)
	}
	s.Each(func(m value.SetMember) bool {
		setsReply(c, m)
		return true
	})
	*s = *kept
}

// srandSubRatio: SRANDMEMBER with a positive count copies the whole set
// and drops random members from the copy when the count is more than
// 1/srandSubRatio of the set, and draws members until it has enough
// distinct ones otherwise (as Redis does).
const srandSubRatio = 3

// SRANDMEMBER key [count]
func srandmemberCmd(c *Ctx) {
	switch {
	case len(c.Args) == 3:
		srandmemberCount(c)
		return
	case len(c.Args) > 3:
		c.Error(errs.Syntax)
		return
	}
	s, ok := setsValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if s == nil {
		c.Out.Null()
		return
	}
	setsReply(c, s.Random(setsRand))
}

// srandmemberCount is SRANDMEMBER key count.
func srandmemberCount(c *Ctx) {
	l, ok := c.Int(2)
	if !ok {
		return
	}
	if l == math.MinInt64 {
		c.Error(errs.SRandMemberRange)
		return
	}
	uniq := l >= 0
	count := l
	if !uniq {
		count = -l
	}
	s, ok := setsValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if s == nil || count == 0 {
		c.Out.Array(0)
		return
	}
	size := int64(s.Len())
	switch {
	case !uniq || count == 1:
		// Independent draws, repeats allowed, in draw order.
		c.Out.Array(int(count))
		for ; count > 0; count-- {
			setsReply(c, s.Random(setsRand))
		}
	case count >= size:
		c.Out.Array(int(size))
		s.Each(func(m value.SetMember) bool {
			setsReply(c, m)
			return true
		})
	case count*srandSubRatio > size:
		all := make([]value.SetMember, 0, size)
		s.Each(func(m value.SetMember) bool {
			all = append(all, m)
			return true
		})
		for int64(len(all)) > count {
			i := setsRand(uint64(len(all)))
			last := len(all) - 1
			all[i] = all[last]
			all = all[:last]
		}
		c.Out.Array(len(all))
		for _, m := range all {
			setsReply(c, m)
		}
	default:
		picked := make(map[value.SetMember]struct{}, count)
		out := make([]value.SetMember, 0, count)
		for int64(len(out)) < count {
			m := s.Random(setsRand)
			if _, dup := picked[m]; dup {
				continue
			}
			picked[m] = struct{}{}
			out = append(out, m)
		}
		c.Out.Array(len(out))
		for _, m := range out {
			setsReply(c, m)
		}
	}
}

// SMOVE source destination member
func smoveCmd(c *Ctx) {
	srcKey, dstKey, member := c.Args[1], c.Args[2], c.Args[3]
	// Both keys are looked up (expiring them if due) before anything else.
	srcEntry := c.DB.Write(srcKey)
	var srcVal value.Value
	if srcEntry != nil {
		srcVal = srcEntry.Value
	}
	dstEntry := c.DB.Write(dstKey)
	if srcVal == nil {
		c.Out.Int(0)
		return
	}
	src, ok := srcVal.(*value.Set)
	if !ok {
		c.Error(errs.WrongType)
		return
	}
	dst, ok := setsValue(c, dstEntry)
	if !ok {
		return
	}
	if src == dst {
		if src.Has(member) {
			c.Out.Int(1)
		} else {
			c.Out.Int(0)
		}
		return
	}
	if !src.Remove(member) {
		c.Out.Int(0)
		return
	}
	c.Notify(notify.Set, "srem", srcKey)
	if src.Len() == 0 {
		c.DB.Delete(srcKey)
		c.Notify(notify.Generic, "del", srcKey)
	}
	if dst == nil {
		dst = value.NewSet()
		c.DB.Set(dstKey, dst)
	}
	maxIntset := 0
	if dst.IsIntset() {
		maxIntset = setsMaxIntset(c)
	}
	if dst.Add(member, maxIntset) {
		c.Notify(notify.Set, "sadd", dstKey)
	}
	c.Out.Int(1)
}

// setsLookupAll looks every key up for reading. Missing keys give nil
// sets; empty counts them. ok is false (after replying WRONGTYPE) when a
// key holds another type.
func setsLookupAll(c *Ctx, keys [][]byte, buf []*value.Set) (sets []*value.Set, empty int, ok bool) {
	sets = buf[:0]
	for _, k := range keys {
		s, ok := setsValue(c, c.DB.Read(k))
		if !ok {
			return nil, 0, false
		}
		if s == nil {
			empty++
		}
		sets = append(sets, s)
	}
	return sets, empty, true
}

// setsInter is SINTER, SMEMBERS, SINTERSTORE (dst not nil) and SINTERCARD
// (cardOnly, stopping at limit unless it is 0).
func setsInter(c *Ctx, keys [][]byte, dst []byte, cardOnly bool, limit int64) {
	var buf [8]*value.Set
	sets, empty, ok := setsLookupAll(c, keys, buf[:])
	if !ok {
		return
	}
	if empty > 0 {
		switch {
		case dst != nil:
			if c.DB.Delete(dst) {
				c.Notify(notify.Generic, "del", dst)
			}
			c.Out.Int(0)
		case cardOnly:
			c.Out.Int(0)
		default:
			c.Out.Set(0)
		}
		return
	}
	// Smallest set first; among sets of one size, the first given.
	slices.SortStableFunc(sets, func(a, b *value.Set) int { return a.Len() - b.Len() })
	first := sets[0]
	if len(sets) == 1 && !cardOnly && dst == nil {
		setsReplyAll(c, first) // SMEMBERS
		return
	}
	var (
		res       *value.Set
		out       []value.SetMember
		card      int64
		maxIntset int
	)
	if dst != nil {
		res = value.NewSet()
		maxIntset = setsMaxIntset(c)
	}
	first.Each(func(m value.SetMember) bool {
		for _, s := range sets[1:] {
			if s != first && !s.HasMember(m) {
				return true
			}
		}
		switch {
		case cardOnly:
			card++
			if limit > 0 && card >= limit {
				return false
			}
		case res != nil:
			res.AddMember(m, maxIntset)
		default:
			out = append(out, m)
		}
		return true
	})
	switch {
	case cardOnly:
		c.Out.Int(card)
	case res != nil:
		setsStore(c, dst, res, "sinterstore")
	default:
		c.Out.Set(len(out))
		for _, m := range out {
			setsReply(c, m)
		}
	}
}

// SINTER key [key ...]
func sinterCmd(c *Ctx) { setsInter(c, c.Args[1:], nil, false, 0) }

// SINTERSTORE destination key [key ...]
func sinterstoreCmd(c *Ctx) { setsInter(c, c.Args[2:], c.Args[1], false, 0) }

// SINTERCARD numkeys key [key ...] [LIMIT limit]
func sintercardCmd(c *Ctx) {
	numkeys, ok := resp.ParseInt(c.Args[1])
	if !ok || numkeys < 1 {
		c.Error(errs.SInterCardNumKeys)
		return
	}
	if numkeys > int64(len(c.Args)-2) {
		c.Error(errs.SInterCardTooManyKeys)
		return
	}
	end := 2 + int(numkeys)
	limit := int64(0)
	for j := end; j < len(c.Args); j++ {
		if strOptIs(c.Args[j], "LIMIT") && j+1 < len(c.Args) {
			j++
			n, ok := resp.ParseInt(c.Args[j])
			if !ok || n < 0 {
				c.Error(errs.SInterCardLimit)
				return
			}
			limit = n
			continue
		}
		c.Error(errs.Syntax)
		return
	}
	setsInter(c, c.Args[2:end], nil, true, limit)
}

// setsUnionInto adds every member of s to res.
func setsUnionInto(res, s *value.Set, maxIntset int) int {
	added := 0
	s.Each(func(m value.SetMember) bool {
		if res.AddMember(m, maxIntset) {
			added++
		}
		return true
	})
	return added
}

// setsUnionDiff is SUNION, SDIFF and their STORE forms (dst not nil).
// The result is built as a new set, encoded as Redis encodes it (an intset
// while it holds few integers), so that its order and a stored result's
// encoding match Redis's.
func setsUnionDiff(c *Ctx, keys [][]byte, dst []byte, diff bool) {
	var buf [8]*value.Set
	sets, _, ok := setsLookupAll(c, keys, buf[:])
	if !ok {
		return
	}
	first := sets[0]
	sameSet := false
	for _, s := range sets[1:] {
		if s != nil && s == first {
			sameSet = true
		}
	}
	// SDIFF picks, as Redis does, between checking each member of the
	// first set against the others (1) and removing every member of the
	// others from a copy of the first set (2), by the work each needs.
	algo := 1
	if diff && first != nil && !sameSet {
		var one, two int64
		for _, s := range sets {
			if s != nil {
				one += int64(first.Len())
				two += int64(s.Len())
			}
		}
		one /= 2
		if one > two {
			algo = 2
		}
		if algo == 1 && len(sets) > 1 {
			// Largest first: a member is likelier to be found early.
			slices.SortStableFunc(sets[1:], func(a, b *value.Set) int { return setsLen(b) - setsLen(a) })
		}
	}
	maxIntset := setsMaxIntset(c)
	res := value.NewSet()
	switch {
	case !diff:
		for _, s := range sets {
			if s != nil {
				setsUnionInto(res, s, maxIntset)
			}
		}
	case first == nil || sameSet:
		// Empty result.
	case algo == 1:
		first.Each(func(m value.SetMember) bool {
			for _, s := range sets[1:] {
				if s != nil && s.HasMember(m) {
					return true
				}
			}
			res.AddMember(m, maxIntset)
			return true
		})
	default:
		card := setsUnionInto(res, first, maxIntset)
		for _, s := range sets[1:] {
			if card == 0 {
				break
			}
			if s == nil {
				continue
			}
			s.Each(func(m value.SetMember) bool {
				if res.RemoveMember(m) {
					card--
				}
				return true
			})
		}
	}
	if dst != nil {
		event := "sunionstore"
		if diff {
			event = "sdiffstore"
		}
		setsStore(c, dst, res, event)
		return
	}
	setsReplyAll(c, res)
}

// setsLen is the size of a set that may be missing (nil: empty).
func setsLen(s *value.Set) int {
	if s == nil {
		return 0
	}
	return s.Len()
}

// SUNION key [key ...]
func sunionCmd(c *Ctx) { setsUnionDiff(c, c.Args[1:], nil, false) }

// SUNIONSTORE destination key [key ...]
func sunionstoreCmd(c *Ctx) { setsUnionDiff(c, c.Args[2:], c.Args[1], false) }

// SDIFF key [key ...]
func sdiffCmd(c *Ctx) { setsUnionDiff(c, c.Args[1:], nil, true) }

// SDIFFSTORE destination key [key ...]
func sdiffstoreCmd(c *Ctx) { setsUnionDiff(c, c.Args[2:], c.Args[1], true) }

// SSCAN key cursor [MATCH pattern] [COUNT count]
//
// An intset is returned whole, with cursor 0, whatever the cursor; a hash
// table is walked with the dict's SCAN cursor.
func sscanCmd(c *Ctx) {
	s, cursor, opts, ok := scanPrologue[*value.Set](c)
	if !ok {
		return
	}
	count, pattern, usePattern := opts.count, opts.pattern, opts.pattern != nil
	var found []string
	if s.IsIntset() {
		found = make([]string, 0, s.Len())
		s.Each(func(m value.SetMember) bool {
			found = append(found, m.String())
			return true
		})
		cursor = 0
	} else {
		// At most ten empty steps per element asked for (the product
		// wraps like Redis's long does, which only makes it larger).
		maxSteps := count * 10
		for {
			cursor = s.Scan(cursor, func(m string) { found = append(found, m) })
			if cursor == 0 || maxSteps == 0 {
				break
			}
			maxSteps--
			if int64(len(found)) >= count {
				break
			}
		}
	}
	if usePattern {
		pat := string(pattern)
		kept := found[:0]
		for _, m := range found {
			if glob.MatchString(pat, m) {
				kept = append(kept, m)
			}
		}
		found = kept
	}
	c.Out.Array(2)
	c.Out.BulkInt(int64(cursor)) // Redis writes the cursor as a signed number
	c.Out.StringArray(found)
}
