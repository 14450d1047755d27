package handler

import (
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/notify"
	"github.com/ember-kv/ember/internal/value"
	"github.com/ember-kv/ember/resp"
)

func init() {
	register(map[string]Func{
		"xadd":       xaddCmd,
		"xlen":       xlenCmd,
		"xrange":     xrangeCmd,
		"xrevrange":  xrevrangeCmd,
		"xdel":       xdelCmd,
		"xtrim":      xtrimCmd,
		"xread":      xreadCmd,
		"xsetid":     xsetidCmd,
		"xreadgroup": xreadgroupCmd,
	})
}

// streamValue returns the stream at e (nil when e is nil), replying
// WRONGTYPE when e holds another type.
func streamValue(c *Ctx, e *keyspace.Entry) (s *value.Stream, ok bool) {
	if e == nil {
		return nil, true
	}
	s, ok = e.Value.(*value.Stream)
	if !ok {
		c.Error(errs.WrongType)
	}
	return s, ok
}

// streamParseU64 is Redis's string2ull: a strict integer that is not
// negative, or else what C's strtoull accepts in full without overflow.
func streamParseU64(b []byte) (uint64, bool) {
	if n, ok := resp.ParseInt(b); ok {
		return uint64(n), n >= 0
	}
	i := 0
	for i < len(b) && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	if i == len(b) {
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		ch := b[i]
		if ch < '0' || ch > '9' {
			return 0, false
		}
		d := uint64(ch - '0')
		if v > (^uint64(0)-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		v = -v
	}
	return v, true
}

// streamParseID parses a stream ID: "ms-seq", or "ms" (seq = missingSeq);
// unless strict, "-" and "+" are the smallest and largest IDs. With
// seqStar, "ms-*" is accepted and reported through star.
func streamParseID(b []byte, strict bool, missingSeq uint64, seqStar bool) (id value.StreamID, star, ok bool) {
	if len(b) > 127 {
		return id, false, false
	}
	if len(b) == 1 && (b[0] == '-' || b[0] == '+') {
		if strict {
			return id, false, false
		}
		if b[0] == '+' {
			return value.MaxStreamID, false, true
		}
		return id, false, true
	}
	dash := -1
	for i, ch := range b {
		if ch == '-' {
			dash = i
			break
		}
	}
	if dash < 0 {
		ms, ok := streamParseU64(b)
		return value.StreamID{Ms: ms, Seq: missingSeq}, false, ok
	}
	ms, ok := streamParseU64(b[:dash])
	if !ok {
		return id, false, false
	}
	rest := b[dash+1:]
	if seqStar && len(rest) == 1 && rest[0] == '*' {
		return value.StreamID{Ms: ms}, true, true
	}
	seq, ok := streamParseU64(rest)
	return value.StreamID{Ms: ms, Seq: seq}, false, ok
}

// streamParseIDReply is streamParseID replying the error when invalid.
func streamParseIDReply(c *Ctx, b []byte, strict bool, missingSeq uint64) (value.StreamID, bool) {
	id, _, ok := streamParseID(b, strict, missingSeq, false)
	if !ok {
		c.Error(errs.StreamInvalidID)
	}
	return id, ok
}

// streamWriteEntry writes one entry as [id, [field, value, ...]].
func streamWriteEntry(out *resp.Writer, id value.StreamID, fields [][]byte) {
	var buf [48]byte
	out.Array(2)
	out.Bulk(id.Append(buf[:0]))
	out.Array(len(fields))
	for _, f := range fields {
		out.Bulk(f)
	}
}

// streamWriteRange writes the entries of s in [start, end] (reverse order
// when rev), at most count (<= 0: all), as an array.
func streamWriteRange(out *resp.Writer, s *value.Stream, start, end value.StreamID, rev bool, count int64) {
	n := 0
	s.Range(start, end, rev, count, func(value.StreamID, [][]byte) bool { n++; return true })
	out.Array(n)
	s.Range(start, end, rev, count, func(id value.StreamID, f [][]byte) bool {
		streamWriteEntry(out, id, f)
		return true
	})
}

// streamTrimArgs are the trimming options of XADD and XTRIM.
type streamTrimArgs struct {
	strategy byte // 0 none, 'M' MAXLEN, 'I' MINID
	approx   bool
	maxLen   int64
	minID    value.StreamID
	limit    int64
	// XADD only
	noMkStream bool
	idGiven    bool
	seqGiven   bool
	id         value.StreamID
}

// streamParseTrimArgs parses options from c.Args[2:] as XADD (xadd) or
// XTRIM do, returning the index of XADD's ID (len(Args) when missing).
func streamParseTrimArgs(c *Ctx, xadd bool) (a streamTrimArgs, at int, ok bool) {
	args := c.Args
	limitGiven := false
	i := 2
	for ; i < len(args); i++ {
		more := len(args) - 1 - i
		opt := args[i]
		switch {
		case xadd && len(opt) == 1 && opt[0] == '*':
			a.idGiven = false
			goto done
		case (strOptIs(opt, "MAXLEN") || strOptIs(opt, "MINID")) && more > 0:
			if a.strategy != 0 {
				c.Error(errs.StreamMaxLenAndMinID)
				return a, 0, false
			}
			byID := strOptIs(opt, "MINID")
			a.approx = false
			if next := args[i+1]; more >= 2 && len(next) == 1 && (next[0] == '~' || next[0] == '=') {
				a.approx = next[0] == '~'
				i++
			}
			if byID {
				if a.minID, ok = streamParseIDReply(c, args[i+1], true, 0); !ok {
					return a, 0, false
				}
				a.strategy = 'I'
			} else {
				n, okN := resp.ParseInt(args[i+1])
				if !okN {
					c.Error(errs.NotInteger)
					return a, 0, false
				}
				if n < 0 {
					c.Error(errs.StreamMaxLenNegative)
					return a, 0, false
				}
				a.maxLen = n
				a.strategy = 'M'
			}
			i++
		case strOptIs(opt, "LIMIT") && more > 0:
			n, okN := resp.ParseInt(args[i+1])
			if !okN {
				c.Error(errs.NotInteger)
				return a, 0, false
			}
			if n < 0 {
				c.Error(errs.StreamLimitNegative)
				return a, 0, false
			}
			a.limit = n
			limitGiven = true
			i++
		case xadd && strOptIs(opt, "NOMKSTREAM"):
			a.noMkStream = true
		case xadd:
			id, star, okID := streamParseID(opt, true, 0, true)
			if !okID {
				c.Error(errs.StreamInvalidID)
				return a, 0, false
			}
			a.id, a.idGiven, a.seqGiven = id, true, !star
			goto done
		default:
			c.Error(errs.Syntax)
			return a, 0, false
		}
	}
done:
	if a.limit != 0 && a.strategy == 0 {
		c.Error(errs.StreamLimitNoStrategy)
		return a, 0, false
	}
	if !xadd && a.strategy == 0 {
		c.Error(errs.Syntax)
		return a, 0, false
	}
	if limitGiven {
		if !a.approx {
			c.Error(errs.StreamLimitNoApprox)
			return a, 0, false
		}
	} else if a.approx {
		a.limit = 100 * c.Env.Config.Int("stream-node-max-entries")
		if a.limit <= 0 || a.limit > 1000000 {
			a.limit = 10000
		}
	} else {
		a.limit = 0
	}
	return a, i, true
}

// streamTrim applies parsed trimming options to s.
func streamTrim(s *value.Stream, a *streamTrimArgs) int64 {
	switch a.strategy {
	case 'M':
		return s.Trim(false, a.maxLen, value.StreamID{}, a.approx, a.limit)
	case 'I':
		return s.Trim(true, 0, a.minID, a.approx, a.limit)
	}
	return 0
}

// XADD key [NOMKSTREAM] [<MAXLEN | MINID> [= | ~] threshold [LIMIT count]] <* | id> field value [field value ...]
func xaddCmd(c *Ctx) {
	a, at, ok := streamParseTrimArgs(c, true)
	if !ok {
		return
	}
	if n := len(c.Args) - at - 1; n < 2 || n%2 != 0 {
		c.Error(errs.StreamXAddArity)
		return
	}
	if a.idGiven && a.seqGiven && a.id.IsZero() {
		c.Error(errs.StreamIDZero)
		return
	}
	key := c.Args[1]
	s, ok := streamValue(c, c.DB.Write(key))
	if !ok {
		return
	}
	if s == nil {
		if a.noMkStream {
			c.Out.Null()
			return
		}
		s = value.NewStream()
		c.DB.Set(key, s)
	}
	last := s.LastID
	if last == value.MaxStreamID {
		c.Error(errs.StreamExhausted)
		return
	}
	var id value.StreamID
	switch {
	case !a.idGiven:
		now := uint64(c.DB.Now)
		if now > last.Ms {
			id = value.StreamID{Ms: now}
		} else {
			id, _ = last.Incr()
		}
	case !a.seqGiven:
		if a.id.Ms == last.Ms {
			if last.Seq == ^uint64(0) {
				c.Error(errs.StreamIDTooSmall)
				return
			}
			id = value.StreamID{Ms: last.Ms, Seq: last.Seq + 1}
		} else {
			id = value.StreamID{Ms: a.id.Ms}
		}
	default:
		id = a.id
	}
	if id.Cmp(last) <= 0 {
		c.Error(errs.StreamIDTooSmall)
		return
	}
	maxEntries := int(c.Env.Config.Int("stream-node-max-entries"))
	maxBytes := int(c.Env.Config.Int("stream-node-max-bytes"))
	if maxBytes <= 0 || maxBytes > 1<<30 {
		maxBytes = 1 << 30
	}
	s.Append(id, c.Args[at+1:], maxEntries, maxBytes) // copies the bytes
	s.EntriesAdded++
	s.Signals++ // wakes blocked readers
	var buf [48]byte
	c.Out.Bulk(id.Append(buf[:0]))
	c.Notify(notify.Stream, "xadd", key)
	if streamTrim(s, &a) > 0 {
		c.Notify(notify.Stream, "xtrim", key)
	}
}

// XLEN key
func xlenCmd(c *Ctx) {
	s, ok := streamValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if s == nil {
		c.Out.Int(0)
		return
	}
	c.Out.Int(s.Len())
}

// XRANGE key start end [COUNT count]
func xrangeCmd(c *Ctx) { streamRangeGeneric(c, false) }

// XREVRANGE key end start [COUNT count]
func xrevrangeCmd(c *Ctx) { streamRangeGeneric(c, true) }

// streamParseInterval parses a range bound: "(id" is exclusive.
func streamParseInterval(c *Ctx, b []byte, missingSeq uint64) (id value.StreamID, excl, ok bool) {
	if len(b) > 1 && b[0] == '(' {
		id, ok = streamParseIDReply(c, b[1:], true, missingSeq)
		return id, true, ok
	}
	id, ok = streamParseIDReply(c, b, false, missingSeq)
	return id, false, ok
}

func streamRangeGeneric(c *Ctx, rev bool) {
	startArg, endArg := c.Args[2], c.Args[3]
	if rev {
		startArg, endArg = endArg, startArg
	}
	start, excl, ok := streamParseInterval(c, startArg, 0)
	if !ok {
		return
	}
	if excl {
		if start, ok = start.Incr(); !ok {
			c.Error(errs.StreamBadStart)
			return
		}
	}
	end, excl, ok := streamParseInterval(c, endArg, ^uint64(0))
	if !ok {
		return
	}
	if excl {
		if end, ok = end.Decr(); !ok {
			c.Error(errs.StreamBadEnd)
			return
		}
	}
	count := int64(-1)
	for j := 4; j < len(c.Args); j++ {
		if strOptIs(c.Args[j], "COUNT") && j+1 < len(c.Args) {
			n, okN := resp.ParseInt(c.Args[j+1])
			if !okN {
				c.Error(errs.NotInteger)
				return
			}
			count = max(n, 0)
			j++
			continue
		}
		c.Error(errs.Syntax)
		return
	}
	s, ok := streamValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if s == nil {
		c.Out.Array(0)
		return
	}
	if count == 0 {
		c.Out.NullArray()
		return
	}
	streamWriteRange(c.Out, s, start, end, rev, max(count, 0))
}

// XDEL key id [id ...]
func xdelCmd(c *Ctx) {
	s, ok := streamValue(c, c.DB.Write(c.Args[1]))
	if !ok {
		return
	}
	if s == nil {
		c.Out.Int(0)
		return
	}
	ids := make([]value.StreamID, 0, len(c.Args)-2)
	for _, b := range c.Args[2:] {
		id, ok := streamParseIDReply(c, b, true, 0)
		if !ok {
			return
		}
		ids = append(ids, id)
	}
	var n int64
	for _, id := range ids {
		if s.Delete(id) {
			n++
		}
	}
	if n > 0 {
		c.Notify(notify.Stream, "xdel", c.Args[1])
	}
	c.Out.Int(n)
}

// XTRIM key <MAXLEN | MINID> [= | ~] threshold [LIMIT count]
func xtrimCmd(c *Ctx) {
	a, _, ok := streamParseTrimArgs(c, false)
	if !ok {
		return
	}
	s, ok := streamValue(c, c.DB.Write(c.Args[1]))
	if !ok {
		return
	}
	if s == nil {
		c.Out.Int(0)
		return
	}
	n := streamTrim(s, &a)
	if n > 0 {
		c.Notify(notify.Stream, "xtrim", c.Args[1])
	}
	c.Out.Int(n)
}

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
func xsetidCmd(c *Ctx) {
	id, ok := streamParseIDReply(c, c.Args[2], true, 0)
	if !ok {
		return
	}
	entriesAdded := int64(-1)
	var maxDel value.StreamID
	for i := 3; i < len(c.Args); i++ {
		more := len(c.Args) - 1 - i
		switch {
		case strOptIs(c.Args[i], "ENTRIESADDED") && more > 0:
			n, okN := resp.ParseInt(c.Args[i+1])
			if !okN {
				c.Error(errs.NotInteger)
				return
			}
			if n < 0 {
				c.Error(errs.StreamEntriesNegative)
				return
			}
			entriesAdded = n
			i++
		case strOptIs(c.Args[i], "MAXDELETEDID") && more > 0:
			if maxDel, ok = streamParseIDReply(c, c.Args[i+1], true, 0); !ok {
				return
			}
			if id.Less(maxDel) {
				c.Error(errs.StreamSetIDMaxDeleted)
				return
			}
			i++
		default:
			c.Error(errs.Syntax)
			return
		}
	}
	e := c.DB.Write(c.Args[1])
	if e == nil {
		c.Error(errs.NoSuchKey)
		return
	}
	s, ok := streamValue(c, e)
	if !ok {
		return
	}
	if s.Len() > 0 {
		top, _ := s.LastEntryID()
		if id.Less(top) {
			c.Error(errs.StreamSetIDTooSmall)
			return
		}
		if entriesAdded != -1 && s.Len() > entriesAdded {
			c.Error(errs.StreamEntriesTooSmall)
			return
		}
	}
	s.LastID = id
	if entriesAdded != -1 {
		s.EntriesAdded = entriesAdded
	}
	if !maxDel.IsZero() {
		s.MaxDeleted = maxDel
	}
	c.OK()
	c.Notify(notify.Stream, "xsetid", c.Args[1])
}

// streamLookup returns the stream at key without touching statistics,
// or nil when missing or of another type.
func streamLookup(db keyspace.DB, key []byte) *value.Stream {
	e := db.Write(key)
	if e == nil {
		return nil
	}
	s, _ := e.Value.(*value.Stream)
	return s
}
