package compat

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Differential tests of the list commands. Keys carry a per-test prefix.

func TestListPushPop(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		LPUSHX l1:l a
		RPUSHX l1:l a b
		EXISTS l1:l
		RPUSH l1:l b c
		LPUSH l1:l a z
		LPUSHX l1:l y x
		RPUSHX l1:l d
		LRANGE l1:l 0 -1
		LLEN l1:l
		LLEN l1:nosuch
		RPUSH l1:bin "bin\x00ary" "" "\r\n" 12345 -1 01 " 1"
		LRANGE l1:bin 0 -1
		LPOP l1:l
		RPOP l1:l
		LPOP l1:l 2
		RPOP l1:l 2
		LPOP l1:l 0
		RPOP l1:l 0
		LPOP l1:l 1
		RPOP l1:l 100
		EXISTS l1:l
		LPOP l1:l
		LPOP l1:l 0
		LPOP l1:l 3
		RPOP l1:l
		RPOP l1:l 3
		LPOP l1:l -1
		LPOP l1:l x
		LPOP l1:l 1.5
		LPOP l1:l ""
		RPOP l1:bin -1
		LPOP l1:bin 1 2
		RPOP l1:bin 9223372036854775807
		EXISTS l1:bin
		LPUSH l1:l
		RPUSH l1:l
		LPUSHX l1:l
		LPOP
		LLEN
		LLEN a b
		lpush l1:case A
		LpOp l1:case
	`))
}

func TestListRangeIndex(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		RPUSH l2:l a b c d e f g
		LRANGE l2:l 0 -1
		LRANGE l2:l 0 0
		LRANGE l2:l 2 4
		LRANGE l2:l -3 -1
		LRANGE l2:l -100 2
		LRANGE l2:l 5 100
		LRANGE l2:l 4 2
		LRANGE l2:l 7 10
		LRANGE l2:l -1 -2
		LRANGE l2:l -9223372036854775808 9223372036854775807
		LRANGE l2:l 9223372036854775807 -9223372036854775808
		LRANGE l2:l x 1
		LRANGE l2:l 1 x
		LRANGE l2:l 1.0 2
		LRANGE l2:nosuch 0 -1
		LRANGE l2:nosuch x 1
		LRANGE l2:l 0
		LINDEX l2:l 0
		LINDEX l2:l 3
		LINDEX l2:l -1
		LINDEX l2:l -7
		LINDEX l2:l -8
		LINDEX l2:l 7
		LINDEX l2:l 9223372036854775807
		LINDEX l2:l -9223372036854775808
		LINDEX l2:l x
		LINDEX l2:nosuch x
		LINDEX l2:nosuch 0
		LINDEX l2:l
		LSET l2:l 0 A
		LSET l2:l -1 G
		LSET l2:l 3 "a much longer element than the one it replaces, to move bytes around"
		LRANGE l2:l 0 -1
		LSET l2:l 7 x
		LSET l2:l -8 x
		LSET l2:l x x
		LSET l2:nosuch 0 x
		LSET l2:nosuch x x
		LSET l2:l 0
	`))
}

func TestListInsertRemTrim(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		RPUSH l3:l a b a c a
		LINSERT l3:l BEFORE a X
		LINSERT l3:l AFTER a Y
		LINSERT l3:l after c Z
		LINSERT l3:l before nope W
		LINSERT l3:l middle a W
		LINSERT l3:nosuch BEFORE a W
		LINSERT l3:nosuch MIDDLE a W
		LINSERT l3:l BEFORE a
		LRANGE l3:l 0 -1
		LREM l3:l 1 a
		LRANGE l3:l 0 -1
		LREM l3:l -1 a
		LRANGE l3:l 0 -1
		LREM l3:l 0 a
		LREM l3:l 0 nope
		LREM l3:l x a
		LREM l3:nosuch 0 a
		LRANGE l3:l 0 -1
		RPUSH l3:r x y x y x
		LREM l3:r -9223372036854775808 x
		LRANGE l3:r 0 -1
		LREM l3:r 9223372036854775807 y
		EXISTS l3:r
		RPUSH l3:t a b c d e f
		LTRIM l3:t 1 -2
		LRANGE l3:t 0 -1
		LTRIM l3:t -2 100
		LRANGE l3:t 0 -1
		LTRIM l3:t -9223372036854775808 9223372036854775807
		LRANGE l3:t 0 -1
		LTRIM l3:t x 1
		LTRIM l3:t 0 x
		LTRIM l3:nosuch 0 1
		LTRIM l3:t 1 0
		EXISTS l3:t
		RPUSH l3:t a b
		LTRIM l3:t 5 10
		EXISTS l3:t
		LTRIM l3:t 0
	`))
}

func TestListPos(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		RPUSH l4:l a b a c a b
		LPOS l4:l a
		LPOS l4:l b
		LPOS l4:l z
		LPOS l4:l a RANK 1
		LPOS l4:l a RANK 2
		LPOS l4:l a RANK 3
		LPOS l4:l a RANK 4
		LPOS l4:l a RANK -1
		LPOS l4:l a RANK -3
		LPOS l4:l a RANK -4
		LPOS l4:l a COUNT 0
		LPOS l4:l a COUNT 2
		LPOS l4:l a COUNT 10
		LPOS l4:l z COUNT 0
		LPOS l4:l a RANK 2 COUNT 0
		LPOS l4:l a RANK -2 COUNT 1
		LPOS l4:l a MAXLEN 1
		LPOS l4:l a MAXLEN 2 RANK 2
		LPOS l4:l a COUNT 0 MAXLEN 3
		LPOS l4:l a RANK -1 MAXLEN 2 COUNT 0
		LPOS l4:l a MAXLEN 0 COUNT 0 RANK -2
		LPOS l4:l a rank 1 rank 2 count 1 count 0
		LPOS l4:l a RANK -9223372036854775808
		LPOS l4:l a RANK -9223372036854775808 COUNT 1
		LPOS l4:l a RANK -9223372036854775808 COUNT 0
		LPOS l4:l a RANK 9223372036854775807 COUNT 1
		LPOS l4:l a RANK 2 COUNT 9223372036854775807
		LPOS l4:l a RANK 0
		LPOS l4:l a RANK x
		LPOS l4:l a RANK 1.5
		LPOS l4:l a COUNT -1
		LPOS l4:l a COUNT x
		LPOS l4:l a MAXLEN -1
		LPOS l4:l a MAXLEN x
		LPOS l4:l a RANK
		LPOS l4:l a COUNT
		LPOS l4:l a FOO 1
		LPOS l4:l a "RANK\x00junk" 2
		LPOS l4:nosuch a
		LPOS l4:nosuch a COUNT 0
		LPOS l4:nosuch a RANK 0
		LPOS l4:nosuch a FOO
		LPOS l4:l
	`))
}

func TestListMove(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		RPUSH l5:a 1 2 3
		LMOVE l5:a l5:b LEFT RIGHT
		LMOVE l5:a l5:b RIGHT LEFT
		LMOVE l5:a l5:b left left
		LMOVE l5:a l5:b right right
		LRANGE l5:b 0 -1
		EXISTS l5:a
		RPOPLPUSH l5:b l5:b
		LRANGE l5:b 0 -1
		LMOVE l5:b l5:b LEFT RIGHT
		LMOVE l5:b l5:b RIGHT RIGHT
		LMOVE l5:b l5:b LEFT LEFT
		LRANGE l5:b 0 -1
		RPOPLPUSH l5:b l5:c
		RPOPLPUSH l5:nosuch l5:c
		LMOVE l5:nosuch l5:c LEFT LEFT
		LMOVE l5:b l5:c UP LEFT
		LMOVE l5:b l5:c LEFT DOWN
		LMOVE l5:nosuch l5:c UP LEFT
		LMOVE l5:b l5:c "LEFT\x00x" LEFT
		SET l5:s str
		LMOVE l5:s l5:c LEFT LEFT
		LMOVE l5:b l5:s LEFT LEFT
		LMOVE l5:nosuch l5:s LEFT LEFT
		RPOPLPUSH l5:b l5:s
		LRANGE l5:b 0 -1
		LRANGE l5:c 0 -1
		RPUSH l5:one x
		RPOPLPUSH l5:one l5:one
		LRANGE l5:one 0 -1
		LMOVE l5:one l5:two LEFT LEFT
		EXISTS l5:one
		LMOVE l5:a l5:b LEFT
		RPOPLPUSH l5:a
	`))
}

func TestListMPop(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		RPUSH l6:a a1 a2 a3
		RPUSH l6:b b1 b2
		LMPOP 2 l6:nosuch l6:a LEFT
		LMPOP 2 l6:nosuch l6:a RIGHT
		LMPOP 1 l6:a LEFT COUNT 10
		LMPOP 3 l6:a l6:nosuch l6:b RIGHT COUNT 1
		LMPOP 2 l6:a l6:b left count 5
		LMPOP 2 l6:a l6:b LEFT
		LMPOP 0 l6:a LEFT
		LMPOP -1 l6:a LEFT
		LMPOP x l6:a LEFT
		LMPOP 9223372036854775807 l6:a LEFT
		LMPOP 99999999999999999999 l6:a LEFT
		LMPOP 2 l6:a LEFT
		LMPOP 1 l6:a UP
		LMPOP 1 l6:a LEFT COUNT 0
		LMPOP 1 l6:a LEFT COUNT -1
		LMPOP 1 l6:a LEFT COUNT x
		LMPOP 1 l6:a LEFT COUNT 1 COUNT 2
		LMPOP 1 l6:a LEFT COUNT
		LMPOP 1 l6:a LEFT FOO
		LMPOP 1 l6:a LEFT LEFT
		SET l6:s str
		RPUSH l6:c c1
		LMPOP 2 l6:s l6:c LEFT
		LMPOP 2 l6:c l6:s LEFT
		LMPOP 2 l6:nosuch l6:s LEFT
		LMPOP 1 l6:a
		LMPOP 1
	`))
}

func TestListWrongType(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		SET l7:s str
		LPUSH l7:s a
		RPUSH l7:s a
		LPUSHX l7:s a
		RPUSHX l7:s a
		LPOP l7:s
		RPOP l7:s
		LPOP l7:s 0
		RPOP l7:s 2
		LLEN l7:s
		LRANGE l7:s 0 -1
		LINDEX l7:s 0
		LINDEX l7:s x
		LSET l7:s 0 x
		LSET l7:s x x
		LINSERT l7:s BEFORE a b
		LREM l7:s 0 a
		LTRIM l7:s 0 1
		LPOS l7:s a
		LMOVE l7:s l7:d LEFT LEFT
		RPOPLPUSH l7:s l7:d
		LMPOP 1 l7:s LEFT
		BLPOP l7:s 0
		BRPOP l7:nosuch l7:s 0
		BLMOVE l7:s l7:d LEFT LEFT 0
		BRPOPLPUSH l7:s l7:d 0
		BLMPOP 0 1 l7:s LEFT
		RPUSH l7:l a
		GET l7:l
		APPEND l7:l x
		INCR l7:l
		GET l7:s
	`))
}

func TestListBlockingArgs(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		RPUSH l8:a a b c d e
		BLPOP l8:nosuch l8:a 0
		BRPOP l8:a 0
		BLMOVE l8:a l8:b LEFT RIGHT 0
		BRPOPLPUSH l8:a l8:b 0
		BLMPOP 0 2 l8:nosuch l8:a RIGHT COUNT 5
		EXISTS l8:a
		LRANGE l8:b 0 -1
		BLPOP l8:x 0.01
		BRPOP l8:x l8:y 0.01
		BLMOVE l8:x l8:y LEFT LEFT 0.01
		BRPOPLPUSH l8:x l8:y 0.01
		BLMPOP 0.01 1 l8:x LEFT
		BLMPOP 0.01 2 l8:x l8:y RIGHT COUNT 2
		BLPOP l8:x 0x1p-20
		BLPOP l8:x 1e-400
		BLPOP l8:x 0.0001
		BLPOP l8:x x
		BLPOP l8:x ""
		BLPOP l8:x " 1"
		BLPOP l8:x nan
		BLPOP l8:x 1e5000
		BLPOP l8:x -1
		BLPOP l8:x -0.5
		BLPOP l8:x inf
		BLPOP l8:x -inf
		BLPOP l8:x 1e300
		BLPOP l8:x 9223372036854775.808
		BRPOP l8:x x
		BLMOVE l8:x l8:y LEFT LEFT x
		BLMOVE l8:x l8:y LEFT LEFT -1
		BLMOVE l8:x l8:y UP LEFT x
		BLMOVE l8:x l8:y LEFT UP -1
		BRPOPLPUSH l8:x l8:y x
		BRPOPLPUSH l8:x l8:y -1
		BLMPOP x 1 l8:x LEFT
		BLMPOP -1 1 l8:x LEFT
		BLMPOP x 0 l8:x LEFT
		BLMPOP x 1 l8:x UP
		BLMPOP x 1 l8:x LEFT COUNT 0
		BLMPOP 0 2 l8:x LEFT
		BLMPOP 0 1 l8:x LEFT COUNT 1 COUNT 1
		SET l8:s str
		BLMOVE l8:x l8:s LEFT LEFT 0.01
		RPUSH l8:x v
		BLMOVE l8:x l8:s LEFT LEFT 0
		LRANGE l8:x 0 -1
		BLPOP l8:x
		BLMOVE l8:x l8:y LEFT LEFT
		BLMPOP 0 1 l8:x
	`))
}

func TestListRESP3(t *testing.T) {
	p := pair(t)
	p.Both("HELLO", "3")
	p.CheckAll(Script(`
		LPOP l9:nosuch
		LPOP l9:nosuch 1
		LPOP l9:nosuch 0
		RPOP l9:nosuch 2
		LINDEX l9:nosuch 0
		LPOS l9:nosuch a
		LPOS l9:nosuch a COUNT 0
		LMOVE l9:nosuch l9:d LEFT LEFT
		RPOPLPUSH l9:nosuch l9:d
		LMPOP 1 l9:nosuch LEFT
		BLPOP l9:nosuch 0.01
		BRPOP l9:nosuch 0.01
		BLMOVE l9:nosuch l9:d LEFT LEFT 0.01
		BRPOPLPUSH l9:nosuch l9:d 0.01
		BLMPOP 0.01 1 l9:nosuch LEFT
		RPUSH l9:l a b c d
		LPOP l9:l 1
		LRANGE l9:l 0 -1
		LPOS l9:l c COUNT 0
		LMPOP 1 l9:l RIGHT COUNT 2
		BLPOP l9:l 0
		LINDEX l9:l 5
	`))
	p.Both("HELLO", "2")
}

// TestListGeneric runs the generic commands on lists: TYPE, OBJECT
// ENCODING (always quicklist in 7.0, whatever the size), COPY, RENAME,
// MOVE, SCAN TYPE, DEL.
func TestListGeneric(t *testing.T) {
	p := pair(t)
	big := strings.Repeat("x", 9000)
	p.Both("RPUSH", "l10:big", big, big)
	p.CheckAll(Script(`
		RPUSH l10:l a b c
		TYPE l10:l
		OBJECT ENCODING l10:l
		OBJECT ENCODING l10:big
		LLEN l10:big
		EXISTS l10:l
		LPUSH l10:one 1
		OBJECT ENCODING l10:one
	`))
	args := []string{"RPUSH", "l10:many"}
	for i := 0; i < 1000; i++ {
		args = append(args, strconv.Itoa(i))
	}
	p.Check(args...)
	p.CheckAll(Script(`
		OBJECT ENCODING l10:many
		LINDEX l10:many 500
		LRANGE l10:many 495 505
		LTRIM l10:many 0 0
		OBJECT ENCODING l10:many
	`))
	p.Both("DEL", "l10:copy")
	p.CheckAll(Script(`
		COPY l10:l l10:copy
		LRANGE l10:copy 0 -1
		RPUSH l10:copy d
		LRANGE l10:l 0 -1
		OBJECT ENCODING l10:copy
	`))
	p.CheckAll(Script(`
		RENAME l10:copy l10:renamed
		LRANGE l10:renamed 0 -1
		TYPE l10:copy
	`))
	p.CheckAll(Script(`
		MOVE l10:l 1
		EXISTS l10:l
		SELECT 1
		LRANGE l10:l 0 -1
		DEL l10:l
		SELECT 0
	`))
	p.Normalize = func(args []string, reply []byte) []byte {
		if strings.EqualFold(args[0], "SCAN") && bytes.HasPrefix(reply, []byte("*2\r\n$1\r\n0\r\n")) {
			return append([]byte("*2\r\n$1\r\n0\r\n"), SortedArray(reply[len("*2\r\n$1\r\n0\r\n"):])...)
		}
		return reply
	}
	p.Both("SET", "l10:str", "x")
	p.CheckAll(Script(`
		SCAN 0 TYPE list COUNT 1000
		DEL l10:big l10:one
		TYPE l10:big
	`))
}

// TestListRandom sends a random stream of list commands (and a few string
// ones, for WRONGTYPE crossings) over a handful of keys to both servers.
func TestListRandom(t *testing.T) {
	p := pair(t)
	r := Rand(t)
	keys := []string{"lr:a", "lr:b", "lr:c", "lr:s"}
	elems := []string{"a", "b", "c", "1", "-1", "01", "", "10000000000000000000", strings.Repeat("e", 70)}
	idx := func() string { return strconv.Itoa(r.IntN(12) - 6) }
	side := func() string { return []string{"LEFT", "RIGHT", "left"}[r.IntN(3)] }
	el := func() string { return elems[r.IntN(len(elems))] }
	key := func() string { return keys[r.IntN(len(keys))] }
	checks := 0
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; i < 4000 && time.Now().Before(deadline); i++ {
		var args []string
		switch r.IntN(24) {
		case 0, 1, 2:
			args = []string{"RPUSH", key(), el(), el()}
		case 3, 4:
			args = []string{"LPUSH", key(), el()}
		case 5:
			args = []string{[]string{"LPUSHX", "RPUSHX"}[r.IntN(2)], key(), el()}
		case 6:
			args = []string{"LPOP", key()}
			if r.IntN(2) == 0 {
				args = append(args, strconv.Itoa(r.IntN(4)))
			}
		case 7:
			args = []string{"RPOP", key()}
			if r.IntN(2) == 0 {
				args = append(args, strconv.Itoa(r.IntN(4)))
			}
		case 8:
			args = []string{"LRANGE", key(), idx(), idx()}
		case 9:
			args = []string{"LINDEX", key(), idx()}
		case 10:
			args = []string{"LSET", key(), idx(), el()}
		case 11:
			args = []string{"LINSERT", key(), []string{"BEFORE", "AFTER"}[r.IntN(2)], el(), el()}
		case 12:
			args = []string{"LREM", key(), idx(), el()}
		case 13:
			args = []string{"LTRIM", key(), idx(), idx()}
		case 14:
			args = []string{"LPOS", key(), el()}
			if r.IntN(2) == 0 {
				args = append(args, "RANK", strconv.Itoa(r.IntN(6)-3))
			}
			if r.IntN(2) == 0 {
				args = append(args, "COUNT", strconv.Itoa(r.IntN(3)))
			}
			if r.IntN(3) == 0 {
				args = append(args, "MAXLEN", strconv.Itoa(r.IntN(5)))
			}
		case 15:
			args = []string{"LMOVE", key(), key(), side(), side()}
		case 16:
			args = []string{"RPOPLPUSH", key(), key()}
		case 17:
			args = []string{"LMPOP", "2", key(), key(), side()}
			if r.IntN(2) == 0 {
				args = append(args, "COUNT", strconv.Itoa(1+r.IntN(3)))
			}
		case 18:
			args = []string{"LLEN", key()}
		case 19:
			// Blocking forms: they only block (briefly) on empty keys.
			switch r.IntN(4) {
			case 0:
				args = []string{"BLPOP", key(), key(), "0.01"}
			case 1:
				args = []string{"BRPOP", key(), "0.01"}
			case 2:
				args = []string{"BLMOVE", key(), key(), side(), side(), "0.01"}
			default:
				args = []string{"BLMPOP", "0.01", "1", key(), side(), "COUNT", "2"}
			}
		case 20:
			args = []string{"SET", "lr:s", el()}
		case 21:
			args = []string{"DEL", key()}
		case 22:
			args = []string{"TYPE", key()}
		default:
			args = []string{"EXISTS", key()}
		}
		p.Check(args...)
		checks++
	}
	for _, k := range keys {
		p.Check("TYPE", k)
		if p.Check("TYPE", k)[1] == 'l' {
			p.Check("LRANGE", k, "0", "-1")
		}
		checks++
	}
	t.Logf("%d commands compared", checks)
}

// ---- blocking, with several connections per server ----

// listSide is one more connection to each server: a client that blocks.
type listSide struct {
	t      *testing.T
	redis  *Conn
	ember  *Conn
	sentAt time.Time
}

func listDialSide(t *testing.T) *listSide {
	t.Helper()
	rc, err := Dial(redisSrv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := Dial(emberSrv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rc.Close(); ec.Close() })
	return &listSide{t: t, redis: rc, ember: ec}
}

// send sends a command to both servers without reading the reply.
func (s *listSide) send(args ...string) {
	s.t.Helper()
	if err := s.redis.Send(Encode(args...)); err != nil {
		s.t.Fatal(err)
	}
	if err := s.ember.Send(Encode(args...)); err != nil {
		s.t.Fatal(err)
	}
}

// check reads one reply from each server and compares them; want, when
// given, is the expected reply.
func (s *listSide) check(what string, want ...string) {
	s.t.Helper()
	rr, err := s.redis.Read()
	if err != nil {
		s.t.Fatalf("%s: redis: %v", what, err)
	}
	er, err := s.ember.Read()
	if err != nil {
		s.t.Fatalf("%s: ember: %v (redis replied %q)", what, err, rr)
	}
	if !bytes.Equal(rr, er) {
		s.t.Errorf("%s\n redis: %q\n ember: %q", what, rr, er)
	}
	if len(want) > 0 && string(rr) != want[0] {
		s.t.Errorf("%s: redis replied %q, the test expects %q", what, rr, want[0])
	}
}

// silent checks that neither server replied within d.
func (s *listSide) silent(d time.Duration) {
	s.t.Helper()
	for name, c := range map[string]*Conn{"redis": s.redis, "ember": s.ember} {
		if b, err := c.ReadTimeout(d); err == nil || len(b) > 0 {
			s.t.Fatalf("%s replied %q while the client should be blocked", name, b)
		}
	}
}

// id returns the CLIENT ID of the side's connections.
func (s *listSide) id() (redis, ember string) {
	s.t.Helper()
	rr, _ := s.redis.Do("CLIENT", "ID")
	er, _ := s.ember.Do("CLIENT", "ID")
	return strings.TrimSpace(string(rr[1:])), strings.TrimSpace(string(er[1:]))
}

// listWaitBlocked polls both servers until n clients are blocked (flag b).
func listWaitBlocked(t *testing.T, p *Pair, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, c := range []*Conn{p.Redis, p.Ember} {
		for {
			reply, err := c.Do("CLIENT", "LIST")
			if err != nil {
				t.Fatal(err)
			}
			if strings.Count(string(reply), "flags=b ") == n {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("waiting for %d blocked clients: %q", n, reply)
			}
			time.Sleep(time.Millisecond)
		}
	}
}

func TestListBlockingWake(t *testing.T) {
	p := pair(t)
	w := listDialSide(t)
	w.send("BLPOP", "lb1:a", "lb1:b", "0")
	listWaitBlocked(t, p, 1)
	w.silent(20 * time.Millisecond)
	p.Check("LPUSH", "lb1:b", "x", "y")
	w.check("BLPOP served by LPUSH", "*2\r\n$5\r\nlb1:b\r\n$1\r\ny\r\n")
	p.Check("LRANGE", "lb1:b", "0", "-1")
	listWaitBlocked(t, p, 0)

	// BRPOP, woken by RPUSHX? No: RPUSHX on a missing key does nothing.
	w.send("BRPOP", "lb1:c", "0")
	listWaitBlocked(t, p, 1)
	p.Check("RPUSHX", "lb1:c", "nope")
	p.Check("RPUSH", "lb1:c", "1", "2", "3")
	w.check("BRPOP")
	p.Check("LRANGE", "lb1:c", "0", "-1")

	// BLMPOP takes COUNT elements.
	w.send("BLMPOP", "0", "2", "lb1:d", "lb1:e", "LEFT", "COUNT", "2")
	listWaitBlocked(t, p, 1)
	p.Check("RPUSH", "lb1:e", "1", "2", "3")
	w.check("BLMPOP")
	p.Check("LRANGE", "lb1:e", "0", "-1")
	w.send("BLMPOP", "0", "1", "lb1:d", "RIGHT", "COUNT", "5")
	listWaitBlocked(t, p, 1)
	p.Check("RPUSH", "lb1:d", "1", "2")
	w.check("BLMPOP taking the whole list")
	p.Check("EXISTS", "lb1:d")

	// A push by LMOVE, LINSERT-free paths: LMOVE into the waited key.
	w.send("BLPOP", "lb1:f", "0")
	listWaitBlocked(t, p, 1)
	p.Check("RPUSH", "lb1:g", "moved")
	p.Check("LMOVE", "lb1:g", "lb1:f", "LEFT", "LEFT")
	w.check("BLPOP served by LMOVE")
	p.Check("EXISTS", "lb1:f")

	// The same key twice: served once.
	w.send("BLPOP", "lb1:dup", "lb1:dup", "0")
	listWaitBlocked(t, p, 1)
	p.Check("RPUSH", "lb1:dup", "1", "2")
	w.check("BLPOP on a repeated key")
	p.Check("LRANGE", "lb1:dup", "0", "-1")

	// The blocked client gets the element before the pusher's next
	// command, sent in the same write, can pop it.
	w.send("BLPOP", "lb1:first", "0")
	listWaitBlocked(t, p, 1)
	both := append(Encode("RPUSH", "lb1:first", "x"), Encode("LPOP", "lb1:first")...)
	for _, c := range []*Conn{p.Redis, p.Ember} {
		if err := c.Send(both); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 2; i++ {
		rr, _ := p.Redis.Read()
		er, _ := p.Ember.Read()
		if !bytes.Equal(rr, er) {
			t.Errorf("pipelined push/pop reply %d: redis %q, ember %q", i, rr, er)
		}
	}
	w.check("BLPOP served before the pusher's LPOP", "*2\r\n$9\r\nlb1:first\r\n$1\r\nx\r\n")

	// A string written to the waited key does not wake a list waiter.
	w.send("BLPOP", "lb1:h", "0")
	listWaitBlocked(t, p, 1)
	p.Check("SET", "lb1:h", "str")
	w.silent(20 * time.Millisecond)
	p.Check("DEL", "lb1:h")
	p.Check("RPUSH", "lb1:h", "v")
	w.check("BLPOP after a string came and went")
	listWaitBlocked(t, p, 0)
}

func TestListBlockingFIFO(t *testing.T) {
	p := pair(t)
	var ws []*listSide
	for i := 0; i < 3; i++ {
		w := listDialSide(t)
		w.send("BLPOP", "lb2:q", "0")
		listWaitBlocked(t, p, i+1)
		ws = append(ws, w)
	}
	p.Check("RPUSH", "lb2:q", "a", "b")
	ws[0].check("first blocked")
	ws[1].check("second blocked")
	ws[2].silent(20 * time.Millisecond)
	p.Check("EXISTS", "lb2:q")
	p.Check("LPUSH", "lb2:q", "c", "d")
	ws[2].check("third blocked")
	p.Check("LRANGE", "lb2:q", "0", "-1")
	listWaitBlocked(t, p, 0)
}

func TestListBlockingTimeoutDiff(t *testing.T) {
	p := pair(t)
	w := listDialSide(t)
	for _, cmd := range [][]string{
		{"BLPOP", "lb3:x", "0.05"},
		{"BRPOP", "lb3:x", "lb3:y", "0.02"},
		{"BLMOVE", "lb3:x", "lb3:y", "LEFT", "RIGHT", "0.02"},
		{"BRPOPLPUSH", "lb3:x", "lb3:y", "0.02"},
		{"BLMPOP", "0.02", "1", "lb3:x", "LEFT", "COUNT", "3"},
	} {
		w.send(cmd...)
		w.check(strings.Join(cmd, " "))
	}
	w.send("HELLO", "3")
	w.redis.Read()
	w.ember.Read()
	w.send("BLPOP", "lb3:x", "0.02")
	w.check("BLPOP timeout in RESP3", "_\r\n")
	w.send("BLMOVE", "lb3:x", "lb3:y", "LEFT", "RIGHT", "0.02")
	w.check("BLMOVE timeout in RESP3", "_\r\n")
	p.Check("RPUSH", "lb3:x", "v")
	w.send("BLPOP", "lb3:x", "0")
	w.check("BLPOP in RESP3")
	w.send("BLMPOP", "0", "1", "lb3:z", "LEFT")
	listWaitBlocked(t, p, 1)
	p.Check("RPUSH", "lb3:z", "v")
	w.check("BLMPOP served in RESP3")
}

func TestListBlockingMoveDiff(t *testing.T) {
	p := pair(t)
	a := listDialSide(t)
	b := listDialSide(t)
	for i := 0; i < 6; i++ {
		src, dst := fmt.Sprintf("lb4:src%d", i), fmt.Sprintf("lb4:dst%d", i)
		a.send("BLMOVE", src, dst, "RIGHT", "LEFT", "0")
		listWaitBlocked(t, p, 1)
		p.Check("RPUSH", src, "a", "b")
		a.check("BLMOVE " + src)
		p.Check("LRANGE", src, "0", "-1")
		p.Check("LRANGE", dst, "0", "-1")
	}
	// A chain: BLMOVE's push serves a client blocked on its destination.
	a.send("BRPOPLPUSH", "lb4:c1", "lb4:c2", "0")
	listWaitBlocked(t, p, 1)
	b.send("BLPOP", "lb4:c2", "0")
	listWaitBlocked(t, p, 2)
	p.Check("LPUSH", "lb4:c1", "v")
	a.check("BRPOPLPUSH in a chain")
	b.check("BLPOP at the chain's end")
	p.Check("EXISTS", "lb4:c1", "lb4:c2")
	// A rotation: source and destination are the same key.
	a.send("BLMOVE", "lb4:r", "lb4:r", "LEFT", "RIGHT", "0")
	listWaitBlocked(t, p, 1)
	b.send("BLPOP", "lb4:r", "0")
	listWaitBlocked(t, p, 2)
	p.Check("RPUSH", "lb4:r", "x")
	a.check("BLMOVE rotating")
	b.check("BLPOP after the rotation")
	p.Check("EXISTS", "lb4:r")
	// The destination holds a string when the element comes: WRONGTYPE
	// for the blocked client, and the element stays.
	a.send("BLMOVE", "lb4:w", "lb4:ws", "LEFT", "LEFT", "0")
	listWaitBlocked(t, p, 1)
	p.Check("SET", "lb4:ws", "str")
	p.Check("RPUSH", "lb4:w", "x")
	a.check("BLMOVE into a string")
	p.Check("LRANGE", "lb4:w", "0", "-1")
	listWaitBlocked(t, p, 0)
}

func TestListBlockingDisconnectDiff(t *testing.T) {
	p := pair(t)
	w := listDialSide(t)
	w.send("BLPOP", "lb5:k", "0")
	listWaitBlocked(t, p, 1)
	w.redis.Close()
	w.ember.Close()
	listWaitBlocked(t, p, 0)
	p.Check("RPUSH", "lb5:k", "x")
	p.Check("LRANGE", "lb5:k", "0", "-1")
}

func TestListBlockingUnblockDiff(t *testing.T) {
	p := pair(t)
	w := listDialSide(t)
	rid, eid := w.id()
	for _, mode := range []string{"", "TIMEOUT", "ERROR"} {
		w.send("BLMPOP", "0", "1", "lb6:k", "LEFT")
		listWaitBlocked(t, p, 1)
		rargs := []string{"CLIENT", "UNBLOCK", rid}
		eargs := []string{"CLIENT", "UNBLOCK", eid}
		if mode != "" {
			rargs, eargs = append(rargs, mode), append(eargs, mode)
		}
		rr, _ := p.Redis.Do(rargs...)
		er, _ := p.Ember.Do(eargs...)
		if !bytes.Equal(rr, er) || string(rr) != ":1\r\n" {
			t.Errorf("CLIENT UNBLOCK %s: redis %q, ember %q", mode, rr, er)
		}
		w.check("unblocked " + mode)
		listWaitBlocked(t, p, 0)
		rr, _ = p.Redis.Do(rargs...)
		er, _ = p.Ember.Do(eargs...)
		if !bytes.Equal(rr, er) || string(rr) != ":0\r\n" {
			t.Errorf("CLIENT UNBLOCK %s of a client no longer blocked: redis %q, ember %q", mode, rr, er)
		}
	}
	p.Check("RPUSH", "lb6:k", "x")
	p.Check("LLEN", "lb6:k")
}

// TestListBlockingPipelineDiff: commands sent behind a blocking command run
// after it is served.
func TestListBlockingPipelineDiff(t *testing.T) {
	p := pair(t)
	w := listDialSide(t)
	w.send("BLPOP", "lb7:k", "0")
	listWaitBlocked(t, p, 1)
	w.send("LLEN", "lb7:k")
	w.send("ECHO", "after")
	w.silent(20 * time.Millisecond)
	p.Check("RPUSH", "lb7:k", "a", "b")
	w.check("BLPOP")
	w.check("LLEN after BLPOP")
	w.check("ECHO after BLPOP")
}

// TestListBlockingOtherWrites: keys made ready by commands of other groups
// (RENAME, COPY, SWAPDB, MOVE).
func TestListBlockingOtherWrites(t *testing.T) {
	p := pair(t)
	w := listDialSide(t)
	w.send("BLPOP", "lb8:r", "0")
	listWaitBlocked(t, p, 1)
	p.Check("RPUSH", "lb8:tmp", "renamed")
	p.Check("RENAME", "lb8:tmp", "lb8:r")
	w.check("BLPOP served by RENAME")
	w.send("BLPOP", "lb8:c", "0")
	listWaitBlocked(t, p, 1)
	p.Check("RPUSH", "lb8:orig", "copied")
	p.Check("COPY", "lb8:orig", "lb8:c")
	w.check("BLPOP served by COPY")
	p.Check("LRANGE", "lb8:orig", "0", "-1")
	w.send("SELECT", "1")
	w.check("SELECT")
	w.send("BLPOP", "lb8:m", "0")
	listWaitBlocked(t, p, 1)
	p.Check("RPUSH", "lb8:m", "moved")
	p.Check("MOVE", "lb8:m", "1")
	w.check("BLPOP in db 1 served by MOVE")
	w.send("SELECT", "0")
	w.check("SELECT")
	w.send("SELECT", "1")
	w.check("SELECT")
	w.send("BLPOP", "lb8:s", "0")
	listWaitBlocked(t, p, 1)
	p.Check("RPUSH", "lb8:s", "swapped")
	p.Check("SWAPDB", "0", "1")
	w.check("BLPOP served by SWAPDB")
	p.Check("SWAPDB", "0", "1")
	w.send("SELECT", "0")
	w.check("SELECT")
	p.Both("SELECT", "1")
	p.Both("FLUSHDB")
	p.Both("SELECT", "0")
	listWaitBlocked(t, p, 0)
}

// TestListsBlockedMoveWatch: the push into BLMOVE's destination made when
// a blocked client is served is a change WATCH sees; while the client is
// still blocked, nothing changed.
func TestListsBlockedMoveWatch(t *testing.T) {
	p := pair(t)
	pusher := txnSide(t)
	for _, cmd := range [][]string{
		{"BRPOPLPUSH", "bw:src", "bw:dst", "0"},
		{"BLMOVE", "bw:src", "bw:dst", "LEFT", "RIGHT", "0"},
	} {
		p.Both("DEL", "bw:src", "bw:dst")
		p.Check("SET", "bw:k", "v")
		w := listDialSide(t)
		w.send(cmd...)
		listWaitBlocked(t, p, 1)
		p.Check("WATCH", "bw:dst")
		p.Check("MULTI")
		p.Check("GET", "bw:k")
		pusher.Check("LPUSH", "bw:src", "e")
		w.check(cmd[0] + " served")
		p.Check("EXEC") // aborted: bw:dst was written
		// Blocked but not served yet: the transaction runs.
		w.send(cmd...)
		listWaitBlocked(t, p, 1)
		p.Check("WATCH", "bw:dst")
		p.Check("MULTI")
		p.Check("GET", "bw:k")
		p.Check("EXEC")
		pusher.Check("LPUSH", "bw:src", "f")
		w.check(cmd[0] + " served later")
		p.Check("LRANGE", "bw:dst", "0", "-1")
	}
}
