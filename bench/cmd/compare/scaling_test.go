package main

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ember-kv/ember/bench/internal/benchsrv"
	"github.com/ember-kv/ember/bench/internal/benchtest"
)

func TestScalingPlan(t *testing.T) {
	pins, err := scalingPlan([]int{1, 2}, []int{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	want := []pinning{{Server: []int{0}, Bench: []int{1}}, {Server: []int{0, 1}, Bench: []int{0, 1}, Shared: true}}
	if !reflect.DeepEqual(pins, want) {
		t.Fatalf("2 CPUs: %+v", pins)
	}
	pins, _ = scalingPlan([]int{1, 2}, []int{0, 1, 2, 3})
	if pins[1].Shared || !reflect.DeepEqual(pins[1].Bench, []int{2, 3}) {
		t.Fatalf("4 CPUs: %+v", pins)
	}
	if _, err := scalingPlan([]int{4}, []int{0, 1}); err == nil {
		t.Fatal("4 of 2 CPUs accepted")
	}
}

func TestScalingTable(t *testing.T) {
	cell := func(p int, shared bool, redis, ember float64) *scalingCell {
		return &scalingCell{Procs: p, Shared: shared, ServerCPUs: "0-1",
			Redis: side{OpsPerSec: redis, Noise: 0.1}, Ember: side{OpsPerSec: ember, Noise: 0.05}}
	}
	rep := &scalingReport{Rounds: 3, Rows: []*scalingRow{
		{Workload: "GET", Pipeline: 1, Cells: []*scalingCell{cell(1, false, 100000, 80000), cell(2, true, 110000, 120000)}},
	}}
	md := rep.table(true)
	for _, want := range []string{
		"| workload | pipeline | redis 1 CPU | ember 1 CPU | x | noise | redis 2 CPU* | ember 2 CPU* | x | noise | redis 2/1 | ember 2/1 |",
		"| GET | 1 | 100.0k | 80.0k | 0.80 | 10% | 110.0k | 120.0k | 1.09 | 10% | 1.10 | 1.50 |",
		"* 2 CPU: redis-benchmark ran on the servers' CPUs (0-1)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

// TestScalingSmoke runs -scaling tiny against real servers.
func TestScalingSmoke(t *testing.T) {
	procs := "1"
	if len(benchsrv.AllowedCPUs()) >= 2 {
		procs = "1,2"
	}
	dir := t.TempDir()
	var rep scalingReport
	benchtest.Smoke(t, run, 2*time.Minute, []string{"redis-server", "redis-benchmark", "taskset"},
		[]string{"-scaling", "-scaling-procs", procs, "-n", "1000", "-rounds", "1", "-pipelines", "1",
			"-json", filepath.Join(dir, "s.json"), "-md", filepath.Join(dir, "s.md")}, filepath.Join(dir, "s.json"), &rep)
	if len(rep.Rows) != 2 {
		t.Fatalf("%d rows", len(rep.Rows))
	}
	for _, r := range rep.Rows {
		for _, c := range r.Cells {
			if c.Redis.OpsPerSec <= 0 || c.Ember.OpsPerSec <= 0 {
				t.Errorf("%s %d CPU: %+v", r.Workload, c.Procs, c)
			}
		}
	}
}
