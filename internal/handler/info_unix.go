//go:build unix && !linux

package handler

import (
	"runtime"
	"syscall"
	"time"
)

func osName() string { return runtime.GOOS + " " + runtime.GOARCH }

func multiplexingAPI() string { return "kqueue" }

func processRSS() uint64 { return 0 }

func totalSystemMemory() uint64 { return 0 }

func cpuUsage() (sys, user, childSys, childUser time.Duration) {
	var self, children syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	d := func(tv syscall.Timeval) time.Duration { return time.Duration(tv.Nano()) }
	return d(self.Stime), d(self.Utime), d(children.Stime), d(children.Utime)
}
