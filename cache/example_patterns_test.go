package cache_test

import (
	"context"
	"fmt"
	"log"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ember-kv/ember"
	"github.com/ember-kv/ember/cache"
	"github.com/redis/go-redis/v9"
)

// Account is the value type of the pattern examples.
type Account struct {
	ID      int    `json:"id"`
	Owner   string `json:"owner"`
	Balance int    `json:"balance"`
}

// startExampleServer starts an embedded Ember and a client for it.
func startExampleServer() (*redis.Client, func()) {
	srv, err := ember.Start(ember.Config{})
	if err != nil {
		log.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	return rdb, func() { rdb.Close(); srv.Close() }
}

// ExampleReadThrough binds a cache to its loader: callers ask for an id and
// never touch the database.
func ExampleReadThrough() {
	rdb, stop := startExampleServer()
	defer stop()
	c := cache.New(rdb, cache.Options{Prefix: "bank:"})
	defer c.Close()
	ctx := context.Background()

	db := map[int]Account{7: {ID: 7, Owner: "ada", Balance: 100}}
	queries := 0
	accounts := cache.NewReadThrough(c, time.Hour,
		func(id int) string { return "account:" + strconv.Itoa(id) },
		func(ctx context.Context, id int) (Account, error) {
			queries++
			a, ok := db[id]
			if !ok {
				return Account{}, cache.ErrNotFound
			}
			return a, nil
		})

	a, _ := accounts.Get(ctx, 7)
	a, _ = accounts.Get(ctx, 7)
	fmt.Println(a.Owner, a.Balance, "queries:", queries)
	_, err := accounts.Get(ctx, 8)
	fmt.Println(err)
	// Output:
	// ada 100 queries: 1
	// cache: not found
}

// ExampleWriteThrough writes the database first and the cache second, so
// reads after a write hit the cache and see the new value.
func ExampleWriteThrough() {
	rdb, stop := startExampleServer()
	defer stop()
	c := cache.New(rdb, cache.Options{Prefix: "bank:"})
	defer c.Close()
	ctx := context.Background()

	var mu sync.Mutex
	db := map[int]Account{}
	accounts := cache.NewWriteThrough(c, cache.WriteThroughOptions[int, Account]{
		Key: func(id int) string { return "account:" + strconv.Itoa(id) },
		TTL: time.Hour,
		Load: func(ctx context.Context, id int) (Account, error) {
			mu.Lock()
			defer mu.Unlock()
			a, ok := db[id]
			if !ok {
				return Account{}, cache.ErrNotFound
			}
			return a, nil
		},
		Store: func(ctx context.Context, id int, a Account) error {
			mu.Lock()
			defer mu.Unlock()
			db[id] = a
			return nil
		},
	})

	if err := accounts.Set(ctx, 7, Account{ID: 7, Owner: "ada", Balance: 250}); err != nil {
		log.Fatal(err)
	}
	a, _ := accounts.Get(ctx, 7)
	fmt.Println("cached:", a.Balance, "stored:", db[7].Balance)
	// Output:
	// cached: 250 stored: 250
}

// ExampleWriteBehind acknowledges writes as soon as the cache and the queue
// have them, and flushes them to the database in batches, coalesced.
func ExampleWriteBehind() {
	rdb, stop := startExampleServer()
	defer stop()
	c := cache.New(rdb, cache.Options{Prefix: "bank:"})
	defer c.Close()
	ctx := context.Background()

	var mu sync.Mutex
	db := map[string]int{}
	flush := func(ctx context.Context, batch []cache.Update[int]) error {
		mu.Lock()
		defer mu.Unlock()
		for _, u := range batch {
			fmt.Printf("flush %s=%d (%d writes)\n", u.Key, u.Value, u.Writes)
			db[u.Key] = u.Value
		}
		return nil
	}
	balances := cache.NewWriteBehind(c, flush, cache.WriteBehindOptions{Shards: 1})

	for _, b := range []int{100, 90, 75} {
		if err := balances.Set(ctx, "ada", b); err != nil {
			log.Fatal(err)
		}
	}
	v, _ := balances.Get(ctx, "ada")
	fmt.Println("cached:", v, "stored:", db["ada"])

	if err := balances.Start(ctx); err != nil {
		log.Fatal(err)
	}
	if err := balances.Close(ctx); err != nil { // drains the queue
		log.Fatal(err)
	}
	st, _ := balances.Stats(ctx)
	fmt.Println("stored:", db["ada"], "pending:", st.Pending, "lag:", st.Lag)
	// Output:
	// cached: 75 stored: 0
	// flush ada=75 (3 writes)
	// stored: 75 pending: 0 lag: 0
}

// ExampleWarm fills a cold cache in pipelined batches before traffic
// arrives.
func ExampleWarm() {
	rdb, stop := startExampleServer()
	defer stop()
	c := cache.New(rdb, cache.Options{Prefix: "bank:", Jitter: 0.1})
	defer c.Close()

	accounts := func(yield func(string, Account) bool) {
		for id := range 2500 {
			if !yield("account:"+strconv.Itoa(id), Account{ID: id}) {
				return
			}
		}
	}
	res, err := cache.Warm(context.Background(), c, accounts, cache.WarmOptions{
		TTL:       time.Hour,
		BatchSize: 1000,
		Progress: func(p cache.WarmProgress) {
			fmt.Printf("batch %d: %d written\n", p.Batches, p.Written)
		},
	})
	fmt.Println(res.Written, err)
	// Output:
	// batch 1: 1000 written
	// batch 2: 2000 written
	// batch 3: 2500 written
	// 2500 <nil>
}

// ExampleCache_InvalidateTags drops every cached page that shows a product
// when the product changes, without knowing the pages' keys.
func ExampleCache_InvalidateTags() {
	rdb, stop := startExampleServer()
	defer stop()
	c := cache.New(rdb, cache.Options{Prefix: "site:"})
	defer c.Close()
	ctx := context.Background()

	c.SetTagged(ctx, "page:/", "<home>", time.Hour, "product:1", "product:2")
	c.SetTagged(ctx, "page:/lamps", "<lamps>", time.Hour, "product:1")
	c.SetTagged(ctx, "page:/desks", "<desks>", time.Hour, "product:2")

	n, _ := c.InvalidateTags(ctx, "product:1")
	fmt.Println("removed", n)
	keys, _ := rdb.Keys(ctx, "site:page:*").Result()
	fmt.Println(slices.Sorted(slices.Values(keys)))
	// Output:
	// removed 2
	// [site:page:/desks]
}

// ExampleCache_InvalidatePattern removes a whole family of keys with SCAN
// and UNLINK, a batch at a time.
func ExampleCache_InvalidatePattern() {
	rdb, stop := startExampleServer()
	defer stop()
	c := cache.New(rdb, cache.Options{Prefix: "bank:"})
	defer c.Close()
	ctx := context.Background()

	cache.WarmMap(ctx, c, map[string]int{"rate:eur": 1, "rate:usd": 2, "fee:wire": 3}, cache.WarmOptions{})
	n, _ := c.InvalidatePattern(ctx, "rate:*")
	left, _ := rdb.Keys(ctx, "*").Result()
	fmt.Println("removed", n, "left", left)
	// Output:
	// removed 2 left [bank:fee:wire]
}
