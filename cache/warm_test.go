package cache

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/ember-kv/ember/embertest"
	"github.com/redis/go-redis/v9"
)

// ptEntries yields n entries "item:<i>" → i.
func ptEntries(n int) func(yield func(string, int) bool) {
	return func(yield func(string, int) bool) {
		for i := range n {
			if !yield("item:"+strconv.Itoa(i), i) {
				return
			}
		}
	}
}

func TestWarm(t *testing.T) {
	ptBackends(t, func(t *testing.T, rdb *redis.Client) {
		ctx := ptCtx(t)
		c := New(rdb, Options{Prefix: "w:", Jitter: 0.1, Rand: rand.NewPCG(1, 2)})
		defer c.Close()

		var progress []WarmProgress
		got, err := Warm(ctx, c, ptEntries(1234), WarmOptions{
			TTL: time.Hour, BatchSize: 100,
			Progress: func(p WarmProgress) { progress = append(progress, p) },
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := (WarmProgress{Batches: 13, Written: 1234}); got != want {
			t.Fatalf("Warm = %+v, want %+v", got, want)
		}
		if len(progress) != 13 {
			t.Fatalf("%d progress reports, want one per batch (13)", len(progress))
		}
		for i, p := range progress {
			if p.Batches != i+1 || p.Written != min(100*(i+1), 1234) {
				t.Fatalf("progress[%d] = %+v", i, p)
			}
		}
		if n := rdb.DBSize(ctx).Val(); n != 1234 {
			t.Fatalf("DBSIZE = %d", n)
		}
		if got := ptRaw(t, rdb, "w:item:77"); got != "77" {
			t.Fatalf("item:77 = %s", got)
		}
		// Jitter spreads the TTLs: warmed keys do not expire together.
		ttls := map[time.Duration]bool{}
		for i := range 20 {
			d := rdb.PTTL(ctx, "w:item:"+strconv.Itoa(i)).Val()
			if d < 54*time.Minute || d > 66*time.Minute {
				t.Fatalf("PTTL item:%d = %v, want 1h ±10%%", i, d)
			}
			ttls[d.Round(time.Second)] = true
		}
		if len(ttls) < 10 {
			t.Fatalf("only %d distinct TTLs among 20 warmed keys", len(ttls))
		}

		// OnlyMissing keeps what is cached; values that cannot be encoded
		// are counted and the first error returned.
		rdb.Set(ctx, "w:item:1", "fresher", 0)
		mixed := func(yield func(string, any) bool) {
			_ = yield("item:1", 1) && yield("item:5000", 5000) && yield("bad", func() {}) && yield("item:5001", 5001)
		}
		got, err = Warm(ctx, c, mixed, WarmOptions{OnlyMissing: true, BatchSize: 2})
		if want := (WarmProgress{Batches: 2, Written: 2, Skipped: 1, Failed: 1}); got != want {
			t.Fatalf("Warm OnlyMissing = %+v, want %+v", got, want)
		}
		if err == nil {
			t.Fatal("no error for the unencodable value")
		}
		if ptRaw(t, rdb, "w:item:1") != "fresher" || ptRaw(t, rdb, "w:item:5001") != "5001" {
			t.Fatal("OnlyMissing overwrote a cached value or skipped a missing one")
		}

		// WarmMap, and ctx ending mid-way stops it.
		got, err = WarmMap(ctx, c, map[string]string{"m1": "a", "m2": "b"}, WarmOptions{})
		if err != nil || got.Written != 2 || got.Batches != 1 {
			t.Fatalf("WarmMap = %+v, %v", got, err)
		}
		cctx, cancel := context.WithCancel(ctx)
		got, err = Warm(cctx, c, ptEntries(1000), WarmOptions{BatchSize: 10, Progress: func(p WarmProgress) {
			if p.Batches == 3 {
				cancel()
			}
		}})
		if !errors.Is(err, context.Canceled) || got.Written != 30 {
			t.Fatalf("canceled Warm = %+v, %v", got, err)
		}
	})
}

func TestWarmServerDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1})
	defer rdb.Close()
	c := New(rdb, Options{})
	defer c.Close()
	got, err := Warm(ptCtx(t), c, ptEntries(50), WarmOptions{BatchSize: 10})
	if err == nil || got.Written != 0 || got.Batches != 1 {
		t.Fatalf("Warm with the server down = %+v, %v: want a stop after the first batch", got, err)
	}
	var rerr redis.Error
	if errors.As(err, &rerr) {
		t.Fatalf("error %v is a server reply, want the connection's", err)
	}
}

// BenchmarkWarm measures warming throughput (values per second) with
// 500-SET pipelines.
func BenchmarkWarm(b *testing.B) {
	srv := embertest.Run(b)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	c := New(rdb, Options{})
	defer c.Close()
	ctx := context.Background()
	const n = 10000
	b.ResetTimer()
	for range b.N {
		if _, err := Warm(ctx, c, ptEntries(n), WarmOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "values/s")
}
