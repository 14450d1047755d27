package handler_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ember-kv/ember"
	"github.com/ember-kv/ember/embertest"
)

// TestStreamGroupIdleClock checks that delivery, seen and idle times come
// from the command's clock: XPENDING, XINFO CONSUMERS, XINFO STREAM FULL,
// and the idle thresholds of XPENDING, XCLAIM and XAUTOCLAIM.
func TestStreamGroupIdleClock(t *testing.T) {
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := embertest.NewClock(t0)
	srv := embertest.Run(t, ember.Config{Clock: clock})
	c := dialRaw(t, srv.Addr())
	ms := t0.UnixMilli()
	runCases(t, c, []replyCase{
		{"XADD s 1-1 a 1", "$3\r\n1-1\r\n"},
		{"XADD s 2-1 b 2", "$3\r\n2-1\r\n"},
		{"XGROUP CREATE s g 0", "+OK\r\n"},
		{"XREADGROUP GROUP g alice COUNT 1 STREAMS s >", "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n" + streamEntry("1-1", "a", "1")},
	})
	clock.Advance(1500 * time.Millisecond)
	runCases(t, c, []replyCase{
		{"XREADGROUP GROUP g bob STREAMS s >", "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n" + streamEntry("2-1", "b", "2")},
		{"XPENDING s g - + 10", "*2\r\n" +
			"*4\r\n$3\r\n1-1\r\n$5\r\nalice\r\n:1500\r\n:1\r\n" +
			"*4\r\n$3\r\n2-1\r\n$3\r\nbob\r\n:0\r\n:1\r\n"},
		{"XPENDING s g IDLE 1000 - + 10", "*1\r\n*4\r\n$3\r\n1-1\r\n$5\r\nalice\r\n:1500\r\n:1\r\n"},
		{"XPENDING s g IDLE 1501 - + 10", "*0\r\n"},
		{"XINFO CONSUMERS s g", "*2\r\n" +
			"*6\r\n$4\r\nname\r\n$5\r\nalice\r\n$7\r\npending\r\n:1\r\n$4\r\nidle\r\n:1500\r\n" +
			"*6\r\n$4\r\nname\r\n$3\r\nbob\r\n$7\r\npending\r\n:1\r\n$4\r\nidle\r\n:0\r\n"},
		{"XCLAIM s g carol 2000 1-1 JUSTID", "*0\r\n"},
		{"XAUTOCLAIM s g carol 1000 0 JUSTID", "*3\r\n$3\r\n0-0\r\n*1\r\n$3\r\n1-1\r\n*0\r\n"},
		{"XPENDING s g - + 10 carol", "*1\r\n*4\r\n$3\r\n1-1\r\n$5\r\ncarol\r\n:0\r\n:1\r\n"},
		{"XCLAIM s g dave 0 2-1 IDLE 700 JUSTID", "*1\r\n$3\r\n2-1\r\n"},
		{fmt.Sprintf("XCLAIM s g erin 0 1-1 TIME %d JUSTID", ms-100), "*1\r\n$3\r\n1-1\r\n"},
		{"XPENDING s g - + 10", "*2\r\n" +
			"*4\r\n$3\r\n1-1\r\n$4\r\nerin\r\n:1600\r\n:1\r\n" +
			"*4\r\n$3\r\n2-1\r\n$4\r\ndave\r\n:700\r\n:1\r\n"},
	})
	full := c.do("XINFO", "STREAM", "s", "FULL")
	for _, want := range []string{
		fmt.Sprintf("*4\r\n$3\r\n1-1\r\n$4\r\nerin\r\n:%d\r\n:1\r\n", ms-100),
		fmt.Sprintf("*4\r\n$3\r\n2-1\r\n$4\r\ndave\r\n:%d\r\n:1\r\n", ms+1500-700),
		fmt.Sprintf("$5\r\nalice\r\n$9\r\nseen-time\r\n:%d\r\n", ms),
		fmt.Sprintf("$4\r\nerin\r\n$9\r\nseen-time\r\n:%d\r\n", ms+1500),
	} {
		if !strings.Contains(full, want) {
			t.Errorf("XINFO STREAM FULL lacks %q:\n%q", want, full)
		}
	}
	// A history read redelivers: the count goes up and the idle time
	// restarts at the command's time.
	clock.Advance(time.Second)
	runCases(t, c, []replyCase{
		{"XREADGROUP GROUP g erin STREAMS s 0", "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n" + streamEntry("1-1", "a", "1")},
		{"XPENDING s g - + 10 erin", "*1\r\n*4\r\n$3\r\n1-1\r\n$4\r\nerin\r\n:0\r\n:2\r\n"},
	})
}

// TestStreamGroupBlockedClock checks that a blocked XREADGROUP served by
// another client's XADD records the delivery at that command's time.
func TestStreamGroupBlockedClock(t *testing.T) {
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := embertest.NewClock(t0)
	srv := embertest.Run(t, ember.Config{Clock: clock})
	w := dialRaw(t, srv.Addr())
	c := dialRaw(t, srv.Addr())
	runCases(t, c, []replyCase{{"XGROUP CREATE s g $ MKSTREAM", "+OK\r\n"}})
	w.send("XREADGROUP", "GROUP", "g", "w", "BLOCK", "0", "STREAMS", "s", ">")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(c.do("CLIENT", "LIST"), "cmd=xreadgroup") {
		if time.Now().After(deadline) {
			t.Fatal("client never blocked")
		}
		time.Sleep(time.Millisecond)
	}
	clock.Advance(2 * time.Second)
	runCases(t, c, []replyCase{{"XADD s 1-1 k v", "$3\r\n1-1\r\n"}})
	if got, want := w.read(), "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n"+streamEntry("1-1", "k", "v"); got != want {
		t.Fatalf("XREADGROUP: %q want %q", got, want)
	}
	clock.Advance(300 * time.Millisecond)
	runCases(t, c, []replyCase{
		{"XPENDING s g - + 10", "*1\r\n*4\r\n$3\r\n1-1\r\n$1\r\nw\r\n:300\r\n:1\r\n"},
		{"XINFO CONSUMERS s g", "*1\r\n*6\r\n$4\r\nname\r\n$1\r\nw\r\n$7\r\npending\r\n:1\r\n$4\r\nidle\r\n:300\r\n"},
	})
	// The waiter's connection closes while blocked: it is forgotten.
	w2 := dialRaw(t, srv.Addr())
	w2.send("XREADGROUP", "GROUP", "g", "gone", "BLOCK", "0", "STREAMS", "s", ">")
	for !strings.Contains(c.do("CLIENT", "LIST"), "cmd=xreadgroup") {
		if time.Now().After(deadline) {
			t.Fatal("client never blocked")
		}
		time.Sleep(time.Millisecond)
	}
	w2.c.Close()
	for strings.Contains(c.do("INFO", "clients"), "blocked_clients:1") {
		if time.Now().After(deadline) {
			t.Fatal("the closed client stayed blocked")
		}
		time.Sleep(time.Millisecond)
	}
	runCases(t, c, []replyCase{
		{"XADD s 2-1 k v", "$3\r\n2-1\r\n"},
		{"XINFO CONSUMERS s g", "*1\r\n*6\r\n$4\r\nname\r\n$1\r\nw\r\n$7\r\npending\r\n:1\r\n$4\r\nidle\r\n:300\r\n"},
		{"XINFO GROUPS s", "*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:1\r\n" +
			"$17\r\nlast-delivered-id\r\n$3\r\n1-1\r\n$12\r\nentries-read\r\n:1\r\n$3\r\nlag\r\n:1\r\n"},
	})
}
