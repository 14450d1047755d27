package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// server is one running server under test.
type server struct {
	Name    string // "redis" or "ember"
	Addr    string
	Port    int
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{}
	waitErr error
}

// serverArgs are the settings both servers get: loopback only, persistence
// off, files in their own scratch directory.
func serverArgs(port int, dir string) []string {
	return []string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", dir,
	}
}

// freePort asks the kernel for an unused loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startServer starts bin with the shared settings (under taskset -c
// pinCPUs when pinCPUs is not empty) and waits until it answers PING.
func startServer(ctx context.Context, name, bin, tmp, pinCPUs string, env []string) (*server, error) {
	dir := filepath.Join(tmp, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ { // a free port can be taken between probe and bind
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		argv := append([]string{bin}, serverArgs(port, dir)...)
		if pinCPUs != "" {
			argv = append([]string{"taskset", "-c", pinCPUs}, argv...)
		}
		s := &server{Name: name, Port: port, Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
			logPath: filepath.Join(tmp, name+".log"), exited: make(chan struct{})}
		logf, err := os.Create(s.logPath)
		if err != nil {
			return nil, err
		}
		s.cmd = exec.Command(argv[0], argv[1:]...)
		s.cmd.Dir = dir
		s.cmd.Stdout, s.cmd.Stderr = logf, logf
		s.cmd.Env = append(os.Environ(), env...)
		killWithParent(s.cmd)
		if err := s.cmd.Start(); err != nil {
			logf.Close()
			return nil, fmt.Errorf("start %s: %v", name, err)
		}
		go func() {
			s.waitErr = s.cmd.Wait()
			logf.Close()
			close(s.exited)
		}()
		err = s.waitReady(ctx, 15*time.Second)
		if err == nil {
			return s, nil
		}
		s.stop()
		lastErr = err
		if !strings.Contains(s.logTail(), "in use") {
			break
		}
	}
	return nil, lastErr
}

// waitReady polls the server with PING until it answers +PONG, the process
// exits (its log then says why, e.g. a rejected flag) or the time is up.
func (s *server) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("%s exited at start (%v); its log:\n%s", s.Name, s.waitErr, s.logTail())
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if c, err := dialRESP(s.Addr, time.Second); err == nil {
			reply, err := c.do(2*time.Second, "PING")
			c.Close()
			if err == nil && reply == "+PONG" {
				return nil
			}
		}
		select {
		case <-s.exited:
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not answer PING within %v; its log:\n%s", s.Name, limit, s.logTail())
}

// logTail is the last lines of the server's log.
func (s *server) logTail() string {
	b, _ := os.ReadFile(s.logPath)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return "  " + strings.Join(lines, "\n  ")
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// alive reports whether the process is still running.
func (s *server) alive() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// stop kills the server and waits (bounded) for it to be reaped.
func (s *server) stop() {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
	}
}

// command sends one command on a fresh connection and returns the first
// line of the reply.
func (s *server) command(args ...string) (string, error) {
	c, err := dialRESP(s.Addr, 2*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	return c.do(30*time.Second, args...)
}

// flush empties the server's data between groups of runs.
func (s *server) flush() error {
	reply, err := s.command("FLUSHALL")
	if err != nil {
		return fmt.Errorf("%s FLUSHALL: %v", s.Name, err)
	}
	if reply != "+OK" {
		return fmt.Errorf("%s FLUSHALL: %s", s.Name, reply)
	}
	return nil
}

// probe runs the workload's probe commands and reports the first error
// reply, or "" when every command was accepted. Probe keys are deleted.
func (s *server) probe(w *workload) (string, error) {
	c, err := dialRESP(s.Addr, 2*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	defer c.do(5*time.Second, "DEL", probeKey)
	for _, cmd := range w.Probe {
		reply, err := c.do(5*time.Second, cmd...)
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
func version(bin string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "--version").Output()
	if err != nil {
		return "unknown"
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return line
}

var errMissingTools = errors.New("redis-server and redis-benchmark are needed on PATH: apt-get install -y redis-server redis-tools")
