package cache

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ember-kv/ember/cache/internal/clustertest"
	"github.com/redis/go-redis/v9"
)

func TestInvalidatePattern(t *testing.T) {
	ptBackends(t, func(t *testing.T, rdb *redis.Client) {
		ctx := ptCtx(t)
		// The prefix has glob metacharacters: they must match themselves.
		c := New(rdb, Options{Prefix: "app[1]:"})
		defer c.Close()
		other := New(rdb, Options{Prefix: "app1:"})
		defer other.Close()
		for i := range 1200 { // several SCAN batches
			if err := c.Set(ctx, fmt.Sprint("user:", i), i, time.Hour); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 10 {
			c.Set(ctx, fmt.Sprint("product:", i), i, time.Hour)
			other.Set(ctx, fmt.Sprint("user:", i), i, time.Hour)
		}
		n, err := c.InvalidatePattern(ctx, "user:*")
		if err != nil || n != 1200 {
			t.Fatalf("InvalidatePattern = %d, %v; want 1200", n, err)
		}
		if left := rdb.DBSize(ctx).Val(); left != 20 {
			t.Fatalf("%d keys left, want the 10 products and the other prefix's 10 users", left)
		}
		if _, err := Get[int](ctx, other, "user:3"); err != nil {
			t.Fatalf("another prefix's key was removed: %v", err)
		}
		if n, err := c.InvalidatePattern(ctx, "nothing:*"); err != nil || n != 0 {
			t.Fatalf("InvalidatePattern of nothing = %d, %v", n, err)
		}
		if err := c.Invalidate(ctx, "product:1", "product:2"); err != nil {
			t.Fatal(err)
		}
		if left := rdb.DBSize(ctx).Val(); left != 18 {
			t.Fatalf("%d keys left after Invalidate, want 18", left)
		}
	})
}

// TestInvalidatePatternCluster spreads keys over all three primaries and
// removes them with one call.
func TestInvalidatePatternCluster(t *testing.T) {
	cl := clustertest.Start(t)
	rdb := cl.Client(t)
	ctx := ptCtx(t)
	c := New(rdb, Options{Prefix: "app:"})
	defer c.Close()
	const n = 900
	for i := range n {
		if err := c.Set(ctx, fmt.Sprint("session:", i), i, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 30 {
		c.Set(ctx, fmt.Sprint("keep:", i), i, time.Hour)
	}
	perNode := func() map[string]int64 {
		var mu sync.Mutex
		out := map[string]int64{}
		err := rdb.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
			keys, err := m.Keys(ctx, "app:session:*").Result()
			mu.Lock()
			out[m.Options().Addr] = int64(len(keys))
			mu.Unlock()
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := perNode()
	if len(before) != clustertest.Nodes {
		t.Fatalf("keys on %d primaries: %v", len(before), before)
	}
	for addr, k := range before {
		if k == 0 {
			t.Fatalf("primary %s holds no session keys: %v", addr, before)
		}
	}
	got, err := c.InvalidatePattern(ctx, "session:*")
	if err != nil || got != n {
		t.Fatalf("InvalidatePattern = %d, %v; want %d", got, err, n)
	}
	for addr, k := range perNode() {
		if k != 0 {
			t.Fatalf("primary %s still holds %d session keys", addr, k)
		}
	}
	if _, err := Get[int](ctx, c, "keep:7"); err != nil {
		t.Fatalf("keep:7: %v", err)
	}
}

func TestInvalidateTags(t *testing.T) {
	ptBackends(t, func(t *testing.T, rdb *redis.Client) {
		testInvalidateTags(t, rdb, rdb)
	})
	t.Run("cluster", func(t *testing.T) {
		cl := clustertest.Start(t)
		rdb := cl.Client(t)
		testInvalidateTags(t, rdb, rdb)
	})
}

func testInvalidateTags(t *testing.T, rdb redis.UniversalClient, raw redis.Cmdable) {
	ctx := ptCtx(t)
	c := New(rdb, Options{Prefix: "t:"})
	defer c.Close()
	set := func(key string, ttl time.Duration, tags ...string) {
		t.Helper()
		if err := c.SetTagged(ctx, key, key, ttl, tags...); err != nil {
			t.Fatalf("SetTagged %s: %v", key, err)
		}
	}
	set("product:1", time.Hour, "category:lamps")
	set("product:2", 3*time.Hour, "category:lamps", "brand:acme")
	set("product:3", 2*time.Hour, "brand:acme")
	set("home", time.Minute)
	for i := range 700 { // more than one SPOP batch
		set(fmt.Sprint("listing:", i), time.Minute, "bulk")
	}

	// A tag set lives as long as its longest-lived member.
	ttl := func(key string) time.Duration { return raw.PTTL(ctx, key).Val() }
	if d := ttl("t:tag:category:lamps"); d <= 2*time.Hour+59*time.Minute || d > 3*time.Hour {
		t.Fatalf("PTTL of category:lamps = %v, want product:2's 3h", d)
	}
	if d := ttl("t:tag:brand:acme"); d <= 2*time.Hour+59*time.Minute || d > 3*time.Hour {
		t.Fatalf("PTTL of brand:acme = %v, want 3h", d)
	}
	// A shorter-lived member does not shorten it.
	set("product:4", time.Minute, "brand:acme")
	if d := ttl("t:tag:brand:acme"); d <= 2*time.Hour+59*time.Minute {
		t.Fatalf("PTTL of brand:acme = %v after a 1m member: shortened", d)
	}

	n, err := c.InvalidateTags(ctx, "category:lamps")
	if err != nil || n != 2 {
		t.Fatalf("InvalidateTags(category:lamps) = %d, %v; want 2", n, err)
	}
	for key, want := range map[string]bool{"product:1": false, "product:2": false, "product:3": true, "product:4": true, "home": true} {
		_, err := Get[string](ctx, c, key)
		if (err == nil) != want {
			t.Fatalf("%s cached = %v after invalidating category:lamps, want %v", key, err == nil, want)
		}
	}
	if raw.Exists(ctx, "t:tag:category:lamps").Val() != 0 {
		t.Fatal("the tag set outlived its invalidation")
	}
	// brand:acme still names product:2 (already gone) and 3 and 4.
	n, err = c.InvalidateTags(ctx, "brand:acme", "bulk", "unknown")
	if err != nil || n != 2+700 {
		t.Fatalf("InvalidateTags(brand:acme, bulk, unknown) = %d, %v; want 702", n, err)
	}
	if _, err := Get[string](ctx, c, "home"); err != nil {
		t.Fatalf("untagged key removed: %v", err)
	}
	if _, err := Get[string](ctx, c, "listing:5"); err == nil {
		t.Fatal("listing:5 survived")
	}
}
