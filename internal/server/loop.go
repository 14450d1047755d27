//go:build linux

package server

import (
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/resp"
)

// Event loops (unless Options.ConnGoroutines): instead of a goroutine per
// connection, a few goroutines (GOMAXPROCS of them) each own many
// connections through an epoll instance of their own, as Redis's event
// loop does. A turn serves every ready connection one read: its commands
// run and its replies are written, then the next connection's. A
// connection that keeps sending cannot hold the CPU while the others
// wait, so every client waits about one turn for its replies.
//
// The loop goroutine waits for its epoll descriptor through the runtime's
// poller (the descriptor is readable while connections are ready), so it
// never blocks a thread. Connections stay registered with the runtime's
// poller as well: replies are written through outConn, whose writer
// goroutine waits there when a client does not read.
//
// A command that can wait (blocking commands, scripts, CLIENT PAUSE in
// force, subscriptions, MONITOR, DEBUG, SHUTDOWN) would stop every
// connection of the loop, so the connection leaves the loop before it
// runs: it is handed to a goroutine of its own (connLoop), for good.

// eventLoop is one loop goroutine's state.
type eventLoop struct {
	s    *Server
	epfd int
	file *os.File // epfd, for the runtime's poller
	// wakeR and wakeW are a pipe through which the loop lets the runtime
	// poll the network while it stays busy (yieldToPoller).
	wakeR *os.File
	wakeW int
	// awake is when the loop last waited for the poller.
	awake time.Time
	// wakeFn is wakeOnce; wakeSent says its first call is done.
	wakeFn   func(fd uintptr) bool
	wakeSent bool
	wakeBuf  [64]byte

	mu    sync.Mutex
	conns map[uint64]*loopConn
	// closed is set when the loop stops: it takes no more connections.
	closed bool
}

// pollEvery is how long a busy loop runs before it lets the runtime poll
// the network. The runtime polls only when it has nothing else to run (or
// every 10 ms as a last resort), and a loop under load always has work:
// the accept loop and the connections on goroutines of their own would
// otherwise wait up to 10 ms for their input.
const pollEvery = 250 * time.Microsecond

// loopConn is a connection owned by an event loop.
type loopConn struct {
	id  uint64
	fd  int
	c   *client.Client
	out *outConn
	st  connState
}

// loopIDs numbers the connections registered with event loops.
var loopIDs atomic.Uint64

// startLoops starts n event loops.
func (s *Server) startLoops(n int) error {
	for range n {
		epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			return err
		}
		if err := syscall.SetNonblock(epfd, true); err != nil {
			syscall.Close(epfd)
			return err
		}
		var p [2]int
		if err := syscall.Pipe2(p[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC); err != nil {
			syscall.Close(epfd)
			return err
		}
		l := &eventLoop{s: s, epfd: epfd, file: os.NewFile(uintptr(epfd), "epoll"),
			wakeR: os.NewFile(uintptr(p[0]), "loop-wake"), wakeW: p[1], conns: map[uint64]*loopConn{}}
		l.wakeFn = l.wakeOnce
		s.loops = append(s.loops, l)
		s.wg.Add(1)
		go l.run()
	}
	return nil
}

// stopLoops wakes the loops so that they see the server closing.
func (s *Server) stopLoops() {
	for _, l := range s.loops {
		l.file.Close()
	}
}

// adopt hands a new connection to an event loop, reporting false when it
// has no descriptor to watch (it then gets a goroutine of its own).
func (s *Server) adopt(c *client.Client, out *outConn) bool {
	if out.raw == nil || !c.Reader.SetNoWait(out.raw) {
		return false
	}
	fd := -1
	out.raw.Control(func(d uintptr) { fd = int(d) })
	if fd < 0 {
		c.Reader.StopNoWait()
		return false
	}
	l := s.loops[s.nextLoop.Add(1)%uint64(len(s.loops))]
	lc := &loopConn{id: loopIDs.Add(1), fd: fd, c: c, out: out}
	// Kill (CLIENT KILL, timeouts, shutdown) must not close the descriptor
	// under the loop: it shuts the reading side, and the loop, finding
	// the end of input, closes the connection.
	out.closeRead.Store(true)
	l.mu.Lock()
	if l.closed {
		// The loop stopped (the server is closing): end the connection.
		l.mu.Unlock()
		out.closeRead.Store(false)
		s.closeClient(c)
		return true
	}
	l.conns[lc.id] = lc
	l.mu.Unlock()
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP}
	ev.Fd, ev.Pad = int32(uint32(lc.id)), int32(lc.id>>32)
	if err := syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
		l.mu.Lock()
		delete(l.conns, lc.id)
		l.mu.Unlock()
		out.closeRead.Store(false)
		c.Reader.StopNoWait()
		return false
	}
	return true
}

// run is the loop goroutine.
func (l *eventLoop) run() {
	defer l.s.wg.Done()
	defer l.closeAll()
	rc, err := l.file.SyscallConn()
	if err != nil {
		l.s.log.Printf("event loop: %v", err)
		return
	}
	events := make([]syscall.EpollEvent, 128)
	wake, err := l.wakeR.SyscallConn()
	if err != nil {
		l.s.log.Printf("event loop: %v", err)
		return
	}
	rc.Read(func(uintptr) bool {
		l.awake = time.Now()
		for {
			select {
			case <-l.s.done:
				return true
			default:
			}
			n, err := syscall.EpollWait(l.epfd, events, 0)
			if err == syscall.EINTR {
				continue
			}
			if err != nil || n <= 0 {
				// Nothing ready: wait until the poller says something is.
				return err != nil
			}
			for i := range events[:n] {
				l.mu.Lock()
				ev := &events[i]
				lc := l.conns[uint64(uint32(ev.Fd))|uint64(uint32(ev.Pad))<<32]
				l.mu.Unlock()
				if lc != nil {
					l.serve(lc)
				}
			}
			// Timers, the accept loop and connections on goroutines of
			// their own run between turns.
			runtime.Gosched()
			if time.Since(l.awake) >= pollEvery {
				l.yieldToPoller(wake)
				l.awake = time.Now()
			}
		}
	})
}

// yieldToPoller waits for the runtime's poller once, on the loop's own
// pipe made readable just before: the poller then also wakes whatever
// else is ready (new connections, connections on goroutines of their
// own), and they run before the loop resumes.
func (l *eventLoop) yieldToPoller(wake syscall.RawConn) {
	l.wakeSent = false
	wake.Read(l.wakeFn)
}

// wakeOnce is yieldToPoller's RawConn.Read callback (a method value kept
// in wakeFn, so that yielding allocates nothing): the first call makes
// the pipe readable and waits, the second drains it.
func (l *eventLoop) wakeOnce(fd uintptr) bool {
	if !l.wakeSent {
		l.wakeSent = true
		syscall.Write(l.wakeW, l.wakeBuf[:1])
		return false
	}
	syscall.Read(int(fd), l.wakeBuf[:])
	return true
}

// serve runs what one read of lc brings, and writes the replies.
func (l *eventLoop) serve(lc *loopConn) {
	s, c := l.s, lc.c
	c.TickStale = true
	c.Reader.AllowRead()
	lc.st.fresh = true
	for {
		args, err := c.Reader.ReadCommand()
		if err == resp.ErrWouldBlock {
			break
		}
		if err != nil {
			l.drop(lc, s.readFailed(c, err))
			return
		}
		if l.mustLeave(c, args) {
			l.release(lc)
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer s.closeClient(c)
				s.connLoop(c, lc.out, args)
			}()
			return
		}
		if end, drain := s.runCommand(c, &lc.st, args); end {
			l.drop(lc, drain)
			return
		}
	}
	if s.flushNoting(c, &lc.st) != nil {
		l.drop(lc, false)
		return
	}
	c.Reader.ReleaseIdle()
	lc.st.waited(c)
}

// mustLeave reports whether the command about to run could wait, which
// a connection may only do on a goroutine of its own.
func (l *eventLoop) mustLeave(c *client.Client, args [][]byte) bool {
	if l.s.env.Pause.On() {
		return true
	}
	spec := lookupCommand(c, args[0])
	if spec == nil {
		return false
	}
	if c.MultiLen() >= 0 && spec.Name != "exec" {
		return false // queued: it runs in EXEC, where nothing blocks
	}
	if spec.Flags&(command.Blocking|command.MayWait) != 0 {
		return true
	}
	// A script queued in the transaction runs inside EXEC.
	return spec.Name == "exec" && c.MultiFlags&command.MayWait != 0
}

// release takes lc out of the loop, leaving the connection open.
func (l *eventLoop) release(lc *loopConn) {
	l.mu.Lock()
	delete(l.conns, lc.id)
	l.mu.Unlock()
	syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_DEL, lc.fd, nil)
	lc.out.closeRead.Store(false)
	lc.c.Reader.StopNoWait()
	if lc.c.Killed() {
		// Killed meanwhile: the goroutine's first read ends it.
		lc.out.Conn.Close()
	}
}

// drop ends lc's connection; with drain, once its queued replies are
// written (QUIT, a protocol error).
func (l *eventLoop) drop(lc *loopConn, drain bool) {
	l.release(lc)
	if !drain {
		l.s.closeClient(lc.c) // Kill closes the connection
		return
	}
	l.s.wg.Add(1)
	go func() {
		defer l.s.wg.Done()
		lc.out.wait()
		l.s.closeClient(lc.c)
	}()
}

// closeAll ends the connections still in the loop when it stops.
func (l *eventLoop) closeAll() {
	l.mu.Lock()
	l.closed = true
	conns := make([]*loopConn, 0, len(l.conns))
	for _, lc := range l.conns {
		conns = append(conns, lc)
	}
	l.mu.Unlock()
	for _, lc := range conns {
		l.drop(lc, false)
	}
	l.file.Close()
	l.wakeR.Close()
	syscall.Close(l.wakeW)
}
