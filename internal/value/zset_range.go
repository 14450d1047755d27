// Score and lex intervals of sorted sets, and the searches over them.

package value

import (
	"bytes"
	"math"
)

// ZScoreRange is a score interval; Min/Max are exclusive when MinEx/MaxEx.
type ZScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool
}

// GteMin reports whether s is at or above the range's lower end.
func (r *ZScoreRange) GteMin(s float64) bool {
	if r.MinEx {
		return s > r.Min
	}
	return s >= r.Min
}

// LteMax reports whether s is at or below the range's upper end.
func (r *ZScoreRange) LteMax(s float64) bool {
	if r.MaxEx {
		return s < r.Max
	}
	return s <= r.Max
}

// empty reports the ranges that can hold nothing.
func (r *ZScoreRange) empty() bool {
	return r.Min > r.Max || (r.Min == r.Max && (r.MinEx || r.MaxEx))
}

// ParseZScoreRange parses ZRANGEBYSCORE-style bounds: a float as C's strtod
// reads it (leading spaces, "inf", hex floats; the argument read as a C
// string, so up to a NUL byte), optionally prefixed by '(' for an exclusive
// bound. NaN is refused.
func ParseZScoreRange(min, max []byte) (ZScoreRange, bool) {
	var r ZScoreRange
	var ok bool
	if r.Min, r.MinEx, ok = zsParseBound(min); !ok {
		return r, false
	}
	if r.Max, r.MaxEx, ok = zsParseBound(max); !ok {
		return r, false
	}
	return r, true
}

func zsParseBound(b []byte) (float64, bool, bool) {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	ex := false
	if len(b) > 0 && b[0] == '(' {
		ex = true
		b = b[1:]
	}
	v, n, _ := zsStrtod(b)
	if n != len(b) || math.IsNaN(v) {
		return 0, false, false
	}
	return v, ex, true
}

// ZLexRange is a range of members for the BYLEX commands.
type ZLexRange struct {
	Min, Max     zsLexBound
	MinEx, MaxEx bool
}

// zsLexBound is a lexicographic bound: a string, or "-" / "+" (lower and
// upper than every string).
type zsLexBound struct {
	s    []byte
	kind int8 // -1 "-", +1 "+", 0 s
}

func zsLexCmp(a, b *zsLexBound) int {
	if a.kind == b.kind && a.kind != 0 {
		return 0
	}
	if a.kind == -1 || b.kind == 1 {
		return -1
	}
	if a.kind == 1 || b.kind == -1 {
		return 1
	}
	return bytes.Compare(a.s, b.s)
}

// cmpValue compares a member with the bound.
func (b *zsLexBound) cmpValue(v []byte) int {
	switch b.kind {
	case -1:
		return 1
	case 1:
		return -1
	}
	return bytes.Compare(v, b.s)
}

// GteMin reports whether member is at or above the range's lower end.
func (r *ZLexRange) GteMin(member []byte) bool {
	c := r.Min.cmpValue(member)
	if r.MinEx {
		return c > 0
	}
	return c >= 0
}

// LteMax reports whether member is at or below the range's upper end.
func (r *ZLexRange) LteMax(member []byte) bool {
	c := r.Max.cmpValue(member)
	if r.MaxEx {
		return c < 0
	}
	return c <= 0
}

func (r *ZLexRange) empty() bool {
	c := zsLexCmp(&r.Min, &r.Max)
	return c > 0 || (c == 0 && (r.MinEx || r.MaxEx))
}

// ParseZLexRange parses BYLEX bounds: "[s" inclusive, "(s" exclusive, "-"
// and "+" the ends. The strings alias the arguments.
func ParseZLexRange(min, max []byte) (ZLexRange, bool) {
	var r ZLexRange
	var ok bool
	if r.Min, r.MinEx, ok = zsParseLexItem(min); !ok {
		return r, false
	}
	if r.Max, r.MaxEx, ok = zsParseLexItem(max); !ok {
		return r, false
	}
	return r, true
}

func zsParseLexItem(b []byte) (zsLexBound, bool, bool) {
	if len(b) == 0 {
		return zsLexBound{}, false, false
	}
	switch b[0] {
	case '+', '-':
		// Redis checks the next C character: a NUL ends the string.
		if len(b) > 1 && b[1] != 0 {
			return zsLexBound{}, false, false
		}
		if b[0] == '+' {
			return zsLexBound{kind: 1}, true, true
		}
		return zsLexBound{kind: -1}, true, true
	case '(':
		return zsLexBound{s: b[1:]}, true, true
	case '[':
		return zsLexBound{s: b[1:]}, false, true
	}
	return zsLexBound{}, false, false
}

// FirstInScore returns the rank of the first member in r.
func (z *ZSet) FirstInScore(r *ZScoreRange) (int, bool) {
	n := z.Len()
	if r.empty() || n == 0 {
		return 0, false
	}
	var rank int
	if z.big != nil {
		rank = z.big.rankFirst(func(it *zsItem) bool { return r.GteMin(it.score) })
	} else {
		for off := 0; off < len(z.lp); rank++ {
			_, s, next := zlpDecode(z.lp, off)
			if r.GteMin(s) {
				break
			}
			off = next
		}
	}
	if rank >= n {
		return 0, false
	}
	if !r.LteMax(z.scoreAt(rank)) {
		return 0, false
	}
	return rank, true
}

// LastInScore returns the rank of the last member in r.
func (z *ZSet) LastInScore(r *ZScoreRange) (int, bool) {
	n := z.Len()
	if r.empty() || n == 0 {
		return 0, false
	}
	var rank int
	if z.big != nil {
		rank = z.big.rankFirst(func(it *zsItem) bool { return !r.LteMax(it.score) }) - 1
	} else {
		rank = n - 1
		for it := z.Iter(n - 1); it.Valid(); it.Prev() {
			if r.LteMax(it.Score()) {
				break
			}
			rank--
		}
	}
	if rank < 0 || !r.GteMin(z.scoreAt(rank)) {
		return 0, false
	}
	return rank, true
}

// CountScore counts the members in r.
func (z *ZSet) CountScore(r *ZScoreRange) int {
	first, ok := z.FirstInScore(r)
	if !ok {
		return 0
	}
	if z.big != nil {
		last, _ := z.LastInScore(r)
		return last - first + 1
	}
	n := 0
	for it := z.Iter(first); it.Valid() && r.LteMax(it.Score()); it.Next() {
		n++
	}
	return n
}

// lexInRange is Redis's check that the range can overlap the set at all,
// from its first and last members.
func (z *ZSet) lexInRange(r *ZLexRange) bool {
	n := z.Len()
	if r.empty() || n == 0 {
		return false
	}
	last := z.Iter(n - 1)
	if !r.GteMin(last.Member()) {
		return false
	}
	return r.LteMax(z.Iter(0).Member())
}

// FirstInLex returns the rank of the first member in r. Lexicographic
// ranges assume every member has the same score; otherwise the answer is
// what Redis's scan of the same encoding finds.
func (z *ZSet) FirstInLex(r *ZLexRange) (int, bool) {
	if !z.lexInRange(r) {
		return 0, false
	}
	var rank int
	var it ZIter
	if z.big != nil {
		rank = z.big.rankFirst(func(it *zsItem) bool { return r.GteMin(zsBytes(it.member)) })
		it = z.Iter(rank)
	} else {
		for it = z.Iter(0); it.Valid() && !r.GteMin(it.Member()); it.Next() {
			rank++
		}
	}
	if !it.Valid() || !r.LteMax(it.Member()) {
		return 0, false
	}
	return rank, true
}

// LastInLex returns the rank of the last member in r.
func (z *ZSet) LastInLex(r *ZLexRange) (int, bool) {
	if !z.lexInRange(r) {
		return 0, false
	}
	var rank int
	var it ZIter
	if z.big != nil {
		rank = z.big.rankFirst(func(it *zsItem) bool { return !r.LteMax(zsBytes(it.member)) }) - 1
		if rank < 0 {
			return 0, false
		}
		it = z.Iter(rank)
	} else {
		rank = z.n - 1
		for it = z.Iter(rank); it.Valid() && !r.LteMax(it.Member()); it.Prev() {
			rank--
		}
	}
	if !it.Valid() || !r.GteMin(it.Member()) {
		return 0, false
	}
	return rank, true
}

// CountLex counts the members in r.
func (z *ZSet) CountLex(r *ZLexRange) int {
	first, ok := z.FirstInLex(r)
	if !ok {
		return 0
	}
	if z.big != nil {
		last, ok := z.LastInLex(r)
		if !ok {
			return 0
		}
		return last - first + 1
	}
	n := 0
	for it := z.Iter(first); it.Valid() && r.LteMax(it.Member()); it.Next() {
		n++
	}
	return n
}

func (z *ZSet) scoreAt(rank int) float64 { return z.Iter(rank).Score() }
