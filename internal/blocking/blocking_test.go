package blocking

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/value"
)

// blkEnv is a keyspace with its registry, standing in for a server.
type blkEnv struct {
	t   *testing.T
	ks  *keyspace.Keyspace
	reg *Registry
	ids atomic.Int64
}

func newBlkEnv(t *testing.T) *blkEnv {
	ks := keyspace.New(2)
	return &blkEnv{t: t, ks: ks, reg: For(ks)}
}

// blkClient is a client whose connection's far end the test holds.
type blkClient struct {
	c    *client.Client
	peer net.Conn
	fed  []byte
	mu   sync.Mutex
}

func (e *blkEnv) client() *blkClient {
	srv, peer := net.Pipe()
	e.t.Cleanup(func() { srv.Close(); peer.Close() })
	return &blkClient{c: client.New(e.ids.Add(1), srv, time.Now()), peer: peer}
}

func (bc *blkClient) feed(b []byte) {
	bc.mu.Lock()
	bc.fed = append(bc.fed, b...)
	bc.mu.Unlock()
}

// popServe pops one element from the list at key, replying it as a bulk.
func popServe(s *Serve, key []byte) Result {
	e := s.DB.Write(key)
	if e == nil {
		return NotReady
	}
	l, ok := e.Value.(*value.List)
	if !ok || l.Len() == 0 {
		return NotReady
	}
	s.Out.Bulk(l.PopFront())
	if l.Len() == 0 {
		s.DB.Delete(key)
		return ServedLast
	}
	return Served
}

// block registers bc on keys as a handler would, with the keys locked.
func (e *blkEnv) block(bc *blkClient, keys []string, timeout time.Duration, serve ServeFunc, extra ...string) *Waiter {
	var kb, xb [][]byte
	for _, k := range keys {
		kb = append(kb, []byte(k))
	}
	for _, k := range extra {
		xb = append(xb, []byte(k))
	}
	shards := e.shardsOf(append(append([]string(nil), keys...), extra...)...)
	e.ks.Lock(shards)
	e.reg.Block(e.ks, Request{Client: bc.c, Keys: kb, Extra: xb, Timeout: timeout, Serve: serve})
	e.ks.Unlock(shards)
	w := e.reg.Take(bc.c)
	if w == nil {
		e.t.Fatal("no pending waiter after Block")
	}
	return w
}

func (e *blkEnv) shardsOf(keys ...string) []int {
	var set shardBits
	var out []int
	for _, k := range keys {
		sh := e.ks.ShardOf([]byte(k))
		if !set.has(sh) {
			set.add(sh)
			out = append(out, sh)
		}
	}
	for i := range out { // insertion sort: tiny
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// push appends elements to the list at key in db 0 and serves waiters, as
// the dispatcher does after RPUSH.
func (e *blkEnv) push(key string, elems ...string) {
	shards := e.shardsOf(key)
	e.ks.Lock(shards)
	db := e.ks.DB(0, time.Now().UnixMilli())
	var l *value.List
	if ent := db.Write([]byte(key)); ent != nil {
		l = ent.Value.(*value.List)
	} else {
		l = value.NewList()
		db.Set([]byte(key), l)
	}
	for _, v := range elems {
		l.PushBack([]byte(v))
	}
	e.reg.Written(e.ks, shards, false, [][]byte{[]byte(key)}, db.Now)
	e.ks.Unlock(shards)
}

func (e *blkEnv) llen(key string) int {
	shards := e.shardsOf(key)
	e.ks.Lock(shards)
	defer e.ks.Unlock(shards)
	ent := e.ks.DB(0, time.Now().UnixMilli()).Read([]byte(key))
	if ent == nil {
		return 0
	}
	return ent.Value.(*value.List).Len()
}

type waitResult struct {
	out   Outcome
	reply string
}

// wait runs Wait (and Reply) on a goroutine, as the client's connection
// goroutine would.
func (bc *blkClient) wait(w *Waiter) <-chan waitResult {
	ch := make(chan waitResult, 1)
	go func() {
		out := w.Wait(bc.feed, func() int64 { return time.Now().UnixMilli() })
		w.Reply(out, "UNBLOCKED test")
		ch <- waitResult{out, string(bc.c.Out.Bytes())}
	}()
	return ch
}

func recv(t *testing.T, ch <-chan waitResult) waitResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("waiter never finished")
	}
	return waitResult{}
}

func TestServeByPush(t *testing.T) {
	e := newBlkEnv(t)
	bc := e.client()
	w := e.block(bc, []string{"k1", "k2"}, 0, popServe)
	if bc.c.Flags()&client.FlagBlocked == 0 || e.reg.Blocked() != 1 || !Active() {
		t.Fatal("client not marked blocked")
	}
	ch := bc.wait(w)
	e.push("k2", "v")
	r := recv(t, ch)
	if r.out != OutServed || r.reply != "$1\r\nv\r\n" {
		t.Fatalf("got %v %q", r.out, r.reply)
	}
	if e.llen("k2") != 0 || e.reg.Blocked() != 0 || bc.c.Flags()&client.FlagBlocked != 0 {
		t.Fatal("waiter left state behind")
	}
	if bc.c.Unblock(false) {
		t.Fatal("CLIENT UNBLOCK succeeded on a client no longer blocked")
	}
}

func TestServedBeforeWait(t *testing.T) {
	// A push between Block and Wait (the client's goroutine still busy
	// releasing its locks) must not be lost.
	e := newBlkEnv(t)
	bc := e.client()
	w := e.block(bc, []string{"k"}, 0, popServe)
	e.push("k", "early")
	r := recv(t, bc.wait(w))
	if r.out != OutServed || r.reply != "$5\r\nearly\r\n" {
		t.Fatalf("got %v %q", r.out, r.reply)
	}
}

func TestFIFO(t *testing.T) {
	e := newBlkEnv(t)
	var chans []<-chan waitResult
	for i := 0; i < 3; i++ {
		bc := e.client()
		chans = append(chans, bc.wait(e.block(bc, []string{"q"}, 0, popServe)))
	}
	e.push("q", "a", "b")
	if r := recv(t, chans[0]); r.reply != "$1\r\na\r\n" {
		t.Fatalf("first waiter got %q", r.reply)
	}
	if r := recv(t, chans[1]); r.reply != "$1\r\nb\r\n" {
		t.Fatalf("second waiter got %q", r.reply)
	}
	select {
	case r := <-chans[2]:
		t.Fatalf("third waiter served with nothing left: %+v", r)
	case <-time.After(20 * time.Millisecond):
	}
	e.push("q", "c")
	if r := recv(t, chans[2]); r.reply != "$1\r\nc\r\n" {
		t.Fatalf("third waiter got %q", r.reply)
	}
	if e.llen("q") != 0 {
		t.Fatal("element left behind")
	}
}

func TestTimeout(t *testing.T) {
	e := newBlkEnv(t)
	bc := e.client()
	start := time.Now()
	r := recv(t, bc.wait(e.block(bc, []string{"k"}, 30*time.Millisecond, popServe)))
	if r.out != OutTimedOut || r.reply != "*-1\r\n" {
		t.Fatalf("got %v %q", r.out, r.reply)
	}
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Fatalf("timed out after %v", d)
	}
	e.push("k", "x")
	if e.llen("k") != 1 {
		t.Fatal("a timed-out waiter took an element")
	}
}

func TestUnblock(t *testing.T) {
	e := newBlkEnv(t)
	for _, withErr := range []bool{false, true} {
		bc := e.client()
		ch := bc.wait(e.block(bc, []string{"k"}, 0, popServe))
		if !bc.c.Unblock(withErr) {
			t.Fatal("Unblock reported no blocked client")
		}
		r := recv(t, ch)
		want, wantOut := "*-1\r\n", OutUnblockedTimeout
		if withErr {
			want, wantOut = "-UNBLOCKED test\r\n", OutUnblockedError
		}
		if r.out != wantOut || r.reply != want {
			t.Fatalf("withErr=%v: got %v %q", withErr, r.out, r.reply)
		}
	}
}

func TestGoneAndFeed(t *testing.T) {
	e := newBlkEnv(t)
	bc := e.client()
	ch := bc.wait(e.block(bc, []string{"k"}, 0, popServe))
	if _, err := bc.peer.Write([]byte("PING\r\n")); err != nil {
		t.Fatal(err)
	}
	bc.peer.Close()
	r := recv(t, ch)
	if r.out != OutGone || r.reply != "" {
		t.Fatalf("got %v %q", r.out, r.reply)
	}
	bc.mu.Lock()
	fed := string(bc.fed)
	bc.mu.Unlock()
	if fed != "PING\r\n" {
		t.Fatalf("fed %q", fed)
	}
	e.push("k", "x")
	if e.llen("k") != 1 || e.reg.Blocked() != 0 {
		t.Fatal("a disconnected waiter took an element or stayed registered")
	}
}

// TestRetryWhenShardBusy makes a serve need a key whose shard someone else
// holds: the waiter serves itself once the shard is free.
func TestRetryWhenShardBusy(t *testing.T) {
	e := newBlkEnv(t)
	src, dst := "src", ""
	for i := 0; ; i++ {
		dst = "dst" + strconv.Itoa(i)
		if e.ks.ShardOf([]byte(dst)) != e.ks.ShardOf([]byte(src)) {
			break
		}
	}
	move := func(s *Serve, key []byte) Result {
		l := s.DB.Write(key)
		if l == nil {
			return NotReady
		}
		if !s.Lock([]byte(dst)) {
			return Retry
		}
		v := append([]byte(nil), l.Value.(*value.List).PopFront()...)
		if l.Value.(*value.List).Len() == 0 {
			s.DB.Delete(key)
		}
		nl := value.NewList()
		nl.PushBack(v)
		s.DB.Set([]byte(dst), nl)
		s.Out.Bulk(v)
		return ServedLast
	}
	bc := e.client()
	ch := bc.wait(e.block(bc, []string{src}, 0, move, dst))
	busy := e.shardsOf(dst)
	e.ks.Lock(busy)
	e.push(src, "x") // the serve cannot lock dst: the waiter retries
	select {
	case r := <-ch:
		t.Fatalf("served while dst's shard was held: %+v", r)
	case <-time.After(20 * time.Millisecond):
	}
	e.ks.Unlock(busy)
	r := recv(t, ch)
	if r.out != OutServed || r.reply != "$1\r\nx\r\n" || e.llen(dst) != 1 || e.llen(src) != 0 {
		t.Fatalf("got %v %q, dst %d src %d", r.out, r.reply, e.llen(dst), e.llen(src))
	}
}

func TestParseTimeout(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"0", 0, ""},
		{"1", time.Second, ""},
		{"0.05", 50 * time.Millisecond, ""},
		{"0.0001", time.Millisecond, ""}, // rounded up
		{"-0.0001", 0, ""},               // rounds up to 0: forever
		{"-0.001", 0, ""},                // -0.99999... ms in long double
		{"1e-400", time.Millisecond, ""}, // a long double subnormal
		{"0x10", 16 * time.Second, ""},   // hexadecimal
		{"1.5e-3", 2 * time.Millisecond, ""},
		{"-1", 0, "ERR timeout is negative"},
		{"inf", 0, "ERR timeout is negative"},
		{"-inf", 0, "ERR timeout is negative"},
		{"1e300", 0, "ERR timeout is negative"},
		{"9223372036854775.808", 0, "ERR timeout is negative"},
		{"9223372036854775.807", 0, ""}, // beyond the clock: forever
		{"abc", 0, "ERR timeout is not a float or out of range"},
		{" 1", 0, "ERR timeout is not a float or out of range"},
		{"", 0, "ERR timeout is not a float or out of range"},
		{"nan", 0, "ERR timeout is not a float or out of range"},
		{"1e5000", 0, "ERR timeout is not a float or out of range"},
	}
	for _, c := range cases {
		d, err := ParseTimeout([]byte(c.in))
		if d != c.want || err != c.err {
			t.Errorf("ParseTimeout(%q) = %v, %q; want %v, %q", c.in, d, err, c.want, c.err)
		}
	}
}

// TestStress runs blocked clients, pushers, timeouts and disconnects
// concurrently: every pushed element must end up either delivered to
// exactly one waiter or still in a list.
func TestStress(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed=%d", seed)
	e := newBlkEnv(t)
	keys := []string{"s0", "s1", "s2", "s3"}
	const waiters, pushes = 200, 300
	var delivered sync.Map
	var wg sync.WaitGroup
	for i := 0; i < waiters; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(i)))
			bc := e.client()
			ks := []string{keys[r.IntN(len(keys))], keys[r.IntN(len(keys))]}
			timeout := time.Duration(0)
			if r.IntN(3) == 0 {
				timeout = time.Duration(1+r.IntN(20)) * time.Millisecond
			}
			ch := bc.wait(e.block(bc, ks, timeout, popServe))
			switch r.IntN(5) {
			case 0:
				bc.peer.Close()
			case 1:
				bc.c.Unblock(r.IntN(2) == 0)
			}
			if timeout == 0 && !bc.c.Killed() {
				// Make sure it ends: unblock after a while.
				go func() {
					time.Sleep(time.Duration(50+r.IntN(50)) * time.Millisecond)
					bc.c.Unblock(false)
				}()
			}
			res := recv(t, ch)
			if res.out == OutServed {
				if _, dup := delivered.LoadOrStore(res.reply, i); dup {
					t.Errorf("element %q delivered twice", res.reply)
				}
			}
		}(i)
	}
	for p := 0; p < pushes; p++ {
		e.push(keys[p%len(keys)], fmt.Sprintf("e%d", p))
		if p%50 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	wg.Wait()
	n := 0
	delivered.Range(func(_, _ any) bool { n++; return true })
	left := 0
	for _, k := range keys {
		left += e.llen(k)
	}
	if n+left != pushes {
		t.Fatalf("%d delivered + %d left != %d pushed", n, left, pushes)
	}
	if e.reg.Blocked() != 0 {
		t.Fatalf("%d waiters still registered", e.reg.Blocked())
	}
}

// TestStressMove mixes popping waiters with moving ones (which need a
// second key, often in another shard, and so go through Serve.Lock and
// Retry), while other goroutines hold random shards: elements are never
// lost or duplicated.
func TestStressMove(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed=%d", seed)
	e := newBlkEnv(t)
	keys := []string{"m0", "m1", "m2", "m3", "m4", "m5"}
	const waiters, pushes = 150, 200
	stop := make(chan struct{})
	var holders sync.WaitGroup
	for h := 0; h < 2; h++ {
		holders.Add(1)
		go func(h int) {
			defer holders.Done()
			r := rand.New(rand.NewPCG(seed, uint64(1000+h)))
			for {
				select {
				case <-stop:
					return
				default:
				}
				sh := []int{e.ks.ShardOf([]byte(keys[r.IntN(len(keys))]))}
				e.ks.Lock(sh)
				time.Sleep(time.Duration(r.IntN(200)) * time.Microsecond)
				e.ks.Unlock(sh)
			}
		}(h)
	}
	var delivered sync.Map
	var wg sync.WaitGroup
	var retries, moves atomic.Int64
	for i := 0; i < waiters; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(i)))
			bc := e.client()
			src := keys[r.IntN(len(keys))]
			serve, extra := ServeFunc(popServe), []string(nil)
			if r.IntN(2) == 0 {
				dst := keys[r.IntN(len(keys))]
				extra = []string{dst}
				serve = func(s *Serve, key []byte) Result {
					ent := s.DB.Write(key)
					if ent == nil {
						return NotReady
					}
					l, ok := ent.Value.(*value.List)
					if !ok || l.Len() == 0 {
						return NotReady
					}
					if !s.Lock([]byte(dst)) {
						retries.Add(1)
						return Retry
					}
					moves.Add(1)
					v := append([]byte(nil), l.PopFront()...)
					var dl *value.List
					if de := s.DB.Write([]byte(dst)); de != nil {
						dl = de.Value.(*value.List)
					} else {
						dl = value.NewList()
						s.DB.Set([]byte(dst), dl)
					}
					dl.PushBack(v)
					s.Out.Simple("moved")
					s.Signal([]byte(dst))
					if l.Len() == 0 {
						s.DB.Delete(key)
						return ServedLast
					}
					return Served
				}
			}
			ch := bc.wait(e.block(bc, []string{src}, time.Duration(20+r.IntN(80))*time.Millisecond, serve, extra...))
			res := recv(t, ch)
			if res.out == OutServed && res.reply != "+moved\r\n" {
				if _, dup := delivered.LoadOrStore(res.reply, i); dup {
					t.Errorf("element %q delivered twice", res.reply)
				}
			}
		}(i)
	}
	for p := 0; p < pushes; p++ {
		e.push(keys[p%len(keys)], fmt.Sprintf("e%d", p))
		if p%20 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	wg.Wait()
	close(stop)
	holders.Wait()
	n := 0
	delivered.Range(func(_, _ any) bool { n++; return true })
	left := 0
	for _, k := range keys {
		left += e.llen(k)
	}
	t.Logf("%d moves, %d retries, %d popped, %d left", moves.Load(), retries.Load(), n, left)
	if n+left != pushes {
		t.Fatalf("%d delivered + %d left != %d pushed", n, left, pushes)
	}
	if e.reg.Blocked() != 0 {
		t.Fatalf("%d waiters still registered", e.reg.Blocked())
	}
}
