package handler

import (
	"bytes"
	"math"
	"math/big"
	"slices"
	"strconv"

	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/notify"
	"github.com/ember-kv/ember/internal/value"
)

func init() {
	register(map[string]Func{
		"sort":    sortCmd,
		"sort_ro": sortROCmd,
	})
}

// sortOptions are SORT's parsed options.
type sortOptions struct {
	desc, alpha bool
	// dontsort is set by a BY pattern without '*' (BY nosort): the elements
	// keep their order. Once set, a later BY does not clear it (as Redis).
	dontsort               bool
	limitStart, limitCount int64
	by                     []byte   // BY pattern, nil without one
	gets                   [][]byte // GET patterns, in order
	store                  []byte   // STORE destination, nil without one
}

// sortItem is one element to sort: the element, its numeric weight and,
// for ALPHA with BY, the weight string (cmp; hasCmp false when the BY key
// is missing).
type sortItem struct {
	elem   []byte
	score  float64
	cmp    []byte
	hasCmp bool
}

// SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]]
// [ASC | DESC] [ALPHA] [STORE destination]
func sortCmd(c *Ctx) { sortGeneric(c, false) }

// SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]]
// [ASC | DESC] [ALPHA]
func sortROCmd(c *Ctx) { sortGeneric(c, true) }

// sortParse parses the options from argument 2 on; a failure has replied.
func sortParse(c *Ctx, readonly bool) (o sortOptions, ok bool) {
	o.limitCount = -1
	args := c.Args
	for j := 2; j < len(args); j++ {
		left := len(args) - j - 1
		switch a := args[j]; {
		case strOptIs(a, "ASC"):
			o.desc = false
		case strOptIs(a, "DESC"):
			o.desc = true
		case strOptIs(a, "ALPHA"):
			o.alpha = true
		case strOptIs(a, "LIMIT") && left >= 2:
			if o.limitStart, ok = c.Int(j + 1); !ok {
				return o, false
			}
			if o.limitCount, ok = c.Int(j + 2); !ok {
				return o, false
			}
			j += 2
		case !readonly && strOptIs(a, "STORE") && left >= 1:
			o.store = args[j+1]
			j++
		case strOptIs(a, "BY") && left >= 1:
			o.by = args[j+1]
			if bytes.IndexByte(sortCStr(o.by), '*') < 0 {
				o.dontsort = true
			}
			j++
		case strOptIs(a, "GET") && left >= 1:
			o.gets = append(o.gets, args[j+1])
			j++
		default:
			c.Error(errs.Syntax)
			return o, false
		}
	}
	return o, true
}

func sortGeneric(c *Ctx, readonly bool) {
	o, ok := sortParse(c, readonly)
	if !ok {
		return
	}
	key := c.Args[1]
	e := c.DB.Read(key)
	var src value.Value
	n := 0
	if e != nil {
		switch v := e.Value.(type) {
		case *value.List:
			n = v.Len()
		case *value.Set:
			n = v.Len()
		case *value.ZSet:
			if v.IsListpack() {
				// Redis turns a small sorted set into a skiplist for SORT,
				// for good.
				v = sortZSetToSkiplist(v)
				e.Value = v
				c.DB.Write(key) // its accounted size is measured again
			}
			n = v.Len()
		default:
			c.Error(errs.WrongType)
			return
		}
		src = e.Value
	}
	if _, isSet := src.(*value.Set); isSet && o.dontsort && (o.store != nil || inScript(c)) {
		// A stored set, or one a script reads, is sorted so that the
		// result does not depend on the set's internal order.
		o.dontsort, o.alpha, o.by = false, true, nil
	}

	// The range to return, clamped as Redis clamps it.
	vlen := int64(n)
	start := min(max(o.limitStart, 0), vlen)
	count := min(max(o.limitCount, -1), vlen)
	end := vlen - 1
	if count >= 0 {
		end = start + count - 1
	}
	if start >= vlen {
		start, end = vlen-1, vlen-2
	}
	if end >= vlen {
		end = vlen - 1
	}

	var items []sortItem
	add := func(b []byte) bool {
		items = append(items, sortItem{elem: bytes.Clone(b)})
		return true
	}
	switch v := src.(type) {
	case *value.List:
		if !o.dontsort {
			items = make([]sortItem, 0, n)
			v.Iter(0, false, add)
			break
		}
		// Unsorted: just the range, from the tail for DESC.
		if end >= start {
			want := int(end - start + 1)
			items = make([]sortItem, 0, want)
			first := int(start)
			if o.desc {
				first = n - 1 - int(start)
			}
			v.Iter(first, o.desc, func(b []byte) bool {
				add(b)
				return len(items) < want
			})
			end -= start
			start = 0
		}
	case *value.Set:
		items = make([]sortItem, 0, n)
		var tmp [20]byte
		v.Each(func(m value.SetMember) bool {
			if m.IsInt {
				return add(strconv.AppendInt(tmp[:0], m.N, 10))
			}
			return add([]byte(m.S))
		})
	case *value.ZSet:
		if !o.dontsort {
			items = make([]sortItem, 0, n)
			for it := v.Iter(0); it.Valid(); it.Next() {
				add(it.Member())
			}
			break
		}
		// Unsorted: score order (reversed for DESC), just the range.
		want := int(end - start + 1)
		items = make([]sortItem, 0, max(want, 0))
		if want > 0 {
			if o.desc {
				for it := v.Iter(n - 1 - int(start)); it.Valid() && len(items) < want; it.Prev() {
					add(it.Member())
				}
			} else {
				for it := v.Iter(int(start)); it.Valid() && len(items) < want; it.Next() {
					add(it.Member())
				}
			}
		}
		end -= start
		start = 0
	}

	notDouble := false
	if !o.dontsort {
		for i := range items {
			it := &items[i]
			w := it.elem
			if o.by != nil {
				var found bool
				if w, found = sortLookup(c, o.by, it.elem); !found {
					continue
				}
			}
			if o.alpha {
				if o.by != nil {
					it.cmp, it.hasCmp = bytes.Clone(w), true
				}
				continue
			}
			var good bool
			if it.score, good = sortStrtod(w); !good {
				notDouble = true
			}
		}
		slices.SortStableFunc(items, sortCompare(&o))
	}

	if notDouble {
		c.Error(errs.SortNotDouble)
		return
	}
	rows := int(end - start + 1)
	outLen := rows
	if len(o.gets) > 0 {
		outLen = rows * len(o.gets)
	}
	if o.store == nil {
		c.Out.Array(outLen)
		for j := start; j <= end; j++ {
			elem := items[j].elem
			if len(o.gets) == 0 {
				c.Out.Bulk(elem)
			}
			for _, pat := range o.gets {
				if v, found := sortLookup(c, pat, elem); found {
					c.Out.Bulk(v)
				} else {
					c.Out.Null()
				}
			}
		}
		return
	}
	list := value.NewList()
	for j := start; j <= end; j++ {
		elem := items[j].elem
		if len(o.gets) == 0 {
			list.PushBack(elem)
		}
		for _, pat := range o.gets {
			v, _ := sortLookup(c, pat, elem)
			list.PushBack(v)
		}
	}
	if outLen > 0 {
		c.DB.Set(o.store, list)
		c.Notify(notify.List, "sortstore", o.store)
	} else if c.DB.Delete(o.store) {
		c.Notify(notify.Generic, "del", o.store)
	}
	c.Out.Int(int64(outLen))
}

// sortCompare orders the items as SORT does: by weight (ties broken by
// comparing the elements' bytes), or ALPHA by the element or its BY
// string (a missing BY key first). Without STORE, ALPHA compares as C's
// strcoll in the C locale: bytes up to the first NUL.
func sortCompare(o *sortOptions) func(a, b sortItem) int {
	strCmp := bytes.Compare
	if o.store == nil {
		strCmp = func(a, b []byte) int { return bytes.Compare(sortCStr(a), sortCStr(b)) }
	}
	sign := 1
	if o.desc {
		sign = -1
	}
	switch {
	case !o.alpha:
		return func(a, b sortItem) int {
			switch {
			case a.score > b.score:
				return sign
			case a.score < b.score:
				return -sign
			}
			return sign * bytes.Compare(a.elem, b.elem)
		}
	case o.by != nil:
		return func(a, b sortItem) int {
			switch {
			case a.hasCmp && b.hasCmp:
				return sign * strCmp(a.cmp, b.cmp)
			case a.hasCmp:
				return sign
			case b.hasCmp:
				return -sign
			}
			return 0
		}
	default:
		return func(a, b sortItem) int { return sign * strCmp(a.elem, b.elem) }
	}
}

// sortZSetToSkiplist returns z in the skiplist encoding.
func sortZSetToSkiplist(z *value.ZSet) *value.ZSet {
	entries := make([]value.ZEntry, 0, z.Len())
	for it := z.Iter(0); it.Valid(); it.Next() {
		entries = append(entries, value.ZEntry{Member: string(it.Member()), Score: it.Score()})
	}
	return value.NewZSetSorted(entries, value.ZLimits{MaxEntries: -1, MaxValue: -1})
}

// sortCStr is b as C's string functions see it: up to its first NUL.
func sortCStr(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// sortLookup resolves a BY or GET pattern for elem: "#" is the element
// itself; otherwise the first '*' is replaced by the element to name a
// string key, or, with "->field" after the '*', a hash and its field.
// found is false for a pattern without '*', a missing key or field, or a
// key of another type. Like Redis, it reads the pattern as a C string when
// looking for '#', '*' and "->", but uses all of it to build the names.
func sortLookup(c *Ctx, pat, elem []byte) (v []byte, found bool) {
	if len(pat) > 0 && pat[0] == '#' && (len(pat) == 1 || pat[1] == 0) {
		return elem, true
	}
	cs := sortCStr(pat)
	star := bytes.IndexByte(cs, '*')
	if star < 0 {
		return nil, false
	}
	var field []byte
	keyEnd := len(pat)
	if f := bytes.Index(cs[star+1:], []byte("->")); f >= 0 {
		at := star + 1 + f
		if at+2 < len(cs) {
			field = pat[at+2:]
			keyEnd = at
		}
	}
	name := make([]byte, 0, len(pat)+len(elem))
	name = append(name, pat[:star]...)
	name = append(name, elem...)
	name = append(name, pat[star+1:keyEnd]...)
	e := c.DB.Read(name)
	if e == nil {
		return nil, false
	}
	if field != nil {
		h, ok := e.Value.(*value.Hash)
		if !ok {
			return nil, false
		}
		return h.Get(field)
	}
	s, ok := e.Value.(value.StringValue)
	if !ok {
		return nil, false
	}
	return s.Bytes(), true
}

// sortStrtod reads a weight as SORT does with C's strtod: the argument up
// to its first NUL must convert whole (leading white space allowed; an
// empty string is 0), and the result may be neither NaN nor out of range
// (overflow, or an inexact result below the smallest normal double).
func sortStrtod(b []byte) (float64, bool) {
	s := sortCStr(b)
	if len(s) == 0 {
		return 0, true
	}
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	start := i
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	rest := s[i:]
	sortFold := func(word string) bool {
		return len(rest) == len(word) && bytes.EqualFold(rest, []byte(word))
	}
	switch {
	case sortFold("inf"), sortFold("infinity"):
		if neg {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case len(rest) >= 3 && bytes.EqualFold(rest[:3], []byte("nan")):
		return 0, false
	}
	var text []byte
	nonzero := false
	digit := func(ch byte, hex bool) bool {
		return ch >= '0' && ch <= '9' || hex && (ch|0x20 >= 'a' && ch|0x20 <= 'f')
	}
	mantissa := func(j int, hex bool) (int, int) {
		digits := 0
		for j < len(s) && digit(s[j], hex) {
			nonzero = nonzero || s[j] != '0'
			j++
			digits++
		}
		if j < len(s) && s[j] == '.' {
			k := j + 1
			for k < len(s) && digit(s[k], hex) {
				nonzero = nonzero || s[k] != '0'
				k++
				digits++
			}
			if digits > 0 {
				j = k
			}
		}
		return j, digits
	}
	exponent := func(j int, marker byte) int {
		if j >= len(s) || s[j]|0x20 != marker {
			return j
		}
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k >= len(s) || s[k] < '0' || s[k] > '9' {
			return j
		}
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		return k
	}
	hex := false
	end := 0
	if len(rest) > 2 && rest[0] == '0' && rest[1]|0x20 == 'x' {
		if j, digits := mantissa(i+2, true); digits > 0 {
			hex = true
			end = exponent(j, 'p')
			text = append(text, s[start:j]...)
			if end > j {
				text = append(text, s[j:end]...)
			} else {
				text = append(text, 'p', '0')
			}
		}
	}
	if !hex {
		nonzero = false
		j, digits := mantissa(i, false)
		if digits == 0 {
			return 0, false // nothing converts: the text is not empty
		}
		end = exponent(j, 'e')
		text = s[start:end]
	}
	if end != len(s) {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(text), 64)
	if err != nil || (v == 0 && nonzero) {
		return 0, false
	}
	if v != 0 && math.Abs(v) < 0x1p-1022 {
		// Below the normal range strtod reports ERANGE unless exact.
		r, ok := new(big.Rat).SetString(string(text))
		if !ok || r.Cmp(new(big.Rat).SetFloat64(v)) != 0 {
			return 0, false
		}
	}
	return v, true
}
