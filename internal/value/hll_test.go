package value

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestHLLNew(t *testing.T) {
	s := NewHLL()
	want := "HYLL\x01\x00\x00\x00" + "\x00\x00\x00\x00\x00\x00\x00\x00" + "\x7f\xff"
	if string(s.B) != want {
		t.Fatalf("new HLL %q, want %q", s.B, want)
	}
	if s.Encoding() != EncRaw {
		t.Fatalf("encoding %s", s.Encoding())
	}
	if n, ok := HLLCount(s.B); !ok || n != 0 {
		t.Fatalf("count %d %v", n, ok)
	}
	if n, ok := HLLCached(s.B); !ok || n != 0 {
		t.Fatalf("cached %d %v", n, ok)
	}
	if d := HLLDecode(s.B); d != "Z:16384" {
		t.Fatalf("decode %q", d)
	}
}

// TestHLLRedisBytes checks bytes taken from Redis 7.0: PFADD h a b c, then
// PFCOUNT h.
func TestHLLRedisBytes(t *testing.T) {
	s := NewHLL()
	for _, e := range []string{"a", "b", "c"} {
		if HLLAdd(s, []byte(e), 3000) != 1 {
			t.Fatalf("add %s did not change", e)
		}
	}
	HLLInvalidate(s.B)
	want := "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80" +
		"\x60\xf3\x80\x50\xb1\x84\x4b\xfb\x80\x42\x5a"
	if string(s.B) != want {
		t.Fatalf("bytes %q\nwant  %q", s.B, want)
	}
	if _, ok := HLLCached(s.B); ok {
		t.Fatal("cache should be stale")
	}
	n, ok := HLLCount(s.B)
	if !ok || n != 3 {
		t.Fatalf("count %d %v", n, ok)
	}
	HLLSetCached(s.B, n)
	if string(s.B[8:16]) != "\x03\x00\x00\x00\x00\x00\x00\x00" {
		t.Fatalf("cache bytes %q", s.B[8:16])
	}
	if HLLAdd(s, []byte("a"), 3000) != 0 {
		t.Fatal("re-adding a changed the HLL")
	}
}

func TestHLLValid(t *testing.T) {
	dense := make([]byte, HLLDenseSize)
	copy(dense, "HYLL")
	cases := []struct {
		b    string
		want bool
	}{
		{"", false},
		{"HYLL", false},
		{string(NewHLL().B), true},
		{"HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", true},
		{"HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", false},
		{"HYLX\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", false},
		{"HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", false},
		{string(dense), true},
		{string(dense) + "x", false},
	}
	for _, c := range cases {
		if got := HLLValid([]byte(c.b)); got != c.want {
			t.Errorf("HLLValid(%q) = %v", c.b, got)
		}
	}
}

// TestHLLSparseDenseAgree feeds the same elements to a sparse HLL (which
// converts at the limit) and to a dense one: registers and counts must
// agree at every step.
func TestHLLSparseDenseAgree(t *testing.T) {
	for _, limit := range []int64{3000, 300, 1 << 20} {
		sp := NewHLL()
		dn := NewHLL()
		if _, ok := HLLToDense(dn); !ok {
			t.Fatal("todense")
		}
		r := rand.New(rand.NewPCG(1, uint64(limit)))
		for i := 0; i < 6000; i++ {
			e := []byte(strconv.Itoa(r.IntN(1 << 30)))
			a, b := HLLAdd(sp, e, limit), HLLAdd(dn, e, limit)
			if a != b {
				t.Fatalf("limit %d step %d: sparse %d dense %d", limit, i, a, b)
			}
			if i%997 == 0 || i < 100 {
				n1, ok1 := HLLCount(sp.B)
				n2, _ := HLLCount(dn.B)
				if !ok1 || n1 != n2 {
					t.Fatalf("limit %d step %d: counts %d/%v %d", limit, i, n1, ok1, n2)
				}
			}
			if !HLLIsDense(sp.B) && int64(len(sp.B)) > limit && len(sp.B) > HLLHeaderSize+2 {
				t.Fatalf("sparse HLL of %d bytes over the limit %d", len(sp.B), limit)
			}
		}
		c := &String{B: append([]byte(nil), sp.B...)}
		HLLToDense(c)
		r1, r2 := HLLRegistersOf(c.B), HLLRegistersOf(dn.B)
		for i := range r1 {
			if r1[i] != r2[i] {
				t.Fatalf("register %d: %d vs %d", i, r1[i], r2[i])
			}
		}
		var regs [HLLRegisters]uint8
		if !HLLMerge(&regs, sp.B) {
			t.Fatal("merge")
		}
		n1, _ := HLLCount(dn.B)
		if n2 := HLLCountRegisters(&regs); n1 != n2 {
			t.Fatalf("union count %d vs %d", n2, n1)
		}
	}
}

// TestHLLSparseOpcodes checks that sparse updates keep the opcodes
// minimal where Redis merges them.
func TestHLLSparseOpcodes(t *testing.T) {
	s := NewHLL()
	steps := []struct {
		index int
		v     uint8
		want  string
	}{
		{0, 1, "v:1,1 Z:16383"},
		{1, 1, "v:1,2 Z:16382"},
		{3, 1, "v:1,2 z:1 v:1,1 Z:16380"},
		{2, 1, "v:1,4 Z:16380"},
		{1, 3, "v:1,1 v:3,1 v:1,2 Z:16380"},
		{100, 32, "v:1,1 v:3,1 v:1,2 Z:96 v:32,1 Z:16283"},
		{16383, 2, "v:1,1 v:3,1 v:1,2 Z:96 v:32,1 Z:16282 v:2,1"},
		{16383, 1, "v:1,1 v:3,1 v:1,2 Z:96 v:32,1 Z:16282 v:2,1"},
	}
	for _, st := range steps {
		HLLSetRegister(s, st.index, st.v, 3000)
		if got := HLLDecode(s.B); got != st.want {
			t.Fatalf("after %d=%d: %q, want %q", st.index, st.v, got, st.want)
		}
	}
	if HLLSetRegister(s, 5, 33, 3000) != 1 || !HLLIsDense(s.B) || len(s.B) != HLLDenseSize {
		t.Fatal("a value over 32 must convert to dense")
	}
	regs := HLLRegistersOf(s.B)
	for i, want := range map[int]uint8{0: 1, 1: 3, 2: 1, 3: 1, 4: 0, 5: 33, 100: 32, 16383: 2} {
		if regs[i] != want {
			t.Fatalf("register %d = %d, want %d", i, regs[i], want)
		}
	}
}

func TestHLLCorrupt(t *testing.T) {
	// Opcodes covering fewer registers than 16384.
	s := &String{B: []byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe")}
	if _, ok := HLLCount(s.B); ok {
		t.Fatal("short sparse counted")
	}
	var regs [HLLRegisters]uint8
	if HLLMerge(&regs, s.B) {
		t.Fatal("short sparse merged")
	}
	if _, ok := HLLToDense(s); ok {
		t.Fatal("short sparse converted")
	}
	if got := HLLSetRegister(s, 16383, 1, 3000); got != -1 {
		t.Fatalf("set past the opcodes: %d", got)
	}
	if got := HLLSetRegister(s, 10, 40, 3000); got != -1 {
		t.Fatalf("promote of corrupt HLL: %d", got)
	}
	// A VAL run passing the last register.
	v := &String{B: []byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe\x83")}
	if HLLMerge(&regs, v.B) {
		t.Fatal("overflowing sparse merged")
	}
	// Empty opcodes.
	e := &String{B: []byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80")}
	if got := HLLSetRegister(e, 0, 1, 3000); got != -1 {
		t.Fatalf("set on empty opcodes: %d", got)
	}
}

func TestHLLEstimatorEdges(t *testing.T) {
	var regs [HLLRegisters]uint8
	if n := HLLCountRegisters(&regs); n != 0 {
		t.Fatalf("empty: %d", n)
	}
	for i := range regs {
		regs[i] = 51
	}
	if n := HLLCountRegisters(&regs); n == 0 {
		t.Fatal("full registers counted 0")
	}
	for i := range regs {
		regs[i] = 63 // values the hash cannot produce are ignored
	}
	// Every register above 50: Redis's estimate degenerates to the
	// lowest int64 (bit 63 alone).
	if n := HLLCountRegisters(&regs); n != 1<<63 {
		t.Fatalf("registers of 63: %d", n)
	}
}

// TestHLLAccuracy adds a million distinct elements: the estimate must be
// within three standard errors (3 × 0.81%) at every checkpoint.
func TestHLLAccuracy(t *testing.T) {
	s := NewHLL()
	buf := make([]byte, 0, 32)
	next := 10
	for i := 1; i <= 1_000_000; i++ {
		buf = strconv.AppendInt(append(buf[:0], "element:"...), int64(i), 10)
		HLLAdd(s, buf, 3000)
		if i != next && i != 1_000_000 {
			continue
		}
		next *= 10
		n, ok := HLLCount(s.B)
		if !ok {
			t.Fatal("corrupt")
		}
		relerr := math.Abs(float64(n)-float64(i)) / float64(i)
		t.Logf("%d distinct: estimate %d, error %.3f%%", i, n, 100*relerr)
		if relerr > 3*0.0081 {
			t.Fatalf("%d distinct: estimate %d, error %.3f%% over 2.43%%", i, n, 100*relerr)
		}
	}
	if !HLLIsDense(s.B) {
		t.Fatal("a million elements should be dense")
	}
}

func TestHLLSelfTest(t *testing.T) {
	// PFSELFTEST's checks, scaled down (the command runs 1000 rounds and
	// ten million elements).
	if msg := hllSelfTest(3000, 20, 200000); msg != "" {
		t.Fatal(msg)
	}
}
