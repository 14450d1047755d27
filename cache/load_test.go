package cache

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// cmdHook is a go-redis hook that calls before with each command before
// sending it; an error from before fails the command unsent.
type cmdHook struct {
	before func(ctx context.Context, cmd redis.Cmder) error
}

func (h cmdHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h cmdHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if err := h.before(ctx, cmd); err != nil {
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}

func (h cmdHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			if err := h.before(ctx, cmd); err != nil {
				cmd.SetErr(err)
				return err
			}
		}
		return next(ctx, cmds)
	}
}

// isSet reports whether cmd is a SET of key; with nx, only SET ... NX.
func isSet(cmd redis.Cmder, key string, nx bool) bool {
	args := cmd.Args()
	if cmd.Name() != "set" || len(args) < 3 || args[1] != key {
		return false
	}
	hasNX := false
	for _, a := range args[3:] {
		if s, ok := a.(string); ok && strings.EqualFold(s, "nx") {
			hasNX = true
		}
	}
	return hasNX == nx
}

// TestLockTakeoverRechecks: the holder stores the value and releases the
// lock after the waiter's poll missed but before the waiter's lock attempt.
// The waiter takes the lock over, finds the value on its re-check and
// returns it: the loader runs once and the value is written once.
func TestLockTakeoverRechecks(t *testing.T) {
	srv, _ := newServer(t)
	ctx := testCtx(t)
	opts := Options{Prefix: "t:", Lock: true, LockTTL: time.Minute, LockWait: time.Minute, Timeout: 10 * time.Second}
	const valueKey, lockKey = "t:k", "t:lock:k"

	var writes atomic.Int64 // SETs of the value, from either instance
	countWrites := func(cmd redis.Cmder) {
		if isSet(cmd, valueKey, false) {
			writes.Add(1)
		}
	}

	holderRdb := newClient(t, srv.Addr())
	holderRdb.AddHook(cmdHook{before: func(_ context.Context, cmd redis.Cmder) error {
		countWrites(cmd)
		return nil
	}})
	holder := New(holderRdb, opts)

	var calls atomic.Int64
	loading := make(chan struct{}) // the holder holds the lock and is loading
	finish := make(chan struct{})  // lets the holder's load return
	second := product{ID: 1, Name: "second load", Price: 1}
	loader := func(ctx context.Context) (product, error) {
		if calls.Add(1) > 1 {
			return second, nil
		}
		close(loading)
		select {
		case <-finish:
			return lamp, nil
		case <-ctx.Done():
			return product{}, ctx.Err()
		}
	}

	var holderGot product
	var holderErr error
	holderDone := make(chan struct{}) // the holder stored the value and released the lock
	go func() {
		defer close(holderDone)
		holderGot, holderErr = GetOrLoad(ctx, holder, "k", time.Minute, loader)
	}()
	select {
	case <-loading:
	case <-ctx.Done():
		t.Fatal("the holder's load did not start")
	}

	// The waiter's first lock attempt fails (the holder has it); its
	// second comes after a poll that missed. Before that second attempt
	// reaches the server, the holder finishes: it stores and unlocks.
	var lockAttempts atomic.Int64
	waiterRdb := newClient(t, srv.Addr())
	waiterRdb.AddHook(cmdHook{before: func(ctx context.Context, cmd redis.Cmder) error {
		countWrites(cmd)
		if isSet(cmd, lockKey, true) && lockAttempts.Add(1) == 2 {
			close(finish)
			select {
			case <-holderDone:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}})
	waiter := New(waiterRdb, opts)

	got, err := GetOrLoad(ctx, waiter, "k", time.Minute, loader)
	select {
	case <-holderDone:
	case <-ctx.Done():
		t.Fatal("the holder did not return")
	}

	if holderErr != nil || holderGot != lamp {
		t.Fatalf("holder: GetOrLoad = %+v, %v; want %+v", holderGot, holderErr, lamp)
	}
	if n := lockAttempts.Load(); n != 2 {
		t.Fatalf("waiter made %d lock attempts, want 2 (the first refused, the takeover)", n)
	}
	if err != nil || got != lamp {
		t.Fatalf("waiter: GetOrLoad = %+v, %v; want the holder's %+v", got, err, lamp)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("loader ran %d times, want 1", n)
	}
	if n := writes.Load(); n != 1 {
		t.Fatalf("the value was written %d times, want 1", n)
	}
	if s := waiter.Stats(); s.LockWaits != 1 || s.LockTimeouts != 0 || s.Loads != 0 {
		t.Fatalf("waiter Stats = %+v, want 1 lock wait, no timeout, no load", s)
	}
	if s := holder.Stats(); s.Loads != 1 || s.LockWaits != 0 {
		t.Fatalf("holder Stats = %+v, want 1 load, no lock wait", s)
	}
	if cached, err := Get[product](ctx, holder, "k"); err != nil || cached != lamp {
		t.Fatalf("cached value = %+v, %v; want %+v", cached, err, lamp)
	}
	if exists(t, holderRdb, lockKey) {
		t.Fatal("lock not released")
	}
}
