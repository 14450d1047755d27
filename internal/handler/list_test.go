package handler_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ember-kv/ember/embertest"
)

func lBulk(s string) string { return fmt.Sprintf("$%d\r\n%s\r\n", len(s), s) }
func lInt(n int64) string   { return ":" + strconv.FormatInt(n, 10) + "\r\n" }
func lErr(s string) string  { return "-" + s + "\r\n" }
func lArr(items ...string) string {
	return "*" + strconv.Itoa(len(items)) + "\r\n" + strings.Join(items, "")
}
func lBulks(items ...string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = lBulk(s)
	}
	return lArr(out...)
}

const (
	lOK        = "+OK\r\n"
	lNull      = "$-1\r\n"
	lNullArr   = "*-1\r\n"
	lWrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
	lNotInt    = "-ERR value is not an integer or out of range\r\n"
	lSyntax    = "-ERR syntax error\r\n"
)

func TestListCommands(t *testing.T) {
	srv := embertest.Run(t)
	c := dialRaw(t, srv.Addr())
	runCases(t, c, []replyCase{
		// push and length
		{"LPUSHX l a", lInt(0)},
		{"RPUSHX l a", lInt(0)},
		{"EXISTS l", lInt(0)},
		{"RPUSH l b c", lInt(2)},
		{"LPUSH l a z", lInt(4)},
		{"LRANGE l 0 -1", lBulks("z", "a", "b", "c")},
		{"LPUSHX l y", lInt(5)},
		{"RPUSHX l d e", lInt(7)},
		{"LLEN l", lInt(7)},
		{"LLEN nosuch", lInt(0)},
		{"TYPE l", "+list\r\n"},
		{"OBJECT ENCODING l", lBulk("quicklist")},
		// ranges
		{"LRANGE l 1 2", lBulks("z", "a")},
		{"LRANGE l -2 -1", lBulks("d", "e")},
		{"LRANGE l -100 1", lBulks("y", "z")},
		{"LRANGE l 5 100", lBulks("d", "e")},
		{"LRANGE l 3 2", "*0\r\n"},
		{"LRANGE l 7 8", "*0\r\n"},
		{"LRANGE l -9223372036854775808 9223372036854775807", lBulks("y", "z", "a", "b", "c", "d", "e")},
		{"LRANGE nosuch 0 -1", "*0\r\n"},
		{"LRANGE l x 1", lNotInt},
		{"LRANGE nosuch 0 x", lNotInt},
		// index and set
		{"LINDEX l 0", lBulk("y")},
		{"LINDEX l -1", lBulk("e")},
		{"LINDEX l 3", lBulk("b")},
		{"LINDEX l 7", lNull},
		{"LINDEX l -8", lNull},
		{"LINDEX l -9223372036854775808", lNull},
		{"LINDEX nosuch x", lNull},
		{"LINDEX l x", lNotInt},
		{"LSET l 0 Y", lOK},
		{"LSET l -1 E", lOK},
		{"LSET l 7 x", lErr("ERR index out of range")},
		{"LSET l x x", lNotInt},
		{"LSET nosuch 0 x", lErr("ERR no such key")},
		{"LRANGE l 0 -1", lBulks("Y", "z", "a", "b", "c", "d", "E")},
		// insert
		{"LINSERT l BEFORE a A", lInt(8)},
		{"LINSERT l after a A2", lInt(9)},
		{"LINSERT l AFTER nope x", lInt(-1)},
		{"LINSERT nosuch AFTER a x", lInt(0)},
		{"LINSERT l MIDDLE a x", lSyntax},
		{"LINSERT nosuch MIDDLE a x", lSyntax},
		{"LRANGE l 0 -1", lBulks("Y", "z", "A", "a", "A2", "b", "c", "d", "E")},
		// pop
		{"LPOP l", lBulk("Y")},
		{"RPOP l", lBulk("E")},
		{"LPOP l 2", lBulks("z", "A")},
		{"RPOP l 2", lBulks("d", "c")},
		{"LPOP l 0", "*0\r\n"},
		{"LPOP l -1", lErr("ERR value is out of range, must be positive")},
		{"LPOP l x", lErr("ERR value is out of range, must be positive")},
		{"LPOP l 1 2", lErr("ERR wrong number of arguments for 'lpop' command")},
		{"LPOP nosuch", lNull},
		{"LPOP nosuch 2", lNullArr},
		{"LPOP nosuch 0", lNullArr},
		{"RPOP l 10", lBulks("b", "A2", "a")},
		{"EXISTS l", lInt(0)},
		// remove and trim
		{"RPUSH r a b a c a d a", lInt(7)},
		{"LREM r 2 a", lInt(2)},
		{"LRANGE r 0 -1", lBulks("b", "c", "a", "d", "a")},
		{"LREM r -1 a", lInt(1)},
		{"LRANGE r 0 -1", lBulks("b", "c", "a", "d")},
		{"LREM r 0 zz", lInt(0)},
		{"LREM r x a", lNotInt},
		{"LREM nosuch 0 a", lInt(0)},
		{"LTRIM r 1 -2", lOK},
		{"LRANGE r 0 -1", lBulks("c", "a")},
		{"LTRIM r x 1", lNotInt},
		{"LTRIM nosuch 0 1", lOK},
		{"LTRIM r 5 10", lOK},
		{"EXISTS r", lInt(0)},
		{"RPUSH r a a", lInt(2)},
		{"LREM r 0 a", lInt(2)},
		{"EXISTS r", lInt(0)},
		{"RPUSH r a b c", lInt(3)},
		{"LTRIM r -9223372036854775808 9223372036854775807", lOK},
		{"LLEN r", lInt(3)},
		{"LTRIM r 2 1", lOK},
		{"EXISTS r", lInt(0)},
		// LPOS
		{"RPUSH p a b a c a", lInt(5)},
		{"LPOS p a", lInt(0)},
		{"LPOS p a RANK 2", lInt(2)},
		{"LPOS p a RANK -1", lInt(4)},
		{"LPOS p a RANK -2 COUNT 0", lArr(lInt(2), lInt(0))},
		{"LPOS p a COUNT 0", lArr(lInt(0), lInt(2), lInt(4))},
		{"LPOS p a COUNT 2", lArr(lInt(0), lInt(2))},
		{"LPOS p a COUNT 0 MAXLEN 3", lArr(lInt(0), lInt(2))},
		{"LPOS p a RANK 3 MAXLEN 4", lNull},
		{"LPOS p z", lNull},
		{"LPOS p z COUNT 1", "*0\r\n"},
		{"LPOS p a RANK -9223372036854775808", lInt(4)},
		{"LPOS p a RANK -9223372036854775808 COUNT 1", lArr(lInt(4), lInt(2), lInt(0))},
		{"LPOS p a rank 1 rank 2", lInt(2)},
		{"LPOS p a RANK 0", lErr("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")},
		{"LPOS p a RANK x", lNotInt},
		{"LPOS p a COUNT -1", lErr("ERR COUNT can't be negative")},
		{"LPOS p a COUNT x", lErr("ERR COUNT can't be negative")},
		{"LPOS p a MAXLEN -1", lErr("ERR MAXLEN can't be negative")},
		{"LPOS p a RANK", lSyntax},
		{"LPOS p a FOO 1", lSyntax},
		{"LPOS nosuch a", lNull},
		{"LPOS nosuch a COUNT 0", "*0\r\n"},
		{"LPOS nosuch a RANK 0", lErr("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")},
		// LMOVE / RPOPLPUSH
		{"RPUSH m1 a b c", lInt(3)},
		{"LMOVE m1 m2 LEFT RIGHT", lBulk("a")},
		{"LMOVE m1 m2 right left", lBulk("c")},
		{"LRANGE m2 0 -1", lBulks("c", "a")},
		{"RPOPLPUSH m1 m2", lBulk("b")},
		{"EXISTS m1", lInt(0)},
		{"LRANGE m2 0 -1", lBulks("b", "c", "a")},
		{"RPOPLPUSH m2 m2", lBulk("a")},
		{"LRANGE m2 0 -1", lBulks("a", "b", "c")},
		{"LMOVE m2 m2 LEFT RIGHT", lBulk("a")},
		{"LRANGE m2 0 -1", lBulks("b", "c", "a")},
		{"LMOVE nosuch m2 LEFT LEFT", lNull},
		{"LMOVE m2 m2 UP LEFT", lSyntax},
		{"LMOVE m2 m2 LEFT DOWN", lSyntax},
		{"SET s str", lOK},
		{"LMOVE s m2 LEFT LEFT", lWrongType},
		{"LMOVE m2 s LEFT LEFT", lWrongType},
		{"LMOVE nosuch s LEFT LEFT", lNull},
		{"LRANGE m2 0 -1", lBulks("b", "c", "a")},
		// LMPOP
		{"RPUSH mp1 a b c", lInt(3)},
		{"LMPOP 2 nosuch mp1 LEFT", lArr(lBulk("mp1"), lBulks("a"))},
		{"LMPOP 2 nosuch mp1 RIGHT COUNT 5", lArr(lBulk("mp1"), lBulks("c", "b"))},
		{"LMPOP 2 nosuch mp1 LEFT", lNullArr},
		{"LMPOP 1 s LEFT", lWrongType},
		{"LMPOP 0 a LEFT", lErr("ERR numkeys should be greater than 0")},
		{"LMPOP x a LEFT", lErr("ERR numkeys should be greater than 0")},
		{"LMPOP -1 a LEFT", lErr("ERR numkeys should be greater than 0")},
		{"LMPOP 2 a LEFT", lSyntax},
		{"LMPOP 1 a UP", lSyntax},
		{"LMPOP 1 a LEFT COUNT 0", lErr("ERR count should be greater than 0")},
		{"LMPOP 1 a LEFT COUNT x", lErr("ERR count should be greater than 0")},
		{"LMPOP 1 a LEFT COUNT 1 COUNT 1", lSyntax},
		{"LMPOP 1 a LEFT COUNT", lSyntax},
		{"LMPOP 1 a LEFT FOO", lSyntax},
		// WRONGTYPE everywhere
		{"LPUSH s a", lWrongType},
		{"RPUSHX s a", lWrongType},
		{"LPOP s", lWrongType},
		{"RPOP s 0", lWrongType},
		{"LLEN s", lWrongType},
		{"LRANGE s 0 1", lWrongType},
		{"LINDEX s 0", lWrongType},
		{"LSET s 0 a", lWrongType},
		{"LINSERT s BEFORE a b", lWrongType},
		{"LREM s 0 a", lWrongType},
		{"LTRIM s 0 1", lWrongType},
		{"LPOS s a", lWrongType},
		{"BLPOP nosuch s 0", lWrongType},
		{"BRPOP s 0", lWrongType},
		{"BLMOVE s d LEFT LEFT 0", lWrongType},
		{"BLMPOP 0 1 s LEFT", lWrongType},
		// blocking forms with data: like their plain forms
		{"RPUSH b1 a b c", lInt(3)},
		{"BLPOP nosuch b1 0", lBulks("b1", "a")},
		{"BRPOP b1 0", lBulks("b1", "c")},
		{"BLMOVE b1 b2 LEFT LEFT 0", lBulk("b")},
		{"BRPOPLPUSH b2 b1 0", lBulk("b")},
		{"BLMPOP 0 2 nosuch b1 LEFT COUNT 3", lArr(lBulk("b1"), lBulks("b"))},
		{"EXISTS b1", lInt(0)},
		// blocking timeouts and argument errors
		{"BLPOP k 0.01", lNullArr},
		{"BRPOP k 0.01", lNullArr},
		{"BLMOVE k d LEFT LEFT 0.01", lNullArr},
		{"BRPOPLPUSH k d 0.01", lNullArr},
		{"BLMPOP 0.01 1 k LEFT", lNullArr},
		{"BLMOVE nosuch s LEFT LEFT 0.01", lNullArr},
		{"BLPOP k x", lErr("ERR timeout is not a float or out of range")},
		{"BLPOP k -1", lErr("ERR timeout is negative")},
		{"BLPOP k inf", lErr("ERR timeout is negative")},
		{"BLMOVE k d LEFT LEFT x", lErr("ERR timeout is not a float or out of range")},
		{"BLMOVE k d UP LEFT x", lSyntax},
		{"BRPOPLPUSH k d -0.5", lErr("ERR timeout is negative")},
		{"BLMPOP x 1 k LEFT", lErr("ERR timeout is not a float or out of range")},
		{"BLMPOP x 0 k LEFT", lErr("ERR numkeys should be greater than 0")},
		{"BLMPOP 0 1 k UP", lSyntax},
	})
}

func TestListRESP3(t *testing.T) {
	srv := embertest.Run(t)
	c := dialRaw(t, srv.Addr())
	c.do("HELLO", "3")
	runCases(t, c, []replyCase{
		{"LPOP nosuch", "_\r\n"},
		{"LPOP nosuch 1", "_\r\n"},
		{"LINDEX nosuch 0", "_\r\n"},
		{"LPOS nosuch a", "_\r\n"},
		{"LMOVE nosuch d LEFT LEFT", "_\r\n"},
		{"LMPOP 1 nosuch LEFT", "_\r\n"},
		{"BLPOP nosuch 0.01", "_\r\n"},
		{"BLMOVE nosuch d LEFT LEFT 0.01", "_\r\n"},
		{"RPUSH l a b", lInt(2)},
		{"LPOP l 1", lBulks("a")},
		{"BLPOP l 0", lBulks("l", "b")},
	})
}

// TestListModel applies random list commands to Ember and to a Go model
// (a slice per key), comparing every reply and, regularly, the contents.
func TestListModel(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed=%d", seed)
	r := rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d))
	srv := embertest.Run(t)
	c := dialRaw(t, srv.Addr())
	model := map[string][]string{}
	keys := []string{"ma", "mb", "mc"}
	elems := []string{"a", "b", "c", "1", "22", "", strings.Repeat("x", 200)}
	norm := func(i, n int64) int64 {
		if i < 0 {
			i += n
		}
		return i
	}
	for step := 0; step < 4000; step++ {
		k := keys[r.IntN(len(keys))]
		k2 := keys[r.IntN(len(keys))]
		l := model[k]
		e := elems[r.IntN(len(elems))]
		var args []string
		var want string
		switch r.IntN(12) {
		case 0, 1:
			n := 1 + r.IntN(3)
			args = []string{"RPUSH", k}
			for i := 0; i < n; i++ {
				v := elems[r.IntN(len(elems))]
				args = append(args, v)
				l = append(l, v)
			}
			want = lInt(int64(len(l)))
		case 2:
			args = []string{"LPUSH", k, e}
			l = append([]string{e}, l...)
			want = lInt(int64(len(l)))
		case 3:
			cnt := r.IntN(4)
			args = []string{"LPOP", k, strconv.Itoa(cnt)}
			switch {
			case len(l) == 0:
				want = lNullArr
			default:
				n := min(cnt, len(l))
				want = lBulks(l[:n]...)
				l = l[n:]
			}
		case 4:
			args = []string{"RPOP", k}
			if len(l) == 0 {
				want = lNull
			} else {
				want = lBulk(l[len(l)-1])
				l = l[:len(l)-1]
			}
		case 5:
			a, b := int64(r.IntN(10)-5), int64(r.IntN(10)-5)
			args = []string{"LRANGE", k, strconv.FormatInt(a, 10), strconv.FormatInt(b, 10)}
			n := int64(len(l))
			s, en := max(norm(a, n), 0), min(norm(b, n), n-1)
			if s > en || s >= n {
				want = "*0\r\n"
			} else {
				want = lBulks(l[s : en+1]...)
			}
		case 6:
			i := int64(r.IntN(8) - 4)
			args = []string{"LINDEX", k, strconv.FormatInt(i, 10)}
			j := norm(i, int64(len(l)))
			if j < 0 || j >= int64(len(l)) {
				want = lNull
			} else {
				want = lBulk(l[j])
			}
		case 7:
			cnt := r.IntN(5) - 2
			args = []string{"LREM", k, strconv.Itoa(cnt), e}
			removed := 0
			var out []string
			if cnt >= 0 {
				for _, v := range l {
					if v == e && (cnt == 0 || removed < cnt) {
						removed++
						continue
					}
					out = append(out, v)
				}
			} else {
				for i := len(l) - 1; i >= 0; i-- {
					if l[i] == e && removed < -cnt {
						removed++
						continue
					}
					out = append([]string{l[i]}, out...)
				}
			}
			l = out
			want = lInt(int64(removed))
		case 8:
			after := r.IntN(2) == 0
			pos := "BEFORE"
			if after {
				pos = "AFTER"
			}
			pivot := elems[r.IntN(len(elems))]
			args = []string{"LINSERT", k, pos, pivot, e}
			idx := -1
			for i, v := range l {
				if v == pivot {
					idx = i
					break
				}
			}
			switch {
			case len(l) == 0:
				want = lInt(0)
			case idx < 0:
				want = lInt(-1)
			default:
				if after {
					idx++
				}
				l = append(l[:idx], append([]string{e}, l[idx:]...)...)
				want = lInt(int64(len(l)))
			}
		case 9:
			a, b := int64(r.IntN(8)-3), int64(r.IntN(8)-3)
			args = []string{"LTRIM", k, strconv.FormatInt(a, 10), strconv.FormatInt(b, 10)}
			n := int64(len(l))
			s, en := max(norm(a, n), 0), norm(b, n)
			if s > en || s >= n {
				l = nil
			} else {
				en = min(en, n-1)
				l = l[s : en+1]
			}
			want = lOK
		case 10:
			args = []string{"LMOVE", k, k2, "RIGHT", "LEFT"}
			if len(l) == 0 {
				want = lNull
				break
			}
			v := l[len(l)-1]
			l = l[:len(l)-1]
			model[k] = l
			model[k2] = append([]string{v}, model[k2]...)
			l = model[k]
			want = lBulk(v)
		case 11:
			if len(l) == 0 {
				args = []string{"LSET", k, "0", e}
				want = lErr("ERR no such key")
				break
			}
			i := r.IntN(len(l))
			args = []string{"LSET", k, strconv.Itoa(i), e}
			l[i] = e
			want = lOK
		}
		if len(l) == 0 {
			delete(model, k)
		} else {
			model[k] = l
		}
		if got := c.do(args...); got != want {
			t.Fatalf("step %d: %q\n got: %q\nwant: %q", step, args, got, want)
		}
		if step%50 == 0 {
			for _, key := range keys {
				if got, want := c.do("LRANGE", key, "0", "-1"), lBulks(model[key]...); got != want {
					t.Fatalf("step %d: %s is %q, model %q", step, key, got, want)
				}
				wantExists := lInt(0)
				if len(model[key]) > 0 {
					wantExists = lInt(1)
				}
				if got := c.do("EXISTS", key); got != wantExists {
					t.Fatalf("step %d: EXISTS %s = %q", step, key, got)
				}
			}
		}
	}
}

// ---- blocking ----

// listWaitBlocked polls CLIENT LIST until n clients show flag b.
func listWaitBlocked(t testing.TB, admin *rawConn, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := strings.Count(admin.do("CLIENT", "LIST"), "flags=b ")
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d clients blocked, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestListBlockingWakeByPush(t *testing.T) {
	srv := embertest.Run(t)
	admin := dialRaw(t, srv.Addr())
	w := dialRaw(t, srv.Addr())
	w.send("BLPOP", "bk1", "bk2", "0")
	listWaitBlocked(t, admin, 1)
	if got := admin.do("CLIENT", "LIST"); !strings.Contains(got, "flags=b db=0") || !strings.Contains(got, "cmd=blpop") {
		t.Fatalf("CLIENT LIST: %q", got)
	}
	if got := admin.do("RPUSH", "bk2", "x", "y"); got != lInt(2) {
		t.Fatalf("RPUSH: %q", got)
	}
	if got := w.read(); got != lBulks("bk2", "x") {
		t.Fatalf("BLPOP: %q", got)
	}
	if got := admin.do("LRANGE", "bk2", "0", "-1"); got != lBulks("y") {
		t.Fatalf("left: %q", got)
	}
	listWaitBlocked(t, admin, 0)
	// The connection goes on normally.
	if got := w.do("PING"); got != "+PONG\r\n" {
		t.Fatalf("PING after: %q", got)
	}
}

func TestListBlockingFIFO(t *testing.T) {
	srv := embertest.Run(t)
	admin := dialRaw(t, srv.Addr())
	var ws []*rawConn
	for i := 0; i < 3; i++ {
		w := dialRaw(t, srv.Addr())
		w.send("BRPOP", "fifo", "0")
		listWaitBlocked(t, admin, i+1) // block in a known order
		ws = append(ws, w)
	}
	admin.do("RPUSH", "fifo", "a", "b")
	// BRPOP pops from the tail: the first blocked client gets b.
	if got := ws[0].read(); got != lBulks("fifo", "b") {
		t.Fatalf("first: %q", got)
	}
	if got := ws[1].read(); got != lBulks("fifo", "a") {
		t.Fatalf("second: %q", got)
	}
	ws[2].noReply(20 * time.Millisecond)
	admin.do("LPUSH", "fifo", "c")
	if got := ws[2].read(); got != lBulks("fifo", "c") {
		t.Fatalf("third: %q", got)
	}
	if got := admin.do("EXISTS", "fifo"); got != lInt(0) {
		t.Fatalf("EXISTS: %q", got)
	}
}

func TestListBlockingTimeout(t *testing.T) {
	srv := embertest.Run(t)
	w := dialRaw(t, srv.Addr())
	start := time.Now()
	if got := w.do("BLPOP", "tk", "0.05"); got != lNullArr {
		t.Fatalf("BLPOP: %q", got)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Fatalf("timed out after %v", d)
	}
	w.do("HELLO", "3")
	if got := w.do("BLMPOP", "0.02", "1", "tk", "LEFT"); got != "_\r\n" {
		t.Fatalf("BLMPOP RESP3: %q", got)
	}
	if got := w.do("BRPOPLPUSH", "tk", "d", "0.02"); got != "_\r\n" {
		t.Fatalf("BRPOPLPUSH RESP3: %q", got)
	}
}

func TestListBlockingMove(t *testing.T) {
	srv := embertest.Run(t)
	admin := dialRaw(t, srv.Addr())
	// Several destinations, so that some are in another shard than the
	// source.
	for i := 0; i < 8; i++ {
		src, dst := "msrc"+strconv.Itoa(i), "mdst"+strconv.Itoa(i)
		w := dialRaw(t, srv.Addr())
		w.send("BLMOVE", src, dst, "RIGHT", "LEFT", "0")
		listWaitBlocked(t, admin, 1)
		admin.do("RPUSH", src, "a", "b")
		if got := w.read(); got != lBulk("b") {
			t.Fatalf("BLMOVE: %q", got)
		}
		if got := admin.do("LRANGE", dst, "0", "-1"); got != lBulks("b") {
			t.Fatalf("dst: %q", got)
		}
		if got := admin.do("LRANGE", src, "0", "-1"); got != lBulks("a") {
			t.Fatalf("src: %q", got)
		}
		listWaitBlocked(t, admin, 0)
	}
}

// TestListBlockingChain: a BLMOVE's push serves a client blocked on its
// destination, in the same pass.
func TestListBlockingChain(t *testing.T) {
	srv := embertest.Run(t)
	admin := dialRaw(t, srv.Addr())
	a := dialRaw(t, srv.Addr())
	b := dialRaw(t, srv.Addr())
	a.send("BLMOVE", "chain1", "chain2", "LEFT", "RIGHT", "0")
	listWaitBlocked(t, admin, 1)
	b.send("BLPOP", "chain2", "0")
	listWaitBlocked(t, admin, 2)
	admin.do("LPUSH", "chain1", "v")
	if got := a.read(); got != lBulk("v") {
		t.Fatalf("BLMOVE: %q", got)
	}
	if got := b.read(); got != lBulks("chain2", "v") {
		t.Fatalf("BLPOP: %q", got)
	}
	if got := admin.do("DBSIZE"); got != lInt(0) {
		t.Fatalf("DBSIZE: %q", got)
	}
}

// TestListBlockingMoveWrongType: a BLMOVE whose destination became a
// string is served WRONGTYPE, and the element stays.
func TestListBlockingMoveWrongType(t *testing.T) {
	srv := embertest.Run(t)
	admin := dialRaw(t, srv.Addr())
	w := dialRaw(t, srv.Addr())
	w.send("BLMOVE", "wsrc", "wdst", "LEFT", "LEFT", "0")
	listWaitBlocked(t, admin, 1)
	admin.do("SET", "wdst", "string")
	admin.do("RPUSH", "wsrc", "x")
	if got := w.read(); got != lWrongType {
		t.Fatalf("BLMOVE: %q", got)
	}
	if got := admin.do("LRANGE", "wsrc", "0", "-1"); got != lBulks("x") {
		t.Fatalf("src: %q", got)
	}
}

func TestListBlockingDisconnect(t *testing.T) {
	srv := embertest.Run(t)
	admin := dialRaw(t, srv.Addr())
	w := dialRaw(t, srv.Addr())
	w.send("BLPOP", "dk", "0")
	listWaitBlocked(t, admin, 1)
	w.c.Close()
	// Wait until the server dropped the client.
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(admin.do("CLIENT", "LIST"), "id=") != 1 {
		if time.Now().After(deadline) {
			t.Fatal("blocked client still listed after disconnecting")
		}
		time.Sleep(time.Millisecond)
	}
	admin.do("RPUSH", "dk", "x")
	if got := admin.do("LRANGE", "dk", "0", "-1"); got != lBulks("x") {
		t.Fatalf("element taken by a disconnected client: %q", got)
	}
}

func TestListBlockingClientUnblock(t *testing.T) {
	srv := embertest.Run(t)
	admin := dialRaw(t, srv.Addr())
	w := dialRaw(t, srv.Addr())
	id := strings.TrimSuffix(strings.TrimPrefix(w.do("CLIENT", "ID"), ":"), "\r\n")
	if got := admin.do("CLIENT", "UNBLOCK", id); got != lInt(0) {
		t.Fatalf("UNBLOCK of a client not blocked: %q", got)
	}
	w.send("BLPOP", "uk", "0")
	listWaitBlocked(t, admin, 1)
	if got := admin.do("CLIENT", "UNBLOCK", id, "TIMEOUT"); got != lInt(1) {
		t.Fatalf("UNBLOCK TIMEOUT: %q", got)
	}
	if got := w.read(); got != lNullArr {
		t.Fatalf("after UNBLOCK TIMEOUT: %q", got)
	}
	w.send("BLMOVE", "uk", "ud", "LEFT", "LEFT", "0")
	listWaitBlocked(t, admin, 1)
	if got := admin.do("CLIENT", "UNBLOCK", id, "ERROR"); got != lInt(1) {
		t.Fatalf("UNBLOCK ERROR: %q", got)
	}
	if got := w.read(); got != lErr("UNBLOCKED client unblocked via CLIENT UNBLOCK") {
		t.Fatalf("after UNBLOCK ERROR: %q", got)
	}
	listWaitBlocked(t, admin, 0)
	admin.do("RPUSH", "uk", "x")
	if got := admin.do("LLEN", "uk"); got != lInt(1) {
		t.Fatalf("an unblocked client took an element: %q", got)
	}
}

// TestListBlockingPipeline: commands pipelined behind a blocking command
// run after it, in order, and the reply of the blocking command comes first.
func TestListBlockingPipeline(t *testing.T) {
	srv := embertest.Run(t)
	admin := dialRaw(t, srv.Addr())
	w := dialRaw(t, srv.Addr())
	w.send("PING")
	w.send("BLPOP", "pk", "0")
	if got := w.read(); got != "+PONG\r\n" {
		t.Fatalf("PING before the blocking command: %q", got)
	}
	listWaitBlocked(t, admin, 1)
	var batch []byte
	batch = append(batch, encodeRaw("ECHO", "after1")...)
	batch = append(batch, encodeRaw("LLEN", "pk")...)
	w.c.Write(batch)
	w.noReply(20 * time.Millisecond)
	admin.do("RPUSH", "pk", "a", "b")
	for _, want := range []string{lBulks("pk", "a"), lBulk("after1"), lInt(1)} {
		if got := w.read(); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
}

// TestListBlockingRace pushes and blocks from many connections at once:
// every element is delivered exactly once or left in the list.
func TestListBlockingRace(t *testing.T) {
	srv := embertest.Run(t)
	admin := dialRaw(t, srv.Addr())
	const clients, rounds = 8, 30
	got := make(chan string, clients*rounds)
	done := make(chan struct{})
	for i := 0; i < clients; i++ {
		w := dialRaw(t, srv.Addr())
		go func() {
			for r := 0; r < rounds; r++ {
				w.send("BLPOP", "race1", "race2", "0.2")
				w.c.SetReadDeadline(time.Now().Add(10 * time.Second))
				var out []byte
				if err := readRawReply(w.r, &out); err != nil {
					got <- "error: " + err.Error()
					continue
				}
				got <- string(out)
			}
			done <- struct{}{}
		}()
	}
	pushed := 0
	for p := 0; p < clients*rounds/2; p++ {
		key := "race" + strconv.Itoa(1+p%2)
		admin.do("RPUSH", key, "e"+strconv.Itoa(p))
		pushed++
	}
	for i := 0; i < clients; i++ {
		<-done
	}
	close(got)
	seen := map[string]bool{}
	for reply := range got {
		if reply == lNullArr {
			continue
		}
		if strings.HasPrefix(reply, "error") {
			t.Fatal(reply)
		}
		if seen[reply] {
			t.Fatalf("delivered twice: %q", reply)
		}
		seen[reply] = true
	}
	left := admin.do("LLEN", "race1") + admin.do("LLEN", "race2")
	var l1, l2 int
	fmt.Sscanf(left, ":%d\r\n:%d\r\n", &l1, &l2)
	if len(seen)+l1+l2 != pushed {
		t.Fatalf("%d delivered + %d left != %d pushed", len(seen), l1+l2, pushed)
	}
	if !bytes.Contains([]byte(admin.do("PING")), []byte("PONG")) {
		t.Fatal("server gone")
	}
}

// TestListBlockingKill: CLIENT KILL of a blocked client closes it, and it
// takes nothing.
func TestListBlockingKill(t *testing.T) {
	srv := embertest.Run(t)
	admin := dialRaw(t, srv.Addr())
	w := dialRaw(t, srv.Addr())
	id := strings.TrimSuffix(strings.TrimPrefix(w.do("CLIENT", "ID"), ":"), "\r\n")
	w.send("BLPOP", "kk", "0")
	listWaitBlocked(t, admin, 1)
	if got := admin.do("CLIENT", "KILL", "ID", id); got != lInt(1) {
		t.Fatalf("CLIENT KILL: %q", got)
	}
	w.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if b, err := w.r.ReadByte(); err == nil {
		t.Fatalf("killed client got a reply starting %q", b)
	}
	listWaitBlocked(t, admin, 0)
	admin.do("RPUSH", "kk", "x")
	if got := admin.do("LLEN", "kk"); got != lInt(1) {
		t.Fatalf("LLEN: %q", got)
	}
}
