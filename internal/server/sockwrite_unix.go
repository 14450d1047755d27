//go:build unix

package server

import "syscall"

// canWriteNonblock reports that outConn can try a write without blocking.
const canWriteNonblock = true

// writeNonblock is RawConn.Write's callback: it writes o.nbBuf until the
// socket would block, and returns true so that RawConn.Write never waits.
func (o *outConn) writeNonblock(fd uintptr) bool {
	for o.nbN < len(o.nbBuf) {
		n, err := syscall.Write(int(fd), o.nbBuf[o.nbN:])
		if n > 0 {
			o.nbN += n
		}
		switch err {
		case nil:
			if n <= 0 {
				return true
			}
		case syscall.EINTR:
		case syscall.EAGAIN:
			return true
		default:
			o.nbErr = err
			return true
		}
	}
	return true
}
