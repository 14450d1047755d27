package cache_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/ember-kv/ember"
	"github.com/ember-kv/ember/cache"
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
