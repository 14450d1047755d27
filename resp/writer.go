package resp

import (
	"math"
	"strconv"
)

// Writer accumulates replies in RESP2 or RESP3 form. Its methods append to
// an in-memory buffer without allocating in the steady state; the owner
// writes Bytes to the connection and calls Reset. Types that RESP2 lacks are
// rendered the way Redis renders them for RESP2 clients (maps as flat
// arrays, doubles as bulk strings, booleans as integers, nulls as $-1/*-1).
type Writer struct {
	buf []byte
	// Proto is 2 or 3, the protocol the client negotiated with HELLO.
	Proto int
}

// NewWriter returns a RESP2 writer.
func NewWriter() *Writer { return &Writer{Proto: 2} }

// Bytes returns the accumulated replies.
func (w *Writer) Bytes() []byte { return w.buf }

// Len reports the number of buffered bytes.
func (w *Writer) Len() int { return len(w.buf) }

// Reset empties the buffer, keeping its memory.
func (w *Writer) Reset() { w.buf = w.buf[:0] }

// Truncate drops everything written after the first n bytes.
func (w *Writer) Truncate(n int) { w.buf = w.buf[:n] }

// Release drops the buffer's memory when it has grown beyond max bytes.
func (w *Writer) Release(max int) {
	if cap(w.buf) > max {
		w.buf = nil
	}
}

// Raw appends already-encoded protocol bytes.
func (w *Writer) Raw(b []byte) { w.buf = append(w.buf, b...) }

// Simple writes a status reply: +s.
func (w *Writer) Simple(s string) {
	w.buf = append(w.buf, '+')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// OK writes +OK.
func (w *Writer) OK() { w.buf = append(w.buf, "+OK\r\n"...) }

// Error writes an error reply. msg carries its code ("ERR ...",
// "WRONGTYPE ..."); newlines in it are replaced by spaces as Redis does.
func (w *Writer) Error(msg string) {
	w.buf = append(w.buf, '-')
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		w.buf = append(w.buf, c)
	}
	w.buf = append(w.buf, '\r', '\n')
}

// Int writes an integer reply: :n.
func (w *Writer) Int(n int64) {
	w.buf = append(w.buf, ':')
	w.buf = AppendInt(w.buf, n)
	w.buf = append(w.buf, '\r', '\n')
}

// Bulk writes a bulk string.
func (w *Writer) Bulk(b []byte) {
	w.buf = append(w.buf, '$')
	w.buf = AppendInt(w.buf, int64(len(b)))
	w.buf = append(w.buf, '\r', '\n')
	w.buf = append(w.buf, b...)
	w.buf = append(w.buf, '\r', '\n')
}

// BulkString writes a bulk string from a Go string.
func (w *Writer) BulkString(s string) {
	w.buf = append(w.buf, '$')
	w.buf = AppendInt(w.buf, int64(len(s)))
	w.buf = append(w.buf, '\r', '\n')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// BulkInt writes n's decimal form as a bulk string.
func (w *Writer) BulkInt(n int64) {
	var tmp [20]byte
	w.Bulk(AppendInt(tmp[:0], n))
}

// Null writes a null bulk string: $-1 in RESP2, _ in RESP3.
func (w *Writer) Null() {
	if w.Proto == 3 {
		w.buf = append(w.buf, "_\r\n"...)
		return
	}
	w.buf = append(w.buf, "$-1\r\n"...)
}

// NullArray writes a null array: *-1 in RESP2, _ in RESP3.
func (w *Writer) NullArray() {
	if w.Proto == 3 {
		w.buf = append(w.buf, "_\r\n"...)
		return
	}
	w.buf = append(w.buf, "*-1\r\n"...)
}

func (w *Writer) header(c byte, n int) {
	w.buf = append(w.buf, c)
	w.buf = AppendInt(w.buf, int64(n))
	w.buf = append(w.buf, '\r', '\n')
}

// Array writes an array header for n elements.
func (w *Writer) Array(n int) { w.header('*', n) }

// Map writes a map header for n key/value pairs (an array of 2n in RESP2).
func (w *Writer) Map(n int) {
	if w.Proto == 3 {
		w.header('%', n)
		return
	}
	w.header('*', 2*n)
}

// Set writes a set header for n elements (an array in RESP2).
func (w *Writer) Set(n int) {
	if w.Proto == 3 {
		w.header('~', n)
		return
	}
	w.header('*', n)
}

// Push writes a push header for n elements (an array in RESP2).
func (w *Writer) Push(n int) {
	if w.Proto == 3 {
		w.header('>', n)
		return
	}
	w.header('*', n)
}

// Bool writes a boolean: #t/#f in RESP3, :1/:0 in RESP2.
func (w *Writer) Bool(v bool) {
	if w.Proto == 3 {
		if v {
			w.buf = append(w.buf, "#t\r\n"...)
		} else {
			w.buf = append(w.buf, "#f\r\n"...)
		}
		return
	}
	if v {
		w.buf = append(w.buf, ":1\r\n"...)
	} else {
		w.buf = append(w.buf, ":0\r\n"...)
	}
}

// Double writes a floating point reply as Redis 7.0 does: RESP3 ",d",
// RESP2 a bulk string, formatted as C's "%.17g" (Go's 'g' with precision
// 17 picks the same digits and the same exponent threshold), with
// "inf"/"-inf", glibc's "nan"/"-nan", and "-0" for negative zero.
func (w *Writer) Double(d float64) {
	var tmp [32]byte
	var b []byte
	switch {
	case math.IsInf(d, 1):
		b = append(tmp[:0], "inf"...)
	case math.IsInf(d, -1):
		b = append(tmp[:0], "-inf"...)
	case math.IsNaN(d):
		if math.Signbit(d) {
			b = append(tmp[:0], "-nan"...)
		} else {
			b = append(tmp[:0], "nan"...)
		}
	default:
		b = strconv.AppendFloat(tmp[:0], d, 'g', 17, 64)
	}
	if w.Proto == 3 {
		w.buf = append(w.buf, ',')
		w.buf = append(w.buf, b...)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	w.Bulk(b)
}

// Verbatim writes a verbatim string of format fmt ("txt", "mkd") in RESP3
// and a bulk string in RESP2.
func (w *Writer) Verbatim(format string, s []byte) {
	if w.Proto != 3 {
		w.Bulk(s)
		return
	}
	w.header('=', len(s)+4)
	w.buf = append(w.buf, format...)
	w.buf = append(w.buf, ':')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// StringArray writes an array of bulk strings.
func (w *Writer) StringArray(items []string) {
	w.Array(len(items))
	for _, s := range items {
		w.BulkString(s)
	}
}
