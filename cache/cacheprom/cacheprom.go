// Package cacheprom exports a cache.Cache's statistics to Prometheus. It is
// a separate package so that package cache does not depend on
// client_golang.
//
//	c := cache.New(rdb, cache.Options{Prefix: "shop:"})
//	prometheus.MustRegister(cacheprom.New(c, cacheprom.Opts{
//		ConstLabels: prometheus.Labels{"cache": "shop"},
//	}))
//
// Each scrape takes one c.Stats() snapshot. Metric names are
// <Namespace>_<Subsystem>_<name>, "ember_cache_hits_total" by default.
package cacheprom

import (
	"github.com/ember-kv/ember/cache"
	"github.com/prometheus/client_golang/prometheus"
)

// Source is what a Collector reads: a *cache.Cache, or anything else
// producing cache.Stats.
type Source interface {
	Stats() cache.Stats
}

// Opts configures a Collector.
type Opts struct {
	// Namespace and Subsystem prefix every metric name; empty means
	// "ember" and "cache".
	Namespace, Subsystem string
	// ConstLabels are added to every metric: use them to tell several
	// caches apart (for example {"cache": "products"}).
	ConstLabels prometheus.Labels
}

// counter is one Stats counter exported as a Prometheus counter.
type counter struct {
	desc *prometheus.Desc
	get  func(*cache.Stats) uint64
}

// Collector is a prometheus.Collector for one Cache.
type Collector struct {
	src      Source
	counters []counter
	latency  *prometheus.Desc
	breaker  *prometheus.Desc
}

// New returns a Collector for src.
func New(src Source, o Opts) *Collector {
	if o.Namespace == "" {
		o.Namespace = "ember"
	}
	if o.Subsystem == "" {
		o.Subsystem = "cache"
	}
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(o.Namespace, o.Subsystem, name), help, nil, o.ConstLabels)
	}
	c := &Collector{
		src:     src,
		latency: desc("load_duration_seconds", "Duration of loader calls."),
		breaker: desc("breaker_state", "State of the circuit breaker: 0 closed, 1 open, 2 half-open."),
	}
	add := func(name, help string, get func(*cache.Stats) uint64) {
		c.counters = append(c.counters, counter{desc(name, help), get})
	}
	add("hits_total", "Reads that found a value or a negative marker.", func(s *cache.Stats) uint64 { return s.Hits })
	add("negative_hits_total", "Hits that found a negative (not found) marker.", func(s *cache.Stats) uint64 { return s.NegativeHits })
	add("near_hits_total", "Hits answered by the in-process near cache.", func(s *cache.Stats) uint64 { return s.NearHits })
	add("stale_serves_total", "Hits that returned a stale value while it was refreshed.", func(s *cache.Stats) uint64 { return s.StaleServes })
	add("early_refreshes_total", "Hits that triggered a probabilistic early refresh.", func(s *cache.Stats) uint64 { return s.EarlyRefreshes })
	add("refreshes_total", "Background refreshes run.", func(s *cache.Stats) uint64 { return s.Refreshes })
	add("misses_total", "Reads that found nothing.", func(s *cache.Stats) uint64 { return s.Misses })
	add("loads_total", "Loader calls.", func(s *cache.Stats) uint64 { return s.Loads })
	add("load_errors_total", "Loader calls that failed (not found excluded).", func(s *cache.Stats) uint64 { return s.LoadErrors })
	add("shared_loads_total", "Calls that waited for a load already running in the process.", func(s *cache.Stats) uint64 { return s.Shared })
	add("lock_waits_total", "Calls that waited for another instance's load.", func(s *cache.Stats) uint64 { return s.LockWaits })
	add("lock_timeouts_total", "Lock waits that gave up and loaded themselves.", func(s *cache.Stats) uint64 { return s.LockTimeouts })
	add("degraded_total", "Cache errors swallowed to keep serving.", func(s *cache.Stats) uint64 { return s.Degraded })
	add("errors_total", "Failed calls to the cache server.", func(s *cache.Stats) uint64 { return s.Errors })
	add("skipped_total", "Calls to the cache server skipped by the open circuit breaker.", func(s *cache.Stats) uint64 { return s.Skipped })
	add("breaker_opens_total", "Times the circuit breaker opened.", func(s *cache.Stats) uint64 { return s.BreakerOpens })
	add("near_invalidations_total", "Keys dropped from the near cache by invalidation messages.", func(s *cache.Stats) uint64 { return s.NearInvalidations })
	add("near_resets_total", "Times the near cache was cleared because its subscription was lost or re-established.", func(s *cache.Stats) uint64 { return s.NearResets })
	return c
}

// Describe sends the descriptors of every metric.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range c.counters {
		ch <- m.desc
	}
	ch <- c.latency
	ch <- c.breaker
}

// Collect takes one Stats snapshot and sends every metric.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	s := c.src.Stats()
	for _, m := range c.counters {
		ch <- prometheus.MustNewConstMetric(m.desc, prometheus.CounterValue, float64(m.get(&s)))
	}
	buckets := make(map[float64]uint64, len(cache.LatencyBuckets))
	var cum uint64
	for i, le := range cache.LatencyBuckets {
		if i < len(s.LoadLatency.Counts) {
			cum += s.LoadLatency.Counts[i]
		}
		buckets[le.Seconds()] = cum
	}
	ch <- prometheus.MustNewConstHistogram(c.latency, s.LoadLatency.Count, s.LoadLatency.Sum.Seconds(), buckets)
	ch <- prometheus.MustNewConstMetric(c.breaker, prometheus.GaugeValue, float64(s.Breaker))
}
