package compat

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// SCAN tests. Cursor values are Ember's own (its keyspace is sharded), so
// iterations are compared by the set of keys a complete iteration returns
// and by the shape of every reply, not by cursor values; single calls are
// compared byte for byte only where one call completes the iteration on
// both servers (small databases).

func TestScanErrors(t *testing.T) {
	p, e := genCheckedPair(t)
	genCheckAll(p, e, Script(`
		SET g:a 1
		SCAN
		SCAN abc
		SCAN 1a
		SCAN " 1"
		SCAN "\t1"
		SCAN -
		SCAN +
		SCAN 18446744073709551616
		SCAN -18446744073709551616
		SCAN 99999999999999999999999
		SCAN 0x10
		SCAN 1.5
		SCAN 0 COUNT 0
		SCAN 0 COUNT -1
		SCAN 0 COUNT abc
		SCAN 0 COUNT 9223372036854775808
		SCAN 0 COUNT
		SCAN 0 MATCH
		SCAN 0 TYPE
		SCAN 0 foo
		SCAN 0 foo bar
		SCAN 0 COUNT 10 foo
		SCAN 0 MATCH * COUNT
		SCAN abc COUNT 0
		SCAN abc foo
		SCAN 0 COUNT 0 MATCH *
		SCAN 0 COUNT 1.5
	`))
}

func TestScanSmall(t *testing.T) {
	p, e := genCheckedPair(t)
	p.Normalize = genNormalize
	genCheckAll(p, e, Script(`
		SCAN 0
		SCAN 0 COUNT 1
		SCAN 0 MATCH * COUNT 1000 TYPE string
		MSET g:one 1 g:two 2 g:three 3 g:four 4 "g:[x]" 5 other 6
		SCAN 0
		SCAN 0 COUNT 100
		SCAN 0 count 9223372036854775807
		SCAN 0 MATCH g:*
		SCAN 0 match g:t*
		SCAN 0 MATCH g:?o*
		SCAN 0 MATCH "g:\\[x\\]"
		SCAN 0 MATCH nomatch
		SCAN 0 MATCH ""
		SCAN 0 MATCH *
		SCAN 0 MATCH g:* MATCH *o*
		SCAN 0 COUNT 1 COUNT 100
		SCAN 0 TYPE string
		SCAN 0 TYPE STRING
		SCAN 0 TYPE String MATCH *e*
		SCAN 0 TYPE list
		SCAN 0 TYPE hash
		SCAN 0 TYPE none
		SCAN 0 TYPE nosuchtype
		SCAN 0 TYPE ""
		SCAN ""
		SCAN -0
		SCAN +0
		SCAN 000
	`))
}

// genScanAll runs a complete SCAN iteration with extra options on c,
// checking every reply's shape, and returns the keys it saw.
func genScanAll(t *testing.T, c *Conn, who string, opts ...string) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	cursor := "0"
	for calls := 0; ; calls++ {
		if calls > 1_000_000 {
			t.Fatalf("%s: SCAN %v does not end", who, opts)
		}
		reply, err := c.Do(append([]string{"SCAN", cursor}, opts...)...)
		if err != nil {
			t.Fatalf("%s: %v", who, err)
		}
		tree, err := parseReplyTree(reply)
		if err != nil || tree.kind != '*' || len(tree.elems) != 2 || tree.elems[0].kind != '$' || tree.elems[1].kind != '*' {
			t.Fatalf("%s: SCAN %s %v: bad reply %q", who, cursor, opts, reply)
		}
		cursor = string(tree.elems[0].body)
		if _, err := strconv.ParseUint(cursor, 10, 64); err != nil {
			t.Fatalf("%s: cursor %q is not an unsigned integer", who, cursor)
		}
		for _, el := range tree.elems[1].elems {
			if el.kind != '$' {
				t.Fatalf("%s: SCAN element %q is not a bulk string", who, el.head)
			}
			seen[string(el.body)] = true
		}
		if cursor == "0" {
			return seen
		}
	}
}

func genSortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestScanIterations compares the keys complete iterations return, over a
// database big enough to need many calls, for a range of options.
func TestScanIterations(t *testing.T) {
	p, e := genCheckedPair(t)
	const n = 3000
	for i := 0; i < n; i += 100 {
		args := []string{"MSET"}
		for j := i; j < i+100; j++ {
			args = append(args, fmt.Sprintf("g:%d:%s", j, []string{"x", "y", "z"}[j%3]), strconv.Itoa(j))
		}
		p.Check(args...)
	}
	p.Check("DBSIZE")
	if err := e.ks.Check(); err != nil {
		t.Fatal(err)
	}
	for _, opts := range [][]string{
		nil,
		{"COUNT", "1"},
		{"COUNT", "7"},
		{"COUNT", "100"},
		{"COUNT", "100000"},
		{"MATCH", "*:x"},
		{"MATCH", "g:1*", "COUNT", "3"},
		{"MATCH", "g:[12]?:y", "COUNT", "50"},
		{"TYPE", "string", "COUNT", "20"},
		{"TYPE", "list"},
		{"MATCH", "nomatch", "COUNT", "5"},
	} {
		want := genScanAll(t, p.Redis, "redis", opts...)
		got := genScanAll(t, p.Ember, "ember", opts...)
		w, g := genSortedKeys(want), genSortedKeys(got)
		if strings.Join(w, ",") != strings.Join(g, ",") {
			t.Errorf("SCAN %v: redis returned %d keys, ember %d", opts, len(w), len(g))
		}
	}
	if err := e.ks.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestScanAcrossGrowth grows Ember's database between the calls of an
// iteration (and shrinks it at the end): every key present for the whole
// iteration must be returned at least once.
func TestScanAcrossGrowth(t *testing.T) {
	p, e := genCheckedPair(t)
	c := p.Ember
	const base = 500
	for i := 0; i < base; i++ {
		if _, err := c.Do("SET", "g:base:"+strconv.Itoa(i), "v"); err != nil {
			t.Fatal(err)
		}
	}
	for _, count := range []string{"1", "10", "97"} {
		seen := map[string]bool{}
		cursor := "0"
		grown := 0
		for calls := 0; ; calls++ {
			if calls > 1_000_000 {
				t.Fatal("SCAN does not end")
			}
			reply, err := c.Do("SCAN", cursor, "COUNT", count)
			if err != nil {
				t.Fatal(err)
			}
			tree, err := parseReplyTree(reply)
			if err != nil || len(tree.elems) != 2 {
				t.Fatalf("bad SCAN reply %q", reply)
			}
			cursor = string(tree.elems[0].body)
			for _, el := range tree.elems[1].elems {
				seen[string(el.body)] = true
			}
			if cursor == "0" {
				break
			}
			// Grow fast for the first calls, then delete what was added.
			if calls < 40 {
				args := []string{"MSET"}
				for j := 0; j < 100; j++ {
					args = append(args, "g:grow:"+strconv.Itoa(grown), "v")
					grown++
				}
				if _, err := c.Do(args...); err != nil {
					t.Fatal(err)
				}
			} else if grown > 0 {
				args := []string{"DEL"}
				for j := 0; j < 150 && grown > 0; j++ {
					grown--
					args = append(args, "g:grow:"+strconv.Itoa(grown))
				}
				if _, err := c.Do(args...); err != nil {
					t.Fatal(err)
				}
			}
		}
		for i := 0; i < base; i++ {
			if !seen["g:base:"+strconv.Itoa(i)] {
				t.Errorf("COUNT %s: g:base:%d, present throughout, never returned", count, i)
			}
		}
		if grown > 0 {
			args := []string{"DEL"}
			for ; grown > 0; grown-- {
				args = append(args, "g:grow:"+strconv.Itoa(grown-1))
			}
			c.Do(args...)
		}
		if err := e.ks.Check(); err != nil {
			t.Fatal(err)
		}
	}
}
