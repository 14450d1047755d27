package compat

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ember-kv/ember/internal/value"
)

// Differential tests of the stream consumer groups: XGROUP, XREADGROUP,
// XACK, XPENDING, XCLAIM, XAUTOCLAIM and XINFO. Replies that carry wall
// clock times (idle times, delivery and seen times) are normalised by
// sgNormalize; the tests make the other time-dependent results
// deterministic with idle thresholds far from the test's own duration.

// sgZero blanks an integer node.
func sgZero(n *replyTree) {
	if n != nil && n.kind == ':' {
		n.head = []byte(":0\r\n")
	}
}

// sgMapValue returns the value of key in a map (RESP3) or flat map
// (RESP2) node.
func sgMapValue(n *replyTree, key string) *replyTree {
	if n == nil {
		return nil
	}
	for i := 0; i+1 < len(n.elems); i += 2 {
		if n.elems[i].text() == key {
			return n.elems[i+1]
		}
	}
	return nil
}

// sgNormalize blanks the times in the replies of XPENDING's extended form,
// XINFO CONSUMERS and XINFO STREAM FULL.
func sgNormalize(args []string, reply []byte) []byte {
	if len(args) < 2 {
		return reply
	}
	cmd, sub := strings.ToUpper(args[0]), strings.ToUpper(args[1])
	full := cmd == "XINFO" && sub == "STREAM" && len(args) > 3
	if !(cmd == "XPENDING" && len(args) > 3) && !(cmd == "XINFO" && sub == "CONSUMERS") && !full {
		return reply
	}
	t, err := parseReplyTree(reply)
	if err != nil || t.kind == '-' {
		return reply
	}
	switch {
	case cmd == "XPENDING":
		for _, e := range t.elems {
			if len(e.elems) == 4 {
				sgZero(e.elems[2])
			}
		}
	case sub == "CONSUMERS":
		for _, c := range t.elems {
			sgZero(sgMapValue(c, "idle"))
		}
	default:
		groups := sgMapValue(t, "groups")
		if groups == nil {
			return reply
		}
		for _, g := range groups.elems {
			if p := sgMapValue(g, "pending"); p != nil {
				for _, e := range p.elems {
					if len(e.elems) == 4 {
						sgZero(e.elems[2])
					}
				}
			}
			if cs := sgMapValue(g, "consumers"); cs != nil {
				for _, c := range cs.elems {
					sgZero(sgMapValue(c, "seen-time"))
					if p := sgMapValue(c, "pending"); p != nil {
						for _, e := range p.elems {
							if len(e.elems) == 3 {
								sgZero(e.elems[1])
							}
						}
					}
				}
			}
		}
	}
	return t.encode()
}

// sgPair is pair(t) with sgNormalize.
func sgPair(t *testing.T) *Pair {
	p := pair(t)
	p.Normalize = sgNormalize
	return p
}

func TestStreamGroupXGROUP(t *testing.T) {
	p := sgPair(t)
	streamFill(p, "sg1:a", 10)
	p.CheckAll(Script(`
		XGROUP CREATE sg1:a g1 0
		XGROUP CREATE sg1:a g1 0
		XGROUP CREATE sg1:a g2 $
		XGROUP CREATE sg1:a g3 3-1
		XGROUP CREATE sg1:a g4 5
		XGROUP CREATE sg1:a g5 99-0 ENTRIESREAD 7
		XGROUP CREATE sg1:a g6 0 ENTRIESREAD -1
		XGROUP CREATE sg1:a g7 0 ENTRIESREAD -2
		XGROUP CREATE sg1:a g7 0 ENTRIESREAD x
		XGROUP CREATE sg1:a g7 0 ENTRIESREAD
		XGROUP CREATE sg1:a g7 0 MKSTREAM ENTRIESREAD 3
		XGROUP CREATE sg1:a g8 0 mkstream mkstream mkstream mkstream
		XGROUP CREATE sg1:a g8 0 FOO
		XGROUP CREATE sg1:a g8 abc
		XGROUP CREATE sg1:a g8 -
		XGROUP CREATE sg1:a g8 +
		XGROUP CREATE sg1:a "" 0
		XGROUP CREATE sg1:a "g\x00z" 0
		XGROUP CREATE sg1:nosuch g1 0
		XGROUP CREATE sg1:nosuch g1 abc
		XGROUP CREATE sg1:nosuch g1 abc MKSTREAM
		EXISTS sg1:nosuch
		XGROUP CREATE sg1:nosuch g1 $ MKSTREAM
		XGROUP CREATE sg1:nosuch2 g1 5-5 MKSTREAM ENTRIESREAD 2
		TYPE sg1:nosuch
		XLEN sg1:nosuch
		XINFO GROUPS sg1:a
		XINFO GROUPS sg1:nosuch
		XINFO GROUPS sg1:nosuch2
		XINFO STREAM sg1:nosuch
		XGROUP SETID sg1:a g1 5-1
		XGROUP SETID sg1:a g1 $
		XGROUP SETID sg1:a g1 -
		XGROUP SETID sg1:a g1 +
		XGROUP SETID sg1:a g1 7 ENTRIESREAD 4
		XGROUP SETID sg1:a g1 7 ENTRIESREAD -3
		XGROUP SETID sg1:a g1 7 ENTRIESREAD
		XGROUP SETID sg1:a g1 7 MKSTREAM
		XGROUP SETID sg1:a g1 7 ENTRIESREAD 1 ENTRIESREAD 2
		XGROUP SETID sg1:a g1 abc
		XGROUP SETID sg1:a nog 0
		XGROUP SETID sg1:nosuch2 nog 0
		XGROUP SETID sg1:none g 0
		XINFO GROUPS sg1:a
		XGROUP CREATECONSUMER sg1:a g1 c1
		XGROUP CREATECONSUMER sg1:a g1 c1
		XGROUP CREATECONSUMER sg1:a g1 c0
		XGROUP CREATECONSUMER sg1:a g1 ""
		XGROUP CREATECONSUMER sg1:a nog c1
		XGROUP CREATECONSUMER sg1:none g1 c1
		XINFO CONSUMERS sg1:a g1
		XGROUP DELCONSUMER sg1:a g1 c0
		XGROUP DELCONSUMER sg1:a g1 c0
		XGROUP DELCONSUMER sg1:a nog c0
		XGROUP DELCONSUMER sg1:none g1 c0
		XINFO CONSUMERS sg1:a g1
		XGROUP DESTROY sg1:a g2
		XGROUP DESTROY sg1:a g2
		XGROUP DESTROY sg1:none g2
		XINFO GROUPS sg1:a
		XGROUP FOO sg1:a g1
		XGROUP
		XGROUP CREATE sg1:a
		XGROUP CREATE sg1:a g9
		XGROUP DESTROY sg1:a
		XGROUP DESTROY sg1:a g1 x
		XGROUP CREATECONSUMER sg1:a g1
		XGROUP DELCONSUMER sg1:a g1 c1 x
		XGROUP SETID sg1:a g1
		XGROUP HELP x
		xgroup create sg1:a G 0
		SET sg1:str x
		XGROUP CREATE sg1:str g 0
		XGROUP CREATE sg1:str g 0 MKSTREAM
		XGROUP SETID sg1:str g 0
		XGROUP DESTROY sg1:str g
		XGROUP CREATE sg1:str g 0 FOO
		XGROUP SETID sg1:a g1 0 ENTRIESREAD 1 FOO
	`))
	// XGROUP HELP: the text is Ember's own; compare the shape.
	p.Normalize = nil
	for _, cmd := range []string{"XGROUP", "XINFO"} {
		r, _ := p.Redis.Do(cmd, "HELP")
		e, _ := p.Ember.Do(cmd, "HELP")
		rt, err1 := parseReplyTree(r)
		et, err2 := parseReplyTree(e)
		if err1 != nil || err2 != nil || rt.kind != '*' || et.kind != '*' || len(et.elems) < 4 {
			t.Fatalf("%s HELP: redis %q ember %q", cmd, r, e)
		}
		for _, el := range et.elems {
			if el.kind != '+' {
				t.Errorf("%s HELP line %q is not a status reply", cmd, el.head)
			}
		}
	}
}

func TestStreamGroupXREADGROUP(t *testing.T) {
	p := sgPair(t)
	streamFill(p, "sg2:a", 10)
	streamFill(p, "sg2:b", 4)
	p.CheckAll(Script(`
		XGROUP CREATE sg2:a g 0
		XGROUP CREATE sg2:b g 0
		XGROUP CREATE sg2:a h $
		XREADGROUP GROUP g c1 COUNT 2 STREAMS sg2:a >
		XREADGROUP GROUP g c1 COUNT 2 STREAMS sg2:a >
		XREADGROUP GROUP g c2 COUNT 3 STREAMS sg2:a sg2:b > >
		XREADGROUP GROUP g c1 STREAMS sg2:a 0
		XREADGROUP GROUP g c1 STREAMS sg2:a 2-0
		XREADGROUP GROUP g c1 COUNT 1 STREAMS sg2:a 0
		XREADGROUP GROUP g c2 STREAMS sg2:a sg2:b 0 0
		XREADGROUP GROUP g c3 STREAMS sg2:a 0
		XREADGROUP GROUP g c4 STREAMS sg2:a >
		XREADGROUP GROUP g c5 STREAMS sg2:a sg2:b > 0
		XREADGROUP GROUP h c1 STREAMS sg2:a >
		XREADGROUP GROUP g c1 NOACK STREAMS sg2:b >
		XINFO GROUPS sg2:a
		XINFO GROUPS sg2:b
		XINFO CONSUMERS sg2:a g
		XPENDING sg2:a g
		XPENDING sg2:b g
		XADD sg2:a 20-1 f v
		XADD sg2:a 20-2 f v
		XREADGROUP GROUP g c1 NOACK STREAMS sg2:a >
		XPENDING sg2:a g
		XREADGROUP GROUP g c1 STREAMS sg2:a sg2:a > >
		XADD sg2:a 21-1 f v
		XADD sg2:a 21-2 f v
		XREADGROUP GROUP g c1 COUNT 1 STREAMS sg2:a sg2:a > >
		XREADGROUP GROUP g c1 COUNT 0 STREAMS sg2:a 0
		XREADGROUP GROUP g c1 COUNT -1 STREAMS sg2:a 0
		XDEL sg2:a 1-1 2-0
		XREADGROUP GROUP g c1 STREAMS sg2:a 0
		XREADGROUP GROUP g c1 STREAMS sg2:a 0
		XREADGROUP GROUP g c1 STREAMS sg2:a 18446744073709551615-18446744073709551614
		XREADGROUP GROUP g c1 STREAMS sg2:a 18446744073709551615-18446744073709551615
		XREADGROUP GROUP g c1 STREAMS sg2:a $
		XREADGROUP GROUP g c1 STREAMS sg2:a abc
		XREADGROUP GROUP g c1 STREAMS sg2:a -
		XREADGROUP GROUP g c1 STREAMS sg2:a +
		XREADGROUP GROUP nog c1 STREAMS sg2:a >
		XREADGROUP GROUP g c1 STREAMS sg2:nosuch >
		XREADGROUP GROUP g c1 STREAMS sg2:a sg2:nosuch > >
		XREADGROUP GROUP g c1 STREAMS sg2:a sg2:b abc >
		XREADGROUP GROUP g c1 STREAMS sg2:a
		XREADGROUP GROUP g c1 STREAMS sg2:a sg2:b >
		XREADGROUP GROUP g STREAMS sg2:a >
		XREADGROUP GROUP g c1 FOO STREAMS sg2:a >
		XREADGROUP COUNT 1 STREAMS sg2:a > x
		XREADGROUP COUNT 1 NOACK STREAMS sg2:a >
		XREADGROUP GROUP g c1 COUNT x STREAMS sg2:a >
		XREADGROUP GROUP g c1 BLOCK x STREAMS sg2:a >
		XREADGROUP GROUP g c1 BLOCK -1 STREAMS sg2:a >
		XREADGROUP GROUP g c1 BLOCK 10 STREAMS sg2:a >
		XREADGROUP GROUP g c1 BLOCK 10 STREAMS sg2:a 0
		XREADGROUP GROUP g c1 GROUP g c9 STREAMS sg2:a 0
		XREADGROUP GROUP g c1 STREAMS sg2:a sg2:a 0 >
		xreadgroup group g c1 count 1 noack streams sg2:a >
		XINFO CONSUMERS sg2:a g
		XINFO GROUPS sg2:a
		SET sg2:str x
		XREADGROUP GROUP g c1 STREAMS sg2:str >
		XREADGROUP GROUP g c1 STREAMS sg2:a sg2:str > >
		MULTI
		XREADGROUP GROUP g c1 BLOCK 0 STREAMS sg2:a >
		XREADGROUP GROUP g c1 BLOCK 0 STREAMS sg2:a 0
		EXEC
		XGROUP CREATE sg2:e g $ MKSTREAM
		XREADGROUP GROUP g c STREAMS sg2:e >
		XREADGROUP GROUP g c STREAMS sg2:e 0
		XINFO CONSUMERS sg2:e g
	`))
	p.Both("HELLO", "3")
	p.CheckAll(Script(`
		XADD sg2:b 30-1 a b
		XREADGROUP GROUP g r3 STREAMS sg2:b >
		XREADGROUP GROUP g r3 STREAMS sg2:a sg2:b 0 0
		XREADGROUP GROUP g r3 STREAMS sg2:a >
		XINFO GROUPS sg2:b
		XINFO CONSUMERS sg2:b g
		XINFO STREAM sg2:b
		XINFO STREAM sg2:b FULL
		XPENDING sg2:b g
		XPENDING sg2:b g - + 10
		XPENDING sg2:nosuch g
		XINFO STREAM sg2:e
	`))
	p.Both("HELLO", "2")
}

func TestStreamGroupAckPending(t *testing.T) {
	p := sgPair(t)
	streamFill(p, "sg3:a", 12)
	p.CheckAll(Script(`
		XGROUP CREATE sg3:a g 0
		XREADGROUP GROUP g alice COUNT 4 STREAMS sg3:a >
		XREADGROUP GROUP g bob COUNT 4 STREAMS sg3:a >
		XREADGROUP GROUP g carol COUNT 2 STREAMS sg3:a >
		XPENDING sg3:a g
		XPENDING sg3:a g - + 100
		XPENDING sg3:a g - + 3
		XPENDING sg3:a g - + 0
		XPENDING sg3:a g - + -5
		XPENDING sg3:a g 2 3 100
		XPENDING sg3:a g (2-1 (3-2 100
		XPENDING sg3:a g - + 100 bob
		XPENDING sg3:a g - + 100 nobody
		XPENDING sg3:a g - + 100 bob extra
		XPENDING sg3:a g - + 100 bob extra extra2
		XPENDING sg3:a g IDLE 0 - + 100
		XPENDING sg3:a g IDLE 3600000 - + 100
		XPENDING sg3:a g IDLE -5 - + 100
		XPENDING sg3:a g IDLE 0 - + 100 alice
		XPENDING sg3:a g idle 0 - + 2 alice
		XPENDING sg3:a g IDLE x - + 100
		XPENDING sg3:a g IDLE 0 - +
		XPENDING sg3:a g IDLE 0 -
		XPENDING sg3:a g - + x
		XPENDING sg3:a g abc + 10
		XPENDING sg3:a g - abc 10
		XPENDING sg3:a g (18446744073709551615-18446744073709551615 + 10
		XPENDING sg3:a g - (0-0 10
		XPENDING sg3:a g -
		XPENDING sg3:a g - +
		XPENDING sg3:a g - + 10 a b c d
		XPENDING sg3:a nog
		XPENDING sg3:a nog - + 10
		XPENDING sg3:nosuch g
		XPENDING sg3:nosuch g abc + 10
		XACK sg3:a g 1-1 1-2 1-1 99-0
		XACK sg3:a g 2-0 abc
		XACK sg3:a g abc
		XACK sg3:a nog abc
		XACK sg3:nosuch g abc
		XACK sg3:a g 2-0 2 3-0
		XPENDING sg3:a g
		XPENDING sg3:a g - + 100
		XINFO CONSUMERS sg3:a g
		XGROUP DELCONSUMER sg3:a g bob
		XPENDING sg3:a g
		XINFO CONSUMERS sg3:a g
		XINFO STREAM sg3:a FULL
		XINFO STREAM sg3:a FULL COUNT 1
		XINFO STREAM sg3:a FULL COUNT 0
		XINFO STREAM sg3:a FULL COUNT -1
		XINFO STREAM sg3:a FULL COUNT x
		XINFO STREAM sg3:a FULL COUNT
		XINFO STREAM sg3:a FULL COUNT 1 x
		XINFO STREAM sg3:a FOO
		XINFO STREAM sg3:a full count 2
		XINFO STREAM sg3:a
		XINFO STREAM sg3:nosuch
		XINFO GROUPS sg3:nosuch
		XINFO CONSUMERS sg3:nosuch g
		XINFO CONSUMERS sg3:a nog
		XINFO FOO sg3:a
		XINFO
		XINFO STREAM
		XINFO GROUPS sg3:a x
		XINFO CONSUMERS sg3:a
		SET sg3:str x
		XACK sg3:str g 1-1
		XPENDING sg3:str g
		XINFO STREAM sg3:str
		XINFO GROUPS sg3:str
		XINFO CONSUMERS sg3:str g
	`))
}

func TestStreamGroupClaim(t *testing.T) {
	p := sgPair(t)
	streamFill(p, "sg4:a", 12)
	p.CheckAll(Script(`
		XGROUP CREATE sg4:a g 0
		XREADGROUP GROUP g alice COUNT 6 STREAMS sg4:a >
		XREADGROUP GROUP g bob COUNT 3 STREAMS sg4:a >
		XCLAIM sg4:a g carol 3600000 1-1 1-2
		XCLAIM sg4:a g carol 0 1-1 1-2 99-0
		XPENDING sg4:a g - + 100
		XCLAIM sg4:a g carol 0 2-0 JUSTID
		XCLAIM sg4:a g dave 0 2-0 2-1 IDLE 500000
		XPENDING sg4:a g IDLE 400000 - + 100
		XCLAIM sg4:a g erin 450000 2-0 2-1 2-2 JUSTID
		XCLAIM sg4:a g erin 0 2-2 TIME 1 RETRYCOUNT 7
		XPENDING sg4:a g IDLE 1000000 - + 100
		XCLAIM sg4:a g erin 0 2-2 RETRYCOUNT 0 JUSTID
		XCLAIM sg4:a g erin 0 2-2 RETRYCOUNT -1 JUSTID
		XCLAIM sg4:a g erin 0 2-2 IDLE -5 JUSTID
		XCLAIM sg4:a g erin 0 2-2 TIME 99999999999999 JUSTID
		XCLAIM sg4:a g erin 0 2-2 TIME -1 JUSTID
		XPENDING sg4:a g - + 100
		XCLAIM sg4:a g frank 0 4-0 4-1
		XCLAIM sg4:a g frank 0 4-0 4-1 FORCE
		XCLAIM sg4:a g frank 0 4-2 FORCE JUSTID
		XCLAIM sg4:a g frank 0 99-0 FORCE
		XPENDING sg4:a g - + 100
		XCLAIM sg4:a g frank 0 1-1 LASTID 50-0
		XINFO GROUPS sg4:a
		XCLAIM sg4:a g frank 0 1-1 LASTID 3-0
		XINFO GROUPS sg4:a
		XCLAIM sg4:a g frank 0 LASTID 60-0
		XCLAIM sg4:a g frank 0 FORCE JUSTID
		XCLAIM sg4:a g frank 0 1-1 LASTID abc
		XCLAIM sg4:a g frank 0 1-1 IDLE x
		XCLAIM sg4:a g frank 0 1-1 TIME x
		XCLAIM sg4:a g frank 0 1-1 RETRYCOUNT x
		XCLAIM sg4:a g frank 0 1-1 IDLE
		XCLAIM sg4:a g frank 0 1-1 FOO
		XCLAIM sg4:a g frank 0 1-1 abc 1-2
		XCLAIM sg4:a g frank x 1-1
		XCLAIM sg4:a g frank -100 1-1 JUSTID
		XCLAIM sg4:a nog frank 0 1-1
		XCLAIM sg4:nosuch g frank x 1-1
		XCLAIM sg4:a g frank 0 1-1 1-1 1-1
		XDEL sg4:a 1-1 2-0
		XCLAIM sg4:a g grace 0 1-1 2-0 1-2
		XPENDING sg4:a g
		XINFO CONSUMERS sg4:a g
		XCLAIM sg4:a g "" 0 1-2 JUSTID
		XCLAIM sg4:a g new 0 77-0
		XINFO CONSUMERS sg4:a g
		SET sg4:str x
		XCLAIM sg4:str g c 0 1-1
	`))
}

func TestStreamGroupAutoClaim(t *testing.T) {
	p := sgPair(t)
	streamFill(p, "sg5:a", 30)
	p.CheckAll(Script(`
		XGROUP CREATE sg5:a g 0
		XREADGROUP GROUP g alice STREAMS sg5:a >
		XAUTOCLAIM sg5:a g bob 3600000 0
		XAUTOCLAIM sg5:a g bob 0 0 COUNT 3
		XAUTOCLAIM sg5:a g bob 0 2-0 COUNT 3 JUSTID
		XAUTOCLAIM sg5:a g bob 0 (2-2 COUNT 2
		XAUTOCLAIM sg5:a g bob 0 - COUNT 2
		XAUTOCLAIM sg5:a g bob 0 10-0
		XAUTOCLAIM sg5:a g bob 0 10-0 COUNT 100
		XAUTOCLAIM sg5:a g carol 0 0 COUNT 1000 JUSTID
		XCLAIM sg5:a g dave 0 3-0 3-1 3-2 IDLE 500000 JUSTID
		XAUTOCLAIM sg5:a g erin 400000 0 COUNT 2
		XAUTOCLAIM sg5:a g erin 400000 0 COUNT 1
		XAUTOCLAIM sg5:a g erin 400000 3-2
		XAUTOCLAIM sg5:a g erin 400000 0
		XDEL sg5:a 5-0 5-1 6-2 8-0
		XAUTOCLAIM sg5:a g frank 0 5-0 COUNT 2
		XAUTOCLAIM sg5:a g frank 0 5-0 COUNT 2 JUSTID
		XAUTOCLAIM sg5:a g frank 0 0 COUNT 3 JUSTID
		XPENDING sg5:a g
		XCLAIM sg5:a g dave 0 9-0 9-1 9-2 IDLE 500000 JUSTID
		XAUTOCLAIM sg5:a g erin 400000 0 COUNT 1
		XAUTOCLAIM sg5:a g erin 400000 0
		XAUTOCLAIM sg5:a g erin 0 (18446744073709551615-18446744073709551615
		XAUTOCLAIM sg5:a g erin 0 18446744073709551615-18446744073709551615
		XAUTOCLAIM sg5:a g erin 0 0 COUNT 0
		XAUTOCLAIM sg5:a g erin 0 0 COUNT -1
		XAUTOCLAIM sg5:a g erin 0 0 COUNT x
		XAUTOCLAIM sg5:a g erin 0 0 COUNT 576460752303423487
		XAUTOCLAIM sg5:a g erin 0 0 COUNT 576460752303423488
		XAUTOCLAIM sg5:a g erin 0 0 COUNT
		XAUTOCLAIM sg5:a g erin 0 0 FOO
		XAUTOCLAIM sg5:a g erin 0 abc
		XAUTOCLAIM sg5:a g erin x 0
		XAUTOCLAIM sg5:a g erin -5 0 COUNT 1 JUSTID
		XAUTOCLAIM sg5:a nog erin 0 0
		XAUTOCLAIM sg5:nosuch g erin 0 0
		XAUTOCLAIM sg5:nosuch g erin 0 0 COUNT 0
		SET sg5:str x
		XAUTOCLAIM sg5:str g erin 0 0
		XPENDING sg5:a g
		XINFO CONSUMERS sg5:a g
	`))
	// Many deleted entries in a row: the third element lists them and
	// COUNT bounds the whole reply.
	for i := 0; i < 30; i++ {
		p.Check("XDEL", "sg5:a", fmt.Sprintf("%d-%d", (i+1)/3+1, (i+1)%3))
	}
	p.CheckAll(Script(`
		XAUTOCLAIM sg5:a g zed 0 0 COUNT 4
		XAUTOCLAIM sg5:a g zed 0 0 COUNT 4
		XAUTOCLAIM sg5:a g zed 0 0
		XPENDING sg5:a g
		XINFO STREAM sg5:a
		XINFO GROUPS sg5:a
	`))
}

// TestStreamGroupLag compares entries-read and lag as XADD, XDEL, XTRIM,
// XSETID and XGROUP SETID move the stream and groups.
func TestStreamGroupLag(t *testing.T) {
	p := sgPair(t)
	p.CheckAll(Script(`
		XGROUP CREATE sg6:a g1 0 MKSTREAM
		XINFO GROUPS sg6:a
		XADD sg6:a 1-1 f v
		XADD sg6:a 2-1 f v
		XADD sg6:a 3-1 f v
		XADD sg6:a 4-1 f v
		XADD sg6:a 5-1 f v
		XGROUP CREATE sg6:a g2 0
		XGROUP CREATE sg6:a g3 3-1
		XGROUP CREATE sg6:a g4 $
		XGROUP CREATE sg6:a g5 1-1 ENTRIESREAD 1
		XINFO GROUPS sg6:a
		XREADGROUP GROUP g1 c COUNT 2 STREAMS sg6:a >
		XREADGROUP GROUP g2 c COUNT 1 STREAMS sg6:a >
		XINFO GROUPS sg6:a
		XDEL sg6:a 4-1
		XINFO GROUPS sg6:a
		XINFO STREAM sg6:a
		XREADGROUP GROUP g1 c COUNT 1 STREAMS sg6:a >
		XINFO GROUPS sg6:a
		XREADGROUP GROUP g1 c STREAMS sg6:a >
		XINFO GROUPS sg6:a
		XDEL sg6:a 1-1
		XINFO GROUPS sg6:a
		XINFO STREAM sg6:a
		XTRIM sg6:a MAXLEN 1
		XINFO GROUPS sg6:a
		XINFO STREAM sg6:a
		XADD sg6:a 6-1 f v
		XINFO GROUPS sg6:a
		XREADGROUP GROUP g3 c STREAMS sg6:a >
		XINFO GROUPS sg6:a
		XSETID sg6:a 10-0 ENTRIESADDED 20 MAXDELETEDID 9-0
		XINFO GROUPS sg6:a
		XINFO STREAM sg6:a
		XGROUP SETID sg6:a g1 0 ENTRIESREAD 0
		XINFO GROUPS sg6:a
		XGROUP SETID sg6:a g1 10-0
		XINFO GROUPS sg6:a
		XGROUP SETID sg6:a g1 11-0
		XINFO GROUPS sg6:a
		XDEL sg6:a 5-1 6-1
		XINFO GROUPS sg6:a
		XINFO STREAM sg6:a
		XINFO STREAM sg6:a FULL
		XADD sg6:a 12-1 f v
		XINFO GROUPS sg6:a
		XREADGROUP GROUP g2 c STREAMS sg6:a >
		XINFO GROUPS sg6:a
		XGROUP SETID sg6:a g2 0
		XREADGROUP GROUP g2 c2 STREAMS sg6:a >
		XPENDING sg6:a g2 - + 10
		XINFO GROUPS sg6:a
		XINFO STREAM sg6:a FULL
	`))
}

// TestStreamGroupInfoStream compares XINFO STREAM, radix tree counts
// included, over streams with many nodes, deletions and trimming.
func TestStreamGroupInfoStream(t *testing.T) {
	p := sgPair(t)
	r := Rand(t)
	p.Check("CONFIG", "SET", "stream-node-max-entries", "5")
	defer p.Check("CONFIG", "SET", "stream-node-max-entries", "100")
	// A node that exact trimming emptied stays until trimming needs to
	// go past it.
	p.CheckAll(Script(`
		CONFIG SET stream-node-max-entries 3
		XADD sg7:e 1-0 f v
		XADD sg7:e 2-0 f v
		XADD sg7:e 3-0 f v
		XADD sg7:e 4-0 f v
		XADD sg7:e 5-0 f v
		XADD sg7:e 6-0 f v
		XDEL sg7:e 3-0
		XTRIM sg7:e MINID 3
		XINFO STREAM sg7:e
		XTRIM sg7:e MAXLEN 3
		XINFO STREAM sg7:e
		XTRIM sg7:e MAXLEN ~ 3
		XINFO STREAM sg7:e
		XTRIM sg7:e MAXLEN 2
		XINFO STREAM sg7:e
		XADD sg7:e 7-0 f v
		XDEL sg7:e 5-0 6-0 7-0
		XINFO STREAM sg7:e
		CONFIG SET stream-node-max-entries 5
	`))
	for k := 0; k < 6; k++ {
		key := fmt.Sprintf("sg7:%d", k)
		ms := uint64(r.IntN(1 << (8 * (k%4 + 1))))
		for i := 0; i < 40+r.IntN(200); i++ {
			ms += uint64(r.IntN(1 << (4 * (k%3 + 1))))
			p.Check("XADD", key, fmt.Sprintf("%d-%d", ms, r.IntN(3)+i), "f", fmt.Sprint(i))
			if r.IntN(10) == 0 {
				p.Check("XINFO", "STREAM", key)
			}
		}
		p.Check("XINFO", "STREAM", key)
		for i := 0; i < 30; i++ {
			switch r.IntN(4) {
			case 0:
				p.Check("XTRIM", key, "MAXLEN", "~", fmt.Sprint(r.IntN(200)))
			case 1:
				p.Check("XTRIM", key, "MAXLEN", fmt.Sprint(r.IntN(200)))
			default:
				args := []string{"XDEL", key}
				for j := 0; j < 5; j++ {
					args = append(args, fmt.Sprintf("%d-%d", ms-uint64(r.IntN(1<<12)), r.IntN(200)))
				}
				p.Check(args...)
			}
			p.Check("XINFO", "STREAM", key)
		}
		p.Check("XINFO", "STREAM", key, "FULL", "COUNT", "3")
	}
}

// TestStreamGroupRandom runs a few thousand random commands mixing XADD
// with explicit IDs, XREADGROUP, XACK, XCLAIM, XAUTOCLAIM, XPENDING,
// XDEL, XTRIM and XGROUP operations over a few keys and groups.
func TestStreamGroupRandom(t *testing.T) {
	p := sgPair(t)
	r := Rand(t)
	p.Check("CONFIG", "SET", "stream-node-max-entries", "7")
	defer p.Check("CONFIG", "SET", "stream-node-max-entries", "100")
	keys := []string{"sg8:a", "sg8:b"}
	groups := []string{"g1", "g2", "g3"}
	consumers := []string{"c1", "c2", "c3", "c4"}
	next := map[string]int{}
	id := func(k string, spread int) string {
		n := r.IntN(next[k] + spread)
		return fmt.Sprintf("%d-%d", n/4, n%4)
	}
	for _, k := range keys {
		p.Check("XGROUP", "CREATE", k, "g1", "0", "MKSTREAM")
	}
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	for i := 0; i < 3000; i++ {
		k := pick(keys)
		g := pick(groups)
		c := pick(consumers)
		var args []string
		switch op := r.IntN(20); {
		case op < 5:
			next[k] += 1 + r.IntN(3)
			args = []string{"XADD", k}
			if r.IntN(8) == 0 {
				args = append(args, "MAXLEN", []string{"=", "~"}[r.IntN(2)], fmt.Sprint(10+r.IntN(40)))
			}
			args = append(args, fmt.Sprintf("%d-%d", next[k]/4, next[k]%4), "f", fmt.Sprint(i))
		case op < 9:
			args = []string{"XREADGROUP", "GROUP", g, c}
			if r.IntN(2) == 0 {
				args = append(args, "COUNT", fmt.Sprint(r.IntN(6)))
			}
			if r.IntN(6) == 0 {
				args = append(args, "NOACK")
			}
			args = append(args, "STREAMS", k)
			switch r.IntN(4) {
			case 0:
				args = append(args, id(k, 5))
			case 1:
				args = append(args, "0")
			default:
				args = append(args, ">")
			}
		case op < 12:
			args = []string{"XACK", k, g}
			for j := 0; j <= r.IntN(4); j++ {
				args = append(args, id(k, 3))
			}
		case op == 12:
			args = []string{"XCLAIM", k, g, c, "0"}
			for j := 0; j <= r.IntN(4); j++ {
				args = append(args, id(k, 3))
			}
			if r.IntN(2) == 0 {
				args = append(args, "JUSTID")
			}
			if r.IntN(4) == 0 {
				args = append(args, "FORCE")
			}
			if r.IntN(4) == 0 {
				args = append(args, "RETRYCOUNT", fmt.Sprint(r.IntN(5)))
			}
			if r.IntN(3) == 0 {
				args = append(args, "IDLE", "0")
			}
		case op == 13:
			args = []string{"XAUTOCLAIM", k, g, c, "0", id(k, 3), "COUNT", fmt.Sprint(1 + r.IntN(5))}
			if r.IntN(2) == 0 {
				args = append(args, "JUSTID")
			}
		case op == 14:
			switch r.IntN(3) {
			case 0:
				args = []string{"XPENDING", k, g}
			case 1:
				args = []string{"XPENDING", k, g, "-", "+", fmt.Sprint(r.IntN(20))}
				if r.IntN(2) == 0 {
					args = []string{"XPENDING", k, g, "IDLE", "0", "-", "+", fmt.Sprint(r.IntN(20))}
				}
			default:
				args = []string{"XPENDING", k, g, id(k, 3), "+", "10", c}
			}
		case op == 15:
			args = []string{"XDEL", k}
			for j := 0; j <= r.IntN(3); j++ {
				args = append(args, id(k, 2))
			}
		case op == 16:
			if r.IntN(2) == 0 {
				args = []string{"XTRIM", k, "MAXLEN", []string{"=", "~"}[r.IntN(2)], fmt.Sprint(5 + r.IntN(40))}
			} else {
				args = []string{"XTRIM", k, "MINID", id(k, 1)}
			}
		case op == 17:
			switch r.IntN(6) {
			case 0:
				args = []string{"XGROUP", "CREATE", k, g, []string{"0", "$", id(k, 2)}[r.IntN(3)]}
			case 1:
				args = []string{"XGROUP", "SETID", k, g, []string{"0", "$", id(k, 2)}[r.IntN(3)]}
			case 2:
				if r.IntN(3) == 0 {
					args = []string{"XGROUP", "DESTROY", k, g}
				} else {
					args = []string{"XGROUP", "CREATECONSUMER", k, g, c}
				}
			case 3:
				args = []string{"XGROUP", "DELCONSUMER", k, g, c}
			case 4:
				args = []string{"XINFO", "CONSUMERS", k, g}
			default:
				args = []string{"XINFO", "STREAM", k, "FULL"}
			}
		case op == 18:
			args = []string{"XINFO", "GROUPS", k}
		default:
			args = []string{"XINFO", "STREAM", k}
		}
		p.Check(args...)
		if a := args[0]; a == "XDEL" || a == "XTRIM" || (a == "XADD" && args[2] == "MAXLEN") {
			p.Check("XINFO", "STREAM", k) // node counts, first ID, tombstones
		}
	}
	for _, k := range keys {
		p.Check("XINFO", "STREAM", k, "FULL", "COUNT", "0")
	}
}

// TestStreamGroupCrashedConsumer: a consumer reads without acknowledging
// and disappears; another claims its entries with XAUTOCLAIM once they are
// idle long enough, processes and acknowledges them, and the PEL empties.
func TestStreamGroupCrashedConsumer(t *testing.T) {
	p := sgPair(t)
	for i := 1; i <= 8; i++ {
		p.Check("XADD", "sg9:jobs", fmt.Sprintf("%d-0", i), "job", fmt.Sprint(i))
	}
	p.CheckAll(Script(`
		XGROUP CREATE sg9:jobs workers 0
		XREADGROUP GROUP workers w1 COUNT 5 STREAMS sg9:jobs >
		XREADGROUP GROUP workers w2 COUNT 1 STREAMS sg9:jobs >
		XACK sg9:jobs workers 6-0
		XPENDING sg9:jobs workers
		XAUTOCLAIM sg9:jobs workers w2 3600000 0
	`))
	// w1 has been gone for a while: its entries look idle (as if delivered
	// an hour ago).
	for i := 1; i <= 5; i++ {
		p.Check("XCLAIM", "sg9:jobs", "workers", "w1", "0", fmt.Sprintf("%d-0", i), "IDLE", "3600001", "JUSTID")
	}
	p.CheckAll(Script(`
		XPENDING sg9:jobs workers IDLE 3600000 - + 10
		XAUTOCLAIM sg9:jobs workers w2 3600000 0 COUNT 2
		XAUTOCLAIM sg9:jobs workers w2 3600000 3-0 COUNT 2
		XAUTOCLAIM sg9:jobs workers w2 3600000 5-0 COUNT 2
		XPENDING sg9:jobs workers - + 10
		XACK sg9:jobs workers 1-0 2-0 3-0 4-0 5-0
		XPENDING sg9:jobs workers
		XREADGROUP GROUP workers w2 STREAMS sg9:jobs >
		XACK sg9:jobs workers 7-0 8-0
		XPENDING sg9:jobs workers
		XINFO GROUPS sg9:jobs
		XINFO CONSUMERS sg9:jobs workers
		XGROUP DELCONSUMER sg9:jobs workers w1
		XINFO STREAM sg9:jobs FULL
	`))
}

// TestStreamGroupBlock: XREADGROUP BLOCK woken by XADD from another
// connection, first come first served; timeouts; COUNT on wake-up.
func TestStreamGroupBlock(t *testing.T) {
	p := sgPair(t)
	p.CheckAll(Script(`
		XGROUP CREATE sg10:a g $ MKSTREAM
		XGROUP CREATE sg10:b g $ MKSTREAM
		XGROUP CREATE sg10:a h $
	`))
	w1 := listDialSide(t)
	w2 := listDialSide(t)
	w3 := listDialSide(t)
	w1.send("XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "sg10:a", "sg10:b", ">", ">")
	listWaitBlocked(t, p, 1)
	w2.send("XREADGROUP", "GROUP", "g", "c2", "BLOCK", "0", "STREAMS", "sg10:a", ">")
	listWaitBlocked(t, p, 2)
	w3.send("XREADGROUP", "GROUP", "h", "c3", "COUNT", "1", "BLOCK", "0", "STREAMS", "sg10:a", ">")
	listWaitBlocked(t, p, 3)
	w1.silent(20 * time.Millisecond)
	p.Check("XINFO", "CONSUMERS", "sg10:a", "g") // nobody served yet: no consumer
	p.Check("XADD", "sg10:a", "1-1", "f", "v", "g", "w")
	w1.check("XREADGROUP c1 woken by XADD")
	w3.check("XREADGROUP c3 (group h) woken by the same XADD")
	listWaitBlocked(t, p, 1)
	w2.silent(20 * time.Millisecond)
	p.Check("XADD", "sg10:a", "2-1", "f", "v")
	w2.check("XREADGROUP c2 woken by the next XADD")
	listWaitBlocked(t, p, 0)
	p.Check("XPENDING", "sg10:a", "g")
	p.Check("XINFO", "GROUPS", "sg10:a")

	// A write that adds nothing does not serve; a refused XADD neither.
	w1.send("XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "sg10:a", ">")
	listWaitBlocked(t, p, 1)
	p.Check("XADD", "sg10:a", "1-0", "f", "v")
	p.Check("XSETID", "sg10:a", "3-0")
	p.Check("XGROUP", "CREATECONSUMER", "sg10:a", "g", "zz")
	p.Check("XGROUP", "SETID", "sg10:a", "g", "0")
	w1.silent(20 * time.Millisecond)
	// XADD now serves everything above the group's (moved) last ID.
	p.Check("XADD", "sg10:a", "4-1", "f", "v")
	w1.check("XREADGROUP after XGROUP SETID back")

	// NOACK, COUNT, and more entries than COUNT.
	w1.send("XREADGROUP", "GROUP", "g", "c1", "COUNT", "2", "NOACK", "BLOCK", "0", "STREAMS", "sg10:b", ">")
	listWaitBlocked(t, p, 1)
	p.CheckAll(Script(`
		MULTI
		XADD sg10:b 5-1 a 1
		XADD sg10:b 5-2 a 2
		XADD sg10:b 5-3 a 3
		EXEC
	`))
	w1.check("XREADGROUP NOACK COUNT 2 woken by EXEC")
	p.Check("XPENDING", "sg10:b", "g")

	// Timeout; the consumer is not created.
	w1.send("XREADGROUP", "GROUP", "g", "late", "BLOCK", "30", "STREAMS", "sg10:b", ">")
	w1.check("XREADGROUP timeout")
	p.Check("XINFO", "CONSUMERS", "sg10:b", "g")

	// RESP3 waiter.
	w1.send("HELLO", "3")
	w1.redis.Read()
	w1.ember.Read()
	w1.send("XREADGROUP", "GROUP", "g", "r3", "BLOCK", "0", "STREAMS", "sg10:b", ">")
	listWaitBlocked(t, p, 1)
	p.Check("XADD", "sg10:b", "6-1", "a", "b")
	w1.check("XREADGROUP RESP3")
	w1.send("XREADGROUP", "GROUP", "g", "r3", "BLOCK", "30", "STREAMS", "sg10:b", ">")
	w1.check("XREADGROUP RESP3 timeout")
	w1.send("HELLO", "2")
	w1.redis.Read()
	w1.ember.Read()

	// An XADD whose entry is gone again by the time the waiters are
	// served (MULTI): Redis serves the waiters an empty list of entries.
	w1.send("XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "sg10:b", ">")
	listWaitBlocked(t, p, 1)
	w2.send("XREAD", "BLOCK", "0", "STREAMS", "sg10:b", "$")
	listWaitBlocked(t, p, 2)
	p.CheckAll(Script(`
		MULTI
		XADD sg10:b 7-1 a b
		XDEL sg10:b 7-1
		EXEC
	`))
	w1.check("XREADGROUP served nothing")
	w2.check("XREAD served nothing")

	// Woken without COUNT, a waiter gets at most 1000 entries.
	w1.send("XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "sg10:b", ">")
	listWaitBlocked(t, p, 1)
	w2.send("XREAD", "BLOCK", "0", "STREAMS", "sg10:b", "$")
	listWaitBlocked(t, p, 2)
	p.Both("MULTI")
	for i := 1; i <= 1003; i++ {
		p.Both("XADD", "sg10:b", fmt.Sprintf("8-%d", i), "n", fmt.Sprint(i))
	}
	p.Check("EXEC")
	w1.check("XREADGROUP woken by 1003 entries")
	w2.check("XREAD woken by 1003 entries")
	p.Check("XINFO", "GROUPS", "sg10:b")

	// CLIENT UNBLOCK, as a timeout and with an error.
	for _, how := range []string{"TIMEOUT", "ERROR"} {
		rid, eid := w1.id()
		w1.send("XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "sg10:a", ">")
		listWaitBlocked(t, p, 1)
		if r, _ := p.Redis.Do("CLIENT", "UNBLOCK", rid, how); string(r) != ":1\r\n" {
			t.Fatalf("redis CLIENT UNBLOCK: %q", r)
		}
		if e, _ := p.Ember.Do("CLIENT", "UNBLOCK", eid, how); string(e) != ":1\r\n" {
			t.Fatalf("ember CLIENT UNBLOCK: %q", e)
		}
		w1.check("XREADGROUP unblocked with " + how)
	}
}

// TestStreamGroupStats compares the keyspace hits and misses the stream
// commands count (XREAD and XREADGROUP look their keys up twice).
func TestStreamGroupStats(t *testing.T) {
	p := sgPair(t)
	streamFill(p, "sg16:a", 3)
	p.Check("XGROUP", "CREATE", "sg16:a", "g", "0")
	stats := func(c *Conn) string {
		b, err := c.Do("INFO", "stats")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range strings.Split(string(b), "\r\n") {
			if strings.HasPrefix(l, "keyspace_") {
				out = append(out, l)
			}
		}
		return strings.Join(out, " ")
	}
	for _, cmd := range Script(`
		XREAD STREAMS sg16:a 0
		XREAD STREAMS sg16:nosuch sg16:a 0 0
		XREADGROUP GROUP g c STREAMS sg16:a >
		XREADGROUP GROUP g c STREAMS sg16:a 0
		XREADGROUP GROUP g c STREAMS sg16:a >
		XACK sg16:a g 1-1
		XPENDING sg16:a g
		XCLAIM sg16:a g c 0 1-2
		XAUTOCLAIM sg16:a g c 0 0
		XINFO STREAM sg16:a
		XINFO GROUPS sg16:nosuch
		XGROUP CREATECONSUMER sg16:a g d
		XLEN sg16:a
		XRANGE sg16:a - +
	`) {
		p.Both("CONFIG", "RESETSTAT")
		p.Check(cmd...)
		if r, e := stats(p.Redis), stats(p.Ember); r != e {
			t.Errorf("%s: redis %s, ember %s", Show(cmd), r, e)
		}
	}
}

// TestStreamGroupBlockGone: a blocked XREADGROUP gets an error when its
// group is destroyed or its key deleted or replaced, as in Redis 7.0,
// while a blocked XREAD keeps waiting.
func TestStreamGroupBlockGone(t *testing.T) {
	p := sgPair(t)
	p.CheckAll(Script(`
		XGROUP CREATE sg11:a g $ MKSTREAM
		XGROUP CREATE sg11:a h $
	`))
	w1 := listDialSide(t)
	w2 := listDialSide(t)
	w3 := listDialSide(t)
	w1.send("XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "sg11:a", ">")
	listWaitBlocked(t, p, 1)
	w2.send("XREADGROUP", "GROUP", "h", "c2", "BLOCK", "0", "STREAMS", "sg11:a", ">")
	listWaitBlocked(t, p, 2)
	w3.send("XREAD", "BLOCK", "0", "STREAMS", "sg11:a", "$")
	listWaitBlocked(t, p, 3)
	p.Check("XGROUP", "DESTROY", "sg11:a", "g")
	w1.check("XREADGROUP of a destroyed group")
	listWaitBlocked(t, p, 2)
	w2.silent(20 * time.Millisecond)
	w1.send("XREADGROUP", "GROUP", "h", "c1", "BLOCK", "0", "STREAMS", "sg11:a", ">")
	listWaitBlocked(t, p, 3)
	p.Check("DEL", "sg11:a")
	w1.check("XREADGROUP of a deleted key (first blocked)")
	w2.check("XREADGROUP of a deleted key")
	listWaitBlocked(t, p, 1)
	w3.silent(20 * time.Millisecond)
	p.Check("XADD", "sg11:a", "1-1", "f", "v")
	w3.check("XREAD woken after the key came back")

	// Overwritten by another type, by another stream, and flushed.
	p.Check("XGROUP", "CREATE", "sg11:b", "g", "$", "MKSTREAM")
	w1.send("XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "sg11:b", ">")
	listWaitBlocked(t, p, 1)
	p.Check("SET", "sg11:b", "x")
	w1.check("XREADGROUP of a key set to a string")
	p.Check("DEL", "sg11:b")
	p.Check("XGROUP", "CREATE", "sg11:b", "g", "$", "MKSTREAM")
	p.Check("XGROUP", "CREATE", "sg11:c", "other", "$", "MKSTREAM")
	w1.send("XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "sg11:b", ">")
	listWaitBlocked(t, p, 1)
	p.Check("RENAME", "sg11:c", "sg11:b")
	w1.check("XREADGROUP of a key replaced by a stream without the group")
	p.Check("XGROUP", "CREATE", "sg11:b", "g", "$")
	w1.send("XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "sg11:b", ">")
	listWaitBlocked(t, p, 1)
	p.Check("FLUSHALL")
	w1.check("XREADGROUP of a flushed key")
	listWaitBlocked(t, p, 0)
}

// TestStreamGroupBlockDisconnect: a blocked XREADGROUP whose client goes
// away is forgotten; the next XADD serves the next waiter, and no
// consumer was created for the one that left.
func TestStreamGroupBlockDisconnect(t *testing.T) {
	p := sgPair(t)
	p.Check("XGROUP", "CREATE", "sg12:a", "g", "$", "MKSTREAM")
	gone := listDialSide(t)
	w := listDialSide(t)
	gone.send("XREADGROUP", "GROUP", "g", "gone", "BLOCK", "0", "STREAMS", "sg12:a", ">")
	listWaitBlocked(t, p, 1)
	w.send("XREADGROUP", "GROUP", "g", "stays", "BLOCK", "0", "STREAMS", "sg12:a", ">")
	listWaitBlocked(t, p, 2)
	gone.redis.Close()
	gone.ember.Close()
	listWaitBlocked(t, p, 1)
	p.Check("XADD", "sg12:a", "1-1", "f", "v")
	w.check("XREADGROUP of the remaining waiter")
	p.Check("XINFO", "CONSUMERS", "sg12:a", "g")
	p.Check("XPENDING", "sg12:a", "g")
}

// TestStreamGroupNotify compares the keyspace notifications of the stream
// commands.
func TestStreamGroupNotify(t *testing.T) {
	p := sgPair(t)
	p.Both("CONFIG", "SET", "notify-keyspace-events", "KEA")
	defer p.Both("CONFIG", "SET", "notify-keyspace-events", "")
	sub := listDialSide(t)
	sub.send("PSUBSCRIBE", "__key*__:sg13:*")
	sub.check("PSUBSCRIBE")
	script := Script(`
		XADD sg13:a 1-1 f v
		XADD sg13:a MAXLEN 1 2-1 f v
		XADD sg13:a MAXLEN 5 3-1 f v
		XADD sg13:a 1-1 f v
		XDEL sg13:a 1-1
		XDEL sg13:a 3-1
		XTRIM sg13:a MAXLEN 5
		XTRIM sg13:a MAXLEN 0
		XSETID sg13:a 10-0
		XGROUP CREATE sg13:a g 0
		XGROUP CREATE sg13:a g 0
		XGROUP CREATE sg13:b g $ MKSTREAM
		XGROUP SETID sg13:a g 0
		XGROUP CREATECONSUMER sg13:a g c
		XGROUP CREATECONSUMER sg13:a g c
		XADD sg13:a 11-1 f v
		XREADGROUP GROUP g c STREAMS sg13:a >
		XREADGROUP GROUP g d STREAMS sg13:a 0
		XREADGROUP GROUP g e STREAMS sg13:a >
		XACK sg13:a g 11-1
		XCLAIM sg13:a g f 0 11-1 FORCE
		XAUTOCLAIM sg13:a g h 0 0
		XAUTOCLAIM sg13:a g h2 0 0
		XGROUP DELCONSUMER sg13:a g c
		XGROUP DELCONSUMER sg13:a g c
		XGROUP DESTROY sg13:a g
		XGROUP DESTROY sg13:a g
	`)
	for _, cmd := range script {
		p.Check(cmd...)
	}
	p.Check("PUBLISH", "sg13:end", "x")
	sub.send("PUNSUBSCRIBE")
	// Everything published, in order, up to PUNSUBSCRIBE's reply.
	for i := 0; i < 200; i++ {
		rr, err := sub.redis.Read()
		if err != nil {
			t.Fatalf("redis: %v", err)
		}
		er, err := sub.ember.Read()
		if err != nil {
			t.Fatalf("ember: %v (redis %q)", err, rr)
		}
		if string(rr) != string(er) {
			t.Fatalf("notification %d\n redis: %q\n ember: %q", i, rr, er)
		}
		if strings.Contains(string(rr), "punsubscribe") {
			return
		}
	}
	t.Fatal("no PUNSUBSCRIBE reply")
}

// TestStreamGroupCopy: COPY duplicates groups, consumers and PELs; the
// copy and the original then change independently.
func TestStreamGroupCopy(t *testing.T) {
	p := sgPair(t)
	streamFill(p, "sg14:a", 6)
	p.CheckAll(Script(`
		XGROUP CREATE sg14:a g 0
		XREADGROUP GROUP g c1 COUNT 3 STREAMS sg14:a >
		XREADGROUP GROUP g c2 COUNT 1 STREAMS sg14:a >
		COPY sg14:a sg14:b
		XACK sg14:b g 1-1
		XGROUP DELCONSUMER sg14:b g c2
		XREADGROUP GROUP g c3 STREAMS sg14:b >
		XPENDING sg14:a g - + 10
		XPENDING sg14:b g - + 10
		XINFO STREAM sg14:a FULL
		XINFO STREAM sg14:b FULL
		XINFO GROUPS sg14:a
		XINFO GROUPS sg14:b
		RENAME sg14:b sg14:c
		XINFO GROUPS sg14:c
		OBJECT ENCODING sg14:c
	`))
}

// TestStreamGroupMemory logs Redis's MEMORY USAGE of a stream of 100k
// small entries next to Ember's packed size of the same entries.
func TestStreamGroupMemory(t *testing.T) {
	p := sgPair(t)
	const n = 100000
	s := value.NewStream()
	var buf []byte
	for i := 1; i <= n; i++ {
		ms, sensor, v := fmt.Sprint(1700000000000+i), fmt.Sprint(i%1000), fmt.Sprint(i*7)
		s.Append(value.StreamID{Ms: uint64(1700000000000 + i)}, [][]byte{[]byte("sensor"), []byte(sensor), []byte("v"), []byte(v)}, 100, 4096)
		buf = append(buf, Encode("XADD", "sg15:a", ms+"-0", "sensor", sensor, "v", v)...)
		if i%1000 == 0 { // pipelined to Redis only: Ember's figure is s's
			if err := p.Redis.Send(buf); err != nil {
				t.Fatal(err)
			}
			for j := 0; j < 1000; j++ {
				if _, err := p.Redis.Read(); err != nil {
					t.Fatal(err)
				}
			}
			buf = buf[:0]
		}
	}
	reply, err := p.Redis.Do("MEMORY", "USAGE", "sg15:a", "SAMPLES", "0")
	if err != nil {
		t.Fatal(err)
	}
	var redisBytes int
	fmt.Sscanf(string(reply), ":%d", &redisBytes)
	emberBytes := s.Bytes()
	t.Logf("100k small entries: Redis MEMORY USAGE %d bytes (%.1f/entry), Ember Stream.Bytes %d bytes (%.1f/entry)",
		redisBytes, float64(redisBytes)/n, emberBytes, float64(emberBytes)/n)
	if redisBytes <= 0 || emberBytes > 4*redisBytes {
		t.Errorf("Ember's stream takes %d bytes, Redis's %d", emberBytes, redisBytes)
	}
	p.Both("DEL", "sg15:a")
}
