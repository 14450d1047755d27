//go:build unix

package resp

import "syscall"

// canReadRaw reports that SetRawConn is supported.
const canReadRaw = true

// readRawFD is RawConn.Read's callback. It reads what the socket holds
// into the read buffer (taking one from the pool when it was lent out)
// and returns true; when nothing is ready it lends the buffer out and
// returns false, so that RawConn.Read waits for input and calls it again.
func (r *Reader) readRawFD(fd uintptr) bool {
	for {
		if r.buf == nil {
			r.buf = smallBufs.Get().(*[minRead]byte)[:0]
		}
		n, err := syscall.Read(int(fd), r.buf[:cap(r.buf)])
		switch err {
		case nil:
			r.rawN = max(n, 0)
			return true
		case syscall.EINTR:
		case syscall.EAGAIN:
			r.idle()
			return false
		default:
			r.rawErr = err
			return true
		}
	}
}

// readNoWaitFD is RawConn.Read's callback in event-loop mode: one read
// into the free space after r.w, never waiting (ErrWouldBlock when the
// socket holds nothing).
func (r *Reader) readNoWaitFD(fd uintptr) bool {
	for {
		n, err := syscall.Read(int(fd), r.buf[r.w:cap(r.buf)])
		switch err {
		case nil:
			r.rawN = max(n, 0)
			return true
		case syscall.EINTR:
		case syscall.EAGAIN:
			r.rawErr = ErrWouldBlock
			return true
		default:
			r.rawErr = err
			return true
		}
	}
}
