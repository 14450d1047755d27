package cache

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestStaleWhileRevalidate: past its TTL but inside the window, a value is
// served at once while exactly one background load refreshes it; then the
// fresh value is served; past the window, the key is a plain miss.
func TestStaleWhileRevalidate(t *testing.T) {
	srv, srvClock := newServer(t)
	rdb := newClient(t, srv.Addr())
	ctx := testCtx(t)
	c := New(rdb, Options{Prefix: "s:", StaleWhileRevalidate: 30 * time.Second, Timeout: 10 * time.Second})
	v1, v2 := lamp, product{ID: 1, Name: "Desk lamp", Price: 1999}

	var calls atomic.Int64
	release := make(chan struct{})
	loader := func(ctx context.Context) (product, error) {
		if calls.Add(1) == 1 {
			return v1, nil
		}
		select { // the refresh waits until the test has seen stale serves
		case <-release:
			return v2, nil
		case <-ctx.Done():
			return product{}, ctx.Err()
		}
	}
	if got, err := GetOrLoad(ctx, c, "p", 10*time.Second, loader); err != nil || got != v1 {
		t.Fatalf("cold: %+v, %v", got, err)
	}
	// The Redis TTL is the TTL plus the window; the value is plain JSON.
	if d := pttl(t, rdb, "s:p"); d != 40*time.Second {
		t.Fatalf("PTTL = %v, want 40s", d)
	}
	if raw, _ := rdb.Get(ctx, "s:p").Result(); raw != `{"id":1,"name":"Desk lamp","price":2999}` {
		t.Fatalf("stored %q, want plain JSON", raw)
	}
	// Fresh: no refresh.
	srvClock.Advance(9 * time.Second)
	GetOrLoad(ctx, c, "p", 10*time.Second, loader)
	if s := c.Stats(); s.StaleServes != 0 || s.Refreshes != 0 {
		t.Fatalf("fresh hit: Stats = %+v", s)
	}

	// Stale: 100 concurrent callers all get v1 at once; one refresh runs.
	srvClock.Advance(2 * time.Second)
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			got, err := GetOrLoad(ctx, c, "p", 10*time.Second, loader)
			if err != nil || got != v1 {
				t.Errorf("stale: %+v, %v; want %+v", got, err, v1)
			}
		})
	}
	wg.Wait()
	if s := c.Stats(); s.StaleServes != 100 || s.Refreshes != 1 || calls.Load() != 2 {
		t.Fatalf("stale: Stats = %+v, loader calls %d; want 100 stale serves, 1 refresh, 2 calls", s, calls.Load())
	}
	close(release)
	c.waitRefreshes()

	got, err := GetOrLoad(ctx, c, "p", 10*time.Second, loader)
	if err != nil || got != v2 {
		t.Fatalf("after the refresh: %+v, %v; want %+v", got, err, v2)
	}
	if d := pttl(t, rdb, "s:p"); d != 40*time.Second {
		t.Fatalf("PTTL after the refresh = %v, want 40s", d)
	}
	if s := c.Stats(); s.StaleServes != 100 || s.Refreshes != 1 || s.Loads != 2 || calls.Load() != 2 {
		t.Fatalf("after the refresh: Stats = %+v", s)
	}

	// Past the window the value is gone: a synchronous load.
	srvClock.Advance(40*time.Second + time.Millisecond)
	if _, err := Get[product](ctx, c, "p"); !errors.Is(err, ErrMiss) {
		t.Fatalf("past the window: err = %v, want ErrMiss", err)
	}
	if got, err := GetOrLoad(ctx, c, "p", 10*time.Second, loader); err != nil || got != v2 || calls.Load() != 3 {
		t.Fatalf("past the window: %+v, %v, calls %d", got, err, calls.Load())
	}
}

// TestSWRRefreshFailures: a failing refresh is reported and the stale
// value kept; a refresh that finds the item gone caches "not found"; a
// panicking one is reported, not fatal.
func TestSWRRefreshFailures(t *testing.T) {
	srv, srvClock := newServer(t)
	rdb := newClient(t, srv.Addr())
	ctx := testCtx(t)
	var log errorLog
	c := New(rdb, Options{Prefix: "s:", StaleWhileRevalidate: time.Minute, OnError: log.record})
	for _, k := range []string{"fail", "gone", "panic"} {
		if err := c.Set(ctx, k, lamp, time.Second); err != nil {
			t.Fatal(err)
		}
	}
	srvClock.Advance(2 * time.Second)
	loaders := map[string]func(context.Context) (product, error){
		"fail":  func(context.Context) (product, error) { return product{}, errors.New("db down") },
		"gone":  func(context.Context) (product, error) { return product{}, ErrNotFound },
		"panic": func(context.Context) (product, error) { panic("boom") },
	}
	for k, l := range loaders {
		if got, err := GetOrLoad(ctx, c, k, time.Second, l); err != nil || got != lamp {
			t.Fatalf("%s: %+v, %v; want the stale value", k, got, err)
		}
	}
	c.waitRefreshes()
	if got, err := GetOrLoad(ctx, c, "fail", time.Second, loaders["fail"]); err != nil || got != lamp {
		t.Fatalf("after a failed refresh: %+v, %v; want the stale value", got, err)
	}
	c.waitRefreshes()
	if _, err := Get[product](ctx, c, "gone"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after a not-found refresh: err = %v, want ErrNotFound", err)
	}
	ops := map[string]int{}
	for _, op := range log.get() {
		ops[op]++
	}
	if ops["refresh fail"] != 2 || ops["refresh panic"] != 1 || len(ops) != 2 {
		t.Fatalf("OnError reports = %v", log.get())
	}
	if s := c.Stats(); s.Refreshes != 4 || s.LoadErrors != 3 {
		t.Fatalf("Stats = %+v; want 4 refreshes, 3 load errors", s)
	}
}

// TestSWRLock: with Lock, one background refresh runs across instances.
func TestSWRLock(t *testing.T) {
	srv, srvClock := newServer(t)
	ctx := testCtx(t)
	opts := Options{Prefix: "s:", Lock: true, StaleWhileRevalidate: time.Minute, Timeout: 10 * time.Second}
	var caches []*Cache
	for range 4 {
		caches = append(caches, New(newClient(t, srv.Addr()), opts))
	}
	if err := caches[0].Set(ctx, "p", lamp, time.Second); err != nil {
		t.Fatal(err)
	}
	srvClock.Advance(2 * time.Second)
	var calls atomic.Int64
	release := make(chan struct{})
	loader := func(ctx context.Context) (product, error) {
		calls.Add(1)
		select {
		case <-release:
			return lamp, nil
		case <-ctx.Done():
			return product{}, ctx.Err()
		}
	}
	// The first instance's refresh holds the lock while the others try.
	GetOrLoad(ctx, caches[0], "p", time.Second, loader)
	rdb := newClient(t, srv.Addr())
	waitFor(t, "the refresh to take the lock", func() bool { return exists(t, rdb, "s:lock:p") })
	for _, c := range caches[1:] {
		GetOrLoad(ctx, c, "p", time.Second, loader)
		c.waitRefreshes()
	}
	close(release)
	caches[0].waitRefreshes()
	if calls.Load() != 1 {
		t.Fatalf("loader ran %d times across instances, want 1", calls.Load())
	}
	if exists(t, rdb, "s:lock:p") {
		t.Fatal("lock not released")
	}
}

// TestEarlyRefresh: XFetch's probability follows exp(-left/(delta·beta)),
// and a hit close to expiry refreshes in the background.
func TestEarlyRefresh(t *testing.T) {
	srv, srvClock := newServer(t)
	rdb := newClient(t, srv.Addr())
	ctx := testCtx(t)
	clk := newManualClock()
	c := New(rdb, Options{Prefix: "x:", EarlyRefresh: 1, Clock: clk.Now, Rand: rand.NewPCG(1, 2)})
	if c.xfetch(time.Second) {
		t.Fatal("early refresh before any load time was measured")
	}
	var calls atomic.Int64
	loader := func(context.Context) (product, error) {
		calls.Add(1)
		clk.Advance(time.Second) // every load takes 1s
		return lamp, nil
	}
	GetOrLoad(ctx, c, "p", time.Hour, loader)
	if m := c.stats.meanLoad(); m != time.Second {
		t.Fatalf("mean load time = %v, want 1s", m)
	}
	// With delta = 1s and beta = 1, P(refresh) = exp(-left/1s).
	for _, left := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second} {
		const n = 20000
		hits := 0
		for range n {
			if c.xfetch(left) {
				hits++
			}
		}
		want := math.Exp(-left.Seconds())
		if got := float64(hits) / n; math.Abs(got-want) > 0.02 {
			t.Fatalf("left %v: refresh rate %.3f, want %.3f", left, got, want)
		}
	}
	if !c.xfetch(0) || !c.xfetch(-time.Second) {
		t.Fatal("no refresh at expiry")
	}

	// A fresh hit an hour away from expiry does not refresh; one a
	// millisecond away does.
	GetOrLoad(ctx, c, "p", time.Hour, loader)
	if s := c.Stats(); s.EarlyRefreshes != 0 {
		t.Fatalf("early refresh an hour before expiry: %+v", s)
	}
	srvClock.Advance(time.Hour - time.Millisecond)
	GetOrLoad(ctx, c, "p", time.Hour, loader)
	c.waitRefreshes()
	if s := c.Stats(); s.EarlyRefreshes != 1 || s.Refreshes != 1 || calls.Load() != 2 {
		t.Fatalf("Stats = %+v, calls %d; want 1 early refresh", s, calls.Load())
	}
	if d := pttl(t, rdb, "x:p"); d != time.Hour {
		t.Fatalf("PTTL after the early refresh = %v, want 1h", d)
	}
}
