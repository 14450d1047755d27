package latency

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// A Histogram counts one command's execution times, from 1 ns to 1 s, in
// log-linear buckets: exact below 32 ns, then 32 buckets per power of two
// (each at most 1/32 of its value wide), as HdrHistogram does with a
// fixed precision. Recording is one atomic add, so the loops of every
// core share a command's histogram without a lock; reading sums the
// buckets.
type Histogram struct {
	counts [numBuckets]atomic.Uint64
}

const (
	subBits    = 5
	subBuckets = 1 << subBits // per power of two
	maxValue   = int64(time.Second)
	// numBuckets covers values up to maxValue (2^30 > 1e9).
	numBuckets = subBuckets + (30-subBits)*subBuckets
)

// bucketOf returns the bucket of v nanoseconds (1 <= v <= maxValue).
func bucketOf(v int64) int {
	if v < subBuckets {
		return int(v)
	}
	e := bits.Len64(uint64(v)) // v < 2^e, e > subBits
	shift := e - subBits - 1
	return subBuckets + shift*subBuckets + int(v>>shift) - subBuckets
}

// upper returns the highest value bucket b counts.
func upper(b int) int64 {
	if b < subBuckets {
		return int64(b)
	}
	shift := (b - subBuckets) / subBuckets
	sub := int64(subBuckets + (b-subBuckets)%subBuckets)
	return (sub+1)<<shift - 1
}

// Record counts one execution of d.
func (h *Histogram) Record(d time.Duration) {
	v := min(max(int64(d), 1), maxValue)
	h.counts[bucketOf(v)].Add(1)
}

// Count is the number of executions recorded.
func (h *Histogram) Count() uint64 {
	var n uint64
	for b := range h.counts {
		n += h.counts[b].Load()
	}
	return n
}

// Percentile returns the execution time, in microseconds, that p percent
// of the recorded executions did not exceed (the upper end of its
// bucket); 0 when nothing was recorded.
func (h *Histogram) Percentile(p float64) float64 {
	total := h.Count()
	if total == 0 {
		return 0
	}
	want := uint64(math.Ceil(p / 100 * float64(total)))
	want = min(max(want, 1), total)
	var seen uint64
	for b := range h.counts {
		if seen += h.counts[b].Load(); seen >= want {
			return float64(upper(b)) / 1000
		}
	}
	return float64(maxValue) / 1000
}

// Step is one point of a cumulative distribution: Count executions took
// at most Micros microseconds.
type Step struct {
	Micros int64
	Count  uint64
}

// Cumulative returns the distribution at powers of two from 1,024 ns (1, 2,
// 4, 8, ... µs), keeping only the steps where the count grows, as LATENCY
// HISTOGRAM shows it.
func (h *Histogram) Cumulative() []Step {
	var out []Step
	var seen, prev uint64
	b := 0
	for limit := int64(1024); ; limit *= 2 {
		for ; b < numBuckets && upper(b) < limit; b++ {
			seen += h.counts[b].Load()
		}
		if seen > prev {
			out = append(out, Step{Micros: limit / 1000, Count: seen})
			prev = seen
		}
		if b >= numBuckets || limit > maxValue {
			return out
		}
	}
}

// Histograms holds a Histogram per command, made at its first execution.
type Histograms struct {
	on   atomic.Bool
	each []atomic.Pointer[Histogram]
}

// NewHistograms returns histograms for n commands (by command ID),
// recording while latency-tracking is on (SetTracking).
func NewHistograms(n int) *Histograms {
	h := &Histograms{each: make([]atomic.Pointer[Histogram], n)}
	h.on.Store(true)
	return h
}

// SetTracking turns recording on or off (latency-tracking).
func (hs *Histograms) SetTracking(on bool) { hs.on.Store(on) }

// Tracking reports whether latency-tracking is on.
func (hs *Histograms) Tracking() bool { return hs.on.Load() }

// Record counts an execution of command id that took d.
func (hs *Histograms) Record(id int, d time.Duration) {
	if !hs.on.Load() {
		return
	}
	h := hs.each[id].Load()
	if h == nil {
		h = new(Histogram)
		if !hs.each[id].CompareAndSwap(nil, h) {
			h = hs.each[id].Load()
		}
	}
	h.Record(d)
}

// Of returns command id's histogram, nil when it never ran.
func (hs *Histograms) Of(id int) *Histogram { return hs.each[id].Load() }

// Reset drops every histogram (CONFIG RESETSTAT).
func (hs *Histograms) Reset() {
	for i := range hs.each {
		hs.each[i].Store(nil)
	}
}
