package cache

import (
	"context"
	"crypto/rand"
	"errors"
	"reflect"
	"time"

	"github.com/redis/go-redis/v9"
)

// Backoff between polls while another instance holds the load lock.
const (
	lockPollMin = 5 * time.Millisecond
	lockPollMax = 50 * time.Millisecond
)

// GetOrLoad is cache-aside in one call: it returns the cached value of key
// or, on a miss, calls loader, caches what it returns for ttl (zero or less:
// Options.DefaultTTL; jitter applies) and returns it.
//
// Stampede protection. Inside one process, concurrent GetOrLoad calls for
// the same key (and type T) share a single loader call: one caller runs it,
// the others wait for its result, each bounded by its own ctx. If the caller
// running the loader gives up because its ctx ended, the others (whose ctx
// is still alive) start over rather than inherit its cancellation. With
// Options.Lock, the instances sharing the cache also agree on one loader:
// see Options.Lock and the package documentation.
//
// Panics. If loader panics, the panic is re-raised, with its original value,
// in the goroutine that called loader (it is that goroutine's bug, and Go
// code expects to see it); every caller that was waiting for that load gets
// a *PanicError instead, and nothing is cached. The cross-instance lock, if
// held, is released first.
//
// Not found. If loader returns an error wrapping ErrNotFound, GetOrLoad
// caches a negative marker for Options.NegativeTTL and returns the loader's
// error; later calls return ErrNotFound without calling loader until the
// marker expires or is deleted. Other loader errors are returned as they are
// and never cached.
//
// Degradation. Errors from the cache itself (Redis down, timeouts, a value
// that no longer decodes as T) do not fail GetOrLoad: it reports them to
// Options.OnError, counts them in Stats.Degraded and carries on without the
// cache, calling loader directly. Once a call has seen a server error it
// stops touching the cache, so an outage costs each call at most one
// Options.Timeout, and once the circuit breaker opens (Options.Breaker),
// calls skip Redis altogether until a probe finds it back. Only a context
// error or the loader's own error is returned.
//
// Staleness. With Options.StaleWhileRevalidate, a value past its TTL but
// within the window is returned at once while one background load
// refreshes it; with Options.EarlyRefresh, a fresh value is sometimes
// refreshed in the background before it expires. Background loads run with
// ctx's values but not its cancellation, bounded by Options.LockTTL.
func GetOrLoad[T any](ctx context.Context, c *Cache, key string, ttl time.Duration, loader func(ctx context.Context) (T, error)) (T, error) {
	var zero T
	useCache := true
	r, err := c.fetch(ctx, key)
	switch {
	case err == nil:
		v, derr := decode[T](c, key, r.data)
		if derr == nil {
			c.stats.hits.Add(1)
			if r.ttlKnown {
				c.revalidate(ctx, key, ttl, r.left, func(ctx context.Context) (any, error) { return loader(ctx) })
			}
			return v, nil
		}
		c.report(ctx, "decode", key, derr)
		c.stats.misses.Add(1)
	case errors.Is(err, ErrNotFound):
		c.stats.hits.Add(1)
		c.stats.negativeHits.Add(1)
		return zero, err
	case errors.Is(err, ErrMiss):
		c.stats.misses.Add(1)
	default:
		if cerr := ctx.Err(); cerr != nil {
			return zero, cerr
		}
		c.swallow(ctx, "get", key, err)
		useCache = false
	}

	load := func(ctx context.Context) (any, error) { return loader(ctx) }
	dec := func(b string) (any, error) { return decode[T](c, key, b) }
	onShare := func() {
		c.stats.shared.Add(1)
		if h := c.hooks.shared; h != nil {
			h(key)
		}
	}
	k := flightKey{key: key, typ: reflect.TypeFor[T]()}
	for {
		v, err, _, retry := c.flight.do(ctx, k, onShare, func() (any, error) {
			return c.fill(ctx, key, ttl, useCache, load, dec)
		})
		if retry {
			continue
		}
		if err != nil {
			return zero, err
		}
		t, _ := v.(T) // v is nil when T is an interface and the loader returned nil
		return t, nil
	}
}

// swallow reports a cache error that the caller carries on without,
// unless it is the breaker skipping the call (counted in Stats.Skipped).
func (c *Cache) swallow(ctx context.Context, op, key string, err error) {
	if err != ErrCircuitOpen {
		c.report(ctx, op, key, err)
	}
}

// load runs one loader call, counting it and timing it.
func (c *Cache) load(ctx context.Context, load func(context.Context) (any, error)) (v any, err error) {
	c.stats.loads.Add(1)
	start := c.now()
	returned := false
	defer func() {
		c.stats.observeLoad(c.now().Sub(start))
		// A panic (not returned) counts as a failed load.
		if !returned || (err != nil && !errors.Is(err, ErrNotFound)) {
			c.stats.loadErrors.Add(1)
		}
	}()
	v, err = load(ctx)
	returned = true
	return v, err
}

// fill runs one load for key on behalf of every caller sharing it: the
// cross-instance lock if enabled, the loader, and the store.
func (c *Cache) fill(ctx context.Context, key string, ttl time.Duration, useCache bool, load func(context.Context) (any, error), dec func(string) (any, error)) (any, error) {
	if useCache && c.lock {
		l := c.acquire(ctx, key, dec)
		if l.held {
			defer c.release(ctx, key, l.token)
		}
		if l.done {
			return l.val, l.err
		}
		useCache = l.cacheOK
	}

	v, err := c.load(ctx, load)

	// Store even if ctx ended meanwhile: the value is loaded, and the
	// other callers and instances want it.
	sctx := context.WithoutCancel(ctx)
	switch {
	case err == nil:
		if useCache {
			c.store(sctx, key, v, ttl)
		}
		return v, nil
	case errors.Is(err, ErrNotFound):
		if useCache {
			c.storeNotFound(sctx, key)
		}
		return nil, err
	default:
		return nil, err
	}
}

// store caches a loaded value, reporting (not returning) failures.
func (c *Cache) store(ctx context.Context, key string, v any, ttl time.Duration) {
	data, err := c.codec.Marshal(v)
	if err != nil {
		c.report(ctx, "encode", key, err)
		return
	}
	if err := c.setRaw(ctx, key, data, c.ttl(ttl)); err != nil {
		c.swallow(ctx, "set", key, err)
	}
}

// storeNotFound caches a negative marker for key, if negative caching is
// on, reporting (not returning) failures.
func (c *Cache) storeNotFound(ctx context.Context, key string) {
	if c.negativeTTL <= 0 {
		return
	}
	if err := c.write(ctx, key, negativeMarker, c.spread(c.negativeTTL)); err != nil {
		c.swallow(ctx, "set", key, err)
	}
}

// check outcomes.
const (
	checkMiss     = iota // nothing cached (or undecodable, reported)
	checkFound           // a value, or ErrNotFound for a negative marker
	checkFailed          // a server error, reported: stop using the cache
	checkCanceled        // ctx ended
)

// check reads key once on behalf of a load in progress.
func (c *Cache) check(ctx context.Context, key string, dec func(string) (any, error)) (any, error, int) {
	data, err := c.read(ctx, key)
	switch {
	case err == nil:
		v, derr := dec(data)
		if derr != nil {
			c.report(ctx, "decode", key, derr)
			return nil, nil, checkMiss
		}
		return v, nil, checkFound
	case errors.Is(err, ErrNotFound):
		return nil, err, checkFound
	case errors.Is(err, ErrMiss):
		return nil, nil, checkMiss
	case ctx.Err() != nil:
		return nil, ctx.Err(), checkCanceled
	default:
		c.swallow(ctx, "get", key, err)
		return nil, nil, checkFailed
	}
}

// lockState is the outcome of acquire.
type lockState struct {
	token   string // our lock token, when held
	held    bool   // we hold the lock: release it when done
	done    bool   // val/err answer the call: no load needed
	val     any
	err     error
	cacheOK bool // the cache still works: store the loaded value
}

// acquire takes the cross-instance load lock for key, or waits for the
// instance holding it to store the value. It never fails the call because of
// the lock: a server error or LockWait running out leaves the caller to load
// by itself.
func (c *Cache) acquire(ctx context.Context, key string, dec func(string) (any, error)) lockState {
	token := rand.Text()
	tryLock := func() (held bool, st lockState, failed bool) {
		ok, err := c.setNX(ctx, c.lockKey(key), token, c.lockTTL)
		if err != nil {
			if ctx.Err() != nil {
				return false, lockState{done: true, err: ctx.Err()}, true
			}
			c.swallow(ctx, "lock", key, err)
			return false, lockState{}, true
		}
		return ok, lockState{}, false
	}

	held, st, failed := tryLock()
	if failed {
		return st
	}
	// Once held, check again: the previous holder may have stored the
	// value between our miss (or our last poll) and our lock.
	recheck := func() lockState {
		st := lockState{token: token, held: true, cacheOK: true}
		switch v, err, out := c.check(ctx, key, dec); out {
		case checkFound, checkCanceled:
			st.done, st.val, st.err = true, v, err
		case checkFailed:
			st.cacheOK = false
		}
		return st
	}
	if held {
		return recheck()
	}

	c.stats.lockWaits.Add(1)
	if h := c.hooks.lockWait; h != nil {
		h(key)
	}
	deadline := c.now().Add(c.lockWait)
	var waited time.Duration
	backoff := lockPollMin
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		d := min(backoff, c.lockWait-waited)
		timer.Reset(d)
		select {
		case <-ctx.Done():
			return lockState{done: true, err: ctx.Err()}
		case <-timer.C:
		}
		waited += d

		switch v, err, out := c.check(ctx, key, dec); out {
		case checkFound, checkCanceled:
			return lockState{done: true, val: v, err: err}
		case checkFailed:
			return lockState{}
		}
		// Still missing. If the holder gave up (its loader failed) or its
		// lock expired, take over.
		held, st, failed := tryLock()
		if failed {
			return st
		}
		if held {
			return recheck()
		}
		if waited >= c.lockWait || !c.now().Before(deadline) {
			c.stats.lockTimeouts.Add(1)
			return lockState{cacheOK: true}
		}
		backoff = min(2*backoff, lockPollMax)
	}
}

// release deletes the lock for key if it still holds token.
//
// This is GET, compare, DEL: two commands, not one atomic step, because it
// must work on servers without EVAL or MULTI. The race it leaves: if our
// lock expires (the load outlived LockTTL) and another instance takes it
// between our GET and our DEL, we delete that instance's lock, and a third
// instance may then load concurrently. The cost is one duplicate load, never
// a wrong value, and LockTTL well above the slowest load makes it rare. On a
// server with scripting the same release is atomic as
//
//	if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0
func (c *Cache) release(ctx context.Context, key, token string) {
	ctx = context.WithoutCancel(ctx) // release even if the caller gave up
	lk := c.lockKey(key)
	o, err := c.begin(ctx)
	if err != nil {
		return // the lock expires by itself
	}
	cur, err := c.rdb.Get(o.ctx, lk).Result()
	c.end(ctx, o, err)
	if err == redis.Nil {
		return
	}
	if err != nil {
		c.report(ctx, "unlock", key, err)
		return
	}
	if cur != token {
		return // expired and taken by another instance: not ours
	}
	if o, err = c.begin(ctx); err != nil {
		return
	}
	if err := c.end(ctx, o, c.rdb.Del(o.ctx, lk).Err()); err != nil {
		c.report(ctx, "unlock", key, err)
	}
}

// setNX is SET key value NX PX ttl under the breaker and the deadline.
func (c *Cache) setNX(ctx context.Context, key, value string, ttl time.Duration) (bool, error) {
	o, err := c.begin(ctx)
	if err != nil {
		return false, err
	}
	ok, err := c.rdb.SetNX(o.ctx, key, value, ttl).Result()
	return ok, c.end(ctx, o, err)
}
