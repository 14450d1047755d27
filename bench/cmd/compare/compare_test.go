package main

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ember-kv/ember/bench/internal/benchsrv"
	"github.com/ember-kv/ember/bench/internal/benchtest"
)

// Output of redis-benchmark 7.0.15 -t get,set,incr,lpush,lpop,sadd,hset,mset,lrange_100 --csv,
// with a warning line and a custom-command row mixed in.
const benchCSV = `WARNING: Could not fetch server CONFIG
"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
"SET","83333.34","0.316","0.072","0.287","0.559","0.855","0.999"
"GET","90909.09","0.299","0.152","0.279","0.471","0.647","0.807"
"LRANGE_100 (first 100 elements)","52631.58","0.578","0.232","0.495","1.039","1.359","1.623"
"MSET (10 keys)","100000.00","0.340","0.088","0.319","0.519","0.615","0.815"
"zadd myzset __rand_int__ member:__rand_int__","50000.00","0.689","0.208","0.575","1.351","4.199","4.391"
`

func TestParseCSV(t *testing.T) {
	rows, err := parseCSV(benchCSV)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		rows[i].rawLine = ""
	}
	want := []csvRow{
		{Test: "SET", RPS: 83333.34, AvgMs: 0.316, MinMs: 0.072, P50Ms: 0.287, P95Ms: 0.559, P99Ms: 0.855, MaxMs: 0.999},
		{Test: "GET", RPS: 90909.09, AvgMs: 0.299, MinMs: 0.152, P50Ms: 0.279, P95Ms: 0.471, P99Ms: 0.647, MaxMs: 0.807},
		{Test: "LRANGE_100 (first 100 elements)", RPS: 52631.58, AvgMs: 0.578, MinMs: 0.232, P50Ms: 0.495, P95Ms: 1.039, P99Ms: 1.359, MaxMs: 1.623},
		{Test: "MSET (10 keys)", RPS: 100000, AvgMs: 0.340, MinMs: 0.088, P50Ms: 0.319, P95Ms: 0.519, P99Ms: 0.615, MaxMs: 0.815},
		{Test: "zadd myzset __rand_int__ member:__rand_int__", RPS: 50000, AvgMs: 0.689, MinMs: 0.208, P50Ms: 0.575, P95Ms: 1.351, P99Ms: 4.199, MaxMs: 4.391},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("parseCSV:\n got %+v\nwant %+v", rows, want)
	}
}

func TestParseCSVReorderedColumns(t *testing.T) {
	out := "\"rps\",\"test\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\",\"p95_latency_ms\",\"p99_latency_ms\",\"max_latency_ms\"\r\n" +
		"\"1000.50\",\"GET\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\"\r\n"
	rows, err := parseCSV(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[0]; got.Test != "GET" || got.RPS != 1000.5 || got.P50Ms != 3 || got.P99Ms != 5 || got.MaxMs != 6 {
		t.Fatalf("got %+v", got)
	}
}

func TestParseCSVErrors(t *testing.T) {
	for name, out := range map[string]string{
		"empty":       "",
		"header only": "\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\",\"p95_latency_ms\",\"p99_latency_ms\",\"max_latency_ms\"\n",
		"no p99":      "\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\",\"p95_latency_ms\",\"max_latency_ms\"\n\"GET\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\"\n",
		"bad number":  "\"GET\",\"fast\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\"\n",
		"short row":   "\"GET\",\"1\",\"1\"\n",
	} {
		if rows, err := parseCSV(out); err == nil {
			t.Errorf("%s: no error, rows %+v", name, rows)
		}
	}
}

func TestServerError(t *testing.T) {
	out := "\"test\",\"rps\"\nError from server: ERR unknown command 'LPUSH', with args beginning with: 'mylist' 'VXK' \n"
	msg := serverError(out)
	if msg != "ERR unknown command 'LPUSH', with args beginning with: 'mylist' 'VXK'" {
		t.Fatalf("serverError = %q", msg)
	}
	if !isUnknownCommand(msg) || !isUnknownCommand("-"+msg) {
		t.Fatal("unknown command not recognised")
	}
	if isUnknownCommand("WRONGTYPE Operation against a key holding the wrong kind of value") {
		t.Fatal("WRONGTYPE taken for unknown command")
	}
	if serverError("\"GET\",\"1\"\n") != "" {
		t.Fatal("error found in clean output")
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{7}, 7},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{5, 5, 1, 9, 100}, 5},
	} {
		in := append([]float64(nil), c.in...)
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
		if !reflect.DeepEqual(in, c.in) {
			t.Errorf("median modified its input: %v", c.in)
		}
	}
}

func TestGeomean(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
		n    int
	}{
		{nil, 0, 0},
		{[]float64{2, 8}, 4, 2},
		{[]float64{0.5, 2}, 1, 2},
		{[]float64{1, 10, 100}, 10, 3},
		{[]float64{4, 0, -1, math.Inf(1), math.NaN()}, 4, 1}, // missing ratios skipped
		{[]float64{0, 0}, 0, 0},
	} {
		got, n := geomean(c.in)
		if n != c.n || math.Abs(got-c.want) > 1e-12 {
			t.Errorf("geomean(%v) = %v, %d; want %v, %d", c.in, got, n, c.want, c.n)
		}
	}
	if ratio(3, 2) != 1.5 || ratio(0, 2) != 0 || ratio(2, 0) != 0 {
		t.Error("ratio")
	}
}

func TestParseStatTicks(t *testing.T) {
	// Field 2 may contain spaces and parentheses.
	stat := "4242 (redis server) x) S 1 4242 4242 0 -1 4194624 1029 0 0 0 151 37 0 0 20 0 5 0 1234 60824000 3000 18446744073709551615\n"
	got, err := parseStatTicks(stat)
	if err != nil || got != 188 {
		t.Fatalf("parseStatTicks = %d, %v; want 188", got, err)
	}
	if _, err := parseStatTicks("4242 (x) S 1"); err == nil {
		t.Fatal("short stat accepted")
	}
	if ticks, err := cpuTicks(os.Getpid()); err != nil || ticks < 0 {
		t.Fatalf("cpuTicks(self) = %d, %v", ticks, err)
	}
}

func TestCPUDelta(t *testing.T) {
	a := cpuSample{ticks: 100, nanos: 1_000_000_000}
	b := cpuSample{ticks: 125, nanos: 1_253_000_000}
	if got, src := cpuDelta(a, b, 100); src != "schedstat" || math.Abs(got-0.253) > 1e-9 {
		t.Errorf("agreeing samples: %v %s", got, src)
	}
	b.nanos = 1_100_000_000 // a thread's time went missing: trust the ticks
	if got, src := cpuDelta(a, b, 100); src != "stat" || got != 0.25 {
		t.Errorf("disagreeing samples: %v %s", got, src)
	}
	b.nanosErr = os.ErrNotExist
	if got, src := cpuDelta(a, b, 100); src != "stat" || got != 0.25 {
		t.Errorf("no schedstat: %v %s", got, src)
	}
}

func TestCPUBusy(t *testing.T) {
	stat := "cpu  410344 0 68044 165417 928 0 15831 581 0 0\n" +
		"cpu0 208367 0 31956 81216 597 0 8154 292 0 0\n" +
		"cpu1 201977 0 36088 84201 330 0 7676 289 0 0\n" +
		"intr 16307267 0 0\n"
	if got, err := parseCPUBusy(stat, []int{0}); err != nil || got != 208367+31956+292 {
		t.Fatalf("cpu0 busy = %d, %v", got, err)
	}
	if got, err := parseCPUBusy(stat, []int{0, 1}); err != nil || got != 208367+31956+292+201977+36088+289 {
		t.Fatalf("cpu0,1 busy = %d, %v", got, err)
	}
	if _, err := parseCPUBusy(stat, []int{2}); err == nil {
		t.Fatal("missing cpu2 accepted")
	}
	// 1 s on one CPU: 30 busy ticks at 100 Hz, of which 0.1 s were ours.
	if got := foreignShare(30, 100, 0.1, 1, 1); math.Abs(got-0.2) > 1e-12 {
		t.Fatalf("foreignShare = %v", got)
	}
	if got := foreignShare(5, 100, 0.1, 1, 1); got != 0 {
		t.Fatalf("foreignShare below own time = %v", got)
	}
	if got := foreignShare(100, 100, 0, 1, 4); got != 0.25 {
		t.Fatalf("foreignShare over 4 CPUs = %v", got)
	}
}

func workloadByKey(t *testing.T, key string) *workload {
	for _, w := range workloads {
		if w.Key == key {
			return w
		}
	}
	t.Fatalf("no workload %q", key)
	return nil
}

func TestBenchArgs(t *testing.T) {
	got := benchArgs(7000, workloadByKey(t, "get"), 50, 16, 32, 1000, 100)
	want := []string{"-h", "127.0.0.1", "-p", "7000", "-c", "50", "-n", "1000", "-P", "16", "-d", "32", "--csv", "-r", "100", "-t", "get"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("benchArgs get:\n got %q\nwant %q", got, want)
	}
	got = benchArgs(7000, workloadByKey(t, "zadd"), 50, 1, 32, 1000, 0)
	want = []string{"-h", "127.0.0.1", "-p", "7000", "-c", "50", "-n", "1000", "-P", "1", "-d", "32", "--csv",
		"ZADD", "myzset", "__rand_int__", "member:__rand_int__:xxxxxxxxxxxx"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("benchArgs zadd:\n got %q\nwant %q", got, want)
	}
	if m := got[len(got)-1]; len(m) != 32 {
		t.Fatalf("zadd member %q is %d bytes, want 32", m, len(m))
	}
	lr := workloadByKey(t, "lrange_100")
	if n := lr.requests(100000, 4096); n != 5000 {
		t.Fatalf("lrange_100 4 KB requests = %d", n)
	}
	if prep := lr.Prepare(8); len(prep) != 102 || prep[1] != "mylist" || prep[101] != "xxxxxxxx" {
		t.Fatalf("lrange_100 prepare = %q", prep)
	}
}

func TestPlan(t *testing.T) {
	o, err := parseFlags(nil, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	groups, err := plan(o)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	rows := 0
	for _, g := range groups {
		rows += len(g)
	}
	for _, c := range groups[0] {
		names = append(names, c.W.Name)
	}
	// 10 workloads x 2 pipelines x 2 sizes, plus SET and GET at 1,000 clients.
	if len(groups) != 5 || rows != 42 {
		t.Fatalf("default plan: %d groups, %d rows", len(groups), rows)
	}
	if want := "SET GET INCR MSET LPUSH LRANGE_100 LPOP SADD HSET ZADD"; strings.Join(names, " ") != want {
		t.Fatalf("group order %q, want %q", strings.Join(names, " "), want)
	}
	if big := groups[4]; len(big) != 2 || big[0].Clients != 1000 || big[1].W.Name != "GET" {
		t.Fatalf("1,000-client group: %+v", big)
	}

	o, err = parseFlags([]string{"-quick"}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	if o.n != 20000 || o.rounds != 1 {
		t.Fatalf("quick: n=%d rounds=%d", o.n, o.rounds)
	}
	groups, _ = plan(o)
	var got []string
	for _, g := range groups {
		for _, c := range g {
			got = append(got, c.W.Name+"/"+formatInt(c.Pipeline)+"/"+formatInt(c.Size))
		}
	}
	if want := "SET/1/32 GET/1/32 SET/16/32 GET/16/32"; strings.Join(got, " ") != want {
		t.Fatalf("quick plan %q, want %q", strings.Join(got, " "), want)
	}

	o, _ = parseFlags([]string{"-quick", "-n", "500", "-workloads", "GET"}, os.Stderr)
	if groups, _ = plan(o); o.n != 500 || len(groups) != 2 || len(groups[0]) != 1 || groups[0][0].W.Name != "GET" {
		t.Fatalf("-quick -n 500 -workloads GET: n=%d %+v", o.n, groups)
	}
	o, _ = parseFlags([]string{"-workloads", "get,nope"}, os.Stderr)
	if _, err := plan(o); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("unknown workload: %v", err)
	}
}

func formatInt(v int) string { return strings.TrimSpace(fmtSize(v)[:len(fmtSize(v))-2]) }

func TestShellJoin(t *testing.T) {
	if got := shellJoin([]string{"--save", "", "--dir", "a b", "it's"}); got != `--save '' --dir 'a b' 'it'\''s'` {
		t.Fatalf("shellJoin = %s", got)
	}
}

func TestTable(t *testing.T) {
	rep := &report{Settings: settings{Rounds: 3, ServerCPUs: "0", MaxNoise: 0.25}}
	ok := func(ops, p50, p99, eff float64) runResult {
		return runResult{Status: statusOK, OpsPerSec: ops, P50Ms: p50, P99Ms: p99, OpsPerCPUSec: eff, Noise: p50 / 10}
	}
	rep.Rows = []*row{
		{Workload: "GET", Clients: 50, Pipeline: 1, Size: 32,
			Redis: side{Runs: []runResult{ok(100000, 0.3, 0.5, 200000), ok(90000, 0.2, 0.7, 210000), ok(80000, 0.4, 0.6, 190000)}},
			Ember: side{Runs: []runResult{ok(120000, 0.3, 1.0, 100000), ok(110000, 0.3, 1.2, 105000), {Status: "timeout"}}}},
		{Workload: "SET", Clients: 1000, Pipeline: 1, Size: 32, // a noisy row
			Redis: side{Runs: []runResult{{Status: statusOK, OpsPerSec: 50000, P50Ms: 1, P99Ms: 2, OpsPerCPUSec: 100000, Noise: 0.5}}},
			Ember: side{Runs: []runResult{{Status: statusOK, OpsPerSec: 100000, P50Ms: 1, P99Ms: 2, OpsPerCPUSec: 100000, Noise: 0.1}}}},
		{Workload: "LPUSH", Clients: 50, Pipeline: 16, Size: 4096,
			Redis: side{Runs: []runResult{ok(1.5e6, 1, 2, 2e6)}},
			Ember: side{Runs: []runResult{{Status: statusNotImplemented, Error: "ERR unknown command 'lpush'"}}}},
	}
	rep.finish()
	if r := rep.Rows[0]; r.Redis.OpsPerSec != 90000 || r.Ember.OpsPerSec != 115000 || r.Ember.OKRuns != 2 || r.Ember.P99Ms != 1.1 ||
		r.Redis.OpsSpread != 1.25 || r.Ember.OpsSpread != 120000.0/110000 {
		t.Fatalf("medians: %+v %+v", r.Redis, r.Ember)
	}
	want := `| workload | clients | pipeline | size | ops/s redis | ops/s ember | x | p50 ms redis | p50 ms ember | x | p99 ms redis | p99 ms ember | x | ops/CPU-s redis | ops/CPU-s ember | x | noise |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
| GET | 50 | 1 | 32 B | 90.0k | 115.0k | 1.28 | 0.300 | 0.300 | 1.00 | 0.600 | 1.100 | 1.83 | 200.0k | 102.5k | 0.51 | 3% |
| SET | 1000 | 1 | 32 B | 50.0k | 100.0k | 2.00 | 1.000 | 1.000 | 1.00 | 2.000 | 2.000 | 1.00 | 100.0k | 100.0k | 1.00 | 50% |
| LPUSH | 50 | 16 | 4 KB | 1.50M | n/a (not implemented) | - | 1.000 | - | - | 2.000 | - | - | 2.00M | - | - | 10% |
| **geomean (2 rows)** |  |  |  |  |  | **1.60** |  |  | **1.00** |  |  | **1.35** |  |  | **0.72** |  |
| **geomean, noise <= 25% (1 rows)** |  |  |  |  |  | **1.28** |  |  | **1.00** |  |  | **1.83** |  |  | **0.51** |  |
`
	if got := rep.markdown(); got != want {
		t.Fatalf("markdown:\n%s\nwant:\n%s", got, want)
	}
	text := rep.textTable()
	if !strings.Contains(text, "n/a (not implemented)") || !strings.HasPrefix(text, "workload ") {
		t.Fatalf("text table:\n%s", text)
	}
}

const goldenSVG = `<svg xmlns="http://www.w3.org/2000/svg" width="820" height="158" viewBox="0 0 820 158" font-family="Helvetica, Arial, sans-serif" font-size="12">
<rect width="820" height="158" fill="#ffffff"/>
<text x="410.0" y="22" text-anchor="middle" font-size="15" font-weight="bold">T &amp; co</text>
<text x="410.0" y="40" text-anchor="middle" fill="#555555">sub &lt;x&gt;</text>
<line x1="250.0" y1="62.0" x2="250.0" y2="122.0" stroke="#e5e5e5"/>
<text x="250.0" y="138.0" text-anchor="middle" fill="#555555">0.0</text>
<line x1="420.0" y1="62.0" x2="420.0" y2="122.0" stroke="#e5e5e5"/>
<text x="420.0" y="138.0" text-anchor="middle" fill="#555555">0.5</text>
<line x1="590.0" y1="62.0" x2="590.0" y2="122.0" stroke="#e5e5e5"/>
<text x="590.0" y="138.0" text-anchor="middle" fill="#555555">1.0</text>
<line x1="760.0" y1="62.0" x2="760.0" y2="122.0" stroke="#e5e5e5"/>
<text x="760.0" y="138.0" text-anchor="middle" fill="#555555">1.5</text>
<text x="242.0" y="76.0" text-anchor="end">GET c50 P1 32 B</text>
<rect x="250.0" y="65.0" width="425.0" height="14.0" fill="#2a9d8f"/>
<text x="679.0" y="76.0">1.25</text>
<text x="242.0" y="96.0" text-anchor="end">SET c50 P16 4 KB</text>
<rect x="250.0" y="85.0" width="170.0" height="14.0" fill="#e76f51"/>
<text x="424.0" y="96.0">0.50</text>
<text x="242.0" y="116.0" text-anchor="end">LPUSH c50 P1 32 B</text>
<text x="256.0" y="116.0" fill="#888888" font-style="italic">n/a (not implemented)</text>
<line x1="590.0" y1="56.0" x2="590.0" y2="122.0" stroke="#222222" stroke-width="1.5" stroke-dasharray="5 3"/>
<text x="590.0" y="52.0" text-anchor="middle" fill="#222222">1.0 = Redis</text>
<text x="505.0" y="154.0" text-anchor="middle" fill="#555555">ember ops/s ÷ redis ops/s</text>
</svg>
`

func TestSVGChart(t *testing.T) {
	var b strings.Builder
	err := svgChart(&b, "T & co", "sub <x>", []bar{
		{Label: "GET c50 P1 32 B", Value: 1.25},
		{Label: "SET c50 P16 4 KB", Value: 0.5},
		{Label: "LPUSH c50 P1 32 B", Note: "n/a (not implemented)"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != goldenSVG {
		t.Fatalf("svgChart:\n%s\nwant:\n%s", b.String(), goldenSVG)
	}
	// A ratio above the default axis widens it to the next half.
	b.Reset()
	_ = svgChart(&b, "t", "s", []bar{{Label: "x", Value: 2.2}})
	if !strings.Contains(b.String(), `fill="#555555">2.5</text>`) || strings.Contains(b.String(), ">3.0<") {
		t.Fatalf("axis for 2.2:\n%s", b.String())
	}
}

// TestSmoke runs the whole program in -quick mode against real servers.
func TestSmoke(t *testing.T) {
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "r.json")
	var rep report
	benchtest.Smoke(t, run, 90*time.Second, []string{"redis-server", "redis-benchmark"},
		[]string{"-quick", "-n", "2000", "-warmup=false", "-json", jsonPath,
			"-svg", filepath.Join(dir, "t.svg"), "-md", filepath.Join(dir, "r.md")}, jsonPath, &rep)
	seen := map[string]int{}
	for _, r := range rep.Rows {
		seen[r.Workload]++
		if r.Requests != 2000 || r.Redis.OpsPerSec <= 0 || r.Ember.OpsPerSec <= 0 || r.Ratio.OpsPerSec <= 0 {
			t.Errorf("row %s P%d: requests %d, redis %+v, ember %+v", r.Workload, r.Pipeline, r.Requests, r.Redis, r.Ember)
		}
	}
	if seen["GET"] != 2 || seen["SET"] != 2 || len(rep.Rows) != 4 {
		t.Fatalf("rows: %v", seen)
	}
	if svg, err := os.ReadFile(filepath.Join(dir, "t.svg")); err != nil || !strings.HasPrefix(string(svg), "<svg ") {
		t.Fatalf("svg: %v", err)
	}
}

// TestRerender renders outputs again from a results JSON (-from).
func TestRerender(t *testing.T) {
	root := t.TempDir()
	rep := &report{Header: benchsrv.Header{RedisVersion: "Redis server v=7.0.15", EmberVersion: "Ember server v=0.1.0"},
		Settings: settings{Rounds: 1, Requests: 10, ServerCPUs: "0", BenchCPUs: "1"}}
	rep.Rows = []*row{{Workload: "GET", Clients: 50, Pipeline: 1, Size: 32,
		Redis: side{Runs: []runResult{{Status: statusOK, OpsPerSec: 100, P50Ms: 1, P99Ms: 2, OpsPerCPUSec: 200}}},
		Ember: side{Runs: []runResult{{Status: statusOK, OpsPerSec: 150, P50Ms: 1, P99Ms: 3, OpsPerCPUSec: 100}}}}}
	in := filepath.Join(root, "in.json")
	if err := benchsrv.WriteFile(in, rep.writeJSON); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	if code := run(context.Background(), []string{"-from", in, "-root", root, "-publish"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	md, err := os.ReadFile(filepath.Join(root, "bench", "out", "results.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "| GET | 50 | 1 | 32 B | 100 | 150 | 1.50 | 1.000 | 1.000 | 1.00 | 2.000 | 3.000 | 1.50 | 200 | 100 | 0.50 | 0% |") {
		t.Fatalf("results.md:\n%s", md)
	}
	for _, p := range []string{"bench/out/results.json", "bench/out/throughput.svg", "docs/bench-throughput.svg"} {
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			t.Errorf("%s not written: %v", p, err)
		}
	}
	if !strings.Contains(stdout.String(), "geomean, noise <= 25% (1 rows)") {
		t.Fatalf("stdout:\n%s", stdout.String())
	}
}
