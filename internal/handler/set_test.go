package handler_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ember-kv/ember/embertest"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/config"
	"github.com/ember-kv/ember/internal/handler"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/value"
	"github.com/ember-kv/ember/resp"
)

// setsRunner calls the handlers directly on a keyspace of its own.
type setsRunner struct {
	t   testing.TB
	ks  *keyspace.Keyspace
	env *handler.Env
	w   *resp.Writer
	now int64
}

func newSetsRunner(t testing.TB) *setsRunner {
	ks := keyspace.New(1)
	return &setsRunner{t: t, ks: ks, env: &handler.Env{Keyspace: ks, Config: config.New()},
		w: resp.NewWriter(), now: time.Now().UnixMilli()}
}

// do runs one command (arity checked as the dispatcher checks it) and
// returns its raw reply.
func (r *setsRunner) do(args ...string) string {
	r.t.Helper()
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	spec := command.LookupString(args[0])
	if spec == nil {
		r.t.Fatalf("no command %s", args[0])
	}
	if len(spec.Subs) > 0 {
		spec = spec.Sub(argv[1])
	}
	if (spec.Arity > 0 && len(args) != spec.Arity) || (spec.Arity < 0 && len(args) < -spec.Arity) {
		return "-ERR wrong number of arguments for '" + spec.Name + "' command\r\n"
	}
	r.w.Reset()
	ctx := &handler.Ctx{Args: argv, Spec: spec, DB: r.ks.DB(0, r.now), Out: r.w, Env: r.env, Now: time.UnixMilli(r.now)}
	handler.Lookup(spec.Name)(ctx)
	return string(r.w.Bytes())
}

// expect runs a command given as space-separated words ("" for an empty
// argument) and compares its reply.
func (r *setsRunner) expect(cmd, want string) {
	r.t.Helper()
	args := strings.Fields(cmd)
	for i, a := range args {
		if a == `""` {
			args[i] = ""
		}
	}
	if got := r.do(args...); got != want {
		r.t.Errorf("%s\n got: %q\nwant: %q", cmd, got, want)
	}
}

func setsInt(n int) string { return ":" + strconv.Itoa(n) + "\r\n" }

// setsArr renders an array (or, with head '~', a set) of bulk strings.
func setsArr(head byte, items ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%c%d\r\n", head, len(items))
	for _, s := range items {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(s), s)
	}
	return b.String()
}

const setsWrong = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"

func TestSetCommandReplies(t *testing.T) {
	r := newSetsRunner(t)
	a := func(items ...string) string { return setsArr('*', items...) }
	for _, tc := range []struct{ cmd, want string }{
		{"SADD s 3 1 2 2", setsInt(3)},
		{"SADD s 2 4", setsInt(1)},
		{"SMEMBERS s", a("1", "2", "3", "4")},
		{"SCARD s", setsInt(4)},
		{"SISMEMBER s 3", setsInt(1)},
		{"SISMEMBER s 03", setsInt(0)},
		{"SMISMEMBER s 1 9 4", "*3\r\n:1\r\n:0\r\n:1\r\n"},
		{"SMISMEMBER nosuch 1", "*1\r\n:0\r\n"},
		{"OBJECT ENCODING s", "$6\r\nintset\r\n"},
		{"SREM s 1 9", setsInt(1)},
		{"SREM nosuch 1", setsInt(0)},
		{"SMEMBERS nosuch", "*0\r\n"},
		{"SCARD nosuch", setsInt(0)},
		{"SISMEMBER nosuch 1", setsInt(0)},

		{"SADD t 3 5", setsInt(2)},
		{"SINTER s t", a("3")},
		{"SINTER s nosuch", "*0\r\n"},
		{"SUNION s t", a("2", "3", "4", "5")},
		{"SDIFF s t", a("2", "4")},
		{"SDIFF nosuch s", "*0\r\n"},
		{"SDIFF s s", "*0\r\n"},
		{"SINTERCARD 2 s t", setsInt(1)},
		{"SINTERCARD 1 s LIMIT 2", setsInt(2)},
		{"SINTERCARD 0 s", "-ERR numkeys should be greater than 0\r\n"},
		{"SINTERCARD x s", "-ERR numkeys should be greater than 0\r\n"},
		{"SINTERCARD 2 s", "-ERR Number of keys can't be greater than number of args\r\n"},
		{"SINTERCARD 1 s LIMIT -1", "-ERR LIMIT can't be negative\r\n"},
		{"SINTERCARD 1 s LIMIT", "-ERR syntax error\r\n"},
		{"SINTERCARD 1 s BAD 1", "-ERR syntax error\r\n"},
		{"SINTERSTORE d s t", setsInt(1)},
		{"SMEMBERS d", a("3")},
		{"SUNIONSTORE d s t", setsInt(4)},
		{"SDIFFSTORE d s t", setsInt(2)},
		{"SMEMBERS d", a("2", "4")},
		{"SDIFFSTORE d s s", setsInt(0)},
		{"EXISTS d", setsInt(0)},

		{"SMOVE s t 2", setsInt(1)},
		{"SMOVE s t 2", setsInt(0)},
		{"SMOVE s s 3", setsInt(1)},
		{"SMOVE nosuch t 1", setsInt(0)},
		{"SMEMBERS t", a("2", "3", "5")},

		{"SPOP nosuch", "$-1\r\n"},
		{"SPOP nosuch 2", "*0\r\n"},
		{"SPOP s -1", "-ERR value is out of range, must be positive\r\n"},
		{"SPOP s x", "-ERR value is out of range, must be positive\r\n"},
		{"SPOP s 1 2", "-ERR syntax error\r\n"},
		{"SRANDMEMBER nosuch", "$-1\r\n"},
		{"SRANDMEMBER nosuch 3", "*0\r\n"},
		{"SRANDMEMBER s 0", "*0\r\n"},
		{"SRANDMEMBER s 10", a("3", "4")},
		{"SRANDMEMBER s x", "-ERR value is not an integer or out of range\r\n"},
		{"SRANDMEMBER s -9223372036854775808", "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"},
		{"SPOP s 5", a("3", "4")},
		{"EXISTS s", setsInt(0)},

		{"SADD i 10 -5 7", setsInt(3)},
		{"SSCAN i 0", "*2\r\n$1\r\n0\r\n" + a("-5", "7", "10")},
		{"SSCAN i 99 MATCH 1*", "*2\r\n$1\r\n0\r\n" + a("10")},
		{"SSCAN i 0 COUNT 0", "-ERR syntax error\r\n"},
		{"SSCAN i 0 COUNT x", "-ERR value is not an integer or out of range\r\n"},
		{"SSCAN i 0 TYPE set", "-ERR syntax error\r\n"},
		{"SSCAN i x", "-ERR invalid cursor\r\n"},
		{"SSCAN nosuch 0 COUNT 0", "*2\r\n$1\r\n0\r\n*0\r\n"},

		{"SET str v", "+OK\r\n"},
		{"SADD str a", setsWrong},
		{"SREM str a", setsWrong},
		{"SMEMBERS str", setsWrong},
		{"SISMEMBER str a", setsWrong},
		{"SMISMEMBER str a", setsWrong},
		{"SCARD str", setsWrong},
		{"SPOP str", setsWrong},
		{"SPOP str 1", setsWrong},
		{"SRANDMEMBER str", setsWrong},
		{"SRANDMEMBER str 1", setsWrong},
		{"SMOVE str i 1", setsWrong},
		{"SMOVE i str 7", setsWrong},
		{"SMOVE nosuch str 7", setsInt(0)},
		{"SINTER i str", setsWrong},
		{"SINTER nosuch str", setsWrong},
		{"SINTERCARD 2 i str", setsWrong},
		{"SINTERSTORE d i str", setsWrong},
		{"SUNION str", setsWrong},
		{"SUNIONSTORE d i str", setsWrong},
		{"SDIFF nosuch str", setsWrong},
		{"SDIFFSTORE d i str", setsWrong},
		{"SSCAN str 0", setsWrong},
		{"SUNIONSTORE str i", setsInt(3)},
		{"TYPE str", "+set\r\n"},
	} {
		r.expect(tc.cmd, tc.want)
	}
}

func TestSetRESP3Replies(t *testing.T) {
	r := newSetsRunner(t)
	r.w.Proto = 3
	s := func(items ...string) string { return setsArr('~', items...) }
	for _, tc := range []struct{ cmd, want string }{
		{"SADD s 2 1", setsInt(2)},
		{"SMEMBERS s", s("1", "2")},
		{"SMEMBERS nosuch", "~0\r\n"},
		{"SINTER s nosuch", "~0\r\n"},
		{"SUNION s", s("1", "2")},
		{"SDIFF s", s("1", "2")},
		{"SMISMEMBER s 1 3", "*2\r\n:1\r\n:0\r\n"},
		{"SRANDMEMBER s 5", setsArr('*', "1", "2")},
		{"SRANDMEMBER nosuch 5", "*0\r\n"},
		{"SRANDMEMBER nosuch", "_\r\n"},
		{"SPOP nosuch", "_\r\n"},
		{"SPOP nosuch 3", "~0\r\n"},
		{"SPOP s 0", "~0\r\n"},
		{"SSCAN s 0", "*2\r\n$1\r\n0\r\n" + setsArr('*', "1", "2")},
		{"SPOP s 2", s("1", "2")},
	} {
		r.expect(tc.cmd, tc.want)
	}
}

func TestSetEncodingThresholds(t *testing.T) {
	r := newSetsRunner(t)
	args := []string{"SADD", "big"}
	for i := 0; i < 512; i++ {
		args = append(args, strconv.Itoa(i))
	}
	if got := r.do(args...); got != setsInt(512) {
		t.Fatal(got)
	}
	r.expect("OBJECT ENCODING big", "$6\r\nintset\r\n")
	r.expect("SADD big 512", setsInt(1))
	r.expect("OBJECT ENCODING big", "$9\r\nhashtable\r\n")
	r.expect("SREM big 512", setsInt(1))
	r.expect("OBJECT ENCODING big", "$9\r\nhashtable\r\n")
	// SUNION of a hash table of integers builds an intset: ascending order.
	r.expect("SADD h 3 1 x", setsInt(3))
	r.expect("SREM h x", setsInt(1))
	r.expect("SUNION h", setsArr('*', "1", "3"))
	r.expect("SUNIONSTORE u h", setsInt(2))
	r.expect("OBJECT ENCODING u", "$6\r\nintset\r\n")
	// The limit is read when a set grows.
	if err := r.env.Config.Set("set-max-intset-entries", "2", false); err != nil {
		t.Fatal(err)
	}
	r.expect("SADD small 1 2", setsInt(2))
	r.expect("OBJECT ENCODING small", "$6\r\nintset\r\n")
	r.expect("SADD small 3", setsInt(1))
	r.expect("OBJECT ENCODING small", "$9\r\nhashtable\r\n")
}

// TestSetHotPathAllocs: membership tests and no-op writes allocate nothing.
func TestSetHotPathAllocs(t *testing.T) {
	r := newSetsRunner(t)
	r.do("SADD", "i", "1", "2", "3", "100000")
	r.do("SADD", "h", "alpha", "beta", "gamma")
	for _, tc := range []struct {
		cmd []string
		max float64
	}{
		{[]string{"SISMEMBER", "i", "3"}, 0},
		{[]string{"SISMEMBER", "h", "beta"}, 0},
		{[]string{"SMISMEMBER", "h", "beta", "x"}, 0},
		{[]string{"SCARD", "h"}, 0},
		{[]string{"SADD", "i", "2"}, 0},
		{[]string{"SADD", "h", "alpha"}, 0},
		{[]string{"SREM", "h", "nosuch"}, 0},
		{[]string{"SMEMBERS", "i"}, 0},
		{[]string{"SMEMBERS", "h"}, 0},
		{[]string{"SRANDMEMBER", "h"}, 0},
		{[]string{"SINTERCARD", "2", "i", "i"}, 0},
	} {
		argv := make([][]byte, len(tc.cmd))
		for i, a := range tc.cmd {
			argv[i] = []byte(a)
		}
		spec := command.LookupString(tc.cmd[0])
		fn := handler.Lookup(spec.Name)
		ctx := &handler.Ctx{Args: argv, Spec: spec, DB: r.ks.DB(0, r.now), Out: r.w, Env: r.env}
		got := testing.AllocsPerRun(200, func() {
			r.w.Reset()
			fn(ctx)
		})
		if got > tc.max {
			t.Errorf("%v: %v allocations per call, want at most %v", tc.cmd, got, tc.max)
		}
	}
}

// setsModel is the naive model of one key: its members, and the encoding
// Redis would give it ("" when the model does not follow it).
type setsModel struct {
	members map[string]bool
	enc     string
}

func setsIsInt(m string) bool {
	n, err := strconv.ParseInt(m, 10, 64)
	return err == nil && strconv.FormatInt(n, 10) == m
}

// setsFresh is the encoding of a set built by adding members to an empty one.
func setsFresh(members map[string]bool, limit int) string {
	if len(members) > limit {
		return value.EncHashtable
	}
	for m := range members {
		if !setsIsInt(m) {
			return value.EncHashtable
		}
	}
	return value.EncIntset
}

// setsParse parses a reply of bulk strings (or one bulk) into members.
func setsParse(t *testing.T, reply string) (kind byte, items []string) {
	t.Helper()
	br := bufio.NewReader(strings.NewReader(reply))
	readBulk := func() string {
		line, _ := br.ReadString('\n')
		if !strings.HasPrefix(line, "$") {
			t.Fatalf("not a bulk: %q in %q", line, reply)
		}
		n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
		buf := make([]byte, n+2)
		io.ReadFull(br, buf)
		return string(buf[:n])
	}
	switch reply[0] {
	case '$':
		return '$', []string{readBulk()}
	case '*', '~':
		line, _ := br.ReadString('\n')
		n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
		for i := 0; i < n; i++ {
			items = append(items, readBulk())
		}
		return reply[0], items
	}
	t.Fatalf("unexpected reply %q", reply)
	return 0, nil
}

// TestSetModelRandom applies random set commands to Ember (directly) and
// to a model of maps, comparing every reply: counts and flags exactly,
// member lists as sets (and in ascending order where the set is an
// intset), random picks by membership, and OBJECT ENCODING wherever the
// model can tell what Redis would report.
func TestSetModelRandom(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("EMBER_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed=%d (replay with EMBER_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x5bd1e995))
	r := newSetsRunner(t)
	const limit = 8
	if err := r.env.Config.Set("set-max-intset-entries", strconv.Itoa(limit), false); err != nil {
		t.Fatal(err)
	}
	keys := []string{"a", "b", "c", "d"}
	model := map[string]*setsModel{}
	get := func(k string) map[string]bool {
		if m := model[k]; m != nil {
			return m.members
		}
		return nil
	}
	store := func(k string, members map[string]bool, enc string) {
		if len(members) == 0 {
			delete(model, k)
			return
		}
		model[k] = &setsModel{members: members, enc: enc}
	}
	key := func() string { return keys[rng.IntN(len(keys))] }
	member := func() string {
		if rng.IntN(5) == 0 {
			return []string{"x", "y", "", "01", "-1", "1e3"}[rng.IntN(6)]
		}
		return strconv.Itoa(rng.IntN(16))
	}
	sortedOf := func(m map[string]bool) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	// checkList compares a member list with the model's expectation.
	checkList := func(cmd []string, reply string, want map[string]bool, ordered bool) {
		t.Helper()
		_, got := setsParse(t, reply)
		if ordered {
			if !slices.IsSortedFunc(got, func(a, b string) int {
				x, _ := strconv.ParseInt(a, 10, 64)
				y, _ := strconv.ParseInt(b, 10, 64)
				return int(x - y)
			}) {
				t.Fatalf("%v: intset reply not ascending: %q", cmd, got)
			}
		}
		slices.Sort(got)
		if w := sortedOf(want); !slices.Equal(got, w) {
			t.Fatalf("%v: got %q, want %q", cmd, got, w)
		}
	}
	intsetFresh := func(m map[string]bool) bool { return setsFresh(m, limit) == value.EncIntset }
	const ops = 6000
	for op := 0; op < ops; op++ {
		var cmd []string
		switch rng.IntN(14) {
		case 0, 1, 2:
			k := key()
			cmd = []string{"SADD", k}
			for n := 1 + rng.IntN(4); n > 0; n-- {
				cmd = append(cmd, member())
			}
			got := r.do(cmd...)
			cur := get(k)
			if cur == nil {
				cur = map[string]bool{}
				model[k] = &setsModel{members: cur, enc: value.EncIntset}
			}
			added := 0
			for _, m := range cmd[2:] {
				if !cur[m] {
					cur[m] = true
					added++
					if !setsIsInt(m) || len(cur) > limit {
						model[k].enc = value.EncHashtable
					}
				}
			}
			if want := setsInt(added); got != want {
				t.Fatalf("%v: %q, want %q", cmd, got, want)
			}
		case 3, 4:
			k := key()
			cmd = []string{"SREM", k, member(), member()}
			got := r.do(cmd...)
			cur, removed := get(k), 0
			for _, m := range cmd[2:] {
				if cur[m] {
					delete(cur, m)
					removed++
				}
			}
			if cur != nil && len(cur) == 0 {
				delete(model, k)
			}
			if want := setsInt(removed); got != want {
				t.Fatalf("%v: %q, want %q", cmd, got, want)
			}
		case 5:
			k := key()
			cmd = []string{"SMEMBERS", k}
			cur := get(k)
			checkList(cmd, r.do(cmd...), cur, cur != nil && model[k].enc == value.EncIntset)
		case 6:
			k, m := key(), member()
			cmd = []string{"SISMEMBER", k, m}
			want := setsInt(0)
			if get(k)[m] {
				want = setsInt(1)
			}
			if got := r.do(cmd...); got != want {
				t.Fatalf("%v: %q, want %q", cmd, got, want)
			}
		case 7:
			src, dst, m := key(), key(), member()
			cmd = []string{"SMOVE", src, dst, m}
			got := r.do(cmd...)
			want := setsInt(0)
			if s := get(src); s[m] {
				want = setsInt(1)
				if src != dst {
					delete(s, m)
					if len(s) == 0 {
						delete(model, src)
					}
					d := get(dst)
					if d == nil {
						d = map[string]bool{}
						model[dst] = &setsModel{members: d, enc: value.EncIntset}
					}
					if !d[m] {
						d[m] = true
						if !setsIsInt(m) || len(d) > limit {
							model[dst].enc = value.EncHashtable
						}
					}
				}
			}
			if got != want {
				t.Fatalf("%v: %q, want %q", cmd, got, want)
			}
		case 8, 9:
			// SINTER / SUNION / SDIFF and their STORE forms.
			n := 1 + rng.IntN(3)
			var srcs []string
			for i := 0; i < n; i++ {
				srcs = append(srcs, key())
			}
			res := map[string]bool{}
			verb := []string{"SINTER", "SUNION", "SDIFF"}[rng.IntN(3)]
			switch verb {
			case "SINTER":
				for m := range get(srcs[0]) {
					in := true
					for _, s := range srcs[1:] {
						in = in && get(s)[m]
					}
					if in {
						res[m] = true
					}
				}
			case "SUNION":
				for _, s := range srcs {
					for m := range get(s) {
						res[m] = true
					}
				}
			default:
				for m := range get(srcs[0]) {
					res[m] = true
				}
				for _, s := range srcs[1:] {
					if s == srcs[0] {
						clear(res)
					}
					for m := range get(s) {
						delete(res, m)
					}
				}
			}
			if rng.IntN(2) == 0 {
				dst := key()
				cmd = append([]string{verb + "STORE", dst}, srcs...)
				if got, want := r.do(cmd...), setsInt(len(res)); got != want {
					t.Fatalf("%v: %q, want %q", cmd, got, want)
				}
				enc := setsFresh(res, limit)
				if verb == "SDIFF" {
					enc = "" // depends on the algorithm Redis picks
				}
				store(dst, res, enc)
			} else {
				cmd = append([]string{verb}, srcs...)
				ordered := false
				switch verb {
				case "SINTER":
					// The smallest set, first given first, is walked.
					var smallest *setsModel
					for _, s := range srcs {
						if m := model[s]; m != nil && (smallest == nil || len(m.members) < len(smallest.members)) {
							smallest = m
						}
					}
					ordered = len(res) > 0 && smallest.enc == value.EncIntset
				case "SUNION":
					ordered = intsetFresh(res)
				}
				checkList(cmd, r.do(cmd...), res, ordered)
			}
		case 10:
			k := key()
			ks := []string{k, key()}
			cmd = []string{"SINTERCARD", "2", ks[0], ks[1]}
			lim := rng.IntN(4)
			if lim > 0 {
				cmd = append(cmd, "LIMIT", strconv.Itoa(lim))
			}
			n := 0
			for m := range get(ks[0]) {
				if get(ks[1])[m] {
					n++
				}
			}
			if lim > 0 {
				n = min(n, lim)
			}
			if got, want := r.do(cmd...), setsInt(n); got != want {
				t.Fatalf("%v: %q, want %q", cmd, got, want)
			}
		case 11:
			k := key()
			cur := get(k)
			count := rng.IntN(12) - 4
			cmd = []string{"SRANDMEMBER", k, strconv.Itoa(count)}
			kind, got := setsParse(t, r.do(cmd...))
			want := min(count, len(cur))
			if count < 0 {
				want = -count
			}
			if cur == nil {
				want = 0
			}
			if kind != '*' || len(got) != want {
				t.Fatalf("%v: %c%d, want %d members", cmd, kind, len(got), want)
			}
			seen := map[string]bool{}
			for _, m := range got {
				if !cur[m] || (count > 0 && seen[m]) {
					t.Fatalf("%v: %q bad (member %v, repeated %v)", cmd, m, cur[m], seen[m])
				}
				seen[m] = true
			}
		case 12:
			k := key()
			cur := get(k)
			count := rng.IntN(10)
			cmd = []string{"SPOP", k, strconv.Itoa(count)}
			_, got := setsParse(t, r.do(cmd...))
			size := len(cur)
			if len(got) != min(count, size) {
				t.Fatalf("%v: %d members, want %d", cmd, len(got), min(count, size))
			}
			for _, m := range got {
				if !cur[m] {
					t.Fatalf("%v: %q is not a member", cmd, m)
				}
				delete(cur, m)
			}
			switch {
			case cur == nil:
			case len(cur) == 0:
				delete(model, k)
			case count > 0 && (size-count)*5 <= count:
				model[k].enc = setsFresh(cur, limit) // rebuilt from what is left
			}
		default:
			k := key()
			cmd = []string{"OBJECT", "ENCODING", k}
			got := r.do(cmd...)
			m := model[k]
			switch {
			case m == nil:
				if got != "$-1\r\n" {
					t.Fatalf("%v: %q for a missing key", cmd, got)
				}
			case m.enc != "":
				if want := fmt.Sprintf("$%d\r\n%s\r\n", len(m.enc), m.enc); got != want {
					t.Fatalf("%v: %q, want %q (members %q)", cmd, got, want, sortedOf(m.members))
				}
			}
		}
		// Sizes always agree.
		for _, k := range keys {
			if got, want := r.do("SCARD", k), setsInt(len(get(k))); got != want {
				t.Fatalf("after %v: SCARD %s = %q, want %q", cmd, k, got, want)
			}
		}
	}
}

// TestSetConcurrentMoves moves members between sets in different shards
// from several connections at once: no member is lost or duplicated (run
// with -race to check the locking of the two-key commands).
func TestSetConcurrentMoves(t *testing.T) {
	srv := embertest.Run(t)
	const members = 200
	keys := []string{"cm:a", "cm:b", "cm:c", "cm:d"}
	setup := setsDial(t, srv.Addr())
	args := []string{"SADD", keys[0]}
	for i := 0; i < members; i++ {
		args = append(args, "m"+strconv.Itoa(i))
	}
	setup.do(args...)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		c := setsDial(t, srv.Addr())
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 7))
			for i := 0; i < 300; i++ {
				m := "m" + strconv.Itoa(r.IntN(members))
				switch r.IntN(3) {
				case 0:
					c.do("SMOVE", keys[r.IntN(4)], keys[r.IntN(4)], m)
				case 1:
					c.do("SUNIONSTORE", "cm:tmp"+strconv.Itoa(g), keys[r.IntN(4)], keys[r.IntN(4)])
				default:
					c.do("SINTERCARD", "2", keys[r.IntN(4)], keys[r.IntN(4)])
				}
			}
		}(g)
	}
	wg.Wait()
	total := 0
	for _, k := range keys {
		reply := setup.do("SCARD", k)
		n, _ := strconv.Atoi(strings.TrimSpace(reply[1:]))
		total += n
	}
	if total != members {
		t.Fatalf("%d members after the moves, want %d", total, members)
	}
	if got := setup.do("SUNIONSTORE", "cm:all", "cm:a", "cm:b", "cm:c", "cm:d"); got != setsInt(members) {
		t.Fatalf("union of the sets: %q", got)
	}
	// SINTERCARD with a bad numkeys still answers (the dispatcher locks
	// everything when the key specs cannot be followed).
	if got := setup.do("SINTERCARD", "5", "cm:a"); got != "-ERR Number of keys can't be greater than number of args\r\n" {
		t.Fatalf("SINTERCARD 5: %q", got)
	}
	if got := setup.do("COMMAND", "GETKEYS", "SINTERCARD", "2", "x", "y", "LIMIT", "1"); got != setsArr('*', "x", "y") {
		t.Fatalf("COMMAND GETKEYS SINTERCARD: %q", got)
	}
}

// setsConn is a raw RESP connection for the network tests.
type setsConn struct {
	t testing.TB
	c net.Conn
	r *bufio.Reader
}

func setsDial(t testing.TB, addr string) *setsConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &setsConn{t: t, c: c, r: bufio.NewReaderSize(c, 64<<10)}
}

func setsEncode(args ...string) []byte {
	var b []byte
	b = fmt.Appendf(b, "*%d\r\n", len(args))
	for _, a := range args {
		b = fmt.Appendf(b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b
}

// setsRead reads one reply's raw bytes.
func setsRead(r *bufio.Reader, out *[]byte) error {
	line, err := r.ReadBytes('\n')
	*out = append(*out, line...)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(string(line[1 : len(line)-2]))
	switch line[0] {
	case '$':
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		*out = append(*out, buf...)
	case '*', '~', '%':
		if line[0] == '%' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if err := setsRead(r, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// do sends a command and returns its raw reply. It may run on any
// goroutine: failures are reported with Error, not Fatal.
func (c *setsConn) do(args ...string) string {
	c.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.c.Write(setsEncode(args...)); err != nil {
		c.t.Error(err)
		return ""
	}
	var out []byte
	if err := setsRead(c.r, &out); err != nil {
		c.t.Errorf("%q: %v", args, err)
	}
	return string(out)
}

// setsBench sends b.N commands through a real server over loopback, cycling
// through cmds, a pipeline of len(cmds)*setsBenchRounds at a time, and
// checks that each round's replies equal reply. Allocations counted
// include the server's.
func setsBench(b *testing.B, setup [][]string, cmds [][]string, reply string) {
	srv := embertest.Run(b)
	c := setsDial(b, srv.Addr())
	for _, s := range setup {
		c.do(s...)
	}
	const rounds = 50
	var one []byte
	for _, cmd := range cmds {
		one = append(one, setsEncode(cmd...)...)
	}
	batch := bytes.Repeat(one, rounds)
	want := []byte(strings.Repeat(reply, rounds))
	got := make([]byte, len(want))
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += rounds * len(cmds) {
		c.c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.c.Write(batch); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c.r, got); err != nil {
			b.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			b.Fatalf("unexpected replies %q", got[:min(80, len(got))])
		}
	}
}

func setsBenchMembers(n int, prefix string) []string {
	out := []string{"SADD", "bench:s"}
	for i := 0; i < n; i++ {
		out = append(out, prefix+strconv.Itoa(i))
	}
	return out
}

func BenchmarkSetSAddSRemIntset(b *testing.B) {
	setsBench(b, [][]string{setsBenchMembers(100, "")},
		[][]string{{"SADD", "bench:s", "1000"}, {"SREM", "bench:s", "1000"}}, ":1\r\n:1\r\n")
}

func BenchmarkSetSAddSRemHashtable(b *testing.B) {
	setsBench(b, [][]string{setsBenchMembers(1000, "member:")},
		[][]string{{"SADD", "bench:s", "member:new"}, {"SREM", "bench:s", "member:new"}}, ":1\r\n:1\r\n")
}

func BenchmarkSetSAddExisting(b *testing.B) {
	setsBench(b, [][]string{setsBenchMembers(1000, "member:")},
		[][]string{{"SADD", "bench:s", "member:500"}}, ":0\r\n")
}

func BenchmarkSetSIsMemberIntset(b *testing.B) {
	setsBench(b, [][]string{setsBenchMembers(500, "")},
		[][]string{{"SISMEMBER", "bench:s", "250"}}, ":1\r\n")
}

func BenchmarkSetSIsMemberHashtable(b *testing.B) {
	setsBench(b, [][]string{setsBenchMembers(1000, "member:")},
		[][]string{{"SISMEMBER", "bench:s", "member:250"}}, ":1\r\n")
}

func BenchmarkSetSCard(b *testing.B) {
	setsBench(b, [][]string{setsBenchMembers(1000, "member:")},
		[][]string{{"SCARD", "bench:s"}}, ":1000\r\n")
}

func BenchmarkSetSMembersIntset10(b *testing.B) {
	setsBench(b, [][]string{setsBenchMembers(10, "")},
		[][]string{{"SMEMBERS", "bench:s"}}, setsArr('*', "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"))
}

func BenchmarkSetSPopSAdd(b *testing.B) {
	setsBench(b, [][]string{{"SADD", "bench:s", "member:only"}},
		[][]string{{"SPOP", "bench:s"}, {"SADD", "bench:s", "member:only"}}, "$11\r\nmember:only\r\n:1\r\n")
}

func BenchmarkSetSInterCard(b *testing.B) {
	setsBench(b, [][]string{setsBenchMembers(100, "m"), {"SADD", "bench:t", "m1", "m2", "m3", "x"}},
		[][]string{{"SINTERCARD", "2", "bench:s", "bench:t"}}, ":3\r\n")
}

func BenchmarkSetSUnionStore(b *testing.B) {
	setsBench(b, [][]string{setsBenchMembers(100, ""), {"SADD", "bench:t", "1000", "1001"}},
		[][]string{{"SUNIONSTORE", "bench:d", "bench:s", "bench:t"}}, ":102\r\n")
}
