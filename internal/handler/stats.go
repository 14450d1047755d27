package handler

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/ember-kv/ember/internal/command"
)

// CommandStats are one command's INFO commandstats counters.
type CommandStats struct {
	Calls    atomic.Int64
	Usec     atomic.Int64
	Rejected atomic.Int64
	Failed   atomic.Int64
}

// Stats are the server-wide counters INFO reports.
type Stats struct {
	// Commands is indexed by command.Spec.ID.
	Commands         []CommandStats
	TotalConnections atomic.Int64
	RejectedConns    atomic.Int64
	TotalCommands    atomic.Int64
	NetInput         atomic.Int64
	NetOutput        atomic.Int64
	ErrorReplies     atomic.Int64
}

// NewStats returns zeroed counters for every command in the table.
func NewStats() *Stats {
	return &Stats{Commands: make([]CommandStats, command.Count())}
}

// Reset zeroes what CONFIG RESETSTAT zeroes.
func (s *Stats) Reset() {
	for i := range s.Commands {
		cs := &s.Commands[i]
		cs.Calls.Store(0)
		cs.Usec.Store(0)
		cs.Rejected.Store(0)
		cs.Failed.Store(0)
	}
	s.TotalConnections.Store(0)
	s.RejectedConns.Store(0)
	s.TotalCommands.Store(0)
	s.NetInput.Store(0)
	s.NetOutput.Store(0)
	s.ErrorReplies.Store(0)
}

// Pause is the CLIENT PAUSE state: while it lasts, commands of paused
// clients wait before they run.
type Pause struct {
	// on is set while a pause lasts, so that Wait costs one atomic load
	// when nothing is paused (every command calls it).
	on    atomic.Bool
	mu    sync.Mutex
	until time.Time
	all   bool // ALL mode; otherwise WRITE mode
	done  chan struct{}
}

// Start pauses clients until the deadline; writeOnly pauses only writes.
// A later pause only ever extends the deadline and widens the mode, as Redis.
func (p *Pause) Start(until time.Time, writeOnly bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done == nil {
		p.done = make(chan struct{})
		p.on.Store(true)
		p.until = until
		p.all = !writeOnly
		time.AfterFunc(time.Until(until), p.expire)
		return
	}
	if until.After(p.until) {
		p.until = until
		time.AfterFunc(time.Until(until), p.expire)
	}
	if !writeOnly {
		p.all = true
	}
}

func (p *Pause) expire() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done != nil && !time.Now().Before(p.until) {
		close(p.done)
		p.done = nil
		p.on.Store(false)
	}
}

// Stop ends any pause (CLIENT UNPAUSE).
func (p *Pause) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done != nil {
		close(p.done)
		p.done = nil
		p.on.Store(false)
	}
}

// On reports whether a pause may be in force (one atomic load).
func (p *Pause) On() bool { return p.on.Load() }

// Wait returns a channel to wait on when a command with the given write
// flag must wait, or nil when it may run now.
func (p *Pause) Wait(write bool) <-chan struct{} {
	if !p.on.Load() {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done == nil || (!p.all && !write) {
		return nil
	}
	return p.done
}
