//go:build !unix

package handler

import (
	"runtime"
	"time"
)

func osName() string { return runtime.GOOS + " " + runtime.GOARCH }

func multiplexingAPI() string { return "iocp" }

func processRSS() uint64 { return 0 }

func totalSystemMemory() uint64 { return 0 }

func cpuUsage() (sys, user, childSys, childUser time.Duration) { return 0, 0, 0, 0 }
