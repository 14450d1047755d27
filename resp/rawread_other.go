//go:build !unix

package resp

// canReadRaw reports that SetRawConn is not supported here.
const canReadRaw = false

func (r *Reader) readRawFD(fd uintptr) bool { return true }

func (r *Reader) readNoWaitFD(fd uintptr) bool { return true }
