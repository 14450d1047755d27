package handler_test

import (
	"bufio"
	"math/rand/v2"
	"net"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ember-kv/ember"
	"github.com/ember-kv/ember/embertest"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/config"
	"github.com/ember-kv/ember/internal/handler"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/resp"
)

// hashArr renders a RESP2 array of bulk strings.
func hashArr(items ...string) string {
	var b strings.Builder
	b.WriteString("*" + strconv.Itoa(len(items)) + "\r\n")
	for _, it := range items {
		b.WriteString(strBulk(it))
	}
	return b.String()
}

func TestHashCommands(t *testing.T) {
	srv := embertest.Run(t)
	c := dialRaw(t, srv.Addr())
	wrongArity := func(name string) string {
		return strErr("ERR wrong number of arguments for '" + name + "' command")
	}
	runCases(t, c, []replyCase{
		{"HSET h a 1 b 2", strInt(2)},
		{"HSET h a 3 c 4", strInt(1)},
		{"HGETALL h", hashArr("a", "3", "b", "2", "c", "4")},
		{"HKEYS h", hashArr("a", "b", "c")},
		{"HVALS h", hashArr("3", "2", "4")},
		{"HGET h a", strBulk("3")},
		{"HGET h z", strNull},
		{"HGET nosuch a", strNull},
		{"HMGET h a z c", "*3\r\n$1\r\n3\r\n$-1\r\n$1\r\n4\r\n"},
		{"HMGET nosuch a", "*1\r\n$-1\r\n"},
		{"HLEN h", strInt(3)},
		{"HLEN nosuch", strInt(0)},
		{"HEXISTS h a", strInt(1)},
		{"HEXISTS h z", strInt(0)},
		{"HSTRLEN h a", strInt(1)},
		{"HSTRLEN h z", strInt(0)},
		{"HSET h a", wrongArity("hset")},
		{"HSET h a 1 b", wrongArity("hset")},
		{"HMSET h a 1 b", wrongArity("hmset")},
		{"HMSET h a 5 d 6", strOK},
		{"HSETNX h a x", strInt(0)},
		{"HSETNX h e x", strInt(1)},
		{"HGETALL h", hashArr("a", "5", "b", "2", "c", "4", "d", "6", "e", "x")},
		{"HDEL h a z a", strInt(1)},
		{"HDEL nosuch a", strInt(0)},
		{"HGETALL h", hashArr("b", "2", "c", "4", "d", "6", "e", "x")},
		{"HDEL h b c d e", strInt(4)},
		{"EXISTS h", strInt(0)},
		{"HGETALL h", "*0\r\n"},
		{"HKEYS h", "*0\r\n"},
		{"HINCRBY n f 5", strInt(5)},
		{"HINCRBY n f -7", strInt(-2)},
		{"HINCRBY n f x", strErr("ERR value is not an integer or out of range")},
		{"HINCRBY n f 9223372036854775807", strInt(9223372036854775805)},
		{"HINCRBY n f 3", strErr("ERR increment or decrement would overflow")},
		{"HSET n s abc", strInt(1)},
		{"HINCRBY n s 1", strErr("ERR hash value is not an integer")},
		{"HINCRBYFLOAT n s 1", strErr("ERR hash value is not a float")},
		{"HINCRBYFLOAT n g 10.5", strBulk("10.5")},
		{"HINCRBYFLOAT n g 0.1", strBulk("10.6")},
		{"HINCRBYFLOAT n g -10.6", strBulk("0")},
		{"HINCRBYFLOAT n g 12345.678", strBulk("12345.67799999999999994")},
		{"HINCRBYFLOAT n g abc", strErr("ERR value is not a valid float")},
		{"HINCRBYFLOAT n g inf", strErr("ERR value is NaN or Infinity")},
		{"HINCRBYFLOAT n g nan", strErr("ERR value is not a valid float")},
		{"HSET n i inf", strInt(1)},
		{"HINCRBYFLOAT n i 1", strErr("ERR increment would produce NaN or Infinity")},
		{"HSET n m 1.1e4932", strInt(1)},
		{"HINCRBYFLOAT n m 1.1e4932", strErr("ERR increment would produce NaN or Infinity")},
		{"HINCRBYFLOAT n m 1e4933", strErr("ERR value is not a valid float")},
		{"HINCRBY nosuch f x", strErr("ERR value is not an integer or out of range")},
		{"EXISTS nosuch", strInt(0)},
		{"HSET r a 1 b 2 c 3", strInt(3)},
		{"HRANDFIELD nosuch", strNull},
		{"HRANDFIELD nosuch 3", "*0\r\n"},
		{"HRANDFIELD r 0", "*0\r\n"},
		{"HRANDFIELD r 3", hashArr("a", "b", "c")},
		{"HRANDFIELD r 10 WITHVALUES", hashArr("a", "1", "b", "2", "c", "3")},
		{"HRANDFIELD r x", strErr("ERR value is not an integer or out of range")},
		{"HRANDFIELD r 1 bad", strErr("ERR syntax error")},
		{"HRANDFIELD r -9223372036854775808", strErr("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")},
		{"HRANDFIELD r 4611686018427387904 WITHVALUES", strErr("ERR value is out of range")},
		{"HSCAN r 0", "*2\r\n$1\r\n0\r\n" + hashArr("a", "1", "b", "2", "c", "3")},
		{"HSCAN r 7 MATCH [ab]", "*2\r\n$1\r\n0\r\n" + hashArr("a", "1", "b", "2")},
		{"HSCAN r x", strErr("ERR invalid cursor")},
		{"HSCAN r 0 COUNT 0", strErr("ERR syntax error")},
		{"HSCAN r 0 TYPE hash", strErr("ERR syntax error")},
		{"HSCAN nosuch 0 COUNT 0", "*2\r\n$1\r\n0\r\n*0\r\n"},
		{"OBJECT ENCODING r", strBulk("listpack")},
		{"TYPE r", "+hash\r\n"},
		{"SET s v", strOK},
		{"HGET s f", strErr("WRONGTYPE Operation against a key holding the wrong kind of value")},
		{"HSET s f v g", wrongArity("hset")},
		{"GET r", strErr("WRONGTYPE Operation against a key holding the wrong kind of value")},
	})
}

func TestHashRESP3Replies(t *testing.T) {
	srv := embertest.Run(t)
	c := dialRaw(t, srv.Addr())
	c.do("HELLO", "3")
	runCases(t, c, []replyCase{
		{"HSET h a 1 b 2", strInt(2)},
		{"HGETALL h", "%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"},
		{"HGETALL nosuch", "%0\r\n"},
		{"HKEYS nosuch", "*0\r\n"},
		{"HRANDFIELD h 2 WITHVALUES", "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"},
		{"HRANDFIELD nosuch 2 WITHVALUES", "*0\r\n"},
	})
	// Single-field hash: any count gives that field.
	c.do("HSET", "one", "f", "v")
	runCases(t, c, []replyCase{
		{"HRANDFIELD one -2 WITHVALUES", "*2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"},
		{"HRANDFIELD one -2", "*2\r\n$1\r\nf\r\n$1\r\nf\r\n"},
	})
}

// hashModelKey is the model of one hash: pairs in insertion order and the
// encoding Redis would have.
type hashModelKey struct {
	fields    []string
	vals      map[string]string
	hashtable bool
}

func (m *hashModelKey) set(f, v string, maxEntries, maxValue int) bool {
	if len(f) > maxValue || len(v) > maxValue {
		m.hashtable = true
	}
	_, had := m.vals[f]
	if !had {
		m.fields = append(m.fields, f)
	}
	m.vals[f] = v
	if len(m.fields) > maxEntries {
		m.hashtable = true
	}
	return !had
}

func (m *hashModelKey) del(f string) bool {
	if _, ok := m.vals[f]; !ok {
		return false
	}
	delete(m.vals, f)
	for i, g := range m.fields {
		if g == f {
			m.fields = append(m.fields[:i], m.fields[i+1:]...)
			break
		}
	}
	return true
}

// hashSortReply sorts an array reply of bulk strings (without CR/LF in
// them) in groups of n elements, for hashtable replies.
func hashSortReply(reply string, n int) string {
	lines := strings.Split(strings.TrimSuffix(reply, "\r\n"), "\r\n")
	if len(lines) == 0 || (lines[0][0] != '*' && lines[0][0] != '%') {
		return reply
	}
	var groups []string
	body := lines[1:]
	for i := 0; i+2*n <= len(body); i += 2 * n {
		groups = append(groups, strings.Join(body[i:i+2*n], "\r\n"))
	}
	sort.Strings(groups)
	return lines[0] + "\r\n" + strings.Join(append(groups, ""), "\r\n")
}

// TestHashRandomModel applies random commands to an Ember server and to
// a naive model, comparing every reply byte for byte (the model predicts
// the encoding, hence the order, of every hash).
func TestHashRandomModel(t *testing.T) {
	const maxEntries, maxValue = 8, 12
	srv := embertest.Run(t, ember.Config{Directives: map[string]string{
		"hash-max-listpack-entries": strconv.Itoa(maxEntries),
		"hash-max-listpack-value":   strconv.Itoa(maxValue),
	}})
	c := dialRaw(t, srv.Addr())
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed=%d", seed)
	r := rand.New(rand.NewPCG(seed, 11))
	model := map[string]*hashModelKey{}
	get := func(k string) *hashModelKey {
		if m := model[k]; m != nil {
			return m
		}
		m := &hashModelKey{vals: map[string]string{}}
		model[k] = m
		return m
	}
	keys := []string{"a", "b", "c"}
	field := func() string {
		if r.IntN(25) == 0 {
			return strings.Repeat("L", 10+r.IntN(5))
		}
		return "f" + strconv.Itoa(r.IntN(12))
	}
	val := func() string {
		switch r.IntN(6) {
		case 0:
			return strconv.Itoa(r.IntN(2000) - 1000)
		case 1:
			return strings.Repeat("v", r.IntN(16))
		case 2:
			return "x"
		default:
			return strconv.Itoa(r.IntN(10))
		}
	}
	const ops = 4000
	for i := 0; i < ops && !t.Failed(); i++ {
		k := keys[r.IntN(len(keys))]
		m := model[k]
		var args []string
		var want string
		group := 0 // >0: the reply is unordered for a hashtable, in groups of this many
		switch r.IntN(12) {
		case 0, 1, 2:
			args = []string{"HSET", k}
			n := 0
			mm := get(k)
			pairs := 1 + r.IntN(3)
			var fs, vs []string
			for j := 0; j < pairs; j++ {
				f, v := field(), val()
				fs, vs = append(fs, f), append(vs, v)
				args = append(args, f, v)
			}
			for j := range fs {
				if len(fs[j]) > maxValue || len(vs[j]) > maxValue {
					mm.hashtable = true
				}
			}
			for j := range fs {
				if mm.set(fs[j], vs[j], maxEntries, maxValue) {
					n++
				}
			}
			want = strInt(int64(n))
		case 3:
			f := field()
			args = []string{"HDEL", k, f, field()}
			n := 0
			if m != nil {
				for _, g := range args[2:] {
					if m.del(g) {
						n++
					}
				}
				if len(m.fields) == 0 {
					delete(model, k)
				}
			}
			want = strInt(int64(n))
		case 4:
			f := field()
			args = []string{"HGET", k, f}
			want = strNull
			if m != nil {
				if v, ok := m.vals[f]; ok {
					want = strBulk(v)
				}
			}
		case 5:
			f, v := field(), val()
			args = []string{"HSETNX", k, f, v}
			if m != nil {
				if _, ok := m.vals[f]; ok {
					want = strInt(0)
					break
				}
			}
			get(k).set(f, v, maxEntries, maxValue)
			want = strInt(1)
		case 6:
			f := field()
			incr := int64(r.IntN(200) - 100)
			args = []string{"HINCRBY", k, f, strconv.FormatInt(incr, 10)}
			var cur int64
			if m != nil {
				if v, ok := m.vals[f]; ok {
					n, ok := resp.ParseInt([]byte(v))
					if !ok {
						want = strErr("ERR hash value is not an integer")
						break
					}
					cur = n
				}
			}
			get(k).set(f, strconv.FormatInt(cur+incr, 10), maxEntries, maxValue)
			want = strInt(cur + incr)
		case 7:
			args = []string{"HLEN", k}
			want = strInt(0)
			if m != nil {
				want = strInt(int64(len(m.fields)))
			}
		case 8:
			f := field()
			args = []string{"HSTRLEN", k, f}
			want = strInt(0)
			if m != nil {
				want = strInt(int64(len(m.vals[f])))
			}
		case 9:
			name := []string{"HGETALL", "HKEYS", "HVALS"}[r.IntN(3)]
			args = []string{name, k}
			var items []string
			if m != nil {
				for _, f := range m.fields {
					switch name {
					case "HGETALL":
						items = append(items, f, m.vals[f])
					case "HKEYS":
						items = append(items, f)
					default:
						items = append(items, m.vals[f])
					}
				}
				if m.hashtable {
					group = 1
					if name == "HGETALL" {
						group = 2
					}
				}
			}
			want = hashArr(items...)
		case 10:
			args = []string{"OBJECT", "ENCODING", k}
			switch {
			case m == nil:
				want = strNull
			case m.hashtable:
				want = strBulk("hashtable")
			default:
				want = strBulk("listpack")
			}
		default:
			args = []string{"DEL", k}
			want = strInt(0)
			if m != nil {
				want = strInt(1)
				delete(model, k)
			}
		}
		got := c.do(args...)
		if group > 0 {
			got, want = hashSortReply(got, group), hashSortReply(want, group)
		}
		if got != want {
			t.Fatalf("op %d %q:\n got %q\nwant %q", i, args, got, want)
		}
	}
	t.Logf("%d random commands checked against the model", ops)
}

// TestHashWrongTypeDirect calls the handlers directly on a keyspace holding
// a non-hash value.
func TestHashWrongTypeDirect(t *testing.T) {
	ks := keyspace.New(1)
	env := &handler.Env{Keyspace: ks, Config: config.New()}
	now := time.Now().UnixMilli()
	db := ks.DB(0, now)
	wrong := strErr("WRONGTYPE Operation against a key holding the wrong kind of value")
	for _, tc := range []struct{ cmd, want string }{
		{"HSET l f v", wrong},
		{"HSET l f v g", strErr("ERR wrong number of arguments for 'hset' command")},
		{"HMSET l f v", wrong},
		{"HSETNX l f v", wrong},
		{"HGET l f", wrong},
		{"HMGET l f", wrong},
		{"HDEL l f", wrong},
		{"HEXISTS l f", wrong},
		{"HLEN l", wrong},
		{"HSTRLEN l f", wrong},
		{"HKEYS l", wrong},
		{"HVALS l", wrong},
		{"HGETALL l", wrong},
		{"HINCRBY l f 1", wrong},
		{"HINCRBY l f x", strErr("ERR value is not an integer or out of range")},
		{"HINCRBYFLOAT l f 1", wrong},
		{"HINCRBYFLOAT l f inf", strErr("ERR value is NaN or Infinity")},
		{"HRANDFIELD l", wrong},
		{"HRANDFIELD l 2 WITHVALUES", wrong},
		{"HSCAN l 0", wrong},
		{"HSCAN l x", strErr("ERR invalid cursor")},
	} {
		db.Set([]byte("l"), strFake{})
		args := strings.Fields(tc.cmd)
		argv := make([][]byte, len(args))
		for i, a := range args {
			argv[i] = []byte(a)
		}
		spec := command.LookupString(args[0])
		w := resp.NewWriter()
		ctx := &handler.Ctx{Args: argv, Spec: spec, DB: db, Out: w, Env: env, Now: time.UnixMilli(now)}
		handler.Lookup(spec.Name)(ctx)
		if got := string(w.Bytes()); got != tc.want {
			t.Errorf("%s\n got: %q\nwant: %q", tc.cmd, got, tc.want)
		}
		if _, ok := db.Read([]byte("l")).Value.(strFake); !ok {
			t.Errorf("%s changed the key", tc.cmd)
		}
	}
}

// TestHashHotPathAllocs calls the hash handlers directly: reads allocate
// nothing, and neither do HINCRBY and HSET over an existing field (in
// either encoding) when the new value fits where the old one was.
func TestHashHotPathAllocs(t *testing.T) {
	run := directCaller()
	run("HSET", "small", "name", "ember", "n", "100000", "f", "1.5")()
	big := []string{"HSET", "big"}
	for i := 0; i < 1000; i++ {
		big = append(big, "field:"+strconv.Itoa(i), "100000")
	}
	run(big...)()
	for _, key := range []string{"small", "big"} {
		f := "n"
		if key == "big" {
			f = "field:500"
		}
		for _, tc := range []struct {
			cmd []string
			max float64
		}{
			{[]string{"HGET", key, f}, 0},
			{[]string{"HGET", key, "nosuch"}, 0},
			{[]string{"HMGET", key, f, "nosuch"}, 0},
			{[]string{"HEXISTS", key, f}, 0},
			{[]string{"HSTRLEN", key, f}, 0},
			{[]string{"HLEN", key}, 0},
			{[]string{"HINCRBY", key, f, "1"}, 0},
			{[]string{"HSET", key, f, "123456"}, 0},
			{[]string{"HSETNX", key, f, "1"}, 0},
		} {
			if got := testing.AllocsPerRun(200, run(tc.cmd...)); got > tc.max {
				t.Errorf("%v: %v allocations per call, want at most %v", tc.cmd, got, tc.max)
			}
		}
	}
	if got := testing.AllocsPerRun(100, run("HGETALL", "small")); got > 0 {
		t.Errorf("HGETALL of a listpack: %v allocations", got)
	}
}

// Benchmarks through a real server over loopback (see strBench).

func BenchmarkHashHSet(b *testing.B) {
	strBench(b, nil, []string{"HSET", "bench:h", "field", "some value"}, "")
}

func BenchmarkHashHGet(b *testing.B) {
	strBench(b, [][]string{{"HSET", "bench:h", "a", "1", "field", "some value", "z", "2"}},
		[]string{"HGET", "bench:h", "field"}, "$10\r\nsome value\r\n")
}

func BenchmarkHashHGetBig(b *testing.B) {
	setup := []string{"HSET", "bench:big"}
	for i := 0; i < 1000; i++ {
		setup = append(setup, "field:"+strconv.Itoa(i), "v")
	}
	strBench(b, [][]string{setup}, []string{"HGET", "bench:big", "field:500"}, "$1\r\nv\r\n")
}

func BenchmarkHashHIncrBy(b *testing.B) {
	strBench(b, [][]string{{"HSET", "bench:h", "n", "1000000"}}, []string{"HINCRBY", "bench:h", "n", "1"}, "")
}

func BenchmarkHashHGetAll(b *testing.B) {
	strBench(b, [][]string{{"HSET", "bench:h", "a", "1", "b", "2", "c", "3", "d", "4"}},
		[]string{"HGETALL", "bench:h"},
		"*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n")
}

// BenchmarkHashHSetNewFields adds new fields, pipelined 100 at a time:
// each batch fills a fresh listpack hash of 100 fields.
func BenchmarkHashHSetNewFields(b *testing.B) {
	srv := embertest.Run(b)
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReaderSize(conn, 64<<10)
	var batch []byte
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += strBenchPipeline {
		n := min(strBenchPipeline, b.N-done)
		b.StopTimer()
		batch = batch[:0]
		key := "grow:" + strconv.Itoa(done)
		for i := 0; i < n; i++ {
			batch = append(batch, encodeRaw("HSET", key, "field:"+strconv.Itoa(i), "value")...)
		}
		b.StartTimer()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := conn.Write(batch); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < n; i++ {
			line, err := r.ReadSlice('\n')
			if err != nil || string(line) != ":1\r\n" {
				b.Fatalf("reply %q: %v", line, err)
			}
		}
	}
}
