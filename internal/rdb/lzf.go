package rdb

import (
	"slices"
	"sync"
)

// LZF as Redis 7.0 uses it (liblzf 3.6 with a 16-bit hash table and the
// VERY_FAST setting), so that compressed strings are byte-identical to
// the ones Redis writes.
//
// The format is a sequence of:
//
//	000LLLLL + L+1 literal bytes
//	LLLooooo oooooooo              back reference: L+2 bytes, o+1 back
//	111ooooo LLLLLLLL oooooooo     back reference: L+9 bytes, o+1 back

const (
	lzfHashLog = 16
	lzfHashLen = 1 << lzfHashLog
	lzfMaxLit  = 1 << 5
	lzfMaxOff  = 1 << 13
	lzfMaxRef  = 1<<8 + 1<<3

	// maxExpansion bounds the output per input byte: a 3-byte back
	// reference stands for at most lzfMaxRef bytes.
	maxExpansion = lzfMaxRef/3 + 1
)

// lzfTable maps a trigram's hash to 1 + the position it was last seen
// at; 0 is "not seen". Tables are pooled and handed back all zero.
type lzfTable [lzfHashLen]uint32

var lzfTables = sync.Pool{New: func() any { return new(lzfTable) }}

// lzfSlot is the hash table slot of a trigram (or of a 32-bit window,
// whose top byte does not affect the slot).
func lzfSlot(h uint32) uint32 {
	return ((h >> (3*8 - lzfHashLog)) - h*5) & (lzfHashLen - 1)
}

// Compress appends the LZF compression of in to dst when it fits in max
// bytes, and reports whether it did; otherwise dst is returned as it was.
// Redis compresses a string of n bytes with max = n-4.
func Compress(dst, in []byte, max int) ([]byte, bool) {
	if len(in) == 0 || max <= 0 {
		return dst, false
	}
	base := len(dst)
	dst = slices.Grow(dst, max+1)
	out := dst[base : base+max+1]
	tab := lzfTables.Get().(*lzfTable)
	n := lzfCompress(out, in, max, tab)
	lzfReset(tab, in)
	lzfTables.Put(tab)
	if n == 0 {
		return dst[:base], false
	}
	return dst[:base+n], true
}

// lzfReset zeroes the slots compressing in may have set: for a short
// input, only those of its trigrams (every slot written is one's).
func lzfReset(tab *lzfTable, in []byte) {
	if len(in) >= lzfHashLen/4 {
		clear(tab[:])
		return
	}
	for i := 0; i+2 < len(in); i++ {
		tab[lzfSlot(uint32(in[i])<<16|uint32(in[i+1])<<8|uint32(in[i+2]))] = 0
	}
}

// lzfCompress compresses in into out (max+1 bytes long, of which max may
// be used) and returns the compressed length, or 0 when it does not fit.
// op is the output position; a literal run's header byte is reserved
// when the run starts and filled in when it ends.
func lzfCompress(out, in []byte, max int, tab *lzfTable) int {
	n := len(in)
	op, lit, ip := 1, 0, 0
	var hval uint32
	if n >= 2 {
		hval = uint32(in[0])<<8 | uint32(in[1])
	}
	for ip < n-2 {
		hval = hval<<8 | uint32(in[ip+2])
		slot := lzfSlot(hval)
		ref := int(tab[slot]) - 1
		tab[slot] = uint32(ip + 1)
		off := ip - ref - 1
		if ref > 0 && ref < ip && off < lzfMaxOff &&
			in[ref+2] == in[ip+2] && in[ref] == in[ip] && in[ref+1] == in[ip+1] {
			maxlen := min(n-ip-2, lzfMaxRef)
			if op+3+1 >= max && op-b2i(lit == 0)+3+1 >= max {
				return 0
			}
			out[op-lit-1] = byte(lit - 1) // close the literal run
			op -= b2i(lit == 0)           // or drop it if empty
			l := lzfMatchLen(in, ref, ip, maxlen) - 2
			ip++
			if l < 7 {
				out[op] = byte(off>>8) + byte(l<<5)
				op++
			} else {
				out[op] = byte(off>>8) + 7<<5
				out[op+1] = byte(l - 7)
				op += 2
			}
			out[op] = byte(off)
			op += 2 // and reserve a new run header
			lit = 0
			ip += l + 1
			if ip >= n-2 {
				break
			}
			// Hash the last two positions of the match.
			ip -= 2
			hval = uint32(in[ip])<<8 | uint32(in[ip+1])
			hval = hval<<8 | uint32(in[ip+2])
			tab[lzfSlot(hval)] = uint32(ip + 1)
			ip++
			hval = hval<<8 | uint32(in[ip+2])
			tab[lzfSlot(hval)] = uint32(ip + 1)
			ip++
			continue
		}
		if op >= max {
			return 0
		}
		out[op] = in[ip]
		op, ip, lit = op+1, ip+1, lit+1
		if lit == lzfMaxLit {
			out[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	if op+3 > max {
		return 0
	}
	for ip < n {
		out[op] = in[ip]
		op, ip, lit = op+1, ip+1, lit+1
		if lit == lzfMaxLit {
			out[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	out[op-lit-1] = byte(lit - 1)
	op -= b2i(lit == 0)
	return op
}

// lzfMatchLen is the length of the match at ip against ref (at least 3
// bytes are known equal), measured as liblzf does: when more than 16
// bytes may match it first compares 16 more without checking maxlen, so
// a match near the end of the input can run up to 2 bytes past maxlen.
func lzfMatchLen(in []byte, ref, ip, maxlen int) int {
	l := 2
	if maxlen > 16 {
		for range 16 {
			l++
			if in[ref+l] != in[ip+l] {
				return l
			}
		}
	}
	for {
		l++
		if l >= maxlen || in[ref+l] != in[ip+l] {
			return l
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Decompress expands LZF data that must come to exactly n bytes. As in
// Redis, n == 0 always succeeds (liblzf's failure result, 0, is then the
// expected length).
func Decompress(in []byte, n int) ([]byte, error) {
	if n == 0 {
		return []byte{}, nil
	}
	if n < 0 || n > maxExpansion*len(in) {
		return nil, ErrFormat
	}
	out := make([]byte, 0, n)
	for ip := 0; ip < len(in); {
		ctrl := int(in[ip])
		ip++
		if ctrl < 1<<5 {
			l := ctrl + 1
			if l > len(in)-ip || l > n-len(out) {
				return nil, ErrFormat
			}
			out = append(out, in[ip:ip+l]...)
			ip += l
			continue
		}
		l := ctrl >> 5
		if ip >= len(in) {
			return nil, ErrFormat
		}
		if l == 7 {
			l += int(in[ip])
			ip++
			if ip >= len(in) {
				return nil, ErrFormat
			}
		}
		ref := len(out) - (ctrl&0x1f)<<8 - 1 - int(in[ip])
		ip++
		l += 2
		if l > n-len(out) || ref < 0 {
			return nil, ErrFormat
		}
		// The reference may overlap the bytes it produces.
		for i := range l {
			out = append(out, out[ref+i])
		}
	}
	if len(out) != n {
		return nil, ErrFormat
	}
	return out, nil
}
