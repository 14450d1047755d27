package cache

import (
	"context"
	"sync/atomic"
	"time"
)

// Per-call deadlines without a context per call.
//
// Options.Timeout puts a deadline on every call to Redis. Made with
// context.WithTimeout, that costs five allocations and a timer per call: as
// much as the rest of a cache hit. Calls whose context can never be canceled
// (context.Background and value-only contexts over it, the usual case for
// background work and many services) instead share one deadline context
// per slot of Timeout/deadlineSlots: a call begun in a slot gets the slot's
// deadline, which is between Timeout and Timeout·(1+1/deadlineSlots) after
// the call began. Never less than Timeout, so no call is cut short. A
// cancelable context (an HTTP request's) still gets its own
// context.WithTimeout, which is the only way to end at whichever comes
// first.

// deadlineSlots is how many slots Timeout is divided into.
const deadlineSlots = 16

// deadlineSlot is a deadline context shared by the calls begun before renew.
type deadlineSlot struct {
	ctx    context.Context
	cancel context.CancelFunc // never called: the context ends at its deadline
	renew  time.Duration      // since sharedDeadlines.base
}

// sharedDeadlines hands out the current slot's context.
type sharedDeadlines struct {
	timeout time.Duration
	slot    time.Duration
	// base is when the Cache was made: times are measured as durations
	// since base, which reads only the monotonic clock (half the cost of
	// time.Now).
	base time.Time
	cur  atomic.Pointer[deadlineSlot]
}

func (d *sharedDeadlines) init(timeout time.Duration) {
	d.timeout = timeout
	d.slot = max(timeout/deadlineSlots, time.Microsecond)
	d.base = time.Now()
}

// get returns a context that ends between timeout and timeout+slot from now.
func (d *sharedDeadlines) get() context.Context {
	now := time.Since(d.base)
	s := d.cur.Load()
	if s != nil && now < s.renew {
		return s.ctx
	}
	ctx, cancel := context.WithDeadline(context.Background(), d.base.Add(now+d.timeout+d.slot))
	ns := &deadlineSlot{ctx: ctx, cancel: cancel, renew: now + d.slot}
	// A racing caller may have renewed it first: either slot is right.
	d.cur.CompareAndSwap(s, ns)
	return ctx
}

// boundCtx is a never-canceled caller's context under a shared deadline: its
// values, the shared context's deadline and cancellation.
type boundCtx struct {
	context.Context                 // the shared deadline context
	parent          context.Context // the caller's, for values
}

// Value looks the key up in the shared context first, which answers only
// the context package's own key for its cancelCtx (so that contexts derived
// from this one hook onto the shared one without a goroutine), then in the
// caller's context.
func (b *boundCtx) Value(key any) any {
	if v := b.Context.Value(key); v != nil {
		return v
	}
	return b.parent.Value(key)
}

// String names the context for debugging.
func (b *boundCtx) String() string { return "cache.boundCtx" }

// callCtx returns the context to send one call to Redis with, carrying
// Options.Timeout, and the function to release it.
func (c *Cache) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.timeout <= 0 {
		return ctx, noCancel
	}
	dl, has := ctx.Deadline()
	if has {
		if time.Until(dl) <= c.timeout {
			return ctx, noCancel // the caller's deadline comes first
		}
	} else if ctx.Done() == nil {
		shared := c.deadlines.get()
		if ctx == context.Background() || ctx == context.TODO() {
			return shared, noCancel
		}
		return &boundCtx{Context: shared, parent: ctx}, noCancel
	}
	return context.WithTimeout(ctx, c.timeout)
}
