package cache_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/ember-kv/ember"
	"github.com/ember-kv/ember/cache"
	"github.com/ember-kv/ember/embertest"
	"github.com/redis/go-redis/v9"
)

type Product struct {
	ID    int    `json:"id"`
	Name  string `json:"name"`
	Price int    `json:"price"`
}

// Example shows cache-aside reads with GetOrLoad, negative caching, and
// invalidation by Delete after a write.
func Example() {
	// Any Redis-protocol server works; here, an embedded Ember.
	srv, err := ember.Start(ember.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()

	c := cache.New(rdb, cache.Options{
		Prefix:     "shop:",
		DefaultTTL: time.Hour,
		Jitter:     0.1,
		Lock:       true,
	})
	ctx := context.Background()

	// The source of truth.
	db := map[int]Product{1: {ID: 1, Name: "Desk lamp", Price: 2999}}
	queries := 0
	loadProduct := func(id int) func(context.Context) (Product, error) {
		return func(context.Context) (Product, error) {
			queries++
			p, ok := db[id]
			if !ok {
				return Product{}, fmt.Errorf("product %d: %w", id, cache.ErrNotFound)
			}
			return p, nil
		}
	}

	p, _ := cache.GetOrLoad(ctx, c, "product:1", 0, loadProduct(1)) // miss: queries the db
	fmt.Println(p.Name, p.Price)
	p, _ = cache.GetOrLoad(ctx, c, "product:1", 0, loadProduct(1)) // hit
	fmt.Println(p.Name, p.Price, "queries:", queries)

	// Missing items are cached too, briefly.
	for range 2 {
		_, err = cache.GetOrLoad(ctx, c, "product:2", 0, loadProduct(2))
	}
	fmt.Println(errors.Is(err, cache.ErrNotFound), "queries:", queries)

	// Write to the source of truth, then invalidate.
	db[1] = Product{ID: 1, Name: "Desk lamp", Price: 2499}
	if err := c.Delete(ctx, "product:1"); err != nil {
		log.Fatal(err)
	}
	p, _ = cache.GetOrLoad(ctx, c, "product:1", 0, loadProduct(1))
	fmt.Println(p.Name, p.Price, "queries:", queries)

	s := c.Stats()
	fmt.Printf("hits=%d misses=%d loads=%d\n", s.Hits, s.Misses, s.Loads)
	// Output:
	// Desk lamp 2999
	// Desk lamp 2999 queries: 1
	// true queries: 2
	// Desk lamp 2499 queries: 3
	// hits=2 misses=3 loads=3
}

// ExampleGet shows the typed read and its two sentinel errors.
func ExampleGet() {
	srv, err := ember.Start(ember.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	c := cache.New(rdb, cache.Options{Prefix: "shop:"})
	ctx := context.Background()

	_, err = cache.Get[Product](ctx, c, "product:1")
	fmt.Println(errors.Is(err, cache.ErrMiss))

	if err := c.Set(ctx, "product:1", Product{ID: 1, Name: "Desk lamp"}, 10*time.Minute); err != nil {
		log.Fatal(err)
	}
	p, err := cache.Get[Product](ctx, c, "product:1")
	fmt.Println(p.Name, err)
	// Output:
	// true
	// Desk lamp <nil>
}

// Example_degradation shows a cache outage: every request is still
// answered by the loader, and after two failures the circuit breaker stops
// sending requests to the dead server at all.
func Example_degradation() {
	srv, err := ember.Start(ember.Config{})
	if err != nil {
		log.Fatal(err)
	}
	addr := srv.Addr()
	srv.Close() // the cache server is gone
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1})
	defer rdb.Close()

	c := cache.New(rdb, cache.Options{
		Prefix:  "shop:",
		Breaker: cache.BreakerOptions{Failures: 2, CoolDown: 10 * time.Second},
		OnError: func(_ context.Context, op, key string, err error) {
			fmt.Println("cache error:", strings.TrimSpace(op+" "+key))
		},
	})
	ctx := context.Background()
	for range 3 {
		p, err := cache.GetOrLoad(ctx, c, "product:1", 0, func(context.Context) (Product, error) {
			return Product{ID: 1, Name: "Desk lamp", Price: 2999}, nil
		})
		fmt.Println(p.Name, err)
	}
	s := c.Stats()
	fmt.Printf("breaker=%v errors=%d skipped=%d loads=%d\n", s.Breaker, s.Errors, s.Skipped, s.Loads)
	// Output:
	// cache error: get product:1
	// Desk lamp <nil>
	// cache error: breaker
	// cache error: get product:1
	// Desk lamp <nil>
	// Desk lamp <nil>
	// breaker=open errors=2 skipped=1 loads=3
}

// Example_staleWhileRevalidate shows a value served past its TTL while one
// background load refreshes it.
func Example_staleWhileRevalidate() {
	clock := embertest.NewClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) // the server's time
	srv, err := ember.Start(ember.Config{Clock: clock})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	c := cache.New(rdb, cache.Options{Prefix: "shop:", StaleWhileRevalidate: time.Minute})
	ctx := context.Background()

	price := 2999
	load := func(context.Context) (Product, error) {
		return Product{ID: 1, Name: "Desk lamp", Price: price}, nil
	}
	p, _ := cache.GetOrLoad(ctx, c, "product:1", 10*time.Second, load)
	fmt.Println("loaded:", p.Price, "TTL in Redis:", rdb.PTTL(ctx, "shop:product:1").Val())

	price = 2499
	clock.Advance(15 * time.Second) // past the TTL, inside the window
	p, _ = cache.GetOrLoad(ctx, c, "product:1", 10*time.Second, load)
	fmt.Println("stale:", p.Price)

	c.Close() // waits for the background refresh
	p, _ = cache.GetOrLoad(ctx, c, "product:1", 10*time.Second, load)
	fmt.Println("refreshed:", p.Price)
	s := c.Stats()
	fmt.Printf("stale serves=%d refreshes=%d loads=%d\n", s.StaleServes, s.Refreshes, s.Loads)
	// Output:
	// loaded: 2999 TTL in Redis: 1m10s
	// stale: 2999
	// refreshed: 2499
	// stale serves=1 refreshes=1 loads=2
}

// ExampleCompressCodec shows that small values stay plain JSON and large
// ones are compressed, behind a marker byte.
func ExampleCompressCodec() {
	codec := cache.CompressCodec{Threshold: 256}
	small, _ := codec.Marshal(Product{ID: 1, Name: "Desk lamp", Price: 2999})
	fmt.Println(string(small))

	large, _ := codec.Marshal(strings.Repeat("lamp ", 200))
	fmt.Printf("%d bytes, first byte %#x\n", len(large), large[0])

	var back string
	_ = codec.Unmarshal(large, &back)
	fmt.Println(len(back))
	// Output:
	// {"id":1,"name":"Desk lamp","price":2999}
	// 22 bytes, first byte 0x2
	// 1000
}
