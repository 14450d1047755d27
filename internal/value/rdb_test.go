package value

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"testing"

	"github.com/ember-kv/ember/internal/rdb"
)

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
	long := NewString(bytes.Repeat([]byte("compressible "), 20))
	for _, v := range []Value{NewString([]byte("12")), NewString([]byte("hello")), long, l, s, is, h, z} {
		for _, lzf := range []bool{true, false} {
			p, err := DumpPayloadWith(v, lzf)
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
			p2, _ := DumpPayloadWith(got, lzf)
			if got.Type() != v.Type() || got.Encoding() != v.Encoding() || len(p2) != len(p) {
				t.Fatalf("%T: round trip changed the value", v)
			}
		}
		p, _ := DumpPayload(v)
		raw, _ := DumpPayloadWith(v, false)
		if len(p) > len(raw) {
			t.Fatalf("%T: compressed payload longer than the raw one", v)
		}
	}
}

// TestDumpPayloadRedisVectors compares payloads with the ones Redis
// 7.0.15 wrote for the same values (listpack, quicklist and intset blobs
// LZF-compressed, as Redis does whenever that saves 4 bytes).
func TestDumpPayloadRedisVectors(t *testing.T) {
	lim := RDBLimits{HashEntries: 128, HashValue: 64, SetIntset: 512, ZSet: ZLimits{MaxEntries: 128, MaxValue: 64}}
	h := NewHash()
	h.Set([]byte("greeting"), []byte("hello hello hello hello hello hello"), lim.HashEntries, lim.HashValue)
	h.Set([]byte("n"), []byte("1"), lim.HashEntries, lim.HashValue)
	l := NewList()
	l.PushBack([]byte("abcabcabcabcabcabcabcabc"))
	l.PushBack([]byte("abcabcabcabcabcabcabcabc"))
	l.PushBack([]byte("7"))
	is := NewSet()
	for i := 1; i <= 30; i++ {
		is.Add([]byte(strconv.Itoa(i)), lim.SetIntset)
	}
	z := NewZSet(0, 0, lim.ZSet)
	z.Add([]byte("member-member-member-member"), 1, 0, lim.ZSet)
	z.Add([]byte("member-member-member-member2"), 2.5, 0, lim.ZSet)
	cases := []struct {
		v    Value
		want string
	}{
		{h, "10c3233b163b0000000400886772656574696e6709a368656c6c6f20e014050624816e020101ff0a002184e0534e05d9e0"},
		{l, "120102c3173d093d000000030098616263e00c020019e01119020701ff0a000270bb047c8755db"},
		{is, "0b4044020000001e0000000100020003000400050006000700080009000a000b000c000d000e000f0010001100120013001400150016001700180019001a001b001c001d001e000a00e9567b3691f417c5"},
		{z, "11c32540490d4900000004009b6d656d6265722de00b06031c01019ce00b17a02c07321d83322e3504ff0a00b390a76c8d087e1e"},
		{NewString(bytes.Repeat([]byte("a"), 21)), "00c30615016161e00a000a00fd0cb36807413f68"},
		{NewIntString(70000), "00c2701101000a0001a408fe953095a5"},
	}
	for _, c := range cases {
		p, err := DumpPayload(c.v)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(p); got != c.want {
			t.Errorf("%T:\n got %s\nwant %s", c.v, got, c.want)
		}
		want, _ := hex.DecodeString(c.want)
		v, err := LoadPayload(want, lim)
		if err != nil || v.Type() != c.v.Type() || v.Encoding() != c.v.Encoding() {
			t.Errorf("%T: Redis's payload not loaded: %v", c.v, err)
		}
	}
}

// TestLoadPayloadCorrupt mutates valid payloads: loading must fail or
// succeed cleanly, never panic.
func TestLoadPayloadCorrupt(t *testing.T) {
	lim := RDBLimits{HashEntries: 128, HashValue: 64, SetIntset: 512, ZSet: ZLimits{MaxEntries: 128, MaxValue: 64}}
	h := NewHash()
	for i := range 20 {
		h.Set([]byte("field"+strconv.Itoa(i)), bytes.Repeat([]byte("v"), i*3), lim.HashEntries, lim.HashValue)
	}
	l := NewList()
	for i := range 50 {
		l.PushBack(bytes.Repeat([]byte(strconv.Itoa(i)), 10))
	}
	var payloads [][]byte
	for _, v := range []Value{h, l} {
		p, _ := DumpPayload(v)
		payloads = append(payloads, p)
	}
	seed := uint32(1)
	next := func(n int) int {
		seed = seed*1664525 + 1013904223
		return int(seed>>8) % n
	}
	for i := range 20000 {
		p := bytes.Clone(payloads[i%len(payloads)])
		p = p[:len(p)-rdb.FooterLen]
		for range 1 + next(3) {
			p[next(len(p))] = byte(next(256))
		}
		if i%4 == 0 {
			p = p[:next(len(p))+1]
		}
		_, _ = LoadPayload(p, lim) // must only not panic
	}
}

// TestZiplistEntries decodes a hand-built ziplist (the encoding older RDB
// versions use) with a string and every integer encoding.
func TestZiplistEntries(t *testing.T) {
	entries := [][]byte{
		{0x02, 'a', 'b'},               // 2-byte string
		{0xf6},                         // immediate 5
		{0xfe, 0xfd},                   // int8 -3
		{0xc0, 0xe8, 0x03},             // int16 1000
		{0xf0, 0x00, 0x00, 0x80},       // int24 -8388608
		{0xd0, 0xff, 0xff, 0xff, 0x7f}, // int32 2147483647
		{0xe0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, // int64 -1
	}
	zl := make([]byte, 10)
	prev := 0
	for _, e := range entries {
		zl = append(zl, byte(prev))
		zl = append(zl, e...)
		prev = 1 + len(e)
	}
	zl = append(zl, 0xff)
	binary.LittleEndian.PutUint32(zl, uint32(len(zl)))
	binary.LittleEndian.PutUint16(zl[8:], uint16(len(entries)))
	got, err := ziplistEntries(zl)
	if err != nil {
		t.Fatal(err)
	}
	want := "[ab 5 -3 1000 -8388608 2147483647 -1]"
	if s := fmt.Sprintf("%s", got); s != want {
		t.Fatalf("entries %s, want %s", s, want)
	}
}
