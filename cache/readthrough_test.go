package cache

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ember-kv/ember/embertest"
	"github.com/ember-kv/ember/tests/compat"
	"github.com/redis/go-redis/v9"
)

// The pattern tests (read-through, write-through, write-behind, warming,
// invalidation) run against an embedded Ember and a real redis-server; the
// helpers below are shared by them.

// ptBackends runs fn once per server: "ember" and "redis" (skipped when
// redis-server is not installed).
func ptBackends(t *testing.T, fn func(t *testing.T, rdb *redis.Client)) {
	t.Helper()
	t.Run("ember", func(t *testing.T) {
		srv := embertest.Run(t)
		fn(t, ptClient(t, srv.Addr()))
	})
	t.Run("redis", func(t *testing.T) {
		fn(t, ptClient(t, ptRedis(t)))
	})
}

// ptRedis starts a redis-server for the test and returns its address.
func ptRedis(t *testing.T) string {
	t.Helper()
	r, err := compat.StartRedis()
	if compat.IsNotInstalled(err) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	return r.Addr
}

func ptClient(t *testing.T, addr string) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

func ptCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// ptEventually polls cond every 5ms until it holds, failing the test after
// 10 seconds.
func ptEventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// ptErrors records OnError reports as "op key".
type ptErrors struct {
	mu  sync.Mutex
	ops []string
}

func (l *ptErrors) record(_ context.Context, op, key string, _ error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ops = append(l.ops, op+" "+key)
}

func (l *ptErrors) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.ops, ", ")
}

// ptRaw returns the raw bytes stored at key, or "<nil>".
func ptRaw(t *testing.T, rdb redis.Cmdable, key string) string {
	t.Helper()
	s, err := rdb.Get(context.Background(), key).Result()
	if err == redis.Nil {
		return "<nil>"
	}
	if err != nil {
		t.Fatalf("GET %s: %v", key, err)
	}
	return s
}

type ptUser struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

func TestReadThrough(t *testing.T) {
	ptBackends(t, func(t *testing.T, rdb *redis.Client) {
		ctx := ptCtx(t)
		c := New(rdb, Options{Prefix: "rt:"})
		defer c.Close()
		db := map[int]ptUser{1: {1, "ada"}, 2: {2, "bob"}}
		var loads atomic.Int32
		users := NewReadThrough(c, time.Minute,
			func(id int) string { return "user:" + strconv.Itoa(id) },
			func(ctx context.Context, id int) (ptUser, error) {
				loads.Add(1)
				u, ok := db[id]
				if !ok {
					return ptUser{}, ErrNotFound
				}
				return u, nil
			})

		for range 3 {
			u, err := users.Get(ctx, 1)
			if err != nil || u != db[1] {
				t.Fatalf("Get(1) = %+v, %v", u, err)
			}
		}
		if n := loads.Load(); n != 1 {
			t.Fatalf("loads = %d after three Gets, want 1", n)
		}
		if got := ptRaw(t, rdb, "rt:user:1"); got != `{"id":1,"name":"ada"}` {
			t.Fatalf("cached = %s", got)
		}
		if users.Key(1) != "user:1" || users.Cache() != c {
			t.Fatal("Key/Cache")
		}

		// Missing ids are cached as not found.
		for range 2 {
			if _, err := users.Get(ctx, 9); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Get(9) err = %v, want ErrNotFound", err)
			}
		}
		if n := loads.Load(); n != 2 {
			t.Fatalf("loads = %d, want 2", n)
		}

		// Invalidate after changing the source: the next Get reloads.
		db[1] = ptUser{1, "ada lovelace"}
		if err := users.Invalidate(ctx, 1, 9); err != nil {
			t.Fatal(err)
		}
		if u, err := users.Get(ctx, 1); err != nil || u.Name != "ada lovelace" {
			t.Fatalf("Get(1) after Invalidate = %+v, %v", u, err)
		}
		if n := loads.Load(); n != 3 {
			t.Fatalf("loads = %d, want 3", n)
		}

		// Concurrent Gets of a cold key share one load.
		release := make(chan struct{})
		var slowLoads atomic.Int32
		slow := NewReadThrough(c, time.Minute, nil, func(ctx context.Context, k string) (string, error) {
			slowLoads.Add(1)
			<-release
			return "v-" + k, nil
		})
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Go(func() {
				v, err := slow.Get(ctx, "cold")
				if err == nil && v != "v-cold" {
					err = errors.New("wrong value " + v)
				}
				errs <- err
			})
		}
		ptEventually(t, "the shared load to start", func() bool { return slowLoads.Load() == 1 })
		ptEventually(t, "the other Gets to join it", func() bool { return c.Stats().Shared == 7 })
		close(release)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := slowLoads.Load(); n != 1 {
			t.Fatalf("slow loads = %d, want 1", n)
		}
		if got := ptRaw(t, rdb, "rt:cold"); got != `"v-cold"` {
			t.Fatalf("cached = %s (nil key func is fmt.Sprint)", got)
		}
	})
}
