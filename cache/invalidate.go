package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultScanCount is the SCAN COUNT hint, and the UNLINK batch size, of
// InvalidatePattern and InvalidateTags.
const DefaultScanCount = 500

// Invalidate removes keys from the cache: the same as Delete, named for
// symmetry with InvalidatePattern and InvalidateTags.
func (c *Cache) Invalidate(ctx context.Context, keys ...string) error {
	return c.Delete(ctx, keys...)
}

// InvalidatePattern removes every cached key matching pattern (a glob, as
// in SCAN MATCH, applied to the key without the Cache's Prefix: "user:*")
// and returns how many it removed.
//
// It walks the keyspace with SCAN MATCH and removes what it finds with
// UNLINK, a batch (one pipeline) at a time, so it never blocks the server
// the way KEYS would. On Redis Cluster it does so on every primary
// (ClusterClient.ForEachMaster), in parallel, one UNLINK per key because a
// key's neighbours in a batch may be in other slots; on a Ring, on every
// shard.
//
// Each SCAN and each UNLINK batch is one call under Options.Timeout and the
// circuit breaker: while the breaker is open, InvalidatePattern stops and
// returns ErrCircuitOpen with the count so far.
//
// Keys created while it runs may or may not be removed (SCAN's guarantee:
// keys present for the whole scan are seen). The pattern also matches the
// package's own keys under Prefix ("lock:...", "tag:..." and write-behind
// queues) if it is that broad.
func (c *Cache) InvalidatePattern(ctx context.Context, pattern string) (int64, error) {
	match := globEscape(c.prefix) + pattern
	var total atomic.Int64
	// Near caches cannot match a pattern: clear them, after the removal.
	defer func() {
		if err := c.PublishInvalidation(context.WithoutCancel(ctx)); err != nil {
			c.report(ctx, "publish", "", err)
		}
	}()
	switch rdb := c.rdb.(type) {
	case *redis.ClusterClient:
		err := rdb.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			n, err := c.scanUnlink(ctx, node, match, true)
			total.Add(n)
			return err
		})
		return total.Load(), err
	case *redis.Ring:
		err := rdb.ForEachShard(ctx, func(ctx context.Context, node *redis.Client) error {
			n, err := c.scanUnlink(ctx, node, match, false)
			total.Add(n)
			return err
		})
		return total.Load(), err
	default:
		return c.scanUnlink(ctx, c.rdb, match, false)
	}
}

// scanUnlink removes the keys matching match on one server. perKey sends
// one UNLINK per key (cluster nodes refuse multi-key commands across slots).
func (c *Cache) scanUnlink(ctx context.Context, rdb redis.Cmdable, match string, perKey bool) (int64, error) {
	var (
		removed int64
		cursor  uint64
	)
	// SCAN ends when the cursor returns to 0; the bound only guards against
	// a server that never says so.
	for range 1 << 30 {
		var (
			keys []string
			next uint64
		)
		err := c.call(ctx, func(ctx context.Context) (err error) {
			keys, next, err = rdb.Scan(ctx, cursor, match, DefaultScanCount).Result()
			return err
		})
		if err != nil {
			return removed, err
		}
		n, err := c.unlinkKeys(ctx, rdb, keys, perKey)
		removed += n
		if err != nil {
			return removed, err
		}
		cursor = next
		if cursor == 0 {
			break
		}
	}
	return removed, nil
}

// unlinkKeys UNLINKs keys, in one command or one pipeline of single-key
// commands (one call under the breaker), and returns how many existed.
func (c *Cache) unlinkKeys(ctx context.Context, rdb redis.Cmdable, keys []string, perKey bool) (int64, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	var n int64
	err := c.call(ctx, func(ctx context.Context) (err error) {
		if !perKey {
			n, err = rdb.Unlink(ctx, keys...).Result()
			return err
		}
		cmds := make([]*redis.IntCmd, len(keys))
		_, err = rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, k := range keys {
				cmds[i] = p.Unlink(ctx, k)
			}
			return nil
		})
		for _, cmd := range cmds {
			n += cmd.Val()
		}
		return err
	})
	return n, err
}

// globEscape escapes the glob metacharacters of s, so that a Prefix such as
// "app[1]:" matches itself in SCAN MATCH.
func globEscape(s string) string {
	if !strings.ContainsAny(s, `*?[]\`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// tagKey returns the Redis key of tag's member set.
func (c *Cache) tagKey(tag string) string { return c.prefix + "tag:" + tag }

// SetTagged stores v under key for ttl (as Set) and registers key under each
// of tags, so that InvalidateTags(tag) removes it along with every other
// key registered under tag.
//
// A tag is a Redis set "<Prefix>tag:<tag>" of keys. Its TTL is raised to
// the longest TTL of its members (PEXPIRE NX, then PEXPIRE GT), so a tag set
// never outlives the last value it can refer to by more than that value's
// own lifetime, and never expires before it.
//
// Order: on a single server the SADDs, the PEXPIREs and the SET run in one
// MULTI. Elsewhere (Redis Cluster, Ring: the keys are in different slots)
// the key is registered under its tags, then SET, then registered again.
// Registering first means a value is never cached untagged (if the SET
// fails, a harmless dangling member remains); registering again means a
// concurrent InvalidateTags that emptied the tag set between the two steps
// cannot leave the new value untagged. Each step is one call under
// Options.Timeout and the circuit breaker (ErrCircuitOpen while it is open).
func (c *Cache) SetTagged(ctx context.Context, key string, v any, ttl time.Duration, tags ...string) error {
	data, err := c.codec.Marshal(v)
	if err == nil && bytes.Equal(data, negativeMarker) {
		err = errors.New("value collides with the negative marker")
	}
	if err != nil {
		return fmt.Errorf("cache: encode %q: %w", key, err)
	}
	d := c.ttl(ttl)
	rk := c.key(key)
	register := func(ctx context.Context, p redis.Pipeliner) {
		for _, t := range tags {
			tk := c.tagKey(t)
			p.SAdd(ctx, tk, key)
			p.Do(ctx, "pexpire", tk, d.Milliseconds(), "nx")
			p.Do(ctx, "pexpire", tk, d.Milliseconds(), "gt")
		}
	}
	defer func() {
		if err := c.PublishInvalidation(ctx, key); err != nil {
			c.report(ctx, "publish", key, err)
		}
	}()
	registerAll := func(ctx context.Context) error {
		_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error { register(ctx, p); return nil })
		return err
	}
	if _, ok := c.rdb.(*redis.Client); ok {
		return c.call(ctx, func(ctx context.Context) error {
			_, err := c.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				register(ctx, p)
				p.Set(ctx, rk, data, d)
				return nil
			})
			return err
		})
	}
	if err := c.call(ctx, registerAll); err != nil {
		return err
	}
	if err := c.call(ctx, func(ctx context.Context) error { return c.rdb.Set(ctx, rk, data, d).Err() }); err != nil {
		return err
	}
	return c.call(ctx, registerAll)
}

// InvalidateTags removes every key registered under any of tags (see
// SetTagged), and the tag sets, and returns how many cached keys it
// removed. Each tag set is emptied with SPOP in batches, so a key tagged
// while it runs is either popped and removed or stays registered for the
// next invalidation; never dropped from the set while its value survives.
// Each SPOP and each UNLINK batch is one call under Options.Timeout and the
// circuit breaker: while the breaker is open it stops and returns
// ErrCircuitOpen with the count so far.
func (c *Cache) InvalidateTags(ctx context.Context, tags ...string) (int64, error) {
	_, perKey := c.rdb.(*redis.Client)
	perKey = !perKey
	var removed int64
	for _, t := range tags {
		tk := c.tagKey(t)
		// Each round pops up to DefaultScanCount members; a round that
		// pops fewer found the set empty. The bound guards against
		// writers tagging faster than this removes.
		for range 1 << 20 {
			var members []string
			err := c.call(ctx, func(ctx context.Context) (err error) {
				members, err = c.rdb.SPopN(ctx, tk, DefaultScanCount).Result()
				return err
			})
			if err != nil && err != redis.Nil {
				return removed, err
			}
			keys := make([]string, len(members))
			for i, m := range members {
				keys[i] = c.key(m)
			}
			n, err := c.unlinkKeys(ctx, c.rdb, keys, perKey)
			removed += n
			if len(members) > 0 {
				if perr := c.PublishInvalidation(ctx, members...); perr != nil {
					c.report(ctx, "publish", "", perr)
				}
			}
			if err != nil {
				return removed, err
			}
			if len(members) < DefaultScanCount {
				break
			}
		}
	}
	return removed, nil
}
