package value

import (
	"strconv"
	"testing"
)

// The invariant checks must pass on healthy values of every encoding and
// fail on a broken one.
func TestChecksPassAndCatch(t *testing.T) {
	l := NewList()
	s := NewSet()
	h := NewHash()
	z := NewZSet(0, 0, ZLimits{MaxEntries: 128, MaxValue: 64})
	for i := 0; i < 3000; i++ {
		v := []byte(strconv.Itoa(i))
		l.PushBack(v)
		s.Add(v, 512)
		h.Set(v, v, 128, 64)
		z.Add(v, float64(i%7), 0, ZLimits{MaxEntries: 128, MaxValue: 64})
		if i == 10 || i == 2999 {
			for _, c := range []Checker{l, s, h, z} {
				if err := c.Check(); err != nil {
					t.Fatalf("%d elements: %v", i+1, err)
				}
			}
		}
	}
	l.n++
	if l.Check() == nil {
		t.Error("list with a wrong length passed its check")
	}
	z.big.root.cnt[0]++
	if z.Check() == nil {
		t.Error("zset tree with a wrong count passed its check")
	}
}
