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
	if r.buf == nil {
		r.buf = smallBufs.Get().(*[minRead]byte)[:0]
	}
	n, again, err := readFD(fd, r.buf[:cap(r.buf)])
	if again {
		r.idle()
		return false
	}
	r.rawN, r.rawErr = n, err
	return true
}

// readNoWaitFD is RawConn.Read's callback in event-loop mode: one read
// into the free space after r.w, never waiting (ErrWouldBlock when the
// socket holds nothing).
func (r *Reader) readNoWaitFD(fd uintptr) bool {
	n, again, err := readFD(fd, r.buf[r.w:cap(r.buf)])
	if again {
		err = ErrWouldBlock
	}
	r.rawN, r.rawErr = n, err
	return true
}

// readFD reads fd into b, again when interrupted; again reports that the
// socket had nothing to read.
func readFD(fd uintptr, b []byte) (n int, again bool, err error) {
	for {
		n, err := syscall.Read(int(fd), b)
		switch err {
		case nil:
			return max(n, 0), false, nil
		case syscall.EINTR:
		case syscall.EAGAIN:
			return 0, true, nil
		default:
			return 0, false, err
		}
	}
}
