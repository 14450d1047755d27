package value

import (
	"crypto/md5"
	"fmt"
	"testing"
)

// The expected texts were taken from Redis 7.0 on x86-64 (INCRBYFLOAT).
func TestAddLongDouble(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"0.1", "0.2", "0.3"},
		{"10.5", "0.1", "10.6"},
		{"0.3", "12345.678", "12345.97799999999999976"},
		{"1", "1e-20", "1"},
		{"-5", "5", "0"},
		{"3", "-0.0000000000000000001", "3"},
		{"0", "1.1", "1.1"},
		{"0", "123456789.123456789", "123456789.12345678899873747"},
		{"0", "-1e-18", "0"},
		{"9223372036854775807", "1", "9223372036854775808"},
		{"0", "0x1p-16445", "0"},
		{"0", "3.6e-4951", "0"},
		{"0", "1.823e-4951", "0"},
		{"0", "0x1.0001p-16446", "0"},
		{"0", "0X1P3", "8"},
		{"0", "0x.8", "0.5"},
		{"0", "-.5e1", "-5"},
		{"0", "00001", "1"},
	} {
		got, err := AddLongDouble([]byte(tc.a), true, []byte(tc.b))
		if err != nil || string(got) != tc.want {
			t.Errorf("%s + %s = %q, %v; want %q", tc.a, tc.b, got, err, tc.want)
		}
	}
	// The largest long double, printed in full.
	got, err := AddLongDouble(nil, false, []byte("0x1.fffffffffffffffep16383"))
	if err != nil || len(got) != 4933 || fmt.Sprintf("%x", md5.Sum(append(got, '\n'))) != "73292351932e29d51a41596e26f4f1d1" {
		t.Errorf("LDBL_MAX: %d bytes, %v", len(got), err)
	}
	for _, tc := range []struct{ a, b string }{
		{"1e4932", "1e4932"},
		{"0", "inf"},
		{"0", "-Infinity"},
		{"inf", "1"},
	} {
		if _, err := AddLongDouble([]byte(tc.a), true, []byte(tc.b)); err != ErrNaNOrInf {
			t.Errorf("%s + %s: %v, want ErrNaNOrInf", tc.a, tc.b, err)
		}
	}
	for _, bad := range []string{
		"", " 1", "1 ", "abc", "nan", "NaN", "1e", "1e+", ".", "0x", "0x1p", "1_0", "0b1",
		"1.19e4932", "1e4933", "1e-4960", "1.8225e-4951", "0x1p-16446", "0x1p16384",
		"1e999999999999999999999", "infinit", "--1", "1\x00",
	} {
		if _, err := AddLongDouble(nil, false, []byte(bad)); err != ErrNotFloat {
			t.Errorf("%q: %v, want ErrNotFloat", bad, err)
		}
	}
	if _, err := AddLongDouble([]byte(""), true, []byte("1")); err != ErrNotFloat {
		t.Errorf("empty stored value: %v, want ErrNotFloat", err)
	}
}
