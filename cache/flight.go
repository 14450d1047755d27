package cache

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"sync"
)

// PanicError is the error that callers sharing a load receive when the
// loader panicked in another goroutine. The goroutine that ran the loader
// does not receive it: the panic is re-raised there, with its original value.
type PanicError struct {
	// Value is what the loader passed to panic.
	Value any
	// Stack is the stack of the goroutine that ran the loader, taken when
	// the panic was recovered.
	Stack []byte
}

// Error describes the panic.
func (e *PanicError) Error() string {
	return fmt.Sprintf("cache: loader panicked: %v", e.Value)
}

// errGoexit is what sharers see when the loader called runtime.Goexit (for
// example t.FailNow in a test).
var errGoexit = errors.New("cache: loader called runtime.Goexit")

// flightKey identifies a load: the same key read as two different types is
// two loads, so a sharer can always use the leader's value as its own T.
type flightKey struct {
	key string
	typ reflect.Type
}

// call is one in-progress load.
type call struct {
	done chan struct{}
	val  any
	err  error
	// leaderCanceled says that the leader's own context had ended when the
	// load returned, so err may say nothing about the data: sharers whose
	// context is still alive try again instead of failing.
	leaderCanceled bool
}

// group deduplicates concurrent loads of the same key inside one process.
// It is singleflight with two differences that matter here: sharers wait
// under their own context, and a panicking loader becomes an error for the
// sharers (never a second panic in every waiting goroutine).
type group struct {
	mu sync.Mutex
	m  map[flightKey]*call
}

// do runs fn once for all concurrent callers with the same key. shared
// reports whether this caller waited for another's fn; retry reports that the
// leader gave up because of its own context and this caller should call do
// again. onShare, if set, is called when a caller joins an existing load.
func (g *group) do(ctx context.Context, k flightKey, onShare func(), fn func() (any, error)) (val any, err error, shared, retry bool) {
	g.mu.Lock()
	if g.m == nil {
		g.m = make(map[flightKey]*call)
	}
	if c, ok := g.m[k]; ok {
		g.mu.Unlock()
		if onShare != nil {
			onShare()
		}
		select {
		case <-c.done:
			if c.leaderCanceled && ctx.Err() == nil {
				return nil, nil, true, true
			}
			return c.val, c.err, true, false
		case <-ctx.Done():
			return nil, ctx.Err(), true, false
		}
	}
	c := &call{done: make(chan struct{})}
	g.m[k] = c
	g.mu.Unlock()

	returned := false
	defer func() {
		var r any
		if !returned {
			r = recover()
			if r == nil {
				// Not a panic: runtime.Goexit. Let it go on.
				c.err = errGoexit
			} else {
				c.err = &PanicError{Value: r, Stack: debug.Stack()}
			}
		}
		g.mu.Lock()
		delete(g.m, k)
		g.mu.Unlock()
		close(c.done)
		if r != nil {
			panic(r)
		}
	}()
	c.val, c.err = fn()
	c.leaderCanceled = ctx.Err() != nil
	returned = true
	return c.val, c.err, false, false
}
