package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/ember-kv/ember/bench/internal/benchsrv"
)

// probeKey is the key probes write to (and delete).
const probeKey = "__ember_bench_probe__"

// workload is one kind of load. Built-in redis-benchmark tests are named
// by Test (its -t name); the others are custom commands that
// redis-benchmark sends as given, replacing each __rand_int__ with a random
// number below -r.
type workload struct {
	Name  string // shown in the table: "GET", "LRANGE_100"
	Key   string // -workloads filter name: "get", "lrange_100"
	Test  string // redis-benchmark -t name, "" for a custom command
	Probe [][]string
	// Custom returns the command for a value size (custom workloads).
	Custom func(size int) []string
	// Prepare returns a command run once before the workload on each
	// server (outside the measurement), nil for none.
	Prepare func(size int) []string
	// Requests scales -n for this workload and value size.
	Requests func(n, size int) int
}

// workloads, in the order they run inside a group: SET before GET so GET
// finds keys, LPUSH fills the list that LRANGE_100 reads and LPOP empties.
var workloads = []*workload{
	{Name: "SET", Key: "set", Test: "set", Probe: [][]string{{"SET", probeKey, "x"}}},
	{Name: "GET", Key: "get", Test: "get", Probe: [][]string{{"GET", probeKey}}},
	{Name: "INCR", Key: "incr", Test: "incr", Probe: [][]string{{"INCR", probeKey}}},
	{Name: "MSET", Key: "mset", Test: "mset", Probe: [][]string{{"MSET", probeKey, "x"}}},
	{Name: "LPUSH", Key: "lpush", Test: "lpush", Probe: [][]string{{"LPUSH", probeKey, "x"}}},
	{
		Name: "LRANGE_100", Key: "lrange_100",
		Probe:  [][]string{{"LPUSH", probeKey, "x"}, {"LRANGE", probeKey, "0", "99"}},
		Custom: func(int) []string { return []string{"LRANGE", "mylist", "0", "99"} },
		// redis-benchmark's own lrange_100 test first runs a full LPUSH
		// pass inside the same process, which would count in the server
		// CPU; pushing 100 values of the run's size up front instead gives
		// every LRANGE 0 99 the same 100-element reply.
		Prepare: func(size int) []string {
			args := []string{"LPUSH", "mylist"}
			v := strings.Repeat("x", size)
			for i := 0; i < 100; i++ {
				args = append(args, v)
			}
			return args
		},
		// A 4 KB LRANGE_100 reply is 400 KB: fewer requests keep the run
		// in the same few seconds as the others.
		Requests: func(n, size int) int {
			if size >= 1024 {
				return max(n/20, 100)
			}
			return n
		},
	},
	{Name: "LPOP", Key: "lpop", Test: "lpop", Probe: [][]string{{"LPUSH", probeKey, "x"}, {"LPOP", probeKey}}},
	{Name: "SADD", Key: "sadd", Test: "sadd", Probe: [][]string{{"SADD", probeKey, "x"}}},
	{Name: "HSET", Key: "hset", Test: "hset", Probe: [][]string{{"HSET", probeKey, "f", "x"}}},
	{
		Name: "ZADD", Key: "zadd",
		Probe: [][]string{{"ZADD", probeKey, "1", "x"}},
		// ZADD is not a built-in redis-benchmark test. The member is
		// padded to the run's value size (__rand_int__ becomes 12 digits,
		// as long as the placeholder itself).
		Custom: func(size int) []string {
			member := "member:__rand_int__"
			if pad := size - len(member); pad > 0 {
				member += ":" + strings.Repeat("x", pad-1)
			}
			return []string{"ZADD", "myzset", "__rand_int__", member}
		},
	},
}

func (w *workload) requests(n, size int) int {
	if w.Requests != nil {
		return w.Requests(n, size)
	}
	return n
}

// benchArgs builds redis-benchmark's argument list for one run.
func benchArgs(port int, w *workload, clients, pipeline, size, requests, keyspace int) []string {
	args := []string{
		"-h", "127.0.0.1", "-p", strconv.Itoa(port),
		"-c", strconv.Itoa(clients),
		"-n", strconv.Itoa(requests),
		"-P", strconv.Itoa(pipeline),
		"-d", strconv.Itoa(size),
		"--csv",
	}
	if keyspace > 0 {
		args = append(args, "-r", strconv.Itoa(keyspace))
	}
	if w.Test != "" {
		return append(args, "-t", w.Test)
	}
	return append(args, w.Custom(size)...)
}

// pinning says which CPUs the servers and redis-benchmark are pinned to;
// empty when not pinned.
type pinning struct {
	Server, Bench []int
	// Shared: the load generator runs on the server's CPUs (no others are
	// left, as in -scaling with every CPU given to the server); noise is
	// then what the CPUs did beyond both processes.
	Shared bool
}

func (p pinning) on() bool { return len(p.Server) > 0 && len(p.Bench) > 0 }

// runStatus values.
const (
	statusOK             = "ok"
	statusNotImplemented = "n/a (not implemented)"
)

// runResult is one redis-benchmark run against one server.
type runResult struct {
	Status       string  `json:"status"`
	OpsPerSec    float64 `json:"ops_per_sec,omitempty"`
	AvgMs        float64 `json:"avg_ms,omitempty"`
	P50Ms        float64 `json:"p50_ms,omitempty"`
	P95Ms        float64 `json:"p95_ms,omitempty"`
	P99Ms        float64 `json:"p99_ms,omitempty"`
	MaxMs        float64 `json:"max_ms,omitempty"`
	CPUSeconds   float64 `json:"server_cpu_s,omitempty"`
	CPUSource    string  `json:"server_cpu_source,omitempty"` // "schedstat" or "stat"
	OpsPerCPUSec float64 `json:"ops_per_cpu_s,omitempty"`
	WallSeconds  float64 `json:"wall_s,omitempty"`
	// Noise is the larger of ServerNoise and BenchNoise: the share of the
	// server's CPU, and of the load generator's CPUs, that other processes
	// (and the hypervisor) took during the run. Only measured when pinned.
	Noise       float64 `json:"noise"`
	ServerNoise float64 `json:"server_cpu_noise"`
	BenchNoise  float64 `json:"benchmark_cpu_noise"`
	Attempts    int     `json:"attempts,omitempty"`
	Round       int     `json:"round"`
	Error       string  `json:"error,omitempty"`
}

// runBenchmark runs redis-benchmark once against s (pinned with taskset -c
// benchCPUs when set) and measures the server's CPU time around it.
func runBenchmark(ctx context.Context, bin string, pin pinning, s *server, args []string, requests int, hz float64, timeout time.Duration) runResult {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	argv := append([]string{bin}, args...)
	if pin.on() {
		argv = append([]string{"taskset", "-c", benchsrv.FormatCPUList(pin.Bench)}, argv...)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	benchsrv.KillWithParent(cmd)

	before, err := sampleCPU(s.PID())
	if err != nil {
		return runResult{Status: "error", Error: fmt.Sprintf("read %s cpu time: %v", s.Name, err)}
	}
	var busyS0, busyB0 int64
	var busyErr error
	if pin.on() {
		busyS0, busyErr = cpuBusy(pin.Server)
		if busyErr == nil {
			busyB0, busyErr = cpuBusy(pin.Bench)
		}
	}
	start := time.Now()
	runErr := cmd.Run()
	wall := time.Since(start)
	after, cpuErr := sampleCPU(s.PID())
	var busyS1, busyB1 int64
	if pin.on() && busyErr == nil {
		busyS1, busyErr = cpuBusy(pin.Server)
		if busyErr == nil {
			busyB1, busyErr = cpuBusy(pin.Bench)
		}
	}

	out := stdout.String() + stderr.String()
	if runErr != nil {
		switch {
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			return runResult{Status: "timeout", Error: fmt.Sprintf("redis-benchmark ran past %v", timeout)}
		case ctx.Err() != nil:
			return runResult{Status: "interrupted", Error: ctx.Err().Error()}
		case !s.Alive():
			return runResult{Status: "error", Error: fmt.Sprintf("%s died during the run; its log:\n%s", s.Name, s.LogTail())}
		}
		if msg := serverError(out); msg != "" {
			if isUnknownCommand(msg) {
				return runResult{Status: statusNotImplemented, Error: msg}
			}
			return runResult{Status: "error", Error: "error reply: " + msg}
		}
		return runResult{Status: "error", Error: fmt.Sprintf("redis-benchmark: %v: %s", runErr, strings.TrimSpace(out))}
	}
	rows, err := parseCSV(out)
	if err != nil {
		return runResult{Status: "error", Error: err.Error()}
	}
	row := rows[len(rows)-1]
	r := runResult{
		Status: statusOK, OpsPerSec: row.RPS, AvgMs: row.AvgMs, P50Ms: row.P50Ms,
		P95Ms: row.P95Ms, P99Ms: row.P99Ms, MaxMs: row.MaxMs, WallSeconds: wall.Seconds(),
	}
	if cpuErr == nil {
		r.CPUSeconds, r.CPUSource = cpuDelta(before, after, hz)
		if r.CPUSeconds > 0 {
			r.OpsPerCPUSec = float64(requests) / r.CPUSeconds
		}
	}
	if pin.on() && busyErr == nil && cpuErr == nil && cmd.ProcessState != nil {
		benchOwn := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
		if pin.Shared {
			r.ServerNoise = foreignShare(busyS1-busyS0, hz, r.CPUSeconds+benchOwn, wall.Seconds(), len(pin.Server))
			r.BenchNoise = r.ServerNoise
		} else {
			r.ServerNoise = foreignShare(busyS1-busyS0, hz, r.CPUSeconds, wall.Seconds(), len(pin.Server))
			r.BenchNoise = foreignShare(busyB1-busyB0, hz, benchOwn, wall.Seconds(), len(pin.Bench))
		}
		r.Noise = max(r.ServerNoise, r.BenchNoise)
	}
	return r
}
