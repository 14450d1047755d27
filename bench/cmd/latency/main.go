// Command latency measures tail latency under a large keyspace, side by
// side for redis-server and ember-server: it loads -keys small keys into
// each server, then runs an open-loop GET/SET load at a fixed rate over
// -clients connections and reports p50/p99/p99.9/max and the stalls, with
// each request's latency taken from when it was due on the schedule (not
// when it was sent), so a server that stalls is charged for every request
// it held up. During Ember's run it reads Go's GC pauses from the
// profiling endpoint (EMBER_PPROF) to tell whether they show in the tail.
//
//	go run ./bench/cmd/latency                                  # 5M keys, 50k req/s, 60 s per server
//	go run ./bench/cmd/latency -keys 100000 -duration 10s       # a quick look
//
// See docs/performance.md, "Latency under a large keyspace".
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/ember-kv/ember/bench/internal/benchsrv"
)

func main() { benchsrv.Main(run) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return benchsrv.Run(ctx, "latency", args, stdout, stderr, parseFlags, measure)
}

type options struct {
	benchsrv.Flags
	keys       int
	valueSize  int
	rate       float64
	duration   time.Duration
	warmup     time.Duration
	clients    int
	setPercent float64
	stall      time.Duration
	loadConns  int
	loadBatch  int
	settle     time.Duration
	seed       uint64
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := o.FlagSet("latency", stderr, "pin the servers to the first CPU and this load generator to the others with taskset",
		"bench/out/latency.json", "write results as JSON here (relative to the module root; empty: none)")
	fs.IntVar(&o.keys, "keys", 5_000_000, "keys loaded into each server before the run (key:<n>)")
	fs.IntVar(&o.valueSize, "value", 32, "value size in bytes")
	fs.Float64Var(&o.rate, "rate", 50000, "requests per second, all connections together (open loop)")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "measured time per server")
	fs.DurationVar(&o.warmup, "warmup", 3*time.Second, "load at the same rate before the measured time, not recorded")
	fs.IntVar(&o.clients, "clients", 50, "connections")
	fs.Float64Var(&o.setPercent, "set-percent", 10, "percentage of SETs (the rest are GETs of random loaded keys)")
	fs.DurationVar(&o.stall, "stall", 10*time.Millisecond, "a request slower than this counts as a stall")
	fs.IntVar(&o.loadConns, "load-conns", 4, "connections used to load the keys")
	fs.IntVar(&o.loadBatch, "load-batch", 1000, "SETs per pipelined batch while loading")
	fs.DurationVar(&o.settle, "settle", 2*time.Second, "pause between loading and the run")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the key and command choice (same for both servers)")
	if err := benchsrv.Parse(fs, args); err != nil {
		return nil, err
	}
	if o.keys < 1 || o.valueSize < 0 || o.rate <= 0 || o.duration <= 0 || o.warmup < 0 || o.clients < 1 ||
		o.setPercent < 0 || o.setPercent > 100 || o.stall <= 0 || o.loadConns < 1 || o.loadBatch < 1 || o.settle < 0 {
		return nil, errors.New("-keys, -rate, -duration, -clients, -stall, -load-conns and -load-batch must be positive; -set-percent within 0..100")
	}
	return o, nil
}

// sideResult is one server's measurement. Latencies are in milliseconds.
type sideResult struct {
	LoadSeconds float64 `json:"load_seconds"`
	LoadRate    float64 `json:"load_keys_per_sec"`
	RSSLoaded   int64   `json:"rss_loaded"`
	Sent        uint64  `json:"sent"`
	Done        uint64  `json:"done"`
	Errors      uint64  `json:"errors"`
	Achieved    float64 `json:"achieved_rate"`
	P50Ms       float64 `json:"p50_ms"`
	P99Ms       float64 `json:"p99_ms"`
	P999Ms      float64 `json:"p999_ms"`
	MaxMs       float64 `json:"max_ms"`
	MeanMs      float64 `json:"mean_ms"`
	Slow        uint64  `json:"slow_requests"` // slower than -stall
	Stalls      int     `json:"stalls"`        // episodes: runs of -stall windows with a slow request
	// Send lag: how late the load generator sent requests after they were
	// due (its own delay, included in the latencies above).
	LagP99Ms float64   `json:"send_lag_p99_ms"`
	LagMaxMs float64   `json:"send_lag_max_ms"`
	GC       *gcResult `json:"gc,omitempty"`
	// Histogram: bucket upper bound (ns) -> count, non-empty buckets.
	Histogram [][2]int64 `json:"histogram"`
}

// gcResult is what Go's collector did during Ember's measured run.
type gcResult struct {
	Cycles        int     `json:"cycles"`
	Lost          int     `json:"lost"` // cycles beyond the 256 MemStats keeps
	PauseMaxMs    float64 `json:"pause_max_ms"`
	PauseTotalMs  float64 `json:"pause_total_ms"`
	GCCPUFraction float64 `json:"gc_cpu_fraction"` // since the server started
	HeapInuse     uint64  `json:"heap_inuse"`
	// StallsNearGC counts stall episodes that began within 100 ms of a
	// GC pause.
	StallsNearGC int       `json:"stalls_near_gc"`
	Pauses       []float64 `json:"pauses_ms"` // offsets from the measured start, ms
}

type report struct {
	benchsrv.Header
	benchsrv.Host
	LoadAvgStart string     `json:"load_avg_start"`
	LoadAvgEnd   string     `json:"load_avg_end"`
	ServerCPUs   string     `json:"server_cpus,omitempty"`
	LoadCPUs     string     `json:"load_cpus,omitempty"`
	EmberProcs   int        `json:"ember_gomaxprocs"`
	Settings     settings   `json:"settings"`
	Redis        sideResult `json:"redis"`
	Ember        sideResult `json:"ember"`
	Ratio        ratios     `json:"ratio"` // ember / redis; below 1: ember faster
}

type settings struct {
	Keys       int     `json:"keys"`
	ValueSize  int     `json:"value_size"`
	Rate       float64 `json:"rate"`
	Duration   string  `json:"duration"`
	Warmup     string  `json:"warmup"`
	Clients    int     `json:"clients"`
	SetPercent float64 `json:"set_percent"`
	Stall      string  `json:"stall"`
	Seed       uint64  `json:"seed"`
}

type ratios struct {
	P50, P99, P999, Max float64
}

func measure(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	e, err := o.Setup("ember-latency-").Prepare(ctx, stderr)
	if err != nil {
		return err
	}
	defer e.Close()
	rep := &report{
		Header: e.Header(), Host: benchsrv.ThisHost(), LoadAvgStart: benchsrv.LoadAvg(), EmberProcs: o.EmberProcs,
		Settings: settings{Keys: o.keys, ValueSize: o.valueSize, Rate: o.rate, Duration: o.duration.String(),
			Warmup: o.warmup.String(), Clients: o.clients, SetPercent: o.setPercent, Stall: o.stall.String(), Seed: o.seed},
	}
	// Pinning: the servers (one at a time) on the first CPU, this process,
	// which generates the load, on the others.
	if e.LoadCPUs != nil {
		if err := benchsrv.PinSelf(e.LoadCPUs); err != nil {
			return err
		}
		runtime.GOMAXPROCS(len(e.LoadCPUs))
		rep.ServerCPUs = e.ServerCPUList()
		rep.LoadCPUs = benchsrv.FormatCPUList(e.LoadCPUs)
		fmt.Fprintf(stderr, "servers on CPU %s, load generator on CPU %s\n", rep.ServerCPUs, rep.LoadCPUs)
	}
	redis, ember, err := benchsrv.OneAtATime(ctx, e, o.EmberProcs, benchsrv.Options{PinCPUs: rep.ServerCPUs},
		func(s *benchsrv.Server, pprofAddr string) (*sideResult, error) {
			return measureOne(ctx, o, s, pprofAddr, stderr)
		})
	if err != nil {
		return err
	}
	rep.Redis, rep.Ember = *redis, *ember
	rep.LoadAvgEnd = benchsrv.LoadAvg()
	rep.Ratio = ratios{
		P50: benchsrv.Ratio(rep.Ember.P50Ms, rep.Redis.P50Ms), P99: benchsrv.Ratio(rep.Ember.P99Ms, rep.Redis.P99Ms),
		P999: benchsrv.Ratio(rep.Ember.P999Ms, rep.Redis.P999Ms), Max: benchsrv.Ratio(rep.Ember.MaxMs, rep.Redis.MaxMs),
	}
	fmt.Fprint(stdout, rep.table())
	return benchsrv.Output(e.Root, o.JSONPath, benchsrv.JSON(rep), stderr)
}

func ms(ns int64) float64 { return float64(ns) / 1e6 }

// measureOne loads s and runs the open-loop load against it.
func measureOne(ctx context.Context, o *options, s *benchsrv.Server, pprofAddr string, stderr io.Writer) (*sideResult, error) {
	value := []byte(strings.Repeat("v", o.valueSize))
	res := &sideResult{}
	t0 := time.Now()
	if err := load(ctx, s.Addr, o.keys, o.loadConns, o.loadBatch, value); err != nil {
		return nil, err
	}
	res.LoadSeconds = time.Since(t0).Seconds()
	res.LoadRate = float64(o.keys) / res.LoadSeconds
	if reply, err := s.Command("DBSIZE"); err != nil || reply != ":"+strconv.Itoa(o.keys) {
		return nil, fmt.Errorf("DBSIZE after loading: %q %v", reply, err)
	}
	res.RSSLoaded, _ = benchsrv.RSS(s.PID())
	fmt.Fprintf(stderr, "%s: %d keys loaded in %.1fs (%.0f/s), RSS %.0f MiB\n", s.Name, o.keys, res.LoadSeconds,
		res.LoadRate, float64(res.RSSLoaded)/(1<<20))
	if err := benchsrv.Sleep(ctx, o.settle); err != nil {
		return nil, err
	}
	var ms0 *benchsrv.GoMemStats
	if pprofAddr != "" {
		var err error
		if ms0, err = benchsrv.FetchGoMemStats(ctx, pprofAddr); err != nil {
			return nil, err
		}
	}
	loop := &openLoop{
		addr: s.Addr, sched: schedule{rate: o.rate, conns: o.clients}, keys: o.keys, setRatio: o.setPercent / 100,
		value: value, warmup: o.warmup, duration: o.duration, stall: o.stall, seed: o.seed,
		drainWait: 30 * time.Second,
	}
	fmt.Fprintf(stderr, "%s: open loop at %.0f req/s over %d connections for %v (+%v warm-up) ...\n", s.Name, o.rate,
		o.clients, o.duration, o.warmup)
	lr, err := loop.run(ctx)
	if err != nil {
		return nil, err
	}
	if !s.Alive() {
		return nil, fmt.Errorf("server died; its log:\n%s", s.LogTail())
	}
	res.Sent, res.Done, res.Errors, res.Slow = lr.sent, lr.done, lr.errors, lr.slow
	res.Achieved = float64(lr.done) / o.duration.Seconds()
	res.P50Ms, res.P99Ms = ms(lr.lat.quantile(0.50)), ms(lr.lat.quantile(0.99))
	res.P999Ms, res.MaxMs, res.MeanMs = ms(lr.lat.quantile(0.999)), ms(lr.lat.max), lr.lat.mean()/1e6
	res.LagP99Ms, res.LagMaxMs = ms(lr.lag.quantile(0.99)), ms(lr.lag.max)
	episodes := stallEpisodes(lr.stallWin, o.stall)
	res.Stalls = len(episodes)
	for i, c := range lr.lat.counts {
		if c > 0 {
			_, hi := bucketRange(i)
			res.Histogram = append(res.Histogram, [2]int64{hi, int64(c)})
		}
	}
	if ms0 != nil {
		ms1, err := benchsrv.FetchGoMemStats(ctx, pprofAddr)
		if err != nil {
			return nil, err
		}
		res.GC = gcDuring(ms0, ms1, lr.measureStart, o.duration, episodes)
	}
	fmt.Fprintf(stderr, "%s: p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms, %d stalls\n", s.Name,
		res.P50Ms, res.P99Ms, res.P999Ms, res.MaxMs, res.Stalls)
	return res, nil
}

// gcDuring summarises the GC pauses that ended inside the measured part
// and how many stall episodes began within 100 ms of one.
func gcDuring(before, after *benchsrv.GoMemStats, measureStart time.Time, duration time.Duration, episodes []time.Duration) *gcResult {
	g := &gcResult{GCCPUFraction: after.GCCPUFraction, HeapInuse: after.HeapInuse}
	pauses, lost := after.PausesSince(before)
	g.Lost = lost
	var offsets []time.Duration
	for _, p := range pauses {
		off := time.Duration(int64(p.EndUnixNs) - measureStart.UnixNano())
		if off < 0 || off > duration {
			continue
		}
		g.Cycles++
		g.PauseTotalMs += float64(p.PauseNs) / 1e6
		g.PauseMaxMs = max(g.PauseMaxMs, float64(p.PauseNs)/1e6)
		g.Pauses = append(g.Pauses, float64(off)/1e6)
		offsets = append(offsets, off)
	}
	g.StallsNearGC = nearCount(episodes, offsets, 100*time.Millisecond)
	return g
}

// nearCount counts the episodes that begin within window of some event.
func nearCount(episodes, events []time.Duration, window time.Duration) int {
	n := 0
	for _, e := range episodes {
		for _, ev := range events {
			if d := e - ev; d >= -window && d <= window {
				n++
				break
			}
		}
	}
	return n
}

func (rep *report) table() string {
	var b strings.Builder
	st := rep.Settings
	fmt.Fprintf(&b, "open loop: %d keys of %d B, %.0f req/s (%.0f%% SET) over %d connections, %s measured; latency from the due time\n",
		st.Keys, st.ValueSize, st.Rate, st.SetPercent, st.Clients, st.Duration)
	fmt.Fprintf(&b, "%-13s %10s %10s %10s\n", "", "redis", "ember", "ember/redis")
	row := func(name string, r, e, x float64, format string) {
		fmt.Fprintf(&b, "%-13s %10s %10s %10s\n", name, fmt.Sprintf(format, r), fmt.Sprintf(format, e), fmtRatio(x))
	}
	R, E := rep.Redis, rep.Ember
	row("p50 ms", R.P50Ms, E.P50Ms, rep.Ratio.P50, "%.3f")
	row("p99 ms", R.P99Ms, E.P99Ms, rep.Ratio.P99, "%.3f")
	row("p99.9 ms", R.P999Ms, E.P999Ms, rep.Ratio.P999, "%.3f")
	row("max ms", R.MaxMs, E.MaxMs, rep.Ratio.Max, "%.3f")
	row("mean ms", R.MeanMs, E.MeanMs, benchsrv.Ratio(E.MeanMs, R.MeanMs), "%.3f")
	row("slow (>"+st.Stall+")", float64(R.Slow), float64(E.Slow), -1, "%.0f")
	row("stalls", float64(R.Stalls), float64(E.Stalls), -1, "%.0f")
	row("achieved/s", R.Achieved, E.Achieved, benchsrv.Ratio(E.Achieved, R.Achieved), "%.0f")
	row("errors", float64(R.Errors), float64(E.Errors), -1, "%.0f")
	row("send lag p99", R.LagP99Ms, E.LagP99Ms, -1, "%.3f")
	row("load keys/s", R.LoadRate, E.LoadRate, benchsrv.Ratio(E.LoadRate, R.LoadRate), "%.0f")
	row("RSS MiB", float64(R.RSSLoaded)/(1<<20), float64(E.RSSLoaded)/(1<<20), benchsrv.Ratio(float64(E.RSSLoaded), float64(R.RSSLoaded)), "%.0f")
	if g := E.GC; g != nil {
		fmt.Fprintf(&b, "ember GC during the measured run: %d cycles, pauses max %.3f ms, total %.3f ms; %d of %d stalls began within 100 ms of a GC pause; GC CPU fraction since start %.3f\n",
			g.Cycles, g.PauseMaxMs, g.PauseTotalMs, g.StallsNearGC, E.Stalls, g.GCCPUFraction)
	}
	fmt.Fprintf(&b, "load average: %s at start, %s at end\n", rep.LoadAvgStart, rep.LoadAvgEnd)
	return b.String()
}

func fmtRatio(x float64) string {
	if x < 0 {
		return ""
	}
	if x == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", x)
}
