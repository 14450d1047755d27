package main

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/ember-kv/ember/bench/internal/benchsrv"
)

// server is one running server under test (started by bench/internal/benchsrv,
// shared with the other measurement programs).
type server struct {
	*benchsrv.Server
}

// serverArgs are the settings both servers get: loopback only, persistence
// off, files in their own scratch directory.
func serverArgs(port int, dir string) []string { return benchsrv.Args(port, dir) }

// startServer starts bin with the shared settings (under taskset -c
// pinCPUs when pinCPUs is not empty) and waits until it answers PING.
func startServer(ctx context.Context, name, bin, tmp, pinCPUs string, env []string) (*server, error) {
	s, err := benchsrv.Start(ctx, name, bin, tmp, benchsrv.Options{PinCPUs: pinCPUs, Env: env})
	if err != nil {
		return nil, err
	}
	return &server{s}, nil
}

func (s *server) logTail() string { return s.LogTail() }
func (s *server) pid() int        { return s.PID() }
func (s *server) alive() bool     { return s.Alive() }

// stop kills the server and waits (bounded) for it to be reaped.
func (s *server) stop() {
	if s != nil {
		s.Stop()
	}
}

// command sends one command on a fresh connection and returns the first
// line of the reply.
func (s *server) command(args ...string) (string, error) { return s.Command(args...) }

// flush empties the server's data between groups of runs.
func (s *server) flush() error { return s.Flush() }

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

// version runs "bin --version" and returns its first line.
func version(bin string) string { return benchsrv.Version(bin) }

// findRoot walks up from the working directory to the ember module root.
func findRoot() (string, error) { return benchsrv.FindRoot() }

var errMissingTools = errors.New("redis-server and redis-benchmark are needed on PATH: apt-get install -y redis-server redis-tools")
