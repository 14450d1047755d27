package main

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// cpuTicks returns the user+system CPU time of process pid (all its
// threads) in clock ticks, from /proc/<pid>/stat fields 14 and 15.
func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatTicks(string(b))
}

// parseStatTicks parses utime+stime out of a /proc/<pid>/stat line. The
// command name (field 2) is in parentheses and may hold spaces, so fields
// are counted from the last ')'.
func parseStatTicks(stat string) (int64, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("malformed /proc stat %q", stat)
	}
	f := strings.Fields(stat[i+1:])
	// f[0] is field 3 (state); utime is field 14, stime field 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("malformed /proc stat %q", stat)
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("malformed /proc stat %q", stat)
	}
	return u + s, nil
}

// clockTicks is the kernel's USER_HZ (getconf CLK_TCK), 100 when unknown.
func clockTicks() float64 {
	out, err := exec.Command("getconf", "CLK_TCK").Output()
	if err == nil {
		if v, err := strconv.Atoi(strings.TrimSpace(string(out))); err == nil && v > 0 {
			return float64(v)
		}
	}
	return 100
}

// cpuNanos returns the CPU time of process pid in nanoseconds, summed over
// its threads' /proc/<pid>/task/<tid>/schedstat (first field). It is exact
// where /proc/<pid>/stat counts clock ticks, but it misses threads that
// exited, so callers check it against cpuTicks.
func cpuNanos(pid int) (int64, error) {
	dir := fmt.Sprintf("/proc/%d/task", pid)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, e := range ents {
		b, err := os.ReadFile(dir + "/" + e.Name() + "/schedstat")
		if err != nil {
			if os.IsNotExist(err) { // the thread exited meanwhile
				continue
			}
			return 0, err
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			return 0, fmt.Errorf("malformed schedstat %q", b)
		}
		v, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("malformed schedstat %q", b)
		}
		total += v
	}
	return total, nil
}

// cpuSample is a process's CPU time read both ways.
type cpuSample struct {
	ticks    int64
	nanos    int64
	nanosErr error
}

func sampleCPU(pid int) (cpuSample, error) {
	t, err := cpuTicks(pid)
	if err != nil {
		return cpuSample{}, err
	}
	n, nerr := cpuNanos(pid)
	return cpuSample{ticks: t, nanos: n, nanosErr: nerr}, nil
}

// cpuDelta returns the CPU seconds between two samples and which source
// it came from: the exact schedstat sum when it agrees with the tick count
// (within two ticks and 5%), the tick count otherwise.
func cpuDelta(a, b cpuSample, hz float64) (float64, string) {
	byTicks := float64(b.ticks-a.ticks) / hz
	if a.nanosErr != nil || b.nanosErr != nil {
		return byTicks, "stat"
	}
	byNanos := float64(b.nanos-a.nanos) / 1e9
	if math.Abs(byNanos-byTicks) <= 2/hz+0.05*byTicks {
		return byNanos, "schedstat"
	}
	return byTicks, "stat"
}

// cpuBusy returns, summed over the given CPUs, the ticks /proc/stat counts
// as spent running tasks (user, nice, system) plus stolen by the
// hypervisor. Interrupt and softirq time is left out: on loopback most of
// it is the measured run's own network traffic.
func cpuBusy(cpus []int) (int64, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	return parseCPUBusy(string(b), cpus)
}

func parseCPUBusy(stat string, cpus []int) (int64, error) {
	want := map[string]bool{}
	for _, c := range cpus {
		want["cpu"+strconv.Itoa(c)] = true
	}
	var total int64
	found := 0
	for _, line := range strings.Split(stat, "\n") {
		f := strings.Fields(line)
		if len(f) < 9 || !want[f[0]] {
			continue
		}
		// user nice system idle iowait irq softirq steal
		for _, i := range []int{1, 2, 3, 8} {
			v, err := strconv.ParseInt(f[i], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("malformed /proc/stat line %q", line)
			}
			total += v
		}
		found++
	}
	if found != len(want) {
		return 0, fmt.Errorf("/proc/stat lacks some of cpus %v", cpus)
	}
	return total, nil
}

// foreignShare is the part of a CPU set's capacity during a run that went
// to something other than the measured processes: busy time of the CPUs
// (busyTicks, from cpuBusy deltas) minus the processes' own CPU seconds,
// over wall seconds times the number of CPUs. 0 when nothing else ran.
func foreignShare(busyTicks int64, hz, ownSeconds, wallSeconds float64, ncpu int) float64 {
	if wallSeconds <= 0 || ncpu <= 0 {
		return 0
	}
	f := (float64(busyTicks)/hz - ownSeconds) / (wallSeconds * float64(ncpu))
	return math.Max(0, f)
}
