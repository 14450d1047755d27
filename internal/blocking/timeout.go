package blocking

import (
	"math"
	"math/big"
	"time"

	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/value"
	"github.com/ember-kv/ember/resp"
)

// ParseTimeout parses the timeout of a blocking command on keys (BLPOP,
// BZPOPMIN, ...): seconds as a decimal or hexadecimal floating point
// number. It returns how long to wait, 0 meaning forever, or the error
// reply.
//
// Redis reads the number as a long double, multiplies it by 1000 in long
// double arithmetic and rounds up to whole milliseconds; a result outside
// the 64-bit range (infinities included) becomes the most negative integer
// and is refused as negative, while -0.0001 rounds up to 0 and waits
// forever. A timeout too far ahead for the clock waits forever, as Redis's
// deadline then never comes.
func ParseTimeout(b []byte) (time.Duration, string) {
	var ms int64
	if n, ok := resp.ParseInt(b); ok && n > -1<<40 && n < 1<<40 {
		ms = n * 1000
	} else {
		f, ok := value.ParseLongDouble(b)
		if !ok {
			return 0, errs.TimeoutNotFloat
		}
		ms = ceilMillis(f)
	}
	switch {
	case ms < 0:
		return 0, errs.TimeoutNegative
	case ms > math.MaxInt64/int64(time.Millisecond):
		return 0, ""
	}
	return time.Duration(ms) * time.Millisecond, ""
}

// ceilMillis is C's (long long) ceill(f * 1000.0) on x86-64, with f a long
// double: the product is rounded to the 64-bit mantissa, and a result that
// does not fit becomes math.MinInt64.
func ceilMillis(f *big.Float) int64 {
	if f.IsInf() {
		return math.MinInt64
	}
	p := new(big.Float).SetPrec(64).SetMode(big.ToNearestEven)
	p.Mul(f, big.NewFloat(1000))
	i, acc := p.Int(nil) // truncated towards zero
	if acc == big.Below && p.Sign() > 0 {
		i.Add(i, big.NewInt(1))
	}
	if !i.IsInt64() {
		return math.MinInt64
	}
	return i.Int64()
}
