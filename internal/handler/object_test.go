package handler

import (
	"strings"
	"testing"

	"github.com/ember-kv/ember/internal/value"
)

func TestObjectEncodingRefcount(t *testing.T) {
	h := newGenHarness(t)
	h.expect(genNull, "object", "encoding", "k")
	h.expect(genNull, "object", "refcount", "k")
	h.expect(genNull, "object", "idletime", "k")
	h.expect(genNull, "object", "freq", "k")
	h.cl.SetProto(3)
	h.expect("_\r\n", "object", "encoding", "k")
	h.cl.SetProto(2)

	h.set("int", "12345")
	h.set("small", "42")
	h.set("emb", "hello")
	h.set("raw", strings.Repeat("x", 45))
	h.expect(genBulk("int"), "object", "encoding", "int")
	h.expect(genBulk("int"), "object", "encoding", "small")
	h.expect(genBulk("embstr"), "object", "encoding", "emb")
	h.expect(genBulk("raw"), "object", "encoding", "raw")
	db := h.ks.DB(0, h.now)
	db.Set([]byte("built"), value.NewRawString([]byte("ab")))
	h.expect(genBulk("raw"), "object", "encoding", "built")

	shared := genInt(2147483647)
	h.expect(shared, "object", "refcount", "small")
	h.expect(genInt(1), "object", "refcount", "int") // 10000 and up are not shared
	h.expect(genInt(1), "object", "refcount", "emb")
	h.set("zero", "0")
	h.set("last", "9999")
	h.set("neg", "-1")
	h.expect(shared, "object", "refcount", "zero")
	h.expect(shared, "object", "refcount", "last")
	h.expect(genInt(1), "object", "refcount", "neg")
	// A COPY is its own object, as is what RENAME and MOVE keep.
	h.expect(genInt(1), "copy", "small", "copied")
	h.expect(genInt(1), "object", "refcount", "copied")
	h.expect(genBulk("int"), "object", "encoding", "copied")
	h.expect(genOK, "rename", "small", "renamed")
	h.expect(shared, "object", "refcount", "renamed")
}

func TestObjectIdleTimeAndFreq(t *testing.T) {
	h := newGenHarness(t)
	h.set("k", "v")
	h.expect(genInt(0), "object", "idletime", "k")
	h.advance(7_500)
	h.expect(genInt(7), "object", "idletime", "k") // OBJECT does not touch
	h.expect(genInt(7), "object", "idletime", "k")
	h.expect(genInt(1), "exists", "k") // nor does EXISTS
	h.expect(genInt(7), "object", "idletime", "k")
	h.expect(genInt(1), "touch", "k")
	h.expect(genInt(0), "object", "idletime", "k")
	h.expect(genErr("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."), "object", "freq", "k")

	h.ks.SetLFU(true)
	defer h.ks.SetLFU(false)
	h.expect(genErr("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."), "object", "idletime", "k")
	h.expect(genNull, "object", "freq", "missing")
	h.set("fresh", "v")
	h.expect(genInt(5), "object", "freq", "fresh")
	for i := 0; i < 200; i++ {
		h.do("touch", "fresh")
	}
	got := h.do("object", "freq", "fresh")
	if got == genInt(5) || !strings.HasPrefix(got, ":") {
		t.Fatalf("freq after 200 touches: %q", got)
	}
}

func TestObjectHelpShape(t *testing.T) {
	h := newGenHarness(t)
	got := h.do("object", "help")
	lines := strings.Split(strings.TrimSuffix(got, "\r\n"), "\r\n")
	if lines[0] != "*"+itoaGen(len(lines)-1) {
		t.Fatalf("OBJECT HELP header %q for %d lines", lines[0], len(lines)-1)
	}
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "+") {
			t.Fatalf("OBJECT HELP line %q is not a status reply", l)
		}
	}
	for _, sub := range []string{"ENCODING", "FREQ", "IDLETIME", "REFCOUNT", "HELP"} {
		if !strings.Contains(got, "+"+sub) {
			t.Errorf("OBJECT HELP does not describe %s", sub)
		}
	}
}

func itoaGen(n int) string {
	return strings.TrimSuffix(strings.TrimPrefix(genInt(int64(n)), ":"), "\r\n")
}
