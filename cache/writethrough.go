package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// WriteThroughOptions configures a WriteThrough.
type WriteThroughOptions[K, V any] struct {
	// Key turns a K into a cache key (without the Cache's Prefix); nil
	// means fmt.Sprint(k).
	Key func(K) string
	// TTL is the lifetime of cached values; zero or less means the Cache's
	// DefaultTTL. Jitter applies.
	TTL time.Duration
	// Load reads k from the source of truth (required). Return an error
	// wrapping ErrNotFound for a missing item: it is cached as "not found"
	// for the Cache's NegativeTTL.
	Load func(ctx context.Context, k K) (V, error)
	// Store writes v for k to the source of truth (required).
	Store func(ctx context.Context, k K, v V) error
	// Remove deletes k from the source of truth; nil makes Delete fail.
	Remove func(ctx context.Context, k K) error
}

// WriteThrough keeps a cache in step with the source of truth by writing
// both: Set writes the store first and then the cache, Get reads the cache
// and fills it from the store on a miss.
//
// # Ordering and the consistency guarantee
//
// Set calls Store and, only once Store has succeeded, SETs the new value in
// the cache (Delete calls Remove and then caches a "not found" marker). A
// store failure leaves the cache untouched, and a failed Set is an error. A
// cache failure after a successful store does not fail Set (the write is
// durable) but must not leave the old value cached: the key is deleted
// instead, and if that fails too the failure is reported to Options.OnError
// (op "invalidate") and the value's TTL bounds how long it stays stale. The
// cache steps run even if ctx ends after Store returned.
//
// The race that plain cache-aside leaves open is closed here: a reader misses,
// reads the OLD row, a writer commits the new row and caches it, and then the
// reader stores the old row over it. Get fills a miss inside WATCH key ...
// MULTI SET EXEC: it WATCHes the key before calling Load, so any SET of the
// key by a writer after that point aborts the reader's EXEC and the writer's
// value stays. A reader that saw the old row called Load before the writer's
// Store committed, hence before the writer's SET, hence after its own WATCH:
// the abort always applies. Delete caches a marker (a SET) rather than
// deleting the key for the same reason: DEL of an absent key does not
// invalidate a WATCH.
//
// What remains: if the writer's SET fails and its DEL finds the key absent,
// a reader that loaded the old row concurrently may still store it; the TTL
// bounds it. Writers that bypass WriteThrough (another service updating the
// store) are not covered: use Delete-after-write (ReadThrough.Invalidate) or
// a short TTL for those. Readers must use Get, not GetOrLoad on the same
// keys, to get the WATCH.
//
// Costs: a miss holds one pool connection for the duration of Load (WATCH
// is per connection). Concurrent Gets of one key in a process share one
// fill. On Redis Cluster the key is a single key, so WATCH works unchanged.
type WriteThrough[K, V any] struct {
	c      *Cache
	key    func(K) string
	ttl    time.Duration
	load   func(ctx context.Context, k K) (V, error)
	store  func(ctx context.Context, k K, v V) error
	remove func(ctx context.Context, k K) error
	flight wtFlight[V]

	// wtHookLoaded, when set (tests), runs between Load and the fill's EXEC.
	wtHookLoaded func(key string)
}

// NewWriteThrough returns a write-through cache over c. It panics if
// opts.Load or opts.Store is nil.
func NewWriteThrough[K, V any](c *Cache, opts WriteThroughOptions[K, V]) *WriteThrough[K, V] {
	if opts.Load == nil || opts.Store == nil {
		panic("cache: NewWriteThrough needs Load and Store")
	}
	key := opts.Key
	if key == nil {
		key = func(k K) string { return fmt.Sprint(k) }
	}
	return &WriteThrough[K, V]{c: c, key: key, ttl: opts.TTL, load: opts.Load, store: opts.Store, remove: opts.Remove}
}

// ErrNoRemove is returned by WriteThrough.Delete when no Remove function was
// configured.
var ErrNoRemove = errors.New("cache: WriteThrough has no Remove function")

// Get returns the value of k from the cache or, on a miss, from Load, and
// caches it unless a writer changed the key meanwhile (see WriteThrough).
// Like GetOrLoad it degrades: cache errors are reported to Options.OnError
// and Get calls Load directly; while the circuit breaker is open it skips
// Redis and calls Load. Every round trip is bounded by Options.Timeout (the
// fill's WATCH and GET together, then its EXEC), never the Load between
// them. Only ctx's error, ErrNotFound or Load's error is returned.
func (w *WriteThrough[K, V]) Get(ctx context.Context, k K) (V, error) {
	var zero V
	key := w.key(k)
	v, err := Get[V](ctx, w.c, key)
	var de *decodeError
	switch {
	case err == nil:
		return v, nil
	case errors.Is(err, ErrNotFound):
		return zero, err
	case errors.Is(err, ErrMiss):
	case errors.As(err, &de):
		w.c.report(ctx, "decode", key, err) // the fill overwrites it
	default:
		if cerr := ctx.Err(); cerr != nil {
			return zero, cerr
		}
		w.c.swallow(ctx, "get", key, err)
		return w.load(ctx, k)
	}
	return w.flight.do(ctx, key, func() (V, error) { return w.fill(ctx, k, key) })
}

// fill loads k under WATCH and stores the result if no writer touched the key.
func (w *WriteThrough[K, V]) fill(ctx context.Context, k K, key string) (V, error) {
	var (
		v      V
		lerr   error
		loaded bool
		found  bool
	)
	rk := w.c.key(key)
	// The WATCH and the GET are one call to the breaker, under one
	// Options.Timeout (wctx); the EXEC after Load is another.
	o, err := w.c.begin(ctx)
	if err != nil {
		w.c.swallow(ctx, "get", key, err) // the breaker: not reported
		return w.load(ctx, k)
	}
	// wctx stays live until Watch returns: go-redis sends UNWATCH with it
	// when fn returns without EXEC.
	wctx := o.ctx
	var (
		readErr error
		read    bool
	)
	err = w.c.rdb.Watch(wctx, func(tx *redis.Tx) error {
		// Look again under WATCH: another process may have filled it.
		cur, err := tx.Get(wctx, rk).Result()
		readErr, read = err, true
		if err != nil && err != redis.Nil {
			return err
		}
		switch {
		case err == redis.Nil:
		case cur == negativeMarkerString:
			found, lerr = true, ErrNotFound
			return nil
		default:
			if dv, derr := decode[V](w.c, key, cur); derr == nil {
				found, v = true, dv
				return nil
			}
		}
		loaded = true
		v, lerr = w.load(ctx, k)
		if h := w.wtHookLoaded; h != nil {
			h(key)
		}
		var (
			ttl  time.Duration
			data []byte
		)
		// Store even if ctx ended meanwhile: the value is loaded. The
		// WATCH's deadline may have passed during Load: what follows gets
		// its own.
		sctx := context.WithoutCancel(ctx)
		switch {
		case lerr == nil:
			data, err = w.c.codec.Marshal(v)
			if err == nil && bytes.Equal(data, negativeMarker) {
				err = errors.New("value collides with the negative marker")
			}
			if err != nil {
				w.c.report(ctx, "encode", key, err)
				w.unwatch(sctx, tx)
				return nil
			}
			ttl = w.c.ttl(w.ttl)
		case errors.Is(lerr, ErrNotFound) && w.c.negativeTTL > 0:
			data, ttl = negativeMarker, w.c.spread(w.c.negativeTTL)
		default:
			w.unwatch(sctx, tx)
			return nil
		}
		err = w.c.call(sctx, func(ctx context.Context) error {
			_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, rk, data, ttl)
				return nil
			})
			return err
		})
		if err == nil {
			w.publish(sctx, key)
		} else if err == ErrCircuitOpen {
			w.unwatch(sctx, tx)
		}
		return err
	}, rk)
	if read {
		w.c.end(ctx, o, readErr)
	} else {
		w.c.end(ctx, o, err) // the WATCH failed: fn never ran
	}
	switch {
	case err == nil, errors.Is(err, redis.TxFailedErr):
		// TxFailedErr: a writer set the key after our WATCH; its value
		// stays. Ours was right when Load read it.
	case !loaded && !found:
		if cerr := ctx.Err(); cerr != nil {
			return v, cerr
		}
		w.c.swallow(ctx, "get", key, err)
		return w.load(ctx, k)
	default:
		w.c.swallow(ctx, "set", key, err)
	}
	return v, lerr
}

// unwatch releases the fill's WATCH when it ends without EXEC, under a
// deadline of its own (the WATCH's may have passed during Load), so that
// go-redis need not send UNWATCH with an expired context when it returns
// the connection to the pool.
func (w *WriteThrough[K, V]) unwatch(ctx context.Context, tx *redis.Tx) {
	_ = w.c.call(ctx, func(ctx context.Context) error { return tx.Unwatch(ctx).Err() })
}

// Set writes v for k to the store and then to the cache (see WriteThrough
// for the ordering). It returns Store's error, in which case the cache is
// not touched; cache failures after a successful Store are reported, not
// returned.
func (w *WriteThrough[K, V]) Set(ctx context.Context, k K, v V) error {
	if err := w.store(ctx, k, v); err != nil {
		return err
	}
	key := w.key(k)
	data, err := w.c.codec.Marshal(v)
	if err == nil && bytes.Equal(data, negativeMarker) {
		err = errors.New("value collides with the negative marker")
	}
	if err != nil {
		w.afterWrite(ctx, key, nil, 0, err)
		return nil
	}
	w.afterWrite(ctx, key, data, w.c.ttl(w.ttl), nil)
	return nil
}

// Delete removes k from the store and then caches "not found" for it (for
// the Cache's NegativeTTL, or DefaultNegativeTTL when negative caching is
// off), so Get returns ErrNotFound without calling Load. It returns Remove's
// error (the cache is then untouched), or ErrNoRemove.
func (w *WriteThrough[K, V]) Delete(ctx context.Context, k K) error {
	if w.remove == nil {
		return ErrNoRemove
	}
	if err := w.remove(ctx, k); err != nil {
		return err
	}
	ttl := w.c.negativeTTL
	if ttl <= 0 {
		ttl = DefaultNegativeTTL
	}
	w.afterWrite(ctx, w.key(k), negativeMarker, w.c.spread(ttl), nil)
	return nil
}

// afterWrite updates the cache after the store accepted a write: SET data,
// or, when that fails (or encErr says there is nothing to set), DEL the key;
// failures are reported.
func (w *WriteThrough[K, V]) afterWrite(ctx context.Context, key string, data []byte, ttl time.Duration, encErr error) {
	ctx = context.WithoutCancel(ctx) // the store has committed: finish
	rk := w.c.key(key)
	defer w.publish(ctx, key)
	if encErr != nil {
		w.c.report(ctx, "encode", key, encErr)
	} else {
		err := w.c.call(ctx, func(ctx context.Context) error { return w.c.rdb.Set(ctx, rk, data, ttl).Err() })
		if err == nil {
			return
		}
		w.c.swallow(ctx, "set", key, err)
	}
	// Reported even when the breaker skipped it: the old value stays
	// cached until its TTL ends.
	err := w.c.call(ctx, func(ctx context.Context) error { return w.c.rdb.Del(ctx, rk).Err() })
	if err != nil {
		w.c.report(ctx, "invalidate", key, err)
	}
}

// publish drops key from the near caches (if the Cache has one).
func (w *WriteThrough[K, V]) publish(ctx context.Context, key string) {
	if err := w.c.PublishInvalidation(ctx, key); err != nil {
		w.c.report(ctx, "publish", key, err)
	}
}

// Key returns the cache key of k (without the Cache's Prefix).
func (w *WriteThrough[K, V]) Key(k K) string { return w.key(k) }

// wtFlight runs one fill per key at a time for a WriteThrough; the other
// callers wait for its result under their own context.
type wtFlight[V any] struct {
	mu sync.Mutex
	m  map[string]*wtCall[V]
}

type wtCall[V any] struct {
	done chan struct{}
	v    V
	err  error
	// leaderCanceled: the leader's ctx ended, so err may say nothing about
	// the data and a waiter with a live ctx runs its own fill.
	leaderCanceled bool
}

// errWTPanicked is what waiters get when the leader's fill panicked (the
// panic itself goes on in the leader's goroutine).
var errWTPanicked = errors.New("cache: WriteThrough load panicked in another goroutine")

func (f *wtFlight[V]) do(ctx context.Context, key string, fn func() (V, error)) (V, error) {
	for attempt := 0; ; attempt++ {
		f.mu.Lock()
		if f.m == nil {
			f.m = make(map[string]*wtCall[V])
		}
		c, ok := f.m[key]
		if ok && attempt < 3 {
			f.mu.Unlock()
			select {
			case <-c.done:
				if c.leaderCanceled && ctx.Err() == nil {
					continue
				}
				return c.v, c.err
			case <-ctx.Done():
				var zero V
				return zero, ctx.Err()
			}
		}
		own := &wtCall[V]{done: make(chan struct{}), err: errWTPanicked}
		if !ok {
			f.m[key] = own
		}
		f.mu.Unlock()
		defer func() {
			if !ok {
				f.mu.Lock()
				delete(f.m, key)
				f.mu.Unlock()
			}
			close(own.done)
		}()
		own.v, own.err = fn()
		own.leaderCanceled = ctx.Err() != nil
		return own.v, own.err
	}
}
