package handler

import (
	"math"
	"math/bits"

	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/notify"
	"github.com/ember-kv/ember/internal/value"
	"github.com/ember-kv/ember/resp"
)

func init() {
	register(map[string]Func{
		"setbit":      setbit,
		"getbit":      getbit,
		"bitcount":    bitcount,
		"bitpos":      bitpos,
		"bitop":       bitop,
		"bitfield":    bitfield,
		"bitfield_ro": bitfieldRO,
	})
}

// Bits are numbered from the most significant bit of the first byte: bit
// 0 is 0x80 of byte 0, bit 9 is 0x40 of byte 1.

// bitOffsetArg parses a bit offset. With hash set and width > 0 it also
// accepts "#n", meaning n*width (BITFIELD). Offsets must lie within
// proto-max-bulk-len bytes.
func bitOffsetArg(c *Ctx, arg []byte, hash bool, width int) (uint64, bool) {
	useHash := hash && width > 0 && len(arg) > 0 && arg[0] == '#'
	if useHash {
		arg = arg[1:]
	}
	n, ok := resp.ParseInt(arg)
	if !ok {
		c.Error(errs.BitOffset)
		return 0, false
	}
	if useHash {
		n *= int64(width) // wraps like Redis's; a negative result is refused below
	}
	if n < 0 || n>>3 >= strMaxLen(c) {
		c.Error(errs.BitOffset)
		return 0, false
	}
	return uint64(n), true
}

// bitWritable returns the string at the command's key, created or padded
// with zero bytes so that bit maxbit exists, and made "raw" as Redis
// unshares a string it changes. grown reports that the key was created or
// lengthened (a change even when no bit flips). ok is false after a
// WRONGTYPE reply.
func bitWritable(c *Ctx, maxbit uint64) (s *value.String, grown, ok bool) {
	key := c.Args[1]
	e := c.DB.Write(key)
	sv, ok := strValue(c, e)
	if !ok {
		return nil, false, false
	}
	size := int(maxbit>>3) + 1
	if sv == nil {
		s = value.NewRawString(make([]byte, size))
		c.DB.Set(key, s)
		return s, true, true
	}
	s = c.DB.Unshare(key, e)
	old := len(s.B)
	s.GrowZero(size)
	return s, len(s.B) != old, true
}

// SETBIT key offset value
func setbit(c *Ctx) {
	off, ok := bitOffsetArg(c, c.Args[2], false, 0)
	if !ok {
		return
	}
	on, ok := resp.ParseInt(c.Args[3])
	if !ok || on&^1 != 0 {
		c.Error(errs.BitValue)
		return
	}
	s, grown, ok := bitWritable(c, off)
	if !ok {
		return
	}
	byteIdx, mask := off>>3, byte(0x80)>>(off&7)
	old := s.B[byteIdx]&mask != 0
	if on == 1 {
		s.B[byteIdx] |= mask
	} else {
		s.B[byteIdx] &^= mask
	}
	if grown || old != (on == 1) {
		c.Notify(notify.String, "setbit", c.Args[1])
	}
	if old {
		c.Out.Int(1)
	} else {
		c.Out.Int(0)
	}
}

// GETBIT key offset
func getbit(c *Ctx) {
	off, ok := bitOffsetArg(c, c.Args[2], false, 0)
	if !ok {
		return
	}
	s, ok := strValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if s == nil || off>>3 >= uint64(len(s.Bytes())) || s.Bytes()[off>>3]&(0x80>>(off&7)) == 0 {
		c.Out.Int(0)
		return
	}
	c.Out.Int(1)
}

// bitRange resolves BITCOUNT/BITPOS start and end (negative counting from
// the end) over a string of n units (bytes or bits), clamped to it. empty
// is true when nothing is left.
func bitRange(start, end, n int64) (int64, int64, bool) {
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
	return start, end, start > end
}

// bitCountRange counts the set bits from bit first to bit last, inclusive.
func bitCountRange(p []byte, first, last uint64) int64 {
	fb, lb := first>>3, last>>3
	headMask := byte(0xff) >> (first & 7)
	tailMask := byte(0xff) << (7 - last&7)
	if fb == lb {
		return int64(bits.OnesCount8(p[fb] & headMask & tailMask))
	}
	n := bits.OnesCount8(p[fb]&headMask) + bits.OnesCount8(p[lb]&tailMask)
	return int64(n) + bitPopcount(p[fb+1:lb])
}

// bitPopcount counts the set bits of p.
func bitPopcount(p []byte) int64 {
	var n int
	for len(p) >= 8 {
		w := uint64(p[0]) | uint64(p[1])<<8 | uint64(p[2])<<16 | uint64(p[3])<<24 |
			uint64(p[4])<<32 | uint64(p[5])<<40 | uint64(p[6])<<48 | uint64(p[7])<<56
		n += bits.OnesCount64(w)
		p = p[8:]
	}
	for _, b := range p {
		n += bits.OnesCount8(b)
	}
	return int64(n)
}

// bitUnit parses the BYTE | BIT argument; isBit reports BIT.
func bitUnit(c *Ctx, arg []byte) (isBit, ok bool) {
	switch {
	case strOptIs(arg, "BIT"):
		return true, true
	case strOptIs(arg, "BYTE"):
		return false, true
	}
	c.Error(errs.Syntax)
	return false, false
}

// BITCOUNT key [start end [BYTE | BIT]]
func bitcount(c *Ctx) {
	s, ok := strValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if s == nil {
		c.Out.Int(0)
		return
	}
	p := s.Bytes()
	n := int64(len(p))
	switch len(c.Args) {
	case 2:
		c.Out.Int(bitPopcount(p))
	case 4, 5:
		start, ok := c.Int(2)
		if !ok {
			return
		}
		end, ok := c.Int(3)
		if !ok {
			return
		}
		if start < 0 && end < 0 && start > end {
			c.Out.Int(0)
			return
		}
		isBit := false
		if len(c.Args) == 5 {
			if isBit, ok = bitUnit(c, c.Args[4]); !ok {
				return
			}
		}
		if isBit {
			n <<= 3
		}
		start, end, empty := bitRange(start, end, n)
		switch {
		case empty:
			c.Out.Int(0)
		case isBit:
			c.Out.Int(bitCountRange(p, uint64(start), uint64(end)))
		default:
			c.Out.Int(bitPopcount(p[start : end+1]))
		}
	default:
		c.Error(errs.Syntax)
	}
}

// bitFirst returns the position of the first bit equal to bit between bit
// positions first and last inclusive, or -1.
func bitFirst(p []byte, bit int, first, last uint64) int64 {
	pos := first
	// Bit by bit up to a byte boundary.
	for pos <= last && pos&7 != 0 {
		if int(p[pos>>3]>>(7-pos&7)&1) == bit {
			return int64(pos)
		}
		pos++
	}
	// Whole bytes.
	skip := byte(0)
	if bit == 0 {
		skip = 0xff
	}
	for pos+7 <= last && p[pos>>3] == skip {
		pos += 8
	}
	for ; pos <= last; pos++ {
		if int(p[pos>>3]>>(7-pos&7)&1) == bit {
			return int64(pos)
		}
	}
	return -1
}

// BITPOS key bit [start [end [BYTE | BIT]]]
func bitpos(c *Ctx) {
	bit, ok := c.Int(2)
	if !ok {
		return
	}
	if bit != 0 && bit != 1 {
		c.Error(errs.BitArgument)
		return
	}
	e := c.DB.Read(c.Args[1])
	if e == nil {
		if bit == 1 {
			c.Out.Int(-1)
		} else {
			c.Out.Int(0)
		}
		return
	}
	s, ok := strValue(c, e)
	if !ok {
		return
	}
	p := s.Bytes()
	n := int64(len(p))
	var start, end int64
	isBit, endGiven := false, false
	switch len(c.Args) {
	case 3:
		start, end = 0, n-1
	case 4, 5, 6:
		if start, ok = c.Int(3); !ok {
			return
		}
		if len(c.Args) == 6 {
			if isBit, ok = bitUnit(c, c.Args[5]); !ok {
				return
			}
		}
		if len(c.Args) >= 5 {
			if end, ok = c.Int(4); !ok {
				return
			}
			endGiven = true
		} else if isBit {
			end = n<<3 + 7
		} else {
			end = n - 1
		}
		total := n
		if isBit {
			total <<= 3
		}
		start, end, _ = bitRange(start, end, total)
	default:
		c.Error(errs.Syntax)
		return
	}
	if start > end {
		c.Out.Int(-1)
		return
	}
	first, last := uint64(start), uint64(end)
	if !isBit {
		first, last = first<<3, last<<3+7
	}
	pos := bitFirst(p, int(bit), first, last)
	if pos < 0 && bit == 0 && !endGiven {
		// Without an explicit end the string counts as followed by zeros.
		pos = int64(last) + 1
	}
	c.Out.Int(pos)
}

// Bit operations.
const (
	bitopAnd = iota
	bitopOr
	bitopXor
	bitopNot
)

// BITOP <AND | OR | XOR | NOT> destkey key [key ...]
func bitop(c *Ctx) {
	var op int
	switch a := c.Args[1]; {
	case strOptIs(a, "AND"):
		op = bitopAnd
	case strOptIs(a, "OR"):
		op = bitopOr
	case strOptIs(a, "XOR"):
		op = bitopXor
	case strOptIs(a, "NOT"):
		op = bitopNot
	default:
		c.Error(errs.Syntax)
		return
	}
	if op == bitopNot && len(c.Args) != 4 {
		c.Error(errs.BitopNotOneSource)
		return
	}
	srcKeys := c.Args[3:]
	srcs := make([][]byte, len(srcKeys))
	maxLen := 0
	for i, k := range srcKeys {
		s, ok := strValue(c, c.DB.Read(k))
		if !ok {
			return
		}
		if s != nil {
			srcs[i] = s.Bytes()
			maxLen = max(maxLen, len(srcs[i]))
		}
	}
	dest := c.Args[2]
	if maxLen == 0 {
		if c.DB.Delete(dest) {
			c.Notify(notify.Generic, "del", dest)
		}
		c.Out.Int(0)
		return
	}
	res := make([]byte, maxLen)
	copy(res, srcs[0])
	switch op {
	case bitopNot:
		for j := range res {
			res[j] = ^res[j]
		}
	case bitopAnd:
		for _, src := range srcs[1:] {
			for j, b := range src {
				res[j] &= b
			}
			clear(res[len(src):])
		}
	case bitopOr:
		for _, src := range srcs[1:] {
			for j, b := range src {
				res[j] |= b
			}
		}
	case bitopXor:
		for _, src := range srcs[1:] {
			for j, b := range src {
				res[j] ^= b
			}
		}
	}
	c.DB.Set(dest, value.NewRawString(res))
	c.Notify(notify.String, "set", dest)
	c.Out.Int(int64(maxLen))
}

// BITFIELD overflow modes.
const (
	bfWrap = iota
	bfSat
	bfFail
)

// BITFIELD operations.
const (
	bfGet = iota
	bfSet
	bfIncrBy
)

// bfOp is one parsed BITFIELD operation.
type bfOp struct {
	offset   uint64
	arg      int64 // SET value or INCRBY increment
	op       int
	overflow int
	width    uint
	signed   bool
}

// bfTypeArg parses a bitfield type: i1..i64 or u1..u63.
func bfTypeArg(c *Ctx, arg []byte) (signed bool, width int, ok bool) {
	if n := indexNUL(arg); n >= 0 {
		arg = arg[:n] // the width is read as a C string
	}
	if len(arg) == 0 || (arg[0] != 'i' && arg[0] != 'u') {
		c.Error(errs.BitfieldType)
		return false, 0, false
	}
	signed = arg[0] == 'i'
	w, okNum := resp.ParseInt(arg[1:])
	if !okNum || w < 1 || (signed && w > 64) || (!signed && w > 63) {
		c.Error(errs.BitfieldType)
		return false, 0, false
	}
	return signed, int(w), true
}

func indexNUL(b []byte) int {
	for i, ch := range b {
		if ch == 0 {
			return i
		}
	}
	return -1
}

// bfGetBits reads width bits at offset as an unsigned number; bits past
// the end of p read as zero.
func bfGetBits(p []byte, offset uint64, width uint) uint64 {
	var v uint64
	for i := uint(0); i < width; i++ {
		b := uint64(0)
		if idx := offset >> 3; idx < uint64(len(p)) {
			b = uint64(p[idx]>>(7-offset&7)) & 1
		}
		v = v<<1 | b
		offset++
	}
	return v
}

// bfSetBits writes the low width bits of v at offset.
func bfSetBits(p []byte, offset uint64, width uint, v uint64) {
	for i := uint(0); i < width; i++ {
		mask := byte(0x80) >> (offset & 7)
		if v>>(width-1-i)&1 != 0 {
			p[offset>>3] |= mask
		} else {
			p[offset>>3] &^= mask
		}
		offset++
	}
}

// bfSigned sign-extends a width-bit two's complement number.
func bfSigned(u uint64, width uint) int64 {
	if width < 64 && u&(1<<(width-1)) != 0 {
		u |= math.MaxUint64 << width
	}
	return int64(u)
}

// bfUnsignedOverflow checks value+incr against an unsigned width-bit
// field: it returns 0 when it fits, else 1 (over) or -1 (under) and the
// value the overflow mode stores.
func bfUnsignedOverflow(v uint64, incr int64, width uint, mode int) (int, uint64) {
	maxv := uint64(1)<<width - 1
	wrapped := (v + uint64(incr)) & maxv
	switch {
	case v > maxv || (incr > 0 && incr > int64(maxv-v)):
		if mode == bfSat {
			return 1, maxv
		}
		return 1, wrapped
	case incr < 0 && incr < -int64(v):
		if mode == bfSat {
			return -1, 0
		}
		return -1, wrapped
	}
	return 0, 0
}

// bfSignedOverflow is bfUnsignedOverflow for a signed width-bit field.
func bfSignedOverflow(v, incr int64, width uint, mode int) (int, int64) {
	maxv := int64(math.MaxInt64)
	if width < 64 {
		maxv = int64(1)<<(width-1) - 1
	}
	minv := -maxv - 1
	maxIncr := int64(uint64(maxv) - uint64(v))
	minIncr := minv - v
	sum := uint64(v) + uint64(incr)
	if width < 64 {
		if sum&(1<<(width-1)) != 0 {
			sum |= math.MaxUint64 << width
		} else {
			sum &^= math.MaxUint64 << width
		}
	}
	wrapped := int64(sum)
	switch {
	case v > maxv || (width != 64 && incr > maxIncr) || (v >= 0 && incr > 0 && incr > maxIncr):
		if mode == bfSat {
			return 1, maxv
		}
		return 1, wrapped
	case v < minv || (width != 64 && incr < minIncr) || (v < 0 && incr < 0 && incr < minIncr):
		if mode == bfSat {
			return -1, minv
		}
		return -1, wrapped
	}
	return 0, 0
}

// BITFIELD key [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>]
// <SET encoding offset value | INCRBY encoding offset increment>
// [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>] ...]]
func bitfield(c *Ctx) { bitfieldGeneric(c, false) }

// BITFIELD_RO key [GET encoding offset [GET encoding offset ...]]
func bitfieldRO(c *Ctx) { bitfieldGeneric(c, true) }

func bitfieldGeneric(c *Ctx, readOnlyCmd bool) {
	args := c.Args
	var ops []bfOp
	mode := bfWrap
	readOnly := true
	var highest uint64
	for j := 2; j < len(args); j++ {
		rem := len(args) - j - 1
		a := args[j]
		var op int
		switch {
		case strOptIs(a, "GET") && rem >= 2:
			op = bfGet
		case strOptIs(a, "SET") && rem >= 3:
			op = bfSet
		case strOptIs(a, "INCRBY") && rem >= 3:
			op = bfIncrBy
		case strOptIs(a, "OVERFLOW") && rem >= 1:
			j++
			switch m := args[j]; {
			case strOptIs(m, "WRAP"):
				mode = bfWrap
			case strOptIs(m, "SAT"):
				mode = bfSat
			case strOptIs(m, "FAIL"):
				mode = bfFail
			default:
				c.Error(errs.BitfieldOverflow)
				return
			}
			continue
		default:
			c.Error(errs.Syntax)
			return
		}
		signed, width, ok := bfTypeArg(c, args[j+1])
		if !ok {
			return
		}
		off, ok := bitOffsetArg(c, args[j+2], true, width)
		if !ok {
			return
		}
		var n int64
		if op != bfGet {
			readOnly = false
			highest = max(highest, off+uint64(width)-1)
			if n, ok = c.Int(j + 3); !ok {
				return
			}
		}
		ops = append(ops, bfOp{offset: off, arg: n, op: op, overflow: mode, width: uint(width), signed: signed})
		if op == bfGet {
			j += 2
		} else {
			j += 3
		}
	}
	var s *value.String
	var p []byte
	grown := false
	if readOnly {
		sv, ok := strValue(c, c.DB.Read(args[1]))
		if !ok {
			return
		}
		if sv != nil {
			p = sv.Bytes()
		}
	} else {
		if readOnlyCmd {
			c.Error(errs.BitfieldReadOnly)
			return
		}
		var ok bool
		if s, grown, ok = bitWritable(c, highest); !ok {
			return
		}
	}
	c.Out.Array(len(ops))
	if s != nil {
		p = s.B
	}
	changes := false
	for i := range ops {
		o := &ops[i]
		old := bfGetBits(p, o.offset, o.width)
		if o.op == bfGet {
			if o.signed {
				c.Out.Int(bfSigned(old, o.width))
			} else {
				c.Out.Int(int64(old))
			}
			continue
		}
		var store uint64
		var reply int64
		var over int
		var same bool
		if o.signed {
			oldv := bfSigned(old, o.width)
			var limit, newv int64
			if o.op == bfIncrBy {
				over, limit = bfSignedOverflow(oldv, o.arg, o.width, o.overflow)
				newv = oldv + o.arg
				if over != 0 {
					newv = limit
				}
				reply = newv
			} else {
				newv = o.arg
				if over, limit = bfSignedOverflow(newv, 0, o.width, o.overflow); over != 0 {
					newv = limit
				}
				reply = oldv
			}
			store = uint64(newv)
			same = oldv == newv
		} else {
			var limit, newv uint64
			if o.op == bfIncrBy {
				newv = old + uint64(o.arg)
				if over, limit = bfUnsignedOverflow(old, o.arg, o.width, o.overflow); over != 0 {
					newv = limit
				}
				reply = int64(newv)
			} else {
				newv = uint64(o.arg)
				if over, limit = bfUnsignedOverflow(newv, 0, o.width, o.overflow); over != 0 {
					newv = limit
				}
				reply = int64(old)
			}
			store = newv
			same = old == newv
		}
		if over != 0 && o.overflow == bfFail {
			c.Out.Null()
			continue
		}
		c.Out.Int(reply)
		bfSetBits(p, o.offset, o.width, store)
		if grown || !same {
			changes = true
		}
	}
	if changes {
		c.Notify(notify.String, "setbit", c.Args[1])
	}
}
