package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"

	"github.com/ember-kv/ember/bench/internal/benchsrv"
)

// scalingCell is one row's result with the servers on Procs CPUs.
type scalingCell struct {
	Procs      int    `json:"procs"`
	ServerCPUs string `json:"server_cpus"`
	BenchCPUs  string `json:"benchmark_cpus"`
	// Shared: redis-benchmark had to run on the servers' CPUs.
	Shared bool `json:"shared"`
	Redis  side `json:"redis"`
	Ember  side `json:"ember"`
}

type scalingRow struct {
	Workload string         `json:"workload"`
	Clients  int            `json:"clients"`
	Pipeline int            `json:"pipeline"`
	Size     int            `json:"size"`
	Requests int            `json:"requests"`
	Cells    []*scalingCell `json:"cells"`
}

type scalingReport struct {
	benchsrv.Header
	Machine  machine       `json:"machine"`
	Rounds   int           `json:"rounds"`
	Keyspace int           `json:"keyspace"`
	Rows     []*scalingRow `json:"rows"`
}

// cellKey is a row's group and place in it.
type cellKey struct{ gi, ci int }

// scalingPlan gives, for each CPU count, the servers' CPUs and
// redis-benchmark's: the CPUs after the servers', or, when none are left,
// the same ones (shared).
func scalingPlan(procs, cpus []int) ([]pinning, error) {
	var out []pinning
	for _, p := range procs {
		if p > len(cpus) {
			return nil, fmt.Errorf("-scaling-procs %d: only %d CPUs available", p, len(cpus))
		}
		pin := pinning{Server: cpus[:p], Bench: cpus[p:]}
		if len(pin.Bench) == 0 {
			pin.Bench, pin.Shared = cpus[:p], true
		}
		out = append(out, pin)
	}
	return out, nil
}

// scaling measures GET/SET throughput (the -workloads, -pipelines and
// first -sizes value) with both servers pinned to 1, 2, ... CPUs and
// ember-server at the same GOMAXPROCS.
func scaling(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	po := *o
	po.bigClients = 0
	groups, err := plan(&po)
	if err != nil {
		return err
	}
	procs, err := intList(o.scalingProcs, "CPU count")
	if err != nil {
		return err
	}
	benchBin, err := lookBenchmark()
	if err != nil {
		return err
	}
	if _, err := exec.LookPath("taskset"); err != nil {
		return errors.New("-scaling needs taskset (apt-get install -y util-linux)")
	}
	pins, err := scalingPlan(procs, benchsrv.AllowedCPUs())
	if err != nil {
		return err
	}
	e, err := benchsrv.Setup{Prefix: "ember-scaling-", Root: o.Root, EmberBin: o.EmberBin}.Prepare(ctx, stderr)
	if err != nil {
		return err
	}
	defer e.Close()
	rep := &scalingReport{Header: e.Header(), Machine: thisMachine(), Rounds: o.rounds, Keyspace: o.keyspace}
	rows := map[cellKey]*scalingRow{}
	for gi, g := range groups {
		for ci, c := range g {
			r := &scalingRow{Workload: c.W.Name, Clients: c.Clients, Pipeline: c.Pipeline, Size: c.Size, Requests: c.Requests}
			rows[cellKey{gi, ci}] = r
			rep.Rows = append(rep.Rows, r)
		}
	}
	hz := clockTicks()
	for pi, pin := range pins {
		p := procs[pi]
		serverCPUs := benchsrv.FormatCPUList(pin.Server)
		note := "redis-benchmark on CPU " + benchsrv.FormatCPUList(pin.Bench)
		if pin.Shared {
			note = "redis-benchmark SHARES them (no CPU left)"
		}
		fmt.Fprintf(stderr, "servers on CPU %s (ember GOMAXPROCS=%d), %s\n", serverCPUs, p, note)
		redis, ember, err := startPair(ctx, e, p, serverCPUs)
		if err != nil {
			return err
		}
		cells := map[cellKey]*scalingCell{}
		for k, r := range rows {
			c := &scalingCell{Procs: p, ServerCPUs: serverCPUs, BenchCPUs: benchsrv.FormatCPUList(pin.Bench), Shared: pin.Shared}
			r.Cells = append(r.Cells, c)
			cells[k] = c
		}
		err = scalingRuns(ctx, o, groups, benchBin, pin, hz, redis, ember, cells, stderr)
		redis.Stop()
		ember.Stop()
		if err != nil {
			return err
		}
	}
	rep.Machine.LoadAvgEnd = benchsrv.LoadAvg()
	for _, r := range rep.Rows {
		for _, c := range r.Cells {
			c.Redis.aggregate()
			c.Ember.aggregate()
		}
	}
	fmt.Fprintln(stdout, rep.table(false))
	for _, out := range []struct {
		path  string
		write func(io.Writer) error
	}{
		{o.JSONPath, benchsrv.JSON(rep)},
		{o.mdPath, func(w io.Writer) error { _, err := io.WriteString(w, rep.table(true)); return err }},
	} {
		if err := benchsrv.Output(e.Root, out.path, out.write, stderr); err != nil {
			return err
		}
	}
	return nil
}

// scalingRuns runs every row -rounds times on both servers, alternating
// which goes first, flushing both before each group.
func scalingRuns(ctx context.Context, o *options, groups []group, benchBin string, pin pinning, hz float64,
	redis, ember *server, cells map[cellKey]*scalingCell, stderr io.Writer) error {
	for round := 0; round < o.rounds; round++ {
		order := []*server{redis, ember}
		if round%2 == 1 {
			order = []*server{ember, redis}
		}
		for gi, g := range groups {
			for _, s := range order {
				if err := s.Flush(); err != nil {
					return err
				}
			}
			for ci, c := range g {
				cell := cells[cellKey{gi, ci}]
				for _, s := range order {
					if err := ctx.Err(); err != nil {
						return fmt.Errorf("interrupted: %v", err)
					}
					args := benchArgs(s.Port, c.W, c.Clients, c.Pipeline, c.Size, c.Requests, o.keyspace)
					r := runBenchmark(ctx, benchBin, pin, s, args, c.Requests, hz, o.timeout)
					r.Round = round + 1
					fmt.Fprintf(stderr, "round %d %d CPU %-4s P=%-2d %-5s %s\n", round+1, len(pin.Server), c.W.Name,
						c.Pipeline, s.Name, r.summary())
					if r.Status != statusOK && !s.Alive() {
						return fmt.Errorf("%s: %s", s.Name, r.Error)
					}
					if s == redis {
						cell.Redis.Runs = append(cell.Redis.Runs, r)
					} else {
						cell.Ember.Runs = append(cell.Ember.Runs, r)
					}
				}
			}
		}
	}
	return nil
}

// table renders ops/s per CPU count, ember/redis at each, and each
// server's throughput on the most CPUs over the first.
func (rep *scalingReport) table(markdown bool) string {
	if len(rep.Rows) == 0 || len(rep.Rows[0].Cells) == 0 {
		return "no rows\n"
	}
	header := []string{"workload", "pipeline"}
	first := rep.Rows[0].Cells
	for _, c := range first {
		cpus := fmt.Sprintf("%d CPU", c.Procs)
		if c.Shared {
			cpus += "*"
		}
		header = append(header, "redis "+cpus, "ember "+cpus, "x", "noise")
	}
	if len(first) > 1 {
		last := first[len(first)-1].Procs
		header = append(header, fmt.Sprintf("redis %d/%d", last, first[0].Procs), fmt.Sprintf("ember %d/%d", last, first[0].Procs))
	}
	var cells [][]string
	for _, r := range rep.Rows {
		line := []string{r.Workload, strconv.Itoa(r.Pipeline)}
		for _, c := range r.Cells {
			line = append(line, fmtOps(c.Redis.OpsPerSec), fmtOps(c.Ember.OpsPerSec),
				fmtRatio(ratio(c.Ember.OpsPerSec, c.Redis.OpsPerSec)),
				fmt.Sprintf("%.0f%%", 100*max(c.Redis.Noise, c.Ember.Noise)))
		}
		if n := len(r.Cells); n > 1 {
			line = append(line, fmtRatio(ratio(r.Cells[n-1].Redis.OpsPerSec, r.Cells[0].Redis.OpsPerSec)),
				fmtRatio(ratio(r.Cells[n-1].Ember.OpsPerSec, r.Cells[0].Ember.OpsPerSec)))
		}
		cells = append(cells, line)
	}
	var b strings.Builder
	if markdown {
		b.WriteString("| " + strings.Join(header, " | ") + " |\n|")
		for i := range header {
			if i < 1 {
				b.WriteString("---|")
			} else {
				b.WriteString("---:|")
			}
		}
		b.WriteString("\n")
		for _, l := range cells {
			b.WriteString("| " + strings.Join(l, " | ") + " |\n")
		}
	} else {
		width := make([]int, len(header))
		for i, h := range header {
			width[i] = len(h)
		}
		for _, l := range cells {
			for i, c := range l {
				width[i] = max(width[i], len(c))
			}
		}
		for _, l := range append([][]string{header}, cells...) {
			for i, c := range l {
				if i == 0 {
					fmt.Fprintf(&b, "%-*s", width[i], c)
				} else {
					fmt.Fprintf(&b, "  %*s", width[i], c)
				}
			}
			b.WriteString("\n")
		}
	}
	for _, c := range first {
		if c.Shared {
			fmt.Fprintf(&b, "\n* %d CPU: redis-benchmark ran on the servers' CPUs (%s), none being left for it.\n", c.Procs, c.ServerCPUs)
		}
	}
	fmt.Fprintf(&b, "\nops/s: median of %d rounds; x = ember/redis; load average %s at start, %s at end.\n",
		rep.Rounds, rep.Machine.LoadAvgStart, rep.Machine.LoadAvgEnd)
	return b.String()
}
