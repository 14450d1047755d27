package cache

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ember-kv/ember/cache/internal/clustertest"
	"github.com/ember-kv/ember/embertest"
	"github.com/redis/go-redis/v9"
)

// ptNeedGroups skips the test when the server lacks the stream consumer
// group commands write-behind uses.
func ptNeedGroups(t *testing.T, rdb redis.UniversalClient) {
	t.Helper()
	for _, cmd := range []string{"xgroup", "xreadgroup", "xack", "xpending", "xclaim", "xautoclaim"} {
		res, err := rdb.Do(context.Background(), "command", "info", cmd).Slice()
		if err != nil {
			t.Fatalf("COMMAND INFO %s: %v", cmd, err)
		}
		if len(res) != 1 || res[0] == nil {
			t.Skipf("the server does not implement %s yet; write-behind needs stream consumer groups", cmd)
		}
	}
}

// ptSink is a write-behind store: it records every update it accepts.
type ptSink struct {
	mu      sync.Mutex
	batches [][]Update[int]
	applied map[string][]Update[int]
	calls   atomic.Int32
	// hook runs first on every flush; a non-nil error refuses the batch.
	hook func(ctx context.Context, batch []Update[int]) error
}

func newPTSink() *ptSink { return &ptSink{applied: map[string][]Update[int]{}} }

func (s *ptSink) flush(ctx context.Context, batch []Update[int]) error {
	s.calls.Add(1)
	if s.hook != nil {
		if err := s.hook(ctx, batch); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches = append(s.batches, slices.Clone(batch))
	for _, u := range batch {
		s.applied[u.Key] = append(s.applied[u.Key], u)
	}
	return nil
}

// got returns the updates applied for key.
func (s *ptSink) got(key string) []Update[int] {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.applied[key])
}

func (s *ptSink) keys() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.applied)
}

// once checks that key reached the store exactly once, as want (nil: a
// deletion), coalescing writes queued writes.
func (s *ptSink) once(t *testing.T, key string, want *int, writes int) {
	t.Helper()
	ups := s.got(key)
	if len(ups) != 1 {
		t.Fatalf("%s reached the store %d times (%+v), want once", key, len(ups), ups)
	}
	u := ups[0]
	switch {
	case want == nil && !u.Deleted, want != nil && (u.Deleted || u.Value != *want):
		t.Fatalf("%s: store got %+v, want value %v", key, u, want)
	case u.Writes != writes:
		t.Fatalf("%s: update coalesces %d writes, want %d", key, u.Writes, writes)
	case u.ID == "":
		t.Fatalf("%s: update without ID", key)
	}
}

func ptInt(n int) *int { return &n }

func ptStats(t *testing.T, w *WriteBehind[int]) WriteBehindStats {
	t.Helper()
	st, err := w.Stats(context.Background())
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	return st
}

// ptFast is a configuration for tests: short waits everywhere.
func ptFast(o WriteBehindOptions) WriteBehindOptions {
	if o.Block == 0 {
		o.Block = 20 * time.Millisecond
	}
	if o.RetryMin == 0 {
		o.RetryMin = time.Millisecond
	}
	if o.RetryMax == 0 {
		o.RetryMax = 5 * time.Millisecond
	}
	if o.MinIdle == 0 {
		o.MinIdle = 5 * time.Second
	}
	return o
}

func TestWriteBehindFlush(t *testing.T) {
	ptBackends(t, func(t *testing.T, rdb *redis.Client) {
		ptNeedGroups(t, rdb)
		ctx := ptCtx(t)
		c := New(rdb, Options{Prefix: "p:"})
		defer c.Close()
		sink := newPTSink()
		w := NewWriteBehind(c, sink.flush, ptFast(WriteBehindOptions{Shards: 2}))

		for i := 1; i <= 3; i++ {
			if err := w.Set(ctx, "a", i); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Set(ctx, "b", 10); err != nil {
			t.Fatal(err)
		}
		if err := w.Set(ctx, "c", 20); err != nil {
			t.Fatal(err)
		}
		if err := w.Delete(ctx, "c"); err != nil {
			t.Fatal(err)
		}

		// The cache is updated at once, the store not yet.
		if v, err := w.Get(ctx, "a"); err != nil || v != 3 {
			t.Fatalf("Get a = %v, %v", v, err)
		}
		if _, err := w.Get(ctx, "c"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get c after Delete: %v", err)
		}
		// The value and its queue entry share the shard's hash tag.
		sa := w.Shard("a")
		if got := w.CacheKey("a"); got != "{wb:"+strconv.Itoa(sa)+"}v:a" {
			t.Fatalf("CacheKey(a) = %q", got)
		}
		if ptRaw(t, rdb, "p:"+w.CacheKey("a")) != "3" {
			t.Fatal("value not under its CacheKey")
		}
		var qlen int64
		for s := range 2 {
			qlen += rdb.XLen(ctx, w.QueueKey(s)).Val()
		}
		if qlen != 6 {
			t.Fatalf("queues hold %d entries, want 6", qlen)
		}
		if st := ptStats(t, w); st.Lag != 6 || st.Pending != 0 || st.Enqueued != 6 || st.Flushed != 0 {
			t.Fatalf("Stats before Start = %+v", st)
		}

		if err := w.Start(ctx); err != nil {
			t.Fatal(err)
		}
		if err := w.Start(ctx); err == nil {
			t.Fatal("second Start: no error")
		}
		ptEventually(t, "the flush", func() bool { return sink.keys() == 3 })
		sink.once(t, "a", ptInt(3), 3)
		sink.once(t, "b", ptInt(10), 1)
		sink.once(t, "c", nil, 2)
		ptEventually(t, "the acks", func() bool {
			st := ptStats(t, w)
			return st.Pending == 0 && st.Lag == 0
		})
		st := ptStats(t, w)
		if st.Flushed != 3 || st.FlushedWrites != 6 || st.Retries != 0 || st.DeadLettered != 0 {
			t.Fatalf("Stats after the flush = %+v", st)
		}
		for s := range 2 {
			if n := rdb.XLen(ctx, w.QueueKey(s)).Val(); n != 0 {
				t.Fatalf("queue %d keeps %d acknowledged entries", s, n)
			}
		}

		// Later writes flush too, while the workers run.
		if err := w.Set(ctx, "d", 7); err != nil {
			t.Fatal(err)
		}
		ptEventually(t, "the flush of d", func() bool { return len(sink.got("d")) == 1 })
		if err := w.Close(ctx); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := w.Close(ctx); err != nil {
			t.Fatalf("second Close: %v", err)
		}
	})
}

// TestWriteBehindKilledWorker kills a worker after it read a batch and
// before it acknowledged it: a second worker reclaims the entries, and every
// acknowledged update reaches the store exactly once, coalesced.
func TestWriteBehindKilledWorker(t *testing.T) {
	ptBackends(t, func(t *testing.T, rdb *redis.Client) {
		ptNeedGroups(t, rdb)
		ctx := ptCtx(t)
		c := New(rdb, Options{Prefix: "p:"})
		defer c.Close()
		opts := ptFast(WriteBehindOptions{Shards: 1, MinIdle: 200 * time.Millisecond, ClaimInterval: 20 * time.Millisecond})

		sinkA := newPTSink()
		killA, cancelA := context.WithCancel(ctx)
		defer cancelA()
		var readByA []Update[int]
		sinkA.hook = func(ctx context.Context, batch []Update[int]) error {
			readByA = slices.Clone(batch)
			cancelA() // the worker dies with the batch in hand
			return ctx.Err()
		}
		optsA := opts
		optsA.Consumer = "a"
		a := NewWriteBehind(c, sinkA.flush, optsA)
		for i := 1; i <= 3; i++ {
			if err := a.Set(ctx, "x", i); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.Set(ctx, "y", 1); err != nil {
			t.Fatal(err)
		}
		if err := a.Start(killA); err != nil {
			t.Fatal(err)
		}
		if err := a.Close(ctx); err != nil { // waits for the dead worker
			t.Fatalf("Close of the killed writer: %v", err)
		}
		if len(readByA) != 2 || sinkA.keys() != 0 {
			t.Fatalf("worker a read %+v and stored %d keys", readByA, sinkA.keys())
		}
		if st := ptStats(t, a); st.Pending != 4 || st.Lag != 0 || st.Flushed != 0 {
			t.Fatalf("Stats after the kill = %+v, want 4 pending", st)
		}

		sinkB := newPTSink()
		optsB := opts
		optsB.Consumer = "b"
		b := NewWriteBehind(c, sinkB.flush, optsB)
		if err := b.Start(ctx); err != nil {
			t.Fatal(err)
		}
		ptEventually(t, "worker b to flush a's entries", func() bool { return sinkB.keys() == 2 })
		ptEventually(t, "the acks", func() bool {
			st := ptStats(t, b)
			return st.Pending == 0 && st.Lag == 0
		})
		if err := b.Close(ctx); err != nil {
			t.Fatal(err)
		}
		sinkB.once(t, "x", ptInt(3), 3)
		sinkB.once(t, "y", ptInt(1), 1)
		if st := ptStats(t, b); st.Claimed != 4 || st.Flushed != 2 || st.FlushedWrites != 4 {
			t.Fatalf("Stats of b = %+v", st)
		}
	})
}

func TestWriteBehindPoison(t *testing.T) {
	ptBackends(t, func(t *testing.T, rdb *redis.Client) {
		ptNeedGroups(t, rdb)
		ctx := ptCtx(t)
		c := New(rdb, Options{Prefix: "p:"})
		defer c.Close()
		sink := newPTSink()
		sink.hook = func(ctx context.Context, batch []Update[int]) error {
			for _, u := range batch {
				switch u.Key {
				case "poison":
					return errors.New("constraint violated")
				case "fatal":
					return fmt.Errorf("row rejected: %w", ErrPoison)
				}
			}
			return nil
		}
		var flushErrors atomic.Int32
		w := NewWriteBehind(c, sink.flush, ptFast(WriteBehindOptions{
			Shards: 1, MaxDeliveries: 3,
			OnError: func(ctx context.Context, op string, shard int, err error) {
				if op == "flush" {
					flushErrors.Add(1)
				}
			},
		}))
		for _, k := range []string{"good1", "poison", "good2", "fatal"} {
			if err := w.Set(ctx, k, 1); err != nil {
				t.Fatal(err)
			}
		}
		// An entry no worker can decode.
		q := w.QueueKey(0)
		if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: q, Values: []any{"k", "bad", "op", "set", "v", "{not json"}}).Err(); err != nil {
			t.Fatal(err)
		}
		if err := w.Start(ctx); err != nil {
			t.Fatal(err)
		}
		ptEventually(t, "the poison to be parked", func() bool {
			st := ptStats(t, w)
			return st.DeadLetters == 3 && st.DeadLettered == 3 && st.Pending == 0 && st.Lag == 0
		})
		sink.once(t, "good1", ptInt(1), 1)
		sink.once(t, "good2", ptInt(1), 1)
		if len(sink.got("poison")) != 0 || len(sink.got("fatal")) != 0 {
			t.Fatal("poison reached the store")
		}
		st := ptStats(t, w)
		// The batch of four fails; then each alone: fatal is parked after
		// its first failure (ErrPoison), poison after its third.
		if st.DeadLettered != 3 || st.Flushed != 2 || st.Retries != 3 || st.Flushes != 7 || flushErrors.Load() != 5 {
			t.Fatalf("Stats = %+v, flush errors %d", st, flushErrors.Load())
		}
		dead, err := rdb.XRange(ctx, w.DeadLetterKey(0), "-", "+").Result()
		if err != nil || len(dead) != 3 {
			t.Fatalf("dead letters = %v, %v", dead, err)
		}
		byKey := map[string]map[string]any{}
		for _, m := range dead {
			byKey[m.Values["k"].(string)] = m.Values
		}
		p := byKey["poison"]
		if p["op"] != "set" || p["v"] != "1" || p["deliveries"] != "3" || p["error"] != "constraint violated" || p["id"] == "" {
			t.Fatalf("parked poison = %v", p)
		}
		if f := byKey["fatal"]; f["deliveries"] != "1" || f["error"] != "row rejected: cache: poison update" {
			t.Fatalf("parked fatal = %v", f)
		}
		if b := byKey["bad"]; b["v"] != "{not json" || b["deliveries"] != "0" {
			t.Fatalf("parked undecodable entry = %v", b)
		}
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// TestWriteBehindRetry: a store that fails twice and recovers gets every
// update once, and nothing is parked.
func TestWriteBehindRetry(t *testing.T) {
	ptBackends(t, func(t *testing.T, rdb *redis.Client) {
		ptNeedGroups(t, rdb)
		ctx := ptCtx(t)
		c := New(rdb, Options{Prefix: "p:"})
		defer c.Close()
		sink := newPTSink()
		var failures atomic.Int32
		sink.hook = func(ctx context.Context, batch []Update[int]) error {
			if failures.Add(1) <= 2 {
				return errors.New("store unavailable")
			}
			return nil
		}
		var mu sync.Mutex
		var ops []string
		w := NewWriteBehind(c, sink.flush, ptFast(WriteBehindOptions{Shards: 1,
			OnError: func(ctx context.Context, op string, shard int, err error) {
				mu.Lock()
				ops = append(ops, op)
				mu.Unlock()
			}}))
		w.Set(ctx, "a", 1)
		w.Set(ctx, "b", 2)
		if err := w.Start(ctx); err != nil {
			t.Fatal(err)
		}
		ptEventually(t, "the flush", func() bool { return sink.keys() == 2 })
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
		sink.once(t, "a", ptInt(1), 1)
		sink.once(t, "b", ptInt(2), 1)
		// [a b] fails, [a] fails and [b] succeeds, [a] succeeds.
		if st := ptStats(t, w); st.Retries != 2 || st.DeadLettered != 0 || st.Flushes != 4 || st.Pending != 0 || st.Lag != 0 {
			t.Fatalf("Stats = %+v", st)
		}
		if !slices.Equal(ops, []string{"flush", "flush"}) {
			t.Fatalf("OnError ops = %v, want the two failed flushes", ops)
		}
	})
}

// TestWriteBehindClose: Close flushes what the workers hold and what is still
// queued before it returns.
func TestWriteBehindClose(t *testing.T) {
	ptBackends(t, func(t *testing.T, rdb *redis.Client) {
		ptNeedGroups(t, rdb)
		ctx := ptCtx(t)
		c := New(rdb, Options{Prefix: "p:"})
		defer c.Close()
		sink := newPTSink()
		first := make(chan struct{})
		release := make(chan struct{})
		var once sync.Once
		sink.hook = func(ctx context.Context, batch []Update[int]) error {
			once.Do(func() {
				close(first)
				<-release
			})
			return nil
		}
		w := NewWriteBehind(c, sink.flush, ptFast(WriteBehindOptions{Shards: 1, BatchSize: 10}))
		if err := w.Start(ctx); err != nil {
			t.Fatal(err)
		}
		const n = 100
		for i := range n {
			if err := w.Set(ctx, "k"+strconv.Itoa(i), i); err != nil {
				t.Fatal(err)
			}
		}
		<-first // a batch is in flight, the rest queued
		closed := make(chan error, 1)
		go func() { closed <- w.Close(ctx) }()
		ptEventually(t, "Close to begin", w.draining)
		close(release)
		if err := <-closed; err != nil {
			t.Fatalf("Close: %v", err)
		}
		if sink.keys() != n {
			t.Fatalf("store has %d keys after Close, want %d", sink.keys(), n)
		}
		for i := range n {
			sink.once(t, "k"+strconv.Itoa(i), ptInt(i), 1)
		}
		if st := ptStats(t, w); st.Pending != 0 || st.Lag != 0 || st.Flushed != n {
			t.Fatalf("Stats after Close = %+v", st)
		}

		// A Close whose ctx ends first stops the workers hard.
		sink2 := newPTSink()
		stuck := make(chan struct{})
		sink2.hook = func(ctx context.Context, batch []Update[int]) error {
			close(stuck)
			<-ctx.Done()
			return ctx.Err()
		}
		w2 := NewWriteBehind(c, sink2.flush, ptFast(WriteBehindOptions{Name: "other", Shards: 1}))
		w2.Set(ctx, "z", 1)
		if err := w2.Start(ctx); err != nil {
			t.Fatal(err)
		}
		<-stuck
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if err := w2.Close(short); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Close with a stuck store: %v", err)
		}
		if st := ptStats(t, w2); st.Pending != 1 {
			t.Fatalf("Stats after a hard stop = %+v, want the entry still pending", st)
		}
	})
}

func TestWriteBehindCluster(t *testing.T) {
	cl := clustertest.Start(t)
	rdb := cl.Client(t)
	ctx := ptCtx(t)
	c := New(rdb, Options{Prefix: "p:"})
	defer c.Close()
	sink := newPTSink()
	const shards = 6
	w := NewWriteBehind(c, sink.flush, ptFast(WriteBehindOptions{Shards: shards}))
	for s := range shards {
		q := w.QueueKey(s)
		vs := rdb.ClusterKeySlot(ctx, q).Val()
		if ks := rdb.ClusterKeySlot(ctx, "p:{wb:"+strconv.Itoa(s)+"}v:anything").Val(); ks != vs {
			t.Fatalf("shard %d: value slot %d, queue slot %d", s, ks, vs)
		}
	}
	const n = 60
	for i := range n {
		for v := range 2 {
			if err := w.Set(ctx, fmt.Sprint("key", i), i*10+v); err != nil {
				t.Fatalf("Set on the cluster: %v", err)
			}
		}
	}
	if st := ptStats(t, w); st.Lag != 2*n {
		t.Fatalf("Stats = %+v, want lag %d", st, 2*n)
	}
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	ptEventually(t, "the flush", func() bool { return sink.keys() == n })
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		sink.once(t, fmt.Sprint("key", i), ptInt(i*10+1), 2)
		if v, err := w.Get(ctx, fmt.Sprint("key", i)); err != nil || v != i*10+1 {
			t.Fatalf("Get key%d = %v, %v", i, v, err)
		}
	}
	if st := ptStats(t, w); st.Pending != 0 || st.Lag != 0 {
		t.Fatalf("Stats = %+v", st)
	}
}

// TestWriteBehindCrashLoop: an entry whose earlier deliveries all ended in a
// dead worker (it crashes whoever flushes it) is parked when reclaimed, not
// flushed again.
func TestWriteBehindCrashLoop(t *testing.T) {
	ptBackends(t, func(t *testing.T, rdb *redis.Client) {
		ptNeedGroups(t, rdb)
		ctx := ptCtx(t)
		c := New(rdb, Options{Prefix: "p:"})
		defer c.Close()
		sink := newPTSink()
		w := NewWriteBehind(c, sink.flush, ptFast(WriteBehindOptions{
			Shards: 1, Consumer: "survivor", MaxDeliveries: 3,
			MinIdle: 50 * time.Millisecond, ClaimInterval: 10 * time.Millisecond,
		}))
		w.Set(ctx, "crasher", 1)
		q := w.QueueKey(0)
		if err := rdb.XGroupCreateMkStream(ctx, q, DefaultWriteBehindGroup, "0").Err(); err != nil {
			t.Fatal(err)
		}
		// Three workers took it and died (each read counts a delivery).
		for i, id := range []string{">", "0", "0"} {
			err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
				Group: DefaultWriteBehindGroup, Consumer: "ghost", Streams: []string{q, id}, Count: 10, Block: -1,
			}).Err()
			if err != nil {
				t.Fatalf("read %d: %v", i, err)
			}
		}
		w.Set(ctx, "fine", 2) // delivered fresh, flushed normally
		if err := w.Start(ctx); err != nil {
			t.Fatal(err)
		}
		ptEventually(t, "the crasher to be parked", func() bool {
			st := ptStats(t, w)
			return st.DeadLetters == 1 && st.DeadLettered == 1 && st.Pending == 0 && st.Lag == 0
		})
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if len(sink.got("crasher")) != 0 {
			t.Fatal("the crasher was flushed again")
		}
		sink.once(t, "fine", ptInt(2), 1)
		dead := rdb.XRange(ctx, w.DeadLetterKey(0), "-", "+").Val()
		if len(dead) != 1 || dead[0].Values["k"] != "crasher" || dead[0].Values["deliveries"] != "3" ||
			dead[0].Values["error"] != "too many deliveries" {
			t.Fatalf("dead letters = %+v", dead)
		}
		if st := ptStats(t, w); st.Claimed != 1 || st.DeadLettered != 1 {
			t.Fatalf("Stats = %+v", st)
		}
	})
}

// BenchmarkWriteBehind measures acknowledged writes per second (Set: one
// MULTI of SET and XADD) and how long the workers take to flush them all.
func BenchmarkWriteBehind(b *testing.B) {
	srv := embertest.Run(b)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	c := New(rdb, Options{})
	defer c.Close()
	ctx := context.Background()
	var flushed atomic.Int64
	w := NewWriteBehind(c, func(ctx context.Context, batch []Update[int]) error {
		flushed.Add(int64(len(batch)))
		return nil
	}, WriteBehindOptions{Block: 10 * time.Millisecond})
	if err := w.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			if err := w.Set(ctx, strconv.Itoa(i%1000), i); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
	if err := w.Close(ctx); err != nil {
		b.Fatal(err)
	}
	if st, _ := w.Stats(ctx); st.Lag != 0 || st.Pending != 0 || st.FlushedWrites != uint64(b.N) {
		b.Fatalf("after Close: %+v, want %d writes flushed", st, b.N)
	}
}
