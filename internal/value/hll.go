package value

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
)

// HyperLogLog values are plain strings in Redis's HLL layout, so that GET,
// SET, DUMP-like round trips and replication see the same bytes Redis
// would produce:
//
//	offset 0..3   "HYLL"
//	offset 4      encoding: 0 dense, 1 sparse
//	offset 5..7   unused, zero
//	offset 8..15  cached cardinality, little endian; bit 7 of byte 15 set
//	              means the cache is stale
//	offset 16..   registers
//
// There are 16384 registers of 6 bits. The dense form packs them one after
// another from the least significant bit of each byte upwards (register 0
// is the low 6 bits of byte 0, register 1 the top 2 bits of byte 0 and the
// low 4 of byte 1, ...): 12288 bytes. The sparse form is a run-length code
// of opcodes covering all registers in order:
//
//	00llllll            ZERO: l+1 registers (1..64) are zero
//	01llllll llllllll   XZERO: l+1 registers (1..16384) are zero
//	1vvvvvll            VAL: l+1 registers (1..4) hold v+1 (1..32)
//
// A sparse HLL becomes dense when a register needs a value above 32 or
// when growing it would make the string longer than hll-sparse-max-bytes.
//
// The functions below work on a *String's bytes in place (the string's
// slice may be replaced as it grows). Reads one byte past the end return
// what Redis finds in its string buffer there: normally the terminating
// NUL, but a sparse update of an XZERO cut in half by corruption leaves
// its last byte there instead (Redis writes the new opcodes after setting
// the new length). That byte is kept in the slice's capacity, one past the
// end, so that the next read sees it as Redis does.

const (
	// HLLRegisters is the number of registers.
	HLLRegisters = 1 << hllP
	// HLLHeaderSize is the size of the header before the registers.
	HLLHeaderSize = 16
	// HLLDenseSize is the exact size of a dense HLL string.
	HLLDenseSize = HLLHeaderSize + (HLLRegisters*hllBits+7)/8

	hllP       = 14
	hllQ       = 64 - hllP
	hllBits    = 6
	hllRegMax  = 1<<hllBits - 1
	hllDense   = 0
	hllSparse  = 1
	hllSeed    = 0xadc83b19
	hllValMax  = 32 // largest value a VAL opcode holds
	hllValLen  = 4  // longest run a VAL opcode covers
	hllZeroLen = 64 // longest run a ZERO opcode covers
	// hllAlphaInf is 1/(2 ln 2), the limit of the bias constant.
	hllAlphaInf = 0.721347520444481703680
)

// hllCorrupt is what adds return when a sparse HLL's opcodes do not
// describe exactly the 16384 registers.
const hllCorrupt = -1

// NewHLL returns an empty HLL as Redis creates it: sparse, one XZERO
// covering every register, cache valid and zero.
func NewHLL() *String {
	b := make([]byte, HLLHeaderSize+2, HLLHeaderSize+64)
	copy(b, "HYLL")
	b[4] = hllSparse
	hllPutXZero(b[HLLHeaderSize:], HLLRegisters)
	return NewRawString(b)
}

// HLLValid reports whether b has a well-formed HLL header: the magic, a
// known encoding, and the exact size when dense. The sparse opcodes are
// only checked when they are used.
func HLLValid(b []byte) bool {
	if len(b) < HLLHeaderSize || string(b[:4]) != "HYLL" || b[4] > hllSparse {
		return false
	}
	return b[4] != hllDense || len(b) == HLLDenseSize
}

// HLLIsDense reports whether a valid HLL is dense-encoded.
func HLLIsDense(b []byte) bool { return b[4] == hllDense }

// HLLCached returns the cached cardinality when the cache is valid.
func HLLCached(b []byte) (uint64, bool) {
	if b[15]&0x80 != 0 {
		return 0, false
	}
	var n uint64
	for i := 7; i >= 0; i-- {
		n = n<<8 | uint64(b[8+i])
	}
	return n, true
}

// HLLSetCached stores a cardinality in the cache (which makes it valid).
func HLLSetCached(b []byte, n uint64) {
	for i := 0; i < 8; i++ {
		b[8+i] = byte(n >> (8 * i))
	}
}

// HLLInvalidate marks the cached cardinality stale.
func HLLInvalidate(b []byte) { b[15] |= 0x80 }

// hllByte returns b[i]; past the end it returns the byte the backing
// array holds there (zero unless a sparse update left one, see
// hllSparseSet), or zero past the capacity.
func hllByte(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	if i < cap(b) {
		return b[:cap(b)][i]
	}
	return 0
}

// MurmurHash64A is the 64-bit MurmurHash2 variant Redis hashes HLL
// elements with (reading 8-byte blocks little endian).
func MurmurHash64A(key []byte, seed uint64) uint64 {
	const m = 0xc6a4a7935bd1e995
	const r = 47
	h := seed ^ (uint64(len(key)) * m)
	n := len(key) &^ 7
	for i := 0; i < n; i += 8 {
		k := uint64(key[i]) | uint64(key[i+1])<<8 | uint64(key[i+2])<<16 | uint64(key[i+3])<<24 |
			uint64(key[i+4])<<32 | uint64(key[i+5])<<40 | uint64(key[i+6])<<48 | uint64(key[i+7])<<56
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
	}
	if rest := key[n:]; len(rest) > 0 {
		for i := len(rest) - 1; i >= 0; i-- {
			h ^= uint64(rest[i]) << (8 * i)
		}
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// hllPattern hashes an element into its register index and the length of
// the run of zero bits (plus one) above the index bits, 1..51.
func hllPattern(ele []byte) (int, uint8) {
	h := MurmurHash64A(ele, hllSeed)
	index := int(h & (HLLRegisters - 1))
	h = h>>hllP | 1<<hllQ
	return index, uint8(bits.TrailingZeros64(h) + 1)
}

// Dense registers.

func hllDenseGet(regs []byte, i int) uint8 {
	at := i * hllBits / 8
	fb := uint(i * hllBits & 7)
	b0 := uint(regs[at])
	b1 := uint(hllByte(regs, at+1))
	return uint8((b0>>fb | b1<<(8-fb)) & hllRegMax)
}

func hllDenseSetReg(regs []byte, i int, v uint8) {
	at := i * hllBits / 8
	fb := uint(i * hllBits & 7)
	val := uint(v)
	regs[at] &^= byte(hllRegMax << fb)
	regs[at] |= byte(val << fb)
	if at+1 < len(regs) {
		regs[at+1] &^= byte(hllRegMax >> (8 - fb))
		regs[at+1] |= byte(val >> (8 - fb))
	}
}

// hllDenseSet raises register i to v; it returns 1 when it changed.
func hllDenseSet(regs []byte, i int, v uint8) int {
	if v > hllDenseGet(regs, i) {
		hllDenseSetReg(regs, i, v)
		return 1
	}
	return 0
}

// hllDenseHisto counts the dense registers by value.
func hllDenseHisto(regs []byte, h *[64]int) {
	for j := 0; j+2 < len(regs); j += 3 {
		b0, b1, b2 := regs[j], regs[j+1], regs[j+2]
		h[b0&63]++
		h[(b0>>6|b1<<2)&63]++
		h[(b1>>4|b2<<4)&63]++
		h[b2>>2]++
	}
}

// Sparse opcodes.

func hllIsZero(op byte) bool  { return op&0xc0 == 0 }
func hllIsXZero(op byte) bool { return op&0xc0 == 0x40 }
func hllIsVal(op byte) bool   { return op&0x80 != 0 }
func hllValValue(op byte) int { return int(op>>2&0x1f) + 1 }
func hllValLenOf(op byte) int { return int(op&3) + 1 }
func hllVal(v, n int) byte    { return byte((v-1)<<2|(n-1)) | 0x80 }

// hllXZeroLen decodes the XZERO at b[p:].
func hllXZeroLen(b []byte, p int) int {
	return (int(b[p]&0x3f)<<8 | int(hllByte(b, p+1))) + 1
}

func hllPutXZero(b []byte, n int) {
	n--
	b[0] = byte(n>>8) | 0x40
	b[1] = byte(n)
}

// hllSparseWalk calls fn for every VAL run of a sparse HLL's opcodes
// (registers from..from+n-1 hold v), and returns the number of registers
// the opcodes cover; it stops early, returning a value other than
// HLLRegisters, when a VAL run would pass the last register.
func hllSparseWalk(b []byte, fn func(from, n, v int)) int {
	idx := 0
	for p := HLLHeaderSize; p < len(b); {
		switch op := b[p]; {
		case hllIsZero(op):
			idx += int(op&0x3f) + 1
			p++
		case hllIsXZero(op):
			idx += hllXZeroLen(b, p)
			p += 2
		default:
			n := hllValLenOf(op)
			if idx+n > HLLRegisters {
				return -1
			}
			fn(idx, n, hllValValue(op))
			idx += n
			p++
		}
	}
	return idx
}

// HLLToDense converts a sparse HLL to the dense encoding, keeping the
// header (cached cardinality included). It reports whether it converted,
// and ok false when the sparse opcodes are corrupt (s is then unchanged).
func HLLToDense(s *String) (converted, ok bool) {
	b := s.B
	if b[4] == hllDense {
		return false, true
	}
	d := make([]byte, HLLDenseSize)
	copy(d, b[:HLLHeaderSize])
	d[4] = hllDense
	regs := d[HLLHeaderSize:]
	covered := hllSparseWalk(b, func(from, n, v int) {
		for i := from; i < from+n; i++ {
			hllDenseSetReg(regs, i, uint8(v))
		}
	})
	if covered != HLLRegisters {
		return false, false
	}
	s.B = d
	return true, true
}

// hllSparseSet raises register index to count in a sparse HLL, splitting
// and merging opcodes as Redis does (so the bytes come out the same), or
// converting to dense when the value or the new size does not fit. It
// returns 1 when the register changed, 0 when not, -1 when the HLL is
// corrupt.
func hllSparseSet(s *String, index int, count uint8, maxBytes int64) int {
	if count > hllValMax {
		return hllPromote(s, index, count)
	}
	b := s.B
	end := len(b)

	// Find the opcode covering the register.
	p, first, span, prev := HLLHeaderSize, 0, 0, -1
	for p < end {
		oplen := 1
		switch op := b[p]; {
		case hllIsZero(op):
			span = int(op&0x3f) + 1
		case hllIsVal(op):
			span = hllValLenOf(op)
		default:
			span = hllXZeroLen(b, p)
			oplen = 2
		}
		if index <= first+span-1 {
			break
		}
		prev = p
		p += oplen
		first += span
	}
	if span == 0 || p >= end {
		return hllCorrupt
	}
	op := b[p]
	isZero, isXZero, isVal := hllIsZero(op), hllIsXZero(op), hllIsVal(op)
	next := p + 1
	if isXZero {
		next = p + 2
	}
	if next >= end {
		next = -1
	}
	var runlen int
	switch {
	case isZero:
		runlen = int(op&0x3f) + 1
	case isXZero:
		runlen = hllXZeroLen(b, p)
	default:
		runlen = hllValLenOf(op)
	}

	switch {
	case isVal && hllValValue(op) >= int(count):
		return 0
	case isVal && runlen == 1, isZero && runlen == 1:
		b[p] = hllVal(int(count), 1)
	default:
		// Split the opcode into up to three: what lies before the
		// register, the register, what lies after.
		var seq [5]byte
		n := 0
		last := first + span - 1
		if isVal {
			cur := hllValValue(op)
			if index != first {
				seq[n] = hllVal(cur, index-first)
				n++
			}
			seq[n] = hllVal(int(count), 1)
			n++
			if index != last {
				seq[n] = hllVal(cur, last-index)
				n++
			}
		} else {
			zeros := func(l int) {
				if l > hllZeroLen {
					hllPutXZero(seq[n:], l)
					n += 2
				} else {
					seq[n] = byte(l - 1)
					n++
				}
			}
			if index != first {
				zeros(index - first)
			}
			seq[n] = hllVal(int(count), 1)
			n++
			if index != last {
				zeros(last - index)
			}
		}
		oldlen := 1
		if isXZero {
			oldlen = 2
		}
		delta := n - oldlen
		if delta > 0 && int64(end+delta) > maxBytes {
			return hllPromote(s, index, count)
		}
		newEnd := end + delta
		// Room for the new length, the byte after it, and the opcodes
		// (which pass the new end by one when the old opcode was an XZERO
		// cut short at the end).
		if need := max(newEnd+1, p+n); cap(b) < need {
			b = append(b[:cap(b)], make([]byte, need-cap(b)+16)...)[:end]
		}
		full := b[:cap(b)]
		if next >= 0 {
			copy(full[next+delta:], full[next:end])
		}
		if delta < 0 {
			clear(full[newEnd:min(end+1, len(full))]) // keep the tail zero
		}
		full[newEnd] = 0
		copy(full[p:], seq[:n])
		b = full[:newEnd]
		end = newEnd
	}

	// Merge adjacent VAL opcodes of equal value, looking at a few opcodes
	// from the one before the change.
	p = HLLHeaderSize
	if prev >= 0 {
		p = prev
	}
	for scan := 5; p < end && scan > 0; {
		scan--
		op := b[p]
		if hllIsXZero(op) {
			p += 2
			continue
		}
		if hllIsZero(op) {
			p++
			continue
		}
		if p+1 < end && hllIsVal(b[p+1]) {
			v := hllValValue(op)
			if v == hllValValue(b[p+1]) {
				if l := hllValLenOf(op) + hllValLenOf(b[p+1]); l <= hllValLen {
					b[p+1] = hllVal(v, l)
					copy(b[p:], b[p+1:end])
					end--
					b = b[:end]
					full := b[:cap(b)]
					clear(full[end:min(end+2, len(full))]) // keep the tail zero
					continue
				}
			}
		}
		p++
	}
	s.B = b
	HLLInvalidate(b)
	return 1
}

// hllPromote converts a sparse HLL to dense and sets the register there.
func hllPromote(s *String, index int, count uint8) int {
	if _, ok := HLLToDense(s); !ok {
		return hllCorrupt
	}
	return hllDenseSet(s.B[HLLHeaderSize:], index, count)
}

// HLLSetRegister raises register index to v in a valid HLL of either
// encoding, as PFMERGE writes its result. It returns 1 when the register
// changed, 0 when not, -1 when a sparse HLL is corrupt.
func HLLSetRegister(s *String, index int, v uint8, sparseMax int64) int {
	if s.B[4] == hllDense {
		return hllDenseSet(s.B[HLLHeaderSize:], index, v)
	}
	return hllSparseSet(s, index, v, sparseMax)
}

// HLLAdd adds an element to a valid HLL. It returns 1 when a register
// changed, 0 when not, and -1 when the (sparse) HLL is corrupt. It does not
// touch the cached cardinality of a dense HLL: the caller invalidates it
// once after all its adds. sparseMax is hll-sparse-max-bytes.
func HLLAdd(s *String, ele []byte, sparseMax int64) int {
	index, count := hllPattern(ele)
	return HLLSetRegister(s, index, count, sparseMax)
}

// HLLMerge raises each of max's registers to the HLL's, reporting false
// when a sparse HLL is corrupt.
func HLLMerge(max *[HLLRegisters]uint8, b []byte) bool {
	if b[4] == hllDense {
		regs := b[HLLHeaderSize:]
		for i := range max {
			if v := hllDenseGet(regs, i); v > max[i] {
				max[i] = v
			}
		}
		return true
	}
	return hllSparseWalk(b, func(from, n, v int) {
		for i := from; i < from+n; i++ {
			if uint8(v) > max[i] {
				max[i] = uint8(v)
			}
		}
	}) == HLLRegisters
}

// HLLCount estimates the cardinality of a valid HLL from its registers
// (ignoring the cache); ok is false when a sparse HLL is corrupt.
func HLLCount(b []byte) (n uint64, ok bool) {
	var h [64]int
	if b[4] == hllDense {
		hllDenseHisto(b[HLLHeaderSize:], &h)
		return hllEstimate(&h), true
	}
	idx := 0
	for p := HLLHeaderSize; p < len(b); {
		switch op := b[p]; {
		case hllIsZero(op):
			l := int(op&0x3f) + 1
			idx += l
			h[0] += l
			p++
		case hllIsXZero(op):
			l := hllXZeroLen(b, p)
			idx += l
			h[0] += l
			p += 2
		default:
			l := hllValLenOf(op)
			idx += l
			h[hllValValue(op)] += l
			p++
		}
	}
	return hllEstimate(&h), idx == HLLRegisters
}

// HLLCountRegisters estimates the cardinality of a register array (the
// union PFCOUNT computes over several keys).
func HLLCountRegisters(max *[HLLRegisters]uint8) uint64 {
	var h [64]int
	for _, v := range max {
		h[v&63]++
	}
	return hllEstimate(&h)
}

// hllEstimate is Ertl's improved raw estimator ("New cardinality
// estimation algorithms for HyperLogLog sketches", 2017) over a histogram
// of register values, computed in the same order as Redis so that the
// rounded result is the same. Products are converted explicitly so that
// they are never fused into multiply-adds.
func hllEstimate(h *[64]int) uint64 {
	const m = float64(HLLRegisters)
	z := float64(m * hllTau((m-float64(h[hllQ+1]))/m))
	for j := hllQ; j >= 1; j-- {
		z += float64(h[j])
		z *= 0.5
	}
	z += float64(m * hllSigma(float64(h[0])/m))
	e := math.Round(float64(float64(hllAlphaInf*m)*m) / z)
	if !(e < 1<<63) {
		// Only registers the hash cannot produce get here (z is zero
		// when every register is above 50). Redis's rounding then yields
		// the x86 "integer indefinite", the lowest int64.
		return 1 << 63
	}
	return uint64(e)
}

func hllSigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x = float64(x * x)
		prev := z
		z += float64(x * y)
		y += y
		if z == prev {
			return z
		}
	}
}

func hllTau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		prev := z
		y *= 0.5
		d := float64(1 - x)
		z -= float64(float64(d*d) * y)
		if z == prev {
			return z / 3
		}
	}
}

// HLLRegistersOf returns the 16384 register values of a dense HLL.
func HLLRegistersOf(b []byte) []uint8 {
	regs := b[HLLHeaderSize:]
	out := make([]uint8, HLLRegisters)
	for i := range out {
		out[i] = hllDenseGet(regs, i)
	}
	return out
}

// HLLDecode renders a sparse HLL's opcodes as PFDEBUG DECODE does:
// "z:len", "Z:len" and "v:value,len", separated by spaces.
func HLLDecode(b []byte) string {
	var sb strings.Builder
	for p := HLLHeaderSize; p < len(b); {
		if p > HLLHeaderSize {
			sb.WriteByte(' ')
		}
		switch op := b[p]; {
		case hllIsZero(op):
			sb.WriteString("z:")
			sb.WriteString(strconv.Itoa(int(op&0x3f) + 1))
			p++
		case hllIsXZero(op):
			sb.WriteString("Z:")
			sb.WriteString(strconv.Itoa(hllXZeroLen(b, p)))
			p += 2
		default:
			sb.WriteString("v:")
			sb.WriteString(strconv.Itoa(hllValValue(op)))
			sb.WriteByte(',')
			sb.WriteString(strconv.Itoa(hllValLenOf(op)))
			p++
		}
	}
	return sb.String()
}

// HLLSelfTest checks the register packing and the estimator (PFSELFTEST):
// random register values must read back unchanged, and a sparse and a
// dense HLL fed the same ten million distinct elements must agree, within
// six standard errors of the truth at every power of ten. It returns ""
// or the failure, as the error text.
func HLLSelfTest(sparseMax int64) string { return hllSelfTest(sparseMax, 1000, 10000000) }

// hllSelfTest is HLLSelfTest with the number of register rounds and of
// elements as parameters.
func hllSelfTest(sparseMax int64, cycles int, elements int64) string {
	dense := make([]byte, HLLDenseSize)
	copy(dense, "HYLL")
	regs := dense[HLLHeaderSize:]
	var want [HLLRegisters]uint8
	for cycle := 0; cycle < cycles; cycle++ {
		for i := range want {
			want[i] = uint8(rand.IntN(hllRegMax + 1))
			hllDenseSetReg(regs, i, want[i])
		}
		for i := range want {
			if got := hllDenseGet(regs, i); got != want[i] {
				return "TESTFAILED Register " + strconv.Itoa(i) + " should be " +
					strconv.Itoa(int(want[i])) + " but is " + strconv.Itoa(int(got))
			}
		}
	}
	clear(regs)
	sparse := NewHLL()
	relerr := 1.04 / math.Sqrt(HLLRegisters)
	seed := rand.Uint64()
	var ele [8]byte
	checkpoint := int64(1)
	for j := int64(1); j <= elements; j++ {
		x := uint64(j) ^ seed
		for k := range ele {
			ele[k] = byte(x >> (8 * k))
		}
		index, count := hllPattern(ele[:])
		hllDenseSet(regs, index, count)
		HLLSetRegister(sparse, index, count, sparseMax)
		if j != checkpoint {
			continue
		}
		if j < sparseMax/2 && sparse.B[4] != hllSparse {
			return "TESTFAILED sparse encoding not used"
		}
		dn, _ := HLLCount(dense)
		sn, _ := HLLCount(sparse.B)
		if dn != sn {
			return "TESTFAILED dense/sparse disagree"
		}
		abserr := checkpoint - int64(dn)
		if abserr < 0 {
			abserr = -abserr
		}
		maxerr := int64(math.Ceil(relerr * 6 * float64(checkpoint)))
		if j == 10 {
			maxerr = 1
		}
		if abserr > maxerr {
			return "TESTFAILED Too big error. card:" + strconv.FormatInt(checkpoint, 10) +
				" abserr:" + strconv.FormatInt(abserr, 10)
		}
		checkpoint *= 10
	}
	return ""
}
