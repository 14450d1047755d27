package handler

import (
	"math"

	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/notify"
	"github.com/ember-kv/ember/internal/value"
	"github.com/ember-kv/ember/resp"
)

func init() {
	register(map[string]Func{
		"get":         get,
		"set":         set,
		"setnx":       setnx,
		"setex":       setex,
		"psetex":      psetex,
		"getex":       getex,
		"getdel":      getdel,
		"getset":      getset,
		"mget":        mget,
		"mset":        mset,
		"msetnx":      msetnx,
		"incr":        incr,
		"incrby":      incrby,
		"incrbyfloat": incrbyfloat,
		"decr":        decr,
		"decrby":      decrby,
		"append":      appendCmd,
		"strlen":      strlen,
		"getrange":    getrange,
		"setrange":    setrange,
		"substr":      getrange,
		"lcs":         lcs,
	})
}

// strValue returns the string an entry holds: nil for a missing key, and
// ok false (after replying WRONGTYPE) when the key holds another type.
func strValue(c *Ctx, e *keyspace.Entry) (value.StringValue, bool) {
	return typedValue[value.StringValue](c, e)
}

// strOptIs reports whether arg is the option opt (upper case), compared as
// Redis compares C strings: case-insensitively, up to an embedded NUL.
func strOptIs(arg []byte, opt string) bool {
	n := len(arg)
	for i, ch := range arg {
		if ch == 0 {
			n = i
			break
		}
	}
	if n != len(opt) {
		return false
	}
	for i := 0; i < n; i++ {
		ch := arg[i]
		if ch >= 'a' && ch <= 'z' {
			ch -= 'a' - 'A'
		}
		if ch != opt[i] {
			return false
		}
	}
	return true
}

// strMaxLen is proto-max-bulk-len, the longest string a command may build.
func strMaxLen(c *Ctx) int64 { return c.Env.Config.Int("proto-max-bulk-len") }

// strCheckLen replies an error, and reports false, when a string of size
// bytes growing by add bytes would exceed proto-max-bulk-len.
func strCheckLen(c *Ctx, size, add int64) bool {
	total := int64(uint64(size) + uint64(add))
	if total > strMaxLen(c) || total < size || total < add {
		c.Error(errs.StringTooLong)
		return false
	}
	return true
}

// Options of SET and GETEX.
const (
	strNX uint16 = 1 << iota
	strXX
	strEX
	strPX
	strKeepTTL
	strGet
	strEXAT
	strPXAT
	strPersist

	strAnyExpire = strEX | strPX | strEXAT | strPXAT
)

// strExtOpts are parsed SET / GETEX options.
type strExtOpts struct {
	flags  uint16
	expire []byte // the EX/PX/EXAT/PXAT argument
}

// strParseExt parses the options of SET (forSet) or GETEX from argument
// from on, replying a syntax error for unknown, incomplete or conflicting
// options, exactly where Redis does.
func strParseExt(c *Ctx, from int, forSet bool) (o strExtOpts, ok bool) {
	args := c.Args
	for j := from; j < len(args); j++ {
		a := args[j]
		hasNext := j+1 < len(args)
		f := o.flags
		switch {
		case forSet && strOptIs(a, "NX") && f&strXX == 0:
			o.flags |= strNX
		case forSet && strOptIs(a, "XX") && f&strNX == 0:
			o.flags |= strXX
		case forSet && strOptIs(a, "GET"):
			o.flags |= strGet
		case forSet && strOptIs(a, "KEEPTTL") && f&(strPersist|strAnyExpire) == 0:
			o.flags |= strKeepTTL
		case !forSet && strOptIs(a, "PERSIST") && f&(strAnyExpire|strKeepTTL) == 0:
			o.flags |= strPersist
		case strOptIs(a, "EX") && hasNext && f&(strKeepTTL|strPersist|strEXAT|strPX|strPXAT) == 0:
			o.flags |= strEX
			o.expire = args[j+1]
			j++
		case strOptIs(a, "PX") && hasNext && f&(strKeepTTL|strPersist|strEX|strEXAT|strPXAT) == 0:
			o.flags |= strPX
			o.expire = args[j+1]
			j++
		case strOptIs(a, "EXAT") && hasNext && f&(strKeepTTL|strPersist|strEX|strPX|strPXAT) == 0:
			o.flags |= strEXAT
			o.expire = args[j+1]
			j++
		case strOptIs(a, "PXAT") && hasNext && f&(strKeepTTL|strPersist|strEX|strEXAT|strPX) == 0:
			o.flags |= strPXAT
			o.expire = args[j+1]
			j++
		default:
			c.Error(errs.Syntax)
			return o, false
		}
	}
	return o, true
}

// strExpireAt turns an expire argument into an absolute Unix time in ms:
// flags say whether it is in seconds (EX, EXAT) and relative (EX, PX).
// It replies an error for a non-integer, non-positive or overflowing time.
func strExpireAt(c *Ctx, arg []byte, flags uint16) (int64, bool) {
	n, ok := resp.ParseInt(arg)
	if !ok {
		c.Error(errs.NotInteger)
		return 0, false
	}
	seconds := flags&(strEX|strEXAT) != 0
	if n <= 0 || (seconds && n > math.MaxInt64/1000) {
		c.Error(errs.InvalidExpire(c.Spec.Name))
		return 0, false
	}
	if seconds {
		n *= 1000
	}
	if flags&(strEX|strPX) != 0 {
		n += c.DB.Now // wraps on overflow, caught below
	}
	if n <= 0 {
		c.Error(errs.InvalidExpire(c.Spec.Name))
		return 0, false
	}
	return n, true
}

// strSet is the common part of SET, SETNX, SETEX and PSETEX. ok and abort
// are the replies for a done and a skipped (NX/XX) set: nil means +OK and a
// null bulk.
func strSet(c *Ctx, o strExtOpts, key, val []byte, okReply func(), abortReply func()) {
	var at int64
	if o.expire != nil {
		var ok bool
		if at, ok = strExpireAt(c, o.expire, o.flags); !ok {
			return
		}
	}
	if o.flags&strGet != 0 {
		old, ok := strValue(c, c.DB.Read(key))
		if !ok {
			return
		}
		if old == nil {
			c.Out.Null()
		} else {
			c.Out.Bulk(old.Bytes())
		}
	}
	// Without NX or XX the key's presence does not matter: storing
	// expires a key whose time ran out, as a lookup would.
	if o.flags&(strNX|strXX) != 0 && (o.flags&strNX != 0) == c.DB.Exists(key) {
		if o.flags&strGet == 0 {
			if abortReply != nil {
				abortReply()
			} else {
				c.Out.Null()
			}
		}
		return
	}
	v := value.NewPackedStringAt(key, val)
	switch {
	case o.expire != nil:
		c.DB.SetEntry(key, keyspace.Item{Value: v, ExpireAt: at})
	case o.flags&strKeepTTL != 0:
		c.DB.SetKeepTTL(key, v)
	default:
		c.DB.Set(key, v)
	}
	c.Notify(notify.String, "set", key)
	if o.expire != nil {
		c.Notify(notify.Generic, "expire", key)
	}
	if o.flags&strGet == 0 {
		if okReply != nil {
			okReply()
		} else {
			c.OK()
		}
	}
}

// GET key
func get(c *Ctx) {
	s, ok := strValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if s == nil {
		c.Out.Null()
		return
	}
	c.Out.Bulk(s.Bytes())
}

// SET key value [NX | XX] [GET] [EX seconds | PX milliseconds |
// EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]
func set(c *Ctx) {
	o, ok := strParseExt(c, 3, true)
	if !ok {
		return
	}
	strSet(c, o, c.Args[1], c.Args[2], nil, nil)
}

// SETNX key value
func setnx(c *Ctx) {
	strSet(c, strExtOpts{flags: strNX}, c.Args[1], c.Args[2],
		func() { c.Out.Int(1) }, func() { c.Out.Int(0) })
}

// SETEX key seconds value
func setex(c *Ctx) {
	strSet(c, strExtOpts{flags: strEX, expire: c.Args[2]}, c.Args[1], c.Args[3], nil, nil)
}

// PSETEX key milliseconds value
func psetex(c *Ctx) {
	strSet(c, strExtOpts{flags: strPX, expire: c.Args[2]}, c.Args[1], c.Args[3], nil, nil)
}

// GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds |
// PXAT unix-time-milliseconds | PERSIST]
func getex(c *Ctx) {
	o, ok := strParseExt(c, 2, false)
	if !ok {
		return
	}
	key := c.Args[1]
	s, ok := strValue(c, c.DB.Read(key))
	if !ok {
		return
	}
	if s == nil {
		c.Out.Null()
		return
	}
	var at int64
	if o.expire != nil {
		if at, ok = strExpireAt(c, o.expire, o.flags); !ok {
			return
		}
	}
	c.Out.Bulk(s.Bytes())
	switch {
	case o.flags&(strEXAT|strPXAT) != 0 && at <= c.DB.Now:
		c.DB.Delete(key)
		c.Notify(notify.Generic, "del", key)
	case o.expire != nil:
		c.DB.SetExpire(key, at)
		c.Notify(notify.Generic, "expire", key)
	case o.flags&strPersist != 0:
		if c.DB.Persist(key) {
			c.Notify(notify.Generic, "persist", key)
		}
	}
}

// GETDEL key
func getdel(c *Ctx) {
	key := c.Args[1]
	s, ok := strValue(c, c.DB.Read(key))
	if !ok {
		return
	}
	if s == nil {
		c.Out.Null()
		return
	}
	c.Out.Bulk(s.Bytes())
	if c.DB.Delete(key) {
		c.Notify(notify.Generic, "del", key)
	}
}

// GETSET key value
func getset(c *Ctx) {
	key := c.Args[1]
	s, ok := strValue(c, c.DB.Read(key))
	if !ok {
		return
	}
	if s == nil {
		c.Out.Null()
	} else {
		c.Out.Bulk(s.Bytes())
	}
	c.DB.Set(key, value.NewPackedStringAt(key, c.Args[2]))
	c.Notify(notify.String, "set", key)
}

// MGET key [key ...]
func mget(c *Ctx) {
	keys := c.Args[1:]
	c.Out.Array(len(keys))
	for _, k := range keys {
		e := c.DB.Read(k)
		if e == nil {
			c.Out.Null()
			continue
		}
		if s, ok := e.Value.(value.StringValue); ok {
			c.Out.Bulk(s.Bytes())
		} else {
			c.Out.Null()
		}
	}
}

// MSET key value [key value ...]
func mset(c *Ctx) {
	if len(c.Args)%2 == 0 {
		c.Error(errs.WrongArity(c.Spec.Name))
		return
	}
	for j := 1; j < len(c.Args); j += 2 {
		c.DB.Set(c.Args[j], value.NewPackedStringAt(c.Args[j], c.Args[j+1]))
		c.Notify(notify.String, "set", c.Args[j])
	}
	c.OK()
}

// MSETNX key value [key value ...]
func msetnx(c *Ctx) {
	if len(c.Args)%2 == 0 {
		c.Error(errs.WrongArity(c.Spec.Name))
		return
	}
	for j := 1; j < len(c.Args); j += 2 {
		if c.DB.Write(c.Args[j]) != nil {
			c.Out.Int(0)
			return
		}
	}
	for j := 1; j < len(c.Args); j += 2 {
		c.DB.Set(c.Args[j], value.NewPackedStringAt(c.Args[j], c.Args[j+1]))
		c.Notify(notify.String, "set", c.Args[j])
	}
	c.Out.Int(1)
}

// strIncrBy adds incr to the integer at the command's key.
func strIncrBy(c *Ctx, incr int64) {
	key := c.Args[1]
	e := c.DB.Write(key)
	s, ok := strValue(c, e)
	if !ok {
		return
	}
	var cur int64
	if s != nil {
		if cur, ok = s.Int(); !ok {
			c.Error(errs.NotInteger)
			return
		}
	}
	if (incr < 0 && cur < 0 && incr < math.MinInt64-cur) ||
		(incr > 0 && cur > 0 && incr > math.MaxInt64-cur) {
		c.Error(errs.Overflow)
		return
	}
	n := cur + incr
	// The result is a fresh object for Redis, shared when it is a small
	// integer; the key keeps its time to live. A counter that keeps its
	// number of digits is rewritten in place.
	switch s := s.(type) {
	case nil:
		c.DB.Set(key, value.NewPackedInt(key, n))
	case *value.PackedString:
		if s.SetIntSameLen(n) {
			e.ClearUnshared()
		} else {
			c.DB.SetKeepTTL(key, value.NewPackedInt(key, n))
		}
	case *value.String:
		s.SetInt(n)
		e.ClearUnshared()
	}
	c.Notify(notify.String, "incrby", key)
	c.Out.Int(n)
}

// INCR key
func incr(c *Ctx) { strIncrBy(c, 1) }

// DECR key
func decr(c *Ctx) { strIncrBy(c, -1) }

// INCRBY key increment
func incrby(c *Ctx) {
	n, ok := c.Int(2)
	if !ok {
		return
	}
	strIncrBy(c, n)
}

// DECRBY key decrement
func decrby(c *Ctx) {
	n, ok := c.Int(2)
	if !ok {
		return
	}
	if n == math.MinInt64 {
		c.Error(errs.DecrementOverflow)
		return
	}
	strIncrBy(c, -n)
}

// INCRBYFLOAT key increment
func incrbyfloat(c *Ctx) {
	key := c.Args[1]
	e := c.DB.Write(key)
	s, ok := strValue(c, e)
	if !ok {
		return
	}
	var cur []byte
	if s != nil {
		cur = s.Bytes()
	}
	sum, err := value.AddLongDouble(cur, s != nil, c.Args[2])
	switch err {
	case nil:
	case value.ErrNaNOrInf:
		c.Error(errs.NaNOrInf)
		return
	default:
		c.Error(errs.NotFloat)
		return
	}
	v := value.NewPackedStringByLen(key, sum)
	if e != nil {
		c.DB.SetKeepTTL(key, v)
	} else {
		c.DB.Set(key, v)
	}
	c.Notify(notify.String, "incrbyfloat", key)
	c.Out.Bulk(sum)
}

// APPEND key value
func appendCmd(c *Ctx) {
	key, add := c.Args[1], c.Args[2]
	e := c.DB.Write(key)
	sv, ok := strValue(c, e)
	if !ok {
		return
	}
	if sv == nil {
		c.DB.Set(key, value.NewPackedStringAt(key, add))
		c.Notify(notify.String, "append", key)
		c.Out.Int(int64(len(add)))
		return
	}
	if !strCheckLen(c, int64(len(sv.Bytes())), int64(len(add))) {
		return
	}
	s := c.DB.Unshare(key, e)
	s.Append(add)
	c.Notify(notify.String, "append", key)
	c.Out.Int(int64(len(s.B)))
}

// STRLEN key
func strlen(c *Ctx) {
	s, ok := strValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if s == nil {
		c.Out.Int(0)
		return
	}
	c.Out.Int(int64(len(s.Bytes())))
}

// GETRANGE key start end
// SUBSTR key start end
func getrange(c *Ctx) {
	start, ok := c.Int(2)
	if !ok {
		return
	}
	end, ok := c.Int(3)
	if !ok {
		return
	}
	s, ok := strValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if s == nil {
		c.Out.Bulk(nil)
		return
	}
	b := s.Bytes()
	n := int64(len(b))
	if start < 0 && end < 0 && start > end {
		c.Out.Bulk(nil)
		return
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start = max(start, 0)
	end = max(end, 0)
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		c.Out.Bulk(nil)
		return
	}
	c.Out.Bulk(b[start : end+1])
}

// SETRANGE key offset value
func setrange(c *Ctx) {
	key, val := c.Args[1], c.Args[3]
	off, ok := c.Int(2)
	if !ok {
		return
	}
	if off < 0 {
		c.Error(errs.OffsetOutOfRange)
		return
	}
	e := c.DB.Write(key)
	sv, ok := strValue(c, e)
	if !ok {
		return
	}
	if sv == nil {
		if len(val) == 0 {
			c.Out.Int(0)
			return
		}
		if !strCheckLen(c, off, int64(len(val))) {
			return
		}
		b := make([]byte, off+int64(len(val)))
		copy(b[off:], val)
		c.DB.Set(key, value.NewRawString(b))
		c.Notify(notify.String, "setrange", key)
		c.Out.Int(int64(len(b)))
		return
	}
	if len(val) == 0 {
		c.Out.Int(int64(len(sv.Bytes())))
		return
	}
	if !strCheckLen(c, off, int64(len(val))) {
		return
	}
	s := c.DB.Unshare(key, e)
	s.GrowZero(int(off) + len(val))
	copy(s.B[off:], val)
	c.Notify(notify.String, "setrange", key)
	c.Out.Int(int64(len(s.B)))
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]
func lcs(c *Ctx) {
	var a, b []byte
	ea, eb := c.DB.Read(c.Args[1]), c.DB.Read(c.Args[2])
	for i, e := range [2]*keyspace.Entry{ea, eb} {
		if e == nil {
			continue
		}
		s, isStr := e.Value.(value.StringValue)
		if !isStr {
			c.Error(errs.LCSNotString)
			return
		}
		if i == 0 {
			a = s.Bytes()
		} else {
			b = s.Bytes()
		}
	}
	ok := true
	var getLen, getIdx, withMatchLen bool
	var minMatch int64
	for j := 3; j < len(c.Args); j++ {
		opt := c.Args[j]
		switch {
		case strOptIs(opt, "IDX"):
			getIdx = true
		case strOptIs(opt, "LEN"):
			getLen = true
		case strOptIs(opt, "WITHMATCHLEN"):
			withMatchLen = true
		case strOptIs(opt, "MINMATCHLEN") && j+1 < len(c.Args):
			if minMatch, ok = c.Int(j + 1); !ok {
				return
			}
			minMatch = max(minMatch, 0)
			j++
		default:
			c.Error(errs.Syntax)
			return
		}
	}
	if getLen && getIdx {
		c.Error(errs.LCSLenAndIdx)
		return
	}
	if uint64(len(a)) >= math.MaxUint32-1 || uint64(len(b)) >= math.MaxUint32-1 {
		c.Error(errs.LCSTooLong)
		return
	}
	alen, blen := len(a), len(b)
	cells := uint64(alen+1) * uint64(blen+1)
	if cells*4 > uint64(strMaxLen(c)) {
		c.Error(errs.LCSTableTooBig)
		return
	}
	// table[i*(blen+1)+j] is the LCS length of a[:i] and b[:j].
	w := blen + 1
	table := make([]uint32, cells)
	for i := 1; i <= alen; i++ {
		row, prev := table[i*w:(i+1)*w], table[(i-1)*w:i*w]
		ai := a[i-1]
		for j := 1; j <= blen; j++ {
			switch {
			case ai == b[j-1]:
				row[j] = prev[j-1] + 1
			case prev[j] > row[j-1]:
				row[j] = prev[j]
			default:
				row[j] = row[j-1]
			}
		}
	}
	total := table[alen*w+blen]
	if getLen {
		c.Out.Int(int64(total))
		return
	}
	// Walk back from the end, collecting the common bytes and, for IDX,
	// the ranges of consecutive matches, last range first.
	result := make([]byte, total)
	type lcsRange struct{ a0, a1, b0, b1 int }
	var ranges []lcsRange
	k := int(total)
	i, j := alen, blen
	open := false
	var cur lcsRange
	for i > 0 && j > 0 {
		emit := false
		if a[i-1] == b[j-1] {
			result[k-1] = a[i-1]
			switch {
			case !open:
				cur = lcsRange{i - 1, i - 1, j - 1, j - 1}
				open = true
			case cur.a0 == i && cur.b0 == j:
				cur.a0--
				cur.b0--
			default:
				emit = true
			}
			if cur.a0 == 0 || cur.b0 == 0 {
				emit = true
			}
			k--
			i--
			j--
		} else {
			if table[(i-1)*w+j] > table[i*w+j-1] {
				i--
			} else {
				j--
			}
			if open {
				emit = true
			}
		}
		if emit {
			if getIdx && (minMatch == 0 || int64(cur.a1-cur.a0+1) >= minMatch) {
				ranges = append(ranges, cur)
			}
			open = false
		}
	}
	if !getIdx {
		c.Out.Bulk(result)
		return
	}
	c.Out.Map(2)
	c.Out.BulkString("matches")
	c.Out.Array(len(ranges))
	for _, r := range ranges {
		if withMatchLen {
			c.Out.Array(3)
		} else {
			c.Out.Array(2)
		}
		c.Out.Array(2)
		c.Out.Int(int64(r.a0))
		c.Out.Int(int64(r.a1))
		c.Out.Array(2)
		c.Out.Int(int64(r.b0))
		c.Out.Int(int64(r.b1))
		if withMatchLen {
			c.Out.Int(int64(r.a1 - r.a0 + 1))
		}
	}
	c.Out.BulkString("len")
	c.Out.Int(int64(total))
}
