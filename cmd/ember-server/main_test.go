package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ember-kv/ember/internal/config"
	"github.com/ember-kv/ember/internal/errs"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds ember-server once for the package's tests.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ember-server-test")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "ember-server")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// proc is a running ember-server whose log (stderr) is collected.
type proc struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	log   bytes.Buffer
	lines chan string
	done  chan struct{}
	err   error
}

func start(t *testing.T, stdin io.Reader, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Stdin = stdin
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, lines: make(chan string, 1000), done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.log.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// waitLine waits for a log line matching re.
func (p *proc) waitLine(t *testing.T, re *regexp.Regexp) string {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case l := <-p.lines:
			if re.MatchString(l) {
				return l
			}
		case <-p.done:
			t.Fatalf("ember-server exited (%v) before logging %v:\n%s", p.err, re, p.logText())
		case <-timeout:
			t.Fatalf("no log line %v:\n%s", re, p.logText())
		}
	}
}

func (p *proc) logText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// wait waits for the process to exit and returns its exit status.
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		t.Fatalf("ember-server did not exit:\n%s", p.logText())
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		t.Fatal(p.err)
	}
	return 0
}

var readyLine = regexp.MustCompile(`^\d+:M \d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3} \* Ready to accept connections`)

// do sends one command and returns the raw reply line(s) read within a
// short time.
func do(t *testing.T, addr string, args ...string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	if line[0] == '$' || line[0] == '*' {
		// One bulk or a flat array of bulks is all these tests read.
		n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
		if line[0] == '*' {
			for i := 0; i < 2*n && n > 0; i++ {
				l, _ := r.ReadString('\n')
				line += l
			}
		} else if n >= 0 {
			buf := make([]byte, n+2)
			io.ReadFull(r, buf)
			line += string(buf)
		}
	}
	return line
}

func TestSignalsShutDownGracefully(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			port := freePort(t)
			p := start(t, nil, "--port", strconv.Itoa(port), "--bind", "127.0.0.1")
			ready := p.waitLine(t, readyLine)
			pid := strconv.Itoa(p.cmd.Process.Pid)
			for _, want := range []string{"ember_version=0.1.0", "redis_version=7.0.15", "port=" + strconv.Itoa(port), "pid=" + pid} {
				if !strings.Contains(ready, want) {
					t.Errorf("ready line %q lacks %q", ready, want)
				}
			}
			if !strings.HasPrefix(ready, pid+":M ") {
				t.Errorf("ready line %q does not start with the pid", ready)
			}
			addr := "127.0.0.1:" + strconv.Itoa(port)
			if got := do(t, addr, "PING"); got != "+PONG\r\n" {
				t.Fatalf("PING: %q", got)
			}
			if err := p.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if code := p.wait(t); code != 0 {
				t.Errorf("exit status %d:\n%s", code, p.logText())
			}
			name := map[syscall.Signal]string{syscall.SIGTERM: "SIGTERM", syscall.SIGINT: "SIGINT"}[sig]
			log := p.logText()
			for _, want := range []string{
				"# Received " + name + " scheduling shutdown...",
				"# User requested shutdown...",
				"# Ember is now ready to exit, bye bye...",
			} {
				if !strings.Contains(log, want) {
					t.Errorf("log lacks %q:\n%s", want, log)
				}
			}
			if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
				t.Error("still listening after exit")
			}
		})
	}
}

func TestShutdownCommand(t *testing.T) {
	port := freePort(t)
	dir := t.TempDir()
	pidfile := filepath.Join(dir, "ember.pid")
	p := start(t, nil, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--pidfile", pidfile)
	p.waitLine(t, readyLine)
	if b, err := os.ReadFile(pidfile); err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(p.cmd.Process.Pid) {
		t.Errorf("pid file: %q %v", b, err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	if got := do(t, addr, "SHUTDOWN", "ABORT"); got != "-"+errs.NoShutdown+"\r\n" {
		t.Errorf("SHUTDOWN ABORT: %q", got)
	}
	if got := do(t, addr, "SHUTDOWN", "SAVE"); got != "-"+errs.ShutdownFailed+"\r\n" {
		t.Errorf("SHUTDOWN SAVE: %q", got)
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n"))
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := c.Read(make([]byte, 64)); err != io.EOF {
		t.Errorf("SHUTDOWN: read %d bytes, %v; want the connection closed", n, err)
	}
	if code := p.wait(t); code != 0 {
		t.Errorf("exit status %d:\n%s", code, p.logText())
	}
	if _, err := os.Stat(pidfile); !os.IsNotExist(err) {
		t.Errorf("pid file left behind: %v", err)
	}
	if log := p.logText(); !strings.Contains(log, "User requested shutdown...") || !strings.Contains(log, "ready to exit, bye bye") {
		t.Errorf("log:\n%s", log)
	}
}

// TestBadConfiguration checks what ember-server prints and its exit status
// for bad command lines, against redis-server when it is installed.
func TestBadConfiguration(t *testing.T) {
	redis, _ := exec.LookPath("redis-server")
	for _, args := range [][]string{
		{"--foo", "bar"},
		{"--port", "abc"},
		{"--port", "70000"},
		{"--maxmemory", "1x"},
		{"--save", "3600 1 300"},
		{"--port", "1", "2"},
		{"--loglevel", "foo"},
		{"--port"},
		{"--appendonly", "maybe"},
		{"--client-output-buffer-limit", "normal 1 2"},
		{"--bind", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17"},
		{"--hz", "10", "--nosuch", "x"},
	} {
		cmd := exec.Command(binary(t), args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("%q: exit %v, want status 1", args, err)
		}
		if !strings.HasPrefix(stderr.String(), "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line ") {
			t.Errorf("%q: stderr %q", args, stderr.String())
		}
		if redis == "" {
			continue
		}
		rcmd := exec.Command(redis, args...)
		var rerr bytes.Buffer
		rcmd.Stderr = &rerr
		rcmd.Dir = t.TempDir()
		rcmd.Run()
		if rerr.String() != stderr.String() || rcmd.ProcessState.ExitCode() != 1 {
			t.Errorf("%q:\n redis-server (%d) %q\n ember-server %q", args, rcmd.ProcessState.ExitCode(), rerr.String(), stderr.String())
		}
	}
	// A missing configuration file is logged, as Redis does.
	cmd := exec.Command(binary(t), "/nonexistent/redis.conf")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err == nil {
		t.Error("missing file: exit 0")
	}
	if !regexp.MustCompile(`^\d+:C \d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3} # Fatal error, can't open config file '/nonexistent/redis.conf': No such file or directory\n$`).MatchString(stderr.String()) {
		t.Errorf("missing file: %q", stderr.String())
	}
}

func TestVersionAndHelp(t *testing.T) {
	for _, a := range []string{"-v", "--version"} {
		out, err := exec.Command(binary(t), a).Output()
		if err != nil || !strings.HasPrefix(string(out), "Ember server v=0.1.0 redis_version=7.0.15 ") {
			t.Errorf("%s: %q %v", a, out, err)
		}
	}
	for _, a := range []string{"-h", "--help"} {
		cmd := exec.Command(binary(t), a)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.HasPrefix(stderr.String(), "Usage: ./ember-server [/path/to/redis.conf] [options] [-]\n") {
			t.Errorf("%s: %v %q", a, err, stderr.String())
		}
	}
}

// TestConfigFileAndRewrite starts from a file, options and standard input,
// checks the result through CONFIG GET, and rewrites the file.
func TestConfigFileAndRewrite(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	conf := filepath.Join(dir, "redis.conf")
	os.WriteFile(conf, []byte("# test\nport 1\nbind 127.0.0.1\nmaxmemory 2mb\nhz 15\nsave 60 1\nsave 30 10\n"), 0o644)
	p := start(t, strings.NewReader("hz 20\nloglevel warning\n"), conf, "--port", strconv.Itoa(port), "--maxmemory", "1gb", "-")
	p.waitLine(t, regexp.MustCompile(`# Server initialized`))
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for name, want := range map[string]string{"maxmemory": "1073741824", "hz": "20", "loglevel": "warning", "save": "60 1 30 10"} {
		wantReply := fmt.Sprintf("*2\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(name), name, len(want), want)
		if got := do(t, addr, "CONFIG", "GET", name); got != wantReply {
			t.Errorf("CONFIG GET %s: %q, want %q", name, got, wantReply)
		}
	}
	if got := do(t, addr, "INFO", "server"); !strings.Contains(got, "config_file:"+conf+"\r\n") {
		t.Errorf("INFO server lacks config_file:%s:\n%s", conf, got)
	}
	if got := do(t, addr, "CONFIG", "SET", "hz", "25", "maxmemory-policy", "allkeys-lru"); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET: %q", got)
	}
	if got := do(t, addr, "CONFIG", "REWRITE"); got != "+OK\r\n" {
		t.Fatalf("CONFIG REWRITE: %q", got)
	}
	b, _ := os.ReadFile(conf)
	want := "# test\nport " + strconv.Itoa(port) + "\nbind 127.0.0.1\nmaxmemory 1gb\nhz 25\nsave 60 1\nsave 30 10\n\n# Generated by CONFIG REWRITE\n"
	if !strings.HasPrefix(string(b), want) || !strings.Contains(string(b), "\nloglevel warning\n") || !strings.Contains(string(b), "\nmaxmemory-policy allkeys-lru\n") {
		t.Errorf("rewritten file:\n%s", b)
	}
	// The rewritten file starts an identical server.
	cfg := config.New()
	if err := cfg.LoadArgs([]string{conf}); err != nil {
		t.Fatal(err)
	}
	if cfg.Get("hz") != "25" || cfg.Get("maxmemory") != "1073741824" || cfg.Get("loglevel") != "warning" {
		t.Errorf("reloaded: hz %s maxmemory %s loglevel %s", cfg.Get("hz"), cfg.Get("maxmemory"), cfg.Get("loglevel"))
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t); code != 0 {
		t.Errorf("exit status %d", code)
	}
	// loglevel warning leaves out the notices.
	if log := p.logText(); strings.Contains(log, "Ready to accept connections") || !strings.Contains(log, "bye bye") {
		t.Errorf("log at loglevel warning:\n%s", log)
	}
}

func TestLogfile(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	logfile := filepath.Join(dir, "ember.log")
	p := start(t, nil, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--logfile", logfile)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := os.ReadFile(logfile)
		if regexp.MustCompile(`(?m)^\d+:M \d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3} \* Ready to accept connections`).Match(b) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no ready line in %s: %q", logfile, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := do(t, addr, "CONFIG", "GET", "logfile"); !strings.Contains(got, logfile) {
		t.Errorf("CONFIG GET logfile: %q", got)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t); code != 0 {
		t.Errorf("exit %d", code)
	}
	if p.logText() != "" {
		t.Errorf("stderr not empty with a logfile: %q", p.logText())
	}
}

// fakeConn is a connection from a given remote address.
type fakeConn struct {
	net.Conn
	remote net.Addr
	out    *bytes.Buffer
	closed bool
}

func (c *fakeConn) RemoteAddr() net.Addr               { return c.remote }
func (c *fakeConn) Write(b []byte) (int, error)        { return c.out.Write(b) }
func (c *fakeConn) Close() error                       { c.closed = true; return nil }
func (c *fakeConn) SetWriteDeadline(_ time.Time) error { return nil }
func (c *fakeConn) SetDeadline(_ time.Time) error      { return nil }
func (c *fakeConn) SetReadDeadline(_ time.Time) error  { return nil }
func (c *fakeConn) LocalAddr() net.Addr                { return c.remote }
func (c *fakeConn) Read(_ []byte) (int, error)         { return 0, io.EOF }
func (l *fakeListener) Accept() (net.Conn, error) {
	if len(l.conns) == 0 {
		return nil, net.ErrClosed
	}
	c := l.conns[0]
	l.conns = l.conns[1:]
	return c, nil
}

type fakeListener struct {
	net.Listener
	conns []*fakeConn
}

func TestProtectedMode(t *testing.T) {
	remote := &fakeConn{remote: &net.TCPAddr{IP: net.ParseIP("10.1.2.3"), Port: 5000}, out: &bytes.Buffer{}}
	local := &fakeConn{remote: &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 5001}, out: &bytes.Buffer{}}
	local6 := &fakeConn{remote: &net.TCPAddr{IP: net.ParseIP("::1"), Port: 5002}, out: &bytes.Buffer{}}
	cfg := config.New()
	var rejected atomic.Int64
	l := &protectedListener{Listener: &fakeListener{conns: []*fakeConn{remote, local, local6}}, cfg: cfg, rejected: &rejected}
	for _, want := range []*fakeConn{local, local6} {
		c, err := l.Accept()
		if err != nil || c != want {
			t.Fatalf("Accept: %v %v", c, err)
		}
	}
	if !remote.closed || remote.out.String() != "-"+errs.ProtectedMode+"\r\n" || rejected.Load() != 1 {
		t.Errorf("remote client: closed %v, got %q, rejected %d", remote.closed, remote.out.String(), rejected.Load())
	}
	// With a password, or protected-mode off, remote clients come in.
	for _, set := range [][]string{{"requirepass", "secret"}, {"protected-mode", "no"}} {
		c := config.New()
		if err := c.SetMany(set, false); err != nil {
			t.Fatal(err)
		}
		r := &fakeConn{remote: remote.remote, out: &bytes.Buffer{}}
		l := &protectedListener{Listener: &fakeListener{conns: []*fakeConn{r}}, cfg: c}
		if got, err := l.Accept(); err != nil || got != r {
			t.Errorf("%v: Accept %v %v", set, got, err)
		}
	}
}
