package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
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
var negativeMarker = []byte("\x00ember-cache:not-found")

// Options configures a Cache. The zero value is usable: JSON values under no
// prefix, a one-hour TTL, no jitter, one-minute negative caching and no
// cross-instance lock.
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

	// Rand is the random source for Jitter; nil means math/rand/v2's
	// global source. Set a seeded source (rand.NewPCG(1, 2)) for
	// reproducible TTLs in tests. The Cache serialises its use, so the
	// source need not be safe for concurrent use.
	Rand rand.Source

	// NegativeTTL is how long GetOrLoad caches a "not found" answer from a
	// loader (see ErrNotFound), protecting the source from repeated
	// lookups of missing items. Zero means DefaultNegativeTTL (one
	// minute); a negative value disables negative caching. Jitter applies.
	NegativeTTL time.Duration

	// Codec encodes values; nil means JSONCodec.
	Codec Codec

	// Clock tells the time; nil means time.Now. The cache uses it to
	// measure LockWait.
	Clock func() time.Time

	// Lock turns on the cross-instance load lock in GetOrLoad: on a miss,
	// only the instance holding "<Prefix>lock:<key>" runs the loader and
	// the others wait for its value (see GetOrLoad). Without it, each
	// process still runs at most one load per key at a time, but N
	// processes may run N loads.
	Lock bool

	// LockTTL is how long the lock lives if its holder never releases it
	// (a crash). It should exceed the slowest expected load. Zero means
	// DefaultLockTTL (10s).
	LockTTL time.Duration

	// LockWait bounds how long GetOrLoad waits for another instance's
	// value before loading itself. Zero means DefaultLockWait (5s).
	LockWait time.Duration

	// OnError is called with every cache error that GetOrLoad swallows to
	// keep serving (Redis down or timing out, a value that fails to
	// decode, a failed store or lock release). op is one of "get", "set",
	// "lock", "unlock", "decode", "encode"; key is the caller's key, without Prefix.
	// Use it to log or count; it must not block for long. Get, Set and
	// Delete return their errors instead of reporting them here.
	OnError func(ctx context.Context, op, key string, err error)
}

// Cache is a cache-aside cache over any Redis-protocol server. It is safe
// for concurrent use. Create one with New and share it.
type Cache struct {
	rdb         redis.UniversalClient
	prefix      string
	defaultTTL  time.Duration
	jitter      float64
	negativeTTL time.Duration
	codec       Codec
	now         func() time.Time
	lock        bool
	lockTTL     time.Duration
	lockWait    time.Duration
	onError     func(ctx context.Context, op, key string, err error)

	randMu sync.Mutex
	rand   *rand.Rand // nil: the global source

	flight group
	stats  counters

	// hooks are test instrumentation; nil in production.
	hooks struct {
		shared   func(key string)
		lockWait func(key string)
	}
}

// New returns a Cache that stores values through client (a *redis.Client,
// *redis.ClusterClient, *redis.Ring or failover client), configured by opts.
// The Cache does not own client: closing it is the caller's job.
func New(client redis.UniversalClient, opts Options) *Cache {
	c := &Cache{
		rdb:         client,
		prefix:      opts.Prefix,
		defaultTTL:  opts.DefaultTTL,
		jitter:      opts.Jitter,
		negativeTTL: opts.NegativeTTL,
		codec:       opts.Codec,
		now:         opts.Clock,
		lock:        opts.Lock,
		lockTTL:     opts.LockTTL,
		lockWait:    opts.LockWait,
		onError:     opts.OnError,
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
	if c.now == nil {
		c.now = time.Now
	}
	if c.lockTTL <= 0 {
		c.lockTTL = DefaultLockTTL
	}
	if c.lockWait <= 0 {
		c.lockWait = DefaultLockWait
	}
	if opts.Rand != nil {
		c.rand = rand.New(opts.Rand)
	}
	return c
}

// key returns the Redis key for a cache key.
func (c *Cache) key(key string) string { return c.prefix + key }

// lockKey returns the Redis key of the cross-instance load lock for key.
func (c *Cache) lockKey(key string) string { return c.prefix + "lock:" + key }

// ttl resolves a caller's TTL (zero or less: the default) and applies jitter.
func (c *Cache) ttl(d time.Duration) time.Duration {
	if d <= 0 {
		d = c.defaultTTL
	}
	return c.spread(d)
}

// spread applies ±Jitter to d, never returning less than a millisecond.
func (c *Cache) spread(d time.Duration) time.Duration {
	if c.jitter == 0 {
		return d
	}
	var r float64
	if c.rand != nil {
		c.randMu.Lock()
		r = c.rand.Float64()
		c.randMu.Unlock()
	} else {
		r = rand.Float64()
	}
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

// read fetches the raw bytes for key: ErrMiss when absent, ErrNotFound for
// a negative marker, or the client's error.
func (c *Cache) read(ctx context.Context, key string) ([]byte, error) {
	b, err := c.rdb.Get(ctx, c.key(key)).Bytes()
	if err == redis.Nil {
		return nil, ErrMiss
	}
	if err != nil {
		return nil, err
	}
	if bytes.Equal(b, negativeMarker) {
		return nil, ErrNotFound
	}
	return b, nil
}

// decode unmarshals data into a new T.
func decode[T any](c *Cache, key string, data []byte) (T, error) {
	var v T
	if err := c.codec.Unmarshal(data, &v); err != nil {
		var zero T
		return zero, &decodeError{key: key, err: err}
	}
	return v, nil
}

// Get returns the cached value of key decoded as T. It returns ErrMiss when
// the key is not cached, ErrNotFound while a negative marker for it lives,
// and the client's or codec's error otherwise (Get does not degrade: a
// caller that wants to survive an outage uses GetOrLoad). It counts a hit or
// a miss in Stats.
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
// cannot. Set is for warming and for values the cache owns.
func (c *Cache) Set(ctx context.Context, key string, v any, ttl time.Duration) error {
	data, err := c.codec.Marshal(v)
	if err != nil {
		return fmt.Errorf("cache: encode %q: %w", key, err)
	}
	return c.setRaw(ctx, key, data, c.ttl(ttl))
}

// setRaw stores encoded bytes with an already resolved TTL.
func (c *Cache) setRaw(ctx context.Context, key string, data []byte, ttl time.Duration) error {
	if bytes.Equal(data, negativeMarker) {
		return fmt.Errorf("cache: encode %q: value collides with the negative marker", key)
	}
	return c.rdb.Set(ctx, c.key(key), data, ttl).Err()
}

// Delete removes keys (values and negative markers alike): the way to
// invalidate after writing to the source of truth. Deleting a key that is
// not cached is not an error. Keys are deleted one command each, in one
// pipeline, so keys in different Redis Cluster slots are fine.
func (c *Cache) Delete(ctx context.Context, keys ...string) error {
	switch len(keys) {
	case 0:
		return nil
	case 1:
		return c.rdb.Del(ctx, c.key(keys[0])).Err()
	}
	_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			p.Del(ctx, c.key(k))
		}
		return nil
	})
	return err
}

// Stats is a snapshot of a Cache's counters since New.
type Stats struct {
	// Hits counts reads that found a value or a negative marker.
	Hits uint64
	// NegativeHits counts the hits that found a negative marker.
	NegativeHits uint64
	// Misses counts reads that found nothing.
	Misses uint64
	// Loads counts loader calls.
	Loads uint64
	// LoadErrors counts loader calls that failed with an error other than
	// ErrNotFound (panics included).
	LoadErrors uint64
	// Shared counts GetOrLoad calls that waited for a load already running
	// in this process instead of running their own.
	Shared uint64
	// LockWaits counts GetOrLoad calls that found another instance holding
	// the load lock and waited for its value.
	LockWaits uint64
	// LockTimeouts counts the LockWaits that gave up after LockWait and ran
	// the loader themselves.
	LockTimeouts uint64
	// Degraded counts cache errors that GetOrLoad swallowed to keep serving
	// (each one also reported to OnError).
	Degraded uint64
}

// counters are the live, atomic counters behind Stats.
type counters struct {
	hits, negativeHits, misses, loads, loadErrors, shared, lockWaits, lockTimeouts, degraded atomic.Uint64
}

// Stats returns the current counters. Each counter is read atomically; the
// snapshot as a whole is not.
func (c *Cache) Stats() Stats {
	s := &c.stats
	return Stats{
		Hits:         s.hits.Load(),
		NegativeHits: s.negativeHits.Load(),
		Misses:       s.misses.Load(),
		Loads:        s.loads.Load(),
		LoadErrors:   s.loadErrors.Load(),
		Shared:       s.shared.Load(),
		LockWaits:    s.lockWaits.Load(),
		LockTimeouts: s.lockTimeouts.Load(),
		Degraded:     s.degraded.Load(),
	}
}
