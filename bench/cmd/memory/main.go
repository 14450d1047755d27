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
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

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
}

func main() {
	var o options
	flag.StringVar(&o.redisBin, "redis", "redis-server", "redis-server binary")
	flag.StringVar(&o.emberBin, "ember", "", "ember-server binary (default: go build ./cmd/ember-server)")
	flag.StringVar(&o.policy, "policy", "allkeys-lru", "maxmemory-policy for phases 1 and 3")
	flag.IntVar(&o.hitKeys, "hit-keys", 200_000, "phase 1: working set (keys)")
	flag.IntVar(&o.hitOps, "hit-ops", 2_000_000, "phase 1: GETs")
	flag.IntVar(&o.hitValue, "hit-value", 100, "phase 1: value size")
	flag.IntVar(&o.loadKeys, "n", 1_000_000, "phase 2: keys loaded")
	flag.Int64Var(&o.fillMax, "fill-maxmemory", 100<<20, "phase 3: maxmemory")
	flag.IntVar(&o.fillOps, "fill-ops", 500_000, "phase 3: writes (at most)")
	flag.DurationVar(&o.fillTime, "fill-time", 30*time.Second, "phase 3: time (at most)")
	flag.IntVar(&o.churnKeys, "churn-keys", 1_000_000, "phase 4: short-lived keys")
	flag.DurationVar(&o.churnTTL, "churn-ttl", 3*time.Second, "phase 4: their TTL")
	flag.DurationVar(&o.churnWait, "churn-wait", 20*time.Second, "phase 4: wait after they expired")
	flag.StringVar(&o.out, "out", "bench/out/memory.json", "JSON output file")
	flag.Parse()
	if err := run(&o); err != nil {
		fmt.Fprintln(os.Stderr, "memory:", err)
		os.Exit(1)
	}
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

func run(o *options) error {
	tmp, err := os.MkdirTemp("", "ember-membench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if o.emberBin == "" {
		o.emberBin = filepath.Join(tmp, "ember-server")
		build := exec.Command("go", "build", "-o", o.emberBin, "./cmd/ember-server")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build ember-server: %v", err)
		}
	}
	rep := report{Command: "go run ./bench/cmd/memory " + strings.Join(os.Args[1:], " "),
		Date: time.Now().UTC().Format(time.RFC3339), Phases: map[string]map[string]result{}}
	servers := []struct{ name, bin string }{{"redis", o.redisBin}, {"ember", o.emberBin}}
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
		for _, sv := range servers {
			s, err := startSrv(tmp, sv.name, sv.bin)
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
			fmt.Fprintf(os.Stderr, "%s: %s...\n", ph.name, sv.name)
			r, err := ph.fn(o, s, wsBytes)
			s.stop()
			if err != nil {
				return fmt.Errorf("%s on %s: %v", ph.name, sv.name, err)
			}
			rep.Phases[ph.name][sv.name] = r
		}
	}
	printTable(os.Stdout, &rep)
	if o.out != "" {
		if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
			return err
		}
		b, _ := json.MarshalIndent(rep, "", "  ")
		return os.WriteFile(o.out, append(b, '\n'), 0o644)
	}
	return nil
}

// ---- servers ----

type srv struct {
	name string
	cmd  *exec.Cmd
	rdb  *redis.Client
	pid  int
}

func startSrv(tmp, name, bin string) (*srv, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir := filepath.Join(tmp, name)
	os.MkdirAll(dir, 0o755)
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--dir", dir)
	logf, _ := os.Create(filepath.Join(tmp, name+".log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &srv{name: name, cmd: cmd, pid: cmd.Process.Pid,
		rdb: redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port), PoolSize: 4,
			ReadTimeout: time.Minute, WriteTimeout: time.Minute})}
	for deadline := time.Now().Add(10 * time.Second); ; {
		if s.rdb.Ping(context.Background()).Err() == nil {
			return s, nil
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("%s did not start", name)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *srv) stop() {
	s.rdb.Close()
	s.cmd.Process.Kill()
	s.cmd.Wait()
}

var ctx = context.Background()

func (s *srv) info(field string) int64 {
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

// procStatus reads a "VmRSS"/"VmHWM" line of /proc/<pid>/status, in bytes.
func (s *srv) procStatus(field string) int64 {
	f, err := os.Open("/proc/" + strconv.Itoa(s.pid) + "/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return -1
}

func (s *srv) config(kv ...string) error {
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
	time.Sleep(200 * time.Millisecond)
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
	time.Sleep(time.Second) // let a collection or two settle
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
	time.Sleep(200 * time.Millisecond)
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
	time.Sleep(time.Until(start.Add(o.churnTTL)))
	for deadline := time.Now().Add(2 * time.Minute); s.rdb.DBSize(ctx).Val() > 0 && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(o.churnWait)
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
