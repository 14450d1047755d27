package cacheprom_test

import (
	"context"
	"testing"
	"time"

	"github.com/ember-kv/ember/cache"
	"github.com/ember-kv/ember/cache/cacheprom"
	"github.com/ember-kv/ember/embertest"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

func TestCollector(t *testing.T) {
	srv := embertest.Run(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { rdb.Close() })
	c := cache.New(rdb, cache.Options{Prefix: "p:"})
	ctx := context.Background()
	load := func(context.Context) (int, error) { return 42, nil }
	for range 3 {
		if _, err := cache.GetOrLoad(ctx, c, "k", time.Minute, load); err != nil {
			t.Fatal(err)
		}
	}

	reg := prometheus.NewPedanticRegistry()
	col := cacheprom.New(c, cacheprom.Opts{ConstLabels: prometheus.Labels{"cache": "test"}})
	if err := reg.Register(col); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(mfs) != 20 {
		t.Fatalf("%d metric families, want 20", len(mfs))
	}
	values := map[string]float64{}
	for _, mf := range mfs {
		m := mf.GetMetric()
		if len(m) != 1 || len(m[0].GetLabel()) != 1 || m[0].GetLabel()[0].GetName() != "cache" || m[0].GetLabel()[0].GetValue() != "test" {
			t.Fatalf("%s: metrics %v, want one labelled cache=test", mf.GetName(), m)
		}
		switch {
		case m[0].GetCounter() != nil:
			values[mf.GetName()] = m[0].GetCounter().GetValue()
		case m[0].GetGauge() != nil:
			values[mf.GetName()] = m[0].GetGauge().GetValue()
		}
	}
	for name, want := range map[string]float64{
		"ember_cache_hits_total":    2,
		"ember_cache_misses_total":  1,
		"ember_cache_loads_total":   1,
		"ember_cache_errors_total":  0,
		"ember_cache_breaker_state": 0,
	} {
		if got, ok := values[name]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", name, got, ok, want)
		}
	}
	// The load's latency is in the histogram.
	for _, mf := range mfs {
		if mf.GetName() == "ember_cache_load_duration_seconds" {
			h := mf.GetMetric()[0].GetHistogram()
			if h.GetSampleCount() != 1 || len(h.GetBucket()) != len(cache.LatencyBuckets) {
				t.Fatalf("histogram: %d samples, %d buckets", h.GetSampleCount(), len(h.GetBucket()))
			}
			return
		}
	}
	t.Fatal("no load_duration_seconds metric")
}
