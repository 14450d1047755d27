package compat

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Differential tests of the stream commands (no consumer groups). IDs are
// explicit so that replies are deterministic; XADD * is compared by shape.

func TestStreamXADD(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		XADD s1:a 1-1 f v
		XADD s1:a 1-1 f v
		XADD s1:a 1-0 f v
		XADD s1:a 0-0 f v
		XADD s1:new 0-0 f v
		XADD s1:new 0 f v
		XADD s1:new 0-* f v
		XADD s1:a 1-* f v
		XADD s1:a 1-* f v g w
		XADD s1:a 2 f v
		XADD s1:a 2 f v
		XADD s1:a 5-* "bin\x00ary" "" x "\r\n"
		XADD s1:a abc f v
		XADD s1:a 5- f v
		XADD s1:a -5 f v
		XADD s1:a 5-x f v
		XADD s1:a 5-+ f v
		XADD s1:a + f v
		XADD s1:a - f v
		XADD s1:a *-1 f v
		XADD s1:a 10-1 f
		XADD s1:a 10-1 f v g
		XADD s1:a NOMKSTREAM MAXLEN 5
		XADD s1:a " 18446744073709551610-0" f v
		XADD s1:a 18446744073709551615-18446744073709551614 f v
		XADD s1:a 18446744073709551615-* f v
		XADD s1:a 18446744073709551615-* f v
		XADD s1:a 18446744073709551616 f v
		XADD s1:a NOMKSTREAM 1 f v
		XRANGE s1:a - +
		XLEN s1:a
		XADD s1:nomk NOMKSTREAM 1-1 f v
		EXISTS s1:nomk
		XADD s1:nomk nomkstream 1-1 f v
		XADD s1:b MAXLEN -1 1-1 f v
		XADD s1:b MAXLEN x 1-1 f v
		XADD s1:b MAXLEN 1 MINID 1 1-1 f v
		XADD s1:b MINID 1 MAXLEN 1 1-1 f v
		XADD s1:b MAXLEN 5 LIMIT 10 1-1 f v
		XADD s1:b MAXLEN = 5 LIMIT 10 1-1 f v
		XADD s1:b LIMIT -1 MAXLEN ~ 1 1-1 f v
		XADD s1:b LIMIT x MAXLEN ~ 1 1-1 f v
		XADD s1:b MINID ~ abc 1-1 f v
		XADD s1:b MINID - 1-1 f v
		XADD s1:b LIMIT 10 1-1 f v
		XADD s1:b LIMIT 0 1-1 f v
		XTRIM s1:a LIMIT 0 MAXLEN 100
		XTRIM s1:a LIMIT 5 MAXLEN 100
		XTRIM s1:a MAXLEN 100 LIMIT 5
		XTRIM s1:a LIMIT 5 FOO
		XTRIM s1:nosuch LIMIT 5 x
		XADD s1:b MAXLEN ~ 1 LIMIT 10 1-1 f v
		XADD s1:b MAXLEN = 1 2-1 f v
		XADD s1:b MAXLEN 1 3-1 f v
		XADD s1:b maxlen ~ 0 4-1 f v
		XADD s1:b MINID 4-1 5-1 f v
		XADD s1:b MINID = 5 6-1 f v
		XADD s1:b MINID ~ 6 7-1 f v
		XADD s1:b MAXLEN 0 8-1 f v
		XRANGE s1:b - +
		XLEN s1:b
		EXISTS s1:b
		TYPE s1:b
		OBJECT ENCODING s1:b
		SET s1:str x
		XADD s1:str 1-1 f v
		XADD s1:str NOMKSTREAM 1-1 f v
		XLEN s1:str
		XADD s1:a
		XADD s1:a 1-1
		XADD s1:a 1-1 f
		xadd s1:case 1-1 F V
		XADD s1:big 1-1 f 18446744073709551615
		XADD s1:big 18446744073709551616-1 f v
		XADD s1:big 1-18446744073709551616 f v
		XADD s1:big 2-+5 f v
		XADD s1:big +3-0 f v
		XADD s1:big 00004-01 f v
		XRANGE s1:big -1 +
		XRANGE s1:big " 1" +
		XRANGE s1:big 1-+5 +
		XRANGE s1:big 4-1 18446744073709551615
		XRANGE s1:big "(4-1" "(18446744073709551615-18446744073709551615"
	`))
}

// streamShapeID matches an auto-generated ID.
var streamShapeID = regexp.MustCompile(`^\$\d+\r\n\d+-\d+\r\n$`)

func TestStreamXADDAuto(t *testing.T) {
	p := pair(t)
	for i := 0; i < 20; i++ {
		args := []string{"XADD", "s2:a", "*", "f", fmt.Sprint(i)}
		if i%3 == 0 {
			args = []string{"XADD", "s2:a", "MAXLEN", "5", "*", "f", fmt.Sprint(i)}
		}
		r, _ := p.Redis.Do(args...)
		e, _ := p.Ember.Do(args...)
		if !streamShapeID.Match(r) || !streamShapeID.Match(e) {
			t.Fatalf("XADD *: redis %q ember %q", r, e)
		}
	}
	p.Check("XLEN", "s2:a")
	// An ID far in the future: * then increments the sequence.
	p.Check("XADD", "s2:f", "99999999999999-5", "f", "v")
	p.Check("XADD", "s2:f", "*", "f", "v")
	p.Check("XADD", "s2:f", "MAXLEN", "~", "1", "*", "f", "v")
	p.Check("XRANGE", "s2:f", "-", "+")
	p.Check("XADD", "s2:m", "18446744073709551615-18446744073709551615", "f", "v")
	p.Check("XADD", "s2:m", "*", "f", "v")
}

func streamFill(p *Pair, key string, n int) {
	for i := 1; i <= n; i++ {
		p.Check("XADD", key, fmt.Sprintf("%d-%d", i/3+1, i%3), "f", fmt.Sprint(i), "g", "x")
	}
}

func TestStreamRange(t *testing.T) {
	p := pair(t)
	streamFill(p, "s3:a", 30)
	p.Check("XADD", "s3:a", "20-1", "other", "fields")
	p.CheckAll(Script(`
		XRANGE s3:a - +
		XREVRANGE s3:a + -
		XRANGE s3:a - + COUNT 3
		XREVRANGE s3:a + - COUNT 3
		XRANGE s3:a 3 5
		XRANGE s3:a 3-1 5-1
		XRANGE s3:a (3-1 (5-1
		XREVRANGE s3:a (5-1 (3-1
		XREVRANGE s3:a 5 3
		XRANGE s3:a (3 +
		XRANGE s3:a - (3
		XRANGE s3:a 5 3
		XRANGE s3:a (0-0 +
		XRANGE s3:a - (0-0
		XRANGE s3:a (18446744073709551615-18446744073709551615 +
		XRANGE s3:a - (18446744073709551615-18446744073709551615 COUNT 1
		XRANGE s3:a ( +
		XRANGE s3:a (- +
		XRANGE s3:a - (+
		XRANGE s3:a abc +
		XRANGE s3:a - abc
		XRANGE s3:a - + COUNT
		XRANGE s3:a - + COUNT 0
		XRANGE s3:a - + COUNT -1
		XRANGE s3:a - + COUNT x
		XRANGE s3:a - + COUNT 2 COUNT 1
		XRANGE s3:a - + FOO 1
		XRANGE s3:nosuch - +
		XRANGE s3:nosuch - + COUNT 0
		XREVRANGE s3:nosuch + -
		XRANGE s3:a 18446744073709551615 +
		XRANGE s3:a 10-1 10-1
		XRANGE s3:a 10-1 10-0
		SET s3:str x
		XRANGE s3:str - +
		XREVRANGE s3:str + -
		XLEN s3:str
		XLEN s3:a
		XLEN s3:nosuch
		XRANGE s3:a -
		XLEN
	`))
	p.Both("HELLO", "3")
	p.CheckAll(Script(`
		XRANGE s3:a - + COUNT 2
		XREVRANGE s3:a + - COUNT 2
		XRANGE s3:a - + COUNT 0
		XRANGE s3:nosuch - +
		XLEN s3:a
	`))
	p.Both("HELLO", "2")
}

func TestStreamDelTrim(t *testing.T) {
	p := pair(t)
	streamFill(p, "s4:a", 400)
	p.CheckAll(Script(`
		XDEL s4:a 1-1 1-1 2-0 999-0
		XDEL s4:a abc
		XDEL s4:a 1-2 abc
		XDEL s4:a +
		XDEL s4:nosuch 1-1
		XDEL s4:nosuch abc
		XLEN s4:a
		XRANGE s4:a - 3
		XTRIM s4:a MAXLEN ~ 350
		XLEN s4:a
		XTRIM s4:a MAXLEN 350
		XLEN s4:a
		XTRIM s4:a MAXLEN = 340
		XTRIM s4:a MINID ~ 30
		XLEN s4:a
		XTRIM s4:a MINID 40-1
		XRANGE s4:a - + COUNT 2
		XTRIM s4:a MAXLEN ~ 100 LIMIT 50
		XLEN s4:a
		XTRIM s4:a MAXLEN ~ 100 LIMIT 150
		XLEN s4:a
		XTRIM s4:a MAXLEN ~ 100 LIMIT 0
		XLEN s4:a
		XTRIM s4:a MAXLEN 10 LIMIT 10
		XTRIM s4:a MAXLEN ~
		XTRIM s4:a MAXLEN x
		XTRIM s4:a MAXLEN -1
		XTRIM s4:a MINID abc
		XTRIM s4:a MINID +
		XTRIM s4:a FOO 1
		XTRIM s4:a MAXLEN 1 MINID 1
		XTRIM s4:a MAXLEN 1 FOO
		XTRIM s4:a LIMIT 10 MAXLEN ~ 1
		XTRIM s4:a NOMKSTREAM MAXLEN 1
		XTRIM s4:nosuch FOO 1
		XTRIM s4:nosuch MAXLEN 1
		XTRIM s4:a MAXLEN 0
		XLEN s4:a
		EXISTS s4:a
		XRANGE s4:a - +
		XADD s4:a 1-1 f v
		XADD s4:a 500-1 f v
		XDEL s4:a 500-1
		XLEN s4:a
		EXISTS s4:a
		XADD s4:a 500-1 f v
		XADD s4:a 500-2 f v
		SET s4:str x
		XDEL s4:str 1-1
		XTRIM s4:str MAXLEN 1
		XTRIM s4:str FOO
		XDEL s4:a
		XTRIM s4:a MAXLEN
	`))
}

func TestStreamSetID(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		XSETID s5:nosuch 1-1
		XADD s5:a 5-1 f v
		XADD s5:a 6-1 f v
		XSETID s5:a 5-0
		XSETID s5:a 6-1
		XSETID s5:a 10-0
		XADD s5:a 9-0 f v
		XADD s5:a 10-0 f v
		XADD s5:a 10-* f v
		XSETID s5:a abc
		XSETID s5:a +
		XSETID s5:a 20-0 ENTRIESADDED
		XSETID s5:a 20-0 ENTRIESADDED x
		XSETID s5:a 20-0 ENTRIESADDED -1
		XSETID s5:a 20-0 ENTRIESADDED 1
		XSETID s5:a 20-0 ENTRIESADDED 100
		XSETID s5:a 20-0 MAXDELETEDID 30-0
		XSETID s5:a 20-0 MAXDELETEDID abc
		XSETID s5:a 20-0 MAXDELETEDID 10-0 ENTRIESADDED 50
		XSETID s5:a 20-0 FOO 1
		XSETID s5:a 1-1 ENTRIESADDED 1
		XDEL s5:a 5-1 6-1 10-1
		XSETID s5:a 0-0
		XADD s5:a 0-1 f v
		XRANGE s5:a - +
		SET s5:str x
		XSETID s5:str 1-1
		XSETID s5:a
	`))
}

func TestStreamXREAD(t *testing.T) {
	p := pair(t)
	streamFill(p, "s6:a", 10)
	streamFill(p, "s6:b", 5)
	p.CheckAll(Script(`
		XREAD STREAMS s6:a 0
		XREAD STREAMS s6:a 3-1
		XREAD COUNT 2 STREAMS s6:a s6:b 0 2-0
		XREAD COUNT 0 STREAMS s6:a 3
		XREAD COUNT -5 STREAMS s6:b 1
		XREAD STREAMS s6:a s6:b s6:nosuch 3-0 1 0
		XREAD STREAMS s6:a $
		XREAD STREAMS s6:nosuch $
		XREAD STREAMS s6:a s6:a 2 3
		XREAD STREAMS s6:a 99-0
		XREAD STREAMS s6:a
		XREAD STREAMS s6:a s6:b 0
		XREAD STREAMS s6:a +
		XREAD STREAMS s6:a -
		XREAD STREAMS s6:a abc
		XREAD STREAMS s6:a >
		XREAD GROUP g c STREAMS s6:a 0
		XREAD NOACK STREAMS s6:a 0
		XREAD FOO STREAMS s6:a 0
		XREAD COUNT x STREAMS s6:a 0
		XREAD BLOCK x STREAMS s6:a 0
		XREAD BLOCK -1 STREAMS s6:a 0
		XREAD BLOCK 1.5 STREAMS s6:a 0
		XREAD BLOCK 0 STREAMS s6:a 0
		XREAD BLOCK 10 STREAMS s6:a 99
		XREAD BLOCK 10 STREAMS s6:a $
		XREAD COUNT 1 BLOCK 10 STREAMS s6:a 0
		XREAD COUNT 1 COUNT 2 STREAMS s6:a 0
		XREAD COUNT 1
		XREAD COUNT 1 STREAMS
		SET s6:str x
		XREAD STREAMS s6:str 0
		XREAD STREAMS s6:a s6:str 0 abc
		XREAD STREAMS s6:a s6:str abc 0
		MULTI
		XREAD BLOCK 0 STREAMS s6:a 99
		XREAD BLOCK 0 STREAMS s6:a 0
		EXEC
		XADD s6:d 1-1 f v
		XADD s6:d 2-1 f v
		XDEL s6:d 2-1
		XREAD STREAMS s6:d 1-1
		XSETID s6:d 5-0
		XREAD STREAMS s6:d 1-1
		XREAD STREAMS s6:d 0
	`))
	p.Both("HELLO", "3")
	p.CheckAll(Script(`
		XREAD STREAMS s6:a 8
		XREAD COUNT 2 STREAMS s6:a s6:b 0 2-0
		XREAD STREAMS s6:a 99
		XREAD BLOCK 10 STREAMS s6:a 99
	`))
	p.Both("HELLO", "2")
}

func TestStreamXREADBlock(t *testing.T) {
	p := pair(t)
	w := listDialSide(t)
	w.send("XREAD", "BLOCK", "0", "STREAMS", "s7:a", "s7:b", "$", "$")
	listWaitBlocked(t, p, 1)
	w.silent(20 * time.Millisecond)
	p.Check("XADD", "s7:b", "1-1", "f", "v")
	w.check("XREAD woken by XADD")
	listWaitBlocked(t, p, 0)

	p.Check("XADD", "s7:a", "5-1", "f", "v")
	w.send("XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "s7:a", "5-1")
	listWaitBlocked(t, p, 1)
	p.Check("XADD", "s7:a", "4-1", "f", "v") // refused: too small
	p.Check("XADD", "s7:a", "6-1", "f", "v")
	w.check("XREAD after the given ID")

	// An ID in the future keeps waiting past a smaller XADD.
	w.send("XREAD", "BLOCK", "0", "STREAMS", "s7:a", "8-0")
	listWaitBlocked(t, p, 1)
	p.Check("XADD", "s7:a", "7-1", "f", "v")
	w.silent(20 * time.Millisecond)
	p.Check("XADD", "s7:a", "9-1", "f", "v")
	w.check("XREAD woken by the larger ID")

	// Timeout.
	w.send("XREAD", "BLOCK", "30", "STREAMS", "s7:c", "0")
	w.check("XREAD timeout")

	// RESP3 waiter.
	w.send("HELLO", "3")
	rr, _ := w.redis.Read()
	er, _ := w.ember.Read()
	if len(rr) == 0 || len(er) == 0 {
		t.Fatal("HELLO 3")
	}
	w.send("XREAD", "BLOCK", "0", "STREAMS", "s7:d", "0-0")
	listWaitBlocked(t, p, 1)
	p.Check("XADD", "s7:d", "1-1", "a", "b", "c", "d")
	w.check("XREAD RESP3")
}

func TestStreamGeneric(t *testing.T) {
	p := pair(t)
	streamFill(p, "s8:a", 5)
	p.CheckAll(Script(`
		TYPE s8:a
		OBJECT ENCODING s8:a
		COPY s8:a s8:b
		XRANGE s8:b - +
		XADD s8:b 9-9 f v
		XLEN s8:a
		XLEN s8:b
		RENAME s8:b s8:c
		XRANGE s8:c 9 +
		SCAN 0 TYPE stream MATCH s8:c COUNT 1000
		DEL s8:c
		XADD s8:e 1-1 f v
		XDEL s8:e 1-1
		TYPE s8:e
		OBJECT ENCODING s8:e
		EXPIRE s8:a 100
		XADD s8:a 99-1 f v
		TTL s8:a
	`))
}

// TestStreamRandom runs random XADD/XRANGE/XREVRANGE/XDEL/XTRIM streams
// with explicit IDs over a few keys.
func TestStreamRandom(t *testing.T) {
	p := pair(t)
	r := Rand(t)
	p.Check("CONFIG", "SET", "stream-node-max-entries", "7")
	defer p.Check("CONFIG", "SET", "stream-node-max-entries", "100")
	keys := []string{"s9:a", "s9:b", "s9:c"}
	next := map[string]int{}
	id := func(k string) string {
		n := next[k] + r.IntN(3)
		return fmt.Sprintf("%d-%d", n/4, n%4)
	}
	anyID := func(k string) string {
		n := r.IntN(next[k] + 5)
		switch r.IntN(6) {
		case 0:
			return fmt.Sprint(n / 4)
		case 1:
			return "(" + fmt.Sprintf("%d-%d", n/4, n%4)
		}
		return fmt.Sprintf("%d-%d", n/4, n%4)
	}
	p.Check("SET", "s9:str", "x")
	for i := 0; i < 3000; i++ {
		k := keys[r.IntN(len(keys))]
		if r.IntN(40) == 0 {
			k = "s9:str"
		}
		var args []string
		switch op := r.IntN(10); op {
		case 0, 1, 2, 3:
			next[k] += 1 + r.IntN(3)
			args = []string{"XADD", k}
			switch r.IntN(6) {
			case 0:
				args = append(args, "MAXLEN", []string{"=", "~", ""}[r.IntN(3)], fmt.Sprint(r.IntN(30)))
			case 1:
				args = append(args, "MINID", []string{"=", "~", ""}[r.IntN(3)], id(k))
			case 2:
				args = append(args, "MAXLEN", "~", fmt.Sprint(r.IntN(30)), "LIMIT", fmt.Sprint(r.IntN(20)))
			}
			if r.IntN(5) == 0 {
				args = append(args, fmt.Sprintf("%d-*", next[k]/4))
			} else {
				args = append(args, id(k))
			}
			for j := 0; j <= r.IntN(3); j++ {
				args = append(args, []string{"f", "g", "h"}[r.IntN(3)], fmt.Sprint(r.IntN(1000)))
			}
		case 4:
			args = []string{"XRANGE", k, anyID(k), anyID(k)}
			if r.IntN(2) == 0 {
				args[2] = "-"
			}
			if r.IntN(2) == 0 {
				args = append(args, "COUNT", fmt.Sprint(r.IntN(10)))
			}
		case 5:
			args = []string{"XREVRANGE", k, anyID(k), anyID(k)}
			if r.IntN(2) == 0 {
				args[2] = "+"
			}
			if r.IntN(2) == 0 {
				args = append(args, "COUNT", fmt.Sprint(r.IntN(10)))
			}
		case 6, 7:
			args = []string{"XDEL", k}
			for j := 0; j <= r.IntN(4); j++ {
				n := r.IntN(next[k] + 2)
				args = append(args, fmt.Sprintf("%d-%d", n/4, n%4))
			}
		case 8:
			args = []string{"XTRIM", k}
			if r.IntN(2) == 0 {
				args = append(args, "MAXLEN", []string{"=", "~", ""}[r.IntN(3)], fmt.Sprint(r.IntN(40)))
			} else {
				n := r.IntN(next[k] + 2)
				args = append(args, "MINID", []string{"=", "~", ""}[r.IntN(3)], fmt.Sprintf("%d-%d", n/4, n%4))
			}
			if args[3] == "~" && r.IntN(2) == 0 {
				args = append(args, "LIMIT", fmt.Sprint(r.IntN(20)))
			}
		case 9:
			args = []string{"XLEN", k}
			if r.IntN(2) == 0 {
				args = []string{"XREAD", "COUNT", fmt.Sprint(r.IntN(5)), "STREAMS", k, keys[0], anyIDStrict(anyID(k)), "0"}
			}
		}
		args = streamDropEmpty(args)
		p.Check(args...)
	}
	for _, k := range keys {
		p.Check("XRANGE", k, "-", "+")
	}
}

func anyIDStrict(s string) string { return string(bytes.TrimPrefix([]byte(s), []byte("("))) }

func streamDropEmpty(args []string) []string {
	out := args[:0]
	for _, a := range args {
		if a != "" {
			out = append(out, a)
		}
	}
	return out
}

// TestStreamApproxTrimNodes checks that approximate trimming removes the
// same whole nodes as Redis, whose nodes end by entry count or by
// stream-node-max-bytes.
func TestStreamApproxTrimNodes(t *testing.T) {
	p := pair(t)
	r := Rand(t)
	value := func(size int) string {
		switch r.IntN(4) {
		case 0:
			return fmt.Sprint(r.Int64N(1 << uint(r.IntN(63))))
		case 1:
			return fmt.Sprint(-r.Int64N(1 << uint(r.IntN(63))))
		}
		return strings.Repeat("x", size)
	}
	run := func(prefix string) {
		for _, size := range []int{1, 10, 30, 60, 63, 64, 100, 300, 1000, 5000} {
			k := fmt.Sprintf("%s:%d", prefix, size)
			for i := 1; i <= 300; i++ {
				args := []string{"XADD", k, fmt.Sprintf("%d-%d", i, r.IntN(3)), "f", value(size)}
				if r.IntN(10) == 0 {
					args = append(args, "other", value(size/2))
				}
				p.Check(args...)
			}
			for _, n := range []string{"250", "200", "150", "100", "10"} {
				p.Check("XTRIM", k, "MAXLEN", "~", n)
			}
			p.Check("XTRIM", k, "MINID", "~", "295")
			p.Check("XLEN", k)
		}
	}
	run("sa")
	p.Check("CONFIG", "SET", "stream-node-max-bytes", "700")
	defer p.Check("CONFIG", "SET", "stream-node-max-bytes", "4096")
	run("sb")
	p.Check("CONFIG", "SET", "stream-node-max-bytes", "0")
	p.Check("CONFIG", "SET", "stream-node-max-entries", "0")
	defer p.Check("CONFIG", "SET", "stream-node-max-entries", "100")
	run("sc")
}
