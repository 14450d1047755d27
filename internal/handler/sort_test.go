package handler_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ember-kv/ember/embertest"
)

// sortArr is the RESP2 array of bulk strings; "(nil)" stands for a null.
func sortArr(elems ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(elems))
	for _, e := range elems {
		if e == "(nil)" {
			b.WriteString("$-1\r\n")
			continue
		}
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(e), e)
	}
	return b.String()
}

func sortErr(s string) string { return "-" + s + "\r\n" }

const sortNotDouble = "ERR One or more scores can't be converted into double"

// TestSortCommands checks SORT and SORT_RO replies exactly.
func TestSortCommands(t *testing.T) {
	srv := embertest.Run(t)
	c := dialRaw(t, srv.Addr())
	for _, cmd := range [][]string{
		{"RPUSH", "l", "c", "a", "d", "b"},
		{"RPUSH", "n", "3", "1", "10", "", " 2", "0x10", "-inf", "1.5"},
		{"MSET", "w_a", "4", "w_b", "1", "w_c", "3"},
		{"HSET", "h_a", "f", "z"},
		{"HSET", "h_b", "f", "y"},
		{"HSET", "h_d", "f", "x"},
		{"SADD", "is", "30", "-2", "7"},
		{"ZADD", "z", "3", "a", "1", "b", "2", "c"},
		{"SET", "str", "v"},
	} {
		c.do(cmd...)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"SORT", "n"}, sortArr("-inf", "", "1", "1.5", " 2", "3", "10", "0x10")},
		{[]string{"SORT", "n", "DESC", "LIMIT", "1", "2"}, sortArr("10", "3")},
		{[]string{"SORT", "n", "LIMIT", "-3", "1"}, sortArr("-inf")},
		{[]string{"SORT", "n", "LIMIT", "8", "1"}, sortArr()},
		{[]string{"SORT", "n", "LIMIT", "6", "-1"}, sortArr("10", "0x10")},
		{[]string{"SORT", "l"}, sortErr(sortNotDouble)},
		{[]string{"SORT", "l", "ALPHA"}, sortArr("a", "b", "c", "d")},
		{[]string{"SORT", "l", "ALPHA", "DESC"}, sortArr("d", "c", "b", "a")},
		{[]string{"SORT", "l", "BY", "w_*"}, sortArr("d", "b", "c", "a")},
		{[]string{"SORT", "l", "BY", "h_*->f", "ALPHA"}, sortArr("c", "d", "b", "a")},
		{[]string{"SORT", "l", "BY", "w_*", "GET", "#", "GET", "w_*", "GET", "h_*->f"},
			sortArr("d", "(nil)", "x", "b", "1", "y", "c", "3", "(nil)", "a", "4", "z")},
		{[]string{"SORT", "l", "BY", "nosort"}, sortArr("c", "a", "d", "b")},
		{[]string{"SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2"}, sortArr("d", "a")},
		{[]string{"SORT", "l", "BY", "nosort", "GET", "nostar"}, sortArr("(nil)", "(nil)", "(nil)", "(nil)")},
		{[]string{"SORT", "is"}, sortArr("-2", "7", "30")},
		{[]string{"SORT", "is", "ALPHA"}, sortArr("-2", "30", "7")},
		{[]string{"SORT", "is", "BY", "nosort", "DESC"}, sortArr("-2", "7", "30")},
		{[]string{"SORT", "z", "BY", "nosort"}, sortArr("b", "c", "a")},
		{[]string{"SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "5"}, sortArr("c", "b")},
		{[]string{"OBJECT", "ENCODING", "z"}, "$8\r\nskiplist\r\n"},
		{[]string{"SORT", "missing"}, sortArr()},
		{[]string{"SORT", "str"}, sortErr("WRONGTYPE Operation against a key holding the wrong kind of value")},
		{[]string{"SORT", "str", "LIMIT", "x", "1"}, sortErr("ERR value is not an integer or out of range")},
		{[]string{"SORT", "l", "LIMIT", "1"}, sortErr("ERR syntax error")},
		{[]string{"SORT", "l", "BY"}, sortErr("ERR syntax error")},
		{[]string{"SORT_RO", "l", "STORE", "d"}, sortErr("ERR syntax error")},
		{[]string{"SORT", "l", "ALPHA", "STORE", "d"}, ":4\r\n"},
		{[]string{"LRANGE", "d", "0", "-1"}, sortArr("a", "b", "c", "d")},
		{[]string{"SORT", "l", "BY", "w_*", "GET", "h_*->f", "STORE", "d"}, ":4\r\n"},
		{[]string{"LRANGE", "d", "0", "-1"}, sortArr("x", "y", "", "z")},
		{[]string{"SORT", "l", "ALPHA", "LIMIT", "9", "1", "STORE", "d"}, ":0\r\n"},
		{[]string{"EXISTS", "d"}, ":0\r\n"},
		{[]string{"SORT", "is", "BY", "nosort", "DESC", "STORE", "d"}, ":3\r\n"},
		{[]string{"LRANGE", "d", "0", "-1"}, sortArr("7", "30", "-2")},
	}
	for _, tc := range cases {
		if got := c.do(tc.args...); got != tc.want {
			t.Errorf("%q\n got: %q\nwant: %q", tc.args, got, tc.want)
		}
	}
	// RESP3: a missing GET is a null.
	c.do("HELLO", "3")
	if got, want := c.do("SORT", "l", "ALPHA", "GET", "nope*"), "*4\r\n_\r\n_\r\n_\r\n_\r\n"; got != want {
		t.Errorf("RESP3 GET: got %q want %q", got, want)
	}
}

// TestSortModel sorts random lists of integers with random weights and
// compares with a Go model of the numeric sort (weight, then element bytes).
func TestSortModel(t *testing.T) {
	srv := embertest.Run(t)
	c := dialRaw(t, srv.Addr())
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, seed))
	for round := 0; round < 200; round++ {
		c.do("FLUSHALL")
		n := r.IntN(20)
		elems := make([]string, n)
		weights := map[string]int{}
		for i := range elems {
			elems[i] = strconv.Itoa(r.IntN(30))
			if r.IntN(3) > 0 {
				w := r.IntN(10)
				weights[elems[i]] = w
				c.do("SET", "w_"+elems[i], strconv.Itoa(w))
			}
		}
		if n > 0 {
			c.do(append([]string{"RPUSH", "l"}, elems...)...)
		}
		desc := r.IntN(2) == 0
		off, cnt := r.IntN(25)-3, r.IntN(25)-3
		want := slices.Clone(elems)
		slices.SortStableFunc(want, func(a, b string) int {
			x := weights[a] - weights[b]
			if x == 0 {
				x = strings.Compare(a, b)
			}
			if desc {
				return -x
			}
			return x
		})
		start := min(max(off, 0), n)
		end := n
		if cnt >= 0 {
			end = min(start+cnt, n)
		}
		want = want[start:end]
		args := []string{"SORT", "l", "BY", "w_*", "LIMIT", strconv.Itoa(off), strconv.Itoa(cnt)}
		if desc {
			args = append(args, "DESC")
		}
		if got := c.do(args...); got != sortArr(want...) {
			t.Fatalf("round %d %q on %q weights %v\n got: %q\nwant: %q", round, args, elems, weights, got, sortArr(want...))
		}
	}
}
