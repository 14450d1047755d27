package cache

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/ember-kv/ember/embertest"
	"github.com/redis/go-redis/v9"
)

// benchSetup starts a server, stores lamp under "b:product:1" through a
// Cache and returns both the client and the Cache.
func benchSetup(b *testing.B, opts Options) (*redis.Client, *Cache) {
	b.Helper()
	srv := embertest.Run(b)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	b.Cleanup(func() { rdb.Close() })
	opts.Prefix = "b:"
	c := New(rdb, opts)
	b.Cleanup(func() { c.Close() })
	if err := c.Set(context.Background(), "product:1", lamp, time.Hour); err != nil {
		b.Fatal(err)
	}
	return rdb, c
}

func benchLoader(context.Context) (product, error) { return lamp, nil }

// BenchmarkRawGet is the baseline: a go-redis GET of the same key, bytes
// only, no decoding.
func BenchmarkRawGet(b *testing.B) {
	rdb, _ := benchSetup(b, Options{})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rdb.Get(ctx, "b:product:1").Bytes(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetOrLoadHit is a cache hit: the breaker check, the per-call
// deadline, the GET and the JSON decode into a struct.
func BenchmarkGetOrLoadHit(b *testing.B) {
	_, c := benchSetup(b, Options{})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := GetOrLoad(ctx, c, "product:1", time.Hour, benchLoader); err != nil {
			b.Fatal(err)
		}
	}
	if s := c.Stats(); s.Loads != 0 {
		b.Fatalf("%d loads in a hit benchmark", s.Loads)
	}
}

// BenchmarkGetOrLoadHitSWR is a hit with stale-while-revalidate on: GET
// and PTTL in one pipeline.
func BenchmarkGetOrLoadHitSWR(b *testing.B) {
	_, c := benchSetup(b, Options{StaleWhileRevalidate: time.Minute})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := GetOrLoad(ctx, c, "product:1", time.Hour, benchLoader); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetOrLoadNearHit is a hit answered by the near cache: no round
// trip, just the decode.
func BenchmarkGetOrLoadNearHit(b *testing.B) {
	_, c := benchSetup(b, Options{Near: NearOptions{Size: 1000}})
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for !c.near.live.Load() || c.Stats().NearHits == 0 {
		if time.Now().After(deadline) {
			b.Fatal("near cache never answered")
		}
		GetOrLoad(ctx, c, "product:1", time.Hour, benchLoader)
		time.Sleep(time.Millisecond)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := GetOrLoad(ctx, c, "product:1", time.Hour, benchLoader); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHitOverRaw alternates a raw GET and a GetOrLoad hit of the same
// key, timing each, so both see the same machine load; it reports their
// mean times and the ratio (the target is at most 1.1). It also times a
// hit decoded as json.RawMessage, which leaves out the cost of decoding
// the struct: hitraw/raw is the cache's own overhead.
func BenchmarkHitOverRaw(b *testing.B) {
	rdb, c := benchSetup(b, Options{})
	ctx := context.Background()
	var raw, hit, hitRaw time.Duration
	rawLoader := func(context.Context) (json.RawMessage, error) { return nil, nil }
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		// Alternate which goes first, so neither gains from the other.
		i++
		if i%2 == 0 {
			t0 := time.Now()
			if _, err := rdb.Get(ctx, "b:product:1").Bytes(); err != nil {
				b.Fatal(err)
			}
			raw += time.Since(t0)
		}
		t1 := time.Now()
		if _, err := GetOrLoad(ctx, c, "product:1", time.Hour, benchLoader); err != nil {
			b.Fatal(err)
		}
		hit += time.Since(t1)
		t2 := time.Now()
		if _, err := GetOrLoad(ctx, c, "product:1", time.Hour, rawLoader); err != nil {
			b.Fatal(err)
		}
		hitRaw += time.Since(t2)
		if i%2 == 1 {
			t0 := time.Now()
			if _, err := rdb.Get(ctx, "b:product:1").Bytes(); err != nil {
				b.Fatal(err)
			}
			raw += time.Since(t0)
		}
	}
	b.ReportMetric(float64(raw)/float64(b.N), "raw-ns/op")
	b.ReportMetric(float64(hit)/float64(b.N), "hit-ns/op")
	b.ReportMetric(float64(hit)/float64(raw), "hit/raw")
	b.ReportMetric(float64(hitRaw)/float64(raw), "hitraw/raw")
}
