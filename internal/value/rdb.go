package value

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strconv"

	"github.com/ember-kv/ember/internal/rdb"
	"github.com/ember-kv/ember/resp"
)

// DUMP / RESTORE payloads: one value in Redis's RDB object format, then
// the footer (RDB version and CRC-64, see package rdb). Ember writes RDB
// version 10 (Redis 7.0) and reads every object type Redis 7.0 reads
// except modules and streams.

// RDB object types.
const (
	rdbString          = 0
	rdbList            = 1
	rdbSet             = 2
	rdbZSet            = 3
	rdbHash            = 4
	rdbZSet2           = 5
	rdbHashZipmap      = 9
	rdbListZiplist     = 10
	rdbSetIntset       = 11
	rdbZSetZiplist     = 12
	rdbHashZiplist     = 13
	rdbListQuicklist   = 14
	rdbHashListpack    = 16
	rdbZSetListpack    = 17
	rdbListQuicklist2  = 18
	rdbQuicklistPlain  = 1
	rdbQuicklistPacked = 2
)

// ErrRDBUnsupported is returned by DumpPayload for a type it cannot write.
var ErrRDBUnsupported = errors.New("value type not supported by DUMP")

// errRDB is any malformed payload.
var errRDB = rdb.ErrFormat

// RDBLimits are the encoding thresholds RESTORE builds values with.
type RDBLimits struct {
	HashEntries, HashValue int
	SetIntset              int
	ZSet                   ZLimits
}

// CheckPayload reports whether p ends with a supported RDB version and
// the right checksum.
func CheckPayload(p []byte) bool { return rdb.CheckFooter(p) }

// ---- writing ----

// lpAppendEntry appends one listpack entry holding s (as an integer when
// it is one).
func lpAppendEntry(b, s []byte) []byte {
	start := len(b)
	if n, ok := resp.ParseInt(s); ok && len(s) <= 20 {
		switch {
		case n >= 0 && n <= 127:
			b = append(b, byte(n))
		case n >= -4096 && n <= 4095:
			u := uint16(n) & 0x1fff
			b = append(b, 0xc0|byte(u>>8), byte(u))
		case n >= math.MinInt16 && n <= math.MaxInt16:
			b = binary.LittleEndian.AppendUint16(append(b, 0xf1), uint16(n))
		case n >= -1<<23 && n < 1<<23:
			u := uint32(n)
			b = append(b, 0xf2, byte(u), byte(u>>8), byte(u>>16))
		case n >= math.MinInt32 && n <= math.MaxInt32:
			b = binary.LittleEndian.AppendUint32(append(b, 0xf3), uint32(n))
		default:
			b = binary.LittleEndian.AppendUint64(append(b, 0xf4), uint64(n))
		}
	} else {
		switch l := len(s); {
		case l < 64:
			b = append(b, 0x80|byte(l))
		case l < 4096:
			b = append(b, 0xe0|byte(l>>8), byte(l))
		default:
			b = binary.LittleEndian.AppendUint32(append(b, 0xf0), uint32(l))
		}
		b = append(b, s...)
	}
	// The back length: the entry's size, 7 bits per byte, read backwards.
	l := uint64(len(b) - start)
	switch {
	case l < 128:
		b = append(b, byte(l))
	case l < 16384:
		b = append(b, byte(l>>7), byte(l&127)|128)
	case l < 2097152:
		b = append(b, byte(l>>14), byte((l>>7)&127)|128, byte(l&127)|128)
	case l < 268435456:
		b = append(b, byte(l>>21), byte((l>>14)&127)|128, byte((l>>7)&127)|128, byte(l&127)|128)
	default:
		b = append(b, byte(l>>28), byte((l>>21)&127)|128, byte((l>>14)&127)|128, byte((l>>7)&127)|128, byte(l&127)|128)
	}
	return b
}

// listpack accumulates entries and renders the whole listpack.
type listpack struct {
	body []byte
	n    int
}

func (lp *listpack) add(s []byte) {
	lp.body = lpAppendEntry(lp.body, s)
	lp.n++
}

func (lp *listpack) bytes() []byte {
	out := make([]byte, 6, 6+len(lp.body)+1)
	binary.LittleEndian.PutUint32(out, uint32(6+len(lp.body)+1))
	binary.LittleEndian.PutUint16(out[4:], uint16(min(lp.n, 65535)))
	out = append(out, lp.body...)
	return append(out, 0xff)
}

// lpNodeBytes is the size a list's packed nodes are kept under, as Redis's
// default list-max-listpack-size (-2: 8 KB).
const lpNodeBytes = 8 << 10

// DumpPayload serializes v as DUMP does with rdbcompression on: byte for
// byte what Redis writes for the same encoding (and, for hash tables,
// the same iteration order).
func DumpPayload(v Value) ([]byte, error) { return DumpPayloadWith(v, true) }

// DumpPayloadWith is DumpPayload with rdbcompression given: when lzf is
// false no string is LZF-compressed.
func DumpPayloadWith(v Value, lzf bool) ([]byte, error) {
	appendString := rdb.AppendStringNoLZF
	if lzf {
		appendString = rdb.AppendString
	}
	var b []byte
	switch v := v.(type) {
	case StringValue:
		b = append(b, rdbString)
		b = appendString(b, v.Bytes())
	case *List:
		b = append(b, rdbListQuicklist2)
		var nodes [][]byte
		var lp listpack
		v.Iter(0, false, func(e []byte) bool {
			if lp.n > 0 && len(lp.body)+len(e)+11 > lpNodeBytes {
				nodes = append(nodes, lp.bytes())
				lp = listpack{}
			}
			lp.add(e)
			return true
		})
		if lp.n > 0 {
			nodes = append(nodes, lp.bytes())
		}
		b = rdb.AppendLen(b, uint64(len(nodes)))
		for _, n := range nodes {
			b = rdb.AppendLen(b, rdbQuicklistPacked)
			b = appendString(b, n)
		}
	case *Set:
		if v.IsIntset() {
			b = append(b, rdbSetIntset)
			var ints []int64
			width := 2
			v.Each(func(m SetMember) bool {
				ints = append(ints, m.N)
				switch {
				case m.N < math.MinInt32 || m.N > math.MaxInt32:
					width = 8
				case (m.N < math.MinInt16 || m.N > math.MaxInt16) && width < 4:
					width = 4
				}
				return true
			})
			slices.Sort(ints)
			is := make([]byte, 8, 8+width*len(ints))
			binary.LittleEndian.PutUint32(is, uint32(width))
			binary.LittleEndian.PutUint32(is[4:], uint32(len(ints)))
			for _, n := range ints {
				switch width {
				case 2:
					is = binary.LittleEndian.AppendUint16(is, uint16(n))
				case 4:
					is = binary.LittleEndian.AppendUint32(is, uint32(n))
				default:
					is = binary.LittleEndian.AppendUint64(is, uint64(n))
				}
			}
			b = appendString(b, is)
			break
		}
		b = append(b, rdbSet)
		b = rdb.AppendLen(b, uint64(v.Len()))
		v.Each(func(m SetMember) bool {
			b = appendString(b, []byte(m.String()))
			return true
		})
	case *Hash:
		if v.IsListpack() {
			b = append(b, rdbHashListpack)
			var lp listpack
			v.Range(func(f, val []byte) bool {
				lp.add(f)
				lp.add(val)
				return true
			})
			b = appendString(b, lp.bytes())
			break
		}
		b = append(b, rdbHash)
		b = rdb.AppendLen(b, uint64(v.Len()))
		v.Range(func(f, val []byte) bool {
			b = appendString(b, f)
			b = appendString(b, val)
			return true
		})
	case *ZSet:
		if v.IsListpack() {
			b = append(b, rdbZSetListpack)
			var lp listpack
			var num []byte
			for it := v.Iter(0); it.Valid(); it.Next() {
				lp.add(it.Member())
				num = v.AppendScanScore(num[:0], it.Score())
				lp.add(num)
			}
			b = appendString(b, lp.bytes())
			break
		}
		b = append(b, rdbZSet2)
		b = rdb.AppendLen(b, uint64(v.Len()))
		// Highest first, as Redis writes it (it loads faster that way).
		for r := v.Len() - 1; r >= 0; r-- {
			it := v.Iter(r)
			b = appendString(b, it.Member())
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(it.Score()))
		}
	default:
		return nil, ErrRDBUnsupported
	}
	return rdb.AppendFooter(b), nil
}

// ---- reading ----

// ziplistEntries decodes a ziplist into its entries.
func ziplistEntries(zl []byte) ([][]byte, error) {
	if len(zl) < 11 || int(binary.LittleEndian.Uint32(zl)) != len(zl) || zl[len(zl)-1] != 0xff {
		return nil, errRDB
	}
	var out [][]byte
	p := 10
	for {
		if p >= len(zl) {
			return nil, errRDB
		}
		if zl[p] == 0xff {
			break
		}
		// previous entry length
		if zl[p] == 0xfe {
			p += 5
		} else {
			p++
		}
		if p >= len(zl) {
			return nil, errRDB
		}
		c := zl[p]
		var v []byte
		var strLen, hdr int
		isStr := true
		switch c >> 6 {
		case 0:
			strLen, hdr = int(c&0x3f), 1
		case 1:
			if p+1 >= len(zl) {
				return nil, errRDB
			}
			strLen, hdr = int(c&0x3f)<<8|int(zl[p+1]), 2
		case 2:
			if p+4 >= len(zl) {
				return nil, errRDB
			}
			strLen, hdr = int(binary.BigEndian.Uint32(zl[p+1:])), 5
		default:
			isStr = false
		}
		if isStr {
			if strLen < 0 || p+hdr+strLen > len(zl)-1 {
				return nil, errRDB
			}
			v = append([]byte(nil), zl[p+hdr:p+hdr+strLen]...)
			p += hdr + strLen
		} else {
			var n int64
			var size int
			switch {
			case c == 0xc0:
				size = 2
			case c == 0xd0:
				size = 4
			case c == 0xe0:
				size = 8
			case c == 0xf0:
				size = 3
			case c == 0xfe:
				size = 1
			case c >= 0xf1 && c <= 0xfd:
				n = int64(c&0x0f) - 1
			default:
				return nil, errRDB
			}
			if p+1+size > len(zl)-1 {
				return nil, errRDB
			}
			if size > 0 {
				n = leInt(zl[p+1 : p+1+size])
			}
			v = strconv.AppendInt(nil, n, 10)
			p += 1 + size
		}
		out = append(out, v)
	}
	if p != len(zl)-1 {
		return nil, errRDB
	}
	return out, nil
}

// listpackEntries decodes a listpack into its entries.
func listpackEntries(lp []byte) ([][]byte, error) {
	if len(lp) < 7 || int(binary.LittleEndian.Uint32(lp)) != len(lp) || lp[len(lp)-1] != 0xff {
		return nil, errRDB
	}
	count := int(binary.LittleEndian.Uint16(lp[4:]))
	var out [][]byte
	p := 6
	end := len(lp) - 1
	for p < end {
		c := lp[p]
		start := p
		var v []byte
		need := func(k int) bool { return p+k <= end }
		switch {
		case c&0x80 == 0:
			v = strconv.AppendInt(nil, int64(c), 10)
			p++
		case c&0xc0 == 0x80:
			l := int(c & 0x3f)
			if !need(1 + l) {
				return nil, errRDB
			}
			v = append([]byte(nil), lp[p+1:p+1+l]...)
			p += 1 + l
		case c&0xe0 == 0xc0:
			if !need(2) {
				return nil, errRDB
			}
			u := int64(c&0x1f)<<8 | int64(lp[p+1])
			if u >= 1<<12 {
				u -= 1 << 13
			}
			v = strconv.AppendInt(nil, u, 10)
			p += 2
		case c&0xf0 == 0xe0:
			if !need(2) {
				return nil, errRDB
			}
			l := int(c&0x0f)<<8 | int(lp[p+1])
			if !need(2 + l) {
				return nil, errRDB
			}
			v = append([]byte(nil), lp[p+2:p+2+l]...)
			p += 2 + l
		case c == 0xf0:
			if !need(5) {
				return nil, errRDB
			}
			l := int(binary.LittleEndian.Uint32(lp[p+1:]))
			if l < 0 || !need(5+l) {
				return nil, errRDB
			}
			v = append([]byte(nil), lp[p+5:p+5+l]...)
			p += 5 + l
		case c >= 0xf1 && c <= 0xf4:
			size := [...]int{2, 3, 4, 8}[c-0xf1]
			if !need(1 + size) {
				return nil, errRDB
			}
			v = strconv.AppendInt(nil, leInt(lp[p+1:p+1+size]), 10)
			p += 1 + size
		default:
			return nil, errRDB
		}
		// Skip the back length, checking it matches.
		l := uint64(p - start)
		bl := 1
		for x := l; x >= 128; x >>= 7 {
			bl++
		}
		if !need(bl) {
			return nil, errRDB
		}
		p += bl
		out = append(out, v)
	}
	if p != end || (count != 65535 && count != len(out)) {
		return nil, errRDB
	}
	return out, nil
}

// intsetMembers decodes an intset.
func intsetMembers(is []byte) ([]int64, error) {
	if len(is) < 8 {
		return nil, errRDB
	}
	width := int(binary.LittleEndian.Uint32(is))
	n := int(binary.LittleEndian.Uint32(is[4:]))
	if (width != 2 && width != 4 && width != 8) || n < 0 || len(is) != 8+width*n {
		return nil, errRDB
	}
	out := make([]int64, n)
	for i := range out {
		d := is[8+i*width:]
		switch width {
		case 2:
			out[i] = int64(int16(binary.LittleEndian.Uint16(d)))
		case 4:
			out[i] = int64(int32(binary.LittleEndian.Uint32(d)))
		default:
			out[i] = int64(binary.LittleEndian.Uint64(d))
		}
		if i > 0 && out[i] <= out[i-1] {
			return nil, errRDB
		}
	}
	return out, nil
}

// zipmapPairs decodes a zipmap (field, value, field, value...).
func zipmapPairs(zm []byte) ([][]byte, error) {
	if len(zm) < 2 {
		return nil, errRDB
	}
	var out [][]byte
	p := 1
	readLen := func() (int, bool) {
		if p >= len(zm) {
			return 0, false
		}
		c := zm[p]
		if c < 254 {
			p++
			return int(c), true
		}
		if c == 254 && p+5 <= len(zm) {
			l := int(binary.LittleEndian.Uint32(zm[p+1:]))
			p += 5
			return l, true
		}
		return 0, false
	}
	for {
		if p >= len(zm) {
			return nil, errRDB
		}
		if zm[p] == 0xff {
			break
		}
		kl, ok := readLen()
		if !ok || kl < 0 || p+kl > len(zm) {
			return nil, errRDB
		}
		out = append(out, append([]byte(nil), zm[p:p+kl]...))
		p += kl
		vl, ok := readLen()
		if !ok || vl < 0 || p >= len(zm) {
			return nil, errRDB
		}
		free := int(zm[p])
		p++
		if p+vl+free > len(zm) {
			return nil, errRDB
		}
		out = append(out, append([]byte(nil), zm[p:p+vl]...))
		p += vl + free
	}
	if p != len(zm)-1 {
		return nil, errRDB
	}
	return out, nil
}

// LoadPayload decodes a DUMP payload (already checked by CheckPayload)
// into a new value, encoded by lim as if built by commands. A payload
// that is malformed, holds an empty collection or duplicates, or a type
// Ember does not read, is an error.
func LoadPayload(p []byte, lim RDBLimits) (Value, error) {
	// Like Redis, the object may run into the footer: read the whole
	// payload.
	r := rdb.NewReader(p)
	t, err := r.Byte()
	if err != nil {
		return nil, err
	}
	var v Value
	switch t {
	case rdbString:
		s, err := r.String()
		if err != nil {
			return nil, err
		}
		return NewPackedString(s), nil
	case rdbList, rdbListZiplist, rdbListQuicklist, rdbListQuicklist2:
		v, err = loadList(r, t)
	case rdbSet, rdbSetIntset:
		v, err = loadSet(r, t, lim)
	case rdbZSet, rdbZSet2, rdbZSetZiplist, rdbZSetListpack:
		v, err = loadZSet(r, t, lim)
	case rdbHash, rdbHashZipmap, rdbHashZiplist, rdbHashListpack:
		v, err = loadHash(r, t, lim)
	default:
		return nil, errRDB
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

func loadList(r *rdb.Reader, t byte) (Value, error) {
	l := NewList()
	push := func(vals [][]byte) {
		for _, x := range vals {
			l.PushBack(x)
		}
	}
	switch t {
	case rdbList:
		n, err := r.Count()
		if err != nil {
			return nil, err
		}
		for range n {
			s, err := r.String()
			if err != nil {
				return nil, err
			}
			l.PushBack(s)
		}
	case rdbListZiplist:
		zl, err := r.String()
		if err != nil {
			return nil, err
		}
		vals, err := ziplistEntries(zl)
		if err != nil {
			return nil, err
		}
		push(vals)
	default:
		n, err := r.Count()
		if err != nil {
			return nil, err
		}
		for range n {
			container := rdbQuicklistPacked
			if t == rdbListQuicklist2 {
				if container, err = r.Count(); err != nil ||
					(container != rdbQuicklistPlain && container != rdbQuicklistPacked) {
					return nil, errRDB
				}
			}
			blob, err := r.String()
			if err != nil {
				return nil, err
			}
			switch {
			case container == rdbQuicklistPlain:
				l.PushBack(blob)
				continue
			case t == rdbListQuicklist:
				vals, err := ziplistEntries(blob)
				if err != nil {
					return nil, err
				}
				push(vals)
			default:
				vals, err := listpackEntries(blob)
				if err != nil {
					return nil, err
				}
				push(vals)
			}
		}
	}
	if l.Len() == 0 {
		return nil, errRDB
	}
	return l, nil
}

func loadSet(r *rdb.Reader, t byte, lim RDBLimits) (Value, error) {
	s := NewSet()
	if t == rdbSetIntset {
		blob, err := r.String()
		if err != nil {
			return nil, err
		}
		ints, err := intsetMembers(blob)
		if err != nil {
			return nil, err
		}
		for _, n := range ints {
			s.AddInt(n, lim.SetIntset)
		}
	} else {
		n, err := r.Count()
		if err != nil {
			return nil, err
		}
		for range n {
			m, err := r.String()
			if err != nil {
				return nil, err
			}
			if !s.Add(m, lim.SetIntset) {
				return nil, errRDB // duplicate member
			}
		}
	}
	if s.Len() == 0 {
		return nil, errRDB
	}
	return s, nil
}

func loadZSet(r *rdb.Reader, t byte, lim RDBLimits) (Value, error) {
	z := NewZSet(0, 0, lim.ZSet)
	add := func(m []byte, score float64) error {
		if math.IsNaN(score) {
			return errRDB
		}
		if res, _ := z.Add(m, score, ZAddNX, lim.ZSet); res != ZAddAdded {
			return errRDB // duplicate member
		}
		return nil
	}
	switch t {
	case rdbZSet, rdbZSet2:
		n, err := r.Count()
		if err != nil {
			return nil, err
		}
		for range n {
			m, err := r.String()
			if err != nil {
				return nil, err
			}
			var score float64
			if t == rdbZSet2 {
				d, err := r.Take(8)
				if err != nil {
					return nil, err
				}
				score = math.Float64frombits(binary.LittleEndian.Uint64(d))
			} else {
				c, err := r.Byte()
				if err != nil {
					return nil, err
				}
				switch c {
				case 253:
					score = math.NaN()
				case 254:
					score = math.Inf(1)
				case 255:
					score = math.Inf(-1)
				default:
					d, err := r.Take(uint64(c))
					if err != nil {
						return nil, err
					}
					if score, err = strconv.ParseFloat(string(d), 64); err != nil {
						return nil, errRDB
					}
				}
			}
			if err := add(m, score); err != nil {
				return nil, err
			}
		}
	default:
		blob, err := r.String()
		if err != nil {
			return nil, err
		}
		var vals [][]byte
		if t == rdbZSetZiplist {
			vals, err = ziplistEntries(blob)
		} else {
			vals, err = listpackEntries(blob)
		}
		if err != nil || len(vals)%2 != 0 {
			return nil, errRDB
		}
		for i := 0; i < len(vals); i += 2 {
			score, err := strconv.ParseFloat(string(vals[i+1]), 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return nil, errRDB
			}
			if err := add(vals[i], score); err != nil {
				return nil, err
			}
		}
	}
	if z.Len() == 0 {
		return nil, errRDB
	}
	return z, nil
}

func loadHash(r *rdb.Reader, t byte, lim RDBLimits) (Value, error) {
	h := NewHash()
	var vals [][]byte
	switch t {
	case rdbHash:
		n, err := r.Count()
		if err != nil {
			return nil, err
		}
		for range n {
			f, err := r.String()
			if err != nil {
				return nil, err
			}
			v, err := r.String()
			if err != nil {
				return nil, err
			}
			vals = append(vals, f, v)
		}
	default:
		blob, err := r.String()
		if err != nil {
			return nil, err
		}
		switch t {
		case rdbHashZipmap:
			vals, err = zipmapPairs(blob)
		case rdbHashZiplist:
			vals, err = ziplistEntries(blob)
		default:
			vals, err = listpackEntries(blob)
		}
		if err != nil || len(vals)%2 != 0 {
			return nil, errRDB
		}
	}
	for i := 0; i < len(vals); i += 2 {
		if !h.Set(vals[i], vals[i+1], lim.HashEntries, lim.HashValue) {
			return nil, errRDB // duplicate field
		}
	}
	if h.Len() == 0 {
		return nil, errRDB
	}
	return h, nil
}

// leInt decodes a signed little-endian integer of 1, 2, 3, 4 or 8 bytes,
// as ziplists and listpacks store them.
func leInt(d []byte) int64 {
	switch len(d) {
	case 1:
		return int64(int8(d[0]))
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(d)))
	case 3:
		return int64(int32(uint32(d[0])<<8|uint32(d[1])<<16|uint32(d[2])<<24) >> 8)
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(d)))
	case 8:
		return int64(binary.LittleEndian.Uint64(d))
	}
	return 0
}
