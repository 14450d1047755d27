package server

import (
	"math"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/config"
	"github.com/ember-kv/ember/internal/handler"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/notify"
	"github.com/ember-kv/ember/internal/tracking"
	"github.com/ember-kv/ember/internal/watch"
)

// maxmemory, as Redis's processCommand and performEvictions: before every
// command, when maxmemory is set and used memory (handler.UsedMemory) is
// over it, keys are evicted by the maxmemory-policy; if that cannot bring
// memory under the limit, commands flagged denyoom (and, inside MULTI,
// every command but EXEC, DISCARD, QUIT and RESET) are refused with the
// OOM error. Reads keep working. When maxmemory is 0 the check is one
// atomic load.
//
// The Go runtime is tuned from maxmemory: the memory limit
// (debug.SetMemoryLimit) is set to goMemLimit(maxmemory), so that the
// collector runs harder as the heap nears it instead of letting garbage
// double the heap (GOGC's default), and the cron returns freed heap to
// the system once the keyspace shrank a lot (heavy TTL churn). See
// docs/architecture.md, "Memory".

func init() {
	for _, d := range []string{"maxmemory", "maxmemory-policy", "maxmemory-samples",
		"maxmemory-eviction-tenacity", "lfu-log-factor", "lfu-decay-time"} {
		config.SetEffective(d)
	}
}

// memoryState is the server's maxmemory settings, loaded atomically by
// the dispatcher.
type memoryState struct {
	max       atomic.Int64 // maxmemory; 0: no limit
	policy    atomic.Uint32
	samples   atomic.Int64
	tenacity  atomic.Int64
	bgRunning atomic.Bool
	// lastFree is the keyspace size when the cron last returned memory to
	// the system (or the peak since).
	lastFree atomic.Int64
	// prevUsed is the keyspace size at the previous cron tick.
	prevUsed atomic.Int64
	// prevCommands is the count of commands run at the previous cron tick.
	prevCommands atomic.Int64
	// ownLimit is set while the Go memory limit is ours to change.
	ownLimit atomic.Bool
}

// goMemLimit is the Go memory limit for a maxmemory: the dataset plus an
// eighth again for garbage between collections, plus room for the
// runtime. Most of a large dataset is pointer-free (packed strings,
// listpacks), so collecting often costs little.
func goMemLimit(maxmemory int64) int64 {
	return maxmemory + maxmemory/8 + 16<<20
}

// initMemory applies the maxmemory directives and watches them.
func (s *Server) initMemory() {
	cfg := s.cfg
	cfg.Follow(func() {
		p, _ := keyspace.ParsePolicy(cfg.Get("maxmemory-policy"))
		s.mem.policy.Store(uint32(p))
		s.mem.samples.Store(cfg.Int("maxmemory-samples"))
		s.mem.tenacity.Store(cfg.Int("maxmemory-eviction-tenacity"))
	}, "maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity")
	setMax := func(string) {
		m := cfg.Int("maxmemory")
		if m < 0 || m == math.MaxInt64 {
			m = math.MaxInt64
		}
		s.mem.max.Store(m)
		s.applyGoMemLimit(m)
	}
	setMax("")
	cfg.Watch("maxmemory", func(v string) {
		setMax(v)
		// As Redis, a lower limit evicts at once.
		if s.mem.max.Load() != 0 {
			s.performEvictions()
		} else {
			s.ks.NoteOverLimit(false, s.now().UnixMilli())
		}
	})
}

// applyGoMemLimit sets the Go memory limit from maxmemory, unless the
// process was started with GOMEMLIMIT (the operator's choice wins).
func (s *Server) applyGoMemLimit(maxmemory int64) {
	if !s.opts.TuneRuntime {
		return
	}
	if !s.mem.ownLimit.Load() {
		if debug.SetMemoryLimit(-1) != math.MaxInt64 {
			return // GOMEMLIMIT was given
		}
		s.mem.ownLimit.Store(true)
	}
	if maxmemory == 0 || maxmemory == math.MaxInt64 {
		debug.SetMemoryLimit(math.MaxInt64)
		return
	}
	debug.SetMemoryLimit(goMemLimit(maxmemory))
}

// usedMemory is used_memory, exactly.
func (s *Server) usedMemory() int64 { return handler.UsedMemory(s.env) }

// oomReject runs before a command when maxmemory is set: it evicts if
// memory is over the limit and reports whether the command must be
// refused with the OOM error.
func (s *Server) oomReject(c *client.Client, spec *command.Spec) bool {
	limit := s.mem.max.Load()
	if handler.UsedMemoryApprox(s.env)+s.ks.UsedSlack() <= limit {
		return false
	}
	if s.performEvictions() != keyspace.EvictFail {
		return false
	}
	if spec.Flags&command.DenyOOM != 0 {
		return true
	}
	if spec == s.txn.exec && c.MultiFlags&command.DenyOOM != 0 {
		return true
	}
	// Queueing inside MULTI takes memory too: only what ends or leaves
	// the transaction goes through.
	return c.MultiLen() >= 0 && spec != s.txn.exec && spec != s.txn.discard &&
		spec != s.txn.quit && spec != s.txn.reset
}

// performEvictions evicts keys until used memory is under maxmemory, as
// Redis's performEvictions, within the time maxmemory-eviction-tenacity
// allows; past it, eviction goes on in the background (EvictRunning).
func (s *Server) performEvictions() keyspace.EvictResult {
	limit := s.mem.max.Load()
	if limit == 0 {
		return keyspace.EvictOK
	}
	now := s.now().UnixMilli()
	used := s.usedMemory()
	if used <= limit {
		s.ks.NoteOverLimit(false, now)
		return keyspace.EvictOK
	}
	s.ks.NoteOverLimit(true, now)
	if s.mem.bgRunning.Load() {
		// The background eviction is at work: let the command through,
		// as Redis does while its eviction timer runs.
		return keyspace.EvictRunning
	}
	policy := keyspace.Policy(s.mem.policy.Load())
	var deadline time.Time
	if d := evictionTimeLimit(s.mem.tenacity.Load()); d >= 0 {
		deadline = time.Now().Add(d)
	}
	_, _, res := s.ks.Evict(now, policy, int(s.mem.samples.Load()), used-limit, deadline)
	switch res {
	case keyspace.EvictOK:
		// Another client may have filled memory again meanwhile; what
		// this command sees is what it freed.
		s.ks.NoteOverLimit(false, now)
	case keyspace.EvictRunning:
		s.startBackgroundEviction()
	}
	return res
}

// evictionTimeLimit is how long one eviction call may run for a
// maxmemory-eviction-tenacity (Redis's evictionTimeLimitUs); -1 means no
// limit.
func evictionTimeLimit(tenacity int64) time.Duration {
	switch {
	case tenacity <= 10:
		return time.Duration(50*tenacity) * time.Microsecond
	case tenacity < 100:
		return time.Duration(500*math.Pow(1.15, float64(tenacity-10))) * time.Microsecond
	}
	return -1
}

// startBackgroundEviction keeps evicting, one time slice after another,
// until memory is under the limit (Redis's eviction time proc).
func (s *Server) startBackgroundEviction() {
	if !s.mem.bgRunning.CompareAndSwap(false, true) {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer s.mem.bgRunning.Store(false)
		for {
			select {
			case <-s.done:
				return
			default:
			}
			limit := s.mem.max.Load()
			used := s.usedMemory()
			now := s.now().UnixMilli()
			if limit == 0 || used <= limit {
				s.ks.NoteOverLimit(false, now)
				return
			}
			policy := keyspace.Policy(s.mem.policy.Load())
			d := evictionTimeLimit(s.mem.tenacity.Load())
			if d < 50*time.Microsecond {
				d = 50 * time.Microsecond
			}
			_, _, res := s.ks.Evict(now, policy, int(s.mem.samples.Load()), used-limit, time.Now().Add(d))
			if res == keyspace.EvictFail {
				return
			}
			time.Sleep(time.Millisecond) // let commands in between slices
		}
	}()
}

// memoryCron runs with active expiry: it notes the peak, keeps eviction
// going when a limit was lowered or clients grew, and hands freed heap
// back to the system when returnFreed says so, as after a burst of
// short-lived keys.
func (s *Server) memoryCron() {
	used := s.ks.Used()
	prev := s.mem.prevUsed.Swap(used)
	cmds := s.env.Stats.TotalCommands.Load()
	idle := s.mem.prevCommands.Swap(cmds) == cmds
	s.ks.NotePeak(s.usedMemory())
	if last := s.mem.lastFree.Load(); used > last {
		s.mem.lastFree.Store(used)
	} else if returnFreed(last, used, prev, idle) {
		// Collect now (an idle server may not run a collection for
		// minutes) and return the free pages.
		s.mem.lastFree.Store(used)
		if s.opts.TuneRuntime {
			go debug.FreeOSMemory()
		}
	}
	if s.mem.max.Load() != 0 && !s.mem.bgRunning.Load() && s.usedMemory() > s.mem.max.Load() {
		s.performEvictions()
	}
}

// returnFreed reports whether the cron should return freed heap to the
// system: the keyspace (used) shrank by a quarter or more, and 16 MB or
// more, since last; it has stopped shrinking (prev is the previous
// tick's size); and no command ran since the previous tick (idle).
// debug.FreeOSMemory holds every goroutine while it returns the pages
// (with GOMAXPROCS=1, a SADD load after 400 MB of list entries were
// popped ran at 64% of its rate), so a busy server leaves the pages to
// the runtime's background scavenger and returns them once it is idle.
func returnFreed(last, used, prev int64, idle bool) bool {
	drop := last - used
	return idle && drop >= 16<<20 && drop >= last/4 && used >= prev-(1<<20)
}

// onEvict is keyspace.OnEvict: an evicted key is announced ("evicted"),
// invalidated for client-side caching and touched for WATCH, as expiry
// does for expired keys.
func (s *Server) onEvict(db int, key string) {
	if watch.Active() {
		s.watches.Touch(db, []byte(key), false)
	}
	if tracking.Active() {
		s.track.Invalidate(0, [][]byte{[]byte(key)})
	}
	if s.env.Notify.Enabled(notify.Evicted) {
		s.env.Notify.Key(nil, notify.Evicted, "evicted", []byte(key), db)
	}
}
