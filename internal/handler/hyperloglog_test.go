package handler_test

import (
	"testing"

	"github.com/ember-kv/ember/embertest"
)

func TestHyperLogLogCommands(t *testing.T) {
	srv := embertest.Run(t)
	c := dialRaw(t, srv.Addr())
	abc := "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80" +
		"\x60\xf3\x80\x50\xb1\x84\x4b\xfb\x80\x42\x5a"
	abcCached := "HYLL\x01\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00" + abc[16:]
	runCases(t, c, []replyCase{
		{"PFCOUNT h", strInt(0)},
		{"PFADD h a b c", strInt(1)},
		{"GET h", strBulk(abc)},
		{"OBJECT ENCODING h", strBulk("raw")},
		{"PFDEBUG DECODE h", strBulk("Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603")},
		{"PFDEBUG ENCODING h", "+sparse\r\n"},
		{"PFCOUNT h", strInt(3)},
		{"GET h", strBulk(abcCached)},
		{"PFADD h a b", strInt(0)},
		{"GET h", strBulk(abcCached)},
		{"PFADD h", strInt(0)},
		{"PFCOUNT h missing h", strInt(3)},
		{"PFCOUNT missing", strInt(0)},
		{"PFMERGE m h missing", strOK},
		{"PFCOUNT m", strInt(3)},
		{"GET m", strBulk(abcCached)},
		{"PFADD e", strInt(1)},
		{"GET e", strBulk("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff")},
		{"PFCOUNT e", strInt(0)},
		{"PFDEBUG TODENSE h", strInt(1)},
		{"PFDEBUG TODENSE h", strInt(0)},
		{"PFDEBUG ENCODING h", "+dense\r\n"},
		{"PFDEBUG DECODE h", strErr("ERR HLL encoding is not sparse")},
		{"STRLEN h", strInt(12304)},
		{"PFCOUNT h", strInt(3)},
		{"PFDEBUG GETREG nokey", strErr("ERR The specified key does not exist")},
		{"PFDEBUG FOO h", strErr("ERR Unknown PFDEBUG subcommand 'FOO'")},

		{"LPUSH l a", strInt(1)},
		{"PFADD l a", strErr("WRONGTYPE Operation against a key holding the wrong kind of value")},
		{"PFCOUNT h l", strErr("WRONGTYPE Operation against a key holding the wrong kind of value")},
		{"SET s hello", strOK},
		{"PFADD s a", strErr("WRONGTYPE Key is not a valid HyperLogLog string value.")},
		{"PFCOUNT s", strErr("WRONGTYPE Key is not a valid HyperLogLog string value.")},
		{"PFMERGE s h", strErr("WRONGTYPE Key is not a valid HyperLogLog string value.")},
		{"PFMERGE h s", strErr("WRONGTYPE Key is not a valid HyperLogLog string value.")},
		{"SET n 123", strOK},
		{"PFCOUNT n", strErr("WRONGTYPE Key is not a valid HyperLogLog string value.")},

		// hll-sparse-max-bytes 0: the first register set converts.
		{"CONFIG SET hll-sparse-max-bytes 0", strOK},
		{"PFADD d x", strInt(1)},
		{"PFDEBUG ENCODING d", "+dense\r\n"},
		{"STRLEN d", strInt(12304)},
		{"CONFIG SET hll-sparse-max-bytes 3000", strOK},
		{"PFMERGE m2 e d", strOK},
		{"PFDEBUG ENCODING m2", "+dense\r\n"},
		{"PFCOUNT m2 h", strInt(4)},
	})

	// A sparse HLL whose opcodes cover too few registers.
	if got := c.do("SET", "bad", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe"); got != strOK {
		t.Fatal(got)
	}
	corrupt := strErr("INVALIDOBJ Corrupted HLL object detected")
	for _, args := range [][]string{
		{"PFCOUNT", "bad"}, {"PFCOUNT", "bad", "h"}, {"PFMERGE", "x", "bad"},
		{"PFDEBUG", "GETREG", "bad"}, {"PFDEBUG", "TODENSE", "bad"},
	} {
		if got := c.do(args...); got != corrupt {
			t.Errorf("%q: %q", args, got)
		}
	}
	if got := c.do("EXISTS", "x"); got != strInt(0) {
		t.Errorf("PFMERGE of a corrupt source created its destination: %q", got)
	}
	// A valid cache is trusted without looking at the registers.
	c.do("SET", "bad", "HYLL\x01\x00\x00\x00\x07\x00\x00\x00\x00\x00\x00\x00\x7f\xfe")
	if got := c.do("PFCOUNT", "bad"); got != strInt(7) {
		t.Errorf("cached count: %q", got)
	}
}
