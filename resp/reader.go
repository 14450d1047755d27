// Package resp reads client commands and writes replies in the Redis
// serialization protocol (RESP2 and RESP3), with the limits and error texts
// of Redis 7.0.
package resp

import (
	"bytes"
	"io"
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
)

// ProtocolError is a violation of RESP by the client. The server replies
// "-ERR Protocol error: <Msg>" and closes the connection, as Redis does.
type ProtocolError struct{ Msg string }

func (e *ProtocolError) Error() string { return "Protocol error: " + e.Msg }

func protoErr(msg string) error { return &ProtocolError{Msg: msg} }

// Reader parses commands from a connection. The argument slices returned by
// ReadCommand point into the reader's buffer and stay valid only until the
// next call: a handler that keeps an argument must copy it.
type Reader struct {
	rd  io.Reader
	buf []byte
	r   int // start of unparsed data
	w   int // end of valid data

	// MaxBulkLen is proto-max-bulk-len: the largest accepted bulk argument.
	MaxBulkLen int64
	// Unauthenticated applies Redis's tighter limits for clients that have
	// not yet authenticated when a password is required.
	Unauthenticated bool
	// BeforeRead, when set, runs before every read from the connection: a
	// server flushes pending replies there, so that every command of one
	// read is answered in one write.
	BeforeRead func() error

	// State of a multibulk command that is only partly in the buffer, so that
	// a large command is parsed once, not once per read.
	pending  bool
	start    int     // offset of the command's first byte in buf
	argc     int     // arguments announced by the '*' header
	spans    []int32 // start,end offsets of parsed arguments, relative to start
	next     int     // offset, relative to start, of the next unparsed byte
	bulkNeed int64   // length of the bulk being waited for, or -1

	args [][]byte
	err  error // sticky read error
}

// NewReader returns a reader over rd with Redis's default limits.
func NewReader(rd io.Reader) *Reader {
	return &Reader{rd: rd, MaxBulkLen: DefaultMaxBulkLen, bulkNeed: -1}
}

// Reset makes the reader parse from rd, dropping any buffered input.
func (r *Reader) Reset(rd io.Reader) {
	r.rd = rd
	r.r, r.w = 0, 0
	r.pending = false
	r.bulkNeed = -1
	r.err = nil
}

// Buffered reports how many unparsed bytes are in the buffer. A server uses
// it to execute every command of one read before flushing the replies.
func (r *Reader) Buffered() int { return r.w - r.r }

// ReadCommand returns the next command's arguments. Empty commands (an empty
// inline line, "*0") are skipped. A *ProtocolError reports malformed input;
// any other error comes from the underlying connection.
func (r *Reader) ReadCommand() ([][]byte, error) {
	for {
		if r.w > r.r || r.pending {
			args, ok, err := r.parse()
			if err != nil {
				return nil, err
			}
			if ok {
				if len(args) == 0 {
					continue
				}
				return args, nil
			}
		}
		if err := r.fill(); err != nil {
			return nil, err
		}
	}
}

// fill reads more input, first moving unparsed data to the buffer's start.
func (r *Reader) fill() error {
	if r.err != nil {
		return r.err
	}
	keep := r.r
	if r.pending {
		keep = r.start
	}
	if keep > 0 {
		n := copy(r.buf, r.buf[keep:r.w])
		r.w = n
		r.r -= keep
		if r.pending {
			r.start = 0
		}
	}
	need := minRead
	if r.pending && r.bulkNeed >= 0 {
		// Make room for the whole bulk and its CRLF in one go.
		want := int64(r.start+r.next) + r.bulkNeed + 2 - int64(r.w)
		if want > int64(need) {
			need = int(want)
		}
	}
	if cap(r.buf)-r.w < need {
		nb := make([]byte, r.w, r.w+need+r.w/2)
		copy(nb, r.buf[:r.w])
		r.buf = nb
	}
	if r.BeforeRead != nil {
		if err := r.BeforeRead(); err != nil {
			r.err = err
			return err
		}
	}
	r.buf = r.buf[:cap(r.buf)]
	n, err := r.rd.Read(r.buf[r.w:])
	r.w += n
	r.buf = r.buf[:r.w]
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	r.err = err
	return err
}

// parse tries to parse one command from the buffer. ok is false when more
// input is needed.
func (r *Reader) parse() (args [][]byte, ok bool, err error) {
	if !r.pending {
		if r.buf[r.r] != '*' {
			return r.parseInline()
		}
		// The multibulk header.
		line, n, found := r.line(r.r)
		if !found {
			if r.w-r.r > InlineMax {
				return nil, false, protoErr("too big mbulk count string")
			}
			return nil, false, nil
		}
		ll, okNum := parseInt(line[1:])
		if !okNum || ll > MaxMultibulk {
			return nil, false, protoErr("invalid multibulk length")
		}
		if r.Unauthenticated && ll > unauthMultibulk {
			return nil, false, protoErr("unauthenticated multibulk length")
		}
		if ll <= 0 {
			r.r += n
			r.maybeShrink()
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
					return nil, false, protoErr("too big bulk count string")
				}
				return nil, false, nil
			}
			if line[0] != '$' {
				return nil, false, protoErr("expected '$', got '" + string(line[0]) + "'")
			}
			ll, okNum := parseInt(line[1:])
			if !okNum || ll < 0 || ll > r.MaxBulkLen {
				return nil, false, protoErr("invalid bulk length")
			}
			if r.Unauthenticated && ll > unauthBulk {
				return nil, false, protoErr("unauthenticated bulk length")
			}
			r.bulkNeed = ll
			r.next += n
			pos += n
		}
		if int64(r.w-pos) < r.bulkNeed+2 {
			return nil, false, nil
		}
		end := pos + int(r.bulkNeed)
		r.spans = append(r.spans, int32(pos-r.start), int32(end-r.start))
		r.next = end + 2 - r.start
		r.bulkNeed = -1
	}
	// Complete: materialize the argument slices.
	r.pending = false
	r.args = r.args[:0]
	for i := 0; i < len(r.spans); i += 2 {
		a, b := r.start+int(r.spans[i]), r.start+int(r.spans[i+1])
		r.args = append(r.args, r.buf[a:b:b])
	}
	r.r = r.start + r.next
	return r.args, true, nil
}

// line finds the CR-terminated line starting at pos, as Redis does: it
// looks for '\r' and assumes a '\n' follows it. n counts the line and CRLF.
func (r *Reader) line(pos int) (line []byte, n int, ok bool) {
	i := bytes.IndexByte(r.buf[pos:r.w], '\r')
	if i < 0 || pos+i+1 >= r.w {
		return nil, 0, false
	}
	return r.buf[pos : pos+i], i + 2, true
}

func (r *Reader) parseInline() ([][]byte, bool, error) {
	i := bytes.IndexByte(r.buf[r.r:r.w], '\n')
	if i < 0 {
		if r.w-r.r > InlineMax {
			return nil, false, protoErr("too big inline request")
		}
		return nil, false, nil
	}
	line := r.buf[r.r : r.r+i]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	args, ok := SplitArgs(line, r.args[:0])
	if !ok {
		return nil, false, protoErr("unbalanced quotes in request")
	}
	r.args = args
	r.r += i + 1
	r.maybeShrink()
	return args, true, nil
}

// maybeShrink drops an oversized buffer once it has been fully consumed.
func (r *Reader) maybeShrink() {
	if r.r == r.w && cap(r.buf) > keepBuf {
		r.buf, r.r, r.w = nil, 0, 0
	}
}

// parseInt parses a decimal integer the way Redis's string2ll does: no
// spaces, no '+', no leading zeros, within int64.
func parseInt(b []byte) (int64, bool) {
	return ParseInt(b)
}
