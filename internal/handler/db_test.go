package handler

import (
	"testing"
)

func TestSelect(t *testing.T) {
	h := newGenHarness(t)
	h.expect(genOK, "select", "15")
	if h.cl.DB() != 15 {
		t.Fatalf("db = %d", h.cl.DB())
	}
	h.expect(genErr("ERR DB index is out of range"), "select", "16")
	h.expect(genErr("ERR DB index is out of range"), "select", "-1")
	h.expect(genErr("ERR value is out of range, value must between -2147483648 and 2147483647"), "select", "2147483648")
	h.expect(genErr("ERR value is out of range, value must between -2147483648 and 2147483647"), "select", "-2147483649")
	h.expect(genErr("ERR value is not an integer or out of range"), "select", " 1")
	h.expect(genErr("ERR value is not an integer or out of range"), "select", "01")
	h.expect(genErr("ERR value is not an integer or out of range"), "select", "99999999999999999999")
	if h.cl.DB() != 15 {
		t.Fatalf("failed SELECT changed the db to %d", h.cl.DB())
	}
}

func TestDBSizeFlush(t *testing.T) {
	h := newGenHarness(t)
	h.set("a", "1")
	h.set("b", "2")
	h.cl.SetDB(1)
	h.set("c", "3")
	h.expect(genInt(1), "dbsize")
	h.expect(genErr("ERR syntax error"), "flushdb", "foo")
	h.expect(genErr("ERR syntax error"), "flushdb", "sync", "async")
	h.expect(genErr("ERR syntax error"), "flushall", "lazy")
	h.expect(genOK, "flushdb", "ASYNC")
	h.expect(genInt(0), "dbsize")
	h.cl.SetDB(0)
	h.expect(genInt(2), "dbsize")
	h.setTTL("t", "v", 10)
	h.advance(20)
	h.expect(genInt(3), "dbsize") // not reclaimed yet
	h.expect(genOK, "flushdb", "sync")
	h.expect(genInt(0), "dbsize")
	h.set("a", "1")
	h.cl.SetDB(7)
	h.set("a", "1")
	h.expect(genOK, "flushall")
	h.expect(genInt(0), "dbsize")
	h.cl.SetDB(0)
	h.expect(genInt(0), "dbsize")
	h.expect(genOK, "flushall", "Sync")
	h.expect(genOK, "flushall", "async")
}

func TestSwapDB(t *testing.T) {
	h := newGenHarness(t)
	h.expect(genErr("ERR invalid first DB index"), "swapdb", "a", "1")
	h.expect(genErr("ERR invalid first DB index"), "swapdb", "4294967296", "1")
	h.expect(genErr("ERR invalid second DB index"), "swapdb", "1", "b")
	h.expect(genErr("ERR invalid second DB index"), "swapdb", "1", "-2147483649")
	h.expect(genErr("ERR DB index is out of range"), "swapdb", "1", "16")
	h.expect(genErr("ERR DB index is out of range"), "swapdb", "-1", "0")
	h.set("in0", "v")
	h.setTTL("ttl0", "v", 100_000)
	h.expect(genOK, "swapdb", "0", "0")
	h.expect(genInt(2), "dbsize")
	h.expect(genOK, "swapdb", "0", "9")
	h.expect(genInt(0), "dbsize")
	h.cl.SetDB(9)
	h.expect(genInt(2), "dbsize")
	h.expect(genInt(100), "ttl", "ttl0")
	if n := h.ks.DB(9, h.now).VolatileLen(); n != 1 {
		t.Fatalf("volatile keys in db 9: %d", n)
	}
}
