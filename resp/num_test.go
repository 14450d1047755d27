package resp

import (
	"math"
	"strconv"
	"testing"
)

func TestParseInt(t *testing.T) {
	good := map[string]int64{
		"0":                    0,
		"1":                    1,
		"-1":                   -1,
		"9":                    9,
		"10":                   10,
		"123456789":            123456789,
		"-123456789":           -123456789,
		"9223372036854775807":  math.MaxInt64,
		"-9223372036854775808": math.MinInt64,
		"9223372036854775806":  math.MaxInt64 - 1,
		"-9223372036854775807": math.MinInt64 + 1,
		"1000000000000000000":  1e18,
	}
	for s, want := range good {
		got, ok := ParseInt([]byte(s))
		if !ok || got != want {
			t.Errorf("ParseInt(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
	bad := []string{
		"", "-", "+", "+1", "-0", "00", "01", "-01", "007", " 1", "1 ", "1\r", "\t1",
		"1a", "a1", "1.0", "1e3", "0x10", "--1", "-+1", "1-",
		"9223372036854775808", "-9223372036854775809",
		"18446744073709551615", "18446744073709551616", "99999999999999999999",
		"-99999999999999999999", "100000000000000000000", "123456789012345678901",
		"\x00", "1\x00",
	}
	for _, s := range bad {
		if v, ok := ParseInt([]byte(s)); ok {
			t.Errorf("ParseInt(%q) = %d, want rejection", s, v)
		}
	}
}

// parseIntModel is string2ll's contract: exactly the canonical decimal
// forms of int64 values are accepted.
func parseIntModel(s string) (int64, bool) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || strconv.FormatInt(v, 10) != s {
		return 0, false
	}
	return v, true
}

func FuzzParseInt(f *testing.F) {
	for _, s := range []string{"0", "-0", "+1", "01", "9223372036854775807", "9223372036854775808",
		"-9223372036854775808", "-9223372036854775809", "18446744073709551616", "", "-", "12a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseInt([]byte(s))
		want, wok := parseIntModel(s)
		if ok != wok || got != want {
			t.Fatalf("ParseInt(%q) = %d, %v; model %d, %v", s, got, ok, want, wok)
		}
	})
}

func TestAppendInt(t *testing.T) {
	vals := []int64{0, 1, -1, 9, 10, -9, -10, 99, 100, 12345, -12345,
		math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1,
		math.MaxInt32, math.MinInt32, 1e18, -1e18}
	for p := int64(1); p > 0 && p < math.MaxInt64/10; p *= 10 {
		vals = append(vals, p-1, p, p+1, -p+1, -p, -p-1)
	}
	for _, v := range vals {
		got := string(AppendInt([]byte("x"), v))
		if want := "x" + strconv.FormatInt(v, 10); got != want {
			t.Errorf("AppendInt(%d) = %q, want %q", v, got, want)
		}
		if back, ok := ParseInt([]byte(got[1:])); !ok || back != v {
			t.Errorf("ParseInt(AppendInt(%d)) = %d, %v", v, back, ok)
		}
	}
}

func TestAppendIntNoAlloc(t *testing.T) {
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(1000, func() {
		buf = AppendInt(buf[:0], math.MinInt64)
		buf = AppendInt(buf, 42)
	}); n != 0 {
		t.Fatalf("AppendInt allocated %v times", n)
	}
}
