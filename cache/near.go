package cache

import (
	"context"
	"errors"
	"hash/maphash"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2"
	"github.com/redis/go-redis/v9"
)

// DefaultNearTTL is how long a near-cache entry lives when NearOptions.TTL
// is zero.
const DefaultNearTTL = 30 * time.Second

// Backoff between subscription attempts while Redis is unreachable, and the
// idle time after which the subscriber pings its connection.
const (
	nearRetryMin = 10 * time.Millisecond
	nearRetryMax = time.Second
	nearPingIdle = 10 * time.Second
)

// NearOptions configures the near cache: a bounded in-process cache in
// front of Redis (two-level caching), kept coherent across instances by
// invalidation messages over pub/sub.
//
// Every Cache with a near cache subscribes to Channel. Whenever a Cache
// writes or deletes a key (Set, Delete, a GetOrLoad or background refresh
// storing a value, PublishInvalidation) it publishes the key, without
// Prefix, on that channel, in the same pipeline as the write; every
// subscriber drops the key from its near cache. An empty message drops
// everything. Other services can take part by publishing the same messages
// when they change cached keys.
//
// Messages can be lost while a subscription is down, so the near cache is
// used only while the subscription is confirmed: when the connection
// breaks, the near cache is cleared and bypassed, and when go-redis
// reconnects and the server confirms the subscription again, it is cleared
// once more and back in use. Entries also expire after TTL, which bounds
// staleness if a key expires in Redis and someone who does not publish
// rewrites it; keep TTL well below your values' TTLs.
//
// The near cache holds encoded bytes: each hit decodes them again, so
// callers never share a mutable value.
type NearOptions struct {
	// Size is the maximum number of entries; zero (the default) turns the
	// near cache off.
	Size int
	// TTL is how long an entry lives in the near cache. Zero means
	// DefaultNearTTL. With StaleWhileRevalidate or EarlyRefresh, an entry
	// also never outlives its value's freshness.
	TTL time.Duration
	// Channel is the pub/sub channel for invalidations. The default is
	// "ember-cache:invalidate:" followed by Options.Prefix: one channel per
	// prefix, shared by every Cache with that prefix.
	Channel string
}

// nearEntry is one near-cache value.
type nearEntry struct {
	data    string
	expires int64 // UnixNano, on the Cache's clock
}

// near is the near cache and its subscriber.
type near struct {
	c       *Cache
	m       *otter.Cache[string, nearEntry]
	ttl     time.Duration
	channel string

	// live is set while the subscription is confirmed.
	live atomic.Bool

	// gen and stripes version the near cache: a reader notes the version
	// of its key before reading Redis and fills the near cache only if no
	// invalidation of that key (or of everything) came in meanwhile.
	gen     atomic.Uint64
	seed    maphash.Seed
	stripes [256]atomic.Uint64

	invalidations atomic.Uint64
	resets        atomic.Uint64

	ps     *redis.PubSub
	cancel context.CancelFunc
	done   chan struct{}
}

func newNear(c *Cache, o NearOptions) *near {
	n := &near{
		c:       c,
		m:       otter.Must(&otter.Options[string, nearEntry]{MaximumSize: o.Size}),
		ttl:     o.TTL,
		channel: o.Channel,
		seed:    maphash.MakeSeed(),
		done:    make(chan struct{}),
	}
	if n.ttl <= 0 {
		n.ttl = DefaultNearTTL
	}
	if n.channel == "" {
		n.channel = "ember-cache:invalidate:" + c.prefix
	}
	ctx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	// Subscribe sends SUBSCRIBE at once if it can; if not, the first
	// Receive connects and subscribes.
	n.ps = c.rdb.Subscribe(ctx, n.channel)
	go n.run(ctx)
	return n
}

// stripe returns the version counter for key.
func (n *near) stripe(key string) *atomic.Uint64 {
	return &n.stripes[maphash.String(n.seed, key)&255]
}

// version returns a number that changes whenever key (or the whole near
// cache) is invalidated. Both counters only grow, so their sum changes
// whenever either does.
func (n *near) version(key string) uint64 {
	return n.gen.Load() + n.stripe(key).Load()
}

// get returns key's bytes if the near cache holds a live entry.
func (n *near) get(key string) (string, bool) {
	e, ok := n.m.GetIfPresent(key)
	if !ok {
		return "", false
	}
	if n.c.now().UnixNano() >= e.expires {
		n.m.Compute(key, func(old nearEntry, found bool) (nearEntry, otter.ComputeOp) {
			if found && old.expires == e.expires {
				return old, otter.InvalidateOp
			}
			return old, otter.CancelOp
		})
		return "", false
	}
	return e.data, true
}

// fill stores key's bytes, read from Redis, for life, unless key was
// invalidated since its version was ver.
func (n *near) fill(key string, data string, ver uint64, life time.Duration) {
	e := nearEntry{data: data, expires: n.c.now().Add(life).UnixNano()}
	n.m.Compute(key, func(old nearEntry, found bool) (nearEntry, otter.ComputeOp) {
		// Checked under the key's bucket lock: an invalidation bumps the
		// version before it takes that lock to delete.
		if n.version(key) != ver {
			return old, otter.CancelOp
		}
		return e, otter.WriteOp
	})
}

// invalidateLocal drops keys from this process's near cache.
func (n *near) invalidateLocal(keys ...string) {
	for _, k := range keys {
		n.stripe(k).Add(1)
		n.m.Invalidate(k)
	}
}

// reset drops everything.
func (n *near) reset() {
	n.gen.Add(1)
	n.m.InvalidateAll()
	n.resets.Add(1)
}

// run receives invalidations until close.
func (n *near) run(ctx context.Context) {
	defer close(n.done)
	backoff := nearRetryMin
	var retry *time.Timer
	for {
		msg, err := n.ps.ReceiveTimeout(ctx, nearPingIdle)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() && n.live.Load() {
				// Idle: make sure the connection is still there. A
				// dead one fails the next Receive.
				_ = n.ps.Ping(ctx)
				continue
			}
			if n.live.Swap(false) {
				n.reset()
				n.c.report(ctx, "subscribe", "", err)
			}
			// go-redis reconnects on the next Receive; wait a little
			// first so a down server is not hammered.
			if retry == nil {
				retry = time.NewTimer(backoff)
			} else {
				retry.Reset(backoff)
			}
			select {
			case <-ctx.Done():
				retry.Stop()
				return
			case <-retry.C:
			}
			backoff = min(2*backoff, nearRetryMax)
			continue
		}
		backoff = nearRetryMin
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" && m.Channel == n.channel {
				// First confirmation, or a reconnect: whatever was
				// published in between is lost, so start empty.
				n.live.Store(false)
				n.reset()
				n.live.Store(true)
			}
		case *redis.Message:
			if m.Payload == "" {
				n.reset()
				continue
			}
			n.invalidateLocal(m.Payload)
			n.invalidations.Add(1)
		}
	}
}

// close stops the subscriber and drops the near cache.
func (n *near) close() {
	n.live.Store(false)
	n.cancel()
	_ = n.ps.Close()
	<-n.done
	n.reset()
	n.m.StopAllGoroutines()
}

// PublishInvalidation drops keys from the near cache of every Cache sharing
// this one's invalidation channel: this process's at once, the others'
// through pub/sub. It does not touch the values in Redis: call it after
// changing cached keys other than through Set, Delete or GetOrLoad (a
// pattern delete, a script, a bulk import). With no key it clears every
// near cache entirely. Without a near cache it does nothing.
func (c *Cache) PublishInvalidation(ctx context.Context, keys ...string) error {
	n := c.near
	if n == nil {
		return nil
	}
	if len(keys) == 0 {
		n.reset()
	} else {
		n.invalidateLocal(keys...)
	}
	o, err := c.begin(ctx)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		err = c.rdb.Publish(o.ctx, n.channel, "").Err()
	} else if len(keys) == 1 {
		err = c.rdb.Publish(o.ctx, n.channel, keys[0]).Err()
	} else {
		_, err = c.rdb.Pipelined(o.ctx, func(p redis.Pipeliner) error {
			for _, k := range keys {
				p.Publish(o.ctx, n.channel, k)
			}
			return nil
		})
	}
	return c.end(ctx, o, err)
}
