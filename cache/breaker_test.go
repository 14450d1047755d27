package cache

import (
	"context"
	"errors"
	"net"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/ember-kv/ember"
	"github.com/ember-kv/ember/tests/compat"
	"github.com/redis/go-redis/v9"
)

func TestBreakerConsecutive(t *testing.T) {
	clk := newManualClock()
	var changes []string
	b := newBreaker(BreakerOptions{Failures: 3, CoolDown: time.Minute}, clk.Now, func(from, to BreakerState) {
		changes = append(changes, from.String()+">"+to.String())
	})
	call := func(outcome int) bool {
		ok, probe := b.allow()
		if ok {
			b.record(probe, outcome)
		}
		return ok
	}
	// Failures must be consecutive: a success resets the count.
	for _, o := range []int{outcomeFailure, outcomeFailure, outcomeSuccess, outcomeFailure, outcomeFailure, outcomeNeutral} {
		if !call(o) {
			t.Fatal("closed breaker refused a call")
		}
	}
	if s := BreakerState(b.state.Load()); s != BreakerClosed {
		t.Fatalf("state = %v after 2 consecutive failures, want closed", s)
	}
	call(outcomeFailure)
	if s := BreakerState(b.state.Load()); s != BreakerOpen {
		t.Fatalf("state = %v after 3 consecutive failures, want open", s)
	}
	if call(outcomeSuccess) {
		t.Fatal("open breaker let a call through before the cool-down")
	}

	// After the cool-down exactly one probe goes through.
	clk.Advance(time.Minute)
	ok, probe := b.allow()
	if !ok || !probe {
		t.Fatalf("after cool-down: allow = %v, probe = %v; want a probe", ok, probe)
	}
	if ok2, _ := b.allow(); ok2 {
		t.Fatal("second call allowed while the probe is in flight")
	}
	b.record(true, outcomeFailure) // the probe fails: open again
	if s := BreakerState(b.state.Load()); s != BreakerOpen {
		t.Fatalf("state = %v after a failed probe, want open", s)
	}
	if call(outcomeSuccess) {
		t.Fatal("breaker let a call through right after a failed probe")
	}
	clk.Advance(time.Minute)
	ok, probe = b.allow()
	if !ok || !probe {
		t.Fatal("no probe after the second cool-down")
	}
	b.record(true, outcomeNeutral) // no verdict: the next call probes
	ok, probe = b.allow()
	if !ok || !probe {
		t.Fatal("no probe after a probe without verdict")
	}
	b.record(true, outcomeSuccess)
	if s := BreakerState(b.state.Load()); s != BreakerClosed {
		t.Fatalf("state = %v after a good probe, want closed", s)
	}
	// The consecutive count starts again from zero.
	call(outcomeFailure)
	call(outcomeFailure)
	if s := BreakerState(b.state.Load()); s != BreakerClosed {
		t.Fatalf("state = %v, want closed", s)
	}
	want := []string{"closed>open", "open>half-open", "half-open>open", "open>half-open", "open>half-open", "half-open>closed"}
	if len(changes) != len(want) {
		t.Fatalf("transitions = %q, want %q", changes, want)
	}
	for i := range want {
		if changes[i] != want[i] {
			t.Fatalf("transitions = %q, want %q", changes, want)
		}
	}
	if b.opens.Load() != 2 {
		t.Fatalf("opens = %d, want 2", b.opens.Load())
	}
}

func TestBreakerFailureRate(t *testing.T) {
	clk := newManualClock()
	b := newBreaker(BreakerOptions{Failures: 100, FailureRate: 0.5, Window: 4}, clk.Now, nil)
	// Alternating outcomes never make 100 in a row but are a 50% rate;
	// the rate is judged only with a full window.
	outcomes := []int{outcomeFailure, outcomeSuccess, outcomeFailure}
	for _, o := range outcomes {
		b.record(false, o)
	}
	if BreakerState(b.state.Load()) != BreakerClosed {
		t.Fatal("opened before the window filled")
	}
	b.record(false, outcomeSuccess) // window full: 2 of 4 failed
	if BreakerState(b.state.Load()) != BreakerOpen {
		t.Fatal("did not open at a 50% failure rate")
	}

	// A window of mostly successes stays closed.
	b2 := newBreaker(BreakerOptions{FailureRate: 0.5, Window: 4}, clk.Now, nil)
	for range 20 {
		b2.record(false, outcomeSuccess)
		b2.record(false, outcomeSuccess)
		b2.record(false, outcomeSuccess)
		b2.record(false, outcomeFailure)
	}
	if BreakerState(b2.state.Load()) != BreakerClosed {
		t.Fatal("opened at a 25% failure rate")
	}
	// Disabled.
	b3 := newBreaker(BreakerOptions{Failures: -1}, clk.Now, nil)
	for range 100 {
		b3.record(false, outcomeFailure)
	}
	if ok, _ := b3.allow(); !ok {
		t.Fatal("disabled breaker refused a call")
	}
}

func TestClassify(t *testing.T) {
	ctx := context.Background()
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	cases := []struct {
		ctx  context.Context
		err  error
		want int
	}{
		{ctx, nil, outcomeSuccess},
		{ctx, redis.Nil, outcomeSuccess},
		{ctx, errors.New("dial tcp: connection refused"), outcomeFailure},
		{ctx, context.DeadlineExceeded, outcomeFailure},
		{canceled, context.Canceled, outcomeNeutral},
		{canceled, errors.New("i/o timeout"), outcomeNeutral},
		{ctx, replyErr("WRONGTYPE Operation against a key holding the wrong kind of value"), outcomeSuccess},
		{ctx, replyErr("LOADING Redis is loading the dataset in memory"), outcomeFailure},
		{ctx, replyErr("CLUSTERDOWN The cluster is down"), outcomeFailure},
	}
	for _, tc := range cases {
		if got := classify(tc.ctx, tc.err); got != tc.want {
			t.Errorf("classify(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

// restartable is a cache server on a fixed port that a test can stop and
// start again: an embedded Ember, or a real redis-server.
type restartable interface {
	addr() string
	stop(t *testing.T)
	start(t *testing.T)
}

type emberServer struct {
	address string
	srv     *ember.Server
}

func newEmberServer(t *testing.T) *emberServer {
	t.Helper()
	s := &emberServer{}
	srv, err := ember.Start(ember.Config{})
	if err != nil {
		t.Fatal(err)
	}
	s.address, s.srv = srv.Addr(), srv
	t.Cleanup(func() {
		if s.srv != nil {
			s.srv.Close()
		}
	})
	return s
}

func (s *emberServer) addr() string { return s.address }

func (s *emberServer) stop(t *testing.T) {
	s.srv.Close()
	s.srv = nil
}

func (s *emberServer) start(t *testing.T) {
	t.Helper()
	// The port was just released; retry briefly in case it lingers.
	var err error
	for range 50 {
		if s.srv, err = ember.Start(ember.Config{Addr: s.address}); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("restart on %s: %v", s.address, err)
}

// realRedis is a redis-server: started by compat.StartRedis, then, after a
// stop, by hand on the same port (StartRedis always picks a free one).
type realRedis struct {
	first   *compat.Redis
	address string
	cmd     *exec.Cmd
}

// newRealRedis starts a redis-server, skipping the test when there is none.
func newRealRedis(t *testing.T) *realRedis {
	t.Helper()
	r, err := compat.StartRedis()
	if err != nil {
		t.Skipf("real redis-server: %v", err)
	}
	s := &realRedis{first: r, address: r.Addr}
	t.Cleanup(func() {
		if s.first != nil {
			s.first.Stop()
		}
		if s.cmd != nil {
			s.cmd.Process.Kill()
			s.cmd.Wait()
		}
	})
	return s
}

func (s *realRedis) addr() string { return s.address }

func (s *realRedis) stop(t *testing.T) {
	t.Helper()
	if s.first != nil {
		s.first.Stop()
		s.first = nil
	} else {
		s.cmd.Process.Kill()
		s.cmd.Wait()
		s.cmd = nil
	}
}

func (s *realRedis) start(t *testing.T) {
	t.Helper()
	_, port, _ := net.SplitHostPort(s.address)
	s.cmd = exec.Command("redis-server", "--port", port, "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir(), "--logfile", "")
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("restart redis-server: %v", err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: s.address, MaxRetries: -1})
	defer rdb.Close()
	waitFor(t, "redis-server to restart", func() bool {
		return rdb.Ping(context.Background()).Err() == nil
	})
}

// TestBreakerOutage: the cache server stops mid-test; GetOrLoad keeps
// serving from the loader, the breaker opens and then skips Redis, a probe
// after the cool-down fails while it is down, and once the server is back
// the next probe closes the breaker and caching resumes.
func TestBreakerOutage(t *testing.T) {
	t.Run("ember", func(t *testing.T) { testBreakerOutage(t, newEmberServer(t)) })
	t.Run("redis", func(t *testing.T) { testBreakerOutage(t, newRealRedis(t)) })
}

func testBreakerOutage(t *testing.T, srv restartable) {
	rdb := fastFailClient(t, srv.addr())
	ctx := testCtx(t)
	clk := newManualClock()
	var log errorLog
	c := New(rdb, Options{
		Prefix:  "t:",
		Clock:   clk.Now,
		Breaker: BreakerOptions{Failures: 3, CoolDown: time.Minute},
		OnError: log.record,
	})
	var calls int
	loader := func(context.Context) (product, error) { calls++; return lamp, nil }
	get := func(step string) {
		t.Helper()
		got, err := GetOrLoad(ctx, c, "product:1", time.Hour, loader)
		if err != nil || got != lamp {
			t.Fatalf("%s: GetOrLoad = %+v, %v; want the value", step, got, err)
		}
	}

	get("cold")
	get("warm")
	if calls != 1 {
		t.Fatalf("loader ran %d times while the cache was up, want 1", calls)
	}

	srv.stop(t)
	for i := range 3 {
		get("server down")
		if calls != 2+i {
			t.Fatalf("loader ran %d times, want %d", calls, 2+i)
		}
	}
	s := c.Stats()
	if s.Breaker != BreakerOpen || s.BreakerOpens != 1 || s.Degraded != 3 || s.Errors != 3 {
		t.Fatalf("after 3 failures: Stats = %+v; want breaker open, 1 open, 3 degraded, 3 errors", s)
	}
	// Open: calls skip Redis (no error, no report).
	for range 5 {
		get("breaker open")
	}
	if _, err := Get[product](ctx, c, "product:1"); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("Get while open: err = %v, want ErrCircuitOpen", err)
	}
	if err := c.Set(ctx, "product:1", lamp, 0); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("Set while open: err = %v, want ErrCircuitOpen", err)
	}
	if err := c.Delete(ctx, "product:1"); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("Delete while open: err = %v, want ErrCircuitOpen", err)
	}
	s = c.Stats()
	if s.Skipped != 8 || s.Errors != 3 || s.Degraded != 3 || calls != 9 {
		t.Fatalf("while open: Stats = %+v, calls = %d; want 8 skipped, still 3 errors, 9 calls", s, calls)
	}

	// Cool-down over, server still down: the probe fails, open again.
	clk.Advance(time.Minute)
	get("probe while down")
	if s = c.Stats(); s.Breaker != BreakerOpen || s.BreakerOpens != 2 || s.Errors != 4 {
		t.Fatalf("after a failed probe: Stats = %+v; want open, 2 opens, 4 errors", s)
	}

	srv.start(t)
	get("back, still cooling down")
	if s = c.Stats(); s.Breaker != BreakerOpen || s.Skipped != 9 {
		t.Fatalf("before the cool-down ends: Stats = %+v; want open, 9 skipped", s)
	}
	clk.Advance(time.Minute)
	get("probe") // the probe misses (a fresh server), loads and stores
	if s = c.Stats(); s.Breaker != BreakerClosed {
		t.Fatalf("after a good probe: breaker %v, want closed", s.Breaker)
	}
	before := calls
	get("cached again")
	if calls != before {
		t.Fatal("value not cached after the breaker closed")
	}
	reports := log.get()
	var breakerReports int
	for _, r := range reports {
		if r == "breaker " {
			breakerReports++
		}
	}
	if breakerReports != 2 {
		t.Fatalf("OnError reports = %q, want 2 breaker openings", reports)
	}
}

// TestTimeout: a server that accepts connections and never answers costs
// each call Options.Timeout, not the client's read timeout, and the
// breaker then stops paying even that.
func TestTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn) // read nothing, answer nothing
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})

	rdb := redis.NewClient(&redis.Options{
		Addr:                  ln.Addr().String(),
		ReadTimeout:           10 * time.Second,
		MaxRetries:            -1,
		ContextTimeoutEnabled: true,
		Protocol:              2,
		DisableIdentity:       true,
	})
	t.Cleanup(func() { rdb.Close() })
	ctx := testCtx(t)
	c := New(rdb, Options{Timeout: 50 * time.Millisecond, Breaker: BreakerOptions{Failures: 2}})
	start := time.Now()
	for range 4 {
		got, err := GetOrLoad(ctx, c, "k", 0, func(context.Context) (product, error) { return lamp, nil })
		if err != nil || got != lamp {
			t.Fatalf("GetOrLoad = %+v, %v", got, err)
		}
	}
	// Two timeouts open the breaker; the other two calls skip Redis.
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("4 calls took %v: the 50ms Timeout was not applied", el)
	}
	if s := c.Stats(); s.Errors != 2 || s.Skipped != 2 || s.Breaker != BreakerOpen || s.Loads != 4 {
		t.Fatalf("Stats = %+v; want 2 errors, 2 skipped, breaker open, 4 loads", s)
	}
}

// replyErr is an error reply from the server, as go-redis reports one.
type replyErr string

func (e replyErr) Error() string { return string(e) }
func (replyErr) RedisError()     {}
