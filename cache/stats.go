package cache

import (
	"math"
	"sync/atomic"
	"time"
)

// Stats is a snapshot of a Cache's counters since New.
type Stats struct {
	// Hits counts reads that found a value or a negative marker (near-cache
	// hits and stale serves included).
	Hits uint64
	// NegativeHits counts the hits that found a negative marker.
	NegativeHits uint64
	// NearHits counts the hits answered by the near cache, without a
	// round trip to Redis.
	NearHits uint64
	// StaleServes counts GetOrLoad hits that returned a value past its TTL,
	// inside the StaleWhileRevalidate window.
	StaleServes uint64
	// EarlyRefreshes counts GetOrLoad hits on a fresh value that triggered
	// a probabilistic early refresh (EarlyRefresh).
	EarlyRefreshes uint64
	// Refreshes counts background refreshes run (stale or early), each one
	// also counted in Loads.
	Refreshes uint64
	// Misses counts reads that found nothing.
	Misses uint64
	// Loads counts loader calls.
	Loads uint64
	// LoadErrors counts loader calls that failed with an error other than
	// ErrNotFound (panics included).
	LoadErrors uint64
	// LoadLatency is the distribution of loader call durations.
	LoadLatency Histogram
	// Shared counts GetOrLoad calls that waited for a load already running
	// in this process instead of running their own.
	Shared uint64
	// LockWaits counts GetOrLoad calls that found another instance holding
	// the load lock and waited for its value.
	LockWaits uint64
	// LockTimeouts counts the LockWaits that gave up after LockWait and ran
	// the loader themselves.
	LockTimeouts uint64
	// Degraded counts cache errors that GetOrLoad swallowed to keep serving
	// (each one also reported to OnError).
	Degraded uint64
	// Errors counts failed calls to Redis (network errors, timeouts, error
	// replies), returned or swallowed alike. A miss is not an error, nor is
	// a call abandoned because the caller's context ended.
	Errors uint64
	// Skipped counts calls to Redis that the open circuit breaker skipped.
	Skipped uint64
	// Breaker is the circuit breaker's state when the snapshot was taken.
	Breaker BreakerState
	// BreakerOpens counts the times the breaker opened.
	BreakerOpens uint64
	// NearInvalidations counts keys dropped from the near cache by
	// invalidation messages; NearResets counts the times it was cleared
	// because its subscription was lost or re-established.
	NearInvalidations, NearResets uint64
}

// LatencyBuckets are the upper bounds of Histogram's buckets.
var LatencyBuckets = []time.Duration{
	time.Millisecond, 2500 * time.Microsecond, 5 * time.Millisecond,
	10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2500 * time.Millisecond, 5 * time.Second, 10 * time.Second,
}

// Histogram is a latency distribution over LatencyBuckets.
type Histogram struct {
	// Counts[i] is the number of observations at most LatencyBuckets[i]
	// and above LatencyBuckets[i-1]; the last element counts those above
	// the last bucket. len(Counts) == len(LatencyBuckets)+1.
	Counts []uint64
	// Count is the number of observations, Sum their total.
	Count uint64
	Sum   time.Duration
}

// Mean returns the average observation, or zero without any.
func (h Histogram) Mean() time.Duration {
	if h.Count == 0 {
		return 0
	}
	return h.Sum / time.Duration(h.Count)
}

// counters are the live, atomic counters behind Stats.
type counters struct {
	hits, negativeHits, misses, loads, loadErrors, shared, lockWaits, lockTimeouts, degraded atomic.Uint64

	nearHits, staleServes, earlyRefreshes, refreshes, errors, skipped atomic.Uint64

	latency    [14]atomic.Uint64 // len(LatencyBuckets)+1
	latencySum atomic.Int64
	// avgLoad is the exponentially weighted mean load time in seconds,
	// as float64 bits: XFetch's expected recompute time.
	avgLoad atomic.Uint64
}

// observeLoad records one loader call's duration.
func (s *counters) observeLoad(d time.Duration) {
	d = max(d, 0)
	i := 0
	for i < len(LatencyBuckets) && d > LatencyBuckets[i] {
		i++
	}
	s.latency[i].Add(1)
	s.latencySum.Add(int64(d))
	for {
		old := s.avgLoad.Load()
		avg := math.Float64frombits(old)
		next := d.Seconds()
		if old != 0 {
			next = 0.8*avg + 0.2*next
		}
		if s.avgLoad.CompareAndSwap(old, math.Float64bits(next)) {
			return
		}
	}
}

// meanLoad returns the weighted mean load time.
func (s *counters) meanLoad() time.Duration {
	return time.Duration(math.Float64frombits(s.avgLoad.Load()) * float64(time.Second))
}

// Stats returns the current counters. Each counter is read atomically; the
// snapshot as a whole is not.
func (c *Cache) Stats() Stats {
	s := &c.stats
	h := Histogram{Counts: make([]uint64, len(s.latency))}
	for i := range s.latency {
		h.Counts[i] = s.latency[i].Load()
		h.Count += h.Counts[i]
	}
	h.Sum = time.Duration(s.latencySum.Load())
	st := Stats{
		Hits:           s.hits.Load(),
		NegativeHits:   s.negativeHits.Load(),
		NearHits:       s.nearHits.Load(),
		StaleServes:    s.staleServes.Load(),
		EarlyRefreshes: s.earlyRefreshes.Load(),
		Refreshes:      s.refreshes.Load(),
		Misses:         s.misses.Load(),
		Loads:          s.loads.Load(),
		LoadErrors:     s.loadErrors.Load(),
		LoadLatency:    h,
		Shared:         s.shared.Load(),
		LockWaits:      s.lockWaits.Load(),
		LockTimeouts:   s.lockTimeouts.Load(),
		Degraded:       s.degraded.Load(),
		Errors:         s.errors.Load(),
		Skipped:        s.skipped.Load(),
		Breaker:        c.BreakerState(),
		BreakerOpens:   c.breaker.opens.Load(),
	}
	if n := c.near; n != nil {
		st.NearInvalidations = n.invalidations.Load()
		st.NearResets = n.resets.Load()
	}
	return st
}
