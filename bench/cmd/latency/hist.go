package main

import (
	"math"
	"math/bits"
)

// histogram counts latencies (nanoseconds) in log-linear buckets, like
// HdrHistogram with two significant digits: values below 128 have a
// bucket each; above, every power of two is split into 64 buckets, so a
// bucket's width is at most 1/64 (1.6%) of its values. Recording is a
// few instructions and never allocates; histograms of several
// connections merge by adding counts.
type histogram struct {
	counts [histBuckets]uint64
	total  uint64
	max    int64
	sum    float64
}

const (
	histSubBits = 6
	histSub     = 1 << histSubBits // buckets per power of two
	histLinear  = 2 * histSub      // values below this have a bucket each
	histBuckets = histLinear + (63-histSubBits-1)*histSub
)

// bucketOf is the index of v's bucket (negative values count as 0).
func bucketOf(v int64) int {
	if v < histLinear {
		return int(max(v, 0))
	}
	shift := bits.Len64(uint64(v)) - histSubBits - 1 // >= 1
	top := v >> shift                                // in [histSub, 2*histSub)
	return histLinear + (shift-1)*histSub + int(top-histSub)
}

// bucketRange is the lowest and highest value of bucket i.
func bucketRange(i int) (lo, hi int64) {
	if i < histLinear {
		return int64(i), int64(i)
	}
	k := i - histLinear
	shift := k/histSub + 1
	top := int64(k%histSub + histSub)
	lo = top << shift
	return lo, lo + (int64(1) << shift) - 1
}

func (h *histogram) record(v int64) {
	h.counts[bucketOf(v)]++
	h.total++
	h.sum += float64(v)
	if v > h.max {
		h.max = v
	}
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.total += o.total
	h.sum += o.sum
	h.max = max(h.max, o.max)
}

// quantile returns the value at quantile q (0..1): the highest value of
// the bucket holding the ceil(q*total)-th smallest recording, and never
// more than the largest value recorded. 0 when empty.
func (h *histogram) quantile(q float64) int64 {
	if h.total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.total)))
	rank = min(max(rank, 1), h.total)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			_, hi := bucketRange(i)
			return min(hi, h.max)
		}
	}
	return h.max
}

func (h *histogram) mean() float64 {
	if h.total == 0 {
		return 0
	}
	return h.sum / float64(h.total)
}
