// Score parsing as Redis does it (strtod rules), and byte/string views.

package value

import (
	"math"
	"strconv"
	"unsafe"
)

// zsStr views b as a string without copying; it must not be kept.
func zsStr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// zsBytes views s as bytes without copying; they must not be modified.
func zsBytes(s string) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// ParseScore parses a score as Redis's string2d: the whole argument must
// be a number C's strtod reads (decimal or hexadecimal, optional exponent,
// "inf"/"infinity"), with no leading space, not NaN, and neither
// overflowing nor underflowing to zero.
func ParseScore(b []byte) (float64, bool) {
	if len(b) == 0 || zsIsSpace(b[0]) {
		return 0, false
	}
	v, n, erange := zsStrtod(b)
	if n != len(b) || math.IsNaN(v) {
		return 0, false
	}
	if erange && (math.IsInf(v, 0) || v == 0) {
		return 0, false
	}
	return v, true
}

func zsIsSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func zsEqualFold(b []byte, s string) bool {
	if len(b) < len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
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

// zsStrtod reads the longest prefix of b that glibc's strtod converts
// (after leading white space) and returns its value, the bytes consumed
// (0 when nothing converts) and whether the conversion overflowed or
// underflowed (strtod's ERANGE).
func zsStrtod(b []byte) (v float64, n int, erange bool) {
	i := 0
	for i < len(b) && zsIsSpace(b[i]) {
		i++
	}
	start := i
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	rest := b[i:]
	switch {
	case zsEqualFold(rest, "infinity"):
		return math.Inf(zsSign(neg)), i + 8, false
	case zsEqualFold(rest, "inf"):
		return math.Inf(zsSign(neg)), i + 3, false
	case zsEqualFold(rest, "nan"):
		j := i + 3
		if j < len(b) && b[j] == '(' {
			k := j + 1
			for k < len(b) && (b[k] == '_' || b[k] >= '0' && b[k] <= '9' || b[k] >= 'a' && b[k] <= 'z' || b[k] >= 'A' && b[k] <= 'Z') {
				k++
			}
			if k < len(b) && b[k] == ')' {
				j = k + 1
			}
		}
		return math.NaN(), j, false
	}
	// Hexadecimal: 0x, hex digits with an optional point, optional p
	// exponent. "0x" without a digit after it reads as "0".
	if len(rest) > 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X') {
		j := i + 2
		digits, nonzero := 0, false
		for j < len(b) && zsHexDigit(b[j]) {
			nonzero = nonzero || b[j] != '0'
			j++
			digits++
		}
		if j < len(b) && b[j] == '.' {
			j++
			for j < len(b) && zsHexDigit(b[j]) {
				nonzero = nonzero || b[j] != '0'
				j++
				digits++
			}
		}
		if digits > 0 {
			mantEnd := j
			j = zsExponent(b, j, 'p')
			text := make([]byte, 0, j-start+3)
			text = append(text, b[start:mantEnd]...)
			if j > mantEnd {
				text = append(text, b[mantEnd:j]...)
			} else {
				text = append(text, 'p', '0')
			}
			return zsParseFloat(text, nonzero, j)
		}
	}
	j := i
	digits, nonzero := 0, false
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		nonzero = nonzero || b[j] != '0'
		j++
		digits++
	}
	if j < len(b) && b[j] == '.' {
		k := j + 1
		for k < len(b) && b[k] >= '0' && b[k] <= '9' {
			nonzero = nonzero || b[k] != '0'
			k++
			digits++
		}
		if digits > 0 {
			j = k
		}
	}
	if digits == 0 {
		return 0, 0, false
	}
	j = zsExponent(b, j, 'e')
	return zsParseFloat(b[start:j], nonzero, j)
}

func zsSign(neg bool) int {
	if neg {
		return -1
	}
	return 1
}

func zsHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// zsExponent extends a mantissa ending at j with an exponent (marker e or
// p, either case, an optional sign and at least one digit), if one is there.
func zsExponent(b []byte, j int, marker byte) int {
	if j >= len(b) || (b[j] != marker && b[j] != marker-('a'-'A')) {
		return j
	}
	k := j + 1
	if k < len(b) && (b[k] == '+' || b[k] == '-') {
		k++
	}
	if k >= len(b) || b[k] < '0' || b[k] > '9' {
		return j
	}
	for k < len(b) && b[k] >= '0' && b[k] <= '9' {
		k++
	}
	return k
}

// zsParseFloat converts text already checked to be in strtod's syntax
// (which Go's ParseFloat also accepts) and reports strtod's ERANGE.
func zsParseFloat(text []byte, nonzero bool, n int) (float64, int, bool) {
	v, err := strconv.ParseFloat(zsStr(text), 64)
	erange := err != nil // only ErrRange is possible: overflow
	if v == 0 && nonzero {
		erange = true // underflow to zero
	}
	return v, n, erange
}
