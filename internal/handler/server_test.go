package handler

import (
	"math"
	"testing"
)

func TestStrtodPrefix(t *testing.T) {
	for in, want := range map[string]float64{
		"0": 0, "1": 1, "1.5": 1.5, ".5": 0.5, "5.": 5, "  2.5": 2.5, "+3": 3, "-3": -3,
		"1e3": 1000, "1e": 1, "1e+": 1, "2E-1": 0.2, "1.5abc": 1.5, "abc": 0, "": 0, ".": 0,
		"0x10": 16, "0x1.8p1": 3, "-0x10z": -16, "0x": 0, "inf": math.Inf(1),
		"-Infinity": math.Inf(-1), "1_000": 1,
	} {
		if got := strtodPrefix(in); got != want {
			t.Errorf("strtodPrefix(%q) = %v, want %v", in, got, want)
		}
	}
	if !math.IsNaN(strtodPrefix("nan")) || !math.IsNaN(strtodPrefix("-NaN(1)")) {
		t.Error("nan")
	}
}

func TestBytesToHuman(t *testing.T) {
	for n, want := range map[uint64]string{
		0: "0B", 1023: "1023B", 1024: "1.00K", 1536: "1.50K", 1534768: "1.46M",
		1 << 30: "1.00G", 25276510208: "23.54G", 1 << 40: "1.00T", 1 << 50: "1.00P", 1 << 60: "1152921504606846976B",
	} {
		if got := bytesToHuman(n); got != want {
			t.Errorf("bytesToHuman(%d) = %s, want %s", n, got, want)
		}
	}
}

func TestErrorStats(t *testing.T) {
	e := NewErrorStats()
	for _, msg := range []string{
		"ERR syntax error", "WRONGTYPE Operation against a key", "ERR x\r\n-OTHER y\r\n",
		"NOSPACEHERE", "NOSPACE\r\nAFTER x", "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ x",
	} {
		e.AddString(msg)
	}
	got := e.Snapshot()
	want := []ErrorCount{{"ERR", 5}, {"WRONGTYPE", 1}}
	if len(got) != len(want) {
		t.Fatalf("snapshot %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("snapshot %v, want %v", got, want)
		}
	}
	for i := 0; i < 2*errorStatsLimit; i++ {
		e.AddString("C" + string(rune('A'+i%26)) + string(rune('A'+i/26)) + " x")
	}
	if n := len(e.Snapshot()); n != errorStatsLimit {
		t.Errorf("%d codes kept, want %d", n, errorStatsLimit)
	}
	e.Reset()
	if len(e.Snapshot()) != 0 {
		t.Error("Reset kept counts")
	}
}

func TestInfoSafe(t *testing.T) {
	if got := infoSafe("a#b:c\nd\re"); got != "a_b_c_d_e" {
		t.Errorf("infoSafe: %q", got)
	}
	if got := infoSafe("config|get"); got != "config|get" {
		t.Errorf("infoSafe: %q", got)
	}
}
