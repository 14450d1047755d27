// Package embertest starts an in-process Ember server for a test.
package embertest

import (
	"testing"
	"time"

	"github.com/ember-kv/ember"
)

// Run starts an Ember server on a free loopback port and stops it when the
// test ends. It fails the test if the server cannot start.
func Run(t testing.TB, cfg ...ember.Config) *ember.Server {
	t.Helper()
	var c ember.Config
	if len(cfg) > 0 {
		c = cfg[0]
	}
	srv, err := ember.Start(c)
	if err != nil {
		t.Fatalf("embertest: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// Clock is a manual clock for tests: time moves only when Advance is called.
type Clock struct {
	now chan time.Time
}

// NewClock returns a clock stopped at start.
func NewClock(start time.Time) *Clock {
	c := &Clock{now: make(chan time.Time, 1)}
	c.now <- start
	return c
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	t := <-c.now
	c.now <- t
	return t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	t := <-c.now
	c.now <- t.Add(d)
}
