// Package benchsrv holds what the side-by-side measurement programs under
// bench/cmd share: building ember-server, starting a server (redis-server or
// ember-server) with the same settings, pinned with taskset, waiting for it,
// a minimal RESP client, and reading /proc.
package benchsrv

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

// Server is one running server under test.
type Server struct {
	Name    string // "redis" or "ember"
	Addr    string
	Port    int
	Cmd     *exec.Cmd
	LogPath string
	exited  chan struct{}
	waitErr error
}

// Args are the settings both servers get: loopback only, persistence off,
// files in their own scratch directory.
func Args(port int, dir string) []string {
	return []string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", dir,
	}
}

// FreePort asks the kernel for an unused loopback port.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Options are the optional parts of Start.
type Options struct {
	PinCPUs string   // taskset -c list; "" leaves the server unpinned
	Env     []string // added to the environment (GOMAXPROCS=1, EMBER_PPROF=...)
	Extra   []string // arguments after the shared ones (--maxclients 20000)
}

// Start starts bin with the shared settings (Args, then o.Extra) in
// tmp/name and waits until it answers PING. Its output goes to
// tmp/name.log.
func Start(ctx context.Context, name, bin, tmp string, o Options) (*Server, error) {
	dir := filepath.Join(tmp, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ { // a free port can be taken between probe and bind
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		argv := append([]string{bin}, Args(port, dir)...)
		argv = append(argv, o.Extra...)
		if o.PinCPUs != "" {
			argv = append([]string{"taskset", "-c", o.PinCPUs}, argv...)
		}
		s := &Server{Name: name, Port: port, Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
			LogPath: filepath.Join(tmp, name+".log"), exited: make(chan struct{})}
		logf, err := os.Create(s.LogPath)
		if err != nil {
			return nil, err
		}
		s.Cmd = exec.Command(argv[0], argv[1:]...)
		s.Cmd.Dir = dir
		s.Cmd.Stdout, s.Cmd.Stderr = logf, logf
		s.Cmd.Env = append(os.Environ(), o.Env...)
		KillWithParent(s.Cmd)
		if err := s.Cmd.Start(); err != nil {
			logf.Close()
			return nil, fmt.Errorf("start %s: %v", name, err)
		}
		go func() {
			s.waitErr = s.Cmd.Wait()
			logf.Close()
			close(s.exited)
		}()
		err = s.WaitReady(ctx, 15*time.Second)
		if err == nil {
			return s, nil
		}
		s.Stop()
		lastErr = err
		if !strings.Contains(s.LogTail(), "in use") {
			break
		}
	}
	return nil, lastErr
}

// WaitReady polls the server with PING until it answers +PONG, the process
// exits (its log then says why, e.g. a rejected flag) or the time is up.
func (s *Server) WaitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("%s exited at start (%v); its log:\n%s", s.Name, s.waitErr, s.LogTail())
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if c, err := Dial(s.Addr, time.Second); err == nil {
			reply, err := c.Do(2*time.Second, "PING")
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
	return fmt.Errorf("%s did not answer PING within %v; its log:\n%s", s.Name, limit, s.LogTail())
}

// LogTail is the last lines of the server's log.
func (s *Server) LogTail() string {
	b, _ := os.ReadFile(s.LogPath)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return "  " + strings.Join(lines, "\n  ")
}

// PID is the server's process id (taskset execs the server in place).
func (s *Server) PID() int { return s.Cmd.Process.Pid }

// Alive reports whether the process is still running.
func (s *Server) Alive() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// Stop kills the server and waits (bounded) for it to be reaped.
func (s *Server) Stop() {
	if s == nil || s.Cmd == nil || s.Cmd.Process == nil {
		return
	}
	_ = s.Cmd.Process.Kill()
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
	}
}

// Command sends one command on a fresh connection and returns the first
// line of the reply.
func (s *Server) Command(args ...string) (string, error) {
	c, err := Dial(s.Addr, 2*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	return c.Do(30*time.Second, args...)
}

// Flush empties the server's data.
func (s *Server) Flush() error {
	reply, err := s.Command("FLUSHALL")
	if err != nil {
		return fmt.Errorf("%s FLUSHALL: %v", s.Name, err)
	}
	if reply != "+OK" {
		return fmt.Errorf("%s FLUSHALL: %s", s.Name, reply)
	}
	return nil
}

// Version runs "bin --version" and returns its first line.
func Version(bin string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "--version").Output()
	if err != nil {
		return "unknown"
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return line
}

// FindRoot walks up from the working directory to the ember module root.
func FindRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for i := 0; i < 64; i++ {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/ember-kv/ember\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", errors.New("not inside the ember module: run from its checkout or pass -root")
}

// BuildEmber builds ./cmd/ember-server of the module at root into out.
func BuildEmber(ctx context.Context, root, out string) error {
	bctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(bctx, "go", "build", "-o", out, "./cmd/ember-server")
	build.Dir = root
	if b, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/ember-server: %v\n%s", err, b)
	}
	return nil
}

// Pin splits the CPUs this process may use between the servers (the
// first) and the load generator (the rest), when there are two or more
// and taskset is installed; why holds the reason when it does not pin.
func Pin() (server, load []int, why string) {
	cpus := AllowedCPUs()
	if len(cpus) < 2 {
		return nil, nil, "fewer than 2 CPUs available"
	}
	if _, err := exec.LookPath("taskset"); err != nil {
		return nil, nil, "taskset not found (apt-get install -y util-linux)"
	}
	return cpus[:1], cpus[1:], ""
}

// PinSelf moves every thread of this process onto cpus (taskset -a -p),
// for a load generator that runs in-process; threads started later
// inherit the mask.
func PinSelf(cpus []int) error {
	out, err := exec.Command("taskset", "-a", "-p", "-c", FormatCPUList(cpus), strconv.Itoa(os.Getpid())).CombinedOutput()
	if err != nil {
		return fmt.Errorf("taskset: %v: %s", err, out)
	}
	return nil
}

// ErrMissingRedis says how to install the tools the programs need.
var ErrMissingRedis = errors.New("redis-server is needed on PATH: apt-get install -y redis-server redis-tools")
