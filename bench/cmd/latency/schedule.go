package main

import "time"

// schedule is the open-loop timetable: request k of the whole run (k =
// 0, 1, 2, ...) is due at k/rate seconds after the start and goes to
// connection k mod conns, so the connections take turns and the server
// sees the requests evenly spread, whatever it answers. A request's
// latency is measured from when it was due, not from when it was sent:
// a server that stalls is charged for every request that should have
// been sent meanwhile (no coordinated omission).
type schedule struct {
	rate  float64 // requests per second, all connections together
	conns int
}

// due is the offset from the start at which the j-th request of
// connection i is due.
func (s schedule) due(i, j int) time.Duration {
	k := float64(i) + float64(j)*float64(s.conns)
	return time.Duration(k * 1e9 / s.rate)
}

// countBefore is how many requests connection i has due before offset d.
func (s schedule) countBefore(i int, d time.Duration) int {
	if d <= 0 {
		return 0
	}
	// k < d*rate/1e9, k = i + j*conns
	kmax := float64(d) * s.rate / 1e9 // requests due strictly before d
	n := int((kmax - float64(i) + float64(s.conns) - 1) / float64(s.conns))
	// Correct the float rounding at the boundary.
	for n > 0 && s.due(i, n-1) >= d {
		n--
	}
	for s.due(i, n) < d {
		n++
	}
	return max(n, 0)
}
