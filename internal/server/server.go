// Package server accepts client connections, reads their commands and
// runs them through the dispatcher, which enforces the command table's
// rules before calling a handler.
package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/config"
	"github.com/ember-kv/ember/internal/handler"
	"github.com/ember-kv/ember/internal/keyspace"
	"github.com/ember-kv/ember/internal/latency"
	"github.com/ember-kv/ember/internal/notify"
	"github.com/ember-kv/ember/internal/pubsub"
	"github.com/ember-kv/ember/internal/slowlog"
	"github.com/ember-kv/ember/internal/tracking"
	"github.com/ember-kv/ember/internal/watch"
)

// Version is Ember's version.
const Version = "0.1.0"

// RedisVersion is the Redis version whose behaviour Ember reproduces and
// reports as redis_version.
const RedisVersion = "7.0.15"

// Clock tells the time; tests inject one to move time without sleeping.
type Clock interface{ Now() time.Time }

// Options configure a Server beyond its redis.conf directives.
type Options struct {
	// Clock replaces the system clock for expiry and TIME.
	Clock Clock
	// Logger receives the server log; nil logs to the standard logger.
	Logger *log.Logger
	// Listeners, when set, are served instead of listening on bind/port.
	Listeners []net.Listener
	// ListenTCP opens the TCP listeners of the bind addresses and port,
	// at the start (without Listeners) and when CONFIG SET changes port
	// or bind; nil listens on each address as given ("*": every one).
	ListenTCP func(bind []string, port int) ([]net.Listener, error)
	// TuneRuntime lets the server set the Go memory limit from maxmemory
	// and return freed memory to the system (see memory.go). ember-server
	// sets it; a server embedded in another program leaves that program's
	// runtime alone.
	TuneRuntime bool
	// ConnGoroutines serves every connection on a goroutine of its own
	// instead of from event loops, GOMAXPROCS of them (loop.go; Linux
	// only). The environment variable EMBER_EVENT_LOOP=0 sets it for any
	// server, and =1 clears it.
	ConnGoroutines bool
}

// Server is a running Ember server.
type Server struct {
	cfg      *config.Config
	opts     Options
	env      *handler.Env
	ks       *keyspace.Keyspace
	handlers []handler.Func  // by spec ID
	track    *tracking.Table // CLIENT TRACKING
	pubsub   *pubsub.Table   // SUBSCRIBE, PUBLISH, ...
	watches  *watch.Table    // WATCHed keys
	txn      txnCmds         // the commands MULTI runs at once
	scripts  *scriptHost     // the script run in progress (script.go)
	// maxBulk is proto-max-bulk-len, which connected clients' readers load
	// at every bulk header so that CONFIG SET applies at once.
	maxBulk atomic.Int64
	// mem is the maxmemory state (memory.go).
	mem  memoryState
	lnMu sync.Mutex // guards lns, boundBind and boundPort
	lns  []net.Listener
	// boundBind and boundPort are the bind and port the TCP listeners
	// were opened with.
	boundBind []string
	boundPort int
	log       *log.Logger
	// loops are the event loops (Options.ConnGoroutines); nextLoop picks the
	// one a new connection joins.
	loops    []*eventLoop
	nextLoop atomic.Uint64

	wg       sync.WaitGroup
	closeMu  sync.Mutex
	closed   bool
	done     chan struct{}
	shutdown chan struct{}
}

// New builds a server from a configuration; Start makes it listen.
func New(cfg *config.Config, opts Options) (*Server, error) {
	s := &Server{
		cfg:      cfg,
		opts:     opts,
		log:      opts.Logger,
		done:     make(chan struct{}),
		shutdown: make(chan struct{}),
	}
	if s.log == nil {
		s.log = log.Default()
	}
	s.ks = keyspace.New(int(cfg.Int("databases")))
	// Access tracking follows the eviction policy: an LFU counter under the
	// *-lfu policies (OBJECT FREQ), the LRU clock otherwise (OBJECT IDLETIME).
	cfg.Follow(func() {
		s.ks.SetLFU(strings.HasSuffix(cfg.Get("maxmemory-policy"), "-lfu"))
		s.ks.SetLFUParams(cfg.Int("lfu-log-factor"), cfg.Int("lfu-decay-time"))
	}, "maxmemory-policy", "lfu-log-factor", "lfu-decay-time")
	cfg.Follow(func() { s.maxBulk.Store(cfg.Int("proto-max-bulk-len")) }, "proto-max-bulk-len")
	s.handlers = make([]handler.Func, command.Count())
	for id := range s.handlers {
		spec := command.ByID(id)
		s.handlers[id] = handler.Lookup(spec.Name)
	}
	s.env = &handler.Env{
		Keyspace:     s.ks,
		Config:       cfg,
		Clients:      client.NewRegistry(),
		Stats:        handler.NewStats(),
		Version:      RedisVersion,
		EmberVersion: Version,
		RunID:        runID(),
		Started:      s.now(),
		Shutdown:     s.requestShutdown,
		Pause:        &handler.Pause{},

		Executable:    executable(),
		ReplID:        runID(),
		StartupMemory: heapInUse(),
		Errors:        handler.NewErrorStats(),
		Metrics:       handler.NewMetrics(),
		Done:          s.done,
		Logf:          func(format string, args ...any) { s.log.Printf(format, args...) },
	}
	// SLOWLOG, the latency monitor and the commands' histograms follow
	// their directives.
	s.env.Slowlog = slowlog.New()
	cfg.Follow(func() { s.env.Slowlog.SetThreshold(cfg.Int("slowlog-log-slower-than")) }, "slowlog-log-slower-than")
	cfg.Follow(func() { s.env.Slowlog.SetMaxLen(cfg.Int("slowlog-max-len")) }, "slowlog-max-len")
	s.env.Latency = &latency.Monitor{}
	cfg.Follow(func() { s.env.Latency.SetThreshold(cfg.Int("latency-monitor-threshold")) }, "latency-monitor-threshold")
	s.env.Histograms = latency.NewHistograms(command.Count())
	cfg.Follow(func() { s.env.Histograms.SetTracking(cfg.Bool("latency-tracking")) }, "latency-tracking")
	// Client-side caching: expired keys (lazy or active expiry) are
	// invalidated like changed ones.
	s.track = tracking.For(s.env.Clients)
	onExpire := s.ks.OnExpire
	s.ks.OnExpire = func(db int, key string) {
		if onExpire != nil {
			onExpire(db, key)
		}
		if tracking.Active() {
			s.track.Invalidate(0, [][]byte{[]byte(key)})
		}
	}
	// Pub/sub: subscriptions go with their client; the pubsub class of
	// client-output-buffer-limit bounds what waits for a subscriber.
	s.pubsub = pubsub.For(s.env.Clients)
	cfg.Follow(func() { s.pubsub.SetLimits(pubsub.ParseLimits(cfg.Get("client-output-buffer-limit"))) }, "client-output-buffer-limit")
	s.env.Clients.OnRemove(func(c *client.Client) { s.pubsub.Remove(c) })
	// Keyspace notifications go out as pub/sub messages; expiry (lazy or
	// active) emits "expired".
	s.env.Notify = notify.New(func(from *client.Client, channel, message []byte) {
		s.pubsub.Publish(from, pubsub.Channel, channel, message)
	})
	cfg.Follow(func() { s.env.Notify.SetClasses(notify.Class(cfg.Int("notify-keyspace-events"))) }, "notify-keyspace-events")
	onExpireNotify := s.ks.OnExpire
	s.ks.OnExpire = func(db int, key string) {
		if onExpireNotify != nil {
			onExpireNotify(db, key)
		}
		if s.env.Notify.Enabled(notify.Expired) {
			s.env.Notify.Key(nil, notify.Expired, "expired", []byte(key), db)
		}
	}
	// "new" and "keymiss" reach the command's own client (a RESP3
	// subscriber) before its reply, as in Redis.
	s.ks.OnNew = func(db keyspace.DB, key string) {
		if s.env.Notify.Enabled(notify.NewKey) {
			from, _ := db.Origin.(*client.Client)
			s.env.Notify.Key(from, notify.NewKey, "new", []byte(key), db.Index)
		}
	}
	s.ks.OnMiss = func(db keyspace.DB, key []byte) {
		if s.env.Notify.Enabled(notify.KeyMiss) {
			from, _ := db.Origin.(*client.Client)
			s.env.Notify.Key(from, notify.KeyMiss, "keymiss", key, db.Index)
		}
	}
	s.ks.ExpiryPaused = s.env.Pause.On
	// maxmemory: evicted keys are announced, invalidated and touched like
	// expired ones (memory.go).
	s.ks.OnEvict = s.onEvict
	// Transactions: EXEC runs in the server (it locks shards); WATCHed
	// keys are touched by expiry and dropped when their client goes.
	s.txn = newTxnCmds()
	s.watches = watch.New()
	s.env.Watches = s.watches
	s.env.Exec = s.execTxn
	// Remove runs on CLIENT KILL's goroutine too, and again when the
	// connection's own goroutine ends: only the (locked) table is touched.
	s.env.Clients.OnRemove(s.watches.Unwatch)
	onExpireTxn := s.ks.OnExpire
	s.ks.OnExpire = func(db int, key string) {
		if onExpireTxn != nil {
			onExpireTxn(db, key)
		}
		if watch.Active() {
			s.watches.Touch(db, []byte(key), false)
		}
	}
	s.initMemory()
	// Scripts: the Lua engine and redis.call's path (script.go).
	s.newScripts()
	// SHUTDOWN: stop accepting at once, tell the owner (ember-server exits),
	// and close every connection, the caller's included.
	s.env.Shutdown = func() {
		s.requestShutdown()
		s.closeListeners()
		go s.Close()
	}
	return s, nil
}

// executable is the absolute path of the running program (INFO executable).
func executable() string {
	p, err := os.Executable()
	if err != nil {
		return ""
	}
	return p
}

// heapInUse is the Go heap in use now (INFO used_memory_startup).
func heapInUse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func runID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *Server) now() time.Time {
	if s.opts.Clock != nil {
		return s.opts.Clock.Now()
	}
	return time.Now()
}

// Start listens on the configured addresses and serves in the background.
func (s *Server) Start() error {
	lns := s.opts.Listeners
	if lns == nil {
		var err error
		lns, err = s.listenTCP(strings.Fields(s.cfg.Get("bind")), int(s.cfg.Int("port")))
		if err != nil {
			return err
		}
		if len(lns) == 0 {
			return errors.New("could not listen on any bind address")
		}
	}
	s.lns = lns
	s.boundBind, s.boundPort = strings.Fields(s.cfg.Get("bind")), int(s.cfg.Int("port"))
	// CONFIG SET port and bind move the TCP listeners, or fail and change
	// nothing.
	for _, d := range []struct{ name, refusal string }{
		{"port", "Unable to listen on this port. Check server logs."},
		{"bind", "Failed to bind to specified addresses."},
	} {
		s.cfg.OnApply(d.name, func(v string) error {
			if err := s.rebind(); err != nil {
				s.log.Printf("CONFIG SET %s %s: %s", d.name, v, config.Strerror(err))
				return errors.New(d.refusal)
			}
			return nil
		})
	}
	if useLoops(s.opts.ConnGoroutines, os.Getenv("EMBER_EVENT_LOOP")) {
		if err := s.startLoops(runtime.GOMAXPROCS(0)); err != nil {
			s.log.Printf("event loops: %v; serving a goroutine per connection", err)
		}
	}
	s.serve(lns)
	s.wg.Add(1)
	go s.cron()
	return nil
}

// useLoops reports whether connections go to event loops: unless
// goroutines says otherwise, or env (EMBER_EVENT_LOOP) is "0"; "1" wins
// over goroutines.
func useLoops(goroutines bool, env string) bool {
	switch env {
	case "0":
		return false
	case "1":
		return true
	}
	return !goroutines
}

// listenTCP opens the TCP listeners of bind and port (Options.ListenTCP).
func (s *Server) listenTCP(bind []string, port int) ([]net.Listener, error) {
	if s.opts.ListenTCP != nil {
		return s.opts.ListenTCP(bind, port)
	}
	return ListenTCP(bind, port)
}

// ListenTCP listens on port at each address of bind: "*" is every
// address, and a "-" in front makes an address optional.
func ListenTCP(bind []string, port int) ([]net.Listener, error) {
	var lns []net.Listener
	p := strconv.Itoa(port)
	for _, addr := range bind {
		optional := strings.HasPrefix(addr, "-")
		addr = strings.TrimPrefix(addr, "-")
		if addr == "*" {
			addr = ""
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(addr, p))
		if err != nil {
			if optional {
				continue
			}
			for _, l := range lns {
				l.Close()
			}
			return nil, fmt.Errorf("could not create server TCP listening socket %s:%s: %w", addr, p, err)
		}
		lns = append(lns, ln)
		if p == "0" {
			// Every address shares the port the first one was given.
			p = strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		}
	}
	return lns, nil
}

// rebind replaces the TCP listeners with those of the configured bind and
// port (none for port 0), as CONFIG SET port and bind do in Redis: the new
// ones open first, so that a port in use fails and changes nothing; then
// the old ones close. Other listeners (a Unix socket) stay.
//
// A new port opens before the old one closes. New addresses on the same
// port cannot (they may overlap the old ones), so the old listeners close
// first and, if the new addresses fail, reopen.
func (s *Server) rebind() error {
	bind, port := strings.Fields(s.cfg.Get("bind")), int(s.cfg.Int("port"))
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return net.ErrClosed
	}
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if port == s.boundPort && strings.Join(bind, " ") == strings.Join(s.boundBind, " ") {
		return nil
	}
	var kept, old []net.Listener
	for _, ln := range s.lns {
		if isTCP(ln) {
			old = append(old, ln)
		} else {
			kept = append(kept, ln)
		}
	}
	sameBind := port == s.boundPort
	if sameBind {
		for _, ln := range old {
			ln.Close()
		}
	}
	var fresh []net.Listener
	if port != 0 {
		var err error
		if fresh, err = s.listenTCP(bind, port); err != nil {
			if sameBind && s.boundPort != 0 {
				if back, berr := s.listenTCP(s.boundBind, s.boundPort); berr == nil {
					s.lns = append(back, kept...)
					s.serve(back)
				} else {
					s.lns = kept
					s.log.Printf("Unable to listen again on port %d: %s", s.boundPort, config.Strerror(berr))
				}
			}
			return err
		}
	}
	if !sameBind {
		for _, ln := range old {
			ln.Close()
		}
	}
	s.lns = append(fresh, kept...)
	s.boundBind, s.boundPort = bind, port
	s.serve(fresh)
	return nil
}

// serve starts accepting on lns.
func (s *Server) serve(lns []net.Listener) {
	for _, ln := range lns {
		s.wg.Add(1)
		go s.acceptLoop(ln)
	}
}

func isTCP(ln net.Listener) bool { return strings.HasPrefix(ln.Addr().Network(), "tcp") }

// closeListeners stops accepting connections.
func (s *Server) closeListeners() {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	for _, ln := range s.lns {
		ln.Close()
	}
}

// Addr is the address of the first listener.
func (s *Server) Addr() net.Addr {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if len(s.lns) == 0 {
		return &net.TCPAddr{} // CONFIG SET port 0 closed the last one
	}
	return s.lns[0].Addr()
}

// Env exposes the server state to in-process callers (tests, embedding).
func (s *Server) Env() *handler.Env { return s.env }

// ShutdownRequested is closed when a client sent SHUTDOWN.
func (s *Server) ShutdownRequested() <-chan struct{} { return s.shutdown }

func (s *Server) requestShutdown() {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	select {
	case <-s.shutdown:
	default:
		close(s.shutdown)
	}
}

// Close stops listening, disconnects every client and waits for the
// server's goroutines to end.
func (s *Server) Close() error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	s.closeMu.Unlock()
	s.closeListeners()
	for _, c := range s.env.Clients.List() {
		c.Kill()
	}
	s.stopLoops()
	s.wg.Wait()
	return nil
}

func (s *Server) acceptLoop(ln net.Listener) {
	defer s.wg.Done()
	for {
		conn, err := ln.Accept()
		if err != nil {
			select {
			case <-s.done:
				return
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(5 * time.Millisecond)
				continue
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.log.Printf("accept: %v", err)
			time.Sleep(5 * time.Millisecond)
			continue
		}
		s.wg.Add(1)
		go s.serveConn(conn)
	}
}

// cron runs the periodic tasks: active expiry, hz times a second.
func (s *Server) cron() {
	defer s.wg.Done()
	hz := s.cfg.Int("hz")
	if hz <= 0 {
		hz = 10
	}
	period := time.Second / time.Duration(hz)
	t := time.NewTicker(period)
	defer t.Stop()
	nowMs := func() int64 { return s.now().UnixMilli() }
	for tick := int64(1); ; tick++ {
		select {
		case <-s.done:
			return
		case <-t.C:
			// Redis gives active expiry 25% of each cron period; a cycle
			// that takes latency-monitor-threshold or more is an
			// "expire-cycle" sample.
			start := time.Now()
			s.ks.ActiveExpireCycle(nowMs, period/4)
			if s.env.Latency.Threshold() > 0 {
				s.env.Latency.Add("expire-cycle", time.Since(start).Milliseconds(), time.Now())
			}
			s.memoryCron()
			if tick%hz == 0 {
				s.closeIdleClients(time.Now())
			}
		}
	}
}

// closeIdleClients closes the connections that sent no command for longer
// than the timeout directive (seconds; 0 never), as Redis's clients cron:
// blocked clients, subscribers and monitors wait by design and are left.
func (s *Server) closeIdleClients(now time.Time) {
	secs := s.cfg.Int("timeout")
	if secs <= 0 {
		return
	}
	limit := time.Duration(secs) * time.Second
	for _, c := range s.env.Clients.List() {
		if c.Flags()&client.FlagBlocked != 0 || c.PubSub() || handler.IsMonitor(s.env, c) {
			continue
		}
		if now.Sub(c.LastSeen()) > limit {
			c.Kill()
		}
	}
}
