package server

import (
	"bytes"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ember-kv/ember/internal/command"
)

// Bad input must get an error reply, never a panic. These tests throw
// random argument lists at every command in the table through the real
// dispatcher; a handler panic is caught by the dispatcher, logged, and
// turned into "ERR internal error", which these tests treat as a failure.
// The keyspace invariants are checked after every command.

// unsafeForRobustness are commands that would stop, pause or block the
// server under random arguments, or that are slow by design (PFSELFTEST);
// they have dedicated tests.
var unsafeForRobustness = map[string]bool{
	"shutdown": true, "debug": true, "wait": true, "client|pause": true,
	"quit": true, "reset": true, "client|kill": true, "client|reply": true,
	"monitor": true, "subscribe": true, "psubscribe": true, "ssubscribe": true,
	"sync": true, "psync": true, "replicaof": true, "slaveof": true,
	"failover": true, "config|set": true, "config|rewrite": true, "save": true,
	"bgsave": true, "bgrewriteaof": true, "flushall": true, "swapdb": true,
	"pfselftest": true,
}

// robustWords are the arguments random commands are built from: keys,
// numbers at the edges, and the option words of many commands.
var robustWords = []string{
	"k1", "k2", "k3", "{k}", "", "0", "1", "-1", "2", "3", "10", "-10", "100",
	"9223372036854775807", "-9223372036854775808", "9223372036854775808",
	"1.5", "-0.5", "inf", "-inf", "+inf", "nan", "1e308", "(1", "(2", "[a", "(a", "-", "+",
	"0x10", " 1", "abc", "*", "?", "[", "\\", "\x00", "\xff", strings.Repeat("x", 70),
	"EX", "PX", "EXAT", "PXAT", "NX", "XX", "GT", "LT", "CH", "INCR", "KEEPTTL", "GET",
	"PERSIST", "WITHSCORES", "WITHVALUES", "LIMIT", "MATCH", "COUNT", "TYPE", "BYSCORE",
	"BYLEX", "REV", "LEFT", "RIGHT", "BEFORE", "AFTER", "RANK", "MAXLEN", "IDX", "LEN",
	"MINMATCHLEN", "WITHMATCHLEN", "BIT", "BYTE", "AND", "OR", "XOR", "NOT", "OVERFLOW",
	"WRAP", "SAT", "FAIL", "u8", "i16", "i64", "u63", "#1", "SET", "INCRBY", "WEIGHTS",
	"AGGREGATE", "SUM", "MIN", "MAX", "STORE", "BY", "ASC", "DESC", "ALPHA", "DB",
	"REPLACE", "ASYNC", "SYNC", "ENCODING", "FREQ", "IDLETIME", "REFCOUNT", "HELP",
	"ID", "NAME", "string", "list", "hash", "zset", "set",
}

func robustArgs(r *rand.Rand, spec *command.Spec) [][]byte {
	name := strings.ReplaceAll(spec.Name, "|", " ")
	args := [][]byte{}
	for _, p := range strings.Fields(name) {
		args = append(args, []byte(p))
	}
	n := r.IntN(8)
	if spec.Arity > 0 {
		n = spec.Arity - len(args)
		if r.IntN(10) == 0 {
			n += r.IntN(3) - 1
		}
	} else if min := -spec.Arity - len(args); n < min && r.IntN(10) != 0 {
		n = min + r.IntN(4)
	}
	for i := 0; i < n; i++ {
		args = append(args, []byte(robustWords[r.IntN(len(robustWords))]))
	}
	return args
}

func robustSpecs() []*command.Spec {
	var specs []*command.Spec
	for _, s := range command.All() {
		if unsafeForRobustness[s.Name] || s.Flags&command.Blocking != 0 {
			continue
		}
		if len(s.Subs) == 0 {
			specs = append(specs, s)
			continue
		}
		for _, sub := range s.Subs {
			if !unsafeForRobustness[sub.Name] && sub.Flags&command.Blocking == 0 {
				specs = append(specs, sub)
			}
		}
	}
	return specs
}

// panicLog records what the server logs, to spot recovered panics.
type panicLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *panicLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *panicLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func TestRandomCommandsNeverPanic(t *testing.T) {
	seed := uint64(1)
	if s := os.Getenv("EMBER_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	} else {
		seed = rand.Uint64()
	}
	t.Logf("seed=%d (replay with EMBER_SEED=%d)", seed, seed)
	r := rand.New(rand.NewPCG(seed, seed))
	s, c := dispatchClient(t)
	var logs panicLog
	s.log.SetOutput(&logs)
	specs := robustSpecs()
	iterations := 20000
	if testing.Short() {
		iterations = 2000
	}
	for i := 0; i < iterations; i++ {
		spec := specs[r.IntN(len(specs))]
		args := robustArgs(r, spec)
		c.Out.Reset()
		s.dispatch(c, args)
		if bytes.Contains(c.Out.Bytes(), []byte("internal error")) || strings.Contains(logs.String(), "panic in") {
			t.Fatalf("command %q panicked:\n%s", args, logs.String())
		}
		if err := s.ks.Check(); err != nil {
			t.Fatalf("after %q: keyspace invariant broken: %v", args, err)
		}
		if i%500 == 0 {
			s.dispatch(c, [][]byte{[]byte("FLUSHDB")})
		}
	}
}

// FuzzCommand runs fuzzer-chosen arguments through every command.
func FuzzCommand(f *testing.F) {
	f.Add(uint16(0), []byte("k1\x00EX\x0010"))
	f.Add(uint16(7), []byte("k\x00-1\x00WITHSCORES"))
	f.Add(uint16(42), []byte("\x00\x00\x00"))
	specs := robustSpecs()
	s, c := dispatchClient(f)
	var logs panicLog
	s.log.SetOutput(&logs)
	f.Fuzz(func(t *testing.T, which uint16, raw []byte) {
		spec := specs[int(which)%len(specs)]
		args := [][]byte{}
		for _, p := range strings.Fields(strings.ReplaceAll(spec.Name, "|", " ")) {
			args = append(args, []byte(p))
		}
		if len(raw) > 0 {
			args = append(args, bytes.Split(raw, []byte{0})...)
		}
		c.Out.Reset()
		s.dispatch(c, args)
		if strings.Contains(logs.String(), "panic in") {
			t.Fatalf("command %q panicked:\n%s", args, logs.String())
		}
		if err := s.ks.Check(); err != nil {
			t.Fatalf("after %q: %v", args, err)
		}
	})
}
