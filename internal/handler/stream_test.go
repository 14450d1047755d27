package handler_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ember-kv/ember"
	"github.com/ember-kv/ember/embertest"
)

func streamEntry(id string, fv ...string) string {
	s := "*2\r\n" + fmt.Sprintf("$%d\r\n%s\r\n", len(id), id) + fmt.Sprintf("*%d\r\n", len(fv))
	for _, f := range fv {
		s += fmt.Sprintf("$%d\r\n%s\r\n", len(f), f)
	}
	return s
}

func TestStreamCommands(t *testing.T) {
	srv := embertest.Run(t)
	c := dialRaw(t, srv.Addr())
	runCases(t, c, []replyCase{
		{"XADD s 1-1 a 1", "$3\r\n1-1\r\n"},
		{"XADD s 1-* b 2", "$3\r\n1-2\r\n"},
		{"XADD s 1-1 a 1", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n"},
		{"XADD s 0-0 a 1", "-ERR The ID specified in XADD must be greater than 0-0\r\n"},
		{"XADD s x a 1", "-ERR Invalid stream ID specified as stream command argument\r\n"},
		{"XADD s 2-0 a", "-ERR wrong number of arguments for 'xadd' command\r\n"},
		{"XADD s MAXLEN 1 MINID 1 2-0 a 1", "-ERR syntax error, MAXLEN and MINID options at the same time are not compatible\r\n"},
		{"XADD n NOMKSTREAM 1-1 a 1", "$-1\r\n"},
		{"XLEN s", ":2\r\n"},
		{"XRANGE s - +", "*2\r\n" + streamEntry("1-1", "a", "1") + streamEntry("1-2", "b", "2")},
		{"XREVRANGE s + - COUNT 1", "*1\r\n" + streamEntry("1-2", "b", "2")},
		{"XRANGE s (1-1 +", "*1\r\n" + streamEntry("1-2", "b", "2")},
		{"XRANGE s - + COUNT 0", "*-1\r\n"},
		{"XRANGE s - (0-0", "-ERR invalid end ID for the interval\r\n"},
		{"XDEL s 1-1 1-1 9-9", ":1\r\n"},
		{"XLEN s", ":1\r\n"},
		{"XTRIM s MAXLEN 0", ":1\r\n"},
		{"TYPE s", "+stream\r\n"},
		{"OBJECT ENCODING s", "$6\r\nstream\r\n"},
		{"XSETID s 5-5", "+OK\r\n"},
		{"XADD s 5-5 a 1", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n"},
		{"XADD s 5-* a 1", "$3\r\n5-6\r\n"},
		{"XSETID nope 1-1", "-ERR no such key\r\n"},
		{"XREAD STREAMS s 0", "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n" + streamEntry("5-6", "a", "1")},
		{"XREAD STREAMS s $", "*-1\r\n"},
		{"XREAD STREAMS s t 0", "-ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.\r\n"},
		{"SET str x", "+OK\r\n"},
		{"XADD str 1-1 a 1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	})
}

func TestStreamBlockingXREAD(t *testing.T) {
	srv := embertest.Run(t)
	w := dialRaw(t, srv.Addr())
	c := dialRaw(t, srv.Addr())
	w.send("XREAD", "BLOCK", "0", "STREAMS", "bs", "$")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(c.do("CLIENT", "LIST"), "cmd=xread") {
		if time.Now().After(deadline) {
			t.Fatal("client never blocked")
		}
		time.Sleep(time.Millisecond)
	}
	if got := c.do("XADD", "bs", "3-3", "k", "v"); got != "$3\r\n3-3\r\n" {
		t.Fatalf("XADD: %q", got)
	}
	want := "*1\r\n*2\r\n$2\r\nbs\r\n*1\r\n" + streamEntry("3-3", "k", "v")
	if got := w.read(); got != want {
		t.Fatalf("XREAD: %q want %q", got, want)
	}
	w.send("XREAD", "BLOCK", "20", "STREAMS", "bs", "$")
	if got := w.read(); got != "*-1\r\n" {
		t.Fatalf("timeout: %q", got)
	}
}

// TestStreamModel applies random XADD/XDEL/XTRIM (exact)/XRANGE/XREVRANGE
// to Ember and to a slice model.
func TestStreamModel(t *testing.T) {
	srv := embertest.Run(t)
	c := dialRaw(t, srv.Addr())
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 1))
	c.do("CONFIG", "SET", "stream-node-max-entries", "5")
	type ent struct {
		ms, seq int
		v       string
	}
	var model []ent
	less := func(a, b ent) bool { return a.ms < b.ms || (a.ms == b.ms && a.seq < b.seq) }
	lastMs, lastSeq := 0, 0
	render := func(es []ent) string {
		s := fmt.Sprintf("*%d\r\n", len(es))
		for _, e := range es {
			s += streamEntry(fmt.Sprintf("%d-%d", e.ms, e.seq), "f", e.v)
		}
		return s
	}
	for i := 0; i < 4000; i++ {
		switch r.IntN(6) {
		case 0, 1:
			ms, seq := lastMs+r.IntN(2), r.IntN(3)
			if ms == lastMs && seq <= lastSeq {
				seq = lastSeq + 1
			}
			v := fmt.Sprint(r.IntN(100))
			got := c.do("XADD", "m", fmt.Sprintf("%d-%d", ms, seq), "f", v)
			id := fmt.Sprintf("%d-%d", ms, seq)
			if got != fmt.Sprintf("$%d\r\n%s\r\n", len(id), id) {
				t.Fatalf("XADD %s: %q", id, got)
			}
			lastMs, lastSeq = ms, seq
			model = append(model, ent{ms, seq, v})
		case 2:
			if len(model) == 0 {
				continue
			}
			k := r.IntN(len(model))
			e := model[k]
			if got := c.do("XDEL", "m", fmt.Sprintf("%d-%d", e.ms, e.seq)); got != ":1\r\n" {
				t.Fatalf("XDEL: %q", got)
			}
			model = append(model[:k], model[k+1:]...)
		case 3:
			n := r.IntN(len(model) + 3)
			want := max(len(model)-n, 0)
			if got := c.do("XTRIM", "m", "MAXLEN", fmt.Sprint(n)); got != fmt.Sprintf(":%d\r\n", want) {
				t.Fatalf("XTRIM %d: %q want %d", n, got, want)
			}
			model = model[want:]
		case 4, 5:
			a := ent{ms: r.IntN(lastMs + 2), seq: r.IntN(4)}
			b := ent{ms: a.ms + r.IntN(4), seq: r.IntN(4)}
			var sel []ent
			for _, e := range model {
				if !less(e, a) && !less(b, e) {
					sel = append(sel, e)
				}
			}
			as, bs := fmt.Sprintf("%d-%d", a.ms, a.seq), fmt.Sprintf("%d-%d", b.ms, b.seq)
			if r.IntN(2) == 0 {
				if got := c.do("XRANGE", "m", as, bs); got != render(sel) {
					t.Fatalf("XRANGE %s %s: %q want %q", as, bs, got, render(sel))
				}
			} else {
				rev := make([]ent, len(sel))
				for j := range sel {
					rev[j] = sel[len(sel)-1-j]
				}
				if got := c.do("XREVRANGE", "m", bs, as); got != render(rev) {
					t.Fatalf("XREVRANGE %s %s: %q", bs, as, got)
				}
			}
		}
		if got := c.do("XLEN", "m"); got != fmt.Sprintf(":%d\r\n", len(model)) {
			t.Fatalf("XLEN: %q want %d", got, len(model))
		}
	}
}

// TestStreamAutoIDClock checks that XADD * IDs stay monotonic when the
// clock stands still or goes backwards.
func TestStreamAutoIDClock(t *testing.T) {
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := embertest.NewClock(t0)
	srv := embertest.Run(t, ember.Config{Clock: clock})
	c := dialRaw(t, srv.Addr())
	ms := t0.UnixMilli()
	bulk := func(s string) string { return fmt.Sprintf("$%d\r\n%s\r\n", len(s), s) }
	runCases(t, c, []replyCase{
		{"XADD a * f v", bulk(fmt.Sprintf("%d-0", ms))},
		{"XADD a * f v", bulk(fmt.Sprintf("%d-1", ms))},
	})
	clock.Advance(-time.Second)
	runCases(t, c, []replyCase{{"XADD a * f v", bulk(fmt.Sprintf("%d-2", ms))}})
	clock.Advance(2 * time.Second)
	runCases(t, c, []replyCase{
		{"XADD a * f v", bulk(fmt.Sprintf("%d-0", ms+1000))},
		{fmt.Sprintf("XADD a %d-* f v", ms+1000), bulk(fmt.Sprintf("%d-1", ms+1000))},
		{fmt.Sprintf("XADD a %d-* f v", ms+5000), bulk(fmt.Sprintf("%d-0", ms+5000))},
		{"XADD a * f v", bulk(fmt.Sprintf("%d-1", ms+5000))},
	})
}
