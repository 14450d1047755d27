package value

import (
	"bytes"
	"strconv"
	"testing"
)

func TestCRC64(t *testing.T) {
	if got := CRC64(0, []byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("crc64 = %x", got)
	}
}

func TestDumpPayloadRoundTrip(t *testing.T) {
	lim := RDBLimits{HashEntries: 128, HashValue: 64, SetIntset: 512, ZSet: ZLimits{MaxEntries: 128, MaxValue: 64}}
	l := NewList()
	s, is := NewSet(), NewSet()
	h := NewHash()
	z := NewZSet(0, 0, lim.ZSet)
	for i := range 300 {
		v := []byte(strconv.Itoa(i*7919 - 100000))
		l.PushBack(v)
		l.PushBack(bytes.Repeat([]byte{'x'}, i))
		s.Add(append([]byte("m"), v...), lim.SetIntset)
		is.Add(v, lim.SetIntset)
		h.Set(v, bytes.Repeat([]byte{'v'}, i%70), lim.HashEntries, lim.HashValue)
		z.Add(v, float64(i)/3, 0, lim.ZSet)
	}
	for _, v := range []Value{NewString([]byte("12")), NewString([]byte("hello")), l, s, is, h, z} {
		p, err := DumpPayload(v)
		if err != nil {
			t.Fatal(err)
		}
		if !CheckPayload(p) {
			t.Fatalf("%T: bad footer", v)
		}
		got, err := LoadPayload(p, lim)
		if err != nil {
			t.Fatalf("%T: %v", v, err)
		}
		p2, _ := DumpPayload(got)
		if got.Type() != v.Type() || got.Encoding() != v.Encoding() || len(p2) != len(p) {
			t.Fatalf("%T: round trip changed the value", v)
		}
	}
}
