// Command ember-server runs Ember, a Redis 7.0-compatible server. It takes
// redis-server's arguments:
//
//	ember-server [/path/to/redis.conf] [--directive value ...] [-]
//	ember-server -v | --version
//	ember-server -h | --help
//
// Options override the file; "-" reads more configuration from standard
// input. SIGINT and SIGTERM (or the SHUTDOWN command) stop it gracefully.
package main

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ember-kv/ember/internal/config"
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/server"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole program; it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg := config.New()
	boot := &serverLog{w: stderr, role: 'C', cfg: cfg}
	if err := cfg.LoadArgsFrom(args, stdin); err != nil {
		var fe *config.FileError
		switch {
		case err == config.ErrVersion:
			fmt.Fprintf(stdout, "Ember server v=%s redis_version=%s sha=00000000:0 malloc=%s bits=%d\n",
				server.Version, server.RedisVersion, runtime.Version(), strconv.IntSize)
			return 0
		case err == config.ErrHelp:
			fmt.Fprint(stderr, usage)
			return 1
		case errors.As(err, &fe):
			boot.log(levelWarning, "%s", err)
		default:
			fmt.Fprintln(stderr, err)
		}
		return 1
	}

	out := stderr
	if f := cfg.Get("logfile"); f != "" {
		lf, err := os.OpenFile(f, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			boot.log(levelWarning, "Can't open the log file: %s", config.Strerror(err))
			return 1
		}
		defer lf.Close()
		out = lf
	}
	slog := &serverLog{w: out, role: 'C', cfg: cfg}
	slog.log(levelWarning, "oO0OoO0OoO0Oo Ember is starting oO0OoO0OoO0Oo")
	slog.log(levelWarning, "Ember version=%s, redis_version=%s, bits=%d, pid=%d, just started",
		server.Version, server.RedisVersion, strconv.IntSize, os.Getpid())
	if len(args) == 0 {
		slog.log(levelWarning, "Warning: no config file specified, using the default config. In order to specify a config file use ember-server /path/to/redis.conf")
	} else {
		slog.log(levelWarning, "Configuration loaded")
	}
	warnIneffective(cfg, slog)
	slog.role = 'M'

	lns, port, unixPath, err := listen(cfg, slog)
	if err != nil {
		slog.log(levelWarning, "%s", err)
		return 1
	}
	srv, err := server.New(cfg, server.Options{
		Logger:    log.New(levelWriter{slog, levelNotice}, "", 0),
		Listeners: lns,
		ListenTCP: func(bind []string, port int) ([]net.Listener, error) {
			lns, _, err := listenTCP(cfg, bind, port)
			return lns, err
		},
		TuneRuntime: true,
	})
	if err != nil {
		closeAll(lns)
		slog.log(levelWarning, "%s", err)
		return 1
	}
	for i, ln := range lns {
		if pl, ok := ln.(*protectedListener); ok {
			lns[i] = pl
			pl.rejected = &srv.Env().Stats.RejectedConns
		}
	}
	// Catch the signals before anyone can learn that the server is up: a
	// SIGTERM sent right after the ready line must shut down gracefully.
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	if err := srv.Start(); err != nil {
		closeAll(lns)
		slog.log(levelWarning, "%s", err)
		return 1
	}
	pidfile := cfg.Get("pidfile")
	if pidfile != "" {
		if err := os.WriteFile(pidfile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			slog.log(levelWarning, "Failed to write PID file: %s", config.Strerror(err))
			pidfile = ""
		}
	}
	if addr := os.Getenv(pprofEnv); addr != "" {
		if at, err := startPprof(addr); err != nil {
			slog.log(levelWarning, "Could not start the profiling endpoint on %s: %s", addr, err)
		} else {
			slog.log(levelNotice, "Profiling endpoint (net/http/pprof) at http://%s/debug/pprof/", at)
		}
	}
	slog.log(levelNotice, "Running mode=standalone, port=%d.", port)
	slog.log(levelWarning, "Server initialized")
	slog.log(levelNotice, "Ready to accept connections (ember_version=%s redis_version=%s port=%d pid=%d)",
		server.Version, server.RedisVersion, port, os.Getpid())

	select {
	case s := <-sig:
		slog.log(levelWarning, "Received %s scheduling shutdown...", signalName(s))
		slog.log(levelWarning, "User requested shutdown...")
	case <-srv.ShutdownRequested():
	}
	closed := make(chan struct{})
	go func() {
		srv.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case s := <-sig:
		slog.log(levelWarning, "You insist... exiting now (%s).", signalName(s))
		return 1
	}
	if pidfile != "" {
		slog.log(levelNotice, "Removing the pid file.")
		os.Remove(pidfile)
	}
	if unixPath != "" {
		slog.log(levelNotice, "Removing the unix socket file.")
		os.Remove(unixPath)
	}
	slog.log(levelWarning, "Ember is now ready to exit, bye bye...")
	return 0
}

func signalName(s os.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

// warnIneffective logs the directives set away from their default that
// Ember accepts but does not act on.
func warnIneffective(cfg *config.Config, slog *serverLog) {
	var names []string
	for _, d := range config.Directives() {
		if d.Kind == config.Special && d.Name == "dir" {
			continue
		}
		if cfg.Get(d.Name) != d.Default && !config.Effective(d.Name) {
			names = append(names, d.Name)
		}
	}
	if len(names) > 0 {
		slog.log(levelWarning, "WARNING: Ember accepts but does not act on these directives: %s", strings.Join(names, ", "))
	}
}

// listen opens the TCP listeners of bind and port and the Unix socket of
// unixsocket, as redis-server does: "-" before an address makes it
// optional, "*" is every IPv4 address and "::*" every IPv6 one, port 0
// disables TCP. TCP listeners enforce protected-mode.
func listen(cfg *config.Config, slog *serverLog) (lns []net.Listener, port int, unixPath string, err error) {
	port = int(cfg.Int("port"))
	if port != 0 {
		var addr string
		lns, addr, err = listenTCP(cfg, strings.Fields(cfg.Get("bind")), port)
		if err != nil {
			slog.log(levelWarning, "Warning: Could not create server TCP listening socket %s:%d: %s", addr, port, config.Strerror(err))
			return nil, 0, "", fmt.Errorf("Failed listening on port %d (tcp), aborting.", port)
		}
	}
	if p := cfg.Get("unixsocket"); p != "" {
		os.Remove(p)
		ln, lerr := net.Listen("unix", p)
		if lerr != nil {
			closeAll(lns)
			return nil, 0, "", fmt.Errorf("Failed opening Unix socket: %s", config.Strerror(lerr))
		}
		if perm := cfg.Int("unixsocketperm"); perm != 0 {
			os.Chmod(p, os.FileMode(perm))
		}
		lns = append(lns, ln)
		unixPath = p
	}
	if len(lns) == 0 {
		return nil, 0, "", errors.New("Configured to not listen anywhere, exiting.")
	}
	return lns, port, unixPath, nil
}

// listenTCP opens a listener on port for each address of bind ("*
// -::*" when empty), or fails naming the address that failed.
func listenTCP(cfg *config.Config, bind []string, port int) (lns []net.Listener, failed string, err error) {
	if len(bind) == 0 {
		bind = []string{"*", "-::*"}
	}
	for _, addr := range bind {
		optional := strings.HasPrefix(addr, "-")
		addr = strings.TrimPrefix(addr, "-")
		network, host := "tcp", addr
		switch {
		case addr == "*":
			network, host = "tcp4", "0.0.0.0"
		case addr == "::*":
			network, host = "tcp6", "::"
		case strings.Contains(addr, ":"):
			network = "tcp6"
		}
		ln, lerr := net.Listen(network, net.JoinHostPort(host, strconv.Itoa(port)))
		if lerr != nil {
			if optional {
				continue
			}
			closeAll(lns)
			return nil, addr, lerr
		}
		lns = append(lns, &protectedListener{Listener: ln, cfg: cfg})
	}
	return lns, "", nil
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		ln.Close()
	}
}

// protectedListener refuses, as Redis's protected mode does, connections
// from other hosts while protected-mode is on and no password is set.
type protectedListener struct {
	net.Listener
	cfg      *config.Config
	rejected *atomic.Int64
}

func (l *protectedListener) Accept() (net.Conn, error) {
	for {
		conn, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if !l.cfg.Bool("protected-mode") || l.cfg.Get("requirepass") != "" || isLoopback(conn.RemoteAddr()) {
			return conn, nil
		}
		conn.SetWriteDeadline(time.Now().Add(time.Second))
		conn.Write([]byte("-" + errs.ProtectedMode + "\r\n"))
		conn.Close()
		if l.rejected != nil {
			l.rejected.Add(1)
		}
	}
}

func isLoopback(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return true
	}
	ip := ta.IP.String()
	return ip == "127.0.0.1" || ip == "::1"
}

// Log levels, with the character Redis's log shows for each.
const (
	levelDebug   = '.'
	levelVerbose = '-'
	levelNotice  = '*'
	levelWarning = '#'
)

var levelRank = map[byte]int{levelDebug: 0, levelVerbose: 1, levelNotice: 2, levelWarning: 3}
var loglevelRank = map[string]int{"debug": 0, "verbose": 1, "notice": 2, "warning": 3}

// serverLog writes Redis-style log lines:
// "pid:role day month year hh:mm:ss.mmm level message".
type serverLog struct {
	mu   sync.Mutex
	w    io.Writer
	role byte
	cfg  *config.Config
}

func (l *serverLog) log(level byte, format string, args ...any) {
	if levelRank[level] < loglevelRank[l.cfg.Get("loglevel")] {
		return
	}
	now := time.Now()
	msg := fmt.Sprintf(format, args...)
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "%d:%c %s.%03d %c %s\n", os.Getpid(), l.role,
		now.Format("02 Jan 2006 15:04:05"), now.Nanosecond()/1e6, level, msg)
}

// levelWriter adapts a serverLog to the *log.Logger the server writes to.
type levelWriter struct {
	l     *serverLog
	level byte
}

func (w levelWriter) Write(p []byte) (int, error) {
	w.l.log(w.level, "%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

const usage = `Usage: ./ember-server [/path/to/redis.conf] [options] [-]
       ./ember-server - (read config from stdin)
       ./ember-server -v or --version
       ./ember-server -h or --help

Examples:
       ./ember-server (run the server with default conf)
       echo 'maxmemory 128mb' | ./ember-server -
       ./ember-server /etc/redis/6379.conf
       ./ember-server --port 7777
       ./ember-server --port 7777 --replicaof 127.0.0.1 8888
       ./ember-server /etc/myredis.conf --loglevel verbose -
       ./ember-server /etc/myredis.conf --loglevel verbose
`
