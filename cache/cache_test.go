package cache

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ember-kv/ember"
	"github.com/ember-kv/ember/embertest"
	"github.com/redis/go-redis/v9"
)

type product struct {
	ID    int    `json:"id"`
	Name  string `json:"name"`
	Price int    `json:"price"`
}

var lamp = product{ID: 1, Name: "Desk lamp", Price: 2999}

// newServer starts an Ember server on a manual clock: TTLs read back exactly
// and expire only when the test advances the clock.
func newServer(t *testing.T) (*ember.Server, *embertest.Clock) {
	t.Helper()
	clk := embertest.NewClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	return embertest.Run(t, ember.Config{Clock: clk}), clk
}

func newClient(t *testing.T, addr string) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// errorLog collects OnError reports.
type errorLog struct {
	mu  sync.Mutex
	ops []string
}

func (l *errorLog) record(_ context.Context, op, key string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ops = append(l.ops, op+" "+key)
}

func (l *errorLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.ops...)
}

func pttl(t *testing.T, rdb *redis.Client, key string) time.Duration {
	t.Helper()
	d, err := rdb.PTTL(context.Background(), key).Result()
	if err != nil {
		t.Fatalf("PTTL %s: %v", key, err)
	}
	return d
}

func exists(t *testing.T, rdb *redis.Client, key string) bool {
	t.Helper()
	n, err := rdb.Exists(context.Background(), key).Result()
	if err != nil {
		t.Fatalf("EXISTS %s: %v", key, err)
	}
	return n == 1
}

// manualClock is a client-side clock for Options.Clock that moves only when
// told to.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func newManualClock() *manualClock {
	return &manualClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (m *manualClock) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.t
}

func (m *manualClock) Advance(d time.Duration) {
	m.mu.Lock()
	m.t = m.t.Add(d)
	m.mu.Unlock()
}

// waitFor polls cond until it holds, failing the test after 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// fastFailClient is a client that gives up quickly on a dead server: one
// dial attempt, short timeouts, no retries.
func fastFailClient(t *testing.T, addr string) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{
		Addr:          addr,
		DialTimeout:   200 * time.Millisecond,
		ReadTimeout:   200 * time.Millisecond,
		WriteTimeout:  200 * time.Millisecond,
		MaxRetries:    -1,
		DialerRetries: 1,
	})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

func TestGetSetDelete(t *testing.T) {
	srv, _ := newServer(t)
	rdb := newClient(t, srv.Addr())
	c := New(rdb, Options{Prefix: "shop:"})
	ctx := testCtx(t)

	if _, err := Get[product](ctx, c, "product:1"); !errors.Is(err, ErrMiss) {
		t.Fatalf("Get on empty cache: err = %v, want ErrMiss", err)
	}
	if err := c.Set(ctx, "product:1", lamp, time.Minute); err != nil {
		t.Fatalf("Set: %v", err)
	}
	got, err := Get[product](ctx, c, "product:1")
	if err != nil || got != lamp {
		t.Fatalf("Get = %+v, %v; want %+v", got, err, lamp)
	}
	// Stored under the prefix as plain JSON, readable by any client.
	raw, err := rdb.Get(ctx, "shop:product:1").Result()
	if err != nil || raw != `{"id":1,"name":"Desk lamp","price":2999}` {
		t.Fatalf("raw value = %q, %v", raw, err)
	}
	if err := c.Set(ctx, "product:2", product{ID: 2}, time.Minute); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if err := c.Delete(ctx, "product:1", "product:2", "absent"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	for _, k := range []string{"product:1", "product:2"} {
		if _, err := Get[product](ctx, c, k); !errors.Is(err, ErrMiss) {
			t.Fatalf("Get %s after Delete: err = %v, want ErrMiss", k, err)
		}
	}
	if err := c.Delete(ctx); err != nil {
		t.Fatalf("Delete(): %v", err)
	}
	if err := c.Delete(ctx, "absent"); err != nil {
		t.Fatalf("Delete absent: %v", err)
	}
	if s := c.Stats(); s.Hits != 1 || s.Misses != 3 || s.Loads != 0 {
		t.Fatalf("Stats = %+v, want 1 hit, 3 misses", s)
	}

	// A value the codec cannot encode is an error, and nothing is stored.
	if err := c.Set(ctx, "bad", func() {}, time.Minute); err == nil {
		t.Fatal("Set of a func: no error")
	}
	// A value that does not decode as T is an error from Get.
	if err := rdb.Set(ctx, "shop:garbage", "not json{", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := Get[product](ctx, c, "garbage"); err == nil || errors.Is(err, ErrMiss) {
		t.Fatalf("Get of undecodable value: err = %v, want a decode error", err)
	}
}

func TestTTL(t *testing.T) {
	srv, clk := newServer(t)
	rdb := newClient(t, srv.Addr())
	ctx := testCtx(t)
	c := New(rdb, Options{Prefix: "t:"})

	if err := c.Set(ctx, "ten", lamp, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if d := pttl(t, rdb, "t:ten"); d != 10*time.Second {
		t.Fatalf("PTTL with explicit TTL = %v, want 10s", d)
	}
	if err := c.Set(ctx, "default", lamp, 0); err != nil {
		t.Fatal(err)
	}
	if d := pttl(t, rdb, "t:default"); d != DefaultTTL {
		t.Fatalf("PTTL with TTL 0 = %v, want DefaultTTL %v", d, DefaultTTL)
	}
	if _, err := GetOrLoad(ctx, c, "loaded", 0, func(context.Context) (product, error) { return lamp, nil }); err != nil {
		t.Fatal(err)
	}
	if d := pttl(t, rdb, "t:loaded"); d != DefaultTTL {
		t.Fatalf("PTTL after GetOrLoad with TTL 0 = %v, want %v", d, DefaultTTL)
	}
	c2 := New(rdb, Options{Prefix: "t2:", DefaultTTL: 5 * time.Minute})
	if err := c2.Set(ctx, "k", lamp, -1); err != nil {
		t.Fatal(err)
	}
	if d := pttl(t, rdb, "t2:k"); d != 5*time.Minute {
		t.Fatalf("PTTL with Options.DefaultTTL = %v, want 5m", d)
	}

	// The value expires with the server's clock.
	clk.Advance(10*time.Second + time.Millisecond)
	if _, err := Get[product](ctx, c, "ten"); !errors.Is(err, ErrMiss) {
		t.Fatalf("Get after TTL: err = %v, want ErrMiss", err)
	}

	// With jitter, every TTL stays within ±10%.
	cj := New(rdb, Options{Prefix: "j:", Jitter: 0.1})
	for i := range 50 {
		key := fmt.Sprint("k", i)
		if err := cj.Set(ctx, key, i, 100*time.Second); err != nil {
			t.Fatal(err)
		}
		if d := pttl(t, rdb, "j:"+key); d < 90*time.Second || d > 110*time.Second {
			t.Fatalf("jittered PTTL = %v, want within [90s, 110s]", d)
		}
	}
}

func TestJitterDeterministic(t *testing.T) {
	srv, _ := newServer(t)
	rdb := newClient(t, srv.Addr())
	ctx := testCtx(t)
	const n, ttl = 50, 100 * time.Second

	ttls := func(prefix string) []time.Duration {
		c := New(rdb, Options{Prefix: prefix, Jitter: 0.1, Rand: rand.NewPCG(42, 7)})
		var out []time.Duration
		for i := range n {
			key := fmt.Sprint("k", i)
			if err := c.Set(ctx, key, i, ttl); err != nil {
				t.Fatal(err)
			}
			out = append(out, pttl(t, rdb, prefix+key))
		}
		return out
	}
	a, b := ttls("a:"), ttls("b:")
	distinct := map[time.Duration]bool{}
	lo, hi := ttl, ttl
	for i := range n {
		if a[i] != b[i] {
			t.Fatalf("key %d: TTL %v with one seeded cache, %v with the other", i, a[i], b[i])
		}
		if a[i] < 90*time.Second || a[i] > 110*time.Second {
			t.Fatalf("key %d: TTL %v outside ±10%% of %v", i, a[i], ttl)
		}
		distinct[a[i]] = true
		lo, hi = min(lo, a[i]), max(hi, a[i])
	}
	// The point of jitter: the TTLs are spread, not synchronised.
	if len(distinct) < n-5 || lo > 95*time.Second || hi < 105*time.Second {
		t.Fatalf("TTLs not spread: %d distinct, range [%v, %v]", len(distinct), lo, hi)
	}
}

func TestNegativeCaching(t *testing.T) {
	srv, clk := newServer(t)
	rdb := newClient(t, srv.Addr())
	ctx := testCtx(t)
	c := New(rdb, Options{Prefix: "t:", NegativeTTL: 30 * time.Second})

	var calls atomic.Int64
	loader := func(context.Context) (product, error) {
		calls.Add(1)
		return product{}, fmt.Errorf("product 7: %w", ErrNotFound)
	}
	_, err := GetOrLoad(ctx, c, "product:7", time.Minute, loader)
	if !errors.Is(err, ErrNotFound) || err.Error() != "product 7: cache: not found" {
		t.Fatalf("first GetOrLoad: err = %v, want the loader's ErrNotFound", err)
	}
	if d := pttl(t, rdb, "t:product:7"); d != 30*time.Second {
		t.Fatalf("negative marker PTTL = %v, want 30s", d)
	}
	for range 3 {
		if _, err := GetOrLoad(ctx, c, "product:7", time.Minute, loader); !errors.Is(err, ErrNotFound) {
			t.Fatalf("cached GetOrLoad: err = %v, want ErrNotFound", err)
		}
	}
	if _, err := Get[product](ctx, c, "product:7"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of negative-cached key: err = %v, want ErrNotFound", err)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("loader ran %d times, want 1", n)
	}
	if s := c.Stats(); s.NegativeHits != 4 || s.Hits != 4 || s.Loads != 1 || s.LoadErrors != 0 {
		t.Fatalf("Stats = %+v", s)
	}

	// The marker expires...
	clk.Advance(30*time.Second + time.Millisecond)
	if _, err := GetOrLoad(ctx, c, "product:7", time.Minute, loader); !errors.Is(err, ErrNotFound) || calls.Load() != 2 {
		t.Fatalf("after NegativeTTL: err = %v, calls = %d; want ErrNotFound, 2", err, calls.Load())
	}
	// ...and Delete invalidates it.
	if err := c.Delete(ctx, "product:7"); err != nil {
		t.Fatal(err)
	}
	if _, err := GetOrLoad(ctx, c, "product:7", time.Minute, loader); !errors.Is(err, ErrNotFound) || calls.Load() != 3 {
		t.Fatalf("after Delete: err = %v, calls = %d; want ErrNotFound, 3", err, calls.Load())
	}

	// A negative NegativeTTL turns negative caching off.
	off := New(rdb, Options{Prefix: "off:", NegativeTTL: -1})
	for i := range 2 {
		if _, err := GetOrLoad(ctx, off, "product:7", time.Minute, loader); !errors.Is(err, ErrNotFound) {
			t.Fatalf("call %d: err = %v", i, err)
		}
	}
	if calls.Load() != 5 || exists(t, rdb, "off:product:7") {
		t.Fatalf("with negative caching off: calls = %d (want 5), marker stored = %v", calls.Load(), exists(t, rdb, "off:product:7"))
	}
}

func TestLoaderErrorNotCached(t *testing.T) {
	srv, _ := newServer(t)
	rdb := newClient(t, srv.Addr())
	ctx := testCtx(t)
	c := New(rdb, Options{Prefix: "t:"})
	dbDown := errors.New("db down")
	var calls int
	loader := func(context.Context) (product, error) { calls++; return product{}, dbDown }
	for i := range 2 {
		if _, err := GetOrLoad(ctx, c, "k", time.Minute, loader); !errors.Is(err, dbDown) {
			t.Fatalf("call %d: err = %v, want the loader's error", i, err)
		}
	}
	if calls != 2 || exists(t, rdb, "t:k") {
		t.Fatalf("calls = %d (want 2), key stored = %v (want false)", calls, exists(t, rdb, "t:k"))
	}
	if s := c.Stats(); s.Loads != 2 || s.LoadErrors != 2 {
		t.Fatalf("Stats = %+v, want 2 loads, 2 load errors", s)
	}
}

func TestGetOrLoadHitAndUndecodable(t *testing.T) {
	srv, _ := newServer(t)
	rdb := newClient(t, srv.Addr())
	ctx := testCtx(t)
	var log errorLog
	c := New(rdb, Options{Prefix: "t:", OnError: log.record})
	var calls int
	loader := func(context.Context) (product, error) { calls++; return lamp, nil }

	// A value that no longer decodes (e.g. written by an older version) is
	// reported and replaced, not returned as an error.
	if err := rdb.Set(ctx, "t:p", `{"id":"not a number"}`, 0).Err(); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		got, err := GetOrLoad(ctx, c, "p", time.Minute, loader)
		if err != nil || got != lamp {
			t.Fatalf("GetOrLoad = %+v, %v", got, err)
		}
	}
	if calls != 1 {
		t.Fatalf("loader ran %d times, want 1", calls)
	}
	if ops := log.get(); len(ops) != 1 || ops[0] != "decode p" {
		t.Fatalf("OnError reports = %q, want [decode p]", ops)
	}
	if s := c.Stats(); s.Hits != 2 || s.Misses != 1 || s.Loads != 1 || s.Degraded != 1 {
		t.Fatalf("Stats = %+v", s)
	}
}

// TestStampede: 1,000 goroutines miss a cold key at once; the loader runs
// once and every caller gets its value.
func TestStampede(t *testing.T) {
	srv, _ := newServer(t)
	rdb := newClient(t, srv.Addr())
	ctx := testCtx(t)
	// A generous Timeout: 1,000 callers queue for go-redis's 20 pooled
	// connections, longer than the default 100ms on a loaded machine.
	c := New(rdb, Options{Prefix: "t:", Timeout: 10 * time.Second})
	const n = 1000

	// The loader blocks until the other n-1 callers are waiting on it.
	allWaiting := make(chan struct{})
	var joined atomic.Int64
	c.hooks.shared = func(string) {
		if joined.Add(1) == n-1 {
			close(allWaiting)
		}
	}
	var calls atomic.Int64
	loader := func(ctx context.Context) (product, error) {
		calls.Add(1)
		select {
		case <-allWaiting:
			return lamp, nil
		case <-ctx.Done():
			return product{}, ctx.Err()
		}
	}

	runStampede(t, ctx, []*Cache{c}, n, "product:1", lamp, loader)
	if got := calls.Load(); got != 1 {
		t.Fatalf("loader ran %d times, want 1", got)
	}
	if s := c.Stats(); s.Loads != 1 || s.Shared != n-1 || s.Misses != n {
		t.Fatalf("Stats = %+v, want 1 load, %d shared, %d misses", s, n-1, n)
	}
	if got, err := Get[product](ctx, c, "product:1"); err != nil || got != lamp {
		t.Fatalf("cached value = %+v, %v", got, err)
	}
}

// TestCrossInstanceLock: four instances (separate clients) with Lock on,
// 250 goroutines each, miss the same key: the loader runs once in total.
func TestCrossInstanceLock(t *testing.T) {
	srv, _ := newServer(t)
	ctx := testCtx(t)
	opts := Options{Prefix: "t:", Lock: true, LockTTL: 30 * time.Second, LockWait: 15 * time.Second, Timeout: 10 * time.Second}
	const instances, perInstance = 4, 250
	var caches []*Cache
	for range instances {
		caches = append(caches, New(newClient(t, srv.Addr()), opts))
	}

	loader, calls := lockedStampedeLoader(caches, perInstance)

	runStampede(t, ctx, caches, perInstance, "product:1", lamp, loader)
	if got := calls.Load(); got != 1 {
		t.Fatalf("loader ran %d times across instances, want 1", got)
	}
	var loads, waits, timeouts uint64
	for _, c := range caches {
		s := c.Stats()
		loads += s.Loads
		waits += s.LockWaits
		timeouts += s.LockTimeouts
	}
	if loads != 1 || waits != instances-1 || timeouts != 0 {
		t.Fatalf("loads = %d, lock waits = %d, lock timeouts = %d; want 1, %d, 0", loads, waits, timeouts, instances-1)
	}
	rdb := newClient(t, srv.Addr())
	if exists(t, rdb, "t:lock:product:1") {
		t.Fatal("lock not released")
	}
}

// TestLockWaitFallback: when the lock holder never stores a value, the
// waiter loads by itself after LockWait (and leaves the other's lock alone).
func TestLockWaitFallback(t *testing.T) {
	srv, _ := newServer(t)
	rdb := newClient(t, srv.Addr())
	ctx := testCtx(t)
	if err := rdb.Set(ctx, "t:lock:k", "someone-else", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	c := New(rdb, Options{Prefix: "t:", Lock: true, LockWait: 50 * time.Millisecond})
	got, err := GetOrLoad(ctx, c, "k", time.Minute, func(context.Context) (product, error) { return lamp, nil })
	if err != nil || got != lamp {
		t.Fatalf("GetOrLoad = %+v, %v", got, err)
	}
	if s := c.Stats(); s.LockWaits != 1 || s.LockTimeouts != 1 || s.Loads != 1 {
		t.Fatalf("Stats = %+v, want 1 lock wait, 1 timeout, 1 load", s)
	}
	if v, _ := rdb.Get(ctx, "t:lock:k").Result(); v != "someone-else" {
		t.Fatalf("other instance's lock = %q, want it untouched", v)
	}
	if cached, err := Get[product](ctx, c, "k"); err != nil || cached != lamp {
		t.Fatalf("value not stored after fallback: %+v, %v", cached, err)
	}
}

// TestLockTakeover: when the holder releases the lock without storing (its
// loader failed), a waiter takes the lock over instead of waiting LockWait.
func TestLockTakeover(t *testing.T) {
	srv, _ := newServer(t)
	rdb := newClient(t, srv.Addr())
	ctx := testCtx(t)
	if err := rdb.Set(ctx, "t:lock:k", "someone-else", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	c := New(rdb, Options{Prefix: "t:", Lock: true, LockWait: time.Minute})
	c.hooks.lockWait = func(string) { rdb.Del(ctx, "t:lock:k") } // the holder gives up
	got, err := GetOrLoad(ctx, c, "k", time.Minute, func(context.Context) (product, error) { return lamp, nil })
	if err != nil || got != lamp {
		t.Fatalf("GetOrLoad = %+v, %v", got, err)
	}
	if s := c.Stats(); s.LockWaits != 1 || s.LockTimeouts != 0 || s.Loads != 1 {
		t.Fatalf("Stats = %+v, want 1 lock wait, no timeout, 1 load", s)
	}
	if exists(t, rdb, "t:lock:k") {
		t.Fatal("lock not released")
	}
}

// TestPanickingLoader: the goroutine that ran the loader sees the panic;
// the goroutines waiting on it get a *PanicError and do not hang.
func TestPanickingLoader(t *testing.T) {
	srv, _ := newServer(t)
	rdb := newClient(t, srv.Addr())
	ctx := testCtx(t)
	c := New(rdb, Options{Prefix: "t:", Lock: true, Timeout: 10 * time.Second})
	const n = 10
	allWaiting := make(chan struct{})
	var joined atomic.Int64
	c.hooks.shared = func(string) {
		if joined.Add(1) == n-1 {
			close(allWaiting)
		}
	}
	loader := func(ctx context.Context) (product, error) {
		select {
		case <-allWaiting:
		case <-ctx.Done():
			return product{}, ctx.Err()
		}
		panic("boom")
	}

	panics := make(chan any, n)
	errs := make(chan error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					panics <- r
				}
			}()
			<-start
			_, err := GetOrLoad(ctx, c, "k", time.Minute, loader)
			errs <- err
		})
	}
	close(start)
	wg.Wait() // bounded: every waiter's ctx has a deadline
	close(panics)
	close(errs)

	var recovered []any
	for r := range panics {
		recovered = append(recovered, r)
	}
	if len(recovered) != 1 || recovered[0] != "boom" {
		t.Fatalf("recovered panics = %v, want exactly [boom]", recovered)
	}
	nerr := 0
	for err := range errs {
		nerr++
		var pe *PanicError
		if !errors.As(err, &pe) || pe.Value != "boom" || len(pe.Stack) == 0 {
			t.Fatalf("waiter err = %v, want *PanicError(boom) with a stack", err)
		}
	}
	if nerr != n-1 {
		t.Fatalf("%d waiters returned, want %d", nerr, n-1)
	}
	if exists(t, rdb, "t:k") || exists(t, rdb, "t:lock:k") {
		t.Fatal("panic left a value or the lock behind")
	}
	if s := c.Stats(); s.Loads != 1 || s.LoadErrors != 1 {
		t.Fatalf("Stats = %+v, want 1 load, 1 load error", s)
	}
	// The key is usable again.
	got, err := GetOrLoad(ctx, c, "k", time.Minute, func(context.Context) (product, error) { return lamp, nil })
	if err != nil || got != lamp {
		t.Fatalf("GetOrLoad after panic = %+v, %v", got, err)
	}
}

// TestLeaderCanceled: when the caller running the loader gives up, a caller
// sharing its load (with a live context) loads again instead of failing.
func TestLeaderCanceled(t *testing.T) {
	srv, _ := newServer(t)
	rdb := newClient(t, srv.Addr())
	ctx := testCtx(t)
	c := New(rdb, Options{Prefix: "t:"})

	leaderCtx, cancelLeader := context.WithCancel(ctx)
	c.hooks.shared = func(string) { cancelLeader() }
	var calls atomic.Int64
	entered := make(chan struct{})
	loader := func(ctx context.Context) (product, error) {
		if calls.Add(1) == 1 {
			close(entered)
			<-ctx.Done()
			return product{}, ctx.Err()
		}
		return lamp, nil
	}
	leaderErr := make(chan error, 1)
	go func() {
		_, err := GetOrLoad(leaderCtx, c, "k", time.Minute, loader)
		leaderErr <- err
	}()
	<-entered
	got, err := GetOrLoad(ctx, c, "k", time.Minute, loader)
	if err != nil || got != lamp {
		t.Fatalf("sharer: %+v, %v; want the value from its own load", got, err)
	}
	if err := <-leaderErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("leader err = %v, want context.Canceled", err)
	}
	if calls.Load() != 2 {
		t.Fatalf("loader ran %d times, want 2", calls.Load())
	}
}

// TestDegraded: with the cache server gone, GetOrLoad serves from the
// loader and reports; Get, Set and Delete return the error.
func TestDegraded(t *testing.T) {
	srv, err := ember.Start(ember.Config{})
	if err != nil {
		t.Fatal(err)
	}
	addr := srv.Addr()
	srv.Close() // nothing listens there now
	rdb := redis.NewClient(&redis.Options{
		Addr:         addr,
		DialTimeout:  200 * time.Millisecond,
		ReadTimeout:  200 * time.Millisecond,
		WriteTimeout: 200 * time.Millisecond,
		MaxRetries:   -1,
		// One dial attempt per command: go-redis's default is 5, with
		// backoff, which a degraded call would wait through.
		DialerRetries: 1,
	})
	t.Cleanup(func() { rdb.Close() })
	ctx := testCtx(t)
	var log errorLog
	c := New(rdb, Options{Prefix: "t:", Lock: true, OnError: log.record})

	var calls int
	loader := func(context.Context) (product, error) { calls++; return lamp, nil }
	for i := range 3 {
		got, err := GetOrLoad(ctx, c, "product:1", time.Minute, loader)
		if err != nil || got != lamp {
			t.Fatalf("call %d: GetOrLoad = %+v, %v; want the loader's value", i, got, err)
		}
	}
	if calls != 3 {
		t.Fatalf("loader ran %d times, want 3", calls)
	}
	if s := c.Stats(); s.Degraded != 3 || s.Loads != 3 || s.LockWaits != 0 {
		t.Fatalf("Stats = %+v, want 3 degraded, 3 loads", s)
	}
	for _, op := range log.get() {
		if op != "get product:1" {
			t.Fatalf("OnError reports = %q, want only get product:1 (no lock or set once down)", log.get())
		}
	}
	// A not-found answer still comes through.
	if _, err := GetOrLoad(ctx, c, "product:2", time.Minute, func(context.Context) (product, error) {
		return product{}, ErrNotFound
	}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("degraded not-found: err = %v", err)
	}

	if _, err := Get[product](ctx, c, "product:1"); err == nil || errors.Is(err, ErrMiss) {
		t.Fatalf("Get while down: err = %v, want the connection error", err)
	}
	if err := c.Set(ctx, "product:1", lamp, time.Minute); err == nil {
		t.Fatal("Set while down: no error")
	}
	if err := c.Delete(ctx, "product:1"); err == nil {
		t.Fatal("Delete while down: no error")
	}
	// A context error is the caller's, not the cache's: returned, not degraded.
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := GetOrLoad(canceled, c, "product:1", time.Minute, loader); !errors.Is(err, context.Canceled) {
		t.Fatalf("GetOrLoad with canceled ctx: err = %v", err)
	}
}

// runStampede has perInstance goroutines per Cache call GetOrLoad(key)
// at the same moment and fails the test unless every one gets want.
func runStampede(t *testing.T, ctx context.Context, caches []*Cache, perInstance int, key string, want product, loader func(context.Context) (product, error)) {
	t.Helper()
	start := make(chan struct{})
	errs := make(chan error, len(caches)*perInstance)
	var wg sync.WaitGroup
	for _, c := range caches {
		for range perInstance {
			wg.Go(func() {
				<-start
				got, err := GetOrLoad(ctx, c, key, time.Minute, loader)
				if err == nil && got != want {
					err = fmt.Errorf("got %+v", got)
				}
				errs <- err
			})
		}
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// lockedStampedeLoader returns a loader for a stampede over caches with
// Lock on, perInstance callers each, and its call count: the loader
// blocks until, in each instance, the other callers share the local load
// and every losing instance waits on the lock.
func lockedStampedeLoader(caches []*Cache, perInstance int) (func(context.Context) (product, error), *atomic.Int64) {
	instances := len(caches)
	var mu sync.Mutex
	shared, lockWaits := 0, 0
	ready := make(chan struct{})
	var once sync.Once
	note := func(s, w int) {
		mu.Lock()
		defer mu.Unlock()
		shared += s
		lockWaits += w
		if shared == instances*(perInstance-1) && lockWaits == instances-1 {
			once.Do(func() { close(ready) })
		}
	}
	for _, c := range caches {
		c.hooks.shared = func(string) { note(1, 0) }
		c.hooks.lockWait = func(string) { note(0, 1) }
	}
	calls := new(atomic.Int64)
	loader := func(ctx context.Context) (product, error) {
		calls.Add(1)
		select {
		case <-ready: // every other caller is waiting for this load
			return lamp, nil
		case <-ctx.Done():
			return product{}, ctx.Err()
		}
	}
	return loader, calls
}
