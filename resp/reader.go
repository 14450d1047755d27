// Package resp reads client commands and writes replies in the Redis
// serialization protocol (RESP2 and RESP3), with the limits and error texts
// of Redis 7.0.
package resp

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"syscall"
)

// Protocol limits, as Redis defines them.
const (
	// InlineMax is the longest inline command, and the longest
	// multibulk or bulk header line, that the reader buffers.
	InlineMax = 64 * 1024
	// MaxMultibulk is the largest argument count of one command.
	MaxMultibulk = 1<<31 - 1
	// DefaultMaxBulkLen is the default proto-max-bulk-len (512 MB).
	DefaultMaxBulkLen = 512 * 1024 * 1024
	// unauthMultibulk and unauthBulk bound what an unauthenticated client may send.
	unauthMultibulk = 10
	unauthBulk      = 16384
	// minRead is the least free space offered to each read from the connection.
	minRead = 16 * 1024
	// keepBuf is the buffer capacity kept across commands; bigger buffers,
	// grown for one large argument, are dropped once drained.
	keepBuf = 64 * 1024
	// bulkStep is the most that is allocated ahead for a bulk argument
	// beyond the size of the buffer already in use.
	bulkStep = 8 << 20
)

// ProtocolError is a violation of RESP by the client. The server replies
// "-ERR Protocol error: <Msg>" and closes the connection, as Redis does.
type ProtocolError struct{ Msg string }

func (e *ProtocolError) Error() string { return "Protocol error: " + e.Msg }

// Reader parses commands from a connection. The argument slices returned by
// ReadCommand point into the reader's buffer and stay valid only until the
// next call: a handler that keeps an argument must copy it.
//
// Framing follows Redis's networking.c to the byte: a command starting with
// '*' is a multibulk, anything else an inline line split like redis-cli
// splits arguments. Header lines end at the first '\r' (the byte after it is
// skipped unchecked), and, as Redis scans its buffer as a C string, a NUL
// byte before the line end hides the line: the reader waits for more input
// until the too-big limit trips.
type Reader struct {
	rd  io.Reader
	buf []byte
	r   int // start of unparsed data
	w   int // end of valid data

	// MaxBulkLen is proto-max-bulk-len: the largest accepted bulk argument.
	MaxBulkLen int64
	// MaxBulkLenVar, when set, replaces MaxBulkLen: it is loaded at each
	// bulk header, so that a server-wide change (CONFIG SET) applies to
	// the next argument every client sends, as in Redis.
	MaxBulkLenVar *atomic.Int64
	// Unauthenticated applies Redis's tighter limits for clients that have
	// not yet authenticated when a password is required.
	Unauthenticated bool
	// BeforeRead, when set, runs before every read from the connection: a
	// server flushes pending replies there, so that every command of one
	// read is answered in one write.
	BeforeRead func() error
	// Idle, when set, runs when a read finds no input and the connection
	// is about to wait for some (after BeforeRead): a server releases
	// per-connection memory there. Only with SetRawConn.
	Idle func()

	// raw, when set (SetRawConn), is read directly: while it waits for
	// input with nothing buffered, the read buffer goes back to a pool
	// shared by every connection, so an idle connection holds none.
	raw    syscall.RawConn
	rawFn  func(fd uintptr) bool
	rawN   int
	rawErr error
	// noWait is set by SetNoWait (event-loop mode): reads never wait, and
	// readOK allows one per AllowRead.
	noWait   bool
	readOK   bool
	noWaitFn func(fd uintptr) bool

	// State of a multibulk command that is only partly in the buffer, so that
	// a large command is parsed once, not once per read.
	pending  bool
	start    int   // offset of the command's first byte in buf
	argc     int   // arguments announced by the '*' header
	spans    []int // start,end offsets of parsed arguments, relative to start
	next     int   // offset, relative to start, of the next unparsed byte
	bulkNeed int64 // length of the bulk being waited for, or -1

	args [][]byte
	// Commands parsed ahead (parseAhead): their arguments back to back in
	// queue, command i ending at queueEnds[i]; queued is the next one to
	// return, and queueErr what parsing ahead ran into.
	queue     [][]byte
	queueEnds []int
	queued    int
	queueErr  *ProtocolError

	err  error          // sticky error from the connection
	perr *ProtocolError // sticky protocol error
}

// NewReader returns a reader over rd with Redis's default limits.
func NewReader(rd io.Reader) *Reader {
	return &Reader{rd: rd, MaxBulkLen: DefaultMaxBulkLen, bulkNeed: -1}
}

// SetRawConn makes the reader read rc (the descriptor behind rd) itself,
// without blocking, so that it can lend its buffer back to a shared pool
// while the connection is idle: an idle connection then holds no read
// buffer. It has no effect where non-blocking reads are not supported.
func (r *Reader) SetRawConn(rc syscall.RawConn) {
	if !canReadRaw || rc == nil {
		return
	}
	r.raw = rc
	r.noWait = false
	if r.rawFn == nil {
		r.rawFn = r.readRawFD
	}
}

// ErrWouldBlock is what ReadCommand returns in event-loop mode (SetNoWait)
// when no complete command is buffered and the turn's read is spent or
// found no input. It is not sticky: the next turn reads on.
var ErrWouldBlock = errors.New("resp: no input ready")

// SetNoWait puts the reader in event-loop mode over rc: an event loop that
// owns many connections serves each one read per turn, as Redis does. A
// read never waits for input, and only one is made per AllowRead; when a
// command needs more than the buffer holds, ReadCommand returns
// ErrWouldBlock. SetRawConn ends the mode. It reports false where
// non-blocking reads are not supported.
func (r *Reader) SetNoWait(rc syscall.RawConn) bool {
	if !canReadRaw || rc == nil {
		return false
	}
	r.raw = rc
	r.noWait = true
	if r.noWaitFn == nil {
		r.noWaitFn = r.readNoWaitFD
	}
	return true
}

// StopNoWait ends event-loop mode: reads wait for input again, through rd
// until SetRawConn.
func (r *Reader) StopNoWait() {
	if r.noWait {
		r.noWait, r.raw = false, nil
	}
}

// AllowRead lets the next ReadCommand that runs out of buffered input
// read the connection once (event-loop mode).
func (r *Reader) AllowRead() { r.readOK = true }

// ReleaseIdle gives the read buffer back to the shared pool when nothing
// unparsed is left in it (event-loop mode, between turns).
func (r *Reader) ReleaseIdle() {
	if r.buf == nil || r.w != r.r || r.pending || r.queued < len(r.queueEnds) {
		return
	}
	recycleBuf(r.buf)
	r.buf, r.w, r.r = nil, 0, 0
}

// readNoWait is fill's read in event-loop mode: at most one per turn,
// into the free space after r.w.
func (r *Reader) readNoWait() error {
	if !r.readOK {
		return ErrWouldBlock
	}
	r.readOK = false
	if r.buf == nil {
		r.buf = smallBufs.Get().(*[minRead]byte)[:0]
	}
	r.rawN, r.rawErr = 0, nil
	err := r.raw.Read(r.noWaitFn)
	if err == nil {
		err = r.rawErr
	}
	if err == ErrWouldBlock {
		return err
	}
	return r.took(r.rawN, err)
}

// took records a raw read that added n bytes to the buffer and ended with
// err: a read of nothing is the end of input, and an error is kept for
// after the data that came with it.
func (r *Reader) took(n int, err error) error {
	r.w += n
	r.buf = r.buf[:r.w]
	if err == nil && n == 0 {
		err = io.EOF
	}
	if err != nil {
		r.err = err
		if n > 0 {
			return nil
		}
		return err
	}
	return nil
}

// ReadsRaw reports whether SetRawConn took effect: the reader reads the
// descriptor itself and calls Idle when a read finds no input.
func (r *Reader) ReadsRaw() bool { return r.raw != nil }

// Reset makes the reader parse from rd, dropping any buffered input.
func (r *Reader) Reset(rd io.Reader) {
	r.rd = rd
	r.raw = nil
	r.r, r.w = 0, 0
	r.pending = false
	r.bulkNeed = -1
	r.err = nil
	r.perr = nil
	r.dropQueue()
}

// dropQueue forgets the commands parsed ahead.
func (r *Reader) dropQueue() {
	clear(r.queue)
	r.queue, r.queueEnds, r.queued, r.queueErr = r.queue[:0], r.queueEnds[:0], 0, nil
}

// Buffered reports how much input is buffered behind the last command
// returned: unparsed bytes, plus one for each command parsed ahead. A
// server uses it to execute every command of one read before flushing the
// replies.
func (r *Reader) Buffered() int { return r.w - r.r + len(r.queueEnds) - r.queued }

// queueFrom is where queued command i's arguments start in queue.
func (r *Reader) queueFrom(i int) int {
	if i == 0 {
		return 0
	}
	return r.queueEnds[i-1]
}

// aheadMax bounds the commands parsed ahead at once.
const aheadMax = 64

// parseAhead queues first and the complete commands buffered behind it
// (up to aheadMax), parsing each once, and returns first's arguments: the
// queue serves the next ReadCommand calls, and PeekCommands looks at it
// without parsing again. It stops after a command that may change how the
// next ones parse (aheadSafe); a protocol error is kept for when the
// commands before it have been returned, as Redis answers them first.
func (r *Reader) parseAhead(first [][]byte) [][]byte {
	r.queue = append(r.queue, first...)
	r.queueEnds = append(r.queueEnds, len(r.queue))
	for len(r.queueEnds) < aheadMax && r.w > r.r && aheadSafe(r.queue[r.queueFrom(len(r.queueEnds)-1):]) {
		args, ok, err := r.parse()
		if err != nil {
			r.queueErr = err
			break
		}
		if !ok {
			break
		}
		if len(args) > 0 {
			r.queue = append(r.queue, args...)
			r.queueEnds = append(r.queueEnds, len(r.queue))
		}
	}
	r.queued = 1
	return r.queue[:r.queueEnds[0]:r.queueEnds[0]]
}

// aheadSafe reports whether the commands after args may be parsed before
// args runs: not after AUTH, HELLO or RESET (they change whether the
// client is authenticated, and with it the limits) nor CONFIG
// (proto-max-bulk-len).
func aheadSafe(args [][]byte) bool {
	switch len(args[0]) {
	case 4:
		return !bytes.EqualFold(args[0], []byte("auth"))
	case 5:
		return !bytes.EqualFold(args[0], []byte("hello")) && !bytes.EqualFold(args[0], []byte("reset"))
	case 6:
		return !bytes.EqualFold(args[0], []byte("config"))
	}
	return true
}

// PeekCommands calls fn with the arguments of each command parsed ahead
// (see parseAhead) and not yet returned, up to max commands, without
// consuming them: a server warms what they will touch while it runs the
// first. args is valid only during fn.
func (r *Reader) PeekCommands(max int, fn func(args [][]byte)) {
	for i := r.queued; i < len(r.queueEnds) && i-r.queued < max; i++ {
		fn(r.queue[r.queueFrom(i):r.queueEnds[i]:r.queueEnds[i]])
	}
}

// ReadCommand returns the next command's arguments. Empty commands (an empty
// inline line, "*0", "*-1") are skipped. A *ProtocolError reports malformed
// input; any other error comes from the underlying connection. Errors are
// sticky: once one is returned, every later call returns it again.
func (r *Reader) ReadCommand() ([][]byte, error) {
	if r.queued < len(r.queueEnds) {
		from, to := r.queueFrom(r.queued), r.queueEnds[r.queued]
		r.queued++
		return r.queue[from:to:to], nil
	}
	if r.queueErr != nil {
		r.perr = r.queueErr
	}
	if len(r.queueEnds) > 0 {
		r.dropQueue()
	}
	if r.perr != nil {
		return nil, r.perr
	}
	for {
		if r.w > r.r || r.pending {
			args, ok, err := r.parse()
			if err != nil {
				r.perr = err
				return nil, err
			}
			if ok {
				if len(args) == 0 {
					continue
				}
				if r.w > r.r && !r.Unauthenticated && !r.pending {
					return r.parseAhead(args), nil
				}
				return args, nil
			}
		}
		if err := r.fill(); err != nil {
			return nil, err
		}
	}
}

// fill reads more input. It first moves the unparsed data to the start of
// the buffer, growing the buffer when the data and the next read need more
// room, and shrinking it when it was grown for a large command that has
// since been consumed.
func (r *Reader) fill() error {
	if r.err != nil {
		return r.err
	}
	keep := r.r
	if r.pending {
		keep = r.start
	}
	live := r.w - keep
	need := minRead
	c := cap(r.buf)
	if r.pending && r.bulkNeed >= 0 {
		// Make room for the rest of the bulk and its CRLF in one go, as
		// Redis does for big arguments (for a huge bulk, bulkStep at a
		// time, then doubling, so that a header alone cannot make the
		// server allocate proto-max-bulk-len bytes); and do not grow the
		// buffer when the rest already fits.
		want := int64(r.next) + r.bulkNeed + 2 - int64(live)
		if want > int64(need) || int64(c-live) >= want {
			need = int(max(min(want, int64(max(c, bulkStep))), 1))
		}
	}
	switch {
	case live == 0 && r.raw != nil && r.buf == nil:
		// Idle with the buffer lent out: readRawFD takes one when input
		// is ready.
	case c-live < need:
		size := 2 * c
		if size < live+need {
			size = live + need
		}
		if r.pending && r.bulkNeed >= 0 {
			// Not beyond the end of the bulk being read.
			size = min(size, live+int(int64(r.next)+r.bulkNeed+2-int64(live)))
		}
		r.realloc(keep, live, size)
	case c > keepBuf && live+need <= keepBuf:
		r.realloc(keep, live, keepBuf)
	case keep > 0:
		copy(r.buf[:cap(r.buf)], r.buf[keep:r.w])
	}
	r.w = live
	r.r -= keep
	if r.pending {
		r.start = 0
	}
	if r.BeforeRead != nil {
		if err := r.BeforeRead(); err != nil {
			r.err = err
			return err
		}
	}
	if r.noWait {
		return r.readNoWait()
	}
	if r.raw != nil && r.w == 0 {
		return r.readRaw()
	}
	r.buf = r.buf[:cap(r.buf)]
	// Like bufio, tolerate a few empty reads before giving up.
	for range maxEmptyReads {
		n, err := r.rd.Read(r.buf[r.w:])
		if n < 0 || n > len(r.buf)-r.w {
			n = 0
			if err == nil {
				err = io.ErrShortBuffer
			}
		}
		r.w += n
		if err != nil {
			// Data that came with the error is parsed first.
			r.err = err
			r.buf = r.buf[:r.w]
			if n > 0 {
				return nil
			}
			return err
		}
		if n > 0 {
			r.buf = r.buf[:r.w]
			return nil
		}
	}
	r.buf = r.buf[:r.w]
	r.err = io.ErrNoProgress
	return r.err
}

// maxEmptyReads is how many reads in a row may return no data and no error.
const maxEmptyReads = 100

// realloc moves the live bytes buf[keep:keep+live] to a new buffer of at
// least size bytes. Buffers of up to keepBuf bytes come in two sizes,
// minRead and keepBuf, shared through pools; the old buffer goes back to
// its pool.
func (r *Reader) realloc(keep, live, size int) {
	var nb []byte
	switch {
	case size <= minRead:
		nb = smallBufs.Get().(*[minRead]byte)[:live]
	case size <= keepBuf:
		nb = largeBufs.Get().(*[keepBuf]byte)[:live]
	default:
		nb = make([]byte, live, size)
	}
	copy(nb, r.buf[keep:keep+live])
	recycleBuf(r.buf)
	r.buf = nb
}

// Read buffers of the two pooled sizes. A connection takes one when it
// has input to read and gives it back when it waits for more with
// nothing buffered (SetRawConn), or when it needs a buffer of another size.
var (
	smallBufs = sync.Pool{New: func() any { return new([minRead]byte) }}
	largeBufs = sync.Pool{New: func() any { return new([keepBuf]byte) }}
)

// recycleBuf returns a buffer of a pooled size to its pool. The caller
// must hold no other reference to it.
func recycleBuf(b []byte) {
	switch cap(b) {
	case minRead:
		smallBufs.Put((*[minRead]byte)(b[:minRead]))
	case keepBuf:
		largeBufs.Put((*[keepBuf]byte)(b[:keepBuf]))
	}
}

// readRaw reads the raw connection into an empty buffer. When no input is
// ready, the buffer goes back to its pool (readRawFD) until the poller
// says there is some.
func (r *Reader) readRaw() error {
	r.rawN, r.rawErr = 0, nil
	err := r.raw.Read(r.rawFn)
	if err == nil {
		err = r.rawErr
	}
	if r.buf == nil {
		// The wait failed (the connection was closed, a deadline passed)
		// while the buffer was lent out.
		if err == nil {
			err = io.ErrNoProgress
		}
		r.err = err
		return err
	}
	r.w = 0 // fill reads raw only into an empty buffer
	return r.took(r.rawN, err)
}

// idle gives the read buffer back while the connection waits for input.
func (r *Reader) idle() {
	if r.buf != nil {
		recycleBuf(r.buf)
		r.buf = nil
	}
	if r.Idle != nil {
		r.Idle()
	}
}

// parse tries to parse one command from the buffer. ok is false when more
// input is needed.
func (r *Reader) parse() (args [][]byte, ok bool, err *ProtocolError) {
	if !r.pending {
		if r.buf[r.r] != '*' {
			return r.parseInline()
		}
		// The multibulk header.
		line, n, found := r.line(r.r)
		if !found {
			if r.w-r.r > InlineMax {
				return nil, false, &ProtocolError{"too big mbulk count string"}
			}
			return nil, false, nil
		}
		ll, okNum := ParseInt(line[1:])
		if !okNum || ll > MaxMultibulk {
			return nil, false, &ProtocolError{"invalid multibulk length"}
		}
		if r.Unauthenticated && ll > unauthMultibulk {
			return nil, false, &ProtocolError{"unauthenticated multibulk length"}
		}
		if ll <= 0 {
			r.r += n
			return r.args[:0], true, nil
		}
		r.pending = true
		r.start = r.r
		r.argc = int(ll)
		r.spans = r.spans[:0]
		r.next = n
		r.bulkNeed = -1
	}
	for len(r.spans)/2 < r.argc {
		pos := r.start + r.next
		if r.bulkNeed < 0 {
			if pos >= r.w {
				return nil, false, nil
			}
			line, n, found := r.line(pos)
			if !found {
				if r.w-pos > InlineMax {
					return nil, false, &ProtocolError{"too big bulk count string"}
				}
				return nil, false, nil
			}
			if r.buf[pos] != '$' {
				// The offending byte goes out raw; the writer turns CR and
				// LF into spaces, as Redis does.
				return nil, false, &ProtocolError{"expected '$', got '" + string(r.buf[pos:pos+1]) + "'"}
			}
			maxBulk := r.MaxBulkLen
			if r.MaxBulkLenVar != nil {
				maxBulk = r.MaxBulkLenVar.Load()
			}
			ll, okNum := ParseInt(line[1:])
			if !okNum || ll < 0 || ll > maxBulk {
				return nil, false, &ProtocolError{"invalid bulk length"}
			}
			if r.Unauthenticated && ll > unauthBulk {
				return nil, false, &ProtocolError{"unauthenticated bulk length"}
			}
			r.bulkNeed = ll
			r.next += n
			pos += n
		}
		if int64(r.w-pos) < r.bulkNeed+2 {
			return nil, false, nil
		}
		end := pos + int(r.bulkNeed)
		r.spans = append(r.spans, pos-r.start, end-r.start)
		// Redis skips the two bytes after the bulk without checking them.
		r.next = end + 2 - r.start
		r.bulkNeed = -1
	}
	// Complete: materialize the argument slices.
	r.pending = false
	r.args = r.args[:0]
	for i := 0; i < len(r.spans); i += 2 {
		a, b := r.start+r.spans[i], r.start+r.spans[i+1]
		r.args = append(r.args, r.buf[a:b:b])
	}
	r.r = r.start + r.next
	return r.args, true, nil
}

// line finds the header line starting at pos the way Redis does: up to the
// first '\r', which must not be the last buffered byte (the byte after it is
// taken to be '\n'), and with no NUL byte before it. n counts the line and
// its two terminator bytes.
func (r *Reader) line(pos int) (line []byte, n int, ok bool) {
	i := bytes.IndexByte(r.buf[pos:r.w], '\r')
	if i < 0 || pos+i+1 >= r.w {
		return nil, 0, false
	}
	line = r.buf[pos : pos+i]
	if bytes.IndexByte(line, 0) >= 0 {
		return nil, 0, false
	}
	return line, i + 2, true
}

func (r *Reader) parseInline() ([][]byte, bool, *ProtocolError) {
	i := bytes.IndexByte(r.buf[r.r:r.w], '\n')
	// A NUL before the newline hides it from Redis's strchr.
	if i < 0 || bytes.IndexByte(r.buf[r.r:r.r+i], 0) >= 0 {
		if r.w-r.r > InlineMax {
			return nil, false, &ProtocolError{"too big inline request"}
		}
		return nil, false, nil
	}
	line := r.buf[r.r : r.r+i]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	args, ok := SplitArgs(line, r.args[:0])
	if !ok {
		return nil, false, &ProtocolError{"unbalanced quotes in request"}
	}
	r.args = args
	r.r += i + 1
	return args, true, nil
}
