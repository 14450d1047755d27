package cache

import (
	"context"
	"fmt"
	"time"
)

// ReadThrough is a cache bound to its loader: callers ask it for a key and
// never see the source of truth. Every Get goes through GetOrLoad with the
// same loader and TTL, so it has GetOrLoad's stampede protection, negative
// caching and degradation. K is the application's key type (an id, a
// struct); the key function turns it into the cache key.
//
// A ReadThrough is safe for concurrent use.
type ReadThrough[K, V any] struct {
	c    *Cache
	key  func(K) string
	ttl  time.Duration
	load func(ctx context.Context, k K) (V, error)
}

// NewReadThrough returns a read-through cache over c that loads missing
// values with load and caches them for ttl (zero or less: the Cache's
// DefaultTTL). key turns a K into a cache key; nil means fmt.Sprint(k), so an
// int id 42 is cached under "<Prefix>42". Give each ReadThrough sharing a
// Cache its own key space, e.g. func(id int) string { return "user:" +
// strconv.Itoa(id) }.
func NewReadThrough[K, V any](c *Cache, ttl time.Duration, key func(K) string, load func(ctx context.Context, k K) (V, error)) *ReadThrough[K, V] {
	if key == nil {
		key = func(k K) string { return fmt.Sprint(k) }
	}
	return &ReadThrough[K, V]{c: c, key: key, ttl: ttl, load: load}
}

// Get returns the value for k: from the cache, or from the loader (then
// cached). See GetOrLoad for what it does under concurrency and failures.
func (r *ReadThrough[K, V]) Get(ctx context.Context, k K) (V, error) {
	return GetOrLoad(ctx, r.c, r.key(k), r.ttl, func(ctx context.Context) (V, error) {
		return r.load(ctx, k)
	})
}

// Invalidate removes the cached values of ks, so the next Get loads them
// again. Call it after changing the source of truth.
func (r *ReadThrough[K, V]) Invalidate(ctx context.Context, ks ...K) error {
	keys := make([]string, len(ks))
	for i, k := range ks {
		keys[i] = r.key(k)
	}
	return r.c.Delete(ctx, keys...)
}

// Key returns the cache key of k (without the Cache's Prefix).
func (r *ReadThrough[K, V]) Key(k K) string { return r.key(k) }

// Cache returns the Cache underneath.
func (r *ReadThrough[K, V]) Cache() *Cache { return r.c }
