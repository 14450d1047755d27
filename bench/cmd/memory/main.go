// Command memory compares Ember's memory behaviour with a real
// redis-server's, under the same maxmemory and policy, in one run:
//
//  1. hit ratio: a Zipf-distributed GET workload that SETs on a miss, with
//     maxmemory at a tenth of the working set (allkeys-lru by default);
//  2. bytes per key: N small keys loaded, used_memory and RSS growth per key;
//  3. bounded memory: writes of mixed sizes far past maxmemory, peak RSS
//     (VmHWM) over maxmemory;
//  4. TTL churn: a burst of short-lived keys, then RSS once they expired.
//
// Each phase starts fresh servers. It prints a table and writes JSON.
//
//	go run ./bench/cmd/memory -out bench/out/memory.json
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/ember-kv/ember/bench/internal/benchsrv"
	"github.com/redis/go-redis/v9"
)

type options struct {
	redisBin, emberBin string
	policy             string
	hitKeys, hitOps    int
	hitValue           int
	loadKeys           int
	fillMax            int64
	fillOps            int
	fillTime           time.Duration
	churnKeys          int
	churnTTL           time.Duration
	churnWait          time.Duration
	out                string
	args               []string // as given, for the report
}

func main() { benchsrv.Main(run) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return benchsrv.Run(ctx, "memory", args, stdout, stderr, parseFlags, measure)
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("memory", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.redisBin, "redis", "redis-server", "redis-server binary")
	fs.StringVar(&o.emberBin, "ember", "", "ember-server binary (default: go build ./cmd/ember-server)")
	fs.StringVar(&o.policy, "policy", "allkeys-lru", "maxmemory-policy for phases 1 and 3")
	fs.IntVar(&o.hitKeys, "hit-keys", 200_000, "phase 1: working set (keys)")
	fs.IntVar(&o.hitOps, "hit-ops", 2_000_000, "phase 1: GETs")
	fs.IntVar(&o.hitValue, "hit-value", 100, "phase 1: value size")
	fs.IntVar(&o.loadKeys, "n", 1_000_000, "phase 2: keys loaded")
	fs.Int64Var(&o.fillMax, "fill-maxmemory", 100<<20, "phase 3: maxmemory")
	fs.IntVar(&o.fillOps, "fill-ops", 500_000, "phase 3: writes (at most)")
	fs.DurationVar(&o.fillTime, "fill-time", 30*time.Second, "phase 3: time (at most)")
	fs.IntVar(&o.churnKeys, "churn-keys", 1_000_000, "phase 4: short-lived keys")
	fs.DurationVar(&o.churnTTL, "churn-ttl", 3*time.Second, "phase 4: their TTL")
	fs.DurationVar(&o.churnWait, "churn-wait", 20*time.Second, "phase 4: wait after they expired")
	fs.StringVar(&o.out, "out", "bench/out/memory.json", "JSON output file")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	o.args = args
	return o, nil
}

// result is one phase's figures for one server.
type result struct {
	HitRatio      float64 `json:"hit_ratio,omitempty"`
	KeysHeld      int64   `json:"keys_held,omitempty"`
	Maxmemory     int64   `json:"maxmemory,omitempty"`
	UsedPerKey    float64 `json:"used_memory_per_key,omitempty"`
	RSSPerKey     float64 `json:"rss_per_key,omitempty"`
	PeakRSS       int64   `json:"peak_rss,omitempty"`
	PeakRatio     float64 `json:"peak_rss_over_maxmemory,omitempty"`
	Writes        int64   `json:"writes,omitempty"`
	Evicted       int64   `json:"evicted_keys,omitempty"`
	RSSBefore     int64   `json:"rss_before,omitempty"`
	RSSBurst      int64   `json:"rss_after_burst,omitempty"`
	RSSAfter      int64   `json:"rss_after_expiry,omitempty"`
	ExpiredKeys   int64   `json:"expired_keys,omitempty"`
	AfterOverPeak float64 `json:"rss_after_over_burst,omitempty"`
}

type report struct {
	Command string                       `json:"command"`
	Date    string                       `json:"date"`
	Phases  map[string]map[string]result `json:"phases"`
}

func measure(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	// ember-server is built in the working directory, as before: Root ".".
	e, err := benchsrv.Setup{Prefix: "ember-membench", Root: ".", RedisBin: o.redisBin, EmberBin: o.emberBin}.Prepare(ctx, stderr)
	if err != nil {
		return err
	}
	defer e.Close()
	rep := report{Command: "go run ./bench/cmd/memory " + strings.Join(o.args, " "),
		Date: time.Now().UTC().Format(time.RFC3339), Phases: map[string]map[string]result{}}
	servers := []string{"redis", "ember"}
	phases := []struct {
		name string
		fn   func(*options, *srv, int64) (result, error)
	}{
		{"hit_ratio", phaseHitRatio},
		{"bytes_per_key", phaseBytesPerKey},
		{"bounded_writes", phaseFill},
		{"ttl_churn", phaseChurn},
	}
	// Phase 1 sets both servers' maxmemory from Redis's working set size.
	var wsBytes int64
	for _, ph := range phases {
		rep.Phases[ph.name] = map[string]result{}
		for _, name := range servers {
			s, err := startSrv(ctx, e, name)
			if err != nil {
				return err
			}
			if ph.name == "hit_ratio" && wsBytes == 0 {
				wsBytes, err = workingSetBytes(o, s)
				if err != nil {
					s.stop()
					return err
				}
			}
			fmt.Fprintf(stderr, "%s: %s...\n", ph.name, name)
			r, err := ph.fn(o, s, wsBytes)
			s.stop()
			if err != nil {
				return fmt.Errorf("%s on %s: %v", ph.name, name, err)
			}
			rep.Phases[ph.name][name] = r
		}
	}
	printTable(stdout, &rep)
	if o.out != "" {
		return benchsrv.WriteFile(o.out, benchsrv.JSON(rep))
	}
	return nil
}

// ---- servers ----

type srv struct {
	*benchsrv.Server
	ctx context.Context
	rdb *redis.Client
}

// startSrv starts redis-server or ember-server (name) with the shared
// settings and a client for it.
func startSrv(ctx context.Context, e *benchsrv.Env, name string) (*srv, error) {
	var s *benchsrv.Server
	var err error
	if name == "redis" {
		s, err = e.StartRedis(ctx, benchsrv.Options{})
	} else {
		s, _, err = e.StartEmber(ctx, 0, false, benchsrv.Options{})
	}
	if err != nil {
		return nil, err
	}
	return &srv{Server: s, ctx: ctx, rdb: redis.NewClient(&redis.Options{Addr: s.Addr, PoolSize: 4,
		ReadTimeout: time.Minute, WriteTimeout: time.Minute})}, nil
}

func (s *srv) stop() {
	s.rdb.Close()
	s.Stop()
}

func (s *srv) info(field string) int64 {
	ctx := s.ctx
	txt, err := s.rdb.Info(ctx, "everything").Result()
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(txt, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return -1
}

// procStatus reads a "VmRSS"/"VmHWM" line of /proc/<pid>/status, in
// bytes; -1 when it cannot.
func (s *srv) procStatus(field string) int64 {
	n, err := benchsrv.ProcBytes(s.PID(), field)
	if err != nil {
		return -1
	}
	return n
}

func (s *srv) config(kv ...string) error {
	ctx := s.ctx
	for i := 0; i+1 < len(kv); i += 2 {
		if err := s.rdb.ConfigSet(ctx, kv[i], kv[i+1]).Err(); err != nil {
			return err
		}
	}
	return nil
}

// ---- phase 1: hit ratio ----

func hitKey(i uint64) string { return "obj:" + strconv.FormatUint(i, 10) }

// workingSetBytes loads the whole working set into a server with no
// limit and returns the memory it took.
func workingSetBytes(o *options, s *srv) (int64, error) {
	ctx := s.ctx
	before := s.info("used_memory")
	val := strings.Repeat("v", o.hitValue)
	pipe := s.rdb.Pipeline()
	for i := 0; i < o.hitKeys; i++ {
		pipe.Set(ctx, hitKey(uint64(i)), val, 0)
		if i%1000 == 999 {
			if _, err := pipe.Exec(ctx); err != nil {
				return 0, err
			}
		}
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return 0, err
	}
	ws := s.info("used_memory") - before
	return ws, s.rdb.FlushAll(ctx).Err()
}

func phaseHitRatio(o *options, s *srv, ws int64) (result, error) {
	ctx := s.ctx
	limit := s.info("used_memory") + ws/10
	if err := s.config("maxmemory-policy", o.policy, "maxmemory", strconv.FormatInt(limit, 10)); err != nil {
		return result{}, err
	}
	r := rand.New(rand.NewPCG(42, 42))
	zipf := rand.NewZipf(r, 1.01, 1, uint64(o.hitKeys-1))
	val := strings.Repeat("v", o.hitValue)
	const batch = 100
	var hits, total int64
	keys := make([]string, batch)
	for done := 0; done < o.hitOps; done += batch {
		pipe := s.rdb.Pipeline()
		cmds := make([]*redis.StringCmd, batch)
		for i := range keys {
			keys[i] = hitKey(zipf.Uint64())
			cmds[i] = pipe.Get(ctx, keys[i])
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return result{}, err
		}
		set := s.rdb.Pipeline()
		misses := 0
		for i, c := range cmds {
			total++
			if c.Err() == nil {
				hits++
				continue
			}
			set.Set(ctx, keys[i], val, 0)
			misses++
		}
		if misses > 0 {
			if _, err := set.Exec(ctx); err != nil {
				return result{}, err
			}
		}
	}
	return result{HitRatio: float64(hits) / float64(total), KeysHeld: s.rdb.DBSize(ctx).Val(),
		Maxmemory: limit, Evicted: s.info("evicted_keys")}, nil
}

// ---- phase 2: bytes per key ----

func phaseBytesPerKey(o *options, s *srv, _ int64) (result, error) {
	ctx := s.ctx
	if err := benchsrv.Sleep(ctx, 200*time.Millisecond); err != nil {
		return result{}, err
	}
	used0, rss0 := s.info("used_memory"), s.procStatus("VmRSS")
	pipe := s.rdb.Pipeline()
	for i := 0; i < o.loadKeys; i++ {
		pipe.Set(ctx, "key:"+strconv.Itoa(i), "0123456789", 0)
		if i%1000 == 999 || i == o.loadKeys-1 {
			if _, err := pipe.Exec(ctx); err != nil {
				return result{}, err
			}
		}
	}
	if err := benchsrv.Sleep(ctx, time.Second); err != nil { // let a collection or two settle
		return result{}, err
	}
	used1, rss1 := s.info("used_memory"), s.procStatus("VmRSS")
	n := float64(o.loadKeys)
	return result{UsedPerKey: float64(used1-used0) / n, RSSPerKey: float64(rss1-rss0) / n,
		KeysHeld: s.rdb.DBSize(ctx).Val()}, nil
}

// ---- phase 3: bounded writes ----

// mixedSize draws a value size log-uniformly between 10 B and 16 KB.
func mixedSize(r *rand.Rand) int {
	return int(math.Exp(math.Log(10) + r.Float64()*(math.Log(16<<10)-math.Log(10))))
}

func phaseFill(o *options, s *srv, _ int64) (result, error) {
	ctx := s.ctx
	if err := s.config("maxmemory-policy", o.policy, "maxmemory", strconv.FormatInt(o.fillMax, 10)); err != nil {
		return result{}, err
	}
	r := rand.New(rand.NewPCG(7, 7))
	buf := strings.Repeat("x", 16<<10)
	deadline := time.Now().Add(o.fillTime)
	var writes int64
	for writes < int64(o.fillOps) && time.Now().Before(deadline) {
		pipe := s.rdb.Pipeline()
		for i := 0; i < 100; i++ {
			pipe.Set(ctx, "fill:"+strconv.FormatInt(writes, 10), buf[:mixedSize(r)], 0)
			writes++
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return result{}, err
		}
	}
	peak := s.procStatus("VmHWM")
	return result{PeakRSS: peak, Maxmemory: o.fillMax, PeakRatio: float64(peak) / float64(o.fillMax),
		Writes: writes, Evicted: s.info("evicted_keys"), KeysHeld: s.rdb.DBSize(ctx).Val()}, nil
}

// ---- phase 4: TTL churn ----

func phaseChurn(o *options, s *srv, _ int64) (result, error) {
	ctx := s.ctx
	if err := benchsrv.Sleep(ctx, 200*time.Millisecond); err != nil {
		return result{}, err
	}
	before := s.procStatus("VmRSS")
	r := rand.New(rand.NewPCG(9, 9))
	buf := strings.Repeat("y", 512)
	start := time.Now()
	pipe := s.rdb.Pipeline()
	for i := 0; i < o.churnKeys; i++ {
		pipe.Set(ctx, "churn:"+strconv.Itoa(i), buf[:100+r.IntN(400)], o.churnTTL)
		if i%1000 == 999 || i == o.churnKeys-1 {
			if _, err := pipe.Exec(ctx); err != nil {
				return result{}, err
			}
		}
	}
	burst := s.procStatus("VmRSS")
	// Wait until every key expired (active expiry), then churnWait more.
	if err := benchsrv.Sleep(ctx, time.Until(start.Add(o.churnTTL))); err != nil {
		return result{}, err
	}
	for deadline := time.Now().Add(2 * time.Minute); s.rdb.DBSize(ctx).Val() > 0 && time.Now().Before(deadline); {
		if err := benchsrv.Sleep(ctx, 200*time.Millisecond); err != nil {
			return result{}, err
		}
	}
	if err := benchsrv.Sleep(ctx, o.churnWait); err != nil {
		return result{}, err
	}
	after := s.procStatus("VmRSS")
	return result{RSSBefore: before, RSSBurst: burst, RSSAfter: after, ExpiredKeys: s.info("expired_keys"),
		AfterOverPeak: float64(after) / float64(burst)}, nil
}

// ---- output ----

func ratio(e, r float64) string {
	if r == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", e/r)
}

func printTable(w io.Writer, rep *report) {
	p := rep.Phases
	h, b, f, c := p["hit_ratio"], p["bytes_per_key"], p["bounded_writes"], p["ttl_churn"]
	mb := func(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }
	fmt.Fprintf(w, "%-44s %14s %14s %12s\n", "measure", "redis", "ember", "ember/redis")
	row := func(name, rv, ev, rat string) { fmt.Fprintf(w, "%-44s %14s %14s %12s\n", name, rv, ev, rat) }
	row("1. hit ratio (maxmemory = 10% working set)", fmt.Sprintf("%.4f", h["redis"].HitRatio),
		fmt.Sprintf("%.4f", h["ember"].HitRatio), ratio(h["ember"].HitRatio, h["redis"].HitRatio))
	row("   keys held at the limit", strconv.FormatInt(h["redis"].KeysHeld, 10), strconv.FormatInt(h["ember"].KeysHeld, 10),
		ratio(float64(h["ember"].KeysHeld), float64(h["redis"].KeysHeld)))
	row("2. used_memory bytes per key", fmt.Sprintf("%.1f", b["redis"].UsedPerKey), fmt.Sprintf("%.1f", b["ember"].UsedPerKey),
		ratio(b["ember"].UsedPerKey, b["redis"].UsedPerKey))
	row("   RSS bytes per key", fmt.Sprintf("%.1f", b["redis"].RSSPerKey), fmt.Sprintf("%.1f", b["ember"].RSSPerKey),
		ratio(b["ember"].RSSPerKey, b["redis"].RSSPerKey))
	row("3. peak RSS / maxmemory (mixed sizes)", fmt.Sprintf("%.2f", f["redis"].PeakRatio), fmt.Sprintf("%.2f", f["ember"].PeakRatio),
		ratio(f["ember"].PeakRatio, f["redis"].PeakRatio))
	row("   writes", strconv.FormatInt(f["redis"].Writes, 10), strconv.FormatInt(f["ember"].Writes, 10), "")
	row("4. RSS after TTL burst", mb(c["redis"].RSSBurst), mb(c["ember"].RSSBurst),
		ratio(float64(c["ember"].RSSBurst), float64(c["redis"].RSSBurst)))
	row("   RSS once expired", mb(c["redis"].RSSAfter), mb(c["ember"].RSSAfter),
		ratio(float64(c["ember"].RSSAfter), float64(c["redis"].RSSAfter)))
	row("   RSS once expired / after burst", fmt.Sprintf("%.2f", c["redis"].AfterOverPeak), fmt.Sprintf("%.2f", c["ember"].AfterOverPeak),
		ratio(c["ember"].AfterOverPeak, c["redis"].AfterOverPeak))
}
