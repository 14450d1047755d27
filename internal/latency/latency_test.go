package latency

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestBuckets(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed=%d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	for range 100000 {
		v := 1 + rng.Int64N(maxValue)
		if rng.IntN(2) == 0 {
			v = 1 + rng.Int64N(5000)
		}
		b := bucketOf(v)
		if b < 0 || b >= numBuckets {
			t.Fatalf("bucketOf(%d) = %d, out of range", v, b)
		}
		hi := upper(b)
		lo := int64(0)
		if b > 0 {
			lo = upper(b-1) + 1
		}
		if v < lo || v > hi {
			t.Fatalf("bucketOf(%d) = %d, which holds [%d, %d]", v, b, lo, hi)
		}
		if v >= subBuckets && float64(hi-v) > float64(v)/subBuckets {
			t.Fatalf("bucket of %d is %d wide, over 1/%d of it", v, hi-lo+1, subBuckets)
		}
	}
	if b := bucketOf(maxValue); b != numBuckets-1 && upper(numBuckets-1) < maxValue {
		t.Fatalf("the last bucket %d ends at %d, below %d", b, upper(numBuckets-1), maxValue)
	}
}

func TestHistogram(t *testing.T) {
	var h Histogram
	if h.Percentile(50) != 0 || h.Cumulative() != nil {
		t.Fatal("an empty histogram reports samples")
	}
	for range 90 {
		h.Record(1500 * time.Nanosecond) // 1.5 µs
	}
	for range 10 {
		h.Record(30 * time.Millisecond)
	}
	h.Record(-5)          // counted as 1 ns
	h.Record(time.Minute) // counted as 1 s
	if h.Count() != 102 {
		t.Fatalf("Count = %d", h.Count())
	}
	if p := h.Percentile(50); p < 1.5 || p > 1.55 {
		t.Errorf("p50 = %v µs, want 1.5 (its bucket's top)", p)
	}
	if p := h.Percentile(95); p < 30000 || p > 31000 {
		t.Errorf("p95 = %v µs, want about 30,000", p)
	}
	if p := h.Percentile(100); p < 1e6 {
		t.Errorf("p100 = %v µs, want 1 s", p)
	}
	want := []Step{{1, 1}, {2, 91}, {33554, 101}, {1073741, 102}}
	got := h.Cumulative()
	if len(got) != len(want) {
		t.Fatalf("Cumulative = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Cumulative = %v, want %v", got, want)
		}
	}
}

func TestHistogramsTracking(t *testing.T) {
	hs := NewHistograms(3)
	hs.Record(1, time.Millisecond)
	hs.SetTracking(false)
	hs.Record(1, time.Millisecond)
	hs.Record(2, time.Millisecond)
	if hs.Of(1).Count() != 1 || hs.Of(2) != nil || hs.Of(0) != nil {
		t.Fatal("tracking off still records")
	}
	hs.Reset()
	if hs.Of(1) != nil {
		t.Fatal("Reset keeps a histogram")
	}
}

func TestMonitor(t *testing.T) {
	var m Monitor
	t0 := time.Unix(1_800_000_000, 0)
	m.Add("command", 100, t0)
	if len(m.Latest()) != 0 {
		t.Fatal("the monitor records while off")
	}
	m.SetThreshold(10)
	m.Add("command", 9, t0)
	m.Add("command", 20, t0)
	m.Add("command", 15, t0.Add(500*time.Millisecond)) // same second: the highest stays
	m.Add("command", 12, t0.Add(time.Second))
	m.Add("fast-command", 11, t0)
	h := m.History("command")
	if len(h) != 2 || h[0] != (Sample{t0.Unix(), 20}) || h[1] != (Sample{t0.Unix() + 1, 12}) {
		t.Fatalf("History = %v", h)
	}
	l := m.Latest()
	if len(l) != 2 || l[0].Event != "command" || l[0].Latency != 12 || l[0].Max != 20 || l[1].Event != "fast-command" {
		t.Fatalf("Latest = %+v", l)
	}
	for i := range 2 * HistoryLen {
		m.Add("command", 10+int64(i), t0.Add(time.Duration(2+i)*time.Second))
	}
	h = m.History("command")
	if len(h) != HistoryLen || h[0].Latency != 10+HistoryLen || h[HistoryLen-1].Latency != 9+2*HistoryLen {
		t.Fatalf("after %d seconds: %d samples, first %v, last %v", 2*HistoryLen, len(h), h[0], h[len(h)-1])
	}
	if n := m.Reset("nosuch", "fast-command"); n != 1 {
		t.Fatalf("Reset(nosuch, fast-command) = %d", n)
	}
	if n := m.Reset(); n != 1 || len(m.Latest()) != 0 || m.History("command") != nil {
		t.Fatalf("Reset() = %d, latest %v", n, m.Latest())
	}
}
