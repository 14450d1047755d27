package resp

// Feed appends b to the reader's unparsed input, as if the next read from
// the connection had returned it. A server that reads the connection itself
// while a command is in progress (a client blocked in BLPOP, whose socket
// is still watched for a disconnect) hands what it read here, so that the
// commands the client pipelined meanwhile run afterwards, in order.
// Argument slices returned earlier stay valid.
func (r *Reader) Feed(b []byte) {
	if len(b) == 0 {
		return
	}
	r.buf = append(r.buf[:r.w], b...)
	r.w = len(r.buf)
}
