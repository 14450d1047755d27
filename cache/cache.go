package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Defaults used when the corresponding Options field is zero.
const (
	// DefaultTTL is the lifetime of a value stored without an explicit TTL
	// when Options.DefaultTTL is zero. Every value expires.
	DefaultTTL = time.Hour
	// DefaultNegativeTTL is how long a "not found" marker lives when
	// Options.NegativeTTL is zero.
	DefaultNegativeTTL = time.Minute
	// DefaultLockTTL is the lifetime of the cross-instance load lock when
	// Options.LockTTL is zero.
	DefaultLockTTL = 10 * time.Second
	// DefaultLockWait is how long GetOrLoad waits for another instance's
	// load when Options.LockWait is zero.
	DefaultLockWait = 5 * time.Second
	// DefaultTimeout bounds each call to Redis when Options.Timeout is
	// zero.
	DefaultTimeout = 100 * time.Millisecond
)

var (
	// ErrMiss is returned by Get when the key is not in the cache.
	ErrMiss = errors.New("cache: miss")
	// ErrNotFound means "the source of truth has no such item". A loader
	// returns it (or an error wrapping it) to have GetOrLoad cache a
	// negative marker; Get and GetOrLoad return it while the marker lives.
	ErrNotFound = errors.New("cache: not found")
)

// negativeMarker is the value stored for a negative-cached key. It starts
// with a NUL byte, which no JSON document does, so it cannot be mistaken for
// a value stored with the default codec.
var negativeMarker = []byte(negativeMarkerString)

// negativeMarkerString is negativeMarker, to compare with values read.
const negativeMarkerString = "\x00ember-cache:not-found"

// Options configures a Cache. The zero value is usable: JSON values under no
// prefix, a one-hour TTL, no jitter, one-minute negative caching, no
// cross-instance lock, a 100ms deadline on each Redis call, the default
// circuit breaker, and no near cache or stale serving.
type Options struct {
	// Prefix is prepended to every key, e.g. "myapp:". Use it to share one
	// Redis between applications or to drop a whole generation of values by
	// changing it (for example "v2:" after a format change).
	Prefix string

	// DefaultTTL is the TTL used when Set or GetOrLoad is given a TTL of
	// zero or less. Zero means DefaultTTL (one hour): the cache never
	// stores a value without an expiry.
	DefaultTTL time.Duration

	// Jitter spreads every TTL uniformly over ±Jitter of its length, so
	// values cached together do not expire together (0.1 turns one hour
	// into 54–66 minutes). Values are clamped to [0, 1); zero disables it.
	Jitter float64

	// Rand is the random source for Jitter and EarlyRefresh; nil means
	// math/rand/v2's global source. Set a seeded source (rand.NewPCG(1,
	// 2)) for reproducible TTLs in tests. The Cache serialises its use, so
	// the source need not be safe for concurrent use.
	Rand rand.Source

	// NegativeTTL is how long GetOrLoad caches a "not found" answer from a
	// loader (see ErrNotFound), protecting the source from repeated
	// lookups of missing items. Zero means DefaultNegativeTTL (one
	// minute); a negative value disables negative caching. Jitter applies.
	NegativeTTL time.Duration

	// Codec encodes values; nil means JSONCodec. See GobCodec and
	// CompressCodec for the alternatives.
	Codec Codec

	// Clock tells the time; nil means time.Now. The cache uses it to
	// measure LockWait, load latency, the breaker's cool-down and the
	// lifetime of near-cache entries. Expiry in Redis follows the
	// server's clock.
	Clock func() time.Time

	// Lock turns on the cross-instance load lock in GetOrLoad: on a miss,
	// only the instance holding "<Prefix>lock:<key>" runs the loader and
	// the others wait for its value (see GetOrLoad). Without it, each
	// process still runs at most one load per key at a time, but N
	// processes may run N loads. With StaleWhileRevalidate or
	// EarlyRefresh it also makes background refreshes cluster-wide: an
	// instance that cannot take the lock leaves the refresh to the one
	// that did.
	Lock bool

	// LockTTL is how long the lock lives if its holder never releases it
	// (a crash). It should exceed the slowest expected load. Zero means
	// DefaultLockTTL (10s). It also bounds a background refresh.
	LockTTL time.Duration

	// LockWait bounds how long GetOrLoad waits for another instance's
	// value before loading itself. Zero means DefaultLockWait (5s).
	LockWait time.Duration

	// Timeout is the deadline of each call the Cache makes to Redis
	// (a GET, a SET, a lock round trip, a pipeline such as a Warm batch or
	// an UNLINK batch), set on the context passed to the client unless the
	// caller's context ends sooner. Calls under a context that can never
	// be canceled share a deadline per Timeout/16, so each gets between
	// Timeout and 1/16 more (this saves a context and a timer per call).
	// Write-behind workers, whose reads block, are not bound by it. Zero means
	// DefaultTimeout (100ms); negative means no deadline of the Cache's
	// own. go-redis applies context deadlines to network reads and writes
	// only when its client has ContextTimeoutEnabled: true; without it,
	// the client's ReadTimeout and WriteTimeout are what bound a call.
	Timeout time.Duration

	// Breaker configures the circuit breaker in front of Redis (see
	// BreakerOptions). It is on by default.
	Breaker BreakerOptions

	// StaleWhileRevalidate, when above zero, keeps each value that long
	// past its TTL: GetOrLoad then returns the stale value at once and
	// refreshes it with one background load (per key and process, or
	// cluster-wide with Lock). The value's TTL in Redis is the TTL asked
	// for plus this window, and freshness is read back from PTTL (GET and
	// PTTL in one pipeline), so values stay in the codec's plain format.
	// See the package documentation, "TTL hygiene".
	StaleWhileRevalidate time.Duration

	// EarlyRefresh, when above zero, turns on probabilistic early refresh
	// (XFetch): a hit on a fresh value triggers a background refresh with
	// a probability that rises as the value's expiry approaches, so a hot
	// key is usually reloaded before it ever expires. It is XFetch's beta:
	// 1 is the usual choice, larger refreshes earlier. The expected
	// recompute time is the Cache's running average of load latency.
	EarlyRefresh float64

	// Near configures the optional in-process near cache (see
	// NearOptions). It is off unless Near.Size is above zero.
	Near NearOptions

	// OnError is called with every cache error that GetOrLoad,
	// ReadThrough and WriteThrough swallow to keep serving (Redis down or
	// timing out, a value that fails to decode, a failed store or lock
	// release, a failed background refresh, a near-cache invalidation that
	// could not be published), and when the circuit breaker opens. op is
	// one of "get", "set", "lock", "unlock", "decode", "encode",
	// "refresh", "invalidate" (WriteThrough could neither update nor
	// delete a key after a write: the old value stays cached until its
	// TTL ends), "publish", "subscribe", "breaker"; key is the caller's
	// key, without Prefix ("" for "breaker", "subscribe", and "publish"
	// of several keys at once). Calls the open breaker skipped are not
	// reported (they are counted in Stats.Skipped), except for
	// "invalidate". Use it to log or count; it must not block for long.
	// Get, Set, Delete, SetTagged, InvalidatePattern, InvalidateTags, Warm
	// and WriteBehind's Set and Delete return their errors instead of
	// reporting them here.
	OnError func(ctx context.Context, op, key string, err error)
}

// Cache is a cache-aside cache over any Redis-protocol server. It is safe
// for concurrent use. Create one with New and share it.
type Cache struct {
	rdb          redis.UniversalClient
	prefix       string
	defaultTTL   time.Duration
	jitter       float64
	negativeTTL  time.Duration
	codec        Codec
	now          func() time.Time
	lock         bool
	lockTTL      time.Duration
	lockWait     time.Duration
	timeout      time.Duration
	swr          time.Duration
	earlyRefresh float64
	wantTTL      bool // read PTTL with each GET (SWR or early refresh)
	plainJSON    bool // codec is JSONCodec: decode has fast paths
	onError      func(ctx context.Context, op, key string, err error)

	randMu sync.Mutex
	rand   *rand.Rand // nil: the global source

	flight    group
	stats     counters
	breaker   *breaker
	deadlines sharedDeadlines
	memo      decodeMemo // with plainJSON
	near      *near      // nil: no near cache

	refreshMu  sync.Mutex
	refreshing map[string]struct{}
	bg         sync.WaitGroup // background refreshes

	closeOnce sync.Once

	// hooks are test instrumentation; nil in production.
	hooks struct {
		shared   func(key string)
		lockWait func(key string)
	}
}

// New returns a Cache that stores values through client (a *redis.Client,
// *redis.ClusterClient, *redis.Ring or failover client), configured by opts.
// The Cache does not own client: closing it is the caller's job. With a
// near cache configured, New starts a subscriber goroutine: call Close when
// done with the Cache.
func New(client redis.UniversalClient, opts Options) *Cache {
	c := &Cache{
		rdb:          client,
		prefix:       opts.Prefix,
		defaultTTL:   opts.DefaultTTL,
		jitter:       opts.Jitter,
		negativeTTL:  opts.NegativeTTL,
		codec:        opts.Codec,
		now:          opts.Clock,
		lock:         opts.Lock,
		lockTTL:      opts.LockTTL,
		lockWait:     opts.LockWait,
		timeout:      opts.Timeout,
		swr:          max(opts.StaleWhileRevalidate, 0),
		earlyRefresh: opts.EarlyRefresh,
		onError:      opts.OnError,
		refreshing:   make(map[string]struct{}),
	}
	if c.defaultTTL <= 0 {
		c.defaultTTL = DefaultTTL
	}
	if c.jitter < 0 || c.jitter != c.jitter { // NaN too
		c.jitter = 0
	}
	if c.jitter >= 1 {
		c.jitter = 0.99
	}
	if c.negativeTTL == 0 {
		c.negativeTTL = DefaultNegativeTTL
	}
	if c.codec == nil {
		c.codec = JSONCodec{}
	}
	_, c.plainJSON = c.codec.(JSONCodec)
	c.memo.seed = maphash.MakeSeed()
	if c.now == nil {
		c.now = time.Now
	}
	if c.lockTTL <= 0 {
		c.lockTTL = DefaultLockTTL
	}
	if c.lockWait <= 0 {
		c.lockWait = DefaultLockWait
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	c.deadlines.init(c.timeout)
	if !(c.earlyRefresh > 0) { // NaN too
		c.earlyRefresh = 0
	}
	c.wantTTL = c.swr > 0 || c.earlyRefresh > 0
	if opts.Rand != nil {
		c.rand = rand.New(opts.Rand)
	}
	c.breaker = newBreaker(opts.Breaker, c.now, func(from, to BreakerState) {
		if to == BreakerOpen && c.onError != nil {
			c.onError(context.Background(), "breaker", "", ErrCircuitOpen)
		}
	})
	if opts.Near.Size > 0 {
		c.near = newNear(c, opts.Near)
	}
	return c
}

// Close stops what the Cache runs in the background: the near cache's
// subscriber (the local tier is dropped) and, after waiting for them,
// background refreshes. It does not close the Redis client. The Cache
// stays usable without its near cache.
func (c *Cache) Close() error {
	c.closeOnce.Do(func() {
		if n := c.near; n != nil {
			n.close()
		}
	})
	c.bg.Wait()
	return nil
}

// key returns the Redis key for a cache key.
func (c *Cache) key(key string) string { return c.prefix + key }

// lockKey returns the Redis key of the cross-instance load lock for key.
func (c *Cache) lockKey(key string) string { return c.prefix + "lock:" + key }

// ttl resolves a caller's TTL (zero or less: the default) and applies
// jitter. With StaleWhileRevalidate the stale window is added: the result is
// the key's TTL in Redis.
func (c *Cache) ttl(d time.Duration) time.Duration {
	if d <= 0 {
		d = c.defaultTTL
	}
	return c.spread(d) + c.swr
}

// float64 returns a random number in [0, 1) from the Cache's source.
func (c *Cache) float64() float64 {
	if c.rand == nil {
		return rand.Float64()
	}
	c.randMu.Lock()
	r := c.rand.Float64()
	c.randMu.Unlock()
	return r
}

// spread applies ±Jitter to d, never returning less than a millisecond.
func (c *Cache) spread(d time.Duration) time.Duration {
	if c.jitter == 0 {
		return d
	}
	r := c.float64()
	out := time.Duration(float64(d) * (1 + c.jitter*(2*r-1)))
	if out < time.Millisecond {
		out = time.Millisecond
	}
	return out
}

// report counts a swallowed error and hands it to OnError.
func (c *Cache) report(ctx context.Context, op, key string, err error) {
	c.stats.degraded.Add(1)
	if c.onError != nil {
		c.onError(ctx, op, key, err)
	}
}

// decodeError marks a value that is in the cache but cannot be decoded.
type decodeError struct {
	key string
	err error
}

func (e *decodeError) Error() string { return fmt.Sprintf("cache: decode %q: %v", e.key, e.err) }
func (e *decodeError) Unwrap() error { return e.err }

// readResult is what fetch found.
type readResult struct {
	// data is the stored value, as go-redis returned it (or as the near
	// cache holds it). It is a string so that a hit costs no copy: the
	// codec reads it through a byte-slice view (see decode).
	data string
	// left is how long the value stays fresh (its PTTL less the stale
	// window; zero or less: stale). Valid only when ttlKnown.
	left     time.Duration
	ttlKnown bool
	// near says the value came from the near cache.
	near bool
}

// read fetches the raw bytes for key: ErrMiss when absent, ErrNotFound for
// a negative marker, ErrCircuitOpen while the breaker is open, or the
// client's error.
func (c *Cache) read(ctx context.Context, key string) (string, error) {
	r, err := c.fetch(ctx, key)
	return r.data, err
}

// fetch reads key from the near cache or from Redis (with its PTTL when
// stale-while-revalidate or early refresh is on), filling the near cache.
func (c *Cache) fetch(ctx context.Context, key string) (readResult, error) {
	var ver uint64
	n := c.near
	if n != nil {
		if !n.live.Load() {
			n = nil // not subscribed: invalidations may be missed
		} else {
			if data, ok := n.get(key); ok {
				c.stats.nearHits.Add(1)
				if data == negativeMarkerString {
					return readResult{near: true}, ErrNotFound
				}
				return readResult{data: data, near: true}, nil
			}
			ver = n.version(key)
		}
	}

	o, err := c.begin(ctx)
	if err != nil {
		return readResult{}, err
	}
	var r readResult
	if !c.wantTTL {
		r.data, err = c.rdb.Get(o.ctx, c.key(key)).Result()
	} else {
		rk := c.key(key)
		var get *redis.StringCmd
		var pttl *redis.DurationCmd
		_, _ = c.rdb.Pipelined(o.ctx, func(p redis.Pipeliner) error {
			get = p.Get(o.ctx, rk)
			pttl = p.PTTL(o.ctx, rk)
			return nil
		})
		r.data, err = get.Result()
		if err == nil {
			if d, perr := pttl.Result(); perr == nil && d >= 0 {
				r.ttlKnown, r.left = true, d-c.swr
			}
		}
	}
	c.end(ctx, o, err)
	if err == redis.Nil {
		return readResult{}, ErrMiss
	}
	if err != nil {
		return readResult{}, err
	}
	if n != nil {
		life := n.ttl
		if r.ttlKnown {
			life = min(life, r.left)
		}
		if life > 0 {
			n.fill(key, r.data, ver, life)
		}
	}
	if r.data == negativeMarkerString {
		return readResult{}, ErrNotFound
	}
	return r, nil
}

// decode unmarshals data into a new T. With the default codec, a string,
// []byte or json.RawMessage is decoded without reflection when it is in
// the form encoding/json writes it (see fastJSON), and a plain value type
// read again as the same bytes is copied from the decode memo (memo.go);
// anything else goes through the codec, which reads data in place
// (Codec.Unmarshal must not modify it).
func decode[T any](c *Cache, key string, data string) (T, error) {
	if c.plainJSON {
		var v T
		if fastJSON(&v, data) {
			return v, nil
		}
		if len(data) <= memoMaxLen {
			return decodeMemoized[T](c, key, data)
		}
	}
	return decodeCodec[T](c, key, data)
}

// decodeCodec unmarshals data into a new T with the codec.
func decodeCodec[T any](c *Cache, key string, data string) (T, error) {
	var v T
	if err := c.codec.Unmarshal(bytesOf(data), &v); err != nil {
		var zero T
		return zero, &decodeError{key: key, err: err}
	}
	return v, nil
}

// Get returns the cached value of key decoded as T. It returns ErrMiss when
// the key is not cached, ErrNotFound while a negative marker for it lives,
// ErrCircuitOpen while the circuit breaker is open, and the client's or
// codec's error otherwise (Get does not degrade: a caller that wants to
// survive an outage uses GetOrLoad). It counts a hit or a miss in Stats.
// With StaleWhileRevalidate, Get returns a stale value like a fresh one
// (it has no loader to refresh it with).
func Get[T any](ctx context.Context, c *Cache, key string) (T, error) {
	var zero T
	data, err := c.read(ctx, key)
	switch {
	case err == nil:
	case errors.Is(err, ErrMiss):
		c.stats.misses.Add(1)
		return zero, err
	case errors.Is(err, ErrNotFound):
		c.stats.hits.Add(1)
		c.stats.negativeHits.Add(1)
		return zero, err
	default:
		return zero, err
	}
	v, err := decode[T](c, key, data)
	if err != nil {
		return zero, err
	}
	c.stats.hits.Add(1)
	return v, nil
}

// Set stores v under key for ttl (zero or less: Options.DefaultTTL), with
// jitter applied. In cache-aside code, prefer Delete after writing to the
// source of truth and let the next read repopulate the key: two concurrent
// writers that both Set can leave the older value cached, two that Delete
// cannot. Set is for warming and for values the cache owns. With a near
// cache, Set also invalidates key in every instance's near cache.
func (c *Cache) Set(ctx context.Context, key string, v any, ttl time.Duration) error {
	data, err := c.codec.Marshal(v)
	if err != nil {
		return fmt.Errorf("cache: encode %q: %w", key, err)
	}
	return c.setRaw(ctx, key, data, c.ttl(ttl))
}

// setRaw stores encoded bytes with an already resolved TTL (stale window
// included) and, with a near cache, publishes the key's invalidation.
func (c *Cache) setRaw(ctx context.Context, key string, data []byte, ttl time.Duration) error {
	if bytes.Equal(data, negativeMarker) {
		return fmt.Errorf("cache: encode %q: value collides with the negative marker", key)
	}
	return c.write(ctx, key, data, ttl)
}

// write is one SET of an encoded value or marker, with the near cache's
// invalidation published in the same round trip.
func (c *Cache) write(ctx context.Context, key string, data []byte, ttl time.Duration) error {
	o, err := c.begin(ctx)
	if err != nil {
		return err
	}
	if n := c.near; n == nil {
		err = c.rdb.Set(o.ctx, c.key(key), data, ttl).Err()
	} else {
		n.invalidateLocal(key)
		_, err = c.rdb.Pipelined(o.ctx, func(p redis.Pipeliner) error {
			p.Set(o.ctx, c.key(key), data, ttl)
			p.Publish(o.ctx, n.channel, key)
			return nil
		})
		// Again, after the write: a read that raced with it may have
		// filled the near cache with the value it replaced.
		n.invalidateLocal(key)
	}
	return c.end(ctx, o, err)
}

// Delete removes keys (values and negative markers alike): the way to
// invalidate after writing to the source of truth. Deleting a key that is
// not cached is not an error. Keys are deleted one command each, in one
// pipeline, so keys in different Redis Cluster slots are fine. With a near
// cache, the keys are also dropped from every instance's near cache.
func (c *Cache) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	o, err := c.begin(ctx)
	if err != nil {
		return err
	}
	n := c.near
	if n == nil && len(keys) == 1 {
		return c.end(ctx, o, c.rdb.Del(o.ctx, c.key(keys[0])).Err())
	}
	if n != nil {
		n.invalidateLocal(keys...)
	}
	_, err = c.rdb.Pipelined(o.ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			p.Del(o.ctx, c.key(k))
		}
		if n != nil {
			for _, k := range keys {
				p.Publish(o.ctx, n.channel, k)
			}
		}
		return nil
	})
	if n != nil {
		n.invalidateLocal(keys...)
	}
	return c.end(ctx, o, err)
}
