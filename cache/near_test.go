package cache

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ember-kv/ember/embertest"
	"github.com/redis/go-redis/v9"
)

// nearCache returns a Cache with a near cache whose subscription is live.
func nearCache(t *testing.T, rdb redis.UniversalClient, opts Options) *Cache {
	t.Helper()
	if opts.Near.Size == 0 {
		opts.Near.Size = 100
	}
	c := New(rdb, opts)
	t.Cleanup(func() { c.Close() })
	waitFor(t, "the near cache's subscription", c.near.live.Load)
	return c
}

// published runs write, which publishes one invalidation, and waits until
// every cache in cs has received it (a Cache's own messages reach it too).
func published(t *testing.T, write func() error, cs ...*Cache) {
	t.Helper()
	before := make([]uint64, len(cs))
	for i, c := range cs {
		before[i] = c.Stats().NearInvalidations
	}
	if err := write(); err != nil {
		t.Fatal(err)
	}
	for i, c := range cs {
		waitFor(t, "an invalidation message", func() bool { return c.Stats().NearInvalidations > before[i] })
	}
}

// TestNearCoherence: instance A caches a value in its near cache; B sets a
// new value; A's next read sees it as soon as the invalidation arrives.
func TestNearCoherence(t *testing.T) {
	t.Run("ember", func(t *testing.T) {
		srv := embertest.Run(t)
		testNearCoherence(t, srv.Addr())
	})
	t.Run("redis", func(t *testing.T) {
		testNearCoherence(t, newRealRedis(t).addr())
	})
}

func testNearCoherence(t *testing.T, addr string) {
	ctx := testCtx(t)
	opts := Options{Prefix: "n:"}
	a := nearCache(t, newClient(t, addr), opts)
	b := nearCache(t, newClient(t, addr), opts)
	other := nearCache(t, newClient(t, addr), Options{Prefix: "other:"})

	v1, v2 := lamp, product{ID: 1, Name: "Desk lamp", Price: 1999}
	published(t, func() error { return b.Set(ctx, "p", v1, time.Hour) }, a, b)
	var loads int
	loader := func(context.Context) (product, error) { loads++; return product{}, errors.New("should not load") }
	for range 3 {
		got, err := GetOrLoad(ctx, a, "p", time.Hour, loader)
		if err != nil || got != v1 {
			t.Fatalf("A: GetOrLoad = %+v, %v; want %+v", got, err, v1)
		}
	}
	if s := a.Stats(); s.Hits != 3 || s.NearHits != 2 || loads != 0 {
		t.Fatalf("A: Stats = %+v, loads = %d; want 3 hits, 2 of them near", s, loads)
	}

	// B's Set publishes the key; A drops it and reads the new value.
	published(t, func() error { return b.Set(ctx, "p", v2, time.Hour) }, a, b)
	if got, err := Get[product](ctx, a, "p"); err != nil || got != v2 {
		t.Fatalf("A after B's Set: %+v, %v; want %+v", got, err, v2)
	}
	if got, err := Get[product](ctx, a, "p"); err != nil || got != v2 || a.Stats().NearHits != 3 {
		t.Fatalf("A: %+v, %v, near hits %d; want %+v from the near cache", got, err, a.Stats().NearHits, v2)
	}

	// B's Delete too.
	published(t, func() error { return b.Delete(ctx, "p") }, a, b)
	if _, err := Get[product](ctx, a, "p"); !errors.Is(err, ErrMiss) {
		t.Fatalf("A after B's Delete: err = %v, want ErrMiss", err)
	}

	// A's own Set is visible to A at once.
	if _, err := Get[product](ctx, a, "q"); !errors.Is(err, ErrMiss) {
		t.Fatal(err)
	}
	if err := a.Set(ctx, "q", v1, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got, _ := Get[product](ctx, a, "q"); got != v1 {
		t.Fatalf("A's own Set not visible: %+v", got)
	}
	waitFor(t, "the invalidations", func() bool { return b.Stats().NearInvalidations == a.Stats().NearInvalidations })

	// A GetOrLoad in B that stores a value publishes it as well.
	rdb := newClient(t, addr)
	if err := rdb.Del(ctx, "n:q").Err(); err != nil { // behind the caches' back
		t.Fatal(err)
	}
	published(t, func() error {
		_, err := GetOrLoad(ctx, b, "q", time.Hour, func(context.Context) (product, error) { return v2, nil })
		return err
	}, a, b)
	if got, err := Get[product](ctx, a, "q"); err != nil || got != v2 {
		t.Fatalf("A after B's load: %+v, %v; want %+v", got, err, v2)
	}

	// A change made behind the caches' back is invisible to A's near cache
	// until someone publishes it.
	if err := rdb.Set(ctx, "n:q", `{"id":9}`, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if got, _ := Get[product](ctx, a, "q"); got != v2 {
		t.Fatalf("A: %+v, want the near cache's %+v", got, v2)
	}
	published(t, func() error { return b.PublishInvalidation(ctx, "q") }, a, b)
	if got, _ := Get[product](ctx, a, "q"); got.ID != 9 {
		t.Fatalf("A after PublishInvalidation: %+v, want ID 9", got)
	}

	// Negative markers are near-cached and invalidated like values.
	published(t, func() error {
		_, err := GetOrLoad(ctx, a, "gone", time.Hour, func(context.Context) (product, error) { return product{}, ErrNotFound })
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}, a, b)
	near := a.Stats().NearHits
	for range 2 {
		if _, err := Get[product](ctx, a, "gone"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("negative marker: err = %v", err)
		}
	}
	if a.Stats().NearHits != near+1 {
		t.Fatalf("negative marker: near hits %d → %d, want one more", near, a.Stats().NearHits)
	}
	published(t, func() error { return b.Delete(ctx, "gone") }, a, b)
	if _, err := Get[product](ctx, a, "gone"); !errors.Is(err, ErrMiss) {
		t.Fatalf("after deleting the marker: err = %v, want ErrMiss", err)
	}

	// An empty message clears every near cache.
	resets := a.Stats().NearResets
	if err := b.PublishInvalidation(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the clear-all message", func() bool { return a.Stats().NearResets > resets })

	// Other prefixes have their own channel.
	if s := other.Stats(); s.NearInvalidations != 0 {
		t.Fatalf("cache under another prefix received %d invalidations", s.NearInvalidations)
	}
}

// TestNearReconnect: when the subscription breaks, the near cache is
// cleared and bypassed; when go-redis resubscribes, it is cleared again and
// back in use.
func TestNearReconnect(t *testing.T) {
	t.Run("ember", func(t *testing.T) { testNearReconnect(t, newEmberServer(t)) })
	t.Run("redis", func(t *testing.T) { testNearReconnect(t, newRealRedis(t)) })
}

func testNearReconnect(t *testing.T, srv restartable) {
	ctx := testCtx(t)
	rdb := fastFailClient(t, srv.addr())
	c := nearCache(t, rdb, Options{Prefix: "n:", Breaker: BreakerOptions{Failures: -1}})
	published(t, func() error { return c.Set(ctx, "p", lamp, time.Hour) }, c)
	for range 2 {
		if got, err := Get[product](ctx, c, "p"); err != nil || got != lamp {
			t.Fatalf("Get = %+v, %v", got, err)
		}
	}
	if s := c.Stats(); s.NearHits != 1 || s.NearResets != 1 {
		t.Fatalf("Stats = %+v; want 1 near hit, 1 reset (the first subscription)", s)
	}

	srv.stop(t)
	waitFor(t, "the subscriber to notice", func() bool { return !c.near.live.Load() && c.Stats().NearResets == 2 })
	if s := c.Stats(); s.NearResets != 2 || c.near.m.EstimatedSize() != 0 {
		t.Fatalf("after the connection broke: %d resets, %d entries; want 2, 0", s.NearResets, c.near.m.EstimatedSize())
	}
	// Down: the near cache is not used, so Get reports the outage.
	if _, err := Get[product](ctx, c, "p"); err == nil {
		t.Fatal("Get while down served a value")
	}

	srv.start(t)
	// The restarted server holds a different value (its data was lost and
	// someone wrote without publishing, since nobody could hear it).
	fresh := newClient(t, srv.addr())
	if err := fresh.Set(ctx, "n:p", `{"id":2,"name":"Floor lamp","price":4999}`, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the subscription to come back", func() bool { return c.near.live.Load() && c.Stats().NearResets >= 3 })
	if s := c.Stats(); s.NearResets != 3 {
		t.Fatalf("after resubscribing: %d resets, want 3", s.NearResets)
	}
	want := product{ID: 2, Name: "Floor lamp", Price: 4999}
	for range 2 {
		if got, err := Get[product](ctx, c, "p"); err != nil || got != want {
			t.Fatalf("Get after reconnect = %+v, %v; want %+v", got, err, want)
		}
	}
	if s := c.Stats(); s.NearHits != 2 {
		t.Fatalf("near hits = %d, want 2: the near cache is in use again", s.NearHits)
	}
}

// TestNearRace: reads racing with another instance's writes never leave a
// value in the near cache older than the last write once its invalidation
// has arrived.
func TestNearRace(t *testing.T) {
	srv := embertest.Run(t)
	ctx := testCtx(t)
	opts := Options{Prefix: "r:", Timeout: 10 * time.Second}
	a := nearCache(t, newClient(t, srv.Addr()), opts)
	b := nearCache(t, newClient(t, srv.Addr()), opts)
	const writes = 200
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, _ = Get[int](ctx, a, "k")
			}
		})
	}
	for i := range writes {
		if err := b.Set(ctx, "k", i, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	// Every Set published; once A has received all of them, A agrees
	// with Redis.
	waitFor(t, "A to receive every invalidation", func() bool { return a.Stats().NearInvalidations >= writes })
	if got, err := Get[int](ctx, a, "k"); err != nil || got != writes-1 {
		t.Fatalf("A reads %d, %v; want %d", got, err, writes-1)
	}
}

// TestNearTTL: near entries expire on the Cache's clock, and never outlive
// their value's freshness with stale-while-revalidate.
func TestNearTTL(t *testing.T) {
	srv, srvClock := newServer(t)
	ctx := testCtx(t)
	clk := newManualClock()
	c := nearCache(t, newClient(t, srv.Addr()), Options{Prefix: "t:", Clock: clk.Now, Near: NearOptions{Size: 10, TTL: time.Minute}})
	published(t, func() error { return c.Set(ctx, "p", lamp, time.Hour) }, c)
	Get[product](ctx, c, "p")
	Get[product](ctx, c, "p")
	clk.Advance(time.Minute)
	Get[product](ctx, c, "p") // expired locally: from Redis
	if s := c.Stats(); s.NearHits != 1 || s.Hits != 3 {
		t.Fatalf("Stats = %+v; want 3 hits, 1 near", s)
	}

	// With SWR the near entry lives only until the value goes stale.
	s := nearCache(t, newClient(t, srv.Addr()), Options{Prefix: "s:", Clock: clk.Now, StaleWhileRevalidate: time.Minute, Near: NearOptions{Size: 10, TTL: time.Hour}})
	published(t, func() error { return s.Set(ctx, "p", lamp, 10*time.Second) }, s)
	Get[product](ctx, s, "p")
	clk.Advance(9 * time.Second)
	Get[product](ctx, s, "p")
	if st := s.Stats(); st.NearHits != 1 {
		t.Fatalf("near hits = %d, want 1", st.NearHits)
	}
	clk.Advance(time.Second)
	srvClock.Advance(10 * time.Second)
	got, err := GetOrLoad(ctx, s, "p", 10*time.Second, func(context.Context) (product, error) { return lamp, nil })
	if err != nil || got != lamp {
		t.Fatal(got, err)
	}
	s.waitRefreshes()
	if st := s.Stats(); st.NearHits != 1 || st.StaleServes != 1 || st.Refreshes != 1 {
		t.Fatalf("Stats = %+v; want the stale value served from Redis and refreshed", st)
	}
}
