package slowlog

import (
	"strconv"
	"testing"
	"time"
)

func ids(es []Entry) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func TestLogKeepsNewest(t *testing.T) {
	l := New()
	l.SetThreshold(0)
	l.SetMaxLen(10)
	now := time.Unix(1700000000, 0)
	for i := range 1000 {
		l.Push([][]byte{[]byte("ping"), []byte(strconv.Itoa(i))}, nil, int64(i), now, "127.0.0.1:1", "")
		if got := l.Len(); got != min(i+1, 10) {
			t.Fatalf("after %d pushes Len = %d", i+1, got)
		}
	}
	got := l.Get(-1)
	if len(got) != 10 || got[0].ID != 999 || got[9].ID != 990 || string(got[0].Args[1]) != "999" {
		t.Fatalf("Get(-1) = ids %v", ids(got))
	}
	if got := l.Get(3); len(got) != 3 || got[2].ID != 997 {
		t.Fatalf("Get(3) = ids %v", ids(got))
	}
	l.SetMaxLen(0)
	l.Push([][]byte{[]byte("ping")}, nil, 1, now, "", "")
	if l.Len() != 0 {
		t.Fatalf("max-len 0 keeps %d entries", l.Len())
	}
	l.SetMaxLen(128)
	l.Reset()
	l.Push([][]byte{[]byte("ping")}, nil, 1, now, "", "")
	if got := l.Get(10); len(got) != 1 || got[0].ID != 1001 {
		t.Fatalf("after Reset: ids %v, want [1001]", ids(got))
	}
}

func TestLogThreshold(t *testing.T) {
	l := New()
	for _, tc := range []struct {
		threshold, us int64
		want          bool
	}{{10000, 9999, false}, {10000, 10000, true}, {0, 0, true}, {-1, 1 << 40, false}} {
		l.SetThreshold(tc.threshold)
		if got := l.Slow(tc.us); got != tc.want {
			t.Errorf("threshold %d: Slow(%d) = %v", tc.threshold, tc.us, got)
		}
	}
}

func TestEntryArguments(t *testing.T) {
	l := New()
	args := [][]byte{[]byte("auth"), []byte("secret")}
	for i := range 40 {
		args = append(args, make([]byte, 120+i))
	}
	l.Push(args, []bool{false, true}, 5, time.Now(), "a:1", "n")
	e := l.Get(1)[0]
	if len(e.Args) != MaxArgs || string(e.Args[1]) != Redacted || string(e.Args[MaxArgs-1]) != "... (11 more arguments)" {
		t.Fatalf("args: %d, [1] %q, last %q", len(e.Args), e.Args[1], e.Args[MaxArgs-1])
	}
	// args[20] has 138 bytes, args[10] 128.
	if len(e.Args[20]) <= MaxArgLen || string(e.Args[20][MaxArgLen:]) != "... (10 more bytes)" {
		t.Fatalf("argument 20: %q", e.Args[20])
	}
	if len(e.Args[10]) != MaxArgLen {
		t.Fatalf("argument 10 (128 bytes) became %d bytes", len(e.Args[10]))
	}
	if len(e.Args[2]) != 120 {
		t.Fatalf("a short argument was cut: %d bytes", len(e.Args[2]))
	}
	args[0][0] = 'X'
	if string(e.Args[0]) != "auth" {
		t.Fatal("an entry shares the command's argument memory")
	}
}
