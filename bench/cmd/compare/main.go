// Command compare measures ember-server side by side with redis-server 7.0
// using redis-benchmark: same settings, persistence off, both servers on
// the same pinned CPU, runs alternating between them, medians over rounds.
//
//	go run ./bench/cmd/compare            # full comparison (several minutes)
//	go run ./bench/cmd/compare -quick     # GET/SET smoke run (seconds)
//
// See docs/performance.md for what every column means.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ember-kv/ember/bench/internal/benchsrv"
)

func main() { benchsrv.Main(run) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return benchsrv.Run(ctx, "compare", args, stdout, stderr, parseFlags, dispatch)
}

// dispatch does what the flags ask for: render an earlier result again
// (-from), the CPU scaling table (-scaling) or the comparison table.
func dispatch(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	switch {
	case o.from != "":
		return rerender(o, stdout, stderr)
	case o.scaling:
		return scaling(ctx, o, stdout, stderr)
	default:
		return compare(ctx, o, stdout, stderr)
	}
}

type options struct {
	benchsrv.Flags
	n, rounds  int
	quick      bool
	workloads  string
	clients    int
	bigClients int
	pipelines  string
	sizes      string
	keyspace   int
	timeout    time.Duration
	svgPath    string
	mdPath     string
	publish    bool
	warmup     bool
	maxNoise   float64
	retries    int
	from       string
	// -scaling: GET/SET throughput with the servers on 1, 2, ... CPUs.
	scaling      bool
	scalingProcs string
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := o.FlagSet("compare", stderr, "pin servers to one CPU and redis-benchmark to the others with taskset",
		"bench/out/results.json", "write results as JSON here (relative to the module root)")
	fs.IntVar(&o.n, "n", 100000, "requests per run (redis-benchmark -n)")
	fs.IntVar(&o.rounds, "rounds", 3, "rounds; each row reports the median over rounds")
	fs.BoolVar(&o.quick, "quick", false, "fast subset: GET,SET at pipeline 1 and 16, 32 B, 1 round, n=20000 (explicit -n/-rounds win)")
	fs.StringVar(&o.workloads, "workloads", "", "comma list of workloads to run (default all): set,get,incr,mset,lpush,lrange_100,lpop,sadd,hset,zadd")
	fs.IntVar(&o.clients, "clients", 50, "parallel connections (redis-benchmark -c)")
	fs.IntVar(&o.bigClients, "big-clients", 1000, "clients for the extra SET/GET run at pipeline 1 (0: skip it)")
	fs.StringVar(&o.pipelines, "pipelines", "1,16", "comma list of pipeline depths (redis-benchmark -P)")
	fs.StringVar(&o.sizes, "sizes", "32,4096", "comma list of value sizes in bytes (redis-benchmark -d)")
	fs.IntVar(&o.keyspace, "keyspace", 100000, "random key space (redis-benchmark -r; 0: one fixed key)")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "limit for each redis-benchmark run")
	fs.StringVar(&o.svgPath, "svg", "bench/out/throughput.svg", "write the throughput-ratio chart here (relative to the module root)")
	fs.StringVar(&o.mdPath, "md", "bench/out/results.md", "write the table as Markdown here (relative to the module root)")
	fs.BoolVar(&o.publish, "publish", false, "also copy the chart to docs/bench-throughput.svg")
	fs.BoolVar(&o.warmup, "warmup", true, "run a short unmeasured SET/GET load on each server first")
	fs.Float64Var(&o.maxNoise, "max-noise", 0.25, "rerun a run when other processes took more than this share of the pinned CPUs")
	fs.IntVar(&o.retries, "retries", 1, "reruns allowed per run for -max-noise")
	fs.StringVar(&o.from, "from", "", "render the table, chart and Markdown again from this results JSON instead of running")
	fs.BoolVar(&o.scaling, "scaling", false, "measure GET/SET throughput with each server pinned to 1, then 2 CPUs (ember GOMAXPROCS likewise) instead of the table")
	fs.StringVar(&o.scalingProcs, "scaling-procs", "1,2", "with -scaling: comma list of CPU counts for the servers")
	if err := benchsrv.Parse(fs, args); err != nil {
		return nil, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if o.scaling {
		if !set["workloads"] {
			o.workloads = "get,set"
		}
		if !set["sizes"] {
			o.sizes = "32"
		}
		if !set["json"] {
			o.JSONPath = "bench/out/scaling.json"
		}
		if !set["md"] {
			o.mdPath = "bench/out/scaling.md"
		}
	}
	if o.quick {
		if !set["n"] {
			o.n = 20000
		}
		if !set["rounds"] {
			o.rounds = 1
		}
		if !set["workloads"] {
			o.workloads = "get,set"
		}
		if !set["sizes"] {
			o.sizes = "32"
		}
		if !set["big-clients"] {
			o.bigClients = 0
		}
	}
	if o.n < 1 || o.rounds < 1 || o.clients < 1 || o.bigClients < 0 || o.keyspace < 0 || o.timeout <= 0 || o.retries < 0 || o.maxNoise < 0 {
		return nil, errors.New("-n, -rounds, -clients and -timeout must be positive; -big-clients, -keyspace, -retries and -max-noise not negative")
	}
	return o, nil
}

// caseSpec is one table row: a workload at one setting.
type caseSpec struct {
	W                                 *workload
	Clients, Pipeline, Size, Requests int
}

// group is a set of rows that share one dataset: both servers are flushed
// before a group and the group's workloads run in order.
type group []caseSpec

func intList(s, what string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v, err := strconv.Atoi(f)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("bad %s %q", what, f)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no %s given", what)
	}
	return out, nil
}

// plan turns the options into groups of rows.
func plan(o *options) ([]group, error) {
	pipelines, err := intList(o.pipelines, "pipeline")
	if err != nil {
		return nil, err
	}
	sizes, err := intList(o.sizes, "size")
	if err != nil {
		return nil, err
	}
	selected := map[string]bool{}
	if o.workloads != "" {
		known := map[string]bool{}
		for _, w := range workloads {
			known[w.Key] = true
		}
		for _, k := range strings.Split(o.workloads, ",") {
			k = strings.ToLower(strings.TrimSpace(k))
			if k == "" {
				continue
			}
			if !known[k] {
				return nil, fmt.Errorf("unknown workload %q (known: set,get,incr,mset,lpush,lrange_100,lpop,sadd,hset,zadd)", k)
			}
			selected[k] = true
		}
	}
	want := func(w *workload) bool { return len(selected) == 0 || selected[w.Key] }
	var groups []group
	for _, size := range sizes {
		for _, p := range pipelines {
			var g group
			for _, w := range workloads {
				if want(w) {
					g = append(g, caseSpec{W: w, Clients: o.clients, Pipeline: p, Size: size, Requests: w.requests(o.n, size)})
				}
			}
			if len(g) > 0 {
				groups = append(groups, g)
			}
		}
	}
	if o.bigClients > 0 {
		var g group
		for _, w := range workloads {
			if (w.Key == "set" || w.Key == "get") && want(w) {
				g = append(g, caseSpec{W: w, Clients: o.bigClients, Pipeline: 1, Size: sizes[0], Requests: w.requests(o.n, sizes[0])})
			}
		}
		if len(g) > 0 {
			groups = append(groups, g)
		}
	}
	if len(groups) == 0 {
		return nil, errors.New("nothing to run")
	}
	return groups, nil
}

func compare(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	groups, err := plan(o)
	if err != nil {
		return err
	}
	benchBin, err := lookBenchmark()
	if err != nil {
		return err
	}
	e, err := o.Setup("ember-bench-").Prepare(ctx, stderr)
	if err != nil {
		return err
	}
	defer e.Close()
	if !o.Pin {
		fmt.Fprintln(stderr, "pinning off (-pin=false)")
	}
	// Pinning: both servers share the first allowed CPU (only one is ever
	// under load), redis-benchmark gets the rest.
	pin := pinning{Server: e.ServerCPUs, Bench: e.LoadCPUs}
	serverCPUs, benchCPUs := e.ServerCPUList(), benchsrv.FormatCPUList(e.LoadCPUs)
	redis, ember, err := startPair(ctx, e, o.EmberProcs, serverCPUs)
	if err != nil {
		return err
	}
	defer redis.Stop()
	defer ember.Stop()
	servers := []*server{redis, ember}

	rep := &report{
		Header:  e.Header(),
		Machine: thisMachine(),
		Settings: settings{
			Requests: o.n, Rounds: o.rounds, Keyspace: o.keyspace, ServerCPUs: serverCPUs,
			BenchCPUs: benchCPUs, EmberGOMAXPROCS: o.EmberProcs,
			ServerFlags: serverFlags(), MaxNoise: o.maxNoise,
		},
	}
	fmt.Fprintf(stderr, "redis: %s (pid %d, %s)\nember: %s (pid %d, %s)\n",
		rep.RedisVersion, redis.PID(), redis.Addr, rep.EmberVersion, ember.PID(), ember.Addr)
	if serverCPUs != "" {
		fmt.Fprintf(stderr, "servers on CPU %s, redis-benchmark on CPU %s\n", serverCPUs, benchCPUs)
	}

	// Probe every workload's commands once: a workload a server does not
	// implement yet is reported n/a instead of being run.
	unsupported := map[string]map[string]string{"redis": {}, "ember": {}}
	seen := map[string]bool{}
	for _, g := range groups {
		for _, c := range g {
			if seen[c.W.Key] {
				continue
			}
			seen[c.W.Key] = true
			for _, s := range servers {
				msg, err := s.probe(c.W)
				if err != nil {
					return fmt.Errorf("probe %s on %s: %v", c.W.Name, s.Name, err)
				}
				if msg != "" {
					unsupported[s.Name][c.W.Key] = msg
					fmt.Fprintf(stderr, "%s: %s answers %q: rows marked n/a\n", s.Name, c.W.Name, msg)
				}
			}
		}
	}

	hz := clockTicks()
	if o.warmup {
		for _, s := range servers {
			for _, w := range workloads[:2] { // SET, GET
				if unsupported[s.Name][w.Key] != "" {
					continue
				}
				args := benchArgs(s.Port, w, o.clients, 1, 32, min(o.n, 20000), o.keyspace)
				if r := runBenchmark(ctx, benchBin, pin, s, args, min(o.n, 20000), hz, o.timeout); r.Status != statusOK {
					return fmt.Errorf("warm-up %s on %s: %s %s", w.Name, s.Name, r.Status, r.Error)
				}
			}
		}
	}

	rows := make([][]*row, len(groups))
	for gi, g := range groups {
		rows[gi] = make([]*row, len(g))
		for ci, c := range g {
			rows[gi][ci] = &row{Workload: c.W.Name, Clients: c.Clients, Pipeline: c.Pipeline, Size: c.Size, Requests: c.Requests}
		}
	}
	total := 0
	for _, g := range groups {
		total += len(g) * len(servers) * o.rounds
	}
	done := 0
	for round := 0; round < o.rounds; round++ {
		// Alternate who goes first each round so neither server always
		// runs on the colder (or hotter) machine.
		order := []*server{redis, ember}
		if round%2 == 1 {
			order = []*server{ember, redis}
		}
		for gi, g := range groups {
			for _, s := range servers {
				if err := s.Flush(); err != nil {
					return err
				}
			}
			for ci, c := range g {
				rw := rows[gi][ci]
				for _, s := range order {
					if err := ctx.Err(); err != nil {
						return fmt.Errorf("interrupted: %v", err)
					}
					done++
					side := rw.side(s.Name)
					if msg := unsupported[s.Name][c.W.Key]; msg != "" {
						status := statusNotImplemented
						if !isUnknownCommand(msg) {
							status = "error"
						}
						side.Runs = append(side.Runs, runResult{Status: status, Error: msg, Round: round + 1})
						continue
					}
					if c.W.Prepare != nil {
						if reply, err := s.Command(c.W.Prepare(c.Size)...); err != nil || strings.HasPrefix(reply, "-") {
							return fmt.Errorf("prepare %s on %s: %v %s", c.W.Name, s.Name, err, reply)
						}
					}
					args := benchArgs(s.Port, c.W, c.Clients, c.Pipeline, c.Size, c.Requests, o.keyspace)
					// A run during which other processes took more than
					// -max-noise of the pinned CPUs is run again (at most
					// -retries times); the quietest attempt is kept.
					var r runResult
					for attempt := 1; ; attempt++ {
						a := runBenchmark(ctx, benchBin, pin, s, args, c.Requests, hz, o.timeout)
						a.Attempts = attempt
						if attempt == 1 || (a.Status == statusOK && (r.Status != statusOK || a.Noise < r.Noise)) {
							r = a
						}
						fmt.Fprintf(stderr, "[%d/%d] round %d %-10s c=%-4d P=%-2d %5dB %-5s %s\n",
							done, total, round+1, c.W.Name, c.Clients, c.Pipeline, c.Size, s.Name, a.summary())
						if a.Status != statusOK || a.Noise <= o.maxNoise || attempt > o.retries || ctx.Err() != nil {
							break
						}
					}
					r.Round = round + 1
					side.Runs = append(side.Runs, r)
					switch r.Status {
					case statusOK:
					case statusNotImplemented:
						unsupported[s.Name][c.W.Key] = r.Error
					case "interrupted":
						return errors.New("interrupted")
					default:
						if !s.Alive() {
							return fmt.Errorf("%s: %s", s.Name, r.Error)
						}
					}
				}
			}
		}
	}
	rep.Machine.LoadAvgEnd = benchsrv.LoadAvg()
	for _, g := range rows {
		rep.Rows = append(rep.Rows, g...)
	}
	return rep.output(o, e.Root, stdout, stderr)
}

// rerender loads a results JSON written earlier and writes its outputs
// again (after a change to the table or the chart, or with -publish).
func rerender(o *options, stdout, stderr io.Writer) error {
	root, err := benchsrv.ModuleRoot(o.Root)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(o.from)
	if err != nil {
		return err
	}
	rep := &report{}
	if err := json.Unmarshal(b, rep); err != nil {
		return fmt.Errorf("%s: %v", o.from, err)
	}
	if rep.Settings.MaxNoise == 0 {
		rep.Settings.MaxNoise = o.maxNoise
	}
	if filepath.Clean(o.JSONPath) == filepath.Clean(o.from) {
		o.JSONPath = "" // do not rewrite the input
	}
	return rep.output(o, root, stdout, stderr)
}

// output aggregates the report, prints it and writes the files.
func (rep *report) output(o *options, root string, stdout, stderr io.Writer) error {
	rep.finish()
	fmt.Fprintln(stdout, rep.textTable())
	fmt.Fprintln(stdout, rep.footnote())
	outputs := []struct {
		path  string
		write func(io.Writer) error
	}{
		{o.JSONPath, rep.writeJSON},
		{o.svgPath, rep.writeSVG},
		{o.mdPath, func(w io.Writer) error { _, err := io.WriteString(w, rep.markdown()); return err }},
	}
	if o.publish {
		outputs = append(outputs, struct {
			path  string
			write func(io.Writer) error
		}{filepath.Join(root, "docs", "bench-throughput.svg"), rep.writeSVG})
	}
	for _, out := range outputs {
		if err := benchsrv.Output(root, out.path, out.write, stderr); err != nil {
			return err
		}
	}
	return nil
}

// shellJoin quotes args the way a shell user would type them.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " '\"\\$`") {
			out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		} else {
			out[i] = a
		}
	}
	return strings.Join(out, " ")
}
