package server

import (
	"errors"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/pubsub"
	"github.com/ember-kv/ember/internal/tracking"
	"github.com/ember-kv/ember/resp"
)

// flushAt is the reply size at which replies are handed to the connection
// before the read buffer is drained, bounding the memory of a long
// pipeline's replies while the client keeps reading.
const flushAt = 64 * 1024

// idleReplyBuf is the most reply-buffer capacity a connection keeps while
// it waits for input: enough for the replies of a 4 KB GET without
// allocating again, not the up to 1 MB a burst of large replies grew.
const idleReplyBuf = 16 * 1024

// idleReleaseAfter is how many waits for input without a large batch of
// replies a connection makes before it gives its large reply buffer back.
const idleReleaseAfter = 8

// busyReads is how many reads in a row may find input waiting before the
// connection yields to the others (see serveConn).
const busyReads = 1

// yieldBusy is how a connection yields after busyReads (tests count it).
var yieldBusy = runtime.Gosched

// rawReads turns on the reader's own non-blocking reads (SetRawConn),
// which let an idle connection lend its read buffer to a shared pool.
var rawReads = true

// serveConn runs one connection: read a command, dispatch it, and write
// the replies of everything one read brought in with one write. With
// event loops (loop.go) the connection goes to one of them instead.
func (s *Server) serveConn(conn net.Conn) {
	defer s.wg.Done()
	c, out := s.openClient(conn)
	if c == nil {
		return
	}
	if s.loops != nil && s.adopt(c, out) {
		return
	}
	defer s.closeClient(c)
	s.connLoop(c, out, nil)
}

// openClient registers a new connection's client, or refuses the
// connection (maxclients) and returns nil.
func (s *Server) openClient(conn net.Conn) (*client.Client, *outConn) {
	reg := s.env.Clients
	stats := s.env.Stats
	if max := s.cfg.Int("maxclients"); int64(reg.Len()) >= max {
		stats.RejectedConns.Add(1)
		conn.Write([]byte("-ERR max number of clients reached\r\n"))
		conn.Close()
		return nil, nil
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	out := newOutConn(conn)
	c := client.New(reg.NextID(), out, s.now())
	stats.TotalConnections.Add(1)
	reg.Add(c)
	c.Authenticated = s.cfg.Get("requirepass") == ""
	c.Reader.Unauthenticated = !c.Authenticated
	// proto-max-bulk-len applies to connected clients as soon as CONFIG
	// SET changes it, as in Redis.
	c.Reader.MaxBulkLenVar = &s.maxBulk
	return c, out
}

// closeClient forgets a client whose connection ended.
func (s *Server) closeClient(c *client.Client) {
	s.env.Clients.Remove(c)
	c.Kill()
	if tracking.Active() {
		s.track.Disable(c.ID)
	}
}

// connLoop serves a connection on its own goroutine until it ends,
// starting with first (a command already read) when it is not nil.
func (s *Server) connLoop(c *client.Client, out *outConn, first [][]byte) {
	var st connState
	// busy counts the reads in a row that found input waiting (the
	// reader's Idle resets it when one finds none): a client that keeps
	// the connection fed (large pipelined writes) would otherwise keep
	// the CPU until the runtime preempts it, 10 ms later, while the other
	// clients wait. After busyReads such reads the connection yields, as
	// Redis serves one read per ready client in turn. Only reads through
	// the raw path say when they found none (yields).
	busy, yields := 0, false
	c.Reader.BeforeRead = func() error {
		c.TickStale = true
		st.fresh = true
		if err := s.flushNoting(c, &st); err != nil {
			return err
		}
		if busy++; yields && busy > busyReads {
			busy = 0
			yieldBusy()
		}
		return nil
	}
	// An idle connection holds no read buffer (the reader lends it back
	// to a shared pool while it waits for input) and, once it has waited
	// idleReleaseAfter times without a batch of replies larger than
	// idleReplyBuf, at most idleReplyBuf bytes of reply buffer: a client
	// that keeps asking for large replies (LRANGE, big GETs) keeps its
	// buffer instead of growing a new one for every reply.
	if out.raw != nil && rawReads {
		c.Reader.SetRawConn(out.raw)
		yields = c.Reader.ReadsRaw()
		c.Reader.Idle = func() {
			busy = 0
			if c.Out.Len() == 0 {
				st.waited(c)
			}
		}
	}
	for {
		args, err := first, error(nil)
		if first != nil {
			first = nil
		} else {
			args, err = c.Reader.ReadCommand()
		}
		if err != nil {
			if s.readFailed(c, err) {
				out.wait()
			}
			return
		}
		if end, drain := s.runCommand(c, &st, args); end {
			if drain {
				out.wait()
			}
			return
		}
	}
}

// connState is what serving a connection keeps from one command to the
// next, on a goroutine of its own (connLoop) or in an event loop.
type connState struct {
	// fresh is set by every read: the first command of what it brought
	// warms its keys and those of the commands buffered behind it
	// (prefetch.go); warmed counts the commands that covered, and when
	// they have run the next ones are warmed.
	fresh  bool
	warmed int
	// smallWaits counts the waits for input since the last batch of
	// replies larger than idleReplyBuf.
	smallWaits int
}

// waited notes a wait for input with no reply pending: after
// idleReleaseAfter of them without a large batch of replies, the reply
// buffer goes back to idleReplyBuf.
func (st *connState) waited(c *client.Client) {
	if st.smallWaits++; st.smallWaits >= idleReleaseAfter {
		c.Out.Release(idleReplyBuf)
	}
}

// flushNoting is flush, noting a batch of replies larger than
// idleReplyBuf.
func (s *Server) flushNoting(c *client.Client, st *connState) error {
	if c.Out.Len() > idleReplyBuf {
		st.smallWaits = 0
	}
	return s.flush(c)
}

// runCommand runs a command read from c: it warms the keys of a new
// read's commands, dispatches, and hands the replies over once they pass
// flushAt. It reports whether the connection ends (QUIT, a kill, a failed
// write) and whether its pending replies are to be written first.
func (s *Server) runCommand(c *client.Client, st *connState, args [][]byte) (end, drain bool) {
	if st.fresh || st.warmed <= 0 {
		st.fresh, st.warmed = false, 0
		if c.Reader.Buffered() > 0 || len(args) > 3 {
			st.warmed = s.prefetch(c, args) // a pipeline, or perhaps several keys
		}
	}
	s.dispatch(c, args)
	st.warmed--
	if c.CloseAfterReply || c.Killed() {
		return true, s.flush(c) == nil && !c.Killed()
	}
	if c.Out.Len() >= flushAt && s.flushNoting(c, st) != nil {
		return true, false
	}
	return false, false
}

// readFailed handles a read error: a protocol error is answered, after
// the replies before it, as Redis does; it reports whether that answer
// is to be written before the connection closes. On any other error (the
// client went away) pending replies are dropped, as Redis frees such a
// client at once.
func (s *Server) readFailed(c *client.Client, err error) (drain bool) {
	var pe *resp.ProtocolError
	if !errors.As(err, &pe) {
		return false
	}
	c.Out.Error(errs.Protocol(pe.Msg))
	return s.flush(c) == nil
}

// flush hands the pending replies to the connection. It does not block on
// a client that does not read: what the socket does not take at once is
// queued (see outConn).
func (s *Server) flush(c *client.Client) error {
	if c.Out.Len() == 0 {
		return s.flushPushes(c)
	}
	n, err := c.Conn.Write(c.Out.Bytes())
	s.env.Stats.NetOutput.Add(int64(n))
	c.Out.Reset()
	c.Out.Release(1 << 20)
	// Invalidation pushes and pub/sub messages queued while the replies
	// waited go after them.
	if err == nil {
		err = s.flushPushes(c)
	}
	return err
}

// flushPushes writes what other clients queued for c while it was busy:
// tracking invalidations (internal/tracking) and pub/sub messages
// (internal/pubsub).
func (s *Server) flushPushes(c *client.Client) error {
	if tracking.Active() {
		if err := s.track.Flushed(c); err != nil {
			return err
		}
	}
	if pubsub.Active() {
		return s.pubsub.Flushed(c)
	}
	return nil
}

// outConn is a client connection whose writes never block the goroutine
// that runs the client's commands. Like Redis, which keeps reading and
// executing while a client's replies wait in its output buffer, a write
// first gives the socket what it accepts without waiting; the rest is
// queued and a goroutine, started only then and gone once the queue is
// empty, writes it while the connection goes on reading. A client that
// pipelines a million commands before reading any reply thus never
// deadlocks against the server. Writes keep their order; an error of the
// background writer is returned by the next Write.
type outConn struct {
	net.Conn
	raw syscall.RawConn // nil when the connection has no descriptor

	mu      sync.Mutex
	drained sync.Cond // signalled when the writer goroutine ends
	queue   []byte    // bytes accepted by Write, not yet written
	spare   []byte    // the writer's previous buffer, for reuse
	running bool      // the writer goroutine is running
	err     error     // sticky write error

	// closeRead makes Close shut only the reading side: the connection's
	// event loop (loop.go) then sees the end of input and closes it.
	closeRead atomic.Bool

	// State of the non-blocking write, kept here so that passing the
	// callback to RawConn.Write does not allocate.
	nbBuf  []byte
	nbN    int
	nbErr  error
	nbFunc func(fd uintptr) bool
}

// maxSpare bounds the queue buffer kept for reuse after a backlog drains.
const maxSpare = 1 << 20

func newOutConn(conn net.Conn) *outConn {
	o := &outConn{Conn: conn}
	o.drained.L = &o.mu
	if sc, ok := conn.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			o.raw = rc
		}
	}
	o.nbFunc = o.writeNonblock
	return o
}

// Close closes the connection, or only its reading side while an event
// loop owns it (closeRead).
func (o *outConn) Close() error {
	if o.closeRead.Load() {
		return shutRead(o.Conn)
	}
	return o.Conn.Close()
}

// SyscallConn exposes the underlying connection's descriptor.
func (o *outConn) SyscallConn() (syscall.RawConn, error) {
	if o.raw == nil {
		return nil, errors.ErrUnsupported
	}
	return o.raw, nil
}

// Write writes b, or queues what the socket does not accept at once. It
// returns len(b) unless the connection has failed.
func (o *outConn) Write(b []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return 0, o.err
	}
	total := len(b)
	if !o.running {
		n, err := o.tryWrite(b)
		if err != nil {
			o.err = err
			return n, err
		}
		if n == len(b) {
			return n, nil
		}
		b = b[n:]
		o.running = true
		go o.run()
	}
	o.queue = append(o.queue, b...)
	return total, nil
}

// tryWrite writes what the socket accepts without blocking.
func (o *outConn) tryWrite(b []byte) (int, error) {
	if o.raw == nil || !canWriteNonblock {
		return 0, nil
	}
	o.nbBuf, o.nbN, o.nbErr = b, 0, nil
	err := o.raw.Write(o.nbFunc)
	n, nerr := o.nbN, o.nbErr
	o.nbBuf, o.nbErr = nil, nil
	if nerr != nil {
		return n, nerr
	}
	return n, err
}

// run writes the queue until it is empty or the connection fails.
func (o *outConn) run() {
	o.mu.Lock()
	for len(o.queue) > 0 && o.err == nil {
		buf := o.queue
		o.queue, o.spare = o.spare[:0], nil
		o.mu.Unlock()
		_, err := o.Conn.Write(buf)
		o.mu.Lock()
		if err != nil {
			o.err = err
		}
		if cap(buf) <= maxSpare {
			o.spare = buf[:0]
		}
	}
	if o.err != nil {
		o.queue = nil
	}
	o.running = false
	o.drained.Broadcast()
	o.mu.Unlock()
}

// Queued is the number of bytes accepted by Write and not written yet
// (the pub/sub output limits count them).
func (o *outConn) Queued() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.queue)
}

// wait blocks until every queued byte is written or the connection fails
// (closing it from another goroutine, as CLIENT KILL and Close do, ends the
// wait).
func (o *outConn) wait() {
	o.mu.Lock()
	for o.running {
		o.drained.Wait()
	}
	o.mu.Unlock()
}

// shutRead shuts the reading side of conn (closing it when it has none to
// shut): how Kill ends a connection an event loop owns.
func shutRead(conn net.Conn) error {
	if cr, ok := conn.(interface{ CloseRead() error }); ok {
		return cr.CloseRead()
	}
	return conn.Close()
}
