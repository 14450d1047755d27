package benchsrv

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// AllowedCPUs lists the CPUs this process may run on (Cpus_allowed_list in
// /proc/self/status); nil when unknown.
func AllowedCPUs() []int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return nil
	}
	v, ok := StatusField(string(b), "Cpus_allowed_list")
	if !ok {
		return nil
	}
	cpus, err := ParseCPUList(v)
	if err != nil {
		return nil
	}
	return cpus
}

// ParseCPUList parses a kernel CPU list such as "0-3,6,8-9".
func ParseCPUList(s string) ([]int, error) {
	var cpus []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("bad cpu list %q", s)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, fmt.Errorf("bad cpu list %q", s)
			}
		}
		for c := a; c <= b && c-a < 1<<16; c++ {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}

// FormatCPUList is the inverse of ParseCPUList, for taskset -c.
func FormatCPUList(cpus []int) string {
	var parts []string
	for i := 0; i < len(cpus); {
		j := i
		for j+1 < len(cpus) && cpus[j+1] == cpus[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", cpus[i], cpus[j]))
		} else {
			parts = append(parts, strconv.Itoa(cpus[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// CPUModel is the "model name" line of /proc/cpuinfo, "" when unknown.
func CPUModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// LoadAvg is the first three fields of /proc/loadavg, "" when unknown.
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// StatusField returns the value of one "Name:\tvalue" line of a
// /proc/<pid>/status text, trimmed.
func StatusField(status, name string) (string, bool) {
	for _, line := range strings.Split(status, "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// StatusBytes parses a "kB" field of /proc/<pid>/status (VmRSS, VmHWM,
// RssAnon, ...) into bytes.
func StatusBytes(status, name string) (int64, error) {
	v, ok := StatusField(status, name)
	if !ok {
		return 0, fmt.Errorf("/proc status has no %s", name)
	}
	num, unit, _ := strings.Cut(v, " ")
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad %s value %q", name, v)
	}
	switch strings.TrimSpace(unit) {
	case "kB":
		return n * 1024, nil
	case "":
		return n, nil
	default:
		return 0, fmt.Errorf("bad %s unit %q", name, unit)
	}
}

// RSS is the resident set size of process pid in bytes (VmRSS).
func RSS(pid int) (int64, error) {
	return ProcBytes(pid, "VmRSS")
}

// ProcBytes reads one kB field of /proc/<pid>/status in bytes.
func ProcBytes(pid int, name string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return StatusBytes(string(b), name)
}
