// Package latency keeps what the LATENCY command reports: the latency
// monitor (event classes such as "command" whose samples reached
// latency-monitor-threshold milliseconds, one sample per second, the last
// 160 of each) and the per-command latency histograms behind LATENCY
// HISTOGRAM and INFO latencystats (latency-tracking).
package latency

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// HistoryLen is how many samples an event class keeps.
const HistoryLen = 160

// Sample is one second's highest latency of an event class.
type Sample struct {
	Time    int64 // Unix seconds
	Latency int64 // milliseconds
}

// series is one event class's samples, a ring of HistoryLen.
type series struct {
	samples [HistoryLen]Sample
	next    int   // where the next sample goes
	max     int64 // the highest latency ever added
}

// last is the newest sample.
func (s *series) last() Sample { return s.samples[(s.next+HistoryLen-1)%HistoryLen] }

// Monitor is the latency monitor. The zero value records nothing until
// SetThreshold.
type Monitor struct {
	threshold atomic.Int64 // latency-monitor-threshold, ms; 0: off

	mu     sync.Mutex
	events map[string]*series
}

// SetThreshold sets latency-monitor-threshold (0 turns the monitor off).
func (m *Monitor) SetThreshold(ms int64) { m.threshold.Store(ms) }

// Threshold is latency-monitor-threshold.
func (m *Monitor) Threshold() int64 { return m.threshold.Load() }

// Add records that event took ms milliseconds at now, when the monitor is
// on and ms reaches its threshold. Samples of the same second keep the
// highest.
func (m *Monitor) Add(event string, ms int64, now time.Time) {
	t := m.threshold.Load()
	if t <= 0 || ms < t {
		return
	}
	sec := now.Unix()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.events == nil {
		m.events = map[string]*series{}
	}
	s := m.events[event]
	if s == nil {
		s = &series{}
		m.events[event] = s
	}
	s.max = max(s.max, ms)
	if prev := &s.samples[(s.next+HistoryLen-1)%HistoryLen]; prev.Time == sec {
		prev.Latency = max(prev.Latency, ms)
		return
	}
	s.samples[s.next] = Sample{Time: sec, Latency: ms}
	s.next = (s.next + 1) % HistoryLen
}

// Latest is an event class's newest sample and its all-time high.
type Latest struct {
	Event string
	Sample
	Max int64
}

// Latest returns every event class's newest sample, by event name.
func (m *Monitor) Latest() []Latest {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Latest, 0, len(m.events))
	for name, s := range m.events {
		out = append(out, Latest{Event: name, Sample: s.last(), Max: s.max})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Event < out[j].Event })
	return out
}

// History returns event's samples, oldest first (none for an unknown event).
func (m *Monitor) History(event string) []Sample {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.events[event]
	if s == nil {
		return nil
	}
	var out []Sample
	for i := range HistoryLen {
		if sm := s.samples[(s.next+i)%HistoryLen]; sm.Time != 0 {
			out = append(out, sm)
		}
	}
	return out
}

// Max returns event's all-time high, and whether it has samples.
func (m *Monitor) Max(event string) (int64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.events[event]
	if s == nil {
		return 0, false
	}
	return s.max, true
}

// Reset drops the samples of the named event classes, or of all of them
// when none is named, and returns how many classes it dropped.
func (m *Monitor) Reset(events ...string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(events) == 0 {
		n := len(m.events)
		m.events = nil
		return n
	}
	n := 0
	for _, e := range events {
		if _, ok := m.events[e]; ok {
			delete(m.events, e)
			n++
		}
	}
	return n
}
