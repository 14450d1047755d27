package script

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/ember-kv/ember/internal/rdb"
)

// dumpVecCode and dumpVec are a library and Redis 7.0.15's FUNCTION DUMP
// of it (the code LZF-compressed).
const (
	dumpVecCode = "#!lua name=dumpvec\n" +
		"redis.register_function('dv_one', function() return 1 end)\n" +
		"redis.register_function('dv_two', function() return 2 end)"
	dumpVec = "f5c3405b40881f23216c7561206e616d653d64756d707665630a72656469732e726567697374" +
		"6514725f66756e6374696f6e282764765f6f6e65272c20e000120e292072657475726e203120" +
		"656e6429e0143a0274776fe00c3a0032203a0164290a00fcf4754d54f63ffc"
)

func newDumpEngine(t *testing.T) *Engine {
	t.Helper()
	return New(func(r *Run, args [][]byte) ([]byte, string) { return []byte(":1\r\n"), "" })
}

func TestFunctionDumpMatchesRedis(t *testing.T) {
	e := newDumpEngine(t)
	if _, msg := e.LoadLibrary(dumpVecCode, false); msg != "" {
		t.Fatal(msg)
	}
	if got := hex.EncodeToString(e.Dump()); got != dumpVec {
		t.Fatalf("dump\n got %s\nwant %s", got, dumpVec)
	}
	raw := e.DumpWith(false)
	if !rdb.CheckFooter(raw) || !bytes.Contains(raw, []byte(dumpVecCode)) {
		t.Fatalf("uncompressed dump %q", raw)
	}
	// Redis's payload restores, and a second time only with REPLACE.
	p, _ := hex.DecodeString(dumpVec)
	e2 := newDumpEngine(t)
	if msg := e2.Restore(p, RestoreAppend); msg != "" {
		t.Fatal(msg)
	}
	if msg := e2.Restore(p, RestoreAppend); msg != "ERR Library dumpvec already exists" {
		t.Fatalf("second restore: %q", msg)
	}
	if msg := e2.Restore(raw, RestoreReplace); msg != "" {
		t.Fatal(msg)
	}
	if !bytes.Equal(e2.Dump(), p) {
		t.Fatal("restored library dumps differently")
	}
}

func TestFunctionRestoreErrors(t *testing.T) {
	e := newDumpEngine(t)
	seal := func(b ...byte) []byte { return rdb.AppendFooter(b) }
	good, _ := hex.DecodeString(dumpVec)
	bad := bytes.Clone(good)
	bad[len(bad)-1] ^= 1
	cases := []struct {
		p    []byte
		want string
	}{
		{[]byte("short"), "ERR DUMP payload version or checksum are wrong"},
		{bad, "ERR DUMP payload version or checksum are wrong"},
		{seal(7), "ERR given type is not a function"},
		{seal(rdbOpcodeFunction), "ERR Pre-GA function format not supported"},
		{seal(rdbOpcodeFunc2, 5, 'a'), "ERR Failed loading library payload"},
		{seal(rdbOpcodeFunc2, 0xc3, 9, 9, 0), "ERR Failed loading library payload"},
	}
	for _, c := range cases {
		if got := e.Restore(c.p, RestoreAppend); got != c.want {
			t.Errorf("%x: %q want %q", c.p, got, c.want)
		}
	}
	if len(e.Libraries()) != 0 {
		t.Fatal("a failed restore left libraries")
	}
	if got := e.Restore(seal(), RestoreFlush); got != "" {
		t.Fatalf("empty payload: %q", got)
	}
}
