package cache

import (
	"context"
	"crypto/rand"
	"errors"
	"math"
	"runtime/debug"
	"time"
)

// revalidate decides, on a GetOrLoad hit whose freshness is known (left:
// time until its soft expiry), whether to refresh the value in the
// background: always once it is stale (StaleWhileRevalidate), and with
// XFetch's probability while it is fresh (EarlyRefresh).
func (c *Cache) revalidate(ctx context.Context, key string, ttl, left time.Duration, load func(context.Context) (any, error)) {
	switch {
	case c.swr > 0 && left <= 0:
		c.stats.staleServes.Add(1)
		c.refresh(ctx, key, ttl, load)
	case c.earlyRefresh > 0 && c.xfetch(left):
		c.stats.earlyRefreshes.Add(1)
		c.refresh(ctx, key, ttl, load)
	}
}

// xfetch is the XFetch test (Vattani, Chierichetti and Lowenstein,
// "Optimal Probabilistic Cache Stampede Prevention", VLDB 2015): refresh
// now if delta·beta·(−ln U) ≥ time left, U uniform in (0, 1], delta the
// expected recompute time. The probability is tiny while much time is
// left and reaches 1 at expiry. Without a measured load time yet, only an
// expired value is refreshed.
func (c *Cache) xfetch(left time.Duration) bool {
	if left <= 0 {
		return true
	}
	delta := c.stats.meanLoad()
	if delta <= 0 {
		return false
	}
	u := 1 - c.float64() // (0, 1]
	return float64(delta)*c.earlyRefresh*-math.Log(u) >= float64(left)
}

// refresh starts a background load of key unless one is already running in
// this process. With Options.Lock it runs only if it takes the
// cross-instance lock, so one instance refreshes for all.
func (c *Cache) refresh(ctx context.Context, key string, ttl time.Duration, load func(context.Context) (any, error)) {
	c.refreshMu.Lock()
	if _, busy := c.refreshing[key]; busy {
		c.refreshMu.Unlock()
		return
	}
	c.refreshing[key] = struct{}{}
	c.bg.Add(1)
	c.refreshMu.Unlock()
	go c.runRefresh(context.WithoutCancel(ctx), key, ttl, load)
}

// runRefresh is one background refresh, bounded by LockTTL. Failures are
// reported, never returned: the current value keeps being served until it
// expires for good.
func (c *Cache) runRefresh(ctx context.Context, key string, ttl time.Duration, load func(context.Context) (any, error)) {
	defer func() {
		c.refreshMu.Lock()
		delete(c.refreshing, key)
		c.refreshMu.Unlock()
		c.bg.Done()
	}()
	defer func() {
		// A panicking loader must not take the process down from a
		// goroutine nobody waits on.
		if r := recover(); r != nil {
			c.report(ctx, "refresh", key, &PanicError{Value: r, Stack: debug.Stack()})
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, c.lockTTL)
	defer cancel()
	if c.lock {
		token := rand.Text()
		held, err := c.setNX(ctx, c.lockKey(key), token, c.lockTTL)
		if err != nil {
			c.swallow(ctx, "lock", key, err)
			return
		}
		if !held {
			return // another instance is loading it
		}
		defer c.release(ctx, key, token)
	}
	c.stats.refreshes.Add(1)
	v, err := c.load(ctx, load)
	switch {
	case err == nil:
		c.store(ctx, key, v, ttl)
	case errors.Is(err, ErrNotFound):
		// The item is gone from the source of truth: stop serving it.
		if c.negativeTTL > 0 {
			c.storeNotFound(ctx, key)
		} else if err := c.Delete(ctx, key); err != nil {
			c.swallow(ctx, "set", key, err)
		}
	default:
		c.report(ctx, "refresh", key, err)
	}
}

// waitRefreshes waits for the background refreshes started so far.
func (c *Cache) waitRefreshes() { c.bg.Wait() }
