package handler_test

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ember-kv/ember/embertest"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/config"
	"github.com/ember-kv/ember/internal/handler"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/resp"
)

// zsetDbl is a double reply as RESP2 writes it (a bulk string).
func zsetDbl(s string) string { return strBulk(s) }

// zsetArr is a RESP2 array of already-encoded replies.
func zsetArr(items ...string) string {
	return "*" + strconv.Itoa(len(items)) + "\r\n" + strings.Join(items, "")
}

// zsetBulks is an array of bulk strings.
func zsetBulks(items ...string) string {
	enc := make([]string, len(items))
	for i, s := range items {
		enc[i] = strBulk(s)
	}
	return zsetArr(enc...)
}

func TestZSetCommandReplies(t *testing.T) {
	srv := embertest.Run(t)
	c := dialRaw(t, srv.Addr())
	wrong := strErr("WRONGTYPE Operation against a key holding the wrong kind of value")
	syntax := strErr("ERR syntax error")
	runCases(t, c, []replyCase{
		{"ZADD z 1 a 2 b 3 c", strInt(3)},
		{"ZADD z 1 a", strInt(0)},
		{"ZADD z CH 5 a 4 d", strInt(2)},
		{"ZADD z NX 9 a 6 e", strInt(1)},
		{"ZREM z e nosuch", strInt(1)},
		{"ZADD z XX 9 a 7 f", strInt(0)},
		{"ZADD z GT 1 a", strInt(0)},
		{"ZADD z LT CH 1 a", strInt(1)},
		{"ZADD z INCR 1.5 a", zsetDbl("2.5")},
		{"ZADD z XX INCR 1 nosuch", strNull},
		{"ZADD z NX XX 1 a", strErr("ERR XX and NX options at the same time are not compatible")},
		{"ZADD z GT LT 1 a", strErr("ERR GT, LT, and/or NX options at the same time are not compatible")},
		{"ZADD z NX GT 1 a", strErr("ERR GT, LT, and/or NX options at the same time are not compatible")},
		{"ZADD z INCR 1 a 2 b", strErr("ERR INCR option supports a single increment-element pair")},
		{"ZADD z x a", strErr("ERR value is not a valid float")},
		{"ZADD z nan a", strErr("ERR value is not a valid float")},
		{"ZADD z 1 a 2", syntax},
		{"ZADD z NX 1", syntax},
		{"ZADD z NX", strErr("ERR wrong number of arguments for 'zadd' command")},
		{"ZADD inf inf m", strInt(1)},
		{"ZINCRBY inf -inf m", strErr("ERR resulting score is not a number (NaN)")},
		{"ZSCORE inf m", zsetDbl("inf")},
		{"ZINCRBY z 0.1 b", zsetDbl("2.1000000000000001")},
		{"ZSCORE z b", zsetDbl("2.1000000000000001")},
		{"ZSCORE z nosuch", strNull},
		{"ZSCORE nokey a", strNull},
		{"ZMSCORE z a nosuch", zsetArr(zsetDbl("2.5"), strNull)},
		{"ZMSCORE nokey a", zsetArr(strNull)},
		{"ZCARD z", strInt(4)},
		{"ZCARD nokey", strInt(0)},
		{"ZRANGE z 0 -1", zsetBulks("b", "a", "c", "d")},
		{"ZRANGE z 0 -1 WITHSCORES", zsetBulks("b", "2.1000000000000001", "a", "2.5", "c", "3", "d", "4")},
		{"ZRANGE z 0 1 REV", zsetBulks("d", "c")},
		{"ZREVRANGE z 1 2", zsetBulks("c", "a")},
		{"ZRANGE z (2.5 +inf BYSCORE", zsetBulks("c", "d")},
		{"ZRANGE z +inf -inf BYSCORE REV LIMIT 1 2", zsetBulks("c", "a")},
		{"ZRANGE z -inf +inf BYSCORE LIMIT -1 2", zsetArr()},
		{"ZRANGE z 0 1 LIMIT 0 1", strErr("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")},
		{"ZRANGE z - + BYLEX WITHSCORES", strErr("ERR syntax error, WITHSCORES not supported in combination with BYLEX")},
		{"ZRANGE z x 1 BYSCORE", strErr("ERR min or max is not a float")},
		{"ZRANGE z a b BYLEX", strErr("ERR min or max not valid string range item")},
		{"ZRANGE z 0 1 REV REV", syntax},
		{"ZRANGEBYSCORE z 3 4 WITHSCORES", zsetBulks("c", "3", "d", "4")},
		{"ZREVRANGEBYSCORE z 4 (3", zsetBulks("d")},
		{"ZCOUNT z (2.5 4", strInt(2)},
		{"ZRANK z c", strInt(2)},
		{"ZREVRANK z c", strInt(1)},
		{"ZRANK z nosuch", strNull},
		{"ZRANGESTORE dst z 0 1", strInt(2)},
		{"ZRANGE dst 0 -1", zsetBulks("b", "a")},
		{"ZRANGESTORE dst z 10 20", strInt(0)},
		{"EXISTS dst", strInt(0)},
		{"ZADD lex 0 a 0 b 0 c 0 d", strInt(4)},
		{"ZRANGEBYLEX lex [b +", zsetBulks("b", "c", "d")},
		{"ZREVRANGEBYLEX lex (c - LIMIT 0 1", zsetBulks("b")},
		{"ZLEXCOUNT lex (a [c", strInt(2)},
		{"ZREMRANGEBYLEX lex - (b", strInt(1)},
		{"ZREMRANGEBYSCORE lex 0 0", strInt(3)},
		{"EXISTS lex", strInt(0)},
		{"ZADD r 1 a 2 b 3 c 4 d", strInt(4)},
		{"ZREMRANGEBYRANK r 1 -2", strInt(2)},
		{"ZRANGE r 0 -1", zsetBulks("a", "d")},
		{"ZPOPMIN r", zsetBulks("a", "1")},
		{"ZPOPMAX r 5", zsetBulks("d", "4")},
		{"ZPOPMIN r", zsetArr()},
		{"ZPOPMIN r -1", strErr("ERR value is out of range, must be positive")},
		{"ZADD m1 1 a 2 b", strInt(2)},
		{"ZMPOP 2 nokey m1 MAX COUNT 5", zsetArr(strBulk("m1"), zsetArr(zsetBulks("b", "2"), zsetBulks("a", "1")))},
		{"ZMPOP 1 m1 MIN", "*-1\r\n"},
		{"ZMPOP 0 m1 MIN", strErr("ERR numkeys should be greater than 0")},
		{"ZMPOP 1 m1 MIN COUNT 0", strErr("ERR count should be greater than 0")},
		{"ZADD u1 1 a 2 b", strInt(2)},
		{"ZADD u2 10 b 20 c", strInt(2)},
		{"SADD s a c", strInt(2)},
		{"ZUNION 2 u1 u2 WITHSCORES", zsetBulks("a", "1", "b", "12", "c", "20")},
		{"ZINTER 2 u1 u2 WEIGHTS 1 2 AGGREGATE MAX WITHSCORES", zsetBulks("b", "20")},
		{"ZDIFF 2 u1 u2", zsetBulks("a")},
		{"ZUNION 2 u1 s WITHSCORES", zsetBulks("c", "1", "a", "2", "b", "2")},
		{"ZINTERCARD 2 u1 u2", strInt(1)},
		{"ZINTERCARD 2 u1 u2 LIMIT -1", strErr("ERR LIMIT can't be negative")},
		{"ZUNIONSTORE out 2 u1 u2", strInt(3)},
		{"ZRANGE out 0 -1 WITHSCORES", zsetBulks("a", "1", "b", "12", "c", "20")},
		{"ZUNION 0 u1", strErr("ERR at least 1 input key is needed for 'zunion' command")},
		{"ZUNIONSTORE out 0 u1", strErr("ERR at least 1 input key is needed for 'zunionstore' command")},
		{"ZUNION 2 u1 u2 WEIGHTS 1 x", strErr("ERR weight value is not a float")},
		{"ZUNION 3 u1 u2", syntax},
		{"ZSCAN u1 0", zsetArr(strBulk("0"), zsetBulks("a", "1", "b", "2"))},
		{"ZSCAN u1 0 MATCH b", zsetArr(strBulk("0"), zsetBulks("b", "2"))},
		{"ZSCAN u1 x", strErr("ERR invalid cursor")},
		{"ZSCAN nokey 0", zsetArr(strBulk("0"), zsetArr())},
		{"ZRANDMEMBER nokey", strNull},
		{"ZRANDMEMBER u1 5", zsetBulks("b", "a")},
		{"ZRANDMEMBER u1 0", zsetArr()},
		{"ZRANDMEMBER u1 -9223372036854775808", strErr("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")},
		{"SET str v", strOK},
		{"ZADD str 1 a", wrong},
		{"ZRANGE str 0 -1", wrong},
		{"ZUNION 1 str", wrong},
		{"ZSCORE str a", wrong},
		{"OBJECT ENCODING u1", strBulk("listpack")},
		{"TYPE u1", "+zset\r\n"},
	})
}

func TestZSetRESP3Replies(t *testing.T) {
	srv := embertest.Run(t)
	c := dialRaw(t, srv.Addr())
	c.do("HELLO", "3")
	dbl := func(s string) string { return "," + s + "\r\n" }
	pair := func(m, s string) string { return zsetArr(strBulk(m), dbl(s)) }
	runCases(t, c, []replyCase{
		{"ZADD z 1 a 2.5 b inf c", strInt(3)},
		{"ZSCORE z b", dbl("2.5")},
		{"ZSCORE z nosuch", "_\r\n"},
		{"ZINCRBY z 1 a", dbl("2")},
		{"ZADD z XX INCR 1 nosuch", "_\r\n"},
		{"ZMSCORE z a nosuch", zsetArr(dbl("2"), "_\r\n")},
		{"ZRANK z nosuch", "_\r\n"},
		{"ZRANGE z 0 -1 WITHSCORES", zsetArr(pair("a", "2"), pair("b", "2.5"), pair("c", "inf"))},
		{"ZRANGE z 0 -1", zsetBulks("a", "b", "c")},
		{"ZRANGEBYSCORE z 2 3 WITHSCORES", zsetArr(pair("a", "2"), pair("b", "2.5"))},
		{"ZUNION 1 z WITHSCORES", zsetArr(pair("a", "2"), pair("b", "2.5"), pair("c", "inf"))},
		{"ZPOPMIN z", zsetArr(strBulk("a"), dbl("2"))},
		{"ZPOPMIN z 1", zsetArr(pair("b", "2.5"))},
		{"ZPOPMAX nokey", zsetArr()},
		{"ZMPOP 1 z MAX", zsetArr(strBulk("z"), zsetArr(pair("c", "inf")))},
		{"ZMPOP 1 z MAX", "_\r\n"},
		{"ZRANGE nokey 0 -1", zsetArr()},
		{"ZRANDMEMBER nokey", "_\r\n"},
	})
}

func TestZSetEncodingThresholds(t *testing.T) {
	srv := embertest.Run(t)
	c := dialRaw(t, srv.Addr())
	fill := func(key string, n int) {
		args := []string{"ZADD", key}
		for i := 0; i < n; i++ {
			args = append(args, strconv.Itoa(i), "m"+strconv.Itoa(i))
		}
		c.do(args...)
	}
	enc := func(key, want string) {
		t.Helper()
		if got := c.do("OBJECT", "ENCODING", key); got != strBulk(want) {
			t.Errorf("%s: %q, want %s", key, got, want)
		}
	}
	fill("a", 128)
	enc("a", "listpack")
	fill("b", 129)
	enc("b", "skiplist")
	c.do("ZADD", "c", "1", strings.Repeat("x", 64))
	enc("c", "listpack")
	c.do("ZADD", "c", "1", strings.Repeat("x", 65))
	enc("c", "skiplist")
	c.do("CONFIG", "SET", "zset-max-listpack-entries", "2")
	fill("d", 3)
	enc("d", "skiplist")
	c.do("ZUNIONSTORE", "e", "1", "a")
	enc("e", "skiplist")
	c.do("ZRANGESTORE", "f", "b", "0", "1")
	enc("f", "listpack")
	c.do("CONFIG", "SET", "zset-max-listpack-entries", "128")
	c.do("ZUNIONSTORE", "g", "1", "b")
	enc("g", "skiplist")
	c.do("ZREMRANGEBYRANK", "g", "0", "-3")
	enc("g", "skiplist")
	c.do("ZUNIONSTORE", "h", "1", "g")
	enc("h", "listpack")
}

// TestZSetHotPathAllocs calls the handlers directly: reads and score
// updates of existing members allocate nothing, in either encoding.
func TestZSetHotPathAllocs(t *testing.T) {
	run := directCaller()
	for _, n := range []int{50, 5000} {
		key := "z" + strconv.Itoa(n)
		args := []string{"ZADD", key}
		for i := 0; i < n; i++ {
			args = append(args, strconv.Itoa(i), "member:"+strconv.Itoa(i))
		}
		run(args...)()
		m := "member:" + strconv.Itoa(n/2)
		for _, cmd := range [][]string{
			{"ZSCORE", key, m},
			{"ZSCORE", key, "nosuch"},
			{"ZMSCORE", key, m, "nosuch"},
			{"ZCARD", key},
			{"ZRANK", key, m},
			{"ZREVRANK", key, m},
			{"ZCOUNT", key, "10", "(40"},
			{"ZLEXCOUNT", key, "-", "+"},
			{"ZRANGE", key, "0", "9", "WITHSCORES"},
			{"ZRANGE", key, "10", "(40", "BYSCORE", "LIMIT", "2", "5"},
			{"ZREVRANGEBYSCORE", key, "+inf", "-inf", "LIMIT", "0", "10"},
			{"ZADD", key, "7", m},
			{"ZINCRBY", key, "0", m},
			{"ZADD", key, "XX", "CH", "25.5", m},
			{"ZINCRBY", key, "0.25", m},
		} {
			if got := testing.AllocsPerRun(200, run(cmd...)); got > 0 {
				t.Errorf("%v: %v allocations per call", cmd, got)
			}
		}
	}
}

// zsetModelEntry is one member of the command-level model.
type zsetModelEntry struct {
	m string
	s float64
}

// zsetModel is the naive reference of TestZSetCommandModel: each key a
// slice sorted by (score, member).
type zsetModel map[string][]zsetModelEntry

func zsetEntryCmp(a, b zsetModelEntry) int {
	if c := cmp.Compare(a.s, b.s); c != 0 {
		return c
	}
	return cmp.Compare(a.m, b.m)
}

func (md zsetModel) find(key, m string) int {
	for i, e := range md[key] {
		if e.m == m {
			return i
		}
	}
	return -1
}

func (md zsetModel) set(key, m string, s float64) {
	es := md[key]
	if i := md.find(key, m); i >= 0 {
		es = slices.Delete(es, i, i+1)
	}
	e := zsetModelEntry{m, s}
	i, _ := slices.BinarySearchFunc(es, e, zsetEntryCmp)
	md[key] = slices.Insert(es, i, e)
}

func zsetFmt(s float64) string {
	switch {
	case math.IsInf(s, 1):
		return "inf"
	case math.IsInf(s, -1):
		return "-inf"
	}
	return strconv.FormatFloat(s, 'g', 17, 64)
}

// zsetModelReply renders entries as a ZRANGE reply.
func zsetModelReply(es []zsetModelEntry, withScores bool) string {
	var items []string
	for _, e := range es {
		items = append(items, strBulk(e.m))
		if withScores {
			items = append(items, strBulk(zsetFmt(e.s)))
		}
	}
	return zsetArr(items...)
}

// zsetScoreBound is a random ZRANGEBYSCORE bound and its meaning.
func zsetScoreBound(r *rand.Rand) (arg string, v float64, ex bool) {
	ex = r.IntN(3) == 0
	switch r.IntN(10) {
	case 0:
		v = math.Inf(1)
	case 1:
		v = math.Inf(-1)
	default:
		v = float64(r.IntN(50)-25) / 2
	}
	arg = zsetFmt(v)
	if ex {
		arg = "(" + arg
	}
	return arg, v, ex
}

// zsetLexBound is a random BYLEX bound: kind -1 "-", 1 "+", 0 a string.
func zsetLexBound(r *rand.Rand, member func() string) (arg string, s string, kind int, ex bool) {
	switch r.IntN(8) {
	case 0:
		return "-", "", -1, false
	case 1:
		return "+", "", 1, false
	}
	s = member()
	ex = r.IntN(2) == 0
	if ex {
		return "(" + s, s, 0, true
	}
	return "[" + s, s, 0, false
}

func zsetLexGte(m, bound string, kind int, ex bool) bool {
	switch kind {
	case -1:
		return true
	case 1:
		return false
	}
	if ex {
		return m > bound
	}
	return m >= bound
}

func zsetLexLte(m, bound string, kind int, ex bool) bool {
	switch kind {
	case -1:
		return false
	case 1:
		return true
	}
	if ex {
		return m < bound
	}
	return m <= bound
}

// zsetLimit applies LIMIT offset count as Redis does: a negative offset
// returns nothing, a negative count everything after the offset.
func zsetLimit(es []zsetModelEntry, offset, count int) []zsetModelEntry {
	if offset < 0 || offset >= len(es) {
		return nil
	}
	es = es[offset:]
	if count >= 0 && count < len(es) {
		es = es[:count]
	}
	return es
}

// TestZSetCommandModel drives a server with random sorted set commands
// (ranks, score and lexicographic ranges with random inclusive and
// exclusive bounds, LIMIT offsets, REV, removals, pops) and checks every
// reply against a naive sorted-slice model. Keys: "small" stays a
// listpack, "big" grows into the skiplist form, "lex" scores everything 0.
func TestZSetCommandModel(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("EMBER_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed=%d (replay with EMBER_SEED=%d)", seed, seed)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	srv := embertest.Run(t)
	c := dialRaw(t, srv.Addr())
	md := zsetModel{}
	keys := []string{"small", "big", "lex"}
	pool := map[string]int{"small": 40, "big": 600, "lex": 400}
	peak := map[string]int{}
	steps := 12000
	if testing.Short() {
		steps = 3000
	}
	for step := 0; step < steps; step++ {
		key := keys[r.IntN(len(keys))]
		member := func() string { return fmt.Sprintf("m%03d", r.IntN(pool[key])) }
		score := func() float64 {
			if key == "lex" {
				return 0
			}
			if r.IntN(30) == 0 {
				return math.Inf(1 - 2*r.IntN(2))
			}
			return float64(r.IntN(60)-30) / 2
		}
		es := md[key]
		var args []string
		var want string
		grow := step/1500%2 == 0 // alternate growing and shrinking phases
		op := r.IntN(20)
		if grow && (op == 5 || op >= 14) && r.IntN(10) != 0 {
			op = r.IntN(4)
		}
		switch op {
		case 0, 1, 2, 3:
			args = []string{"ZADD", key}
			flags := [][]string{nil, nil, {"NX"}, {"XX"}, {"GT"}, {"LT"}, {"CH"}, {"XX", "GT", "CH"}}[r.IntN(8)]
			args = append(args, flags...)
			has := func(f string) bool { return slices.Contains(flags, f) }
			added, changed := 0, 0
			for i := 0; i < 1+r.IntN(20); i++ {
				m, s := member(), score()
				args = append(args, zsetFmt(s), m)
				j := md.find(key, m)
				switch {
				case j < 0 && !has("XX"):
					md.set(key, m, s)
					added++
				case j >= 0 && !has("NX"):
					cur := md[key][j].s
					if (has("GT") && s <= cur) || (has("LT") && s >= cur) || s == cur {
						continue
					}
					md.set(key, m, s)
					changed++
				}
			}
			if has("CH") {
				added += changed
			}
			want = strInt(int64(added))
		case 4:
			m, s := member(), score()
			if key == "lex" {
				s = 0
			}
			args = []string{"ZINCRBY", key, zsetFmt(s), m}
			cur := 0.0
			if j := md.find(key, m); j >= 0 {
				cur = md[key][j].s
			}
			if math.IsNaN(cur + s) {
				want = strErr("ERR resulting score is not a number (NaN)")
				break
			}
			md.set(key, m, cur+s)
			want = strBulk(zsetFmt(cur + s))
		case 5:
			args = []string{"ZREM", key}
			n := 0
			for i := 0; i < 1+r.IntN(5); i++ {
				m := member()
				args = append(args, m)
				if j := md.find(key, m); j >= 0 {
					md[key] = slices.Delete(md[key], j, j+1)
					n++
				}
			}
			want = strInt(int64(n))
		case 6:
			m := member()
			rev := r.IntN(2) == 0
			args = []string{"ZRANK", key, m}
			if rev {
				args[0] = "ZREVRANK"
			}
			j := md.find(key, m)
			switch {
			case j < 0:
				want = strNull
			case rev:
				want = strInt(int64(len(es) - 1 - j))
			default:
				want = strInt(int64(j))
			}
		case 7, 8:
			n := len(es)
			start, stop := r.IntN(2*n+6)-n-3, r.IntN(2*n+6)-n-3
			rev, ws := r.IntN(2) == 0, r.IntN(2) == 0
			args = []string{"ZRANGE", key, strconv.Itoa(start), strconv.Itoa(stop)}
			if rev {
				args = append(args, "REV")
			}
			if ws {
				args = append(args, "WITHSCORES")
			}
			if start < 0 {
				start += n
			}
			if stop < 0 {
				stop += n
			}
			start = max(start, 0)
			stop = min(stop, n-1)
			var sel []zsetModelEntry
			if start <= stop {
				src := es
				if rev {
					src = slices.Clone(es)
					slices.Reverse(src)
				}
				sel = src[start : stop+1]
			}
			want = zsetModelReply(sel, ws)
		case 9, 10:
			if key == "lex" {
				lo, los, lok, loex := zsetLexBound(r, member)
				hi, his, hik, hiex := zsetLexBound(r, member)
				rev := r.IntN(2) == 0
				var sel []zsetModelEntry
				for _, e := range es {
					if zsetLexGte(e.m, los, lok, loex) && zsetLexLte(e.m, his, hik, hiex) {
						sel = append(sel, e)
					}
				}
				args = []string{"ZRANGE", key, lo, hi, "BYLEX"}
				if rev {
					args = []string{"ZRANGE", key, hi, lo, "BYLEX", "REV"}
					sel = slices.Clone(sel)
					slices.Reverse(sel)
				}
				if r.IntN(2) == 0 {
					off, cnt := r.IntN(12)-2, r.IntN(14)-3
					args = append(args, "LIMIT", strconv.Itoa(off), strconv.Itoa(cnt))
					sel = zsetLimit(sel, off, cnt)
				}
				want = zsetModelReply(sel, false)
				break
			}
			lo, lov, loex := zsetScoreBound(r)
			hi, hiv, hiex := zsetScoreBound(r)
			rev, ws := r.IntN(2) == 0, r.IntN(2) == 0
			var sel []zsetModelEntry
			for _, e := range es {
				if (e.s > lov || !loex && e.s == lov) && (e.s < hiv || !hiex && e.s == hiv) {
					sel = append(sel, e)
				}
			}
			args = []string{"ZRANGE", key, lo, hi, "BYSCORE"}
			if rev {
				args = []string{"ZRANGE", key, hi, lo, "BYSCORE", "REV"}
				sel = slices.Clone(sel)
				slices.Reverse(sel)
			}
			if ws {
				args = append(args, "WITHSCORES")
			}
			if r.IntN(2) == 0 {
				off, cnt := r.IntN(12)-2, r.IntN(14)-3
				args = append(args, "LIMIT", strconv.Itoa(off), strconv.Itoa(cnt))
				sel = zsetLimit(sel, off, cnt)
			}
			want = zsetModelReply(sel, ws)
		case 11:
			n := 0
			if key == "lex" {
				lo, los, lok, loex := zsetLexBound(r, member)
				hi, his, hik, hiex := zsetLexBound(r, member)
				args = []string{"ZLEXCOUNT", key, lo, hi}
				for _, e := range es {
					if zsetLexGte(e.m, los, lok, loex) && zsetLexLte(e.m, his, hik, hiex) {
						n++
					}
				}
			} else {
				lo, lov, loex := zsetScoreBound(r)
				hi, hiv, hiex := zsetScoreBound(r)
				args = []string{"ZCOUNT", key, lo, hi}
				for _, e := range es {
					if (e.s > lov || !loex && e.s == lov) && (e.s < hiv || !hiex && e.s == hiv) {
						n++
					}
				}
			}
			want = strInt(int64(n))
		case 12:
			m := member()
			args = []string{"ZSCORE", key, m}
			want = strNull
			if j := md.find(key, m); j >= 0 {
				want = strBulk(zsetFmt(es[j].s))
			}
		case 13:
			args = []string{"ZCARD", key}
			want = strInt(int64(len(es)))
		case 14:
			n := len(es)
			start, stop := r.IntN(n+6)-3, r.IntN(n+6)-3
			args = []string{"ZREMRANGEBYRANK", key, strconv.Itoa(start), strconv.Itoa(stop)}
			if start < 0 {
				start += n
			}
			if stop < 0 {
				stop += n
			}
			start = max(start, 0)
			stop = min(stop, n-1)
			k := 0
			if start <= stop {
				k = stop - start + 1
				md[key] = slices.Delete(es, start, stop+1)
			}
			want = strInt(int64(k))
		case 15:
			var keep []zsetModelEntry
			if key == "lex" {
				lo, los, lok, loex := zsetLexBound(r, member)
				hi, his, hik, hiex := zsetLexBound(r, member)
				args = []string{"ZREMRANGEBYLEX", key, lo, hi}
				for _, e := range es {
					if !(zsetLexGte(e.m, los, lok, loex) && zsetLexLte(e.m, his, hik, hiex)) {
						keep = append(keep, e)
					}
				}
			} else {
				lo, lov, loex := zsetScoreBound(r)
				hi, hiv, hiex := zsetScoreBound(r)
				args = []string{"ZREMRANGEBYSCORE", key, lo, hi}
				for _, e := range es {
					if !((e.s > lov || !loex && e.s == lov) && (e.s < hiv || !hiex && e.s == hiv)) {
						keep = append(keep, e)
					}
				}
			}
			want = strInt(int64(len(es) - len(keep)))
			md[key] = keep
		case 16, 17:
			max := r.IntN(2) == 0
			count := r.IntN(6)
			args = []string{"ZPOPMIN", key, strconv.Itoa(count)}
			if max {
				args[0] = "ZPOPMAX"
			}
			k := min(count, len(es))
			var sel []zsetModelEntry
			if max {
				sel = slices.Clone(es[len(es)-k:])
				slices.Reverse(sel)
				md[key] = es[:len(es)-k]
			} else {
				sel = slices.Clone(es[:k])
				md[key] = es[k:]
			}
			want = zsetModelReply(sel, true)
		default:
			args = []string{"EXISTS", key}
			want = strInt(int64(min(len(es), 1)))
		}
		if got := c.do(args...); got != want {
			t.Fatalf("step %d: %q\n got: %q\nwant: %q", step, args, got, want)
		}
		peak[key] = max(peak[key], len(md[key]))
		if len(md[key]) == 0 {
			delete(md, key)
		}
		if step%500 == 0 {
			for _, k := range keys {
				if got, want := c.do("ZRANGE", k, "0", "-1", "WITHSCORES"), zsetModelReply(md[k], true); got != want {
					t.Fatalf("step %d: %s differs\n got: %q\nwant: %q", step, k, got, want)
				}
			}
		}
	}
	for _, k := range keys {
		t.Logf("%s: peak %d members, final %d", k, peak[k], len(md[k]))
	}
}

// zsetWaitBlocked polls CLIENT LIST until n clients show flag b.
func zsetWaitBlocked(t *testing.T, admin *rawConn, n int) {
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

// zsetSend writes a command without reading its reply.
func zsetSend(t *testing.T, c *rawConn, args ...string) {
	t.Helper()
	if _, err := c.c.Write(encodeRaw(args...)); err != nil {
		t.Fatal(err)
	}
}

// zsetRead reads one reply.
func zsetRead(t *testing.T, c *rawConn) string {
	t.Helper()
	c.c.SetDeadline(time.Now().Add(10 * time.Second))
	var out []byte
	if err := readRawReply(c.r, &out); err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestZSetBlocking(t *testing.T) {
	srv := embertest.Run(t)
	admin := dialRaw(t, srv.Addr())
	w1 := dialRaw(t, srv.Addr())
	w2 := dialRaw(t, srv.Addr())

	// Served by a ZADD on the second key.
	zsetSend(t, w1, "BZPOPMIN", "a", "b", "0")
	zsetWaitBlocked(t, admin, 1)
	if got := admin.do("ZADD", "b", "2", "y", "1", "x"); got != strInt(2) {
		t.Fatalf("ZADD: %q", got)
	}
	if got := zsetRead(t, w1); got != zsetBulks("b", "x", "1") {
		t.Fatalf("BZPOPMIN: %q", got)
	}
	zsetWaitBlocked(t, admin, 0)

	// First come, first served: BZPOPMAX then BZMPOP on the same key.
	zsetSend(t, w1, "BZPOPMAX", "q", "0")
	zsetWaitBlocked(t, admin, 1)
	zsetSend(t, w2, "BZMPOP", "0", "1", "q", "MIN", "COUNT", "5")
	zsetWaitBlocked(t, admin, 2)
	admin.do("ZADD", "q", "1", "one")
	if got := zsetRead(t, w1); got != zsetBulks("q", "one", "1") {
		t.Fatalf("BZPOPMAX: %q", got)
	}
	zsetWaitBlocked(t, admin, 1)
	admin.do("ZADD", "q", "2", "two", "3", "three")
	want := zsetArr(strBulk("q"), zsetArr(zsetBulks("two", "2"), zsetBulks("three", "3")))
	if got := zsetRead(t, w2); got != want {
		t.Fatalf("BZMPOP: %q", got)
	}
	if got := admin.do("EXISTS", "q"); got != strInt(0) {
		t.Fatalf("q left: %q", got)
	}

	// A key of another type keeps the client blocked; the timeout ends it.
	start := time.Now()
	zsetSend(t, w1, "BZPOPMIN", "s", "0.2")
	zsetWaitBlocked(t, admin, 1)
	admin.do("SET", "s", "v")
	if got := zsetRead(t, w1); got != "*-1\r\n" {
		t.Fatalf("timeout: %q", got)
	}
	if time.Since(start) < 150*time.Millisecond {
		t.Fatal("timed out early")
	}
	if got := w1.do("BZPOPMIN", "s", "0"); got != strErr("WRONGTYPE Operation against a key holding the wrong kind of value") {
		t.Fatalf("WRONGTYPE: %q", got)
	}
}

// Benchmarks through a real server over loopback (see strBench).

func zsetBenchFill(key string, n int) [][]string {
	var setup [][]string
	for i := 0; i < n; i += 100 {
		args := []string{"ZADD", key}
		for j := i; j < min(n, i+100); j++ {
			args = append(args, strconv.Itoa(j), "member:"+strconv.Itoa(j))
		}
		setup = append(setup, args)
	}
	return setup
}

func BenchmarkZSetZAddExisting(b *testing.B) {
	strBench(b, zsetBenchFill("z", 1000), []string{"ZADD", "z", "500", "member:500"}, ":0\r\n")
}

func BenchmarkZSetZIncrBy(b *testing.B) {
	strBench(b, zsetBenchFill("z", 1000), []string{"ZINCRBY", "z", "1", "member:500"}, "")
}

func BenchmarkZSetZScore(b *testing.B) {
	strBench(b, zsetBenchFill("z", 1000), []string{"ZSCORE", "z", "member:500"}, "$3\r\n500\r\n")
}

func BenchmarkZSetZScoreListpack(b *testing.B) {
	strBench(b, zsetBenchFill("z", 100), []string{"ZSCORE", "z", "member:50"}, "$2\r\n50\r\n")
}

func BenchmarkZSetZRank(b *testing.B) {
	strBench(b, zsetBenchFill("z", 100000), []string{"ZRANK", "z", "member:54321"}, ":54321\r\n")
}

func BenchmarkZSetZRange10(b *testing.B) {
	want := "*10\r\n"
	for i := 50000; i < 50010; i++ {
		want += strBulk("member:" + strconv.Itoa(i))
	}
	strBench(b, zsetBenchFill("z", 100000), []string{"ZRANGE", "z", "50000", "50009"}, want)
}

func BenchmarkZSetZRangeByScoreLimit(b *testing.B) {
	want := "*10\r\n"
	for i := 50000; i < 50010; i++ {
		want += strBulk("member:" + strconv.Itoa(i))
	}
	strBench(b, zsetBenchFill("z", 100000), []string{"ZRANGEBYSCORE", "z", "50000", "+inf", "LIMIT", "0", "10"}, want)
}

func BenchmarkZSetZCount(b *testing.B) {
	strBench(b, zsetBenchFill("z", 100000), []string{"ZCOUNT", "z", "(1000", "90000"}, ":89000\r\n")
}

// BenchmarkZSetZAddNew adds a new member with a rising score each time (the
// timestamp pattern): the set grows to b.N members.
func BenchmarkZSetZAddNew(b *testing.B) {
	srv := embertest.Run(b)
	c := dialRaw(b, srv.Addr())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := strconv.Itoa(i)
		if got := c.do("ZADD", "z", s, "member:"+s); got != ":1\r\n" {
			b.Fatal(got)
		}
	}
}

func BenchmarkZSetZPopMinZAdd(b *testing.B) {
	srv := embertest.Run(b)
	c := dialRaw(b, srv.Addr())
	for _, s := range zsetBenchFill("z", 1000) {
		c.do(s...)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.do("ZPOPMIN", "z")
		c.do("ZADD", "z", strconv.Itoa(1000+i), "member:"+strconv.Itoa(i))
	}
}

// BenchmarkZSetDirect calls the handlers in process (no network), on a
// skiplist-encoded set of 100,000 members: ZADD of new members with rising
// scores (the set grows by b.N), then ZADD updating scores, ZRANK and
// ZREM+ZADD of random members.
func BenchmarkZSetDirect(b *testing.B) {
	ks := keyspace.New(1)
	env := &handler.Env{Keyspace: ks, Config: config.New()}
	db := ks.DB(0, time.Now().UnixMilli())
	w := resp.NewWriter()
	call := func(args ...[]byte) {
		spec := command.Lookup(args[0])
		ctx := &handler.Ctx{Args: args, Spec: spec, DB: db, Out: w, Env: env}
		w.Reset()
		handler.Lookup(spec.Name)(ctx)
	}
	const n = 100000
	members := make([][]byte, n)
	for i := range members {
		members[i] = []byte("member:" + strconv.Itoa(i))
		call([]byte("ZADD"), []byte("z"), []byte(strconv.Itoa(i)), members[i])
	}
	r := rand.New(rand.NewPCG(1, 2))
	zadd, zrank, zrem, key := []byte("ZADD"), []byte("ZRANK"), []byte("ZREM"), []byte("z")
	b.Run("ZADD-new-rising", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s := strconv.Itoa(n + i)
			call(zadd, []byte("grow"), []byte(s), []byte("member:"+s))
		}
	})
	b.Run("ZADD-update", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			call(zadd, key, []byte(strconv.Itoa(r.IntN(n))), members[r.IntN(n)])
		}
	})
	b.Run("ZRANK", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			call(zrank, key, members[r.IntN(n)])
		}
	})
	b.Run("ZREM+ZADD", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			m := members[r.IntN(n)]
			call(zrem, key, m)
			call(zadd, key, []byte(strconv.Itoa(r.IntN(n))), m)
		}
	})
}
