package server

import (
	"errors"
	"net"

	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/resp"
)

// flushAt is the reply size at which replies are written before the read
// buffer is drained, bounding the memory of a long pipeline's replies.
const flushAt = 64 * 1024

// serveConn runs one connection: read a command, dispatch it, and write
// the replies of everything one read brought in with one write.
func (s *Server) serveConn(conn net.Conn) {
	defer s.wg.Done()
	reg := s.env.Clients
	stats := s.env.Stats
	if max := s.cfg.Int("maxclients"); int64(reg.Len()) >= max {
		stats.RejectedConns.Add(1)
		conn.Write([]byte("-ERR max number of clients reached\r\n"))
		conn.Close()
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	c := client.New(reg.NextID(), conn, s.now())
	stats.TotalConnections.Add(1)
	reg.Add(c)
	defer func() {
		reg.Remove(c)
		c.Kill()
	}()
	c.Authenticated = s.cfg.Get("requirepass") == ""
	c.Reader.Unauthenticated = !c.Authenticated
	c.Reader.MaxBulkLen = s.cfg.Int("proto-max-bulk-len")
	c.Reader.BeforeRead = func() error { return s.flush(c) }
	for {
		args, err := c.Reader.ReadCommand()
		if err != nil {
			var pe *resp.ProtocolError
			if errors.As(err, &pe) {
				c.Out.Error(errs.Protocol(pe.Msg))
				s.flush(c)
			}
			return
		}
		s.dispatch(c, args)
		if c.CloseAfterReply || c.Killed() {
			s.flush(c)
			return
		}
		if c.Out.Len() >= flushAt {
			if s.flush(c) != nil {
				return
			}
		}
	}
}

// flush writes the pending replies.
func (s *Server) flush(c *client.Client) error {
	if c.Out.Len() == 0 {
		return nil
	}
	n, err := c.Conn.Write(c.Out.Bytes())
	s.env.Stats.NetOutput.Add(int64(n))
	c.Out.Reset()
	c.Out.Release(1 << 20)
	return err
}
