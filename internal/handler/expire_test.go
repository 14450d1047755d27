package handler

import (
	"strconv"
	"testing"
)

func TestExpireOptions(t *testing.T) {
	h := newGenHarness(t)
	h.set("a", "1")
	nxConflict := genErr("ERR NX and XX, GT or LT options at the same time are not compatible")
	gtlt := genErr("ERR GT and LT options at the same time are not compatible")
	h.expect(nxConflict, "expire", "a", "10", "nx", "xx")
	h.expect(nxConflict, "expire", "a", "10", "NX", "GT")
	h.expect(nxConflict, "pexpire", "a", "10", "lt", "nx")
	h.expect(gtlt, "expireat", "a", "10", "gt", "lt")
	h.expect(nxConflict, "expire", "a", "10", "gt", "lt", "nx") // NX is checked first
	h.expect(genErr("ERR Unsupported option foo"), "expire", "a", "10", "foo")
	h.expect(genErr("ERR Unsupported option foo"), "expire", "a", "notanumber", "foo") // options first
	h.expect(genErr("ERR Unsupported option x  y"), "expire", "a", "10", "x\r\ny\r\n")
	h.expect(genErr("ERR Unsupported option x"), "expire", "a", "10", "x\x00y")
	h.expect(genErr("ERR value is not an integer or out of range"), "expire", "a", "1.5")

	// GT and LT against a key with no TTL, which counts as infinite.
	h.expect(genInt(0), "expire", "a", "100", "gt")
	h.expect(genInt(0), "expire", "a", "100", "xx")
	h.expect(genInt(1), "expire", "a", "100", "lt")
	h.expect(genInt(0), "expire", "a", "100", "nx")
	h.expect(genInt(0), "expire", "a", "100", "lt") // equal is not less
	h.expect(genInt(0), "expire", "a", "100", "gt") // nor greater
	h.expect(genInt(1), "expire", "a", "200", "gt")
	h.expect(genInt(200), "ttl", "a")
	h.expect(genInt(1), "pexpire", "a", "150500", "lt", "xx")
	h.expect(genInt(150500), "pttl", "a")
	h.expect(genInt(151), "ttl", "a") // rounded
	h.expect(genInt(0), "expire", "missing", "10")
	h.expect(genInt(0), "expire", "missing", "-10")
}

func TestExpireOverflow(t *testing.T) {
	h := newGenHarness(t)
	h.set("a", "1")
	for _, c := range [][]string{
		{"expire", "a", "9223372036854775807"},
		{"expire", "a", "-9223372036854775808"},
		{"expire", "a", "9223372036854776"},
		{"expireat", "a", "9223372036854776"},
		{"pexpire", "a", "9223372036854775807"},
		{"pexpire", "a", strconv.FormatInt(9223372036854775807-genT0+1, 10)},
	} {
		h.expect(genErr("ERR invalid expire time in '"+c[0]+"' command"), c...)
	}
	h.expect(genInt(1), "pexpire", "a", strconv.FormatInt(9223372036854775807-genT0, 10))
	h.expect(genInt(1), "pexpireat", "a", "9223372036854775807")
	h.expect(genInt(9223372036854776), "expiretime", "a")
	h.expect(genInt(9223372036854775807), "pexpiretime", "a")
	h.expect(genInt(1), "expireat", "a", "9223372036854775")
	h.expect(genInt(9223372036854775), "expiretime", "a")
}

func TestExpireInThePastDeletes(t *testing.T) {
	h := newGenHarness(t)
	for _, c := range [][]string{
		{"expire", "k", "0"},
		{"expire", "k", "-5"},
		{"pexpire", "k", "0"},
		{"expireat", "k", "1"},
		{"pexpireat", "k", strconv.FormatInt(genT0, 10)}, // now is already past
		{"pexpireat", "k", "-1"},
		{"expire", "k", "-9223372036854775"},
	} {
		h.set("k", "v")
		h.expect(genInt(1), c...)
		h.expect(genInt(0), "exists", "k")
		h.expect(genInt(0), "dbsize")
	}
	// GT still refuses on a persistent key, even for a past time.
	h.set("k", "v")
	h.expect(genInt(0), "expire", "k", "-1", "gt")
	h.expect(genInt(1), "exists", "k")
}

func TestTTLAndExpiryTimes(t *testing.T) {
	h := newGenHarness(t)
	h.expect(genInt(-2), "ttl", "k")
	h.expect(genInt(-2), "pttl", "k")
	h.expect(genInt(-2), "expiretime", "k")
	h.expect(genInt(-2), "pexpiretime", "k")
	h.set("k", "v")
	h.expect(genInt(-1), "ttl", "k")
	h.expect(genInt(-1), "pttl", "k")
	h.expect(genInt(-1), "expiretime", "k")
	h.expect(genInt(-1), "pexpiretime", "k")
	h.expect(genInt(1), "pexpire", "k", "1500")
	h.expect(genInt(1500), "pttl", "k")
	h.expect(genInt(2), "ttl", "k") // 1.5 s rounds up
	h.expect(genInt(genT0+1500), "pexpiretime", "k")
	h.expect(genInt((genT0+1500+500)/1000), "expiretime", "k")
	h.advance(1499)
	h.expect(genInt(1), "pttl", "k")
	h.advance(1)
	h.expect(genInt(0), "pttl", "k") // alive at its expiry time
	h.expect(genInt(0), "ttl", "k")
	h.advance(1)
	h.expect(genInt(-2), "pttl", "k")
	h.expect(genInt(0), "dbsize") // the lookup reclaimed it
}

func TestPersist(t *testing.T) {
	h := newGenHarness(t)
	h.expect(genInt(0), "persist", "k")
	h.set("k", "v")
	h.expect(genInt(0), "persist", "k")
	h.expect(genInt(1), "expire", "k", "10")
	h.expect(genInt(1), "persist", "k")
	h.expect(genInt(-1), "ttl", "k")
	h.expect(genInt(0), "persist", "k")
	h.expect(genInt(1), "expire", "k", "10")
	h.advance(10_001)
	h.expect(genInt(0), "persist", "k")
	h.expect(genInt(0), "dbsize")
}
