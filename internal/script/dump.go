package script

import (
	"encoding/binary"
	"hash/crc64"
	"strconv"
)

// FUNCTION DUMP and RESTORE payloads, byte-compatible with Redis 7.0's:
// for each library the RDB function opcode and its code as an RDB string
// (LZF-compressed when that saves space), then the RDB version (10) and
// a CRC64 (Jones polynomial), both little-endian.

const (
	rdbVersion        = 10
	rdbOpcodeFunction = 246 // pre-GA format, refused
	rdbOpcodeFunc2    = 245
)

// RestorePolicy is FUNCTION RESTORE's policy.
type RestorePolicy int

// Restore policies.
const (
	RestoreAppend RestorePolicy = iota
	RestoreReplace
	RestoreFlush
)

// crcTable is the reflected table of the Jones polynomial (Redis's crc64).
var crcTable = crc64.MakeTable(0x95ac9329ac4bc9b5)

// CRC64 is Redis's crc64 (no initial or final inversion).
func CRC64(crc uint64, b []byte) uint64 {
	return ^crc64.Update(^crc, crcTable, b)
}

// Dump serializes every library.
func (e *Engine) Dump() []byte {
	var b []byte
	for _, l := range e.Libraries() {
		b = append(b, rdbOpcodeFunc2)
		b = rdbAppendString(b, []byte(l.Code))
	}
	b = append(b, rdbVersion&0xff, rdbVersion>>8)
	return binary.LittleEndian.AppendUint64(b, CRC64(0, b))
}

// rdbAppendString appends an RDB string: LZF-compressed when longer than
// 20 bytes and compressible, else raw. (A code string always starts with
// "#!", so the integer encodings never apply.)
func rdbAppendString(b, s []byte) []byte {
	if len(s) > 20 {
		if c := lzfCompress(s, len(s)-4); c != nil {
			b = append(b, 0xc3)
			b = rdbAppendLen(b, uint64(len(c)))
			b = rdbAppendLen(b, uint64(len(s)))
			return append(b, c...)
		}
	}
	b = rdbAppendLen(b, uint64(len(s)))
	return append(b, s...)
}

func rdbAppendLen(b []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(b, byte(n))
	case n < 1<<14:
		return append(b, byte(n>>8)|0x40, byte(n))
	case n <= 0xffffffff:
		return binary.BigEndian.AppendUint32(append(b, 0x80), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, 0x81), n)
}

// rdbReader reads RDB strings from a payload.
type rdbReader struct {
	b   []byte
	pos int
}

func (r *rdbReader) byte() (byte, bool) {
	if r.pos >= len(r.b) {
		return 0, false
	}
	c := r.b[r.pos]
	r.pos++
	return c, true
}

func (r *rdbReader) bytes(n int) ([]byte, bool) {
	if n < 0 || r.pos+n > len(r.b) {
		return nil, false
	}
	out := r.b[r.pos : r.pos+n]
	r.pos += n
	return out, true
}

// length reads an RDB length; enc reports a special encoding (its type in n).
func (r *rdbReader) length() (n uint64, enc bool, ok bool) {
	c, ok := r.byte()
	if !ok {
		return 0, false, false
	}
	switch c >> 6 {
	case 0:
		return uint64(c & 0x3f), false, true
	case 1:
		d, ok := r.byte()
		return uint64(c&0x3f)<<8 | uint64(d), false, ok
	case 3:
		return uint64(c & 0x3f), true, true
	}
	switch c {
	case 0x80:
		b, ok := r.bytes(4)
		if !ok {
			return 0, false, false
		}
		return uint64(binary.BigEndian.Uint32(b)), false, true
	case 0x81:
		b, ok := r.bytes(8)
		if !ok {
			return 0, false, false
		}
		return binary.BigEndian.Uint64(b), false, true
	}
	return 0, false, false
}

func (r *rdbReader) str() ([]byte, bool) {
	n, enc, ok := r.length()
	if !ok {
		return nil, false
	}
	if !enc {
		return r.bytes(int(n))
	}
	switch n {
	case 0, 1, 2: // 8, 16, 32-bit integers
		b, ok := r.bytes(1 << n)
		if !ok {
			return nil, false
		}
		var v int64
		switch n {
		case 0:
			v = int64(int8(b[0]))
		case 1:
			v = int64(int16(binary.LittleEndian.Uint16(b)))
		case 2:
			v = int64(int32(binary.LittleEndian.Uint32(b)))
		}
		return strconv.AppendInt(nil, v, 10), true
	case 3:
		clen, _, ok1 := r.length()
		ulen, _, ok2 := r.length()
		if !ok1 || !ok2 {
			return nil, false
		}
		c, ok := r.bytes(int(clen))
		if !ok {
			return nil, false
		}
		return lzfDecompress(c, int(ulen))
	}
	return nil, false
}

// Restore loads the libraries of a FUNCTION DUMP payload; it returns ""
// or the error reply.
func (e *Engine) Restore(payload []byte, policy RestorePolicy) string {
	n := len(payload)
	if n < 10 {
		return "ERR DUMP payload version or checksum are wrong"
	}
	ver := binary.LittleEndian.Uint16(payload[n-10:])
	if ver > rdbVersion || binary.LittleEndian.Uint64(payload[n-8:]) != CRC64(0, payload[:n-8]) {
		return "ERR DUMP payload version or checksum are wrong"
	}
	r := &rdbReader{b: payload[:n-10]}
	var libs []*Library
	seen := map[string]bool{}
	seenFn := map[string]bool{}
	for r.pos < len(r.b) {
		t, _ := r.byte()
		if t != rdbOpcodeFunc2 && t != rdbOpcodeFunction {
			return "ERR given type is not a function"
		}
		if t == rdbOpcodeFunction {
			return "ERR Pre-GA function format not supported"
		}
		code, ok := r.str()
		if !ok {
			return "ERR Failed loading library payload"
		}
		e.mu.Lock()
		lib, msg := e.createLibraryNoTimeout(string(code))
		e.mu.Unlock()
		if msg != "" {
			return "ERR " + msg
		}
		if seen[lib.Name] {
			return "ERR Library '" + lib.Name + "' already exists"
		}
		for _, f := range lib.Functions {
			if seenFn[lowerName(f.Name)] {
				return "ERR Function " + f.Name + " already exists"
			}
			seenFn[lowerName(f.Name)] = true
		}
		seen[lib.Name] = true
		libs = append(libs, lib)
	}
	e.libMu.Lock()
	defer e.libMu.Unlock()
	if policy == RestoreFlush {
		e.libs = newLibraries()
	}
	var replaced []*Library
	for _, l := range libs {
		if old := e.libs.libs[l.Name]; old != nil {
			if policy != RestoreReplace {
				e.relink(replaced)
				return "ERR Library " + l.Name + " already exists"
			}
			e.libs.unlink(old)
			replaced = append(replaced, old)
		}
	}
	for _, l := range libs {
		for _, f := range l.Functions {
			if e.libs.funcs[lowerName(f.Name)] != nil {
				e.relink(replaced)
				return "ERR Function " + f.Name + " already exists"
			}
		}
	}
	for _, l := range libs {
		e.libs.link(l)
	}
	return ""
}

func (e *Engine) relink(libs []*Library) {
	for _, l := range libs {
		e.libs.link(l)
	}
}

// createLibraryNoTimeout is createLibrary for payloads (no load timeout
// in Redis either).
func (e *Engine) createLibraryNoTimeout(code string) (*Library, string) {
	return e.createLibrary(code)
}

// lzfCompress compresses in as liblzf 3.6 does with Redis's settings
// (16-bit hash table, VERY_FAST), so that payloads are byte-identical to
// Redis's; nil when the output would not fit in max bytes.
func lzfCompress(in []byte, max int) []byte {
	const (
		hlog   = 16
		hsize  = 1 << hlog
		maxLit = 1 << 5
		maxOff = 1 << 13
		maxRef = (1 << 8) + (1 << 3)
	)
	n := len(in)
	if n < 3 || max <= 0 {
		return nil
	}
	htab := make([]int32, hsize) // positions + 1; 0 is "none"
	out := make([]byte, 0, max)
	idx := func(h uint32) uint32 { return ((h >> (3*8 - hlog)) - h*5) & (hsize - 1) }
	lit := 0
	out = append(out, 0) // start a literal run
	ip := 0
	hval := uint32(in[0])<<8 | uint32(in[1])
	for ip < n-2 {
		hval = hval<<8 | uint32(in[ip+2])
		slot := idx(hval)
		ref := int(htab[slot]) - 1
		htab[slot] = int32(ip + 1)
		off := ip - ref - 1
		if ref > 0 && ref < ip && off < maxOff && in[ref+2] == in[ip+2] && in[ref] == in[ip] && in[ref+1] == in[ip+1] {
			l := 2
			maxlen := n - ip - l
			if maxlen > maxRef {
				maxlen = maxRef
			}
			// Room for the back reference and a new run header.
			if len(out)+3+1 >= max {
				if len(out)-b2i(lit == 0)+3+1 >= max {
					return nil
				}
			}
			out[len(out)-lit-1] = byte(lit - 1)
			if lit == 0 {
				out = out[:len(out)-1]
			}
			for {
				l++
				if l >= maxlen || in[ref+l] != in[ip+l] {
					break
				}
			}
			l -= 2
			ip++
			if l < 7 {
				out = append(out, byte(off>>8)+byte(l<<5))
			} else {
				out = append(out, byte(off>>8)+(7<<5), byte(l-7))
			}
			out = append(out, byte(off))
			lit = 0
			out = append(out, 0)
			ip += l + 1
			if ip >= n-2 {
				break
			}
			ip -= 2
			hval = uint32(in[ip])<<8 | uint32(in[ip+1])
			hval = hval<<8 | uint32(in[ip+2])
			htab[idx(hval)] = int32(ip + 1)
			ip++
			hval = hval<<8 | uint32(in[ip+2])
			htab[idx(hval)] = int32(ip + 1)
			ip++
			continue
		}
		if len(out) >= max {
			return nil
		}
		lit++
		out = append(out, in[ip])
		ip++
		if lit == maxLit {
			out[len(out)-lit-1] = byte(lit - 1)
			lit = 0
			out = append(out, 0)
		}
	}
	if len(out)+3 > max {
		return nil
	}
	for ip < n {
		lit++
		out = append(out, in[ip])
		ip++
		if lit == maxLit {
			out[len(out)-lit-1] = byte(lit - 1)
			lit = 0
			out = append(out, 0)
		}
	}
	out[len(out)-lit-1] = byte(lit - 1)
	if lit == 0 {
		out = out[:len(out)-1]
	}
	if len(out) > max {
		return nil
	}
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// lzfDecompress expands LZF data into exactly n bytes.
func lzfDecompress(in []byte, n int) ([]byte, bool) {
	out := make([]byte, 0, n)
	i := 0
	for i < len(in) {
		ctrl := int(in[i])
		i++
		if ctrl < 32 {
			ctrl++
			if i+ctrl > len(in) || len(out)+ctrl > n {
				return nil, false
			}
			out = append(out, in[i:i+ctrl]...)
			i += ctrl
			continue
		}
		l := ctrl >> 5
		if l == 7 {
			if i >= len(in) {
				return nil, false
			}
			l += int(in[i])
			i++
		}
		if i >= len(in) {
			return nil, false
		}
		ref := len(out) - ((ctrl & 0x1f) << 8) - 1 - int(in[i])
		i++
		if ref < 0 || len(out)+l+2 > n {
			return nil, false
		}
		for k := 0; k < l+2; k++ {
			out = append(out, out[ref+k])
		}
	}
	if len(out) != n {
		return nil, false
	}
	return out, true
}

func lowerName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
