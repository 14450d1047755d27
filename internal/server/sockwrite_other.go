//go:build !unix

package server

// canWriteNonblock reports that this platform has no non-blocking write:
// outConn queues every write for its writer goroutine.
const canWriteNonblock = false

func (o *outConn) writeNonblock(fd uintptr) bool { return true }
