package cache

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Breaker defaults, used when the corresponding BreakerOptions field is zero.
const (
	// DefaultBreakerFailures is how many consecutive failed cache calls
	// open the breaker.
	DefaultBreakerFailures = 5
	// DefaultBreakerWindow is how many recent calls BreakerOptions.FailureRate
	// looks at.
	DefaultBreakerWindow = 20
	// DefaultBreakerCoolDown is how long an open breaker skips the cache
	// before letting one probe through.
	DefaultBreakerCoolDown = 5 * time.Second
)

// ErrCircuitOpen is returned by Get, Set and Delete (and swallowed by
// GetOrLoad) while the circuit breaker is open: the call was not sent to
// Redis at all.
var ErrCircuitOpen = errors.New("cache: circuit breaker open")

// BreakerState is the state of a Cache's circuit breaker.
type BreakerState int32

// The breaker's states.
const (
	// BreakerClosed: the cache is healthy and every call goes to Redis.
	BreakerClosed BreakerState = iota
	// BreakerOpen: recent calls failed; calls skip Redis until the
	// cool-down ends.
	BreakerOpen
	// BreakerHalfOpen: the cool-down ended and one probe call is in
	// flight; the others still skip Redis until it answers.
	BreakerHalfOpen
)

// String returns "closed", "open" or "half-open".
func (s BreakerState) String() string {
	switch s {
	case BreakerClosed:
		return "closed"
	case BreakerOpen:
		return "open"
	case BreakerHalfOpen:
		return "half-open"
	}
	return "unknown"
}

// BreakerOptions configures the circuit breaker that stops a Cache from
// paying a timeout on every call while Redis is down. The zero value is a
// breaker that opens after DefaultBreakerFailures consecutive failures and
// probes again after DefaultBreakerCoolDown.
//
// A failure is a call that ends in a network error, a timeout (the
// Options.Timeout deadline included) or a server reply saying it cannot
// serve (LOADING, BUSY, TRYAGAIN, CLUSTERDOWN, MASTERDOWN, READONLY). A miss
// and any other error reply count as successes: the server answered. A call
// abandoned because the caller's own context ended counts as neither.
type BreakerOptions struct {
	// Failures is how many consecutive failures open the breaker. Zero
	// means DefaultBreakerFailures; a negative value disables the
	// breaker altogether.
	Failures int

	// FailureRate, when above zero, also opens the breaker when at least
	// this fraction (0 < FailureRate <= 1) of the last Window calls
	// failed, catching a flaky server that never fails Failures times in
	// a row.
	FailureRate float64

	// Window is the number of recent calls FailureRate looks at; the rate
	// is judged only once that many calls were seen. Zero means
	// DefaultBreakerWindow.
	Window int

	// CoolDown is how long the open breaker skips Redis before it lets
	// one probe call through (half-open). Success closes the breaker;
	// failure opens it for another CoolDown. Zero means
	// DefaultBreakerCoolDown.
	CoolDown time.Duration
}

// breaker is a lock-free circuit breaker (the failure-rate window aside).
type breaker struct {
	disabled  bool
	threshold int64
	rate      float64
	coolDown  time.Duration
	now       func() time.Time

	state       atomic.Int32
	consecutive atomic.Int64
	openedAt    atomic.Int64 // UnixNano of the last trip
	opens       atomic.Uint64

	onChange func(from, to BreakerState)

	mu     sync.Mutex // guards the window
	window []bool     // true: failure; a ring
	pos    int
	seen   int
	fails  int
}

func newBreaker(o BreakerOptions, now func() time.Time, onChange func(from, to BreakerState)) *breaker {
	b := &breaker{now: now, onChange: onChange}
	if o.Failures < 0 {
		b.disabled = true
		return b
	}
	b.threshold = int64(o.Failures)
	if b.threshold == 0 {
		b.threshold = DefaultBreakerFailures
	}
	b.coolDown = o.CoolDown
	if b.coolDown <= 0 {
		b.coolDown = DefaultBreakerCoolDown
	}
	if o.FailureRate > 0 {
		b.rate = min(o.FailureRate, 1)
		n := o.Window
		if n <= 0 {
			n = DefaultBreakerWindow
		}
		b.window = make([]bool, n)
	}
	return b
}

// allow says whether a call may go to Redis, and whether it is the
// half-open probe (whose outcome decides the breaker's next state).
func (b *breaker) allow() (ok, probe bool) {
	if b.disabled {
		return true, false
	}
	switch BreakerState(b.state.Load()) {
	case BreakerClosed:
		return true, false
	case BreakerOpen:
		if b.now().UnixNano()-b.openedAt.Load() < int64(b.coolDown) {
			return false, false
		}
		if b.state.CompareAndSwap(int32(BreakerOpen), int32(BreakerHalfOpen)) {
			b.changed(BreakerOpen, BreakerHalfOpen)
			return true, true
		}
	}
	return false, false
}

// Outcomes of a call, for the breaker.
const (
	outcomeSuccess = iota
	outcomeFailure
	outcomeNeutral // the caller gave up: says nothing about the server
)

// record takes a call's outcome into account.
func (b *breaker) record(probe bool, outcome int) {
	if b.disabled {
		return
	}
	if probe {
		switch outcome {
		case outcomeSuccess:
			b.reset()
			b.state.Store(int32(BreakerClosed))
			b.changed(BreakerHalfOpen, BreakerClosed)
		case outcomeFailure:
			b.trip(BreakerHalfOpen)
		default:
			// No verdict: back to open with the cool-down already over,
			// so the next call probes. Not a new opening: no notice.
			b.state.Store(int32(BreakerOpen))
		}
		return
	}
	if outcome == outcomeNeutral || BreakerState(b.state.Load()) != BreakerClosed {
		return
	}
	failed := outcome == outcomeFailure
	if failed {
		if b.consecutive.Add(1) >= b.threshold {
			b.tripClosed()
			return
		}
	} else if b.consecutive.Load() != 0 {
		b.consecutive.Store(0)
	}
	if b.window != nil && b.windowAdd(failed) {
		b.tripClosed()
	}
}

// windowAdd records one outcome in the rate window and says whether the
// failure rate is now at or above the threshold.
func (b *breaker) windowAdd(failed bool) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.seen == len(b.window) {
		if b.window[b.pos] {
			b.fails--
		}
	} else {
		b.seen++
	}
	b.window[b.pos] = failed
	if failed {
		b.fails++
	}
	b.pos = (b.pos + 1) % len(b.window)
	return b.seen == len(b.window) && float64(b.fails) >= b.rate*float64(len(b.window))
}

// tripClosed opens a closed breaker (once, however many callers see the
// threshold crossed).
func (b *breaker) tripClosed() {
	b.openedAt.Store(b.now().UnixNano())
	if b.state.CompareAndSwap(int32(BreakerClosed), int32(BreakerOpen)) {
		b.opens.Add(1)
		b.changed(BreakerClosed, BreakerOpen)
	}
}

// trip opens the breaker from the half-open state.
func (b *breaker) trip(from BreakerState) {
	b.openedAt.Store(b.now().UnixNano())
	b.state.Store(int32(BreakerOpen))
	b.opens.Add(1)
	b.changed(from, BreakerOpen)
}

func (b *breaker) reset() {
	b.consecutive.Store(0)
	if b.window != nil {
		b.mu.Lock()
		clear(b.window)
		b.pos, b.seen, b.fails = 0, 0, 0
		b.mu.Unlock()
	}
}

func (b *breaker) changed(from, to BreakerState) {
	if b.onChange != nil {
		b.onChange(from, to)
	}
}

// unavailable lists the error replies that mean "the server is there but
// cannot serve now": failures for the breaker.
var unavailable = []string{"LOADING", "BUSY", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "READONLY"}

// classify turns a Redis call's error into a breaker outcome. ctx is the
// caller's context (without the cache's own deadline).
func classify(ctx context.Context, err error) int {
	if err == nil || err == redis.Nil {
		return outcomeSuccess
	}
	if ctx.Err() != nil {
		return outcomeNeutral
	}
	var rerr redis.Error
	if errors.As(err, &rerr) && !errors.Is(err, context.DeadlineExceeded) {
		msg := rerr.Error()
		for _, p := range unavailable {
			if strings.HasPrefix(msg, p) {
				return outcomeFailure
			}
		}
		return outcomeSuccess
	}
	return outcomeFailure
}

// op is one round trip to Redis in progress: the context to send it
// with (carrying Options.Timeout) and the breaker's verdict.
type op struct {
	ctx    context.Context
	cancel context.CancelFunc
	probe  bool
}

func noCancel() {}

// begin starts a Redis call: ErrCircuitOpen if the breaker skips it,
// otherwise the op to send it under. Every successful begin must be
// followed by end.
func (c *Cache) begin(ctx context.Context) (op, error) {
	ok, probe := c.breaker.allow()
	if !ok {
		c.stats.skipped.Add(1)
		return op{}, ErrCircuitOpen
	}
	o := op{probe: probe}
	o.ctx, o.cancel = c.callCtx(ctx)
	return o, nil
}

// end finishes a Redis call begun under ctx: it feeds the breaker and
// counts errors, and returns err.
func (c *Cache) end(ctx context.Context, o op, err error) error {
	o.cancel()
	outcome := classify(ctx, err)
	if err != nil && err != redis.Nil && outcome != outcomeNeutral {
		c.stats.errors.Add(1)
	}
	c.breaker.record(o.probe, outcome)
	return err
}

// call makes one round trip to Redis, fn, under the breaker and
// Options.Timeout: fn must send everything with the ctx it is given. It
// returns ErrCircuitOpen without calling fn while the breaker is open.
func (c *Cache) call(ctx context.Context, fn func(ctx context.Context) error) error {
	o, err := c.begin(ctx)
	if err != nil {
		return err
	}
	return c.end(ctx, o, fn(o.ctx))
}

// BreakerState returns the circuit breaker's current state.
func (c *Cache) BreakerState() BreakerState {
	return BreakerState(c.breaker.state.Load())
}
