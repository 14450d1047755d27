package server

import (
	"time"

	"github.com/ember-kv/ember/internal/blocking"
	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/tracking"
)

// serveBlocked runs after a command's handler while its shards are still
// locked (every shard with all), when some client of the process is
// blocked. A command that blocked gets its waiter back, to wait on once
// the locks are released; a write command hands the keys it may have made
// ready (the keys at positions keys in args) to the blocking registry,
// which serves their blocked clients at once, in the order they blocked.
func (s *Server) serveBlocked(c *client.Client, spec *command.Spec, args [][]byte, keys, shards []int, all bool, now int64) *blocking.Waiter {
	reg := blocking.For(s.ks)
	if spec.Flags&command.Blocking != 0 {
		if w := reg.Take(c); w != nil {
			return w // it blocked, so it changed nothing
		}
	}
	if spec.Flags&command.Write == 0 {
		return nil
	}
	var buf [8][]byte
	written := buf[:0]
	if !all {
		for _, p := range keys {
			written = append(written, args[p])
		}
	}
	reg.Written(s.ks, shards, all, written, now)
	return nil
}

// waitBlocked waits, on the client's goroutine and with no lock held, for
// a blocked command to be served, time out or be unblocked, and writes its
// reply. The client's earlier replies are sent first. It returns the time
// spent waiting, which commandstats leave out as Redis does.
func (s *Server) waitBlocked(c *client.Client, spec *command.Spec, args [][]byte, w *blocking.Waiter, start time.Time) time.Duration {
	c.Seen(spec, start) // CLIENT LIST shows the blocking command meanwhile
	s.flush(c)
	feed := func([]byte) {}
	if c.Reader != nil {
		feed = c.Reader.Feed
	}
	from := time.Now()
	out := w.Wait(feed, func() int64 { return s.now().UnixMilli() })
	waited := time.Since(from)
	if out == blocking.OutGone {
		// The client went away while blocked: like Redis, which frees
		// such a client at once, drop it and whatever it sent.
		c.Kill()
		return waited
	}
	w.Reply(out, errs.Unblocked)
	if out == blocking.OutServed && tracking.Active() {
		s.trackServed(c, spec, args)
	}
	return waited
}
