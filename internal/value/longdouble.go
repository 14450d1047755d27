package value

import (
	"errors"
	"math/big"
)

// Redis does INCRBYFLOAT and HINCRBYFLOAT arithmetic in C's long double,
// which on x86-64 is the x87 80-bit format: a 64-bit mantissa and a 15-bit
// exponent. Results are printed with "%.17Lf" and trailing zeros removed,
// so every bit of the mantissa can show in the reply (12345.678 prints as
// 12345.67799999999999971). The functions below reproduce that format
// exactly with math/big: parsing rounds the exact decimal value once to 64
// bits, as glibc's strtold does, and addition rounds once, as the FPU does.

// Errors of AddLongDouble.
var (
	ErrNotFloat = errors.New("value is not a valid float")
	ErrNaNOrInf = errors.New("increment would produce NaN or Infinity")
)

const (
	ldMantBits = 64
	// In math/big's convention (x = m × 2^exp, 0.5 ≤ m < 1) the largest
	// finite long double has exp ldMaxExp, the smallest normal one
	// ldMinExp; subnormals are multiples of 2^-ldDenormBits.
	ldMaxExp     = 16384
	ldMinExp     = -16381
	ldDenormBits = 16445
	// ldMaxChars bounds the text Redis accepts as a long double.
	ldMaxChars = 5 * 1024
)

// AddLongDouble adds the numbers written in a and b as Redis's INCRBYFLOAT
// does, and returns the sum's text. Without haveA (a missing key) a counts
// as 0. It fails with
// ErrNotFloat when a or b is not a number strtold accepts in full (NaN is
// refused, infinity accepted), and with ErrNaNOrInf when the sum is not
// finite.
func AddLongDouble(a []byte, haveA bool, b []byte) ([]byte, error) {
	x := new(big.Float)
	if haveA {
		var ok bool
		if x, ok = ParseLongDouble(a); !ok {
			return nil, ErrNotFloat
		}
	}
	y, ok := ParseLongDouble(b)
	if !ok {
		return nil, ErrNotFloat
	}
	if x.IsInf() || y.IsInf() {
		return nil, ErrNaNOrInf
	}
	sum := new(big.Float).SetPrec(ldMantBits).SetMode(big.ToNearestEven).Add(x, y)
	if sum.Sign() != 0 && sum.MantExp(nil) > ldMaxExp {
		return nil, ErrNaNOrInf
	}
	return FormatLongDouble(sum), nil
}

// FormatLongDouble writes x as Redis's ld2string in human mode does:
// "%.17Lf" with the trailing zeros (and a trailing '.') removed, and "-0"
// written as "0".
func FormatLongDouble(x *big.Float) []byte {
	if x.IsInf() {
		if x.Sign() > 0 {
			return []byte("inf")
		}
		return []byte("-inf")
	}
	b := x.Append(nil, 'f', 17)
	n := len(b)
	for n > 0 && b[n-1] == '0' {
		n--
	}
	if n > 0 && b[n-1] == '.' {
		n--
	}
	b = b[:n]
	if len(b) == 2 && b[0] == '-' && b[1] == '0' {
		b = b[1:]
	}
	return b
}

// ParseLongDouble parses b as Redis's string2ld: the whole of b must be a
// number in strtold's syntax (decimal or hexadecimal, optional exponent,
// "inf"/"infinity"), with no leading space, shorter than 5120 bytes, not
// NaN, and neither overflowing nor underflowing to zero. The result is
// rounded to the long double nearest the exact value. Infinity comes back
// as an infinite big.Float.
func ParseLongDouble(b []byte) (*big.Float, bool) {
	if len(b) == 0 || len(b) >= ldMaxChars {
		return nil, false
	}
	i := 0
	neg := false
	if b[0] == '+' || b[0] == '-' {
		neg = b[0] == '-'
		i++
	}
	rest := b[i:]
	if ldEqualFold(rest, "inf") || ldEqualFold(rest, "infinity") {
		return new(big.Float).SetInf(neg), true
	}
	hex := len(rest) >= 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X')
	if hex {
		rest = rest[2:]
	}
	digit := ldIsDec
	if hex {
		digit = ldIsHex
	}
	// Mantissa: digits with at most one '.', at least one digit.
	mant := new(big.Int)
	radix := uint64(10)
	if hex {
		radix = 16
	}
	base := new(big.Int).SetUint64(radix)
	var d big.Int
	ndigits, fracDigits := 0, 0
	seenDot := false
	j := 0
	// Accumulate the digits in chunks to keep parsing linear for long inputs.
	var chunk uint64
	var chunkLen int
	flush := func() {
		if chunkLen == 0 {
			return
		}
		var scale big.Int
		scale.Exp(base, big.NewInt(int64(chunkLen)), nil)
		mant.Mul(mant, &scale)
		d.SetUint64(chunk)
		mant.Add(mant, &d)
		chunk, chunkLen = 0, 0
	}
	for ; j < len(rest); j++ {
		c := rest[j]
		if c == '.' && !seenDot {
			seenDot = true
			continue
		}
		v, ok := digit(c)
		if !ok {
			break
		}
		ndigits++
		if seenDot {
			fracDigits++
		}
		chunk = chunk*radix + uint64(v)
		chunkLen++
		if chunkLen == 15 {
			flush()
		}
	}
	flush()
	if ndigits == 0 {
		return nil, false
	}
	// Optional exponent: e/E (decimal, a power of 10) or p/P (hex, a power
	// of 2), a sign, and at least one decimal digit.
	exp := int64(0)
	if j < len(rest) {
		c := rest[j]
		if (!hex && c != 'e' && c != 'E') || (hex && c != 'p' && c != 'P') {
			return nil, false
		}
		j++
		eneg := false
		if j < len(rest) && (rest[j] == '+' || rest[j] == '-') {
			eneg = rest[j] == '-'
			j++
		}
		if j == len(rest) {
			return nil, false
		}
		for ; j < len(rest); j++ {
			v, ok := ldIsDec(rest[j])
			if !ok {
				return nil, false
			}
			if exp < 1<<40 {
				exp = exp*10 + int64(v)
			}
		}
		if eneg {
			exp = -exp
		}
	}
	if mant.Sign() == 0 {
		return new(big.Float), true
	}
	var num, den big.Int
	num.Set(mant)
	den.SetInt64(1)
	if hex {
		// value = mant × 2^(exp - 4·fracDigits)
		e2 := exp - 4*int64(fracDigits)
		top := int64(mant.BitLen()) + e2 // value < 2^top
		if top-1 >= ldMaxExp {
			return nil, false
		}
		if top < -ldDenormBits-1 {
			return nil, false
		}
		if e2 >= 0 {
			num.Lsh(&num, uint(e2))
		} else {
			den.Lsh(&den, uint(-e2))
		}
	} else {
		// value = mant × 10^(exp - fracDigits)
		e10 := exp - int64(fracDigits)
		sig := int64(len(mant.String())) // significant digits
		top := sig + e10                 // value < 10^top
		if top-1 >= 4933 {
			return nil, false
		}
		if top <= -4952 {
			return nil, false
		}
		var p big.Int
		if e10 >= 0 {
			p.Exp(big.NewInt(10), big.NewInt(e10), nil)
			num.Mul(&num, &p)
		} else {
			p.Exp(big.NewInt(10), big.NewInt(-e10), nil)
			den.Set(&p)
		}
	}
	x, ok := ldRound(&num, &den)
	if !ok {
		return nil, false
	}
	if neg {
		x.Neg(x)
	}
	return x, true
}

// ldRound rounds the positive rational num/den to the nearest long double,
// ties to even, subnormals included. It fails when the result overflows or
// is zero (strtold's ERANGE cases that Redis refuses).
func ldRound(num, den *big.Int) (*big.Float, bool) {
	r := new(big.Rat).SetFrac(num, den)
	// The exponent of the exact value: truncation never changes it.
	t := new(big.Float).SetPrec(ldMantBits).SetMode(big.ToZero).SetRat(r)
	exp := t.MantExp(nil)
	if exp > ldMaxExp {
		return nil, false
	}
	prec := ldMantBits
	if exp < ldMinExp {
		prec = exp + ldDenormBits
		if prec <= 0 {
			// Below 2^-16445: only a value above half the smallest
			// subnormal rounds up to it; the rest round to zero.
			half := new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), ldDenormBits+1))
			if prec == 0 && r.Cmp(half) > 0 {
				return new(big.Float).SetPrec(ldMantBits).SetMantExp(big.NewFloat(0.5), -ldDenormBits+1), true
			}
			return nil, false
		}
	}
	x := new(big.Float).SetPrec(uint(prec)).SetMode(big.ToNearestEven).SetRat(r)
	if x.MantExp(nil) > ldMaxExp {
		return nil, false
	}
	return x.SetPrec(ldMantBits), true
}

func ldIsDec(c byte) (int, bool) {
	if c >= '0' && c <= '9' {
		return int(c - '0'), true
	}
	return 0, false
}

func ldIsHex(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10, true
	}
	return 0, false
}

func ldEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}
