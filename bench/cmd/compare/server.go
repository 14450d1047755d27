package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/ember-kv/ember/bench/internal/benchsrv"
)

// server is one running server under test (started by bench/internal/benchsrv,
// shared with the other measurement programs).
type server struct {
	*benchsrv.Server
}

// serverFlags are the settings both servers get, as a shell user would
// type them (the port and directory left symbolic).
func serverFlags() string { return shellJoin(benchsrv.Args(0, "DIR")) }

// lookBenchmark checks that redis-server and redis-benchmark are installed
// and returns redis-benchmark's path.
func lookBenchmark() (string, error) {
	_, err1 := exec.LookPath("redis-server")
	benchBin, err2 := exec.LookPath("redis-benchmark")
	if err1 != nil || err2 != nil {
		return "", errMissingTools
	}
	return benchBin, nil
}

// startPair starts redis-server and ember-server (GOMAXPROCS=procs when
// procs > 0), both pinned to cpus when it is not empty.
func startPair(ctx context.Context, e *benchsrv.Env, procs int, cpus string) (redis, ember *server, err error) {
	o := benchsrv.Options{PinCPUs: cpus}
	r, err := e.StartRedis(ctx, o)
	if err != nil {
		return nil, nil, err
	}
	m, _, err := e.StartEmber(ctx, procs, false, o)
	if err != nil {
		r.Stop()
		if strings.Contains(err.Error(), "exited at start") {
			return nil, nil, fmt.Errorf("ember-server rejected the settings redis-server accepts (%s): %v", serverFlags(), err)
		}
		return nil, nil, err
	}
	return &server{r}, &server{m}, nil
}

// probe runs the workload's probe commands and reports the first error
// reply, or "" when every command was accepted. Probe keys are deleted.
func (s *server) probe(w *workload) (string, error) {
	c, err := benchsrv.Dial(s.Addr, 2*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	defer c.Do(5*time.Second, "DEL", probeKey)
	for _, cmd := range w.Probe {
		reply, err := c.Do(5*time.Second, cmd...)
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(reply, "-") {
			return reply[1:], nil
		}
	}
	return "", nil
}

var errMissingTools = errors.New("redis-server and redis-benchmark are needed on PATH: apt-get install -y redis-server redis-tools")
