package handler

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"time"
)

// osName is uname's system, release and machine, as INFO's os field.
func osName() string {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return "Linux"
	}
	str := func(a [65]int8) string {
		b := make([]byte, 0, len(a))
		for _, c := range a {
			if c == 0 {
				break
			}
			b = append(b, byte(c))
		}
		return string(b)
	}
	return str(u.Sysname) + " " + str(u.Release) + " " + str(u.Machine)
}

// multiplexingAPI is what Go's network poller uses here.
func multiplexingAPI() string { return "epoll" }

// processRSS is the resident set size, from /proc/self/statm.
func processRSS() uint64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := bytes.Fields(data)
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseUint(string(f[1]), 10, 64)
	if err != nil {
		return 0
	}
	return pages * uint64(os.Getpagesize())
}

// totalSystemMemory is the machine's physical memory.
func totalSystemMemory() uint64 {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil {
		return 0
	}
	return uint64(si.Totalram) * uint64(si.Unit)
}

// cpuUsage is the CPU time of the process and of its waited-for children.
func cpuUsage() (sys, user, childSys, childUser time.Duration) {
	var self, children syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	return tvDuration(self.Stime), tvDuration(self.Utime), tvDuration(children.Stime), tvDuration(children.Utime)
}

func tvDuration(tv syscall.Timeval) time.Duration {
	return time.Duration(tv.Nano())
}
