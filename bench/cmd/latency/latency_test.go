package main

import (
	"bufio"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ember-kv/ember/bench/internal/benchtest"
)

func TestBuckets(t *testing.T) {
	// Every value lies in its bucket's range, the ranges tile the line
	// without gaps, and a bucket is at most 1/64 of its values wide.
	prevHi := int64(-1)
	for i := 0; i < histBuckets; i++ {
		lo, hi := bucketRange(i)
		if lo != prevHi+1 || hi < lo {
			t.Fatalf("bucket %d: [%d,%d] after %d", i, lo, hi, prevHi)
		}
		if lo >= histLinear && float64(hi-lo+1) > float64(lo)/histSub {
			t.Fatalf("bucket %d: [%d,%d] too wide", i, lo, hi)
		}
		if bucketOf(lo) != i || bucketOf(hi) != i {
			t.Fatalf("bucket %d: bucketOf(%d)=%d bucketOf(%d)=%d", i, lo, bucketOf(lo), hi, bucketOf(hi))
		}
		prevHi = hi
		if hi == math.MaxInt64 {
			if i != histBuckets-1 {
				t.Fatalf("max int64 in bucket %d of %d", i, histBuckets)
			}
			break
		}
	}
	if prevHi != math.MaxInt64 {
		t.Fatalf("buckets end at %d", prevHi)
	}
	if bucketOf(-5) != 0 {
		t.Fatal("negative values go to bucket 0")
	}
}

func TestQuantiles(t *testing.T) {
	var h histogram
	if h.quantile(0.5) != 0 || h.mean() != 0 {
		t.Fatal("empty histogram")
	}
	// 1..100 exactly: small values have exact buckets.
	for v := int64(1); v <= 100; v++ {
		h.record(v)
	}
	for q, want := range map[float64]int64{0: 1, 0.01: 1, 0.5: 50, 0.99: 99, 0.999: 100, 1: 100} {
		if got := h.quantile(q); got != want {
			t.Errorf("quantile(%v) = %d, want %d", q, got, want)
		}
	}
	if h.mean() != 50.5 || h.max != 100 || h.total != 100 {
		t.Errorf("mean %v max %d total %d", h.mean(), h.max, h.total)
	}
	// Random latencies: each quantile within 1/64 above the exact one,
	// never below it, never above the max; merging matches recording all.
	rng := rand.New(rand.NewPCG(1, 2))
	var a, b, all histogram
	var vals []int64
	for i := 0; i < 100000; i++ {
		v := int64(rng.ExpFloat64() * 200000) // ~200 µs mean, long tail
		vals = append(vals, v)
		all.record(v)
		if i%2 == 0 {
			a.record(v)
		} else {
			b.record(v)
		}
	}
	a.merge(&b)
	if a != all {
		t.Fatal("merged histogram differs from one that recorded everything")
	}
	slices.Sort(vals)
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999, 0.9999, 1} {
		exact := vals[int(math.Ceil(q*float64(len(vals))))-1]
		got := all.quantile(q)
		if got < exact || float64(got) > float64(exact)*(1+1.0/histSub) || got > all.max {
			t.Errorf("q %v: %d, exact %d", q, got, exact)
		}
	}
}

func TestSchedule(t *testing.T) {
	s := schedule{rate: 1000, conns: 4}
	// The global timetable: request k at k ms, on connection k mod 4.
	for k := 0; k < 40; k++ {
		if got := s.due(k%4, k/4); got != time.Duration(k)*time.Millisecond {
			t.Fatalf("request %d due at %v", k, got)
		}
	}
	// countBefore agrees with counting due times one by one.
	for _, s := range []schedule{{1000, 4}, {50000, 50}, {333, 7}, {1, 1}} {
		for i := 0; i < s.conns; i++ {
			for _, d := range []time.Duration{0, 1, time.Millisecond, 37 * time.Millisecond, time.Second, 3*time.Second + 1} {
				n := 0
				for s.due(i, n) < d {
					n++
				}
				if got := s.countBefore(i, d); got != n {
					t.Fatalf("%+v conn %d before %v: %d, want %d", s, i, d, got, n)
				}
			}
		}
	}
	// Over a second all connections together send rate requests.
	total := 0
	for i := 0; i < 50; i++ {
		total += schedule{50000, 50}.countBefore(i, time.Second)
	}
	if total != 50000 {
		t.Fatalf("%d requests due in the first second, want 50000", total)
	}
}

func TestStallEpisodes(t *testing.T) {
	win := []bool{false, true, true, false, true, false, false, true}
	got := stallEpisodes(win, 10*time.Millisecond)
	want := []time.Duration{10 * time.Millisecond, 40 * time.Millisecond, 70 * time.Millisecond}
	if !slices.Equal(got, want) {
		t.Fatalf("episodes %v", got)
	}
	if n := nearCount(want, []time.Duration{45 * time.Millisecond, time.Second}, 10*time.Millisecond); n != 1 {
		t.Fatalf("nearCount = %d", n)
	}
}

func TestCommandsAndReplies(t *testing.T) {
	b := appendCmd(nil, "SET", 42, []byte("abc"))
	b = appendCmd(b, "GET", 7, nil)
	if string(b) != "*3\r\n$3\r\nSET\r\n$6\r\nkey:42\r\n$3\r\nabc\r\n*2\r\n$3\r\nGET\r\n$5\r\nkey:7\r\n" {
		t.Fatalf("%q", b)
	}
	r := bufio.NewReader(strings.NewReader("+OK\r\n$3\r\nabc\r\n$-1\r\n-ERR x\r\n:1\r\n*1\r\n"))
	for i, wantErr := range []bool{false, false, false, true, false} {
		isErr, err := readReply(r)
		if err != nil || isErr != wantErr {
			t.Fatalf("reply %d: %v %v", i, isErr, err)
		}
	}
	if _, err := readReply(r); err == nil {
		t.Fatal("array reply accepted")
	}
}

// TestSmoke runs the whole program, tiny, against real servers.
func TestSmoke(t *testing.T) {
	jsonPath := filepath.Join(t.TempDir(), "l.json")
	var rep report
	benchtest.Smoke(t, run, 2*time.Minute, []string{"redis-server"},
		[]string{"-keys", "2000", "-rate", "2000", "-clients", "4", "-duration", "1s", "-warmup", "200ms",
			"-settle", "0s", "-pin=false", "-json", jsonPath}, jsonPath, &rep)
	for name, r := range map[string]sideResult{"redis": rep.Redis, "ember": rep.Ember} {
		if r.Sent == 0 || r.Done != r.Sent || r.Errors != 0 || r.P50Ms <= 0 || r.MaxMs < r.P99Ms || len(r.Histogram) == 0 {
			t.Errorf("%s: %+v", name, r)
		}
	}
	if rep.Ember.GC == nil || rep.Redis.GC != nil {
		t.Errorf("GC data: redis %v, ember %v", rep.Redis.GC, rep.Ember.GC)
	}
}
