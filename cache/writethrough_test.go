package cache

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ember-kv/ember/cache/internal/clustertest"
	"github.com/redis/go-redis/v9"
)

// ptStore is a source of truth for the write-through tests.
type ptStore struct {
	mu     sync.Mutex
	m      map[string]string
	loads  atomic.Int32
	fail   error                                 // Store and Remove fail with it when set
	onLoad func(ctx context.Context, key string) // runs after Load read the row
}

func newPTStore() *ptStore { return &ptStore{m: map[string]string{}} }

func (s *ptStore) get(k string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	return v, ok
}

func (s *ptStore) opts() WriteThroughOptions[string, string] {
	return WriteThroughOptions[string, string]{
		TTL: time.Minute,
		Load: func(ctx context.Context, k string) (string, error) {
			s.loads.Add(1)
			v, ok := s.get(k)
			if s.onLoad != nil {
				s.onLoad(ctx, k)
			}
			if !ok {
				return "", ErrNotFound
			}
			return v, nil
		},
		Store: func(ctx context.Context, k, v string) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.fail != nil {
				return s.fail
			}
			s.m[k] = v
			return nil
		},
		Remove: func(ctx context.Context, k string) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.fail != nil {
				return s.fail
			}
			delete(s.m, k)
			return nil
		},
	}
}

func TestWriteThrough(t *testing.T) {
	ptBackends(t, func(t *testing.T, rdb *redis.Client) {
		ctx := ptCtx(t)
		c := New(rdb, Options{Prefix: "wt:"})
		defer c.Close()
		s := newPTStore()
		w := NewWriteThrough(c, s.opts())

		if err := w.Set(ctx, "a", "one"); err != nil {
			t.Fatal(err)
		}
		if v, _ := s.get("a"); v != "one" {
			t.Fatalf("store a = %q", v)
		}
		if got := ptRaw(t, rdb, "wt:a"); got != `"one"` {
			t.Fatalf("cached a = %s", got)
		}
		if v, err := w.Get(ctx, "a"); err != nil || v != "one" {
			t.Fatalf("Get a = %q, %v", v, err)
		}
		if n := s.loads.Load(); n != 0 {
			t.Fatalf("loads = %d: Get after Set must hit", n)
		}

		// A miss is filled from the store, once.
		s.m["b"] = "two"
		for range 2 {
			if v, err := w.Get(ctx, "b"); err != nil || v != "two" {
				t.Fatalf("Get b = %q, %v", v, err)
			}
		}
		if n := s.loads.Load(); n != 1 {
			t.Fatalf("loads = %d, want 1", n)
		}

		// A failed store leaves the cache alone and fails Set.
		s.fail = errors.New("disk full")
		if err := w.Set(ctx, "a", "uno"); err == nil || err.Error() != "disk full" {
			t.Fatalf("Set with failing store: %v", err)
		}
		if err := w.Delete(ctx, "a"); err == nil {
			t.Fatal("Delete with failing store: no error")
		}
		s.fail = nil
		if got := ptRaw(t, rdb, "wt:a"); got != `"one"` {
			t.Fatalf("cached a after failed Set = %s", got)
		}

		// Delete removes the row and caches "not found".
		if err := w.Delete(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		if _, ok := s.get("a"); ok {
			t.Fatal("a still in store")
		}
		if _, err := w.Get(ctx, "a"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get a after Delete: %v", err)
		}
		if n := s.loads.Load(); n != 1 {
			t.Fatalf("loads = %d: the not-found marker must answer", n)
		}
		if d := rdb.PTTL(ctx, "wt:a").Val(); d <= 0 || d > DefaultNegativeTTL {
			t.Fatalf("marker PTTL = %v", d)
		}

		// Loads of missing rows are negative-cached too.
		if _, err := w.Get(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get nope: %v", err)
		}
		if got := ptRaw(t, rdb, "wt:nope"); got != string(negativeMarker) {
			t.Fatalf("cached nope = %q", got)
		}

		// An undecodable cached value is replaced by the fill.
		rdb.Set(ctx, "wt:b", "{garbage", time.Minute)
		if v, err := w.Get(ctx, "b"); err != nil || v != "two" {
			t.Fatalf("Get b over garbage = %q, %v", v, err)
		}
		if got := ptRaw(t, rdb, "wt:b"); got != `"two"` {
			t.Fatalf("cached b = %s", got)
		}

		noRemove := s.opts()
		noRemove.Remove = nil
		if err := NewWriteThrough(c, noRemove).Delete(ctx, "b"); !errors.Is(err, ErrNoRemove) {
			t.Fatalf("Delete without Remove: %v", err)
		}
	})
}

// TestWriteThroughRace is the race that cache-aside leaves open: a reader
// loads the old row, a writer commits and caches the new one, then the
// reader stores the old row. Here the reader's store is refused.
func TestWriteThroughRace(t *testing.T) {
	ptBackends(t, func(t *testing.T, rdb *redis.Client) { testWriteThroughRace(t, rdb) })
	t.Run("cluster", func(t *testing.T) {
		testWriteThroughRace(t, clustertest.Start(t).Client(t))
	})
}

func testWriteThroughRace(t *testing.T, rdb redis.UniversalClient) {
	for _, write := range []string{"set", "delete"} {
		t.Run(write, func(t *testing.T) {
			ctx := ptCtx(t)
			c := New(rdb, Options{Prefix: "wt:" + write + ":"})
			defer c.Close()
			s := newPTStore()
			s.m["k"] = "old"
			loaded := make(chan struct{})
			release := make(chan struct{})
			s.onLoad = func(ctx context.Context, key string) {
				close(loaded)
				<-release
			}
			w := NewWriteThrough(c, s.opts())

			got := make(chan string, 1)
			go func() {
				v, err := w.Get(ctx, "k")
				if err != nil {
					v = err.Error()
				}
				got <- v
			}()
			<-loaded // the reader holds the old row
			s.onLoad = nil
			var err error
			if write == "set" {
				err = w.Set(ctx, "k", "new")
			} else {
				err = w.Delete(ctx, "k")
			}
			if err != nil {
				t.Fatal(err)
			}
			close(release)
			if v := <-got; v != "old" {
				t.Fatalf("reader got %q, want the row it read (old)", v)
			}
			want := `"new"`
			if write == "delete" {
				want = string(negativeMarker)
			}
			if raw := ptRaw(t, rdb, "wt:"+write+":k"); raw != want {
				t.Fatalf("cached %q after the race, want %q (the writer's)", raw, want)
			}
		})
	}
}

// ptFailSet makes a client's SETs of one key fail, as a cache that is
// failing for writes.
type ptFailSet struct{ key string }

func (ptFailSet) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h ptFailSet) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() == "set" && len(cmd.Args()) > 1 && cmd.Args()[1] == h.key {
			err := errors.New("injected SET failure")
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}
func (ptFailSet) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func TestWriteThroughCacheFailure(t *testing.T) {
	ptBackends(t, func(t *testing.T, rdb *redis.Client) {
		ctx := ptCtx(t)
		s := newPTStore()
		good := New(rdb, Options{Prefix: "wt:"})
		defer good.Close()
		if err := NewWriteThrough(good, s.opts()).Set(ctx, "k", "old"); err != nil {
			t.Fatal(err)
		}

		// The SET after the store write fails: the key is deleted, not
		// left holding "old".
		failing := redis.NewClient(&redis.Options{Addr: rdb.Options().Addr})
		defer failing.Close()
		failing.AddHook(ptFailSet{key: "wt:k"})
		var log ptErrors
		bad := New(failing, Options{Prefix: "wt:", OnError: log.record})
		defer bad.Close()
		if err := NewWriteThrough(bad, s.opts()).Set(ctx, "k", "new"); err != nil {
			t.Fatalf("Set with a failing cache: %v (the store accepted it)", err)
		}
		if v, _ := s.get("k"); v != "new" {
			t.Fatalf("store k = %q", v)
		}
		if log.String() != "set k" {
			t.Fatalf("reported %q, want the failed set", log.String())
		}
		if raw := ptRaw(t, rdb, "wt:k"); raw != "<nil>" {
			t.Fatalf("cached %s after a failed SET: stale", raw)
		}
		if v, err := NewWriteThrough(good, s.opts()).Get(ctx, "k"); err != nil || v != "new" {
			t.Fatalf("Get = %q, %v", v, err)
		}
	})
}

// TestWriteThroughClosedServer points a Cache at a server that is gone: Set
// still succeeds (the store has the write), both cache steps are reported,
// and Get falls back to the store.
func TestWriteThroughClosedServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1, DialTimeout: time.Second})
	defer rdb.Close()
	var log ptErrors
	c := New(rdb, Options{Prefix: "wt:", OnError: log.record})
	defer c.Close()
	s := newPTStore()
	w := NewWriteThrough(c, s.opts())
	ctx := ptCtx(t)

	if err := w.Set(ctx, "k", "v"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if v, _ := s.get("k"); v != "v" {
		t.Fatalf("store k = %q", v)
	}
	if got := log.String(); !strings.HasPrefix(got, "set k, invalidate k") {
		t.Fatalf("reported %q, want the failed set and the failed invalidation", got)
	}
	if v, err := w.Get(ctx, "k"); err != nil || v != "v" {
		t.Fatalf("Get with the cache down = %q, %v", v, err)
	}
}
